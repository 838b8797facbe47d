"""What the web tests share: a service on an in-memory queue (``MemoryJobQueue``, the shape of
``attio_bridge.jobs.JobQueue`` without a database, so these tests stay fast) and the real
receiver, signed deliveries, and a bounded wait for what happens after the 200."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import orjson
from starlette.testclient import TestClient

from attio_bridge.errors import AttioError
from attio_bridge.web.feed import FeedRow
from attio_bridge.web.ports import JobEvent, JobSpec, Observer, Processor
from attio_bridge.web.service import Service
from attio_bridge.webhooks import Event, Receiver, Tenant, Tenants

SECRET = "whsec-web-tests-7c1e9a55d0"
API_KEY = "attio-key-web-tests-33ab91"


async def describe_event(payload: dict[str, Any]) -> dict[str, Any]:
    """A processor with no handlers behind it: its effect names the event it was given."""
    event = Event.from_payload(payload)
    return {"event": event.type, "handled": False, "note": "no handler is wired in yet"}


@dataclass(slots=True)
class _Job:
    spec: JobSpec
    status: str = "queued"
    attempts: int = 0


class MemoryJobQueue:
    """Jobs run as asyncio tasks on the loop that submits them, retried after ``delays``."""

    def __init__(
        self, *, delays: Sequence[float] = (0.5, 1.0, 2.0), clock: Callable[[], float] = time.time
    ) -> None:
        self._delays = tuple(delays)
        self._clock = clock
        self._processors: dict[str, Processor] = {}
        self._observers: list[Observer] = []
        self._jobs: dict[str, _Job] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._work = False
        self.started = False
        self.stopped = False

    def register(self, kind: str, processor: Processor) -> None:
        """Run jobs of ``kind`` with ``processor``."""
        self._processors[kind] = processor

    def subscribe(self, observer: Observer) -> None:
        """Tell ``observer`` of every job step."""
        self._observers.append(observer)

    def start(self, *, work: bool = True) -> None:
        """Accept jobs; run them too when ``work``."""
        self.started, self._work = True, work

    async def submit(self, specs: Sequence[JobSpec]) -> list[bool]:
        """Keep each job not seen before (True) and start it when working."""
        new = []
        for spec in specs:
            fresh = spec.id not in self._jobs
            new.append(fresh)
            if fresh:
                self._jobs[spec.id] = _Job(spec)
                if self._work and not self.stopped:
                    task = asyncio.create_task(self._run(self._jobs[spec.id]))
                    self._tasks.add(task)
                    task.add_done_callback(self._tasks.discard)
        return new

    def depth(self) -> dict[str, int]:
        """Jobs waiting or retrying, per partition."""
        found: dict[str, int] = {}
        for job in self._jobs.values():
            if job.status in ("queued", "retrying"):
                found[job.spec.partition] = found.get(job.spec.partition, 0) + 1
        return found

    def status(self, job_id: str) -> str:
        """Where the job ``job_id`` is."""
        return self._jobs[job_id].status

    def shutdown(
        self, timeout: float = 10.0, *, before_stop: Callable[[], None] | None = None
    ) -> None:
        """Start nothing more; what runs is abandoned (nothing here is durable)."""
        self.stopped = True
        for task in list(self._tasks):
            task.cancel()
        if before_stop is not None:
            before_stop()

    def _tell(self, job: _Job, what: str, error: str | None, result: dict[str, Any] | None) -> None:
        job.status = "running" if what == "started" else what
        spec = job.spec
        step = JobEvent(
            spec.id, spec.kind, spec.partition, what, job.attempts, error, result, self._clock()
        )
        for observer in self._observers:
            observer(step)

    async def _run(self, job: _Job) -> None:
        processor = self._processors.get(job.spec.kind)
        while True:
            job.attempts += 1
            self._tell(job, "started", None, None)
            try:
                if processor is None:
                    raise AttioError(f"no processor is registered for {job.spec.kind!r} jobs")
                result = await processor(job.spec.payload)
            except Exception as exc:
                error = f"{type(exc).__name__}: {exc}"
                final = isinstance(exc, AttioError) and not exc.retryable
                if final or job.attempts > len(self._delays):
                    self._tell(job, "dead", error, None)
                    return
                self._tell(job, "retrying", error, None)
                await asyncio.sleep(self._delays[job.attempts - 1])
                continue
            self._tell(job, "succeeded", None, result or {})
            return


def make_service(processor: Processor = describe_event, **options: Any) -> Service:
    """A service for one tenant (``default``, signing with ``SECRET``) on the in-memory queue."""
    tenant = Tenant(api_key=API_KEY, attio_secrets=(SECRET,))
    jobs = MemoryJobQueue(delays=(0.01, 0.01))
    return Service(Tenants([tenant]), jobs, Receiver, processor=processor, **options)


def delivery(*events: dict[str, Any]) -> bytes:
    """An Attio delivery of ``events``."""
    return orjson.dumps({"webhook_id": "wh-1", "events": list(events)})


def record_event(record_id: str = "rec-1", kind: str = "record.updated") -> dict[str, Any]:
    """An Attio record event, ids only, as Attio sends it."""
    return {
        "event_type": kind,
        "id": {"workspace_id": "ws-1", "object_id": "people", "record_id": record_id},
        "actor": {"type": "workspace-member", "id": "m-1"},
    }


def signed(body: bytes, key: str = "delivery-1", secret: str = SECRET) -> dict[str, str]:
    """The headers Attio sends with ``body``."""
    signature = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return {
        "Attio-Signature": signature,
        "Idempotency-Key": key,
        "Content-Type": "application/json",
    }


def post(
    client: TestClient, body: bytes, key: str = "delivery-1", path: str = "/webhooks/attio"
) -> int:
    """POST a signed delivery; its status."""
    return client.post(path, content=body, headers=signed(body, key)).status_code


def wait_for_row(
    service: Service, done: Callable[[FeedRow], bool], timeout: float = 5.0
) -> FeedRow:
    """The first row of the feed for which ``done`` holds, waiting up to ``timeout`` seconds for
    the queue to get there (the job runs after the 200)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for row in service.feed.rows():
            if done(row):
                return row
        time.sleep(0.01)
    raise AssertionError(f"no such row within {timeout} s: {service.feed.rows()}")
