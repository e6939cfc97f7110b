"""Command groups and commands whose modules are imported only when they run.

``kitchenctl --help`` lists every group but runs none, so importing each module and
building its typer commands would be wasted start-up time. A lazy entry is listed
with the help line it was registered with; its module ``kitchenctl.cli.<name>`` is
imported, and turned into click commands exactly as ``add_typer`` / ``command`` would
have done, only when the user names it.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any

import typer
from typer.core import TyperCommand, TyperGroup


@dataclass(frozen=True)
class LazyEntry:
    """``kitchenctl.cli.<name>`` holds a typer app ``app`` (a group) or a function
    ``<name>`` (a top-level command); ``help`` is the first line of its own help."""

    name: str
    help: str
    is_group: bool


_LAZY: dict[str, LazyEntry] = {}


def add_lazy_group(name: str, help: str) -> None:
    _LAZY[name] = LazyEntry(name, help, is_group=True)


def add_lazy_command(name: str, help: str) -> None:
    _LAZY[name] = LazyEntry(name, help, is_group=False)


def lazy_entries() -> tuple[LazyEntry, ...]:
    return tuple(_LAZY.values())


def load(entry: LazyEntry) -> Any:
    """Import the entry's module and build its click command, as the root would."""
    module = importlib.import_module(f"kitchenctl.cli.{entry.name}")

    # A stand-in root with the real root's settings, so help renders the same way.
    holder = typer.Typer(add_completion=False, rich_markup_mode=None)
    holder.callback()(_no_options)
    if entry.is_group:
        holder.add_typer(module.app, name=entry.name)
    else:
        holder.command(entry.name)(getattr(module, entry.name))
    # A Typer with a callback always builds a group, which has .commands.
    return typer.main.get_command(holder).commands[entry.name]  # type: ignore[attr-defined]


def _no_options() -> None:
    """The stand-in root's callback; it never runs."""


class RootGroup(TyperGroup):
    """The root command: lazy entries are placeholders until one is invoked."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._listing = False
        for entry in _LAZY.values():
            # A placeholder that only carries the help line for the command list.
            self.add_command(TyperCommand(entry.name, help=entry.help), entry.name)

    def format_commands(self, ctx: Any, formatter: Any) -> None:
        self._listing = True
        try:
            super().format_commands(ctx, formatter)
        finally:
            self._listing = False

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        entry = _LAZY.get(cmd_name)
        if entry is None or self._listing:
            return super().get_command(ctx, cmd_name)
        command = load(entry)
        self.commands[cmd_name] = command
        return command
