"""Lists and pipelines: add a record, assert its entry, update entry values, remove an entry,
move a record from one list to another, filter entries.

Entry values are plain Python by list attribute slug (``{"stage": "Qualified"}``), encoded and
checked against the list's schema first. Lists are named by slug or id. The ids of a record's
entries in a list are read through the cache (kind "lists"); every entry write drops them.
"""

from __future__ import annotations

import builtins
from collections.abc import Mapping
from typing import Any

from ...cache import CacheKind
from ...client import NOT_GIVEN
from ...client.models import Entry, Record
from ...values import Problem, TargetSchema
from .._common import (
    ServiceError,
    entries_key,
    entry_filter,
    find_target,
    raise_problems,
    record_id_of,
)
from .context import AsyncContext


class AsyncLists:
    """Entries of lists (pipelines): ``add``, ``assert_entry``, ``update_entry``, ``remove``,
    ``move``, ``entry_ids``, ``filter_entries``."""

    def __init__(self, context: AsyncContext) -> None:
        self._ctx = context
        self.schema = context.schema

    async def _list(self, name: str) -> TargetSchema:
        return find_target(await self._ctx.workspace(), name, "list")

    async def _entry_values(
        self, target: TargetSchema, values: Mapping[str, Any] | None, *, create: bool
    ) -> dict[str, Any]:
        return await self._ctx.encode(target.slug, values or {}, create=create, kind="list")

    async def _write(
        self, target: TargetSchema, record: str | Record, encoded: dict[str, Any], *, new: bool
    ) -> Entry:
        """A new entry (``new``) or the record's asserted one, with ``encoded`` values."""
        entries = self._ctx.client.entries
        write = entries.create if new else entries.assert_entry
        await self._forget_entries(target, record)
        return await write(
            target.slug,
            parent_record_id=record_id_of(record),
            parent_object=target.parent_object or "",
            entry_values=encoded,
        )

    async def add(
        self, list: str, record: str | Record, entry_values: Mapping[str, Any] | None = None
    ) -> Entry:
        """Add the record (id or ``Record``) to ``list`` with ``entry_values``; a record may be
        in a list more than once, so this always makes a new entry (see ``assert_entry``)."""
        target = await self._list(list)
        encoded = await self._entry_values(target, entry_values, create=True)
        return await self._write(target, record, encoded, new=True)

    async def assert_entry(
        self, list: str, record: str | Record, entry_values: Mapping[str, Any] | None = None
    ) -> Entry:
        """The record's entry in ``list`` with ``entry_values`` set: created if it has none,
        updated if it has one (multiselect values replaced); running it again changes nothing."""
        target = await self._list(list)
        encoded = await self._entry_values(target, entry_values, create=False)
        return await self._write(target, record, encoded, new=False)

    async def update_entry(
        self,
        list: str,
        entry_id: str,
        entry_values: Mapping[str, Any],
        *,
        overwrite: bool = False,
    ) -> Entry:
        """Change values of one entry; multiselect values are added to, or replaced with
        ``overwrite=True``."""
        target = await self._list(list)
        encoded = await self._entry_values(target, entry_values, create=False)
        entries = self._ctx.client.entries
        if overwrite:
            return await entries.overwrite(target.slug, entry_id, encoded)
        return await entries.update(target.slug, entry_id, encoded)

    async def remove(self, list: str, entry_id: str) -> Entry:
        """Remove the entry ``entry_id`` from ``list`` (its record stays; only the entry goes)
        and return it as it was; its record's entry ids in the list are dropped from the
        cache."""
        target = await self._list(list)
        entries = self._ctx.client.entries
        # Read first: the cached ids to drop are keyed by the entry's record.
        entry = await entries.get(target.slug, entry_id)
        await entries.delete(target.slug, entry_id)
        await self._forget_entries(target, entry.parent_record_id)
        return entry

    async def _forget_entries(self, target: TargetSchema, record: str | Record) -> None:
        await self._ctx.cached.delete(entries_key(target.id, record_id_of(record)), CacheKind.LISTS)

    async def _load_entry_ids(self, target: TargetSchema, record_id: str) -> builtins.list[str]:
        ids: builtins.list[str] = []
        async for entry in self._ctx.client.records.iter_entries(
            target.parent_object or "", record_id
        ):
            if entry.list_id == target.id:
                ids.append(entry.entry_id)
        return ids

    async def entry_ids(self, list: str, record: str | Record) -> builtins.list[str]:
        """The ids of the record's entries in ``list`` (usually none or one), read through the
        cache."""
        target = await self._list(list)
        record_id = record_id_of(record)
        ids = await self._ctx.cached.get_or_load(
            entries_key(target.id, record_id),
            CacheKind.LISTS,
            lambda: self._load_entry_ids(target, record_id),
        )
        return [str(i) for i in ids] if isinstance(ids, builtins.list) else []

    async def move(
        self,
        record: str | Record,
        from_list: str,
        to_list: str,
        entry_values: Mapping[str, Any] | None = None,
    ) -> Entry:
        """Move the record from ``from_list`` to ``to_list`` (both of the same object): its
        entry in ``to_list`` is asserted with ``entry_values`` first, then its entries in
        ``from_list`` are removed, so a failure half-way never loses the record, and running the
        move again finishes it. Raises ``ServiceError`` if the record is in neither list."""
        source, dest = await self._list(from_list), await self._list(to_list)
        if source.parent_object != dest.parent_object:
            raise ServiceError(
                f"cannot move between {source.slug!r} ({source.parent_object}) and "
                f"{dest.slug!r} ({dest.parent_object}): the lists hold different objects"
            )
        encoded = await self._entry_values(dest, entry_values, create=False)
        # What to delete must be what Attio holds now, not a copy up to a TTL old.
        await self._forget_entries(source, record)
        await self._forget_entries(dest, record)
        leaving = await self.entry_ids(source.slug, record)
        if not leaving and not await self.entry_ids(dest.slug, record):
            raise ServiceError(
                f"record {record_id_of(record)} is not in list {source.slug!r}, so it cannot be "
                f"moved; use lists.add({dest.slug!r}, ...) to add it"
            )
        moved = await self._write(dest, record, encoded, new=False)
        for entry_id in leaving:
            await self._ctx.client.entries.delete(source.slug, entry_id)
        await self._forget_entries(source, record)
        return moved

    async def filter_entries(
        self, list: str, filter: Mapping[str, Any] | None = None, *, page_size: int = 500
    ) -> builtins.list[Entry]:
        """Every entry of ``list`` matching ``filter`` (Attio's filter language; None: every
        entry), all pages.

        A key that is no attribute of the list but one of its parent object filters by the
        parent record: on a list of deals ``{"value": {"$gt": 10000}}`` keeps deals worth more
        than 10,000; on a list of companies ``{"categories": "SaaS"}`` keeps SaaS companies.
        Keys naming neither raise ``ValuesError`` with the closest attribute.
        """
        target = await self._list(list)
        problems: builtins.list[Problem] = []
        rewritten = entry_filter(await self._ctx.workspace(), target, filter or {}, problems)
        raise_problems(target.slug, problems)
        found: builtins.list[Entry] = []
        async for entry in self._ctx.client.entries.iter(
            target.slug, filter=rewritten if filter else NOT_GIVEN, page_size=page_size
        ):
            found.append(entry)
        return found
