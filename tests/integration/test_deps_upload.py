"""``upload_locked`` against real Chef servers: the issue's example, from a lockfile."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from kitchenctl.api import ChefServerAPI
from kitchenctl.config import Key
from kitchenctl.cookbook_loader import LoadedCookbook, load_cookbook
from kitchenctl.deps_upload import upload_locked
from kitchenctl.errors import FrozenCookbook
from kitchenctl.lockfile import LockedCookbook, Lockfile, parse_lockfile
from tests.fixtures.chef_servers import ChefServerHandle
from tests.fixtures.sample_cookbooks import dockerhost_with_dependencies, set_version


@pytest.fixture
def api(chef_server: ChefServerHandle) -> Iterator[ChefServerAPI]:
    key = Key(path=chef_server.admin_key, origin="test")
    with ChefServerAPI(
        server_url=chef_server.url,
        client_name=chef_server.admin_name,
        key=key.load(),
    ) as client:
        yield client


def _lockfile(prefix: str, dockerhost_version: str) -> Lockfile:
    return parse_lockfile(
        "DEPENDENCIES\n"
        f"  {prefix}dockerhost\n"
        "    path: .\n"
        "    metadata: true\n"
        "\n"
        "GRAPH\n"
        f"  {prefix}apt (2.7.0)\n"
        f"  {prefix}docker (1.0.0)\n"
        f"    {prefix}apt (>= 2.0.0)\n"
        f"  {prefix}dockerhost ({dockerhost_version})\n"
        f"    {prefix}apt (>= 0.0.0)\n"
        f"    {prefix}docker (~> 1.0)\n"
    )


def test_example_flow_from_the_lockfile(
    api: ChefServerAPI, tmp_path: Path, unique_name: str
) -> None:
    prefix = f"{unique_name}-"
    dockerhost_with_dependencies(tmp_path, prefix)

    def load(locked: LockedCookbook) -> LoadedCookbook:
        return load_cookbook(tmp_path / locked.name)

    first = upload_locked(api, _lockfile(prefix, "0.1.0"), load)
    set_version(tmp_path / f"{prefix}dockerhost", "0.2.0")
    second = upload_locked(api, _lockfile(prefix, "0.2.0"), load, halt_on_frozen=True)
    with pytest.raises(FrozenCookbook, match=f"{prefix}dockerhost"):
        upload_locked(api, _lockfile(prefix, "0.2.0"), load, halt_on_frozen=True)
    named = upload_locked(api, _lockfile(prefix, "0.2.0"), load, names=[f"{prefix}apt"])

    assert [(r.name, r.status.value) for r in first.results] == [
        (f"{prefix}apt", "uploaded"),
        (f"{prefix}docker", "uploaded"),
        (f"{prefix}dockerhost", "uploaded"),
    ]
    assert all(r.frozen for r in first.results)
    # The frozen dependencies are skipped even with --halt-on-frozen.
    assert [(r.label, r.status.value) for r in second.results] == [
        (f"{prefix}apt (2.7.0)", "skipped-frozen"),
        (f"{prefix}docker (1.0.0)", "skipped-frozen"),
        (f"{prefix}dockerhost (0.2.0)", "uploaded"),
    ]
    assert second.requests.file_uploads == 1  # metadata.json changed, nothing else
    assert [(r.label, r.status.value) for r in named.results] == [
        (f"{prefix}apt (2.7.0)", "skipped-frozen")
    ]
