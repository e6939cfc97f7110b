"""deps install/update/outdated against a real HTTP Supermarket with real tarballs."""

from __future__ import annotations

import tarfile
from pathlib import Path

import pytest

from kitchenctl import deps
from kitchenctl.cookbook_store import CookbookStore
from kitchenctl.lockfile import read_lockfile
from kitchenctl.resolver import NoSolution
from tests.fixtures.supermarket import Supermarket


def make_cookbook(
    folder: Path, name: str, version: str, depends: dict[str, str]
) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    lines = [f"name '{name}'", f"version '{version}'"]
    lines += [f"depends '{dep}', '{constraint}'" for dep, constraint in depends.items()]
    (folder / "metadata.rb").write_text("\n".join(lines) + "\n")
    (folder / "README.md").write_text("# app\n")
    return folder


@pytest.fixture
def market(supermarket: Supermarket) -> Supermarket:
    supermarket.publish("apt", "2.6.0")
    supermarket.publish("apt", "2.7.0")
    supermarket.publish("apt", "3.0.0")
    supermarket.publish("web", "1.0.0", {"apt": "~> 2.6"})
    supermarket.publish("web", "1.1.0", {"apt": "~> 2.7"})
    return supermarket


def project_for(tmp_path: Path, market: Supermarket, **depends: str) -> deps.Project:
    folder = make_cookbook(tmp_path / "app", "app", "0.1.0", depends)
    return deps.load_project(folder / "Berksfile", default_source=market.url)


def test_install_resolves_downloads_and_locks(
    tmp_path: Path, market: Supermarket
) -> None:
    project = project_for(tmp_path, market, web="~> 1.0")
    store = CookbookStore(tmp_path / "store")

    result = deps.install(project, store)

    assert [c.line for c in result.cookbooks] == [
        "Using app (0.1.0) from source at .",
        "Installing apt (2.7.0)"
        + f" from {market.url} ([opscode] {market.url}/api/v1)",
        "Installing web (1.1.0)"
        + f" from {market.url} ([opscode] {market.url}/api/v1)",
    ]
    assert (store.path("apt", "2.7.0") / "metadata.json").is_file()
    # The download went through Supermarket's 302 to the tarball.
    assert "/api/v1/cookbooks/apt/versions/2.7.0/download" in market.requests
    assert "/tarballs/apt-2.7.0.tar.gz" in market.requests
    assert project.lockfile.read_text() == (
        "DEPENDENCIES\n  app\n    path: .\n    metadata: true\n\n"
        "GRAPH\n  app (0.1.0)\n    web (~> 1.0)\n  apt (2.7.0)\n"
        "  web (1.1.0)\n    apt (~> 2.7)\n"
    )


def test_second_install_trusts_the_lockfile(
    tmp_path: Path, market: Supermarket
) -> None:
    project = project_for(tmp_path, market, web="~> 1.0")
    store = CookbookStore(tmp_path / "store")
    deps.install(project, store)
    market.requests.clear()

    again = deps.install(project, store)

    assert not again.resolved and market.requests == []
    assert [c.action for c in again.cookbooks] == ["Using", "Using", "Using"]


def test_bumping_the_metadata_version_moves_the_lock(
    tmp_path: Path, market: Supermarket
) -> None:
    project = project_for(tmp_path, market, web="~> 1.0")
    store = CookbookStore(tmp_path / "store")
    deps.install(project, store)
    make_cookbook(tmp_path / "app", "app", "0.2.0", {"web": "~> 1.0"})

    again = deps.install(project, store)

    # A path cookbook's version is what its folder says now, not a pin from the lock.
    lock = read_lockfile(project.lockfile)
    assert again.resolved and lock is not None
    assert str(lock.versions["app"]) == "0.2.0"
    assert str(lock.versions["web"]) == "1.1.0"


def test_universe_is_revalidated_with_its_etag(
    tmp_path: Path, market: Supermarket
) -> None:
    store = CookbookStore(tmp_path / "store")
    from kitchenctl.sources import SupermarketSource

    source = SupermarketSource(market.url)
    first = source.universe(store)
    second = source.universe(store)
    assert len(first) == len(second) == 5
    assert market.requests.count("/universe") == 2
    assert market.not_modified == 1
    assert store.universe_cache(market.url).is_file()

    # A changed universe is fetched again, not served from the cache.
    market.publish("apt", "4.0.0")
    assert len(source.universe(store)) == 6 and market.not_modified == 1


def test_update_moves_only_what_must_move(tmp_path: Path, market: Supermarket) -> None:
    project = project_for(tmp_path, market, web="~> 1.0")
    store = CookbookStore(tmp_path / "store")
    deps.install(project, store)
    market.publish("web", "1.2.0", {"apt": "~> 2.7"})
    market.publish("apt", "2.8.0")

    result = deps.update(project, store, ["web"])

    # web moves; apt could move to 2.8.0 but does not have to, so it stays.
    assert result.changes == (("web", "1.1.0", "1.2.0"),)
    lock = read_lockfile(project.lockfile)
    assert lock is not None and str(lock.versions["apt"]) == "2.7.0"


def test_outdated_lists_newer_versions(tmp_path: Path, market: Supermarket) -> None:
    project = project_for(tmp_path, market, web="~> 1.0")
    store = CookbookStore(tmp_path / "store")
    deps.install(project, store)
    # Only Berksfile dependencies are checked: here the cookbook itself (a path).
    assert deps.outdated(project, store) == []


def test_dry_run_downloads_nothing(tmp_path: Path, market: Supermarket) -> None:
    project = project_for(tmp_path, market, web="~> 1.0")
    store = CookbookStore(tmp_path / "store")
    result = deps.install(project, store, dry_run=True)
    assert [c.version for c in result.cookbooks if c.name == "web"] == [
        deps.Version(1, 1, 0)
    ]
    assert not project.lockfile.exists() and not store.cookbooks.exists()


def test_conflict_is_explained(tmp_path: Path, market: Supermarket) -> None:
    project = project_for(tmp_path, market, web="~> 1.0", apt="= 3.0.0")
    with pytest.raises(NoSolution) as caught:
        deps.install(project, CookbookStore(tmp_path / "store"))
    assert "apt (= 3.0.0) required by app (0.1.0) <- Berksfile" in str(caught.value)


def test_vendor_and_package(tmp_path: Path, market: Supermarket) -> None:
    project = project_for(tmp_path, market, web="~> 1.0")
    store = CookbookStore(tmp_path / "store")
    deps.install(project, store)
    state = deps.locked_state(project, store)

    vendored = deps.vendor(state, tmp_path / "berks-cookbooks")
    assert [entry.name for entry, _ in vendored] == ["apt", "web", "app"]
    assert (tmp_path / "berks-cookbooks" / "app" / "metadata.json").is_file()
    assert (tmp_path / "berks-cookbooks" / "web" / "recipes" / "default.rb").is_file()

    archive = deps.package(state, tmp_path / "out" / "cookbooks.tar.gz")
    with tarfile.open(archive) as tar:
        assert "cookbooks/apt/metadata.json" in tar.getnames()
