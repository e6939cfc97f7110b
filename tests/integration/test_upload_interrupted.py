"""Uploads interrupted midway, for real: the server stopped, the connection cut.

Either way nothing is half-registered (a version is absent or complete), and running
the same upload again completes it.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

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
from tests.fixtures.sample_cookbooks import dockerhost_with_dependencies
from tests.fixtures.tcp_proxy import cutting_proxy

SPEC = "spec/default_spec.rb"  # not part of an API 0/1 body, so never sent


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

    def __init__(self, number: int, stop: contextlib.ExitStack) -> None:
        super().__init__()
        self.number = number
        self.file_puts = 0
        self._stop = stop

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.method == "PUT" and "/file_store/" in request.url.path:
            self.file_puts += 1
            if self.file_puts == self.number:
                self._stop.close()
        return super().handle_request(request)


def _assert_complete(api: ChefServerAPI, cookbooks: list[LoadedCookbook]) -> None:
    for cookbook in cookbooks:
        body = api.get(f"cookbooks/{cookbook.name}/{cookbook.version}")
        sent = cookbook.manifest(api.api_version)
        assert manifest_files(body) == manifest_files(sent)
        assert body["frozen?"] is True


def _statuses(results: tuple[CookbookUploadResult, ...]) -> list[UploadStatus]:
    return [result.status for result in results]


def test_server_stopped_during_file_uploads(tmp_path: Path) -> None:
    cookbooks = dockerhost_with_dependencies(tmp_path / "cookbooks")
    server_folder = tmp_path / "goiardi"

    # Stop the server (SIGTERM: it saves its data) before the fourth file; one
    # file at a time, so exactly three are on the server.
    with contextlib.ExitStack() as running:
        server = running.enter_context(run_goiardi(server_folder))
        transport = StopBeforeFile(4, running)
        options = UploadOptions(concurrency=1)
        with (
            _api(server, transport=transport) as api,
            pytest.raises(ServerError) as caught,
        ):
            upload_cookbooks(api, cookbooks, options=options)
    assert "cannot reach the Chef server" in str(caught.value)

    # Same data and keys; the fixture writes its credentials file afresh.
    (server_folder / "credentials").unlink()
    with run_goiardi(server_folder) as restarted, _api(restarted) as api:
        assert api.get("cookbooks") == {}
        again = upload_cookbooks(api, cookbooks)
        _assert_complete(api, cookbooks)

    assert _statuses(again.results) == [UploadStatus.UPLOADED] * 3
    sent = {f.checksum for c in cookbooks for f in c.files if f.path != SPEC}
    assert again.requests.file_uploads == len(sent) - 3


def test_connection_cut_between_version_puts(
    goiardi: ChefServerHandle, tmp_path: Path, unique_name: str
) -> None:
    cookbooks = dockerhost_with_dependencies(tmp_path, f"{unique_name}-")
    port = int(goiardi.url.rsplit(":", 1)[1])

    # The second version PUT never arrives: the first cookbook is registered only.
    with cutting_proxy(port, cut_marker=b"PUT /cookbooks/", cut_at=2) as proxy:
        with _api(goiardi, proxy.url) as api, pytest.raises(ServerError) as caught:
            upload_cookbooks(api, cookbooks)
        assert proxy.cut.is_set()
    assert "cannot reach the Chef server" in str(caught.value)

    with _api(goiardi) as api:
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
