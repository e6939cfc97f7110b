"""``kitchenctl config show|init``: the Chef credentials profile kitchenctl uses."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from kitchenctl.cli.connect import settings_for
from kitchenctl.cli.state import get_state

if TYPE_CHECKING:
    from kitchenctl.config import Settings

app = typer.Typer(
    help="Show or write the Chef credentials profile.",
    no_args_is_help=True,
    add_completion=False,
)

_SECRET_WORDS = ("password", "secret", "token", "key")


@app.command("show")
def show(ctx: typer.Context) -> None:
    """Show the settings in use and where they come from (never key material)."""
    state = get_state(ctx)
    settings = settings_for(state)
    data = settings_summary(settings)
    state.console.result(_render(data), data)


def settings_summary(settings: Settings) -> dict[str, Any]:
    """The settings as JSON-able data: keys appear as their location, never content."""
    from kitchenctl.config import credentials_path

    return {
        "profile": settings.profile,
        "credentials_file": _text(settings.credentials_file)
        or f"{credentials_path()} (does not exist)",
        "chef_server_url": settings.server_url,
        "client_name": settings.client_name,
        "client_key": settings.client_key.describe() if settings.client_key else None,
        "validation_client_name": settings.validation_client_name,
        "validation_key": (
            settings.validation_key.describe() if settings.validation_key else None
        ),
        "signing_protocol": settings.signing_protocol,
        "ssl_verify": settings.ssl_verify,
        "knife": {key: _safe(key, value) for key, value in settings.knife.items()},
    }


_LABELS = {
    "profile": "Profile",
    "credentials_file": "Credentials file",
    "chef_server_url": "Chef server URL",
    "client_name": "Client name",
    "client_key": "Client key",
    "validation_client_name": "Validation client",
    "validation_key": "Validation key",
    "signing_protocol": "Signing protocol",
    "ssl_verify": "Verify TLS",
}


def _render(data: dict[str, Any]) -> str:
    rows = [(label, _shown(data[key])) for key, label in _LABELS.items()]
    rows += [
        (f"knife[{key}]", str(value)) for key, value in sorted(data["knife"].items())
    ]
    width = max(len(label) for label, _ in rows) + 2
    return "\n".join(f"{label + ':':<{width}}{value}" for label, value in rows)


def _shown(value: Any) -> str:
    if value is None:
        return "(not set)"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def _text(path: Path | None) -> str | None:
    return str(path) if path else None


def _safe(key: str, value: Any) -> Any:
    """knife settings may hold passwords or keys; show that they are set, not what."""
    looks_secret = any(word in key.lower() for word in _SECRET_WORDS)
    if looks_secret and isinstance(value, str) and not value.startswith(("/", "~")):
        return "(hidden)"
    if isinstance(value, str) and value.lstrip().startswith("-----BEGIN"):
        return "(hidden)"
    return value


@app.command("init")
def init(
    ctx: typer.Context,
    name: Annotated[
        str | None,
        typer.Argument(help="Profile to write (default: --profile, else 'default')."),
    ] = None,
    server_url: Annotated[
        str | None,
        typer.Option(
            "--chef-server-url",
            help="chef_server_url, with /organizations/ORG for Chef Infra Server.",
        ),
    ] = None,
    client_name: Annotated[
        str | None, typer.Option("--user", help="client_name to sign requests as.")
    ] = None,
    client_key: Annotated[
        str | None,
        typer.Option("--client-key", help="client_key path (relative to ~/.chef)."),
    ] = None,
    validation_client_name: Annotated[
        str | None, typer.Option(help="validation_client_name, if you use one.")
    ] = None,
    validation_key: Annotated[
        str | None, typer.Option(help="validation_key path, if you use one.")
    ] = None,
    signing_protocol: Annotated[
        str | None,
        typer.Option(help="Signing protocol: 1.0, 1.1 or 1.3 (the default)."),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Replace the profile if it exists.")
    ] = False,
) -> None:
    """Write a profile into the credentials file, keeping the others and comments.

    Values not given here come from the global --server-url, --client-name and --key.
    """
    from kitchenctl.config import (
        DEFAULT_PROFILE,
        add_profile,
        credentials_path_for_writing,
    )
    from kitchenctl.errors import UsageError
    from kitchenctl.signing import DEFAULT_PROTOCOL, PROTOCOLS

    state = get_state(ctx)
    profile = name or state.profile or DEFAULT_PROFILE
    signing_protocol = signing_protocol or DEFAULT_PROTOCOL
    values: dict[str, Any] = {
        "client_name": client_name or state.client_name,
        "client_key": client_key or (str(state.key) if state.key else None),
        "chef_server_url": server_url or state.server_url,
        "validation_client_name": validation_client_name,
        "validation_key": validation_key,
    }
    missing = [
        option
        for option, key in (
            ("--chef-server-url", "chef_server_url"),
            ("--user", "client_name"),
            ("--client-key", "client_key"),
        )
        if not values[key]
    ]
    if missing:
        raise UsageError(f"config init needs {', '.join(missing)}")
    if signing_protocol not in PROTOCOLS:
        raise UsageError(
            f"unknown signing protocol {signing_protocol!r}",
            hint=f"use one of {', '.join(PROTOCOLS)}",
        )
    if signing_protocol != DEFAULT_PROTOCOL:
        values["authentication_protocol_version"] = signing_protocol

    path = credentials_path_for_writing()
    add_profile(path, profile, values, force=force)
    state.console.result(
        f"Wrote profile '{profile}' to {path}", {"profile": profile, "path": str(path)}
    )
