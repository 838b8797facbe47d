"""What the Browse page's tables hold: one page of companies, people or a list's entries, read
through the client, as plain rows.

``browse_page(client, kind, ...)`` makes one records (or entries) query with ``limit`` and
``offset``, filtered when a search is given (companies by name or domain, people by name or
email address, entries by their parent record's name), and turns each record into a ``Row``:
its id, display name, link in Attio and a few key attributes as text. A list's entries are named
after their parent records, read in one query per parent object (``record_id`` ``$in``), never
one read per entry.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from ..client import AsyncAttioClient
from ..client.models import Entry, Record

__all__ = ["COLUMNS", "KINDS", "Kind", "Page", "Row", "browse_page", "plain", "search_filter"]

Kind = Literal["companies", "people", "list-entries"]
KINDS: tuple[Kind, ...] = ("companies", "people", "list-entries")
PAGE_SIZES = (25, 50, 100, 500)
MATCHES = 500
"""At most this many parent records are matched by a search of a list's entries."""

COLUMNS: dict[str, tuple[str, ...]] = {
    "companies": ("domains", "categories", "employee_range", "primary_location"),
    "people": ("email_addresses", "job_title", "phone_numbers", "primary_location"),
    "list-entries": (),
}
"""The key attributes shown per kind (an entry shows its own entry values)."""


@dataclass(frozen=True, slots=True)
class Row:
    """One record or entry as a table row."""

    id: str
    name: str
    web_url: str
    cells: dict[str, str] = field(default_factory=dict)
    parent_object: str = ""


@dataclass(frozen=True, slots=True)
class Page:
    """One page of rows and where it sits."""

    kind: Kind
    rows: list[Row]
    offset: int
    limit: int
    columns: tuple[str, ...]

    @property
    def has_next(self) -> bool:
        """A full page: there may be more after it."""
        return len(self.rows) >= self.limit


def plain(value: dict[str, Any]) -> str:
    """One Attio value as short text (an option's title, a domain, an email address ...)."""
    for key in ("full_name", "domain", "email_address", "phone_number", "value"):
        found = value.get(key)
        if found is not None and not isinstance(found, dict | list):
            return str(found)
    for key in ("option", "status"):
        found = value.get(key)
        if isinstance(found, dict) and "title" in found:
            return str(found["title"])
    if value.get("currency_value") is not None:
        return f"{value['currency_value']} {value.get('currency_code') or ''}".strip()
    if value.get("target_record_id"):
        return str(value["target_record_id"])
    place = [value.get(k) for k in ("locality", "region", "country_code")]
    if any(place):
        return ", ".join(str(p) for p in place if p)
    return ""


def _text(values: dict[str, list[dict[str, Any]]], slug: str) -> str:
    return ", ".join(text for text in (plain(v) for v in values.get(slug, [])) if text)


def _name(record: Record) -> str:
    return _text(record.values, "name") or record.record_id


def search_filter(obj: str, query: str) -> dict[str, Any] | None:
    """The records query filter on object ``obj`` for a search box's text (None for no
    search): companies by name or domain, people by name or email address, any other object
    by its name."""
    query = query.strip()
    if not query:
        return None
    if obj == "people":
        return {
            "$or": [
                {"name": {"full_name": {"$contains": query}}},
                {"email_addresses": {"email_address": {"$contains": query}}},
            ]
        }
    if obj == "companies":
        return {
            "$or": [
                {"name": {"$contains": query}},
                {"domains": {"domain": {"$contains": query}}},
            ]
        }
    return {"name": {"$contains": query}}


async def browse_page(
    client: AsyncAttioClient,
    kind: Kind,
    *,
    query: str = "",
    list_slug: str | None = None,
    offset: int = 0,
    limit: int = 50,
) -> Page:
    """One page of ``kind`` (a list's entries when ``list-entries``, of ``list_slug``)."""
    if kind == "list-entries":
        return await _entries_page(client, list_slug or "", query, offset, limit)
    found_filter = search_filter(kind, query)
    options: dict[str, Any] = {"limit": limit, "offset": offset}
    if found_filter is not None:
        options["filter"] = found_filter
    records = await client.records.query(kind, **options)
    columns = COLUMNS[kind]
    rows = [
        Row(
            id=r.record_id,
            name=_name(r),
            web_url=r.web_url or "",
            cells={slug: _text(r.values, slug) for slug in columns},
        )
        for r in records
    ]
    return Page(kind, rows, offset, limit, columns)


async def _parents(client: AsyncAttioClient, entries: Sequence[Entry]) -> dict[str, Record]:
    by_object: dict[str, list[str]] = {}
    for entry in entries:
        by_object.setdefault(entry.parent_object, []).append(entry.parent_record_id)
    found: dict[str, Record] = {}
    for obj, ids in by_object.items():
        unique = sorted(set(ids))
        records = await client.records.query(
            obj, filter={"record_id": {"$in": unique}}, limit=len(unique)
        )
        found.update((r.record_id, r) for r in records)
    return found


async def _entries_page(
    client: AsyncAttioClient, list_slug: str, query: str, offset: int, limit: int
) -> Page:
    options: dict[str, Any] = {"limit": limit, "offset": offset}
    if query.strip():
        # Entries carry no name of their own: find the parents by name (one query per parent
        # object of the list), then the entries of those parents.
        parent_ids: list[str] = []
        for obj in (await client.lists.get(list_slug)).parent_object:
            found_filter = search_filter(obj, query)
            assert found_filter is not None  # the query is not blank
            matches = await client.records.query(obj, filter=found_filter, limit=MATCHES)
            parent_ids += [r.record_id for r in matches]
        options["filter"] = {"parent_record": {"target_record_id": {"$in": parent_ids}}}
    entries = await client.entries.query(list_slug, **options)
    parents = await _parents(client, entries)
    columns: list[str] = []
    for entry in entries:
        columns += [slug for slug in entry.entry_values if slug not in columns]
    rows = []
    for entry in entries:
        parent = parents.get(entry.parent_record_id)
        rows.append(
            Row(
                id=entry.entry_id,
                name=_name(parent) if parent else entry.parent_record_id,
                web_url=(parent.web_url or "") if parent else "",
                cells={slug: _text(entry.entry_values, slug) for slug in columns},
                parent_object=entry.parent_object,
            )
        )
    return Page("list-entries", rows, offset, limit, tuple(columns[:4]))
