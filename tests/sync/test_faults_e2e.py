"""Two-way sync end to end, over real HTTP, with faults on either side: the result is the same.

The emulator runs as a process (``EmulatorProcess``) serving Attio's API and the HubSpot and
Salesforce stand-ins; the engine talks to them through ``AttioClient`` and the real connectors
(hubspot-api-client, simple-salesforce). Each test tells ``Scenario``'s story (records on one
side, on both, edits, conflicting edits, deletes on either side, two full syncs) and compares
``snapshot`` with the one of a run without faults:

- faults on both sides at once: on Attio's API (429 with ``Retry-After``, 503, dropped
  connections before and after a create was made, answers slower than the client's timeout)
  and on the stand-in's (429 asking for 0.2 s in the system's own headers, 503, connections
  dropped before and after the call was made, answers slower than the connector's timeout).
  A full run that fails with a retryable error is run again, as its durable job would be,
  resuming from its checkpoint;
- a sync worker process killed with SIGKILL in the middle of a full sync (after pages were
  checkpointed) whose job another worker finishes.

The faulted runs must hit many faults (counted in the emulator's journal), retry them, and end
with the same records, values and links, with no duplicate on either side.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from attio_bridge.client import AttioClient
from attio_bridge.errors import AttioError
from attio_bridge.jobs import JobQueue
from attio_bridge.state import StateStore, open_store
from attio_bridge.sync.engine import Report, SyncEngine
from attio_bridge.sync.store import RecordStore
from attio_bridge.testing import EmulatorControl, EmulatorProcess
from tests.jobs.conftest import wait_for

from ._faults_support import (
    ATTIO_ONLY,
    BOTH,
    EXTERNAL_ONLY,
    HUBSPOT,
    KEY,
    SALESFORCE,
    Scenario,
    System,
    differences,
    snapshot,
)

ROOT = Path(__file__).resolve().parents[2]
WORKER = ROOT / "tests/sync/_faults_worker.py"
TIMEOUT = 1.0  # the client's and the connector's timeout in faulted runs
SLOW = 1.6  # how late a slow answer comes: past TIMEOUT
ASKED = 0.2  # the wait the stand-in's 429s ask for
RUNS = 25  # full runs at most, each resuming the one before (a job's retries)
SYSTEMS = [pytest.param(HUBSPOT, id="hubspot"), pytest.param(SALESFORCE, id="salesforce")]


@pytest.fixture(scope="module")
def emulator() -> Iterator[EmulatorProcess]:
    with EmulatorProcess(api_key=KEY, read_rate=0, write_rate=0) as emu:
        yield emu


@pytest.fixture
def control(emulator: EmulatorProcess) -> Iterator[EmulatorControl]:
    with EmulatorControl(base_url=emulator.base_url) as c:
        c.reset()
        c.clear_standin_failures()
        yield c
        c.clear_faults()
        c.clear_standin_failures()
        c.latency(0)


@pytest.fixture
def state(tmp_path: Path) -> Iterator[StateStore]:
    with open_store(f"sqlite:///{tmp_path / 'state.sqlite3'}") as s:
        yield s


_REFERENCES: dict[str, dict[str, Any]] = {}


class Sleeps:
    """The engine's sleep: remembers each wait asked, and waits at most ASKED of it (the
    engine's own back-off grows to seconds; the waits the stand-in asks for are ASKED)."""

    def __init__(self) -> None:
        self.asked: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.asked.append(seconds)
        time.sleep(min(seconds, ASKED))


def full_sync(make: Callable[[], SyncEngine]) -> Report:
    """A full run, run again while it fails with a retryable error (what its job does)."""
    for _ in range(RUNS):
        try:
            return make().full()
        except AttioError as exc:
            if not exc.retryable:
                raise
    pytest.fail(f"the full sync did not finish in {RUNS} runs")


