"""kitchenctl bootstrap end to end: sshd hosts, a Chef server, the stand-in client.

A pass means the stand-in client, started by the bootstrap script on the host, read the
client.rb and client.pem it was given and made signed requests for its own node: the
identity and the run list arrived and work.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from kitchenctl.api import ChefServerAPI
from kitchenctl.signing import load_private_key
from tests.cli.helpers import Result, run_cli
from tests.fixtures.chef_servers import ChefServerHandle
from tests.fixtures.client_installer import ClientInstaller
from tests.fixtures.sshd import SSHDFactory, SSHServer

pytestmark = pytest.mark.sshd

Bootstrap = Callable[..., Result]


def admin_api(server: ChefServerHandle) -> ChefServerAPI:
    return ChefServerAPI(
        server_url=server.url,
        client_name=server.admin_name,
        key=load_private_key(server.admin_key.read_bytes()),
    )


def alias(home: Path, name: str, server: SSHServer, user: str) -> None:
    """An ~/.ssh/config entry naming the host, as a user with a fleet would have."""
    config = home / ".ssh" / "config"
    with config.open("a") as handle:
        handle.write(
            f"Host {name}\n  HostName {server.address}\n  Port {server.port}\n"
            f"  User {user}\n"
        )
    with (home / ".ssh" / "known_hosts").open("a") as handle:
        handle.write(server.known_hosts_line)


def standin_record(world: Path, node: str) -> dict[str, Any]:
    record: dict[str, Any] = json.loads(
        (world / "etc" / node / "standin-run.json").read_text()
    )
    return record


@pytest.fixture
def bootstrap(
    chef_profile: ChefServerHandle,
    client_installer: ClientInstaller,
    sshd_world: Path,
    tmp_path: Path,
) -> Bootstrap:
    """``kitchenctl bootstrap`` with the test installer, folders and a log folder."""

    def run(*args: str, options: tuple[str, ...] = ()) -> Result:
        return run_cli(
            *options,
            "bootstrap",
            "--bootstrap-url",
            client_installer.url,
            "--client-path",
            str(client_installer.client_path),
            "--config-dir",
            f"{sshd_world}/etc/{{node}}",
            "--log-dir",
            str(tmp_path / "logs"),
            *args,
        )

    return run


def test_one_host_with_key_auth_and_sudo(
    bootstrap: Bootstrap,
    sshd: SSHDFactory,
    isolated_home: Path,
    tmp_path: Path,
    sshd_world: Path,
    client_installer: ClientInstaller,
    chef_profile: ChefServerHandle,
    unique_name: str,
) -> None:
    server = sshd.start()
    alias(isolated_home, unique_name, server, "kctl-boot")

    api = admin_api(chef_profile)
    environment = f"{unique_name}-env"
    api.post("environments", {"name": environment, "json_class": "Chef::Environment"})
    attributes = tmp_path / "attributes.json"
    attributes.write_text('{"app": {"port": 8080}}')

    result = bootstrap(
        unique_name,
        "--sudo",
        "-r",
        "base,role[web]",
        "--tags",
        "blue",
        "-E",
        environment,
        "--json-attribute-file",
        str(attributes),
    )

    assert result.exit_code == 0, result.stdout + result.stderr
    record = standin_record(sshd_world, unique_name)
    assert record["uid"] == 0
    assert record["key_mode"] == "0o600"
    assert record["server_node"]["run_list"] == ["recipe[base]", "role[web]"]
    assert record["first_boot"]["run_list"] == ["base", "role[web]"]
    assert client_installer.installs() == ["cinc stable latest"]

    assert record["environment"] == environment
    node = api.get(f"nodes/{unique_name}")
    assert node["automatic"]["standin"] == {"converged": True}
    assert node["normal"] == {"app": {"port": 8080}, "tags": ["blue"]}
    assert node["chef_environment"] == environment
    assert f"[{unique_name}] Stand-in client: run complete" in result.stdout
    summary_row = [line for line in result.stdout.splitlines() if "│ ok" in line]
    assert len(summary_row) == 1 and unique_name in summary_row[0]


def test_password_auth_and_sudo_password_leave_no_secret_behind(
    bootstrap: Bootstrap,
    sshd: SSHDFactory,
    isolated_home: Path,
    sshd_world: Path,
    tmp_path: Path,
    unique_name: str,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    server = sshd.start()
    alias(isolated_home, unique_name, server, "kctl-sudopw")
    (isolated_home / ".ssh" / "id_ed25519").unlink()
    password = sshd.users.password
    # The SSH password serves sudo too, as knife's -P does.
    monkeypatch.setenv("KITCHENCTL_SSH_PASSWORD", password)
    caplog.set_level("DEBUG", logger="kitchenctl")

    result = bootstrap(
        unique_name, "--ssh-password", "--use-sudo-password", options=("-vv",)
    )

    assert result.exit_code == 0, result.stdout + result.stderr
    record = standin_record(sshd_world, unique_name)
    assert record["uid"] == 0
    key_body = (
        (sshd_world / "etc" / unique_name / "client.pem").read_text().splitlines()[1]
    )
    process_arguments = (
        sshd_world / "etc" / unique_name / "process-args.txt"
    ).read_text()
    host_log = (tmp_path / "logs" / f"{unique_name}.log").read_text()
    assert "sudo -S -p" in process_arguments  # the run was captured mid-flight
    for secret in (password, key_body):
        assert secret not in process_arguments
        assert secret not in host_log
        assert secret not in result.stdout + result.stderr
        assert secret not in caplog.text


def test_a_fleet_with_one_failing_host(
    bootstrap: Bootstrap,
    sshd: SSHDFactory,
    isolated_home: Path,
    sshd_world: Path,
    tmp_path: Path,
    unique_name: str,
) -> None:
    names = [f"{unique_name}-{number}" for number in range(3)]
    for name, server in zip(names, sshd.start_many(3), strict=True):
        alias(isolated_home, name, server, "kctl-boot")
    sshd.stop(sshd.servers[1])

    result = bootstrap(*names, "--sudo", "-r", "base", "--concurrency", "3")

    assert result.exit_code == 13
    assert f"1 of 3 hosts failed to bootstrap: {names[1]}" in result.stderr
    for name in (names[0], names[2]):
        assert standin_record(sshd_world, name)["server_node"]["name"] == name
        assert (tmp_path / "logs" / f"{name}.log").is_file()
    assert "cannot connect" in (tmp_path / "logs" / f"{names[1]}.log").read_text()
    # Every streamed line starts with its host name padded to the longest.
    width = max(len(name) for name in names)
    streamed = [line for line in result.stdout.splitlines() if line.startswith("[")]
    assert streamed
    assert all(line[width + 1] == "]" for line in streamed)


def test_existing_node_needs_yes_and_reuse_node_keeps_attributes(
    bootstrap: Bootstrap,
    sshd: SSHDFactory,
    isolated_home: Path,
    chef_profile: ChefServerHandle,
    unique_name: str,
) -> None:
    server = sshd.start()
    alias(isolated_home, unique_name, server, "kctl-boot")
    api = admin_api(chef_profile)
    api.post("nodes", {"name": unique_name, "normal": {"keep": "me"}, "run_list": []})

    refused = bootstrap(unique_name, "--sudo", "-r", "base")
    reused = bootstrap(unique_name, "--sudo", "--reuse-node", "-r", "base")

    assert refused.exit_code == 13
    assert f"Node {unique_name} exists, overwrite it? needs an answer" in (
        refused.stdout
    )
    assert reused.exit_code == 0, reused.stdout + reused.stderr
    node = api.get(f"nodes/{unique_name}")
    assert node["normal"]["keep"] == "me"
    assert node["run_list"] == ["recipe[base]"]

    replaced = run_cli("--yes", "bootstrap", "--dry-run", unique_name)
    assert replaced.exit_code == 0


def test_installs_only_when_the_version_differs(
    bootstrap: Bootstrap,
    sshd: SSHDFactory,
    isolated_home: Path,
    client_installer: ClientInstaller,
    unique_name: str,
) -> None:
    server = sshd.start()
    alias(isolated_home, unique_name, server, "kctl-boot")
    client_installer.preinstall("18.4.12")

    same = bootstrap(unique_name, "--sudo", "--bootstrap-version", "18.4", "--yes")
    newer = run_cli(
        "--yes",
        "bootstrap",
        unique_name,
        "--sudo",
        "--bootstrap-version",
        "18.5.1",
        "--bootstrap-url",
        client_installer.url,
        "--client-path",
        str(client_installer.client_path),
        "--config-dir",
        f"{client_installer.client_path.parent.parent}/etc/{{node}}",
    )

    assert same.exit_code == 0, same.stdout + same.stderr
    assert "Existing cinc client 18.4.12 satisfies version 18.4" in same.stdout
    assert newer.exit_code == 0, newer.stdout + newer.stderr
    assert client_installer.installs() == ["cinc stable 18.5.1"]


def test_jump_host_and_tty_sudo(
    bootstrap: Bootstrap,
    sshd: SSHDFactory,
    isolated_home: Path,
    sshd_world: Path,
    unique_name: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    gateway, inner = sshd.start(), sshd.start()
    alias(isolated_home, unique_name, inner, "kctl-tty")
    alias(isolated_home, "gateway", gateway, "kctl-boot")
    monkeypatch.setenv("KITCHENCTL_SUDO_PASSWORD", sshd.users.password)

    result = bootstrap(unique_name, "-G", "gateway", "--use-sudo-password")

    assert result.exit_code == 0, result.stdout + result.stderr
    assert standin_record(sshd_world, unique_name)["uid"] == 0
    assert "Accepted publickey for kctl-boot" in gateway.log


def test_unknown_host_key_fails_before_registration(
    bootstrap: Bootstrap,
    sshd: SSHDFactory,
    chef_profile: ChefServerHandle,
    unique_name: str,
) -> None:
    server = sshd.start()

    result = bootstrap(
        f"kctl-boot@{server.spec}",
        "-N",
        unique_name,
        "--sudo",
        options=("--format", "json"),
    )

    assert result.exit_code == 13
    [host] = json.loads(result.stdout)["hosts"]
    assert (host["node"], host["ok"]) == (unique_name, False)
    assert "is unknown" in host["message"]
    assert "--host-key-check accept-new" in host["message"]
    with pytest.raises(Exception, match="not found"):
        admin_api(chef_profile).get(f"clients/{unique_name}")


def test_a_failing_script_fails_the_host_and_is_still_removed(
    bootstrap: Bootstrap,
    sshd: SSHDFactory,
    isolated_home: Path,
    tmp_path: Path,
    unique_name: str,
) -> None:
    server = sshd.start()
    alias(isolated_home, unique_name, server, "kctl-boot")

    result = bootstrap(unique_name, "--bootstrap-preinstall-command", "exit 7")

    assert result.exit_code == 13
    log = (tmp_path / "logs" / f"{unique_name}.log").read_text()
    assert ">>>>>> the preinstall command failed" in log
    assert "ERROR: the bootstrap script exited with status 1" in log
    folder = log.split("Uploaded the bootstrap script to ")[1].split()[0]
    assert folder.startswith("/tmp/kitchenctl.")
    assert not Path(folder).exists()


def test_legacy_validator_mode_lets_the_first_run_register(
    sshd: SSHDFactory,
    isolated_home: Path,
    sshd_world: Path,
    client_installer: ClientInstaller,
    goiardi: ChefServerHandle,
    unique_name: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    server = sshd.start()
    alias(isolated_home, unique_name, server, "kctl-boot")
    validator = goiardi.admin_key.with_name("chef-validator.pem")
    credentials = tmp_path / "credentials"
    credentials.write_text(
        goiardi.credentials_file.read_text() + f'validation_key = "{validator}"\n'
    )
    monkeypatch.setenv("CHEF_CREDENTIALS_FILE", str(credentials))
    monkeypatch.setenv("CHEF_PROFILE", goiardi.profile)

    result = run_cli(
        "bootstrap",
        unique_name,
        "--sudo",
        "-r",
        "base",
        "--bootstrap-url",
        client_installer.url,
        "--client-path",
        str(client_installer.client_path),
        "--config-dir",
        f"{sshd_world}/etc/{{node}}",
    )

    assert result.exit_code == 0, result.stdout + result.stderr
    assert "Performing legacy client registration" in result.stderr
    record = standin_record(sshd_world, unique_name)
    assert record["registered_itself"] is True
    assert record["client_rb"]["validation_client_name"] == "chef-validator"
    assert record["server_node"]["run_list"] == ["recipe[base]"]
    config = sshd_world / "etc" / unique_name
    assert (config / "validation.pem").read_bytes() == validator.read_bytes()
