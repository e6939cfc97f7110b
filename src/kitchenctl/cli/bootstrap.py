"""``kitchenctl bootstrap HOST...``: install the Chef client over SSH, make nodes."""

from __future__ import annotations

import json
import os
import sys
import threading
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from kitchenctl.cli.state import State, get_state
from kitchenctl.errors import ConfigError, InputFileError, UsageError

if TYPE_CHECKING:
    from rich.live import Live
    from rich.table import Table

    from kitchenctl.bootstrap.fleet import (
        BootstrapPlan,
        FleetResult,
        HostResult,
        Registrar,
    )
    from kitchenctl.bootstrap.registration import Identity, KeyPool, NodeSpec
    from kitchenctl.bootstrap.ssh import ConnectOptions, Privilege
    from kitchenctl.cli.console import Console
    from kitchenctl.config import Key, Settings

# Names of environment variables, not passwords (S105).
# Names of environment variables that hold passwords, not passwords (S105).
SSH_PASSWORD_VARIABLE = "KITCHENCTL_SSH_PASSWORD"  # noqa: S105
SUDO_PASSWORD_VARIABLE = "KITCHENCTL_SUDO_PASSWORD"  # noqa: S105
PROXY_PASSWORD_VARIABLE = "KITCHENCTL_PROXY_PASSWORD"  # noqa: S105
LIVE_VIEW_MIN_HOSTS = 4


class HostKeyCheckChoice(StrEnum):
    always = "always"
    accept_new = "accept-new"
    never = "never"


class ProductChoice(StrEnum):
    cinc = "cinc"
    chef = "chef"


class SSLVerifyChoice(StrEnum):
    peer = "peer"
    none = "none"


