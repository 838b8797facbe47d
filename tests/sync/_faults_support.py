"""The end-to-end fault tests' scenario, shared by the tests and their worker process.

Two CRMs are synced with the emulator's Attio over real HTTP: HubSpot's stand-in (contacts) and
Salesforce's (Contact), each at the emulator process's own root. ``Scenario`` drives the same
story on either: records made on one side only and on both sides (with different values),
a first full sync, then edits on either side (some to the same field), deletes on either side
and new records, and a second full sync. ``snapshot`` is what the run ended with, normalised so
that two runs compare equal when they ended alike: each side's records by match key (email),
with their values, and the record store's links as pairs of emails with their last synced copy.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from attio_bridge.client import AttioClient
from attio_bridge.connectors.crm import CrmConnector
from attio_bridge.connectors.hubspot import HubSpotConnector
from attio_bridge.connectors.salesforce import SalesforceConnector
from attio_bridge.sync import SyncMapping, parse_mappings
from attio_bridge.sync.store import RecordStore
from attio_bridge.values import decode_record, load_schema

KEY = "faults-e2e-key"  # the emulator's API key, which its stand-ins take as a token too
EXTERNAL_ONLY = 16
ATTIO_ONLY = 8
BOTH = 8


@dataclass(frozen=True)
class System:
    """How one CRM's records are named: its object and its fields for email, names, title."""

    name: str
    object: str
    email: str
    first: str
    last: str
    title: str

    def mapping(self) -> SyncMapping:
        """The system's object <-> Attio's people, by email; deletes go across."""
        [m] = parse_mappings(
            {
                "mapping": [
                    {
                        "name": f"{self.name}-people",
                        "system": self.name,
                        "object": self.object,
                        "attio_object": "people",
                        "match": {"external": self.email, "attio": "email_addresses"},
                        "on_delete": "delete",
                        "fields": [
                            {
                                "external": self.email,
                                "attio": "email_addresses",
                                "transform": "lowercase",
                            },
                            {
                                "external": [self.first, self.last],
                                "attio": "name",
                                "transform": "split_name",
                            },
                            {"external": self.title, "attio": "job_title"},
                        ],
                    }
                ]
            }
        )
        return m

    def connector(self, base_url: str, timeout: float = 30.0) -> CrmConnector:
        """A connector to the stand-in of the emulator at ``base_url``."""
        if self.name == "hubspot":
            return HubSpotConnector(KEY, base_url=base_url, timeout=timeout)
        return SalesforceConnector(base_url, KEY, timeout=timeout)

    def row(self, email: str, first: str, last: str, title: str) -> dict[str, Any]:
        """A record's properties in the system's names."""
        return {self.email: email, self.first: first, self.last: last, self.title: title}


HUBSPOT = System("hubspot", "contacts", "email", "firstname", "lastname", "jobtitle")
SALESFORCE = System("salesforce", "Contact", "Email", "FirstName", "LastName", "Title")


def _person(client: AttioClient, email: str, first: str, last: str, title: str) -> str:
    name = [{"first_name": first, "last_name": last, "full_name": f"{first} {last}"}]
    values = {"email_addresses": [email], "name": name, "job_title": title}
    return client.records.create("people", values).record_id


class Scenario:
    """The story of one test, told the same way each time (the module docstring)."""

    def __init__(self, system: System, connector: CrmConnector, client: AttioClient) -> None:
        self.system = system
        self.side = connector
        self.client = client

    def _external_ids(self) -> dict[str, str]:
        return {email: rec_id for email, (rec_id, _) in external_records(self).items()}

    def _attio_ids(self) -> dict[str, str]:
        return {email: rec_id for email, (rec_id, _) in attio_records(self.client).items()}

    def before(self) -> None:
        """Records on one side, and on both with different titles (Attio's written last)."""
        s, obj = self.system, self.system.object
        for i in range(EXTERNAL_ONLY):
            self.side.create(obj, s.row(f"ext{i}@ext.example", f"Ext{i}", "Side", f"Eng {i}"))
        for i in range(BOTH):
            self.side.create(obj, s.row(f"both{i}@both.example", f"Both{i}", "Ext", f"Ext {i}"))
        for i in range(ATTIO_ONLY):
            _person(self.client, f"att{i}@attio.example", f"Att{i}", "Attio", f"Ops {i}")
        for i in range(BOTH):
            _person(self.client, f"both{i}@both.example", f"Both{i}", "Attio", f"Attio {i}")

    def between(self) -> None:
        """After the first sync: edits on either side (some to one field on both), deletes on
        either side, and new records on either side."""
        s, obj = self.system, self.system.object
        ext, att = self._external_ids(), self._attio_ids()

        def edit_attio(email: str, **values: Any) -> None:
            self.client.records.overwrite("people", att[email], values)

        for i in range(3):
            self.side.update(obj, ext[f"ext{i}@ext.example"], {s.title: f"Lead {i}"})
            edit_attio(f"att{i}@attio.example", job_title=f"Head {i}")
        for i in range(3):  # the same field on both sides: the later write wins
            self.side.update(obj, ext[f"both{i}@both.example"], {s.title: f"Ext again {i}"})
            edit_attio(f"both{i}@both.example", job_title=f"Attio again {i}")
        edit_attio("both3@both.example", job_title="Attio first")
        self.side.update(obj, ext["both3@both.example"], {s.title: "Ext last"})
        # Different fields on either side: both changes stay.
        self.side.update(obj, ext["ext3@ext.example"], {s.first: "Renamed"})
        edit_attio("ext3@ext.example", job_title="Merged title")
        for i in (4, 5):
            self.side.delete(obj, ext[f"ext{i}@ext.example"])
            self.client.records.delete("people", att[f"att{i + 2}@attio.example"])
        self.side.delete(obj, ext["both4@both.example"])
        self.client.records.delete("people", att["both5@both.example"])
        for i in range(3):
            self.side.create(obj, s.row(f"new{i}@ext.example", f"New{i}", "Ext", "Fresh"))
            _person(self.client, f"new{i}@attio.example", f"New{i}", "Attio", "Fresh")


