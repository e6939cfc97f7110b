"""Registration's decisions, against an in-memory stand-in for the Chef API."""

from __future__ import annotations

from typing import Any

import pytest

from kitchenctl.bootstrap.registration import (
    NodeSpec,
    node_document,
    register,
)
from kitchenctl.errors import Aborted, Conflict, NotFound, ServerError
from kitchenctl.signing import load_private_key


class MemoryAPI:
    """Objects by path; records each call as (actor, method, path)."""

    def __init__(self, calls: list[tuple[str, str, str]], actor: str = "admin"):
        self.objects: dict[str, Any] = {}
        self.calls = calls
        self.actor = actor
        self.refuse_public_key = False

    def as_client(self, name: str, key: str) -> MemoryAPI:
        load_private_key(key.encode())  # a real key, or this raises
        twin = MemoryAPI(self.calls, actor=name)
        twin.objects = self.objects
        return twin

    def get(self, path: str) -> Any:
        self.calls.append((self.actor, "GET", path))
        if path not in self.objects:
            raise NotFound(path, status=404)
        return self.objects[path]

    def post(self, path: str, data: Any) -> Any:
        self.calls.append((self.actor, "POST", path))
        if self.refuse_public_key and "public_key" in data:
            raise ServerError("bad key", status=400)
        key = f"{path}/{data['name']}"
        if key in self.objects:
            raise Conflict(key, status=409)
        self.objects[key] = data
        return {"uri": key}

    def put(self, path: str, data: Any) -> Any:
        self.calls.append((self.actor, "PUT", path))
        if path not in self.objects:
            raise NotFound(path, status=404)
        self.objects[path] = data
        return data

    def delete(self, path: str) -> Any:
        self.calls.append((self.actor, "DELETE", path))
        return self.objects.pop(path)


def yes(question: str) -> None:
    pass


def no(question: str) -> None:
    raise Aborted("You said no, so I'm done here.")


def test_new_node_is_created_by_the_new_client_in_knifes_order() -> None:
    calls: list[tuple[str, str, str]] = []
    api = MemoryAPI(calls)
    spec = NodeSpec(run_list=("base", "role[web]"), environment="prod", tags=("a",))

    identity = register(api, api.as_client, "web1", spec, confirm=no)

    assert calls == [
        ("admin", "GET", "nodes/web1"),
        ("admin", "POST", "clients"),
        ("web1", "POST", "nodes"),
    ]
    client = api.objects["clients/web1"]
    assert client["public_key"].startswith("-----BEGIN PUBLIC KEY-----")
    assert "private" not in repr(identity)
    node = api.objects["nodes/web1"]
    assert node["run_list"] == ["recipe[base]", "role[web]"]
    assert node["chef_environment"] == "prod"
    assert node["normal"]["tags"] == ["a"]


def test_existing_node_and_client_are_replaced_after_a_yes() -> None:
    calls: list[tuple[str, str, str]] = []
    api = MemoryAPI(calls)
    api.objects["nodes/web1"] = {"name": "web1", "normal": {"old": 1}}
    api.objects["clients/web1"] = {"name": "web1"}
    questions: list[str] = []

    register(api, api.as_client, "web1", NodeSpec(), confirm=questions.append)

    assert api.objects["clients/web1"]["public_key"]
    assert questions == [
        "Node web1 exists, overwrite it?",
        "Client web1 exists, overwrite it?",
    ]
    assert api.objects["nodes/web1"]["normal"] == {}


def test_no_leaves_everything_as_it_was() -> None:
    api = MemoryAPI([])
    api.objects["nodes/web1"] = {"name": "web1"}

    with pytest.raises(Aborted):
        register(api, api.as_client, "web1", NodeSpec(), confirm=no)

    assert api.objects == {"nodes/web1": {"name": "web1"}}


def test_reuse_node_keeps_attributes_and_saves_with_put() -> None:
    calls: list[tuple[str, str, str]] = []
    api = MemoryAPI(calls)
    existing = {"name": "web1", "normal": {"keep": 1, "tags": ["x"]}, "run_list": []}
    api.objects["nodes/web1"] = existing

    register(
        api,
        api.as_client,
        "web1",
        NodeSpec(run_list=("base",), tags=("x", "y")),
        confirm=no,
        reuse_node=True,
    )

    node = api.objects["nodes/web1"]
    assert node["normal"] == {"keep": 1, "tags": ["x", "y"]}
    assert node["run_list"] == ["recipe[base]"]
    assert ("web1", "PUT", "nodes/web1") in calls


def test_a_server_refusing_public_key_is_asked_to_create_one() -> None:
    api = MemoryAPI([])
    api.refuse_public_key = True
    server_key = _pem()

    def post(path: str, data: Any) -> Any:
        answer = MemoryAPI.post(api, path, data)
        if path == "clients":
            answer["chef_key"] = {"private_key": server_key}
        return answer

    api.post = post  # type: ignore[method-assign]

    identity = register(api, api.as_client, "web1", NodeSpec(), confirm=no)

    assert api.objects["clients/web1"]["create_key"] is True
    assert identity.private_key == server_key


def test_node_document_defaults_and_policy() -> None:
    node = node_document(
        "web1", NodeSpec(policy_name="web", policy_group="prod"), existing=None
    )

    assert node == {
        "name": "web1",
        "chef_type": "node",
        "json_class": "Chef::Node",
        "chef_environment": "_default",
        "run_list": [],
        "normal": {},
        "default": {},
        "override": {},
        "automatic": {},
        "policy_name": "web",
        "policy_group": "prod",
    }


def _pem() -> str:
    from kitchenctl.bootstrap.registration import generate_private_key

    return generate_private_key()[0]


def test_key_pool_hands_out_distinct_keys_then_makes_more() -> None:
    from kitchenctl.bootstrap.registration import KeyPool

    pool = KeyPool(2)
    try:
        keys = {pool.take()[0] for _ in range(3)}
    finally:
        pool.close()

    assert len(keys) == 3