def bootstrap(
    ctx: typer.Context,
    hosts: Annotated[
        list[str],
        typer.Argument(
            metavar="HOST", help="[USER@]HOST[:PORT] of each host to bootstrap."
        ),
    ],
    node_name: Annotated[
        str | None,
        typer.Option("--node-name", "-N", help="Node name (one host only)."),
    ] = None,
    run_list: Annotated[
        list[str] | None,
        typer.Option("--run-list", "-r", help="Run-list items, comma-separated."),
    ] = None,
    environment: Annotated[
        str | None, typer.Option("--environment", "-E", help="Chef environment.")
    ] = None,
    json_attributes: Annotated[
        str | None,
        typer.Option("--json-attributes", "-j", help="First-run attributes as JSON."),
    ] = None,
    json_attribute_file: Annotated[
        Path | None,
        typer.Option(help="First-run attributes from a JSON file."),
    ] = None,
    tags: Annotated[
        str | None, typer.Option(help="Tags for the node, comma-separated.")
    ] = None,
    policy_name: Annotated[str | None, typer.Option(help="Policyfile name.")] = None,
    policy_group: Annotated[str | None, typer.Option(help="Policy group.")] = None,
    hint: Annotated[
        list[str] | None,
        typer.Option(help="Ohai hint NAME or NAME=FILE (JSON); repeatable."),
    ] = None,
    ssh_user: Annotated[
        str | None, typer.Option("--ssh-user", "-U", help="SSH user.")
    ] = None,
    ssh_port: Annotated[
        int | None, typer.Option("--ssh-port", "-p", help="SSH port.")
    ] = None,
    identity_file: Annotated[
        list[Path] | None,
        typer.Option("--identity-file", "-i", help="SSH private key; repeatable."),
    ] = None,
    ssh_password: Annotated[
        bool,
        typer.Option(
            "--ssh-password",
            help=f"Log in with a password: asked for, or read from "
            f"${SSH_PASSWORD_VARIABLE}.",
        ),
    ] = False,
    gateway: Annotated[
        str | None,
        typer.Option("--gateway", "-G", help="Jump host, [USER@]HOST[:PORT]."),
    ] = None,
    host_key_check: Annotated[
        HostKeyCheckChoice,
        typer.Option(help="Check host keys against ~/.ssh/known_hosts."),
    ] = HostKeyCheckChoice.always,
    known_hosts: Annotated[
        Path | None, typer.Option(help="known_hosts file [~/.ssh/known_hosts].")
    ] = None,
    ssh_config: Annotated[
        Path | None, typer.Option(help="ssh_config file [~/.ssh/config].")
    ] = None,
    session_timeout: Annotated[
        float | None,
        typer.Option(
            min=1, help="Fail a host whose commands print nothing for SECONDS."
        ),
    ] = None,
    sudo: Annotated[bool, typer.Option(help="Run the script with sudo.")] = False,
    use_sudo_password: Annotated[
        bool,
        typer.Option(
            help=f"Give sudo a password: ${SUDO_PASSWORD_VARIABLE}, else the SSH "
            "password, else asked for. Implies --sudo.",
        ),
    ] = False,
    concurrency: Annotated[
        int | None,
        typer.Option(
            "--concurrency", "-C", min=1, help="Hosts at once [min(32, hosts)]."
        ),
    ] = None,
    bootstrap_product: Annotated[
        ProductChoice,
        typer.Option(help="Client to install: cinc (no licence needed) or chef."),
    ] = ProductChoice.cinc,
    bootstrap_version: Annotated[
        str, typer.Option(help="Client version: latest, 18, 18.4 or 18.4.12.")
    ] = "latest",
    channel: Annotated[
        str, typer.Option(help="Release channel: stable, current, unstable.")
    ] = "stable",
    bootstrap_url: Annotated[
        str | None, typer.Option(help="install.sh URL [the product's omnitruck].")
    ] = None,
    bootstrap_install_command: Annotated[
        str | None, typer.Option(help="Command that installs the client instead.")
    ] = None,
    bootstrap_preinstall_command: Annotated[
        str | None, typer.Option(help="Command to run before installing.")
    ] = None,
    bootstrap_curl_options: Annotated[
        str, typer.Option(help="Extra curl options for the download.")
    ] = "",
    bootstrap_wget_options: Annotated[
        str, typer.Option(help="Extra wget options for the download.")
    ] = "",
    bootstrap_proxy: Annotated[
        str | None, typer.Option(help="Proxy URL for the host (http and https).")
    ] = None,
    bootstrap_proxy_user: Annotated[
        str | None,
        typer.Option(help=f"Proxy user; its password from ${PROXY_PASSWORD_VARIABLE}."),
    ] = None,
    bootstrap_no_proxy: Annotated[
        str | None, typer.Option(help="Hosts to reach without the proxy.")
    ] = None,
    bootstrap_template: Annotated[
        Path | None,
        typer.Option("--bootstrap-template", "-t", help="Your own script template."),
    ] = None,
    config_dir: Annotated[
        str,
        typer.Option(help="The client's config folder on the host ({node} allowed)."),
    ] = "/etc/chef",
    client_path: Annotated[
        str | None,
        typer.Option(help="Client binary on the host [cinc-client / chef-client]."),
    ] = None,
    node_ssl_verify_mode: Annotated[
        SSLVerifyChoice | None,
        typer.Option(help="The client's TLS verification of the Chef server."),
    ] = None,
    trusted_certs_dir: Annotated[
        Path | None,
        typer.Option(help="Certificates to trust [~/.chef/trusted_certs]."),
    ] = None,
    reuse_node: Annotated[
        bool, typer.Option(help="Keep an existing node and its attributes.")
    ] = False,
    dry_run: Annotated[
        bool,
        typer.Option(help="Print each host's script, secrets masked; change nothing."),
    ] = False,
    log_dir: Annotated[
        Path | None,
        typer.Option(help="Folder for one log per host [a new one under the cache]."),
    ] = None,
    quiet: Annotated[
        bool, typer.Option("--quiet", help="Only the summary and errors.")
    ] = False,
    yes: Annotated[
        bool,
        typer.Option("--yes", "-y", help="Replace existing nodes and clients."),
    ] = False,
) -> None:
    """Install Chef Infra Client over SSH and register nodes.

    For each HOST: connect, check sudo, create the client and node, run the script.
    """
    from kitchenctl.bootstrap.fleet import BootstrapPlan, parse_hosts
    from kitchenctl.bootstrap.script import Installer, Proxy, ScriptSettings
    from kitchenctl.bootstrap.ssh import ConnectOptions, HostKeyCheck, Privilege

    state = get_state(ctx)
    # The global -q and -y work too; here they read naturally after the command.
    state.console.quiet = state.console.quiet or quiet
    state.console.assume_yes = state.console.assume_yes or yes
    spec = _node_spec(
        run_list, environment, json_attributes, json_attribute_file, tags,
        policy_name, policy_group,
    )  # fmt: skip
    if bootstrap_proxy_user and not bootstrap_proxy:
        raise UsageError("--bootstrap-proxy-user needs --bootstrap-proxy")

    script = ScriptSettings(
        node_name="",
        chef_server_url=state.server_url or "",
        first_boot=_first_boot(spec),
        environment=environment,
        config_dir=config_dir,
        client=client_path,
        log_level=_client_log_level(state.console.verbosity),
        ssl_verify_mode=node_ssl_verify_mode.value if node_ssl_verify_mode else None,
        trusted_certs=_trusted_certs(trusted_certs_dir),
        hints=_hints(hint or []),
        installer=Installer(
            product=bootstrap_product.value,
            version=bootstrap_version,
            channel=channel,
            url=bootstrap_url,
            install_command=bootstrap_install_command,
            preinstall_command=bootstrap_preinstall_command,
            curl_options=bootstrap_curl_options,
            wget_options=bootstrap_wget_options,
        ),
        proxy=Proxy(
            http_proxy=bootstrap_proxy,
            https_proxy=bootstrap_proxy,
            user=bootstrap_proxy_user,
            password=os.environ.get(PROXY_PASSWORD_VARIABLE)
            if bootstrap_proxy_user
            else None,
            no_proxy=bootstrap_no_proxy,
        ),
        template=bootstrap_template,
    )
    plan = BootstrapPlan(
        hosts=parse_hosts(hosts),
        script=script,
        node_name=node_name,
        concurrency=concurrency,
    )
    plan.node_names()  # a -N clash is a usage error before any question or connection

    if dry_run:
        _print_scripts(state, plan)
        return

    console = state.console
    connect = ConnectOptions(
        user=ssh_user,
        port=ssh_port,
        identity_files=tuple(identity_file or ()),
        password=_secret(console, ssh_password, SSH_PASSWORD_VARIABLE, "SSH password"),
        gateway=gateway,
        host_key_check=HostKeyCheck(host_key_check.value),
        known_hosts=known_hosts,
        ssh_config=ssh_config,
        idle_timeout=session_timeout,
    )
    # As knife does with -P: the login password serves sudo too, unless one is set.
    sudo_password = None
    if use_sudo_password:
        sudo_password = os.environ.get(SUDO_PASSWORD_VARIABLE) or connect.password
        sudo_password = sudo_password or _secret(
            console, True, SUDO_PASSWORD_VARIABLE, "sudo password"
        )
    privilege = Privilege(sudo=sudo or use_sudo_password, password=sudo_password)
    plan = _with_run_settings(plan, connect, privilege, log_dir or _default_log_dir())

    result = _run(state, plan, spec, reuse_node=reuse_node)
    _show_summary(console, result)
    result.raise_for_failures()


