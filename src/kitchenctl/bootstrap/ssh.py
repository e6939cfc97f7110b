"""SSH to one host with paramiko: addresses, ~/.ssh/config, host keys, sudo, streaming.

Where knife's train transport falls short (knife.md §1.3, §4), this module:

- ``~/.ssh/config`` is read for HostName, User, Port, IdentityFile and ProxyJump, and
  ``known_hosts`` is honoured; ``accept-new`` really appends the new key.
- A sudo password goes over the channel when sudo prompts for it, never on a command
  line, and is scrubbed from any output; a PTY is requested only when sudo demands a
  terminal (``Defaults requiretty``).
- Connection failures are retried a bounded number of times with a bounded random delay;
  authentication and host key failures are not retried.

Every paramiko or socket error is translated here into SSHError or HostKeyError.
"""

from __future__ import annotations

import codecs
import getpass
import logging
import random
import re
import shlex
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

from kitchenctl.errors import HostKeyError, SSHError, UsageError

if TYPE_CHECKING:
    import paramiko

logger = logging.getLogger(__name__)

SUDO_PROMPT = "[kitchenctl] sudo password for %p: "
MASK = "***MASKED***"
_TTY_REQUIRED = re.compile(r"must have a tty|terminal is required|no tty present", re.I)
_PASSWORD_REQUIRED = re.compile(r"a password is required", re.I)
_PASSWORD_WRONG = re.compile(
    r"^sudo: \d+ incorrect password attempts?$|^Sorry, try again"
)

# Only one thread at a time appends to a known_hosts file.
_KNOWN_HOSTS_LOCK = threading.Lock()


class HostKeyCheck(StrEnum):
    always = "always"
    accept_new = "accept-new"
    never = "never"


@dataclass(frozen=True)
class HostAddress:
    """``[USER@]HOST[:PORT]`` as the user typed it; ``[::1]:2222`` for IPv6."""

    host: str
    user: str | None = None
    port: int | None = None

    def __str__(self) -> str:
        return self.host


def parse_address(text: str) -> HostAddress:
    """Split ``[USER@]HOST[:PORT]``; raise UsageError for an empty host or bad port."""
    user, _, rest = text.rpartition("@")
    host, port_text = rest, ""
    if rest.startswith("["):
        host, _, tail = rest[1:].partition("]")
        port_text = tail.removeprefix(":")
    elif rest.count(":") == 1:
        host, _, port_text = rest.partition(":")

    if not host:
        raise UsageError(f"{text!r} names no host", hint="use [USER@]HOST[:PORT]")
    if port_text and not (port_text.isdigit() and 0 < int(port_text) < 65536):
        raise UsageError(f"{text!r} has a bad port {port_text!r}")
    return HostAddress(host, user or None, int(port_text) if port_text else None)


@dataclass(frozen=True)
class ConnectOptions:
    """How to reach hosts: command-line choices that apply to every host."""

    user: str | None = None
    port: int | None = None
    identity_files: tuple[Path, ...] = ()
    password: str | None = field(default=None, repr=False)
    gateway: str | None = None
    host_key_check: HostKeyCheck = HostKeyCheck.always
    known_hosts: Path | None = None
    ssh_config: Path | None = None
    use_agent: bool = True
    timeout: float = 15.0
    attempts: int = 3
    retry_delay: float = 2.0
    # A command silent for this long fails its host; None waits for ever, as ssh does.
    idle_timeout: float | None = None

    def known_hosts_file(self) -> Path:
        return self.known_hosts or Path.home() / ".ssh" / "known_hosts"


@dataclass(frozen=True)
class Target:
    """One host after ~/.ssh/config and the options are applied."""

    name: str
    hostname: str
    port: int
    user: str
    identity_files: tuple[Path, ...] = ()
    proxy_jump: str | None = None

    @property
    def known_hosts_name(self) -> str:
        """The name known_hosts files use: ``host``, or ``[host]:port`` off port 22."""
        if self.port == 22:
            return self.hostname
        return f"[{self.hostname}]:{self.port}"


