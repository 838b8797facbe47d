"""Export of every record of an object, or every entry of a list, as CSV or JSON Lines:
``export_records()``.

Every page is read (``records.iter``, ``entries.iter``) and each record flattened by
``values.decode_record``: ``record_id`` first, then one column per attribute (a personal name as
``first_name``, ``last_name``, ``full_name``). In CSV, the columns come from the schema (so the
header is known before the first record), a list is joined with ``"; "``, a dict (a location) is
JSON, dates and times are ISO 8601, and a missing value is an empty cell. JSON Lines keeps lists
and nulls.

A list exports one row per entry: ``entry_id``, then its parent record's columns (as an export of
the object), then the entry's values (``values.decode_entry``) under their slugs; a list
attribute whose slug is also a column of the record is written as ``list:SLUG``, which the
importer reads back as the list's attribute. The parent records are read with one query per page
of entries (``record_id`` ``$in`` the page's ids), not one read per entry.
"""

from __future__ import annotations

import csv
import json
from collections.abc import AsyncIterator, Iterator
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TextIO

from ..values import TargetSchema, WorkspaceSchema, decode_entry, decode_record, load_schema_async

if TYPE_CHECKING:
    from ..client import AsyncAttioClient
    from ..client.models import Entry

FORMATS = ("csv", "jsonl")
# Entries read before their parent records are fetched in one query (Attio's page size).
ENTRY_BATCH = 500
# The prefix of a list attribute's column when the record has a column of the same name.
LIST_PREFIX = "list:"


def columns_of(target: TargetSchema) -> list[str]:
    """The CSV columns of ``target``'s records (or entries, for a list), in schema order."""
    out = ["record_id"] if target.kind == "object" else []
    for attr in target.attributes.values():
        # Attio lists ``record_id`` among the attributes too: it is written first, once.
        if attr.is_archived or attr.slug == "record_id":
            continue
        if attr.type == "personal-name":
            prefix = "" if attr.slug == "name" else f"{attr.slug}_"
            out += [prefix + k for k in ("first_name", "last_name", "full_name")]
        else:
            out.append(attr.slug)
    return out


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _json_default(value: Any) -> Any:
    plain = _plain(value)
    if plain is value:
        raise TypeError(f"cannot write {type(value).__name__} as JSON")
    return plain


def flat_cell(value: Any) -> str:
    """One CSV cell: lists joined with ``"; "``, dicts as JSON, None as empty."""
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return "; ".join(flat_cell(v) for v in value if v is not None)
    if isinstance(value, dict):
        return json.dumps(value, default=_json_default, sort_keys=True)
    return str(_plain(value))


def entry_columns(list_target: TargetSchema, parent: TargetSchema) -> dict[str, str]:
    """``{entry value key: column}`` of a list's entries: each under its own name, or
    ``list:NAME`` when the parent record has a column of that name."""
    taken = set(columns_of(parent)) | {"entry_id"}
    return {c: LIST_PREFIX + c if c in taken else c for c in columns_of(list_target)}


def _writer(out: TextIO, fmt: str, columns: list[str]) -> Any:
    """A ``csv.DictWriter`` with its header written, or None for JSON Lines."""
    if fmt != "csv":
        return None
    writer = csv.DictWriter(out, columns, extrasaction="ignore")
    writer.writeheader()
    return writer


def _write_row(out: TextIO, writer: Any, row: dict[str, Any]) -> None:
    if writer is not None:
        writer.writerow({k: flat_cell(v) for k, v in row.items()})
    else:
        out.write(json.dumps(row, default=_json_default, ensure_ascii=False) + "\n")


async def _batches(entries: AsyncIterator[Entry], size: int) -> AsyncIterator[list[Entry]]:
    batch: list[Entry] = []
    async for entry in entries:
        batch.append(entry)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


async def _entry_rows(
    client: AsyncAttioClient, schema: WorkspaceSchema, list_target: TargetSchema
) -> AsyncIterator[dict[str, Any]]:
    """Every entry of ``list_target`` as a flat row: entry id, parent record, entry values."""
    assert list_target.parent_object is not None
    parent = schema.target(list_target.parent_object, "object")
    renamed = entry_columns(list_target, parent)
    async for batch in _batches(client.entries.iter(list_target.slug), ENTRY_BATCH):
        ids = sorted({e.parent_record_id for e in batch})
        records = {
            r.id.record_id: decode_record(schema, r)
            async for r in client.records.iter(
                parent.slug, filter={"record_id": {"$in": ids}}, page_size=len(ids)
            )
        }
        for entry in batch:
            flat = decode_entry(schema, entry)
            # A record deleted since the entry was read leaves its columns empty.
            row = {"entry_id": flat["entry_id"]}
            row |= records.get(entry.parent_record_id) or {"record_id": entry.parent_record_id}
            row |= {renamed.get(k, k): v for k, v in _entry_values(flat)}
            yield row


def _entry_values(flat: dict[str, Any]) -> Iterator[tuple[str, Any]]:
    head = ("entry_id", "parent_record_id", "parent_object")
    return ((k, v) for k, v in flat.items() if k not in head)


async def export_records(
    client: AsyncAttioClient, object: str, out: TextIO, fmt: str = "csv"
) -> int:
    """Write every record of ``object`` to ``out`` as ``fmt`` (``csv`` or ``jsonl``); the
    number of rows written. ``object`` may name a list: then every entry is written, with its
    parent record's values and its entry values (see the module docstring). ``KeyError`` when
    ``object`` names neither an object nor a list."""
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    schema = await load_schema_async(client)
    target = schema.target(object)
    count = 0
    if target.kind == "list":
        assert target.parent_object is not None
        parent = schema.target(target.parent_object, "object")
        columns = ["entry_id", *columns_of(parent), *entry_columns(target, parent).values()]
        writer = _writer(out, fmt, columns)
        async for row in _entry_rows(client, schema, target):
            _write_row(out, writer, row)
            count += 1
        return count
    writer = _writer(out, fmt, columns_of(target))
    async for record in client.records.iter(target.slug):
        _write_row(out, writer, decode_record(schema, record))
        count += 1
    return count
