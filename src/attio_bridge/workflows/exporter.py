"""Export of every record of an object as CSV or JSON Lines: ``export_records()``.

Every page is read (``records.iter``) and each record flattened by ``values.decode_record``:
``record_id`` first, then one column per attribute (a personal name as ``first_name``,
``last_name``, ``full_name``). In CSV, the columns come from the schema (so the header is known
before the first record), a list is joined with ``"; "``, a dict (a location) is JSON, dates and
times are ISO 8601, and a missing value is an empty cell. JSON Lines keeps lists and nulls.
"""

from __future__ import annotations

import csv
import json
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TextIO

from ..values import TargetSchema, decode_record, load_schema_async

if TYPE_CHECKING:
    from ..client import AsyncAttioClient

FORMATS = ("csv", "jsonl")


def columns_of(target: TargetSchema) -> list[str]:
    """The CSV columns of ``target``'s records, in schema order."""
    out = ["record_id"]
    for attr in target.attributes.values():
        if attr.is_archived:
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


async def export_records(
    client: AsyncAttioClient, object: str, out: TextIO, fmt: str = "csv"
) -> int:
    """Write every record of ``object`` to ``out`` as ``fmt`` (``csv`` or ``jsonl``); the
    number of records written."""
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    schema = await load_schema_async(client)
    target = schema.target(object, "object")
    writer: Any = None
    if fmt == "csv":
        writer = csv.DictWriter(out, columns_of(target), extrasaction="ignore")
        writer.writeheader()
    count = 0
    async for record in client.records.iter(target.slug):
        row = decode_record(schema, record)
        if writer is not None:
            writer.writerow({k: flat_cell(v) for k, v in row.items()})
        else:
            out.write(json.dumps(row, default=_json_default, ensure_ascii=False) + "\n")
        count += 1
    return count
