"""Reading and writing node JSON without losing what the server stored."""

from __future__ import annotations

import pytest

from kitchenctl.errors import ServerError, UsageError
from kitchenctl.nodes import Node, check_environment_name, check_node_name


def test_null_run_list_reads_as_empty_and_is_always_sent() -> None:
    node = Node.from_json({"name": "n1", "run_list": None})

    assert node.run_list == ()
    assert node.to_json()["run_list"] == []


def test_unknown_fields_and_odd_stored_items_survive_a_round_trip() -> None:
    stored = {
        "name": "n1",
        "chef_environment": "prod",
        "run_list": ["recipe[foo bar]", "role[web]", "recipe[x@1.0.0]"],
        "policy_name": "p",
        "policy_group": "g",
        "automatic": {"fqdn": "n1.example"},
    }

    written = Node.from_json(stored).to_json()

    assert written["run_list"] == stored["run_list"]
    assert written["policy_name"] == "p"
    assert written["automatic"] == {"fqdn": "n1.example"}
    assert written["json_class"] == "Chef::Node"


def test_attribute_precedence() -> None:
    node = Node(
        name="n",
        default={"a": "default", "b": "default"},
        normal={"a": "normal"},
        automatic={"b": "automatic"},
    )

    assert (node.attribute("a"), node.attribute("b")) == ("normal", "automatic")


def test_a_node_without_a_name_is_a_server_error() -> None:
    with pytest.raises(ServerError):
        Node.from_json({"run_list": []})


@pytest.mark.parametrize("name", ["web1", "web-1.example.com", "a_b:c"])
def test_valid_node_names(name: str) -> None:
    assert check_node_name(name) == name


@pytest.mark.parametrize("name", ["", "a b", "a/b", "../x", "x?y"])
def test_invalid_node_names(name: str) -> None:
    with pytest.raises(UsageError, match="invalid node name"):
        check_node_name(name)


def test_environment_names_have_no_dots() -> None:
    with pytest.raises(UsageError, match="invalid environment name"):
        check_environment_name("prod.eu")


def test_dotted_attribute_paths_and_node_fields() -> None:
    node = Node(
        name="n",
        chef_environment="prod",
        default={"kernel": {"release": "6.1", "name": "Linux"}},
        automatic={"kernel": {"release": "6.12"}},
    )

    assert node.attribute("kernel.release") == "6.12"
    assert node.attribute("kernel.name") == "Linux"
    assert node.attribute("kernel.nosuch") is None
    assert node.attribute("chef_environment") == "prod"
    assert node.attribute("run_list") == []
