"""The snapshot index in the state store, on SQLite and on the real PostgreSQL server (a schema
of each test's own)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg import sql

from attio_bridge.state import SnapshotIndex, StateError, StateStore, open_store
from tests._servers import server_absent

PG_URL = "postgresql://postgres@127.0.0.1:5432/test"
WHEN = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)


@pytest.fixture(params=["sqlite", "postgresql"])
def index(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SnapshotIndex]:
    """An empty index on each backend."""
    if request.param == "sqlite":
        with open_store(f"sqlite:///{tmp_path}/state.sqlite3") as store:
            yield SnapshotIndex(store)
        return
    schema = f"snap_{uuid.uuid4().hex[:12]}"
    try:
        admin = psycopg.connect(PG_URL, autocommit=True, connect_timeout=3)
    except psycopg.Error as exc:
        server_absent(f"PostgreSQL is not reachable at {PG_URL} ({exc})", "start it to run these")
    with admin:
        admin.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
        try:
            store: StateStore
            with open_store(f"{PG_URL}?options=-csearch_path%3D{schema}") as store:
                yield SnapshotIndex(store)
        finally:
            admin.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(schema)))


def row(record_id: str, **changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "user": "ada",
        "project": "crm",
        "record_id": record_id,
        "object_type": "people",
        "name": f"Person {record_id}",
        "web_url": f"https://app.attio.com/ws/person/{record_id}",
        "path": f"attio/people/person-{record_id}.json",
        "attributes": {"job_title": "CTO", "emails": ["a@b.io"]},
        "list_slug": None,
        "imported_at": WHEN,
        "status": "synced",
    }
    return base | changes


def test_rows_round_trip_and_replace_without_duplicates(index: SnapshotIndex) -> None:
    index.upsert([row("r1"), row("r2", object_type="companies", name="Acme")])
    index.set_experiments("ada", "crm", "r1", ["persona"])
    index.upsert([row("r1", name="Renamed", attributes={"job_title": "CEO"})])

    rows = index.rows("ada", "crm")
    assert [(r["record_id"], r["name"]) for r in rows] == [("r2", "Acme"), ("r1", "Renamed")]
    [r1] = index.rows("ada", "crm", record_ids=["r1"])
    assert r1["attributes"] == {"job_title": "CEO"}
    assert r1["experiments"] == ["persona"]  # kept by the re-import
    assert r1["imported_at"] == WHEN
    assert [r["record_id"] for r in index.rows("ada", "crm", object_type="people")] == ["r1"]


def test_users_and_projects_are_kept_apart(index: SnapshotIndex) -> None:
    index.upsert([row("r1"), row("r1", user="grace"), row("r1", project="other")])
    assert len(index.rows("ada", "crm")) == 1
    assert index.projects("ada") == ["crm", "other"]
    assert index.projects("grace") == ["crm"]
    assert index.delete("ada", "crm", ["r1", "r9"]) == 1
    assert index.rows("ada", "crm") == []
    assert len(index.rows("grace", "crm")) == 1


def test_mark_stale_reaches_every_project_or_one(index: SnapshotIndex) -> None:
    index.upsert([row("r1"), row("r1", project="other"), row("r2")])
    assert index.mark_stale("r1", user="ada", project="crm") == 1
    assert index.mark_stale("r1") == 1  # the other project's; crm's is pending already
    assert {
        r["project"]: r["status"]
        for r in index.rows("ada", "crm") + index.rows("ada", "other")
        if r["record_id"] == "r1"
    } == {"crm": "pending", "other": "pending"}
    assert index.get("ada", "crm", "r2")["status"] == "synced"  # type: ignore[index]
    assert index.set_status("ada", "crm", ["r1", "r2"], "synced") == 2


def test_many_ids_are_looked_up_in_chunks(index: SnapshotIndex) -> None:
    index.upsert([row(f"r{i:05}") for i in range(1_200)])
    found = index.rows("ada", "crm", record_ids=[f"r{i:05}" for i in range(0, 1_200, 2)])
    assert len(found) == 600
    assert index.set_status("ada", "crm", [f"r{i:05}" for i in range(1_200)], "error") == 1_200


def test_an_unknown_status_is_refused(index: SnapshotIndex) -> None:
    with pytest.raises(StateError, match="synced, pending, error"):
        index.upsert([row("r1", status="stale")])
    with pytest.raises(StateError, match="not 'done'"):
        index.set_status("ada", "crm", ["r1"], "done")
