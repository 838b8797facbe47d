"""Default handlers of note and task events.

Notes are cached by the services (kind "notes", by note id): a change drops the note and, when
it was cached (someone reads it), reads it again; ``note.deleted`` only drops it. Tasks are not
cached (the services read them from Attio each time), so their events have nothing to refresh.
"""

from __future__ import annotations

from typing import Any

from ...cache import CacheKind
from ...client import NotFoundError
from ..events import Event
from ._ids import event_id
from ._router import on
from .context import HandlerContext

__all__ = ["note_changed", "note_deleted", "task_changed"]


@on("note.created")
@on("note.updated")
@on("note-content.updated")
async def note_changed(event: Event, ctx: HandlerContext) -> dict[str, Any]:
    """Drop the cached note; read it again if it was cached."""
    note_id = event_id(event, "note_id")
    if not await ctx.cache.adelete(note_id, CacheKind.NOTES):
        return {"action": "note not cached", "note_id": note_id}
    try:
        await ctx.services.notes.get(note_id)
    except NotFoundError:
        return {"action": "note gone", "note_id": note_id}
    return {"action": "re-read note", "note_id": note_id}


@on("note.deleted")
async def note_deleted(event: Event, ctx: HandlerContext) -> dict[str, Any]:
    """Drop the cached note."""
    note_id = event_id(event, "note_id")
    dropped = await ctx.cache.adelete(note_id, CacheKind.NOTES)
    return {"action": "forgot note", "note_id": note_id, "dropped": dropped}


@on("task.*")
async def task_changed(event: Event, ctx: HandlerContext) -> dict[str, Any]:
    """Nothing to refresh: the services keep no task cache."""
    return {"action": "nothing cached", "task_id": event_id(event, "task_id")}
