"""Chef nodes on the server: list, show, create, delete, environment and run list.

Every change reads the node, changes it, and PUTs the whole node back, as Chef does
(``Chef::Node#save``). A PUT replaces the node, so the last writer wins: kitchenctl
keeps the window short and sends every field it read, including ones it does not know.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from kitchenctl.errors import ServerError, UsageError
from kitchenctl.runlist import RunListItem, parse_item

if TYPE_CHECKING:
    from kitchenctl.api import ChefServerAPI

# Chef's own rules (lib/chef/node.rb, lib/chef/environment.rb).
_NODE_NAME = re.compile(r"[-A-Za-z0-9_:.]+")
_ENVIRONMENT_NAME = re.compile(r"[-A-Za-z0-9_]+")
_LENIENT_ITEM = re.compile(r"(?P<kind>recipe|role)\[(?P<name>.*)\]")
_NODE_KEYS = (
    "name",
    "chef_environment",
    "run_list",
    "normal",
    "default",
    "override",
    "automatic",
)
DEFAULT_ENVIRONMENT = "_default"


@dataclass(frozen=True)
class Node:
    """A node as the server stores it; ``extra`` keeps fields passed along as is."""

    name: str
    chef_environment: str = DEFAULT_ENVIRONMENT
    run_list: tuple[RunListItem, ...] = ()
    normal: Mapping[str, Any] = field(default_factory=dict)
    default: Mapping[str, Any] = field(default_factory=dict)
    override: Mapping[str, Any] = field(default_factory=dict)
    automatic: Mapping[str, Any] = field(default_factory=dict)
    extra: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Node:
        """Read the server's JSON; a ``null`` run list (goiardi) reads as empty."""
        if not isinstance(data, Mapping) or not isinstance(data.get("name"), str):
            raise ServerError("the Chef server sent a node without a name")
        return cls(
            name=data["name"],
            chef_environment=data.get("chef_environment") or DEFAULT_ENVIRONMENT,
            run_list=tuple(stored_item(entry) for entry in data.get("run_list") or ()),
            normal=data.get("normal") or {},
            default=data.get("default") or {},
            override=data.get("override") or {},
            automatic=data.get("automatic") or {},
            extra={k: v for k, v in data.items() if k not in _NODE_KEYS},
        )

    def to_json(self) -> dict[str, Any]:
        """The whole node, always with a run list (goiardi stores none as null)."""
        return {
            "json_class": "Chef::Node",
            "chef_type": "node",
            **self.extra,
            "name": self.name,
            "chef_environment": self.chef_environment,
            "run_list": [str(item) for item in self.run_list],
            "normal": dict(self.normal),
            "default": dict(self.default),
            "override": dict(self.override),
            "automatic": dict(self.automatic),
        }

    def attribute(self, path: str) -> Any:
        """An attribute at Chef's precedence (automatic, override, normal, default).

        ``path`` may be dotted (``kernel.release``); ``name``, ``chef_environment``
        and ``run_list`` name the node's own fields. None when nowhere set.
        """
        if path in ("name", "chef_environment"):
            return getattr(self, path)
        if path == "run_list":
            return [str(item) for item in self.run_list]
        keys = path.split(".")
        for level in (self.automatic, self.override, self.normal, self.default):
            found, value = _dig(level, keys)
            if found:
                return value
        return None


def _dig(tree: Mapping[str, Any], keys: list[str]) -> tuple[bool, Any]:
    value: Any = tree
    for key in keys:
        if not isinstance(value, Mapping) or key not in value:
            return False, None
        value = value[key]
    return True, value


def stored_item(entry: str) -> RunListItem:
    """A run-list entry from the server; ones knife let through are kept as is."""
    try:
        return parse_item(entry)
    except UsageError:
        match = _LENIENT_ITEM.fullmatch(entry)
        if match:
            return RunListItem(match["kind"], match["name"])
        return RunListItem("recipe", entry)


def check_node_name(name: str) -> str:
    if not _NODE_NAME.fullmatch(name):
        raise UsageError(
            f"invalid node name {name!r}",
            hint="node names use letters, digits, '-', '_', ':' and '.'",
        )
    return name


def check_environment_name(name: str) -> str:
    if not _ENVIRONMENT_NAME.fullmatch(name):
        raise UsageError(
            f"invalid environment name {name!r}",
            hint="environment names use letters, digits, '-' and '_'",
        )
    return name


def _path(name: str) -> str:
    return f"nodes/{check_node_name(name)}"


def list_nodes(api: ChefServerAPI, *, environment: str | None = None) -> list[str]:
    """Node names, sorted; only those in ``environment`` when given."""
    if environment:
        listing = api.get(f"environments/{check_environment_name(environment)}/nodes")
    else:
        listing = api.get("nodes")
    if not isinstance(listing, Mapping):
        raise ServerError("the Chef server's node list is not a JSON object")
    return sorted(listing)


def get_node(api: ChefServerAPI, name: str) -> Node:
    """The node; NotFound naming it when absent."""
    return Node.from_json(api.get(_path(name)))


def create_node(api: ChefServerAPI, node: Node) -> Node:
    """Create ``node`` (POST); Conflict when it exists."""
    check_node_name(node.name)
    check_environment_name(node.chef_environment)
    api.post("nodes", node.to_json())
    return node


def save_node(api: ChefServerAPI, node: Node) -> Node:
    """PUT the whole node and return what the server stored."""
    stored = api.put(_path(node.name), node.to_json())
    return Node.from_json(stored) if isinstance(stored, Mapping) else node


def delete_node(api: ChefServerAPI, name: str) -> Node | None:
    """Delete the node and return it as the server last had it."""
    deleted = api.delete(_path(name))
    return Node.from_json(deleted) if isinstance(deleted, Mapping) else None


def set_environment(api: ChefServerAPI, name: str, environment: str) -> Node:
    """Move the node into ``environment``, which must exist on the server."""
    check_environment_name(environment)
    node = get_node(api, name)
    api.get(f"environments/{environment}")
    return save_node(api, replace(node, chef_environment=environment))


RunListEdit = Callable[[list[RunListItem]], list[RunListItem]]


def change_run_list(api: ChefServerAPI, name: str, edit: RunListEdit) -> Node:
    """Read the node, apply ``edit`` to its run list, PUT the node back."""
    node = get_node(api, name)
    changed = edit(list(node.run_list))
    return save_node(api, replace(node, run_list=tuple(changed)))


def summary(node: Node) -> list[tuple[str, str]]:
    """The fields ``knife node show`` prints, in its order."""
    platform = " ".join(
        str(part)
        for part in (node.attribute("platform"), node.attribute("platform_version"))
        if part
    )
    policy = node.extra.get("policy_name")
    place = (
        [
            ("Policy Name", str(policy)),
            ("Policy Group", _text(node.extra.get("policy_group"))),
        ]
        if policy
        else [("Environment", node.chef_environment)]
    )
    return [
        ("Node Name", node.name),
        *place,
        ("FQDN", _text(node.attribute("fqdn"))),
        ("IP", _text(node.attribute("ipaddress"))),
        ("Run List", ", ".join(str(item) for item in node.run_list)),
        ("Roles", _joined(node.attribute("roles"))),
        ("Recipes", _joined(node.attribute("recipes"))),
        ("Platform", platform),
        ("Tags", _joined(node.attribute("tags"))),
    ]


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _joined(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return _text(value)
