"""``AsyncContext``: what every service shares: the client, one schema cache, the record cache,
the encode options and the workspace members (loaded once, for resolving emails to member ids).

Reads of records go through the ``attio_bridge.cache`` cache (kind "records"): a record by id
under ``record_key``, and by a unique value (email, domain) under ``unique_key``, which holds
only the record's id, so an update of the record never leaves a stale copy behind a unique key.
Every write the services make stores the fresh record (``remember``) or drops it (``forget``),
and drops the cached copies of the records on the other side of its relationships.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from ...cache import JSON, Cache, CacheKind
from ...client import AsyncAttioClient, NotFoundError
from ...client.models import Record, WorkspaceMember
from ...values import AsyncSchemaCache, EncodeOptions, Problem, WorkspaceSchema, encode_values
from .._common import (
    AsyncCacheView,
    record_key,
    related_keys,
    resolve_members,
    unique_key,
    unique_keys,
)

RECORDS = CacheKind.RECORDS


class AsyncContext:
    """The client, a shared ``AsyncSchemaCache``, the ``Cache`` of records, lists and notes
    (in memory unless given) and ``EncodeOptions`` of one set of services. A schema cache made
    here lives for the cache's "schema" TTL, so a cache with TTL 0 turns every caching off."""

    def __init__(
        self,
        client: AsyncAttioClient,
        schema: AsyncSchemaCache | None = None,
        options: EncodeOptions | None = None,
        cache: Cache | None = None,
    ) -> None:
        self.client = client
        self.cache = cache if cache is not None else Cache()
        self.cached = AsyncCacheView(self.cache)
        self.schema = (
            schema
            if schema is not None
            else AsyncSchemaCache(client, ttl=self.cache.ttl_of(CacheKind.SCHEMA))
        )
        self.options = options or EncodeOptions()
        self._members: list[WorkspaceMember] | None = None

    async def workspace(self) -> WorkspaceSchema:
        """The workspace schema (from the cache)."""
        return await self.schema.get()

    async def encode(
        self,
        target: str,
        data: Mapping[str, Any],
        *,
        create: bool = False,
        kind: str | None = None,
    ) -> dict[str, Any]:
        """``encode_values`` with the shared schema and options."""
        ws = await self.schema.get()
        return encode_values(ws, target, data, create=create, options=self.options, kind=kind)

    # -- records through the cache -------------------------------------------------------------
    async def _fetch(self, object: str, record_id: str) -> JSON:
        record = await self.client.records.get(object, record_id)
        return record.model_dump(mode="json")

    async def read_record(self, object: str, record_id: str) -> Record:
        """The record ``record_id`` of ``object`` (a slug), from the cache or fetched."""
        data = await self.cached.get_or_load(
            record_key(object, record_id), RECORDS, lambda: self._fetch(object, record_id)
        )
        return Record.model_validate(data)

    async def cached_id(self, object: str, attribute: str, value: str) -> str | None:
        """The id of the record whose unique ``attribute`` is ``value``, if the cache knows."""
        found = await self.cached.get(unique_key(object, attribute, value), RECORDS)
        return found if isinstance(found, str) else None

    async def find_unique(
        self, object: str, attribute: str, field: str, value: str
    ) -> Record | None:
        """The record whose unique ``attribute`` has ``value`` in ``field`` (e.g. a person by
        ``email_addresses``/``email_address``): through the cache, else one query."""
        record_id = await self.cached_id(object, attribute, value)
        if record_id is not None:
            try:
                return await self.read_record(object, record_id)
            except NotFoundError:
                # Deleted elsewhere since: forget the dangling id and ask Attio.
                await self.cached.delete(unique_key(object, attribute, value), RECORDS)
        page = await self.client.records.query(
            object, filter={attribute: {field: {"$eq": value}}}, limit=1
        )
        if not page:
            return None
        return await self.remember(object, page[0], wrote=False)

    async def remember(self, object: str, record: Record, *, wrote: bool = True) -> Record:
        """Store ``record`` under its id and unique values; after a write (``wrote``) also drop
        the cached records on the other side of its relationships, before and after."""
        ws = await self.workspace()
        key = record_key(object, record.record_id)
        stale: list[str] = []
        if wrote:
            old = await self.cached.get(key, RECORDS)
            if old is not None:
                stale += related_keys(ws, object, Record.model_validate(old))
            stale += related_keys(ws, object, record)
        for k in dict.fromkeys(stale):
            await self.cached.delete(k, RECORDS)
        await self.cached.set(key, record.model_dump(mode="json"), RECORDS)
        for k in unique_keys(ws, object, record):
            await self.cached.set(k, record.record_id, RECORDS)
        return record

    async def forget(self, object: str, record: Record) -> None:
        """Drop ``record`` (after it was deleted): its copy, the ids under its unique values and
        the copies of the records it was related to."""
        ws = await self.workspace()
        keys = [record_key(object, record.record_id), *unique_keys(ws, object, record)]
        for k in [*keys, *related_keys(ws, object, record)]:
            await self.cached.delete(k, RECORDS)

    # -- members -------------------------------------------------------------------------------
    async def members(self) -> list[WorkspaceMember]:
        """The workspace members, loaded on first use and kept."""
        if self._members is None:
            self._members = await self.client.workspace_members.list()
        return self._members

    async def member_ids(self, field: str, given: Iterable[str]) -> tuple[list[str], list[Problem]]:
        """The member ids of ``given`` emails or ids, and a ``Problem`` on ``field`` (naming the
        members) for each that is unknown; the list is reloaded once first, for new members."""
        given = list(given)
        if not given:
            return [], []
        found = resolve_members(await self.members(), field, given)
        if found[1]:
            self._members = None
            found = resolve_members(await self.members(), field, given)
        return found
