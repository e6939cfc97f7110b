"""``--format json`` gives one parseable document on stdout; no colour off a terminal.

Every read-only command runs against a real Chef server (the ``chef_server`` flavours)
or real local files: a small Berksfile project with a path cookbook that depends on a
cookbook from the server (``source :chef_server``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from kitchenctl.api import ChefServerAPI
from kitchenctl.config import load_settings
from kitchenctl.cookbook_loader import load_cookbook
from kitchenctl.uploader import upload_cookbooks
from tests.cli.helpers import run_cli
from tests.fixtures.chef_servers import ChefServerHandle
from tests.fixtures.sample_cookbooks import write_cookbook

ESCAPE = "\x1b"


@dataclass(frozen=True)
class World:
    node: str
    cookbook: str
    project: Path
    local: Path
    server_data: Path


@pytest.fixture
def world(chef_profile: ChefServerHandle, tmp_path: Path, unique_name: str) -> World:
    """A node and a cookbook on the server, and an installed Berksfile project."""
    base = f"{unique_name}-base"
    uploaded = write_cookbook(tmp_path / "uploads", base, "1.0.0")
    with ChefServerAPI.from_settings(load_settings()) as api:
        upload_cookbooks(api, [load_cookbook(uploaded)])
    created = run_cli("node", "create", unique_name, "-r", "recipe[web]")
    assert created.exit_code == 0, created.stderr

    project = tmp_path / "project"
    local = write_cookbook(project, "local", "0.1.0", dependencies={base: ">= 0.0.0"})
    (project / "Berksfile").write_text(
        f"source :chef_server\n\ncookbook 'local', path: '{local}'\n"
    )
    installed = run_cli("deps", "install", "-b", str(project / "Berksfile"))
    assert installed.exit_code == 0, installed.stderr
    return World(unique_name, base, project, local, tmp_path / "no-server")


def read_only_commands(world: World) -> dict[str, list[str]]:
    berksfile = ["-b", str(world.project / "Berksfile")]
    return {
        "config show": ["config", "show"],
        "node list": ["node", "list"],
        "node show": ["node", "show", world.node],
        "node run-list show": ["node", "run-list", "show", world.node],
        "cookbook list": ["cookbook", "list"],
        "cookbook show": ["cookbook", "show", world.cookbook],
        "cookbook show version": ["cookbook", "show", world.cookbook, "1.0.0"],
        "cookbook metadata": ["cookbook", "metadata", str(world.local)],
        "deps list": ["deps", "list", *berksfile],
        "deps tree": ["deps", "tree", *berksfile],
        "deps outdated": ["deps", "outdated", *berksfile],
        "server status": ["server", "status", "--data", str(world.server_data)],
        "version": ["version"],
    }


def test_json_output_parses_and_has_no_colour(world: World) -> None:
    for name, arguments in read_only_commands(world).items():
        result = run_cli("--format", "json", *arguments)

        assert result.exit_code == 0, f"{name}: {result.stderr}"
        assert ESCAPE not in result.stdout + result.stderr, name
        try:
            json.loads(result.stdout)
        except json.JSONDecodeError as error:
            pytest.fail(
                f"{name}: stdout is not one JSON document ({error}):\n{result.stdout}"
            )


@pytest.mark.parametrize(
    "no_color_flag", [[], ["--no-color"]], ids=["pipe", "--no-color"]
)
def test_human_output_has_no_colour_off_a_terminal(
    world: World, monkeypatch: pytest.MonkeyPatch, no_color_flag: list[str]
) -> None:
    # NO_COLOR unset: only the non-terminal stdout (and --no-color) keep colour off.
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")
    for name, arguments in read_only_commands(world).items():
        result = run_cli(*no_color_flag, *arguments)

        assert result.exit_code == 0, f"{name}: {result.stderr}"
        assert result.stdout.strip(), name
        assert ESCAPE not in result.stdout + result.stderr, name


def test_json_document_carries_the_objects(world: World) -> None:
    nodes = json.loads(run_cli("--format", "json", "node", "list").stdout)
    listed = json.loads(
        run_cli(
            "--format", "json", "deps", "list", "-b", str(world.project / "Berksfile")
        ).stdout
    )

    assert world.node in nodes
    assert world.cookbook in json.dumps(listed)
    assert "local" in json.dumps(listed)


def test_commands_that_change_things_print_one_json_document(world: World) -> None:
    berksfile = str(world.project / "Berksfile")
    ruby_cookbook = world.project / "rb"
    ruby_cookbook.mkdir()
    (ruby_cookbook / "metadata.rb").write_text("name 'rb'\nversion '0.2.0'\n")
    changes = {
        "node run-list add": ["node", "run-list", "add", world.node, "recipe[extra]"],
        "node run-list remove": [
            "node",
            "run-list",
            "remove",
            world.node,
            "recipe[extra]",
        ],
        "node environment set": ["node", "environment", "set", world.node, "_default"],
        "node create": ["node", "create", f"{world.node}-2"],
        "node delete": ["--yes", "node", "delete", f"{world.node}-2"],
        "deps install": ["deps", "install", "-b", berksfile],
        "deps verify": ["deps", "verify", "-b", berksfile],
        "cookbook metadata --write": [
            "cookbook",
            "metadata",
            "--write",
            str(ruby_cookbook),
        ],
    }
    for name, arguments in changes.items():
        result = run_cli("--format", "json", *arguments)

        assert result.exit_code == 0, f"{name}: {result.stderr}"
        assert ESCAPE not in result.stdout, name
        try:
            json.loads(result.stdout)
        except json.JSONDecodeError as error:
            pytest.fail(
                f"{name}: stdout is not one JSON document ({error}):\n{result.stdout}"
            )
