"""How fast the job queue stores and runs jobs (``attio_bridge.jobs`` on DBOS).

Prints, embedded (SQLite) and on PostgreSQL:

- intake: jobs durably stored per second, one ``submit`` of 100 jobs at a time, and the time
  one single-job ``submit`` takes (p50, p99): what acknowledging one webhook delivery costs;
- processing on PostgreSQL: jobs run per second by one worker process, then by two, and the
  ratio (goal: two workers faster than one). Each job's processor waits 10 ms (an API call).

Run: ``python bench/jobs_throughput.py [--jobs 2000] [--postgres URL]``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

from attio_bridge.jobs import JobQueue, JobSpec

ROOT = Path(__file__).resolve().parents[1]


def drop_schema(url: str, schema: str | None) -> None:
    """Drop the PostgreSQL schema a measurement made (nothing for SQLite)."""
    if schema is None:
        return
    import psycopg
    from psycopg import sql

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))


def intake(url: str, schema: str | None, jobs: int) -> tuple[float, float, float]:
    """Jobs stored per second in batches of 100; p50 and p99 ms of a one-job submit."""
    queue = JobQueue(url, schema=schema)
    queue.start(work=False)
    try:
        specs = [JobSpec(f"i-{n}", "bench", f"p{n % 4}", {"n": n}) for n in range(jobs)]
        started = time.perf_counter()
        for first in range(0, jobs, 100):
            queue.submit_sync(specs[first : first + 100])
        rate = jobs / (time.perf_counter() - started)
        times = []
        for n in range(300):
            one = time.perf_counter()
            queue.submit_sync([JobSpec(f"one-{n}", "bench", "p", {"n": n})])
            times.append((time.perf_counter() - one) * 1000)
        quantiles = statistics.quantiles(times, n=100)
        return rate, quantiles[49], quantiles[98]
    finally:
        queue.shutdown(timeout=0)
        drop_schema(url, schema)


def worker(url: str, schema: str) -> None:
    """A worker process: runs ``bench`` jobs (10 ms each) until SIGTERM."""
    queue = JobQueue(url, schema=schema, concurrency=16, poll_interval=0.05)

    async def bench(payload: dict[str, Any]) -> None:
        await asyncio.sleep(0.01)

    queue.register("bench", bench)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    queue.start()
    stop.wait()
    queue.shutdown(timeout=5)


def processing(url: str, workers: int, jobs: int) -> float:
    """Jobs per second run by ``workers`` worker processes on a fresh schema."""
    schema = f"bench_{uuid.uuid4().hex[:8]}"
    queue = JobQueue(url, schema=schema)
    queue.start(work=False)
    try:
        specs = [JobSpec(f"w-{n}", "bench", f"p{n % 8}", {"n": n}) for n in range(jobs)]
        for first in range(0, jobs, 500):
            queue.submit_sync(specs[first : first + 500])
        env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
        started = time.perf_counter()
        procs = [
            subprocess.Popen([sys.executable, __file__, "--worker", url, schema], env=env)
            for _ in range(workers)
        ]
        try:
            while sum(queue.depth().values()) or queue.list(status="running", limit=1):
                time.sleep(0.1)
            return jobs / (time.perf_counter() - started)
        finally:
            for proc in procs:
                proc.terminate()
            for proc in procs:
                proc.wait(timeout=30)
    finally:
        queue.shutdown(timeout=0)
        drop_schema(url, schema)


def main() -> None:
    """Measure and print."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", type=int, default=2000)
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/test")
    parser.add_argument("--worker", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(*args.worker)
        return
    with tempfile.TemporaryDirectory() as tmp:
        targets = [
            ("embedded (SQLite)", f"sqlite:///{tmp}/jobs.sqlite3", None),
            ("PostgreSQL", args.postgres, f"bench_{uuid.uuid4().hex[:8]}"),
        ]
        for name, url, schema in targets:
            rate, p50, p99 = intake(url, schema, args.jobs)
            print(
                f"intake, {name}: {rate:,.0f} jobs/s stored (batches of 100); "
                f"one-job submit p50 {p50:.1f} ms, p99 {p99:.1f} ms"
            )
    one = processing(args.postgres, 1, args.jobs)
    two = processing(args.postgres, 2, args.jobs)
    print(
        f"processing, PostgreSQL, 10 ms jobs: 1 worker {one:,.0f} jobs/s, "
        f"2 workers {two:,.0f} jobs/s"
    )
    print(f"ratio 2 workers / 1 worker: {two / one:.2f} (goal: > 1)")


if __name__ == "__main__":
    main()
