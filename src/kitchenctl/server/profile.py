"""The ``local`` credentials profile that points kitchenctl at the embedded server."""

from __future__ import annotations

from enum import Enum
from pathlib import Path

from kitchenctl.config import add_profile, read_credentials
from kitchenctl.server.provision import Identities

LOCAL_PROFILE = "local"


class ProfileOutcome(Enum):
    ADDED = "added"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    KEPT_FOREIGN = "kept"  # a 'local' profile the user wrote for something else


def profile_values(actors: Identities, url: str) -> dict[str, str]:
    return {
        "client_name": actors.admin_name,
        "client_key": str(actors.admin_key.resolve()),
        "chef_server_url": f"{url}/organizations/{actors.org}",
        "validation_client_name": actors.validator_name,
        "validation_key": str(actors.validator_key.resolve()),
    }


def register_local_profile(
    credentials: Path, actors: Identities, url: str
) -> ProfileOutcome:
    """Add or refresh the ``local`` profile; every other profile stays as it was.

    A ``local`` profile whose key is not this server's admin key belongs to the user,
    and is left alone (KEPT_FOREIGN).
    """
    values = profile_values(actors, url)
    existing = read_credentials(credentials).get(LOCAL_PROFILE)
    if existing is None:
        add_profile(credentials, LOCAL_PROFILE, values)
        return ProfileOutcome.ADDED
    if (
        not isinstance(existing, dict)
        or existing.get("client_key") != values["client_key"]
    ):
        return ProfileOutcome.KEPT_FOREIGN
    if all(existing.get(key) == value for key, value in values.items()):
        return ProfileOutcome.UNCHANGED
    add_profile(credentials, LOCAL_PROFILE, values, force=True)
    return ProfileOutcome.UPDATED
