"""The universe: every cookbook version the sources offer, with its dependencies.

A Supermarket or Chef server ``/universe`` document maps each cookbook name to its
versions, each with ``dependencies`` and where to download it. kitchenctl merges the
universes of all sources in Berksfile order (berkshelf.md §6.1): for one name and
version the first source's entry wins, while the resolver still prefers the highest
version across all sources.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from kitchenctl.errors import InputFileError
from kitchenctl.versions import ANY, Constraint, Version, VersionFormatError

log = logging.getLogger(__name__)

LOCAL_TYPES = frozenset({"path", "git", "chef_repo"})


@dataclass(frozen=True, eq=False)
class CookbookVersion:
    """One version of one cookbook, as a source offers it.

    Compared by identity: a universe holds one object per name, version and source,
    and the resolver hashes candidates often.
    """

    name: str
    version: Version
    dependencies: tuple[tuple[str, Constraint], ...] = ()
    location_type: str = "opscode"
    location_path: str = ""
    download_url: str = ""
    source: str = ""
    # The constraints as the metadata wrote them (">= 2.0"), for Berksfile.lock.
    dependency_texts: tuple[tuple[str, str], ...] = ()

    def __str__(self) -> str:
        return f"{self.name} ({self.version})"

    @property
    def is_local(self) -> bool:
        """A cookbook on disk (path, git checkout, chef-repo): ``location_path``
        is then its folder rather than an API URL."""
        return self.location_type in LOCAL_TYPES


@lru_cache(maxsize=4096)
def parse_constraint(text: str) -> Constraint:
    """A universe or metadata constraint; empty text means ``>= 0.0.0``."""
    return Constraint.parse(text) if text else ANY


@lru_cache(maxsize=65536)
def parse_version(text: str) -> Version:
    return Version.parse(text)


@dataclass
class Universe:
    """Cookbook versions by name; ``add`` keeps the first entry for a name+version."""

    cookbooks: dict[str, dict[Version, CookbookVersion]] = field(default_factory=dict)
    _newest_first: dict[str, tuple[CookbookVersion, ...]] = field(
        default_factory=dict, repr=False
    )

    def add(self, cookbook: CookbookVersion, *, override: bool = False) -> None:
        """Add ``cookbook``; ``override`` replaces an existing entry (path/git)."""
        versions = self.cookbooks.setdefault(cookbook.name, {})
        if override or cookbook.version not in versions:
            versions[cookbook.version] = cookbook
            self._newest_first.pop(cookbook.name, None)

    def merge(self, other: Universe) -> None:
        for versions in other.cookbooks.values():
            for cookbook in versions.values():
                self.add(cookbook)

    def newest_first(self, name: str) -> tuple[CookbookVersion, ...]:
        """Every version of ``name``, newest first (cached until the next ``add``)."""
        cached = self._newest_first.get(name)
        if cached is None:
            versions = self.cookbooks.get(name, {})
            cached = tuple(
                sorted(versions.values(), key=lambda item: item.version, reverse=True)
            )
            self._newest_first[name] = cached
        return cached

    def get(self, name: str, version: Version) -> CookbookVersion | None:
        return self.cookbooks.get(name, {}).get(version)

    def __contains__(self, name: object) -> bool:
        return name in self.cookbooks

    def __len__(self) -> int:
        return sum(len(versions) for versions in self.cookbooks.values())

    @classmethod
    def from_json(cls, data: Mapping[str, Any], *, source: str = "") -> Universe:
        """Build a universe from a ``/universe`` document.

        Quirks of real universes are accepted: ``[]`` as a constraint (any version),
        bare versions as constraints, versions such as ``1.3`` or with a trailing
        newline. A version whose own text or constraints are invalid is left out and
        logged, as it could never be installed anyway.
        """
        if not isinstance(data, Mapping):
            raise InputFileError(
                f"the universe from {source or 'a source'} is not a map"
            )
        universe = cls()
        for name, versions in data.items():
            if not isinstance(versions, Mapping):
                continue
            for text, entry in versions.items():
                cookbook = _cookbook_version(name, text, entry, source)
                if cookbook is not None:
                    universe.add(cookbook)
        return universe

    @classmethod
    def of(cls, cookbooks: Iterable[CookbookVersion]) -> Universe:
        universe = cls()
        for cookbook in cookbooks:
            universe.add(cookbook)
        return universe


def _cookbook_version(
    name: str, text: str, entry: Any, source: str
) -> CookbookVersion | None:
    entry = entry if isinstance(entry, Mapping) else {}
    raw = {
        dependency: constraint
        for dependency, constraint in (entry.get("dependencies") or {}).items()
        if dependency != name
    }
    try:
        version = parse_version(text)
        dependencies = tuple(
            (dependency, _dependency_constraint(constraint))
            for dependency, constraint in raw.items()
        )
    except VersionFormatError as exc:
        log.warning("skipping %s %r from %s: %s", name, text, source, exc.message)
        return None
    return CookbookVersion(
        name=name,
        version=version,
        dependencies=dependencies,
        location_type=str(entry.get("location_type") or "opscode"),
        location_path=str(entry.get("location_path") or ""),
        download_url=str(entry.get("download_url") or ""),
        source=source,
        dependency_texts=tuple(
            (
                dependency,
                constraint if isinstance(constraint, str) and constraint else str(c),
            )
            for (dependency, constraint), (_, c) in zip(
                raw.items(), dependencies, strict=True
            )
        ),
    )


def _dependency_constraint(value: Any) -> Constraint:
    if isinstance(value, list):
        # Old universes store "any version" as an empty list.
        return ANY if not value else parse_constraint(str(value[0]))
    return parse_constraint(str(value))
