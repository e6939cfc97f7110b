"""Berkshelf's trusted-lockfile rule and reduce!, on real Berksfile + lockfile pairs."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kitchenctl import deps
from kitchenctl.lockfile import read_lockfile
from tests.fixtures.shared_data import shared_data

PAIRS = shared_data() / "lockfiles"


def project_copy(name: str, folder: Path) -> deps.Project:
    shutil.copy(PAIRS / f"{name}.Berksfile", folder / "Berksfile")
    shutil.copy(PAIRS / f"{name}.Berksfile.lock", folder / "Berksfile.lock")
    return deps.load_project(folder / "Berksfile")


@pytest.mark.parametrize("name", ["18F+identity-pki", "BaritoLog+chef-repo"])
def test_real_lockfiles_are_trusted_by_their_berksfiles(
    name: str, tmp_path: Path
) -> None:
    project = project_copy(name, tmp_path)
    lock = read_lockfile(project.lockfile)
    assert lock is not None
    assert deps.is_trusted(lock, project)


def test_a_moved_git_url_is_not_trusted(tmp_path: Path) -> None:
    # Alfresco's Berksfile now names chef-aps-appserver without ".git" and in lower
    # case: the lock's location differs, so Berkshelf would resolve again.
    (tmp_path / "metadata.rb").write_text("name 'aps'\nversion '0.1.0'\n")
    project = project_copy("Alfresco+chef-aps", tmp_path)
    lock = read_lockfile(project.lockfile)
    assert lock is not None and not deps.is_trusted(lock, project)


def test_reduce_refuses_a_lock_the_berksfile_now_rejects(tmp_path: Path) -> None:
    project = project_copy("BaritoLog+chef-repo", tmp_path)
    berksfile = tmp_path / "Berksfile"
    berksfile.write_text(berksfile.read_text() + "\ncookbook 'apt', '~> 9.0'\n")
    lock = read_lockfile(project.lockfile)
    assert lock is not None
    with pytest.raises(deps.OutdatedDependency, match=r"apt \(7.4.0\)"):
        deps.reduce_lockfile(lock, deps.load_project(berksfile))


def test_reduce_drops_what_the_berksfile_no_longer_has(tmp_path: Path) -> None:
    project = project_copy("BaritoLog+chef-repo", tmp_path)
    lock = read_lockfile(project.lockfile)
    assert lock is not None
    fewer = deps.Project(project.berksfile, project.sources, project.requirements[:1])
    reduced = deps.reduce_lockfile(lock, fewer)
    assert [d.name for d in reduced.dependencies] == ["barito-flow"]
    # Only barito-flow's graph stays: itself and what it reaches.
    names = {entry.name for entry in reduced.graph}
    assert "barito-flow" in names and "kibana" not in names
    assert names == {e.name for e in reduced.dependencies_first(["barito-flow"])}
