"""Benchmark ``kitchenctl bootstrap``: 32 hosts against 1, and against pyinfra.

Run as root from the repository (it creates the sshd test users, as the tests do):

    .venv/bin/python benchmarks/bootstrap.py [--hosts 32] [--repeat 3] [--no-pyinfra]
        [--server goiardi|embedded]

What it starts, all on loopback: N sshd processes (tests/fixtures/sshd.py), one Chef
server (tests/fixtures/chef_servers.py: ``--server goiardi`` or ``embedded``). Every
host is the same machine, so the "client" is a small shell stand-in that reports
version 1.0.0 (already installed: no download) and reads its client.rb: the figures
measure kitchenctl's orchestration (SSH, sudo, registration, upload, run, removal), not
a Chef run.

Measured, each the median of ``--repeat`` runs of the real ``kitchenctl`` command:

1. validatorless, 1 host, then N hosts (goal: N within 1.5x of 1);
2. legacy validator mode (no server calls: SSH orchestration alone), 1 host and N
   hosts, and pyinfra 3 uploading and running the same rendered scripts on the same
   N hosts with sudo (goal: kitchenctl faster).

pyinfra is installed into a throwaway virtualenv under /tmp (never a project
dependency): ``python3 -m venv /tmp/kitchenctl-bench-pyinfra && .../pip install
pyinfra``. The script does it itself when the folder is missing.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.fixtures.chef_servers import SERVER_FACTORIES, ChefServerHandle  # noqa: E402
from tests.fixtures.sshd import (  # noqa: E402
    SSHDFactory,
    SSHServer,
    make_key_pair,
    prepare_machine,
)

from kitchenctl.bootstrap.script import (  # noqa: E402
    Installer,
    ScriptSettings,
    first_boot_attributes,
    render,
)

KITCHENCTL = ROOT / ".venv" / "bin" / "kitchenctl"
# A throwaway virtualenv, never a project dependency (S108: a fixed, documented path).
PYINFRA_VENV = Path("/tmp/kitchenctl-bench-pyinfra")  # noqa: S108
CLIENT_VERSION = "1.0.0"
STANDIN = f"""#!/bin/sh
if [ "$1" = --version ]; then echo "Bench Client: {CLIENT_VERSION}"; exit 0; fi
cat "$2" > /dev/null && echo "bench client: converged"
"""


class Bench:
    """The hosts, the server and a private HOME for one benchmark session."""

    def __init__(self, root: Path, server: ChefServerHandle, hosts: list[SSHServer]):
        self.root = root
        self.server = server
        self.hosts = hosts
        self.home = root / "home"
        self.names = [f"bench{number:02d}" for number in range(len(hosts))]
        self.client = root / "world" / "bin" / "client"
        self.validation_key = root / "validator.pem"

    def environment(self, *, validator: bool) -> dict[str, str]:
        credentials = self.root / ("credentials-validator" if validator else "")
        if not validator:
            credentials = self.server.credentials_file
        return os.environ | {
            "HOME": str(self.home),
            "CHEF_CREDENTIALS_FILE": str(credentials),
            "CHEF_PROFILE": self.server.profile,
            "NO_COLOR": "1",
        }

    def kitchenctl(self, count: int, *, validator: bool) -> float:
        command = [
            str(KITCHENCTL),
            "bootstrap",
            "--yes",
            "--quiet",
            "--sudo",
            "--bootstrap-version",
            CLIENT_VERSION,
            "--client-path",
            str(self.client),
            "--config-dir",
            f"{self.root}/world/etc/{{node}}",
            "--log-dir",
            str(self.root / "logs"),
            "-r",
            "base",
            *self.names[:count],
        ]
        return _timed(command, self.environment(validator=validator))

    def pyinfra(self, count: int) -> float:
        scripts = self.root / "pyinfra-scripts"
        scripts.mkdir(exist_ok=True)
        for name in self.names[:count]:
            (scripts / f"{name}.sh").write_text(self.script_for(name))
        inventory = self.root / "inventory.py"
        inventory.write_text(_pyinfra_inventory(self, count))
        deploy = self.root / "deploy.py"
        deploy.write_text(_pyinfra_deploy(scripts))
        command = [
            str(PYINFRA_VENV / "bin" / "pyinfra"),
            "-y",
            "--no-wait",
            "--parallel",
            str(count),
            str(inventory),
            str(deploy),
        ]
        etc = self.root / "world" / "etc"
        for old in etc.glob("*/client.rb"):
            old.unlink()
        elapsed = _timed(command, self.environment(validator=True))

        # pyinfra can exit 0 with every operation failed; check the work was done.
        missing = [
            n for n in self.names[:count] if not (etc / n / "client.rb").exists()
        ]
        if missing:
            raise SystemExit(f"pyinfra did not bootstrap {', '.join(missing)}")
        return elapsed

    def script_for(self, name: str) -> str:
        """The script kitchenctl renders for ``name`` in validator mode."""
        settings = ScriptSettings(
            node_name=name,
            chef_server_url=self.server.url,
            first_boot=first_boot_attributes(
                attributes={},
                run_list=["base"],
                tags=[],
                policy_name=None,
                policy_group=None,
            ),
            validation_key=self.validation_key.read_text(),
            validation_client_name="chef-validator",
            config_dir=f"{self.root}/world/etc/{name}",
            client=str(self.client),
            installer=Installer(version=CLIENT_VERSION),
        )
        return render(settings).text


def _timed(command: list[str], environment: dict[str, str]) -> float:
    started = time.perf_counter()
    result = subprocess.run(command, env=environment, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(
            f"{' '.join(command[:2])} failed ({result.returncode}):\n"
            f"{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
        )
    return elapsed


def _pyinfra_inventory(bench: Bench, count: int) -> str:
    key = bench.home / ".ssh" / "id_ed25519"
    hosts = [
        (
            name,
            {
                "ssh_hostname": server.address,
                "ssh_port": server.port,
                "ssh_user": "kctl-boot",
                "ssh_key": str(key),
                "ssh_known_hosts_file": str(bench.home / ".ssh" / "known_hosts"),
            },
        )
        for name, server in zip(bench.names[:count], bench.hosts, strict=False)
    ]
    # pyinfra wants (name, data) tuples: repr, not JSON, which would make lists.
    return f"hosts = {hosts!r}\n"


def _pyinfra_deploy(scripts: Path) -> str:
    return f"""
