"""resolvelib's view of cookbooks, kept apart so that resolvelib is imported only when
a demand set needs backtracking (``kitchenctl --help`` stays fast)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from resolvelib import AbstractProvider
from resolvelib.structs import Matches, RequirementInformation

from kitchenctl.resolver import Demand
from kitchenctl.universe import CookbookVersion, Universe
from kitchenctl.versions import Constraint, Version


class CookbookProvider(AbstractProvider[Demand, CookbookVersion, str]):
    """resolvelib's view of cookbooks. Identifiers are cookbook names."""

    def __init__(self, universe: Universe, preferred: Mapping[str, Version]) -> None:
        self.universe = universe
        self.preferred = preferred
        # Which cookbook names each expanded cookbook asked for, to explain conflicts.
        self.edges: dict[str, dict[str, CookbookVersion]] = {}
        # Positions (0 = newest) of the versions of a name that meet one constraint;
        # the same few constraints come back every round, so each is checked once.
        self._matching: dict[tuple[str, Constraint], frozenset[int]] = {}

    def identify(self, requirement_or_candidate: Demand | CookbookVersion) -> str:
        return requirement_or_candidate.name

    def get_preference(
        self,
        identifier: str,
        resolutions: Mapping[str, CookbookVersion],
        candidates: Mapping[str, Iterator[CookbookVersion]],
        information: Mapping[
            str, Iterator[RequirementInformation[Demand, CookbookVersion]]
        ],
        backtrack_causes: Sequence[RequirementInformation[Demand, CookbookVersion]],
    ) -> Any:
        """Decide conflicting names first, then pins, then those with few versions."""
        in_conflict = any(
            cause.requirement.name == identifier for cause in backtrack_causes
        )
        constraints = [info.requirement.constraint for info in information[identifier]]
        pinned = any(constraint.operator == "=" for constraint in constraints)
        return (
            not in_conflict,
            not pinned,
            len(self.universe.newest_first(identifier)),
        )

    def find_matches(
        self,
        identifier: str,
        requirements: Mapping[str, Iterator[Demand]],
        incompatibilities: Mapping[str, Iterator[CookbookVersion]],
    ) -> Matches[CookbookVersion]:
        versions = self.universe.newest_first(identifier)
        allowed: frozenset[int] | None = None
        for demand in requirements[identifier]:
            matching = self._positions(identifier, demand.constraint, versions)
            allowed = matching if allowed is None else allowed & matching
        excluded = {id(candidate) for candidate in incompatibilities[identifier]}
        matches = [
            versions[position]
            for position in sorted(
                allowed if allowed is not None else range(len(versions))
            )
            if id(versions[position]) not in excluded
        ]
        return self._preferred_first(identifier, matches)

    def _positions(
        self,
        name: str,
        constraint: Constraint,
        versions: tuple[CookbookVersion, ...],
    ) -> frozenset[int]:
        key = (name, constraint)
        cached = self._matching.get(key)
        if cached is None:
            cached = frozenset(
                position
                for position, candidate in enumerate(versions)
                if constraint.satisfies(candidate.version)
            )
            self._matching[key] = cached
        return cached

    def _preferred_first(
        self, identifier: str, matches: list[CookbookVersion]
    ) -> list[CookbookVersion]:
        preferred = self.preferred.get(identifier)
        if preferred is None:
            return matches
        first = [match for match in matches if match.version == preferred]
        return first + [match for match in matches if match.version != preferred]

    def is_satisfied_by(self, requirement: Demand, candidate: CookbookVersion) -> bool:
        return requirement.constraint.satisfies(candidate.version)

    def get_dependencies(self, candidate: CookbookVersion) -> Iterable[Demand]:
        for name, _ in candidate.dependencies:
            self.edges.setdefault(name, {})[candidate.name] = candidate
        return [
            Demand(name, constraint, candidate)
            for name, constraint in candidate.dependencies
        ]

    def narrow_requirement_selection(
        self,
        identifiers: Iterable[str],
        resolutions: Mapping[str, CookbookVersion],
        candidates: Mapping[str, Iterator[CookbookVersion]],
        information: Mapping[
            str, Iterator[RequirementInformation[Demand, CookbookVersion]]
        ],
        backtrack_causes: Sequence[RequirementInformation[Demand, CookbookVersion]],
    ) -> Iterable[str]:
        return identifiers
