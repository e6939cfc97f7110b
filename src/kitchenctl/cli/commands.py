"""The command tree: every group is registered here, and nowhere else."""

from __future__ import annotations

import typer

from kitchenctl.cli import config, cookbook_server, node
from kitchenctl.cli.app import app

app.add_typer(config.app, name="config")
app.add_typer(node.app, name="node")
app.add_typer(cookbook_server.app, name="cookbook")


def build_app() -> typer.Typer:
    """The root app with every command group added."""
    return app
