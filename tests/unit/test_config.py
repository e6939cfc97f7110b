"""Which profile, file and key kitchenctl picks, in Chef's order of precedence."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from kitchenctl.config import (
    Overrides,
    ProfileExists,
    add_profile,
    credentials_path,
    load_settings,
    validation_client_name,
)
from kitchenctl.errors import ConfigError, InputFileError

CREDENTIALS = """\
# my Chef servers
[default]
client_name = "alice"
client_key = "alice.pem"   # relative to ~/.chef
chef_server_url = "https://chef.example/organizations/acme/"

[default.knife]
ssh_user = "ubuntu"

[staging]
node_name = "bob"
client_key = "/keys/bob.pem"
chef_server_url = "http://127.0.0.1:4545"
authentication_protocol_version = "1.1"
ssl_verify_mode = ":verify_none"

['switch.example.org']
client_name = "carol"
client_key = \"\"\"-----BEGIN RSA PRIVATE KEY-----
MIIBOgIBAAJBAK
-----END RSA PRIVATE KEY-----\"\"\"
"""


@pytest.fixture
def chef_dir(isolated_home: Path) -> Path:
    folder = isolated_home / ".chef"
    folder.mkdir()
    (folder / "credentials").write_text(CREDENTIALS)
    return folder


def test_default_profile_from_home(chef_dir: Path) -> None:
    settings = load_settings()

    assert settings.profile == "default"
    assert settings.credentials_file == chef_dir / "credentials"
    assert settings.client_name == "alice"
    assert settings.client_key is not None
    assert settings.client_key.path == chef_dir / "alice.pem"
    assert settings.server_url == "https://chef.example/organizations/acme"
    assert settings.signing_protocol == "1.3"
    assert settings.knife == {"ssh_user": "ubuntu"}


@pytest.mark.parametrize(
    ("flag", "environment", "context", "expected"),
    [
        ("staging", "default", "default", "staging"),
        (None, "staging", "default", "staging"),
        (None, None, "staging", "staging"),
        (None, None, None, "default"),
        (None, None, "", "default"),
    ],
)
def test_profile_precedence(
    chef_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
    flag: str | None,
    environment: str | None,
    context: str | None,
    expected: str,
) -> None:
    if environment is not None:
        monkeypatch.setenv("CHEF_PROFILE", environment)
    if context is not None:
        (chef_dir / "context").write_text(context + "\n")

    assert load_settings(Overrides(profile=flag)).profile == expected


def test_node_name_protocol_and_absolute_key(chef_dir: Path) -> None:
    settings = load_settings(Overrides(profile="staging"))

    assert settings.client_name == "bob"
    assert settings.client_key is not None
    assert settings.client_key.path == Path("/keys/bob.pem")
    assert settings.signing_protocol == "1.1"
    assert settings.ssl_verify is False
    assert validation_client_name(settings) == "chef-validator"


def test_inline_pem_key_is_never_described_by_content(chef_dir: Path) -> None:
    settings = load_settings(Overrides(profile="switch.example.org"))

    assert settings.client_key is not None
    assert settings.client_key.path is None
    assert settings.client_key.read_pem().startswith(b"-----BEGIN RSA")
    assert "MIIB" not in settings.client_key.describe()
    assert "MIIB" not in repr(settings)


def test_command_line_overrides_win(chef_dir: Path, tmp_path: Path) -> None:
    overrides = Overrides(
        server_url="http://127.0.0.1:9/",
        client_name="admin",
        key=tmp_path / "admin.pem",
    )
    settings = load_settings(overrides)

    assert settings.server_url == "http://127.0.0.1:9"
    assert settings.client_name == "admin"
    assert settings.client_key is not None
    assert settings.client_key.path == tmp_path / "admin.pem"


def test_environment_file_wins_only_when_it_exists(
    chef_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = tmp_path / "elsewhere.toml"
    monkeypatch.setenv("CHEF_CREDENTIALS_FILE", str(other))
    assert credentials_path() == chef_dir / "credentials"

    other.write_text('[default]\nclient_name = "dave"\n')
    assert credentials_path() == other
    assert load_settings().client_name == "dave"


def test_missing_named_profile_is_an_error(chef_dir: Path) -> None:
    with pytest.raises(ConfigError, match="profile 'nosuch' is not in"):
        load_settings(Overrides(profile="nosuch"))


def test_missing_default_profile_means_nothing_configured(isolated_home: Path) -> None:
    settings = load_settings()

    assert settings.server_url is None
    with pytest.raises(ConfigError, match="does not set chef_server_url"):
        settings.require_server()


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('[default]\nclient_name = "a"\nnode_name = "b"\n', "both client_name"),
        ('[default]\nauthentication_protocol_version = "1.2"\n', "not a signing"),
        ("[default\n", "line 1"),
        ("[default]\nclient_name = 3\n", "client_name must be a string"),
    ],
)
def test_malformed_credentials_name_the_file(
    isolated_home: Path, body: str, message: str
) -> None:
    (isolated_home / ".chef").mkdir()
    (isolated_home / ".chef" / "credentials").write_text(body)

    with pytest.raises(InputFileError, match=message) as caught:
        load_settings()
    assert "credentials" in str(caught.value)


def test_validation_client_name_defaults_to_the_organisation(chef_dir: Path) -> None:
    assert validation_client_name(load_settings()) == "acme-validator"


def test_add_profile_keeps_comments_and_other_profiles(chef_dir: Path) -> None:
    path = chef_dir / "credentials"
    add_profile(
        path,
        "local",
        {"client_name": "admin", "client_key": "/k.pem", "knife": {"a": "b"}},
    )

    text = path.read_text()
    assert text.startswith(CREDENTIALS)
    assert "# relative to ~/.chef" in text
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    local = load_settings(Overrides(profile="local"))
    assert local.client_name == "admin"
    assert local.knife == {"a": "b"}


def test_add_profile_refuses_to_overwrite_without_force(chef_dir: Path) -> None:
    path = chef_dir / "credentials"

    with pytest.raises(ProfileExists, match="pass --force"):
        add_profile(path, "staging", {"client_name": "eve"})
    assert load_settings(Overrides(profile="staging")).client_name == "bob"

    add_profile(path, "staging", {"client_name": "eve"}, force=True)
    assert load_settings(Overrides(profile="staging")).client_name == "eve"
    assert load_settings().client_name == "alice"


def test_add_profile_creates_the_file(tmp_path: Path) -> None:
    path = tmp_path / "new" / "credentials"
    add_profile(path, "switch.example.org", {"client_name": "x"})

    assert "['switch.example.org']" in path.read_text() or (
        '["switch.example.org"]' in path.read_text()
    )
