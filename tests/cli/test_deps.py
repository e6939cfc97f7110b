"""kitchenctl deps, run as a user would, against a Supermarket on 127.0.0.1."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.helpers import run_cli
from tests.fixtures.supermarket import Supermarket


@pytest.fixture
def cookbook(
    tmp_path: Path, supermarket: Supermarket, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """A cookbook with no Berksfile whose default source is the test Supermarket."""
    supermarket.publish("apt", "2.7.0")
    supermarket.publish("web", "1.1.0", {"apt": "~> 2.7"})
    config = tmp_path / "home" / ".chef" / "credentials"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(
        f'[default]\n[default.knife]\nsupermarket_site = "{supermarket.url}"\n'
    )
    monkeypatch.setenv("BERKSHELF_PATH", str(tmp_path / "berkshelf"))
    folder = tmp_path / "app"
    folder.mkdir()
    (folder / "metadata.rb").write_text("name 'app'\nversion '0.1.0'\ndepends 'web'\n")
    (folder / "README.md").write_text("# app\n")
    monkeypatch.chdir(folder)
    return folder


def test_install_prints_berkshelf_lines(
    cookbook: Path, supermarket: Supermarket
) -> None:
    result = run_cli("deps", "install")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "Resolving cookbook dependencies..."
    assert f"Fetching cookbook index from {supermarket.url}..." in lines
    assert "Using app (0.1.0) from source at ." in lines
    api = f"{supermarket.url} ([opscode] {supermarket.url}/api/v1)"
    assert f"Installing apt (2.7.0) from {api}" in lines
    assert (cookbook / "Berksfile.lock").is_file()


def test_list_show_tree_and_verify(cookbook: Path, tmp_path: Path) -> None:
    assert run_cli("deps", "install").exit_code == 0

    listed = run_cli("deps", "list")
    assert listed.stdout.splitlines() == [
        "Cookbooks installed by your Berksfile:",
        "  * app (0.1.0)",
        "  * apt (2.7.0)",
        "  * web (1.1.0)",
    ]
    shown = run_cli("deps", "show", "apt")
    assert shown.stdout.strip() == str(
        tmp_path / "berkshelf" / "cookbooks" / "apt-2.7.0"
    )

    tree = run_cli("deps", "tree")
    assert tree.stdout.splitlines() == [
        "app (0.1.0)",
        "  web (1.1.0)",
        "    apt (2.7.0)",
    ]

    info = run_cli("deps", "info", "web")
    assert "        Name: web" in info.stdout.splitlines()
    assert "Dependencies: apt (~> 2.7)" in info.stdout.splitlines()

    verified = run_cli("deps", "verify")
    assert verified.stdout.splitlines() == ["Verifying (3) cookbook(s)...", "Verified."]


def test_json_output_and_outdated(cookbook: Path, supermarket: Supermarket) -> None:
    installed = run_cli("--format", "json", "deps", "install")
    assert installed.exit_code == 0, installed.stderr
    data = json.loads(installed.stdout)
    assert {c["name"]: c["version"] for c in data["cookbooks"]} == {
        "app": "0.1.0",
        "apt": "2.7.0",
        "web": "1.1.0",
    }
    assert run_cli("deps", "outdated").stdout.strip() == "All cookbooks up to date!"


def test_update_says_what_changed(cookbook: Path, supermarket: Supermarket) -> None:
    assert run_cli("deps", "install").exit_code == 0
    supermarket.publish("web", "1.2.0", {"apt": "~> 2.7"})
    result = run_cli("deps", "update", "web")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[-2:] == ["Updated:", "  * web (1.1.0 => 1.2.0)"]


def test_missing_lockfile_and_unknown_cookbook(cookbook: Path) -> None:
    result = run_cli("deps", "list")
    assert result.exit_code == 12
    assert "Lockfile not found!" in result.stderr
    assert run_cli("deps", "install").exit_code == 0
    unknown = run_cli("deps", "show", "nosuch")
    assert (
        unknown.exit_code == 5 and "Dependency 'nosuch' was not found" in unknown.stderr
    )


def test_missing_dependency_names_who_requires_it(cookbook: Path) -> None:
    (cookbook / "metadata.rb").write_text(
        "name 'app'\nversion '0.1.0'\ndepends 'ghost'\n"
    )
    result = run_cli("deps", "install")
    assert result.exit_code == 11
    assert "Cookbook 'ghost' was not found in any source:" in result.stderr
    assert "ghost (>= 0.0.0) required by app (0.1.0) <- Berksfile" in result.stderr


def test_vendor_and_apply(cookbook: Path, tmp_path: Path) -> None:
    result = run_cli("deps", "vendor", str(tmp_path / "vendored"))
    assert result.exit_code == 0, result.stderr
    assert f"Vendoring apt (2.7.0) to {tmp_path / 'vendored' / 'apt'}" in result.stdout
    assert (tmp_path / "vendored" / "web" / "metadata.json").is_file()

    envfile = tmp_path / "production.json"
    envfile.write_text('{"name": "production", "cookbook_versions": {}}')
    applied = run_cli("deps", "apply", "production", "--envfile", str(envfile))
    assert applied.exit_code == 0, applied.stderr
    assert json.loads(envfile.read_text())["cookbook_versions"] == {
        "app": "= 0.1.0",
        "apt": "= 2.7.0",
        "web": "= 1.1.0",
    }


def test_help_for_every_command() -> None:
    for command in ["install", "update", "outdated", "list", "show", "info", "tree"]:
        assert run_cli("deps", command, "--help").exit_code == 0
    for command in ["vendor", "package", "verify", "apply"]:
        assert run_cli("deps", command, "--help").exit_code == 0


def test_a_dead_second_source_is_only_a_warning(
    tmp_path: Path, supermarket: Supermarket, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.fixtures.chef_servers import free_port

    supermarket.publish("apt", "2.7.0")
    dead = f"http://127.0.0.1:{free_port()}"
    monkeypatch.setenv("BERKSHELF_PATH", str(tmp_path / "berkshelf"))
    (tmp_path / "Berksfile").write_text(
        f"source '{supermarket.url}'\nsource '{dead}'\ncookbook 'apt'\n"
    )
    result = run_cli("deps", "install", "-b", str(tmp_path / "Berksfile"))
    assert result.exit_code == 0, result.stderr
    assert f"WARNING: Error retrieving universe from source: {dead}" in result.stderr
    assert "  * [Unreachable] " in result.stderr
    assert (tmp_path / "Berksfile.lock").read_text().endswith("GRAPH\n  apt (2.7.0)\n")

    (tmp_path / "Berksfile.lock").unlink()
    (tmp_path / "Berksfile").write_text(f"source '{dead}'\ncookbook 'apt'\n")
    failed = run_cli("deps", "install", "-b", str(tmp_path / "Berksfile"))
    assert failed.exit_code == 10
    assert f"Error retrieving universe from source: {dead}/universe" in failed.stderr
