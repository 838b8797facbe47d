"""The async exporter, written once; ``../_sync`` is generated from it. ``export_records()``
writes every record of an object, or every entry of a list with its parent record, as CSV or
JSON Lines rows.

Every page is read (``records.iter``, ``entries.iter``) and each record flattened by
``values.decode_record``: ``record_id`` first, then one column per attribute (a personal name as
``first_name``, ``last_name``, ``full_name``). In CSV, the columns come from the schema (so the
header is known before the first record), a list is joined with ``"; "``, a dict (a location) is
JSON, dates and times are ISO 8601, and a missing value is an empty cell. JSON Lines keeps lists
and nulls (``importing/flat.py``).

A list exports one row per entry: ``entry_id``, then its parent record's columns (as an export of
the object), then the entry's values (``values.decode_entry``) under their slugs; a list
attribute whose slug is also a column of the record is written as ``list:SLUG``, which the
import reads back as the list's attribute. The parent records are read with one query per page
of entries (``record_id`` ``$in`` the page's ids), not one read per entry.

Where the workspace allows it (the Enterprise plan's ``POST /v2/sql`` answers and the token has
its scopes), the rows are read with SQL instead: a page of up to ``SQL_PAGE`` rows a request
where paging reads 500, and a list's parent records with one query per page of entries
(``values/sql.py`` turns SQL rows into the same flat rows). The first SQL query decides: a
refusal (400, 403, 404) falls back to paging, and ``sql=False`` never tries. Rows come in
record (or entry) id order on the SQL path, in creation order when paging.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import TYPE_CHECKING, Any, TextIO

from ...client import AttioAPIError
from ...errors import InvalidInputError
from ...values import (
    AsyncSchemaCache,
    TargetSchema,
    WorkspaceSchema,
    decode_entry,
    decode_record,
)
from ...values.sql import SQL_PAGE, SQL_REFUSALS, entry_row, page_sql, record_row, records_sql
from ..importing.flat import (
    FORMATS,
    columns_of,
    entry_columns,
    entry_values,
    open_writer,
    write_row,
)
from ..importing.targets import target_named

if TYPE_CHECKING:
    from ...client import AsyncAttioClient
    from ...client.models import Entry

__all__ = ["ENTRY_BATCH", "export_records"]

# Entries read before their parent records are fetched in one query (Attio's page size).
ENTRY_BATCH = 500


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
            row |= {renamed.get(k, k): v for k, v in entry_values(flat)}
            yield row


async def _sql_first_page(
    client: AsyncAttioClient, target: TargetSchema
) -> list[dict[str, Any]] | None:
    """The first page of ``target``'s SQL table, or None when SQL cannot be used here."""
    try:
        return await client.sql.query(page_sql(target, 0, SQL_PAGE))
    except AttioAPIError as exc:
        if exc.status_code in SQL_REFUSALS:
            return None
        raise


async def _sql_pages(
    client: AsyncAttioClient, target: TargetSchema, first: list[dict[str, Any]]
) -> AsyncIterator[list[dict[str, Any]]]:
    page, offset = first, 0
    while True:
        yield page
        if len(page) < SQL_PAGE:
            return
        offset += SQL_PAGE
        page = await client.sql.query(page_sql(target, offset, SQL_PAGE))


async def _sql_entry_rows(
    client: AsyncAttioClient,
    schema: WorkspaceSchema,
    list_target: TargetSchema,
    first: list[dict[str, Any]],
) -> AsyncIterator[dict[str, Any]]:
    """``_entry_rows`` read with SQL: a page of entries, then their parent records at once."""
    assert list_target.parent_object is not None
    parent = schema.target(list_target.parent_object, "object")
    renamed = entry_columns(list_target, parent)
    async for page in _sql_pages(client, list_target, first):
        flats = [entry_row(list_target, parent.slug, row) for row in page]
        ids = sorted({f["parent_record_id"] for f in flats if f["parent_record_id"]})
        found = await client.sql.query(records_sql(parent, ids)) if ids else []
        records = {r["record_id"]: record_row(parent, r) for r in found}
        for flat in flats:
            row = {"entry_id": flat["entry_id"]}
            row |= records.get(flat["parent_record_id"]) or {"record_id": flat["parent_record_id"]}
            row |= {renamed.get(k, k): v for k, v in entry_values(flat)}
            yield row


async def _paged_records(
    client: AsyncAttioClient, schema: WorkspaceSchema, target: TargetSchema
) -> AsyncIterator[dict[str, Any]]:
    async for record in client.records.iter(target.slug):
        yield decode_record(schema, record)


async def _sql_records(
    client: AsyncAttioClient, target: TargetSchema, first: list[dict[str, Any]]
) -> AsyncIterator[dict[str, Any]]:
    async for page in _sql_pages(client, target, first):
        for raw in page:
            yield record_row(target, raw)


async def _rows(
    client: AsyncAttioClient, schema: WorkspaceSchema, target: TargetSchema, sql: bool
) -> AsyncIterator[dict[str, Any]]:
    """Every row of the export of ``target``: by SQL when it can, else by paging."""
    first = await _sql_first_page(client, target) if sql else None
    if target.kind == "list":
        if first is None:
            return _entry_rows(client, schema, target)
        return _sql_entry_rows(client, schema, target, first)
    if first is None:
        return _paged_records(client, schema, target)
    return _sql_records(client, target, first)


async def export_records(
    client: AsyncAttioClient,
    object: str,
    out: TextIO,
    fmt: str = "csv",
    *,
    on_progress: Callable[[int], None] | None = None,
    sql: bool = True,
) -> int:
    """Write every record of ``object`` to ``out`` as ``fmt`` (``csv`` or ``jsonl``); the
    number of rows written. ``object`` may name a list: then every entry is written, with its
    parent record's values and its entry values (see the module docstring). ``MissingError`` when
    ``object`` names neither an object nor a list.

    ``on_progress(rows)`` is called with the number of rows written so far after each row (a
    progress bar's; Attio gives no total to count towards). ``sql=False`` reads by paging even
    where SQL would answer."""
    if fmt not in FORMATS:
        raise InvalidInputError(f"format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    schema = await AsyncSchemaCache(client).get()  # a cache used once: the same in both flavours
    target = target_named(schema, object)
    if target.kind == "list":
        assert target.parent_object is not None
        parent = schema.target(target.parent_object, "object")
        columns = ["entry_id", *columns_of(parent), *entry_columns(target, parent).values()]
    else:
        columns = columns_of(target)
    writer = open_writer(out, fmt, columns)
    count = 0
    async for row in await _rows(client, schema, target, sql):
        write_row(out, writer, row)
        count += 1
        if on_progress is not None:
            on_progress(count)
    return count
