"""The bootstrap command's renderers: prefixed lines, the live view, the summary."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from rich.console import Console as RichConsole

from kitchenctl.bootstrap.fleet import FleetResult, HostResult
from kitchenctl.cli.bootstrap import LiveView, PrefixedLines, _show_summary
from kitchenctl.cli.console import Console, OutputFormat

RESULTS = (
    HostResult("web1", "web1", True, 1.234, "bootstrapped", Path("/logs/web1.log")),
    HostResult("db10", "db10", False, 0.5, "sudo on db10 refused the password"),
)


def test_prefixed_lines_pad_every_host_to_one_width(
    capsys: pytest.CaptureFixture[str],
) -> None:
    reporter = PrefixedLines(Console(), width=4)

    reporter.line("db", "-----> Installing")
    reporter.line("web1", "done")
    reporter.finished(RESULTS[1])

    assert capsys.readouterr().out.splitlines() == [
        "[db  ] -----> Installing",
        "[web1] done",
        "[db10] ERROR: sudo on db10 refused the password",
    ]


def test_live_view_shows_each_hosts_state_and_latest_line() -> None:
    console = Console()
    screen = io.StringIO()
    console.err = RichConsole(file=screen, force_terminal=True, width=100)
    view = LiveView(console, ["web1", "db10"])

    with view.live():
        view.started("web1", "web1")
        view.line("web1", "-----> Starting the first Chef Infra Client run...")
        view.started("db10", "db10")
        view.finished(RESULTS[1])

    final = screen.getvalue()
    assert "Starting the first Chef Infra Client run" in final
    assert "FAILED" in final
    assert "refused the password" in final


def test_summary_table_and_json(capsys: pytest.CaptureFixture[str]) -> None:
    result = FleetResult(RESULTS, Path("/logs"))

    _show_summary(Console(), result)
    human = capsys.readouterr().out
    _show_summary(Console(format=OutputFormat.json), result)
    machine = capsys.readouterr().out

    assert "web1" in human and "1.2" in human
    assert "FAILED: sudo on db10 refused the password" in human
    assert "Logs: /logs" in human
    assert '"seconds": 1.23' in machine
    assert '"log": "/logs/web1.log"' in machine
