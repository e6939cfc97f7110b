"""Chef's own credentials file, read as Chef reads it, written keeping comments.

An existing Chef user needs no new configuration: kitchenctl reads the TOML profiles in
``$CHEF_CREDENTIALS_FILE`` (when that file exists) or ``~/.chef/credentials``. The
profile is the first of ``--profile``, ``$CHEF_PROFILE``, the contents of
``~/.chef/context`` and ``default``. A named profile that is missing is an error; a
missing ``default`` just means "nothing configured yet".

``load_settings`` returns a frozen ``Settings`` with the command line's overrides
applied; ``add_profile`` writes a profile back, keeping every other profile and comment.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from kitchenctl.errors import ConfigError, InputFileError
from kitchenctl.fileutil import write_atomic
from kitchenctl.signing import DEFAULT_PROTOCOL, PROTOCOLS

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey

DEFAULT_PROFILE = "default"
PEM_PREFIX = "-----BEGIN"
SIGNING_PROTOCOL_KEYS = ("authentication_protocol_version", "signing_protocol")

# Keys kitchenctl understands itself; anything else in a profile is kept in ``extra``.
_KNOWN_KEYS = {
    "client_name",
    "node_name",
    "client_key",
    "chef_server_url",
    "chef_server_root",
    "validation_client_name",
    "validation_key",
    "validator_key",
    "ssl_verify_mode",
    "knife",
    *SIGNING_PROTOCOL_KEYS,
}


def chef_directory() -> Path:
    """``~/.chef``, where Chef keeps credentials, context and relative key paths."""
    return Path.home() / ".chef"


def credentials_path() -> Path:
    """The file to read: ``$CHEF_CREDENTIALS_FILE`` if it exists, else Chef's."""
    from_environment = os.environ.get("CHEF_CREDENTIALS_FILE")
    if from_environment and Path(from_environment).exists():
        return Path(from_environment)
    return chef_directory() / "credentials"


def credentials_path_for_writing() -> Path:
    """Where ``config init`` writes: ``$CHEF_CREDENTIALS_FILE`` even if absent."""
    from_environment = os.environ.get("CHEF_CREDENTIALS_FILE")
    if from_environment:
        return Path(from_environment)
    return chef_directory() / "credentials"


@dataclass(frozen=True)
class Key:
    """A private key named by a profile: a file, or PEM written inline in the TOML."""

    path: Path | None = None
    inline_pem: str | None = field(default=None, repr=False)
    origin: str = ""

    @classmethod
    def from_setting(cls, value: str, *, origin: str) -> Key:
        """Chef's rule: inline when the value is PEM, else a path under ~/.chef."""
        if value.lstrip().startswith(PEM_PREFIX):
            return cls(inline_pem=value, origin=origin)
        return cls(path=chef_directory() / Path(value).expanduser(), origin=origin)

    def describe(self) -> str:
        """Where the key comes from, safe to show: never the key itself."""
        if self.path is not None:
            return str(self.path)
        return f"inline PEM ({self.origin})"

    def read_pem(self) -> bytes:
        """The key's PEM bytes; ConfigError when the file cannot be read."""
        if self.inline_pem is not None:
            return self.inline_pem.encode("ascii", errors="replace")
        assert self.path is not None
        try:
            return self.path.read_bytes()
        except OSError as exc:
            raise ConfigError(
                f"cannot read the key {self.path}: {exc.strerror}",
                hint=f"fix the key path ({self.origin}) or pass --key",
            ) from exc

    def load(self) -> RSAPrivateKey:
        """The RSA private key; ConfigError when it is not one."""
        from kitchenctl.signing import load_private_key

        try:
            return load_private_key(self.read_pem())
        except (ValueError, TypeError) as exc:
            raise ConfigError(
                f"{self.describe()} is not an unencrypted RSA private key in PEM form",
                hint=f"check the key ({self.origin})",
            ) from exc


