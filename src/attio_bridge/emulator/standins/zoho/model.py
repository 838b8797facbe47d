"""The Zoho stand-in's model: Zoho CRM's Services module (service offerings); no HTTP.

Ids are Zoho's 19-digit record ids; times Zoho's ISO 8601 with an offset. A fresh org holds a
few seeded services. The connector only reads (Services sync one way, into Attio); the routes
also serve Zoho's insert, update and delete so that tests and the sandbox can change records.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from .._crm import CrmRecord, CrmStore, RateWindow

MODULE = "Services"
READ_ONLY = frozenset({"id", "Created_Time", "Modified_Time"})
FIELDS: dict[str, dict[str, str]] = {
    MODULE: {
        "Service_Name": "text",
        "Price": "currency",
        "Duration": "integer",
        "Description": "textarea",
        "Status": "picklist",
        "id": "bigint",
        "Created_Time": "datetime",
        "Modified_Time": "datetime",
    }
}
SEED = [
    {"Service_Name": "Onboarding", "Price": 1500.0, "Duration": 120, "Status": "Active"},
    {"Service_Name": "Premium support", "Price": 400.0, "Duration": 60, "Status": "Active"},
    {"Service_Name": "Data migration", "Price": 5000.0, "Duration": 480, "Status": "Draft"},
]


def _new_id(object: str, n: int) -> str:
    return f"{5725767000000000000 + n}"


def zoho_time(dt: datetime) -> str:
    """A datetime as Zoho writes it: ``2024-01-01T10:00:00+00:00`` (whole seconds)."""
    return f"{dt:%Y-%m-%dT%H:%M:%S}+00:00"


class ZohoModel(CrmStore):
    """One Zoho CRM org's Services, seeded, and its API credit window."""

    def __init__(self, rate: tuple[int, float] = (0, 60.0), *, seed: bool = True) -> None:
        super().__init__(FIELDS, _new_id, read_only=READ_ONLY)
        self.rate = RateWindow(*rate)
        if seed:
            for row in SEED:
                self.create(MODULE, row)

    def render(self, record: CrmRecord, fields: list[str] | None = None) -> dict[str, Any]:
        """A record as Zoho renders it (only ``fields`` and ``id`` when given)."""
        values = {n: record.properties.get(n) for n in self.fields[record.object]}
        values.update(
            id=record.id,
            Created_Time=zoho_time(record.created),
            Modified_Time=zoho_time(record.modified),
        )
        if fields:
            values = {k: v for k, v in values.items() if k in fields or k == "id"}
        return values
