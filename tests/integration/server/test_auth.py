"""Signature verification and API version negotiation on the embedded server."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from kitchenctl.signing import PROTOCOLS
from tests.fixtures.embedded_server import EmbeddedServer


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_every_signing_protocol_is_accepted(
    embedded_server: EmbeddedServer, protocol: str
) -> None:
    response = embedded_server.request("GET", "environments", protocol=protocol)

    assert response.status_code == 200
    assert "_default" in response.json()


def test_unsigned_request_is_401_with_a_json_error(
    embedded_server: EmbeddedServer,
) -> None:
    response = embedded_server.request("GET", "nodes", signed=False)

    assert response.status_code == 401
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {
        "error": ["Authentication failed: request is not signed."]
    }
    assert "X-Ops-Sign" in response.headers["www-authenticate"]


def test_wrong_key_is_rejected(embedded_server: EmbeddedServer) -> None:
    response = embedded_server.request(
        "GET", "nodes", key=embedded_server.validator_key
    )

    assert response.status_code == 401
    assert "does not verify" in response.json()["error"][0]


def test_stale_timestamp_is_rejected(embedded_server: EmbeddedServer) -> None:
    stale = datetime.now(UTC) - timedelta(minutes=16)

    response = embedded_server.request("GET", "nodes", moment=stale)

    assert response.status_code == 401
    assert "clock skew" in response.json()["error"][0]


def test_fourteen_minutes_of_skew_is_allowed(embedded_server: EmbeddedServer) -> None:
    ahead = datetime.now(UTC) + timedelta(minutes=14)

    assert embedded_server.request("GET", "nodes", moment=ahead).status_code == 200


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_tampered_body_is_rejected(
    embedded_server: EmbeddedServer, protocol: str, unique_name: str
) -> None:
    embedded_server.request("POST", "nodes", json_body={"name": unique_name})
    signed = json.dumps({"name": unique_name, "run_list": ["good"]}).encode()
    forged = json.dumps({"name": unique_name, "run_list": ["evil"]}).encode()

    response = embedded_server.request(
        "PUT",
        f"nodes/{unique_name}",
        content=signed,
        sent_content=forged,
        protocol=protocol,
    )

    assert response.status_code == 401
    assert "X-Ops-Content-Hash" in response.json()["error"][0]
    node = embedded_server.request("GET", f"nodes/{unique_name}").json()
    assert node["run_list"] == []


def test_signature_for_another_path_is_rejected(
    embedded_server: EmbeddedServer,
) -> None:
    signed_for_roles = embedded_server.request("GET", "roles").request
    x_ops = {
        name: value
        for name, value in signed_for_roles.headers.items()
        if name.lower().startswith("x-ops")
    }

    forged = embedded_server.request("GET", "clients", headers=x_ops, signed=False)

    assert forged.status_code == 401
    assert "does not verify" in forged.json()["error"][0]


def test_unknown_actor_is_rejected(embedded_server: EmbeddedServer) -> None:
    response = embedded_server.request("GET", "nodes", user="nosuchuser")

    assert response.status_code == 401
    assert response.json()["error"] == [
        "Failed to authenticate as 'nosuchuser'. Ensure that your node_name and "
        "client key are correct."
    ]


@pytest.mark.parametrize("version", ["3", "-1", "two"])
def test_unsupported_api_version_is_406(
    embedded_server: EmbeddedServer, version: str
) -> None:
    response = embedded_server.request("GET", "nodes", api_version=version)

    assert response.status_code == 406
    assert response.json() == {
        "error": "invalid-x-ops-server-api-version",
        "message": f"Specified version {version} not supported",
        "min_version": 0,
        "max_version": 2,
    }


@pytest.mark.parametrize("version", ["0", "1", "2"])
def test_answers_carry_the_version_range(
    embedded_server: EmbeddedServer, version: str
) -> None:
    response = embedded_server.request("GET", "nodes", api_version=version)

    assert json.loads(response.headers["x-ops-server-api-version"]) == {
        "min_version": "0",
        "max_version": "2",
        "request_version": version,
        "response_version": version,
    }


def test_missing_version_header_means_zero(embedded_server: EmbeddedServer) -> None:
    response = embedded_server.request("GET", "nodes", api_version=None)

    assert response.status_code == 200
    header = json.loads(response.headers["x-ops-server-api-version"])
    assert header["request_version"] == "0"


def test_server_api_version_endpoint(embedded_server: EmbeddedServer) -> None:
    response = embedded_server.request("GET", "server_api_version")

    assert response.json() == {"min_api_version": 0, "max_api_version": 2}
