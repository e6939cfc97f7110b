"""The uploader's protocol logic over httpx.MockTransport: a scripted Chef server.

What real servers cannot be made to do on demand (a 400 or 503 at the sandbox
commit, a 409 race, presigned URLs, API 2 from erchef) is scripted here.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import pytest

from kitchenctl.api import ChefServerAPI
from kitchenctl.cookbook_loader import LoadedCookbook, load_cookbook
from kitchenctl.errors import FrozenCookbook, InputFileError, ServerError
from kitchenctl.uploader import UploadOptions, UploadStatus, upload_cookbooks
from tests.fixtures.sample_cookbooks import write_cookbook

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey

URL = "https://chef.example/organizations/acme"
FAST = UploadOptions(commit_backoff=0.0)


@pytest.fixture(scope="module")
def key() -> RSAPrivateKey:
    from cryptography.hazmat.primitives.asymmetric import rsa

    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@dataclass
class ScriptedServer:
    """A Chef server in memory; ``commit_answers`` and ``version_answers`` script it."""

    api_version: int = 2
    presigned: bool = False
    listing: dict[str, Any] = field(default_factory=dict)
    commit_answers: list[int] = field(default_factory=list)
    version_answers: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    stored: dict[str, bytes] = field(default_factory=dict)
    requests: list[httpx.Request] = field(default_factory=list)
    bodies: list[dict[str, Any]] = field(default_factory=list)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        path = request.url.path.removeprefix("/organizations/acme")
        handler = self._route(request.method, path)
        response = handler(request)
        versions = {"min_version": "0", "max_version": str(self.api_version)}
        response.headers["X-Ops-Server-API-Version"] = json.dumps(versions)
        return response

    def _route(
        self, method: str, path: str
    ) -> Callable[[httpx.Request], httpx.Response]:
        if method == "GET" and path == "/cookbooks":
            return lambda request: httpx.Response(200, json=self.listing)
        if method == "POST" and path == "/sandboxes":
            return self._sandbox
        if method == "PUT" and path.startswith("/files/"):
            return self._file
        if method == "PUT" and path == "/sandboxes/abc":
            return self._commit
        if method == "PUT" and path.startswith("/cookbooks/"):
            return self._version
        return lambda request: httpx.Response(404, json={"error": ["no route"]})

    def _sandbox(self, request: httpx.Request) -> httpx.Response:
        checksums = json.loads(request.content)["checksums"]
        query = "?AWSAccessKeyId=x&Signature=y" if self.presigned else ""
        answer = {
            checksum: {
                "needs_upload": True,
                "url": f"https://chef.example/files/{checksum}{query}",
            }
            for checksum in checksums
        }
        return httpx.Response(
            201,
            json={
                "uri": f"{URL}/sandboxes/abc",
                "sandbox_id": "abc",
                "checksums": answer,
            },
        )

    def _file(self, request: httpx.Request) -> httpx.Response:
        self.stored[request.url.path.rsplit("/", 1)[-1]] = request.content
        return httpx.Response(200, json={})

    def _commit(self, request: httpx.Request) -> httpx.Response:
        status = self.commit_answers.pop(0) if self.commit_answers else 200
        message = "Checksum x not uploaded yet, abc not complete, cannot commit yet."
        return httpx.Response(status, json={"error": [message]})

    def _version(self, request: httpx.Request) -> httpx.Response:
        self.bodies.append(json.loads(request.content))
        if self.version_answers:
            status, body = self.version_answers.pop(0)
            return httpx.Response(status, json=body)
        return httpx.Response(201, json=self.bodies[-1])

    def file_puts(self) -> list[httpx.Request]:
        return [r for r in self.requests if r.url.path.startswith("/files/")]


def _api(key: RSAPrivateKey, server: ScriptedServer) -> ChefServerAPI:
    return ChefServerAPI(
        server_url=URL,
        client_name="alice",
        key=key,
        transport=httpx.MockTransport(server),
        sleep=lambda seconds: None,
    )


def _cookbook(tmp_path: Path, name: str = "web") -> LoadedCookbook:
    return load_cookbook(write_cookbook(tmp_path, name, "1.0.0"))


def test_files_carry_content_md5_type_length_and_a_signature(
    key: RSAPrivateKey, tmp_path: Path
) -> None:
    server = ScriptedServer()
    cookbook = _cookbook(tmp_path)

    upload_cookbooks(_api(key, server), [cookbook], options=FAST)

    puts = server.file_puts()
    assert len(puts) == len(cookbook.files)
    for request in puts:
        digest = hashlib.md5(request.content).digest()
        assert request.headers["Content-MD5"] == base64.b64encode(digest).decode()
        assert request.url.path.endswith(digest.hex())
        assert request.headers["Content-Type"] == "application/x-binary"
        assert request.headers["Content-Length"] == str(len(request.content))
        assert "X-Ops-Authorization-1" in request.headers
    assert server.stored == {f.checksum: f.read_bytes() for f in cookbook.files}


def test_presigned_urls_are_not_signed(key: RSAPrivateKey, tmp_path: Path) -> None:
    server = ScriptedServer(presigned=True)

    upload_cookbooks(_api(key, server), [_cookbook(tmp_path)], options=FAST)

    assert server.file_puts()
    assert not any("X-Ops-Authorization-1" in r.headers for r in server.file_puts())


def test_api_2_sends_all_files_and_api_1_segments(
    key: RSAPrivateKey, tmp_path: Path
) -> None:
    modern, older = ScriptedServer(api_version=2), ScriptedServer(api_version=1)
    cookbook = _cookbook(tmp_path)

    upload_cookbooks(_api(key, modern), [cookbook], options=FAST)
    upload_cookbooks(_api(key, older), [cookbook], options=FAST)

    assert "all_files" in modern.bodies[0]
    assert "recipes" not in modern.bodies[0]
    assert "all_files" not in older.bodies[0]
    assert [r["path"] for r in older.bodies[0]["recipes"]] == ["recipes/default.rb"]
    # Segments leave spec/ out, so its file is not uploaded either.
    assert len(older.file_puts()) == len(modern.file_puts()) - 1


def test_commit_retries_on_400(key: RSAPrivateKey, tmp_path: Path) -> None:
    server = ScriptedServer(commit_answers=[400, 400])

    summary = upload_cookbooks(_api(key, server), [_cookbook(tmp_path)], options=FAST)

    assert summary.requests.commits == 3
    assert summary.results[0].status is UploadStatus.UPLOADED


def test_commit_503_sends_the_files_again(key: RSAPrivateKey, tmp_path: Path) -> None:
    # The client retries a 5xx PUT three times itself before the uploader sees it.
    server = ScriptedServer(commit_answers=[503] * 4)
    cookbook = _cookbook(tmp_path)

    summary = upload_cookbooks(_api(key, server), [cookbook], options=FAST)

    assert len(server.file_puts()) == 2 * len(cookbook.files)
    assert summary.requests.commits == 2
    assert summary.results[0].status is UploadStatus.UPLOADED


def test_commit_failing_for_good_says_to_run_again(
    key: RSAPrivateKey, tmp_path: Path
) -> None:
    server = ScriptedServer(commit_answers=[400] * 5)

    with pytest.raises(ServerError, match="would not commit sandbox abc") as caught:
        upload_cookbooks(_api(key, server), [_cookbook(tmp_path)], options=FAST)

    assert "run the upload again" in str(caught.value)
    assert not server.bodies


def test_checksum_not_uploaded_is_explained(key: RSAPrivateKey, tmp_path: Path) -> None:
    said = "Manifest has a checksum that hasn't been uploaded."
    server = ScriptedServer(version_answers=[(400, {"error": [said]})])

    with pytest.raises(ServerError) as caught:
        upload_cookbooks(_api(key, server), [_cookbook(tmp_path)], options=FAST)

    assert str(caught.value) == (
        f"the Chef server lacks a file of cookbook web (1.0.0): "
        f"the Chef server answered PUT cookbook 'web' version 1.0.0 with 400: {said} "
        "(run the upload again; it re-sends what the server lacks)"
    )


def test_a_409_race_skips_or_halts(key: RSAPrivateKey, tmp_path: Path) -> None:
    frozen = {"error": ["The cookbook web at version 1.0.0 is frozen."]}
    skipping = ScriptedServer(version_answers=[(409, frozen)])
    halting = ScriptedServer(version_answers=[(409, frozen)])
    cookbook = _cookbook(tmp_path)
    halt = UploadOptions(halt_on_frozen=frozenset({"web"}))

    summary = upload_cookbooks(_api(key, skipping), [cookbook], options=FAST)
    with pytest.raises(FrozenCookbook, match=r"The cookbook web \(1.0.0\) already"):
        upload_cookbooks(_api(key, halting), [cookbook], options=halt)

    assert summary.results[0].status is UploadStatus.SKIPPED_FROZEN


def test_force_is_sent_as_exactly_true(key: RSAPrivateKey, tmp_path: Path) -> None:
    server = ScriptedServer()
    options = UploadOptions(force=True, freeze=False)

    upload_cookbooks(_api(key, server), [_cookbook(tmp_path)], options=options)

    put = next(
        r for r in server.requests if r.url.path.endswith("/cookbooks/web/1.0.0")
    )
    assert put.url.query == b"force=true"
    assert server.bodies[0]["frozen?"] is False


def test_a_file_changed_after_loading_stops_the_upload(
    key: RSAPrivateKey, tmp_path: Path
) -> None:
    server = ScriptedServer()
    cookbook = _cookbook(tmp_path)
    (cookbook.root / "recipes" / "default.rb").write_text("edited\n")

    with pytest.raises(
        InputFileError, match="changed while kitchenctl was uploading it"
    ):
        upload_cookbooks(_api(key, server), [cookbook], options=FAST)

    assert not server.bodies


def test_versions_register_after_their_dependencies(
    key: RSAPrivateKey, tmp_path: Path
) -> None:
    server = ScriptedServer()
    cookbooks = [
        load_cookbook(
            write_cookbook(
                tmp_path, "dockerhost", "1.0.0", dependencies={"docker": ">= 0"}
            )
        ),
        load_cookbook(
            write_cookbook(tmp_path, "docker", "1.0.0", dependencies={"apt": ">= 0"})
        ),
        load_cookbook(write_cookbook(tmp_path, "apt", "1.0.0")),
        load_cookbook(
            write_cookbook(
                tmp_path, "cyclic", "1.0.0", dependencies={"cyclic2": ">= 0"}
            )
        ),
        load_cookbook(
            write_cookbook(
                tmp_path, "cyclic2", "1.0.0", dependencies={"cyclic": ">= 0"}
            )
        ),
    ]

    summary = upload_cookbooks(_api(key, server), cookbooks, options=FAST)

    order = [body["cookbook_name"] for body in server.bodies]
    assert order.index("apt") < order.index("docker") < order.index("dockerhost")
    assert sorted(order) == ["apt", "cyclic", "cyclic2", "docker", "dockerhost"]
    assert [r.name for r in summary.results] == [c.name for c in cookbooks]
