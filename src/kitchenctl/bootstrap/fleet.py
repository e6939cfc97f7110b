"""Bootstrap many hosts at once: a bounded pool, one narrative per host, failures kept.

Per host, in knife's order: connect and check sudo, register the client and node, then
upload the script to a private folder, run it and always remove it. A host's failure is
recorded in its HostResult and never stops the others;
``FleetResult.raise_for_failures`` turns them into one BootstrapFailed naming them all.

Every line a host produces goes to its log file (one per host in ``log_dir``) and to the
Reporter, which the CLI renders; this module never prints.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Protocol, TextIO

from kitchenctl.bootstrap.registration import Identity
from kitchenctl.bootstrap.script import ScriptSettings, render
from kitchenctl.bootstrap.ssh import (
    ConnectOptions,
    HostAddress,
    Privilege,
    Session,
    connect,
    resolve_target,
)
from kitchenctl.errors import BootstrapFailed, KitchenctlError, UsageError

logger = logging.getLogger(__name__)

MAX_DEFAULT_CONCURRENCY = 32

# Registers node NAME and returns its client's identity (validatorless mode). Called
# from several threads at once; questions it asks must be serialised by the caller.
Registrar = Callable[[str], Identity]


class Reporter(Protocol):
    """Gets progress from every host's thread: implementations must be thread-safe."""

    def started(self, host: str, node_name: str) -> None: ...

    def line(self, host: str, text: str) -> None: ...

    def finished(self, result: HostResult) -> None: ...


class SilentReporter:
    def started(self, host: str, node_name: str) -> None:
        pass

    def line(self, host: str, text: str) -> None:
        pass

    def finished(self, result: HostResult) -> None:
        pass


@dataclass(frozen=True)
class HostResult:
    host: str
    node_name: str
    ok: bool
    seconds: float
    message: str
    log_file: Path | None = None


@dataclass(frozen=True)
class FleetResult:
    results: tuple[HostResult, ...]
    log_dir: Path | None = None

    @property
    def failed(self) -> tuple[HostResult, ...]:
        return tuple(result for result in self.results if not result.ok)

    def raise_for_failures(self) -> None:
        """Raise BootstrapFailed naming every failed host, if any failed."""
        if not self.failed:
            return
        names = ", ".join(result.host for result in self.failed)
        where = f"; logs in {self.log_dir}" if self.log_dir else ""
        raise BootstrapFailed(
            f"{len(self.failed)} of {len(self.results)} hosts failed to bootstrap: "
            f"{names}",
            hint=f"see the summary above{where}, fix the cause and bootstrap them "
            "again (--reuse-node keeps their nodes)",
        )


@dataclass(frozen=True)
class BootstrapPlan:
    """One bootstrap run. ``script`` is shared: node name and key are set per host."""

    hosts: tuple[HostAddress, ...]
    script: ScriptSettings
    connect: ConnectOptions = field(default_factory=ConnectOptions)
    privilege: Privilege = field(default_factory=Privilege)
    node_name: str | None = None
    concurrency: int | None = None
    log_dir: Path | None = None

    def node_names(self) -> list[str]:
        """``-N`` for one host, else each host's name; raise UsageError on clashes."""
        if self.node_name and len(self.hosts) > 1:
            raise UsageError(
                "--node-name names one node, but several hosts were given",
                hint="leave -N out: each host's name becomes its node name",
            )
        names = [self.node_name or address.host for address in self.hosts]
        duplicates = sorted({name for name in names if names.count(name) > 1})
        if duplicates:
            raise UsageError(
                f"several hosts would become node {duplicates[0]}",
                hint="give each host its own name (an alias in ~/.ssh/config works)",
            )
        return names

    def pool_size(self) -> int:
        if self.concurrency is not None:
            return max(1, self.concurrency)
        return max(1, min(MAX_DEFAULT_CONCURRENCY, len(self.hosts)))


