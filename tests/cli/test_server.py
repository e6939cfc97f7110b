"""``kitchenctl server start|stop|status`` through the real CLI."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cli.helpers import run_cli
from tests.fixtures.chef_servers import free_port, wait_until_answering

OTHER_PROFILES = '# my servers\n[default]\nclient_name = "me"  # keep this comment\n'


@pytest.fixture
def data_dir(tmp_path: Path) -> Iterator[Path]:
    """A data folder; whatever server runs on it is stopped afterwards."""
    folder = tmp_path / "server-data"
    yield folder
    run_cli("server", "stop", "--data", str(folder))


def _credentials(home: Path) -> Path:
    path = home / ".chef" / "credentials"
    path.parent.mkdir(exist_ok=True)
    path.write_text(OTHER_PROFILES)
    return path


def test_background_start_status_stop(isolated_home: Path, data_dir: Path) -> None:
    credentials = _credentials(isolated_home)
    port = str(free_port())

    started = run_cli(
        "--format",
        "json",
        "server",
        "start",
        "-b",
        "--port",
        port,
        "--data",
        str(data_dir),
    )
    status = run_cli("--format", "json", "server", "status", "--data", str(data_dir))
    stopped = run_cli("server", "stop", "--data", str(data_dir))
    after = run_cli("--format", "json", "server", "status", "--data", str(data_dir))

    assert started.exit_code == 0, started.stderr
    summary = json.loads(started.stdout)
    assert summary["url"] == f"http://127.0.0.1:{port}"
    assert summary["first_start"] is True
    assert summary["profile_change"] == "added"
    report = json.loads(status.stdout)
    assert report["running"] is True
    assert report["pid"] == summary["pid"]
    assert report["counts"]["client"] == 1
    assert report["counts"]["user"] == 1
    assert f"(pid {summary['pid']})" in stopped.stdout
    assert json.loads(after.stdout)["running"] is False

    # Keys are private; the other profile and its comments are untouched.
    for key in ("admin.pem", "kitchenctl-validator.pem"):
        assert (data_dir / key).stat().st_mode & 0o777 == 0o600
    text = credentials.read_text()
    assert text.startswith(OTHER_PROFILES)
    assert (
        f'chef_server_url = "http://127.0.0.1:{port}/organizations/kitchenctl"' in text
    )


def test_profile_follows_a_new_port_and_a_second_start_is_refused(
    isolated_home: Path, data_dir: Path
) -> None:
    credentials = _credentials(isolated_home)
    first_port, second_port = str(free_port()), str(free_port())
    run_cli("server", "start", "-b", "--port", first_port, "--data", str(data_dir))

    again = run_cli(
        "server", "start", "-b", "--port", second_port, "--data", str(data_dir)
    )
    run_cli("server", "stop", "--data", str(data_dir))
    restarted = run_cli(
        "server", "start", "-b", "--port", second_port, "--data", str(data_dir)
    )

    assert again.exit_code == 2
    assert "already runs" in again.stderr
    assert restarted.exit_code == 0, restarted.stderr
    assert "Admin key" not in restarted.stdout  # not the first start
    assert f"127.0.0.1:{second_port}/organizations" in credentials.read_text()


def test_a_foreign_local_profile_is_left_alone(
    isolated_home: Path, data_dir: Path
) -> None:
    credentials = _credentials(isolated_home)
    credentials.write_text(OTHER_PROFILES + '[local]\nclient_name = "other"\n')
    before = credentials.read_text()

    started = run_cli(
        "server", "start", "-b", "--port", str(free_port()), "--data", str(data_dir)
    )

    assert started.exit_code == 0
    assert "left as it is" in started.stderr
    assert credentials.read_text() == before


def test_non_loopback_host_needs_allow_remote(data_dir: Path) -> None:
    # 192.0.2.1 (TEST-NET-1) is never bound: the refusal comes first.
    result = run_cli("server", "start", "--host", "192.0.2.1", "--data", str(data_dir))

    assert result.exit_code == 2
    assert "--allow-remote" in result.stderr
    assert not data_dir.exists()


def test_stop_and_status_without_a_server(data_dir: Path) -> None:
    stopped = run_cli("server", "stop", "--data", str(data_dir))
    status = run_cli("server", "status", "--data", str(data_dir))

    assert stopped.exit_code == status.exit_code == 0
    assert "No server runs" in stopped.stdout
    assert "Running:          no" in status.stdout


def test_foreground_server_stops_on_ctrl_c(isolated_home: Path, tmp_path: Path) -> None:
    _credentials(isolated_home)
    port = free_port()
    command = [sys.executable, "-m", "kitchenctl", "server", "start"]
    command += ["--port", str(port), "--data", str(tmp_path / "fg")]
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        assert process.stdout is not None
        first_line = process.stdout.readline()
        assert first_line.startswith("Chef server listening on http://127.0.0.1:")
        assert (tmp_path / "fg" / "server.json").exists()
        # Signals sent once it answers reach uvicorn's handlers, not start-up code.
        wait_until_answering(
            f"http://127.0.0.1:{port}", process, tmp_path / "fg" / "server.log"
        )
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=15)

    assert process.returncode == 0
    assert not (tmp_path / "fg" / "server.json").exists()
    assert "Shutting down" in (tmp_path / "fg" / "server.log").read_text()


def test_after_kill_9_status_says_stopped_and_start_works(
    isolated_home: Path, data_dir: Path
) -> None:
    import os

    _credentials(isolated_home)
    port = str(free_port())
    started = run_cli(
        "--format",
        "json",
        "server",
        "start",
        "-b",
        "--port",
        port,
        "--data",
        str(data_dir),
    )
    pid = json.loads(started.stdout)["pid"]
    os.kill(pid, signal.SIGKILL)
    _wait_until_dead(pid)

    # The stale server.json is still there; the lock says nobody serves.
    assert (data_dir / "server.json").exists()
    status = run_cli("--format", "json", "server", "status", "--data", str(data_dir))
    restarted = run_cli(
        "server", "start", "-b", "--port", port, "--data", str(data_dir)
    )

    assert json.loads(status.stdout)["running"] is False
    assert restarted.exit_code == 0, restarted.stderr


def _wait_until_dead(pid: int) -> None:
    """Until the process is gone or a zombie (its locks are released by then)."""
    import time

    deadline = time.monotonic() + 10
    stat = Path(f"/proc/{pid}/stat")
    while time.monotonic() < deadline:
        try:
            if stat.read_text().rsplit(")", 1)[1].split()[0] == "Z":
                return
        except FileNotFoundError:
            return
        time.sleep(0.02)
    pytest.fail(f"pid {pid} still runs 10 s after SIGKILL")
