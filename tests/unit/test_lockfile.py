"""Berksfile.lock: real lockfiles round-trip byte for byte; the model reads them."""

from __future__ import annotations

from pathlib import Path

import pytest

from kitchenctl.errors import InputFileError, LockfileError
from kitchenctl.lockfile import (
    LockedCookbook,
    LockedDependency,
    Lockfile,
    lockfile_path,
    parse_lockfile,
    read_lockfile,
    write_lockfile,
)
from kitchenctl.versions import Version
from tests.fixtures.shared_data import shared_data

REAL_LOCKFILES = shared_data() / "lockfiles"
NAMES = ["18F+identity-pki", "Alfresco+chef-aps", "BaritoLog+chef-repo"]


@pytest.mark.parametrize("name", NAMES)
def test_real_lockfiles_are_written_back_byte_identical(
    name: str, tmp_path: Path
) -> None:
    original = REAL_LOCKFILES / f"{name}.Berksfile.lock"
    lockfile = read_lockfile(original)
    assert lockfile is not None and lockfile.graph

    copy = tmp_path / "Berksfile.lock"
    assert write_lockfile(copy, lockfile)
    assert copy.read_bytes() == original.read_bytes()


def test_locations_and_graph_are_read() -> None:
    lockfile = read_lockfile(REAL_LOCKFILES / "Alfresco+chef-aps.Berksfile.lock")
    assert lockfile is not None

    aps = lockfile.dependency("aps")
    assert aps == LockedDependency("aps", None, (("path", "."), ("metadata", "true")))
    tomcat = lockfile.dependency("apache_tomcat")
    assert tomcat is not None and tomcat.option("tag") == "v0.6"
    assert tomcat.option("revision") == "d8cce28313f522da2e5d4a3dc6d145e9c967c8ef"

    ark = lockfile.locked("ark")
    assert ark == LockedCookbook(
        "ark", Version(0, 9, 0), (("7-zip", ">= 0.0.0"), ("windows", ">= 0.0.0"))
    )


def test_prerelease_versions_are_kept_whole() -> None:
    text = "DEPENDENCIES\n  apt\n\nGRAPH\n  apt (1.0.0-rc.1)\n    yum (~> 2.0)\n"
    lockfile = parse_lockfile(text)
    assert lockfile.versions == {"apt": Version(1, 0, 0, "rc.1")}
    assert lockfile.render() == text


def test_entries_are_sorted_and_crlf_is_read() -> None:
    text = "DEPENDENCIES\r\n  b (~> 1.0)\r\n  a\r\n\r\n"
    text += "GRAPH\r\n  b (1.0.0)\r\n  a (2.0.0)\r\n"
    assert parse_lockfile(text).render() == (
        "DEPENDENCIES\n  a\n  b (~> 1.0)\n\nGRAPH\n  a (2.0.0)\n  b (1.0.0)\n"
    )


def test_dependencies_first_orders_and_breaks_cycles() -> None:
    lockfile = Lockfile(
        (LockedDependency("app"),),
        (
            LockedCookbook("app", Version(1), (("apt", ">= 0.0.0"), ("db", "~> 1.0"))),
            LockedCookbook("db", Version(1), (("apt", ">= 0.0.0"),)),
            LockedCookbook("apt", Version(2), (("app", ">= 0.0.0"),)),
        ),
    )
    assert [item.name for item in lockfile.dependencies_first()] == ["apt", "db", "app"]
    assert [item.name for item in lockfile.dependencies_first(["db"])] == [
        "app",
        "apt",
        "db",
    ]


def test_berkshelf_2_json_lockfile_is_refused_clearly(tmp_path: Path) -> None:
    path = tmp_path / "Berksfile.lock"
    path.write_text('{"sources": {"apt": {"locked_version": "2.7.0"}}}')
    with pytest.raises(LockfileError, match="Berkshelf 2 \\(JSON\\) lockfile"):
        read_lockfile(path)


def test_malformed_line_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "Berksfile.lock"
    path.write_text("DEPENDENCIES\n  apt\n\nGRAPH\n  apt (not-a-version)\n")
    with pytest.raises(InputFileError, match=r"Berksfile.lock:5: "):
        read_lockfile(path)


def test_missing_lockfile_reads_as_none_and_empty_one_is_not_written(
    tmp_path: Path,
) -> None:
    assert read_lockfile(tmp_path / "Berksfile.lock") is None
    assert not write_lockfile(tmp_path / "Berksfile.lock", Lockfile())
    assert not (tmp_path / "Berksfile.lock").exists()


def test_write_replaces_atomically(tmp_path: Path) -> None:
    path = tmp_path / "repo" / "Berksfile.lock"
    path.parent.mkdir()
    path.write_text("old")
    inode = path.stat().st_ino
    write_lockfile(path, Lockfile((LockedDependency("apt"),), ()))
    assert path.read_text() == "DEPENDENCIES\n  apt\n\nGRAPH\n"
    assert path.stat().st_ino != inode
    assert [item.name for item in path.parent.iterdir()] == ["Berksfile.lock"]


def test_lockfile_is_named_after_the_berksfile(tmp_path: Path) -> None:
    assert lockfile_path(tmp_path / "Berksfile.prod").name == "Berksfile.prod.lock"
