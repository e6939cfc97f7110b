"""Copying rendered files into place without ever clobbering the user's work."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from kitchenctl.errors import LocalFileError
from kitchenctl.fileutil import write_atomic


@dataclass(frozen=True)
class Installed:
    created: tuple[str, ...]
    overwritten: tuple[str, ...]
    kept: tuple[str, ...]


def install(rendered: Path, destination: Path, *, force: bool) -> Installed:
    """Copy every file under ``rendered`` to the same place under ``destination``.

    A file that exists is kept unless ``force``; then it is replaced atomically.
    Paths in the result are POSIX and relative to ``destination``, sorted.
    """
    created: list[str] = []
    overwritten: list[str] = []
    kept: list[str] = []
    for source in sorted(path for path in rendered.rglob("*") if path.is_file()):
        relative = source.relative_to(rendered)
        target = destination / relative
        try:
            if not target.exists():
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(source, target)
                created.append(relative.as_posix())
            elif force and target.is_file():
                write_atomic(target, source.read_bytes())
                overwritten.append(relative.as_posix())
            else:
                kept.append(relative.as_posix())
        except OSError as exc:
            raise LocalFileError(
                f"cannot write {target}: {exc.strerror or exc}",
                hint="check the folder's permissions and free space",
            ) from exc
    return Installed(tuple(created), tuple(overwritten), tuple(kept))
