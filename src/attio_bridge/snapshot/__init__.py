"""Snapshots: chosen Attio records saved as JSON files in a project's git repository, with an
index of what was imported in the shared state store (docs/SNAPSHOTS.md).

    snapshots = Snapshots(Path("my-project"), services=services, store=open_store())
    result = await snapshots.import_records("people", [ada_id, grace_id])
    # attio/people/ada-lovelace.json ... committed: "Import 2 people from Attio: ..."
    await snapshots.refresh()           # re-read every imported record, commit what changed

- ``snapshots``: ``Snapshots`` (import, refresh, list, remove, link, history, mark_stale) and
  its results; the reads (``$in`` queries of 500 ids).
- ``files``: what a file holds (flat attributes from ``values.decode_*``, sorted keys).
- ``slugs``: file names safe on every file system, unique and stable per record.
- ``git``: commits of the snapshot's paths only, through dulwich; ``NotARepositoryError``.

- ``handlers``: the service's (``web.wiring.BUILT_IN_HANDLERS``): ``record.updated`` marks
  the record stale in every project (``SnapshotIndex.mark_stale``) and refreshes those
  records (``refresh(record_ids=...)``) in each project's folder; deleted and merged-away
  records get the status ``error``.

The index is ``state.SnapshotIndex`` (a table of the state store's database).
"""

from __future__ import annotations

from .git import DEFAULT_AUTHOR, Commit, NotARepositoryError, init_project
from .slugs import slugify, unique_slug
from .snapshots import (
    KINDS,
    PAGE,
    ImportResult,
    ObjectKind,
    Progress,
    RefreshResult,
    Snapshot,
    Snapshots,
)

__all__ = [
    "DEFAULT_AUTHOR",
    "KINDS",
    "PAGE",
    "Commit",
    "ImportResult",
    "NotARepositoryError",
    "ObjectKind",
    "Progress",
    "RefreshResult",
    "Snapshot",
    "Snapshots",
    "init_project",
    "slugify",
    "unique_slug",
]
