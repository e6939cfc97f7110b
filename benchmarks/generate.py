"""Wall time of `kitchenctl generate cookbook`, against the 0.4 s goal.

Runs the installed console script as a user would, in a fresh temporary HOME, a
number of times for each case, and prints the median and fastest run and the ratio
of the median to the goal (below 1.0 meets it). chef-cli is not installed here; it
converges a Chef run per generator and needs seconds.

    .venv/bin/python benchmarks/generate.py [--runs 15]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

GOAL_SECONDS = 0.4

CASES = {
    # Not a generator: what starting kitchenctl costs any command, for comparison.
    "baseline: kitchenctl version": ["version"],
    "cookbook, git commit": ["generate", "cookbook", "web"],
    "cookbook, no git identity": ["generate", "cookbook", "web"],
    "cookbook --berks --specs --kitchen dokken, git commit": (
        ["generate", "cookbook", "web", "--berks", "--specs", "--kitchen", "dokken"]
    ),
}


def kitchenctl() -> str:
    return str(Path(sys.executable).with_name("kitchenctl"))


def environment(home: Path, *, git_identity: bool) -> dict[str, str]:
    env = {
        "HOME": str(home),
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "GIT_CONFIG_NOSYSTEM": "1",
        "NO_COLOR": "1",
    }
    if git_identity:
        (home / ".gitconfig").write_text(
            "[user]\n\tname = Bench\n\temail = bench@example.test\n"
        )
    return env


def time_once(arguments: list[str], *, git_identity: bool) -> tuple[float, float]:
    """Wall time, and CPU time (user + system, git included) of one run.

    CPU time hardly changes when other work shares the machine; wall time does.
    """
    with tempfile.TemporaryDirectory(prefix="kitchenctl-bench-") as scratch:
        home = Path(scratch) / "home"
        work = Path(scratch) / "work"
        home.mkdir()
        work.mkdir()
        env = environment(home, git_identity=git_identity)
        cpu_before = _children_cpu()
        started = time.perf_counter()
        subprocess.run(
            [kitchenctl(), *arguments],
            cwd=work,
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        elapsed = time.perf_counter() - started
        cpu = _children_cpu() - cpu_before
        if arguments[0] == "generate" and not (work / "web/metadata.rb").is_file():
            raise SystemExit("the cookbook was not generated")
        return elapsed, cpu


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    runs = parser.parse_args().runs

    # One run to warm the file cache and Python's bytecode cache.
    time_once(CASES["cookbook, git commit"], git_identity=True)
    print(f"kitchenctl generate, {runs} runs each, goal {GOAL_SECONDS:.2f} s")
    for label, arguments in CASES.items():
        identity = "no git identity" not in label
        samples = [time_once(arguments, git_identity=identity) for _ in range(runs)]
        wall = [elapsed for elapsed, _ in samples]
        median = statistics.median(wall)
        cpu = statistics.median(cpu for _, cpu in samples)
        print(
            f"  {label:55} wall median {median:.3f} s, fastest {min(wall):.3f} s, "
            f"CPU {cpu:.3f} s; median/goal {median / GOAL_SECONDS:.2f}"
        )


if __name__ == "__main__":
    main()
