"""kitchenctl.bootstrap.ssh against real sshd processes."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import pytest

from kitchenctl.bootstrap.ssh import (
    ConnectOptions,
    HostKeyCheck,
    Privilege,
    connect,
    parse_address,
    resolve_target,
)
from kitchenctl.errors import HostKeyError, SSHError
from tests.fixtures.sshd import KeyPair, SSHDFactory, SSHServer

pytestmark = pytest.mark.sshd


def trust(server: SSHServer, home: Path) -> None:
    known_hosts = home / ".ssh" / "known_hosts"
    known_hosts.parent.mkdir(exist_ok=True)
    with known_hosts.open("a") as handle:
        handle.write(server.known_hosts_line)


def options(**overrides: object) -> ConnectOptions:
    defaults: dict[str, object] = {"attempts": 1, "retry_delay": 0.1}
    return ConnectOptions(**(defaults | overrides))  # type: ignore[arg-type]


def run(server: SSHServer, user: str, command: str, **connect: object) -> str:
    target = resolve_target(parse_address(f"{user}@{server.spec}"), options(**connect))
    with connect_to(target, options(**connect)) as session:
        status, output = session.run(command)
    assert status == 0, output
    return output


connect_to = connect


def test_key_authentication_runs_a_command(
    sshd: SSHDFactory, isolated_home: Path
) -> None:
    server = sshd.start()
    trust(server, isolated_home)

    assert run(server, "kctl-boot", "id -un; echo to-stderr >&2") == (
        "kctl-boot\nto-stderr"
    )


def test_password_authentication_without_keys(
    sshd: SSHDFactory, isolated_home: Path
) -> None:
    server = sshd.start()
    trust(server, isolated_home)
    (isolated_home / ".ssh" / "id_ed25519").unlink()

    output = run(server, "kctl-sudopw", "id -un", password=sshd.users.password)

    assert output == "kctl-sudopw"


def test_wrong_password_is_an_ssh_error_naming_the_user(
    sshd: SSHDFactory, isolated_home: Path
) -> None:
    server = sshd.start()
    trust(server, isolated_home)
    (isolated_home / ".ssh" / "id_ed25519").unlink()

    with pytest.raises(SSHError, match="authentication as kctl-boot@") as caught:
        run(server, "kctl-boot", "true", password="not-the-password")

    assert not isinstance(caught.value, HostKeyError)


def test_unknown_host_key_is_refused_by_default(
    sshd: SSHDFactory, isolated_home: Path
) -> None:
    server = sshd.start()

    with pytest.raises(HostKeyError, match="is unknown") as caught:
        run(server, "kctl-boot", "true")

    assert "--host-key-check accept-new" in str(caught.value)
    assert not (isolated_home / ".ssh" / "known_hosts").exists()


def test_accept_new_writes_known_hosts_and_later_runs_verify(
    sshd: SSHDFactory, isolated_home: Path
) -> None:
    server = sshd.start()

    run(server, "kctl-boot", "true", host_key_check=HostKeyCheck.accept_new)

    known_hosts = (isolated_home / ".ssh" / "known_hosts").read_text()
    assert known_hosts.split() == server.known_hosts_line.split()
    assert run(server, "kctl-boot", "echo again") == "again"


def test_changed_host_key_is_refused_with_the_fix(
    sshd: SSHDFactory, isolated_home: Path
) -> None:
    server = sshd.start()
    trust(server, isolated_home)
    sshd.restart_with_new_host_key(server)

    for check in (HostKeyCheck.always, HostKeyCheck.accept_new):
        with pytest.raises(HostKeyError, match="has CHANGED") as caught:
            run(server, "kctl-boot", "true", host_key_check=check)
        assert f"ssh-keygen -R '[{server.address}]:{server.port}'" in str(caught.value)


def test_never_checking_connects_to_a_changed_host(
    sshd: SSHDFactory, isolated_home: Path
) -> None:
    server = sshd.start()
    trust(server, isolated_home)
    sshd.restart_with_new_host_key(server)

    assert run(server, "kctl-boot", "echo ok", host_key_check=HostKeyCheck.never) == (
        "ok"
    )


def test_refused_connection_is_retried_then_reported(
    sshd: SSHDFactory, isolated_home: Path
) -> None:
    server = sshd.start()
    sshd.stop(server)

    with pytest.raises(SSHError, match="after 2 attempts") as caught:
        run(server, "kctl-boot", "true", attempts=2)

    assert isinstance(caught.value.__cause__, OSError)


def test_ssh_config_alias_user_port_and_identity_file(
    sshd: SSHDFactory, isolated_home: Path, ssh_client_key: KeyPair
) -> None:
    server = sshd.start()
    trust(server, isolated_home)
    moved = ssh_client_key.private_path.rename(isolated_home / "elsewhere.key")
    (isolated_home / ".ssh" / "config").write_text(
        f"Host web1\n  HostName {server.address}\n  Port {server.port}\n"
        f"  User kctl-boot\n  IdentityFile {moved}\n"
    )

    target = resolve_target(parse_address("web1"), options())
    with connect(target, options()) as session:
        status, output = session.run("id -un")

    assert (status, output) == (0, "kctl-boot")
    assert target.identity_files == (moved,)


def test_jump_host_reaches_a_host_through_the_gateway(
    sshd: SSHDFactory, isolated_home: Path
) -> None:
    gateway, inner = sshd.start(), sshd.start()
    trust(gateway, isolated_home)
    trust(inner, isolated_home)

    opts = options(gateway=f"kctl-boot@{gateway.spec}")
    target = resolve_target(parse_address(f"kctl-boot@{inner.spec}"), opts)
    with connect(target, opts) as session:
        status, output = session.run("echo $SSH_CONNECTION")

    assert status == 0
    # The inner sshd saw the connection arrive from the gateway's side.
    assert output.split()[2:] == [inner.address, str(inner.port)]
    assert "direct-tcpip" in gateway.log or "Connection from" in gateway.log


def test_jump_hosts_are_chained_in_order(
    sshd: SSHDFactory, isolated_home: Path
) -> None:
    first, second, inner = sshd.start(), sshd.start(), sshd.start()
    for server in (first, second, inner):
        trust(server, isolated_home)

    hops = f"kctl-boot@{first.spec},kctl-boot@{second.spec}"
    opts = options(gateway=hops)
    target = resolve_target(parse_address(f"kctl-boot@{inner.spec}"), opts)
    with connect(target, opts) as session:
        status, _ = session.run("true")

    # Both hops were logged into, the second one through the first.
    assert status == 0
    assert "Accepted publickey for kctl-boot" in first.log
    assert "Accepted publickey for kctl-boot" in second.log


def test_sudo_without_password(sshd: SSHDFactory, isolated_home: Path) -> None:
    server = sshd.start()
    trust(server, isolated_home)
    target = resolve_target(parse_address(f"kctl-boot@{server.spec}"), options())

    with connect(target, options()) as session:
        privilege = session.check_sudo(Privilege(sudo=True))
        status, output = session.run("id -u", privilege=privilege)

    assert (status, output) == (0, "0")


def test_sudo_password_goes_over_the_channel(
    sshd: SSHDFactory, isolated_home: Path
) -> None:
    server = sshd.start()
    trust(server, isolated_home)
    target = resolve_target(parse_address(f"kctl-sudopw@{server.spec}"), options())
    password = sshd.users.password

    with connect(target, options()) as session:
        privilege = session.check_sudo(Privilege(sudo=True, password=password))
        status, output = session.run("id -u; ps -eo args", privilege=privilege)

    assert status == 0
    assert output.splitlines()[0] == "0"
    assert not privilege.pty
    assert password not in output
    assert "sudo -S -p" in output


def test_sudo_requiring_a_tty_gets_a_pty(
    sshd: SSHDFactory, isolated_home: Path
) -> None:
    server = sshd.start()
    trust(server, isolated_home)
    target = resolve_target(parse_address(f"kctl-tty@{server.spec}"), options())
    password = sshd.users.password

    with connect(target, options()) as session:
        privilege = session.check_sudo(Privilege(sudo=True, password=password))
        status, output = session.run("id -u", privilege=privilege)

    assert privilege.pty
    assert (status, output) == (0, "0")


def test_sudo_without_the_needed_password_says_what_to_pass(
    sshd: SSHDFactory, isolated_home: Path
) -> None:
    server = sshd.start()
    trust(server, isolated_home)
    target = resolve_target(parse_address(f"kctl-sudopw@{server.spec}"), options())

    with (
        connect(target, options()) as session,
        pytest.raises(SSHError, match="asks for a password") as caught,
    ):
        session.check_sudo(Privilege(sudo=True))

    assert "--use-sudo-password" in str(caught.value)


def test_wrong_sudo_password_is_refused_without_hanging(
    sshd: SSHDFactory, isolated_home: Path
) -> None:
    server = sshd.start()
    trust(server, isolated_home)
    target = resolve_target(parse_address(f"kctl-sudopw@{server.spec}"), options())

    with (
        connect(target, options()) as session,
        pytest.raises(SSHError, match="refused the password"),
    ):
        session.check_sudo(Privilege(sudo=True, password="wrong-password"))


def test_upload_puts_the_script_in_a_private_folder_and_removal_cleans_it(
    sshd: SSHDFactory, isolated_home: Path
) -> None:
    server = sshd.start()
    trust(server, isolated_home)
    target = resolve_target(parse_address(f"kctl-boot@{server.spec}"), options())

    with connect(target, options()) as session:
        folder = session.upload_script("echo hello from the script\n")
        _, modes = session.run(f"stat -c '%a %U' {folder} {folder}/bootstrap.sh")
        status, output = session.run(f"sh {folder}/bootstrap.sh")
        session.remove_folder(folder, Privilege())
        _, gone = session.run(f"test -e {folder} && echo present || echo gone")

    assert modes.splitlines() == ["700 kctl-boot", "600 kctl-boot"]
    assert (status, output) == (0, "hello from the script")
    assert gone == "gone"


def test_ssh_agent_key_is_used(
    sshd: SSHDFactory,
    isolated_home: Path,
    ssh_client_key: KeyPair,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    server = sshd.start()
    trust(server, isolated_home)
    socket_path = tmp_path / "agent.sock"
    agent = subprocess.Popen(["ssh-agent", "-D", "-a", str(socket_path)])
    try:
        deadline = time.monotonic() + 10
        while not socket_path.exists() and time.monotonic() < deadline:
            assert agent.poll() is None, "ssh-agent exited"
            time.sleep(0.05)
        monkeypatch.setenv("SSH_AUTH_SOCK", str(socket_path))
        subprocess.run(
            ["ssh-add", str(ssh_client_key.private_path)],
            check=True,
            capture_output=True,
        )
        ssh_client_key.private_path.unlink()

        assert run(server, "kctl-boot", "id -un") == "kctl-boot"
    finally:
        agent.terminate()
        agent.wait(timeout=10)


def test_a_silent_command_times_out_and_the_session_still_works(
    sshd: SSHDFactory, isolated_home: Path
) -> None:
    server = sshd.start()
    trust(server, isolated_home)
    opts = options(idle_timeout=1.0)
    target = resolve_target(parse_address(f"kctl-boot@{server.spec}"), opts)

    with connect(target, opts) as session:
        with pytest.raises(SSHError, match="printed nothing for 1 s"):
            session.run("echo started; sleep 30")
        status, output = session.run("echo still here")

    assert (status, output) == (0, "still here")
