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

The index is ``state.SnapshotIndex`` (a table of the state store's database). The service's
``record.updated`` handling calls ``Snapshots.mark_stale`` (or ``SnapshotIndex.mark_stale``
for every project) so that ``refresh`` knows what to re-read.
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
