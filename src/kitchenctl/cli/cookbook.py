"""``kitchenctl cookbook``: cookbooks on disk and on the server (knife's commands)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from kitchenctl.cli.connect import api_for
from kitchenctl.cli.state import get_state
from kitchenctl.errors import UsageError

if TYPE_CHECKING:
    from kitchenctl.server_cookbooks import ServerFile

app = typer.Typer(
    name="cookbook",
    help=(
        "Work with cookbooks.\n\n"
        "Compile metadata; upload, list, show, download and delete cookbooks."
    ),
    add_completion=False,
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


NameArgument = Annotated[str, typer.Argument(metavar="NAME", help="The cookbook.")]


@app.command("upload")
def upload(
    ctx: typer.Context,
    paths: Annotated[
        list[Path],
        typer.Argument(metavar="PATH", help="Cookbook folders to upload."),
    ],
    freeze: Annotated[
        bool, typer.Option("--freeze", help="Freeze the versions uploaded.")
    ] = False,
    force: Annotated[
        bool, typer.Option("--force", help="Overwrite frozen versions.")
    ] = False,
    concurrency: Annotated[
        int, typer.Option(min=1, max=64, help="Files uploaded at once.")
    ] = 10,
) -> None:
    """Upload cookbook folders, as knife does: not frozen unless --freeze.

    A version already frozen on the server stops the upload before any file is
    sent, unless --force; so does a dependency neither uploaded along nor on the
    server. Versions whose files are already on the server are not sent again.
    """
    from kitchenctl.cli.upload_report import (
        ProgressReporter,
        summary_json,
        summary_text,
    )
    from kitchenctl.cookbook_loader import load_cookbook
    from kitchenctl.uploader import UploadOptions, loaded_names, upload_cookbooks

    state = get_state(ctx)
    cookbooks = [load_cookbook(path) for path in paths]
    options = UploadOptions(
        freeze=freeze,
        force=force,
        halt_on_frozen=loaded_names(cookbooks),
        check_dependencies=True,
        concurrency=concurrency,
    )
    reporter = ProgressReporter(state.console)
    with api_for(state) as api:
        try:
            summary = upload_cookbooks(
                api, cookbooks, options=options, reporter=reporter
            )
        finally:
            reporter.close()
    state.console.result(summary_text(summary), summary_json(summary))


@app.command("list")
def list_command(
    ctx: typer.Context,
    all_versions: Annotated[
        bool, typer.Option("--all", "-a", help="Every version, not just the latest.")
    ] = False,
) -> None:
    """List the cookbooks on the server with their latest (or every) version."""
    from kitchenctl.server_cookbooks import list_cookbooks

    state = get_state(ctx)
    with api_for(state) as api:
        listed = list_cookbooks(api, all_versions=all_versions)
    state.console.result(_columns(listed), listed)


def _columns(listed: dict[str, list[str]]) -> str:
    """knife's layout: the name padded to the longest, then the versions."""
    if not listed:
        return ""
    width = max(len(name) for name in listed) + 3
    return "\n".join(
        f"{name:<{width}}{'  '.join(versions)}" for name, versions in listed.items()
    )


@app.command("show")
def show(
    ctx: typer.Context,
    name: NameArgument,
    version: Annotated[
        str | None,
        typer.Argument(help="A version, or _latest; without it, list the versions."),
    ] = None,
) -> None:
    """Show a cookbook's versions, or one version's files (--format json: all)."""
    from kitchenctl.server_cookbooks import (
        cookbook_versions,
        get_cookbook_version,
        server_files,
    )

    state = get_state(ctx)
    with api_for(state) as api:
        if version is None:
            versions = cookbook_versions(api, name)
            state.console.result(_columns({name: versions}), {name: versions})
            return
        body = get_cookbook_version(api, name, version)
    files = server_files(body)
    state.console.result(_version_text(body, files), body)


def _version_text(body: dict[str, Any], files: list[ServerFile]) -> str:
    metadata = body.get("metadata") or {}
    rows = [
        ("Cookbook", str(body.get("cookbook_name", ""))),
        ("Version", str(body.get("version", ""))),
        ("Frozen", "yes" if body.get("frozen?") else "no"),
        ("Description", str(metadata.get("description", ""))),
        ("Dependencies", _dependencies(metadata.get("dependencies") or {})),
        ("Files", str(len(files))),
    ]
    width = max(len(label) for label, _ in rows) + 2
    lines = [f"{label + ':':<{width}}{value}".rstrip() for label, value in rows]
    lines += [f"  {file.checksum}  {file.path}" for file in files]
    return "\n".join(lines)


def _dependencies(dependencies: dict[str, str]) -> str:
    return ", ".join(
        f"{name} ({constraint})" for name, constraint in dependencies.items()
    )


@app.command("download")
def download(
    ctx: typer.Context,
    name: NameArgument,
    version: Annotated[
        str, typer.Argument(help="The version (default: the latest).")
    ] = "_latest",
    directory: Annotated[
        Path, typer.Option("--dir", "-d", help="Where NAME-VERSION/ is written.")
    ] = Path(),
    force: Annotated[
        bool, typer.Option("--force", help="Replace an existing NAME-VERSION/.")
    ] = False,
) -> None:
    """Download a cookbook version into DIR/NAME-VERSION, byte for byte."""
    from kitchenctl.server_cookbooks import download_cookbook

    state = get_state(ctx)
    with api_for(state) as api:
        result = download_cookbook(
            api, name, version, destination=directory, force=force
        )
    state.console.result(
        f"Downloaded {result.name} ({result.version}) to {result.path}",
        {
            "name": result.name,
            "version": result.version,
            "path": str(result.path),
            "files": result.files,
            "bytes": result.bytes,
        },
    )


@app.command("delete")
def delete(
    ctx: typer.Context,
    name: NameArgument,
    version: Annotated[
        str | None, typer.Argument(help="The version to delete.")
    ] = None,
    all_versions: Annotated[
        bool, typer.Option("--all", "-a", help="Delete every version.")
    ] = False,
    purge: Annotated[
        bool, typer.Option("--purge", "-p", help="Also delete the files it uses.")
    ] = False,
) -> None:
    """Delete one version of a cookbook, or every version with --all."""
    from kitchenctl.server_cookbooks import (
        cookbook_versions,
        delete_cookbook_version,
    )

    if (version is None) == (not all_versions):
        raise UsageError(
            "cookbook delete needs a VERSION or --all, not both",
            hint=f"kitchenctl cookbook delete {name} 1.0.0, or --all",
        )
    state = get_state(ctx)
    with api_for(state) as api:
        if all_versions:
            versions = cookbook_versions(api, name)
            state.console.confirm(
                f"Do you really want to delete all versions of {name}?"
            )
        else:
            assert version is not None
            versions = [version]
            state.console.confirm(
                f"Do you really want to delete {name} version {version}?"
            )
        for each in versions:
            delete_cookbook_version(api, name, each, purge=purge)
    lines = [f"Deleted cookbook[{name}][{each}]" for each in versions]
    state.console.result("\n".join(lines), {"name": name, "deleted": versions})
