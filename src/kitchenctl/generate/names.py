"""Names the generators accept, and the name of an existing cookbook."""

from __future__ import annotations

import re
from pathlib import Path

from kitchenctl.errors import UsageError

# Letters, digits, underscores and hyphens: what is safe in a recipe reference
# (cookbook::recipe), a custom resource name (cookbook_resource) and a file name.
_CODE_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_-]*")

# Templates and cookbook files may carry dots (nginx.conf); never a path separator.
_FILE_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*")

# Chef's own rule for policy names.
_POLICY_NAME = re.compile(r"[A-Za-z0-9_.:-]+")

HYPHEN_WARNING = (
    "Hyphens are discouraged in cookbook names as they may cause problems with "
    "custom resources (chef/chef#4723); consider {suggestion!r}."
)


def check_code_name(kind: str, name: str) -> None:
    """Reject a cookbook, recipe, attribute, resource or helpers name Chef can't use."""
    if not _CODE_NAME.fullmatch(name):
        raise UsageError(
            f"invalid {kind} name {name!r}",
            hint="use letters, digits, underscores and hyphens, "
            "starting with a letter, digit or underscore",
        )


def check_file_name(kind: str, name: str) -> None:
    """Reject a template or cookbook file name that is not one plain file name."""
    if not _FILE_NAME.fullmatch(name):
        raise UsageError(
            f"invalid {kind} name {name!r}",
            hint="use one file name of letters, digits, dots, underscores and "
            "hyphens, with no folder part",
        )


def check_policy_name(name: str) -> None:
    if not _POLICY_NAME.fullmatch(name):
        raise UsageError(
            f"invalid policy name {name!r}",
            hint="use letters, digits, underscores, hyphens, dots and colons",
        )


def hyphen_warnings(name: str) -> tuple[str, ...]:
    """chef-cli's warning for a hyphenated cookbook name; it never stops generation."""
    if "-" not in name:
        return ()
    return (HYPHEN_WARNING.format(suggestion=name.replace("-", "_")),)


def cookbook_name(cookbook_dir: Path) -> str:
    """The cookbook's name as its metadata says, never the folder's name.

    metadata.rb is evaluated by kitchenctl's safe Ruby subset (never by Ruby), else
    metadata.json is read. Raises UsageError when ``cookbook_dir`` holds neither, and
    InputFileError (file:line) when the metadata is invalid.
    """
    if (
        not (cookbook_dir / "metadata.rb").is_file()
        and not (cookbook_dir / "metadata.json").is_file()
    ):
        raise UsageError(
            f"Directory {cookbook_dir} is not a cookbook "
            "(no metadata.rb or metadata.json)",
            hint="give the cookbook's folder as the first argument, or run from "
            "inside it",
        )
    # The evaluator loads tree-sitter; only the file generators need it.
    from kitchenctl.metadata import load_metadata

    return load_metadata(cookbook_dir).name
