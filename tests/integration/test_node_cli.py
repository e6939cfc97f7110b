"""Every ``kitchenctl node`` command against a real Chef server, as a user runs it."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cli.helpers import Result, run_cli
from tests.fixtures.chef_servers import ChefServerHandle


def ok(*args: str) -> Result:
    result = run_cli(*args)
    assert result.exit_code == 0, result.stderr
    return result


def data(*args: str) -> object:
    return json.loads(ok("--format", "json", *args).stdout)


@pytest.fixture
def node(chef_profile: ChefServerHandle, unique_name: str) -> Iterator[str]:
    """A fresh node for one test, deleted afterwards."""
    ok("node", "create", unique_name)
    yield unique_name
    run_cli("--yes", "node", "delete", unique_name)


def test_the_dockerhost_example(chef_profile: ChefServerHandle) -> None:
    run_cli("--yes", "node", "delete", "dockerhost")
    ok("node", "create", "dockerhost")
    try:
        first = ok("node", "run-list", "set", "dockerhost", "dockerhost")
        second = ok("node", "run-list", "add", "dockerhost", "dockerhost::containers")
    finally:
        ok("--yes", "node", "delete", "dockerhost")

    assert first.stdout == "dockerhost:\n  run_list: recipe[dockerhost]\n"
    assert second.stdout == (
        "dockerhost:\n"
        "  run_list:\n"
        "    recipe[dockerhost]\n"
        "    recipe[dockerhost::containers]\n"
    )


def test_create_with_options_then_show(
    chef_profile: ChefServerHandle, unique_name: str
) -> None:
    created = ok(
        "node",
        "create",
        unique_name,
        "--run-list",
        "base,role[web]",
        "--json-attributes",
        '{"tags": ["web", "blue"], "fqdn": "web.example"}',
    )
    try:
        shown = ok("node", "show", unique_name)
        document = data("node", "show", unique_name)
        picked = ok("node", "show", unique_name, "-a", "fqdn", "-a", "tags", "-a", "x")
        picked_json = data("node", "show", unique_name, "--attribute", "fqdn")
        only_run_list = ok("node", "show", unique_name, "--run-list")
    finally:
        ok("--yes", "node", "delete", unique_name)

    assert created.stdout == f"Created node[{unique_name}]\n"
    assert shown.stdout.splitlines() == [
        f"Node Name:   {unique_name}",
        "Environment: _default",
        "FQDN:        web.example",
        "IP:",
        "Run List:    recipe[base], role[web]",
        "Roles:",
        "Recipes:",
        "Platform:",
        "Tags:        web, blue",
    ]
    assert picked.stdout == (
        f'{unique_name}:\n  fqdn: web.example\n  tags: ["web", "blue"]\n  x:\n'
    )
    assert picked_json == {unique_name: {"fqdn": "web.example"}}
    assert only_run_list.stdout == (
        f"{unique_name}:\n  run_list:\n    recipe[base]\n    role[web]\n"
    )
    assert isinstance(document, dict)
    assert document["run_list"] == ["recipe[base]", "role[web]"]
    assert document["normal"]["tags"] == ["web", "blue"]


def test_create_twice_is_a_conflict(node: str) -> None:
    again = run_cli("node", "create", node)

    assert again.exit_code == 7
    assert again.stderr.startswith(f"ERROR: node '{node}' conflicts:")


def test_list_and_environment_filter(node: str) -> None:
    listed = ok("node", "list").stdout.splitlines()
    as_json = data("node", "list")
    in_default = data("node", "list", "--environment", "_default")

    assert node in listed
    assert listed == sorted(listed)
    assert isinstance(as_json, list) and node in as_json
    assert isinstance(in_default, list) and node in in_default


def test_delete_asks_and_needs_yes_on_a_pipe(node: str) -> None:
    refused = run_cli("node", "delete", node)
    deleted = ok("--yes", "node", "delete", node)
    gone = run_cli("node", "show", node)

    assert refused.exit_code == 3
    assert "Do you really want to delete" in refused.stderr
    assert deleted.stdout == f"Deleted node[{node}]\n"
    assert gone.exit_code == 6
    assert gone.stderr.startswith(f"ERROR: node '{node}' not found on ")


def test_delete_json(chef_profile: ChefServerHandle, unique_name: str) -> None:
    ok("node", "create", unique_name)

    assert data("--yes", "node", "delete", unique_name) == {"deleted": [unique_name]}


def test_environment_set(node: str, chef_profile: ChefServerHandle) -> None:
    from kitchenctl.api import ChefServerAPI
    from kitchenctl.config import Key

    key = Key(path=chef_profile.admin_key).load()
    with ChefServerAPI(
        server_url=chef_profile.url, client_name="admin", key=key
    ) as api:
        if "staging" not in api.get("environments"):
            api.post(
                "environments", {"name": "staging", "json_class": "Chef::Environment"}
            )

    moved = ok("node", "environment", "set", node, "staging")
    missing = run_cli("node", "environment", "set", node, "nosuchenv")

    assert moved.stdout == f"{node}:\n  chef_environment: staging\n"
    assert data("node", "list", "-E", "staging") == [node]
    assert missing.exit_code == 6
    assert "environment 'nosuchenv' not found" in missing.stderr


def test_run_list_add_remove_show_json(node: str) -> None:
    ok("node", "run-list", "set", node, "a", "b")
    ok("node", "run-list", "add", node, "c", "--after", "a")
    ok("node", "run-list", "add", node, "role[web]", "--before", "recipe[a]")
    ok("node", "run-list", "add", node, "x@1.2,b")

    assert data("node", "run-list", "show", node) == {
        node: {
            "run_list": [
                "role[web]",
                "recipe[a]",
                "recipe[c]",
                "recipe[b]",
                "recipe[x@1.2]",
            ]
        }
    }

    removed = ok("node", "run-list", "remove", node, "a,role[web]", "zz")
    assert removed.stdout == (
        f"{node}:\n  run_list:\n    recipe[c]\n    recipe[b]\n    recipe[x@1.2]\n"
    )
    assert f"WARNING: recipe[zz] is not in the run list of {node}" in removed.stderr


def test_missing_anchor_fails_and_saves_nothing(node: str) -> None:
    ok("node", "run-list", "set", node, "a")

    result = run_cli("node", "run-list", "add", node, "b", "--after", "nosuch")

    assert result.exit_code == 2
    assert "recipe[nosuch] is not in the run list" in result.stderr
    assert data("node", "run-list", "show", node) == {node: {"run_list": ["recipe[a]"]}}


def test_invalid_item_is_named_and_nothing_is_saved(node: str) -> None:
    result = run_cli("node", "run-list", "set", node, "a,Recipe[x]")

    assert result.exit_code == 2
    assert "invalid run-list item 'Recipe[x]'" in result.stderr
    assert result.stderr.count("\n") == 1


def test_missing_node(chef_profile: ChefServerHandle) -> None:
    result = run_cli("node", "run-list", "show", "nosuchnode")

    assert result.exit_code == 6
    assert result.stderr == (
        f"ERROR: node 'nosuchnode' not found on {chef_profile.url}\n"
    )


def test_edit_opens_the_editor(
    chef_profile: ChefServerHandle,
    unique_name: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    editor = tmp_path / "editor.py"
    editor.write_text(
        "import json, sys\n"
        "path = sys.argv[1]\n"
        "node = json.load(open(path))\n"
        "node['run_list'].append('role[edited]')\n"
        "json.dump(node, open(path, 'w'))\n"
    )
    monkeypatch.setenv("EDITOR", f"{sys.executable} {editor}")

    ok("node", "create", unique_name, "-r", "base", "--edit")
    try:
        shown = data("node", "run-list", "show", unique_name)
    finally:
        ok("--yes", "node", "delete", unique_name)

    assert shown == {unique_name: {"run_list": ["recipe[base]", "role[edited]"]}}


def test_edit_to_invalid_json_saves_nothing(
    chef_profile: ChefServerHandle,
    unique_name: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    editor = tmp_path / "editor.py"
    editor.write_text("import sys\nopen(sys.argv[1], 'w').write('{\\n oops')\n")
    monkeypatch.setenv("EDITOR", f"{sys.executable} {editor}")

    result = run_cli("node", "create", unique_name, "--edit")

    assert result.exit_code == 5
    assert f"{unique_name}.json:2: not valid JSON" in result.stderr
    assert run_cli("node", "show", unique_name).exit_code == 6


def test_bad_key_is_one_clear_line(
    chef_profile: ChefServerHandle, tmp_path: Path
) -> None:
    # A real key that is not the admin's: goiardi's webui key, the embedded validator's.
    others = sorted(chef_profile.admin_key.parent.glob("*.pem"))
    other_key = next(key for key in others if key != chef_profile.admin_key)

    result = run_cli("--key", str(other_key), "node", "list")

    assert result.exit_code == 8
    assert result.stderr.startswith(
        f"ERROR: Failed to authenticate to {chef_profile.url} as admin with key "
        f"{other_key}"
    )
    assert result.stderr.count("\n") == 1


def test_unreachable_server_is_one_clear_line(chef_profile: ChefServerHandle) -> None:
    from tests.fixtures.chef_servers import free_port

    url = f"http://127.0.0.1:{free_port()}"
    result = run_cli("--server-url", url, "node", "list")

    assert result.exit_code == 10
    assert result.stderr.startswith(f"ERROR: cannot reach the Chef server at {url}")
    assert result.stderr.count("\n") == 1


def test_unknown_user_is_one_clear_line(chef_profile: ChefServerHandle) -> None:
    result = run_cli("--client-name", "nosuchuser", "node", "list")

    assert result.exit_code == 8
    assert result.stderr.startswith(
        f"ERROR: Failed to authenticate to {chef_profile.url} as nosuchuser with key "
    )
    assert "Failed to authenticate as 'nosuchuser'" in result.stderr
    assert result.stderr.count("\n") == 1
