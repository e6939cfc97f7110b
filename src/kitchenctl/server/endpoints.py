"""Users, organisations, clients, nodes, roles, environments, data bags and search."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from kitchenctl.server import MAX_API_VERSION, MIN_API_VERSION, objects, search
from kitchenctl.server.app import Call, Handler, Routes
from kitchenctl.server.authz import Access, authorize
from kitchenctl.server.keys import check_public_key
from kitchenctl.server.protocol import (
    ApiError,
    Reply,
    bad_request,
    conflict,
    not_found,
)
from kitchenctl.server.store import ROOT
from kitchenctl.signing import generate_key_pair


def _raw(text: str) -> Reply:
    return Reply(raw=text.encode("utf-8"))


def _index(call: Call, segment: str, names: list[str]) -> Reply:
    return Reply(data={name: call.url(segment, name) for name in names})


# Nodes, roles and environments share one shape of CRUD.


@dataclass(frozen=True)
class Kind:
    kind: str  # the store's kind
    segment: str  # the URL segment
    label: str  # "Node", for messages
    normalize: Callable[[Any, str | None], dict[str, Any]]
    write: Access  # what creating or updating needs

    def missing(self, name: str) -> ApiError:
        return not_found(f"{self.label.lower()} '{name}' not found")


NODES = Kind("node", "nodes", "Node", objects.node, Access.OWN_NODE)
ROLES = Kind("role", "roles", "Role", objects.role, Access.ADMIN)
ENVIRONMENTS = Kind(
    "environment", "environments", "Environment", objects.environment, Access.ADMIN
)


def _list(kind: Kind) -> Handler:
    def handler(call: Call) -> Reply:
        authorize(call.actor, Access.READ)
        return _index(call, kind.segment, call.store.names(call.org, kind.kind))

    return handler


def _create(kind: Kind) -> Handler:
    def handler(call: Call) -> Reply:
        body = kind.normalize(call.json, None)
        authorize(call.actor, kind.write, body["name"])
        if not call.store.insert(call.org, kind.kind, body["name"], body):
            raise conflict(f"{kind.label} already exists")
        return Reply(201, {"uri": call.url(kind.segment, body["name"])})

    return handler


def _show(kind: Kind) -> Handler:
    def handler(call: Call) -> Reply:
        authorize(call.actor, Access.READ)
        name = call.params["name"]
        text = call.store.get_raw(call.org, kind.kind, name)
        if text is None:
            raise kind.missing(name)
        return _raw(text)

    return handler


def _update(kind: Kind) -> Handler:
    def handler(call: Call) -> Reply:
        name = call.params["name"]
        authorize(call.actor, kind.write, name)
        _refuse_default_environment(kind, name)
        body = kind.normalize(call.json, name)
        if call.store.get_raw(call.org, kind.kind, name) is None:
            raise kind.missing(name)
        call.store.put(call.org, kind.kind, name, body)
        return Reply(data=body)

    return handler


def _delete(kind: Kind) -> Handler:
    def handler(call: Call) -> Reply:
        name = call.params["name"]
        authorize(call.actor, Access.ADMIN)
        _refuse_default_environment(kind, name)
        body = call.store.get(call.org, kind.kind, name)
        if body is None:
            raise kind.missing(name)
        call.store.delete(call.org, kind.kind, name)
        return Reply(data=body)

    return handler


def _refuse_default_environment(kind: Kind, name: str) -> None:
    if kind is ENVIRONMENTS and name == "_default":
        raise ApiError(405, "The '_default' environment cannot be modified.")


def _crud_routes(kind: Kind) -> Routes:
    return [
        (f"/{kind.segment}", {"GET": _list(kind), "POST": _create(kind)}),
        (
            f"/{kind.segment}/{{name}}",
            {"GET": _show(kind), "PUT": _update(kind), "DELETE": _delete(kind)},
        ),
    ]


def environment_nodes(call: Call) -> Reply:
    authorize(call.actor, Access.READ)
    name = call.params["name"]
    if call.store.get_raw(call.org, "environment", name) is None:
        raise ENVIRONMENTS.missing(name)
    names = [
        node_name
        for _, node_name, node in call.store.bodies(call.org, "node")
        if node.get("chef_environment") == name
    ]
    return _index(call, "nodes", names)


def role_environments(call: Call) -> Reply:
    authorize(call.actor, Access.READ)
    role = _existing_role(call)
    return Reply(data=["_default", *sorted(role["env_run_lists"])])


def role_environment(call: Call) -> Reply:
    authorize(call.actor, Access.READ)
    role = _existing_role(call)
    environment = call.params["environment"]
    run_list = role["env_run_lists"].get(environment)
    if environment == "_default":
        run_list = role["run_list"]
    return Reply(data={"run_list": run_list})


def _existing_role(call: Call) -> dict[str, Any]:
    role = call.store.get(call.org, "role", call.params["name"])
    if role is None:
        raise ROLES.missing(call.params["name"])
    return role


# Clients and users: actors with public keys.


def _key_answer(
    call: Call,
    record: dict[str, Any],
    uri: str,
    body: dict[str, Any],
    *,
    creating: bool,
) -> dict[str, Any]:
    """Give ``record`` a key when asked, and build the answer's key fields.

    API v0, and a PUT with ``"private_key": true``, get Chef 11's shape: ``public_key``
    and ``private_key`` at the top level (v0 creation makes a key unless one was sent).
    v1+ gets ``chef_key``, with the private key only when the server made it.
    """
    regenerate = body.get("private_key") is True
    legacy = call.api_version == 0 or regenerate
    generate = (
        bool(body.get("create_key"))
        or regenerate
        or (creating and legacy and not record.get("public_key"))
    )
    answer: dict[str, Any] = {"uri": uri}
    private_pem = None
    if generate:
        pair = generate_key_pair()
        record["public_key"], private_pem = pair.public_pem, pair.private_pem
    if not record.get("public_key"):
        return answer

    if legacy:
        answer["public_key"] = record["public_key"]
        if private_pem:
            answer["private_key"] = private_pem
        return answer
    chef_key: dict[str, Any] = {
        "name": "default",
        "public_key": record["public_key"],
        "expiration_date": "infinity",
        "uri": f"{uri}/keys/default",
    }
    if private_pem:
        chef_key["private_key"] = private_pem
    answer["chef_key"] = chef_key
    return answer


def _checked_public_key(body: dict[str, Any]) -> None:
    key = body.get("public_key")
    if isinstance(key, str) and not check_public_key(key):
        raise bad_request("Field 'public_key' invalid: not an RSA public key in PEM")


def _client_record(call: Call, body: dict[str, Any]) -> dict[str, Any]:
    record = {
        "name": body["name"],
        "clientname": body["name"],
        "orgname": call.org,
        "admin": body["admin"],
        "validator": body["validator"],
        "chef_type": "client",
        "json_class": "Chef::ApiClient",
    }
    if body.get("public_key"):
        record["public_key"] = body["public_key"]
    return record


def list_clients(call: Call) -> Reply:
    authorize(call.actor, Access.READ)
    return _index(call, "clients", call.store.names(call.org, "client"))


def create_client(call: Call) -> Reply:
    body = objects.client(call.json)
    authorize(call.actor, Access.CREATE_CLIENT)
    if (body["admin"] or body["validator"]) and not call.actor.admin:
        raise ApiError(403, "missing create permission")
    _checked_public_key(body)

    record = _client_record(call, body)
    uri = call.url("clients", record["name"])
    answer = _key_answer(call, record, uri, body, creating=True)
    if not call.store.insert(call.org, "client", record["name"], record):
        raise conflict("Client already exists")
    return Reply(201, answer)


def show_client(call: Call) -> Reply:
    authorize(call.actor, Access.READ)
    record = call.store.get(call.org, "client", call.params["name"])
    if record is None:
        raise not_found(f"client '{call.params['name']}' not found")
    return Reply(data=record)


def update_client(call: Call) -> Reply:
    name = call.params["name"]
    authorize(call.actor, Access.OWN_CLIENT, name)
    body = objects.client(call.json, name)
    record = call.store.get(call.org, "client", name)
    if record is None:
        raise not_found(f"client '{name}' not found")

    promoting = body["admin"] != record["admin"] or (
        body["validator"] != record["validator"]
    )
    if promoting and not call.actor.admin:
        raise ApiError(403, "missing update permission")
    _checked_public_key(body)

    record.update(admin=body["admin"], validator=body["validator"])
    if body.get("public_key"):
        record["public_key"] = body["public_key"]
    uri = call.url("clients", name)
    answer = _key_answer(call, record, uri, body, creating=False)
    call.store.put(call.org, "client", name, record)
    answer.pop("uri")
    return Reply(data={**record, **answer})


def delete_client(call: Call) -> Reply:
    name = call.params["name"]
    authorize(call.actor, Access.ADMIN)
    record = call.store.get(call.org, "client", name)
    if record is None:
        raise not_found(f"client '{name}' not found")
    call.store.delete(call.org, "client", name)
    return Reply(data=record)


def client_keys(call: Call) -> Reply:
    authorize(call.actor, Access.READ)
    record = call.store.get(call.org, "client", call.params["name"])
    if record is None:
        raise not_found(f"client '{call.params['name']}' not found")
    if not record.get("public_key"):
        return Reply(data=[])
    uri = call.url("clients", record["name"], "keys", "default")
    return Reply(data=[{"name": "default", "uri": uri, "expired": False}])


def client_default_key(call: Call) -> Reply:
    authorize(call.actor, Access.READ)
    record = call.store.get(call.org, "client", call.params["name"])
    if record is None or not record.get("public_key"):
        raise not_found(f"key 'default' of client '{call.params['name']}' not found")
    return Reply(
        data={
            "name": "default",
            "public_key": record["public_key"],
            "expiration_date": "infinity",
        }
    )


def _user_url(call: Call, name: str) -> str:
    return f"{call.root_url}/users/{name}"


def list_users(call: Call) -> Reply:
    authorize(call.actor, Access.READ)
    names = call.store.names(ROOT, "user")
    return Reply(data={name: _user_url(call, name) for name in names})


def create_user(call: Call) -> Reply:
    authorize(call.actor, Access.ADMIN)
    body = objects.user(call.json)
    _checked_public_key(body)
    record = _user_record(body)
    uri = _user_url(call, record["username"])
    answer = _key_answer(call, record, uri, body, creating=True)
    if not call.store.insert(ROOT, "user", record["username"], record):
        raise conflict("User already exists")
    return Reply(201, answer)


def _user_record(body: dict[str, Any]) -> dict[str, Any]:
    # Passwords are not kept: this server authenticates by key only.
    keep = ("username", "display_name", "email", "first_name", "middle_name")
    record = {key: body[key] for key in (*keep, "last_name") if key in body}
    record.update(admin=body["admin"], chef_type="user", json_class="Chef::User")
    if body.get("public_key"):
        record["public_key"] = body["public_key"]
    return record


def show_user(call: Call) -> Reply:
    authorize(call.actor, Access.READ)
    record = call.store.get(ROOT, "user", call.params["name"])
    if record is None:
        raise not_found(f"user '{call.params['name']}' not found")
    return Reply(data=record)


def update_user(call: Call) -> Reply:
    authorize(call.actor, Access.ADMIN)
    name = call.params["name"]
    body = objects.user(call.json, name)
    _checked_public_key(body)
    old = call.store.get(ROOT, "user", name)
    if old is None:
        raise not_found(f"user '{name}' not found")
    record = _user_record(body)
    record.setdefault("public_key", old.get("public_key"))
    uri = _user_url(call, name)
    answer = _key_answer(call, record, uri, body, creating=False)
    call.store.put(ROOT, "user", name, record)
    answer.pop("uri")
    return Reply(data={**record, **answer})


def delete_user(call: Call) -> Reply:
    authorize(call.actor, Access.ADMIN)
    record = call.store.get(ROOT, "user", call.params["name"])
    if record is None:
        raise not_found(f"user '{call.params['name']}' not found")
    call.store.delete(ROOT, "user", call.params["name"])
    return Reply(data=record)


# Organisations and the API version range.


def list_organizations(call: Call) -> Reply:
    authorize(call.actor, Access.READ)
    return Reply(data={call.org: f"{call.root_url}/organizations/{call.org}"})


def show_organization(call: Call) -> Reply:
    authorize(call.actor, Access.READ)
    return Reply(data={"name": call.org, "full_name": call.org, "guid": call.org})


def server_api_version(call: Call) -> Reply:
    return Reply(
        data={"min_api_version": MIN_API_VERSION, "max_api_version": MAX_API_VERSION}
    )


# Data bags.


def list_data_bags(call: Call) -> Reply:
    authorize(call.actor, Access.READ)
    return _index(call, "data", call.store.names(call.org, "data_bag"))


def create_data_bag(call: Call) -> Reply:
    authorize(call.actor, Access.ADMIN)
    body = objects.data_bag(call.json)
    if not call.store.insert(call.org, "data_bag", body["name"], body):
        raise conflict("Data bag already exists")
    return Reply(201, {"uri": call.url("data", body["name"])})


def _existing_bag(call: Call) -> str:
    bag = call.params["bag"]
    if call.store.get_raw(call.org, "data_bag", bag) is None:
        raise not_found(f"No data bag '{bag}' could be found.")
    return bag


def show_data_bag(call: Call) -> Reply:
    authorize(call.actor, Access.READ)
    bag = _existing_bag(call)
    names = call.store.names(call.org, "data_bag_item", parent=bag)
    return Reply(data={name: call.url("data", bag, name) for name in names})


def delete_data_bag(call: Call) -> Reply:
    authorize(call.actor, Access.ADMIN)
    bag = _existing_bag(call)
    call.store.delete_children(call.org, "data_bag_item", bag)
    call.store.delete(call.org, "data_bag", bag)
    return Reply(
        data={"name": bag, "chef_type": "data_bag", "json_class": "Chef::DataBag"}
    )


def create_data_bag_item(call: Call) -> Reply:
    authorize(call.actor, Access.ADMIN)
    bag = _existing_bag(call)
    item = objects.data_bag_item(call.json, bag)
    if not call.store.insert(call.org, "data_bag_item", item["id"], item, bag):
        raise conflict("Data Bag Item already exists")
    return Reply(201, item)


def show_data_bag_item(call: Call) -> Reply:
    authorize(call.actor, Access.READ)
    bag = _existing_bag(call)
    text = call.store.get_raw(call.org, "data_bag_item", call.params["item"], bag)
    if text is None:
        raise not_found(f"Cannot load data bag item {call.params['item']} for {bag}")
    return _raw(text)


def update_data_bag_item(call: Call) -> Reply:
    authorize(call.actor, Access.ADMIN)
    bag = _existing_bag(call)
    item_id = call.params["item"]
    item = objects.data_bag_item(call.json, bag, item_id)
    if call.store.get_raw(call.org, "data_bag_item", item_id, bag) is None:
        raise not_found(f"Cannot load data bag item {item_id} for {bag}")
    call.store.put(call.org, "data_bag_item", item_id, item, bag)
    return Reply(data=item)


def delete_data_bag_item(call: Call) -> Reply:
    authorize(call.actor, Access.ADMIN)
    bag = _existing_bag(call)
    item_id = call.params["item"]
    item = call.store.get(call.org, "data_bag_item", item_id, bag)
    if item is None:
        raise not_found(f"Cannot load data bag item {item_id} for {bag}")
    call.store.delete(call.org, "data_bag_item", item_id, bag)
    return Reply(data=item)


# Search.

BUILT_IN_INDEXES = ("client", "environment", "node", "role")


def list_indexes(call: Call) -> Reply:
    authorize(call.actor, Access.READ)
    names = [*BUILT_IN_INDEXES, *call.store.names(call.org, "data_bag")]
    return _index(call, "search", names)


def search_index(call: Call) -> Reply:
    authorize(call.actor, Access.READ)
    index = call.params["index"]
    matcher = _query(call.query.get("q", "*:*"))
    start = _non_negative(call.query, "start", 0)
    rows = _non_negative(call.query, "rows", 1000)
    paths = _partial_paths(call) if call.method == "POST" else None

    found = [item for item in _documents(call, index) if matcher(item.index)]
    page = found[start : start + rows]
    if paths is None:
        result_rows: list[Any] = [item.body for item in page]
    else:
        result_rows = [
            {"url": item.url, "data": search.partial(item.source, paths)}
            for item in page
        ]
    return Reply(data={"total": len(found), "start": start, "rows": result_rows})


def _query(text: str) -> search.Matcher:
    try:
        return search.parse(text)
    except search.QueryError as exc:
        raise bad_request(f"invalid search query: {exc}") from exc


def _non_negative(query: Any, key: str, default: int) -> int:
    value = query.get(key)
    if value is None:
        return default
    try:
        number = int(value)
    except ValueError:
        number = -1
    if number < 0:
        raise bad_request(f"invalid '{key}': {value!r} is not a non-negative integer")
    return number


def _partial_paths(call: Call) -> dict[str, list[str]]:
    body = objects.require_object(call.json)
    for alias, path in body.items():
        if not isinstance(path, list) or not all(isinstance(p, str) for p in path):
            raise bad_request(f"Field '{alias}' invalid: a list of keys is expected")
    return body


@dataclass(frozen=True)
class Document:
    url: str
    body: Any  # what a full search row shows
    source: dict[str, Any]  # what partial search paths look into
    index: search.Index


def _documents(call: Call, index: str) -> Iterator[Document]:
    if index == "node":
        for _, name, node in call.store.bodies(call.org, "node"):
            source = {**search.merged_attributes(node), **node}
            yield Document(
                call.url("nodes", name), node, source, search.node_index(node)
            )
        return
    if index in BUILT_IN_INDEXES:
        for _, name, body in call.store.bodies(call.org, index):
            segment = f"{index}s"
            yield Document(
                call.url(segment, name), body, body, search.object_index(body)
            )
        return
    if call.store.get_raw(call.org, "data_bag", index) is None:
        raise not_found(f"I don't know how to search for {index} data objects.")
    for _, name, item in call.store.bodies(call.org, "data_bag_item", index):
        wrapped = {
            "name": f"data_bag_item_{index}_{name}",
            "json_class": "Chef::DataBagItem",
            "chef_type": "data_bag_item",
            "data_bag": index,
            "raw_data": item,
        }
        url = call.url("data", index, name)
        yield Document(url, wrapped, item, search.object_index(item))


ROOT_ROUTES: Routes = [
    ("/users", {"GET": list_users, "POST": create_user}),
    (
        "/users/{name}",
        {"GET": show_user, "PUT": update_user, "DELETE": delete_user},
    ),
    ("/organizations", {"GET": list_organizations}),
    ("/organizations/{org}", {"GET": show_organization}),
]

ORG_ROUTES: Routes = [
    ("/server_api_version", {"GET": server_api_version}),
    ("/clients", {"GET": list_clients, "POST": create_client}),
    (
        "/clients/{name}",
        {"GET": show_client, "PUT": update_client, "DELETE": delete_client},
    ),
    ("/clients/{name}/keys", {"GET": client_keys}),
    ("/clients/{name}/keys/default", {"GET": client_default_key}),
    *_crud_routes(NODES),
    *_crud_routes(ROLES),
    ("/roles/{name}/environments", {"GET": role_environments}),
    ("/roles/{name}/environments/{environment}", {"GET": role_environment}),
    *_crud_routes(ENVIRONMENTS),
    ("/environments/{name}/nodes", {"GET": environment_nodes}),
    ("/data", {"GET": list_data_bags, "POST": create_data_bag}),
    (
        "/data/{bag}",
        {"GET": show_data_bag, "POST": create_data_bag_item, "DELETE": delete_data_bag},
    ),
    (
        "/data/{bag}/{item}",
        {
            "GET": show_data_bag_item,
            "PUT": update_data_bag_item,
            "DELETE": delete_data_bag_item,
        },
    ),
    ("/search", {"GET": list_indexes}),
    ("/search/{index}", {"GET": search_index, "POST": search_index}),
]
