"""The command tree: every group is registered here, and nowhere else.

``add_lazy_group`` keeps a group's module unimported until the group runs (see
cli/lazy.py); ``app.add_typer`` registers an eagerly imported one.
"""

from __future__ import annotations

import typer

from kitchenctl.cli.app import app
from kitchenctl.cli.lazy import add_lazy_group

add_lazy_group(
    "config", "kitchenctl.cli.config", "Show or write the Chef credentials profile."
)
add_lazy_group("node", "kitchenctl.cli.node", "Manage nodes on the Chef server.")


def build_app() -> typer.Typer:
    """The root app with every command group added."""
    return app
