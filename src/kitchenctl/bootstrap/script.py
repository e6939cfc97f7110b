"""The bootstrap script as data: settings in, one POSIX shell script out.

The script is a template (``templates/bootstrap/unix.sh``, or a user's own) below a
settings block kitchenctl generates: ``KITCHENCTL_*`` variables, proxy exports and a
``write_client_files`` function whose heredocs carry client.rb, client.pem, trusted
certificates, ohai hints and first-boot.json. Every value is shell-quoted here, so the
template never has to quote anything itself.

Rendering is pure: no network, no SSH. ``RenderedScript.masked()`` gives the text with
every secret (keys, proxy password) replaced, for ``--dry-run`` and logs.
"""

from __future__ import annotations

import json
import re
import secrets as random_tokens
import shlex
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kitchenctl.errors import InputFileError, UsageError

MASK = "***MASKED***"
TEMPLATE_NAME = "unix.sh"

# Chef's install.sh needs a licence since 2026 (chef/omnitruck#663); Cinc's does not.
INSTALLERS: Mapping[str, tuple[str, str]] = {
    "cinc": ("https://omnitruck.cinc.sh/install.sh", "cinc-client"),
    "chef": ("https://omnitruck.chef.io/install.sh", "chef-client"),
}
CHANNELS = ("stable", "current", "unstable")
_NAME = re.compile(r"^[A-Za-z0-9_.-]+$")


@dataclass(frozen=True)
class Installer:
    """How to install the client when the installed one is not the version wanted.

    ``url`` defaults to the product's omnitruck install.sh; ``install_command`` replaces
    the download entirely (air-gapped sites, own packages).
    """

    product: str = "cinc"
    version: str = "latest"
    channel: str = "stable"
    url: str | None = None
    install_command: str | None = None
    preinstall_command: str | None = None
    curl_options: str = ""
    wget_options: str = ""

    def installer_url(self) -> str:
        if self.url:
            return self.url
        return INSTALLERS.get(self.product, INSTALLERS["chef"])[0]

    def default_client(self) -> str:
        return INSTALLERS.get(self.product, INSTALLERS["chef"])[1]


@dataclass(frozen=True)
class Proxy:
    """Proxy settings, exported for the installer and written into client.rb."""

    http_proxy: str | None = None
    https_proxy: str | None = None
    user: str | None = None
    password: str | None = None
    no_proxy: str | None = None


@dataclass(frozen=True)
class ScriptSettings:
    """Everything one host's bootstrap script says.

    ``config_dir`` and ``client`` may contain ``{node}``, replaced by the node name, so
    several client instances can share a machine (the tests do). Exactly one of
    ``client_key`` (validatorless) and ``validation_key`` (legacy) is normally set.
    """

    node_name: str
    chef_server_url: str
    first_boot: Mapping[str, Any]
    client_key: str | None = None
    validation_key: str | None = None
    validation_client_name: str | None = None
    environment: str | None = None
    config_dir: str = "/etc/chef"
    client: str | None = None
    client_options: str = ""
    log_level: str | None = None
    ssl_verify_mode: str | None = None
    trusted_certs: Mapping[str, str] = field(default_factory=dict)
    hints: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    installer: Installer = field(default_factory=Installer)
    proxy: Proxy = field(default_factory=Proxy)
    template: Path | None = None


@dataclass(frozen=True)
class RenderedScript:
    """A script ready to upload, and the secrets it carries."""

    text: str
    secrets: tuple[str, ...]
    config_dir: str

    def masked(self) -> str:
        """The script with every secret replaced by ``***MASKED***``."""
        text = self.text
        for secret in self.secrets:
            text = text.replace(secret, MASK)
        return text


def render(settings: ScriptSettings) -> RenderedScript:
    """Render one host's bootstrap script.

    Raises UsageError for settings that cannot go into a script (bad hint or certificate
    names, an unknown channel) and InputFileError when a template cannot be read.
    """
    _check(settings)
    config_dir = settings.config_dir.replace("{node}", settings.node_name)
    preamble = _settings_block(settings, config_dir)
    body = _template_text(settings.template)
    text = f"#!/bin/sh\n{preamble}\n{body}"
    return RenderedScript(text, _secrets(settings), config_dir)


