"""Berksfile.lock: read and write Berkshelf's lockfile format, byte for byte.

The format (berkshelf.md §5)::

    DEPENDENCIES
      apt (~> 2.7)                 a Berksfile dependency; constraint left out when it
      aps                          is ">= 0.0.0" or the dependency has a location
        path: .                    location options, in Berkshelf's order
        metadata: true

    GRAPH
      apt (2.7.0)                  every resolved cookbook and its locked version
        compat_resource (>= 0.0.0) its metadata dependencies, constraints as written

Both sections are sorted by name; a blank line separates them; the file ends with a
newline. kitchenctl keeps a pre-release version whole (Berkshelf's parser drops the part
after ``-``), and keeps constraint text as written so a file read and written back is
identical.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import NoReturn

from kitchenctl.errors import InputFileError, LockfileError
from kitchenctl.fileutil import write_atomic
from kitchenctl.versions import Version, VersionFormatError

# Berkshelf writes location options in this order (locations/git.rb, path.rb).
OPTION_ORDER = ("path", "metadata", "git", "revision", "ref", "branch", "tag", "rel")

_ENTRY = re.compile(r"  (?P<name>[^\s(]+)(?: \((?P<text>[^)]*)\))?")
_NESTED = re.compile(r"    (?P<name>[^\s(:]+)(?: \((?P<text>[^)]*)\))?")
_OPTION = re.compile(r"    (?P<key>[a-z_]+): (?P<value>.*)")


@dataclass(frozen=True)
class LockedDependency:
    """A DEPENDENCIES entry: a cookbook the Berksfile asks for, and where from."""

    name: str
    constraint: str | None = None
    options: tuple[tuple[str, str], ...] = ()

    def option(self, key: str) -> str | None:
        return dict(self.options).get(key)

    @property
    def location(self) -> Mapping[str, str]:
        return dict(self.options)


@dataclass(frozen=True)
class LockedCookbook:
    """A GRAPH entry: a resolved cookbook, its version, and its own dependencies."""

    name: str
    version: Version
    dependencies: tuple[tuple[str, str], ...] = ()

    @property
    def dependency_names(self) -> frozenset[str]:
        return frozenset(name for name, _ in self.dependencies)


@dataclass(frozen=True)
class Lockfile:
    """The whole lockfile; ``render()`` gives the text Berkshelf would write."""

    dependencies: tuple[LockedDependency, ...] = ()
    graph: tuple[LockedCookbook, ...] = ()
    _by_name: dict[str, LockedCookbook] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_name", {item.name: item for item in self.graph})

    def locked(self, name: str) -> LockedCookbook | None:
        return self._by_name.get(name)

    def dependency(self, name: str) -> LockedDependency | None:
        return next((item for item in self.dependencies if item.name == name), None)

    @property
    def versions(self) -> dict[str, Version]:
        return {item.name: item.version for item in self.graph}

    def render(self) -> str:
        return "".join(_render_lines(self))

    def dependencies_first(
        self, names: list[str] | None = None
    ) -> list[LockedCookbook]:
        """GRAPH entries reachable from ``names`` (default: every DEPENDENCIES entry),
        each after the cookbooks it depends on; cycles are broken, duplicates dropped.
        """
        roots = names if names is not None else [dep.name for dep in self.dependencies]
        ordered: list[LockedCookbook] = []
        seen: set[str] = set()
        for root in roots:
            self._visit(root, seen, ordered)
        return ordered

    def _visit(self, name: str, seen: set[str], ordered: list[LockedCookbook]) -> None:
        if name in seen:
            return
        seen.add(name)
        entry = self._by_name.get(name)
        if entry is None:
            return
        for dependency, _ in entry.dependencies:
            self._visit(dependency, seen, ordered)
        ordered.append(entry)


def _render_lines(lockfile: Lockfile) -> Iterator[str]:
    yield "DEPENDENCIES\n"
    for dependency in sorted(lockfile.dependencies, key=lambda item: item.name):
        yield f"  {_with_text(dependency.name, dependency.constraint)}\n"
        for key, value in dependency.options:
            yield f"    {key}: {value}\n"
    yield "\nGRAPH\n"
    for cookbook in sorted(lockfile.graph, key=lambda item: item.name):
        yield f"  {cookbook.name} ({cookbook.version})\n"
        for name, constraint in sorted(cookbook.dependencies):
            yield f"    {_with_text(name, constraint)}\n"


def _with_text(name: str, text: str | None) -> str:
    return f"{name} ({text})" if text is not None else name


def lockfile_path(berksfile: Path) -> Path:
    """The lockfile named after the Berksfile: Berksfile.prod -> Berksfile.prod.lock."""
    return berksfile.with_name(berksfile.name + ".lock")


def read_lockfile(path: Path) -> Lockfile | None:
    """The lockfile at ``path``, or None when there is none.

    Raises InputFileError for a malformed file (naming file:line) and LockfileError for
    a Berkshelf 2 JSON lockfile.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise InputFileError(f"cannot read {path}: {exc.strerror}") from exc
    except UnicodeDecodeError as exc:
        line = text_line_of(path, exc.start)
        raise InputFileError(
            f"{path}:{line}: not a Berksfile.lock (not UTF-8 text)",
            hint="delete it and run `kitchenctl deps install` to write a new one",
        ) from exc
    return parse_lockfile(text, source=str(path))


