"""A create on the other side whose answer was lost is not made twice (``connectors.crm.
create_once``, and ``create_many_once`` for a batch): the record made is found by its match
key before the create is tried again, and before a run resumed from a checkpoint redoes it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from attio_bridge.client import AttioClient
from attio_bridge.connectors import ConnectorError
from attio_bridge.connectors.crm import ExternalRecord
from attio_bridge.state import StateStore
from attio_bridge.sync.engine import SyncEngine
from attio_bridge.sync.store import RecordStore

from ._fake_side import CONTACT_FIELDS, FakeClock, FakeSide
from .conftest import contacts_mapping
from .test_engine_concurrency import BatchSide


class LosingSide(FakeSide):
    """Makes the record, then loses the answer of the next ``lose`` creates (a timeout)."""

    lose = 0

    def create(self, object: str, properties: dict[str, Any]) -> ExternalRecord:
        made = super().create(object, properties)
        if self.lose:
            self.lose -= 1
            raise ConnectorError(self.system, "connection", "HubSpot did not answer (timeout)")
        return made


class FindlessSide(LosingSide):
    """The same, for a system with no search by field."""

    find = None  # type: ignore[assignment]


def person(client: AttioClient, email: str) -> None:
    name = [{"first_name": "Ada", "last_name": "Lovelace", "full_name": "Ada Lovelace"}]
    client.records.create("people", {"email_addresses": [email], "name": name})


def engine(side: FakeSide, client: AttioClient, state: StateStore) -> SyncEngine:
    return SyncEngine(contacts_mapping(), side, client, RecordStore(state), sleep=lambda s: None)


def emails(side: FakeSide) -> list[str]:
    return sorted(r.properties["email"] for r in side.records["contacts"].values())


def test_a_create_whose_answer_was_lost_is_found_not_made_again(
    attio_client: AttioClient, state: StateStore, clock: FakeClock
) -> None:
    side = LosingSide({"contacts": dict(CONTACT_FIELDS)}, clock=clock)
    side.lose = 1
    person(attio_client, "ada@example.com")
    report = engine(side, attio_client, state).full()
    assert report.errors == []
    assert emails(side) == ["ada@example.com"]
    [link] = RecordStore(state).links("hubspot", "contacts")
    assert link.external_id == next(iter(side.records["contacts"]))
    assert side.calls.count("create") == 1  # found before a second try
    assert "find" in side.calls


def test_without_find_the_lost_create_is_made_again(
    attio_client: AttioClient, state: StateStore, clock: FakeClock
) -> None:
    # What create_once prevents, shown on a connector that cannot look the record up.
    side = FindlessSide({"contacts": dict(CONTACT_FIELDS)}, clock=clock)
    side.lose = 1
    person(attio_client, "ada@example.com")
    engine(side, attio_client, state).full()
    assert emails(side) == ["ada@example.com", "ada@example.com"]


def test_a_resumed_run_looks_before_its_first_create(
    attio_client: AttioClient, state: StateStore, clock: FakeClock
) -> None:
    side = LosingSide({"contacts": dict(CONTACT_FIELDS)}, clock=clock)
    person(attio_client, "ada@example.com")
    # The run before died after making the contact, before it linked it.
    side.put("contacts", {"email": "ada@example.com", "firstname": "Ada", "lastname": "Lovelace"})
    store = RecordStore(state)
    store.set_checkpoint("contacts", {"cursor": "9999", "started_at": clock().isoformat()})
    engine(side, attio_client, state).full()
    assert emails(side) == ["ada@example.com"]
    assert "create" not in side.calls


class LosingBatchSide(BatchSide):
    """Makes a batch's records, then loses the answer of the next ``lose`` batches."""

    lose = 0

    def create_many(
        self, object: str, rows: Sequence[dict[str, Any]]
    ) -> list[ExternalRecord | ConnectorError]:
        made = super().create_many(object, rows)
        if self.lose:
            self.lose -= 1
            raise ConnectorError(self.system, "connection", "HubSpot did not answer (timeout)")
        return made


def test_a_batch_whose_answer_was_lost_is_found_not_made_again(
    attio_client: AttioClient, state: StateStore, clock: FakeClock
) -> None:
    side = LosingBatchSide({"contacts": dict(CONTACT_FIELDS)}, clock=clock)
    side.lose = 1
    for n in range(3):
        person(attio_client, f"ada{n}@example.com")
    # One record is already on the other side: the retried batch must not make it twice either.
    side.create("contacts", {"email": "ada9@example.com", "firstname": "Ada", "lastname": "L"})
    person(attio_client, "ada9@example.com")
    report = engine(side, attio_client, state).full()
    assert report.errors == []
    assert emails(side) == [f"ada{n}@example.com" for n in (0, 1, 2, 9)]
    assert side.calls.count("create_many") == 1  # the retry found all three it had made
    assert len(RecordStore(state).links("hubspot", "contacts")) == 4
