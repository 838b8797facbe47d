"""Scale (issue 11): one intake (``attio-bridge serve --no-worker``) and two ``attio-bridge
worker`` processes, all real subprocesses, share one queue on the real PostgreSQL and the
caches, rate budget and circuits on the real Redis. 200 signed deliveries, each sent twice at
once, are stored once each; both workers run some of them; one worker is killed with SIGKILL
while it holds a job, and the survivor takes that job over, so every event ends succeeded once.

Each test gets a PostgreSQL database of its own (dropped afterwards) and a workspace with a
unique name and API key, so its Redis keys (cache ``t:<name>``, circuit, rate budget) are its
own. Which worker ran a job is told by a handler module, loaded with ``--handlers``, that
appends ``<what> <pid> <delivery id>`` to a file when it starts and when it finishes an event.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import orjson
import pytest
import redis

from attio_bridge.cache import DEFAULT_PREFIX
from attio_bridge.client import AttioClient
from attio_bridge.client.models import Record
from attio_bridge.jobs import JobQueue
from attio_bridge.testing import EmulatorProcess
from attio_bridge.testing.process import free_port
from attio_bridge.webhooks import sign_attio
from tests._servers import postgres_database, redis_client

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("ATTIO_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
DELIVERIES = 200
BLOCKING = "scale-delivery-100"  # its handler waits for the release file: a job held at the kill
WAIT = 180.0  # generous: the machine is shared; a worker is declared dead after 10 s

HANDLERS = '''
"""Notes which process runs each event; one delivery waits for a release file."""

import asyncio
import os
from pathlib import Path

from attio_bridge.webhooks import on

LOG = Path(os.environ["SCALE_TEST_LOG"])
RELEASE = Path(os.environ["SCALE_TEST_RELEASE"])
BLOCKING = os.environ["SCALE_TEST_BLOCKING"]


def note(what, event):
    with LOG.open("a") as log:  # one short append per line: lines of two processes never mix
        log.write(f"{what} {os.getpid()} {event.delivery_id}\\n")


@on("record.updated")
async def note_worker(event, ctx):
    note("start", event)
    if event.delivery_id == BLOCKING:
        while not RELEASE.exists():
            await asyncio.sleep(0.05)
    else:
        await asyncio.sleep(0.05)  # some work, so the two workers overlap
    note("done", event)
    return {"pid": os.getpid()}
'''


@pytest.fixture
def database() -> Iterator[str]:
    """A PostgreSQL database for this test alone, dropped afterwards."""
    with postgres_database("attio_bridge_scale") as url:
        yield url


@pytest.fixture
def workspace() -> Iterator[str]:
    """A workspace name of this test's own; its cache keys are deleted from Redis afterwards."""
    client = redis_client(REDIS_URL)
    name = f"scale-{uuid.uuid4().hex[:10]}"
    yield name
    with client:
        for key in client.scan_iter(match=f"{DEFAULT_PREFIX}t:{name}:*"):
            client.delete(key)


class Processes:
    """The service's processes, their stderr in files beside the test's other files."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.running: dict[str, subprocess.Popen[bytes]] = {}

    def start(self, name: str, env: dict[str, str], *args: str) -> subprocess.Popen[bytes]:
        """Run ``attio-bridge <args>`` as ``name`` (JSON log lines)."""
        with (self.workdir / f"{name}.log").open("wb") as stderr:
            process = subprocess.Popen(
                [sys.executable, "-m", "attio_bridge.cli", *args, "--log-format", "json"],
                cwd=self.workdir,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=stderr,
            )
        self.running[name] = process
        return process

    def log(self, name: str) -> str:
        """What ``name`` wrote on stderr so far."""
        return (self.workdir / f"{name}.log").read_text(errors="replace")

    def wait_started(self, name: str) -> None:
        """Wait for the process's "service started" log line (its queue is open)."""
        process = self.running[name]
        _wait(
            lambda: '"service started"' in self.log(name),
            f"{name} started",
            fail_early=lambda: process.poll() is not None,
            detail=lambda: self.log(name)[-3000:],
        )

    def kill_all(self) -> None:
        """Kill every process still running."""
        for process in self.running.values():
            if process.poll() is None:
                process.send_signal(signal.SIGKILL)
            process.wait(timeout=30)


