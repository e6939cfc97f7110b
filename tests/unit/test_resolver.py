"""The resolver on small hand-made universes: preferences, locks and explanations."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kitchenctl.resolver import Demand, NoSolution, Resolver
from kitchenctl.universe import CookbookVersion, Universe, parse_constraint
from kitchenctl.versions import Version


def cookbook(name: str, version: str, **dependencies: str) -> CookbookVersion:
    return CookbookVersion(
        name,
        Version.parse(version),
        tuple((dep, parse_constraint(c)) for dep, c in dependencies.items()),
    )


UNIVERSE = Universe.of(
    [
        cookbook("app", "1.0.0", web="~> 1.0", db=">= 0.0.0"),
        cookbook("app", "2.0.0", web="~> 2.0", db=">= 0.0.0"),
        cookbook("web", "1.0.0", apt=">= 1.0.0"),
        cookbook("web", "1.5.0", apt=">= 1.0.0"),
        cookbook("web", "2.0.0", apt="~> 3.0"),
        cookbook("db", "1.0.0", apt="~> 2.0"),
        cookbook("db", "0.9.0"),
        cookbook("apt", "2.7.0"),
        cookbook("apt", "3.1.0"),
        cookbook("apt", "3.2.0-rc.1"),
        cookbook("broken", "1.0.0", ghost=">= 0.0.0"),
    ]
)


def resolve(*demands: str, **options: object) -> dict[str, str]:
    wanted = [
        Demand(text.split(" ", 1)[0], parse_constraint(text.partition(" ")[2]))
        for text in demands
    ]
    answer = Resolver(UNIVERSE, **options).resolve(wanted)  # type: ignore[arg-type]
    return {name: str(version) for name, version in answer.versions.items()}


def test_newest_versions_are_preferred_and_prereleases_skipped() -> None:
    assert resolve("web") == {"web": "2.0.0", "apt": "3.1.0"}


def test_a_conflict_gives_up_the_fewest_newest_versions() -> None:
    # app 2.0.0 needs apt ~> 3.0 through web, db 1.0.0 needs apt ~> 2.0: one of
    # them must give way. Both answers are valid; neither is newer everywhere.
    answers = [
        {"app": "2.0.0", "web": "2.0.0", "db": "0.9.0", "apt": "3.1.0"},
        {"app": "1.0.0", "web": "1.5.0", "db": "1.0.0", "apt": "2.7.0"},
    ]
    assert resolve("app") in answers


def test_backtracking_finds_the_only_answer() -> None:
    assert resolve("app", "db = 1.0.0") == {
        "app": "1.0.0",
        "web": "1.5.0",
        "db": "1.0.0",
        "apt": "2.7.0",
    }


def test_locks_are_pins_unless_conservative() -> None:
    locked = {"web": Version(1, 0, 0), "apt": Version(2, 7, 0)}
    assert resolve("web", locked=locked) == {"web": "1.0.0", "apt": "2.7.0"}
    with pytest.raises(NoSolution, match=r"apt \(= 2.7.0\) required by Berksfile.lock"):
        resolve("web", "apt ~> 3.0", locked=locked)

    # Conservatively, a lock is only a preference: web stays, apt moves.
    assert resolve("web", "apt ~> 3.0", locked=locked, conservative=True) == {
        "web": "1.0.0",
        "apt": "3.1.0",
    }


def test_conflict_names_the_chain() -> None:
    with pytest.raises(NoSolution) as caught:
        resolve("app = 2.0.0", "apt = 2.7.0")
    error = caught.value
    assert error.name == "apt" and not error.missing
    assert "  - apt (= 2.7.0) required by Berksfile" in error.lines
    assert "  - apt (~> 3.0) required by web (2.0.0) <- app (2.0.0) <- Berksfile" in (
        error.lines
    )


def test_missing_dependency_names_who_requires_it() -> None:
    with pytest.raises(NoSolution) as caught:
        resolve("broken")
    assert caught.value.missing
    assert str(caught.value) == (
        "Cookbook 'ghost' was not found in any source:\n"
        "  - ghost (>= 0.0.0) required by broken (1.0.0) <- Berksfile"
    )


# Tiny random universes, checked against brute force: the resolver finds an answer
# exactly when one exists, and every answer it gives is valid.
NAMES = ["a", "b", "c", "d"]
small_constraints = st.sampled_from(
    [">= 0.0.0", "~> 1.0", "= 1.0.0", "< 2.0.0", "> 1.0"]
)


@st.composite
def small_universes(draw: st.DrawFn) -> Universe:
    cookbooks = []
    for name in NAMES:
        for version in draw(st.sets(st.sampled_from(["1.0.0", "1.1.0", "2.0.0"]))):
            targets = draw(st.lists(st.sampled_from(NAMES), max_size=2, unique=True))
            dependencies = {
                target: draw(small_constraints) for target in targets if target != name
            }
            cookbooks.append(cookbook(name, version, **dependencies))
    return Universe.of(cookbooks)


def brute_force(universe: Universe, demands: list[Demand]) -> bool:
    options = [[None, *universe.newest_first(name)] for name in NAMES]
    for picks in itertools.product(*options):
        chosen = {name: pick for name, pick in zip(NAMES, picks, strict=True) if pick}
        if is_valid(chosen, demands):
            return True
    return False


def is_valid(chosen: dict[str, CookbookVersion], demands: list[Demand]) -> bool:
    wanted = [(d.name, d.constraint) for d in demands]
    for picked in chosen.values():
        wanted += list(picked.dependencies)
    return all(
        name in chosen and constraint.satisfies(chosen[name].version)
        for name, constraint in wanted
    )


@settings(max_examples=150, deadline=None)
@given(
    small_universes(),
    st.lists(
        st.tuples(st.sampled_from(NAMES), small_constraints), min_size=1, max_size=3
    ),
)
def test_answers_exactly_when_brute_force_does(
    universe: Universe, pairs: list[tuple[str, str]]
) -> None:
    demands = [Demand(name, parse_constraint(text)) for name, text in pairs]
    try:
        answer = Resolver(universe).resolve(demands)
    except NoSolution:
        assert not brute_force(universe, demands)
    else:
        assert is_valid(dict(answer.chosen), demands)