def tell(
    system: System,
    base_url: str,
    store: RecordStore,
    *,
    timeout: float = 30.0,
    sleep: Callable[[float], None] = time.sleep,
    between: Callable[[], None] = lambda: None,
) -> tuple[dict[str, Any], list[Report]]:
    """The scenario with its two full syncs (``between`` runs before each: faults on); the
    snapshot it ends with and the runs' reports."""
    with (
        AttioClient(api_key=KEY, base_url=base_url) as plain,
        AttioClient(api_key=KEY, base_url=base_url, timeout=timeout) as client,
    ):
        setup = Scenario(system, system.connector(base_url), plain)
        connector = system.connector(base_url, timeout=timeout)
        mapping = system.mapping()

        def make() -> SyncEngine:
            return SyncEngine(mapping, connector, client, store, sleep=sleep, external_page=10)

        reports = []
        setup.before()
        between()
        reports.append(full_sync(make))
        faults_off(base_url)
        snapshot(setup, store)  # no duplicate on either side after the first sync either
        setup.between()
        between()
        reports.append(full_sync(make))
        faults_off(base_url)
        return snapshot(setup, store), reports


def faults_off(base_url: str) -> None:
    with EmulatorControl(base_url=base_url) as c:
        c.clear_faults()
        c.clear_standin_failures()


def reference(system: System, emulator: EmulatorProcess, tmp_path: Path) -> dict[str, Any]:
    """The snapshot of the scenario run without faults (once per module and system)."""
    if system.name not in _REFERENCES:
        with EmulatorControl(base_url=emulator.base_url) as c:
            c.reset()
        with open_store(f"sqlite:///{tmp_path / 'reference.sqlite3'}") as ref:
            got, reports = tell(system, emulator.base_url, RecordStore(ref))
            assert all(not r.errors for r in reports), [r.errors for r in reports]
            _REFERENCES[system.name] = got
        with EmulatorControl(base_url=emulator.base_url) as c:
            c.reset()
    return _REFERENCES[system.name]


def inject(control: EmulatorControl, system: System) -> None:
    """Faults on both sides: about one call in six to Attio fails (one create in three) and
    one in three to the stand-in; first of all, a few that always hit, so that the run meets
    faults whatever the draw (the counts the test asserts are no matter of chance)."""
    control.fault("*", "error", status=503, count=3)
    control.fault("POST /v2/objects/{object}/records", "drop_after", count=3)
    control.fail_standin(system.name, "*", status=503, count=5)
    control.fail_standin(system.name, "*", "connection_dropped_after", count=5)
    control.fault("*", "rate_limit", rate=0.02)
    control.fault("*", "error", status=503, rate=0.06)
    control.fault("*", "drop", rate=0.04)
    control.fault("POST /v2/objects/{object}/records", "drop_after", rate=0.2)
    control.fault("GET *", "slow", seconds=SLOW, rate=0.03)
    control.fault("POST /v2/objects/{object}/records/query", "slow", seconds=SLOW, rate=0.03)
    s = system.name
    control.fail_standin(s, "*", "slow", seconds=SLOW, rate=0.03)
    control.fail_standin(s, "*", status=429, seconds=ASKED, rate=0.1)
    control.fail_standin(s, "*", status=503, rate=0.08)
    control.fail_standin(s, "*", "connection_dropped", rate=0.06)
    control.fail_standin(s, "*", "connection_dropped_after", rate=0.06)


# -- the tests -----------------------------------------------------------------------------------


@pytest.mark.parametrize("system", SYSTEMS)
def test_the_scenario_without_faults_ends_as_the_rules_say(
    system: System, emulator: EmulatorProcess, control: EmulatorControl, tmp_path: Path
) -> None:
    want = reference(system, emulator, tmp_path)
    attio, external = want["attio"], want["external"]
    assert attio == external  # both sides hold the same records with the same values
    gone = {"ext4@ext.example", "ext5@ext.example", "att6@attio.example", "att7@attio.example"}
    gone |= {"both4@both.example", "both5@both.example"}
    assert not gone & set(attio)
    for email in (
        "ext0@ext.example",
        "att0@attio.example",
        "new2@ext.example",
        "new1@attio.example",
    ):
        assert email in attio
    assert attio["ext0@ext.example"]["title"] == "Lead 0"
    assert attio["att1@attio.example"]["title"] == "Head 1"
    assert attio["both0@both.example"]["title"] == "Attio again 0"  # written last
    assert attio["both3@both.example"]["title"] == "Ext last"
    assert attio["ext3@ext.example"] == {
        "first": "Renamed",
        "last": "Side",
        "title": "Merged title",
    }
    assert attio["both6@both.example"]["title"] == "Attio 6"  # Attio's, written after
    assert len(want["links"]) == len(attio)
    assert all(a == e for a, e, *_ in want["links"])


