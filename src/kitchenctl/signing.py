"""Mixlib::Authentication request signing, protocols 1.0, 1.1 and 1.3.

Signing is pure: it turns a method, a path, a body, a user id, a time and a key into the
``X-Ops-*`` headers, and never touches the network. ``verify`` is the server side of the
same algorithm; the embedded server and the tests use it.

References: chef/mixlib-authentication ``signedheaderauth.rb`` and
``signatureverification.rb`` (see docs/reference in the shared material).
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.rsa import (
        RSAPrivateKey,
        RSAPublicKey,
    )

PROTOCOLS = ("1.0", "1.1", "1.3")
DEFAULT_PROTOCOL = "1.3"
ALLOWED_CLOCK_SKEW = timedelta(minutes=15)
AUTHORIZATION_CHUNK = 60

_SIGN_HEADER = {
    "1.0": "algorithm=sha1;version=1.0;",
    "1.1": "algorithm=sha1;version=1.1;",
    "1.3": "algorithm=sha256;version=1.3;",
}
_SLASH_RUN = re.compile(r"/+")


class SignatureError(ValueError):
    """A request's signature headers are missing, malformed or do not verify."""


def canonical_path(path: str) -> str:
    """Collapse runs of ``/`` and drop one trailing ``/``, as Mixlib does."""
    path = _SLASH_RUN.sub("/", path)
    if len(path) > 1 and path.endswith("/"):
        path = path[:-1]
    return path


def timestamp(moment: datetime) -> str:
    """UTC to the second with a ``Z``: ``2026-12-03T15:24:50Z``."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def content_hash(body: bytes, protocol: str) -> str:
    digest = hashlib.sha256 if protocol == "1.3" else hashlib.sha1
    return _b64(digest(body).digest())


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def _sha1_b64(text: str) -> str:
    return _b64(hashlib.sha1(text.encode("utf-8")).digest())


@dataclass(frozen=True)
class SigningInput:
    """Everything that goes into a signature, in canonical form."""

    method: str
    path: str
    body_hash: str
    timestamp: str
    user_id: str
    protocol: str
    server_api_version: str

    def canonical_string(self) -> bytes:
        """The exact bytes that get signed, as Mixlib builds them."""
        method = self.method.upper()
        if self.protocol == "1.3":
            lines = [
                f"Method:{method}",
                f"Path:{self.path}",
                f"X-Ops-Content-Hash:{self.body_hash}",
                "X-Ops-Sign:version=1.3",
                f"X-Ops-Timestamp:{self.timestamp}",
                f"X-Ops-UserId:{self.user_id}",
                f"X-Ops-Server-API-Version:{self.server_api_version}",
            ]
        else:
            user = self.user_id if self.protocol == "1.0" else _sha1_b64(self.user_id)
            lines = [
                f"Method:{method}",
                f"Hashed Path:{_sha1_b64(self.path)}",
                f"X-Ops-Content-Hash:{self.body_hash}",
                f"X-Ops-Timestamp:{self.timestamp}",
                f"X-Ops-UserId:{user}",
            ]
        return "\n".join(lines).encode("utf-8")


def _signature(key: RSAPrivateKey, data: bytes, protocol: str) -> bytes:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding, utils

    if protocol == "1.3":
        return key.sign(data, padding.PKCS1v15(), hashes.SHA256())
    # 1.0 and 1.1 are RSA_private_encrypt over the raw string: no digest, no DigestInfo.
    return key.sign(data, padding.PKCS1v15(), utils.NoDigestInfo())


def sign_headers(
    *,
    key: RSAPrivateKey,
    user_id: str,
    method: str,
    path: str,
    body: bytes,
    moment: datetime,
    protocol: str = DEFAULT_PROTOCOL,
    server_api_version: str = "2",
) -> dict[str, str]:
    """The X-Ops headers for one request; ``path`` is the URL path alone, no query."""
    if protocol not in PROTOCOLS:
        raise ValueError(f"unknown signing protocol {protocol!r}")

    signing_input = SigningInput(
        method=method,
        path=canonical_path(path),
        body_hash=content_hash(body, protocol),
        timestamp=timestamp(moment),
        user_id=user_id,
        protocol=protocol,
        server_api_version=server_api_version,
    )
    signature = _b64(_signature(key, signing_input.canonical_string(), protocol))

    headers = {
        "X-Ops-Sign": _SIGN_HEADER[protocol],
        "X-Ops-Userid": user_id,
        "X-Ops-Timestamp": signing_input.timestamp,
        "X-Ops-Content-Hash": signing_input.body_hash,
    }
    chunks = range(0, len(signature), AUTHORIZATION_CHUNK)
    for number, start in enumerate(chunks, start=1):
        piece = signature[start : start + AUTHORIZATION_CHUNK]
        headers[f"X-Ops-Authorization-{number}"] = piece
    return headers


# The server side.


@dataclass(frozen=True)
class SignedRequest:
    """What a verifier reads from a request's headers before it has the key."""

    user_id: str
    protocol: str
    timestamp: str
    body_hash: str
    signature: bytes
    server_api_version: str


