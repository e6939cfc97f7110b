"""Which locked cookbooks ``deps upload`` sends, in which order, and which may halt it.

Berkshelf's rules (berkshelf.md §9), with its complaint about ``--halt-on-frozen``
fixed (#883, #1564):

- no names: every Berksfile dependency and its whole locked graph, each cookbook
  after those it depends on, once;
- names: only those cookbooks, not their dependencies (``upload reset`` uploads
  reset alone); a transitive dependency may be named;
- ``--halt-on-frozen`` stops only for a named cookbook, or without names for a
  Berksfile (top-level) dependency; a frozen transitive dependency is skipped.

The upload itself is :func:`kitchenctl.uploader.upload_cookbooks`; the caller turns
each selected LockedCookbook into a LoadedCookbook (from the cookbook cache or its
path location).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from kitchenctl.api import ChefServerAPI
from kitchenctl.cookbook_loader import LoadedCookbook
from kitchenctl.errors import InputFileError, LockfileError
from kitchenctl.lockfile import LockedCookbook, Lockfile
from kitchenctl.uploader import (
    DEFAULT_CONCURRENCY,
    UploadOptions,
    UploadReporter,
    UploadSummary,
    upload_cookbooks,
)


@dataclass(frozen=True)
class LockedSelection:
    """The cookbooks to upload, dependencies first, and the names that may halt."""

    cookbooks: tuple[LockedCookbook, ...]
    halt_names: frozenset[str]


def select_locked(
    lockfile: Lockfile,
    names: Sequence[str] = (),
    roots: Sequence[str] | None = None,
) -> LockedSelection:
    """Pick what ``deps upload [NAME...]`` uploads from ``lockfile``.

    Without names: ``roots`` (default: every Berksfile dependency, i.e. DEPENDENCIES;
    fewer under --only/--except) and everything they depend on.
    Raises InputFileError for a name the lockfile's GRAPH does not hold.
    """
    missing = [name for name in names if lockfile.locked(name) is None]
    if missing:
        # Berkshelf's DependencyNotFound (120), which kitchenctl maps to 5.
        raise InputFileError(
            f"Dependency '{missing[0]}' was not found. Please make sure it is in "
            "your Berksfile, and then run `kitchenctl deps install` to download and "
            "install the missing dependencies."
        )
    if not names:
        if roots is None:
            roots = [dependency.name for dependency in lockfile.dependencies]
        ordered = lockfile.dependencies_first(list(roots))
        return LockedSelection(tuple(ordered), frozenset(roots))

    # The named ones only, in dependency order among themselves.
    wanted = set(names)
    ordered = lockfile.dependencies_first(list(names))
    chosen = tuple(cookbook for cookbook in ordered if cookbook.name in wanted)
    return LockedSelection(chosen, frozenset(names))


def upload_locked(
    api: ChefServerAPI,
    lockfile: Lockfile,
    load: Callable[[LockedCookbook], LoadedCookbook],
    *,
    names: Sequence[str] = (),
    roots: Sequence[str] | None = None,
    freeze: bool = True,
    force: bool = False,
    halt_on_frozen: bool = False,
    concurrency: int = DEFAULT_CONCURRENCY,
    reporter: UploadReporter | None = None,
) -> UploadSummary:
    """Upload the locked cookbooks :func:`select_locked` picks; frozen by default.

    ``load`` turns a locked cookbook into the loaded folder to send (the cache
    entry or the path location). Raises what :func:`select_locked`, ``load`` and
    :func:`upload_cookbooks` raise; a frozen version halts only when
    ``halt_on_frozen`` and its name may halt.
    """
    selection = select_locked(lockfile, names, roots)
    cookbooks = [load(locked) for locked in selection.cookbooks]
    for locked, loaded in zip(selection.cookbooks, cookbooks, strict=True):
        _check_matches(locked, loaded)

    options = UploadOptions(
        freeze=freeze,
        force=force,
        halt_on_frozen=selection.halt_names if halt_on_frozen else frozenset(),
        concurrency=concurrency,
    )
    return upload_cookbooks(api, cookbooks, options=options, reporter=reporter)


def _check_matches(locked: LockedCookbook, loaded: LoadedCookbook) -> None:
    """The folder must hold the locked cookbook, or the lockfile is out of sync."""
    if loaded.name != locked.name or loaded.version != str(locked.version):
        raise LockfileError(
            f"Berksfile.lock locks {locked.name} ({locked.version}) but "
            f"{loaded.root} holds {loaded.name} ({loaded.version})",
            hint="run `kitchenctl deps install` to sync the lockfile",
        )
