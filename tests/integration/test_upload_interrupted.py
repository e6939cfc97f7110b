"""Uploads interrupted midway, for real: the server stopped, the connection cut.

Either way nothing is half-registered (a version is absent or complete), and running
the same upload again completes it. Both run on goiardi and on the embedded server.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from kitchenctl.api import ChefServerAPI
from kitchenctl.config import Key
from kitchenctl.cookbook_loader import LoadedCookbook
from kitchenctl.errors import ServerError
from kitchenctl.uploader import (
    CookbookUploadResult,
    UploadOptions,
    UploadStatus,
    manifest_files,
    upload_cookbooks,
)
from tests.fixtures.chef_servers import ChefServerHandle, run_goiardi
from tests.fixtures.embedded_server import EmbeddedServer
from tests.fixtures.sample_cookbooks import dockerhost_with_dependencies
from tests.fixtures.tcp_proxy import cutting_proxy

# Not part of an API 0/1 body, so never sent to goiardi.
SPEC = "spec/default_spec.rb"


def _api(
    server: ChefServerHandle,
    url: str | None = None,
    transport: httpx.BaseTransport | None = None,
) -> ChefServerAPI:
    return ChefServerAPI(
        server_url=url or server.url,
        transport=transport,
        client_name=server.admin_name,
        key=Key(path=server.admin_key, origin="test").load(),
        retries=1,
        backoff=0.01,
    )


class StopBeforeFile(httpx.HTTPTransport):
    """A real transport that runs ``stop`` just before the ``number``-th file PUT."""

    def __init__(self, number: int, stop: Callable[[], None]) -> None:
        super().__init__()
        self.number = number
        self.file_puts = 0
        self._stop = stop

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.method == "PUT" and "/file_store/" in request.url.path:
            self.file_puts += 1
            if self.file_puts == self.number:
                self._stop()
        return super().handle_request(request)


def _stoppable_goiardi(
    folder: Path, stack: contextlib.ExitStack
) -> tuple[ChefServerHandle, Callable[[], None], Callable[[], ChefServerHandle]]:
    inner = contextlib.ExitStack()
    stack.callback(inner.close)
    first = inner.enter_context(run_goiardi(folder))

    def restart() -> ChefServerHandle:
        (folder / "credentials").unlink(missing_ok=True)
        return stack.enter_context(run_goiardi(folder))

    return first, inner.close, restart


def _stoppable_embedded(
    folder: Path, stack: contextlib.ExitStack
) -> tuple[ChefServerHandle, Callable[[], None], Callable[[], ChefServerHandle]]:
    server = EmbeddedServer(folder).start()
    stack.callback(server.stop)
    handle = ChefServerHandle(
        "embedded", server.url, "admin", server.admin_key, folder / "credentials"
    )

    def restart() -> ChefServerHandle:
        server.start()
        return handle

    return handle, server.stop, restart


STOPPABLE = {"goiardi": _stoppable_goiardi, "embedded": _stoppable_embedded}


def _assert_complete(api: ChefServerAPI, cookbooks: list[LoadedCookbook]) -> None:
    for cookbook in cookbooks:
        body = api.get(f"cookbooks/{cookbook.name}/{cookbook.version}")
        sent = cookbook.manifest(api.api_version)
        assert manifest_files(body) == manifest_files(sent)
        assert body["frozen?"] is True


def _statuses(results: tuple[CookbookUploadResult, ...]) -> list[UploadStatus]:
    return [result.status for result in results]


@pytest.mark.parametrize("flavour", sorted(STOPPABLE))
def test_server_stopped_during_file_uploads(flavour: str, tmp_path: Path) -> None:
    cookbooks = dockerhost_with_dependencies(tmp_path / "cookbooks")

    with contextlib.ExitStack() as stack:
        server, stop, restart = STOPPABLE[flavour](tmp_path / flavour, stack)

        # Stop the server (SIGTERM) just before the fourth file; one file at a
        # time, so exactly three are on the server.
        transport = StopBeforeFile(4, stop)
        options = UploadOptions(concurrency=1)
        with (
            _api(server, transport=transport) as api,
            pytest.raises(ServerError) as caught,
        ):
            upload_cookbooks(api, cookbooks, options=options)
        assert "cannot reach the Chef server" in str(caught.value)

        restarted = restart()
        with _api(restarted) as api:
            assert api.get("cookbooks") == {}
            again = upload_cookbooks(api, cookbooks)
            _assert_complete(api, cookbooks)
            sent_paths = {
                path
                for path, _ in manifest_files(cookbooks[0].manifest(api.api_version))
            }

    assert _statuses(again.results) == [UploadStatus.UPLOADED] * 3
    skipped = set() if SPEC in sent_paths else {SPEC}
    sent = {f.checksum for c in cookbooks for f in c.files if f.path not in skipped}
    assert again.requests.file_uploads == len(sent) - 3


def test_connection_cut_between_version_puts(
    chef_server: ChefServerHandle, tmp_path: Path, unique_name: str
) -> None:
    cookbooks = dockerhost_with_dependencies(tmp_path, f"{unique_name}-")
    address = urlsplit(chef_server.url)
    assert address.port is not None
    marker = f"PUT {address.path}/cookbooks/".encode()

    # The second version PUT never arrives: the first cookbook is registered only
    # (the others depend on it, so they are registered after it).
    with cutting_proxy(address.port, cut_marker=marker, cut_at=2) as proxy:
        url = proxy.url + address.path
        with _api(chef_server, url) as api, pytest.raises(ServerError) as caught:
            upload_cookbooks(api, cookbooks)
        assert proxy.cut.is_set()
    assert "cannot reach the Chef server" in str(caught.value)

    with _api(chef_server) as api:
        listed = api.get("cookbooks")
        assert [name for name in listed if name.startswith(unique_name)] == [
            cookbooks[0].name
        ]
        again = upload_cookbooks(api, cookbooks)
        _assert_complete(api, cookbooks)

    assert _statuses(again.results) == [
        UploadStatus.SKIPPED_FROZEN,
        UploadStatus.UPLOADED,
        UploadStatus.UPLOADED,
    ]
    assert again.requests.file_uploads == 0
