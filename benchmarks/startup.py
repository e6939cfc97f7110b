"""How long ``kitchenctl --help`` and ``--version`` take, next to ``python -c pass``.

Run: ``.venv/bin/python benchmarks/startup.py [--runs N]``. The three commands run
round-robin in the same process tree, so machine load affects them alike; the script
prints each median wall time and its ratio to bare Python. The goal is under 6x.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

GOAL_RATIO = 6.0


def kitchenctl_script() -> str:
    """The console script installed next to this interpreter, as users run it."""
    script = Path(sys.executable).with_name("kitchenctl")
    if not script.exists():
        sys.exit(f"no kitchenctl next to {sys.executable}: run scripts/setup first")
    return str(script)


def wall_time(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20, help="runs per command")
    runs = parser.parse_args().runs

    kitchenctl = kitchenctl_script()
    commands = {
        "python -c pass": [sys.executable, "-c", "pass"],
        "kitchenctl --help": [kitchenctl, "--help"],
        "kitchenctl --version": [kitchenctl, "--version"],
    }
    for command in commands.values():
        wall_time(command)  # warm the file cache once

    samples: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(runs):
        for name, command in commands.items():
            samples[name].append(wall_time(command))

    baseline = statistics.median(samples["python -c pass"])
    print(f"median of {runs} runs each, {sys.executable}")
    for name, times in samples.items():
        median = statistics.median(times)
        ratio = median / baseline
        verdict = (
            ""
            if name.startswith("python")
            else ("  ok" if ratio < GOAL_RATIO else f"  over the {GOAL_RATIO:g}x goal")
        )
        print(f"{name:<22} {median * 1000:7.1f} ms  {ratio:5.2f}x{verdict}")


if __name__ == "__main__":
    main()