def text_line_of(path: Path, offset: int) -> int:
    """The 1-based line holding byte ``offset`` of ``path``, for error messages."""
    return path.read_bytes()[:offset].count(b"\n") + 1


def parse_lockfile(text: str, *, source: str = "Berksfile.lock") -> Lockfile:
    """Parse lockfile text; ``source`` names the file in error messages."""
    if text.lstrip().startswith("{"):
        raise LockfileError(
            f"{source} is a Berkshelf 2 (JSON) lockfile, which kitchenctl cannot read",
            hint="delete it and run `kitchenctl deps install` to write a new one",
        )
    parser = _Parser(source)
    for number, line in enumerate(re.split(r"\r?\n", text), start=1):
        if line.strip():
            parser.feed(number, line)
    return Lockfile(tuple(parser.dependencies), tuple(parser.graph))


def write_lockfile(path: Path, lockfile: Lockfile) -> bool:
    """Write ``lockfile`` atomically; as Berkshelf, nothing is written when it has no
    DEPENDENCIES. Returns whether the file was written.
    """
    if not lockfile.dependencies:
        return False
    write_atomic(path, lockfile.render())
    return True


class _Parser:
    """A line-by-line reader that remembers the section and the entry it is inside."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.section: str | None = None
        self.dependencies: list[LockedDependency] = []
        self.graph: list[LockedCookbook] = []

    def feed(self, number: int, line: str) -> None:
        if line in ("DEPENDENCIES", "GRAPH"):
            self.section = line
        elif self.section == "DEPENDENCIES":
            self._dependency_line(number, line)
        elif self.section == "GRAPH":
            self._graph_line(number, line)
        else:
            self._fail(number, "expected DEPENDENCIES or GRAPH")

    def _dependency_line(self, number: int, line: str) -> None:
        entry = _ENTRY.fullmatch(line)
        if entry:
            self.dependencies.append(LockedDependency(entry["name"], entry["text"]))
            return
        option = _OPTION.fullmatch(line)
        if option is None or not self.dependencies:
            self._fail(number, "expected '  NAME' or '    key: value'")
        last = self.dependencies[-1]
        pair = (option["key"], option["value"])
        self.dependencies[-1] = LockedDependency(
            last.name, last.constraint, (*last.options, pair)
        )

    def _graph_line(self, number: int, line: str) -> None:
        entry = _ENTRY.fullmatch(line)
        if entry:
            self.graph.append(
                LockedCookbook(entry["name"], self._version(number, entry["text"]))
            )
            return
        nested = _NESTED.fullmatch(line)
        if nested is None or not self.graph:
            self._fail(number, "expected '  NAME (VERSION)' or '    NAME (CONSTRAINT)'")
        last = self.graph[-1]
        pair = (nested["name"], nested["text"] or ">= 0.0.0")
        self.graph[-1] = LockedCookbook(
            last.name, last.version, (*last.dependencies, pair)
        )

    def _version(self, number: int, text: str | None) -> Version:
        if text is None:
            self._fail(number, "a GRAPH entry needs its locked version")
        try:
            return Version.parse(text)
        except VersionFormatError:
            self._fail(number, f"'{text}' is not a version")

    def _fail(self, number: int, what: str) -> NoReturn:
        raise InputFileError(
            f"{self.source}:{number}: not a Berksfile.lock line ({what})",
            hint="fix the line, or delete it and run `kitchenctl deps install`",
        )
