"""``kitchenctl deps``: resolve, lock, fetch and vendor cookbook dependencies.

The pipeline of ``install`` (berkshelf.md §2, §5.3, §6.1):

1. read the project (a Berksfile, or a cookbook's metadata.rb with the default source);
2. ``reduce``: drop lockfile entries the Berksfile no longer has, refuse a lock that a
   changed constraint rejects (OutdatedDependency);
3. fetch ``path:`` and ``git:`` locations (a locked git revision is reused);
4. if the lockfile is *trusted*, install from it without resolving; otherwise fetch
   every source's universe, merge them in Berksfile order and resolve, locks pinned;
5. download what the store lacks, in parallel; write the lockfile atomically.

Library code: no printing. Progress goes to an ``InstallReporter`` the CLI renders.
"""

from __future__ import annotations

import functools
import importlib
import os
import shutil
import tarfile
import tempfile
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Protocol

from kitchenctl.cookbook_store import CookbookStore
from kitchenctl.errors import (
    InputFileError,
    KitchenctlError,
    LockfileError,
    UsageError,
)
from kitchenctl.lockfile import (
    LockedCookbook,
    LockedDependency,
    Lockfile,
    lockfile_path,
    read_lockfile,
    write_lockfile,
)
from kitchenctl.resolver import Demand, Resolver
from kitchenctl.sources import (
    DEFAULT_SUPERMARKET,
    ChefRepoSource,
    ChefServerSource,
    Source,
    SupermarketSource,
    fetch_git,
    read_local_cookbook,
)
from kitchenctl.universe import CookbookVersion, Universe, parse_constraint
from kitchenctl.versions import ANY, Constraint, Version

DEFAULT_GROUP = "default"


class OutdatedDependency(LockfileError):
    """A Berksfile constraint rejects the locked version (Berkshelf's 128)."""


# The project: what the Berksfile (or metadata.rb) asks for.


@dataclass(frozen=True)
class Location:
    """Where one cookbook comes from instead of the sources: a folder or git."""

    type: str  # "path" or "git"
    path: str | None = None
    uri: str | None = None
    branch: str | None = None
    tag: str | None = None
    ref: str | None = None
    rel: str | None = None

    def describe(self, revision: str | None = None) -> str:
        """Berkshelf's wording: ``source at kitchen/x`` or ``URL (at master)``."""
        if self.type == "path":
            return f"source at {self.path}"
        at = self.tag or (self.ref[:7] if self.ref else None) or self.branch
        at = at or (revision[:7] if revision else "HEAD")
        if self.rel:
            at = f"{at}/{self.rel}"
        return f"{self.uri} (at {at})"


@dataclass(frozen=True)
class Requirement:
    """One ``cookbook`` (or ``metadata``) line of the Berksfile."""

    name: str
    constraint: Constraint = ANY
    groups: tuple[str, ...] = (DEFAULT_GROUP,)
    location: Location | None = None
    metadata: bool = False


@dataclass(frozen=True)
class Project:
    """A Berksfile (or a lone cookbook), its sources and its requirements."""

    berksfile: Path
    sources: tuple[Source, ...]
    requirements: tuple[Requirement, ...]

    @property
    def folder(self) -> Path:
        return self.berksfile.parent

    @property
    def lockfile(self) -> Path:
        return lockfile_path(self.berksfile)

    def only(self, only: Sequence[str] = (), exclude: Sequence[str] = ()) -> Project:
        """The project filtered by --only / --except groups."""
        if only and exclude:
            raise UsageError("--only and --except cannot be used together")
        kept = tuple(
            requirement
            for requirement in self.requirements
            if (not only or set(requirement.groups) & set(only))
            and not set(requirement.groups) & set(exclude)
        )
        return replace(self, requirements=kept)


