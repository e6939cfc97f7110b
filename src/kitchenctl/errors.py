"""Errors kitchenctl expects, each with the exit code users and scripts can rely on.

The tree::

    KitchenctlError                  1  base; never raised itself
    ├── UsageError                   2  bad arguments or options
    ├── Aborted                      3  the user answered no to a question
    ├── ConfigError                  4  credentials, profiles, keys
    ├── InputFileError               5  a file kitchenctl reads is malformed
    │   ├── RubyEvalError            5  metadata.rb / Berksfile outside the safe subset
    │   └── InvalidCookbookFiles     5  file names Chef rejects, all listed in one error
    ├── ServerError                 10  the Chef server answered badly or not at all
    │   ├── NotFound                 6  404
    │   ├── Conflict                 7  409 (an object exists, a cookbook is frozen)
    │   │   └── FrozenCookbook       7  a cookbook version is frozen on the server
    │   ├── AuthenticationFailed     8  401
    │   ├── Forbidden                9  403
    │   └── Unreachable             10  connection refused, timeout, TLS
    ├── ResolutionError             11  no cookbook versions satisfy the demands
    ├── LockfileError               12  Berksfile.lock missing or out of sync
    ├── BootstrapFailed             13  one or more hosts failed to bootstrap
    ├── SSHError                    14  SSH connection, authentication or host key
    │   └── HostKeyError            15  unknown or changed host key
    └── LocalFileError              16  a local file cannot be written or found

Every error carries a one-line ``message`` (what went wrong, and where) and an optional
``hint`` (what to do about it). The CLI prints both on one line and exits with
``exit_code``; docs/exit-codes.md lists the codes and changes with this file.
"""

from __future__ import annotations


class KitchenctlError(Exception):
    """Base of every error kitchenctl expects and reports without a traceback."""

    exit_code = 1

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        if self.hint:
            return f"{self.message} ({self.hint})"
        return self.message


class UsageError(KitchenctlError):
    exit_code = 2


class Aborted(KitchenctlError):
    exit_code = 3


class ConfigError(KitchenctlError):
    exit_code = 4


class InputFileError(KitchenctlError):
    """A file the user owns cannot be read; the message names file:line."""

    exit_code = 5


class RubyEvalError(InputFileError):
    """metadata.rb or a Berksfile uses Ruby outside the subset kitchenctl evaluates."""


class InvalidCookbookFiles(InputFileError):
    """A cookbook holds file names Chef rejects; ``files`` lists every one of them."""

    def __init__(
        self, message: str, *, hint: str | None = None, files: tuple[str, ...] = ()
    ) -> None:
        super().__init__(message, hint=hint)
        self.files = files


class ServerError(KitchenctlError):
    """The Chef server answered with an error, or an answer kitchenctl cannot use."""

    exit_code = 10

    def __init__(
        self, message: str, *, hint: str | None = None, status: int | None = None
    ) -> None:
        super().__init__(message, hint=hint)
        self.status = status


class NotFound(ServerError):
    exit_code = 6


class Conflict(ServerError):
    exit_code = 7


class FrozenCookbook(Conflict):
    """A cookbook version exists and is frozen; ``cookbook`` and ``version`` name it."""

    def __init__(self, cookbook: str, version: str, server_url: str) -> None:
        super().__init__(
            f"The cookbook {cookbook} ({version}) already exists and is frozen on "
            f"the Chef Server at {server_url}",
            hint="use the --force option to override",
            status=409,
        )
        self.cookbook = cookbook
        self.version = version


class AuthenticationFailed(ServerError):
    exit_code = 8


class Forbidden(ServerError):
    exit_code = 9


class Unreachable(ServerError):
    exit_code = 10


class ResolutionError(KitchenctlError):
    exit_code = 11


class LockfileError(KitchenctlError):
    exit_code = 12


class BootstrapFailed(KitchenctlError):
    exit_code = 13


class SSHError(KitchenctlError):
    exit_code = 14


class HostKeyError(SSHError):
    exit_code = 15


class LocalFileError(KitchenctlError):
    """kitchenctl could not write (or find) a file of its own: permissions, space."""

    exit_code = 16
