"""Resolve the same demand sets with kitchenctl and with Berkshelf's ruby-solve.

    .venv/bin/python benchmarks/resolve.py [--runs 5]

Demand sets: the two acceptance sets in ../shared/data/universes, the 7 and 60 most
depended-on cookbooks of the 2014 community universe, and a synthetic universe at
today's Supermarket scale (about 4,000 cookbooks and 30,000 versions). Times are for
resolution only (each side loads its universe first); the ratio is solve / kitchenctl,
so 20x means kitchenctl is twenty times faster.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.fixtures.ruby_oracle import RubyOracle
from tests.fixtures.shared_data import shared_data

from kitchenctl.resolver import Demand, NoSolution, Resolver
from kitchenctl.universe import Universe, parse_constraint

DemandSet = list[tuple[str, str]]


def synthetic_universe(seed: int = 2026) -> dict[str, Any]:
    """4,000 cookbooks, ~31,000 versions, ~57,000 edges, shaped like Supermarket's.

    Version counts are skewed (most cookbooks have a few, some dozens); each version
    depends on up to four other cookbooks with the operator mix of real metadata.
    """
    chooser = random.Random(seed)
    names = [f"cookbook{index:04d}" for index in range(4000)]
    universe: dict[str, Any] = {}
    for index, name in enumerate(names):
        count = min(60, max(1, int(chooser.paretovariate(1.3) * 3)))
        versions = {}
        for number in range(count):
            version = f"{number // 10}.{number % 10}.{chooser.randint(0, 3)}"
            dependencies = {}
            for _ in range(chooser.choice([0, 1, 1, 2, 2, 3, 4])):
                target = names[min(3999, int(chooser.expovariate(1 / 400)))]
                if target != name:
                    dependencies[target] = chooser.choice(
                        [">= 0.0.0"] * 6 + [">= 0.1.0", "~> 0.1", "~> 1.0", "< 2.0.0"]
                    )
            versions[version] = {
                "location_type": "opscode",
                "location_path": "https://supermarket.example/api/v1",
                "download_url": f"https://supermarket.example/{name}/{version}",
                "dependencies": dependencies,
            }
        universe[name] = versions
        del index
    return universe


def popular(raw: dict[str, Any], count: int) -> DemandSet:
    counts: Counter[str] = Counter()
    for versions in raw.values():
        for entry in versions.values():
            counts.update(list(entry.get("dependencies") or {}))
    return [(n, ">= 0.0.0") for n, _ in counts.most_common() if n in raw][:count]


def unsolvable(raw: dict[str, Any]) -> DemandSet:
    """A pin that contradicts a dependency of another pin, found in the universe."""
    for name, versions in raw.items():
        for version, entry in versions.items():
            for dependency, constraint in (entry.get("dependencies") or {}).items():
                if constraint == "~> 1.0" and dependency in raw:
                    low = [v for v in raw[dependency] if v.startswith("0.")]
                    if low:
                        return [(name, f"= {version}"), (dependency, f"= {low[0]}")]
    raise RuntimeError("no contradiction found in the synthetic universe")


def time_ours(universe: Universe, demands: DemandSet, runs: int) -> tuple[float, str]:
    wanted = [Demand(name, parse_constraint(text)) for name, text in demands]
    timings, outcome = [], ""
    for _ in range(runs):
        started = time.perf_counter()
        try:
            outcome = f"{len(Resolver(universe).resolve(wanted).chosen)} cookbooks"
        except NoSolution as error:
            outcome = f"no solution ({error.name}, {len(error.lines)} lines)"
        timings.append(time.perf_counter() - started)
    return statistics.median(timings), outcome


def time_solve(oracle: RubyOracle, path: Path, demands: DemandSet, runs: int) -> float:
    request = {"op": "solve", "path": str(path), "demands": demands}
    replies = oracle.ask([request] * runs)
    return statistics.median(reply["ok"]["seconds"] for reply in replies)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    folder = shared_data() / "universes"
    scratch = Path(tempfile.mkdtemp(prefix="kitchenctl-bench-"))
    synthetic_path = scratch / "synthetic.universe.json"
    synthetic = synthetic_universe()
    synthetic_path.write_text(json.dumps(synthetic))

    def demands(name: str) -> DemandSet:
        pairs = json.loads((folder / f"{name}.demands.json").read_text())
        return [(cookbook, constraint) for cookbook, constraint in pairs]

    community = folder / "supermarket-2014.universe.json"
    raw2014 = json.loads(community.read_text())
    cases = [
        ("opscode-ci", folder / "opscode-ci.universe.json", demands("opscode-ci")),
        ("no-solution", folder / "no-solution.universe.json", demands("no-solution")),
        ("2014 top 7", community, popular(raw2014, 7)),
        ("2014 top 60", community, popular(raw2014, 60)),
        ("synthetic top 50", synthetic_path, popular(synthetic, 50)),
        ("synthetic conflict", synthetic_path, unsolvable(synthetic)),
    ]

    oracle = RubyOracle()
    universes: dict[Path, Universe] = {}
    print(f"{'case':<20}{'kitchenctl':>12}{'solve':>12}{'ratio':>9}  outcome")
    for label, path, wanted in cases:
        if path not in universes:
            started = time.perf_counter()
            universes[path] = Universe.from_json(json.loads(path.read_text()))
            loaded = time.perf_counter() - started
            oracle.ask([{"op": "load", "path": str(path)}])
            size = len(universes[path])
            print(f"  (loaded {path.name}: {size} versions, {loaded:.2f} s)")
        ours, outcome = time_ours(universes[path], wanted, runs)
        theirs = time_solve(oracle, path, wanted, max(1, runs // 2))
        print(
            f"{label:<20}{ours * 1000:>10.2f}ms{theirs * 1000:>10.1f}ms"
            f"{theirs / ours:>8.0f}x  {outcome}"
        )
    oracle.close()


if __name__ == "__main__":
    main()
