"""Where cookbooks come from: Supermarket, a Chef server, a chef-repo, path and git.

A *source* (a ``source`` line in the Berksfile) offers a universe and downloads
cookbook versions into the store. A *location* (``path:``, ``git:``, ``github:`` on a
``cookbook`` line) offers exactly one cookbook, read from disk or a git checkout, and
overrides what the sources say about that name (berkshelf.md §6.1).
"""

from __future__ import annotations

import json
import logging
import shutil
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Protocol

import httpx

from kitchenctl.cookbook_store import (
    MAX_ARCHIVE_BYTES,
    CookbookStore,
    UnsafeArchive,
    unpack_archive,
    unpack_cookbook,
)
from kitchenctl.errors import InputFileError, ServerError, Unreachable
from kitchenctl.fileutil import write_atomic
from kitchenctl.universe import (
    CookbookVersion,
    Universe,
    parse_constraint,
    parse_version,
)

log = logging.getLogger(__name__)

DEFAULT_SUPERMARKET = "https://supermarket.chef.io"
TIMEOUT = httpx.Timeout(30.0, connect=10.0)


class Source(Protocol):
    """What the installer needs from a ``source`` line."""

    @property
    def url(self) -> str: ...

    def universe(self, store: CookbookStore) -> Universe: ...

    def download(self, cookbook: CookbookVersion, store: CookbookStore) -> Path: ...


@dataclass(frozen=True)
class SupermarketSource:
    """A Supermarket (or berkshelf-api) server: ``GET /universe``, tarball downloads."""

    url: str

    @property
    def is_default(self) -> bool:
        return httpx.URL(self.url).host == "supermarket.chef.io"

    def universe(self, store: CookbookStore) -> Universe:
        """The universe, revalidated with ``If-None-Match`` against the cached copy."""
        cache = store.universe_cache(self.url)
        etag_file = cache.with_suffix(".etag")
        headers = {"Accept": "application/json"}
        if cache.is_file() and etag_file.is_file():
            headers["If-None-Match"] = etag_file.read_text()
        response = _get(f"{self.url.rstrip('/')}/universe", headers=headers)
        if response.status_code == 304 and cache.is_file():
            document = json.loads(cache.read_bytes())
        else:
            _raise_for_status(response, f"the universe of {self.url}")
            document = _json(response, self.url)
            write_atomic(cache, response.content)
            if etag := response.headers.get("ETag"):
                write_atomic(etag_file, etag)
        return Universe.from_json(document, source=self.url)

    def download(self, cookbook: CookbookVersion, store: CookbookStore) -> Path:
        """Stream the tarball (following redirects), unpack it safely, publish it."""
        url = cookbook.download_url or (
            f"{self.url.rstrip('/')}/api/v1/cookbooks/{cookbook.name}"
            f"/versions/{cookbook.version}/download"
        )
        with store.staging() as staging:
            archive = staging / "cookbook.tar.gz"
            _stream_to(url, archive, what=str(cookbook))
            folder = unpack_cookbook(archive, staging / "unpacked", what=str(cookbook))
            _check_identity(folder, cookbook)
            return store.publish(folder, cookbook.name, str(cookbook.version))