@pytest.fixture
def processes(tmp_path: Path) -> Iterator[Processes]:
    """The test's service processes, killed after it."""
    found = Processes(tmp_path)
    yield found
    found.kill_all()


@pytest.fixture
def emulator_process() -> Iterator[EmulatorProcess]:
    """An emulator with generated people and a key of this test's own; not started yet (the
    test starts it while the service's processes start), stopped after the test."""
    found = EmulatorProcess(
        api_key=f"key-scale-{uuid.uuid4().hex[:12]}", seed="generated", seed_size=20
    )
    yield found
    found.stop()


def _wait(
    done: Callable[[], bool],
    what: str,
    *,
    fail_early: Callable[[], bool] = lambda: False,
    detail: Callable[[], str] = lambda: "",
) -> None:
    deadline = time.monotonic() + WAIT
    while not done():
        if fail_early() or time.monotonic() > deadline:
            pytest.fail(f"not {what} within {WAIT:.0f} s\n{detail()}")
        time.sleep(0.1)


def _runs(path: Path) -> dict[str, dict[str, list[int]]]:
    """``{"start"|"done": {delivery id: [pid, ...]}}`` from the handler's notes."""
    found: dict[str, dict[str, list[int]]] = {"start": defaultdict(list), "done": defaultdict(list)}
    if path.exists():
        for line in path.read_text().splitlines():
            what, pid, delivery = line.split()
            found[what][delivery].append(int(pid))
    return found


def _deliveries(records: list[Record]) -> list[tuple[str, bytes]]:
    """``DELIVERIES`` Attio deliveries of one ``record.updated`` each, over the seeded records."""
    made = []
    for n in range(DELIVERIES):
        record = records[n % len(records)]
        event = {
            "event_type": "record.updated",
            "id": {
                "workspace_id": record.id.workspace_id,
                "object_id": record.id.object_id,
                "record_id": record.record_id,
                "attribute_id": f"attr-{n}",
            },
            "actor": {"type": "workspace-member", "id": "member-1"},
        }
        body = orjson.dumps({"webhook_id": "wh-scale", "events": [event]})
        made.append((f"scale-delivery-{n}", body))
    return made


