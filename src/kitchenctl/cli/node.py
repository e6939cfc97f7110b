"""``kitchenctl node``: list, show, create, delete, environment, run-list."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated, Any

import typer

from kitchenctl.cli.connect import api_for
from kitchenctl.cli.state import State, get_state
from kitchenctl.errors import UsageError

if TYPE_CHECKING:
    from kitchenctl.nodes import Node
    from kitchenctl.runlist import RunListItem

app = typer.Typer(
    help="Manage nodes on the Chef server.", no_args_is_help=True, add_completion=False
)
environment_app = typer.Typer(help="Change a node's environment.", no_args_is_help=True)
run_list_app = typer.Typer(
    help="Show or change a node's run list.", no_args_is_help=True
)
app.add_typer(environment_app, name="environment")
app.add_typer(run_list_app, name="run-list")

NodeArgument = Annotated[str, typer.Argument(metavar="NODE", help="The node's name.")]
ItemsArgument = Annotated[
    list[str],
    typer.Argument(
        metavar="ITEM", help="Run-list items, separated by commas or spaces."
    ),
]


@app.command("list")
def list_command(
    ctx: typer.Context,
    environment: Annotated[
        str | None,
        typer.Option("--environment", "-E", help="Only nodes in this environment."),
    ] = None,
) -> None:
    """List the nodes on the server, sorted by name."""
    from kitchenctl.nodes import list_nodes

    state = get_state(ctx)
    with api_for(state) as api:
        names = list_nodes(api, environment=environment)
    state.console.result("\n".join(names), names)


@app.command("show")
def show(
    ctx: typer.Context,
    node: NodeArgument,
    attributes: Annotated[
        list[str] | None,
        typer.Option(
            "--attribute", "-a", help="Show only this attribute (dotted); repeat."
        ),
    ] = None,
    run_list: Annotated[
        bool, typer.Option("--run-list", "-r", help="Show only the run list.")
    ] = False,
) -> None:
    """Show a node's summary as knife does (--format json: the whole node)."""
    from kitchenctl.nodes import get_node

    state = get_state(ctx)
    with api_for(state) as api:
        found = get_node(api, node)
    if run_list:
        _print_run_list(state, found)
    elif attributes:
        _print_attributes(state, found, attributes)
    else:
        _print_summary(state, found)


def _print_summary(state: State, node: Node) -> None:
    from kitchenctl.nodes import summary

    rows = summary(node)
    width = max(len(label) for label, _ in rows) + 2
    text = "\n".join(f"{label + ':':<{width}}{value}".rstrip() for label, value in rows)
    state.console.result(text, node.to_json())


def _print_attributes(state: State, node: Node, paths: list[str]) -> None:
    """knife's ``-a`` output: the node's name, then ``path: value`` per attribute."""
    values = {path: node.attribute(path) for path in paths}
    lines = [f"{node.name}:"]
    for path, value in values.items():
        shown = "" if value is None else value
        if isinstance(value, (dict, list)):
            shown = json.dumps(value, sort_keys=True)
        lines.append(f"  {path}: {shown}".rstrip())
    state.console.result("\n".join(lines), {node.name: values})


@app.command("create")
def create(
    ctx: typer.Context,
    node: NodeArgument,
    run_list: Annotated[
        str | None,
        typer.Option("--run-list", "-r", help="Run-list items, comma-separated."),
    ] = None,
    environment: Annotated[
        str, typer.Option("--environment", "-E", help="The node's environment.")
    ] = "_default",
    json_attributes: Annotated[
        str | None,
        typer.Option("--json-attributes", "-j", help="Normal attributes as JSON."),
    ] = None,
    edit: Annotated[
        bool, typer.Option("--edit", help="Edit the node's JSON in $EDITOR first.")
    ] = False,
) -> None:
    """Create a node on the server."""
    from kitchenctl.nodes import Node, check_node_name, create_node
    from kitchenctl.runlist import parse_items

    state = get_state(ctx)
    new = Node(
        name=check_node_name(node),
        chef_environment=environment,
        run_list=tuple(parse_items([run_list] if run_list else [])),
        normal=_json_object(json_attributes, "--json-attributes"),
    )
    if edit:
        new = _edited(new)
    with api_for(state) as api:
        created = create_node(api, new)
    state.console.result(f"Created node[{created.name}]", created.to_json())


def _json_object(text: str | None, option: str) -> dict[str, Any]:
    if not text:
        return {}
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UsageError(f"{option} is not valid JSON: {exc.msg}") from exc
    if not isinstance(value, dict):
        raise UsageError(f"{option} must be a JSON object")
    return value