def resolve_target(address: HostAddress, options: ConnectOptions) -> Target:
    """Apply ~/.ssh/config and the options to an address.

    The address wins over the options, the options over ssh_config: ``alice@web1``
    with ``-U bob`` connects as alice, as ``ssh -l bob alice@web1`` would.
    """
    config = _host_config(address.host, options)
    if "proxycommand" in config and not options.gateway:
        raise SSHError(
            f"~/.ssh/config gives {address.host} a ProxyCommand, which kitchenctl "
            "does not run",
            hint="use ProxyJump (or -G/--gateway) for the jump host instead",
        )
    identities = [*options.identity_files]
    identities += [Path(path).expanduser() for path in config.get("identityfile", [])]
    proxy_jump = options.gateway or config.get("proxyjump")
    if proxy_jump == "none":
        proxy_jump = None

    return Target(
        name=address.host,
        hostname=config.get("hostname", address.host),
        port=address.port or options.port or int(config.get("port", 22)),
        user=address.user or options.user or config.get("user") or getpass.getuser(),
        identity_files=tuple(identities),
        proxy_jump=proxy_jump,
    )


def _host_config(host: str, options: ConnectOptions) -> paramiko.SSHConfigDict:
    import paramiko

    path = options.ssh_config or Path.home() / ".ssh" / "config"
    if not path.is_file():
        return paramiko.SSHConfigDict()
    try:
        config = paramiko.SSHConfig.from_path(str(path))
    except (OSError, paramiko.ConfigParseError) as exc:
        raise SSHError(f"cannot read {path}: {exc}", hint="fix the file") from exc
    return config.lookup(host)


@dataclass(frozen=True)
class Privilege:
    """How commands that need root run: as the user, or through sudo."""

    sudo: bool = False
    password: str | None = field(default=None, repr=False)
    pty: bool = False


LineHandler = Callable[[str], None]


class Session:
    """An open SSH connection to one host (and its jump host, if any)."""

    def __init__(
        self,
        client: paramiko.SSHClient,
        target: Target,
        jump: Session | None = None,
        *,
        idle_timeout: float | None = None,
    ) -> None:
        self._client = client
        self.target = target
        self._jump = jump
        self._idle_timeout = idle_timeout

    def close(self) -> None:
        self._client.close()
        if self._jump is not None:
            self._jump.close()

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # Running commands.

    def run(
        self,
        command: str,
        *,
        privilege: Privilege = Privilege(),
        stdin: bytes | None = None,
        on_line: LineHandler | None = None,
    ) -> tuple[int, str]:
        """Run ``command`` (through sudo when asked); return exit status and output.

        stdout and stderr arrive merged, line by line, through ``on_line``. The sudo
        password is sent only when sudo prompts, and scrubbed from the output.
        """
        wrapped = _sudo_wrap(command, privilege) if privilege.sudo else command
        logger.debug("%s: running %s", self.target.name, wrapped)
        try:
            status, output = self._exec(wrapped, privilege, stdin, on_line)
        except TimeoutError as exc:
            raise SSHError(
                f"{self.target.name} printed nothing for {self._idle_timeout:g} s",
                hint="check what the script waits for, or raise --session-timeout",
            ) from exc
        except (OSError, EOFError) as exc:
            raise self._lost(exc) from exc
        except _paramiko_errors() as exc:
            raise self._lost(exc) from exc

        # sudo may give up before its second prompt reaches us: read its last words.
        if status != 0 and privilege.password and _sudo_refused(output):
            raise _refused(self.target.name)
        return status, output

    def _lost(self, exc: BaseException) -> SSHError:
        return SSHError(
            f"the SSH connection to {self.target.name} failed: {exc}",
            hint="check the host and the network, then bootstrap it again",
        )

    def _exec(
        self,
        command: str,
        privilege: Privilege,
        stdin: bytes | None,
        on_line: LineHandler | None,
    ) -> tuple[int, str]:
        transport = self._client.get_transport()
        if transport is None or not transport.is_active():
            raise SSHError(f"the SSH connection to {self.target.name} is closed")
        channel = transport.open_session()
        channel.settimeout(self._idle_timeout)
        try:
            if privilege.sudo and privilege.pty:
                channel.get_pty(width=200)
            else:
                channel.set_combine_stderr(True)
            channel.exec_command(command)
            if stdin is not None:
                channel.sendall(stdin)
            expects_password = privilege.sudo and privilege.password is not None
            if not expects_password:
                channel.shutdown_write()
            reader = _OutputReader(channel, privilege, on_line, self.target.name)
            output = reader.read_all()
            return channel.recv_exit_status(), output
        finally:
            channel.close()

    # Steps of a bootstrap.

    def check_sudo(self, privilege: Privilege) -> Privilege:
        """Prove sudo works before anything is registered; learn whether it needs a PTY.

        Raises SSHError when sudo asks for a password nobody gave, refuses the given
        one, or is missing.
        """
        if not privilege.sudo:
            return privilege
        status, output = self.run("true", privilege=privilege)
        if status != 0 and _TTY_REQUIRED.search(output) and not privilege.pty:
            logger.info("%s: sudo needs a terminal; using a PTY", self.target.name)
            privilege = replace(privilege, pty=True)
            status, output = self.run("true", privilege=privilege)
        if status == 0:
            return privilege
        if _PASSWORD_REQUIRED.search(output):
            raise SSHError(
                f"sudo on {self.target.name} asks for a password",
                hint="pass --use-sudo-password (it is asked for, or read from "
                "KITCHENCTL_SUDO_PASSWORD)",
            )
        last_line = output.strip().splitlines()[-1:] or ["no output"]
        raise SSHError(f"sudo on {self.target.name} failed: {last_line[0]}")

    def upload_script(self, script: str) -> str:
        """Put ``script`` into a new private folder (mktemp -d, 0700); return its path.

        The script travels on stdin, so its secrets never appear in a command line.
        """
        command = (
            "umask 077 && "
            'dir=$(mktemp -d "${TMPDIR:-/tmp}/kitchenctl.XXXXXXXX") && '
            'chmod 700 "$dir" && cat > "$dir/bootstrap.sh" && printf "%s\\n" "$dir"'
        )
        status, output = self.run(command, stdin=script.encode("utf-8"))
        folder = output.strip().splitlines()[-1:] or [""]
        if status != 0 or not folder[0].startswith("/"):
            raise SSHError(
                f"cannot upload the bootstrap script to {self.target.name}: "
                f"{output.strip() or f'exit status {status}'}",
                hint="check that mktemp works and the temp folder has space",
            )
        return folder[0]

    def remove_folder(self, folder: str, privilege: Privilege) -> None:
        """Remove the upload folder; as root too when the script left root's files."""
        status, _ = self.run(f"rm -rf {shlex.quote(folder)}")
        if status != 0 and privilege.sudo:
            self.run(f"rm -rf {shlex.quote(folder)}", privilege=privilege)


