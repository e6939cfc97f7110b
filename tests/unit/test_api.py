"""The client over httpx.MockTransport: URLs, negotiation, retries, errors."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import httpx
import pytest

from kitchenctl.api import ChefServerAPI, join_url, split_server_url
from kitchenctl.errors import (
    AuthenticationFailed,
    Conflict,
    Forbidden,
    NotFound,
    ServerError,
    Unreachable,
)
from kitchenctl.signing import read_signed_request, verify

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey

ORG_URL = "https://chef.example/organizations/acme"
NOW = datetime(2026, 12, 3, 15, 24, 50, tzinfo=UTC)
Handler = Callable[[httpx.Request], httpx.Response]


@pytest.fixture(scope="module")
def key() -> RSAPrivateKey:
    from cryptography.hazmat.primitives.asymmetric import rsa

    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def make_api(
    key: RSAPrivateKey, handler: Handler, url: str = ORG_URL, **options: Any
) -> tuple[ChefServerAPI, list[httpx.Request]]:
    seen: list[httpx.Request] = []

    def record(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return handler(request)

    api = ChefServerAPI(
        server_url=url,
        client_name="alice",
        key=key,
        key_description="~/.chef/alice.pem",
        transport=httpx.MockTransport(record),
        clock=lambda: NOW,
        sleep=lambda seconds: None,
        **options,
    )
    return api, seen


def reply(status: int, body: Any = None, **headers: str) -> Handler:
    content = b"" if body is None else json.dumps(body).encode()
    return lambda request: httpx.Response(status, content=content, headers=headers)


@pytest.mark.parametrize(
    ("base", "path", "expected"),
    [
        (ORG_URL, "nodes", f"{ORG_URL}/nodes"),
        (ORG_URL + "/", "/nodes/", f"{ORG_URL}/nodes"),
        (ORG_URL, "https://s3.example/x?sig=1", "https://s3.example/x?sig=1"),
        ("http://127.0.0.1:4545", "nodes/web1", "http://127.0.0.1:4545/nodes/web1"),
    ],
)
def test_join_url_never_leaves_a_trailing_slash(
    base: str, path: str, expected: str
) -> None:
    assert join_url(base, path) == expected


def test_split_server_url_both_layouts() -> None:
    assert split_server_url(ORG_URL + "/") == ("https://chef.example", "acme")
    assert split_server_url("http://127.0.0.1:4545") == ("http://127.0.0.1:4545", None)


def test_requests_are_signed_with_version_and_verify(key: RSAPrivateKey) -> None:
    api, seen = make_api(key, reply(201, {"uri": "x"}))

    api.post("nodes", {"name": "web1"})

    request = seen[0]
    assert request.url == f"{ORG_URL}/nodes"
    assert request.headers["X-Ops-Server-API-Version"] == "2"
    assert request.headers["X-Ops-Sign"] == "algorithm=sha256;version=1.3;"
    verify(
        read_signed_request(request.headers),
        public_key=key.public_key(),
        method="POST",
        path="/organizations/acme/nodes",
        body=request.content,
        now=NOW,
    )


def test_absolute_url_signs_only_its_path(key: RSAPrivateKey) -> None:
    api, seen = make_api(key, reply(200, {}))

    api.put_bytes("https://s3.example/bookshelf/checksum-ab?AWSAccessKeyId=K", b"abc")

    request = seen[0]
    assert request.headers["Content-Length"] == "3"
    assert request.headers["Content-Type"] == "application/x-binary"
    verify(
        read_signed_request(request.headers),
        public_key=key.public_key(),
        method="PUT",
        path="/bookshelf/checksum-ab",
        body=b"abc",
        now=NOW,
    )


def test_root_paths_leave_the_organisation(key: RSAPrivateKey) -> None:
    api, seen = make_api(key, reply(200, {"alice": "url"}))

    api.get("users", root=True)

    assert seen[0].url == "https://chef.example/users"
    assert api.root_url == "https://chef.example"
    assert api.organization == "acme"


def test_version_header_sets_the_range(key: RSAPrivateKey) -> None:
    header = '{"min_version":"0","max_version":"1","request_version":"1"}'
    api, seen = make_api(key, reply(200, {}, **{"X-Ops-Server-API-Version": header}))

    api.get("nodes")
    api.get("nodes")

    assert api.server is not None
    assert (api.server.min_api_version, api.server.max_api_version) == (0, 1)
    assert [r.headers["X-Ops-Server-API-Version"] for r in seen] == ["2", "1"]


def test_no_version_header_means_api_zero(key: RSAPrivateKey) -> None:
    api, _ = make_api(key, reply(200, {}))

    assert api.negotiate().api_version == 0
    assert api.server is not None
    assert api.server.flavour == "chef"


def test_goiardi_without_header_is_recognised(key: RSAPrivateKey) -> None:
    api, _ = make_api(key, reply(200, {}, **{"X-Goiardi": "yes"}))

    server = api.negotiate()

    assert (server.flavour, server.api_version) == ("goiardi", 1)


def test_406_renegotiates_once_then_succeeds(key: RSAPrivateKey) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.headers["X-Ops-Server-API-Version"] == "2":
            return httpx.Response(406, json={"min_version": 0, "max_version": 1})
        return httpx.Response(200, json={"ok": True})

    api, seen = make_api(key, handler)

    assert api.get("nodes") == {"ok": True}
    assert len(seen) == 2
    assert api.api_version == 1


def test_406_without_a_common_version_names_the_range(key: RSAPrivateKey) -> None:
    api, _ = make_api(key, reply(406, {"min_version": 3, "max_version": 5}))

    with pytest.raises(ServerError, match="speaks API versions 3-5; kitchenctl"):
        api.get("nodes")


def test_401_names_user_key_and_clock(key: RSAPrivateKey) -> None:
    api, _ = make_api(key, reply(401, {"error": ["failed to verify authorization"]}))

    with pytest.raises(AuthenticationFailed) as caught:
        api.get("nodes")

    assert str(caught.value) == (
        f"Failed to authenticate to {ORG_URL} as alice with key ~/.chef/alice.pem: "
        "failed to verify authorization (check client_name and client_key; the "
        "server also rejects clocks more than 15 minutes off)"
    )


@pytest.mark.parametrize(
    ("status", "path", "error", "message"),
    [
        (403, "nodes/web1", Forbidden, "alice is not authorized to GET node 'web1'"),
        (404, "nodes/web1", NotFound, f"node 'web1' not found on {ORG_URL}"),
        (404, "cookbooks/x/1.0.0", NotFound, "cookbook 'x' version 1.0.0 not found"),
        (404, "data/bag/item", NotFound, "data bag item 'bag/item' not found"),
        (409, "nodes/web1", Conflict, "node 'web1' conflicts: nope"),
        (400, "nodes/web1", ServerError, "answered GET node 'web1' with 400: nope"),
    ],
)
def test_error_statuses_map_to_errors(
    key: RSAPrivateKey, status: int, path: str, error: type, message: str
) -> None:
    api, _ = make_api(key, reply(status, {"error": ["nope"]}))

    with pytest.raises(error, match=message) as caught:
        api.get(path)
    assert caught.value.status == status


def test_post_conflict_names_the_object_from_the_body(key: RSAPrivateKey) -> None:
    api, _ = make_api(key, reply(409, {"error": ["Node already exists"]}))

    with pytest.raises(Conflict, match="node 'web1' conflicts: Node already exists"):
        api.post("nodes", {"name": "web1"})


def test_empty_success_body_is_an_error(key: RSAPrivateKey) -> None:
    api, _ = make_api(key, reply(200, None, **{"X-Goiardi": "yes"}))

    with pytest.raises(ServerError, match="empty body") as caught:
        api.get("nodes")
    assert "goiardi has no organisations" in str(caught.value)


def test_5xx_is_retried_for_idempotent_requests(key: RSAPrivateKey) -> None:
    answers = iter([503, 502, 200])
    api, seen = make_api(
        key, lambda request: httpx.Response(next(answers), json={"ok": 1})
    )

    assert api.get("nodes") == {"ok": 1}
    assert len(seen) == 3


def test_post_is_not_retried(key: RSAPrivateKey) -> None:
    api, seen = make_api(key, reply(503, {"error": "busy"}))

    with pytest.raises(ServerError, match="with 503: busy"):
        api.post("nodes", {"name": "x"})
    assert len(seen) == 1


def test_connection_errors_retry_then_are_unreachable(key: RSAPrivateKey) -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("Connection refused", request=request)

    api, seen = make_api(key, refuse, retries=2)

    with pytest.raises(Unreachable, match="cannot reach the Chef server") as caught:
        api.get("nodes")
    assert len(seen) == 3
    assert caught.value.exit_code == 10


def test_redirects_are_not_followed(key: RSAPrivateKey) -> None:
    api, _ = make_api(key, reply(301, None, Location="https://other.example/"))

    with pytest.raises(ServerError, match="redirected"):
        api.get("nodes")


def test_answers_from_other_hosts_do_not_change_the_negotiation(
    key: RSAPrivateKey,
) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.host == "s3.example":
            return httpx.Response(200)
        return httpx.Response(200, json={}, headers={"X-Goiardi": "yes"})

    api, _ = make_api(key, handler, url="http://127.0.0.1:4545")
    api.get("nodes")
    api.put_bytes("https://s3.example/bucket/checksum-ab?sig=1", b"x")

    assert api.server is not None
    assert (api.server.flavour, api.server.api_version) == ("goiardi", 1)
