"""The Berksfile DSL, read without Ruby into a plain, frozen model.

:func:`load_berksfile` evaluates a Berksfile with kitchenctl's safe Ruby evaluator
(helper ``def``s, locals, constants, ``ENV``, ``if``/``unless`` all work) and returns a
:class:`Berksfile`:

- ``sources``: :class:`Source` in file order (type ``supermarket``, ``chef_server``,
  ``chef_repo`` or ``artifactory``; a URL given twice is kept once, at its first place);
- ``dependencies``: :class:`Dependency` in file order, each with its normalised
  constraint, its groups and its :class:`Location` (``path``, ``git`` or ``github``);
  ``metadata`` lines are dependencies with ``metadata=True`` and a path location;
- ``solver``: the :class:`Solver` line, if any (noted; kitchenctl has one resolver).

Berkshelf's errors map onto kitchenctl's: the same cookbook twice in one group is an
InputFileError naming both lines; :meth:`Berksfile.require_sources` raises Berkshelf's
"does not define any API sources" text when a command needs a source and there is none.
"""

from __future__ import annotations

import os
import posixpath
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

from kitchenctl.errors import InputFileError
from kitchenctl.ruby import Call, Receiver, Site, evaluate_file, symbol_or_string
from kitchenctl.versions import Constraint, VersionFormatError

DEFAULT_CONSTRAINT = ">= 0.0.0"
DEFAULT_GROUP = "default"
SOURCE_TYPES = ("supermarket", "chef_server", "chef_repo", "artifactory")
LOCATION_TYPES = ("path", "git", "github")
GIT_OPTIONS = ("branch", "tag", "ref", "rel")
COOKBOOK_OPTIONS = frozenset(
    {*LOCATION_TYPES, *GIT_OPTIONS, "group", "github_protocol", "protocol"}
)
GITHUB_URLS = {
    "https": "https://github.com/{}.git",
    "ssh": "git@github.com:{}.git",
    "git": "git://github.com/{}.git",
}
NO_SOURCES_MESSAGE = (
    "Your Berksfile does not define any API sources! You must define at least one "
    "source in order to download cookbooks. To add the default Berkshelf API server, "
    "add the following code to the top of your Berksfile: "
    "source 'https://supermarket.chef.io'"
)


@dataclass(frozen=True)
class Source:
    """A ``source`` line. ``url`` is ``None`` for ``source :chef_server`` (config).

    A ``chef_repo`` URL is a path as written, relative to the Berksfile's folder.
    ``options`` hold the other pairs of the line (``api_key:`` for Artifactory).
    """

    type: str
    url: str | None
    options: dict[str, object] = field(default_factory=dict)
    line: int = 0

    @property
    def is_default_supermarket(self) -> bool:
        """Berkshelf words its output differently for supermarket.chef.io."""
        return self.url is not None and "//supermarket.chef.io" in self.url


@dataclass(frozen=True)
class Location:
    """Where a dependency comes from when not from a source.

    ``type`` is ``path`` (``path`` relative to the Berksfile's folder, normalised as
    Berksfile.lock writes it: ``./a/../b`` is ``b``),
    ``git`` or ``github`` (``uri`` is the git URL; for GitHub, expanded from
    ``owner/repo``). ``branch``, ``tag``, ``ref`` and ``rel`` are as written; with
    none of branch/tag/ref Berkshelf checks out ``master``.
    """

    type: str
    path: str | None = None
    uri: str | None = None
    github: str | None = None
    branch: str | None = None
    tag: str | None = None
    ref: str | None = None
    rel: str | None = None


@dataclass(frozen=True)
class Dependency:
    """A ``cookbook`` (or ``metadata``) line.

    ``constraint`` is normalised as Semverse writes it (``= 2.7.0`` for a bare
    version, ``>= 0.0.0`` when none was given; ``constraint_given`` says which).
    """

    name: str
    constraint: str = DEFAULT_CONSTRAINT
    constraint_given: bool = False
    groups: tuple[str, ...] = (DEFAULT_GROUP,)
    location: Location | None = None
    metadata: bool = False
    line: int = 0


@dataclass(frozen=True)
class Solver:
    """A ``solver`` line: ``engine`` (ruby, gecode) and ``preferred``/``required``."""

    engine: str
    precedence: str = "preferred"


