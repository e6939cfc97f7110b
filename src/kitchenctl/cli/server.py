"""``kitchenctl server start|stop|status``: the embedded Chef server on this machine."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from kitchenctl.cli.console import Console
from kitchenctl.cli.state import get_state
from kitchenctl.server import DEFAULT_PORT

app = typer.Typer(
    help=(
        "Run the embedded Chef Infra Server.\n\n"
        "The default for one machine, like chef-zero: the whole workflow runs on it."
    ),
    no_args_is_help=True,
    add_completion=False,
)

DataOption = Annotated[
    Path | None,
    typer.Option(
        "--data",
        help="Data folder [default: $XDG_DATA_HOME/kitchenctl/server].",
        file_okay=False,
    ),
]

_COUNT_LABELS = {
    "node": "nodes",
    "role": "roles",
    "environment": "environments",
    "client": "clients",
    "user": "users",
    "data_bag": "data bags",
    "data_bag_item": "data bag items",
    "cookbook_version": "cookbook versions",
    "sandbox": "sandboxes",
    "file": "files",
}


def _data_dir(data: Path | None) -> Path:
    from kitchenctl.server.runner import default_data_dir

    return (data or default_data_dir()).expanduser().absolute()


@app.command("start")
def start(
    ctx: typer.Context,
    host: Annotated[
        str, typer.Option(help="Address to listen on (loopback unless allowed).")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = DEFAULT_PORT,
    data: DataOption = None,
    background: Annotated[
        bool, typer.Option("--background", "-b", help="Run detached and return.")
    ] = False,
    allow_remote: Annotated[
        bool,
        typer.Option(
            "--allow-remote",
            help="Allow a non-loopback --host: other machines can connect.",
        ),
    ] = False,
) -> None:
    """Start the server; the first start creates its admin, validator and keys."""
    from kitchenctl.server.runner import check_bind_address, is_loopback

    state = get_state(ctx)
    check_bind_address(host, allow_remote=allow_remote)
    if not is_loopback(host):
        state.console.warn(
            f"listening on {host}: any machine that reaches it can try to connect "
            "(requests are still signed, but traffic is plain HTTP)"
        )
    folder = _data_dir(data)
    if background:
        _start_background(state.console, folder, host, port)
    else:
        _serve(state.console, folder, host, port)


def _start_background(console: Console, folder: Path, host: str, port: int) -> None:
    from kitchenctl.server.provision import key_paths
    from kitchenctl.server.runner import identities, start_background

    first_start = not key_paths(folder)[0].exists()
    status = start_background(folder, host=host, port=port)
    assert status.url is not None
    summary = _started(console, identities(folder), status.url, first_start)
    summary |= {"pid": status.pid, "log_file": str(status.log_file)}
    console.result(_render_started(summary), summary)


def _serve(console: Console, folder: Path, host: str, port: int) -> None:
    from kitchenctl.server.provision import Identities
    from kitchenctl.server.runner import ServerPaths, configure_logging, serve

    paths = ServerPaths(folder)
    configure_logging(paths)

    def ready(actors: Identities, url: str) -> None:
        summary = _started(console, actors, url, actors.created)
        summary |= {"pid": None, "log_file": str(paths.log)}
        console.result(_render_started(summary), summary)
        console.info("Serving in the foreground; press Ctrl-C to stop.")

    serve(folder, host=host, port=port, on_ready=ready)


def _started(
    console: Console, actors: Any, url: str, first_start: bool
) -> dict[str, Any]:
    """Register the ``local`` profile; the start summary as JSON-able data."""
    from kitchenctl.config import credentials_path_for_writing
    from kitchenctl.server.profile import (
        LOCAL_PROFILE,
        ProfileOutcome,
        register_local_profile,
    )

    credentials = credentials_path_for_writing()
    outcome = register_local_profile(credentials, actors, url)
    if outcome is ProfileOutcome.KEPT_FOREIGN:
        console.warn(
            f"{credentials} already has a '{LOCAL_PROFILE}' profile for another "
            "server; it was left as it is"
        )
    return {
        "url": url,
        "organization_url": f"{url}/organizations/{actors.org}",
        "data_dir": str(actors.admin_key.parent),
        "first_start": first_start,
        "admin_key": str(actors.admin_key),
        "validator_key": str(actors.validator_key),
        "credentials_file": str(credentials),
        "profile": LOCAL_PROFILE,
        "profile_change": outcome.value,
    }


def _render_started(summary: dict[str, Any]) -> str:
    lines = [f"Chef server listening on {summary['url']}"]
    if summary["pid"] is not None:
        lines[0] += f" (pid {summary['pid']})"
    lines += [
        f"Organization URL: {summary['organization_url']}",
        f"Data folder:      {summary['data_dir']}",
        f"Log file:         {summary['log_file']}",
    ]
    if summary["first_start"]:
        lines.append(f"Admin key:        {summary['admin_key']}")
        lines.append(f"Validator key:    {summary['validator_key']}")
    if summary["profile_change"] != "kept":
        lines.append(
            f"Profile '{summary['profile']}' in {summary['credentials_file']} "
            f"({summary['profile_change']}): use --profile local or "
            "CHEF_PROFILE=local"
        )
    return "\n".join(lines)


@app.command("stop")
def stop(ctx: typer.Context, data: DataOption = None) -> None:
    """Stop the server running on the data folder (SIGTERM, then SIGKILL)."""
    from kitchenctl.server.runner import stop as stop_server

    state = get_state(ctx)
    folder = _data_dir(data)
    pid = stop_server(folder)
    if pid is None:
        text = f"No server runs on {folder}."
    else:
        text = f"Stopped the server on {folder} (pid {pid})."
    state.console.result(
        text, {"stopped": pid is not None, "pid": pid, "data_dir": str(folder)}
    )


@app.command("status")
def status(ctx: typer.Context, data: DataOption = None) -> None:
    """Show whether the server runs: URL, data folder, pid and object counts."""
    from kitchenctl.server.runner import status as server_status

    state = get_state(ctx)
    report = server_status(_data_dir(data))
    data_out = report.as_json()
    state.console.result(_render_status(data_out), data_out)


def _render_status(report: dict[str, Any]) -> str:
    lines = [
        f"Running:          {'yes' if report['running'] else 'no'}",
        f"URL:              {report['url'] or '-'}",
        f"Organization URL: {report['organization_url'] or '-'}",
        f"Data folder:      {report['data_dir']}",
        f"PID:              {report['pid'] or '-'}",
        f"Log file:         {report['log_file']}",
    ]
    counts = report["counts"]
    if counts:
        shown = ", ".join(
            f"{counts[kind]} {label}"
            for kind, label in _COUNT_LABELS.items()
            if kind in counts
        )
        lines.append(f"Objects:          {shown}")
    return "\n".join(lines)
