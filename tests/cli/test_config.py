from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.helpers import run_cli

INLINE = "-----BEGIN RSA PRIVATE KEY-----\nSECRETSECRET\n-----END RSA PRIVATE KEY-----"


def test_show_never_prints_key_material(isolated_home: Path) -> None:
    (isolated_home / ".chef").mkdir()
    (isolated_home / ".chef" / "credentials").write_text(
        f'[default]\nclient_name = "a"\nclient_key = """{INLINE}"""\n'
        'chef_server_url = "http://127.0.0.1:1"\n'
        f'[default.knife]\nssh_password = "hunter2"\nssh_user = "u"\n'
    )

    human = run_cli("config", "show")
    data = run_cli("--format", "json", "config", "show")

    assert human.exit_code == 0
    assert "Client key:          inline PEM (profile 'default'" in human.stdout
    assert "knife[ssh_user]:     u" in human.stdout
    for output in (human.stdout, data.stdout):
        assert "SECRETSECRET" not in output
        assert "hunter2" not in output
    assert json.loads(data.stdout)["client_name"] == "a"
    assert json.loads(data.stdout)["knife"]["ssh_password"] == "(hidden)"


def test_init_writes_then_refuses_to_overwrite(isolated_home: Path) -> None:
    args = ["--chef-server-url", "http://127.0.0.1:1", "--user", "admin"]
    first = run_cli("config", "init", "lab", *args, "--client-key", "admin.pem")
    again = run_cli("config", "init", "lab", *args, "--client-key", "other.pem")
    shown = run_cli("--profile", "lab", "--format", "json", "config", "show")

    assert first.exit_code == 0, first.stderr
    assert "Wrote profile 'lab'" in first.stdout
    assert again.exit_code == 4
    assert "profile 'lab' already exists" in again.stderr
    assert json.loads(shown.stdout)["client_key"] == str(
        isolated_home / ".chef" / "admin.pem"
    )


def test_init_without_a_server_url_is_a_usage_error() -> None:
    result = run_cli("config", "init", "--user", "a", "--client-key", "k")

    assert result.exit_code == 2
    assert "--chef-server-url" in result.stderr


def test_show_names_a_missing_profile() -> None:
    result = run_cli("--profile", "nosuch", "config", "show")

    assert result.exit_code == 4
    assert "profile 'nosuch' is not in" in result.stderr


def test_node_commands_without_configuration_say_what_is_missing() -> None:
    result = run_cli("node", "list")

    assert result.exit_code == 4
    assert result.stderr.startswith(
        "ERROR: profile 'default' does not set chef_server_url (or --server-url), "
        "client_name (or --client-name), client_key (or --key)"
    )


def test_init_writes_to_the_environment_file_with_a_protocol(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "creds" / "credentials"
    monkeypatch.setenv("CHEF_CREDENTIALS_FILE", str(target))

    result = run_cli(
        "--server-url",
        "http://127.0.0.1:1",
        "--client-name",
        "admin",
        "--key",
        str(tmp_path / "admin.pem"),
        "config",
        "init",
        "--signing-protocol",
        "1.1",
    )
    shown = json.loads(run_cli("--format", "json", "config", "show").stdout)

    assert result.exit_code == 0, result.stderr
    assert 'authentication_protocol_version = "1.1"' in target.read_text()
    assert shown["signing_protocol"] == "1.1"
    assert shown["client_key"] == str(tmp_path / "admin.pem")
    assert shown["credentials_file"] == str(target)
