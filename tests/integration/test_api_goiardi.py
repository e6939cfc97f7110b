"""The signed client against a real goiardi: every protocol, negotiation, errors."""

from __future__ import annotations

import pytest

from kitchenctl.api import ChefServerAPI
from kitchenctl.config import Key
from kitchenctl.errors import AuthenticationFailed, Conflict, NotFound, ServerError
from kitchenctl.signing import PROTOCOLS
from tests.fixtures.chef_servers import ChefServerHandle


def _api(server: ChefServerHandle, **options: object) -> ChefServerAPI:
    key = Key(path=server.admin_key, origin="test")
    return ChefServerAPI(
        server_url=server.url,
        client_name=server.admin_name,
        key=key.load(),
        key_description=key.describe(),
        retries=0,
        **options,  # type: ignore[arg-type]
    )


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_every_signing_protocol_is_accepted(
    goiardi: ChefServerHandle, protocol: str
) -> None:
    with _api(goiardi, protocol=protocol) as api:
        environments = api.get("environments")

    assert "_default" in environments


def test_negotiation_recognises_goiardi(goiardi: ChefServerHandle) -> None:
    with _api(goiardi) as api:
        server = api.negotiate()
        api.get("nodes")

    assert server.flavour == "goiardi"
    assert (server.min_api_version, server.max_api_version) == (0, 1)
    assert api.api_version == 1


def test_create_conflict_and_missing_node(
    goiardi: ChefServerHandle, unique_name: str
) -> None:
    with _api(goiardi) as api:
        created = api.post("nodes", {"name": unique_name})
        with pytest.raises(Conflict, match=f"node '{unique_name}'"):
            api.post("nodes", {"name": unique_name})
        api.delete(f"nodes/{unique_name}")
        with pytest.raises(NotFound, match=f"node '{unique_name}' not found"):
            api.get(f"nodes/{unique_name}")

    assert created["uri"].endswith(f"/nodes/{unique_name}")


def test_wrong_key_names_user_key_and_clock(
    goiardi: ChefServerHandle, tmp_path: object
) -> None:
    validator_key = goiardi.admin_key.parent / "chef-validator.pem"
    key = Key(path=validator_key, origin="test")
    api = ChefServerAPI(
        server_url=goiardi.url,
        client_name="admin",
        key=key.load(),
        key_description=str(validator_key),
        retries=0,
    )

    with api, pytest.raises(AuthenticationFailed) as caught:
        api.get("nodes")

    message = str(caught.value)
    assert "as admin" in message
    assert "chef-validator.pem" in message
    assert "clock" in message
    assert caught.value.exit_code == 8


def test_organisation_url_on_goiardi_is_an_empty_answer(
    goiardi: ChefServerHandle,
) -> None:
    with (
        _api(goiardi, server_root=None) as api,
        pytest.raises(ServerError, match="empty body"),
    ):
        api.get(f"{goiardi.url}/organizations/acme/nodes")


def test_raw_bytes_round_trip_through_a_sandbox(goiardi: ChefServerHandle) -> None:
    import hashlib

    content = "Grüße from kitchenctl\n".encode() + bytes(range(256))
    checksum = hashlib.md5(content).hexdigest()

    with _api(goiardi) as api:
        sandbox = api.post("sandboxes", {"checksums": {checksum: None}})
        record = sandbox["checksums"][checksum]
        if record["needs_upload"]:
            api.put_bytes(record["url"], content)
        committed = api.put(sandbox["uri"], {"is_completed": True})
        downloaded = api.get_bytes(f"{goiardi.url}/file_store/{checksum}")

    assert committed["is_completed"] is True
    assert downloaded == content
