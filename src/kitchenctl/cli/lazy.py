"""Command groups whose modules are imported only when the group runs.

``kitchenctl --help`` lists every group but runs none, so importing each group's module
and building its typer commands would be wasted startup time. A lazy group is listed
with its one-line help from ``add_lazy_group``; its module is imported, and its typer
app turned into a click group, only when the user names it.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any

import typer
from typer.core import TyperCommand, TyperGroup


@dataclass(frozen=True)
class LazyGroup:
    """Where a command group lives: ``module`` holds a typer app named ``app``."""

    name: str
    module: str
    help: str
    single_command: bool = False


_LAZY_GROUPS: dict[str, LazyGroup] = {}


def add_lazy_group(
    name: str, module: str, help: str, *, single_command: bool = False
) -> None:
    """Register a group; ``help`` must match the first line of the group's own help.

    The module's ``app`` should be ``typer.Typer(..., add_completion=False)``, as the
    root has no completion commands either. With ``single_command`` the app's one
    command stands at the top level (``kitchenctl bootstrap``) instead of in a group.
    """
    _LAZY_GROUPS[name] = LazyGroup(name, module, help, single_command)


class RootGroup(TyperGroup):
    """The root command: eager typer groups as usual, lazy ones loaded on demand."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._listing = False
        for group in _LAZY_GROUPS.values():
            # A placeholder that only carries the help line for the command list.
            self.add_command(TyperCommand(group.name, help=group.help), group.name)

    def format_commands(self, ctx: Any, formatter: Any) -> None:
        self._listing = True
        try:
            super().format_commands(ctx, formatter)
        finally:
            self._listing = False

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        group = _LAZY_GROUPS.get(cmd_name)
        if group is None or self._listing:
            return super().get_command(ctx, cmd_name)
        typer_app = importlib.import_module(group.module).app
        # get_group keeps a group a group even while it has a single command.
        if group.single_command:
            command = typer.main.get_command(typer_app)
        else:
            command = typer.main.get_group(typer_app)
        command.name = group.name
        _inherit_markup(command, self.rich_markup_mode)
        self.commands[group.name] = command
        return command


def _inherit_markup(command: Any, mode: Any) -> None:
    """Render help as the root does, as ``add_typer`` would have arranged."""
    command.rich_markup_mode = mode
    for child in getattr(command, "commands", {}).values():
        _inherit_markup(child, mode)
