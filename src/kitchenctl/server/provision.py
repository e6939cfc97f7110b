"""The first start of a server: its organisation's actors, keys and ``_default``."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from kitchenctl.fileutil import write_atomic
from kitchenctl.server import ADMIN_USER, DEFAULT_ORG, VALIDATOR_CLIENT
from kitchenctl.server.store import ROOT, Store
from kitchenctl.signing import generate_key_pair

DEFAULT_ENVIRONMENT = {
    "name": "_default",
    "description": "The default Chef environment",
    "json_class": "Chef::Environment",
    "chef_type": "environment",
    "cookbook_versions": {},
    "default_attributes": {},
    "override_attributes": {},
}


@dataclass(frozen=True)
class Identities:
    """Who the server was set up for, and where their private keys are."""

    org: str
    admin_name: str
    admin_key: Path
    validator_name: str
    validator_key: Path
    created: bool  # True on the first start


def key_paths(data_dir: Path) -> tuple[Path, Path]:
    return data_dir / f"{ADMIN_USER}.pem", data_dir / f"{VALIDATOR_CLIENT}.pem"


def provision(store: Store, data_dir: Path, org: str = DEFAULT_ORG) -> Identities:
    """Create the admin user, the validator and ``_default`` unless they exist.

    Keys are written (mode 0600) before the actors are committed: a crash in between
    leaves keys without actors, and the next start simply makes new ones.
    """
    admin_key, validator_key = key_paths(data_dir)
    created = store.get(ROOT, "user", ADMIN_USER) is None
    if created:
        _create_actors(store, org, admin_key, validator_key)
    with store.transaction():
        store.insert(org, "environment", "_default", dict(DEFAULT_ENVIRONMENT))
    return Identities(
        org, ADMIN_USER, admin_key, VALIDATOR_CLIENT, validator_key, created
    )


def _create_actors(
    store: Store, org: str, admin_key: Path, validator_key: Path
) -> None:
    admin, validator = generate_key_pair(), generate_key_pair()
    write_atomic(admin_key, admin.private_pem, mode=0o600)
    write_atomic(validator_key, validator.private_pem, mode=0o600)

    with store.transaction():
        store.put(
            ROOT,
            "user",
            ADMIN_USER,
            {
                "username": ADMIN_USER,
                "display_name": "kitchenctl local administrator",
                "admin": True,
                "public_key": admin.public_pem,
                "chef_type": "user",
                "json_class": "Chef::User",
            },
        )
        store.put(
            org,
            "client",
            VALIDATOR_CLIENT,
            {
                "name": VALIDATOR_CLIENT,
                "clientname": VALIDATOR_CLIENT,
                "orgname": org,
                "admin": False,
                "validator": True,
                "public_key": validator.public_pem,
                "chef_type": "client",
                "json_class": "Chef::ApiClient",
            },
        )