def load_project(berksfile: Path, *, default_source: str | None = None) -> Project:
    """The project at ``berksfile``; a cookbook without one resolves from its
    metadata.rb and ``default_source`` (Supermarket unless configured).
    """
    if berksfile.is_file():
        return _from_berksfile(berksfile)
    folder = berksfile.parent
    if (folder / "metadata.rb").is_file() or (folder / "metadata.json").is_file():
        cookbook = read_local_cookbook(folder, location_type="path")
        source = SupermarketSource(default_source or DEFAULT_SUPERMARKET)
        requirement = Requirement(
            cookbook.name, location=Location("path", path="."), metadata=True
        )
        return Project(berksfile, (source,), (requirement,))
    raise InputFileError(
        f"No Berksfile or Berksfile.lock found at '{folder}'!",
        hint="run in a cookbook or a folder with a Berksfile, or pass -b PATH",
    )


def _from_berksfile(path: Path) -> Project:
    """Read a Berksfile with kitchenctl.berksfile (the safe evaluator's DSL)."""
    try:
        module: Any = importlib.import_module("kitchenctl.berksfile")
    except ImportError as exc:
        raise UsageError(
            f"{path}: this kitchenctl cannot read Berksfiles yet",
            hint="run in a cookbook folder without a Berksfile to resolve metadata.rb",
        ) from exc
    berksfile = module.load_berksfile(path)
    sources = tuple(
        _source(source, path.parent) for source in berksfile.require_sources()
    )
    requirements = tuple(
        _requirement(dependency) for dependency in berksfile.dependencies
    )
    return Project(path, sources, requirements)


def _source(source: Any, folder: Path) -> Source:
    if source.type == "supermarket":
        return SupermarketSource(source.url)
    if source.type == "chef_repo":
        return ChefRepoSource(str((folder / source.url).resolve()))
    if source.type == "chef_server":
        return ChefServerSource(source.url)
    raise UsageError(
        f"source type '{source.type}' is not supported by kitchenctl deps yet",
        hint="use a Supermarket URL, :chef_server or chef_repo: for now",
    )


def _requirement(dependency: Any) -> Requirement:
    location = None
    if dependency.location is not None:
        given = dependency.location
        kind = "path" if given.type == "path" else "git"
        location = Location(
            kind, given.path, given.uri, given.branch, given.tag, given.ref, given.rel
        )
    return Requirement(
        dependency.name,
        parse_constraint(dependency.constraint),
        tuple(dependency.groups),
        location,
        bool(dependency.metadata),
    )


# What install reports and returns.


class InstallReporter(Protocol):
    """Hooks the CLI implements to show progress."""

    def resolving(self) -> None: ...

    def fetching_location(self, name: str, where: str) -> None: ...

    def fetching_universe(self, url: str) -> None: ...

    def universe_failed(self, url: str, error: KitchenctlError) -> None: ...

    def downloads_started(self, total: int) -> None: ...

    def installed(self, cookbook: InstalledCookbook) -> None: ...


class SilentReporter:
    """The reporter used when nobody is watching."""

    def resolving(self) -> None:
        return None

    def fetching_location(self, name: str, where: str) -> None:
        return None

    def fetching_universe(self, url: str) -> None:
        return None

    def universe_failed(self, url: str, error: KitchenctlError) -> None:
        return None

    def downloads_started(self, total: int) -> None:
        return None

    def installed(self, cookbook: InstalledCookbook) -> None:
        return None


@dataclass(frozen=True)
class InstalledCookbook:
    """One cookbook of the answer: where it lives and what install did with it."""

    name: str
    version: Version
    path: Path
    action: str  # "Installing" or "Using"
    origin: str = ""  # "" for the default Supermarket, else Berkshelf's suffix

    @property
    def line(self) -> str:
        text = f"{self.action} {self.name} ({self.version})"
        return f"{text} from {self.origin}" if self.origin else text


@dataclass(frozen=True)
class InstallResult:
    lockfile: Lockfile
    cookbooks: tuple[InstalledCookbook, ...]
    resolved: bool
    changes: tuple[tuple[str, str | None, str | None], ...] = ()