def _with_run_settings(
    plan: BootstrapPlan, connect: ConnectOptions, privilege: Privilege, log_dir: Path
) -> BootstrapPlan:
    from dataclasses import replace

    return replace(plan, connect=connect, privilege=privilege, log_dir=log_dir)


# Options into data.


def _node_spec(
    run_list: list[str] | None,
    environment: str | None,
    json_attributes: str | None,
    json_attribute_file: Path | None,
    tags: str | None,
    policy_name: str | None,
    policy_group: str | None,
) -> NodeSpec:
    from kitchenctl.bootstrap.registration import NodeSpec

    if bool(policy_name) != bool(policy_group):
        raise UsageError("--policy-name and --policy-group must be specified together")
    items = _split(run_list or [])
    if policy_name and items:
        raise UsageError("Policyfile options and --run-list are exclusive")
    return NodeSpec(
        run_list=tuple(items),
        environment=environment,
        attributes=_attributes(json_attributes, json_attribute_file),
        tags=tuple(_split([tags] if tags else [])),
        policy_name=policy_name,
        policy_group=policy_group,
    )


def _split(values: list[str]) -> list[str]:
    """knife splits run lists on commas and whitespace."""
    return [item for value in values for item in value.replace(",", " ").split()]


def _attributes(text: str | None, file: Path | None) -> dict[str, Any]:
    if text and file:
        raise UsageError("--json-attributes and --json-attribute-file are exclusive")
    origin = "--json-attributes"
    if file is not None:
        origin = str(file)
        try:
            text = file.read_text(encoding="utf-8")
        except OSError as exc:
            raise InputFileError(f"cannot read {file}: {exc.strerror}") from exc
    if not text:
        return {}
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputFileError(
            f"{origin}:{exc.lineno}: not valid JSON: {exc.msg}"
        ) from exc
    if not isinstance(value, dict):
        raise InputFileError(f"{origin}: the attributes must be a JSON object")
    return value


def _first_boot(spec: NodeSpec) -> dict[str, Any]:
    from kitchenctl.bootstrap.script import first_boot_attributes

    return first_boot_attributes(
        attributes=spec.attributes,
        run_list=list(spec.run_list),
        tags=list(spec.tags),
        policy_name=spec.policy_name,
        policy_group=spec.policy_group,
    )


