"""The job queue in this process, on SQLite and PostgreSQL: submitting (durable, once per id),
retrying on the schedule, the dead letter and its retry, replay, purge, filters, partitions,
observers and metrics, shutdown."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import threading
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from prometheus_client import REGISTRY

from attio_bridge.errors import AttioError, ConfigurationError, InvalidInputError, MissingError
from attio_bridge.jobs import JobEvent, JobQueue, JobQueueError, JobSpec, RetrySchedule
from tests.jobs.conftest import QueueFactory, Target, wait_for

ROOT = Path(__file__).resolve().parents[2]


class Flaky(AttioError):
    retryable = True


class Broken(AttioError):
    retryable = False


class Recorder:
    """A processor that counts its runs per job and fails while told to."""

    def __init__(self, failures: int = 0, error: type[Exception] = Flaky) -> None:
        self.runs: Counter[str] = Counter()
        self.failures = failures
        self.error = error
        self.lock = threading.Lock()

    async def __call__(self, payload: dict[str, Any]) -> dict[str, Any]:
        with self.lock:
            self.runs[payload["name"]] += 1
            failing = self.failures != 0
            if self.failures > 0:
                self.failures -= 1
        if failing:
            raise self.error(f"failing on {payload['name']}")
        return {"done": payload["name"]}


def spec(name: str, partition: str = "p", kind: str = "work", **payload: Any) -> JobSpec:
    return JobSpec(name, kind, partition, {"name": name, **payload})


def settled(queue: JobQueue, job_id: str, status: str) -> None:
    wait_for(lambda: queue.get(job_id).status == status, what=f"{job_id} to be {status}")


def test_submit_says_which_jobs_are_new_and_runs_each_once(make_queue: QueueFactory) -> None:
    queue = make_queue()
    work = Recorder()
    queue.register("work", work)
    queue.start()
    assert queue.submit_sync([spec("a"), spec("b"), spec("a")]) == [True, True, False]
    assert asyncio.run(queue.submit([spec("b"), spec("c")])) == [False, True]
    processed = REGISTRY.get_sample_value("attio_bridge_jobs_processed_total", {"kind": "work"})
    timed = REGISTRY.get_sample_value(
        "attio_bridge_jobs_processing_seconds_count", {"kind": "work"}
    )
    for name in "abc":
        settled(queue, name, "succeeded")
    wait_for(lambda: work.runs.total() == 3)
    assert (
        REGISTRY.get_sample_value("attio_bridge_jobs_processed_total", {"kind": "work"})
        == (processed or 0) + 3
    )
    assert (
        REGISTRY.get_sample_value("attio_bridge_jobs_processing_seconds_count", {"kind": "work"})
        == (timed or 0) + 3
    )
    info = queue.get("a")
    assert (info.attempts, info.result, info.error) == (1, {"done": "a"}, None)
    assert work.runs == {"a": 1, "b": 1, "c": 1}


def test_an_observer_that_fails_does_not_fail_the_job(make_queue: QueueFactory) -> None:
    queue = make_queue()
    heard: list[str] = []

    def broken(event: JobEvent) -> None:
        raise RuntimeError("observer bug")

    queue.register("work", Recorder())
    queue.subscribe(broken)
    queue.subscribe(lambda event: heard.append(event.what))
    queue.start()
    queue.submit_sync([spec("o")])
    settled(queue, "o", "succeeded")
    assert heard == ["started", "succeeded"]


def test_the_same_job_submitted_three_times_at_once_has_one_effect(
    make_queue: QueueFactory,
) -> None:
    queue = make_queue()
    work = Recorder()
    queue.register("work", work)
    queue.start()

    async def three() -> list[list[bool]]:
        return list(await asyncio.gather(*(queue.submit([spec("same")]) for _ in range(3))))

    answers = asyncio.run(three())
    assert sorted(answer[0] for answer in answers) == [False, False, True]
    settled(queue, "same", "succeeded")
    assert work.runs == {"same": 1}


def test_many_submits_at_once_are_each_stored_and_a_bad_one_fails_alone(
    make_queue: QueueFactory,
) -> None:
    # Submits made at the same time share one transaction: a payload that is not JSON must
    # still fail only its own submit, and every other one be stored and answered as new.
    queue = make_queue()
    queue.start(work=False)

    async def many() -> list[list[bool] | BaseException]:
        submits = [queue.submit([spec(f"m{n}"), spec(f"m{n}-b")]) for n in range(40)]
        submits.insert(20, queue.submit([spec("bad", when=object())]))
        return list(await asyncio.gather(*submits, return_exceptions=True))

    answers = asyncio.run(many())
    assert isinstance(answers.pop(20), InvalidInputError)
    assert answers == [[True, True]] * 40
    assert sorted(job.id for job in queue.list(limit=200)) == sorted(
        [f"m{n}" for n in range(40)] + [f"m{n}-b" for n in range(40)]
    )
    with pytest.raises(MissingError):
        queue.get("bad")


def test_jobs_submitted_by_another_process_are_stored_and_run_here(
    make_queue: QueueFactory, target: Target, tmp_path: Path
) -> None:
    # The other process submits and exits before any worker exists: only the database holds them.
    subprocess.run(
        [
            sys.executable,
            str(ROOT / "tests/jobs/_worker.py"),
            target.url,
            target.schema or "",
            str(tmp_path),
            "submitter",
            "submit",
            "5",
        ],
        check=True,
        cwd=ROOT,
        env={"PYTHONPATH": str(ROOT / "src"), "PATH": "/usr/bin:/bin"},
        timeout=60,
    )
    queue = make_queue()
    queue.start(work=False)
    assert {info.id for info in queue.list()} == {f"job-{n}" for n in range(5)}
    assert {info.status for info in queue.list()} == {"queued"}
    assert sum(queue.depth().values()) == 5
    queue.shutdown()

    worker = make_queue()
    seen: list[str] = []

    async def effect(payload: dict[str, Any]) -> dict[str, Any]:
        seen.append(f"job-{payload['n']}")
        return {}

    worker.register("effect", effect)
    worker.start()
    wait_for(lambda: len(worker.list(status="succeeded")) == 5, what="the 5 jobs")
    assert sorted(seen) == [f"job-{n}" for n in range(5)]


def test_a_failing_job_is_retried_on_the_schedule_until_it_succeeds(
    make_queue: QueueFactory,
) -> None:
    queue = make_queue()
    work = Recorder(failures=2)
    events: list[JobEvent] = []
    queue.register("work", work)
    queue.subscribe(events.append)
    queue.start()
    queue.submit_sync([spec("x", type="record.updated")])
    settled(queue, "x", "succeeded")
    assert [(e.what, e.attempt) for e in events] == [
        ("started", 1),
        ("retrying", 1),
        ("started", 2),
        ("retrying", 2),
        ("started", 3),
        ("succeeded", 3),
    ]
    assert events[1].error == "Flaky: failing on x"
    assert events[-1].result == {"done": "x"} and events[-1].payload_type == "record.updated"
    assert queue.get("x").attempts == 3


def test_a_worker_lost_while_waiting_to_retry_is_resumed_at_the_next_attempt(
    make_queue: QueueFactory,
) -> None:
    schedule = RetrySchedule(attempts=3, first_delay=0.5, jitter=0.0)
    first = make_queue(retry=schedule)
    work = Recorder(failures=1)
    first_events: list[JobEvent] = []
    first.register("work", work)
    first.subscribe(first_events.append)
    first.start()
    first.submit_sync([spec("w")])
    wait_for(lambda: first.get("w").status == "retrying")
    first.shutdown(timeout=0)  # mid-wait: the job is handed to the next worker
    assert [(e.what, e.attempt) for e in first_events] == [("started", 1), ("retrying", 1)]

    second = make_queue(retry=schedule)
    second_events: list[JobEvent] = []
    second.register("work", work)
    second.subscribe(second_events.append)
    second.start()
    settled(second, "w", "succeeded")
    # The finished attempt is not run again: the second worker goes on with attempt 2.
    assert [(e.what, e.attempt) for e in second_events] == [("started", 2), ("succeeded", 2)]
    assert second.get("w").attempts == 2 and work.runs == {"w": 2}


def test_the_inspecting_methods_work_inside_an_event_loop(make_queue: QueueFactory) -> None:
    queue = make_queue()
    queue.register("work", Recorder(failures=-1, error=Broken))
    queue.start()

    async def inspect() -> tuple[int, str, str]:
        await queue.submit([spec("e")])
        while queue.get("e").status != "dead":
            await asyncio.sleep(0.02)
        retried = queue.retry("e")
        return len(queue.list()), retried.status, str(queue.purge(status="succeeded"))

    assert asyncio.run(inspect()) == (1, "queued", "0")


def test_a_job_that_keeps_failing_is_dead_and_succeeds_when_retried_after_the_fix(
    make_queue: QueueFactory,
) -> None:
    queue = make_queue()
    work = Recorder(failures=-1)  # always
    queue.register("work", work)
    queue.start()
    before = (
        REGISTRY.get_sample_value("attio_bridge_jobs_dead_lettered_total", {"kind": "work"}) or 0
    )
    queue.submit_sync([spec("d")])
    settled(queue, "d", "dead")
    dead = queue.get("d")
    assert (dead.attempts, dead.error, dead.result) == (3, "Flaky: failing on d", None)
    assert [info.id for info in queue.list(status="dead")] == ["d"]
    assert (
        REGISTRY.get_sample_value("attio_bridge_jobs_dead_lettered_total", {"kind": "work"})
        == before + 1
    )

    work.failures = 0  # the fix
    queue.retry("d")
    settled(queue, "d", "succeeded")
    fixed = queue.get("d")
    assert (fixed.attempts, fixed.error, fixed.result) == (1, None, {"done": "d"})
    assert work.runs["d"] == 4


def test_a_non_retryable_failure_is_dead_at_once(make_queue: QueueFactory) -> None:
    queue = make_queue()
    work = Recorder(failures=-1, error=Broken)
    queue.register("work", work)
    queue.start()
    queue.submit_sync([spec("b"), JobSpec("orphan", "unknown-kind", "p", {})])
    settled(queue, "b", "dead")
    assert queue.get("b").attempts == 1
    settled(queue, "orphan", "dead")
    assert "no processor is registered for jobs of kind 'unknown-kind'" in (
        queue.get("orphan").error or ""
    )


def test_replay_runs_a_finished_job_again_and_only_a_finished_one(
    make_queue: QueueFactory,
) -> None:
    queue = make_queue()
    work = Recorder()
    gate = threading.Event()

    async def slow(payload: dict[str, Any]) -> None:
        await asyncio.to_thread(gate.wait, 10)

    queue.register("work", work)
    queue.register("slow", slow)
    queue.start()
    queue.submit_sync([spec("r"), spec("s", kind="slow")])
    settled(queue, "r", "succeeded")
    with pytest.raises(InvalidInputError, match="only a dead or cancelled job"):
        queue.retry("r")
    queue.replay("r")
    wait_for(lambda: work.runs["r"] == 2 and queue.get("r").status == "succeeded")
    settled(queue, "s", "running")
    with pytest.raises(InvalidInputError, match="s' is running"):
        queue.replay("s")
    gate.set()
    with pytest.raises(MissingError, match="no job 'nope'"):
        queue.get("nope")


def test_filters_pick_jobs_by_status_kind_type_partition_and_age(
    make_queue: QueueFactory,
) -> None:
    queue = make_queue()
    queue.register("work", Recorder())
    queue.register("fail", Recorder(failures=-1, error=Broken))
    queue.start()
    queue.submit_sync(
        [
            spec("u1", type="record.updated"),
            spec("u2", partition="q", type="record.updated"),
            spec("c1", type="record.created"),
            spec("f1", kind="fail", type="record.updated"),
        ]
    )
    settled(queue, "f1", "dead")
    for name in ("u1", "u2", "c1"):
        settled(queue, name, "succeeded")

    def ids(**filters: Any) -> set[str]:
        return {info.id for info in queue.list(**filters)}

    assert ids(type="record.updated") == {"u1", "u2", "f1"}
    assert ids(type="record.updated", status="succeeded") == {"u1", "u2"}
    assert ids(kind="fail") == {"f1"}
    assert ids(partition="q") == {"u2"}
    assert ids(newer_than=timedelta(hours=1)) == {"u1", "u2", "c1", "f1"}
    assert ids(older_than=timedelta(hours=1)) == set()
    assert len(queue.list(limit=2)) == 2
    assert queue.list(type="record.deleted") == []
    with pytest.raises(InvalidInputError, match="not a job status"):
        queue.list(status="lost")  # type: ignore[arg-type]


def test_purge_deletes_finished_jobs_that_match_and_needs_a_filter(
    make_queue: QueueFactory,
) -> None:
    queue = make_queue()
    queue.register("work", Recorder())
    queue.register("fail", Recorder(failures=-1, error=Broken))
    queue.start()
    queue.submit_sync([spec("ok1"), spec("ok2"), spec("bad", kind="fail")])
    settled(queue, "bad", "dead")
    settled(queue, "ok1", "succeeded")
    settled(queue, "ok2", "succeeded")
    with pytest.raises(InvalidInputError, match="needs a filter"):
        queue.purge()
    with pytest.raises(InvalidInputError, match="only finished jobs"):
        queue.purge(status="queued")
    assert queue.purge(status="dead") == 1
    assert {info.id for info in queue.list()} == {"ok1", "ok2"}
    assert queue.purge(older_than=timedelta(hours=1)) == 0
    assert queue.purge(everything=True) == 2
    assert queue.list() == []


def test_a_flooded_partition_does_not_hold_up_another(make_queue: QueueFactory) -> None:
    queue = make_queue(concurrency=4)
    release = threading.Event()
    done: list[str] = []

    async def flood(payload: dict[str, Any]) -> None:
        # Blocks until the other partition's job is done: starving it would time out.
        await asyncio.to_thread(release.wait, 20)
        done.append(payload["name"])

    async def other(payload: dict[str, Any]) -> None:
        done.append(payload["name"])
        release.set()

    queue.register("flood", flood)
    queue.register("other", other)
    queue.start()
    queue.submit_sync([spec(f"a{n}", partition="A", kind="flood") for n in range(200)])
    queue.submit_sync([spec("b", partition="B", kind="other")])
    settled(queue, "b", "succeeded")
    assert done[0] == "b"
    assert queue.depth()["A"] > 0
    assert (REGISTRY.get_sample_value("attio_bridge_jobs_queue_depth", {"partition": "A"}) or 0) > 0


def test_shutdown_lets_running_jobs_finish_and_leaves_the_rest_to_another_worker(
    make_queue: QueueFactory, capfd: pytest.CaptureFixture[str]
) -> None:
    first = make_queue(concurrency=2, partition_concurrency=2)
    gate = threading.Event()
    runs: Counter[str] = Counter()

    async def quick(payload: dict[str, Any]) -> None:
        runs[payload["name"]] += 1
        await asyncio.sleep(0.05)

    async def stuck(payload: dict[str, Any]) -> None:
        runs[payload["name"]] += 1
        await asyncio.to_thread(gate.wait, 0.5 if runs[payload["name"]] == 1 else 0)

    for queue_kind, processor in (("quick", quick), ("stuck", stuck)):
        first.register(queue_kind, processor)
    first.start()
    first.submit_sync([spec("q", kind="quick"), spec("s", kind="stuck", email="ada@pii.test")])
    wait_for(lambda: runs["q"] == 1 and runs["s"] == 1)
    first.shutdown(timeout=0.2)
    # The job cut short is not an error to print, nor its payload a thing for the logs.
    printed = capfd.readouterr()
    assert "ada@pii.test" not in printed.err + printed.out
    second = make_queue()
    second.register("quick", quick)
    second.register("stuck", stuck)
    second.start()
    settled(second, "q", "succeeded")
    settled(second, "s", "succeeded")
    assert runs == {"q": 1, "s": 2}


def test_one_queue_runs_per_process_and_a_stopped_one_is_refused(
    make_queue: QueueFactory,
) -> None:
    first = make_queue()
    with pytest.raises(JobQueueError, match="not started"):
        first.list()
    first.start(work=False)
    with pytest.raises(JobQueueError, match="already started"):
        make_queue().start()


def test_a_bad_database_url_is_a_configuration_error_without_its_password() -> None:
    with pytest.raises(ConfigurationError) as caught:
        JobQueue("mysql://user:hunter2@db/jobs")
    assert "hunter2" not in str(caught.value) and "***" in str(caught.value)


def test_without_a_url_jobs_go_to_a_file_beside_the_state_store(tmp_path: Path) -> None:
    queue = JobQueue(environ={"XDG_STATE_HOME": str(tmp_path)})
    assert queue.database == f"sqlite:///{tmp_path}/attio-bridge/jobs.sqlite3"
    queue = JobQueue(environ={"ATTIO_BRIDGE_DATABASE_URL": "postgresql://u:secret@h/db"})
    assert queue.database == "postgresql://u:***@h/db"


def test_a_job_is_found_by_the_start_of_its_id_when_only_one_fits(
    make_queue: QueueFactory,
) -> None:
    queue = make_queue()
    queue.register("work", Recorder())
    queue.start()
    queue.submit_sync([spec("attio:acme:7f3e"), spec("attio:acme:7f9a"), spec("x_1%")])
    for name in ("attio:acme:7f3e", "attio:acme:7f9a", "x_1%"):
        settled(queue, name, "succeeded")
    assert queue.get("attio:acme:7f3").id == "attio:acme:7f3e"
    assert queue.get("x_1").id == "x_1%"
    with pytest.raises(
        InvalidInputError, match=r"several jobs \(attio:acme:7f3e, attio:acme:7f9a\)"
    ):
        queue.get("attio:acme:7f")
    # LIKE's wildcards are matched as themselves, and the start is compared case and all.
    for missing in ("x%", "_", "ATTIO:acme:7f3"):
        with pytest.raises(MissingError, match="list shows the jobs there"):
            queue.get(missing)
    assert queue.replay("attio:acme:7f9").id == "attio:acme:7f9a"
