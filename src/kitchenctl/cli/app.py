"""The root command: global options, logging, and the command groups."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from kitchenctl.cli.console import Console, OutputFormat
from kitchenctl.cli.lazy import RootGroup
from kitchenctl.cli.state import State, get_state
from kitchenctl.cli.version import version_data, version_text

app = typer.Typer(
    name="kitchenctl",
    cls=RootGroup,
    help="A fast workstation CLI for Chef Infra: knife, berks and chef generate.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _print_version(value: bool) -> None:
    if value:
        typer.echo(version_text())
        raise typer.Exit()


def _configure_logging(verbosity: int) -> None:
    """-v shows INFO, -vv DEBUG; only the CLI configures handlers."""
    if verbosity <= 0:
        return
    import logging

    level = logging.INFO if verbosity == 1 else logging.DEBUG
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger("kitchenctl")
    # One handler per run, also when the CLI runs several times in one process.
    for previous in [h for h in root.handlers if getattr(h, "kitchenctl_cli", False)]:
        root.removeHandler(previous)
    handler.kitchenctl_cli = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(level)


@app.callback()
def root(
    ctx: typer.Context,
    profile: Annotated[
        str | None, typer.Option(help="Credentials profile to use.")
    ] = None,
    server_url: Annotated[
        str | None, typer.Option(help="Chef server URL, overriding the profile.")
    ] = None,
    client_name: Annotated[
        str | None, typer.Option(help="Client or user name to sign requests as.")
    ] = None,
    key: Annotated[
        Path | None, typer.Option(help="Private key to sign requests with.")
    ] = None,
    output_format: Annotated[
        OutputFormat, typer.Option("--format", "-F", help="Output format.")
    ] = OutputFormat.human,
    verbose: Annotated[
        int, typer.Option("--verbose", "-v", count=True, help="More detail; repeat.")
    ] = 0,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="Only results and errors.")
    ] = False,
    no_color: Annotated[
        bool, typer.Option("--no-color", help="No colour (NO_COLOR works too).")
    ] = False,
    yes: Annotated[
        bool, typer.Option("--yes", "-y", help="Answer yes to every question.")
    ] = False,
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            callback=_print_version,
            is_eager=True,
            help="Show the version and exit.",
        ),
    ] = False,
) -> None:
    console = Console(
        format=output_format,
        verbosity=verbose,
        quiet=quiet,
        no_color=no_color,
        assume_yes=yes,
    )
    _configure_logging(verbose)
    ctx.obj = State(
        console=console,
        profile=profile,
        server_url=server_url,
        client_name=client_name,
        key=key,
    )


@app.command("version")
def version_command(ctx: typer.Context) -> None:
    """Show kitchenctl's version and the Chef API features it speaks."""
    get_state(ctx).console.result(version_text(), version_data())