def attio_records(client: AttioClient) -> dict[str, tuple[str, dict[str, Any]]]:
    """Attio's people by email: (record id, name parts and title); a duplicate fails."""
    schema = load_schema(client)
    out: dict[str, tuple[str, dict[str, Any]]] = {}
    emails: list[str] = []
    for record in client.records.iter("people"):
        row = decode_record(schema, record)
        values = {
            "first": row.get("first_name") or "",
            "last": row.get("last_name") or "",
            "title": row.get("job_title") or "",
        }
        for email in row.get("email_addresses") or []:
            emails.append(email)
            out[email] = (record.record_id, values)
    _no_duplicates("Attio", emails)
    return out


def external_records(scenario: Scenario) -> dict[str, tuple[str, dict[str, Any]]]:
    """The other side's live records by email, in the same shape; a duplicate fails."""
    s = scenario.system
    out: dict[str, tuple[str, dict[str, Any]]] = {}
    emails: list[str] = []
    cursor: str | None = None
    while True:
        page = scenario.side.list_page(s.object, cursor, 100)
        for rec in page.records:
            p = rec.properties
            email = str(p.get(s.email) or "").lower()
            emails.append(email)
            out[email] = (
                rec.id,
                {
                    "first": p.get(s.first) or "",
                    "last": p.get(s.last) or "",
                    "title": p.get(s.title) or "",
                },
            )
        cursor = page.next_cursor
        if cursor is None:
            break
    _no_duplicates(s.name, emails)
    return out


def _no_duplicates(side: str, emails: list[str]) -> None:
    doubled = sorted(e for e, n in Counter(emails).items() if n > 1)
    assert not doubled, f"{side} holds more than one record of {doubled}"


def snapshot(scenario: Scenario, store: RecordStore) -> dict[str, Any]:
    """Both sides by email and the links as (Attio email, external email, last synced copy)."""
    attio = attio_records(scenario.client)
    external = external_records(scenario)
    attio_email = {rec_id: email for email, (rec_id, _) in attio.items()}
    external_email = {rec_id: email for email, (rec_id, _) in external.items()}
    s = scenario.system
    links = sorted(
        (
            attio_email.get(link.attio_id or "", f"gone:{link.attio_id}"),
            external_email.get(link.external_id, f"gone:{link.external_id}"),
            repr(sorted((link.base or {}).items())),
            repr(link.pending),
            repr(link.flagged),
        )
        for link in store.links(s.name, s.object)
    )
    return {
        "attio": {email: values for email, (_, values) in attio.items()},
        "external": {email: values for email, (_, values) in external.items()},
        "links": links,
    }


def differences(got: dict[str, Any], want: dict[str, Any]) -> list[str]:
    """What ``got`` holds that ``want`` does not, or otherwise, one line each (a readable
    failure; empty when the snapshots are equal)."""
    out: list[str] = []
    for side in ("attio", "external"):
        for email in sorted(set(got[side]) | set(want[side])):
            g, w = got[side].get(email), want[side].get(email)
            if g != w:
                out.append(f"{side} {email}: {g} != {w} (wanted)")
    extra = sorted(set(got["links"]) - set(want["links"]))
    missing = sorted(set(want["links"]) - set(got["links"]))
    out += [f"link not wanted: {link}" for link in extra]
    out += [f"link missing: {link}" for link in missing]
    return out
