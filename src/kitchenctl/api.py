"""The signed Chef Server API client: the one seam every server feature goes through.

``ChefServerAPI`` wraps an ``httpx.Client``. Each request passes through, in order:

1. URL building: paths join the organisation URL (or the root, for ``/users`` and
   friends) with one ``/`` and never a trailing slash; absolute URLs the server
   handed out (sandbox and file URLs) are used as given.
2. Version negotiation: every request carries ``X-Ops-Server-API-Version``; the answer's
   header (or its absence, or a 406) tells which versions the server speaks.
3. Signing: ``ChefAuth``, an ``httpx.Auth``, adds the Mixlib ``X-Ops-*`` headers over
   the URL path alone.
4. Retries: idempotent requests are retried with backoff after connection errors
   and 5xx answers.
5. Error mapping: httpx errors and error statuses become ``kitchenctl.errors`` classes
   whose message names the object, the user and the server.
"""

from __future__ import annotations

import contextlib
import json
import logging
import random
import threading
import time
from collections.abc import Callable, Generator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import httpx

from kitchenctl.errors import (
    AuthenticationFailed,
    Conflict,
    Forbidden,
    NotFound,
    ServerError,
    Unreachable,
)
from kitchenctl.signing import ALLOWED_CLOCK_SKEW, DEFAULT_PROTOCOL, sign_headers

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey

    from kitchenctl.config import Settings

log = logging.getLogger(__name__)

API_VERSION_HEADER = "X-Ops-Server-API-Version"
SUPPORTED_API_VERSIONS = (0, 1, 2)
PREFERRED_API_VERSION = max(SUPPORTED_API_VERSIONS)
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS"})
DEFAULT_TIMEOUT = httpx.Timeout(60.0, connect=10.0)
USER_AGENT = "kitchenctl"

# goiardi 0.11 speaks API 0-1 but answers a request for 2 with no version header at all.
_GOIARDI_VERSIONS = (0, 1)
_ORGANIZATION_MARKER = "/organizations/"
_OBJECT_KINDS = {
    "nodes": "node",
    "roles": "role",
    "environments": "environment",
    "clients": "client",
    "users": "user",
    "cookbooks": "cookbook",
    "data": "data bag",
    "sandboxes": "sandbox",
    "organizations": "organization",
}


