"""Mixlib signing: the reference vectors, odd paths, and Ruby's own implementation."""

from __future__ import annotations

import json
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from kitchenctl.signing import (
    PROTOCOLS,
    SigningInput,
    canonical_path,
    content_hash,
    load_private_key,
    read_signed_request,
    sign_headers,
    verify,
)

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey

MOMENT = datetime(2026, 12, 3, 15, 24, 50, tzinfo=UTC)
BODY = b'{"name":"web1"}'
PATH = "/organizations/acme/nodes"

# From the shared Chef Server API reference, section 1.3 (confirmed with mixlib 3.0.6).
HASHED_PATH = "K3HFRr5hi/qQPNFKkqbN7+hLbEA="
SHA1_BODY = "oGUhJkg6S3tblBYxpQLULLrxuZI="
SHA256_BODY = "1XD5eQOx6tNwvB8oHUYZyuA6QojRZXbLT8p2g3T/W78="
HASHED_ALICE = "UisnajVr3zkBPfq+os1D4UHsyeg="
EMPTY_SHA1 = "2jmj7l5rSw0yVb/vlWAYkK/YBwk="

RUBY_SIGNER = r"""
require "json"
require "openssl"
require "mixlib/authentication/signedheaderauth"
key_path, method, path, body_path, time, user, version, api = ARGV
signer = Mixlib::Authentication::SignedHeaderAuth.signing_object(
  http_method: method, path: path, body: File.binread(body_path), timestamp: time,
  user_id: user, proto_version: version,
  headers: { "X-Ops-Server-API-Version" => api })
algorithm = version == "1.3" ? "sha256" : "sha1"
key = OpenSSL::PKey::RSA.new(File.read(key_path))
puts JSON.generate(signer.sign(key, sign_algorithm: algorithm, sign_version: version))
"""


@pytest.fixture(scope="module")
def key_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One RSA-2048 key shared by the Python and Ruby signers."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    path = tmp_path_factory.mktemp("keys") / "alice.pem"
    path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        )
    )
    return path


@pytest.fixture(scope="module")
def key(key_file: Path) -> RSAPrivateKey:
    return load_private_key(key_file.read_bytes())


def _input(protocol: str, path: str = PATH, body: bytes = BODY) -> SigningInput:
    return SigningInput(
        method="post",
        path=canonical_path(path),
        body_hash=content_hash(body, protocol),
        timestamp="2026-12-03T15:24:50Z",
        user_id="alice",
        protocol=protocol,
        server_api_version="1",
    )


@pytest.mark.parametrize(
    ("protocol", "expected"),
    [
        (
            "1.0",
            f"Method:POST\nHashed Path:{HASHED_PATH}\nX-Ops-Content-Hash:{SHA1_BODY}\n"
            "X-Ops-Timestamp:2026-12-03T15:24:50Z\nX-Ops-UserId:alice",
        ),
        (
            "1.1",
            f"Method:POST\nHashed Path:{HASHED_PATH}\nX-Ops-Content-Hash:{SHA1_BODY}\n"
            f"X-Ops-Timestamp:2026-12-03T15:24:50Z\nX-Ops-UserId:{HASHED_ALICE}",
        ),
        (
            "1.3",
            f"Method:POST\nPath:{PATH}\nX-Ops-Content-Hash:{SHA256_BODY}\n"
            "X-Ops-Sign:version=1.3\nX-Ops-Timestamp:2026-12-03T15:24:50Z\n"
            "X-Ops-UserId:alice\nX-Ops-Server-API-Version:1",
        ),
    ],
)
def test_canonical_strings_match_the_reference_vector(
    protocol: str, expected: str
) -> None:
    assert _input(protocol).canonical_string() == expected.encode()


@pytest.mark.parametrize(
    ("path", "canonical"),
    [
        ("/organizations/acme/nodes", "/organizations/acme/nodes"),
        ("//organizations//acme///nodes/", "/organizations/acme/nodes"),
        ("/nodes/", "/nodes"),
        ("/", "/"),
        ("//", "/"),
        ("/nodes/a%20b", "/nodes/a%20b"),
    ],
)
def test_path_canonicalisation(path: str, canonical: str) -> None:
    assert canonical_path(path) == canonical


def test_odd_path_signs_as_the_clean_one() -> None:
    assert _input("1.1", "//organizations//acme/nodes/").canonical_string() == (
        _input("1.1").canonical_string()
    )


def test_empty_body_hash() -> None:
    assert content_hash(b"", "1.1") == EMPTY_SHA1


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_headers_split_and_verify(key: RSAPrivateKey, protocol: str) -> None:
    body = "{'name':'wébserver ☃'}".encode()
    headers = sign_headers(
        key=key,
        user_id="alice",
        method="PUT",
        path="/nodes/web",
        body=body,
        moment=MOMENT,
        protocol=protocol,
        server_api_version="1",
    )

    pieces = [value for name, value in headers.items() if "Authorization" in name]
    assert [len(piece) for piece in pieces] == [60] * 5 + [44]
    signed = read_signed_request({**headers, "X-Ops-Server-API-Version": "1"})
    verify(
        signed,
        public_key=key.public_key(),
        method="PUT",
        path="/nodes/web",
        body=body,
        now=MOMENT,
    )


def _ruby_headers(
    key_file: Path, tmp_path: Path, protocol: str, path: str, body: bytes
) -> dict[str, str]:
    ruby = shutil.which("ruby")
    if ruby is None:
        pytest.fail(
            "ruby is not installed: apt-get install ruby ruby-mixlib-authentication"
        )
    body_file = tmp_path / "body"
    body_file.write_bytes(body)
    arguments = [str(key_file), "POST", path, str(body_file)]
    arguments += ["2026-12-03T15:24:50Z", "alice", protocol, "1"]
    completed = subprocess.run(
        [ruby, "-e", RUBY_SIGNER, *arguments],
        capture_output=True,
        check=False,
        timeout=60,
    )
    assert completed.returncode == 0, completed.stderr.decode()
    return dict(json.loads(completed.stdout))


@pytest.mark.ruby
@pytest.mark.parametrize("protocol", PROTOCOLS)
@pytest.mark.parametrize(
    ("path", "body"),
    [
        (PATH, BODY),
        ("//organizations//acme/nodes/", b""),
        ("/data/bag/item", '{"id":"item","motd":"Grüße, 世界 ☃"}'.encode()),
    ],
    ids=["reference", "odd-path-empty-body", "non-ascii"],
)
def test_byte_identical_with_ruby_mixlib(
    key: RSAPrivateKey,
    key_file: Path,
    tmp_path: Path,
    protocol: str,
    path: str,
    body: bytes,
) -> None:
    ours = sign_headers(
        key=key,
        user_id="alice",
        method="POST",
        path=path,
        body=body,
        moment=MOMENT,
        protocol=protocol,
        server_api_version="1",
    )

    assert ours == _ruby_headers(key_file, tmp_path, protocol, path, body)
