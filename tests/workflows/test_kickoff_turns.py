"""Runs of one domain take turns through the state store's lock ``kickoff:{domain}``: the sync
workflow from two threads, and the async one from two tasks of one event loop, which goes on
serving the first run while the second waits for its turn (the lock is waited for in a worker
thread). Not mirrored from ``_async``: threads and tasks are each flavour's own way to run two
at once."""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import anyio
import pytest

from attio_bridge.client import AsyncAttioClient, AttioClient
from attio_bridge.connectors import DriveConnector, SlackConnector
from attio_bridge.connectors.slack import SlackChannel
from attio_bridge.services import AsyncServices, Services
from attio_bridge.state import LockTimeout, StateStore, open_store
from attio_bridge.testing import EmulatorProcess
from attio_bridge.workflows import aio
from attio_bridge.workflows.kickoff import KickoffBusyError, kickoff_lead, rollback_kickoff

from ._kickoff_support import drive_for, fresh_workspace, slack_for

KEY = "kickoff-turns-s3cret-key-4c2a"


@pytest.fixture(scope="module")
def emu() -> Iterator[EmulatorProcess]:
    """The emulator as a process, without rate limits."""
    with EmulatorProcess(api_key=KEY, read_rate=0, write_rate=0) as process:
        yield process


@pytest.fixture
def client(emu: EmulatorProcess) -> Iterator[AttioClient]:
    """A client of a fresh workspace whose companies have a ``lead_status`` select."""
    with fresh_workspace(emu) as c:
        yield c


@pytest.fixture
def services(client: AttioClient) -> Services:
    """The sync services."""
    return Services(client)


@pytest.fixture
async def aservices(client: AttioClient, emu: EmulatorProcess) -> AsyncIterator[AsyncServices]:
    """The async services, on the workspace ``client`` set up."""
    async with AsyncAttioClient(
        api_key=KEY, base_url=emu.base_url, read_rate=0, write_rate=0
    ) as attio:
        yield AsyncServices(attio)


@pytest.fixture
def drive(emu: EmulatorProcess) -> DriveConnector:
    """Google Drive, on the emulator's stand-in."""
    return drive_for(emu)


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[StateStore]:
    """A state store of the test's own (and no old manifests but the test's to bring in)."""
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state-home"))
    with open_store(f"sqlite:///{tmp_path / 'state.sqlite3'}") as opened:
        yield opened


class _HeldSlack(SlackConnector):
    """Slack on the stand-in, whose channel creation waits until the test lets it go: a run
    held half-way, after it created the company."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.entered = threading.Event()
        self.release = threading.Event()

    def create_channel(self, name: str, *, private: bool = False) -> SlackChannel:
        self.entered.set()
        assert self.release.wait(30)
        return super().create_channel(name, private=private)


def test_runs_of_one_domain_take_turns(
    emu: EmulatorProcess, services: Services, drive: DriveConnector, store: StateStore
) -> None:
    """A second kickoff of a domain while the first is half-way: with a short wait it stops
    with an error naming the running one, before doing anything; with a longer one it waits,
    then finds everything the first made. The manifest keeps that the first created the
    company, so the rollback deletes it."""
    held = _HeldSlack(emu.api_key, base_url=f"{emu.base_url}/slack/api/")
    outcome: dict[str, Any] = {}

    def first() -> None:
        outcome["first"] = kickoff_lead(
            services,
            slack=held,
            drive=drive,
            name="Initech",
            domain="initech.com",
            store=store,
        )

    with AttioClient(api_key=KEY, base_url=emu.base_url, read_rate=0, write_rate=0) as other:
        second_services = Services(other)

        def second(timeout: float) -> Any:
            return kickoff_lead(
                second_services,
                slack=slack_for(emu),
                drive=drive_for(emu),
                name="Initech",
                domain="initech.com",
                store=store,
                lock_timeout=timeout,
            )

        running = threading.Thread(target=first)
        running.start()
        try:
            assert held.entered.wait(30)
            with pytest.raises(
                KickoffBusyError, match=r"another kickoff or rollback of initech\.com"
            ):
                second(0.2)
            waiting = threading.Thread(target=lambda: outcome.setdefault("second", second(30)))
            waiting.start()
        finally:
            held.release.set()
            running.join(30)
        waiting.join(30)

    assert outcome["first"].ok and [s.what for s in outcome["first"].created]
    again = outcome["second"]
    assert again.ok and again.created == ()
    assert again.company.record_id == outcome["first"].company.record_id
    undone = rollback_kickoff(
        services, slack=slack_for(emu), drive=drive, domain="initech.com", store=store
    )
    assert undone.ok
    assert services.companies.find_by_domain("initech.com") is None
    assert slack_for(emu).find_channel("internal-initech") is None


@pytest.mark.anyio
async def test_async_runs_take_turns_without_blocking_the_loop(
    emu: EmulatorProcess, aservices: AsyncServices, drive: DriveConnector, store: StateStore
) -> None:
    """Two async kickoffs of a domain in one event loop: the second waits for its turn in a
    worker thread while the first, held in Slack, goes on when let go by the loop itself;
    then the second finds everything the first made. A third with no time to wait stops with
    ``KickoffBusyError``, a retryable ``LockTimeout``."""
    held = _HeldSlack(emu.api_key, base_url=f"{emu.base_url}/slack/api/")
    outcome: dict[str, Any] = {}

    async def run(key: str, slack: SlackConnector, timeout: float) -> None:
        outcome[key] = await aio.kickoff_lead(
            aservices,
            slack=slack,
            drive=drive,
            name="Initech",
            domain="initech.com",
            store=store,
            lock_timeout=timeout,
        )

    async with anyio.create_task_group() as tasks:
        tasks.start_soon(run, "first", held, 30.0)
        await anyio.to_thread.run_sync(held.entered.wait, 30)
        with pytest.raises(KickoffBusyError) as busy:
            await run("third", slack_for(emu), 0.2)
        assert isinstance(busy.value, LockTimeout) and busy.value.retryable
        tasks.start_soon(run, "second", slack_for(emu), 30.0)
        await anyio.sleep(0.3)  # the second now waits for its turn, off the loop
        held.release.set()  # only the loop could let the first go on: it was not blocked

    assert outcome["first"].ok and [s.what for s in outcome["first"].created]
    again = outcome["second"]
    assert again.ok and again.created == ()
    assert again.company.record_id == outcome["first"].company.record_id
    undone = await aio.rollback_kickoff(
        aservices, slack=slack_for(emu), drive=drive, domain="initech.com", store=store
    )
    assert undone.ok and undone.manifest_removed
