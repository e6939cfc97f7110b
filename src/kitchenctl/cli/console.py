"""The one object that owns everything kitchenctl shows the user.

Commands never call ``print``: they hand results to the console, which renders them as
text or JSON, keeps quiet when asked, turns colour off when stdout is not a terminal or
``NO_COLOR`` is set, and is the single exit path for errors.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from functools import cached_property
from typing import TYPE_CHECKING, Any, NoReturn

from kitchenctl.errors import Aborted, KitchenctlError

if TYPE_CHECKING:
    from rich.console import Console as RichConsole
    from rich.progress import Progress
    from rich.table import Table

BUG_REPORT_HINT = (
    "This is a bug in kitchenctl. Please report it with the traceback above and the "
    "command you ran."
)


class OutputFormat(StrEnum):
    human = "human"
    json = "json"


def colour_wanted(no_color_flag: bool, stream: Any) -> bool:
    """Colour only for a terminal, and never when the user or NO_COLOR says no."""
    if no_color_flag or os.environ.get("NO_COLOR"):
        return False
    return bool(getattr(stream, "isatty", lambda: False)())


class Console:
    """Renders results and messages; ``format`` decides text or JSON on stdout."""

    def __init__(
        self,
        *,
        format: OutputFormat = OutputFormat.human,
        verbosity: int = 0,
        quiet: bool = False,
        no_color: bool = False,
        assume_yes: bool = False,
    ) -> None:
        self.format = format
        self.verbosity = verbosity
        self.quiet = quiet
        self.assume_yes = assume_yes
        self.no_color = no_color

    # rich is imported on first output, not at startup, so --help stays fast.

    @cached_property
    def out(self) -> RichConsole:
        return self._rich_console(sys.stdout)

    @cached_property
    def err(self) -> RichConsole:
        return self._rich_console(sys.stderr)

    def _rich_console(self, stream: Any) -> RichConsole:
        from rich.console import Console as RichConsole

        colour = colour_wanted(self.no_color, stream)
        return RichConsole(
            file=stream,
            no_color=not colour,
            color_system="auto" if colour else None,
            highlight=False,
            soft_wrap=True,
        )

    @property
    def wants_json(self) -> bool:
        return self.format is OutputFormat.json

    # Results: what the command produced. JSON mode prints only the JSON document.

    def result(self, human: str, data: Any) -> None:
        """Print a command's result: ``human`` as text, or ``data`` as JSON."""
        if self.wants_json:
            self.json(data)
        elif human:
            self.out.print(human, markup=False)

    def json(self, data: Any) -> None:
        import json

        self.out.print(
            json.dumps(data, indent=2, sort_keys=True), markup=False, soft_wrap=True
        )

    def table(self, table: Table) -> None:
        self.out.print(table)

    # Messages: progress and commentary, which go to stderr so stdout stays parseable.

    def info(self, message: str) -> None:
        """A line of progress in the wording Chef users know; hidden by --quiet."""
        if self.quiet:
            return
        if self.wants_json:
            self.err.print(message, markup=False)
        else:
            self.out.print(message, markup=False)

    def detail(self, message: str) -> None:
        """Shown only with --verbose."""
        if self.verbosity > 0 and not self.quiet:
            self.err.print(message, markup=False, style="dim")

    def warn(self, message: str) -> None:
        self.err.print(f"WARNING: {message}", markup=False, style="yellow")

    def error_line(self, message: str) -> None:
        self.err.print(f"ERROR: {message}", markup=False, style="bold red")

    # Questions.

    def confirm(self, question: str) -> None:
        """Ask a Y/N question as knife does; raise Aborted on no. --yes answers yes."""
        if self.assume_yes:
            return
        if not sys.stdin.isatty():
            raise Aborted(
                f"{question} needs an answer", hint="pass --yes to answer yes"
            )
        while True:
            answer = self.err.input(f"{question} (Y/N) ").strip().lower()
            if answer in ("y", "yes"):
                return
            if answer in ("n", "no"):
                raise Aborted("You said no, so I'm done here.")
            self.err.print("Just say Y or N, please.", markup=False)

    # Long work.

    @contextmanager
    def progress(self, description: str, total: int | None) -> Iterator[Progress]:
        """A rich progress bar on stderr; invisible when quiet or not a terminal."""
        progress = self.progress_display()
        with progress:
            progress.add_task(description, total=total)
            yield progress

    def progress_display(self) -> Progress:
        """Rich progress bars on stderr, without tasks; the caller adds them.

        Invisible when quiet or not a terminal; transient, so they vanish when done.
        """
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
        )

        return Progress(
            TextColumn("[progress.description]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=self.err,
            disable=self.quiet or not self.err.is_terminal,
            transient=True,
        )

    # The single exit path for errors.

    def fail(self, error: KitchenctlError) -> NoReturn:
        self.error_line(str(error))
        raise SystemExit(error.exit_code)

    def crash(self) -> NoReturn:
        """An unexpected error: show the traceback and ask for a report."""
        self.err.print_exception(show_locals=False)
        self.err.print(BUG_REPORT_HINT, markup=False)
        raise SystemExit(1)