@dataclass
class _Fetched:
    """Cookbooks whose location (path, git) was fetched, with git revisions."""

    cookbooks: dict[str, CookbookVersion] = field(default_factory=dict)
    revisions: dict[str, str] = field(default_factory=dict)


# install / update


def install(
    project: Project,
    store: CookbookStore,
    *,
    dry_run: bool = False,
    unlock: Iterable[str] = (),
    conservative: bool = False,
    reporter: InstallReporter | None = None,
) -> InstallResult:
    """Resolve (unless the lockfile is trusted), download, and write the lockfile.

    ``unlock`` names cookbooks whose locks are dropped (``update``); with
    ``conservative`` the other locks are kept where possible rather than pinned.
    """
    reporter = reporter or SilentReporter()
    previous = read_lockfile(project.lockfile)
    lock = reduce_lockfile(previous, project) if previous else None
    unlocked = set(unlock)
    if lock and unlocked:
        lock = _without(lock, unlocked)

    reporter.resolving()
    with store.lock():
        fetched = _fetch_locations(project, store, lock, reporter)
        if lock and not unlocked and is_trusted(lock, project, fetched):
            chosen = _chosen_from_lock(lock, fetched)
            resolved = False
        else:
            universe = _universe(project, store, fetched, reporter)
            locked = _pins(lock, fetched)
            demands = [Demand(r.name, r.constraint) for r in project.requirements]
            resolver = Resolver(universe, locked, conservative=conservative)
            chosen = dict(resolver.resolve(demands).chosen)
            resolved = True
        new_lock = _lockfile_for(
            project, chosen, fetched, lock if not resolved else None
        )
        cookbooks = _install_all(project, store, chosen, fetched, dry_run, reporter)
        if not dry_run:
            write_lockfile(project.lockfile, new_lock)
    return InstallResult(new_lock, cookbooks, resolved, _changes(previous, new_lock))


def _pins(lock: Lockfile | None, fetched: _Fetched) -> dict[str, Version]:
    """The locked versions resolution must keep.

    A cookbook from a path or git location is not pinned: its version is whatever the
    location holds now, so bumping metadata.rb and installing again just works.
    """
    if lock is None:
        return {}
    return {
        name: version
        for name, version in lock.versions.items()
        if name not in fetched.cookbooks
    }


def update(
    project: Project,
    store: CookbookStore,
    names: Sequence[str] = (),
    *,
    reporter: InstallReporter | None = None,
) -> InstallResult:
    """Move ``names`` (every cookbook when empty) to the newest allowed versions.

    Unlike Berkshelf, only what must move with NAME moves: the other locks are kept
    as preferences (a conservative resolution), not dropped with NAME's dependencies.
    """
    lock = read_lockfile(project.lockfile)
    if lock is None:
        raise LockfileError(
            f"Lockfile not found! {project.lockfile} does not exist",
            hint="run `kitchenctl deps install` to create the lockfile",
        )
    unknown = [name for name in names if lock.locked(name) is None]
    if unknown:
        raise InputFileError(
            f"Dependency '{unknown[0]}' was not found. Please make sure it is in your "
            "Berksfile, and then run `kitchenctl deps install` to download and install "
            "the missing dependencies."
        )
    unlock = names or [item.name for item in lock.graph]
    return install(
        project, store, unlock=unlock, conservative=bool(names), reporter=reporter
    )


def reduce_lockfile(lock: Lockfile, project: Project) -> Lockfile:
    """Berkshelf's ``reduce!``: drop what the Berksfile no longer has, refuse a lock
    a changed constraint rejects, and drop GRAPH entries nothing reaches any more.
    """
    wanted = {requirement.name: requirement for requirement in project.requirements}
    for requirement in project.requirements:
        locked = lock.locked(requirement.name)
        if locked and not requirement.constraint.satisfies(locked.version):
            raise OutdatedDependency(_outdated_text(requirement, locked))
    dependencies = tuple(d for d in lock.dependencies if d.name in wanted)
    kept = Lockfile(dependencies, lock.graph)
    reachable = {item.name for item in kept.dependencies_first(list(wanted))}
    return Lockfile(dependencies, tuple(g for g in lock.graph if g.name in reachable))


