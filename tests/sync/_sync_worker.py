"""A sync job worker process for the kill test: ``python _sync_worker.py DIR BASE_URL KEY
EXECUTOR [submit]``. The other side is a ``FileSide`` in ``DIR/side.json`` (shared by the
processes), Attio the emulator process at BASE_URL, the state store and the jobs database SQLite
files in DIR. ``submit`` submits the one full-sync job and exits; otherwise it works until
SIGTERM or SIGKILL."""

from __future__ import annotations

import signal
import sys
import threading
from collections.abc import Callable
from pathlib import Path

from attio_bridge.client import AttioClient
from attio_bridge.jobs import JobQueue, RetrySchedule
from attio_bridge.state import open_store
from attio_bridge.sync import SyncMapping
from attio_bridge.sync.engine import SyncEngine
from attio_bridge.sync.jobs import SYNC_JOB_KIND, sync_job, sync_processor
from attio_bridge.sync.store import RecordStore
from tests.sync._fake_side import FileSide
from tests.sync.conftest import contacts_mapping


def serve(
    workdir: Path,
    executor: str,
    mapping: SyncMapping,
    engine_for: Callable[[str], SyncEngine] | None = None,
) -> None:
    """Without ``engine_for``, submit the one full-sync job of ``mapping`` and return; with it,
    work the jobs database in ``workdir`` as ``executor`` until SIGTERM or SIGKILL."""
    queue = JobQueue(
        f"sqlite:///{workdir / 'jobs.sqlite3'}",
        executor_id=executor,
        concurrency=1,
        retry=RetrySchedule(attempts=5, first_delay=0.05),
        poll_interval=0.05,
        heartbeat_interval=0.2,
        dead_after=1.0,
    )
    if engine_for is None:
        queue.start(work=False)
        queue.submit_sync([sync_job(mapping, "run-1")])
        queue.shutdown()
        return
    queue.register(SYNC_JOB_KIND, sync_processor(engine_for))
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    queue.start()
    (workdir / f"ready-{executor}").touch()
    stop.wait()
    queue.shutdown(timeout=5)


def main(argv: list[str]) -> None:
    workdir, base_url, key, executor = Path(argv[0]), argv[1], argv[2], argv[3]
    mapping = contacts_mapping()
    if argv[4:5] == ["submit"]:
        serve(workdir, executor, mapping)
        return
    state = open_store(f"sqlite:///{workdir / 'state.sqlite3'}")
    client = AttioClient(api_key=key, base_url=base_url)
    side = FileSide(workdir / "side.json", delay=0.02, marker=workdir / f"busy-{executor}")

    def engine_for(name: str) -> SyncEngine:
        assert name == mapping.name
        return SyncEngine(mapping, side, client, RecordStore(state), external_page=5)

    serve(workdir, executor, mapping, engine_for)


if __name__ == "__main__":
    main(sys.argv[1:])
