"""``attio-bridge jobs list|show|retry|replay|purge`` over a SQLite job store made by a queue in
this process: tables and ``--json``, filters, and one-line errors with their exit codes."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result

from attio_bridge.errors import AttioError
from attio_bridge.jobs import JobQueue, JobSpec, RetrySchedule
from tests.jobs.conftest import FAST, wait_for

from ._support import invoke, one_error_line

SECRET = "jobs-cli-secret-password"


class Broken(AttioError):
    retryable = False


class Store:
    """A job store with two succeeded jobs and a dead one, and a way to run a worker on it."""

    def __init__(self, path: Path) -> None:
        self.url = f"sqlite:///{path}"
        self.fixed = False

    def worker(self) -> JobQueue:
        queue = JobQueue(self.url, retry=RetrySchedule(attempts=2, first_delay=0.01), **FAST)

        async def work(payload: dict[str, Any]) -> dict[str, Any]:
            if payload.get("fail") and not self.fixed:
                raise Broken("the handler refused it")
            return {"seen": payload["type"]}

        queue.register("webhook-event", work)
        queue.start()
        return queue

    def fill(self) -> None:
        queue = self.worker()
        try:
            queue.submit_sync(
                [
                    JobSpec("ev-1", "webhook-event", "people", {"type": "record.updated"}),
                    JobSpec("ev-2", "webhook-event", "deals", {"type": "record.created"}),
                    JobSpec(
                        "ev-3", "webhook-event", "people", {"type": "record.updated", "fail": True}
                    ),
                ]
            )
            wait_for(
                lambda: (
                    len(queue.list(status="succeeded")) == 2 and len(queue.list(status="dead")) == 1
                )
            )
        finally:
            queue.shutdown()


@pytest.fixture
def store(tmp_path: Path) -> Store:
    made = Store(tmp_path / "jobs.sqlite3")
    made.fill()
    return made


@pytest.fixture
def run(store: Store, config_home: Path, tmp_path: Path) -> Iterator[Any]:
    env = {"ATTIO_BRIDGE_DATABASE_URL": store.url, "XDG_STATE_HOME": str(tmp_path / "state")}

    def run(*args: str) -> Result:
        return invoke(["jobs", *args], env, config_home, SECRET)

    yield run


def as_json(result: Result) -> Any:
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def test_list_shows_jobs_newest_first_and_filters_them(run: Any) -> None:
    table = run("list")
    assert table.exit_code == 0, table.stderr
    assert "ev-1" in table.stdout and "dead" in table.stdout and "record.updated" in table.stdout
    assert {job["id"] for job in as_json(run("list", "--json"))} == {"ev-1", "ev-2", "ev-3"}
    assert [job["id"] for job in as_json(run("list", "--status", "dead", "--json"))] == ["ev-3"]
    updated = as_json(run("list", "--type", "record.updated", "--status", "succeeded", "--json"))
    assert [job["id"] for job in updated] == ["ev-1"]
    assert as_json(run("list", "--older-than", "1h", "--json")) == []
    assert len(as_json(run("list", "--newer-than", "30m", "--limit", "2", "--json"))) == 2
    assert run("list", "--type", "record.deleted").stdout.strip() == "no jobs"
    chosen = run("list", "--status", "dead", "--columns", "id,error")
    assert "Broken: the handler refused it" in chosen.stdout and "partition" not in chosen.stdout


def test_show_prints_a_job_with_its_error_and_effect(run: Any) -> None:
    dead = as_json(run("show", "ev-3", "--json"))
    assert (dead["status"], dead["attempts"]) == ("dead", 1)
    assert dead["error"] == "Broken: the handler refused it"
    done = as_json(run("show", "ev-1", "--json"))
    assert (done["status"], done["result"], done["type"]) == (
        "succeeded",
        {"seen": "record.updated"},
        "record.updated",
    )
    table = run("show", "ev-3")
    assert "Broken: the handler refused it" in table.stdout


def test_retry_queues_a_dead_job_which_then_succeeds(run: Any, store: Store) -> None:
    assert as_json(run("retry", "ev-3", "--json"))["status"] == "queued"
    store.fixed = True
    queue = store.worker()
    try:
        wait_for(lambda: queue.get("ev-3").status == "succeeded")
    finally:
        queue.shutdown()
    assert as_json(run("show", "ev-3", "--json"))["result"] == {"seen": "record.updated"}


def test_replay_queues_a_finished_job_again(run: Any) -> None:
    assert as_json(run("replay", "ev-1", "--json"))["status"] == "queued"
    error = one_error_line(run("replay", "ev-1"))
    assert "is queued; only a finished job" in error
    assert run("replay", "ev-1").exit_code == 5


def test_purge_deletes_what_the_filter_names_and_needs_one(run: Any) -> None:
    refused = run("purge")
    assert refused.exit_code == 2
    assert "purge needs a filter" in one_error_line(refused)
    assert as_json(run("purge", "--status", "dead", "--json")) == {"purged": 1}
    assert run("purge", "--all").stdout.strip() == "purged 2 jobs"
    assert as_json(run("list", "--json")) == []


@pytest.mark.parametrize(
    ("args", "code", "words"),
    [
        (["show", "nope"], 4, "no job 'nope'"),
        (["retry", "ev-1"], 5, "only a dead or cancelled job"),
        (["list", "--status", "lost"], 2, "not a job status"),
        (["list", "--older-than", "soon"], 2, "--older-than: 'soon' is not a duration"),
        (["purge", "--status", "queued"], 5, "only finished jobs"),
    ],
)
def test_errors_are_one_line_with_the_exit_code_of_their_class(
    run: Any, args: list[str], code: int, words: str
) -> None:
    result = run(*args)
    assert result.exit_code == code
    assert words in one_error_line(result)
    as_json_error = json.loads(run(*args, "--json").stderr)
    assert as_json_error["error"]["exit_code"] == code


def test_an_unreachable_database_is_a_connection_error_without_its_password(
    config_home: Path, tmp_path: Path
) -> None:
    url = f"postgresql://postgres:{SECRET}@127.0.0.1:1/jobs"
    result = invoke(
        ["jobs", "list", "--database", url], {"XDG_STATE_HOME": str(tmp_path)}, config_home, SECRET
    )
    assert result.exit_code == 7
    assert "postgresql://postgres:***@127.0.0.1:1/jobs" in one_error_line(result)


@pytest.mark.parametrize(
    "args", [["list"], ["show", "ev-1"], ["retry", "ev-1"], ["purge", "--all"]]
)
def test_a_sqlite_file_that_does_not_exist_is_refused_not_made(
    args: list[str], config_home: Path, tmp_path: Path
) -> None:
    missing = tmp_path / "gone" / "jobs.sqlite3"
    env = {"XDG_STATE_HOME": str(tmp_path / "state")}
    result = invoke(["jobs", *args, "--database", f"sqlite:///{missing}"], env, config_home, SECRET)
    assert result.exit_code == 4
    assert f"no jobs database at {missing}" in one_error_line(result)
    assert not missing.exists() and not missing.parent.exists()


def test_list_shows_a_long_job_id_whole_so_show_takes_it(config_home: Path, tmp_path: Path) -> None:
    store = Store(tmp_path / "jobs.sqlite3")
    long_id = "attio:" + "5f3c" * 16  # as long as a delivery's job id
    queue = store.worker()
    try:
        queue.submit_sync([JobSpec(long_id, "webhook-event", "people", {"type": "record.updated"})])
        wait_for(lambda: queue.get(long_id).status == "succeeded")
    finally:
        queue.shutdown()
    env = {"ATTIO_BRIDGE_DATABASE_URL": store.url, "XDG_STATE_HOME": str(tmp_path / "state")}
    table = invoke(["jobs", "list"], env, config_home, SECRET, columns=80)
    assert table.exit_code == 0, table.stderr
    assert long_id in table.stdout  # on one line, whole: the columns after it left out instead
    shown = invoke(["jobs", "show", long_id, "--json"], env, config_home, SECRET)
    assert json.loads(shown.stdout)["id"] == long_id