from pyinfra import host
from pyinfra.operations import files, server

remote = f"/tmp/kitchenctl-bench-{{host.name}}.sh"
files.put(src=f"{scripts}/{{host.name}}.sh", dest=remote, mode="600")
server.shell(commands=[f"sh {{remote}}"], _sudo=True)
files.file(path=remote, present=False)
"""


def _ensure_pyinfra() -> None:
    if (PYINFRA_VENV / "bin" / "pyinfra").exists():
        return
    subprocess.run([sys.executable, "-m", "venv", str(PYINFRA_VENV)], check=True)
    pip = PYINFRA_VENV / "bin" / "pip"
    subprocess.run([str(pip), "install", "--quiet", "pyinfra"], check=True)


@contextmanager
def bench_session(host_count: int, server_name: str = "goiardi") -> Iterator[Bench]:
    users = prepare_machine()
    with ExitStack() as stack:
        root = Path(tempfile.mkdtemp(prefix="kitchenctl-bench-"))
        root.chmod(0o755)
        world = root / "world"
        (world / "bin").mkdir(parents=True)
        world.chmod(0o777)
        (world / "etc").mkdir(mode=0o777)
        (world / "etc").chmod(0o777)

        home = root / "home"
        client_key = make_key_pair(home / ".ssh" / "id_ed25519")
        server = stack.enter_context(SERVER_FACTORIES[server_name](root / "server"))
        factory = SSHDFactory(world, users, client_key)
        stack.callback(factory.stop_all)
        hosts = factory.start_many(host_count)

        bench = Bench(root, server, hosts)
        bench.client.write_text(STANDIN)
        bench.client.chmod(0o755)
        _write_ssh_config(bench)
        _write_validator_profile(bench)
        yield bench


def _write_ssh_config(bench: Bench) -> None:
    ssh = bench.home / ".ssh"
    config = "".join(
        f"Host {name}\n  HostName {server.address}\n  Port {server.port}\n"
        "  User kctl-boot\n"
        for name, server in zip(bench.names, bench.hosts, strict=True)
    )
    (ssh / "config").write_text(config)
    (ssh / "known_hosts").write_text(
        "".join(server.known_hosts_line for server in bench.hosts)
    )


def _write_validator_profile(bench: Bench) -> None:
    """The server's profile plus validation_key: kitchenctl's legacy mode.

    Nothing registers with it here (the bench client is a shell script), so any RSA
    key does; it only travels in the script, as a real validator key would.
    """
    from kitchenctl.bootstrap.registration import generate_private_key

    bench.validation_key.write_text(generate_private_key()[0])
    text = bench.server.credentials_file.read_text()
    text += f'validation_key = "{bench.validation_key}"\n'
    (bench.root / "credentials-validator").write_text(text)


def median(runs: list[float]) -> float:
    return statistics.median(runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--hosts", type=int, default=32)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-pyinfra", action="store_true")
    parser.add_argument("--server", choices=sorted(SERVER_FACTORIES), default="goiardi")
    options = parser.parse_args()
    if not options.no_pyinfra:
        _ensure_pyinfra()
    count = options.hosts

    with bench_session(count, options.server) as bench:
        # One warm-up run, so page cache and sshd's first forks do not count.
        bench.kitchenctl(1, validator=False)
        print(
            f"server: {options.server}; load average before: {os.getloadavg()[0]:.1f}"
        )

        # Interleaved, so a burst of load elsewhere hits both sides alike.
        one, many = [], []
        for _ in range(options.repeat):
            one.append(bench.kitchenctl(1, validator=False))
            many.append(bench.kitchenctl(count, validator=False))
        report("validatorless, 1 host", one)
        report(f"validatorless, {count} hosts", many)
        print(f"ratio {count}/1: {median(many) / median(one):.2f} (goal <= 1.5)")

        # Validator mode makes no server calls: SSH orchestration alone.
        alone, ours, theirs = [], [], []
        for _ in range(options.repeat):
            alone.append(bench.kitchenctl(1, validator=True))
            ours.append(bench.kitchenctl(count, validator=True))
            if not options.no_pyinfra:
                theirs.append(bench.pyinfra(count))
        report("kitchenctl, validator mode, 1 host", alone)
        report(f"kitchenctl, validator mode, {count} hosts", ours)
        print(f"ratio {count}/1: {median(ours) / median(alone):.2f} (goal <= 1.5)")
        if theirs:
            report(f"pyinfra, same scripts, {count} hosts", theirs)
            ratio = median(theirs) / median(ours)
            print(f"pyinfra / kitchenctl: {ratio:.2f} (goal > 1)")
        print(f"load average after: {os.getloadavg()[0]:.1f}")


def report(label: str, runs: list[float]) -> None:
    figures = ", ".join(f"{run:.2f}" for run in runs)
    print(f"{label:42} median {median(runs):6.2f} s  ({figures})")


if __name__ == "__main__":
    main()