@pytest.mark.parametrize("system", SYSTEMS)
def test_faults_on_either_side_end_as_a_run_without_faults(
    system: System,
    emulator: EmulatorProcess,
    control: EmulatorControl,
    state: StateStore,
    tmp_path: Path,
) -> None:
    want = reference(system, emulator, tmp_path)
    control.call("DELETE", "/journal")
    sleeps = Sleeps()
    got, reports = tell(
        system,
        emulator.base_url,
        RecordStore(state),
        timeout=TIMEOUT,
        sleep=sleeps,
        between=lambda: inject(control, system),
    )
    assert all(not r.errors for r in reports), [r.errors for r in reports]
    assert not differences(got, want), differences(got, want)
    # Many calls failed and were tried again: Attio's (the emulator's journal: dropped,
    # refused, rate limited) and the stand-in's (each retry of the engine sleeps first).
    journal = control.journal()
    attio_failed = [
        e for e in journal if e["path"].startswith("/v2/") and e["status"] in (0, 429, 503)
    ]
    assert len(attio_failed) >= 6, len(attio_failed)
    assert len(sleeps.asked) >= 10, sleeps.asked
    if system is HUBSPOT:
        assert ASKED in sleeps.asked  # the wait HubSpot's 429 asked for


def test_a_worker_killed_mid_sync_ends_as_a_run_without_faults(
    emulator: EmulatorProcess, control: EmulatorControl, tmp_path: Path
) -> None:
    want = reference(HUBSPOT, emulator, tmp_path)
    work = tmp_path / "work"
    work.mkdir()
    base = emulator.base_url
    client = AttioClient(api_key=KEY, base_url=base)
    scenario = Scenario(HUBSPOT, HUBSPOT.connector(base), client)
    scenario.before()
    control.latency(40)  # a run long enough to be killed in
    env = {"PYTHONPATH": f"{ROOT / 'src'}{os.pathsep}{ROOT}", "PATH": os.environ.get("PATH", "")}

    def args(*rest: str) -> list[str]:
        return [sys.executable, str(WORKER), str(work), base, *rest]

    subprocess.run(args("submitter", "submit"), check=True, cwd=ROOT, env=env, timeout=120)
    processes: list[subprocess.Popen[bytes]] = []
    state = open_store(f"sqlite:///{work / 'state.sqlite3'}")
    try:
        first = subprocess.Popen(args("w1"), cwd=ROOT, env=env)
        processes.append(first)
        name = HUBSPOT.mapping().name
        wait_for(
            lambda: RecordStore(state).checkpoint(name) is not None,
            timeout=120,
            what="w1 to checkpoint a page",
        )
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
        assert RecordStore(state).checkpoint(name) is not None  # killed before the end
        linked = len(RecordStore(state).links(HUBSPOT.name, HUBSPOT.object))
        assert 0 < linked < EXTERNAL_ONLY + ATTIO_ONLY + BOTH  # ... after some were synced
        control.latency(0)
        second = subprocess.Popen(args("w2"), cwd=ROOT, env=env)
        processes.append(second)
        queue = JobQueue(f"sqlite:///{work / 'jobs.sqlite3'}")
        queue.start(work=False)
        try:
            wait_for(
                lambda: queue.get(f"sync:{name}:run-1").status == "succeeded",
                timeout=150,
                what="w2 to finish the run",
            )
            info: Any = queue.get(f"sync:{name}:run-1")
        finally:
            queue.shutdown()
        assert info.result["errors"] == []
        # The rest of the story, run here: the killed run left what a clean one leaves.
        store = RecordStore(state)
        scenario.between()
        report = SyncEngine(HUBSPOT.mapping(), HUBSPOT.connector(base), client, store).full()
        assert not report.errors
        got = snapshot(scenario, store)
        assert not differences(got, want), differences(got, want)
    finally:
        for p in processes:
            if p.poll() is None:
                p.terminate()
                p.wait(timeout=10)
        state.close()
        client.close()
