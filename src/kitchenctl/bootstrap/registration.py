"""Validatorless registration: the client and its node, made before the first run.

knife's order (knife.md §1.6), with kitchenctl's differences:

1. An existing node is deleted after a yes (``--yes`` answers), or kept with its
   attributes under ``reuse_node``.
2. The client is created with an RSA-2048 key made here; only the public key is sent.
   A server that refuses ``public_key`` (400) is asked to ``create_key`` instead; an
   API v0 server that makes a key anyway (goiardi) has its key used. A 409 means the
   client exists: it is deleted after a yes and created again.
3. The node is saved with the NEW client's key (PUT, POST on 404), so the client owns
   the node it will converge.

The server is reached through ``ChefAPI``, a protocol the signed API client satisfies;
registration itself holds no network code.
"""

from __future__ import annotations

import logging
import queue
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Protocol

from kitchenctl.errors import Conflict, NotFound, ServerError
from kitchenctl.signing import generate_key_pair

logger = logging.getLogger(__name__)

KEY_BITS = 2048


class ChefAPI(Protocol):
    """The four calls registration makes; paths are relative to the organisation."""

    def get(self, path: str) -> Any: ...

    def post(self, path: str, data: Any) -> Any: ...

    def put(self, path: str, data: Any) -> Any: ...

    def delete(self, path: str) -> Any: ...


# Signs as the named client with the given PEM key.
ClientAPIFactory = Callable[[str, str], ChefAPI]
Confirm = Callable[[str], None]
# A new key pair as (private PEM, public PEM).
KeyMaker = Callable[[], tuple[str, str]]


@dataclass(frozen=True)
class NodeSpec:
    """What the new node says; the same for every host of a run."""

    run_list: tuple[str, ...] = ()
    environment: str | None = None
    attributes: Mapping[str, Any] = field(default_factory=dict)
    tags: tuple[str, ...] = ()
    policy_name: str | None = None
    policy_group: str | None = None


@dataclass(frozen=True)
class Identity:
    """A registered client: its name and private key (never logged or printed)."""

    client_name: str
    private_key: str = field(repr=False)


def generate_private_key() -> tuple[str, str]:
    """A new RSA-2048 key as (private PKCS#1 PEM, public SubjectPublicKeyInfo PEM)."""
    pair = generate_key_pair(KEY_BITS)
    return pair.private_pem, pair.public_pem


class KeyPool:
    """Key pairs made ahead, on two threads, while the hosts are still connecting.

    RSA-2048 generation costs tens of milliseconds of CPU per host; started at once
    for the whole fleet it overlaps the SSH handshakes. ``take`` falls back to making
    a key on the spot when the pool has none left.
    """

    def __init__(self, count: int, workers: int = 2) -> None:
        self._executor = ThreadPoolExecutor(workers, thread_name_prefix="keys")
        self._ready: queue.SimpleQueue[Future[tuple[str, str]]] = queue.SimpleQueue()
        for _ in range(count):
            self._ready.put(self._executor.submit(generate_private_key))

    def take(self) -> tuple[str, str]:
        try:
            future = self._ready.get_nowait()
        except queue.Empty:
            return generate_private_key()
        return future.result()

    def close(self) -> None:
        """Stop making keys nobody will take."""
        self._executor.shutdown(wait=False, cancel_futures=True)


def register(
    api: ChefAPI,
    client_api: ClientAPIFactory,
    node_name: str,
    spec: NodeSpec,
    *,
    confirm: Confirm,
    reuse_node: bool = False,
    server_makes_keys: bool = False,
    make_key: KeyMaker | None = None,
) -> Identity:
    """Create the client and the node for ``node_name``; return the client's identity.

    ``confirm`` is asked before anything existing is deleted and raises Aborted on no.
    ``server_makes_keys`` is for servers that make a key whatever they are sent
    (goiardi): no local key is generated, saving an RSA key generation per host.
    ``make_key`` gives a new (private, public) PEM pair; a KeyPool's ``take`` has
    them ready. Raises ServerError subclasses for the server's refusals.
    """
    make_key = make_key or generate_private_key
    existing_node = _existing(api, f"nodes/{node_name}")
    if existing_node is not None and not reuse_node:
        confirm(f"Node {node_name} exists, overwrite it?")
        api.delete(f"nodes/{node_name}")
        existing_node = None

    logger.info("Creating new client for %s", node_name)
    identity = _create_client(
        api, node_name, confirm, make_key, server_makes_keys=server_makes_keys
    )

    logger.info("Creating new node for %s", node_name)
    as_client = client_api(identity.client_name, identity.private_key)
    node = node_document(node_name, spec, existing_node)
    if existing_node is None:
        as_client.post("nodes", node)
    else:
        _save_node(as_client, node)
    return identity