@dataclass(frozen=True)
class Berksfile:
    """A Berksfile as data; paths in it are relative to ``folder``."""

    path: Path
    sources: tuple[Source, ...] = ()
    dependencies: tuple[Dependency, ...] = ()
    solver: Solver | None = None

    @property
    def folder(self) -> Path:
        return self.path.parent

    def require_sources(self) -> tuple[Source, ...]:
        """The sources, or Berkshelf's NoAPISourcesDefined error when there are none."""
        if not self.sources:
            raise InputFileError(
                f"{self.path}: {NO_SOURCES_MESSAGE}",
                hint="add `source 'https://supermarket.chef.io'` at the top",
            )
        return self.sources

    def dependency(self, name: str) -> Dependency | None:
        return next((dep for dep in self.dependencies if dep.name == name), None)

    def in_groups(
        self, *, only: tuple[str, ...] = (), exclude: tuple[str, ...] = ()
    ) -> tuple[Dependency, ...]:
        """Dependencies filtered as ``--only`` / ``--except`` filter them."""
        return tuple(
            dep
            for dep in self.dependencies
            if (not only or set(dep.groups) & set(only))
            and not set(dep.groups) & set(exclude)
        )


def load_berksfile(path: Path) -> Berksfile:
    """Read the Berksfile at ``path`` without running Ruby.

    ``ENV`` in the file sees the process environment. Raises RubyEvalError for Ruby
    outside the subset and InputFileError for Berkshelf's errors (duplicate entries,
    bad constraints, unknown options); both name ``file:line:column``.
    """
    reader = BerksfileReader(path)
    evaluate_file(path, reader, environment=os.environ)
    return reader.build()


def normalise_constraint(text: str) -> str | None:
    """Semverse's spelling: ``2.7.0`` → ``= 2.7.0``; ``None`` when it is invalid."""
    try:
        return str(Constraint.parse(text))
    except VersionFormatError:
        return None