def read_signed_request(headers: Mapping[str, str]) -> SignedRequest:
    """Parse the X-Ops headers (any case); raise SignatureError when unsigned."""
    lowered = {name.lower(): value for name, value in headers.items()}

    missing = [
        name
        for name in ("x-ops-sign", "x-ops-userid", "x-ops-timestamp")
        if name not in lowered
    ]
    if missing or "x-ops-authorization-1" not in lowered:
        raise SignatureError("request is not signed")

    protocol = _protocol_from_sign_header(lowered["x-ops-sign"])
    pieces = []
    number = 1
    while f"x-ops-authorization-{number}" in lowered:
        pieces.append(lowered[f"x-ops-authorization-{number}"])
        number += 1
    try:
        signature = base64.b64decode("".join(pieces), validate=True)
    except ValueError as exc:
        raise SignatureError("X-Ops-Authorization is not base64") from exc

    return SignedRequest(
        user_id=lowered["x-ops-userid"],
        protocol=protocol,
        timestamp=lowered["x-ops-timestamp"],
        body_hash=lowered.get("x-ops-content-hash", ""),
        signature=signature,
        server_api_version=lowered.get("x-ops-server-api-version", "0"),
    )


def _protocol_from_sign_header(value: str) -> str:
    fields = dict(
        part.split("=", 1) for part in value.split(";") if part.count("=") == 1
    )
    protocol = fields.get("version", "")
    algorithm = fields.get("algorithm", "sha1")
    if protocol not in PROTOCOLS:
        raise SignatureError(f"unsupported signing protocol version {protocol!r}")
    # Mixlib pairs sha256 only with 1.3, and sha1 only with 1.0 and 1.1.
    if (protocol == "1.3") != (algorithm == "sha256"):
        raise SignatureError(f"algorithm {algorithm} does not go with {protocol}")
    return protocol


def verify(
    request: SignedRequest,
    *,
    public_key: RSAPublicKey,
    method: str,
    path: str,
    body: bytes,
    now: datetime,
    allowed_skew: timedelta = ALLOWED_CLOCK_SKEW,
) -> None:
    """Raise SignatureError unless the request was signed by ``public_key``'s owner."""
    _check_clock(request.timestamp, now, allowed_skew)

    expected_hash = content_hash(body, request.protocol)
    if request.body_hash != expected_hash:
        raise SignatureError("the body does not match X-Ops-Content-Hash")

    signing_input = SigningInput(
        method=method,
        path=canonical_path(path),
        body_hash=expected_hash,
        timestamp=request.timestamp,
        user_id=request.user_id,
        protocol=request.protocol,
        server_api_version=request.server_api_version,
    )
    _check_signature(public_key, request, signing_input.canonical_string())


def _check_clock(stamp: str, now: datetime, allowed_skew: timedelta) -> None:
    try:
        moment = datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    except ValueError as exc:
        raise SignatureError(f"bad X-Ops-Timestamp {stamp!r}") from exc
    if abs(now - moment) > allowed_skew:
        raise SignatureError("the request timestamp is outside the allowed clock skew")


def _check_signature(
    public_key: RSAPublicKey, request: SignedRequest, expected: bytes
) -> None:
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding

    if request.protocol == "1.3":
        try:
            public_key.verify(
                request.signature, expected, padding.PKCS1v15(), hashes.SHA256()
            )
        except InvalidSignature as exc:
            raise SignatureError("the signature does not verify") from exc
        return

    # 1.0/1.1: public-decrypt the signature and compare with the canonical string.
    try:
        recovered = public_key.recover_data_from_signature(
            request.signature, padding.PKCS1v15(), None
        )
    except InvalidSignature as exc:
        raise SignatureError("the signature does not verify") from exc
    if recovered != expected:
        raise SignatureError("the signature does not verify")


@dataclass(frozen=True)
class KeyPair:
    """A new client or user key, as Chef tools read and send it."""

    private_pem: str = field(repr=False)  # PKCS#1, "BEGIN RSA PRIVATE KEY"
    public_pem: str  # SubjectPublicKeyInfo, "BEGIN PUBLIC KEY"


def generate_key_pair(bits: int = 2048) -> KeyPair:
    """A fresh RSA key pair; costs tens of milliseconds of CPU."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=bits)
    private_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    )
    public_pem = key.public_key().public_bytes(
        serialization.Encoding.PEM,
        serialization.PublicFormat.SubjectPublicKeyInfo,
    )
    return KeyPair(private_pem.decode("ascii"), public_pem.decode("ascii"))


def load_private_key(pem: bytes) -> RSAPrivateKey:
    """An RSA private key from PEM (PKCS#1 or PKCS#8); raise ValueError otherwise."""
    from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey
    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    key = load_pem_private_key(pem, password=None)
    if not isinstance(key, RSAPrivateKey):
        raise ValueError("not an RSA private key")
    return key


def load_public_key(pem: bytes) -> RSAPublicKey:
    """An RSA public key from PEM (SubjectPublicKeyInfo or PKCS#1)."""
    from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey
    from cryptography.hazmat.primitives.serialization import load_pem_public_key

    key = load_pem_public_key(pem)
    if not isinstance(key, RSAPublicKey):
        raise ValueError("not an RSA public key")
    return key
