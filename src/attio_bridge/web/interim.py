"""Stand-ins for the durable queue and the receiver, in memory, until the real ones are wired in.

``MemoryJobQueue`` follows ``JobQueuePort`` (the contract of ``attio_bridge.jobs.JobQueue``) but
keeps nothing across a restart; ``AttioReceiver`` follows ``ReceiverPort`` for Attio's deliveries
only (``Attio-Signature``, a hex HMAC-SHA256 of the raw body, against each of the tenant's
secrets); ``describe_event`` is a processor whose effect only says what arrived. The tests of the
web layer use them as its collaborators; ``web/wiring.py`` names the real classes that replace
them in the service.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import orjson

from ..errors import AttioError
from ..webhooks import DEFAULT_TENANT, Event, Tenants, UnknownTenantError
from .ports import InboundRequest, JobEvent, JobSpec, Observer, Processor, Reply, Submit

__all__ = ["AttioReceiver", "MemoryJobQueue", "describe_event"]


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

    def shutdown(self, timeout: float = 10.0) -> None:
        """Start nothing more; what runs is abandoned (nothing here is durable)."""
        self.stopped = True
        for task in list(self._tasks):
            task.cancel()

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


class AttioReceiver:
    """Attio deliveries in: signature checked, events submitted, then 200."""

    def __init__(
        self,
        tenants: Tenants,
        submit: Submit,
        *,
        max_body: int = 1_000_000,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._tenants = tenants
        self._submit = submit
        self._max_body = max_body
        self._clock = clock

    async def dispatch(self, request: InboundRequest) -> Reply:
        """Verify, parse and submit one delivery; the reply says what happened."""
        if request.source != "attio":
            return Reply(404, {"error": f"no receiver for {request.source!r}"})
        try:
            tenant = self._tenants.get(request.workspace or DEFAULT_TENANT)
        except UnknownTenantError as exc:
            return Reply(404, {"error": str(exc)})
        if len(request.body) > self._max_body:
            return Reply(413, {"error": "body too large"})
        signature = request.headers.get("attio-signature") or request.headers.get(
            "x-attio-signature", ""
        )
        if not signature:
            return Reply(401, {"error": "signature missing"})
        if not any(
            hmac.compare_digest(
                hmac.new(secret.encode(), request.body, hashlib.sha256).hexdigest(), signature
            )
            for secret in tenant.attio_secrets
        ):
            return Reply(401, {"error": "signature mismatch"})
        try:
            doc = orjson.loads(request.body)
            found = doc["events"]
            if not isinstance(found, list) or not all(isinstance(e, dict) for e in found):
                raise TypeError
            delivery = (
                request.headers.get("idempotency-key") or hashlib.sha256(request.body).hexdigest()
            )
            now = self._clock()
            events = [
                Event(
                    source="attio",
                    workspace=tenant.name,
                    type=str(event["event_type"]),
                    payload=event,
                    delivery_id=delivery,
                    index=index,
                    received_at=now,
                    partition=f"{tenant.name}:{_object_of(event)}",
                )
                for index, event in enumerate(found)
            ]
        except (orjson.JSONDecodeError, KeyError, TypeError):
            return Reply(400, {"error": "malformed delivery: expected {webhook_id, events: [...]}"})
        new = await self._submit(events)
        return Reply(200, {"received": len(events), "new": sum(1 for n in new if n)})


def _object_of(event: dict[str, Any]) -> str:
    ids = event.get("id")
    if isinstance(ids, dict):
        for key in ("object_id", "list_id"):
            if isinstance(ids.get(key), str):
                return str(ids[key])
    return str(event.get("event_type", "event")).partition(".")[0]


async def describe_event(payload: dict[str, Any]) -> dict[str, Any]:
    """A processor with no handlers behind it: its effect names the event it was given."""
    event = Event.from_payload(payload)
    return {"event": event.type, "handled": False, "note": "no handler is wired in yet"}
