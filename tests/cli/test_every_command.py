"""Every command and group in the real command tree answers ``--help`` cleanly.

The tree is walked from ``build_app`` with each lazy entry loaded the way the root
loads it when a user names it, so a command added later is covered without editing
this file.
"""

from __future__ import annotations

from typing import Any

import pytest
import typer

from kitchenctl.cli.commands import build_app
from kitchenctl.cli.lazy import lazy_entries, load
from tests.cli.helpers import run_cli

# typer ships its own copy of click, so groups are told apart by their subcommands.


def _is_group(command: Any) -> bool:
    return isinstance(getattr(command, "commands", None), dict)


def _walk(command: Any, path: tuple[str, ...]) -> list[tuple[str, ...]]:
    found = [path]
    if _is_group(command):
        for name, sub in sorted(command.commands.items()):
            found += _walk(sub, (*path, name))
    return found


def _command_tree() -> dict[tuple[str, ...], Any]:
    """Every command path (without 'kitchenctl') and its click command."""
    root: Any = typer.main.get_command(build_app())
    assert _is_group(root)
    lazy = {entry.name: load(entry) for entry in lazy_entries()}
    tree: dict[tuple[str, ...], Any] = {(): root}
    for name in sorted(root.commands):
        command = lazy.get(name, root.commands[name])
        for path in _walk(command, (name,)):
            tree[path] = _resolve(command, path[1:])
    return tree


def _resolve(command: Any, rest: tuple[str, ...]) -> Any:
    for name in rest:
        assert _is_group(command)
        command = command.commands[name]
    return command


TREE = _command_tree()
LEAVES = [path for path, command in TREE.items() if not _is_group(command)]


def _id(path: tuple[str, ...]) -> str:
    return " ".join(path) or "(root)"


def test_the_tree_holds_every_documented_command() -> None:
    top = {path[0] for path in TREE if path}

    assert {"config", "node", "cookbook", "generate", "deps", "server"} <= top
    assert {"bootstrap", "version"} <= top
    assert len(LEAVES) > 20


@pytest.mark.parametrize("path", list(TREE), ids=_id)
def test_help_works(path: tuple[str, ...]) -> None:
    result = run_cli(*path, "--help")

    assert result.exit_code == 0, result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert result.stderr == ""
    assert result.stdout.lstrip().startswith(f"Usage: kitchenctl {' '.join(path)}")


@pytest.mark.parametrize("path", LEAVES, ids=_id)
def test_every_command_says_what_it_does(path: tuple[str, ...]) -> None:
    command = TREE[path]
    text = (command.help or command.short_help or "").strip()

    assert text, f"kitchenctl {_id(path)} has no help text"
    assert text.splitlines()[0].endswith((".", ")")), text.splitlines()[0]
