"""Default handlers of record events: keep the record cache fresh, rewrite references on merges.

- ``record.created``: the ``external_sync`` hook, if the deployment set one.
- ``record.updated``: drop the cached record (its copy, the ids under its unique values, its
  relations' copies: what ``services`` cached) and read it again through the services, which
  cache the new value. Attio fires one event per changed attribute, plus one when a formula is
  recalculated; the ``Coalescer`` turns such a burst into one re-read.
- ``record.deleted``: drop the cached record.
- ``record.merged``: point local references (``References``) at the surviving record and drop
  the cached copies of both ids. Since August 2026 a merge mints a new id and fires the event
  twice (once per merged-away record, each naming the new id and its ``duplicate_record_id``);
  each event moves its own duplicate, and running either again changes nothing.
"""

from __future__ import annotations

import asyncio
from typing import Any

from ...cache import CacheKind
from ...client import NotFoundError
from ...client.models import Record
from ...services import record_key
from ..events import Event
from ._ids import event_id, payload_field
from ._router import on
from .context import HandlerContext

__all__ = [
    "drop_record",
    "object_slug",
    "record_created",
    "record_deleted",
    "record_merged",
    "record_updated",
]

RECORDS = CacheKind.RECORDS


async def object_slug(ctx: HandlerContext, object_id: str) -> str | None:
    """The slug of the object ``object_id`` (the services key their cache by slug); the
    schema is loaded again once if it does not know the object (created since)."""
    schema = await ctx.services.schema.get()
    target = schema.object(object_id)
    if target is None:
        target = (await ctx.services.schema.refresh()).object(object_id)
    return target.slug if target is not None else None


async def drop_record(ctx: HandlerContext, slug: str, record_id: str) -> bool:
    """Drop what the services cached for the record: its copy, the ids kept under its unique
    values and the copies of the records it is related to. Whether a copy was cached."""
    cached = await ctx.cache.aget(record_key(slug, record_id), RECORDS)
    if cached is None:
        return False
    await ctx.services.context.forget(slug, Record.model_validate(cached))
    return True


@on("record.created")
async def record_created(event: Event, ctx: HandlerContext) -> dict[str, Any]:
    """Run the ``external_sync`` hook on the new record."""
    record_id = event_id(event, "record_id")
    if ctx.hooks.external_sync is None:
        return {"action": "no external sync hook", "record_id": record_id}
    effect = await ctx.hooks.external_sync(event, ctx)
    return {"action": "external sync", "record_id": record_id, **(effect or {})}


@on("record.updated")
async def record_updated(event: Event, ctx: HandlerContext) -> dict[str, Any]:
    """Drop the cached record and read it again (once for a burst of updates)."""
    record_id = event_id(event, "record_id")
    slug = await object_slug(ctx, event_id(event, "object_id"))
    if slug is None:
        return {"action": "unknown object", "record_id": record_id}
    known_slug = slug

    async def reread() -> dict[str, Any]:
        dropped = await drop_record(ctx, known_slug, record_id)
        try:
            await ctx.services.records.get(known_slug, record_id, fresh=True)
        except NotFoundError:
            return {"action": "record gone", "record_id": record_id, "dropped": dropped}
        return {
            "action": "re-read record",
            "object": known_slug,
            "record_id": record_id,
            "dropped": dropped,
        }

    key = f"{ctx.tenant.cache_namespace}:record:{record_id}"
    ran, effect = await ctx.coalescer.run(key, event.received_at, reread)
    if not ran or effect is None:
        return {"action": "coalesced", "record_id": record_id}
    return effect


@on("record.deleted")
async def record_deleted(event: Event, ctx: HandlerContext) -> dict[str, Any]:
    """Drop the cached record."""
    record_id = event_id(event, "record_id")
    slug = await object_slug(ctx, event_id(event, "object_id"))
    dropped = slug is not None and await drop_record(ctx, slug, record_id)
    return {"action": "forgot record", "record_id": record_id, "dropped": dropped}


@on("record.merged")
async def record_merged(event: Event, ctx: HandlerContext) -> dict[str, Any]:
    """Point local references to the merged-away record at the survivor; drop both copies."""
    surviving = event_id(event, "record_id")
    duplicate = payload_field(event, "duplicate_record_id")
    if duplicate is None:
        return {"action": "no duplicate_record_id", "record_id": surviving}
    # The state store is synchronous and its lock may wait: off the event loop.
    moved = await asyncio.to_thread(ctx.references.merge, duplicate, surviving)
    object_id = event_id(event, "object_id")
    slug = await object_slug(ctx, object_id)
    dup_slug = await object_slug(ctx, payload_field(event, "duplicate_object_id") or object_id)
    if dup_slug is not None:
        await drop_record(ctx, dup_slug, duplicate)
    if slug is not None:
        await drop_record(ctx, slug, surviving)
    return {
        "action": "rewrote references",
        "record_id": surviving,
        "duplicate_record_id": duplicate,
        "references": moved,
    }
