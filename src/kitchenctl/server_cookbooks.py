"""Cookbooks on the Chef server: list, show, download and delete versions.

Uploading lives in :mod:`kitchenctl.uploader`. Downloads treat the server's answer as
untrusted: every file path must stay inside the target folder, every file's bytes must
match its MD5 checksum, and the folder appears complete or not at all (files go into
a temporary folder next to it, which is renamed into place at the end).
"""

from __future__ import annotations

import hashlib
import logging
import shutil
import tempfile
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import quote

from kitchenctl.api import ChefServerAPI
from kitchenctl.errors import ServerError, UsageError
from kitchenctl.uploader import manifest_records, version_path
from kitchenctl.versions import Version, VersionFormatError

log = logging.getLogger(__name__)

LATEST = "_latest"
DOWNLOAD_CONCURRENCY = 10


@dataclass(frozen=True)
class ServerFile:
    """One file record of a cookbook version on the server."""

    path: str
    checksum: str
    url: str


@dataclass(frozen=True)
class DownloadResult:
    name: str
    version: str
    path: Path
    files: int
    bytes: int


def list_cookbooks(
    api: ChefServerAPI, *, all_versions: bool = False
) -> dict[str, list[str]]:
    """Cookbook names (sorted) with their versions, newest first; latest only unless
    ``all_versions``."""
    params = {"num_versions": "all"} if all_versions else None
    answer = api.get("cookbooks", params=params)
    return {name: sort_versions(_versions_in(answer[name])) for name in sorted(answer)}


def cookbook_versions(api: ChefServerAPI, name: str) -> list[str]:
    """Every version of cookbook ``name``, newest first; NotFound if there is none."""
    answer = api.get(f"cookbooks/{quote(name, safe='')}")
    return sort_versions(_versions_in(answer.get(name, {})))


def _versions_in(entry: Any) -> list[str]:
    if not isinstance(entry, Mapping):
        return []
    return [
        str(item["version"])
        for item in entry.get("versions", [])
        if isinstance(item, Mapping) and "version" in item
    ]


def sort_versions(versions: Sequence[str]) -> list[str]:
    """Newest first, by Chef's version order; unparsable ones last, as given."""
    parsed: list[tuple[Version, str]] = []
    others: list[str] = []
    for text in versions:
        try:
            parsed.append((Version.parse(text), text))
        except VersionFormatError:
            others.append(text)
    parsed.sort(key=lambda pair: pair[0], reverse=True)
    return [text for _, text in parsed] + others


def get_cookbook_version(
    api: ChefServerAPI, name: str, version: str = LATEST
) -> dict[str, Any]:
    """The version's JSON as the server sends it (``_latest`` for the newest)."""
    answer = api.get(version_path(name, version))
    if not isinstance(answer, dict):
        raise ServerError(f"the Chef server's cookbook {name} ({version}) is not JSON")
    return answer


def server_files(body: Mapping[str, Any]) -> list[ServerFile]:
    """The file records of a version body, paths checked; sorted by path.

    Raises ServerError for a path that would leave the cookbook's folder (absolute,
    ``..``, backslashes) or a record without a checksum or URL.
    """
    files: dict[str, ServerFile] = {}
    for record in manifest_records(body):
        path = record.get("path")
        checksum = record.get("checksum")
        url = record.get("url")
        if not (isinstance(path, str) and isinstance(checksum, str) and url):
            raise ServerError(
                f"the Chef server sent a cookbook file record without path, "
                f"checksum or url: {dict(record)}"
            )
        files[path] = ServerFile(safe_relative_path(path), checksum, str(url))
    return [files[path] for path in sorted(files)]


def safe_relative_path(path: str) -> str:
    """``path`` if it names a place inside a folder; ServerError otherwise."""
    pure = PurePosixPath(path)
    unsafe = (
        not path
        or pure.is_absolute()
        or "\\" in path
        or "\x00" in path
        or any(part in ("", ".", "..") for part in path.split("/"))
    )
    if unsafe:
        raise ServerError(
            f"the Chef server sent an unsafe cookbook file path {path!r}",
            hint="kitchenctl writes files only inside the download folder",
        )
    return path


def download_cookbook(
    api: ChefServerAPI,
    name: str,
    version: str = LATEST,
    *,
    destination: Path,
    force: bool = False,
    concurrency: int = DOWNLOAD_CONCURRENCY,
) -> DownloadResult:
    """Download a cookbook version into ``destination/NAME-VERSION``.

    The files are byte-identical to what was uploaded (each checked against its MD5)
    and the folder appears whole or not at all. An existing folder is replaced only
    with ``force``; otherwise UsageError. Costs one GET for the version and one per
    file, ``concurrency`` at a time.
    """
    body = get_cookbook_version(api, name, version)
    resolved = str(body.get("version") or version)
    files = server_files(body)
    target = destination / f"{name}-{resolved}"
    if target.exists() and not force:
        raise UsageError(
            f"{target} exists already",
            hint="pass --force to replace it, or --dir to download elsewhere",
        )

    destination.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=destination, prefix=f".{target.name}."))
    try:
        total = _fetch_all(api, files, staging, concurrency)
        _replace(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return DownloadResult(name, resolved, target, len(files), total)


def _fetch_all(
    api: ChefServerAPI, files: Sequence[ServerFile], folder: Path, concurrency: int
) -> int:
    if not files:
        return 0
    workers = max(1, min(concurrency, len(files)))
    with ThreadPoolExecutor(workers, thread_name_prefix="kitchenctl-download") as pool:
        sizes = list(pool.map(lambda file: _fetch(api, file, folder), files))
    return sum(sizes)


def _fetch(api: ChefServerAPI, file: ServerFile, folder: Path) -> int:
    data = api.get_bytes(file.url)
    actual = hashlib.md5(data, usedforsecurity=False).hexdigest()
    if actual != file.checksum:
        raise ServerError(
            f"the Chef server sent {file.path} with checksum {actual}, "
            f"not {file.checksum}",
            hint="download again; if it repeats, upload the cookbook again",
        )
    path = folder / file.path
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return len(data)


def _replace(staging: Path, target: Path) -> None:
    """Move the finished folder into place; an old one is removed only after."""
    # mkdtemp made it 0700; a downloaded cookbook is as readable as any folder.
    staging.chmod(0o755)
    if not target.exists():
        staging.rename(target)
        return
    old = target.with_name(f".{target.name}.old")
    shutil.rmtree(old, ignore_errors=True)
    target.rename(old)
    staging.rename(target)
    shutil.rmtree(old, ignore_errors=True)


def delete_cookbook_version(
    api: ChefServerAPI, name: str, version: str, *, purge: bool = False
) -> None:
    """Delete one version; ``purge`` also deletes its files from the server."""
    params = {"purge": "true"} if purge else None
    api.delete(version_path(name, version), params=params, expect_json=False)


def delete_all_versions(
    api: ChefServerAPI, name: str, *, purge: bool = False
) -> list[str]:
    """Delete every version of ``name``; returns them, newest first."""
    versions = cookbook_versions(api, name)
    for version in versions:
        delete_cookbook_version(api, name, version, purge=purge)
    return versions
