"""Bad input gets one clear ``ERROR:`` line, the documented exit code, no traceback.

Each case writes real files under tmp_path (and uses a real Chef server where the
mistake is only visible there), runs the CLI as a user would, and checks that the
message names the file (file:line where it is a user's file) or the object.
"""

from __future__ import annotations

import re
import socket
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from kitchenctl.errors import (
    ConfigError,
    InputFileError,
    LocalFileError,
    LockfileError,
    NotFound,
    Unreachable,
    UsageError,
)
from tests.cli.helpers import Result, run_cli
from tests.fixtures.chef_servers import ChefServerHandle


def closed_port() -> int:
    """A 127.0.0.1 port nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def rsa_pem() -> str:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    ).decode()


def credentials(folder: Path, monkeypatch: pytest.MonkeyPatch, text: str) -> Path:
    path = folder / "credentials"
    path.write_text(text)
    monkeypatch.setenv("CHEF_CREDENTIALS_FILE", str(path))
    return path


def profile_with_key(
    folder: Path, monkeypatch: pytest.MonkeyPatch, key: Path, url: str
) -> Path:
    return credentials(
        folder,
        monkeypatch,
        f'[default]\nclient_name = "alice"\nclient_key = "{key}"\n'
        f'chef_server_url = "{url}"\n',
    )


def assert_one_error_line(result: Result, code: int, *names: str) -> None:
    """The exit code, one ERROR line naming every one of ``names``, no traceback."""
    lines = result.stderr.splitlines()

    assert result.exit_code == code, result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("ERROR: "), result.stderr
    for name in names:
        assert name in lines[0], f"{name!r} not in {lines[0]!r}"


# Each case prepares tmp_path and returns the arguments and what the error must name.
Setup = Callable[[Path, pytest.MonkeyPatch], tuple[list[str], list[str]]]


@dataclass(frozen=True)
class Case:
    id: str
    setup: Setup
    code: int


def malformed_credentials(
    tmp: Path, mp: pytest.MonkeyPatch
) -> tuple[list[str], list[str]]:
    path = credentials(
        tmp, mp, '[default]\nclient_name = "alice"\nchef_server_url = \n'
    )
    return ["node", "list"], [f"{path}:3:"]


def missing_profile(tmp: Path, mp: pytest.MonkeyPatch) -> tuple[list[str], list[str]]:
    path = credentials(tmp, mp, '[default]\nclient_name = "alice"\n')
    return ["--profile", "nosuch", "node", "list"], ["'nosuch'", str(path)]


def missing_key(tmp: Path, mp: pytest.MonkeyPatch) -> tuple[list[str], list[str]]:
    key = tmp / "missing.pem"
    profile_with_key(tmp, mp, key, f"http://127.0.0.1:{closed_port()}")
    return ["node", "list"], [str(key)]


def unreadable_key(tmp: Path, mp: pytest.MonkeyPatch) -> tuple[list[str], list[str]]:
    # A folder where the key should be: unreadable even for root, who ignores modes.
    key = tmp / "folder.pem"
    key.mkdir()
    profile_with_key(tmp, mp, key, f"http://127.0.0.1:{closed_port()}")
    return ["node", "list"], [str(key)]


def garbage_key(tmp: Path, mp: pytest.MonkeyPatch) -> tuple[list[str], list[str]]:
    key = tmp / "garbage.pem"
    key.write_text("-----BEGIN RSA PRIVATE KEY-----\nnot base64 at all\n")
    profile_with_key(tmp, mp, key, f"http://127.0.0.1:{closed_port()}")
    return ["node", "list"], [str(key)]


def unreachable_server(
    tmp: Path, mp: pytest.MonkeyPatch
) -> tuple[list[str], list[str]]:
    key = tmp / "alice.pem"
    key.write_text(rsa_pem())
    url = f"http://127.0.0.1:{closed_port()}"
    profile_with_key(tmp, mp, key, url)
    return ["node", "list"], [url]


def malformed_server_url(
    tmp: Path, mp: pytest.MonkeyPatch
) -> tuple[list[str], list[str]]:
    key = tmp / "alice.pem"
    key.write_text(rsa_pem())
    path = profile_with_key(tmp, mp, key, "http://[::1")
    return ["node", "list"], ["'http://[::1'", str(path)]


def malformed_metadata(
    tmp: Path, mp: pytest.MonkeyPatch
) -> tuple[list[str], list[str]]:
    cookbook = tmp / "web"
    cookbook.mkdir()
    (cookbook / "metadata.rb").write_text(
        "name 'web'\nversion '1.0.0'\ndepends 'apt',, '1.0'\n"
    )
    return ["cookbook", "metadata", str(cookbook)], [f"{cookbook}/metadata.rb:3:"]


def malformed_berksfile(
    tmp: Path, mp: pytest.MonkeyPatch
) -> tuple[list[str], list[str]]:
    berksfile = tmp / "Berksfile"
    berksfile.write_text(
        "source 'https://supermarket.chef.io'\ncookbook 'apt', '~> 1.0\n"
    )
    return ["deps", "install", "-b", str(berksfile)], [f"{berksfile}:2:"]


def corrupted_lockfile(
    tmp: Path, mp: pytest.MonkeyPatch
) -> tuple[list[str], list[str]]:
    berksfile = tmp / "Berksfile"
    berksfile.write_text("source 'https://supermarket.chef.io'\ncookbook 'apt'\n")
    (tmp / "Berksfile.lock").write_text("DEPENDENCIES\n  apt\n\nGRAPH\n garbage !!\n")
    return ["deps", "list", "-b", str(berksfile)], [f"{tmp}/Berksfile.lock:5"]


def binary_lockfile(tmp: Path, mp: pytest.MonkeyPatch) -> tuple[list[str], list[str]]:
    berksfile = tmp / "Berksfile"
    berksfile.write_text("source 'https://supermarket.chef.io'\ncookbook 'apt'\n")
    (tmp / "Berksfile.lock").write_bytes(b"DEPENDENCIES\n  apt\n\xff\xfe\x00\n")
    return ["deps", "list", "-b", str(berksfile)], [f"{tmp}/Berksfile.lock:3"]


def missing_cookbook(tmp: Path, mp: pytest.MonkeyPatch) -> tuple[list[str], list[str]]:
    return ["cookbook", "metadata", str(tmp / "nosuch")], ["nosuch"]


def upload_without_lockfile(
    tmp: Path, mp: pytest.MonkeyPatch
) -> tuple[list[str], list[str]]:
    berksfile = tmp / "Berksfile"
    berksfile.write_text("source 'https://supermarket.chef.io'\ncookbook 'apt'\n")
    key = tmp / "alice.pem"
    key.write_text(rsa_pem())
    profile_with_key(tmp, mp, key, f"http://127.0.0.1:{closed_port()}")
    return ["deps", "upload", "-b", str(berksfile)], [f"{tmp}/Berksfile.lock"]


def bootstrap_policy_without_group(
    tmp: Path, mp: pytest.MonkeyPatch
) -> tuple[list[str], list[str]]:
    return ["bootstrap", "web1", "--policy-name", "base"], ["--policy-group"]


def bootstrap_policy_and_run_list(
    tmp: Path, mp: pytest.MonkeyPatch
) -> tuple[list[str], list[str]]:
    arguments = ["bootstrap", "web1", "--policy-name", "base", "--policy-group", "prod"]
    return [*arguments, "-r", "recipe[web]"], ["--run-list"]


def bootstrap_one_name_two_hosts(
    tmp: Path, mp: pytest.MonkeyPatch
) -> tuple[list[str], list[str]]:
    # The server is a closed port: reaching for it first would exit 10, not 2.
    key = tmp / "alice.pem"
    key.write_text(rsa_pem())
    profile_with_key(tmp, mp, key, f"http://127.0.0.1:{closed_port()}")
    return ["bootstrap", "-N", "db", "web1", "web2"], ["--node-name"]


def generate_bad_name(tmp: Path, mp: pytest.MonkeyPatch) -> tuple[list[str], list[str]]:
    mp.chdir(tmp)
    return ["generate", "cookbook", "bad name!"], ["'bad name!'"]


def generate_into_a_file(
    tmp: Path, mp: pytest.MonkeyPatch
) -> tuple[list[str], list[str]]:
    cookbook = tmp / "web"
    (cookbook / "recipes").mkdir(parents=True)
    (cookbook / "metadata.rb").write_text("name 'web'\nversion '0.1.0'\n")
    (cookbook / "test").write_text("a file where the test folder belongs\n")
    return ["generate", "recipe", str(cookbook), "db"], [str(cookbook / "test")]


LOCAL_CASES = [
    Case("malformed credentials TOML", malformed_credentials, InputFileError.exit_code),
    Case("missing profile", missing_profile, ConfigError.exit_code),
    Case("missing client key", missing_key, ConfigError.exit_code),
    Case("unreadable client key", unreadable_key, ConfigError.exit_code),
    Case("garbage client key", garbage_key, ConfigError.exit_code),
    Case("unreachable server", unreachable_server, Unreachable.exit_code),
    Case("malformed server URL", malformed_server_url, ConfigError.exit_code),
    Case("malformed metadata.rb", malformed_metadata, InputFileError.exit_code),
    Case("malformed Berksfile", malformed_berksfile, InputFileError.exit_code),
    Case("corrupted Berksfile.lock", corrupted_lockfile, InputFileError.exit_code),
    Case("binary Berksfile.lock", binary_lockfile, InputFileError.exit_code),
    Case("missing cookbook folder", missing_cookbook, UsageError.exit_code),
    Case(
        "deps upload without lockfile", upload_without_lockfile, LockfileError.exit_code
    ),
    Case("bootstrap policy name alone", bootstrap_policy_without_group, 2),
    Case("bootstrap policy with run-list", bootstrap_policy_and_run_list, 2),
    Case("bootstrap -N with two hosts", bootstrap_one_name_two_hosts, 2),
    Case("generate cookbook bad name", generate_bad_name, UsageError.exit_code),
    Case("generate into a file", generate_into_a_file, LocalFileError.exit_code),
]


@pytest.mark.parametrize("case", LOCAL_CASES, ids=lambda case: case.id)
def test_bad_local_input(
    case: Case, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    arguments, names = case.setup(tmp_path, monkeypatch)

    result = run_cli(*arguments)

    assert_one_error_line(result, case.code, *names)


def test_malformed_metadata_names_line_and_column(tmp_path: Path) -> None:
    cookbook = tmp_path / "web"
    cookbook.mkdir()
    (cookbook / "metadata.rb").write_text(
        "name 'web'\nversion '1.0.0'\ndepends 'apt',, '1'\n"
    )

    result = run_cli("cookbook", "metadata", str(cookbook))

    assert re.search(rf"{re.escape(str(cookbook))}/metadata.rb:3:\d+: ", result.stderr)


@pytest.mark.parametrize(
    ("arguments", "code", "name"),
    [
        (["node", "show", "nosuch-node"], NotFound.exit_code, "nosuch-node"),
        (
            ["node", "run-list", "show", "nosuch-node"],
            NotFound.exit_code,
            "nosuch-node",
        ),
        (["node", "run-list", "add", "web1", "recipe[bad"], 2, "'recipe[bad'"),
        (["node", "run-list", "set", "web1", "role[]"], 2, "'role[]'"),
        (
            ["cookbook", "show", "nosuch-cookbook"],
            NotFound.exit_code,
            "nosuch-cookbook",
        ),
    ],
    ids=["node show", "run-list show", "run-list add", "run-list set", "cookbook show"],
)
def test_bad_input_against_a_server(
    chef_profile: ChefServerHandle, arguments: list[str], code: int, name: str
) -> None:
    result = run_cli(*arguments)

    assert_one_error_line(result, code, name)


def test_server_status_on_an_empty_folder_says_not_running(tmp_path: Path) -> None:
    # Not an error: status reports that nothing runs there, in both formats.
    human = run_cli("server", "status", "--data", str(tmp_path))
    data = run_cli("--format", "json", "server", "status", "--data", str(tmp_path))

    assert human.exit_code == 0 and data.exit_code == 0
    assert "Running:          no" in human.stdout
    assert str(tmp_path) in human.stdout
    assert human.stderr == "" and data.stderr == ""
    assert '"running": false' in data.stdout


@pytest.mark.parametrize(
    ("arguments", "names"),
    [
        (["node", "list", "--bogus"], ["--bogus", "'kitchenctl node list --help'"]),
        (["node", "show"], ["NODE", "'kitchenctl node show --help'"]),
        (["--bogus"], ["--bogus", "'kitchenctl --help'"]),
        (["deps", "upload", "--concurrency", "x"], ["--concurrency"]),
    ],
    ids=["unknown option", "missing argument", "unknown root option", "bad option"],
)
def test_usage_errors_are_one_line_too(arguments: list[str], names: list[str]) -> None:
    result = run_cli(*arguments)

    assert_one_error_line(result, UsageError.exit_code, *names)


def test_a_file_where_a_folder_belongs_is_a_usage_error(tmp_path: Path) -> None:
    afile = tmp_path / "afile"
    afile.write_text("not a folder\n")

    result = run_cli("server", "status", "--data", str(afile))

    assert_one_error_line(result, UsageError.exit_code, str(afile), "--data")


def test_a_bare_group_still_shows_its_help() -> None:
    result = run_cli("node")

    assert result.exit_code == UsageError.exit_code
    assert "Usage: kitchenctl node" in result.stdout + result.stderr
    assert "Traceback" not in result.stderr
