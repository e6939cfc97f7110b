"""Unpacking cookbook archives safely, and publishing them into the store."""

from __future__ import annotations

import io
import tarfile
from pathlib import Path

import pytest

from kitchenctl import cookbook_store
from kitchenctl.cookbook_store import CookbookStore, UnsafeArchive, unpack_cookbook
from tests.fixtures.supermarket import cookbook_tarball


def tarball(tmp_path: Path, *members: tarfile.TarInfo, data: bytes = b"x") -> Path:
    path = tmp_path / "evil.tar.gz"
    with tarfile.open(path, "w:gz") as tar:
        tar.addfile(
            _file("apt/metadata.json", b'{"name": "apt"}'),
            io.BytesIO(b'{"name": "apt"}'),
        )
        for member in members:
            tar.addfile(member, io.BytesIO(data) if member.isfile() else None)
    return path


def _file(name: str, data: bytes = b"x") -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    return info


def _link(name: str, target: str, kind: bytes) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type = kind
    info.linkname = target
    return info


def test_a_good_archive_unpacks_to_its_cookbook_folder(tmp_path: Path) -> None:
    archive = tmp_path / "apt.tar.gz"
    archive.write_bytes(cookbook_tarball("apt", "2.7.0", {}))
    folder = unpack_cookbook(archive, tmp_path / "out", what="apt (2.7.0)")
    assert folder == tmp_path / "out" / "apt"
    assert (folder / "recipes" / "default.rb").read_text() == "log 'apt 2.7.0'\n"


@pytest.mark.parametrize(
    "member",
    [
        _file("../escaped.txt"),
        _file("/etc/absolute.txt"),
        _link("apt/out", "../../outside", tarfile.SYMTYPE),
        _link("apt/etc", "/etc/passwd", tarfile.SYMTYPE),
        _link("apt/hard", "/etc/passwd", tarfile.LNKTYPE),
    ],
    ids=["dotdot", "absolute", "symlink-out", "symlink-absolute", "hardlink-out"],
)
def test_archives_that_escape_are_refused(
    tmp_path: Path, member: tarfile.TarInfo
) -> None:
    archive = tarball(tmp_path, member)
    with pytest.raises(UnsafeArchive, match="cannot be unpacked safely"):
        unpack_cookbook(archive, tmp_path / "out", what="apt (1.0.0)")
    assert not (tmp_path / "escaped.txt").exists()


def test_archives_over_the_limits_are_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cookbook_store, "MAX_UNPACKED_BYTES", 10)
    archive = tarball(tmp_path, _file("apt/big.bin", b"y" * 100), data=b"y" * 100)
    with pytest.raises(UnsafeArchive, match="unpacks to over 10 bytes"):
        unpack_cookbook(archive, tmp_path / "out", what="apt (1.0.0)")

    monkeypatch.setattr(cookbook_store, "MAX_MEMBERS", 1)
    with pytest.raises(UnsafeArchive, match="more than 1 files"):
        unpack_cookbook(archive, tmp_path / "out2", what="apt (1.0.0)")


def test_an_archive_without_a_cookbook_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "empty.tar.gz"
    with tarfile.open(path, "w:gz") as tar:
        tar.addfile(_file("docs/readme.txt"), io.BytesIO(b"x"))
    with pytest.raises(UnsafeArchive, match="holds no cookbook"):
        unpack_cookbook(path, tmp_path / "out", what="apt (1.0.0)")


def test_publish_keeps_the_first_complete_copy(tmp_path: Path) -> None:
    store = CookbookStore(tmp_path / "store")
    for marker in ("first", "second"):
        with store.staging() as staging:
            folder = staging / "apt"
            folder.mkdir()
            (folder / "marker").write_text(marker)
            store.publish(folder, "apt", "2.7.0")
    assert (store.path("apt", "2.7.0") / "marker").read_text() == "first"
    assert list((store.root / ".tmp").iterdir()) == []


def test_store_root_follows_berkshelf_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, isolated_home: Path
) -> None:
    assert CookbookStore.default().root == isolated_home / ".berkshelf"
    monkeypatch.setenv("BERKSHELF_PATH", str(tmp_path / "elsewhere"))
    assert CookbookStore.default().root == tmp_path / "elsewhere"
