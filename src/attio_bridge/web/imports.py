"""What the pages need of the snapshot library, and the imports they run in the background.

The pages code against ``SnapshotsPort`` (the part of ``attio_bridge.snapshot.Snapshots`` they
call) and receive a ``SnapshotsBackend`` (how to open one project's snapshots and how to make a
folder a project), so the routes do not depend on which implementation they get: the real
library in the service, a small fake in the route tests.

``ImportJobs`` runs each "Import selected" as an asyncio task fed by the library's ``progress``
callback; the page polls ``ImportJob`` (done, total, current, then the result or the error).
A job belongs to the user who started it; nobody else can see it.
"""

from __future__ import annotations

import asyncio
import secrets
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Literal, Protocol

from ..errors import AttioError
from ..services import AsyncServices
from ..state import StateStore

__all__ = [
    "CommitView",
    "ImportJob",
    "ImportJobs",
    "ObjectKind",
    "ProgressView",
    "SnapshotView",
    "SnapshotsBackend",
    "SnapshotsFactory",
    "SnapshotsPort",
    "default_backend",
]

ObjectKind = Literal["companies", "people", "list-entries"]


class SnapshotView(Protocol):
    """One imported record, as the index row says (``attio_bridge.snapshot.Snapshot``)."""

    @property
    def record_id(self) -> str: ...
    @property
    def object_type(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def web_url(self) -> str: ...
    @property
    def path(self) -> str: ...
    @property
    def list_slug(self) -> str | None: ...
    @property
    def imported_at(self) -> datetime: ...
    @property
    def status(self) -> str: ...


class ProgressView(Protocol):
    """How far an import is (``attio_bridge.snapshot.Progress``)."""

    @property
    def done(self) -> int: ...
    @property
    def total(self) -> int: ...
    @property
    def current(self) -> str: ...


class ImportResultView(Protocol):
    """What an import did (``attio_bridge.snapshot.ImportResult``)."""

    @property
    def imported(self) -> Sequence[SnapshotView]: ...
    @property
    def failed(self) -> Sequence[tuple[str, str]]: ...
    @property
    def commit(self) -> str | None: ...


class CommitView(Protocol):
    """One commit of a snapshot's file (``attio_bridge.snapshot.Commit``)."""

    @property
    def sha(self) -> str: ...
    @property
    def message(self) -> str: ...
    @property
    def time(self) -> Any: ...
    @property
    def author(self) -> str: ...


class SnapshotsPort(Protocol):
    """The part of ``Snapshots`` (one project folder) the pages call."""

    async def import_records(
        self,
        kind: ObjectKind,
        ids: Sequence[str],
        *,
        list_slug: str | None = None,
        dry_run: bool = False,
        progress: Callable[[ProgressView], None] | None = None,
    ) -> ImportResultView: ...
    def list(self, *, kind: ObjectKind | None = None) -> Sequence[SnapshotView]: ...
    def imported_ids(self) -> set[str]: ...
    def history(self, record_id: str) -> Sequence[CommitView]: ...
    def close(self) -> None: ...


class SnapshotsFactory(Protocol):
    """``Snapshots(project_dir, *, services, store, user, project)``."""

    def __call__(
        self,
        project_dir: Path,
        *,
        services: AsyncServices,
        store: StateStore,
        user: str = ...,
        project: str | None = ...,
    ) -> SnapshotsPort: ...


@dataclass(frozen=True)
class SnapshotsBackend:
    """How the pages open a project's snapshots and make a folder a project (git init)."""

    open: SnapshotsFactory
    init_project: Callable[[Path], None]


def default_backend() -> SnapshotsBackend:
    """The snapshot library's ``Snapshots`` and ``init_project``."""
    # Imported here, not at the top: the snapshot library (dulwich) loads only for the pages.
    from .. import snapshot

    return SnapshotsBackend(open=snapshot.Snapshots, init_project=snapshot.init_project)


@dataclass
class ImportJob:
    """One import started from the Browse page."""

    id: str
    user: str
    project: str
    kind: ObjectKind
    total: int
    done: int = 0
    current: str = ""
    state: Literal["running", "done", "failed"] = "running"
    imported: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)
    commit: str | None = None
    error: str = ""
    started: float = field(default_factory=time.time)

    @property
    def percent(self) -> int:
        """How far, 0 to 100."""
        return 100 if not self.total else min(100, round(100 * self.done / self.total))


class ImportJobs:
    """The imports running or finished in this process (the newest ``keep`` of them)."""

    def __init__(self, keep: int = 200) -> None:
        self._jobs: dict[str, ImportJob] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._keep = keep

    def start(
        self,
        snapshots: SnapshotsPort,
        *,
        user: str,
        project: str,
        kind: ObjectKind,
        ids: Sequence[str],
        list_slug: str | None,
        scrub: Callable[[str], str] = str,
    ) -> ImportJob:
        """Start importing ``ids`` in the background (``snapshots`` closed when done); the job
        to poll."""
        job = ImportJob(secrets.token_urlsafe(12), user, project, kind, total=len(ids))
        self._jobs[job.id] = job
        while len(self._jobs) > self._keep:
            del self._jobs[next(iter(self._jobs))]

        def progress(step: ProgressView) -> None:
            job.done, job.total, job.current = step.done, step.total, step.current

        async def run() -> None:
            try:
                result = await snapshots.import_records(
                    kind, list(ids), list_slug=list_slug, progress=progress
                )
            except AttioError as exc:
                job.state, job.error = "failed", scrub(str(exc))
                return
            except Exception as exc:  # a background task must record, not lose, its failure
                job.state, job.error = "failed", scrub(f"{type(exc).__name__}: {exc}")
                return
            job.imported = len(result.imported)
            job.failed = [(rid, scrub(reason)) for rid, reason in result.failed]
            job.commit = result.commit
            job.done = job.total
            job.state = "failed" if job.failed and not job.imported else "done"

        async def run_then_close() -> None:
            try:
                await run()
            finally:
                snapshots.close()

        task = asyncio.get_running_loop().create_task(run_then_close())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return job

    def get(self, job_id: str, user: str) -> ImportJob | None:
        """The job ``job_id`` if ``user`` started it."""
        job = self._jobs.get(job_id)
        return job if job is not None and job.user == user else None

    async def aclose(self) -> None:
        """Cancel what still runs."""
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