def _sudo_wrap(command: str, privilege: Privilege) -> str:
    inner = f"sh -c {shlex.quote(command)}"
    prompt = shlex.quote(SUDO_PROMPT)
    if privilege.password is None:
        return f"sudo -n -- {inner}"
    if privilege.pty:
        # On a terminal sudo reads the password from it with echo off.
        return f"sudo -p {prompt} -- {inner}"
    return f"sudo -S -p {prompt} -- {inner}"


def _sudo_refused(output: str) -> bool:
    """sudo's own verdict on a wrong password, as the last thing it printed."""
    last_lines = output.strip().splitlines()[-2:]
    return any(_PASSWORD_WRONG.search(line) for line in last_lines)


def _refused(host: str) -> SSHError:
    return SSHError(
        f"sudo on {host} refused the password", hint="check --use-sudo-password"
    )


class _OutputReader:
    """Reads a channel to its end: answers the sudo prompt once, splits lines."""

    def __init__(
        self,
        channel: paramiko.Channel,
        privilege: Privilege,
        on_line: LineHandler | None,
        host: str,
    ) -> None:
        self._channel = channel
        self._privilege = privilege
        self._on_line = on_line
        self._host = host
        self._decoder = codecs.getincrementaldecoder("utf-8")("replace")
        self._pending = ""
        self._lines: list[str] = []
        self._password_sent = False
        self._skip_blank_line = False

    def read_all(self) -> str:
        while True:
            data = self._channel.recv(65536)
            if not data:
                break
            self._feed(self._decoder.decode(data))
        self._feed(self._decoder.decode(b"", final=True))
        if self._pending:
            self._emit(self._pending)
            self._pending = ""
        return "\n".join(self._lines)

    def _feed(self, text: str) -> None:
        self._pending += text.replace("\r\n", "\n").replace("\r", "\n")
        self._answer_prompt()
        *complete, self._pending = self._pending.split("\n")
        for line in complete:
            self._emit(line)

    def _answer_prompt(self) -> None:
        prompt_start = self._pending.find("[kitchenctl] sudo password for ")
        if prompt_start < 0 or not self._pending.rstrip().endswith(":"):
            return
        password = self._privilege.password
        if password is None or self._password_sent:
            # A second prompt means the password was wrong; stop instead of hanging.
            self._channel.close()
            raise _refused(self._host)
        self._pending = self._pending[:prompt_start]
        self._channel.sendall(f"{password}\n".encode())
        if not self._privilege.pty:
            self._channel.shutdown_write()
        self._password_sent = True
        # On a PTY sudo ends the prompt's line itself once it has the password.
        self._skip_blank_line = self._privilege.pty

    def _emit(self, line: str) -> None:
        if self._skip_blank_line:
            self._skip_blank_line = False
            if not line:
                return
        password = self._privilege.password
        if password and password in line:
            line = line.replace(password, MASK)
        self._lines.append(line)
        if self._on_line is not None:
            self._on_line(line)


