"""Fixtures of the sync tests: a mapping of contacts to people, the fake other side, a state
store in a temporary SQLite file, and an engine on the in-process emulator."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from attio_bridge.client import AttioClient
from attio_bridge.state import StateStore, open_store
from attio_bridge.sync import SyncMapping, parse_mappings
from attio_bridge.sync.engine import SyncEngine
from attio_bridge.sync.store import RecordStore
from attio_bridge.values import decode_record, load_schema

from ._fake_side import CONTACT_FIELDS, FakeClock, FakeSide


def contacts_mapping(on_delete: str = "delete") -> SyncMapping:
    [m] = parse_mappings(
        {
            "mapping": [
                {
                    "name": "contacts",
                    "system": "hubspot",
                    "object": "contacts",
                    "attio_object": "people",
                    "match": {"external": "email", "attio": "email_addresses"},
                    "on_delete": on_delete,
                    "fields": [
                        {"external": "email", "attio": "email_addresses", "transform": "lowercase"},
                        {
                            "external": ["firstname", "lastname"],
                            "attio": "name",
                            "transform": "split_name",
                        },
                        {"external": "jobtitle", "attio": "job_title", "owner": "external"},
                        {"external": "about", "attio": "description", "owner": "attio"},
                    ],
                }
            ]
        }
    )
    return m


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def side(clock: FakeClock) -> FakeSide:
    return FakeSide({"contacts": dict(CONTACT_FIELDS)}, clock=clock)


@pytest.fixture
def state(tmp_path: Path) -> Iterator[StateStore]:
    with open_store(f"sqlite:///{tmp_path / 'state.sqlite3'}") as s:
        yield s


Make = Callable[..., SyncEngine]


@pytest.fixture
def make_engine(
    attio_client: AttioClient, side: FakeSide, state: StateStore, clock: FakeClock
) -> Make:
    def make(mapping: SyncMapping | None = None, **options: Any) -> SyncEngine:
        return SyncEngine(
            mapping or contacts_mapping(),
            side,
            attio_client,
            RecordStore(state),
            clock=clock,
            sleep=lambda s: None,
            **options,
        )

    return make


def people(client: AttioClient) -> dict[str, dict[str, Any]]:
    """Attio's people by email: name parts, job title, description."""
    schema = load_schema(client)
    out = {}
    for record in client.records.iter("people"):
        row = decode_record(schema, record)
        for email in row.get("email_addresses") or []:
            out[email] = {
                "first_name": row.get("first_name") or "",
                "last_name": row.get("last_name") or "",
                "job_title": row.get("job_title"),
                "description": row.get("description"),
            }
    return out


def contacts(side: FakeSide) -> dict[str, dict[str, Any]]:
    """The fake side's contacts by email, in the same shape."""
    return {
        r.properties["email"].lower(): {
            "first_name": r.properties.get("firstname") or "",
            "last_name": r.properties.get("lastname") or "",
            "job_title": r.properties.get("jobtitle"),
            "description": r.properties.get("about"),
        }
        for r in side.records["contacts"].values()
    }
