"""The record store, cursors and conflict queue on SQLite and on the real PostgreSQL server
(a schema of each test's own), and a whole run keeping its memory in PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from attio_bridge.client import AttioClient
from attio_bridge.state import StateStore, open_store
from attio_bridge.sync.conflicts import ConflictQueue, ConflictRecord, UnknownConflictError
from attio_bridge.sync.engine import SyncEngine
from attio_bridge.sync.merge import Conflict
from attio_bridge.sync.store import Link, RecordStore, content_hash
from tests.state.conftest import pg_database, pg_url  # noqa: F401  (fixtures)

from ._fake_side import FakeSide
from .conftest import contacts, contacts_mapping, people


@pytest.fixture(params=["sqlite", "postgresql"])
def any_state(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[StateStore]:
    url = (
        f"sqlite:///{tmp_path / 's.sqlite3'}"
        if request.param == "sqlite"
        else request.getfixturevalue("pg_url")
    )
    with open_store(url) as store:
        yield store


def test_links_are_written_only_when_they_change(any_state: StateStore) -> None:
    records = RecordStore(any_state)
    link = Link("hubspot", "contacts", "7", attio_id="r1", base={"a": 1})
    assert records.put(link, None)
    stored = records.get("hubspot", "contacts", "7")
    assert stored == link and records.by_attio("hubspot", "contacts", "r1") == link
    assert not records.put(replace(stored), stored) and records.writes == 1
    moved = replace(stored, attio_id="r2", base={"a": 2})
    assert records.put(moved, stored)
    assert records.by_attio("hubspot", "contacts", "r1") is None
    assert records.by_attio("hubspot", "contacts", "r2") == moved
    assert [lk.external_id for lk in records.links("hubspot", "contacts")] == ["7"]
    assert (
        content_hash({"b": 1, "a": 2}) == content_hash({"a": 2, "b": 1}) != content_hash({"a": 1})
    )
    records.forget(moved)
    assert records.get("hubspot", "contacts", "7") is None


def test_a_cached_store_answers_from_memory_and_writes_through(any_state: StateStore) -> None:
    """Inside ``cached`` lookups see every put and forget at once; ``deferred`` writes them in
    one go at the end; a fresh store then reads the same links back."""
    store = RecordStore(any_state)
    old = Link("hubspot", "contacts", "1", attio_id="a1", base={"x": 1})
    store.put(old, None)
    with store.cached("hubspot", "contacts"):
        assert store.get("hubspot", "contacts", "1") == old
        with store.deferred():
            moved = replace(old, attio_id="a2")
            store.put(moved, old)
            store.put(Link("hubspot", "contacts", "2", attio_id="a3", base={"x": 2}), None)
            assert store.by_attio("hubspot", "contacts", "a2") == moved
            assert store.by_attio("hubspot", "contacts", "a1") is None
            assert RecordStore(any_state).get("hubspot", "contacts", "2") is None  # not yet
            store.forget(moved)
            assert store.get("hubspot", "contacts", "1") is None
    fresh = RecordStore(any_state)
    assert fresh.get("hubspot", "contacts", "1") is None
    assert fresh.by_attio("hubspot", "contacts", "a2") is None
    assert fresh.by_attio("hubspot", "contacts", "a3") == Link(
        "hubspot", "contacts", "2", attio_id="a3", base={"x": 2}
    )


def test_cursors_and_checkpoints(any_state: StateStore) -> None:
    records = RecordStore(any_state)
    assert records.cursor("hubspot", "contacts") is None
    at = datetime(2026, 5, 1, 12, 0, 0, 123456, tzinfo=UTC)
    records.set_cursor("hubspot", "contacts", at)
    assert records.cursor("hubspot", "contacts") == at
    records.set_checkpoint("m", {"cursor": "40"})
    assert records.checkpoint("m") == {"cursor": "40"}
    records.set_checkpoint("m", None)
    assert records.checkpoint("m") is None


def test_the_queue_keeps_one_open_conflict_per_field_and_logs_decided_ones(
    any_state: StateStore,
) -> None:
    queue = ConflictQueue(any_state)
    now = datetime(2026, 5, 1, tzinfo=UTC)
    c = Conflict("name", "A", "E", "B", "open", "same time")
    first = ConflictRecord.of("m", "7", "r1", c, now)
    queue.record(first)
    queue.record(ConflictRecord.of("m", "7", "r1", replace(c, attio_value="A2"), now))
    [open_] = queue.open()
    assert open_.id == first.id and open_.attio_value == "A2"
    queue.record(ConflictRecord.of("m", "8", "r2", replace(c, decision="attio"), now))
    assert [x.decision for x in queue.log()] == ["attio"]
    closed = queue.close(open_, "resolved: attio", "A2")
    assert queue.open() == [] and queue.get(first.id) == closed
    with pytest.raises(UnknownConflictError, match="sync conflicts list"):
        queue.get("nope")


def test_a_run_keeps_its_memory_in_postgresql(
    pg_url: str,  # noqa: F811
    attio_client: AttioClient,
    side: FakeSide,
) -> None:
    side.put("contacts", {"email": "a@x.io", "firstname": "A", "lastname": "X"})
    attio_client.records.create("people", {"email_addresses": ["b@x.io"]})
    with open_store(pg_url) as state:
        engine = SyncEngine(contacts_mapping(), side, attio_client, RecordStore(state))
        assert engine.full().writes == 2
        assert set(people(attio_client)) == set(contacts(side)) == {"a@x.io", "b@x.io"}
        again = SyncEngine(contacts_mapping(), side, attio_client, RecordStore(state))
        assert again.full().writes == 0
        assert len(state.items("sync-records")) == 2
