"""Load a cookbook folder the way Chef does, and describe it as an upload manifest.

:func:`load_cookbook` is the one entry point. It returns a :class:`LoadedCookbook`:
the cookbook's name, version and compiled metadata, and every file Chef would upload,
each with its MD5 checksum. The upload code turns that into a sandbox (the checksums)
and a cookbook version body (:meth:`LoadedCookbook.manifest_v2` for Chef Server API 2,
:meth:`LoadedCookbook.manifest_v0` for API 0 and 1).

Which files, following ``Chef::Cookbook::CookbookVersionLoader`` (Chef 18):

- every regular file below the cookbook folder, dot-files included;
- except folders at the top level whose name starts with ``.`` (``.git``, ``.kitchen``),
  and any file named ``.uploaded-cookbook-version.json`` (chef-zero's);
- symbolic links to folders are not entered; a link to a regular file counts as that
  file (Chef's ``File.file?`` follows it); dangling links, sockets, FIFOs are left out;
- paths the cookbook's chefignore matches are removed (:mod:`kitchenctl.chefignore`).

The compiled metadata.json: Berkshelf writes metadata.json into the cookbook folder
before an upload and deletes it after, so the server receives it next to metadata.rb.
kitchenctl never writes into the user's folder: when the metadata comes from
metadata.rb (or from the caller), the compiled metadata.json exists only in memory, as
bytes with their checksum, and it replaces a metadata.json on disk, which could be
stale. The uploaded metadata.json is therefore always the body's ``metadata``. A
cookbook with only metadata.json uploads that file unchanged.

File names Chef rejects are reported together in one :class:`InvalidCookbookFiles`:
Ruby files whose path contains whitespace (Berkshelf's validation), and paths that
are not valid UTF-8 (they cannot be written in the JSON body).

Files are listed in the order of their relative paths, so two loads of the same
folder give the same manifest, byte for byte.
"""

from __future__ import annotations

import copy
import hashlib
import io
import os
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from kitchenctl.chefignore import Chefignore, expand_path, load_chefignore
from kitchenctl.errors import InputFileError, InvalidCookbookFiles
from kitchenctl.metadata import chef_pretty_json, load_metadata

UPLOADED_COOKBOOK_VERSION_FILE = ".uploaded-cookbook-version.json"
METADATA_RB = "metadata.rb"
METADATA_JSON = "metadata.json"

# The segments of an API 0/1 body, in Chef's order; every one is sent, [] when empty.
COOKBOOK_SEGMENTS = (
    "resources",
    "providers",
    "recipes",
    "definitions",
    "libraries",
    "attributes",
    "files",
    "templates",
    "root_files",
)

_CHUNK = 1024 * 1024
_WHITESPACE = re.compile(r"\s")


@dataclass(frozen=True)
class CookbookFile:
    """One file of a cookbook as the Chef server sees it.

    ``path`` is relative to the cookbook folder, ``/``-separated. ``source`` is the file
    on disk, or the bytes kitchenctl made (the compiled metadata.json).
    """

    path: str
    checksum: str
    size: int
    source: Path | bytes

    def open(self) -> BinaryIO:
        """A binary stream of the file's bytes; the caller closes it."""
        if isinstance(self.source, bytes):
            return io.BytesIO(self.source)
        return self.source.open("rb")

    def read_bytes(self) -> bytes:
        if isinstance(self.source, bytes):
            return self.source
        return self.source.read_bytes()

    def manifest_record(self) -> dict[str, str]:
        """The API 2 record: ``name``, ``path``, ``checksum`` and ``specificity``."""
        name, specificity = manifest_name_and_specificity(self.path)
        return {
            "name": name,
            "path": self.path,
            "checksum": self.checksum,
            "specificity": specificity,
        }


