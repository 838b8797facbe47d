"""Default handlers of list entry events.

Every ``list-entry.*`` event drops the cached ids of the parent record's entries in the list
(what ``services.lists.entry_ids`` caches, kind "lists"); ``list-entry.created`` then runs the
``stage_automation`` hook, if the deployment set one.
"""

from __future__ import annotations

from typing import Any

from ...cache import CacheKind
from ...services import entries_key
from ..events import Event
from ._ids import event_id, payload_field
from ._router import on
from .context import HandlerContext

__all__ = ["entry_changed", "entry_created"]


async def _forget_entries(event: Event, ctx: HandlerContext) -> dict[str, Any]:
    list_id = event_id(event, "list_id")
    entry_id = event_id(event, "entry_id")
    parent = payload_field(event, "parent_record_id")
    dropped = False
    if parent is not None:
        dropped = await ctx.cache.adelete(entries_key(list_id, parent), CacheKind.LISTS)
    return {
        "list_id": list_id,
        "entry_id": entry_id,
        "parent_record_id": parent,
        "dropped": dropped,
    }


@on("list-entry.created")
async def entry_created(event: Event, ctx: HandlerContext) -> dict[str, Any]:
    """Drop the parent record's cached entries and run the ``stage_automation`` hook."""
    effect = await _forget_entries(event, ctx)
    if ctx.hooks.stage_automation is None:
        return {"action": "no stage automation hook", **effect}
    ran = await ctx.hooks.stage_automation(event, ctx)
    return {"action": "stage automation", **effect, **(ran or {})}


@on("list-entry.updated")
@on("list-entry.deleted")
async def entry_changed(event: Event, ctx: HandlerContext) -> dict[str, Any]:
    """Drop the parent record's cached entries in the list."""
    return {"action": "forgot entries", **(await _forget_entries(event, ctx))}