@dataclass(frozen=True)
class Settings:
    """What kitchenctl needs to talk to a Chef server, with its origin for messages.

    ``server_url`` is ``chef_server_url`` as written: either the root of a server
    (goiardi, chef-zero) or ``https://HOST/organizations/ORG``.
    """

    profile: str
    credentials_file: Path | None
    server_url: str | None = None
    server_root: str | None = None
    client_name: str | None = None
    client_key: Key | None = None
    validation_client_name: str | None = None
    validation_key: Key | None = None
    signing_protocol: str = DEFAULT_PROTOCOL
    ssl_verify: bool = True
    knife: Mapping[str, Any] = field(default_factory=dict)
    extra: Mapping[str, Any] = field(default_factory=dict)

    def require_server(self) -> tuple[str, str, Key]:
        """URL, client name and key, or a ConfigError saying which one is missing."""
        missing = [
            option
            for option, value in (
                ("chef_server_url (or --server-url)", self.server_url),
                ("client_name (or --client-name)", self.client_name),
                ("client_key (or --key)", self.client_key),
            )
            if not value
        ]
        if missing:
            raise ConfigError(
                f"profile '{self.profile}' does not set {', '.join(missing)}",
                hint=f"run 'kitchenctl config init' or edit {self._where()}",
            )
        assert self.server_url and self.client_name and self.client_key
        self._check_url(self.server_url)
        return self.server_url, self.client_name, self.client_key

    def _check_url(self, url: str) -> None:
        """ConfigError unless ``url`` is an http(s) URL with a host and a valid port."""
        try:
            parts = urlsplit(url)
            valid = parts.scheme in ("http", "https") and bool(parts.hostname)
            parts.port  # noqa: B018 - raises ValueError for a bad port
        except ValueError:
            valid = False
        if not valid:
            raise ConfigError(
                f"chef_server_url {url!r} is not an http:// or https:// URL",
                hint=f"fix it in {self._where()} (profile '{self.profile}') "
                "or pass --server-url",
            )

    def _where(self) -> str:
        return str(self.credentials_file or credentials_path_for_writing())


@dataclass(frozen=True)
class Overrides:
    """Global command-line options that win over the profile."""

    profile: str | None = None
    server_url: str | None = None
    client_name: str | None = None
    key: Path | None = None


def choose_profile(requested: str | None) -> tuple[str, bool]:
    """The profile name, and whether it was asked for by name (so must exist)."""
    if requested:
        return requested, True
    from_environment = os.environ.get("CHEF_PROFILE")
    if from_environment:
        return from_environment, True
    context = chef_directory() / "context"
    if context.is_file():
        named = context.read_text(encoding="utf-8").strip()
        if named:
            return named, True
    return DEFAULT_PROFILE, False


def read_credentials(path: Path) -> dict[str, Any]:
    """Parse the credentials TOML; InputFileError naming file and line if bad."""
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        return {}
    except tomllib.TOMLDecodeError as exc:
        raise InputFileError(
            f"{_toml_location(path, exc)}: not valid TOML: {exc}",
            hint="fix the file and try again",
        ) from exc
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror}") from exc


def _toml_location(path: Path, error: tomllib.TOMLDecodeError) -> str:
    """``path:line:column`` from tomllib's "(at line L, column C)" message."""
    found = re.search(r"at line (\d+), column (\d+)", str(error))
    if found is None:
        return str(path)
    return f"{path}:{found[1]}:{found[2]}"


def load_settings(overrides: Overrides | None = None) -> Settings:
    """Read the credentials file and apply ``overrides``; raise ConfigError on problems.

    Cost: one small file read; keys are not read until ``Key.load``.
    """
    overrides = overrides or Overrides()
    name, explicit = choose_profile(overrides.profile)
    path = credentials_path()
    document = read_credentials(path)

    table = document.get(name)
    if table is None and explicit:
        raise ConfigError(
            f"profile '{name}' is not in {path}",
            hint="run 'kitchenctl config init' to add it, or pick another --profile",
        )
    if table is not None and not isinstance(table, dict):
        raise InputFileError(f"{path}: '{name}' is not a table of settings")

    settings = _settings_from_table(name, path if path.exists() else None, table or {})
    return _apply_overrides(settings, overrides)