def _check(settings: ScriptSettings) -> None:
    if settings.installer.channel not in CHANNELS:
        raise UsageError(
            f"unknown channel {settings.installer.channel!r}",
            hint=f"use one of: {', '.join(CHANNELS)}",
        )
    for name in [*settings.trusted_certs, *settings.hints]:
        if not _NAME.match(name):
            raise UsageError(
                f"{name!r} cannot be a file name in the client's config folder",
                hint="use letters, digits, '.', '_' and '-'",
            )


def _secrets(settings: ScriptSettings) -> tuple[str, ...]:
    candidates = [
        settings.client_key,
        settings.validation_key,
        settings.proxy.password,
    ]
    # A PEM is masked whole; stripped, it matches with or without its last newline.
    return tuple(secret.strip() for secret in candidates if secret and secret.strip())


# The template.


def bundled_template() -> Path:
    """The template shipped with kitchenctl (in the wheel, or the source checkout)."""
    package = Path(__file__).resolve().parent.parent
    for root in (package / "templates", package.parent.parent / "templates"):
        candidate = root / "bootstrap" / TEMPLATE_NAME
        if candidate.is_file():
            return candidate
    raise InputFileError(
        "kitchenctl's bootstrap template is missing from the installation",
        hint="reinstall kitchenctl, or pass --bootstrap-template",
    )


def _template_text(template: Path | None) -> str:
    path = template or bundled_template()
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputFileError(
            f"cannot read bootstrap template {path}: {exc}",
            hint="check --bootstrap-template",
        ) from exc


# The settings block.


def _settings_block(settings: ScriptSettings, config_dir: str) -> str:
    installer = settings.installer
    client = (settings.client or installer.default_client()).replace(
        "{node}", settings.node_name
    )
    variables = {
        "KITCHENCTL_NODE_NAME": settings.node_name,
        "KITCHENCTL_CONFIG_DIR": config_dir,
        "KITCHENCTL_CLIENT": client,
        "KITCHENCTL_CLIENT_OPTIONS": settings.client_options,
        "KITCHENCTL_ENVIRONMENT": settings.environment or "",
        "KITCHENCTL_PRODUCT": installer.product,
        "KITCHENCTL_VERSION": installer.version,
        "KITCHENCTL_CHANNEL": installer.channel,
        "KITCHENCTL_INSTALL_URL": installer.installer_url(),
        "KITCHENCTL_INSTALL_COMMAND": installer.install_command or "",
        "KITCHENCTL_PREINSTALL_COMMAND": installer.preinstall_command or "",
        "KITCHENCTL_CURL_OPTIONS": installer.curl_options,
        "KITCHENCTL_WGET_OPTIONS": installer.wget_options,
    }
    lines = ["# Settings written by kitchenctl for this host."]
    lines += [f"{name}={shlex.quote(value)}" for name, value in variables.items()]
    lines += _proxy_exports(settings.proxy)
    lines.append("")
    lines += _write_files_function(settings, config_dir)
    return "\n".join(lines) + "\n"


def _proxy_exports(proxy: Proxy) -> list[str]:
    exports = {
        "http_proxy": proxy.http_proxy,
        "https_proxy": proxy.https_proxy,
        "no_proxy": proxy.no_proxy,
    }
    return [
        f"export {name}={shlex.quote(value)}"
        for name, value in exports.items()
        if value
    ]


