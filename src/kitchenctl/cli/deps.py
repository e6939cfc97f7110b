"""``kitchenctl deps``: Berkshelf's commands (install, update, vendor...)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from kitchenctl.cli.state import State, get_state

if TYPE_CHECKING:
    from rich.progress import Progress

    from kitchenctl.cookbook_store import CookbookStore
    from kitchenctl.deps import InstalledCookbook, InstallResult, Project
    from kitchenctl.errors import KitchenctlError

app = typer.Typer(
    name="deps",
    help=(
        "Resolve, lock, fetch and vendor cookbook dependencies.\n\n"
        "What berks does, reading the same Berksfile and Berksfile.lock."
    ),
    no_args_is_help=True,
)

BerksfileOption = Annotated[
    Path,
    typer.Option("--berksfile", "-b", help="The Berksfile (default: ./Berksfile)."),
]
OnlyOption = Annotated[
    list[str] | None,
    typer.Option("--only", "-o", help="Only dependencies in this group; repeatable."),
]
ExceptOption = Annotated[
    list[str] | None,
    typer.Option("--except", "-e", help="Skip dependencies in this group; repeatable."),
]


def _project(
    berksfile: Path, only: list[str] | None, skip: list[str] | None
) -> Project:
    from kitchenctl.deps import load_project

    project = load_project(berksfile.absolute(), default_source=_default_source())
    return project.only(only or (), skip or ())


def _default_source() -> str | None:
    """knife's ``supermarket_site`` from the active profile, if any."""
    from kitchenctl.config import load_settings
    from kitchenctl.errors import ConfigError

    try:
        settings = load_settings()
    except ConfigError:
        return None
    site = settings.knife.get("supermarket_site") or settings.extra.get(
        "supermarket_site"
    )
    return str(site) if site else None


def _store() -> CookbookStore:
    from kitchenctl.cookbook_store import CookbookStore

    return CookbookStore.default()


class _ConsoleReporter:
    """Berkshelf's console lines, and a progress bar over the downloads."""

    def __init__(self, state: State, progress: Progress | None = None) -> None:
        self.console = state.console
        self.progress = progress

    def resolving(self) -> None:
        self.console.info("Resolving cookbook dependencies...")

    def fetching_location(self, name: str, where: str) -> None:
        self.console.info(f"Fetching '{name}' from {where}")

    def fetching_universe(self, url: str) -> None:
        self.console.info(f"Fetching cookbook index from {url}...")

    def universe_failed(self, url: str, error: KitchenctlError) -> None:
        self.console.warn(
            f"Error retrieving universe from source: {url}\n"
            f"  * [{type(error).__name__}] {error.message}"
        )

    def downloads_started(self, total: int) -> None:
        if self.progress is not None and self.progress.tasks:
            self.progress.update(self.progress.tasks[0].id, total=max(total, 1))

    def installed(self, cookbook: InstalledCookbook) -> None:
        self.console.info(cookbook.line)
        counted = cookbook.action == "Installing" and self.progress is not None
        if counted and self.progress is not None and self.progress.tasks:
            self.progress.advance(self.progress.tasks[0].id)


@contextmanager
def _reporting(state: State) -> Iterator[_ConsoleReporter]:
    with state.console.progress("Downloading cookbooks", None) as progress:
        yield _ConsoleReporter(state, progress)


def _result_data(result: InstallResult) -> dict[str, Any]:
    return {
        "resolved": result.resolved,
        "cookbooks": [
            {
                "name": c.name,
                "version": str(c.version),
                "path": str(c.path),
                "action": c.action.lower(),
                "from": c.origin or None,
            }
            for c in result.cookbooks
        ],
        "changes": [
            {"name": name, "old": old, "new": new} for name, old, new in result.changes
        ],
    }


