"""Nodes, clients, roles, environments, data bags, search and both URL layouts."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from kitchenctl.signing import generate_key_pair
from tests.fixtures.embedded_server import EmbeddedServer


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b'{"name": "x",', "The request body is not valid JSON"),
        (b"", "The request body is empty"),
        (b"[1, 2]", "The request body must be a JSON object."),
        (b'{"name": "x", "colour": "red"}', "Invalid key colour in request body"),
        (b'{"name": "x", "run_list": "hello"}', "Field 'run_list' invalid"),
        (b'{"name": "x", "normal": []}', "Field 'normal' invalid"),
        (b'{"name": 7}', "Field 'name' invalid"),
        (b'{"name": "a b"}', "Field 'name' invalid"),
        (b'{"run_list": []}', "Field 'name' missing"),
        (b'{"name": "x", "run_list": ["recipe[x"]}', "is not a run-list item"),
        (b'{"name": "x", "chef_type": "role"}', "Field 'chef_type' invalid"),
    ],
)
def test_bad_node_bodies_are_400_with_a_message(
    embedded_server: EmbeddedServer, body: bytes, message: str
) -> None:
    response = embedded_server.request("POST", "nodes", content=body)

    assert response.status_code == 400
    assert message in response.json()["error"][0]


def test_absurdly_nested_json_is_400_not_500(embedded_server: EmbeddedServer) -> None:
    deep = b'{"name": "deep", "normal": ' + b'{"a": ' * 5000 + b"1" + b"}" * 5001

    response = embedded_server.request("POST", "nodes", content=deep)

    assert response.status_code == 400


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("roles", b'{"name": "r", "run_list": {}}'),
        ("environments", b'{"name": "e", "cookbook_versions": {"a": 1}}'),
        ("clients", b'{"name": "c", "admin": "yes"}'),
        ("data", b'{"name": "bag", "items": []}'),
        ("sandboxes", b'{"checksums": {"abc": 1}}'),
        ("search/node?q=name:x", b'{"n": "name"}'),
        ("/users", b'{"username": "u", "admin": 1}'),
    ],
)
def test_bad_bodies_elsewhere_are_400(
    embedded_server: EmbeddedServer, path: str, body: bytes
) -> None:
    response = embedded_server.request("POST", path, content=body)

    assert response.status_code == 400
    assert isinstance(response.json()["error"][0], str)


def test_node_defaults_and_run_list_form(
    embedded_server: EmbeddedServer, unique_name: str
) -> None:
    created = embedded_server.request("POST", "nodes", json_body={"name": unique_name})
    embedded_server.request(
        "PUT",
        f"nodes/{unique_name}",
        json_body={"name": unique_name, "run_list": ["hello::web@1.0.0", "role[base]"]},
    )

    node = embedded_server.request("GET", f"nodes/{unique_name}").json()
    assert created.json() == {"uri": f"{embedded_server.url}/nodes/{unique_name}"}
    assert node == {
        "name": unique_name,
        "chef_type": "node",
        "json_class": "Chef::Node",
        "chef_environment": "_default",
        "run_list": ["recipe[hello::web@1.0.0]", "role[base]"],
        "normal": {},
        "default": {},
        "override": {},
        "automatic": {},
    }


def test_node_conflicts_and_absences(
    embedded_server: EmbeddedServer, unique_name: str
) -> None:
    embedded_server.request("POST", "nodes", json_body={"name": unique_name})

    again = embedded_server.request("POST", "nodes", json_body={"name": unique_name})
    missing = embedded_server.request("GET", "nodes/nosuch")
    put_missing = embedded_server.request(
        "PUT", "nodes/nosuch", json_body={"name": "nosuch"}
    )
    mismatch = embedded_server.request(
        "PUT", f"nodes/{unique_name}", json_body={"name": "other"}
    )
    deleted = embedded_server.request("DELETE", f"nodes/{unique_name}")

    assert again.status_code == 409
    assert again.json() == {"error": ["Node already exists"]}
    assert missing.status_code == 404
    assert missing.json() == {"error": ["node 'nosuch' not found"]}
    assert put_missing.status_code == 404
    assert mismatch.status_code == 400
    assert mismatch.json() == {"error": ["Node name mismatch."]}
    assert deleted.json()["name"] == unique_name
    assert embedded_server.request("GET", f"nodes/{unique_name}").status_code == 404


def test_org_and_root_layouts_serve_the_same_objects(
    embedded_server: EmbeddedServer, unique_name: str
) -> None:
    root_create = embedded_server.request(
        "POST", "/nodes", json_body={"name": unique_name}
    )

    via_org = embedded_server.request("GET", f"nodes/{unique_name}")
    via_root = embedded_server.request("GET", f"/nodes/{unique_name}")
    doubled = embedded_server.request("GET", f"//nodes/{unique_name}")
    other_org = embedded_server.request("GET", "/organizations/acme/nodes")

    assert (
        root_create.json()["uri"] == f"{embedded_server.root_url}/nodes/{unique_name}"
    )
    assert via_org.json() == via_root.json() == doubled.json()
    assert other_org.status_code == 404
    assert other_org.json() == {"error": ["organization 'acme' does not exist."]}


@pytest.mark.parametrize(
    ("method", "path"), [("HEAD", "sandboxes"), ("DELETE", "nodes"), ("PUT", "search")]
)
def test_unsupported_method_is_405(
    embedded_server: EmbeddedServer, method: str, path: str
) -> None:
    response = embedded_server.request(method, path)

    assert response.status_code == 405


def test_head_answers_like_get_without_a_body(embedded_server: EmbeddedServer) -> None:
    response = embedded_server.request("HEAD", "environments/_default")

    assert response.status_code == 200
    assert response.content == b""


def test_unknown_path_is_a_json_404(embedded_server: EmbeddedServer) -> None:
    response = embedded_server.request("GET", "nosuchthing")

    assert response.status_code == 404
    assert response.json() == {"error": ["No such resource."]}


def test_client_with_create_key_gets_chef_key(
    embedded_server: EmbeddedServer, unique_name: str
) -> None:
    response = embedded_server.request(
        "POST",
        "clients",
        json_body={"name": unique_name, "validator": False, "create_key": True},
    )

    answer = response.json()
    assert response.status_code == 201
    assert answer["uri"] == f"{embedded_server.url}/clients/{unique_name}"
    assert answer["chef_key"]["name"] == "default"
    assert answer["chef_key"]["expiration_date"] == "infinity"
    assert answer["chef_key"]["private_key"].startswith("-----BEGIN RSA PRIVATE KEY")
    stored = embedded_server.request("GET", f"clients/{unique_name}").json()
    assert stored["public_key"] == answer["chef_key"]["public_key"]
    assert "private_key" not in stored


def test_client_with_its_own_key_gets_no_private_key(
    embedded_server: EmbeddedServer, unique_name: str
) -> None:
    pair = generate_key_pair()

    response = embedded_server.request(
        "POST",
        "clients",
        json_body={"name": unique_name, "admin": False, "public_key": pair.public_pem},
    )
    again = embedded_server.request("POST", "clients", json_body={"name": unique_name})

    assert response.status_code == 201
    assert "private_key" not in response.text
    assert again.status_code == 409
    assert again.json() == {"error": ["Client already exists"]}


def test_api_v0_client_gets_a_top_level_private_key(
    embedded_server: EmbeddedServer, unique_name: str
) -> None:
    response = embedded_server.request(
        "POST", "clients", json_body={"name": unique_name}, api_version="0"
    )

    answer = response.json()
    assert set(answer) == {"uri", "public_key", "private_key"}


def test_keyless_client_and_conflicting_key_options(
    embedded_server: EmbeddedServer, unique_name: str
) -> None:
    keyless = embedded_server.request(
        "POST", "clients", json_body={"name": unique_name}
    )
    both = embedded_server.request(
        "POST",
        "clients",
        json_body={"name": "both", "create_key": True, "public_key": "x"},
    )
    bad_key = embedded_server.request(
        "POST", "clients", json_body={"name": "badkey", "public_key": "not a key"}
    )

    assert keyless.json() == {"uri": f"{embedded_server.url}/clients/{unique_name}"}
    assert both.status_code == 400
    assert bad_key.status_code == 400


def test_roles_and_environments(
    embedded_server: EmbeddedServer, unique_name: str
) -> None:
    role = {"name": unique_name, "run_list": ["base"], "env_run_lists": {}}
    environment = {"name": unique_name, "cookbook_versions": {"hello": "= 0.1.0"}}

    role_created = embedded_server.request("POST", "roles", json_body=role)
    env_created = embedded_server.request("POST", "environments", json_body=environment)
    default_put = embedded_server.request(
        "PUT", "environments/_default", json_body={"name": "_default"}
    )

    assert role_created.status_code == env_created.status_code == 201
    stored_role = embedded_server.request("GET", f"roles/{unique_name}").json()
    assert stored_role["run_list"] == ["recipe[base]"]
    assert stored_role["json_class"] == "Chef::Role"
    stored_env = embedded_server.request("GET", f"environments/{unique_name}").json()
    assert stored_env["cookbook_versions"] == {"hello": "= 0.1.0"}
    assert default_put.status_code == 405


def test_data_bags_and_items(embedded_server: EmbeddedServer, unique_name: str) -> None:
    bag = embedded_server.request("POST", "data", json_body={"name": unique_name})
    item = embedded_server.request(
        "POST", f"data/{unique_name}", json_body={"id": "db", "password": "pw"}
    )
    updated = embedded_server.request(
        "PUT", f"data/{unique_name}/db", json_body={"id": "db", "password": "new"}
    )

    assert bag.status_code == item.status_code == 201
    assert updated.status_code == 200
    listing = embedded_server.request("GET", f"data/{unique_name}").json()
    assert listing == {"db": f"{embedded_server.url}/data/{unique_name}/db"}
    raw = embedded_server.request("GET", f"data/{unique_name}/db").json()
    assert raw == {"id": "db", "password": "new"}
    embedded_server.request("DELETE", f"data/{unique_name}")
    assert embedded_server.request("GET", f"data/{unique_name}/db").status_code == 404


def test_users_live_at_the_root(
    embedded_server: EmbeddedServer, unique_name: str
) -> None:
    created = embedded_server.request(
        "POST", "/users", json_body={"username": unique_name, "create_key": True}
    )
    shown = embedded_server.request("GET", f"/users/{unique_name}")

    assert created.status_code == 201
    assert created.json()["uri"] == f"{embedded_server.root_url}/users/{unique_name}"
    assert shown.json()["username"] == unique_name
    assert "password" not in shown.json()


@pytest.fixture(scope="module")
def search_nodes(embedded_server: EmbeddedServer) -> list[str]:
    nodes = [
        {"name": "srch-web1", "run_list": ["recipe[hello]", "role[base]"]},
        {"name": "srch-web2", "run_list": ["hello::web"], "chef_environment": "prod"},
        {
            "name": "srch-db1",
            "run_list": ["role[db]"],
            "automatic": {"platform": "debian", "kernel": {"machine": "x86_64"}},
            "normal": {"tags": ["primary"]},
        },
    ]
    for node in nodes:
        embedded_server.request("POST", "nodes", json_body=node)
    return [str(node["name"]) for node in nodes]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("name:srch-web1", ["srch-web1"]),
        ("name:srch-web*", ["srch-web1", "srch-web2"]),
        ("name:srch-web? AND chef_environment:prod", ["srch-web2"]),
        ("name:srch-* AND run_list:recipe\\[hello\\]", ["srch-web1"]),
        ("name:srch-* AND recipes:hello*", ["srch-web1", "srch-web2"]),
        ("name:srch-* AND (role:base OR roles:db)", ["srch-db1", "srch-web1"]),
        ("platform:debian AND kernel_machine:x86_64", ["srch-db1"]),
        ("tags:primary AND NOT name:srch-web*", ["srch-db1"]),
        ("name:srch-* AND -chef_environment:prod", ["srch-db1", "srch-web1"]),
    ],
)
def test_node_search(
    embedded_server: EmbeddedServer,
    search_nodes: list[str],
    query: str,
    expected: list[str],
) -> None:
    response = embedded_server.request("GET", f"search/node?q={quote(query)}")

    names = sorted(row["name"] for row in response.json()["rows"])
    assert names == expected
    assert response.json()["total"] == len(expected)


def test_partial_search_and_paging(
    embedded_server: EmbeddedServer, search_nodes: list[str]
) -> None:
    response = embedded_server.request(
        "POST",
        f"search/node?q={quote('name:srch-*')}&rows=1&start=1",
        json_body={"n": ["name"], "arch": ["kernel", "machine"]},
    )

    answer = response.json()
    assert answer["total"] == 3
    assert answer["start"] == 1
    assert answer["rows"] == [
        {
            "url": f"{embedded_server.url}/nodes/srch-web1",
            "data": {"n": "srch-web1", "arch": None},
        }
    ]


def test_unsupported_query_is_400(embedded_server: EmbeddedServer) -> None:
    response = embedded_server.request("GET", f"search/node?q={quote('name:[a TO b]')}")

    assert response.status_code == 400
    assert "not supported" in response.json()["error"][0]
