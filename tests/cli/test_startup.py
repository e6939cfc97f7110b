"""What keeps ``kitchenctl --help`` fast: lazy groups, no heavy imports at startup."""

from __future__ import annotations

import importlib
import subprocess
import sys

import pytest
import typer

import kitchenctl.cli.commands  # noqa: F401 (registers the lazy groups)
from kitchenctl.cli.lazy import _LAZY_GROUPS
from tests.cli.helpers import run_cli

HEAVY = (
    "rich",
    "httpx",
    "cryptography",
    "tomllib",
    "paramiko",
    "kitchenctl.cli.node",
    "kitchenctl.cli.config",
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


@pytest.mark.parametrize("name", sorted(_LAZY_GROUPS))
def test_lazy_group_help_matches_the_group(name: str) -> None:
    group = _LAZY_GROUPS[name]
    app = importlib.import_module(group.module).app
    listed = run_cli("--help").stdout
    own_help = (
        typer.main.get_command(app).help if group.single_command else app.info.help
    )

    assert isinstance(own_help, str)
    assert own_help.splitlines()[0] == group.help
    assert f"  {name}" in listed and group.help in listed