class ChefServerSource:
    """A Chef server: signed ``GET universe``, downloads via the cookbook manifest.

    ``url`` is the server URL (``None``: the active profile's ``chef_server_url``);
    the identity and key always come from the active profile.
    """

    def __init__(self, url: str | None = None) -> None:
        from kitchenctl.config import Overrides, load_settings

        self.settings = load_settings(Overrides(server_url=url))
        self.url = self.settings.server_url or ""
        self._api: Any = None

    def api(self) -> Any:
        if self._api is None:
            from kitchenctl.api import ChefServerAPI

            self._api = ChefServerAPI.from_settings(self.settings)
        return self._api

    def universe(self, store: CookbookStore) -> Universe:
        """The server's universe; as Berkshelf, ``location_path`` becomes our URL."""
        document = self.api().get("universe")
        universe = Universe.from_json(document, source=self.url)
        for versions in universe.cookbooks.values():
            for version, cookbook in list(versions.items()):
                versions[version] = replace(
                    cookbook, location_type="chef_server", location_path=self.url
                )
        return universe

    def download(self, cookbook: CookbookVersion, store: CookbookStore) -> Path:
        """Every file of the version (MD5-checked), then one rename into the store."""
        from kitchenctl.server_cookbooks import download_cookbook

        with store.staging() as staging:
            result = download_cookbook(
                self.api(), cookbook.name, str(cookbook.version), destination=staging
            )
            _check_identity(result.path, cookbook)
            return store.publish(result.path, cookbook.name, str(cookbook.version))


@dataclass(frozen=True)
class ChefRepoSource:
    """A local chef-repo: every cookbook in its ``cookbooks/`` folder (or itself)."""

    url: str  # the folder, absolute

    def universe(self, store: CookbookStore) -> Universe:
        folder = Path(self.url)
        parent = folder / "cookbooks" if (folder / "cookbooks").is_dir() else folder
        cookbooks = [
            read_local_cookbook(child, location_type="chef_repo", source=self.url)
            for child in sorted(parent.iterdir())
            if (child / "metadata.rb").is_file() or (child / "metadata.json").is_file()
        ]
        return Universe.of(cookbooks)

    def download(self, cookbook: CookbookVersion, store: CookbookStore) -> Path:
        return Path(cookbook.location_path)


def read_local_cookbook(
    folder: Path, *, location_type: str, source: str = ""
) -> CookbookVersion:
    """A cookbook on disk as a universe entry; its metadata says name and deps."""
    from kitchenctl.metadata import load_metadata

    metadata = load_metadata(folder)
    return CookbookVersion(
        name=metadata.name,
        version=parse_version(metadata.version),
        dependencies=tuple(
            (name, parse_constraint(_constraint_text(value)))
            for name, value in metadata.dependencies.items()
            if name != metadata.name
        ),
        location_type=location_type,
        location_path=str(folder),
        source=source or str(folder),
        dependency_texts=tuple(
            (name, _constraint_text(value) or ">= 0.0.0")
            for name, value in metadata.dependencies.items()
            if name != metadata.name
        ),
    )


def _constraint_text(value: object) -> str:
    if isinstance(value, list):
        return str(value[0]) if value else ""
    return str(value)


@dataclass(frozen=True)
class GitCheckout:
    """A cookbook fetched from git: the checkout in the store and its revision."""

    cookbook: CookbookVersion
    revision: str


def fetch_git(
    store: CookbookStore,
    url: str,
    *,
    name: str,
    branch: str | None = None,
    tag: str | None = None,
    ref: str | None = None,
    rel: str | None = None,
    revision: str | None = None,
) -> GitCheckout:
    """Mirror ``url``, resolve branch/tag/ref (or the locked ``revision``), and copy
    the tree at that revision (``rel`` subfolder) to ``cookbooks/NAME-REVISION``.
    """
    mirror = store.git_mirror(url)
    if not mirror.is_dir():
        mirror.parent.mkdir(parents=True, exist_ok=True)
        _git("clone", "--bare", "--quiet", url, str(mirror))
    elif revision is None or not _has_commit(mirror, revision):
        _git(
            "fetch",
            "--quiet",
            "--force",
            "--tags",
            url,
            "+refs/heads/*:refs/heads/*",
            cwd=mirror,
        )
    wanted = revision or ref or tag or branch or "HEAD"
    resolved = _git("rev-parse", "--verify", f"{wanted}^{{commit}}", cwd=mirror).strip()

    target = store.path(name, resolved)
    if not target.is_dir():
        with store.staging() as staging:
            tree = staging / "tree"
            tree.mkdir()
            archive = subprocess.run(
                ["git", "archive", "--format=tar", resolved],
                cwd=mirror,
                capture_output=True,
                check=True,
            ).stdout
            (staging / "tree.tar").write_bytes(archive)
            unpack_root = staging / "unpacked"
            unpack_cookbook_tree(staging / "tree.tar", unpack_root, url)
            folder = unpack_root / rel if rel else unpack_root
            store.publish(folder, name, resolved)
    cookbook = read_local_cookbook(target, location_type="git", source=url)
    return GitCheckout(replace(cookbook, location_path=str(target)), resolved)