def _outdated_text(requirement: Requirement, locked: LockedCookbook) -> str:
    name, constraint = requirement.name, requirement.constraint
    return (
        f"Berkshelf could not find compatible versions for cookbook '{name}':\n"
        f"  In Berksfile:\n    {name} ({constraint})\n\n"
        f"  In Berksfile.lock:\n    {name} ({locked.version})\n\n"
        f"Try running `kitchenctl deps update {name}`, which will try to find "
        f"'{name}' matching '{constraint}'."
    )


def _without(lock: Lockfile, names: set[str]) -> Lockfile:
    return Lockfile(
        lock.dependencies, tuple(g for g in lock.graph if g.name not in names)
    )


def is_trusted(
    lock: Lockfile, project: Project, fetched: _Fetched | None = None
) -> bool:
    """Berkshelf's trusted-lockfile rule (§5.3): install from the lock, no solving."""
    for requirement in project.requirements:
        locked = lock.locked(requirement.name)
        entry = lock.dependency(requirement.name)
        if locked is None or entry is None:
            return False
        if not requirement.constraint.satisfies(locked.version):
            return False
        if _location_options(requirement, project, None) != _location_only(entry):
            return False
        local = fetched.cookbooks.get(requirement.name) if fetched else None
        if local is not None and (
            local.version != locked.version
            or not {name for name, _ in local.dependencies} <= locked.dependency_names
        ):
            return False
    return _graph_consistent(lock)


def _graph_consistent(lock: Lockfile) -> bool:
    for entry in lock.graph:
        for name, text in entry.dependencies:
            target = lock.locked(name)
            if target is None or not parse_constraint(text).satisfies(target.version):
                return False
    return True


def _location_only(entry: LockedDependency) -> tuple[tuple[str, str], ...]:
    """The options that say where a cookbook comes from (not the revision)."""
    return tuple((k, v) for k, v in entry.options if k not in ("revision", "ref"))


# Locations, universes and the store.


def _fetch_locations(
    project: Project,
    store: CookbookStore,
    lock: Lockfile | None,
    reporter: InstallReporter,
) -> _Fetched:
    fetched = _Fetched()
    for requirement in project.requirements:
        location = requirement.location
        if location is None:
            continue
        reporter.fetching_location(requirement.name, location.describe())
        if location.type == "path":
            folder = (project.folder / (location.path or ".")).resolve()
            cookbook = read_local_cookbook(folder, location_type="path")
        else:
            revision = _locked_revision(requirement, project, lock)
            checkout = fetch_git(
                store,
                location.uri or "",
                name=requirement.name,
                branch=location.branch,
                tag=location.tag,
                ref=location.ref,
                rel=location.rel,
                revision=revision,
            )
            cookbook = checkout.cookbook
            fetched.revisions[requirement.name] = checkout.revision
        _check_location(requirement, cookbook)
        fetched.cookbooks[requirement.name] = cookbook
    return fetched


def _locked_revision(
    requirement: Requirement, project: Project, lock: Lockfile | None
) -> str | None:
    entry = lock.dependency(requirement.name) if lock else None
    if entry is None:
        return None
    if _location_only(entry) != _location_options(requirement, project, None):
        return None
    return entry.option("revision")


def _check_location(requirement: Requirement, cookbook: CookbookVersion) -> None:
    if cookbook.name != requirement.name:
        raise InputFileError(
            f"The cookbook at {cookbook.location_path} is named '{cookbook.name}', "
            f"but the Berksfile calls it '{requirement.name}'",
            hint="make the Berksfile name match the cookbook's metadata name",
        )
    if not requirement.constraint.satisfies(cookbook.version):
        raise InputFileError(
            f"The cookbook downloaded for {requirement.name} "
            f"({requirement.constraint}) did not satisfy the constraint."
        )


