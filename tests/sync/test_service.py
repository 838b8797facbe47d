"""``SyncService`` on a real job queue (SQLite), the in-process emulator and the fake other side:
the first tick brings both sides in step, a change whose webhook never came arrives with the next
period's pull, every submitter of one period's pull starts one run, an Attio change whose webhook
never came arrives with the next reconcile (one run per reconcile period), events of the mapped
objects run the engine and the others are left alone."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from attio_bridge.client import AttioClient
from attio_bridge.jobs import JobQueue, RetrySchedule
from attio_bridge.state import StateStore
from attio_bridge.sync.jobs import PULL_JOB_KIND, SYNC_JOB_KIND, pull_job, reconcile_job
from attio_bridge.sync.service import SyncService, event_patterns
from attio_bridge.webhooks import Event, Router
from tests.jobs.conftest import FAST, wait_for

from ._fake_side import FakeClock, FakeSide
from .conftest import contacts, contacts_mapping, people

PERIOD = 60.0
RECONCILE = 600.0
T0 = 1_800_000_000.0  # the service's clock for period numbers: the test moves it


class Time:
    """A wall clock the test moves."""

    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def queue(tmp_path: Path) -> Iterator[JobQueue]:
    found = JobQueue(
        f"sqlite:///{tmp_path / 'jobs.sqlite3'}",
        retry=RetrySchedule(attempts=3, first_delay=0.01, jitter=0.1),
        concurrency=2,
        **FAST,
    )
    yield found
    found.shutdown(timeout=0)


def make_sync(
    client: AttioClient,
    state: StateStore,
    side: FakeSide,
    clock: FakeClock,
    now: Time,
    reconcile_period: float | None = None,
) -> SyncService:
    return SyncService(
        [contacts_mapping()],
        client=client,
        state=state,
        connectors={"hubspot": side},
        period=PERIOD,
        reconcile_period=reconcile_period,
        workspace="default",
        clock=now,
        engine_options={"clock": clock, "sleep": lambda s: None},
    )


def succeeded(queue: JobQueue, job_id: str) -> bool:
    return queue.get(job_id).status == "succeeded"


def pulls(queue: JobQueue) -> list[Any]:
    return queue.list(kind=PULL_JOB_KIND, limit=None)


def test_a_lost_webhooks_change_arrives_with_the_next_periods_pull_run_once_per_period(
    attio_client: AttioClient,
    state: StateStore,
    side: FakeSide,
    clock: FakeClock,
    queue: JobQueue,
) -> None:
    for i in range(3):
        side.put("contacts", {"email": f"p{i}@ext.io", "firstname": f"P{i}", "lastname": "Ext"})
    now = Time()
    sync = make_sync(attio_client, state, side, clock, now)
    # A second server on the same queue and state store: it submits the same periods.
    other = make_sync(attio_client, state, side, clock, now)
    router = Router()
    sync.register(queue, router)
    queue.start()
    try:
        # The first tick: a first full run and this period's pull.
        assert sync.tick(queue) == [True, True]
        first = f"sync:{contacts_mapping().name}:first"
        pull_0 = pull_job(contacts_mapping(), PERIOD, now.now).id
        wait_for(lambda: succeeded(queue, first) and succeeded(queue, pull_0), 60, "first runs")
        assert people(attio_client) == contacts(side)
        assert queue.get(first).kind == SYNC_JOB_KIND

        # A change on the other side whose webhook never came.
        [rec] = [
            r for r in side.records["contacts"].values() if r.properties["email"] == "p1@ext.io"
        ]
        side.edit("contacts", rec.id, {"jobtitle": "Lost Webhook"})
        # Within the period, every submitter's pull is the one already run: nothing new.
        now.now += PERIOD / 2
        assert sync.tick(queue) == [False]
        assert other.tick(queue) == [False]  # its first tick: the full run's id is known too
        assert len(pulls(queue)) == 1
        assert people(attio_client)["p1@ext.io"]["job_title"] is None

        # The next period: both servers submit its pull, one run starts and brings the change.
        now.now += PERIOD / 2
        assert sorted([*sync.tick(queue), *other.tick(queue)]) == [False, True]
        pull_1 = pull_job(contacts_mapping(), PERIOD, now.now).id
        assert pull_1 != pull_0
        wait_for(lambda: succeeded(queue, pull_1), 60, "the second period's pull")
        assert people(attio_client)["p1@ext.io"]["job_title"] == "Lost Webhook"
        assert people(attio_client) == contacts(side)
        every = pulls(queue)
        assert sorted(job.id for job in every) == sorted([pull_0, pull_1])
        assert all(job.attempts == 1 for job in every)
        assert queue.get(pull_1).result["written"] == {"attio": 1, "external": 0}  # type: ignore[index]
    finally:
        sync.close()
        other.close()


def test_an_attio_change_whose_webhook_never_came_arrives_with_the_next_reconcile_run_once(
    attio_client: AttioClient,
    state: StateStore,
    side: FakeSide,
    clock: FakeClock,
    queue: JobQueue,
) -> None:
    for i in range(3):
        side.put("contacts", {"email": f"r{i}@ext.io", "firstname": f"R{i}", "lastname": "Ext"})
    now = Time()
    mapping = contacts_mapping()
    sync = make_sync(attio_client, state, side, clock, now, RECONCILE)
    other = make_sync(attio_client, state, side, clock, now, RECONCILE)
    sync.register(queue, Router())
    queue.start()

    def reconciles() -> list[Any]:
        found = queue.list(kind=SYNC_JOB_KIND, limit=None)
        return [job for job in found if ":reconcile-" in job.id]

    try:
        # The first tick: the first full run stands for this reconcile period's reconcile.
        assert sync.tick(queue) == [True, True]
        first = f"sync:{mapping.name}:first"
        wait_for(lambda: succeeded(queue, first), 60, "the first full run")
        assert reconciles() == []

        # A change made in Attio (a field Attio owns) whose webhook never reached the service.
        [person] = attio_client.records.query("people", filter={"email_addresses": "r1@ext.io"})
        attio_client.records.update("people", person.record_id, {"description": "Lost in Attio"})
        # The next pull reads the other side only: the change stays in Attio.
        now.now += PERIOD
        assert sync.tick(queue) == [True]
        pull = pull_job(mapping, PERIOD, now.now).id
        wait_for(lambda: succeeded(queue, pull), 60, "the next period's pull")
        assert contacts(side)["r1@ext.io"]["description"] is None

        # The next reconcile period: both servers submit its reconcile, one run brings it.
        now.now += RECONCILE
        new = [*sync.tick(queue), *other.tick(queue)]
        assert sorted(new) == [False, False, True, True]  # one pull and one reconcile are new
        reconcile = reconcile_job(mapping, RECONCILE, now.now).id
        wait_for(lambda: succeeded(queue, reconcile), 60, "the reconcile")
        assert contacts(side)["r1@ext.io"]["description"] == "Lost in Attio"
        assert people(attio_client) == contacts(side)
        [run] = reconciles()
        assert (run.id, run.attempts) == (reconcile, 1)
        assert run.result["written"] == {"attio": 0, "external": 1}  # type: ignore[index]
        # Submitted again within the period: known, nothing new runs.
        assert [*sync.tick(queue), *other.tick(queue)] == [False] * 4
        assert len(reconciles()) == 1
    finally:
        sync.close()
        other.close()


def attio_event(client: AttioClient, object: str, record_id: str, workspace: str) -> Event:
    obj = client.objects.get(object)
    payload = {
        "event_type": "record.updated",
        "id": {"object_id": obj.id.object_id, "record_id": record_id},
        "actor": {"type": "workspace-member", "id": "m-1"},
    }
    return Event("attio", workspace, "record.updated", payload, "d-1", 0, time.time(), "")


def hubspot_event(kind: str, object_id: str) -> Event:
    payload = {"subscriptionType": f"{kind}.propertyChange", "objectId": int(object_id)}
    return Event("hubspot", "default", f"{kind}.propertyChange", payload, "d-2", 0, time.time())


async def _handle(sync: SyncService, event: Event) -> dict[str, Any]:
    return await sync.on_event(event, None)  # type: ignore[arg-type]  # the context is unused


def test_events_of_the_mapped_objects_sync_and_the_others_are_left_alone(
    attio_client: AttioClient, state: StateStore, side: FakeSide, clock: FakeClock
) -> None:
    import asyncio

    rec = side.put("contacts", {"email": "ev@ext.io", "firstname": "Ev", "lastname": "Ext"})
    sync = make_sync(attio_client, state, side, clock, Time())
    try:
        assert event_patterns(sync.mappings) == ["record.*", "contact.*"]
        engine = sync.engine_for("contacts")
        engine.full()
        person = attio_client.records.query(
            "people", filter={"email_addresses": "ev@ext.io"}, limit=1
        )[0]
        company = attio_client.records.create("companies", {"name": "Not Synced Inc"})
        cursor = state_cursor(sync)

        # Events of objects no mapping syncs: no run (no call to the other side), nothing
        # written.
        side.calls.clear()
        ignored = [
            attio_event(attio_client, "companies", company.record_id, "default"),
            attio_event(attio_client, "people", person.record_id, "another-workspace"),
            hubspot_event("company", "1"),
            hubspot_event("deal", "1"),
        ]
        for event in ignored:
            assert not sync.wants(engine, event), event
            assert asyncio.run(_handle(sync, event)) == {"sync": "nothing to write"}
        assert side.calls == [] and state_cursor(sync) == cursor

        # HubSpot's event of a mapped contact runs the engine: the change reaches Attio.
        side.edit("contacts", rec.id, {"jobtitle": "From The Event"})
        event = hubspot_event("contact", rec.id)
        assert sync.wants(engine, event)
        effect = asyncio.run(_handle(sync, event))
        assert effect["sync"]["contacts"]["written"] == {"attio": 1, "external": 0}
        assert people(attio_client)["ev@ext.io"]["job_title"] == "From The Event"
        # The record the event names was settled; the pull (and its cursor) is the timer's.
        assert "modified_since" not in side.calls and state_cursor(sync) == cursor

        # Attio's event of a mapped person runs it the other way.
        attio_client.records.overwrite("people", person.record_id, {"description": "Told"})
        event = attio_event(attio_client, "people", person.record_id, "default")
        assert sync.wants(engine, event)
        asyncio.run(_handle(sync, event))
        assert side.records["contacts"][rec.id].properties["about"] == "Told"
    finally:
        sync.close()


def state_cursor(sync: SyncService) -> Any:
    m = sync.mappings[0]
    return sync.store.cursor(m.system, m.object)


def test_the_service_needs_mappings_and_a_period_above_zero(
    attio_client: AttioClient, state: StateStore, side: FakeSide
) -> None:
    from attio_bridge.errors import InvalidInputError

    with pytest.raises(InvalidInputError, match="no mappings"):
        SyncService([], client=attio_client, state=state, connectors={"hubspot": side})
    with pytest.raises(InvalidInputError, match="above 0"):
        SyncService(
            [contacts_mapping()],
            client=attio_client,
            state=state,
            connectors={"hubspot": side},
            period=0,
        )
