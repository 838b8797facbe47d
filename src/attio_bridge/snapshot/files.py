"""What a snapshot file holds, without I/O: a record's flat attributes as JSON-ready values, its
display name, and the file's bytes.

A file is ``attio/{companies|people|list-entries}/{slug}.json``::

    {
      "attributes": {"domains": ["acme.com"], "employee_range": "11-50", ...},
      "imported_at": "2026-12-07T10:00:00+00:00",
      "name": "Acme",
      "object_type": "companies",
      "record_id": "…",
      "source": "attio",
      "web_url": "https://app.attio.com/…/company/…"
    }

(a list entry has ``"list"`` too). The attributes are the export's flat row
(``values.decode_record`` / ``decode_entry``): a personal name as ``first_name``,
``last_name`` and ``full_name``, options and statuses by title, references by record id,
locations as their parts; currencies as numbers, dates and times as ISO 8601 text; empty values
left out. Keys are sorted at every depth, indented by two spaces, with a trailing newline, so a
change of one value is a one-line diff.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from ..values import plain

__all__ = ["SOURCE", "display_name", "flat_attributes", "render"]

SOURCE = "attio"
# Keys of a decoded row that the file holds at its top level instead.
_HEAD = frozenset({"record_id", "entry_id"})


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, list | dict | str) and not value)


def flat_attributes(row: Mapping[str, Any]) -> dict[str, Any]:
    """The attributes of a decoded record or entry row, as the file and the index keep them."""
    return {k: plain(v, exact=True) for k, v in row.items() if k not in _HEAD and not _empty(v)}


def display_name(attributes: Mapping[str, Any], fallback: str) -> str:
    """The name a person, company or other record goes by: its full name or name, else its
    first email address or domain, else ``fallback``."""
    for key in ("full_name", "name"):
        value = attributes.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
    parts = [attributes.get(k) for k in ("first_name", "last_name")]
    joined = " ".join(p.strip() for p in parts if isinstance(p, str) and p.strip())
    if joined:
        return joined
    for key in ("email_addresses", "domains"):
        value = attributes.get(key)
        first = value[0] if isinstance(value, list) and value else value
        if isinstance(first, str) and first:
            return first
    return fallback


def render(
    *,
    object_type: str,
    record_id: str,
    name: str,
    web_url: str,
    attributes: Mapping[str, Any],
    imported_at: datetime,
    list_slug: str | None,
) -> bytes:
    """The bytes of a snapshot file."""
    document: dict[str, Any] = {
        "attributes": dict(attributes),
        "imported_at": imported_at.isoformat(),
        "name": name,
        "object_type": object_type,
        "record_id": record_id,
        "source": SOURCE,
        "web_url": web_url,
    }
    if list_slug is not None:
        document["list"] = list_slug
    text = json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False)
    return (text + "\n").encode("utf-8")
