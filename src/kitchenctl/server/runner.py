"""Running a server on a data folder: serve in this process, start in the background,
stop, and report status.

A data folder holds everything: ``server.db`` (SQLite), ``files/`` (cookbook files by
checksum), the admin and validator keys, ``server.log``, and while a server runs,
``server.json`` (its pid and URL) and a lock on ``server.lock``. The lock, not the pid
file, says whether a server is running, so a server killed with ``kill -9`` never looks
alive.
"""

from __future__ import annotations

import contextlib
import fcntl
import ipaddress
import json
import logging
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import IO, TYPE_CHECKING

from kitchenctl.errors import ServerError, UsageError
from kitchenctl.fileutil import write_atomic
from kitchenctl.server import DEFAULT_ORG, DEFAULT_PORT
from kitchenctl.server.provision import Identities, key_paths, provision
from kitchenctl.server.store import count_objects

if TYPE_CHECKING:
    import uvicorn

log = logging.getLogger(__name__)

DEFAULT_HOST = "127.0.0.1"
START_DEADLINE_SECONDS = 20.0
STOP_DEADLINE_SECONDS = 10.0


def default_data_dir() -> Path:
    """``$XDG_DATA_HOME/kitchenctl/server`` (``~/.local/share`` when unset)."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "kitchenctl" / "server"


@dataclass(frozen=True)
class ServerPaths:
    """The files of one data folder."""

    data_dir: Path

    @property
    def database(self) -> Path:
        return self.data_dir / "server.db"

    @property
    def files(self) -> Path:
        return self.data_dir / "files"

    @property
    def log(self) -> Path:
        return self.data_dir / "server.log"

    @property
    def state(self) -> Path:
        return self.data_dir / "server.json"

    @property
    def lock(self) -> Path:
        return self.data_dir / "server.lock"


@dataclass(frozen=True)
class ServerStatus:
    """What ``server status`` reports."""

    running: bool
    data_dir: Path
    log_file: Path
    url: str | None = None
    pid: int | None = None
    organization_url: str | None = None
    counts: dict[str, int] = field(default_factory=dict)

    def as_json(self) -> dict[str, object]:
        return {
            "running": self.running,
            "url": self.url,
            "organization_url": self.organization_url,
            "pid": self.pid,
            "data_dir": str(self.data_dir),
            "log_file": str(self.log_file),
            "counts": self.counts,
        }


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_bind_address(host: str, *, allow_remote: bool) -> None:
    """Loopback unless the user explicitly allows other machines to connect."""
    if not is_loopback(host) and not allow_remote:
        raise UsageError(
            f"{host} is not a loopback address: other machines could reach the server",
            hint="pass --allow-remote to bind it anyway",
        )


def server_url(host: str, port: int) -> str:
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}"


# Whether a server runs on a folder: the lock says so.


def _try_lock(paths: ServerPaths) -> IO[bytes] | None:
    """The lock file, locked; None when a running server holds it."""
    # Only the owner reads the folder: it holds the admin and validator keys.
    paths.data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    handle = paths.lock.open("ab")
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        return None
    return handle


def is_running(paths: ServerPaths) -> bool:
    handle = _try_lock(paths)
    if handle is None:
        return True
    handle.close()
    return False


def _read_state(paths: ServerPaths) -> dict[str, object]:
    try:
        state = json.loads(paths.state.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return state if isinstance(state, dict) else {}


def status(data_dir: Path) -> ServerStatus:
    """Running or not, URL, pid and object counts; reads, never disturbs the server."""
    paths = ServerPaths(data_dir)
    counts = count_objects(paths.database) if paths.database.exists() else {}
    if not paths.data_dir.exists() or not is_running(paths):
        return ServerStatus(False, data_dir, paths.log, counts=counts)
    state = _read_state(paths)
    url = str(state["url"]) if "url" in state else None
    pid = state.get("pid")
    return ServerStatus(
        True,
        data_dir,
        paths.log,
        url=url,
        pid=pid if isinstance(pid, int) else None,
        organization_url=f"{url}/organizations/{DEFAULT_ORG}" if url else None,
        counts=counts,
    )


def identities(data_dir: Path) -> Identities:
    """The actors a data folder's server was set up with (after its first start)."""
    from kitchenctl.server import ADMIN_USER, VALIDATOR_CLIENT

    admin_key, validator_key = key_paths(data_dir)
    return Identities(
        DEFAULT_ORG, ADMIN_USER, admin_key, VALIDATOR_CLIENT, validator_key, False
    )


# Serving in this process.


def configure_logging(paths: ServerPaths, level: int = logging.INFO) -> None:
    """Send the server's and uvicorn's log to ``server.log``; entry points call this."""
    paths.data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    handler = logging.FileHandler(paths.log, encoding="utf-8")
    handler.setFormatter(
        logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    )
    for name in ("kitchenctl", "uvicorn"):
        logger = logging.getLogger(name)
        logger.addHandler(handler)
        logger.setLevel(level)


@contextlib.contextmanager
def _held_lock(paths: ServerPaths) -> Iterator[None]:
    handle = _try_lock(paths)
    if handle is None:
        state = _read_state(paths)
        raise UsageError(
            f"a server already runs on {paths.data_dir} ({state.get('url', '?')}, "
            f"pid {state.get('pid', '?')})",
            hint="stop it with 'kitchenctl server stop', or pass another --data",
        )
    try:
        yield
    finally:
        handle.close()


