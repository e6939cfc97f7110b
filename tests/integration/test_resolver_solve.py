"""Differential test: kitchenctl's resolver against Berkshelf's solver (ruby-solve).

On the real universes in shared/data: every answer kitchenctl gives is valid, it finds
a solution whenever solve does, and it reports none only when solve finds none too.
"""

from __future__ import annotations

import json
import random
from collections import Counter
from functools import cache
from pathlib import Path

import pytest

from kitchenctl.resolver import Demand, NoSolution, Resolution, Resolver
from kitchenctl.universe import Universe, parse_constraint
from tests.fixtures.ruby_oracle import RubyOracle
from tests.fixtures.shared_data import shared_data

pytestmark = pytest.mark.ruby

UNIVERSES = shared_data() / "universes"


@cache
def universe(name: str) -> Universe:
    return Universe.from_json(json.loads(path(name).read_text()))


def path(name: str) -> Path:
    return UNIVERSES / f"{name}.universe.json"


def demand_file(name: str) -> list[tuple[str, str]]:
    pairs = json.loads((UNIVERSES / f"{name}.demands.json").read_text())
    return [(name, constraint) for name, constraint in pairs]


def popular(name: str, count: int) -> list[tuple[str, str]]:
    """The ``count`` cookbooks other cookbooks depend on most, at any version."""
    raw = json.loads(path(name).read_text())
    counts: Counter[str] = Counter()
    for versions in raw.values():
        for entry in versions.values():
            counts.update(list(entry.get("dependencies") or {}))
    names = [n for n, _ in counts.most_common() if n in raw][:count]
    return [(n, ">= 0.0.0") for n in names]


def random_sets(name: str, count: int, seed: int) -> list[list[tuple[str, str]]]:
    """Demand sets of 2-8 cookbooks with constraints taken from real versions."""
    chooser = random.Random(seed)
    raw = json.loads(path(name).read_text())
    names = sorted(raw)
    sets = []
    for _ in range(count):
        demands = []
        for cookbook in chooser.sample(names, chooser.randint(2, 8)):
            version = chooser.choice(sorted(raw[cookbook])).strip()
            operator = chooser.choice(["~> ", "= ", ">= ", "< ", ""])
            demands.append(
                (cookbook, ">= 0.0.0" if not operator else operator + version)
            )
        sets.append(demands)
    return sets


def ours(name: str, demands: list[tuple[str, str]]) -> Resolution | NoSolution:
    wanted = [Demand(n, parse_constraint(c)) for n, c in demands]
    try:
        return Resolver(universe(name)).resolve(wanted)
    except NoSolution as error:
        return error


def assert_valid(name: str, demands: list[tuple[str, str]], answer: Resolution) -> None:
    """Every demand and every dependency of every chosen cookbook is met."""
    chosen = answer.chosen
    for cookbook, constraint in demands:
        assert parse_constraint(constraint).satisfies(chosen[cookbook].version)
    for picked in chosen.values():
        assert universe(name).get(picked.name, picked.version) is picked
        for dependency, constraint in picked.dependencies:
            assert dependency in chosen, f"{picked} needs {dependency}"
            assert constraint.satisfies(chosen[dependency].version)


def compare(
    oracle: RubyOracle, name: str, demand_sets: list[list[tuple[str, str]]]
) -> Counter[str]:
    """Check kitchenctl against solve on every set; count the kinds of outcome."""
    oracle.ask([{"op": "load", "path": str(path(name))}])
    replies = oracle.ask(
        [
            {"op": "solve", "path": str(path(name)), "demands": demands}
            for demands in demand_sets
        ]
    )
    outcomes: Counter[str] = Counter()
    for demands, reply in zip(demand_sets, replies, strict=True):
        theirs = reply["ok"]
        answer = ours(name, demands)
        if isinstance(answer, Resolution):
            assert_valid(name, demands, answer)
            outcomes["solved"] += 1
        else:
            assert "solution" not in theirs, (demands, str(answer), theirs)
            outcomes["no solution"] += 1
    return outcomes


def test_opscode_ci_graph(ruby_oracle: RubyOracle) -> None:
    outcomes = compare(ruby_oracle, "opscode-ci", [demand_file("opscode-ci")])
    assert outcomes == {"solved": 1}


def test_large_graph_with_no_solution(ruby_oracle: RubyOracle) -> None:
    outcomes = compare(ruby_oracle, "no-solution", [demand_file("no-solution")])
    assert outcomes == {"no solution": 1}

    error = ours("no-solution", demand_file("no-solution"))
    assert isinstance(error, NoSolution)
    # The culprit and its chain, in a handful of lines, not all 50 demands.
    assert error.name == "yum" and len(error.lines) <= 5
    assert "yum (~> 3.1) required by virtualbox-cookbook (1.0.3)" in str(error)


def test_supermarket_2014_popular_and_random_sets(ruby_oracle: RubyOracle) -> None:
    sets = [popular("supermarket-2014", 7), popular("supermarket-2014", 60)]
    sets += random_sets("supermarket-2014", 60, seed=5)
    outcomes = compare(ruby_oracle, "supermarket-2014", sets)
    # Both kinds of outcome are exercised, not only the easy one.
    assert outcomes["solved"] >= 10 and outcomes["no solution"] >= 5, outcomes


def test_missing_cookbook_names_who_requires_it() -> None:
    error = ours("supermarket-2014", [("doesntexist", ">= 0.0.0")])
    assert isinstance(error, NoSolution) and error.missing
    assert str(error).startswith("Cookbook 'doesntexist' was not found in any source:")
    assert "doesntexist (>= 0.0.0) required by Berksfile" in str(error)
