"""What keeps ``kitchenctl --help`` fast: lazy groups, no heavy imports at startup."""

from __future__ import annotations

import subprocess
import sys

import pytest

from kitchenctl.cli.commands import build_app
from kitchenctl.cli.lazy import LazyEntry, lazy_entries, load
from tests.cli.helpers import run_cli

HEAVY = (
    "rich",
    "httpx",
    "cryptography",
    "tomllib",
    "paramiko",
    "cookiecutter",
    "kitchenctl.cli.node",
    "kitchenctl.cli.config",
    "kitchenctl.cli.cookbook",
    "kitchenctl.cli.generate",
    "kitchenctl.cli.bootstrap",
)


@pytest.mark.parametrize("arguments", [["--help"], ["--version"]])
def test_startup_imports_nothing_heavy(arguments: list[str]) -> None:
    probe = (
        "import sys\n"
        "from kitchenctl.cli.main import main\n"
        f"sys.argv = ['kitchenctl', *{arguments!r}]\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        f"loaded = [m for m in {HEAVY!r} if m in sys.modules]\n"
        "sys.stderr.write(repr(loaded))\n"
    )
    completed = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )

    assert completed.stderr == "[]"


build_app()


@pytest.mark.parametrize("entry", lazy_entries(), ids=lambda entry: entry.name)
def test_listed_help_matches_the_command(entry: LazyEntry) -> None:
    command = load(entry)
    listed = run_cli("--help").stdout

    assert command.help.strip().splitlines()[0] == entry.help
    assert f"  {entry.name}" in listed
    assert entry.help[:40] in listed


@pytest.mark.parametrize("name", ["node", "cookbook", "generate"])
def test_group_help_is_plain_and_has_no_completion_options(name: str) -> None:
    result = run_cli(name, "--help")

    assert result.exit_code == 0
    assert result.stdout.startswith(f"Usage: kitchenctl {name} [OPTIONS] COMMAND")
    assert "--install-completion" not in result.stdout
    assert "─" not in result.stdout