def _universe(
    project: Project, store: CookbookStore, fetched: _Fetched, reporter: InstallReporter
) -> Universe:
    """Every source's universe, fetched in parallel, merged in Berksfile order.

    As in Berkshelf, a source that fails is only a warning while another answers;
    when every source fails, the first error is raised.
    """
    for source in project.sources:
        reporter.fetching_universe(source.url)
    with ThreadPoolExecutor(max_workers=max(1, len(project.sources))) as pool:
        answers = list(
            pool.map(lambda source: _try_universe(source, store), project.sources)
        )
    failures = [a for a in answers if isinstance(a, KitchenctlError)]
    if failures and len(failures) == len(answers):
        raise failures[0]
    for source, answer in zip(project.sources, answers, strict=True):
        if isinstance(answer, KitchenctlError):
            reporter.universe_failed(source.url, answer)
    universes = [a for a in answers if isinstance(a, Universe)]
    merged = Universe()
    for cookbook in fetched.cookbooks.values():
        merged.add(cookbook, override=True)
    for universe in universes:
        for name, versions in universe.cookbooks.items():
            if name not in fetched.cookbooks:
                for cookbook in versions.values():
                    merged.add(cookbook)
    return merged


def _try_universe(source: Source, store: CookbookStore) -> Universe | KitchenctlError:
    try:
        return source.universe(store)
    except KitchenctlError as error:
        return error


def _chosen_from_lock(lock: Lockfile, fetched: _Fetched) -> dict[str, CookbookVersion]:
    """The lock's GRAPH as universe entries (for installing without resolving)."""
    chosen = {}
    for entry in lock.graph:
        local = fetched.cookbooks.get(entry.name)
        chosen[entry.name] = local or CookbookVersion(
            entry.name,
            entry.version,
            tuple((name, parse_constraint(text)) for name, text in entry.dependencies),
        )
    return chosen


def _install_all(
    project: Project,
    store: CookbookStore,
    chosen: Mapping[str, CookbookVersion],
    fetched: _Fetched,
    dry_run: bool,
    reporter: InstallReporter,
) -> tuple[InstalledCookbook, ...]:
    """Download what the store lacks (in parallel), report every cookbook."""
    missing = [
        cookbook
        for name, cookbook in sorted(chosen.items())
        if name not in fetched.cookbooks
        and not cookbook.is_local
        and not store.has(name, str(cookbook.version))
    ]
    if missing and not dry_run and any(not c.source for c in missing):
        missing = _with_download_sources(project, store, missing)
    reporter.downloads_started(0 if dry_run else len(missing))
    results: dict[str, InstalledCookbook] = {}
    if missing and not dry_run:
        workers = min(8, max(2, (os.cpu_count() or 2) - 1))
        with ThreadPoolExecutor(max_workers=workers) as pool:
            for cookbook, path in zip(
                missing,
                pool.map(lambda c: _download(project, store, c), missing),
                strict=True,
            ):
                installed = InstalledCookbook(
                    cookbook.name,
                    cookbook.version,
                    path,
                    "Installing",
                    _origin(project, cookbook),
                )
                results[cookbook.name] = installed
                reporter.installed(installed)
    missing_names = {cookbook.name for cookbook in missing}
    for name, cookbook in sorted(chosen.items()):
        if name in results:
            continue
        action = "Installing" if name in missing_names else "Using"
        installed = InstalledCookbook(
            name,
            cookbook.version,
            _path_of(store, cookbook, fetched),
            action,
            _origin(project, cookbook, fetched),
        )
        results[name] = installed
        if name not in missing_names:
            reporter.installed(installed)
    return tuple(results[name] for name in sorted(results))