def unpack_cookbook_tree(archive: Path, into: Path, what: str) -> None:
    """Unpack a git archive with the same safety rules as a cookbook tarball."""
    unpack_archive(archive, into, what=what)
    if not into.is_dir() or not any(into.iterdir()):
        raise InputFileError(f"the git repository {what} is empty at that revision")


def _has_commit(mirror: Path, revision: str) -> bool:
    result = subprocess.run(
        ["git", "cat-file", "-e", f"{revision}^{{commit}}"],
        cwd=mirror,
        capture_output=True,
        check=False,
    )
    return result.returncode == 0


def _git(*args: str, cwd: Path | None = None) -> str:
    if shutil.which("git") is None:
        raise InputFileError(
            "git is not installed", hint="install git to use git: sources"
        )
    result = subprocess.run(
        ["git", *args], cwd=cwd, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        detail = result.stderr.strip().splitlines()
        raise InputFileError(
            f"git {args[0]} failed: {detail[-1] if detail else 'no output'}",
            hint="check the git URL and the branch, tag or ref in the Berksfile",
        )
    return result.stdout


def _get(url: str, *, headers: Mapping[str, str] | None = None) -> httpx.Response:
    try:
        return httpx.get(url, headers=headers, timeout=TIMEOUT, follow_redirects=True)
    except httpx.HTTPError as exc:
        raise Unreachable(
            f"Error retrieving universe from source: {url}: {exc}",
            hint="check the source URL and your network",
        ) from exc


def _stream_to(url: str, target: Path, *, what: str) -> None:
    """Download ``url`` to ``target``, refusing more than MAX_ARCHIVE_BYTES."""
    try:
        with httpx.stream(
            "GET", url, timeout=TIMEOUT, follow_redirects=True
        ) as response:
            _raise_for_status(response, f"the download of {what}")
            expected = int(response.headers.get("Content-Length") or 0)
            if expected > MAX_ARCHIVE_BYTES:
                raise UnsafeArchive(
                    f"the archive of {what} is {expected} bytes, too large"
                )
            written = 0
            with target.open("wb") as handle:
                for chunk in response.iter_bytes():
                    written += len(chunk)
                    if written > MAX_ARCHIVE_BYTES:
                        raise UnsafeArchive(f"the archive of {what} is too large")
                    handle.write(chunk)
    except httpx.HTTPError as exc:
        raise Unreachable(f"cannot download {what} from {url}: {exc}") from exc
    if expected and written != expected:
        raise Unreachable(
            f"the download of {what} was cut short ({written} of {expected} bytes)",
            hint="run the command again",
        )


def _raise_for_status(response: httpx.Response, what: str) -> None:
    if response.status_code >= 400:
        raise ServerError(
            f"{what} failed: HTTP {response.status_code} from {response.url}",
            status=response.status_code,
        )


def _json(response: httpx.Response, url: str) -> Any:
    try:
        return response.json()
    except ValueError as exc:
        raise ServerError(f"the universe of {url} is not JSON") from exc


def _check_identity(folder: Path, cookbook: CookbookVersion) -> None:
    """The unpacked cookbook must be the one asked for (name and version)."""
    found = read_local_cookbook(folder, location_type="opscode")
    if found.name != cookbook.name or found.version != cookbook.version:
        raise UnsafeArchive(
            f"the download of {cookbook} holds {found} instead",
            hint="the source serves the wrong tarball for this version",
        )
