"""Run lists as Chef users write them, parsed more strictly than knife does.

Items are ``recipe[NAME]``, ``recipe[NAME@VERSION]``, ``role[NAME]``, or bare ``NAME`` /
``NAME@VERSION`` (a recipe). ``NAME`` is a cookbook, optionally ``cookbook::recipe``.
Where knife accepts ``recipe[]``, ``recipe[foo bar]`` or ``foo@1`` and stores nonsense,
kitchenctl rejects them with a message naming the item. Editing follows knife (add
appends, a present item is not added twice, ``--after``/``--before`` move an item next
to an anchor) except that bare names work everywhere and a missing anchor is an error.

Everything here is pure: lists in, lists out.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from kitchenctl.errors import UsageError

_VERSION = r"\d+\.\d+(?:\.\d+)?"
_COOKBOOK = r"[A-Za-z0-9_][A-Za-z0-9_.-]*"
_RECIPE_NAME = rf"{_COOKBOOK}(?:::[A-Za-z0-9_][A-Za-z0-9_.-]*)?"
_ROLE_NAME = r"[A-Za-z0-9_-]+"

_QUALIFIED_RECIPE = re.compile(
    rf"recipe\[(?P<name>{_RECIPE_NAME})(?:@(?P<v>{_VERSION}))?\]"
)
_QUALIFIED_ROLE = re.compile(rf"role\[(?P<name>{_ROLE_NAME})\]")
_BARE_RECIPE = re.compile(rf"(?P<name>{_RECIPE_NAME})(?:@(?P<v>{_VERSION}))?")
# A token is a bracketed item (spaces allowed inside, to reject them by name) or a word.
_TOKEN = re.compile(r"[^\s,\[\]]*\[[^\]]*\][^\s,]*|[^\s,]+")


class RunListError(UsageError):
    """A run-list item that is not valid, or an edit that cannot be made."""

    def __init__(self, message: str, *, item: str, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.item = item


@dataclass(frozen=True)
class RunListItem:
    """One entry: ``kind`` is ``recipe`` or ``role``; ``version`` only for recipes."""

    kind: str
    name: str
    version: str | None = None

    def __str__(self) -> str:
        suffix = f"@{self.version}" if self.version else ""
        return f"{self.kind}[{self.name}{suffix}]"


def parse_item(text: str) -> RunListItem:
    """Parse one item; raise RunListError naming it when it is not valid."""
    if match := _QUALIFIED_RECIPE.fullmatch(text):
        return RunListItem("recipe", match["name"], match["v"])
    if match := _QUALIFIED_ROLE.fullmatch(text):
        return RunListItem("role", match["name"])
    if match := _BARE_RECIPE.fullmatch(text):
        return RunListItem("recipe", match["name"], match["v"])
    raise RunListError(
        f"invalid run-list item {text!r}: {_why_invalid(text)}", item=text
    )


def _why_invalid(text: str) -> str:
    """The most useful of the reasons an item can be wrong."""
    if not text.strip():
        return "it is empty"
    if any(character.isspace() for character in text):
        return "names cannot contain spaces"
    if text.startswith("role[") and "@" in text:
        return "roles have no version"
    if re.fullmatch(r"(recipe|role)\[\]", text):
        return "the name is empty"
    if re.fullmatch(r"recipe\[[^\]]*@[^\]]*\]", text) or (
        "@" in text and "[" not in text
    ):
        return "a version is X.Y or X.Y.Z"
    if "[" in text or "]" in text:
        return "write recipe[NAME], role[NAME] or a bare recipe name"
    return (
        "names use letters, digits, '_', '-', '.' and '::' between cookbook and recipe"
    )


def split_items(arguments: Iterable[str]) -> list[str]:
    """Items from the command line: separated by commas, spaces or both."""
    tokens: list[str] = []
    for argument in arguments:
        if not argument.strip(" ,"):
            raise RunListError("invalid run-list item '': it is empty", item=argument)
        tokens.extend(_TOKEN.findall(argument))
    return tokens


def parse_items(arguments: Iterable[str]) -> list[RunListItem]:
    """Split and parse command-line items, keeping only the first of duplicates."""
    return unique(parse_item(token) for token in split_items(arguments))


def parse_run_list(entries: Iterable[str]) -> list[RunListItem]:
    """A node's run list as the server stores it (strings), parsed."""
    return [parse_item(entry) for entry in entries]


def unique(items: Iterable[RunListItem]) -> list[RunListItem]:
    """First occurrences only, order kept."""
    seen: set[RunListItem] = set()
    kept = []
    for item in items:
        if item not in seen:
            seen.add(item)
            kept.append(item)
    return kept


def add(
    run_list: Sequence[RunListItem],
    items: Sequence[RunListItem],
    *,
    after: RunListItem | None = None,
    before: RunListItem | None = None,
) -> list[RunListItem]:
    """The run list with ``items`` added.

    Without an anchor, new items go at the end and present ones stay where they are.
    With ``after`` or ``before``, the items are placed next to the anchor, moving any
    that were elsewhere (as knife does). Raises RunListError for a missing anchor or
    both anchors.
    """
    if after is not None and before is not None:
        raise RunListError(
            "give --after or --before, not both", item=f"{after} / {before}"
        )
    anchor = after if after is not None else before
    if anchor is None:
        return unique([*run_list, *items])

    if anchor not in run_list:
        raise RunListError(
            f"{anchor} is not in the run list, so nothing can go "
            f"{'after' if after is not None else 'before'} it",
            item=str(anchor),
            hint="check the run list with 'kitchenctl node run-list show NODE'",
        )
    moving = [item for item in unique(items) if item != anchor]
    rest = [item for item in run_list if item not in moving]
    position = rest.index(anchor) + (1 if after is not None else 0)
    return unique([*rest[:position], *moving, *rest[position:]])


def remove(
    run_list: Sequence[RunListItem], items: Sequence[RunListItem]
) -> tuple[list[RunListItem], list[RunListItem]]:
    """The run list without ``items``, and the items that were not in it."""
    missing = [item for item in items if item not in run_list]
    return [item for item in run_list if item not in items], missing


def render(node_name: str, run_list: Sequence[RunListItem | str]) -> str:
    """knife's text for a node's run list: one item inline, several indented."""
    entries = [str(item) for item in run_list]
    if not entries:
        body = "  run_list:"
    elif len(entries) == 1:
        body = f"  run_list: {entries[0]}"
    else:
        body = "  run_list:\n" + "\n".join(f"    {entry}" for entry in entries)
    return f"{node_name}:\n{body}"