def _hints(values: list[str]) -> dict[str, dict[str, Any]]:
    hints = {}
    for value in values:
        name, _, file = value.partition("=")
        hints[name] = _attributes(None, Path(file)) if file else {}
    return hints


def _trusted_certs(folder: Path | None) -> dict[str, str]:
    folder = folder or Path.home() / ".chef" / "trusted_certs"
    if not folder.is_dir():
        return {}
    return {
        path.name: path.read_text(encoding="utf-8")
        for path in sorted(folder.iterdir())
        if path.is_file() and path.suffix in (".crt", ".pem")
    }


def _client_log_level(verbosity: int) -> str | None:
    """-vv runs the client at debug and -vvv at trace, as knife does."""
    return {2: "debug", 3: "trace"}.get(min(verbosity, 3))


def _secret(console: Console, wanted: bool, variable: str, what: str) -> str | None:
    """A password from the environment or a prompt: never from the command line."""
    if not wanted:
        return None
    from_environment = os.environ.get(variable)
    if from_environment:
        return from_environment
    if not sys.stdin.isatty():
        raise UsageError(
            f"the {what} is needed but there is no terminal to ask it on",
            hint=f"set ${variable}",
        )
    return console.err.input(f"{what.capitalize()}: ", password=True)


def _default_log_dir() -> Path:
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    return cache / "kitchenctl" / "bootstrap" / stamp


# Dry run.


def _print_scripts(state: State, plan: BootstrapPlan) -> None:
    from dataclasses import replace

    from kitchenctl.bootstrap.script import render

    url = _server_url_if_configured(state)
    scripts = {}
    for address, name in zip(plan.hosts, plan.node_names(), strict=True):
        placeholder = "-----BEGIN RSA PRIVATE KEY-----\n(made at registration)\n"
        settings = replace(
            plan.script, node_name=name, client_key=placeholder, chef_server_url=url
        )
        scripts[address.host] = render(settings).masked()
    human = "\n".join(
        f"# ---- {host} ----\n{text}" for host, text in scripts.items()
    ).rstrip("\n")
    state.console.result(human, {"scripts": scripts})


def _server_url_if_configured(state: State) -> str:
    """A dry run works without credentials; the URL is shown when there is one."""
    from kitchenctl.cli.connect import settings_for

    try:
        return settings_for(state).server_url or ""
    except ConfigError:
        return state.server_url or ""


# The run and its output.


def _run(
    state: State, plan: BootstrapPlan, spec: NodeSpec, *, reuse_node: bool
) -> FleetResult:
    registrar, plan, keys = _registrar(state, plan, spec, reuse_node=reuse_node)
    try:
        return _run_fleet(state.console, plan, registrar)
    finally:
        if keys is not None:
            keys.close()


def _run_fleet(
    console: Console, plan: BootstrapPlan, registrar: Registrar | None
) -> FleetResult:
    from kitchenctl.bootstrap.fleet import bootstrap_fleet

    width = max(len(address.host) for address in plan.hosts)
    live = (
        len(plan.hosts) >= LIVE_VIEW_MIN_HOSTS
        and console.err.is_terminal
        and not console.quiet
    )
    if live:
        view = LiveView(console, [address.host for address in plan.hosts])
        with view.live():
            return bootstrap_fleet(plan, registrar=registrar, reporter=view)
    reporter = PrefixedLines(console, width)
    return bootstrap_fleet(plan, registrar=registrar, reporter=reporter)


def _registrar(
    state: State, plan: BootstrapPlan, spec: NodeSpec, *, reuse_node: bool
) -> tuple[Registrar | None, BootstrapPlan, KeyPool | None]:
    """Validatorless registration with the user's key, or legacy validator mode.

    Legacy mode is chosen, as knife chooses it, when a validation key is configured
    and readable: the script then carries validation.pem and the first run registers.
    """
    from dataclasses import replace

    from kitchenctl.cli.connect import settings_for
    from kitchenctl.config import validation_client_name

    settings = settings_for(state)
    url = settings.require_server()[0]
    script = replace(plan.script, chef_server_url=url)

    validation_key = settings.validation_key
    if validation_key is not None and _readable(validation_key):
        state.console.warn(
            "Performing legacy client registration with the validation key at "
            f"{validation_key.describe()}; remove the validation_key setting to "
            "register validatorless"
        )
        script = replace(
            script,
            validation_key=validation_key.read_pem().decode("ascii"),
            validation_client_name=validation_client_name(settings),
        )
        return None, replace(plan, script=script), None

    registrar, keys = _validatorless(
        state, settings, spec, reuse_node, host_count=len(plan.hosts)
    )
    return registrar, replace(plan, script=script), keys


