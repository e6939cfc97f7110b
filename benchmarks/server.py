"""Signed node GET and PUT throughput and p99 latency: embedded server vs goiardi.

Starts both servers on 127.0.0.1 in a temporary folder, creates one node per client,
then for 1, 8 and 32 concurrent clients runs signed ``GET /nodes/NAME`` and ``PUT
/nodes/NAME`` (each client its own node and keep-alive connection) for a fixed time.
Prints requests per second, p50 and p99 for each server, and the embedded server's
throughput as a ratio of goiardi's. Goals: ratio >= 0.5, embedded p99 < 50 ms at 32.

Clients are spread over worker processes so that client-side Python is not what is
measured. A signature is reused for one second (its timestamp's resolution) for the
same request, which keeps RSA signing off the client's hot path; the servers still
verify every request.

    .venv/bin/python benchmarks/server.py [--seconds 5] [--clients 1 8 32]
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import multiprocessing
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

from kitchenctl.signing import load_private_key, sign_headers

READY_SECONDS = 20.0
GOAL_RATIO = 0.5
GOAL_P99_MS = 50.0


@dataclass(frozen=True)
class Target:
    name: str
    url: str  # where /nodes lives
    user: str
    key: Path
    pid: int  # the server process, whose CPU time is read from /proc


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for(port: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + READY_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"server exited with {process.returncode}")
        with contextlib.suppress(OSError):
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        time.sleep(0.05)
    sys.exit(f"nothing listens on port {port} after {READY_SECONDS}s")


@contextlib.contextmanager
def embedded(folder: Path) -> Iterator[Target]:
    port = free_port()
    command = [sys.executable, "-m", "kitchenctl.server", "--data", str(folder)]
    command += ["--host", "127.0.0.1", "--port", str(port)]
    process = subprocess.Popen(command)
    try:
        wait_for(port, process)
        url = f"http://127.0.0.1:{port}/organizations/kitchenctl"
        yield Target("embedded", url, "admin", folder / "admin.pem", process.pid)
    finally:
        process.terminate()
        process.wait(timeout=10)


@contextlib.contextmanager
def goiardi(folder: Path) -> Iterator[Target]:
    binary = shutil.which("goiardi")
    if binary is None:
        sys.exit("goiardi is not installed (scripts/setup installs it)")
    for name in ("conf", "lfs"):
        (folder / name).mkdir(parents=True)
    port = free_port()
    command = [
        binary, "--use-auth", "-I", "127.0.0.1", "-P", str(port), "-H", "127.0.0.1",
        "--conf-root", str(folder / "conf"), "-D", str(folder / "data.bin"),
        "-i", str(folder / "index.bin"), "-L", str(folder / "lfs"),
        "-g", "error", "--log-file", str(folder / "goiardi.log"),
    ]  # fmt: skip
    process = subprocess.Popen(command)
    try:
        wait_for(port, process)
        url = f"http://127.0.0.1:{port}"
        key = folder / "conf" / "admin.pem"
        yield Target("goiardi", url, "admin", key, process.pid)
    finally:
        process.terminate()
        process.wait(timeout=10)


class Signer:
    """Signed headers, reused within the second their timestamp names."""

    def __init__(self, target: Target) -> None:
        self.target = target
        self.key = load_private_key(target.key.read_bytes())
        self.cache: dict[tuple[str, str, bytes], tuple[int, dict[str, str]]] = {}

    def headers(self, method: str, path: str, body: bytes) -> dict[str, str]:
        second = int(time.time())
        cached = self.cache.get((method, path, body))
        if cached is not None and cached[0] == second:
            return cached[1]
        headers = sign_headers(
            key=self.key,
            user_id=self.target.user,
            method=method,
            path=path,
            body=body,
            moment=datetime.fromtimestamp(second, UTC),
            protocol="1.3",
            server_api_version="1",
        )
        headers |= {
            "X-Ops-Server-API-Version": "1",
            "Accept": "application/json",
            "Content-Type": "application/json",
        }
        self.cache[(method, path, body)] = (second, headers)
        return headers


def node_body(name: str) -> bytes:
    node = {
        "name": name,
        "chef_type": "node",
        "json_class": "Chef::Node",
        "chef_environment": "_default",
        "run_list": ["recipe[base]", "recipe[web::default]", "role[frontend]"],
        "normal": {"tags": ["bench"], "app": {"port": 8080, "workers": 4}},
        "default": {},
        "override": {},
        "automatic": {"platform": "debian", "platform_version": "12"},
    }
    return json.dumps(node).encode()


def client_loop(
    target: Target, operation: str, names: list[str], seconds: float
) -> tuple[int, list[float], int]:
    """One process: a thread per node, each on its own connection, for ``seconds``."""
    parts = urlsplit(target.url)
    signer = Signer(target)
    lock = threading.Lock()
    latencies: list[float] = []
    errors = [0]
    deadline = time.monotonic() + seconds

    def run(name: str) -> None:
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        path = f"{parts.path}/nodes/{name}"
        body = node_body(name) if operation == "PUT" else b""
        mine: list[float] = []
        failed = 0
        while time.monotonic() < deadline:
            headers = signer.headers(operation, path, body)
            started = time.perf_counter()
            connection.request(operation, path, body=body or None, headers=headers)
            response = connection.getresponse()
            response.read()
            mine.append(time.perf_counter() - started)
            failed += response.status != 200
        with lock:
            latencies.extend(mine)
            errors[0] += failed

    threads = [threading.Thread(target=run, args=(name,)) for name in names]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return len(latencies), latencies, errors[0]


@dataclass(frozen=True)
class Measurement:
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    errors: int
    server_cpu_ms: float  # server CPU time per request


def measure(
    target: Target, operation: str, clients: int, seconds: float
) -> Measurement:
    processes = min(clients, os.cpu_count() or 1, 4)
    names = [f"bench-{number}" for number in range(clients)]
    shares = [names[start::processes] for start in range(processes)]
    with multiprocessing.get_context("spawn").Pool(processes) as pool:
        cpu_before = cpu_seconds(target.pid)
        results = pool.starmap(
            client_loop, [(target, operation, share, seconds) for share in shares]
        )
        cpu_used = cpu_seconds(target.pid) - cpu_before
    latencies = sorted(value for _, values, _ in results for value in values)
    errors = sum(failed for _, _, failed in results)
    p99_index = min(len(latencies) - 1, int(len(latencies) * 0.99))
    return Measurement(
        requests_per_second=len(latencies) / seconds,
        p50_ms=statistics.median(latencies) * 1000,
        p99_ms=latencies[p99_index] * 1000,
        errors=errors,
        server_cpu_ms=cpu_used * 1000 / max(1, len(latencies)),
    )


def create_nodes(target: Target, count: int) -> None:
    parts = urlsplit(target.url)
    signer = Signer(target)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    for number in range(count):
        body = node_body(f"bench-{number}")
        path = f"{parts.path}/nodes"
        connection.request(
            "POST", path, body=body, headers=signer.headers("POST", path, body)
        )
        response = connection.getresponse()
        response.read()
        if response.status not in (201, 409):
            sys.exit(f"{target.name}: creating a node answered {response.status}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 8, 32])
    options = parser.parse_args()

    results: dict[tuple[str, str, int], Measurement] = {}
    with (
        tempfile.TemporaryDirectory(prefix="kitchenctl-bench-") as scratch,
        embedded(Path(scratch) / "embedded") as ours,
        goiardi(Path(scratch) / "goiardi") as theirs,
    ):
        for target in (ours, theirs):
            create_nodes(target, max(options.clients))
        for operation in ("GET", "PUT"):
            for clients in options.clients:
                for target in (ours, theirs):
                    results[(target.name, operation, clients)] = measure(
                        target, operation, clients, options.seconds
                    )
    report(results, options.clients)


def report(
    results: dict[tuple[str, str, int], Measurement], clients: list[int]
) -> None:
    header = (
        f"{'op':<4} {'clients':>7} | {'embedded req/s':>14} {'p50 ms':>7} {'p99 ms':>7}"
        f" | {'goiardi req/s':>13} {'p50 ms':>7} {'p99 ms':>7} | {'ratio':>5}  goal"
    )
    print(header)
    print("-" * len(header))
    for operation in ("GET", "PUT"):
        for count in clients:
            ours = results[("embedded", operation, count)]
            theirs = results[("goiardi", operation, count)]
            ratio = ours.requests_per_second / theirs.requests_per_second
            met = ratio >= GOAL_RATIO and (count != 32 or ours.p99_ms < GOAL_P99_MS)
            print(
                f"{operation:<4} {count:>7} | {ours.requests_per_second:>14.0f} "
                f"{ours.p50_ms:>7.1f} {ours.p99_ms:>7.1f} | "
                f"{theirs.requests_per_second:>13.0f} {theirs.p50_ms:>7.1f} "
                f"{theirs.p99_ms:>7.1f} | {ratio:>5.2f}  {'met' if met else 'NOT met'}"
            )
            print(
                f"{'':<12} | server CPU per request: embedded "
                f"{ours.server_cpu_ms:.2f} ms, goiardi {theirs.server_cpu_ms:.2f} ms"
            )
            for name, measurement in (("embedded", ours), ("goiardi", theirs)):
                if measurement.errors:
                    print(f"     {name}: {measurement.errors} answers were not 200")


if __name__ == "__main__":
    main()
