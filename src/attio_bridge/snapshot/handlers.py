"""The service's snapshot handlers: Attio's record events keep imported snapshots fresh.

Imported by the service (``web.wiring.BUILT_IN_HANDLERS``), this module registers on the
default router:

- ``record.updated``: every project's snapshot of the record is marked stale (``pending``, in
  the index: ``SnapshotIndex.mark_stale``), then each project holding it refreshes its stale
  records (``Snapshots.refresh(record_ids=...)``): the changed files in one commit to the
  project's git repository, the rows back to ``synced``. A burst of updates of one record is one
  refresh (the context's ``Coalescer``, as the cache's re-read). Run twice, the second refresh
  finds nothing changed and commits nothing.
- ``record.deleted``: the record's snapshots get the status ``error`` (their files stay: they
  are the last copy; ``snapshot remove`` drops them).
- ``record.merged``: the merged-away record (``duplicate_record_id``) is gone from Attio: its
  snapshots get ``error``, as a deleted record's.

A project's folder is the one its last import or refresh recorded (``SnapshotIndex.folder``);
a project without one, or whose folder is no longer a git repository, is skipped and named in
the effect (not retried: the event cannot fix it). Record ids are unique across workspaces, so
the index is searched whatever the event's workspace.
"""

from __future__ import annotations

import asyncio
from typing import Any

from ..errors import InvalidInputError
from ..state import SnapshotIndex
from ..webhooks import Event, HandlerContext, on
from .git import NotARepositoryError
from .snapshots import Snapshots

__all__ = ["snapshot_record_gone", "snapshot_record_merged", "snapshot_record_updated"]


def _record_id(event: Event) -> str:
    ids: Any = event.payload.get("id")
    value = ids.get("record_id") if isinstance(ids, dict) else None
    if not isinstance(value, str) or not value:
        raise InvalidInputError(f"{event.type} event has no id.record_id: {event.payload!r:.200}")
    return value


async def _refresh_stale(ctx: HandlerContext, record_id: str) -> dict[str, Any]:
    """Mark ``record_id`` stale everywhere, then refresh each holding project's stale rows."""
    index = SnapshotIndex(ctx.store)
    # The state store is synchronous and its lock may wait: off the event loop. Most updated
    # records are in no snapshot: one read says so, and no write is made for them.
    if not await asyncio.to_thread(index.holding, record_id):
        return {"action": "no snapshots of the record", "record_id": record_id}
    marked = await asyncio.to_thread(index.mark_stale, record_id)
    rows = await asyncio.to_thread(index.holding, record_id)
    refreshed: list[dict[str, Any]] = []
    skipped: list[dict[str, str]] = []
    for row in rows:
        user, project = row["user"], row["project"]
        folder = await asyncio.to_thread(index.folder, user, project)
        if folder is None:
            skipped.append({"user": user, "project": project, "why": "folder unknown"})
            continue
        try:
            snapshots = Snapshots(
                folder, services=ctx.services, store=ctx.store, user=user, project=project
            )
        except NotARepositoryError:
            skipped.append({"user": user, "project": project, "why": "not a git repository"})
            continue
        try:
            stale = [s.record_id for s in snapshots.list() if s.status == "pending"]
            result = await snapshots.refresh(record_ids=stale)
        finally:
            snapshots.close()
        refreshed.append(
            {
                "user": user,
                "project": project,
                "records": len(stale),
                "changed": len(result.changed),
                "commit": result.commit,
            }
        )
    effect: dict[str, Any] = {
        "action": "refreshed snapshots",
        "record_id": record_id,
        "marked": marked,
        "projects": refreshed,
    }
    if skipped:
        effect["skipped"] = skipped
    return effect


@on("record.updated")
async def snapshot_record_updated(event: Event, ctx: HandlerContext) -> dict[str, Any]:
    """Refresh the record's snapshots (once for a burst of updates)."""
    record_id = _record_id(event)

    async def work() -> dict[str, Any]:
        return await _refresh_stale(ctx, record_id)

    key = f"{ctx.tenant.cache_namespace}:snapshot:{record_id}"
    ran, effect = await ctx.coalescer.run(key, event.received_at, work)
    if not ran or effect is None:
        return {"action": "snapshots coalesced", "record_id": record_id}
    return effect


async def _mark_error(ctx: HandlerContext, record_id: str) -> int:
    index = SnapshotIndex(ctx.store)

    def mark() -> int:
        return sum(
            index.set_status(r["user"], r["project"], [record_id], "error")
            for r in index.holding(record_id)
            if r["status"] != "error"
        )

    return await asyncio.to_thread(mark)


@on("record.deleted")
async def snapshot_record_gone(event: Event, ctx: HandlerContext) -> dict[str, Any]:
    """The deleted record's snapshots get the status ``error``."""
    record_id = _record_id(event)
    marked = await _mark_error(ctx, record_id)
    return {"action": "snapshots of a deleted record", "record_id": record_id, "marked": marked}


@on("record.merged")
async def snapshot_record_merged(event: Event, ctx: HandlerContext) -> dict[str, Any]:
    """The merged-away record's snapshots get the status ``error``."""
    duplicate = event.payload.get("duplicate_record_id")
    if not isinstance(duplicate, str) or not duplicate:
        return {"action": "no duplicate_record_id", "record_id": _record_id(event)}
    marked = await _mark_error(ctx, duplicate)
    return {"action": "snapshots of a merged record", "record_id": duplicate, "marked": marked}
