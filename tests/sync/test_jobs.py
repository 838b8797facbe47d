"""Full syncs as durable jobs: run through the queue they give what a direct run gives, and a
worker process killed in the middle of a run (SIGKILL, as tests/jobs/test_takeover.py does) has
the run finished by another worker, ending in the state of a run without faults."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from attio_bridge.client import AttioClient
from attio_bridge.jobs import JobQueue
from attio_bridge.state import open_store
from attio_bridge.sync.engine import SyncEngine
from attio_bridge.sync.jobs import partition_of, sync_job
from attio_bridge.sync.store import RecordStore
from attio_bridge.testing import EmulatorProcess
from tests.jobs.conftest import wait_for

from ._fake_side import FakeSide, FileSide
from .conftest import contacts, contacts_mapping, people

ROOT = Path(__file__).resolve().parents[2]
WORKER = ROOT / "tests/sync/_sync_worker.py"
KEY = "sync-jobs-key"
COUNT = 30


def seed(side: FakeSide, client: AttioClient) -> None:
    for i in range(COUNT):
        side.put("contacts", {"email": f"x{i}@ext.io", "firstname": f"X{i}", "lastname": "Ext"})
    for i in range(COUNT // 3):
        name = [{"first_name": f"A{i}", "last_name": "Attio", "full_name": f"A{i} Attio"}]
        client.records.create("people", {"email_addresses": [f"a{i}@attio.io"], "name": name})


@pytest.fixture
def emulator() -> Iterator[EmulatorProcess]:
    with EmulatorProcess(api_key=KEY, read_rate=0, write_rate=0) as emu:
        yield emu


def test_the_job_is_partitioned_by_object_and_named_by_run() -> None:
    job = sync_job(contacts_mapping(), "r1")
    assert (job.id, job.kind, job.partition) == (
        "sync:contacts:r1",
        "sync-full",
        "sync:hubspot:contacts",
    )
    assert partition_of(contacts_mapping()) == job.partition


def test_a_worker_killed_mid_sync_leaves_the_result_of_a_run_without_faults(
    emulator: EmulatorProcess, tmp_path: Path, attio_client: AttioClient, side: FakeSide
) -> None:
    # What a run without faults ends with (the in-process emulator, the in-memory side).
    seed(side, attio_client)
    with open_store(f"sqlite:///{tmp_path / 'ref.sqlite3'}") as ref:
        SyncEngine(contacts_mapping(), side, attio_client, RecordStore(ref)).full()
    want_people, want_contacts = people(attio_client), contacts(side)
    assert len(want_people) == COUNT + COUNT // 3

    work = tmp_path / "work"
    work.mkdir()
    shared = FileSide(work / "side.json")
    with AttioClient(api_key=KEY, base_url=emulator.base_url) as client:
        seed(shared, client)
        shared.save()
        env = {
            "PYTHONPATH": f"{ROOT / 'src'}{os.pathsep}{ROOT}",
            "PATH": os.environ.get("PATH", ""),
        }

        def args(*rest: str) -> list[str]:
            return [sys.executable, str(WORKER), str(work), emulator.base_url, KEY, *rest]

        subprocess.run(args("submitter", "submit"), check=True, cwd=ROOT, env=env, timeout=60)
        processes: list[subprocess.Popen[bytes]] = []
        try:
            first = subprocess.Popen(args("w1"), cwd=ROOT, env=env)
            processes.append(first)
            wait_for(lambda: (work / "busy-w1").exists(), timeout=60, what="w1 to write")
            first.send_signal(signal.SIGKILL)
            first.wait(timeout=10)
            created = len(FileSide(work / "side.json").records["contacts"])
            assert COUNT < created < COUNT + COUNT // 3  # killed in the middle
            second = subprocess.Popen(args("w2"), cwd=ROOT, env=env)
            processes.append(second)
            queue = JobQueue(f"sqlite:///{work / 'jobs.sqlite3'}")
            queue.start(work=False)
            try:
                wait_for(
                    lambda: queue.get("sync:contacts:run-1").status == "succeeded",
                    timeout=90,
                    what="w2 to finish the run",
                )
                info: Any = queue.get("sync:contacts:run-1")
            finally:
                queue.shutdown()
        finally:
            for p in processes:
                if p.poll() is None:
                    p.terminate()
                    p.wait(timeout=10)
        assert info.result["mapping"] == "contacts"
        assert people(client) == want_people
        assert contacts(FileSide(work / "side.json")) == want_contacts
