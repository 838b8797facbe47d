"""``SnapshotIndex``: the index of records imported into projects (``attio_bridge.snapshot``),
a table of the state store's database (``attio_bridge_snapshots``, migration 0002).

One row per ``(user, project, record_id)``: the record's object type (``companies``,
``people``, ``list-entries``), display name, web URL, file path in the project, the attributes
as last imported, the list of an entry, the import time, the sync status (``synced``,
``pending``, ``error``) and the experiments it is linked to. Rows are plain dicts with those
keys; the snapshot layer turns them into its ``Snapshot``.

Why a table and not documents: the issue asks for an index by user, project, object type and
Attio id. Documents are found by namespace and key only, so "this project's people" or "every
project holding record X" (a webhook marking it stale) would read and decode every document
of the namespace; here they are SQL index look-ups (``(user, project, object_type)`` and
``record_id``), on SQLite and PostgreSQL alike. The table lives in ``state`` because the
state package owns the database's schema and migrations.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC
from pathlib import Path
from typing import Any
from urllib.parse import quote

from sqlalchemy import delete, select, update
from sqlalchemy.dialects import postgresql, sqlite

from ._errors import StateError
from ._schema import snapshots
from .store import StateStore

__all__ = ["FOLDERS_NAMESPACE", "SNAPSHOT_STATUSES", "SnapshotIndex"]

SNAPSHOT_STATUSES = ("synced", "pending", "error")
SNAPSHOT_COLUMNS = tuple(c.name for c in snapshots.columns)
# Ids per ``IN (...)``: below every SQLite build's limit of bound variables.
_CHUNK = 500
# What a re-import replaces; the experiments a record is linked to stay.
# Documents ``{"user", "project", "folder"}``: where each project's folder is on disk, so that
# the service (which has no folder of its own) can refresh it on a webhook event.
FOLDERS_NAMESPACE = "snapshot-folders"
_REPLACED = tuple(
    c for c in SNAPSHOT_COLUMNS if c not in ("user", "project", "record_id", "experiments")
)


def _chunks(ids: Sequence[str]) -> Iterator[Sequence[str]]:
    for start in range(0, len(ids), _CHUNK):
        yield ids[start : start + _CHUNK]


def _row(found: Any) -> dict[str, Any]:
    row = dict(found._mapping)
    imported = row["imported_at"]
    # SQLite keeps no zone; every time written is UTC.
    if imported.tzinfo is None:
        row["imported_at"] = imported.replace(tzinfo=UTC)
    row["experiments"] = list(row["experiments"] or [])
    return row


def _check_status(status: str) -> None:
    if status not in SNAPSHOT_STATUSES:
        raise StateError(
            f"a snapshot status is one of {', '.join(SNAPSHOT_STATUSES)}, not {status!r}"
        )


class SnapshotIndex:
    """The rows of imported records in ``store``'s database. Every method is one transaction."""

    def __init__(self, store: StateStore) -> None:
        self._store = store

    def upsert(self, rows: Sequence[Mapping[str, Any]]) -> None:
        """Insert each row, or replace the one with its ``(user, project, record_id)`` (its
        experiments stay). A row has every column but ``experiments``, which defaults to none;
        ``imported_at`` is an aware datetime."""
        if not rows:
            return
        values = []
        for row in rows:
            _check_status(row["status"])
            values.append({"experiments": []} | {c: row[c] for c in SNAPSHOT_COLUMNS if c in row})
        dialect = postgresql if self._store.backend == "postgresql" else sqlite
        insert = dialect.insert(snapshots)
        statement = insert.on_conflict_do_update(
            index_elements=[snapshots.c.user, snapshots.c.project, snapshots.c.record_id],
            set_={c: insert.excluded[c] for c in _REPLACED},
        )
        with self._store._connection("write the snapshot index to", writes=True) as conn:
            conn.execute(statement, values)

    def rows(
        self,
        user: str,
        project: str,
        *,
        object_type: str | None = None,
        record_ids: Sequence[str] | None = None,
    ) -> list[dict[str, Any]]:
        """The rows of ``user``'s ``project`` (of ``object_type``, of ``record_ids`` when
        given), by object type, then name, then record id."""
        query = select(snapshots).where(snapshots.c.user == user, snapshots.c.project == project)
        if object_type is not None:
            query = query.where(snapshots.c.object_type == object_type)
        order = (snapshots.c.object_type, snapshots.c.name, snapshots.c.record_id)
        with self._store._connection("read the snapshot index from") as conn:
            if record_ids is None:
                found = conn.execute(query.order_by(*order)).all()
            else:
                found = [
                    r
                    for chunk in _chunks(list(record_ids))
                    for r in conn.execute(query.where(snapshots.c.record_id.in_(chunk))).all()
                ]
        rows = [_row(r) for r in found]
        rows.sort(key=lambda r: (r["object_type"], r["name"], r["record_id"]))
        return rows

    def get(self, user: str, project: str, record_id: str) -> dict[str, Any] | None:
        """The row of ``record_id`` in ``user``'s ``project``, or None."""
        found = self.rows(user, project, record_ids=[record_id])
        return found[0] if found else None

    def projects(self, user: str) -> list[str]:
        """The projects ``user`` has imported records into, by name."""
        query = (
            select(snapshots.c.project)
            .where(snapshots.c.user == user)
            .distinct()
            .order_by(snapshots.c.project)
        )
        with self._store._connection("read the snapshot index from") as conn:
            return list(conn.execute(query).scalars())

    def delete(self, user: str, project: str, record_ids: Sequence[str]) -> int:
        """Remove the rows of ``record_ids`` from ``user``'s ``project``; how many there were."""
        removed = 0
        with self._store._connection("write the snapshot index to", writes=True) as conn:
            for chunk in _chunks(list(record_ids)):
                statement = delete(snapshots).where(
                    snapshots.c.user == user,
                    snapshots.c.project == project,
                    snapshots.c.record_id.in_(chunk),
                )
                removed += conn.execute(statement).rowcount
        return removed

    def set_status(self, user: str, project: str, record_ids: Sequence[str], status: str) -> int:
        """Set the status of ``record_ids`` in ``user``'s ``project``; how many rows changed."""
        _check_status(status)
        changed = 0
        with self._store._connection("write the snapshot index to", writes=True) as conn:
            for chunk in _chunks(list(record_ids)):
                statement = (
                    update(snapshots)
                    .where(
                        snapshots.c.user == user,
                        snapshots.c.project == project,
                        snapshots.c.record_id.in_(chunk),
                    )
                    .values(status=status)
                )
                changed += conn.execute(statement).rowcount
        return changed

    def set_experiments(
        self, user: str, project: str, record_id: str, experiments: Sequence[str]
    ) -> bool:
        """Replace the experiments ``record_id`` is linked to; whether the row exists."""
        statement = (
            update(snapshots)
            .where(
                snapshots.c.user == user,
                snapshots.c.project == project,
                snapshots.c.record_id == record_id,
            )
            .values(experiments=list(experiments))
        )
        with self._store._connection("write the snapshot index to", writes=True) as conn:
            return conn.execute(statement).rowcount > 0

    def mark_stale(
        self, record_id: str, *, user: str | None = None, project: str | None = None
    ) -> int:
        """Set ``pending`` on every row of ``record_id`` (of ``user`` and ``project`` when
        given) that is not pending already: Attio changed the record since its import. How
        many rows changed (0: the record is imported nowhere, or already pending)."""
        statement = update(snapshots).where(
            snapshots.c.record_id == record_id, snapshots.c.status != "pending"
        )
        if user is not None:
            statement = statement.where(snapshots.c.user == user)
        if project is not None:
            statement = statement.where(snapshots.c.project == project)
        with self._store._connection("write the snapshot index to", writes=True) as conn:
            return conn.execute(statement.values(status="pending")).rowcount

    def holding(self, record_id: str) -> list[dict[str, Any]]:
        """Every project's row of ``record_id`` (any user), by user, then project."""
        query = (
            select(snapshots)
            .where(snapshots.c.record_id == record_id)
            .order_by(snapshots.c.user, snapshots.c.project)
        )
        with self._store._connection("read the snapshot index from") as conn:
            return [_row(r) for r in conn.execute(query).all()]

    def set_folder(self, user: str, project: str, folder: Path) -> None:
        """Record where ``user``'s ``project`` is on disk (its absolute path); written on
        each import and refresh, read by the service's handlers."""
        key = _folder_key(user, project)
        document = {"user": user, "project": project, "folder": str(Path(folder).resolve())}
        if self._store.get(FOLDERS_NAMESPACE, key) != document:
            self._store.put(FOLDERS_NAMESPACE, key, document)

    def folder(self, user: str, project: str) -> Path | None:
        """The folder of ``user``'s ``project`` last recorded, or None (never imported into
        since folders were recorded: an import or refresh from the CLI or pages records it)."""
        document = self._store.get(FOLDERS_NAMESPACE, _folder_key(user, project))
        return Path(document["folder"]) if document else None


def _folder_key(user: str, project: str) -> str:
    return f"{quote(user, safe='')}/{quote(project, safe='')}"