def _listen(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP, not 0: asyncio sets TCP_NODELAY only on sockets that say they are
    # TCP, and without it every keep-alive answer waits ~40 ms for a delayed ACK.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise ServerError(
            f"cannot listen on {host}:{port}: {exc.strerror}",
            hint="choose another --port, or stop what uses this one",
        ) from exc
    sock.listen(1024)
    sock.set_inheritable(True)
    return sock


def serve(
    data_dir: Path,
    *,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    on_ready: Callable[[Identities, str], None] | None = None,
) -> None:
    """Serve the Chef API from ``data_dir`` until SIGINT or SIGTERM.

    The first start creates the organisation's actors and keys. ``on_ready`` is called
    once the port is bound, with the identities and the URL. Raises UsageError when a
    server already runs on the folder, ServerError when the port cannot be bound.
    """
    import uvicorn

    from kitchenctl.server.app import ServerState, collapse_slashes, create_app
    from kitchenctl.server.auth import Authenticator
    from kitchenctl.server.store import Store

    paths = ServerPaths(data_dir)
    with _held_lock(paths):
        store = Store(paths.database)
        try:
            actors = provision(store, paths.data_dir)
            app = create_app(ServerState(store, Authenticator(store), paths.files))
            sock = _listen(host, port)
            url = server_url(host, sock.getsockname()[1])
            state = {"pid": os.getpid(), "url": url, "host": host, "port": port}
            write_atomic(paths.state, json.dumps(state))
            log.info("serving %s from %s (pid %s)", url, data_dir, os.getpid())
            if on_ready is not None:
                on_ready(actors, url)

            config = uvicorn.Config(
                collapse_slashes(app),
                http="httptools",
                log_config=None,
                access_log=False,
                lifespan="off",
                server_header=False,
                timeout_graceful_shutdown=5,
            )
            _server_class()(config).run(sockets=[sock])
        finally:
            paths.state.unlink(missing_ok=True)
            store.close()
            log.info("stopped")


def _server_class() -> type[uvicorn.Server]:
    import uvicorn

    class Server(uvicorn.Server):
        """Returns after SIGINT or SIGTERM instead of re-raising the signal.

        uvicorn re-raises the signal once shut down, which would kill the process
        before ``serve`` cleans up; a requested stop is a success (exit code 0).
        """

        def handle_exit(self, sig: int, frame: FrameType | None) -> None:
            super().handle_exit(sig, frame)
            self._captured_signals.clear()

    return Server


# Background servers.


def start_background(
    data_dir: Path,
    *,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    deadline_seconds: float = START_DEADLINE_SECONDS,
) -> ServerStatus:
    """Start ``python -m kitchenctl.server`` detached; return once it listens.

    Raises UsageError when a server already runs on the folder, ServerError when the
    new one exits or does not listen before the deadline (its log says why).
    """
    paths = ServerPaths(data_dir)
    if is_running(paths):
        with _held_lock(paths):
            pass  # raises the "already runs" error with the URL and pid

    command = [
        sys.executable,
        "-m",
        "kitchenctl.server",
        "--data",
        str(data_dir),
        "--host",
        host,
        "--port",
        str(port),
    ]
    paths.data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    with paths.log.open("ab") as log_handle:
        process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=log_handle,
            stderr=log_handle,
            start_new_session=True,
        )
    return _wait_until_listening(paths, process, deadline_seconds)


def _wait_until_listening(
    paths: ServerPaths, process: subprocess.Popen[bytes], deadline_seconds: float
) -> ServerStatus:
    deadline = time.monotonic() + deadline_seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ServerError(
                f"the server exited ({process.returncode}): {_last_line(paths)}",
                hint=f"see {paths.log}",
            )
        if _read_state(paths).get("pid") == process.pid:
            return status(paths.data_dir)
        time.sleep(0.05)
    raise ServerError(
        f"the server did not listen within {deadline_seconds:.0f}s",
        hint=f"see {paths.log}",
    )


def _last_line(paths: ServerPaths) -> str:
    try:
        lines = paths.log.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return "(no log)"
    return lines[-1] if lines else "(empty log)"


def stop(
    data_dir: Path, *, deadline_seconds: float = STOP_DEADLINE_SECONDS
) -> int | None:
    """Stop the server on ``data_dir``: SIGTERM, then SIGKILL at the deadline.

    Returns the pid that was stopped, or None when no server was running.
    """
    paths = ServerPaths(data_dir)
    if not paths.data_dir.exists() or not is_running(paths):
        return None
    pid = _read_state(paths).get("pid")
    if not isinstance(pid, int):
        raise ServerError(
            f"a server holds {paths.lock} but {paths.state} names no pid",
            hint="stop the process that holds the lock",
        )

    _signal(pid, signal.SIGTERM)
    if _wait_until_stopped(paths, deadline_seconds):
        return pid
    log.warning("pid %s ignored SIGTERM; sending SIGKILL", pid)
    _signal(pid, signal.SIGKILL)
    if not _wait_until_stopped(paths, deadline_seconds):
        raise ServerError(f"the server (pid {pid}) did not stop")
    return pid


def _signal(pid: int, number: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, number)


def _wait_until_stopped(paths: ServerPaths, deadline_seconds: float) -> bool:
    deadline = time.monotonic() + deadline_seconds
    while time.monotonic() < deadline:
        if not is_running(paths):
            return True
        time.sleep(0.05)
    return False
