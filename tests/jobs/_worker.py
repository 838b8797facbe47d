"""A job worker process for the tests that kill workers: ``python _worker.py URL SCHEMA DIR
EXECUTOR [submit N]``. It registers the ``effect`` processor, runs jobs until SIGTERM (a
graceful shutdown) or SIGKILL, and with ``submit N`` only submits jobs 0..N-1 and exits.

``effect`` writes ``DIR/started-<job>-<executor>`` when it starts, waits while the payload says
``block`` and ``DIR/release`` does not exist, then records the job in ``DIR/effects.sqlite3``:
``effects`` holds the job id once (its primary key: the effect is idempotent) and ``runs`` one
row per run that got that far.
"""

from __future__ import annotations

import asyncio
import signal
import sqlite3
import sys
import threading
from pathlib import Path
from typing import Any

from attio_bridge.jobs import JobQueue, JobSpec, RetrySchedule


def effects_db(workdir: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(workdir / "effects.sqlite3", timeout=30)
    conn.execute("CREATE TABLE IF NOT EXISTS effects (job TEXT PRIMARY KEY, executor TEXT)")
    conn.execute("CREATE TABLE IF NOT EXISTS runs (job TEXT, executor TEXT)")
    return conn


def main(argv: list[str]) -> None:
    url, schema, workdir, executor = argv[:4]
    directory = Path(workdir)
    queue = JobQueue(
        url,
        schema=schema or None,
        executor_id=executor,
        concurrency=4,
        retry=RetrySchedule(attempts=5, first_delay=0.05),
        poll_interval=0.05,
        heartbeat_interval=0.2,
        dead_after=1.0,
    )
    if argv[4:5] == ["submit"]:
        queue.start(work=False)
        count, block = int(argv[5]), argv[6:7] == ["block"]
        specs = [
            JobSpec(f"job-{n}", "effect", f"p{n % 3}", {"n": n, "block": block})
            for n in range(count)
        ]
        queue.submit_sync(specs)
        queue.shutdown()
        return

    async def effect(payload: dict[str, Any]) -> dict[str, Any]:
        job = f"job-{payload['n']}"
        (directory / f"started-{job}-{executor}").touch()
        while payload.get("block") and not (directory / "release").exists():
            await asyncio.sleep(0.02)
        with effects_db(directory) as conn:
            conn.execute("INSERT OR IGNORE INTO effects VALUES (?, ?)", (job, executor))
            conn.execute("INSERT INTO runs VALUES (?, ?)", (job, executor))
        return {"by": executor}

    queue.register("effect", effect)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    queue.start()
    (directory / f"ready-{executor}").touch()
    stop.wait()
    queue.shutdown(timeout=5)


if __name__ == "__main__":
    main(sys.argv[1:])