def _readable(key: Key) -> bool:
    return key.inline_pem is not None or (key.path is not None and key.path.is_file())


def _validatorless(
    state: State,
    settings: Settings,
    spec: NodeSpec,
    reuse_node: bool,
    *,
    host_count: int,
) -> tuple[Registrar, KeyPool | None]:
    import httpx

    from kitchenctl.api import ChefServerAPI
    from kitchenctl.bootstrap.registration import KeyPool, register
    from kitchenctl.signing import load_private_key

    admin = ChefServerAPI.from_settings(settings)
    # goiardi makes a key for every new client, whatever it is sent.
    server_makes_keys = admin.negotiate().flavour == "goiardi"
    # One transport for every new client: one TLS context and connection pool.
    transport = httpx.HTTPTransport(verify=settings.ssl_verify)
    keys = None if server_makes_keys else KeyPool(host_count)
    question_lock = threading.Lock()

    def confirm(question: str) -> None:
        # Hosts register in parallel; their questions are asked one at a time.
        with question_lock:
            state.console.confirm(question)

    def client_api(name: str, private_key: str) -> ChefServerAPI:
        return ChefServerAPI(
            server_url=admin.url,
            client_name=name,
            key=load_private_key(private_key.encode("ascii")),
            protocol=settings.signing_protocol,
            server_root=settings.server_root,
            verify=settings.ssl_verify,
            transport=transport,
        )

    def registrar(node_name: str) -> Identity:
        return register(
            admin,
            client_api,
            node_name,
            spec,
            confirm=confirm,
            reuse_node=reuse_node,
            server_makes_keys=server_makes_keys,
            make_key=keys.take if keys is not None else None,
        )

    return registrar, keys


class PrefixedLines:
    """knife ssh's style: each line prefixed with its host, names padded alike."""

    def __init__(self, console: Console, width: int) -> None:
        self._console = console
        self._width = width
        self._lock = threading.Lock()

    def started(self, host: str, node_name: str) -> None:
        pass

    def line(self, host: str, text: str) -> None:
        with self._lock:
            self._console.info(f"[{host.ljust(self._width)}] {text}")

    def finished(self, result: HostResult) -> None:
        if not result.ok:
            with self._lock:
                self._console.info(
                    f"[{result.host.ljust(self._width)}] ERROR: {result.message}"
                )


class LiveView:
    """A rich table redrawn in place: one row per host, its state and latest line."""

    def __init__(self, console: Console, hosts: list[str]) -> None:
        self._console = console
        self._rows = {host: ["", "waiting", ""] for host in hosts}
        self._lock = threading.Lock()
        self._live: Live | None = None

    def live(self) -> Live:
        from rich.live import Live

        self._live = Live(
            self._table(), console=self._console.err, refresh_per_second=4
        )
        return self._live

    def started(self, host: str, node_name: str) -> None:
        self._update(host, 0, node_name)
        self._update(host, 1, "running")

    def line(self, host: str, text: str) -> None:
        self._update(host, 2, text[:80])

    def finished(self, result: HostResult) -> None:
        self._update(result.host, 1, "ok" if result.ok else "FAILED")
        self._update(result.host, 2, "" if result.ok else result.message[:80])

    def _update(self, host: str, column: int, value: str) -> None:
        with self._lock:
            self._rows[host][column] = value
            if self._live is not None:
                self._live.update(self._table())

    def _table(self) -> Table:
        from rich.table import Table

        table = Table("host", "node", "state", "latest", box=None)
        for host, (node, status, latest) in self._rows.items():
            table.add_row(host, node, status, latest)
        return table


def _show_summary(console: Console, result: FleetResult) -> None:
    from rich.table import Table

    data = {
        "hosts": [
            {
                "host": host.host,
                "node": host.node_name,
                "ok": host.ok,
                "seconds": round(host.seconds, 2),
                "message": host.message,
                "log": str(host.log_file) if host.log_file else None,
            }
            for host in result.results
        ],
        "log_dir": str(result.log_dir) if result.log_dir else None,
    }
    if console.wants_json:
        console.json(data)
        return
    table = Table("host", "node", "result", "seconds")
    for host in result.results:
        outcome = "ok" if host.ok else f"FAILED: {host.message}"
        table.add_row(host.host, host.node_name, outcome, f"{host.seconds:.1f}")
    console.table(table)
    if result.log_dir:
        console.info(f"Logs: {result.log_dir}")
