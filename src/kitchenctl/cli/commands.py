"""The command tree: every group and top-level command is registered here.

Each is listed in ``kitchenctl --help`` with the help line given here, and its module
is imported only when the user runs it (cli/lazy.py), so start-up stays fast.
tests/cli/test_startup.py checks that each line matches the module's own help.
"""

from __future__ import annotations

import typer

from kitchenctl.cli.app import app
from kitchenctl.cli.lazy import add_lazy_command, add_lazy_group, lazy_entries

# One line per group: kitchenctl.cli.<name> holds a typer app named ``app``.
GROUPS = (
    ("config", "Show or write the Chef credentials profile."),
    ("node", "Manage nodes on the Chef server."),
    ("cookbook", "Work with cookbooks."),
    ("generate", "Create cookbooks, repositories, Policyfiles and cookbook files."),
    ("server", "Run the embedded Chef Infra Server."),
    ("deps", "Resolve, lock, fetch and vendor cookbook dependencies."),
)

# One line per top-level command: kitchenctl.cli.<name> holds a function named <name>.
COMMANDS = (("bootstrap", "Install Chef Infra Client over SSH and register nodes."),)


def build_app() -> typer.Typer:
    """The root app with every command group and command registered."""
    if not lazy_entries():
        for name, help in GROUPS:
            add_lazy_group(name, help)
        for name, help in COMMANDS:
            add_lazy_command(name, help)
    return app
