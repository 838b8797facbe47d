"""A sync job worker process for the kill test of ``test_faults_e2e``: ``python
_faults_worker.py DIR BASE_URL EXECUTOR [submit]``. Attio and the HubSpot stand-in are the
emulator process at BASE_URL; the state store and the jobs database are SQLite files in DIR.
``submit`` submits the one full-sync job and exits; otherwise it works until SIGTERM or
SIGKILL."""

from __future__ import annotations

import signal
import sys
import threading
from pathlib import Path

from attio_bridge.client import AttioClient
from attio_bridge.jobs import JobQueue, RetrySchedule
from attio_bridge.state import open_store
from attio_bridge.sync.engine import SyncEngine
from attio_bridge.sync.jobs import SYNC_JOB_KIND, sync_job, sync_processor
from attio_bridge.sync.store import RecordStore
from tests.sync._faults_support import HUBSPOT, KEY


def main(argv: list[str]) -> None:
    workdir, base_url, executor = Path(argv[0]), argv[1], argv[2]
    queue = JobQueue(
        f"sqlite:///{workdir / 'jobs.sqlite3'}",
        executor_id=executor,
        concurrency=1,
        retry=RetrySchedule(attempts=5, first_delay=0.05),
        poll_interval=0.05,
        heartbeat_interval=0.2,
        dead_after=1.0,
    )
    mapping = HUBSPOT.mapping()
    if argv[3:4] == ["submit"]:
        queue.start(work=False)
        queue.submit_sync([sync_job(mapping, "run-1")])
        queue.shutdown()
        return
    state = open_store(f"sqlite:///{workdir / 'state.sqlite3'}")
    client = AttioClient(api_key=KEY, base_url=base_url)
    connector = HUBSPOT.connector(base_url)

    def engine_for(name: str) -> SyncEngine:
        assert name == mapping.name
        return SyncEngine(mapping, connector, client, RecordStore(state), external_page=5)

    queue.register(SYNC_JOB_KIND, sync_processor(engine_for))
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    queue.start()
    stop.wait()
    queue.shutdown(timeout=5)


if __name__ == "__main__":
    main(sys.argv[1:])