# Connecting.


def connect(target: Target, options: ConnectOptions) -> Session:
    """Open a session to ``target`` (through its jump host), retrying network errors.

    Raises HostKeyError for an unknown or changed host key, SSHError for authentication
    and for network errors that outlast ``options.attempts``.
    """
    jump: Session | None = None
    if target.proxy_jump:
        # As OpenSSH reads "a,b": the last hop is reached through the ones before it.
        *earlier_hops, last_hop = target.proxy_jump.split(",")
        jump_options = replace(
            options, gateway=",".join(earlier_hops) or None, port=None
        )
        jump = connect(
            resolve_target(parse_address(last_hop), jump_options), jump_options
        )

    try:
        client = _with_retries(target, options, lambda: _open(target, options, jump))
    except BaseException:
        if jump is not None:
            jump.close()
        raise
    return Session(client, target, jump, idle_timeout=options.idle_timeout)


def _with_retries(
    target: Target,
    options: ConnectOptions,
    attempt: Callable[[], paramiko.SSHClient],
) -> paramiko.SSHClient:
    for number in range(1, options.attempts + 1):
        try:
            return attempt()
        except _Retryable as exc:
            if number == options.attempts:
                raise SSHError(
                    f"cannot connect to {target.name} ({target.hostname} port "
                    f"{target.port}) after {number} attempts: {exc.reason}",
                    hint="check the address, the port and that sshd runs there",
                ) from exc.__cause__
            # A random delay spreads a fleet's retries (jitter, not a secret: S311).
            delay = random.uniform(options.retry_delay / 2, options.retry_delay)  # noqa: S311
            logger.info("%s: %s; retrying in %.1fs", target.name, exc.reason, delay)
            time.sleep(delay)
    raise AssertionError("unreachable: attempts must be at least 1")


