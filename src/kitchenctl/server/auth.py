"""Who sent a request: Mixlib signature verification against stored public keys.

A request names its actor in ``X-Ops-Userid``. The actor is a client of the organisation
or a user; its public key verifies the signature (protocols 1.0, 1.1 and 1.3, 15 minutes
of clock skew, see ``kitchenctl.signing``). Any failure is a 401 with a JSON error.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from kitchenctl import signing
from kitchenctl.server.protocol import ApiError
from kitchenctl.server.store import ROOT, Store

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey

WWW_AUTHENTICATE = 'X-Ops-Sign version="1.0" version="1.1" version="1.3"'


@dataclass(frozen=True)
class Actor:
    """The signer of a request, with the flags authorisation looks at."""

    name: str
    kind: str  # "user" or "client"
    admin: bool
    validator: bool


def _unauthorized(message: str) -> ApiError:
    return ApiError(401, message, headers={"WWW-Authenticate": WWW_AUTHENTICATE})


class Authenticator:
    """Verifies signatures; parsed public keys are cached by their PEM text."""

    def __init__(
        self, store: Store, *, clock: Callable[[], datetime] | None = None
    ) -> None:
        self._store = store
        self._clock = clock or (lambda: datetime.now(UTC))
        self._keys: dict[str, RSAPublicKey] = {}

    def authenticate(
        self,
        *,
        org: str,
        method: str,
        path: str,
        headers: Mapping[str, str],
        body: bytes,
    ) -> Actor:
        """The actor who signed this request; raise ApiError 401 otherwise."""
        try:
            signed = signing.read_signed_request(headers)
        except signing.SignatureError as exc:
            raise _unauthorized(f"Authentication failed: {exc}.") from exc

        actor, public_key_pem = self._find_actor(org, signed.user_id)
        try:
            signing.verify(
                signed,
                public_key=self._public_key(public_key_pem),
                method=method,
                path=path,
                body=body,
                now=self._clock(),
            )
        except signing.SignatureError as exc:
            raise _unauthorized(f"Authentication failed: {exc}.") from exc
        return actor

    def _find_actor(self, org: str, name: str) -> tuple[Actor, str]:
        client = self._store.get(org, "client", name) if org else None
        record: dict[str, Any] | None = client
        kind = "client"
        if record is None:
            record, kind = self._store.get(ROOT, "user", name), "user"
        key = record.get("public_key") if record else None
        if record is None or not isinstance(key, str):
            raise _unauthorized(
                f"Failed to authenticate as '{name}'. Ensure that your node_name "
                "and client key are correct."
            )
        actor = Actor(
            name=name,
            kind=kind,
            admin=bool(record.get("admin")),
            validator=bool(record.get("validator")),
        )
        return actor, key

    def _public_key(self, pem: str) -> RSAPublicKey:
        key = self._keys.get(pem)
        if key is None:
            try:
                key = signing.load_public_key(pem.encode("utf-8"))
            except ValueError as exc:
                raise _unauthorized(
                    "The actor's stored public key is unusable."
                ) from exc
            self._keys[pem] = key
        return key
