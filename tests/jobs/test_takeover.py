"""Workers as real processes: one killed with SIGKILL inside a job has the job finished by
another live worker, with its effect once; a SQLite worker killed mid-run and started again
loses nothing; PostgreSQL dropping every connection mid-run loses nothing acknowledged."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
import sqlalchemy as sa

from attio_bridge.jobs import JobQueue, JobQueueError, JobSpec, RetrySchedule
from tests.jobs.conftest import FAST, Target, sqlite_target, wait_for

ROOT = Path(__file__).resolve().parents[2]
WORKER = ROOT / "tests/jobs/_worker.py"


class Workers:
    """Worker processes of ``_worker.py`` on one jobs database, stopped after the test."""

    def __init__(self, target: Target, workdir: Path) -> None:
        self.target = target
        self.workdir = workdir
        self.processes: dict[str, subprocess.Popen[bytes]] = {}

    def _args(self, *rest: str) -> list[str]:
        return [
            sys.executable,
            str(WORKER),
            self.target.url,
            self.target.schema or "",
            str(self.workdir),
            *rest,
        ]

    def _env(self) -> dict[str, str]:
        return {
            "PYTHONPATH": f"{ROOT / 'src'}{os.pathsep}{ROOT}",
            "PATH": os.environ.get("PATH", ""),
        }

    def submit(self, count: int, *, block: bool = False) -> None:
        extra = ["block"] if block else []
        subprocess.run(
            self._args("submitter", "submit", str(count), *extra),
            check=True,
            cwd=ROOT,
            env=self._env(),
            timeout=60,
        )

    def start(self, name: str) -> None:
        self.processes[name] = subprocess.Popen(self._args(name), cwd=ROOT, env=self._env())
        wait_for(lambda: (self.workdir / f"ready-{name}").exists(), what=f"worker {name}")

    def busy(self, name: str) -> None:
        """Start worker ``name`` on one job that blocks until released; return once it runs."""
        self.submit(1, block=True)
        self.start(name)
        wait_for(lambda: self.started("job-0") == {name}, what=f"{name} to start the job")

    def kill(self, name: str) -> None:
        process = self.processes.pop(name)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)

    def stop_all(self) -> None:
        for process in self.processes.values():
            process.terminate()
        for process in self.processes.values():
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
        self.processes.clear()

    def effects(self) -> list[tuple[str, str]]:
        path = self.workdir / "effects.sqlite3"
        if not path.exists():
            return []
        with sqlite3.connect(path, timeout=30) as conn:
            try:
                return list(conn.execute("SELECT job, executor FROM effects"))
            except sqlite3.OperationalError:  # not created yet
                return []

    def started(self, job: str) -> set[str]:
        prefix = f"started-{job}-"
        return {p.name[len(prefix) :] for p in self.workdir.glob(f"{prefix}*")}


@pytest.fixture
def workers(target: Target, tmp_path: Path) -> Iterator[Workers]:
    made = Workers(target, tmp_path)
    yield made
    made.stop_all()


def inspect(target: Target) -> JobQueue:
    queue = JobQueue(target.url, schema=target.schema, **FAST)
    queue.start(work=False)
    return queue


def test_a_worker_killed_inside_a_job_has_it_finished_by_another(
    workers: Workers, target: Target
) -> None:
    workers.busy("w1")
    workers.start("w2")
    workers.kill("w1")  # inside the job: it waits for the release file
    (workers.workdir / "release").touch()
    wait_for(lambda: len(workers.effects()) == 1, what="w2 to take the job over")
    assert workers.effects() == [("job-0", "w2")]
    assert workers.started("job-0") == {"w1", "w2"}
    queue = inspect(target)
    try:
        info = queue.get("job-0")
        assert (info.status, info.result) == ("succeeded", {"by": "w2"})
    finally:
        queue.shutdown()


def test_a_worker_killed_before_its_first_heartbeat_is_taken_over_too(
    workers: Workers, target: Target
) -> None:
    workers.busy("w1")
    workers.kill("w1")
    # As if w1 had died before it wrote its first heartbeat: no row says it ever lived.
    engine = sa.create_engine(
        target.url.replace("postgresql://", "postgresql+psycopg://", 1),
        poolclass=sa.pool.NullPool,
    )
    with engine.begin() as conn:
        table = (
            f"{target.schema}.attio_bridge_job_executors"
            if target.schema
            else "attio_bridge_job_executors"
        )
        conn.execute(sa.text(f"DELETE FROM {table}"))
    engine.dispose()
    (workers.workdir / "release").touch()
    workers.start("w2")
    wait_for(lambda: len(workers.effects()) == 1, what="w2 to take the job over")
    assert workers.effects() == [("job-0", "w2")]


def test_a_sqlite_worker_killed_mid_run_and_started_again_loses_nothing(
    tmp_path: Path,
) -> None:
    made = Workers(sqlite_target(tmp_path), tmp_path)
    try:
        made.submit(60)
        made.start("first")
        wait_for(lambda: len(made.effects()) >= 5, what="some jobs done")
        made.kill("first")
        made.start("again")
        wait_for(lambda: len(made.effects()) == 60, timeout=60, what="every job done")
    finally:
        made.stop_all()
    assert sorted(job for job, _ in made.effects()) == sorted(f"job-{n}" for n in range(60))
    queue = inspect(made.target)
    try:
        assert {info.status for info in queue.list(limit=None)} == {"succeeded"}
    finally:
        queue.shutdown()


def _terminate_backends(database: str) -> int:
    with psycopg.connect(database, autocommit=True) as conn:
        name = conn.execute("SELECT current_database()").fetchone()
        assert name is not None
        rows = conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = %s AND pid <> pg_backend_pid()",
            (name[0],),
        ).fetchall()
    return len(rows)


def test_postgresql_dropping_every_connection_loses_nothing_acknowledged(
    pg_target: Target,
) -> None:
    queue = JobQueue(
        pg_target.url,
        schema=pg_target.schema,
        concurrency=8,
        retry=RetrySchedule(attempts=10, first_delay=0.05),
        **FAST,
    )
    runs: Counter[str] = Counter()
    lock = threading.Lock()

    async def work(payload: dict[str, Any]) -> None:
        with lock:
            runs[payload["id"]] += 1

    queue.register("work", work)
    queue.start()
    acknowledged: set[str] = set()
    try:
        for batch in range(10):
            specs = [
                JobSpec(f"j{batch}-{n}", "work", f"p{n % 4}", {"id": f"j{batch}-{n}"})
                for n in range(20)
            ]
            if batch in (3, 7):
                assert _terminate_backends(pg_target.url) > 0
            for _ in range(20):  # a submit that raised acknowledged nothing: send it again
                try:
                    queue.submit_sync(specs)
                except JobQueueError:
                    time.sleep(0.1)
                    continue
                acknowledged.update(spec.id for spec in specs)
                break
        assert len(acknowledged) == 200

        def all_done() -> bool:
            try:
                return len(queue.list(status="succeeded", limit=None)) == 200
            except JobQueueError:
                return False

        wait_for(all_done, timeout=60, what="every acknowledged job")
        assert set(runs) == acknowledged
    finally:
        queue.shutdown(timeout=0)
