"""The HubSpot stand-in's model: contacts, companies and deals of one portal; no HTTP.

Properties are HubSpot's default ones for each object (strings, as HubSpot stores them), plus
the read-only ``hs_object_id``, ``createdate`` and ``hs_lastmodifieddate`` the model keeps.
Ids are HubSpot's numeric strings. A fresh portal holds a few seeded records.
"""

from __future__ import annotations

from typing import Any

from .._crm import CrmRecord, CrmStore, RateWindow

READ_ONLY = frozenset({"hs_object_id", "createdate", "hs_lastmodifieddate"})
_COMMON = {"hs_object_id": "number", "createdate": "datetime", "hs_lastmodifieddate": "datetime"}
FIELDS: dict[str, dict[str, str]] = {
    "contacts": {
        "email": "string",
        "firstname": "string",
        "lastname": "string",
        "phone": "string",
        "company": "string",
        "jobtitle": "string",
        "lifecyclestage": "enumeration",
        **_COMMON,
    },
    "companies": {
        "name": "string",
        "domain": "string",
        "industry": "enumeration",
        "city": "string",
        "numberofemployees": "number",
        **_COMMON,
    },
    "deals": {
        "dealname": "string",
        "amount": "number",
        "dealstage": "enumeration",
        "pipeline": "enumeration",
        "closedate": "datetime",
        **_COMMON,
    },
}
# What a read returns when it names no properties (HubSpot's defaults per object).
DEFAULT_PROPERTIES = {
    "contacts": ("email", "firstname", "lastname"),
    "companies": ("name", "domain"),
    "deals": ("dealname", "amount", "closedate", "pipeline", "dealstage"),
}
SEED: dict[str, list[dict[str, Any]]] = {
    "companies": [
        {"name": "Acme Corp", "domain": "acme.example.com", "industry": "COMPUTER_SOFTWARE"},
        {"name": "Globex", "domain": "globex.example.com", "city": "Springfield"},
    ],
    "contacts": [
        {"email": "ada@acme.example", "firstname": "Ada", "lastname": "Lovelace"},
        {"email": "grace@globex.example", "firstname": "Grace", "lastname": "Hopper"},
        {"email": "alan@acme.example", "firstname": "Alan", "lastname": "Turing"},
    ],
    "deals": [
        {"dealname": "Acme renewal", "amount": "12000", "dealstage": "appointmentscheduled"},
        {"dealname": "Globex pilot", "amount": "3000", "dealstage": "qualifiedtobuy"},
    ],
}


def _new_id(object: str, n: int) -> str:
    return str(1000 + n)


class HubSpotModel(CrmStore):
    """One HubSpot portal's CRM objects, seeded, and its rate window."""

    portal_id = 62515

    def __init__(self, rate: tuple[int, float] = (0, 10.0), *, seed: bool = True) -> None:
        super().__init__(FIELDS, _new_id, read_only=READ_ONLY)
        self.rate = RateWindow(*rate)
        if seed:
            for object, rows in SEED.items():
                for row in rows:
                    self.create(object, row)

    def properties_of(self, record: CrmRecord) -> dict[str, Any]:
        """Every property, the kept ones included, as HubSpot renders them (strings)."""
        stamp = {
            "hs_object_id": record.id,
            "createdate": _iso(record.created),
            "hs_lastmodifieddate": _iso(record.modified),
        }
        return {**{k: _text(v) for k, v in record.properties.items()}, **stamp}


def _text(value: Any) -> Any:
    return value if value is None or isinstance(value, str) else str(value)


def _iso(dt: Any) -> str:
    return f"{dt:%Y-%m-%dT%H:%M:%S}.{dt.microsecond // 1000:03d}Z"
