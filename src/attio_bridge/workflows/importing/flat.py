"""The export's flat rows without Attio I/O: the columns of an object's records or a list's
entries, one CSV cell per value, and the writers of CSV and JSON Lines. The import reads these
files back (a list attribute whose name the record also has is the column ``list:SLUG``). The
reads are ``workflows/_async/exporter.py``'s."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal
from typing import Any, TextIO

from ...values import TargetSchema
from .mapping import LIST_PREFIX

__all__ = [
    "FORMATS",
    "columns_of",
    "entry_columns",
    "entry_values",
    "flat_cell",
    "open_writer",
    "write_row",
]

FORMATS = ("csv", "jsonl")


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


def entry_values(flat: dict[str, Any]) -> Iterator[tuple[str, Any]]:
    """The entry's own values of a decoded entry (``values.decode_entry``)."""
    head = ("entry_id", "parent_record_id", "parent_object")
    return ((k, v) for k, v in flat.items() if k not in head)


def open_writer(out: TextIO, fmt: str, columns: list[str]) -> Any:
    """A ``csv.DictWriter`` with its header written, or None for JSON Lines."""
    if fmt != "csv":
        return None
    writer = csv.DictWriter(out, columns, extrasaction="ignore")
    writer.writeheader()
    return writer


def write_row(out: TextIO, writer: Any, row: dict[str, Any]) -> None:
    """One row: a CSV line through ``writer``, or a JSON Lines line when it is None."""
    if writer is not None:
        writer.writerow({k: flat_cell(v) for k, v in row.items()})
    else:
        out.write(json.dumps(row, default=_json_default, ensure_ascii=False) + "\n")
