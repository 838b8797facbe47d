"""Default handlers of schema events: attributes and lists created or changed.

``object-attribute.*``, ``list-attribute.*`` and ``list.*`` drop the services' schema (loaded
again on next use) and anything cached of kind "schema"; an object attribute also drops the
cached records of its object, whose copies lack the new or changed attribute.
"""

from __future__ import annotations

from typing import Any

from ...cache import CacheKind
from ..events import Event
from ._ids import event_id
from ._router import on
from .context import HandlerContext

__all__ = ["attribute_changed"]


@on("object-attribute.*")
@on("list-attribute.*")
@on("list.*")
async def attribute_changed(event: Event, ctx: HandlerContext) -> dict[str, Any]:
    """Drop the schema (and, for an object attribute, the object's cached records)."""
    records = 0
    if event.type.startswith("object-attribute."):
        # The slug from the schema held now: the cache keys records by slug.
        held = ctx.services.schema.cached
        target = held.object(event_id(event, "object_id")) if held is not None else None
        if target is not None:
            records = ctx.cache.invalidate_prefix(f"{target.slug}/", CacheKind.RECORDS)
    ctx.services.schema.invalidate()
    ctx.cache.invalidate_kind(CacheKind.SCHEMA)
    return {"action": "invalidated schema", "records_dropped": records}
