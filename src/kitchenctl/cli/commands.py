"""The command tree: every group and top-level command is registered here.

``add_lazy_group`` keeps a group's module unimported until the group runs (see
cli/lazy.py), so ``kitchenctl --help`` stays fast however many groups there are.
"""

from __future__ import annotations

import typer

from kitchenctl.cli.app import app
from kitchenctl.cli.lazy import add_lazy_group

add_lazy_group(
    "config", "kitchenctl.cli.config", "Show or write the Chef credentials profile."
)
add_lazy_group("node", "kitchenctl.cli.node", "Manage nodes on the Chef server.")
add_lazy_group("cookbook", "kitchenctl.cli.cookbook", "Work with cookbooks.")
add_lazy_group(
    "generate",
    "kitchenctl.cli.generate",
    "Create cookbooks, repositories, Policyfiles and cookbook files.",
)
add_lazy_group(
    "bootstrap",
    "kitchenctl.cli.bootstrap",
    "Install Chef Infra Client over SSH and register nodes.",
    single_command=True,
)
add_lazy_group("server", "kitchenctl.cli.server", "Run the embedded Chef Infra Server.")


def build_app() -> typer.Typer:
    """The root app with every command group added."""
    return app
