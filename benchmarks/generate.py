"""Wall time of `kitchenctl generate cookbook`, against the 0.4 s goal.

Runs the installed console script as a user would, in a fresh temporary HOME, a
number of times for each case, and prints the median and fastest run and the ratio
of the median to the goal (below 1.0 meets it). chef-cli is not installed here; it
converges a Chef run per generator and needs seconds.

    .venv/bin/python benchmarks/generate.py [--runs 15] [--breakdown]

``--breakdown`` times each step of one generation instead, in CPU time (which other
work on the machine disturbs far less than wall time).
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
from collections.abc import Callable
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


# The steps of one `generate cookbook`, timed in a fresh process (imports happen once).
STEPS = (
    "import the CLI and typer",
    "typer's first parameter parse (imports pydantic)",
    "import cookiecutter.generate",
    "cookiecutter's Jinja extensions (import arrow)",
    "render and install the cookbook",
    "git init, add, commit",
)


def breakdown_once() -> None:
    """Time each step in this process, CPU time, and print them as JSON."""
    import json

    scratch = Path(tempfile.mkdtemp(prefix="kitchenctl-bench-"))
    os.environ["HOME"] = str(scratch)
    os.environ["GIT_CONFIG_NOSYSTEM"] = "1"
    (scratch / ".gitconfig").write_text("[user]\n\temail = bench@example.test\n")
    times: list[float] = []

    def step(action: Callable[[], object]) -> None:
        started = time.process_time() + _children_cpu()
        action()
        times.append(time.process_time() + _children_cpu() - started)

    step(lambda: __import__("kitchenctl.cli.app"))
    step(lambda: __import__("typer._adapters"))
    step(lambda: __import__("cookiecutter.generate"))
    step(lambda: __import__("cookiecutter.extensions"))
    from kitchenctl.generate import generate_cookbook
    from kitchenctl.generate.gitinit import init_repository

    step(lambda: generate_cookbook(scratch / "web", git=False))
    step(lambda: init_repository(scratch / "web", commit_message="bench"))
    print(json.dumps(times))


def breakdown(runs: int) -> None:
    import json

    samples = [
        json.loads(
            subprocess.run(
                [sys.executable, __file__, "--breakdown-once"],
                check=True,
                capture_output=True,
                text=True,
            ).stdout
        )
        for _ in range(runs)
    ]
    print(
        f"generate cookbook step by step, CPU time, median of {runs} processes "
        "(Python's own start-up not included)"
    )
    for index, label in enumerate(STEPS):
        median = statistics.median(sample[index] for sample in samples)
        print(f"  {label:50} {median:.3f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--breakdown", action="store_true", help="time each step")
    parser.add_argument("--breakdown-once", action="store_true", help=argparse.SUPPRESS)
    options = parser.parse_args()
    runs = options.runs
    if options.breakdown_once:
        return breakdown_once()
    if options.breakdown:
        return breakdown(runs)

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
