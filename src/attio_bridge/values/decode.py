"""Attio's read shapes into flat, typed rows of plain Python.

``decode_record(schema, record)`` gives ``{"record_id": ..., "name"...}``-style rows: text and
numbers as they are, currencies as ``Decimal``, dates as ``date``, timestamps as aware UTC
``datetime``, select options and statuses as their titles, record references as record ids,
actor references as actor ids, emails, domains and phone numbers (E.164) as strings, locations
as dicts of the ten parts. A personal name becomes ``first_name``, ``last_name`` and
``full_name``. Multiselect attributes give lists, others a value or None. Rows feed straight
back into ``encode_values(..., ignore_read_only=True)``, which writes the same values.
``decode_history`` decodes the historic values of one attribute. ``plain(value)`` turns a
decoded value into JSON (the sync's canonical values and hashes, the snapshot files).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from ..client.models import Entry, Record
from .encode import LOCATION_KEYS, NAME_KEYS, SchemaLike, resolve_schema
from .schema import AttributeInfo, TargetSchema


def _timestamp(text: str) -> datetime:
    # fromisoformat (3.11) reads "Z" and drops digits beyond microseconds.
    return datetime.fromisoformat(text)


def _location(v: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v.get(k) for k in LOCATION_KEYS}


def _currency(v: Mapping[str, Any]) -> Decimal | None:
    n = v.get("currency_value")
    if n is None:
        return None
    # repr() of a float is its shortest exact decimal form, so 4.99 reads back as 4.99.
    return Decimal(repr(n)) if isinstance(n, float) else Decimal(str(n))


_DECODERS: dict[str, Callable[[Mapping[str, Any]], Any]] = {
    "text": lambda v: v.get("value"),
    "number": lambda v: v.get("value"),
    "checkbox": lambda v: v.get("value"),
    "rating": lambda v: v.get("value"),
    "currency": _currency,
    "date": lambda v: date.fromisoformat(v["value"]),
    "timestamp": lambda v: _timestamp(v["value"]),
    "select": lambda v: v["option"]["title"],
    "status": lambda v: v["status"]["title"],
    "record-reference": lambda v: v.get("target_record_id"),
    "actor-reference": lambda v: v.get("referenced_actor_id"),
    "location": _location,
    "domain": lambda v: v.get("domain"),
    "email-address": lambda v: v.get("email_address"),
    "phone-number": lambda v: v.get("phone_number") or v.get("original_phone_number"),
    "personal-name": lambda v: {k: v.get(k) for k in NAME_KEYS},
    "interaction": lambda v: {
        "interaction_type": v.get("interaction_type"),
        "interacted_at": _timestamp(v["interacted_at"]) if v.get("interacted_at") else None,
        "owner_actor": v.get("owner_actor"),
    },
}


def decode_value(value: Mapping[str, Any], attribute_type: str | None = None) -> Any:
    """One value in Attio's read shape as plain Python (its type from ``attribute_type`` in
    the value unless given)."""
    kind = attribute_type or value.get("attribute_type")
    decoder = _DECODERS.get(kind or "")
    if decoder is None:
        # An attribute type newer than this code: hand back what Attio sent.
        return dict(value)
    return decoder(value)


def decode_values(
    target: TargetSchema, values: Mapping[str, Sequence[Mapping[str, Any]]]
) -> dict[str, Any]:
    """A flat row from ``values`` (record ``values`` or entry ``entry_values``) of ``target``."""
    row: dict[str, Any] = {}
    for slug, items in values.items():
        attr: AttributeInfo | None = target.attribute(slug)
        multi = attr.is_multiselect if attr is not None else len(items) > 1
        kind = attr.type if attr is not None else None
        decoded = [decode_value(v, kind) for v in items]
        if kind is None and items:
            kind = items[0].get("attribute_type")
        if kind == "personal-name":
            prefix = "" if slug == "name" else f"{slug}_"
            parts = decoded[0] if decoded else dict.fromkeys(NAME_KEYS)
            row.update({prefix + k: p for k, p in parts.items()})
            continue
        row[slug] = decoded if multi else (decoded[0] if decoded else None)
    return row


def decode_record(schema: SchemaLike, record: Record | Mapping[str, Any]) -> dict[str, Any]:
    """A record (``Record`` or the raw dict) as a flat row, with ``record_id`` first."""
    raw = record.model_dump() if isinstance(record, Record) else record
    ws = resolve_schema(schema)
    target = ws.target(raw["id"]["object_id"], "object")
    return {"record_id": raw["id"]["record_id"]} | decode_values(target, raw.get("values", {}))


def decode_entry(schema: SchemaLike, entry: Entry | Mapping[str, Any]) -> dict[str, Any]:
    """A list entry (``Entry`` or the raw dict) as a flat row, with ``entry_id``,
    ``parent_record_id`` and ``parent_object`` first."""
    raw = entry.model_dump() if isinstance(entry, Entry) else entry
    ws = resolve_schema(schema)
    target = ws.target(raw["id"]["list_id"], "list")
    head = {
        "entry_id": raw["id"]["entry_id"],
        "parent_record_id": raw.get("parent_record_id"),
        "parent_object": raw.get("parent_object"),
    }
    return head | decode_values(target, raw.get("entry_values", {}))


@dataclass(frozen=True, slots=True)
class HistoricValue:
    """One value an attribute held, from ``active_from`` until ``active_until`` (None: still
    current), and who set it (``actor``: ``{type, id}``)."""

    value: Any
    active_from: datetime | None
    active_until: datetime | None
    actor: Mapping[str, Any] | None


def decode_history(values: Sequence[Mapping[str, Any]]) -> list[HistoricValue]:
    """The values of one attribute as returned with ``show_historic=true`` (oldest first),
    each decoded with its period of validity."""
    out = []
    for v in values:
        start, end = v.get("active_from"), v.get("active_until")
        out.append(
            HistoricValue(
                value=decode_value(v),
                active_from=_timestamp(start) if start else None,
                active_until=_timestamp(end) if end else None,
                actor=v.get("created_by_actor"),
            )
        )
    return out


def plain(value: Any, *, exact: bool = False) -> Any:
    """A decoded value as JSON: decimals as numbers, dates and times as ISO text, mappings with
    text keys, tuples as lists, at every depth.

    A decimal that is not whole becomes a float, so that values that mean the same compare
    equal (the sync's merge and hashes); with ``exact`` (a snapshot file, which must not lose
    digits) one that a float would round is kept as its text instead."""
    if isinstance(value, Decimal):
        if value == value.to_integral_value():
            return int(value)
        number = float(value)
        return str(value) if exact and Decimal(repr(number)) != value else number
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): plain(v, exact=exact) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v, exact=exact) for v in value]
    return value


_NUMERIC = frozenset({"number", "currency", "rating"})


def as_decoded(attribute_type: str, value: Any) -> Any:
    """``value`` from another system in the form ``plain`` gives the attribute's decoded value:
    a number or currency written as text (HubSpot's ``"12000"``) becomes the number, so that
    the same amount compares equal on both sides. Anything else, or text that is no number,
    is returned as it is."""
    if (
        attribute_type in _NUMERIC
        and isinstance(value, str | float | int)
        and not isinstance(value, bool)
    ):
        try:
            return plain(Decimal(str(value).strip()))
        except ArithmeticError:
            return value
    return value