@app.command("install")
def install_command(
    ctx: typer.Context,
    berksfile: BerksfileOption = Path("Berksfile"),
    only: OnlyOption = None,
    skip: ExceptOption = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Resolve and print the plan only.")
    ] = False,
) -> None:
    """Resolve the Berksfile (or metadata.rb), download, and write Berksfile.lock."""
    from kitchenctl.deps import install

    state = get_state(ctx)
    project = _project(berksfile, only, skip)
    with _reporting(state) as reporter:
        result = install(project, _store(), dry_run=dry_run, reporter=reporter)
    human = "Dry run: nothing downloaded, no lockfile written." if dry_run else ""
    state.console.result(human, _result_data(result))


@app.command("update")
def update_command(
    ctx: typer.Context,
    names: Annotated[
        list[str] | None, typer.Argument(help="Cookbooks to update (default: all).")
    ] = None,
    berksfile: BerksfileOption = Path("Berksfile"),
    only: OnlyOption = None,
    skip: ExceptOption = None,
) -> None:
    """Move NAME (and only what must move with it) to the newest allowed version."""
    from kitchenctl.deps import update

    state = get_state(ctx)
    project = _project(berksfile, only, skip)
    with _reporting(state) as reporter:
        result = update(project, _store(), names or [], reporter=reporter)
    lines = [
        f"  * {n} ({old or 'new'} => {new or 'removed'})"
        for n, old, new in result.changes
    ]
    human = "\n".join(["Updated:", *lines]) if lines else "Nothing changed."
    state.console.result(human, _result_data(result))


@app.command("outdated")
def outdated_command(
    ctx: typer.Context,
    berksfile: BerksfileOption = Path("Berksfile"),
    only: OnlyOption = None,
    skip: ExceptOption = None,
    all_versions: Annotated[
        bool,
        typer.Option("--all", "-a", help="Any newer version, not only allowed ones."),
    ] = False,
) -> None:
    """List Berksfile cookbooks with newer versions than the lockfile has."""
    from kitchenctl.deps import outdated
    from kitchenctl.sources import DEFAULT_SUPERMARKET

    state = get_state(ctx)
    found = outdated(
        _project(berksfile, only, skip), _store(), all_versions=all_versions
    )
    lines = ["The following cookbooks have newer versions:"] if found else []
    for item in found:
        suffix = (
            "" if item.source.startswith(DEFAULT_SUPERMARKET) else f" [{item.source}]"
        )
        lines.append(f"  * {item.name} ({item.locked} => {item.newest}){suffix}")
    human = "\n".join(lines) if found else "All cookbooks up to date!"
    data = [
        {
            "name": i.name,
            "locked": str(i.locked),
            "newest": str(i.newest),
            "source": i.source,
        }
        for i in found
    ]
    state.console.result(human, data)


@app.command("list")
def list_command(
    ctx: typer.Context,
    berksfile: BerksfileOption = Path("Berksfile"),
    only: OnlyOption = None,
    skip: ExceptOption = None,
) -> None:
    """List the cookbooks in the lockfile."""
    from kitchenctl.deps import locked_state

    state = get_state(ctx)
    locked = locked_state(_project(berksfile, only, skip), _store())
    lines = ["Cookbooks installed by your Berksfile:"]
    lines += [f"  * {e.name} ({e.version})" for e in locked.lockfile.graph]
    data = [
        {"name": e.name, "version": str(e.version), "path": str(locked.paths[e.name])}
        for e in locked.lockfile.graph
    ]
    state.console.result("\n".join(lines), data)


@app.command("show")
def show_command(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="A cookbook in the lockfile.")],
    berksfile: BerksfileOption = Path("Berksfile"),
) -> None:
    """Print where a locked cookbook is in the cookbook store."""
    state = get_state(ctx)
    path = _locked_path(name, berksfile)
    state.console.result(str(path), {"name": name, "path": str(path)})