def test_two_workers_share_the_queue_and_a_killed_one_is_taken_over(
    tmp_path: Path,
    database: str,
    workspace: str,
    emulator_process: EmulatorProcess,
    processes: Processes,
) -> None:
    secret = f"whsec-{uuid.uuid4().hex}"
    notes, release = tmp_path / "runs.txt", tmp_path / "release"
    (tmp_path / "scale_handlers.py").write_text(HANDLERS)
    (tmp_path / "workspaces.toml").write_text(
        f'[workspaces.{workspace}]\napi_key_env = "ATTIO_API_KEY"\n'
        f'base_url = "{emulator_process.base_url}"\n'
        'webhook_secret_envs = ["ATTIO_WEBHOOK_SECRET"]\n'
    )
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(tmp_path),
        "PYTHONPATH": f"{ROOT / 'src'}{os.pathsep}{tmp_path}",
        "XDG_STATE_HOME": str(tmp_path / "state"),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "ATTIO_API_KEY": emulator_process.api_key,
        "ATTIO_BASE_URL": emulator_process.base_url,
        "ATTIO_WEBHOOK_SECRET": secret,
        "ATTIO_BRIDGE_WORKSPACES": str(tmp_path / "workspaces.toml"),
        "ATTIO_BRIDGE_DATABASE_URL": database,
        "REDIS_URL": REDIS_URL,
        "SCALE_TEST_LOG": str(notes),
        "SCALE_TEST_RELEASE": str(release),
        "SCALE_TEST_BLOCKING": BLOCKING,
    }
    port = free_port()
    processes.start("intake", env, "serve", "--no-worker", "--port", str(port))
    workers = {
        name: processes.start(name, env, "worker", "--handlers", "scale_handlers")
        for name in ("worker-a", "worker-b")
    }
    emulator_process.start()
    with AttioClient(
        api_key=emulator_process.api_key, base_url=emulator_process.base_url
    ) as client:
        people = list(client.records.iter("people"))
    assert people, "the emulator has no seeded people"
    deliveries = _deliveries(people)
    for name in processes.running:
        processes.wait_started(name)
    pids = {process.pid for process in workers.values()}

    # Every delivery twice, the two copies at the same time: each event stored once.
    url = f"http://127.0.0.1:{port}/webhooks/attio/{workspace}"

    def post(delivery: tuple[str, bytes]) -> httpx.Response:
        key, body = delivery
        headers = {
            "Attio-Signature": sign_attio(secret, body),
            "Idempotency-Key": key,
            "Content-Type": "application/json",
        }
        return http.post(url, content=body, headers=headers)

    with httpx.Client(timeout=60) as http, ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(post, [d for d in deliveries for _ in range(2)]))
    refused = [(a.status_code, a.text) for a in answers if a.status_code != 200]
    assert not refused, refused[:3]
    assert sum(a.json()["new"] for a in answers) == DELIVERIES

    # Both workers run jobs; the one holding the blocking job is killed in its handler.
    def held_and_shared() -> bool:
        runs = _runs(notes)
        finished_by = {pid for done in runs["done"].values() for pid in done}
        return bool(runs["start"].get(BLOCKING)) and finished_by == pids

    _wait(held_and_shared, "the blocking job started and both workers running jobs")
    victim = _runs(notes)["start"][BLOCKING][0]
    killed = next(process for process in workers.values() if process.pid == victim)
    killed.send_signal(signal.SIGKILL)
    killed.wait(timeout=30)
    release.touch()  # from now on the blocking job can finish, on the survivor
    (survivor,) = pids - {victim}
    before_kill = _runs(notes)

    expected = {key for key, _ in deliveries}
    queue = JobQueue(database)
    queue.start(work=False)  # inspects only
    try:

        def all_succeeded() -> bool:
            jobs = queue.list(status="succeeded", limit=None)
            return {job.payload["delivery_id"] for job in jobs} == expected

        def counts() -> str:
            return str({s: len(queue.list(status=s, limit=None)) for s in ("queued", "running")})

        _wait(all_succeeded, f"all {DELIVERIES} events succeeded", detail=counts)
        every = queue.list(limit=None)
    finally:
        queue.shutdown()

    # Exactly one job per event, every one succeeded (nothing dead, nothing left).
    assert len(every) == DELIVERIES
    assert {job.status for job in every} == {"succeeded"}
    # The survivor took the held job over: it finished it, the killed worker never did.
    runs = _runs(notes)
    assert runs["done"][BLOCKING] == [survivor]
    held = next(job for job in every if job.payload["delivery_id"] == BLOCKING)
    assert {"pid": survivor} in (held.result or {}).get("effects", []), held.result
    # No event was handled twice, except one the killed worker had started: run again whole.
    assert set(runs["done"]) == expected
    for delivery, finished in runs["done"].items():
        assert len(finished) == len(set(finished)), (delivery, finished)
        if len(finished) > 1:
            assert victim in before_kill["start"][delivery], (delivery, finished)
    # The workers' cache is the shared one: the re-read records are in Redis, under the
    # workspace's namespace.
    with redis.Redis.from_url(REDIS_URL) as shared:
        cached = list(shared.scan_iter(match=f"{DEFAULT_PREFIX}t:{workspace}:*"))
    assert cached
