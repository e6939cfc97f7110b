"""The cookbook store: where downloaded cookbooks and universes are cached.

The root is ``$BERKSHELF_PATH`` when set, else ``~/.berkshelf``: the same folder and
layout as Berkshelf (``cookbooks/NAME-VERSION``, git checkouts
``cookbooks/NAME-REVISION``, bare mirrors ``.cache/git/<SHA-1 of URL>``), so a warm
Berkshelf cache serves kitchenctl and the other way round. Universes are cached under
``.cache/kitchenctl/universes`` with their ETag.

Every cookbook appears in the store complete or not at all: it is unpacked into a
temporary folder inside the root and renamed into place. ``StoreLock`` (a file lock)
serialises installs, so two ``deps install`` runs on one store are safe.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from kitchenctl.errors import KitchenctlError

# Limits for one cookbook archive: Supermarket's largest cookbooks are a few MB.
MAX_ARCHIVE_BYTES = 200 * 1024 * 1024
MAX_UNPACKED_BYTES = 1024 * 1024 * 1024
MAX_MEMBERS = 50_000


class UnsafeArchive(KitchenctlError):
    """A cookbook archive that would write outside its folder, or is too large."""

    exit_code = 10


def store_root() -> Path:
    """``$BERKSHELF_PATH`` or ``~/.berkshelf``."""
    configured = os.environ.get("BERKSHELF_PATH")
    return Path(configured).expanduser() if configured else Path.home() / ".berkshelf"


@dataclass(frozen=True)
class CookbookStore:
    """The cached cookbooks under ``root``; paths are computed, never guessed."""

    root: Path

    @classmethod
    def default(cls) -> CookbookStore:
        return cls(store_root())

    @property
    def cookbooks(self) -> Path:
        return self.root / "cookbooks"

    def path(self, name: str, version: str) -> Path:
        """Where ``name`` at ``version`` (or a git revision) lives in the store."""
        return self.cookbooks / f"{name}-{version}"

    def has(self, name: str, version: str) -> bool:
        return self.path(name, version).is_dir()

    def universe_cache(self, url: str) -> Path:
        digest = hashlib.sha1(url.encode()).hexdigest()
        return self.root / ".cache" / "kitchenctl" / "universes" / digest

    def git_mirror(self, url: str) -> Path:
        return self.root / ".cache" / "git" / hashlib.sha1(url.encode()).hexdigest()

    @contextmanager
    def staging(self) -> Iterator[Path]:
        """A temporary folder inside the store, removed afterwards whatever happens."""
        parent = self.root / ".tmp"
        parent.mkdir(parents=True, exist_ok=True)
        folder = Path(tempfile.mkdtemp(dir=parent))
        try:
            yield folder
        finally:
            shutil.rmtree(folder, ignore_errors=True)

    def publish(self, unpacked: Path, name: str, version: str) -> Path:
        """Move a complete cookbook folder into place with one rename.

        When another install got there first, its copy wins and ours is dropped.
        """
        target = self.path(name, version)
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            unpacked.rename(target)
        except OSError:
            if not target.is_dir():
                raise
        return target

    def lock(self) -> StoreLock:
        return StoreLock(self.root / ".kitchenctl.lock")


class StoreLock:
    """An exclusive lock on the store (filelock), held while installing."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __enter__(self) -> StoreLock:
        from filelock import FileLock

        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = FileLock(str(self.path))
        self._lock.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self._lock.release()


def unpack_cookbook(archive: Path, into: Path, *, what: str) -> Path:
    """Unpack a gzip or plain tar cookbook archive safely; return the cookbook folder.

    The cookbook folder is the unpacked top folder that holds metadata.json or
    metadata.rb, as Berkshelf picks it. Raises UnsafeArchive (see unpack_archive).
    """
    unpack_archive(archive, into, what=what)
    return _cookbook_folder(into, what)


def unpack_archive(archive: Path, into: Path, *, what: str) -> None:
    """Unpack a tar archive, refusing absolute paths, ``..``, links leaving the
    folder, devices, and archives over the size and member limits (UnsafeArchive).
    """
    if archive.stat().st_size > MAX_ARCHIVE_BYTES:
        raise UnsafeArchive(
            f"the archive of {what} is larger than {MAX_ARCHIVE_BYTES} bytes"
        )
    try:
        with tarfile.open(archive, "r:*") as tar:
            members = tar.getmembers()
            _check_members(members, what)
            tar.extractall(into, filter="data")
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise UnsafeArchive(
            f"the archive of {what} cannot be unpacked safely: {exc}",
            hint="the source may serve a broken or hostile tarball",
        ) from exc


def _check_members(members: list[tarfile.TarInfo], what: str) -> None:
    """Refuse what the data filter would quietly rewrite (absolute names), and
    archives over the limits, before anything is written."""
    for member in members:
        if member.name.startswith("/") or ".." in member.name.split("/"):
            raise UnsafeArchive(
                f"the archive of {what} cannot be unpacked safely: "
                f"'{member.name}' would leave the cookbook folder",
                hint="the source may serve a broken or hostile tarball",
            )
    if len(members) > MAX_MEMBERS:
        raise UnsafeArchive(f"the archive of {what} has more than {MAX_MEMBERS} files")
    if sum(member.size for member in members) > MAX_UNPACKED_BYTES:
        raise UnsafeArchive(
            f"the archive of {what} unpacks to over {MAX_UNPACKED_BYTES} bytes"
        )


def _cookbook_folder(root: Path, what: str) -> Path:
    candidates = [root, *sorted(p for p in root.iterdir() if p.is_dir())]
    for folder in candidates:
        if (folder / "metadata.json").is_file() or (folder / "metadata.rb").is_file():
            return folder
    raise UnsafeArchive(f"the archive of {what} holds no cookbook (no metadata file)")
