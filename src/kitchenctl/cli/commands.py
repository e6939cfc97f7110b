"""The command tree: every group is registered here, and nowhere else."""

from __future__ import annotations

import importlib

import typer

from kitchenctl.cli.app import app

# One line per group: the module kitchenctl.cli.<name> holds a typer app named ``app``.
GROUPS = (
    "config",
    "node",
    "cookbook",
    "generate",
)


def build_app() -> typer.Typer:
    """The root app with every command group added."""
    if not app.registered_groups:
        for name in GROUPS:
            module = importlib.import_module(f"kitchenctl.cli.{name}")
            app.add_typer(module.app, name=name)
    return app
