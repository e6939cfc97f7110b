"""``kitchenctl cookbook``: cookbooks on disk (knife's ``cookbook`` commands)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from kitchenctl.cli.state import get_state

app = typer.Typer(
    name="cookbook",
    help="Work with cookbooks: compile metadata.",
    no_args_is_help=True,
)


@app.command("metadata")
def metadata_command(
    ctx: typer.Context,
    path: Annotated[
        Path, typer.Argument(help="The cookbook folder (or its metadata.rb).")
    ] = Path(),
    write: Annotated[
        bool, typer.Option("--write", "-w", help="Write metadata.json next to it.")
    ] = False,
) -> None:
    """Print the compiled metadata of a cookbook, or write its metadata.json.

    metadata.rb is evaluated without Ruby (docs/ruby-subset.md); a cookbook with only
    metadata.json is read from it.
    """
    from kitchenctl.metadata import compile_cookbook_metadata

    state = get_state(ctx)
    compiled = compile_cookbook_metadata(path, write=write)
    for ignored in compiled.metadata.ignored_calls:
        state.console.warn(f"{ignored} is not a metadata.rb method; Chef ignores it")

    document = compiled.metadata.to_json_dict()
    if compiled.written is None:
        state.console.result(compiled.metadata.to_json().rstrip("\n"), document)
        return
    state.console.result(
        f"Generated {compiled.written} for {compiled.metadata.name} "
        f"({compiled.metadata.version})",
        {"cookbook": compiled.metadata.name, "written": str(compiled.written)},
    )
