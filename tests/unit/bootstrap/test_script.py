"""The rendered bootstrap script, read as text and run by a real /bin/sh."""

from __future__ import annotations

import json
import stat
import subprocess
from pathlib import Path

import pytest

from kitchenctl.bootstrap.script import (
    MASK,
    Installer,
    Proxy,
    ScriptSettings,
    client_rb,
    first_boot_attributes,
    render,
)
from kitchenctl.errors import UsageError

KEY = "-----BEGIN RSA PRIVATE KEY-----\nMIIEsecret\n-----END RSA PRIVATE KEY-----\n"


def settings(tmp_path: Path, **overrides: object) -> ScriptSettings:
    values: dict[str, object] = {
        "node_name": "web1",
        "chef_server_url": "https://chef.example/organizations/acme",
        "first_boot": first_boot_attributes(
            attributes={"app": {"port": 8080}},
            run_list=["base", "role[web]"],
            tags=["blue"],
            policy_name=None,
            policy_group=None,
        ),
        "client_key": KEY,
        "environment": "production",
        "config_dir": str(tmp_path / "etc" / "{node}"),
        "client": str(tmp_path / "bin" / "client"),
        "hints": {"ec2": {}},
        "trusted_certs": {"ca.crt": "-----BEGIN CERTIFICATE-----\nx\n"},
    }
    return ScriptSettings(**(values | overrides))  # type: ignore[arg-type]


def fake_client(tmp_path: Path, version: str) -> Path:
    """A client that reports ``version`` and records how it was started."""
    client = tmp_path / "bin" / "client"
    client.parent.mkdir(exist_ok=True)
    client.write_text(
        "#!/bin/sh\n"
        f'if [ "$1" = --version ]; then echo "Cinc Client: {version}"; exit 0; fi\n'
        f'echo "$@" > {tmp_path}/client-args\n'
    )
    client.chmod(0o755)
    return client


def run_script(text: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    script = tmp_path / "bootstrap.sh"
    script.write_text(text)
    return subprocess.run(
        ["sh", str(script)], capture_output=True, text=True, timeout=60, check=False
    )


def test_client_rb_in_knife_order_with_quoting() -> None:
    text = client_rb(
        ScriptSettings(
            node_name="o'brien",
            chef_server_url="https://chef.example/organizations/acme",
            first_boot={},
            ssl_verify_mode="none",
            proxy=Proxy(https_proxy="http://proxy:3128", user="u", password="p"),
        ),
        "/etc/chef",
    )

    assert text.splitlines() == [
        "chef_server_url 'https://chef.example/organizations/acme'",
        "client_key '/etc/chef/client.pem'",
        "chef_license 'accept'",
        "log_level :info",
        "log_location STDOUT",
        "node_name 'o\\'brien'",
        "ssl_verify_mode :verify_none",
        "https_proxy 'http://proxy:3128'",
        "https_proxy_user 'u'",
        "https_proxy_pass 'p'",
    ]


def test_first_boot_takes_the_policy_instead_of_the_run_list() -> None:
    document = first_boot_attributes(
        attributes={"a": 1},
        run_list=["x"],
        tags=[],
        policy_name="web",
        policy_group="prod",
    )

    assert document == {"a": 1, "policy_name": "web", "policy_group": "prod"}


def test_masked_script_hides_keys_and_proxy_password(tmp_path: Path) -> None:
    rendered = render(
        settings(
            tmp_path,
            validation_key=KEY.replace("secret", "validator"),
            proxy=Proxy(https_proxy="http://p:3128", password="hunter2"),
        )
    )

    masked = rendered.masked()
    assert "MIIEsecret" in rendered.text
    assert "MIIEsecret" not in masked
    assert "MIIEvalidator" not in masked
    assert "hunter2" not in masked
    assert masked.count(MASK) == 3  # two keys and the https proxy password


def test_bad_hint_name_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="cannot be a file name"):
        render(settings(tmp_path, hints={"../escape": {}}))


def test_script_installs_writes_files_and_runs_the_client(tmp_path: Path) -> None:
    installs = tmp_path / "installs"
    command = f"echo installed >> {installs} && mkdir -p {tmp_path}/bin"
    installer = Installer(version="18.4", install_command=command)
    fake_client(tmp_path, "17.10.3")

    result = run_script(render(settings(tmp_path, installer=installer)).text, tmp_path)

    assert result.returncode == 0, result.stderr
    assert "Installing cinc 18.4" in result.stdout
    assert installs.read_text() == "installed\n"
    config = tmp_path / "etc" / "web1"
    assert stat.S_IMODE((config / "client.pem").stat().st_mode) == 0o600
    assert (config / "client.pem").read_text() == KEY
    assert (config / "ohai" / "hints" / "ec2.json").read_text() == "{}\n"
    assert (config / "trusted_certs" / "ca.crt").is_file()
    assert json.loads((config / "first-boot.json").read_text()) == {
        "app": {"port": 8080},
        "run_list": ["base", "role[web]"],
        "tags": ["blue"],
    }
    assert (tmp_path / "client-args").read_text().split() == [
        "-c",
        f"{config}/client.rb",
        "-j",
        f"{config}/first-boot.json",
        "-E",
        "production",
    ]


@pytest.mark.parametrize(
    ("installed", "wanted", "installs"),
    [
        ("18.4.12", "18.4.12", False),
        ("18.4.12", "18", False),
        ("18.4.12", "18.4", False),
        ("18.4.12", "latest", False),
        ("18.4.12", "18.5", True),
        ("18.40.1", "18.4", True),
        ("17.10.3", "18", True),
    ],
)
def test_install_only_when_the_installed_version_differs(
    tmp_path: Path, installed: str, wanted: str, installs: bool
) -> None:
    marker = tmp_path / "installed"
    installer = Installer(version=wanted, install_command=f"touch {marker}")
    fake_client(tmp_path, installed)

    result = run_script(render(settings(tmp_path, installer=installer)).text, tmp_path)

    assert result.returncode == 0, result.stderr
    assert marker.exists() is installs


def test_failed_install_stops_before_any_file_is_written(tmp_path: Path) -> None:
    installer = Installer(install_command="exit 3")

    result = run_script(render(settings(tmp_path, installer=installer)).text, tmp_path)

    assert result.returncode == 1
    assert "installing the client failed" in result.stderr
    assert not (tmp_path / "etc").exists()


def test_user_template_replaces_the_bundled_one(tmp_path: Path) -> None:
    template = tmp_path / "mine.sh"
    template.write_text('write_client_files && echo "mine: $KITCHENCTL_NODE_NAME"\n')

    result = run_script(render(settings(tmp_path, template=template)).text, tmp_path)

    assert (result.returncode, result.stdout) == (0, "mine: web1\n")
    assert (tmp_path / "etc" / "web1" / "client.rb").is_file()
