"""What the global options say, handed to every command through the typer context."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import typer

from kitchenctl.cli.console import Console


@dataclass
class State:
    """Global options as given on the command line; unset ones are ``None``."""

    console: Console
    profile: str | None = None
    server_url: str | None = None
    client_name: str | None = None
    key: Path | None = None
    extra: dict[str, object] = field(default_factory=dict)


def get_state(ctx: typer.Context) -> State:
    """The State the root callback stored; commands call this first."""
    state = ctx.find_root().obj
    if not isinstance(state, State):
        raise RuntimeError("kitchenctl's root callback did not run")
    return state
