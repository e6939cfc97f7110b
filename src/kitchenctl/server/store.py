"""The server's data in SQLite: one table of JSON objects, one of uploaded checksums.

Every object the API knows (users, clients, nodes, roles, environments, data bags and
their items, cookbook versions, sandboxes) is a row ``(org, kind, parent, name, body)``
whose body is the JSON the API serves. ``parent`` groups rows that live under another
object: a data bag's items, a cookbook's versions.

Durability: WAL journal with ``synchronous=NORMAL``. A transaction is in the WAL file
(the operating system's cache) before its COMMIT returns, and the server answers only
after the commit, so every acknowledged write survives a restart and ``kill -9``; a
crash can never corrupt the database. What NORMAL gives up, against FULL, is the last
transactions after an operating-system crash or power cut: FULL's fsync per commit cost
2 to 10 ms per write on the shared development machine, more than the whole request.

A ``Store`` is used by one thread (the server's event loop); other processes (``server
status``) open their own read-only connection.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

SCHEMA = """
CREATE TABLE IF NOT EXISTS objects (
    org TEXT NOT NULL,
    kind TEXT NOT NULL,
    parent TEXT NOT NULL DEFAULT '',
    name TEXT NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (org, kind, parent, name)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS checksums (
    checksum TEXT PRIMARY KEY,
    size INTEGER NOT NULL
) WITHOUT ROWID;
"""

# Kinds that live at the root of the server rather than in an organisation.
ROOT = ""


class Store:
    """JSON objects in SQLite; call writes inside ``transaction()``."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute("PRAGMA busy_timeout=5000")
        self._db.executescript(SCHEMA)

    def close(self) -> None:
        self._db.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One request's writes: all of them are committed, or none."""
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    # Reading.

    def get_raw(self, org: str, kind: str, name: str, parent: str = "") -> str | None:
        """The stored JSON text, served as is by the hot GET paths."""
        row = self._db.execute(
            "SELECT body FROM objects WHERE org=? AND kind=? AND parent=? AND name=?",
            (org, kind, parent, name),
        ).fetchone()
        return None if row is None else str(row[0])

    def get(
        self, org: str, kind: str, name: str, parent: str = ""
    ) -> dict[str, Any] | None:
        raw = self.get_raw(org, kind, name, parent)
        return None if raw is None else _load(raw)

    def names(self, org: str, kind: str, parent: str = "") -> list[str]:
        rows = self._db.execute(
            "SELECT name FROM objects "
            "WHERE org=? AND kind=? AND parent=? ORDER BY name",
            (org, kind, parent),
        )
        return [str(row[0]) for row in rows]

    def parents(self, org: str, kind: str) -> list[str]:
        """Distinct parents of a kind: the cookbooks that have versions."""
        rows = self._db.execute(
            "SELECT DISTINCT parent FROM objects "
            "WHERE org=? AND kind=? ORDER BY parent",
            (org, kind),
        )
        return [str(row[0]) for row in rows]

    def bodies(
        self, org: str, kind: str, parent: str | None = ""
    ) -> Iterator[tuple[str, str, dict[str, Any]]]:
        """``(parent, name, body)`` of a kind; ``parent=None`` means every parent."""
        if parent is None:
            rows = self._db.execute(
                "SELECT parent, name, body FROM objects WHERE org=? AND kind=? "
                "ORDER BY parent, name",
                (org, kind),
            )
        else:
            rows = self._db.execute(
                "SELECT parent, name, body FROM objects "
                "WHERE org=? AND kind=? AND parent=? ORDER BY name",
                (org, kind, parent),
            )
        for row_parent, name, body in rows.fetchall():
            yield str(row_parent), str(name), _load(str(body))

    def count(self, org: str, kind: str) -> int:
        row = self._db.execute(
            "SELECT count(*) FROM objects WHERE org=? AND kind=?", (org, kind)
        ).fetchone()
        return int(row[0])

    # Writing.

    def put(
        self, org: str, kind: str, name: str, body: dict[str, Any], parent: str = ""
    ) -> None:
        """Insert or replace one object."""
        self._db.execute(
            "INSERT OR REPLACE INTO objects (org, kind, parent, name, body) "
            "VALUES (?, ?, ?, ?, ?)",
            (org, kind, parent, name, _dump(body)),
        )

    def insert(
        self, org: str, kind: str, name: str, body: dict[str, Any], parent: str = ""
    ) -> bool:
        """Insert one object; False (and nothing written) when it already exists."""
        cursor = self._db.execute(
            "INSERT OR IGNORE INTO objects (org, kind, parent, name, body) "
            "VALUES (?, ?, ?, ?, ?)",
            (org, kind, parent, name, _dump(body)),
        )
        return cursor.rowcount == 1

    def delete(self, org: str, kind: str, name: str, parent: str = "") -> bool:
        cursor = self._db.execute(
            "DELETE FROM objects WHERE org=? AND kind=? AND parent=? AND name=?",
            (org, kind, parent, name),
        )
        return cursor.rowcount == 1

    def delete_children(self, org: str, kind: str, parent: str) -> None:
        self._db.execute(
            "DELETE FROM objects WHERE org=? AND kind=? AND parent=?",
            (org, kind, parent),
        )

    # The file store's index: which checksums have their bytes on disk.

    def has_checksum(self, checksum: str) -> bool:
        row = self._db.execute(
            "SELECT 1 FROM checksums WHERE checksum=?", (checksum,)
        ).fetchone()
        return row is not None

    def add_checksum(self, checksum: str, size: int) -> None:
        self._db.execute(
            "INSERT OR IGNORE INTO checksums (checksum, size) VALUES (?, ?)",
            (checksum, size),
        )


def _dump(body: dict[str, Any]) -> str:
    return json.dumps(body, separators=(",", ":"), sort_keys=True)


def _load(raw: str) -> dict[str, Any]:
    value = json.loads(raw)
    if not isinstance(value, dict):
        raise ValueError("a stored object is not a JSON object")
    return value


def count_objects(path: Path) -> dict[str, int]:
    """Object counts per kind, read by another process without disturbing the server."""
    uri = f"{path.resolve().as_uri()}?mode=ro"
    db = sqlite3.connect(uri, uri=True)
    try:
        db.execute("PRAGMA busy_timeout=5000")
        rows = db.execute("SELECT kind, count(*) FROM objects GROUP BY kind")
        counts = {str(kind): int(number) for kind, number in rows}
        files = db.execute("SELECT count(*) FROM checksums").fetchone()
        counts["file"] = int(files[0])
        return counts
    finally:
        db.close()
