"""What non-admin clients, validators and admins may do on the embedded server."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.fixtures.embedded_server import EmbeddedServer


@pytest.fixture
def client_key(
    embedded_server: EmbeddedServer, unique_name: str, tmp_path: Path
) -> Path:
    """A new non-admin client named ``unique_name``; its private key file."""
    response = embedded_server.request(
        "POST", "clients", json_body={"name": unique_name, "create_key": True}
    )
    assert response.status_code == 201
    key = tmp_path / f"{unique_name}.pem"
    key.write_text(response.json()["chef_key"]["private_key"])
    return key


def test_client_creates_and_updates_its_own_node(
    embedded_server: EmbeddedServer, unique_name: str, client_key: Path
) -> None:
    as_client = {"user": unique_name, "key": client_key}

    created = embedded_server.request(
        "POST", "nodes", json_body={"name": unique_name}, **as_client
    )
    updated = embedded_server.request(
        "PUT",
        f"nodes/{unique_name}",
        json_body={"name": unique_name, "run_list": ["hello"]},
        **as_client,
    )

    assert created.status_code == 201
    assert updated.status_code == 200
    assert updated.json()["run_list"] == ["recipe[hello]"]


def test_client_reads_other_nodes_but_changes_none(
    embedded_server: EmbeddedServer, unique_name: str, client_key: Path
) -> None:
    other = f"{unique_name}-other"
    embedded_server.request("POST", "nodes", json_body={"name": other})
    as_client = {"user": unique_name, "key": client_key}

    read = embedded_server.request("GET", f"nodes/{other}", **as_client)
    update = embedded_server.request(
        "PUT", f"nodes/{other}", json_body={"name": other}, **as_client
    )
    delete = embedded_server.request("DELETE", f"nodes/{other}", **as_client)
    create = embedded_server.request(
        "POST", "nodes", json_body={"name": f"{unique_name}-new"}, **as_client
    )

    assert read.status_code == 200
    assert (update.status_code, delete.status_code, create.status_code) == (
        403,
        403,
        403,
    )
    assert update.json() == {"error": ["missing update permission"]}
    assert embedded_server.request("GET", f"nodes/{other}").status_code == 200


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "roles", {"name": "r"}),
        ("POST", "environments", {"name": "e"}),
        ("POST", "data", {"name": "bag"}),
        ("POST", "clients", {"name": "another"}),
        ("POST", "sandboxes", {"checksums": {"0" * 32: None}}),
        ("DELETE", "clients/kitchenctl-validator", None),
    ],
)
def test_client_changes_nothing_else(
    embedded_server: EmbeddedServer,
    unique_name: str,
    client_key: Path,
    method: str,
    path: str,
    body: object,
) -> None:
    response = embedded_server.request(
        method, path, json_body=body, user=unique_name, key=client_key
    )

    assert response.status_code == 403


def test_client_cannot_make_itself_admin(
    embedded_server: EmbeddedServer, unique_name: str, client_key: Path
) -> None:
    response = embedded_server.request(
        "PUT",
        f"clients/{unique_name}",
        json_body={"name": unique_name, "admin": True},
        user=unique_name,
        key=client_key,
    )

    assert response.status_code == 403
    client = embedded_server.request("GET", f"clients/{unique_name}").json()
    assert client["admin"] is False


def test_validator_creates_clients_and_reads_nothing(
    embedded_server: EmbeddedServer, unique_name: str
) -> None:
    as_validator = {
        "user": "kitchenctl-validator",
        "key": embedded_server.validator_key,
    }

    created = embedded_server.request(
        "POST", "clients", json_body={"name": unique_name}, **as_validator
    )
    admin_client = embedded_server.request(
        "POST",
        "clients",
        json_body={"name": f"{unique_name}-a", "admin": True},
        **as_validator,
    )
    nodes = embedded_server.request("GET", "nodes", **as_validator)

    assert created.status_code == 201
    assert admin_client.status_code == 403
    assert nodes.status_code == 403
    assert nodes.json() == {"error": ["missing read permission"]}