@app.command("info")
def info_command(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="A cookbook in the lockfile.")],
    berksfile: BerksfileOption = Path("Berksfile"),
) -> None:
    """Print a locked cookbook's metadata."""
    from kitchenctl.metadata import load_metadata

    state = get_state(ctx)
    metadata = load_metadata(_locked_path(name, berksfile))
    lines = [
        f"        Name: {metadata.name}",
        f"     Version: {metadata.version}",
        f" Description: {metadata.description}",
        f"      Author: {metadata.maintainer}",
        f"       Email: {metadata.maintainer_email}",
        f"     License: {metadata.license}",
    ]
    if metadata.dependencies:
        deps_text = ", ".join(f"{n} ({c})" for n, c in metadata.dependencies.items())
        lines.append(f"Dependencies: {deps_text}")
    state.console.result("\n".join(lines), metadata.to_json_dict())


def _locked_path(name: str, berksfile: Path) -> Path:
    from kitchenctl.deps import locked_state
    from kitchenctl.errors import InputFileError

    locked = locked_state(_project(berksfile, None, None), _store())
    if name not in locked.paths:
        raise InputFileError(
            f"Dependency '{name}' was not found. Please make sure it is in your "
            "Berksfile, and then run `kitchenctl deps install` to download and install "
            "the missing dependencies."
        )
    return locked.paths[name]


@app.command("tree")
def tree_command(
    ctx: typer.Context,
    berksfile: BerksfileOption = Path("Berksfile"),
) -> None:
    """Show why each cookbook is in the graph, and through whom."""
    from kitchenctl.deps import locked_state, tree

    state = get_state(ctx)
    locked = locked_state(_project(berksfile, None, None), _store())
    lines = tree(locked.lockfile)
    human = "\n".join(f"{'  ' * depth}{e.name} ({e.version})" for depth, e in lines)
    data = [{"depth": d, "name": e.name, "version": str(e.version)} for d, e in lines]
    state.console.result(human, data)


@app.command("vendor")
def vendor_command(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(help="Where to vendor.")] = Path(
        "berks-cookbooks"
    ),
    berksfile: BerksfileOption = Path("Berksfile"),
    only: OnlyOption = None,
    skip: ExceptOption = None,
    delete: Annotated[bool, typer.Option("--delete", help="Empty PATH first.")] = False,
) -> None:
    """Install, then copy every locked cookbook to PATH/NAME."""
    from kitchenctl.deps import install, locked_state, vendor

    state = get_state(ctx)
    project = _project(berksfile, only, skip)
    store = _store()
    with _reporting(state) as reporter:
        install(project, store, reporter=reporter)
    done = vendor(locked_state(project, store), path.absolute(), delete=delete)
    for entry, target in done:
        state.console.info(f"Vendoring {entry.name} ({entry.version}) to {target}")
    state.console.result(
        "",
        [{"name": e.name, "version": str(e.version), "path": str(t)} for e, t in done],
    )


@app.command("package")
def package_command(
    ctx: typer.Context,
    path: Annotated[
        Path | None,
        typer.Argument(help="The archive (default: cookbooks-EPOCH.tar.gz)."),
    ] = None,
    berksfile: BerksfileOption = Path("Berksfile"),
    only: OnlyOption = None,
    skip: ExceptOption = None,
) -> None:
    """Vendor every locked cookbook into a cookbooks/ folder in a tar.gz."""
    from kitchenctl.deps import default_package_path, install, locked_state, package

    state = get_state(ctx)
    project = _project(berksfile, only, skip)
    store = _store()
    with _reporting(state) as reporter:
        install(project, store, reporter=reporter)
    archive = package(
        locked_state(project, store), (path or default_package_path(Path())).absolute()
    )
    state.console.result(
        f"Cookbook(s) packaged to {archive}", {"archive": str(archive)}
    )


@app.command("verify")
def verify_command(
    ctx: typer.Context,
    berksfile: BerksfileOption = Path("Berksfile"),
) -> None:
    """Check every locked, installed cookbook: metadata and file names."""
    from kitchenctl.deps import locked_state, verify

    state = get_state(ctx)
    locked = locked_state(_project(berksfile, None, None), _store())
    state.console.info(f"Verifying ({len(locked.lockfile.graph)}) cookbook(s)...")
    count = verify(locked)
    state.console.result("Verified.", {"verified": count})