def _edited(node: Node) -> Node:
    from kitchenctl.editor import edit_json
    from kitchenctl.errors import InputFileError
    from kitchenctl.nodes import Node

    document = edit_json(node.to_json(), name=node.name)
    if not isinstance(document, dict) or not isinstance(document.get("name"), str):
        raise InputFileError(f"{node.name}.json: the node needs a string 'name'")
    try:
        return Node.from_json(document)
    except UsageError as exc:
        raise InputFileError(f"{node.name}.json: {exc.message}") from exc


@app.command("delete")
def delete(
    ctx: typer.Context,
    nodes: Annotated[
        list[str], typer.Argument(metavar="NODE", help="The nodes to delete.")
    ],
) -> None:
    """Delete nodes, asking first for each (--yes answers for you)."""
    from kitchenctl.nodes import check_node_name, delete_node

    state = get_state(ctx)
    for name in nodes:
        check_node_name(name)
    deleted = []
    with api_for(state) as api:
        for name in nodes:
            state.console.confirm(f"Do you really want to delete {name}?")
            delete_node(api, name)
            deleted.append(name)
            if not state.console.wants_json:
                state.console.info(f"Deleted node[{name}]")
    if state.console.wants_json:
        state.console.json({"deleted": deleted})


@environment_app.command("set")
def environment_set(
    ctx: typer.Context,
    node: NodeArgument,
    environment: Annotated[
        str, typer.Argument(metavar="ENVIRONMENT", help="The environment to move to.")
    ],
) -> None:
    """Move a node into an environment that exists on the server."""
    from kitchenctl.nodes import set_environment

    state = get_state(ctx)
    with api_for(state) as api:
        saved = set_environment(api, node, environment)
    state.console.result(
        f"{saved.name}:\n  chef_environment: {saved.chef_environment}",
        {saved.name: {"chef_environment": saved.chef_environment}},
    )


@run_list_app.command("show")
def run_list_show(ctx: typer.Context, node: NodeArgument) -> None:
    """Show a node's run list."""
    from kitchenctl.nodes import get_node

    state = get_state(ctx)
    with api_for(state) as api:
        found = get_node(api, node)
    _print_run_list(state, found)


@run_list_app.command("add")
def run_list_add(
    ctx: typer.Context,
    node: NodeArgument,
    items: ItemsArgument,
    after: Annotated[
        str | None, typer.Option("--after", "-a", help="Insert after this item.")
    ] = None,
    before: Annotated[
        str | None, typer.Option("--before", "-b", help="Insert before this item.")
    ] = None,
) -> None:
    """Add items to a node's run list (items already there are not added twice)."""
    from kitchenctl import runlist
    from kitchenctl.nodes import change_run_list

    state = get_state(ctx)
    parsed = runlist.parse_items(items)
    anchor_after = runlist.parse_item(after) if after else None
    anchor_before = runlist.parse_item(before) if before else None

    def edit(current: list[RunListItem]) -> list[RunListItem]:
        return runlist.add(current, parsed, after=anchor_after, before=anchor_before)

    with api_for(state) as api:
        saved = change_run_list(api, node, edit)
    _print_run_list(state, saved)


@run_list_app.command("remove")
def run_list_remove(
    ctx: typer.Context, node: NodeArgument, items: ItemsArgument
) -> None:
    """Remove items from a node's run list; bare names mean recipe[NAME]."""
    from kitchenctl import runlist
    from kitchenctl.nodes import change_run_list

    state = get_state(ctx)
    parsed = runlist.parse_items(items)
    missing: list[RunListItem] = []

    def edit(current: list[RunListItem]) -> list[RunListItem]:
        kept, not_there = runlist.remove(current, parsed)
        missing.extend(not_there)
        return kept

    with api_for(state) as api:
        saved = change_run_list(api, node, edit)
    for item in missing:
        state.console.warn(f"{item} is not in the run list of {saved.name}")
    _print_run_list(state, saved)


@run_list_app.command("set")
def run_list_set(ctx: typer.Context, node: NodeArgument, items: ItemsArgument) -> None:
    """Replace a node's run list."""
    from kitchenctl import runlist
    from kitchenctl.nodes import change_run_list

    state = get_state(ctx)
    parsed = runlist.parse_items(items)
    with api_for(state) as api:
        saved = change_run_list(api, node, lambda current: parsed)
    _print_run_list(state, saved)


def _print_run_list(state: State, node: Node) -> None:
    from kitchenctl.runlist import render

    entries = [str(item) for item in node.run_list]
    state.console.result(
        render(node.name, node.run_list), {node.name: {"run_list": entries}}
    )
