"""The sync engine against the fake other side and the in-process emulator: full runs both
ways, resuming after a failure, incremental runs from events and pulls, echoes, deletes,
conflicts and their resolution, dry runs, retries, history backfill."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from prometheus_client import REGISTRY

from attio_bridge.client import AttioClient
from attio_bridge.connectors import ConnectorError
from attio_bridge.connectors.crm import ExternalRecord
from attio_bridge.state import LockTimeout, StateStore
from attio_bridge.sync.conflicts import ConflictQueue
from attio_bridge.sync.store import RecordStore
from attio_bridge.webhooks import Event

from ._fake_side import FakeSide
from .conftest import Make, contacts, contacts_mapping, people

AUGUSTA = [{"first_name": "Augusta", "last_name": "Lovelace", "full_name": "Augusta Lovelace"}]


def written_metric(side: str) -> float:
    labels = {"mapping": "contacts", "side": side}
    value = REGISTRY.get_sample_value("attio_bridge_sync_records_written_total", labels)
    return value or 0.0


def contact(side: FakeSide, email: str) -> ExternalRecord:
    return next(r for r in side.records["contacts"].values() if r.properties["email"] == email)


def rename_ada_on_both_sides(side: FakeSide, client: AttioClient, *, later: timedelta) -> None:
    """Ada renamed Augusta in Attio and Countess on the other side, ``later`` after."""
    [rec] = client.records.query("people", filter={"email_addresses": "ada@acme.com"})
    updated = client.records.update("people", rec.record_id, {"name": AUGUSTA})
    when = max(datetime.fromisoformat(v["active_from"]) for v in updated.values["name"])
    side.edit(
        "contacts", contact(side, "Ada@acme.com").id, {"firstname": "Countess"}, at=when + later
    )


def seed(side: FakeSide, client: AttioClient) -> None:
    side.put(
        "contacts",
        {"email": "Ada@acme.com", "firstname": "Ada", "lastname": "Lovelace", "jobtitle": "CTO"},
    )
    side.put(
        "contacts",
        {"email": "alan@acme.com", "firstname": "Alan", "lastname": "Turing", "jobtitle": "Eng"},
    )
    side.put("contacts", {"email": "grace@navy.mil", "firstname": "Grace", "lastname": "Hopper"})
    client.records.create(
        "people",
        {
            "email_addresses": ["ada@acme.com"],
            "name": [{"first_name": "Ada", "last_name": "Lovelace", "full_name": "Ada Lovelace"}],
            "description": [{"value": "pioneer"}],
        },
    )
    client.records.create(
        "people",
        {
            "email_addresses": ["kat@nasa.gov"],
            "name": [
                {
                    "first_name": "Katherine",
                    "last_name": "Johnson",
                    "full_name": "Katherine Johnson",
                }
            ],
            "job_title": [{"value": "Mathematician"}],
        },
    )


def test_a_full_run_brings_both_sides_together_and_a_second_writes_nothing(
    make_engine: Make, side: FakeSide, attio_client: AttioClient
) -> None:
    seed(side, attio_client)
    written_before = written_metric("attio")
    report = make_engine().full()
    assert report.errors == []
    assert written_metric("attio") - written_before == report.written["attio"] == 3
    want = {
        "ada@acme.com": {
            "first_name": "Ada",
            "last_name": "Lovelace",
            "job_title": "CTO",
            "description": "pioneer",
        },
        "alan@acme.com": {
            "first_name": "Alan",
            "last_name": "Turing",
            "job_title": "Eng",
            "description": None,
        },
        "grace@navy.mil": {
            "first_name": "Grace",
            "last_name": "Hopper",
            "job_title": None,
            "description": None,
        },
        "kat@nasa.gov": {
            "first_name": "Katherine",
            "last_name": "Johnson",
            "job_title": "Mathematician",
            "description": None,
        },
    }
    assert people(attio_client) == want
    assert contacts(side) == want
    assert report.written == {
        "attio": 3,
        "external": 2,
    }  # 2 creates + Ada's job title; Kat; Ada's about
    writes_before = side.writes
    again = make_engine().full()
    assert again.writes == 0 and again.planned == [] and side.writes == writes_before
    assert again.skipped == 4


def test_a_full_run_that_fails_mid_way_resumes_and_ends_as_an_unbroken_run(
    make_engine: Make, side: FakeSide, attio_client: AttioClient, state: StateStore
) -> None:
    seed(side, attio_client)
    engine = make_engine(external_page=1)
    calls = {"n": 0}
    real = side.list_page

    def dies_on_the_third_page(*args: object, **kw: object):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] == 3:
            raise ConnectorError("hubspot", "bad_request", "boom", status=400)
        return real(*args, **kw)  # type: ignore[arg-type]

    side.list_page = dies_on_the_third_page  # type: ignore[method-assign]
    with pytest.raises(ConnectorError):
        engine.full()
    assert state.get("sync-checkpoints", "contacts") is not None
    side.list_page = real  # type: ignore[method-assign]
    side.calls.clear()
    make_engine(external_page=1).full()
    assert state.get("sync-checkpoints", "contacts") is None
    assert side.calls.count("list_page") == 1  # the resumed run started at the third page
    assert (
        set(people(attio_client))
        == set(contacts(side))
        == {"ada@acme.com", "alan@acme.com", "grace@navy.mil", "kat@nasa.gov"}
    )
    assert people(attio_client) == contacts(side)
    assert len(side.records["contacts"]) == 4 and make_engine().full().writes == 0


def test_a_retryable_failure_waits_the_delay_the_side_asked_for(
    make_engine: Make, side: FakeSide, attio_client: AttioClient
) -> None:
    seed(side, attio_client)
    limited = ConnectorError("hubspot", "rate_limited", "slow down", status=429)
    limited.retry_after = 7.0  # type: ignore[attr-defined]
    side.fail("list_page", limited, times=2)
    waits: list[float] = []
    engine = make_engine()
    engine.sleep = waits.append
    assert engine.full().errors == []
    assert waits == [7.0, 7.0] and len(people(attio_client)) == 4


def test_settle_reads_only_the_records_events_name_and_leaves_the_cursor(
    make_engine: Make, side: FakeSide, attio_client: AttioClient, state: StateStore
) -> None:
    seed(side, attio_client)
    make_engine().full()
    cursor = RecordStore(state).cursor("hubspot", "contacts")
    ada = contact(side, "Ada@acme.com")
    side.edit("contacts", ada.id, {"jobtitle": "CEO"})  # named by no event: left to the pull
    [kat] = attio_client.records.query("people", filter={"email_addresses": "kat@nasa.gov"})
    attio_client.records.update("people", kat.record_id, {"description": "astronaut"})
    named = {"id": {"object_id": kat.id.object_id, "record_id": kat.record_id}}
    side.calls.clear()
    report = make_engine().settle([Event("attio", "w", "record.updated", named, "d1")] * 2)
    assert report.errors == [] and report.written == {"attio": 0, "external": 1}
    assert contacts(side)["kat@nasa.gov"]["description"] == "astronaut"
    assert "modified_since" not in side.calls and "deleted_since" not in side.calls
    assert people(attio_client)["ada@acme.com"]["job_title"] != "CEO"
    assert RecordStore(state).cursor("hubspot", "contacts") == cursor
    make_engine().incremental()  # the pull then brings what no event named
    assert people(attio_client)["ada@acme.com"]["job_title"] == "CEO"


def test_an_echo_event_reads_only_its_own_side(
    make_engine: Make, side: FakeSide, attio_client: AttioClient
) -> None:
    seed(side, attio_client)
    make_engine().full()
    records = attio_client.records.query("people")
    echoes = [
        Event("attio", "w", "record.updated", {"id": r.id.model_dump()}, f"a{i}")
        for i, r in enumerate(records)
    ]
    hub_echoes = [
        Event(
            "hubspot",
            "w",
            "contact.propertyChange",
            {"objectId": int(rec_id), "subscriptionType": "contact.propertyChange"},
            f"h{rec_id}",
        )
        for rec_id in side.records["contacts"]
    ]
    side.calls.clear()
    report = make_engine().settle(echoes + hub_echoes)
    # What each event names holds what was last synced: nothing to merge, the other side unread.
    assert report.writes == 0 and report.skipped == len(echoes) + len(hub_echoes)
    assert side.calls.count("get") == len(hub_echoes)  # the HubSpot events' own reads only
    assert report.read == {"attio": len(echoes), "external": len(hub_echoes)}
    # A pull too: the records the full run wrote on the other side (modified since its start)
    # are read, found as last synced, and Attio is not read for them.
    pulled = make_engine().incremental()
    assert pulled.writes == 0 and pulled.read["external"] > 0 and pulled.read["attio"] == 0


def test_incremental_runs_take_events_and_pull_what_changed_since_the_last_start(
    make_engine: Make, side: FakeSide, attio_client: AttioClient
) -> None:
    seed(side, attio_client)
    make_engine().full()
    ada = contact(side, "Ada@acme.com")
    side.edit("contacts", ada.id, {"jobtitle": "CEO"})
    new = side.put("contacts", {"email": "new@x.io", "firstname": "New", "lastname": "Person"})
    [kat] = attio_client.records.query("people", filter={"email_addresses": "kat@nasa.gov"})
    attio_client.records.update("people", kat.record_id, {"description": "astronaut"})
    event = Event(
        "attio",
        "w",
        "record.updated",
        {"id": {"object_id": kat.id.object_id, "record_id": kat.record_id}},
        "d1",
    )
    hub = Event(
        "hubspot",
        "w",
        "contact.propertyChange",
        {"objectId": int(new.id), "subscriptionType": "contact.creation"},
        "d2",
    )
    # Duplicated and out of order: each names a record, which is read again.
    report = make_engine().incremental([hub, event, hub, event])
    assert report.errors == []
    assert people(attio_client)["ada@acme.com"]["job_title"] == "CEO"
    assert people(attio_client)["new@x.io"]["first_name"] == "New"
    assert contacts(side)["kat@nasa.gov"]["description"] == "astronaut"
    assert len(people(attio_client)) == 5
    # The echoes of our own writes change nothing.
    echoes = [
        Event(
            "attio",
            "w",
            "record.updated",
            {"id": {"object_id": r.id.object_id, "record_id": r.record_id}},
            f"e{i}",
        )
        for i, r in enumerate(attio_client.records.query("people"))
    ]
    assert make_engine().incremental(echoes).writes == 0


def test_a_change_whose_webhook_was_lost_is_caught_by_the_next_pull(
    make_engine: Make, side: FakeSide, attio_client: AttioClient, state: StateStore
) -> None:
    seed(side, attio_client)
    make_engine().full()
    cursor = state.get("sync-cursors", "hubspot:contacts")
    assert cursor is not None
    started = datetime.fromisoformat(cursor["started_at"])
    grace = contact(side, "grace@navy.mil")
    # Changed while the full run was going on: after its start, before its end.
    side.edit("contacts", grace.id, {"jobtitle": "Admiral"}, at=started + timedelta(microseconds=1))
    make_engine().incremental()
    assert people(attio_client)["grace@navy.mil"]["job_title"] == "Admiral"


@pytest.mark.parametrize("on_delete", ["delete", "flag"])
def test_deletes_go_across_as_the_mapping_says(
    make_engine: Make, side: FakeSide, attio_client: AttioClient, state: StateStore, on_delete: str
) -> None:
    seed(side, attio_client)
    mapping = contacts_mapping(on_delete)
    make_engine(mapping).full()
    alan = contact(side, "alan@acme.com")
    side.remove("contacts", alan.id)
    [kat] = attio_client.records.query("people", filter={"email_addresses": "kat@nasa.gov"})
    attio_client.records.delete("people", kat.record_id)
    make_engine(mapping).incremental(
        [
            Event(
                "attio",
                "w",
                "record.deleted",
                {"id": {"object_id": kat.id.object_id, "record_id": kat.record_id}},
                "d",
            )
        ]
    )
    if on_delete == "delete":
        assert (
            set(people(attio_client)) == set(contacts(side)) == {"ada@acme.com", "grace@navy.mil"}
        )
    else:
        assert "alan@acme.com" in people(attio_client) and "kat@nasa.gov" in contacts(side)
        flagged = {doc.get("flagged") for _, doc in state.items("sync-records")}
        assert flagged == {None, "deleted in external", "deleted in attio"}
    assert make_engine(mapping).full().writes == 0


def test_a_conflict_at_the_same_moment_waits_in_the_queue_until_resolved(
    make_engine: Make, side: FakeSide, attio_client: AttioClient, state: StateStore
) -> None:
    seed(side, attio_client)
    make_engine().full()
    rename_ada_on_both_sides(side, attio_client, later=timedelta(0))
    report = make_engine().full()
    assert [(c.field, c.decision) for c in report.conflicts] == [("name", "open")]
    queue = ConflictQueue(state)
    [c] = queue.open()
    assert c.attio_value == {"first_name": "Augusta", "last_name": "Lovelace"}
    assert c.external_value == {"first_name": "Countess", "last_name": "Lovelace"}
    assert c.base_value == {"first_name": "Ada", "last_name": "Lovelace"}
    assert people(attio_client)["ada@acme.com"]["first_name"] == "Augusta"
    assert contacts(side)["ada@acme.com"]["first_name"] == "Countess"
    assert make_engine().full().writes == 0  # still open: nothing written
    done = make_engine().resolve(c.id, "external")
    assert done.decision == "resolved: external" and queue.open() == []
    assert people(attio_client)["ada@acme.com"]["first_name"] == "Countess"
    assert [x.id for x in queue.log()] == [c.id]
    assert make_engine().full().writes == 0


def test_a_later_write_wins_a_conflict_and_is_logged_with_both_values(
    make_engine: Make, side: FakeSide, attio_client: AttioClient, state: StateStore
) -> None:
    seed(side, attio_client)
    make_engine().full()
    rename_ada_on_both_sides(side, attio_client, later=timedelta(hours=1))
    report = make_engine().full()
    assert [(c.field, c.decision) for c in report.conflicts] == [("name", "external")]
    assert people(attio_client)["ada@acme.com"]["first_name"] == "Countess"
    [logged] = ConflictQueue(state).log()
    assert (logged.attio_value["first_name"], logged.external_value["first_name"]) == (
        "Augusta",
        "Countess",
    )


def test_a_dry_run_lists_the_writes_and_makes_none(
    make_engine: Make, side: FakeSide, attio_client: AttioClient, state: StateStore
) -> None:
    seed(side, attio_client)
    report = make_engine(dry_run=True).full()
    ops = sorted((p.side, p.op) for p in report.planned)
    assert ops == [
        ("attio", "create"),
        ("attio", "create"),
        ("attio", "update"),
        ("external", "create"),
        ("external", "update"),
    ]
    assert side.writes == 0 and len(people(attio_client)) == 2
    assert state.items("sync-records") == [] and state.items("sync-cursors") == []


def test_a_first_sync_can_bring_each_fields_history(
    make_engine: Make, side: FakeSide, attio_client: AttioClient, clock: object
) -> None:
    rec = side.put(
        "contacts", {"email": "h@x.io", "firstname": "H", "lastname": "X", "jobtitle": "Intern"}
    )
    side.edit("contacts", rec.id, {"jobtitle": "Engineer"})
    make_engine(history=True).full()
    [person] = attio_client.records.query("people", filter={"email_addresses": "h@x.io"})
    values = attio_client.records.get_attribute_values(
        "people", person.record_id, "job_title", show_historic=True
    )
    assert [v["value"] for v in values] == ["Intern", "Engineer"]


def test_runs_of_one_mapping_take_turns(
    make_engine: Make, side: FakeSide, attio_client: AttioClient, state: StateStore
) -> None:
    seed(side, attio_client)
    with state.lock("sync:contacts", timeout=0), pytest.raises(LockTimeout) as caught:
        make_engine(lock_timeout=0).full()
    assert caught.value.retryable and len(people(attio_client)) == 2  # nothing ran
    assert make_engine(lock_timeout=0).incremental().written["attio"] == 3  # free again