class ChefAuth(httpx.Auth):
    """Mixlib::Authentication signing as an httpx auth flow; does no I/O itself.

    Signs the request's path (percent-encoded as sent, no query), its exact body, and
    in protocol 1.3 the ``X-Ops-Server-API-Version`` header already on the request.
    """

    requires_request_body = True

    def __init__(
        self,
        *,
        user_id: str,
        key: RSAPrivateKey,
        protocol: str = DEFAULT_PROTOCOL,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.user_id = user_id
        self.protocol = protocol
        self._key = key
        self._clock = clock or (lambda: datetime.now(UTC))

    def __repr__(self) -> str:
        return f"ChefAuth(user_id={self.user_id!r}, protocol={self.protocol!r})"

    def auth_flow(
        self, request: httpx.Request
    ) -> Generator[httpx.Request, httpx.Response, None]:
        headers = sign_headers(
            key=self._key,
            user_id=self.user_id,
            method=request.method,
            path=signed_path(request.url),
            body=request.content,
            moment=self._clock(),
            protocol=self.protocol,
            server_api_version=request.headers.get(API_VERSION_HEADER, "0"),
        )
        request.headers.update(headers)
        yield request


def signed_path(url: httpx.URL) -> str:
    """The path Mixlib signs: as sent on the wire, without the query string."""
    return url.raw_path.decode("ascii").split("?", 1)[0]


@dataclass(frozen=True)
class ServerInfo:
    """What negotiation learned: the API range, and which server software answered."""

    min_api_version: int
    max_api_version: int
    flavour: str

    @property
    def api_version(self) -> int:
        """The version kitchenctl uses: the highest both sides speak."""
        return min(self.max_api_version, PREFERRED_API_VERSION)


def split_server_url(url: str) -> tuple[str, str | None]:
    """``(root_url, organization)`` from a chef_server_url, either layout."""
    url = url.rstrip("/")
    if _ORGANIZATION_MARKER in url:
        root, rest = url.split(_ORGANIZATION_MARKER, 1)
        return root, rest.split("/", 1)[0]
    return url, None


def join_url(base: str, path: str) -> str:
    """Chef's join: one ``/`` between, no trailing ``/``; absolute URLs unchanged."""
    if path.startswith(("http://", "https://")):
        return path
    joined = base.rstrip("/") + "/" + path.strip("/")
    return joined.rstrip("/")


class ChefServerAPI:
    """A signed, version-negotiating client for one Chef server and one identity.

    ``server_url`` is a chef_server_url in either layout. Paths given to the request
    methods are relative to it (``nodes/web1``); ``root=True`` joins them to the server
    root instead (``users``, ``organizations``). JSON methods return parsed JSON and
    raise a ``ServerError`` subclass for any failure. One instance may be shared by
    threads (parallel file uploads): httpx's client and the signing key are safe to
    share, and negotiation only ever replaces one immutable ``ServerInfo``.
    """

    def __init__(
        self,
        *,
        server_url: str,
        client_name: str,
        key: RSAPrivateKey,
        key_description: str = "the configured key",
        protocol: str = DEFAULT_PROTOCOL,
        server_root: str | None = None,
        verify: bool = True,
        timeout: httpx.Timeout = DEFAULT_TIMEOUT,
        retries: int = 3,
        backoff: float = 0.25,
        transport: httpx.BaseTransport | None = None,
        clock: Callable[[], datetime] | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.url = server_url.rstrip("/")
        root, self.organization = split_server_url(self.url)
        self.root_url = (server_root or root).rstrip("/")
        self.client_name = client_name
        self.key_description = key_description
        self.retries = retries
        self.backoff = backoff
        self._sleep = sleep
        self._server: ServerInfo | None = None
        self._requests_sent = 0
        self._count_lock = threading.Lock()
        self._http = httpx.Client(
            auth=ChefAuth(user_id=client_name, key=key, protocol=protocol, clock=clock),
            timeout=timeout,
            verify=verify,
            transport=transport,
            follow_redirects=False,
            headers={"User-Agent": USER_AGENT, "X-Chef-Version": "18.0.0"},
        )

    @classmethod
    def from_settings(cls, settings: Settings, **options: Any) -> ChefServerAPI:
        """A client for the profile in ``settings``; ConfigError if it is incomplete."""
        url, client_name, key = settings.require_server()
        return cls(
            server_url=url,
            client_name=client_name,
            key=key.load(),
            key_description=key.describe(),
            protocol=settings.signing_protocol,
            server_root=settings.server_root,
            verify=settings.ssl_verify,
            **options,
        )

    def close(self) -> None:
        self._http.close()

    @property
    def requests_sent(self) -> int:
        """HTTP requests sent so far, retries included (thread-safe)."""
        return self._requests_sent

    def __enter__(self) -> ChefServerAPI:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # Negotiation.

    @property
    def server(self) -> ServerInfo | None:
        """What negotiation learned so far; None before the first answer."""
        return self._server

    def negotiate(self) -> ServerInfo:
        """Ask once, cheaply, which API versions the server speaks.

        Like Berkshelf, this reads ``users/<client name>``; any answer but 401, 406
        and server errors is fine, since only the response headers matter.
        """
        if self._server is None:
            with contextlib.suppress(NotFound, Forbidden):
                self.request("GET", f"users/{self.client_name}", expect_json=False)
        assert self._server is not None
        return self._server

    @property
    def api_version(self) -> int:
        """The negotiated server API version (negotiates on first use)."""
        return self.negotiate().api_version

    def _requested_version(self) -> int:
        if self._server is None:
            return PREFERRED_API_VERSION
        return self._server.api_version

    def _learn(self, response: httpx.Response) -> None:
        """Record the version range and the flavour from any answer."""
        flavour = "goiardi" if response.headers.get("X-Goiardi") else "chef"
        header = response.headers.get(API_VERSION_HEADER)
        if header:
            versions = _parse_version_header(header)
            if versions is not None:
                self._server = ServerInfo(*versions, flavour=flavour)
                return
        if self._server is None or self._server.flavour != flavour:
            # No header: an unversioned server (API 0), except goiardi asked for 2.
            low, high = _GOIARDI_VERSIONS if flavour == "goiardi" else (0, 0)
            self._server = ServerInfo(low, high, flavour=flavour)

    # JSON requests.

    def get(
        self, path: str, *, params: Mapping[str, str] | None = None, **kw: Any
    ) -> Any:
        return self.request("GET", path, params=params, **kw)

    def post(self, path: str, data: Any, **kw: Any) -> Any:
        return self.request("POST", path, json_body=data, **kw)

    def put(self, path: str, data: Any, **kw: Any) -> Any:
        return self.request("PUT", path, json_body=data, **kw)

    def delete(self, path: str, **kw: Any) -> Any:
        return self.request("DELETE", path, **kw)

    # Raw bytes, for cookbook files.

    def get_bytes(self, path: str, *, root: bool = False) -> bytes:
        """GET a file (usually a server-issued absolute URL) as raw bytes."""
        response = self._send("GET", self.url_for(path, root=root), headers={})
        return response.content

    def put_bytes(
        self,
        path: str,
        data: bytes,
        *,
        headers: Mapping[str, str] | None = None,
        root: bool = False,
        signed: bool = True,
    ) -> httpx.Response:
        """PUT raw bytes with a Content-Length (never chunked), signed over the path.

        ``signed=False`` leaves out the X-Ops headers, for upload URLs that carry
        their own authorisation (presigned) or need none.
        """
        all_headers = {
            "Content-Type": "application/x-binary",
            "Accept": "application/json",
        }
        all_headers.update(headers or {})
        url = self.url_for(path, root=root)
        return self._send("PUT", url, headers=all_headers, content=data, signed=signed)

    def url_for(self, path: str, *, root: bool = False) -> str:
        """The absolute URL for ``path``; absolute URLs pass through unchanged."""
        return join_url(self.root_url if root else self.url, path)

    def request(
        self,
        method: str,
        path: str,
        *,
        json_body: Any = None,
        params: Mapping[str, str] | None = None,
        root: bool = False,
        expect_json: bool = True,
    ) -> Any:
        """Send one JSON request and return the parsed answer (None if not expected)."""
        headers = {"Accept": "application/json"}
        content: bytes | None = None
        if json_body is not None:
            headers["Content-Type"] = "application/json"
            content = json.dumps(json_body, separators=(",", ":")).encode("utf-8")

        url = self.url_for(path, root=root)
        response = self._send(
            method, url, headers=headers, content=content, params=params
        )
        if not expect_json:
            return None
        return self._parse_json(method, url, response)

    # The ladder: version header, retries, one attempt, error mapping.

    def _send(
        self,
        method: str,
        url: str,
        *,
        headers: Mapping[str, str],
        content: bytes | None = None,
        params: Mapping[str, str] | None = None,
        signed: bool = True,
    ) -> httpx.Response:
        renegotiated = False
        while True:
            version = self._requested_version()
            request = self._http.build_request(
                method,
                url,
                headers={**headers, API_VERSION_HEADER: str(version)},
                content=content,
                params=params,
            )
            response = self._send_with_retries(request, signed=signed)
            if url.startswith(self.root_url):
                # Storage behind presigned URLs says nothing about the Chef server.
                self._learn_from(response)

            # A 406 names the range; retry once at a version both sides speak.
            retry = response.status_code == 406 and not renegotiated
            if retry and self._requested_version() != version:
                renegotiated = True
                continue
            if response.is_success:
                return response
            raise self._error_for(response, url)

    def _learn_from(self, response: httpx.Response) -> None:
        if response.status_code == 406:
            versions = _versions_from_406(response)
            if versions is not None:
                flavour = "goiardi" if response.headers.get("X-Goiardi") else "chef"
                self._server = ServerInfo(*versions, flavour=flavour)
                return
        self._learn(response)

    def _send_with_retries(
        self, request: httpx.Request, *, signed: bool = True
    ) -> httpx.Response:
        attempts = self.retries + 1 if request.method in IDEMPOTENT_METHODS else 1
        # None means no auth at all; the default is the client's ChefAuth.
        auth: Any = httpx.USE_CLIENT_DEFAULT if signed else None
        for attempt in range(1, attempts + 1):
            last = attempt == attempts
            with self._count_lock:
                self._requests_sent += 1
            try:
                response = self._http.send(request, auth=auth)
            except httpx.TransportError as exc:
                if last:
                    raise self._unreachable(request, exc) from exc
                log.info(
                    "%s %s failed (%s); retrying", request.method, request.url, exc
                )
            else:
                log.debug(
                    "%s %s -> %s", request.method, request.url, response.status_code
                )
                if response.status_code < 500 or last:
                    return response
                log.info(
                    "%s %s -> %s; retrying",
                    request.method,
                    request.url,
                    response.status_code,
                )
            self._sleep(self._delay(attempt))
        raise AssertionError("unreachable: the last attempt returns or raises")

    def _delay(self, attempt: int) -> float:
        """Exponential backoff with jitter, so parallel clients do not retry in step."""
        jitter = random.uniform(0.5, 1.5)  # noqa: S311 (jitter, not cryptography)
        return float(self.backoff * 2 ** (attempt - 1) * jitter)

    # Errors.

    def _unreachable(
        self, request: httpx.Request, exc: httpx.TransportError
    ) -> Unreachable:
        reason = str(exc) or type(exc).__name__
        if isinstance(exc, httpx.TimeoutException):
            reason = f"timed out ({type(exc).__name__})"
        return Unreachable(
            f"cannot reach the Chef server at {self.url}: {reason}",
            hint="check chef_server_url (or --server-url) and that the server is up",
        )

    def _error_for(self, response: httpx.Response, url: str) -> ServerError:
        status = response.status_code
        said = server_message(response)
        method = response.request.method
        where = _object_for(url, response.request.content)

        if status == 401:
            return AuthenticationFailed(
                f"Failed to authenticate to {self.url} as {self.client_name} "
                f"with key {self.key_description}: {said}",
                hint="check client_name and client_key; the server also rejects "
                "clocks more than "
                f"{int(ALLOWED_CLOCK_SKEW.total_seconds() // 60)} minutes off",
                status=status,
            )
        if status == 403:
            return Forbidden(
                f"{self.client_name} is not authorized to {method} {where}: {said}",
                hint="ask a server admin for permission, or use another profile",
                status=status,
            )
        if status == 404:
            return NotFound(f"{where} not found on {self.url}", status=status)
        if status == 409:
            return Conflict(f"{where} conflicts: {said}", status=status)
        if status == 406:
            return self._version_error(response)
        if 300 <= status < 400:
            location = response.headers.get("Location", "?")
            return ServerError(
                f"the Chef server redirected {method} {url} to {location}",
                hint="set chef_server_url to the address it redirects to",
                status=status,
            )
        return ServerError(
            f"the Chef server answered {method} {where} with {status}: {said}",
            status=status,
        )

    def _version_error(self, response: httpx.Response) -> ServerError:
        versions = _versions_from_406(response)
        spoken = f"{min(SUPPORTED_API_VERSIONS)}-{max(SUPPORTED_API_VERSIONS)}"
        if versions is None:
            offered = "an unstated range"
        else:
            offered = f"{versions[0]}-{versions[1]}"
        return ServerError(
            f"the Chef server at {self.url} speaks API versions {offered}; "
            f"kitchenctl speaks {spoken}",
            hint="upgrade the server or kitchenctl",
            status=406,
        )

    def _parse_json(self, method: str, url: str, response: httpx.Response) -> Any:
        if not response.content.strip():
            return self._empty_answer(method, url, response)
        try:
            return response.json()
        except ValueError as exc:
            raise ServerError(
                f"the Chef server answered {method} {url} with something not JSON "
                f"({response.headers.get('Content-Type', 'no content type')})",
                status=response.status_code,
            ) from exc

    def _empty_answer(self, method: str, url: str, response: httpx.Response) -> Any:
        if response.status_code == 204:
            return None
        hint = "the server may not implement this endpoint"
        if response.headers.get("X-Goiardi") and self.organization:
            hint = "goiardi has no organisations: use its root URL as chef_server_url"
        raise ServerError(
            f"the Chef server answered {method} {url} with an empty body",
            hint=hint,
            status=response.status_code,
        )


def server_message(response: httpx.Response) -> str:
    """The server's own explanation: Chef's ``{"error": [...]}`` or the text."""
    try:
        body = response.json()
    except ValueError:
        text = response.text.strip()
        return text[:200] if text else f"HTTP {response.status_code}"
    if isinstance(body, dict):
        for key in ("error", "message", "error_messages"):
            value = body.get(key)
            if isinstance(value, list) and value:
                return "; ".join(str(item) for item in value)
            if isinstance(value, str) and value:
                return value
    return json.dumps(body)[:200]


def _object_for(url: str, body: bytes = b"") -> str:
    """``node 'web1'`` from ``…/nodes/web1`` (or a POST of ``{"name": "web1"}``)."""
    path = httpx.URL(url).path
    if _ORGANIZATION_MARKER in path:
        path = "/" + path.split(_ORGANIZATION_MARKER, 1)[1].split("/", 1)[-1]
    parts = [part for part in path.split("/") if part]
    if len(parts) == 1 and (name := _name_in(body)):
        parts.append(name)
    if len(parts) >= 2 and parts[0] in _OBJECT_KINDS:
        kind = _OBJECT_KINDS[parts[0]]
        if parts[0] == "data" and len(parts) >= 3:
            return f"data bag item '{parts[1]}/{parts[2]}'"
        if parts[0] == "cookbooks" and len(parts) >= 3:
            return f"cookbook '{parts[1]}' version {parts[2]}"
        return f"{kind} '{parts[1]}'"
    return path or "/"


def _name_in(body: bytes) -> str | None:
    """The object name in a JSON request body, for naming what a POST conflicted on."""
    try:
        data = json.loads(body) if body else None
    except ValueError:
        return None
    if isinstance(data, dict):
        name = data.get("name") or data.get("id")
        return name if isinstance(name, str) else None
    return None


def _parse_version_header(value: str) -> tuple[int, int] | None:
    try:
        data = json.loads(value)
        return int(data["min_version"]), int(data["max_version"])
    except (ValueError, KeyError, TypeError):
        return None


def _versions_from_406(response: httpx.Response) -> tuple[int, int] | None:
    try:
        body = response.json()
        return int(body["min_version"]), int(body["max_version"])
    except (ValueError, KeyError, TypeError):
        return None
