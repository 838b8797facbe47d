"""Fixtures of the job queue tests: a jobs database per test (a SQLite file in the test's
directory, or a PostgreSQL schema of its own in a database made for the run), and queues that
are shut down after the test, since DBOS runs one per process.

PostgreSQL runs against ``postgresql://postgres@127.0.0.1:5432/test`` (``ATTIO_TEST_POSTGRES_URL``
to point elsewhere); the run creates ``attio_bridge_jobs_test_<random>`` and drops it at the end.
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from attio_bridge.jobs import JobQueue, RetrySchedule
from tests._servers import postgres_database

ADMIN_URL = os.environ.get("ATTIO_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")

# Fast settings for tests: claims polled often, workers declared dead quickly.
FAST: dict[str, Any] = {"poll_interval": 0.05, "heartbeat_interval": 0.2, "dead_after": 1.0}


@dataclass(frozen=True)
class Target:
    """A jobs database for one test: the URL and, on PostgreSQL, the schema."""

    url: str
    schema: str | None
    backend: str


@pytest.fixture(scope="session")
def pg_database() -> Iterator[str]:
    """The URL of a PostgreSQL database made for this run (dropped afterwards)."""
    with postgres_database("attio_bridge_jobs_test", ADMIN_URL) as url:
        yield url


def sqlite_target(tmp_path: Path) -> Target:
    """A SQLite jobs file in ``tmp_path``."""
    return Target(f"sqlite:///{tmp_path}/jobs.sqlite3", None, "sqlite")


@pytest.fixture
def pg_target(pg_database: str) -> Target:
    """A schema of this test's own in the run's PostgreSQL database (DBOS creates it)."""
    return Target(pg_database, f"jobs_{uuid.uuid4().hex[:12]}", "postgresql")


@pytest.fixture(params=["sqlite", "postgresql"])
def target(request: pytest.FixtureRequest, tmp_path: Path) -> Target:
    """An empty jobs database of each backend."""
    if request.param == "sqlite":
        return sqlite_target(tmp_path)
    found: Target = request.getfixturevalue("pg_target")
    return found


QueueFactory = Callable[..., JobQueue]


@pytest.fixture
def make_queue(target: Target) -> Iterator[QueueFactory]:
    """Build (not start) a ``JobQueue`` on ``target`` with fast test settings; every queue made
    is shut down after the test."""
    made: list[JobQueue] = []

    def make(**options: Any) -> JobQueue:
        settings: dict[str, Any] = {
            **FAST,
            "retry": RetrySchedule(attempts=3, first_delay=0.01, jitter=0.1),
            "concurrency": 4,
            "schema": target.schema,
            **options,
        }
        queue = JobQueue(target.url, **settings)
        made.append(queue)
        return queue

    yield make
    for queue in made:
        queue.shutdown(timeout=0)


def wait_for(check: Callable[[], bool], timeout: float = 30.0, what: str = "it") -> None:
    """Return once ``check()`` is true; fail the test after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.02)
