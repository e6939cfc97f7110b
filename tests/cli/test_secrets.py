"""Private keys, passwords and signed headers never reach stdout, stderr or the log.

The commands run with real keys and real passwords in the profile and environment,
against a real Chef server, with every logger captured at DEBUG.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest

from tests.cli.helpers import Result, run_cli
from tests.fixtures.chef_servers import ChefServerHandle

PASSWORDS = {
    "KITCHENCTL_SSH_PASSWORD": "ssh-pw-7f3a91c2",
    "KITCHENCTL_SUDO_PASSWORD": "sudo-pw-4be01d77",
    "KITCHENCTL_PROXY_PASSWORD": "proxy-pw-99ad3e10",
}
KNIFE_PASSWORD = "knife-pw-c0ffee12"

# A signature chunk or PEM line: a long unbroken base64 run.
BASE64_RUN = re.compile(r"[A-Za-z0-9+/]{40,}={0,2}")
SIGNED_HEADER = re.compile(r"(?i)x-ops-authorization-\d+\W+\S{8,}")


def pem_body_lines(pem: str) -> list[str]:
    return [line for line in pem.splitlines() if line and not line.startswith("-----")]


@pytest.fixture
def secret_profile(
    chef_server: ChefServerHandle,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> tuple[ChefServerHandle, str]:
    """The server's admin, with the validator key inline and a knife password."""
    admin_pem = chef_server.admin_key.read_text()
    inline = admin_pem.replace("\n", "\\n")
    credentials = tmp_path / "credentials"
    credentials.write_text(
        "[default]\n"
        f'client_name = "{chef_server.admin_name}"\n'
        f'client_key = "{chef_server.admin_key}"\n'
        f'chef_server_url = "{chef_server.url}"\n'
        'validation_client_name = "validator"\n'
        f'validation_key = "{inline}"\n'
        "[default.knife]\n"
        f'ssh_password = "{KNIFE_PASSWORD}"\n'
    )
    monkeypatch.setenv("CHEF_CREDENTIALS_FILE", str(credentials))
    for name, value in PASSWORDS.items():
        monkeypatch.setenv(name, value)
    return chef_server, admin_pem


def assert_no_secrets(text: str, pem: str) -> None:
    for line in pem_body_lines(pem):
        assert line not in text
    for password in (*PASSWORDS.values(), KNIFE_PASSWORD):
        assert password not in text
    assert not SIGNED_HEADER.search(text), SIGNED_HEADER.search(text)
    assert not BASE64_RUN.search(text), BASE64_RUN.search(text)


def everything(result: Result, caplog: pytest.LogCaptureFixture) -> str:
    return "\n".join((result.stdout, result.stderr, caplog.text))


@pytest.mark.parametrize("output", ["human", "json"])
def test_config_show_hides_keys_and_passwords(
    secret_profile: tuple[ChefServerHandle, str],
    caplog: pytest.LogCaptureFixture,
    output: str,
) -> None:
    caplog.set_level(logging.DEBUG)
    _, pem = secret_profile

    result = run_cli("--format", output, "-vv", "config", "show")

    assert result.exit_code == 0, result.stderr
    assert "inline PEM" in result.stdout
    assert_no_secrets(everything(result, caplog), pem)


def test_verbose_node_list_hides_the_signed_headers(
    secret_profile: tuple[ChefServerHandle, str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    _, pem = secret_profile

    result = run_cli("-vv", "node", "list")

    assert result.exit_code == 0, result.stderr
    # The request was logged (so the check below looked at real DEBUG output).
    assert any(record.levelno == logging.DEBUG for record in caplog.records)
    assert_no_secrets(everything(result, caplog), pem)


@pytest.mark.parametrize("output", ["human", "json"])
def test_bootstrap_dry_run_masks_keys_and_passwords(
    secret_profile: tuple[ChefServerHandle, str],
    caplog: pytest.LogCaptureFixture,
    output: str,
) -> None:
    caplog.set_level(logging.DEBUG)
    _, pem = secret_profile

    result = run_cli(
        "--format", output, "-vv", "bootstrap", "--dry-run",
        "--ssh-password", "--use-sudo-password",
        "--bootstrap-proxy", "http://proxy.example:3128",
        "--bootstrap-proxy-user", "squid",
        "-N", "web1", "alice@web1",
    )  # fmt: skip

    assert result.exit_code == 0, result.stderr
    assert "web1" in result.stdout
    assert_no_secrets(everything(result, caplog), pem)


def test_each_run_logs_through_one_handler() -> None:
    run_cli("-vv", "version")
    run_cli("-vv", "version")

    cli_handlers = [
        handler
        for handler in logging.getLogger("kitchenctl").handlers
        if getattr(handler, "kitchenctl_cli", False)
    ]
    assert len(cli_handlers) == 1
