"""The sync engine's one-way mappings (``direction = "into_attio"``), the pairing of a record
made in Attio with its twin outside (``connector.find``) and Zoho CRM's notifications, against
the fake other side and the in-process emulator."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from attio_bridge.client import AttioClient
from attio_bridge.client.models import Record
from attio_bridge.state import StateStore
from attio_bridge.sync import SyncMapping, parse_mappings
from attio_bridge.sync.conflicts import ConflictQueue
from attio_bridge.webhooks import Event

from ._fake_side import CONTACT_FIELDS, FakeClock, FakeSide
from .conftest import Make, contacts, people
from .test_engine import contact, seed


def one_way_mapping(system: str = "hubspot", object: str = "contacts") -> SyncMapping:
    [m] = parse_mappings(
        {
            "mapping": [
                {
                    "name": "contacts",
                    "system": system,
                    "object": object,
                    "attio_object": "people",
                    "direction": "into_attio",
                    "on_delete": "delete",
                    "match": {"external": "email", "attio": "email_addresses"},
                    "fields": [
                        {"external": "email", "attio": "email_addresses", "transform": "lowercase"},
                        {
                            "external": ["firstname", "lastname"],
                            "attio": "name",
                            "transform": "split_name",
                        },
                        {"external": "jobtitle", "attio": "job_title"},
                    ],
                }
            ]
        }
    )
    return m


def record_event(record: Record, kind: str = "record.updated") -> Event:
    ident = {"object_id": record.id.object_id, "record_id": record.record_id}
    return Event("attio", "w", kind, {"id": ident}, f"{kind}:{record.record_id}")


def person(client: AttioClient, email: str) -> Record:
    [found] = client.records.query("people", filter={"email_addresses": email})
    return found


WRITES = {"create", "update", "delete"}


def test_a_one_way_mapping_never_writes_outside_and_puts_attio_edits_back(
    make_engine: Make, side: FakeSide, attio_client: AttioClient, state: StateStore
) -> None:
    seed(side, attio_client)  # three contacts outside; Ada and Kat in Attio
    mapping = one_way_mapping()
    first = make_engine(mapping).full()
    assert first.errors == [] and first.written["external"] == 0
    # Every contact reached Attio; Kat, only in Attio, was left alone and sent nowhere.
    assert set(people(attio_client)) == {
        "ada@acme.com",
        "alan@acme.com",
        "grace@navy.mil",
        "kat@nasa.gov",
    }
    assert set(contacts(side)) == {"ada@acme.com", "alan@acme.com", "grace@navy.mil"}
    assert people(attio_client)["alan@acme.com"]["job_title"] == "Eng"
    # An Attio edit of a field the other side owns is put back, and logged as decided for it.
    alan = person(attio_client, "alan@acme.com")
    attio_client.records.update("people", alan.record_id, {"job_title": "Boss"})
    kat = person(attio_client, "kat@nasa.gov")
    attio_client.records.update("people", kat.record_id, {"job_title": "Astronaut"})
    report = make_engine(mapping).incremental([record_event(alan), record_event(kat)])
    assert people(attio_client)["alan@acme.com"]["job_title"] == "Eng"
    assert people(attio_client)["kat@nasa.gov"]["job_title"] == "Astronaut"
    [c] = report.conflicts
    assert (c.field, c.attio_value, c.external_value, c.decision) == (
        "job_title",
        "Boss",
        "Eng",
        "external",
    )
    assert [x.id for x in ConflictQueue(state).log()] == [c.id]
    assert ConflictQueue(state).open() == []
    # A record deleted in Attio comes back from the side that owns it.
    grace = person(attio_client, "grace@navy.mil")
    attio_client.records.delete("people", grace.record_id)
    make_engine(mapping).incremental([record_event(grace, "record.deleted")])
    assert people(attio_client)["grace@navy.mil"]["first_name"] == "Grace"
    # A delete outside follows on_delete in Attio.
    side.remove("contacts", contact(side, "Ada@acme.com").id)
    make_engine(mapping).incremental()
    assert "ada@acme.com" not in people(attio_client)
    # A change outside arrives; nothing was ever written outside.
    side.edit("contacts", contact(side, "alan@acme.com").id, {"jobtitle": "Chief"})
    make_engine(mapping).incremental()
    assert people(attio_client)["alan@acme.com"]["job_title"] == "Chief"
    assert side.writes == 0 and not WRITES & set(side.calls)
    assert make_engine(mapping).full().writes == 0


def test_an_attio_record_made_while_its_twin_exists_outside_is_linked_not_made_twice(
    make_engine: Make, side: FakeSide, attio_client: AttioClient
) -> None:
    seed(side, attio_client)
    make_engine().full()
    # The same person made on both sides between two runs; Attio's event comes first.
    side.put("contacts", {"email": "Twin@x.io", "firstname": "Tw", "lastname": "In"})
    made = attio_client.records.create(
        "people",
        {
            "email_addresses": ["twin@x.io"],
            "name": [{"first_name": "Tw", "last_name": "In", "full_name": "Tw In"}],
            "job_title": [{"value": "Pilot"}],
        },
    )
    calls_before = len(side.calls)
    report = make_engine().incremental([record_event(made, "record.created")])
    assert report.errors == []
    twins = [r for r in side.records["contacts"].values() if r.properties["email"] == "Twin@x.io"]
    assert len(twins) == 1 and "create" not in side.calls[calls_before:]
    assert len(attio_client.records.query("people", filter={"email_addresses": "twin@x.io"})) == 1
    # Linked and merged as a first sync: the job title, empty outside, went there.
    assert twins[0].properties["jobtitle"] == "Pilot"
    assert make_engine().full().writes == 0
    # A record with no twin outside is still created there.
    lone = attio_client.records.create("people", {"email_addresses": ["lone@x.io"]})
    make_engine().incremental([record_event(lone, "record.created")])
    assert "lone@x.io" in contacts(side)


def services_side(clock: FakeClock) -> FakeSide:
    return FakeSide({"Services": dict(CONTACT_FIELDS)}, system="zoho", clock=clock)


def test_a_zoho_notification_settles_the_records_it_names(
    attio_client: AttioClient, state: StateStore, clock: FakeClock
) -> None:
    from attio_bridge.sync.engine import SyncEngine
    from attio_bridge.sync.store import RecordStore

    side = services_side(clock)
    mapping = one_way_mapping("zoho", "Services")

    def engine() -> Any:
        return SyncEngine(
            mapping, side, attio_client, RecordStore(state), clock=clock, sleep=lambda s: None
        )

    rec = side.put("Services", {"email": "svc@x.io", "firstname": "Svc", "jobtitle": "v1"})
    engine().full()
    assert people(attio_client)["svc@x.io"]["job_title"] == "v1"
    # Changed with a time before the last pull began: only the notification can bring it.
    side.edit("Services", rec.id, {"jobtitle": "v2"}, at=rec.modified_at - timedelta(days=1))
    engine().incremental()
    assert people(attio_client)["svc@x.io"]["job_title"] == "v1"
    other = {"module": "Leads", "operation": "update", "ids": [rec.id], "channel_id": "1"}
    engine().incremental([Event("zoho", "w", "Leads.update", other, "z0")])
    assert people(attio_client)["svc@x.io"]["job_title"] == "v1"
    payload = {
        "server_time": 1710000000000,
        "module": "Services",
        "resource_uri": "https://www.zohoapis.com/crm/v7/Services",
        "ids": [rec.id],
        "affected_fields": [],
        "operation": "update",
        "channel_id": "1000000068001",
    }
    engine().incremental([Event("zoho", "w", "Services.update", payload, "z1")])
    assert people(attio_client)["svc@x.io"]["job_title"] == "v2"
    assert side.writes == 0
