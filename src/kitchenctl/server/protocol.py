"""Wire-level pieces shared by every endpoint: errors, replies, API versions."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from kitchenctl.server import MAX_API_VERSION, MIN_API_VERSION


class ApiError(Exception):
    """A failure answer: ``{"error": [message]}``, or ``body`` when given."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        body: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.body = body if body is not None else {"error": [message]}
        self.headers = headers or {}


def bad_request(message: str) -> ApiError:
    return ApiError(400, message)


def not_found(message: str) -> ApiError:
    return ApiError(404, message)


def conflict(message: str) -> ApiError:
    return ApiError(409, message)


@dataclass(frozen=True)
class Reply:
    """A successful answer: JSON data, or raw bytes when ``raw`` is set."""

    status: int = 200
    data: Any = None
    raw: bytes | None = None
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)

    def body(self) -> bytes:
        if self.raw is not None:
            return self.raw
        return json.dumps(self.data, separators=(",", ":")).encode("utf-8")


def negotiate_version(header: str | None) -> int:
    """The request's server API version; a missing header means 0, as on erchef.

    Raises ApiError 406 with erchef's body for anything outside 0..2.
    """
    if header is None or header.strip() == "":
        return MIN_API_VERSION
    try:
        version = int(header.strip())
    except ValueError:
        version = -1
    if not MIN_API_VERSION <= version <= MAX_API_VERSION:
        raise ApiError(
            406,
            f"Specified version {header.strip()} not supported",
            body={
                "error": "invalid-x-ops-server-api-version",
                "message": f"Specified version {header.strip()} not supported",
                "min_version": MIN_API_VERSION,
                "max_version": MAX_API_VERSION,
            },
        )
    return version


def version_header(version: int | None) -> str:
    """The ``X-Ops-Server-API-Version`` response header, in Chef's JSON form."""
    shown = str(MAX_API_VERSION if version is None else version)
    return json.dumps(
        {
            "min_version": str(MIN_API_VERSION),
            "max_version": str(MAX_API_VERSION),
            "request_version": shown if version is not None else "-1",
            "response_version": shown,
        },
        separators=(",", ":"),
    )


def parse_json_body(raw: bytes) -> Any:
    """The request body as JSON; 400 with the parser's message when it is not."""
    if not raw.strip():
        raise bad_request("The request body is empty; a JSON document was expected.")
    try:
        return json.loads(raw)
    except (ValueError, RecursionError) as exc:
        raise bad_request(f"The request body is not valid JSON: {exc}") from exc