def bootstrap_fleet(
    plan: BootstrapPlan,
    *,
    registrar: Registrar | None,
    reporter: Reporter | None = None,
) -> FleetResult:
    """Bootstrap every host of ``plan`` on a pool of ``plan.pool_size()`` threads.

    ``registrar`` is None in legacy validator mode (the script carries the validation
    key). Returns one HostResult per host, in the order given; only usage errors (a
    node name clash) raise.
    """
    names = plan.node_names()
    reporter = reporter or SilentReporter()
    if plan.log_dir is not None:
        plan.log_dir.mkdir(parents=True, exist_ok=True)

    runner = _HostRunner(plan, registrar, reporter)
    with ThreadPoolExecutor(plan.pool_size(), thread_name_prefix="bootstrap") as pool:
        futures = [
            pool.submit(runner.run, address, name)
            for address, name in zip(plan.hosts, names, strict=True)
        ]
        results = tuple(future.result() for future in futures)
    return FleetResult(results, plan.log_dir)


class _HostRunner:
    def __init__(
        self, plan: BootstrapPlan, registrar: Registrar | None, reporter: Reporter
    ) -> None:
        self._plan = plan
        self._registrar = registrar
        self._reporter = reporter

    def run(self, address: HostAddress, node_name: str) -> HostResult:
        host = address.host
        started = time.monotonic()
        log_file = self._log_path(host)
        self._reporter.started(host, node_name)

        with _HostLog(log_file) as log:

            def emit(text: str) -> None:
                log.write(text)
                self._reporter.line(host, text)

            try:
                self._bootstrap(address, node_name, emit)
                ok, message = True, "bootstrapped"
            except KitchenctlError as error:
                ok, message = False, str(error)
                log.write(f"ERROR: {message}")
                logger.info("%s: %s", host, message)

        result = HostResult(
            host, node_name, ok, time.monotonic() - started, message, log_file
        )
        self._reporter.finished(result)
        return result

    def _log_path(self, host: str) -> Path | None:
        if self._plan.log_dir is None:
            return None
        safe = "".join(
            char if char.isalnum() or char in ".-_" else "_" for char in host
        )
        return self._plan.log_dir / f"{safe}.log"

    def _bootstrap(
        self, address: HostAddress, node_name: str, emit: Callable[[str], None]
    ) -> None:
        plan = self._plan
        target = resolve_target(address, plan.connect)

        emit(f"Connecting to {target.hostname} port {target.port} as {target.user}")
        with connect(target, plan.connect) as session:
            # Sudo is proven before anything exists on the server.
            privilege = session.check_sudo(plan.privilege)
            settings = self._settings_for(node_name, emit)
            script = render(settings)
            emit(f"Bootstrapping {address.host}")
            _upload_run_remove(session, script.text, privilege, emit)

    def _settings_for(
        self, node_name: str, emit: Callable[[str], None]
    ) -> ScriptSettings:
        settings = replace(self._plan.script, node_name=node_name)
        if self._registrar is None:
            emit("Using the validation key: the first run registers the client")
            return settings
        emit(f"Creating client and node {node_name}")
        identity = self._registrar(node_name)
        return replace(settings, client_key=identity.private_key)


def _upload_run_remove(
    session: Session, script: str, privilege: Privilege, emit: Callable[[str], None]
) -> None:
    folder = session.upload_script(script)
    emit(f"Uploaded the bootstrap script to {folder}")
    try:
        status, _ = session.run(
            f"sh {folder}/bootstrap.sh", privilege=privilege, on_line=emit
        )
    finally:
        session.remove_folder(folder, privilege)
    if status != 0:
        raise BootstrapFailed(f"the bootstrap script exited with status {status}")


class _HostLog:
    """A host's full log, line-buffered; a no-op without a log folder."""

    def __init__(self, path: Path | None) -> None:
        self._path = path
        self._handle: TextIO | None = None

    def __enter__(self) -> _HostLog:
        if self._path is not None:
            self._handle = self._path.open("w", encoding="utf-8", buffering=1)
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._handle is not None:
            self._handle.close()

    def write(self, text: str) -> None:
        if self._handle is not None:
            self._handle.write(text + "\n")


def parse_hosts(texts: Sequence[str]) -> tuple[HostAddress, ...]:
    """Hosts as typed on the command line; raise UsageError when there are none."""
    from kitchenctl.bootstrap.ssh import parse_address

    if not texts:
        raise UsageError("no host given", hint="kitchenctl bootstrap [USER@]HOST...")
    return tuple(parse_address(text) for text in texts)
