"""Attio's SQL tables without I/O: the queries that read them, and their rows as decoded rows.

Used by the export's SQL path (``workflows``) and the snapshot refresh's (``snapshot``).

Attio's SQL (docs.attio.com/sql/guides/querying-with-sql) has a table per object and per list,
a column per attribute slug. A cell holds a scalar (text, a number, a boolean, a date or time as
ISO text, an option's or status's title, an email, a domain, a phone number), a struct as an
object (a record reference ``{entity_definition_id, entity_instance_id}``, a personal name, a
location, an actor), an array for a multiselect attribute, or NULL. Each cell is put back into
the REST read shape it stands for and decoded by ``values.decode`` as a page of records is, so
both paths give the same rows.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from .decode import decode_values
from .schema import TargetSchema

# Rows asked for per SQL query: well below the endpoint's row cap.
SQL_PAGE = 5000
# Answers to a first SQL query that mean "not here": read another way instead (400: a table or
# column this workspace's SQL does not have; 403: no Enterprise plan or no scope; 404: no
# endpoint).
SQL_REFUSALS = (400, 403, 404)

_FIELD = {
    "currency": "currency_value",
    "email-address": "email_address",
    "domain": "domain",
    "phone-number": "phone_number",
}


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def page_sql(target: TargetSchema, offset: int, limit: int) -> str:
    """One page of ``limit`` rows of ``target``'s table from ``offset``, in a stable order."""
    key = "entry_id" if target.kind == "list" else "record_id"
    table = ("lists." if target.kind == "list" else "") + _quote(target.slug)
    return f"SELECT * FROM {table} ORDER BY {key} LIMIT {limit} OFFSET {offset}"


def _in(ids: Sequence[str]) -> str:
    return ", ".join("'" + i.replace("'", "''") + "'" for i in ids)


def records_sql(target: TargetSchema, record_ids: Sequence[str]) -> str:
    """The records of object ``target`` with these ids."""
    return f"SELECT * FROM {_quote(target.slug)} WHERE record_id IN ({_in(record_ids)})"


def entries_sql(target: TargetSchema, entry_ids: Sequence[str]) -> str:
    """The entries of list ``target`` with these ids."""
    return f"SELECT * FROM lists.{_quote(target.slug)} WHERE entry_id IN ({_in(entry_ids)})"


def _rest_value(kind: str | None, cell: Any) -> dict[str, Any]:
    """A SQL cell as the REST value it stands for (only the fields the decoders read)."""
    if kind == "select":
        return {"option": {"title": cell}}
    if kind == "status":
        return {"status": {"title": cell}}
    if kind == "record-reference" and isinstance(cell, Mapping):
        return {"target_record_id": cell.get("entity_instance_id")}
    if kind in _FIELD:
        return {_FIELD[kind]: cell}
    if isinstance(cell, Mapping):
        return dict(cell)
    return {"value": cell}


def _values(target: TargetSchema, row: Mapping[str, Any]) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for slug, cell in row.items():
        attr = target.attribute(slug)
        if attr is None:
            continue  # entry_id, parent_record
        kind = attr.type
        if cell is None:
            out[slug] = []
        elif isinstance(cell, list):
            out[slug] = [_rest_value(kind, c) for c in cell]
        else:
            out[slug] = [_rest_value(kind, cell)]
    return out


def record_row(target: TargetSchema, row: Mapping[str, Any]) -> dict[str, Any]:
    """A row of an object's table as ``values.decode_record`` flattens the record."""
    return {"record_id": row["record_id"]} | decode_values(target, _values(target, row))


def entry_row(target: TargetSchema, parent_slug: str, row: Mapping[str, Any]) -> dict[str, Any]:
    """A row of a list's table as ``values.decode_entry`` flattens the entry."""
    parent = row.get("parent_record") or {}
    head = {
        "entry_id": row["entry_id"],
        "parent_record_id": parent.get("entity_instance_id"),
        "parent_object": parent_slug,
    }
    return head | decode_values(target, _values(target, row))