@app.command("apply")
def apply_command(
    ctx: typer.Context,
    environment: Annotated[str, typer.Argument(help="The environment's name.")],
    envfile: Annotated[
        Path | None,
        typer.Option("--envfile", "-f", help="Edit a local environment JSON file."),
    ] = None,
    berksfile: BerksfileOption = Path("Berksfile"),
) -> None:
    """Pin every locked cookbook (= x.y.z) in an environment's cookbook_versions.

    The environment is changed on the Chef server, or in a local environment JSON
    file with --envfile."""
    from kitchenctl.deps import apply_to_envfile, apply_to_server
    from kitchenctl.errors import LockfileError
    from kitchenctl.lockfile import lockfile_path, read_lockfile

    state = get_state(ctx)
    lock = read_lockfile(lockfile_path(berksfile.absolute()))
    if lock is None:
        raise LockfileError(
            f"Lockfile not found! {lockfile_path(berksfile.absolute())} does not exist",
            hint="run `kitchenctl deps install` to create the lockfile",
        )
    if envfile is not None:
        versions = apply_to_envfile(lock, envfile)
        where = str(envfile)
    else:
        from kitchenctl.cli.connect import api_for

        with api_for(state) as api:
            versions = apply_to_server(lock, api, environment)
            where = api.url
    state.console.result(
        f"Set {len(versions)} cookbook version(s) in {environment} ({where})",
        {"environment": environment, "cookbook_versions": versions},
    )


@app.command("upload")
def upload_command(
    ctx: typer.Context,
    names: Annotated[
        list[str] | None,
        typer.Argument(metavar="NAME", help="Only these cookbooks (no deps)."),
    ] = None,
    berksfile: BerksfileOption = Path("Berksfile"),
    only: OnlyOption = None,
    skip: ExceptOption = None,
    no_freeze: Annotated[
        bool, typer.Option("--no-freeze", help="Do not freeze the versions uploaded.")
    ] = False,
    force: Annotated[
        bool, typer.Option("--force", help="Overwrite frozen versions.")
    ] = False,
    halt_on_frozen: Annotated[
        bool,
        typer.Option(
            "--halt-on-frozen",
            help="Stop if a named (or Berksfile) cookbook is frozen on the server.",
        ),
    ] = False,
    concurrency: Annotated[
        int, typer.Option(min=1, max=64, help="Requests sent at once.")
    ] = 10,
) -> None:
    """Upload every locked cookbook, dependencies first, or only NAMEs; frozen.

    A version frozen on the server is skipped (read before any file is sent); with
    --halt-on-frozen a frozen named or Berksfile cookbook stops the upload instead.
    """
    from kitchenctl.cli.connect import api_for
    from kitchenctl.cli.upload_report import (
        ProgressReporter,
        summary_json,
        summary_text,
    )
    from kitchenctl.cookbook_loader import load_cookbook
    from kitchenctl.deps import locked_state
    from kitchenctl.deps_upload import upload_locked

    state = get_state(ctx)
    project = _project(berksfile, only, skip)
    locked = locked_state(project, _store())
    # --only/--except narrow the Berksfile dependencies the upload starts from.
    roots = [r.name for r in project.requirements] if only or skip else None
    reporter = ProgressReporter(state.console)
    with api_for(state) as api:
        try:
            summary = upload_locked(
                api,
                locked.lockfile,
                lambda entry: load_cookbook(locked.paths[entry.name]),
                names=names or (),
                roots=roots,
                freeze=not no_freeze,
                force=force,
                halt_on_frozen=halt_on_frozen,
                concurrency=concurrency,
                reporter=reporter,
            )
        finally:
            reporter.close()
    state.console.result(summary_text(summary), summary_json(summary))