@dataclass(frozen=True)
class LoadedCookbook:
    """A cookbook read from a folder: what an upload sends, and nothing else.

    ``files`` is sorted by path and includes metadata.json. ``metadata`` is the
    compiled metadata.json as a dict; do not change it in place.
    """

    name: str
    version: str
    metadata: dict[str, Any]
    files: tuple[CookbookFile, ...]
    root: Path

    @property
    def full_name(self) -> str:
        """``NAME-VERSION``, the ``name`` of a cookbook version body."""
        return f"{self.name}-{self.version}"

    def files_by_checksum(self) -> dict[str, CookbookFile]:
        """One file per distinct checksum, the first in path order: a sandbox's list."""
        unique: dict[str, CookbookFile] = {}
        for file in self.files:
            unique.setdefault(file.checksum, file)
        return unique

    def manifest_v2(self, *, frozen: bool = False) -> dict[str, Any]:
        """The body of ``PUT /cookbooks/NAME/VERSION`` under Chef Server API 2."""
        body = self._body_head(frozen)
        body["all_files"] = [file.manifest_record() for file in self.files]
        return body

    def manifest_v0(self, *, frozen: bool = False) -> dict[str, Any]:
        """The same body under API 0 and 1: files grouped in the nine segments.

        Files in other top-level folders (``spec/``, ``test/``) belong to no segment
        and are not sent, as in Chef's ``ManifestV0``; top-level files are root_files.
        """
        body = self._body_head(frozen)
        segments: dict[str, list[dict[str, str]]] = {
            name: [] for name in COOKBOOK_SEGMENTS
        }
        for file in self.files:
            record = file.manifest_record()
            segment, _, short_name = record["name"].partition("/")
            if segment in segments:
                segments[segment].append({**record, "name": short_name})
        body.update(segments)
        return body

    def manifest(self, api_version: int, *, frozen: bool = False) -> dict[str, Any]:
        """The body for ``api_version``: segments below 2, ``all_files`` from 2 on."""
        if api_version >= 2:
            return self.manifest_v2(frozen=frozen)
        return self.manifest_v0(frozen=frozen)

    def _body_head(self, frozen: bool) -> dict[str, Any]:
        return {
            "name": self.full_name,
            "cookbook_name": self.name,
            "version": self.version,
            "json_class": "Chef::CookbookVersion",
            "chef_type": "cookbook_version",
            "frozen?": frozen,
            "metadata": copy.deepcopy(self.metadata),
        }


def load_cookbook(
    cookbook_dir: Path, *, metadata: Mapping[str, Any] | None = None
) -> LoadedCookbook:
    """Read the cookbook in ``cookbook_dir``: its metadata, files and checksums.

    ``metadata`` is the compiled metadata (a metadata.json dict) when the caller has
    it already; otherwise :func:`kitchenctl.metadata.load_metadata` evaluates
    metadata.rb (without Ruby), or else reads metadata.json. Reads every file once
    to checksum it, streaming, so memory stays flat.

    Raises InputFileError when the folder is not a cookbook, its metadata is invalid
    (RubyEvalError for metadata.rb outside the safe subset) or a file cannot be read,
    and InvalidCookbookFiles listing every file name Chef rejects.
    """
    root = expand_path(cookbook_dir)
    if not root.is_dir():
        raise InputFileError(
            f"{cookbook_dir}: no cookbook here, it is not a folder",
            hint="give the path of a cookbook folder, the one holding metadata.rb",
        )

    compiled, from_disk_json = _read_metadata(root, metadata)
    name, version = _name_and_version(root, compiled)

    paths = select_files(root, load_chefignore(root))
    _reject_invalid_names(name, root, paths)

    # A metadata.json on disk is uploaded as any other file only when it is the
    # metadata's source; otherwise the compiled one, in memory, takes its place.
    if not from_disk_json:
        paths = [path for path in paths if path != METADATA_JSON]
    files = [_checksummed(root, path) for path in paths]
    if not from_disk_json:
        files.append(_compiled_metadata_json(compiled))
        files.sort(key=lambda file: file.path)

    return LoadedCookbook(
        name=name, version=version, metadata=compiled, files=tuple(files), root=root
    )


def select_files(root: Path, chefignore: Chefignore) -> list[str]:
    """The relative paths Chef uploads from the cookbook at ``root``, sorted."""
    kept = [path for path in _walk(root) if not chefignore.ignores(path)]
    return sorted(kept)


def manifest_name_and_specificity(path: str) -> tuple[str, str]:
    """Chef's record ``name`` and ``specificity`` for a relative ``path``.

    ``name`` is ``<first folder>/<file name>`` (``root_files/<file name>`` at the top);
    the specificity is the second folder under files/ and templates/,
    ``root_default`` for a file directly in them, and ``default`` anywhere else.
    """
    parts = path.split("/")
    if len(parts) == 1:
        return f"root_files/{path}", "default"

    segment = parts[0]
    name = f"{segment}/{parts[-1]}"
    if segment not in ("files", "templates"):
        return name, "default"
    if len(parts) == 2:
        return name, "root_default"
    return name, parts[1]