def _existing(api: ChefAPI, path: str) -> Any:
    try:
        return api.get(path)
    except NotFound:
        return None


def _create_client(
    api: ChefAPI,
    name: str,
    confirm: Confirm,
    make_key: KeyMaker,
    *,
    server_makes_keys: bool,
) -> Identity:
    """POST the client; a 409 means it exists: ask, delete it, POST again.

    Posting first saves a GET per host in the usual case, a fleet of new hosts.
    """
    try:
        return _post_client(api, name, make_key, server_makes_keys=server_makes_keys)
    except Conflict:
        confirm(f"Client {name} exists, overwrite it?")
        api.delete(f"clients/{name}")
        return _post_client(api, name, make_key, server_makes_keys=server_makes_keys)


def _post_client(
    api: ChefAPI, name: str, make_key: KeyMaker, *, server_makes_keys: bool
) -> Identity:
    if server_makes_keys:
        return _create_client_with_server_key(api, name)

    private_key, public_key = make_key()
    body = {"name": name, "admin": False, "public_key": public_key}
    try:
        answer = api.post("clients", body)
    except Conflict:
        raise
    except ServerError as error:
        if error.status != 400:
            raise
        # A server that prefers to make keys itself gets create_key instead.
        return _create_client_with_server_key(api, name)

    # An API v0 server (goiardi) makes its own key whatever it was sent; use that.
    server_key = _private_key_in(answer)
    return Identity(name, server_key or private_key)


def _create_client_with_server_key(api: ChefAPI, name: str) -> Identity:
    # API v1 servers need create_key; v0 servers make a key for any new client.
    body = {"name": name, "admin": False, "create_key": True}
    answer = api.post("clients", body)
    private_key = _private_key_in(answer)
    if not private_key:
        raise ServerError(
            f"the server created client {name} without giving its private key",
            hint="delete the client and bootstrap again",
        )
    return Identity(name, str(private_key))


def _private_key_in(answer: Any) -> str | None:
    """The private key in a client answer: v1's ``chef_key`` or v0's top level."""
    if not isinstance(answer, dict):
        return None
    chef_key = answer.get("chef_key") or {}
    private_key = chef_key.get("private_key") or answer.get("private_key")
    return str(private_key) if private_key else None


def node_document(
    node_name: str, spec: NodeSpec, existing: Mapping[str, Any] | None
) -> dict[str, Any]:
    """The node to save: a new one from ``spec``, or ``existing`` updated by it.

    A reused node keeps its attributes; the run list, environment and policy change
    only when given, and tags are added to those it has.
    """
    node: dict[str, Any] = dict(existing or {})
    node.setdefault("name", node_name)
    node.setdefault("chef_type", "node")
    node.setdefault("json_class", "Chef::Node")
    node.setdefault("chef_environment", "_default")
    node.setdefault("run_list", [])
    for precedence in ("normal", "default", "override", "automatic"):
        node[precedence] = dict(node.get(precedence) or {})

    if existing is None or spec.run_list:
        node["run_list"] = [_qualified(item) for item in spec.run_list]
    if spec.environment:
        node["chef_environment"] = spec.environment
    if spec.policy_name and spec.policy_group:
        node["policy_name"] = spec.policy_name
        node["policy_group"] = spec.policy_group
    node["normal"] = {**node["normal"], **spec.attributes}
    if spec.tags:
        tags = list(node["normal"].get("tags") or [])
        node["normal"]["tags"] = tags + [tag for tag in spec.tags if tag not in tags]
    return node


def _qualified(item: str) -> str:
    """The server's form of a run-list item: a bare name is a recipe."""
    if item.startswith(("recipe[", "role[")):
        return item
    return f"recipe[{item}]"


def _save_node(api: ChefAPI, node: dict[str, Any]) -> None:
    """Chef::Node#save: PUT, then POST when the node does not exist yet."""
    try:
        api.put(f"nodes/{node['name']}", node)
    except NotFound:
        api.post("nodes", node)
