"""deps install from real Berksfiles: sources, path:, git: with tags, groups."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from kitchenctl import deps
from kitchenctl.cookbook_store import CookbookStore
from kitchenctl.lockfile import read_lockfile
from tests.fixtures.supermarket import Supermarket


def git(*args: str, cwd: Path) -> str:
    return subprocess.run(
        ["git", *args], cwd=cwd, check=True, capture_output=True, text=True
    ).stdout.strip()


def write_cookbook(folder: Path, name: str, version: str, depends: str = "") -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "metadata.rb").write_text(
        f"name '{name}'\nversion '{version}'\n{depends}"
    )
    (folder / "README.md").write_text(f"# {name}\n")


@pytest.fixture
def repository(tmp_path: Path, git_identity: str) -> Path:
    """A git repository with a cookbook under cookbooks/, tagged v0.1.0 and v0.2.0."""
    repo = tmp_path / "monorepo"
    repo.mkdir()
    git("init", "--quiet", "--initial-branch=main", cwd=repo)
    write_cookbook(
        repo / "cookbooks" / "gitbook", "gitbook", "0.1.0", "depends 'apt'\n"
    )
    git("add", ".", cwd=repo)
    git("commit", "--quiet", "-m", "first", cwd=repo)
    git("tag", "v0.1.0", cwd=repo)
    write_cookbook(
        repo / "cookbooks" / "gitbook", "gitbook", "0.2.0", "depends 'apt'\n"
    )
    git("commit", "--quiet", "-am", "second", cwd=repo)
    git("tag", "v0.2.0", cwd=repo)
    return repo


@pytest.fixture
def market(supermarket: Supermarket) -> Supermarket:
    supermarket.publish("apt", "2.7.0")
    supermarket.publish("apt", "3.0.0")
    supermarket.publish("web", "1.1.0", {"apt": ">= 2.0"})
    return supermarket


def test_berksfile_with_path_git_and_groups(
    tmp_path: Path, market: Supermarket, repository: Path
) -> None:
    project_dir = tmp_path / "project"
    write_cookbook(project_dir / "site-cookbooks" / "local", "local", "1.0.0")
    berksfile = project_dir / "Berksfile"
    berksfile.write_text(
        f"source '{market.url}'\n\n"
        "cookbook 'web', '~> 1.0'\n"
        "cookbook 'local', path: 'site-cookbooks/local'\n"
        f"cookbook 'gitbook', git: '{repository.as_uri()}', tag: 'v0.1.0', "
        "rel: 'cookbooks/gitbook'\n"
        "group :test do\n  cookbook 'apt', '< 3.0'\nend\n"
    )
    store = CookbookStore(tmp_path / "store")
    project = deps.load_project(berksfile)

    result = deps.install(project, store)

    revision = git("rev-parse", "v0.1.0", cwd=repository)
    assert project.lockfile.read_text() == (
        "DEPENDENCIES\n"
        "  apt (< 3.0.0)\n"
        "  gitbook\n"
        f"    git: {repository.as_uri()}\n"
        f"    revision: {revision}\n"
        "    tag: v0.1.0\n"
        "    rel: cookbooks/gitbook\n"
        "  local\n    path: site-cookbooks/local\n"
        "  web (~> 1.0)\n\n"
        "GRAPH\n"
        "  apt (2.7.0)\n"
        "  gitbook (0.1.0)\n    apt (>= 0.0.0)\n"
        "  local (1.0.0)\n"
        "  web (1.1.0)\n    apt (>= 2.0)\n"
    )
    lines = {c.name: c.line for c in result.cookbooks}
    where = f"{repository.as_uri()} (at v0.1.0/cookbooks/gitbook)"
    assert lines["gitbook"] == f"Using gitbook (0.1.0) from {where}"
    assert lines["local"] == "Using local (1.0.0) from source at site-cookbooks/local"
    assert store.has("gitbook", revision)

    # --except test drops apt's own line; apt stays, as web needs it, now at 3.0.0.
    without_test = deps.load_project(berksfile).only(exclude=["test"])
    assert [r.name for r in without_test.requirements] == ["web", "local", "gitbook"]


def test_locked_git_revision_is_reused_and_out_of_sync_is_refused(
    tmp_path: Path, market: Supermarket, repository: Path
) -> None:
    project_dir = tmp_path / "project"
    project_dir.mkdir()
    berksfile = project_dir / "Berksfile"
    berksfile.write_text(
        f"source '{market.url}'\n"
        f"cookbook 'gitbook', git: '{repository.as_uri()}', branch: 'main', "
        "rel: 'cookbooks/gitbook'\n"
    )
    store = CookbookStore(tmp_path / "store")
    first = deps.install(deps.load_project(berksfile), store)
    locked = {c.name: c.version for c in first.cookbooks}
    assert str(locked["gitbook"]) == "0.2.0"

    # A new commit on the branch does not move the locked revision.
    write_cookbook(
        repository / "cookbooks" / "gitbook", "gitbook", "0.3.0", "depends 'apt'\n"
    )
    git("commit", "--quiet", "-am", "third", cwd=repository)
    again = deps.install(deps.load_project(berksfile), store)
    assert not again.resolved
    assert {c.name: str(c.version) for c in again.cookbooks}["gitbook"] == "0.2.0"

    # A Berksfile constraint that rejects the lock is Berkshelf's OutdatedDependency.
    berksfile.write_text(berksfile.read_text() + "cookbook 'apt', '~> 3.0'\n")
    lock = read_lockfile(deps.load_project(berksfile).lockfile)
    assert lock is not None and str(lock.versions["apt"]) == "3.0.0"
    berksfile.write_text(berksfile.read_text().replace("~> 3.0", "~> 2.0"))
    with pytest.raises(deps.OutdatedDependency) as caught:
        deps.install(deps.load_project(berksfile), store)
    assert str(caught.value).startswith(
        "Berkshelf could not find compatible versions for cookbook 'apt':\n"
        "  In Berksfile:\n    apt (~> 2.0)\n\n  In Berksfile.lock:\n    apt (3.0.0)"
    )


def test_two_installs_share_one_store_safely(
    tmp_path: Path, market: Supermarket
) -> None:
    import threading

    berksfile = tmp_path / "Berksfile"
    berksfile.write_text(f"source '{market.url}'\ncookbook 'web'\n")
    store = CookbookStore(tmp_path / "store")
    project = deps.load_project(berksfile)
    errors: list[BaseException] = []

    def run() -> None:
        try:
            deps.install(project, store, dry_run=False)
        except BaseException as exc:  # collected and re-checked below
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert sorted(p.name for p in store.cookbooks.iterdir()) == [
        "apt-3.0.0",
        "web-1.1.0",
    ]