class BerksfileReader(Receiver):
    """The Berksfile DSL (Berkshelf 7/8 ``Berkshelf::Berksfile``)."""

    dsl_methods: ClassVar[frozenset[str]] = frozenset(
        {"source", "metadata", "cookbook", "group", "solver", "extension", "site"}
    )
    file_kind: ClassVar[str] = "a Berksfile"

    def __init__(self, path: Path) -> None:
        self.path = path
        self.sources: dict[str, Source] = {}
        self.dependencies: dict[str, tuple[Dependency, Site]] = {}
        self.active_groups: tuple[str, ...] = ()
        self.solver: Solver | None = None

    def build(self) -> Berksfile:
        return Berksfile(
            path=self.path,
            sources=tuple(self.sources.values()),
            dependencies=tuple(dep for dep, _ in self.dependencies.values()),
            solver=self.solver,
        )

    # source

    def dsl_source(self, call: Call) -> object:
        source = self._source(call)
        key = source.url if source.url is not None else source.type
        self.sources[key] = source
        return None

    def _source(self, call: Call) -> Source:
        options = call.options()
        if len(call.args) == 1 and isinstance(call.args[0], str):
            return Source("supermarket", call.args[0], options, call.site.line)
        if len(call.args) == 1 and symbol_or_string(call.args[0]) == "chef_server":
            url = options.pop("url", None)
            return Source("chef_server", _text_or_none(url), options, call.site.line)
        if not call.args and options:
            source_type, url = next(iter(options.items()))
            if source_type in SOURCE_TYPES:
                del options[source_type]
                return Source(source_type, _text_or_none(url), options, call.site.line)
        raise call.error(
            "a source is a URL, :chef_server, or one of "
            + ", ".join(f"{kind}: URL" for kind in SOURCE_TYPES),
            hint="for example: source 'https://supermarket.chef.io'",
        )

    # cookbook and metadata

    def dsl_cookbook(self, call: Call) -> object:
        name, constraint = self._name_and_constraint(call)
        options = call.options()
        unknown = sorted(set(options) - COOKBOOK_OPTIONS)
        if unknown:
            raise call.error(
                f"unknown option {', '.join(f'{o}:' for o in unknown)} "
                f"for cookbook '{name}'",
                hint="cookbook options are path:, git:, github:, branch:, tag:, "
                "ref:, rel: and group:",
            )
        dependency = Dependency(
            name=name,
            constraint=constraint or DEFAULT_CONSTRAINT,
            constraint_given=constraint is not None,
            groups=self._groups(call, options.get("group")),
            location=self._location(call, options),
            line=call.site.line,
        )
        self._add(dependency, call)
        return None

    def dsl_metadata(self, call: Call) -> object:
        from kitchenctl.metadata import load_metadata

        relative = call.options().get("path", ".")
        if not isinstance(relative, str):
            raise call.error("metadata path: must be a string")
        folder = self.path.parent / relative
        try:
            cookbook = load_metadata(folder)
        except InputFileError as error:
            raise call.error(
                f"`metadata` reads the cookbook in {folder}: {error.message}"
            ) from error
        dependency = Dependency(
            name=cookbook.name,
            groups=self._groups(call, None),
            location=Location("path", path=posixpath.normpath(relative)),
            metadata=True,
            line=call.site.line,
        )
        self._add(dependency, call)
        return None

    def _name_and_constraint(self, call: Call) -> tuple[str, str | None]:
        if not 1 <= len(call.args) <= 2 or not isinstance(call.args[0], str):
            raise call.error("cookbook takes a name and an optional version constraint")
        name = call.args[0]
        if len(call.args) == 1 or call.args[1] is None:
            return name, None
        raw = call.args[1]
        constraint = normalise_constraint(raw) if isinstance(raw, str) else None
        if constraint is None:
            raise call.error(
                f"'{raw}' did not contain a valid operator or a valid version string.",
                hint="write a constraint such as '~> 2.7' or '>= 1.0.0'",
            )
        return name, constraint

    def _groups(self, call: Call, given: object) -> tuple[str, ...]:
        listed = given if isinstance(given, list) else [] if given is None else [given]
        names = [symbol_or_string(group) for group in listed]
        if any(name is None for name in names):
            raise call.error("group: takes a symbol, a string or a list of them")
        groups = [name for name in names if name is not None]
        groups += [g for g in self.active_groups if g not in groups]
        return tuple(groups) or (DEFAULT_GROUP,)

    def _location(self, call: Call, options: dict[str, object]) -> Location | None:
        kind = next((key for key in options if key in LOCATION_TYPES), None)
        if kind is None:
            stray = [key for key in GIT_OPTIONS if key in options]
            if stray:
                raise call.error(f"{stray[0]}: needs git: or github:")
            return None
        strings = {key: _option_text(call, options, key) for key in options}
        if kind == "path":
            return Location("path", path=posixpath.normpath(strings["path"] or "."))
        git_options = {key: strings.get(key) for key in GIT_OPTIONS}
        if kind == "git":
            return Location("git", uri=strings["git"], **git_options)
        protocol = strings.get("github_protocol") or strings.get("protocol") or "https"
        if protocol not in GITHUB_URLS:
            raise call.error(f"unknown GitHub protocol '{protocol}' (https, ssh, git)")
        repository = strings["github"] or ""
        uri = GITHUB_URLS[protocol].format(repository)
        return Location("github", uri=uri, github=repository, **git_options)

    def _add(self, dependency: Dependency, call: Call) -> None:
        """Berkshelf: a name twice in overlapping groups is an error, else replaced."""
        existing = self.dependencies.get(dependency.name)
        if existing is not None and set(existing[0].groups) & set(dependency.groups):
            raise call.error(
                f"Your Berksfile contains multiple entries named '{dependency.name}'. "
                "Please remove duplicate dependencies, or put them in different "
                f"groups. (first at line {existing[1].line})"
            )
        self.dependencies.pop(dependency.name, None)
        self.dependencies[dependency.name] = (dependency, call.site)

    # group, solver, and what kitchenctl refuses

    def dsl_group(self, call: Call) -> object:
        names = [symbol_or_string(arg) for arg in call.args]
        if not names or any(name is None for name in names) or call.block is None:
            raise call.error("group takes group names and a do ... end block")
        outer = self.active_groups
        self.active_groups = tuple(name for name in names if name is not None)
        try:
            call.block()
        finally:
            self.active_groups = outer
        return None

    def dsl_solver(self, call: Call) -> object:
        engine = symbol_or_string(call.args[0]) if call.args else None
        precedence = symbol_or_string(call.args[1]) if len(call.args) > 1 else None
        if engine is None or precedence not in (None, "preferred", "required"):
            raise call.error("solver takes an engine and :preferred or :required")
        self.solver = Solver(engine, precedence or "preferred")
        return None

    def dsl_extension(self, call: Call) -> object:
        raise call.error(
            "Berkshelf extensions (plugins) are not supported by kitchenctl",
            hint="use a git: or path: location instead",
        )

    def dsl_site(self, call: Call) -> object:
        raise call.error(
            "Your Berksfile contains a site location. Site locations have been "
            "replaced by the source location.",
            hint="change it to: source 'https://supermarket.chef.io'",
        )


def _text_or_none(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _option_text(call: Call, options: dict[str, object], key: str) -> str | None:
    value = options.get(key)
    if key == "group" or value is None:
        return None
    text = symbol_or_string(value)
    if text is None:
        raise call.error(f"{key}: must be a string")
    return text