class _Retryable(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _open(
    target: Target, options: ConnectOptions, jump: Session | None
) -> paramiko.SSHClient:
    import paramiko

    client = paramiko.SSHClient()
    _apply_host_key_policy(client, options)
    try:
        sock = _jump_channel(jump, target) if jump is not None else None
        client.connect(
            target.hostname,
            port=target.port,
            username=target.user,
            password=options.password,
            # paramiko takes a list here; types-paramiko says str only.
            key_filename=_key_files(target),  # type: ignore[arg-type]
            allow_agent=options.use_agent,
            look_for_keys=not target.identity_files,
            timeout=options.timeout,
            banner_timeout=options.timeout,
            auth_timeout=options.timeout,
            sock=sock,
        )
    except BaseException as exc:
        client.close()
        raise _translate_connect_error(exc, target, options) from exc
    return client


def _key_files(target: Target) -> list[str] | None:
    return [str(path) for path in target.identity_files] or None


def _jump_channel(jump: Session, target: Target) -> paramiko.Channel:
    transport = jump._client.get_transport()
    if transport is None:
        raise _Retryable(f"the jump host {jump.target.name} closed the connection")
    try:
        return transport.open_channel(
            "direct-tcpip", (target.hostname, target.port), ("127.0.0.1", 0)
        )
    except _paramiko_errors() as exc:
        raise _Retryable(
            f"the jump host {jump.target.name} cannot reach "
            f"{target.hostname}:{target.port}: {exc}"
        ) from exc


def _translate_connect_error(
    exc: BaseException, target: Target, options: ConnectOptions
) -> BaseException:
    import paramiko

    where = f"{target.user}@{target.hostname} port {target.port}"
    if isinstance(exc, _Retryable | HostKeyError | SSHError):
        return exc
    if isinstance(exc, paramiko.BadHostKeyException):
        return _changed_key_error(exc, target, options)
    if isinstance(exc, paramiko.AuthenticationException):
        return SSHError(
            f"authentication as {where} failed",
            hint="pass -i KEY, add the key to ssh-agent, or use --ssh-password",
        )
    if isinstance(exc, paramiko.SSHException) and "not found in known_hosts" in str(
        exc
    ):
        return _unknown_key_error(target, options)
    if isinstance(exc, paramiko.SSHException | OSError | EOFError):
        return _Retryable(str(exc) or type(exc).__name__)
    return exc


def _unknown_key_error(target: Target, options: ConnectOptions) -> HostKeyError:
    port = f" -p {target.port}" if target.port != 22 else ""
    return HostKeyError(
        f"the host key of {target.name} ({target.known_hosts_name}) is unknown",
        hint=f"check it and add it (ssh-keyscan{port} {target.hostname} >> "
        f"{options.known_hosts_file()}), or pass --host-key-check accept-new",
    )


def _changed_key_error(
    exc: paramiko.BadHostKeyException, target: Target, options: ConnectOptions
) -> HostKeyError:
    name = shlex.quote(target.known_hosts_name)
    return HostKeyError(
        f"the host key of {target.name} ({target.known_hosts_name}) has CHANGED: "
        f"known_hosts has {_fingerprint(exc.expected_key)}, the host sent "
        f"{_fingerprint(exc.key)}",
        hint="someone may be intercepting the connection; if the host was reinstalled, "
        f"run ssh-keygen -R {name} -f {options.known_hosts_file()} and bootstrap again",
    )


def _fingerprint(key: paramiko.PKey) -> str:
    return f"{key.get_name()} {key.fingerprint}"


def _apply_host_key_policy(client: paramiko.SSHClient, options: ConnectOptions) -> None:
    import paramiko

    if options.host_key_check is HostKeyCheck.never:
        client.set_missing_host_key_policy(_unchecked_policy())
        return

    known_hosts = options.known_hosts_file()
    if known_hosts.is_file():
        with _KNOWN_HOSTS_LOCK:
            client.load_host_keys(str(known_hosts))
    if options.host_key_check is HostKeyCheck.accept_new:
        client.set_missing_host_key_policy(_accept_new_policy(known_hosts))
    else:
        client.set_missing_host_key_policy(paramiko.RejectPolicy())


def _unchecked_policy() -> paramiko.MissingHostKeyPolicy:
    """``--host-key-check never``: any key is accepted, nothing is stored."""
    import paramiko

    class Unchecked(paramiko.MissingHostKeyPolicy):
        def missing_host_key(
            self, client: paramiko.SSHClient, hostname: str, key: paramiko.PKey
        ) -> None:
            logger.warning(
                "Not checking the host key of %s (%s)", hostname, _fingerprint(key)
            )

    return Unchecked()


def _accept_new_policy(known_hosts: Path) -> paramiko.MissingHostKeyPolicy:
    """A policy appending an unknown host's key to known_hosts, as OpenSSH's
    ``StrictHostKeyChecking accept-new`` does. A changed key never reaches a policy:
    paramiko refuses it first (BadHostKeyException).
    """
    import paramiko
    from paramiko.hostkeys import HostKeyEntry

    class AcceptNew(paramiko.MissingHostKeyPolicy):
        def missing_host_key(
            self, client: paramiko.SSHClient, hostname: str, key: paramiko.PKey
        ) -> None:
            line = HostKeyEntry([hostname], key).to_line() or ""
            with _KNOWN_HOSTS_LOCK:
                known_hosts.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
                with known_hosts.open("a", encoding="utf-8") as handle:
                    handle.write(line)
            client.get_host_keys().add(hostname, key.get_name(), key)
            logger.warning(
                "Permanently added %s (%s) to %s",
                hostname,
                _fingerprint(key),
                known_hosts,
            )

    return AcceptNew()


def _paramiko_errors() -> tuple[type[BaseException], ...]:
    import paramiko

    return (paramiko.SSHException, socket.timeout)
