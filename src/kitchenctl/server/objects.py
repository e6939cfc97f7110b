"""Validation of request bodies: every object the server stores passes through here.

Each kind is a table of fields (type and default). A body with an unknown field, a
field of the wrong type, or a bad name is rejected with a 400 that names the field, in
the words goiardi and erchef use. What passes is normalised into the exact JSON the
server stores and serves (defaults filled in, run lists in ``recipe[x]`` form).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from kitchenctl.server.protocol import bad_request

NAME = re.compile(r"^[A-Za-z0-9_.:\-]+$")
RUN_LIST_ITEM = re.compile(r"^(recipe|role)\[([^\[\]\s]+)\]$")
BARE_RECIPE = re.compile(r"^[A-Za-z0-9_.\-]+(::[A-Za-z0-9_.\-]+)?(@[0-9.]+)?$")


@dataclass(frozen=True)
class Field:
    kind: type | tuple[type, ...]
    default: Callable[[], Any] | None = None  # None: required, or absent when unset
    fixed: str | None = None  # chef_type / json_class must equal this when present


def _text(value: str) -> Callable[[], str]:
    return lambda: value


NODE = {
    "name": Field(str),
    "chef_type": Field(str, _text("node"), "node"),
    "json_class": Field(str, _text("Chef::Node"), "Chef::Node"),
    "chef_environment": Field(str, _text("_default")),
    "run_list": Field(list, list),
    "normal": Field(dict, dict),
    "default": Field(dict, dict),
    "override": Field(dict, dict),
    "automatic": Field(dict, dict),
    "policy_name": Field((str, type(None))),
    "policy_group": Field((str, type(None))),
}

ROLE = {
    "name": Field(str),
    "description": Field(str, _text("")),
    "chef_type": Field(str, _text("role"), "role"),
    "json_class": Field(str, _text("Chef::Role"), "Chef::Role"),
    "default_attributes": Field(dict, dict),
    "override_attributes": Field(dict, dict),
    "run_list": Field(list, list),
    "env_run_lists": Field(dict, dict),
}

ENVIRONMENT = {
    "name": Field(str),
    "description": Field(str, _text("")),
    "chef_type": Field(str, _text("environment"), "environment"),
    "json_class": Field(str, _text("Chef::Environment"), "Chef::Environment"),
    "cookbook_versions": Field(dict, dict),
    "default_attributes": Field(dict, dict),
    "override_attributes": Field(dict, dict),
}

DATA_BAG = {
    "name": Field(str),
    "chef_type": Field(str, _text("data_bag"), "data_bag"),
    "json_class": Field(str, _text("Chef::DataBag"), "Chef::DataBag"),
}

CLIENT = {
    "name": Field(str),
    "clientname": Field(str),
    "orgname": Field(str),
    "admin": Field(bool, lambda: False),
    "validator": Field(bool, lambda: False),
    "public_key": Field((str, type(None))),
    "private_key": Field((bool, str, type(None))),
    "create_key": Field(bool),
    "chef_type": Field(str, _text("client"), "client"),
    "json_class": Field(str, _text("Chef::ApiClient"), "Chef::ApiClient"),
}

USER = {
    "username": Field(str),
    "name": Field(str),
    "display_name": Field(str),
    "email": Field(str),
    "first_name": Field(str),
    "middle_name": Field(str),
    "last_name": Field(str),
    "password": Field(str),
    "public_key": Field((str, type(None))),
    "create_key": Field(bool),
    "admin": Field(bool, lambda: False),
    "chef_type": Field(str, _text("user"), "user"),
    "json_class": Field(str, _text("Chef::User"), "Chef::User"),
}


def require_object(body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise bad_request("The request body must be a JSON object.")
    return body


def check_fields(body: Any, fields: dict[str, Field]) -> dict[str, Any]:
    """Reject unknown keys and wrong types; fill defaults. Returns a new dict."""
    body = require_object(body)
    for key in body:
        if key not in fields:
            raise bad_request(f"Invalid key {key} in request body")

    result: dict[str, Any] = {}
    for key, spec in fields.items():
        if key not in body:
            if spec.default is not None:
                result[key] = spec.default()
            continue
        value = body[key]
        if not _is_instance(value, spec.kind):
            raise bad_request(f"Field '{key}' invalid")
        if spec.fixed is not None and value != spec.fixed:
            raise bad_request(f"Field '{key}' invalid")
        result[key] = value
    return result


def _is_instance(value: Any, kind: type | tuple[type, ...]) -> bool:
    kinds = kind if isinstance(kind, tuple) else (kind,)
    # JSON true/false are bools, which Python also counts as ints: keep them apart.
    if isinstance(value, bool) and bool not in kinds:
        return False
    return isinstance(value, kinds)


def check_name(name: Any, *, what: str = "name") -> str:
    if not isinstance(name, str) or not name:
        raise bad_request(f"Field '{what}' missing")
    if not NAME.match(name):
        raise bad_request(f"Field '{what}' invalid")
    return name


def name_matches_url(name: str, url_name: str | None, what: str) -> None:
    if url_name is not None and name != url_name:
        raise bad_request(f"{what} name mismatch.")


def normalize_run_list(items: list[Any], field: str = "run_list") -> list[str]:
    """``hello`` becomes ``recipe[hello]``; anything unparsable is a 400."""
    result = []
    for item in items:
        if not isinstance(item, str):
            raise bad_request(f"Field '{field}' invalid")
        if RUN_LIST_ITEM.match(item):
            result.append(item)
        elif BARE_RECIPE.match(item):
            result.append(f"recipe[{item}]")
        else:
            raise bad_request(
                f"Field '{field}' invalid: {item!r} is not a run-list item"
            )
    return result


def node(body: Any, url_name: str | None = None) -> dict[str, Any]:
    result = check_fields(body, NODE)
    check_name(result.get("name"))
    name_matches_url(result["name"], url_name, "Node")
    check_name(result["chef_environment"], what="chef_environment")
    result["run_list"] = normalize_run_list(result["run_list"])
    for key in ("policy_name", "policy_group"):
        if result.get(key, "") is None:
            del result[key]
    return result


def role(body: Any, url_name: str | None = None) -> dict[str, Any]:
    result = check_fields(body, ROLE)
    check_name(result.get("name"))
    name_matches_url(result["name"], url_name, "Role")
    result["run_list"] = normalize_run_list(result["run_list"])
    for environment, run_list in result["env_run_lists"].items():
        if not isinstance(run_list, list):
            raise bad_request(f"Field 'env_run_lists' invalid for {environment}")
        result["env_run_lists"][environment] = normalize_run_list(
            run_list, "env_run_lists"
        )
    return result


def environment(body: Any, url_name: str | None = None) -> dict[str, Any]:
    result = check_fields(body, ENVIRONMENT)
    check_name(result.get("name"))
    name_matches_url(result["name"], url_name, "Environment")
    for cookbook, constraint in result["cookbook_versions"].items():
        if not isinstance(constraint, str) or not _is_constraint(constraint):
            raise bad_request(f"Field 'cookbook_versions' invalid for {cookbook}")
    return result


def _is_constraint(text: str) -> bool:
    from kitchenctl.errors import InputFileError
    from kitchenctl.versions import Constraint

    try:
        Constraint.parse(text)
    except InputFileError:
        return False
    return True


def data_bag(body: Any) -> dict[str, Any]:
    result = check_fields(body, DATA_BAG)
    check_name(result.get("name"))
    return result


def data_bag_item(body: Any, bag: str, url_id: str | None = None) -> dict[str, Any]:
    """The raw item; Chef's wrapped form (``raw_data``) is unwrapped."""
    item = require_object(body)
    if isinstance(item.get("raw_data"), dict):
        item = item["raw_data"]
    item = dict(item)
    if item.get("chef_type") == "data_bag_item":
        del item["chef_type"]
    if item.get("data_bag") == bag:
        del item["data_bag"]
    check_name(item.get("id"), what="id")
    if url_id is not None and item["id"] != url_id:
        raise bad_request("DataBagItem name mismatch.")
    return dict(item)


def client(body: Any, url_name: str | None = None) -> dict[str, Any]:
    result = check_fields(body, CLIENT)
    if "name" not in result and "clientname" in result:
        result["name"] = result["clientname"]
    if "name" not in result and url_name is not None:
        result["name"] = url_name
    check_name(result.get("name"))
    name_matches_url(result["name"], url_name, "Client")
    if result.get("create_key") and result.get("public_key"):
        raise bad_request("Fields 'public_key' and 'create_key' cannot both be set.")
    return result


def user(body: Any, url_name: str | None = None) -> dict[str, Any]:
    result = check_fields(body, USER)
    name = result.get("username", result.get("name"))
    if name is None and url_name is not None:
        name = url_name
    result["username"] = check_name(name, what="username")
    result.pop("name", None)
    name_matches_url(result["username"], url_name, "User")
    if result.get("create_key") and result.get("public_key"):
        raise bad_request("Fields 'public_key' and 'create_key' cannot both be set.")
    return result