def _settings_from_table(
    name: str, path: Path | None, table: Mapping[str, Any]
) -> Settings:
    origin = f"profile '{name}' in {path}" if path else f"profile '{name}'"

    def text(key: str) -> str | None:
        value = table.get(key)
        if value is None:
            return None
        if not isinstance(value, str):
            raise InputFileError(f"{path}: [{name}] {key} must be a string")
        return value

    if "client_name" in table and "node_name" in table:
        raise InputFileError(
            f"{path}: [{name}] sets both client_name and node_name",
            hint="keep one of them; they mean the same thing",
        )
    client_key = text("client_key")
    validation_key = text("validation_key") or text("validator_key")
    knife = table.get("knife", {})
    if not isinstance(knife, dict):
        raise InputFileError(f"{path}: [{name}] knife must be a table")

    return Settings(
        profile=name,
        credentials_file=path,
        server_url=_strip_slash(text("chef_server_url")),
        server_root=_strip_slash(text("chef_server_root")),
        client_name=text("client_name") or text("node_name"),
        client_key=Key.from_setting(client_key, origin=origin) if client_key else None,
        validation_client_name=text("validation_client_name"),
        validation_key=(
            Key.from_setting(validation_key, origin=origin) if validation_key else None
        ),
        signing_protocol=_signing_protocol(table, path, name),
        ssl_verify=text("ssl_verify_mode") not in (":verify_none", "verify_none"),
        knife=dict(knife),
        extra={key: value for key, value in table.items() if key not in _KNOWN_KEYS},
    )


def _signing_protocol(table: Mapping[str, Any], path: Path | None, name: str) -> str:
    for key in SIGNING_PROTOCOL_KEYS:
        if key in table:
            value = str(table[key])
            if value not in PROTOCOLS:
                raise InputFileError(
                    f"{path}: [{name}] {key} = {value!r} is not a signing protocol",
                    hint=f"use one of {', '.join(PROTOCOLS)}",
                )
            return value
    return DEFAULT_PROTOCOL


def _strip_slash(url: str | None) -> str | None:
    return url.rstrip("/") if url else url


def _apply_overrides(settings: Settings, overrides: Overrides) -> Settings:
    from dataclasses import replace

    changes: dict[str, Any] = {}
    if overrides.server_url:
        changes["server_url"] = _strip_slash(overrides.server_url)
    if overrides.client_name:
        changes["client_name"] = overrides.client_name
    if overrides.key:
        changes["client_key"] = Key(
            path=overrides.key.expanduser().absolute(), origin="--key"
        )
    return replace(settings, **changes)


def validation_client_name(settings: Settings) -> str:
    """``ORG-validator`` for an organisation URL, else ``chef-validator``."""
    if settings.validation_client_name:
        return settings.validation_client_name
    url = settings.server_url or ""
    marker = "/organizations/"
    if marker in url:
        return url.split(marker, 1)[1].split("/", 1)[0] + "-validator"
    return "chef-validator"


# Writing.


class ProfileExists(ConfigError):
    """``add_profile`` would replace a profile and was not told to."""

    def __init__(self, name: str, path: Path) -> None:
        super().__init__(
            f"profile '{name}' already exists in {path}",
            hint="pass --force to replace it",
        )
        self.profile = name
        self.path = path


def add_profile(
    path: Path,
    name: str,
    values: Mapping[str, Any],
    *,
    force: bool = False,
) -> None:
    """Write profile ``name`` with ``values`` into the credentials file at ``path``.

    Other profiles, comments and formatting are kept. ``values`` holds TOML-able
    values; a nested mapping (such as ``knife``) becomes a ``[name.knife]`` table.
    The file is written atomically with mode 0600, because it may hold inline keys.
    Raises ProfileExists when ``name`` is there and ``force`` is false.
    """
    import tomlkit

    try:
        existing = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        existing = ""
    try:
        document = tomlkit.parse(existing)
    except tomlkit.exceptions.ParseError as exc:
        raise InputFileError(f"{path}: not valid TOML: {exc}") from exc

    if name in document and not force:
        raise ProfileExists(name, path)
    document[name] = _toml_table(values)
    write_atomic(path, tomlkit.dumps(document), mode=0o600)


def _toml_table(values: Mapping[str, Any]) -> Any:
    import tomlkit

    table = tomlkit.table()
    for key, value in values.items():
        if value is None:
            continue
        table[key] = _toml_table(value) if isinstance(value, Mapping) else value
    return table
