"""The command tree: every group and top-level command is registered here."""

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
    "deps",
)

# One line per top-level command: kitchenctl.cli.<name> holds a function named <name>.
COMMANDS = ("bootstrap",)


def build_app() -> typer.Typer:
    """The root app with every command group added."""
    if not app.registered_groups:
        for name in GROUPS:
            module = importlib.import_module(f"kitchenctl.cli.{name}")
            app.add_typer(module.app, name=name)
        for name in COMMANDS:
            module = importlib.import_module(f"kitchenctl.cli.{name}")
            app.command(name)(getattr(module, name))
    return app
