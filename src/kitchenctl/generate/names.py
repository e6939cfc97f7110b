"""Names the generators accept, and the name of an existing cookbook."""

from __future__ import annotations

import json
import re
from pathlib import Path

from kitchenctl.errors import InputFileError, UsageError

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

    Raises UsageError when ``cookbook_dir`` holds neither metadata.rb nor
    metadata.json, and InputFileError when the metadata names no cookbook.
    """
    metadata_rb = cookbook_dir / "metadata.rb"
    if metadata_rb.is_file():
        return _name_from_metadata_rb(metadata_rb)
    metadata_json = cookbook_dir / "metadata.json"
    if metadata_json.is_file():
        return _name_from_metadata_json(metadata_json)
    raise UsageError(
        f"Directory {cookbook_dir} is not a cookbook (no metadata.rb or metadata.json)",
        hint="give the cookbook's folder as the first argument, or run from inside it",
    )


# Until kitchenctl's Ruby evaluator reads metadata.rb, only the plain form
# `name 'web'` (or "web", with optional parentheses) at the start of a line is
# understood; anything else is reported rather than guessed at.
_METADATA_NAME = re.compile(
    r"""^[ \t]*name[ \t]*\(?[ \t]*(['"])([^'"\\#]+)\1[ \t]*\)?[ \t]*(?:\#.*)?$""",
    re.MULTILINE,
)


def _name_from_metadata_rb(path: Path) -> str:
    text = _read_text(path)
    match = _METADATA_NAME.search(text)
    if match is None:
        raise InputFileError(
            f"{path}: no `name 'COOKBOOK'` line found",
            hint="add a line such as `name 'web'` to metadata.rb",
        )
    return match.group(2)


def _name_from_metadata_json(path: Path) -> str:
    try:
        name = json.loads(_read_text(path)).get("name")
    except (json.JSONDecodeError, AttributeError) as exc:
        raise InputFileError(
            f"{path}: not a JSON object", hint="regenerate it from metadata.rb"
        ) from exc
    if not isinstance(name, str) or not name:
        raise InputFileError(f"{path}: no cookbook name", hint='add a "name" key')
    return name


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputFileError(f"cannot read {path}: {exc}") from exc
