"""The uploader against real Chef servers (every flavour): the issue's example flow.

Every request is counted by a transport wrapped around the real one, so the request
budgets (a frozen version costs one GET and no file upload) are checked on the wire.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from kitchenctl.api import ChefServerAPI
from kitchenctl.config import Key
from kitchenctl.cookbook_loader import load_cookbook
from kitchenctl.errors import AuthenticationFailed, Forbidden, FrozenCookbook
from kitchenctl.uploader import (
    CookbookUploadResult,
    UploadOptions,
    UploadStatus,
    manifest_files,
    upload_cookbooks,
)
from tests.fixtures.chef_servers import ChefServerHandle
from tests.fixtures.http_counting import CountingTransport
from tests.fixtures.sample_cookbooks import (
    dockerhost_with_dependencies,
    set_version,
    write_cookbook,
)

FILE_UPLOAD_KINDS = ("PUT file_store", "PUT bookshelf")


@pytest.fixture
def counting() -> Iterator[CountingTransport]:
    transport = CountingTransport()
    yield transport
    transport.close()


@pytest.fixture
def api(
    chef_server: ChefServerHandle, counting: CountingTransport
) -> Iterator[ChefServerAPI]:
    key = Key(path=chef_server.admin_key, origin="test")
    with ChefServerAPI(
        server_url=chef_server.url,
        client_name=chef_server.admin_name,
        key=key.load(),
        transport=counting,
        backoff=0.01,
    ) as client:
        yield client


@pytest.fixture
def prefix(unique_name: str) -> str:
    return f"{unique_name}-"


def _statuses(results: tuple[CookbookUploadResult, ...]) -> list[tuple[str, str]]:
    return [(result.label, result.status.value) for result in results]


def _file_puts(counting: CountingTransport) -> int:
    kinds = counting.by_kind()
    return sum(count for kind, count in kinds.items() if kind in FILE_UPLOAD_KINDS)


def test_example_flow_skips_frozen_dependencies(
    api: ChefServerAPI,
    counting: CountingTransport,
    chef_server: ChefServerHandle,
    tmp_path: Path,
    prefix: str,
) -> None:
    cookbooks = dockerhost_with_dependencies(tmp_path, prefix)

    first = upload_cookbooks(api, cookbooks)

    # goiardi speaks API 0-1 (segments), the embedded server 2 (all_files).
    assert first.api_version == (1 if chef_server.flavour == "goiardi" else 2)
    body = counting.bodies_of("PUT", "/cookbooks/")[0]
    assert ("all_files" in body) == (first.api_version == 2)
    assert [result.status for result in first.results] == [UploadStatus.UPLOADED] * 3
    assert all(result.frozen for result in first.results)
    assert first.requests.file_uploads == _file_puts(counting) > 0

    # Bump dockerhost and upload everything again.
    dockerhost = tmp_path / f"{prefix}dockerhost"
    set_version(dockerhost, "0.2.0")
    (dockerhost / "recipes" / "host.rb").write_text("log 'changed in 0.2.0'\n")
    cookbooks[2] = load_cookbook(dockerhost)
    counting.reset()

    second = upload_cookbooks(api, cookbooks)

    assert _statuses(second.results) == [
        (f"{prefix}apt (2.7.0)", "skipped-frozen"),
        (f"{prefix}docker (1.0.0)", "skipped-frozen"),
        (f"{prefix}dockerhost (0.2.0)", "uploaded"),
    ]
    # One listing, a GET for each frozen dependency, and only dockerhost's two
    # changed files (metadata.json and host.rb) go up.
    kinds = counting.by_kind()
    assert kinds["GET cookbooks"] == 3
    assert kinds["POST sandboxes"] == 1
    assert kinds["PUT sandboxes"] == 1
    assert kinds["PUT cookbooks"] == 1
    assert _file_puts(counting) == 2 == second.requests.file_uploads
    assert len(counting.requests) == second.requests.http == second.requests.total

    on_server = api.get(f"cookbooks/{prefix}dockerhost/0.2.0")
    assert on_server["frozen?"] is True
    sent = cookbooks[2].manifest(api.api_version)
    assert manifest_files(on_server) == manifest_files(sent)


def test_unchanged_reupload_costs_one_get_per_cookbook(
    api: ChefServerAPI, counting: CountingTransport, tmp_path: Path, prefix: str
) -> None:
    cookbooks = dockerhost_with_dependencies(tmp_path, prefix)
    upload_cookbooks(api, cookbooks)
    counting.reset()

    again = upload_cookbooks(api, cookbooks)

    assert {result.status for result in again.results} == {UploadStatus.SKIPPED_FROZEN}
    assert counting.by_kind() == {"GET cookbooks": 1 + len(cookbooks)}
    assert [result.requests for result in again.results] == [1, 1, 1]


def test_unfrozen_unchanged_is_left_alone_and_freezing_sends_no_file(
    api: ChefServerAPI, counting: CountingTransport, tmp_path: Path, prefix: str
) -> None:
    cookbook = load_cookbook(write_cookbook(tmp_path, f"{prefix}web", "1.0.0"))
    upload_cookbooks(api, [cookbook], options=UploadOptions(freeze=False))
    counting.reset()

    unchanged = upload_cookbooks(api, [cookbook], options=UploadOptions(freeze=False))
    freezing = upload_cookbooks(api, [cookbook], options=UploadOptions(freeze=True))

    assert unchanged.results[0].status is UploadStatus.UNCHANGED
    assert freezing.results[0].status is UploadStatus.UPLOADED
    assert "POST sandboxes" not in counting.by_kind()
    assert _file_puts(counting) == 0
    assert api.get(f"cookbooks/{prefix}web/1.0.0")["frozen?"] is True


def test_force_overwrites_a_frozen_version(
    api: ChefServerAPI, tmp_path: Path, prefix: str
) -> None:
    root = write_cookbook(tmp_path, f"{prefix}web", "1.0.0")
    upload_cookbooks(api, [load_cookbook(root)])
    (root / "recipes" / "default.rb").write_text("log 'replaced'\n")
    changed = load_cookbook(root)

    skipped = upload_cookbooks(api, [changed])
    forced = upload_cookbooks(api, [changed], options=UploadOptions(force=True))

    assert skipped.results[0].status is UploadStatus.SKIPPED_FROZEN
    assert forced.results[0].status is UploadStatus.UPLOADED
    on_server = api.get(f"cookbooks/{prefix}web/1.0.0")
    assert on_server["frozen?"] is True
    assert manifest_files(on_server) == manifest_files(
        changed.manifest(api.api_version)
    )


def test_halt_on_frozen_stops_before_sending_anything(
    api: ChefServerAPI, counting: CountingTransport, tmp_path: Path, prefix: str
) -> None:
    cookbooks = dockerhost_with_dependencies(tmp_path, prefix)
    upload_cookbooks(api, cookbooks[:1])
    counting.reset()
    options = UploadOptions(halt_on_frozen=frozenset({f"{prefix}apt"}))

    with pytest.raises(FrozenCookbook) as caught:
        upload_cookbooks(api, cookbooks, options=options)

    assert caught.value.cookbook == f"{prefix}apt"
    assert caught.value.exit_code == 7
    assert "already exists and is frozen" in str(caught.value)
    assert "--force" in str(caught.value)
    assert set(counting.by_kind()) == {"GET cookbooks"}
    assert f"{prefix}docker" not in api.get("cookbooks")


def test_halt_applies_only_to_named_cookbooks(
    api: ChefServerAPI, tmp_path: Path, prefix: str
) -> None:
    cookbooks = dockerhost_with_dependencies(tmp_path, prefix)
    upload_cookbooks(api, cookbooks[:1])
    options = UploadOptions(halt_on_frozen=frozenset({f"{prefix}dockerhost"}))

    summary = upload_cookbooks(api, cookbooks, options=options)

    assert [result.status.value for result in summary.results] == [
        "skipped-frozen",
        "uploaded",
        "uploaded",
    ]


def test_wrong_key_is_a_clear_401(
    chef_server: ChefServerHandle, tmp_path: Path, prefix: str
) -> None:
    other_key = tmp_path / "other.pem"
    _write_new_key(other_key)
    cookbook = load_cookbook(write_cookbook(tmp_path, f"{prefix}web", "1.0.0"))
    client = ChefServerAPI(
        server_url=chef_server.url,
        client_name=chef_server.admin_name,
        key=Key(path=other_key, origin="test").load(),
        key_description=str(other_key),
    )

    with client, pytest.raises(AuthenticationFailed) as caught:
        upload_cookbooks(client, [cookbook])

    assert f"as {chef_server.admin_name}" in str(caught.value)
    assert str(other_key) in str(caught.value)
    assert caught.value.exit_code == 8


def test_a_client_without_rights_gets_a_clear_403(
    goiardi: ChefServerHandle, tmp_path: Path, prefix: str
) -> None:
    validator_key = goiardi.admin_key.parent / "chef-validator.pem"
    cookbook = load_cookbook(write_cookbook(tmp_path, f"{prefix}web", "1.0.0"))
    client = ChefServerAPI(
        server_url=goiardi.url,
        client_name="chef-validator",
        key=Key(path=validator_key, origin="test").load(),
    )

    with client, pytest.raises(Forbidden) as caught:
        upload_cookbooks(client, [cookbook])

    assert "chef-validator is not authorized to GET /cookbooks" in str(caught.value)
    assert caught.value.exit_code == 9


def _write_new_key(path: Path) -> None:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        )
    )