def _with_download_sources(
    project: Project, store: CookbookStore, missing: list[CookbookVersion]
) -> list[CookbookVersion]:
    """Cookbooks from a trusted lock: find each in the sources' universes."""
    merged = Universe()
    for source in project.sources:
        merged.merge(source.universe(store))
    found = []
    for cookbook in missing:
        offered = merged.get(cookbook.name, cookbook.version)
        if offered is None:
            raise LockfileError(
                f"Cookbook '{cookbook.name}' ({cookbook.version}) not found in any of "
                "the sources! This can happen if the remote cookbook has been deleted "
                "or if the sources inside the Berksfile have changed. Please run "
                f"`kitchenctl deps update {cookbook.name}` to resolve to a valid "
                "version."
            )
        found.append(offered)
    return found


def _download(
    project: Project, store: CookbookStore, cookbook: CookbookVersion
) -> Path:
    for source in project.sources:
        if source.url == cookbook.source:
            return source.download(cookbook, store)
    return project.sources[0].download(cookbook, store)


def _path_of(
    store: CookbookStore, cookbook: CookbookVersion, fetched: _Fetched
) -> Path:
    if cookbook.is_local:
        return Path(cookbook.location_path)
    return store.path(cookbook.name, str(cookbook.version))


def _origin(
    project: Project, cookbook: CookbookVersion, fetched: _Fetched | None = None
) -> str:
    """Berkshelf's suffix: nothing for the default Supermarket, else where from."""
    requirement = next(
        (r for r in project.requirements if r.name == cookbook.name), None
    )
    if requirement and requirement.location:
        revision = fetched.revisions.get(cookbook.name) if fetched else None
        return requirement.location.describe(revision)
    if cookbook.location_type == "chef_repo":
        return cookbook.location_path
    source = next((s for s in project.sources if s.url == cookbook.source), None)
    if source is None or (isinstance(source, SupermarketSource) and source.is_default):
        return ""
    return f"{source.url} ([{cookbook.location_type}] {cookbook.location_path})"


# The lockfile written after install.


def _lockfile_for(
    project: Project,
    chosen: Mapping[str, CookbookVersion],
    fetched: _Fetched,
    trusted: Lockfile | None,
) -> Lockfile:
    dependencies = tuple(
        LockedDependency(
            requirement.name,
            None
            if requirement.location or requirement.constraint.is_any
            else str(requirement.constraint),
            _location_options(
                requirement, project, fetched.revisions.get(requirement.name)
            ),
        )
        for requirement in project.requirements
    )
    if trusted is not None:
        return Lockfile(dependencies, trusted.graph)
    graph = tuple(
        LockedCookbook(
            name,
            cookbook.version,
            cookbook.dependency_texts
            or tuple(
                (dep, str(constraint)) for dep, constraint in cookbook.dependencies
            ),
        )
        for name, cookbook in chosen.items()
    )
    return Lockfile(dependencies, graph)


def _location_options(
    requirement: Requirement, project: Project, revision: str | None
) -> tuple[tuple[str, str], ...]:
    location = requirement.location
    if location is None:
        return ()
    if location.type == "path":
        options = [("path", location.path or ".")]
        return (
            (*options, ("metadata", "true")) if requirement.metadata else tuple(options)
        )
    pairs = [("git", location.uri or "")]
    if revision:
        pairs.append(("revision", revision))
    if location.ref and revision:
        pairs.append(("ref", location.ref[:7]))
    pairs += [
        (key, value)
        for key in ("branch", "tag", "rel")
        if (value := getattr(location, key))
    ]
    return tuple(pairs)


def _changes(
    before: Lockfile | None, after: Lockfile
) -> tuple[tuple[str, str | None, str | None], ...]:
    """(name, old version, new version) for every cookbook that moved."""
    old = {name: str(v) for name, v in (before.versions if before else {}).items()}
    new = {name: str(v) for name, v in after.versions.items()}
    return tuple(
        (name, old.get(name), new.get(name))
        for name in sorted(old.keys() | new.keys())
        if old.get(name) != new.get(name)
    )


# Read-only commands over a trusted, installed lockfile.


