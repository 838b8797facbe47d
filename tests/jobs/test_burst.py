"""A burst of 10,000 jobs: every one processed, none twice."""

from __future__ import annotations

import threading
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from attio_bridge.jobs import JobQueue, JobSpec
from tests.jobs.conftest import FAST, sqlite_target, wait_for

COUNT = 10_000


@pytest.mark.slow
def test_a_burst_of_ten_thousand_jobs_is_processed_once_each(tmp_path: Path) -> None:
    target = sqlite_target(tmp_path)
    queue = JobQueue(target.url, concurrency=32, partition_concurrency=16, **FAST)
    runs: Counter[int] = Counter()
    lock = threading.Lock()

    async def work(payload: dict[str, Any]) -> None:
        with lock:
            runs[payload["n"]] += 1

    queue.register("work", work)
    queue.start()
    try:
        specs = [JobSpec(f"burst-{n}", "work", f"p{n % 4}", {"n": n}) for n in range(COUNT)]
        for start in range(0, COUNT, 1000):
            assert all(queue.submit_sync(specs[start : start + 1000]))
        wait_for(lambda: sum(runs.values()) >= COUNT, timeout=600, what="the burst")
        wait_for(lambda: not queue.depth() and not queue.list(status="running"), what="the last")
        assert len(runs) == COUNT and set(runs.values()) == {1}
        assert len(queue.list(status="succeeded", limit=None)) == COUNT
    finally:
        queue.shutdown(timeout=5)
