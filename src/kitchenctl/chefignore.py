"""chefignore: which cookbook files Chef leaves out, with Chef's own glob rules.

Chef (``Chef::Cookbook::Chefignore`` in current Chef 18) looks for a file named
``chefignore`` in the cookbook folder, then in each parent folder up to the root, and
uses the first one that exists: a cookbook's own chefignore wins over a chef-repo's
``cookbooks/chefignore``. Each line that is not blank and does not start with ``#``
(after leading whitespace) is one glob, stripped of surrounding whitespace.

A path is ignored when any glob matches its path relative to the cookbook folder
(``recipes/default.rb``), using Ruby's ``File.fnmatch?`` with no flags. That is not
Python's :mod:`fnmatch` and not a shell glob:

- ``*`` matches any run of characters, ``/`` included, so ``test/*`` also ignores
  ``test/unit/x_spec.rb`` and ``*.swp`` ignores ``recipes/.x.swp``;
- a leading ``.`` of the whole path must be matched by a literal ``.``: ``*`` does not
  match ``.kitchen.yml`` but ``.*`` does; dots after a ``/`` need nothing special;
- ``?`` is any one character; ``\\x`` is a literal ``x``;
- ``[abc]``, ``[a-z]``, ``[!a]`` and ``[^a]`` are classes, ``]`` cannot be the first
  member, ``[!]`` matches any one character, and a class that is never closed makes
  the glob match nothing;
- matching is case-sensitive, and there are no ``{a,b}`` alternatives and no ``**``.
"""

from __future__ import annotations

import functools
import os
import re
from dataclasses import dataclass
from pathlib import Path

from kitchenctl.errors import InputFileError

CHEFIGNORE = "chefignore"

# Chef's test for a line that holds no glob: /^\s*(?:#.*)?$/ in Ruby, where \s is
# these six characters and '.' stops at a newline.
_COMMENT_OR_BLANK = re.compile(r"[ \t\r\n\f\v]*(?:#[^\n]*)?\n?")

# Ruby's String#strip: whitespace and NUL.
_RUBY_STRIP = " \t\r\n\f\v\0"

_NEVER = "(?!)"


@dataclass(frozen=True)
class Chefignore:
    """The globs of one chefignore file, or none when no file was found.

    ``path`` is the chefignore that was read, ``None`` when there is none.
    """

    path: Path | None
    globs: tuple[str, ...]

    def ignores(self, relative_path: str) -> bool:
        """Whether Chef leaves out ``relative_path`` (``/``-separated, from the top)."""
        return any(_compile(glob).fullmatch(relative_path) for glob in self.globs)


def load_chefignore(cookbook_dir: Path) -> Chefignore:
    """Find and read the chefignore that applies to the cookbook in ``cookbook_dir``.

    Raises InputFileError when the chefignore exists but cannot be read.
    """
    path = find_chefignore(cookbook_dir)
    if path is None or not path.is_file():
        # Chef reads nothing from a chefignore that is a folder, and stops looking.
        return Chefignore(path=path, globs=())

    try:
        text = path.read_bytes().decode("utf-8", errors="surrogateescape")
    except OSError as exc:
        raise InputFileError(
            f"{path}: cannot read chefignore: {exc.strerror}",
            hint="check the file's permissions",
        ) from exc
    return Chefignore(path=path, globs=parse_chefignore(text))


def find_chefignore(cookbook_dir: Path) -> Path | None:
    """The first ``chefignore`` in ``cookbook_dir`` or one of its parents, or None."""
    start = expand_path(cookbook_dir)
    for folder in (start, *start.parents):
        candidate = folder / CHEFIGNORE
        if folder.is_dir() and candidate.exists():
            return candidate
    return None


def expand_path(path: Path) -> Path:
    """Ruby's ``File.expand_path``: absolute, with ``..`` folded, as Chef sees paths."""
    # Path.resolve() would also follow symlinks, which Chef does not.
    return Path(os.path.abspath(path))  # noqa: PTH100


def parse_chefignore(text: str) -> tuple[str, ...]:
    """The globs in a chefignore's text, in file order, as Chef reads them."""
    # Ruby's File.foreach splits on "\n" only, keeping it; str.splitlines would also
    # split on \r, \v, \f and others.
    lines = text.split("\n")
    return tuple(
        line.strip(_RUBY_STRIP)
        for line in lines
        if not _COMMENT_OR_BLANK.fullmatch(line)
    )


def ruby_fnmatch(glob: str, path: str) -> bool:
    """Ruby's ``File.fnmatch?(glob, path)`` with no flags: the test chefignore uses."""
    return _compile(glob).fullmatch(path) is not None


@functools.lru_cache(maxsize=4096)
def _compile(glob: str) -> re.Pattern[str]:
    return re.compile(_translate(glob), re.DOTALL)


def _translate(glob: str) -> str:
    """A regular expression that matches exactly the paths Ruby's fnmatch matches."""
    # Without FNM_DOTMATCH a path that starts with '.' only matches a glob that starts
    # with a literal (possibly escaped) '.'.
    unescaped_first = glob[1:2] if glob.startswith("\\") else glob[:1]
    parts = [] if unescaped_first == "." else ["(?!\\.)"]

    index = 0
    while index < len(glob):
        char = glob[index]
        index += 1
        if char == "*":
            parts.append(".*")
        elif char == "?":
            parts.append(".")
        elif char == "[":
            regex, index = _translate_class(glob, index)
            parts.append(regex)
        elif char == "\\":
            # A trailing backslash ends the glob, as Ruby's matcher treats it.
            if index == len(glob):
                break
            parts.append(re.escape(glob[index]))
            index += 1
        else:
            parts.append(re.escape(char))
    return "".join(parts)


def _translate_class(glob: str, index: int) -> tuple[str, int]:
    """Translate the class that starts after the ``[`` at ``index - 1``.

    Returns the regex and the index after the closing ``]``. Follows Ruby's
    ``bracket()``: no special first ``]``, a reversed range matches its two ends only.
    """
    negated = glob[index : index + 1] in ("!", "^")
    if negated:
        index += 1

    members: list[str] = []
    while True:
        if index >= len(glob):
            return _NEVER, len(glob)
        if glob[index] == "]":
            break
        first, index = _class_char(glob, index)
        if first is None:
            return _NEVER, len(glob)
        if glob[index : index + 1] == "-" and glob[index + 1 : index + 2] not in (
            "]",
            "",
        ):
            last, index = _class_char(glob, index + 1)
            if last is None:
                return _NEVER, len(glob)
            members.append(_range(first, last))
        elif glob[index : index + 1] == "-" and index + 1 >= len(glob):
            return _NEVER, len(glob)
        else:
            members.append(re.escape(first))

    index += 1
    if not members:
        # "[]" matches nothing; "[!]" matches any one character.
        return (".", index) if negated else (_NEVER, index)
    return f"[{'^' if negated else ''}{''.join(members)}]", index


def _class_char(glob: str, index: int) -> tuple[str | None, int]:
    """One (possibly escaped) member character, or None when the glob ends first."""
    if glob[index] == "\\":
        index += 1
    if index >= len(glob):
        return None, index
    return glob[index], index + 1


def _range(first: str, last: str) -> str:
    if first <= last:
        return f"{re.escape(first)}-{re.escape(last)}"
    return f"{re.escape(first)}{re.escape(last)}"
