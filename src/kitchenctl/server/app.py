"""The Starlette application: routing, version negotiation and the request wrapper.

Every request goes through ``_dispatch``: negotiate the server API version (406 outside
0..2), check the organisation, verify the signature (401), then run the handler, inside
one SQLite transaction when the method writes. Handlers are plain functions from a
``Call`` to a ``Reply``; they raise ``ApiError`` for every answer that is not a success,
and anything else becomes a logged 500 without details.

Each organisation route is served twice: under ``/organizations/ORG`` and at the root,
as chef-zero does. URLs in answers follow the layout the request used.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kitchenctl.server import DEFAULT_ORG
from kitchenctl.server.auth import Actor, Authenticator
from kitchenctl.server.protocol import (
    ApiError,
    Reply,
    negotiate_version,
    not_found,
    parse_json_body,
    version_header,
)
from kitchenctl.server.store import Store

if TYPE_CHECKING:
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import Response
    from starlette.types import ASGIApp, Receive, Scope, Send

log = logging.getLogger(__name__)

READ_METHODS = frozenset({"GET", "HEAD"})
ALL_METHODS = ["GET", "HEAD", "POST", "PUT", "DELETE"]
_SLASH_RUN = re.compile(r"/+")


@dataclass
class ServerState:
    """What every handler shares: the store, the verifier, the file store folder."""

    store: Store
    authenticator: Authenticator
    files: Path
    org: str = DEFAULT_ORG


@dataclass(frozen=True)
class Call:
    """One authenticated request, as a handler sees it."""

    state: ServerState
    org: str
    actor: Actor
    api_version: int
    method: str
    base_url: str  # where organisation objects live, in the layout of the request
    root_url: str  # scheme and host
    params: Mapping[str, str]
    query: Mapping[str, str]
    headers: Mapping[str, str]
    body: bytes

    @property
    def store(self) -> Store:
        return self.state.store

    @cached_property
    def json(self) -> Any:
        return parse_json_body(self.body)

    def url(self, *parts: str) -> str:
        return "/".join([self.base_url, *parts])


Handler = Callable[[Call], Reply]
Routes = list[tuple[str, dict[str, Handler]]]


def create_app(state: ServerState) -> Starlette:
    """The ASGI application serving ``state``'s data."""
    from starlette.applications import Starlette
    from starlette.routing import Route

    from kitchenctl.server import cookbooks, depsolver, endpoints

    org_routes: Routes = endpoints.ORG_ROUTES + cookbooks.ROUTES + depsolver.ROUTES
    routes = []
    for path, handlers in endpoints.ROOT_ROUTES:
        routes.append(_route(Route, state, path, handlers, org_layout=False))
    for path, handlers in org_routes:
        routes.append(
            _route(Route, state, f"/organizations/{{org}}{path}", handlers, True)
        )
        routes.append(_route(Route, state, path, handlers, org_layout=False))

    app = Starlette(routes=routes)
    app.router.redirect_slashes = False
    app.router.default = _not_found_route
    return app


def collapse_slashes(app: ASGIApp) -> ASGIApp:
    """Route ``//nodes`` like ``/nodes`` (Mixlib signs the collapsed path too)."""

    async def wrapped(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and "//" in scope["path"]:
            scope = dict(scope, path=_SLASH_RUN.sub("/", scope["path"]))
        await app(scope, receive, send)

    return wrapped


async def _not_found_route(scope: Scope, receive: Receive, send: Send) -> None:
    from starlette.responses import Response

    response = Response(
        b'{"error":["No such resource."]}',
        status_code=404,
        media_type="application/json",
        headers={"X-Ops-Server-API-Version": version_header(None)},
    )
    await response(scope, receive, send)


def _route(
    route_class: Any,
    state: ServerState,
    path: str,
    handlers: dict[str, Handler],
    org_layout: bool,
) -> Any:
    async def endpoint(request: Request) -> Response:
        return await _dispatch(state, request, handlers, org_layout)

    return route_class(path, endpoint, methods=ALL_METHODS)


async def _dispatch(
    state: ServerState,
    request: Request,
    handlers: dict[str, Handler],
    org_layout: bool,
) -> Response:
    from starlette.responses import Response

    body = await request.body()
    version: int | None = None
    try:
        version = negotiate_version(request.headers.get("x-ops-server-api-version"))
        call = _make_call(state, request, body, version, org_layout)
        handler = _handler_for(handlers, call.method)
        reply = _run(state, handler, call)
        response = Response(
            reply.body() if call.method != "HEAD" else b"",
            status_code=reply.status,
            media_type=reply.content_type,
            headers=reply.headers,
        )
    except ApiError as error:
        response = _error_response(error)
    except RecursionError:
        # JSON nested deeper than Python's stack can be neither stored nor searched.
        nested = ApiError(400, "The request body is nested too deeply.")
        response = _error_response(nested)
    except Exception:
        log.exception("%s %s failed", request.method, request.url.path)
        response = _error_response(ApiError(500, "Internal server error."))

    response.headers["X-Ops-Server-API-Version"] = version_header(version)
    return response


def _handler_for(handlers: dict[str, Handler], method: str) -> Handler:
    handler = handlers.get(method)
    if handler is None and method == "HEAD":
        handler = handlers.get("GET")
    if handler is None:
        raise ApiError(405, f"Method {method} is not allowed here.")
    return handler


def _run(state: ServerState, handler: Handler, call: Call) -> Reply:
    if call.method in READ_METHODS:
        return handler(call)
    with state.store.transaction():
        return handler(call)


def _make_call(
    state: ServerState,
    request: Request,
    body: bytes,
    version: int,
    org_layout: bool,
) -> Call:
    org = request.path_params.get("org", state.org)
    if org != state.org:
        raise not_found(f"organization '{org}' does not exist.")

    # Signatures cover the path exactly as sent (before percent-decoding).
    raw_path = request.scope.get("raw_path") or request.url.path.encode()
    path = raw_path.decode("latin-1").split("?", 1)[0]
    actor = state.authenticator.authenticate(
        org=org,
        method=request.method,
        path=path,
        headers=request.headers,
        body=body,
    )

    root_url = f"{request.url.scheme}://{request.headers.get('host', 'localhost')}"
    base_url = f"{root_url}/organizations/{org}" if org_layout else root_url
    return Call(
        state=state,
        org=org,
        actor=actor,
        api_version=version,
        method=request.method,
        base_url=base_url,
        root_url=root_url,
        params=request.path_params,
        query=request.query_params,
        headers=request.headers,
        body=body,
    )


def _error_response(error: ApiError) -> Response:
    import json

    from starlette.responses import Response

    return Response(
        json.dumps(error.body).encode("utf-8"),
        status_code=error.status,
        media_type="application/json",
        headers=error.headers,
    )
