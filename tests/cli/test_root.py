from __future__ import annotations

from kitchenctl import __version__
from tests.cli.helpers import run_cli


def test_version_flag_names_the_protocols() -> None:
    result = run_cli("--version")

    assert result.exit_code == 0
    assert f"kitchenctl version: {__version__}" in result.stdout
    assert "1.0, 1.1, 1.3" in result.stdout


def test_version_command_matches_the_flag() -> None:
    assert run_cli("version").stdout == run_cli("--version").stdout


def test_unknown_command_is_a_usage_error() -> None:
    result = run_cli("no-such-command")

    assert result.exit_code == 2
    assert "No such command" in result.stderr
    assert "Traceback" not in result.stderr