def metadata_json_bytes(metadata: Mapping[str, Any]) -> bytes:
    """The compiled metadata.json as kitchenctl uploads it.

    The same bytes ``kitchenctl cookbook metadata --write`` writes: Chef's pretty JSON
    layout, UTF-8, with a final newline.
    """
    return (chef_pretty_json(dict(metadata)) + "\n").encode("utf-8")


def _read_metadata(
    root: Path, given: Mapping[str, Any] | None
) -> tuple[dict[str, Any], bool]:
    """The compiled metadata, and whether it is metadata.json on disk, unchanged.

    As in Chef, metadata.rb wins over metadata.json; a metadata.json read alone is
    normalised into the body (unknown keys dropped, defaults filled) but uploaded
    as the user wrote it.
    """
    if given is not None:
        return copy.deepcopy(dict(given)), False
    compiled = load_metadata(root).to_json_dict()
    return compiled, not (root / METADATA_RB).is_file()


def _name_and_version(root: Path, metadata: Mapping[str, Any]) -> tuple[str, str]:
    name = metadata.get("name")
    if not isinstance(name, str) or not name:
        raise InputFileError(
            f"{root}: the cookbook's metadata has no name",
            hint="add name 'COOKBOOK' to metadata.rb",
        )
    # Chef's Metadata defaults the version to 0.0.0.
    version = metadata.get("version", "0.0.0")
    if not isinstance(version, str):
        raise InputFileError(
            f"{root}: the cookbook's metadata version {version!r} is not a string",
            hint="write the version in quotes, such as version '1.2.0'",
        )
    return name, version


def _walk(root: Path) -> Iterator[str]:
    """Relative paths of every file Chef's loader finds below ``root``, unordered."""
    for entry in _scan(root):
        # Top-level dot-folders are skipped, links to folders included, as Chef does.
        if entry.name.startswith(".") and entry.is_dir():
            continue
        yield from _walk_entry(entry, entry.name)


def _walk_entry(entry: os.DirEntry[str], relative: str) -> Iterator[str]:
    if entry.is_dir(follow_symlinks=False):
        for child in _scan(Path(entry.path)):
            yield from _walk_entry(child, f"{relative}/{child.name}")
    elif entry.is_file() and entry.name != UPLOADED_COOKBOOK_VERSION_FILE:
        yield relative


def _scan(folder: Path) -> list[os.DirEntry[str]]:
    try:
        with os.scandir(folder) as entries:
            return list(entries)
    except OSError as exc:
        raise InputFileError(
            f"{folder}: cannot list the cookbook folder: {exc.strerror}",
            hint="check the folder's permissions",
        ) from exc


def _reject_invalid_names(name: str, root: Path, paths: list[str]) -> None:
    """Raise one InvalidCookbookFiles naming every file Chef would reject."""
    invalid = [path for path in paths if _invalid_reason(path)]
    if not invalid:
        return

    listed = ", ".join(
        f"{path.encode('utf-8', 'backslashreplace').decode()} ({_invalid_reason(path)})"
        for path in invalid
    )
    raise InvalidCookbookFiles(
        f"{root}: cookbook '{name}' has {len(invalid)} file name(s) Chef rejects: "
        f"{listed}",
        hint="rename them, or list them in chefignore to leave them out",
        files=tuple(invalid),
    )


def _invalid_reason(path: str) -> str | None:
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:
        return "not valid UTF-8"
    # Berkshelf's validation: Ruby files with whitespace in their path.
    if path.endswith(".rb") and _WHITESPACE.search(path):
        return "whitespace in a Ruby file's path"
    return None


def _checksummed(root: Path, relative: str) -> CookbookFile:
    """Checksum one file, reading it in chunks."""
    path = root / relative
    digest = hashlib.md5(usedforsecurity=False)
    size = 0
    try:
        with path.open("rb") as handle:
            while chunk := handle.read(_CHUNK):
                digest.update(chunk)
                size += len(chunk)
    except OSError as exc:
        raise InputFileError(
            f"{path}: cannot read the cookbook file: {exc.strerror}",
            hint="check the file's permissions, or list it in chefignore",
        ) from exc
    return CookbookFile(
        path=relative, checksum=digest.hexdigest(), size=size, source=path
    )


def _compiled_metadata_json(metadata: Mapping[str, Any]) -> CookbookFile:
    data = metadata_json_bytes(metadata)
    checksum = hashlib.md5(data, usedforsecurity=False).hexdigest()
    return CookbookFile(
        path=METADATA_JSON, checksum=checksum, size=len(data), source=data
    )
