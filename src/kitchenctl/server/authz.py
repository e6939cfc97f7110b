"""What an authenticated actor may do.

The rules are the small set a one-machine server needs, and enough for bootstrap:

- admins (users or clients with ``admin``) may do everything;
- a validator may create clients, and nothing else;
- any other client or user may read everything in the organisation; a client may also
  create the node named after itself, update that node, and update its own client
  record (a new key).
"""

from __future__ import annotations

from enum import Enum

from kitchenctl.server.auth import Actor
from kitchenctl.server.protocol import ApiError


class Access(Enum):
    READ = "read"
    ADMIN = "admin"
    CREATE_CLIENT = "create client"
    OWN_NODE = "own node"
    OWN_CLIENT = "own client"


_PERMISSION_WORD = {
    Access.READ: "read",
    Access.ADMIN: "update",
    Access.CREATE_CLIENT: "create",
    Access.OWN_NODE: "update",
    Access.OWN_CLIENT: "update",
}


def authorize(actor: Actor, access: Access, target: str | None = None) -> None:
    """Return when ``actor`` may do ``access`` on ``target``; raise ApiError 403."""
    if _allowed(actor, access, target):
        return
    word = _PERMISSION_WORD[access]
    raise ApiError(403, f"missing {word} permission")


def _allowed(actor: Actor, access: Access, target: str | None) -> bool:
    if actor.admin:
        return True
    if actor.validator:
        return access is Access.CREATE_CLIENT
    if access is Access.READ:
        return True
    if access in (Access.OWN_NODE, Access.OWN_CLIENT):
        return actor.kind == "client" and target == actor.name
    return False