@dataclass(frozen=True)
class LockedState:
    """A trusted lockfile with every cookbook's path in the store."""

    project: Project
    lockfile: Lockfile
    paths: Mapping[str, Path]

    def dependencies_first(
        self, names: list[str] | None = None
    ) -> list[tuple[LockedCookbook, Path]]:
        """Every locked cookbook after its dependencies, with its cached path (for
        ``deps upload``); ``names`` limits it to those cookbooks and their graph."""
        return [
            (entry, self.paths[entry.name])
            for entry in self.lockfile.dependencies_first(names)
        ]


def locked_state(project: Project, store: CookbookStore) -> LockedState:
    """The trusted, fully installed lockfile, or Berkshelf's 140/144/145 errors."""
    lock = read_lockfile(project.lockfile)
    if lock is None:
        raise LockfileError(
            f"Lockfile not found! {project.lockfile} does not exist",
            hint="run `kitchenctl deps install` to create the lockfile",
        )
    if not is_trusted(lock, project):
        raise LockfileError(
            "The lockfile is out of sync! Run `kitchenctl deps install` to sync the "
            "lockfile."
        )
    # Read each chef_repo source once, and only if the store misses a cookbook.
    chef_repos = functools.cache(lambda: _chef_repo_universes(project, store))
    paths = {}
    for entry in lock.graph:
        path = _locked_path(project, store, lock, entry, chef_repos)
        if not path.is_dir():
            raise LockfileError(
                f"The cookbook '{entry.name} ({entry.version})' is not installed. "
                "Please run `kitchenctl deps install` to download and install the "
                "missing dependency."
            )
        paths[entry.name] = path
    return LockedState(project, lock, paths)


def _locked_path(
    project: Project,
    store: CookbookStore,
    lock: Lockfile,
    entry: LockedCookbook,
    chef_repos: Callable[[], tuple[Universe, ...]],
) -> Path:
    dependency = lock.dependency(entry.name)
    if dependency and dependency.option("path"):
        return (project.folder / (dependency.option("path") or ".")).resolve()
    if dependency and dependency.option("revision"):
        return store.path(entry.name, dependency.option("revision") or "")
    stored = store.path(entry.name, str(entry.version))
    if stored.is_dir():
        return stored

    # A chef_repo source's cookbooks are used where they are, never copied to the
    # store, and the lockfile does not say which source a version came from.
    for universe in chef_repos():
        found = universe.get(entry.name, entry.version)
        if found is not None:
            return Path(found.location_path)
    return stored


def _chef_repo_universes(
    project: Project, store: CookbookStore
) -> tuple[Universe, ...]:
    return tuple(
        source.universe(store)
        for source in project.sources
        if isinstance(source, ChefRepoSource)
    )


def tree(lock: Lockfile) -> list[tuple[int, LockedCookbook]]:
    """The lock graph as (depth, cookbook) lines from each Berksfile dependency;
    a cookbook already shown is not expanded again."""
    lines: list[tuple[int, LockedCookbook]] = []
    shown: set[str] = set()

    def visit(name: str, depth: int) -> None:
        entry = lock.locked(name)
        if entry is None:
            return
        lines.append((depth, entry))
        if name in shown:
            return
        shown.add(name)
        for dependency, _ in entry.dependencies:
            visit(dependency, depth + 1)

    for dependency in sorted(lock.dependencies, key=lambda item: item.name):
        visit(dependency.name, 0)
    return lines


@dataclass(frozen=True)
class Outdated:
    name: str
    locked: Version
    newest: Version
    source: str


def outdated(
    project: Project, store: CookbookStore, *, all_versions: bool = False
) -> list[Outdated]:
    """Berksfile cookbooks with a newer version in the sources than the lock has:
    within the Berksfile constraint, or any newer version with ``all_versions``."""
    state = locked_state(project, store)
    universe = Universe()
    for source in project.sources:
        universe.merge(source.universe(store))
    found = []
    for requirement in project.requirements:
        if requirement.location is not None:
            continue
        locked = state.lockfile.locked(requirement.name)
        if locked is None:
            continue
        constraint = ANY if all_versions else requirement.constraint
        newest = next(
            (
                c
                for c in universe.newest_first(requirement.name)
                if constraint.satisfies(c.version)
            ),
            None,
        )
        if newest is not None and newest.version > locked.version:
            found.append(
                Outdated(
                    requirement.name, locked.version, newest.version, newest.source
                )
            )
    return found


