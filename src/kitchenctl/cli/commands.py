"""The command tree: every group is registered here, and nowhere else."""

from __future__ import annotations

import typer

from kitchenctl.cli import bootstrap
from kitchenctl.cli.app import app

app.command("bootstrap")(bootstrap.bootstrap)


def build_app() -> typer.Typer:
    """The root app with every command group added."""
    return app
