"""A small stand-in for ``attio_bridge.snapshot`` that follows the contract the pages code
against: ``Snapshots(project_dir, *, services, store, user, project)`` with ``import_records``
(reads each record through the client, reports progress, records it in the state store; writes
no file and no commit), ``list``, ``imported_ids`` and ``history``; ``init_project``.

The route tests run against it, and against the real library too once it is installed beside
the pages (``backends()``)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from attio_bridge.errors import AttioError, InvalidInputError
from attio_bridge.services import AsyncServices
from attio_bridge.state import StateStore
from attio_bridge.web.browse import plain
from attio_bridge.web.imports import SnapshotsBackend

NAMESPACE = "fake-snapshots"


@dataclass(frozen=True)
class Snapshot:
    user: str
    project: str
    record_id: str
    object_type: str
    name: str
    web_url: str
    path: str
    attributes: dict[str, Any]
    list_slug: str | None
    imported_at: datetime
    status: str
    experiments: tuple[str, ...] = ()


@dataclass(frozen=True)
class Progress:
    done: int
    total: int
    current: str


@dataclass(frozen=True)
class ImportResult:
    imported: list[Snapshot]
    failed: list[tuple[str, str]]
    commit: str | None


@dataclass(frozen=True)
class Commit:
    sha: str
    message: str
    time: datetime
    author: str


@dataclass
class FakeSnapshots:
    project_dir: Path
    services: AsyncServices
    store: StateStore
    user: str = "local"
    project: str | None = None
    step_delay: float = 0.0
    closed: bool = False

    def __post_init__(self) -> None:
        if not (self.project_dir / ".git").exists():
            raise InvalidInputError(
                f"{self.project_dir} is not a git repository; run `git init` there"
            )
        self.project = self.project or self.project_dir.name

    def _prefix(self) -> str:
        return f"{self.user}/{self.project}/"

    async def import_records(
        self,
        kind: str,
        ids: Sequence[str],
        *,
        list_slug: str | None = None,
        dry_run: bool = False,
        progress: Callable[[Progress], None] | None = None,
    ) -> ImportResult:
        client = self.services.context.client
        imported: list[Snapshot] = []
        failed: list[tuple[str, str]] = []
        for done, record_id in enumerate(ids, 1):
            try:
                if kind == "list-entries":
                    entry = await client.entries.get(list_slug or "", record_id)
                    parent = await client.records.get(entry.parent_object, entry.parent_record_id)
                    values, web_url = entry.entry_values, parent.web_url or ""
                    name = plain(parent.values.get("name", [{}])[0])
                else:
                    record = await client.records.get(kind, record_id)
                    values, web_url = record.values, record.web_url or ""
                    name = plain(record.values.get("name", [{}])[0])
            except AttioError as exc:
                failed.append((record_id, str(exc)))
            else:
                snap = Snapshot(
                    self.user,
                    str(self.project),
                    record_id,
                    kind,
                    name,
                    web_url,
                    f"attio/{kind}/{record_id}.json",
                    {k: [plain(v) for v in vs] for k, vs in values.items()},
                    list_slug,
                    datetime.now(UTC),
                    "synced",
                )
                imported.append(snap)
                key = self._prefix() + record_id
                old = self.store.get(NAMESPACE, key) or {"history": []}
                self.store.put(
                    NAMESPACE,
                    key,
                    {
                        "snapshot": _doc(snap),
                        "history": [*old["history"], f"import {name}"],
                    },
                )
            if progress is not None:
                progress(Progress(done, len(ids), record_id))
            if self.step_delay:
                await asyncio.sleep(self.step_delay)
        return ImportResult(imported, failed, "f" * 40 if imported else None)

    def list(self, *, kind: str | None = None) -> list[Snapshot]:
        found = [_snap(doc["snapshot"]) for _, doc in self.store.items(NAMESPACE, self._prefix())]
        return [s for s in found if kind is None or s.object_type == kind]

    def imported_ids(self) -> set[str]:
        return {s.record_id for s in self.list()}

    def close(self) -> None:
        self.closed = True

    def history(self, record_id: str) -> list[Commit]:
        doc = self.store.get(NAMESPACE, self._prefix() + record_id) or {"history": []}
        return [
            Commit(f"{i:040x}", message, datetime(2026, 1, 2, 3, 4, tzinfo=UTC), "attio-bridge")
            for i, message in enumerate(doc["history"], 1)
        ]


def _doc(snap: Snapshot) -> dict[str, Any]:
    doc = dict(snap.__dict__)
    doc["imported_at"] = snap.imported_at.isoformat()
    doc["experiments"] = list(snap.experiments)
    return doc


def _snap(doc: dict[str, Any]) -> Snapshot:
    return Snapshot(
        **{
            **doc,
            "imported_at": datetime.fromisoformat(doc["imported_at"]),
            "experiments": tuple(doc["experiments"]),
        }
    )


def fake_backend(step_delay: float = 0.0) -> SnapshotsBackend:
    """The fake as the pages' backend; ``step_delay`` seconds after each record."""

    def open_snapshots(
        project_dir: Path,
        *,
        services: AsyncServices,
        store: StateStore,
        user: str = "local",
        project: str | None = None,
    ) -> FakeSnapshots:
        return FakeSnapshots(project_dir, services, store, user, project, step_delay)

    def init_project(project_dir: Path) -> None:
        (project_dir / ".git").mkdir(parents=True, exist_ok=True)

    return SnapshotsBackend(open=open_snapshots, init_project=init_project)