# vendor, package, verify, apply


def vendor(
    state: LockedState, target: Path, *, delete: bool = False
) -> list[tuple[LockedCookbook, Path]]:
    """Copy every locked cookbook to ``target/NAME`` (chefignore applied, VCS folders
    dropped, metadata.json compiled). ``delete`` empties ``target`` first; without
    it, a non-empty ``target`` is refused.
    """
    from kitchenctl.chefignore import load_chefignore
    from kitchenctl.cookbook_loader import select_files
    from kitchenctl.metadata import compile_cookbook_metadata

    if target.exists() and any(target.iterdir()):
        if not delete:
            raise UsageError(
                f"Vendor path '{target}' already exists and is not empty",
                hint="pass --delete to replace its contents",
            )
        shutil.rmtree(target)
    target.mkdir(parents=True, exist_ok=True)
    done = []
    for entry, source in state.dependencies_first():
        destination = target / entry.name
        for relative in select_files(source, load_chefignore(source)):
            if relative.split("/")[0] in (".git", ".svn", ".hg"):
                continue
            (destination / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source / relative, destination / relative)
        if not (destination / "metadata.json").is_file():
            compile_cookbook_metadata(destination, write=True)
        done.append((entry, destination))
    return done


def package(state: LockedState, archive: Path) -> Path:
    """Vendor into a temporary ``cookbooks/`` folder and tar.gz it to ``archive``."""
    with tempfile.TemporaryDirectory() as scratch:
        vendor(state, Path(scratch) / "cookbooks")
        archive.parent.mkdir(parents=True, exist_ok=True)
        partial = archive.with_name(f".{archive.name}.partial")
        with tarfile.open(partial, "w:gz") as tar:
            tar.add(Path(scratch) / "cookbooks", arcname="cookbooks")
        partial.replace(archive)
    return archive


def default_package_path(folder: Path, clock: Callable[[], float] = time.time) -> Path:
    return folder / f"cookbooks-{int(clock())}.tar.gz"


def verify(state: LockedState) -> int:
    """Check every locked cookbook: metadata readable, file names valid. Returns
    how many were verified; raises InputFileError naming the first problem."""
    from kitchenctl.cookbook_loader import load_cookbook

    for _, path in state.dependencies_first():
        load_cookbook(path)
    return len(state.lockfile.graph)


def apply_to_envfile(lock: Lockfile, envfile: Path) -> dict[str, str]:
    """Set ``cookbook_versions`` of a local environment JSON file to ``= x.y.z`` for
    every GRAPH entry, as ``berks apply --envfile`` does."""
    import json

    from kitchenctl.fileutil import write_atomic

    try:
        document = json.loads(envfile.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputFileError(f"cannot read environment file {envfile}: {exc}") from exc
    versions = {entry.name: f"= {entry.version}" for entry in lock.graph}
    document["cookbook_versions"] = versions
    write_atomic(envfile, json.dumps(document, indent=2) + "\n")
    return versions


def apply_to_server(lock: Lockfile, api: Any, environment: str) -> dict[str, str]:
    """Set the server environment's ``cookbook_versions`` to ``= x.y.z`` for every
    GRAPH entry (``berks apply``); NotFound when the environment does not exist."""
    from kitchenctl.errors import NotFound

    path = f"environments/{environment}"
    try:
        document = api.get(path)
    except NotFound as exc:
        raise NotFound(
            f"The environment '{environment}' does not exist",
            hint="create it first, or check the name",
            status=404,
        ) from exc
    versions = {entry.name: f"= {entry.version}" for entry in lock.graph}
    document["cookbook_versions"] = versions
    api.put(path, document)
    return versions
