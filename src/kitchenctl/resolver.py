"""Pick one version of every cookbook so that every constraint holds.

The algorithm is resolvelib's backtracking resolver (the core of pip's). This module is
the provider that teaches it cookbooks: candidates come from a merged ``Universe``,
newest first; a demand is a name and a semverse constraint; a locked cookbook is
demanded as ``= x.y.z`` (Berkshelf's rule, berkshelf.md §6.1) unless ``conservative``
is set, in which case the locked version is only tried first.

Most real demand sets have a conflict-free answer in which every cookbook is at its
newest allowed version. ``resolve`` first tries that answer directly (one pass over
the graph) and checks it; only when a constraint rejects an earlier pick does
resolvelib run.

When no solution exists, ``NoSolution`` names the cookbook in conflict, each
requirement on it and the chain of cookbooks that led to it, in a handful of lines.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from kitchenctl.errors import ResolutionError
from kitchenctl.universe import CookbookVersion, Universe
from kitchenctl.versions import Constraint, Version

if TYPE_CHECKING:
    from resolvelib.structs import RequirementInformation

BERKSFILE = "Berksfile"
LOCKFILE = "Berksfile.lock"
MAX_ROUNDS = 50_000


@dataclass(frozen=True)
class Demand:
    """A requirement on a cookbook: who asks (``requirer``) for which versions."""

    name: str
    constraint: Constraint
    requirer: CookbookVersion | str = BERKSFILE

    def __str__(self) -> str:
        return f"{self.name} ({self.constraint})"

    @property
    def requirer_text(self) -> str:
        return str(self.requirer)


@dataclass(frozen=True)
class Resolution:
    """The answer: the chosen version of every cookbook, and what each depends on."""

    chosen: Mapping[str, CookbookVersion]

    @property
    def versions(self) -> dict[str, Version]:
        return {name: cookbook.version for name, cookbook in self.chosen.items()}


class NoSolution(ResolutionError):
    """No set of versions satisfies the demands; the message names the conflict."""

    def __init__(self, name: str, lines: list[str], *, missing: bool) -> None:
        what = (
            f"Cookbook '{name}' was not found in any source"
            if missing
            else f"Unable to find versions of '{name}' that satisfy every requirement"
        )
        super().__init__(
            "\n".join([what + ":", *lines]),
            hint=None
            if missing
            else "relax one of these constraints, or run `kitchenctl deps update NAME` "
            "for a locked cookbook",
        )
        self.name = name
        self.lines = lines
        self.missing = missing


@dataclass
class Resolver:
    """Resolve demands over ``universe``; ``locked`` versions are pinned, or only
    preferred when ``conservative``."""

    universe: Universe
    locked: Mapping[str, Version] = field(default_factory=dict)
    conservative: bool = False

    def resolve(self, demands: Sequence[Demand]) -> Resolution:
        """Choose versions for ``demands`` and everything they depend on.

        Raises NoSolution (exit code 11) when there is none, naming the conflict.
        """
        demands = self._with_locks(demands)
        preferred = self.locked if self.conservative else {}
        greedy = _newest_everywhere(self.universe, demands, preferred)
        if greedy is not None:
            return Resolution(greedy)
        return self._backtrack(demands)

    def _with_locks(self, demands: Sequence[Demand]) -> list[Demand]:
        """Berkshelf demands every lock as ``= x.y.z``, the locks first.

        Berkshelf then drops a Berksfile demand on a locked name; kitchenctl keeps it,
        so an answer always meets the Berksfile too (``reduce`` has already refused a
        lock that the Berksfile rejects).
        """
        if self.conservative:
            return list(demands)
        pinned = [
            Demand(name, _exactly(version), LOCKFILE)
            for name, version in self.locked.items()
        ]
        return pinned + list(demands)

    def _backtrack(self, demands: list[Demand]) -> Resolution:
        from resolvelib import (
            BaseReporter,
            ResolutionImpossible,
            ResolutionTooDeep,
        )
        from resolvelib import Resolver as ResolvelibResolver

        from kitchenctl.resolver_provider import CookbookProvider

        provider = CookbookProvider(
            self.universe, self.locked if self.conservative else {}
        )
        resolver: ResolvelibResolver[Demand, CookbookVersion, str] = ResolvelibResolver(
            provider, BaseReporter()
        )
        try:
            result = resolver.resolve(demands, max_rounds=MAX_ROUNDS)
        except ResolutionImpossible as exc:
            raise _explain(exc.causes, provider.edges, demands, self.universe) from None
        except ResolutionTooDeep as exc:
            raise ResolutionError(
                f"Gave up resolving after {MAX_ROUNDS} rounds of backtracking",
                hint="pin some cookbooks in the Berksfile to narrow the search",
            ) from exc
        return Resolution(dict(result.mapping))


def _exactly(version: Version) -> Constraint:
    return Constraint(
        "=",
        version.major,
        version.minor,
        version.patch,
        version.prerelease,
        version.build,
    )


def _newest_everywhere(
    universe: Universe,
    demands: Sequence[Demand],
    preferred: Mapping[str, Version],
    *,
    restarts: int = 30,
) -> dict[str, CookbookVersion] | None:
    """An answer with every cookbook at its newest allowed version (or at its
    ``preferred`` one, when allowed), if one is found quickly.

    Picks breadth-first. When later constraints reject earlier picks, the pass starts
    again having learned, for each conflict, either the constraint (when the name can
    still meet it) or that the requiring version is to be avoided. Every constraint
    of every pick is checked, so an answer returned is valid. None (a demand is
    contradicted, or a conflict has nothing to teach) leaves the case to the real
    resolver, which can also prove that there is no solution.
    """
    demanded: dict[str, list[Constraint]] = {}
    for demand in demands:
        demanded.setdefault(demand.name, []).append(demand.constraint)
    learned = _Learned(demanded)
    for _ in range(restarts):
        learned.stuck_before, learned.stuck = learned.stuck, set()
        outcome = _greedy_pass(universe, demands, learned, preferred)
        if outcome is None or isinstance(outcome, dict):
            return outcome
    return None


@dataclass
class _Learned:
    """What earlier greedy passes found out: constraints and versions to avoid."""

    demanded: dict[str, list[Constraint]]
    constraints: dict[str, list[Constraint]] = field(default_factory=dict)
    avoided: set[int] = field(default_factory=set)
    stuck: set[tuple[str, Constraint]] = field(default_factory=set)
    stuck_before: set[tuple[str, Constraint]] = field(default_factory=set)

    def learn(
        self,
        universe: Universe,
        name: str,
        constraint: Constraint,
        requirer: CookbookVersion | None,
    ) -> bool:
        """Learn from one conflict; False when the greedy search should give up: a
        demand is contradicted, or the same conflict came back with nothing to learn.
        """
        narrowed = [*self.constraints.get(name, ()), constraint]
        demanded = self.demanded.get(name, [])
        possible = _best_matching(
            universe, name, narrowed + demanded, None, self.avoided
        )
        if possible is not None:
            self.constraints[name] = narrowed
            return True
        if requirer is None:
            return False
        pins = self.demanded.get(requirer.name, [])
        if any(pin.operator == "=" for pin in pins):
            return False  # the requirer is pinned by a demand: it cannot give way
        if id(requirer) not in self.avoided:
            self.avoided.add(id(requirer))
            return True
        self.stuck.add((name, constraint))
        return (name, constraint) not in self.stuck_before


def _greedy_pass(
    universe: Universe,
    demands: Sequence[Demand],
    learned: _Learned,
    preferred: Mapping[str, Version],
) -> dict[str, CookbookVersion] | bool | None:
    """One breadth-first pass: the picks; True when it learned from conflicts and
    another pass is worth it; None when a conflict had nothing to teach.
    """
    constraints: dict[str, list[Constraint]] = {}
    chosen: dict[str, CookbookVersion] = {}
    conflicted = False
    queue: deque[tuple[str, Constraint, CookbookVersion | None]] = deque(
        (demand.name, demand.constraint, None) for demand in demands
    )
    while queue:
        name, constraint, requirer = queue.popleft()
        picked = chosen.get(name)
        if picked is not None and constraint.satisfies(picked.version):
            continue
        if picked is None:
            known = constraints.setdefault(
                name, list(learned.constraints.get(name, ()))
            )
            choice = _best_matching(
                universe,
                name,
                [*known, constraint],
                preferred.get(name),
                learned.avoided,
            )
            if choice is not None:
                known.append(constraint)
                chosen[name] = choice
                queue.extend((dep, c, choice) for dep, c in choice.dependencies)
                continue
        if not learned.learn(universe, name, constraint, requirer):
            return None
        conflicted = True
    return True if conflicted else chosen


def _best_matching(
    universe: Universe,
    name: str,
    constraints: list[Constraint],
    preferred: Version | None,
    avoided: set[int],
) -> CookbookVersion | None:
    if preferred is not None:
        candidate = universe.get(name, preferred)
        if (
            candidate
            and id(candidate) not in avoided
            and all(c.satisfies(preferred) for c in constraints)
        ):
            return candidate
    for candidate in universe.newest_first(name):
        if id(candidate) not in avoided and all(
            constraint.satisfies(candidate.version) for constraint in constraints
        ):
            return candidate
    return None


def _explain(
    causes: Collection[RequirementInformation[Demand, CookbookVersion]],
    edges: Mapping[str, Mapping[str, CookbookVersion]],
    demands: Sequence[Demand],
    universe: Universe,
) -> NoSolution:
    """Turn resolvelib's causes into a few lines: each requirement and its chain."""
    name = next(iter(causes)).requirement.name
    roots = {demand.name for demand in demands}
    lines: list[str] = []
    for cause in _unique(causes):
        requirement = cause.requirement
        line = f"  - {requirement} required by {_chain(requirement, edges, roots)}"
        if line not in lines:
            lines.append(line)
    return NoSolution(name, lines, missing=name not in universe)


def _unique(
    causes: Collection[RequirementInformation[Demand, CookbookVersion]],
) -> list[RequirementInformation[Demand, CookbookVersion]]:
    seen: set[tuple[str, str, str]] = set()
    unique = []
    for cause in causes:
        key = (
            cause.requirement.name,
            str(cause.requirement.constraint),
            cause.requirement.requirer_text,
        )
        if key not in seen:
            seen.add(key)
            unique.append(cause)
    return unique


def _chain(
    requirement: Demand,
    edges: Mapping[str, Mapping[str, CookbookVersion]],
    roots: set[str],
) -> str:
    """``a (1.0.0) <- b (2.0.0) <- Berksfile``: how the requirer came into the graph."""
    requirer = requirement.requirer
    if isinstance(requirer, str):
        return requirer
    links = [str(requirer)]
    current = requirer.name
    seen = {current}
    while current not in roots:
        parents = edges.get(current, {})
        parent = next((p for n, p in parents.items() if n not in seen), None)
        if parent is None:
            break
        links.append(str(parent))
        current = parent.name
        seen.add(current)
    links.append(BERKSFILE)
    return " <- ".join(links)
