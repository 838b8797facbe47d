"""The service's snapshot handlers (``attio_bridge.snapshot.handlers``) against the in-process
emulator: a record changed through the API, the emulator's event handled as the service would,
and the project's file rewritten and committed, once."""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from attio_bridge import AsyncAttioClient, AsyncServices
from attio_bridge.emulator.app import EmulatorApp
from attio_bridge.snapshot import Snapshots
from attio_bridge.snapshot.handlers import (
    snapshot_record_gone,
    snapshot_record_merged,
    snapshot_record_updated,
)
from attio_bridge.state import SnapshotIndex, StateStore
from attio_bridge.webhooks import Coalescer, Event, HandlerContext, Tenant
from tests._events import received

pytestmark = [pytest.mark.attio_seed("sandbox"), pytest.mark.anyio]


def git(project: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=project, capture_output=True, text=True, check=True)
    return done.stdout


def commits(project: Path) -> int:
    return int(git(project, "rev-list", "--count", "HEAD"))


@dataclass
class World:
    """Ren Sato and Priya Sharma imported into the project; the events emitted since."""

    snapshots: Snapshots
    project: Path
    client: AsyncAttioClient
    services: AsyncServices
    store: StateStore
    emitted: list[dict[str, Any]]
    ren: str
    priya: str

    def context(self) -> HandlerContext:
        """A tenant's context with a coalescer of its own (a fresh one: another worker)."""
        ctx = HandlerContext.build(Tenant(name="default", api_key="k"), self.services, self.store)
        ctx.coalescer = Coalescer()
        return ctx

    async def events_of(self, event_type: str) -> list[Event]:
        """The events of ``event_type`` emitted since the import."""
        return received(self.emitted, event_type)


@pytest.fixture
async def world(
    snapshots: Snapshots,
    people: dict[str, str],
    project: Path,
    services: AsyncServices,
    store: StateStore,
    attio_async_client: AsyncAttioClient,
    attio_emulator: EmulatorApp,
) -> World:
    ren, priya = people["Ren Sato"], people["Priya Sharma"]
    await snapshots.import_records("people", [ren, priya])
    emitted: list[dict[str, Any]] = []
    attio_emulator.state.workspace.listeners.append(emitted.append)
    return World(snapshots, project, attio_async_client, services, store, emitted, ren, priya)


async def test_an_update_event_refreshes_the_snapshot_and_commits_once(world: World) -> None:
    before = commits(world.project)
    for title in ("CTO", "CMO"):
        await world.client.records.update("people", world.ren, {"job_title": title})
    events = await world.events_of("record.updated")
    assert len(events) == 2
    ctx = world.context()

    effect = await snapshot_record_updated(events[0], ctx)

    assert effect["marked"] == 1
    [done] = effect["projects"]
    assert (done["records"], done["changed"]) == (1, 1)
    assert commits(world.project) == before + 1
    subject = git(world.project, "log", "-1", "--format=%s")
    assert subject == "Refresh 1 person from Attio: Ren Sato\n"
    document = json.loads((world.project / "attio/people/ren-sato.json").read_text())
    assert document["attributes"]["job_title"] == "CMO"
    assert world.snapshots.get(world.ren).status == "synced"
    assert world.snapshots.get(world.priya).status == "synced"

    # The burst's second event was received before that refresh started: covered by it.
    later = await snapshot_record_updated(events[1], ctx)
    assert later["action"] == "snapshots coalesced"
    # The same event again in a fresh worker: read again, nothing changed, no commit.
    again = await snapshot_record_updated(events[0], world.context())
    assert again["projects"][0]["commit"] is None
    assert commits(world.project) == before + 1
    assert world.snapshots.get(world.ren).status == "synced"


async def test_a_project_whose_folder_is_gone_is_skipped_and_stays_stale(world: World) -> None:
    moved = world.project.parent / "moved"
    SnapshotIndex(world.store).set_folder("ada", world.snapshots.project, moved)
    await world.client.records.update("people", world.ren, {"job_title": "CTO"})
    [event] = await world.events_of("record.updated")

    effect = await snapshot_record_updated(event, world.context())

    assert effect["projects"] == []
    assert effect["skipped"][0]["why"] == "not a git repository"
    assert world.snapshots.get(world.ren).status == "pending"


async def test_a_deleted_record_s_snapshot_gets_the_status_error(world: World) -> None:
    await world.client.records.delete("people", world.ren)
    [event] = await world.events_of("record.deleted")

    effect = await snapshot_record_gone(event, world.context())

    assert effect["marked"] == 1
    assert world.snapshots.get(world.ren).status == "error"
    assert world.snapshots.get(world.priya).status == "synced"
    assert (await snapshot_record_gone(event, world.context()))["marked"] == 0


async def test_a_merged_away_record_s_snapshot_gets_the_status_error(world: World) -> None:
    await world.client.records.merge("people", world.ren, world.priya)
    events = await world.events_of("record.merged")
    gone = {e.payload["duplicate_record_id"] for e in events}
    assert gone == {world.ren, world.priya}

    for event in events:
        await snapshot_record_merged(event, world.context())

    assert world.snapshots.get(world.ren).status == "error"
    assert world.snapshots.get(world.priya).status == "error"


async def test_an_update_of_a_record_in_no_snapshot_writes_nothing(
    world: World, people: dict[str, str]
) -> None:
    other = next(rid for name, rid in people.items() if rid not in (world.ren, world.priya))
    await world.client.records.update("people", other, {"job_title": "CFO"})
    [event] = [e for e in await world.events_of("record.updated") if other in str(e.payload)]
    before = commits(world.project)

    effect = await snapshot_record_updated(event, world.context())

    assert effect == {"action": "no snapshots of the record", "record_id": other}
    assert commits(world.project) == before
    assert SnapshotIndex(world.store).holding(other) == []