def _write_files_function(settings: ScriptSettings, config_dir: str) -> list[str]:
    """A shell function writing every file; keys under umask 077, each step checked."""
    folder = shlex.quote(config_dir)
    lines = [
        "write_client_files() {",
        f"    mkdir -p {folder} || return 1",
    ]

    # Keys first, readable by their owner only.
    if settings.client_key:
        lines += _heredoc(f"{config_dir}/client.pem", settings.client_key, private=True)
    if settings.validation_key:
        lines += _heredoc(
            f"{config_dir}/validation.pem", settings.validation_key, private=True
        )

    if settings.trusted_certs:
        lines.append(_mkdir(f"{config_dir}/trusted_certs"))
    for name, pem in sorted(settings.trusted_certs.items()):
        lines += _heredoc(f"{config_dir}/trusted_certs/{name}", pem)

    if settings.hints:
        lines.append(_mkdir(f"{config_dir}/ohai/hints"))
    for name, hint in sorted(settings.hints.items()):
        lines += _heredoc(f"{config_dir}/ohai/hints/{name}.json", json.dumps(hint))

    lines += _heredoc(f"{config_dir}/client.rb", client_rb(settings, config_dir))
    first_boot = json.dumps(settings.first_boot, indent=2, sort_keys=True)
    lines += _heredoc(f"{config_dir}/first-boot.json", first_boot)
    lines.append("}")
    return lines


def _mkdir(folder: str) -> str:
    return f"    mkdir -p {shlex.quote(folder)} || return 1"


def _heredoc(path: str, content: str, *, private: bool = False) -> list[str]:
    """``cat`` into ``path`` from a quoted heredoc, so the shell expands nothing."""
    delimiter = "KITCHENCTL_EOF"
    while delimiter in content:
        delimiter = f"KITCHENCTL_EOF_{random_tokens.token_hex(4)}"
    umask = "umask 077 && " if private else ""
    body = content if content.endswith("\n") else content + "\n"
    return [
        f"    ({umask}cat > {shlex.quote(path)}) <<'{delimiter}' || return 1",
        body + delimiter,
    ]


# client.rb


def client_rb(settings: ScriptSettings, config_dir: str) -> str:
    """client.rb in knife's order (knife.md §1.5), plus the key paths it relies on."""
    entries: list[tuple[str, str]] = [
        ("chef_server_url", _ruby(settings.chef_server_url)),
    ]
    if settings.validation_key:
        name = settings.validation_client_name or "chef-validator"
        entries.append(("validation_client_name", _ruby(name)))
        entries.append(("validation_key", _ruby(f"{config_dir}/validation.pem")))
    entries += [
        ("client_key", _ruby(f"{config_dir}/client.pem")),
        ("chef_license", _ruby("accept")),
        ("log_level", f":{settings.log_level or 'info'}"),
        ("log_location", "STDOUT"),
        ("node_name", _ruby(settings.node_name)),
    ]
    if settings.ssl_verify_mode:
        entries.append(("ssl_verify_mode", f":verify_{settings.ssl_verify_mode}"))
    if settings.trusted_certs:
        entries.append(("trusted_certs_dir", _ruby(f"{config_dir}/trusted_certs")))
    entries += _proxy_entries(settings.proxy)
    return "".join(f"{name} {value}\n" for name, value in entries)


def _proxy_entries(proxy: Proxy) -> list[tuple[str, str]]:
    entries = []
    for scheme, url in (("http", proxy.http_proxy), ("https", proxy.https_proxy)):
        if not url:
            continue
        entries.append((f"{scheme}_proxy", _ruby(url)))
        if proxy.user:
            entries.append((f"{scheme}_proxy_user", _ruby(proxy.user)))
        if proxy.password:
            entries.append((f"{scheme}_proxy_pass", _ruby(proxy.password)))
    if proxy.no_proxy:
        entries.append(("no_proxy", _ruby(proxy.no_proxy)))
    return entries


def _ruby(value: str) -> str:
    """A single-quoted Ruby string: no interpolation, only ``\\`` and ``'`` escaped."""
    escaped = value.replace("\\", "\\\\").replace("'", "\\'")
    return f"'{escaped}'"


def first_boot_attributes(
    *,
    attributes: Mapping[str, Any],
    run_list: list[str],
    tags: list[str],
    policy_name: str | None,
    policy_group: str | None,
) -> dict[str, Any]:
    """first-boot.json: the ``-j`` attributes, the run list or the policy, the tags."""
    document = dict(attributes)
    if policy_name and policy_group:
        document["policy_name"] = policy_name
        document["policy_group"] = policy_group
    else:
        document["run_list"] = list(run_list)
    if tags:
        document["tags"] = list(tags)
    return document
