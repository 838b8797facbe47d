"""The running service: tenants, the job queue, the receiver and the processor, started and stopped
as one.

``Service`` owns what the app's routes reach: ``receiver`` (built from the factory it is given,
with ``Service.submit`` as the receiver's way into the queue), ``feed`` (the events page's data),
``readiness()`` (what ``/readyz`` reports), ``resources`` (each workspace's client, services and
cache, for the handlers' context). ``start()`` registers the processor, subscribes the
feed to the queue, starts it (it blocks while the queue opens its database: the app's lifespan
calls it on a worker thread) and starts the ``periodic`` tasks, each on a thread of its own
(the alerts' checks); ``stop()``, on the app's shutdown (uvicorn's answer to SIGTERM), first
stops taking deliveries (503 from then on, so the sender retries elsewhere or later), stops the
periodic tasks, then lets the queue finish or hand back its in-flight work within
``shutdown_timeout`` (what is not finished stays stored and another worker, or this one on its
next start, takes it over), then closes the workspaces' clients and caches.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import anyio
import anyio.to_thread

from ..errors import mask_url
from ..webhooks import JOB_KIND, Event, Tenants
from .feed import EventFeed
from .logs import get_logger, redactor
from .ports import JobQueuePort, JobSpec, Processor, ReceiverPort, Submit
from .tenancy import TenantResources

__all__ = ["SOURCES", "Periodic", "ReceiverFactory", "Service", "tenant_secrets"]

SOURCES = ("attio", "hubspot", "braintree", "zoho")
"""The senders with a receiver: ``/webhooks/<source>``."""

ReceiverFactory = Callable[..., ReceiverPort]
"""``Receiver(tenants, submit, *, max_body=...)``, the receiver's constructor."""

_log = get_logger("attio_bridge.web")


@dataclass(frozen=True, slots=True)
class Periodic:
    """A task the service runs every ``interval`` seconds while it runs (``run`` blocks; an
    error it raises is logged and the task runs again at the next interval)."""

    name: str
    interval: float
    run: Callable[[], None]


def tenant_secrets(tenants: Tenants) -> list[str]:
    """Every secret the tenants hold: what the logs and the page must never show."""
    found: list[str] = []
    for tenant in tenants:
        found += [s for s in (tenant.api_key, tenant.hubspot_client_secret, tenant.zoho_token) if s]
        found += tenant.attio_secrets
        if tenant.braintree is not None:
            found.append(tenant.braintree.private_key)
    return found


class Service:
    """One deployment's pieces, composed; see the module docstring."""

    def __init__(
        self,
        tenants: Tenants,
        jobs: JobQueuePort,
        receiver: ReceiverFactory,
        *,
        processor: Processor | None = None,
        work: bool = True,
        redis_url: str | None = None,
        max_body: int = 1_000_000,
        shutdown_timeout: float = 10.0,
        template_dir: str | Path | None = None,
        sources: Sequence[str] = SOURCES,
        feed: EventFeed | None = None,
        resources: TenantResources | None = None,
        periodic: Sequence[Periodic] = (),
        on_stop: Callable[[], None] | None = None,
    ) -> None:
        self.tenants = tenants
        self.jobs = jobs
        self.processor = processor
        self.work = work
        self.redis_url = redis_url
        self.max_body = max_body
        self.shutdown_timeout = shutdown_timeout
        self.template_dir = Path(template_dir) if template_dir is not None else None
        self.sources = tuple(sources)
        self.resources = resources
        self.periodic = tuple(periodic)
        self._on_stop = on_stop
        self._halt = threading.Event()
        self._threads: list[threading.Thread] = []
        redactor.add(tenant_secrets(tenants))
        self.feed = feed or EventFeed(scrub=redactor.scrub)
        submit: Submit = self.submit
        self.receiver = receiver(tenants, submit, max_body=max_body)
        self.accepting = False
        self._started = False

    async def submit(self, events: Sequence[Event]) -> list[bool]:
        """Store ``events`` as jobs (durable when this returns); True for each new one."""
        specs = [
            JobSpec(
                id=event.job_id,
                kind=JOB_KIND,
                partition=event.partition or f"{event.workspace}:{event.type}",
                payload=event.to_payload(),
            )
            for event in events
        ]
        new = list(await self.jobs.submit(specs)) if specs else []
        self.feed.received(events, new)
        for event, fresh in zip(events, new, strict=True):
            _log.debug(
                "event received" if fresh else "event redelivered",
                source=event.source,
                workspace=event.workspace,
                type=event.type,
                job_id=event.job_id,
            )
        return new

    def start(self) -> None:
        """Register the processor, subscribe the page and the metrics, start the queue."""
        if self._started:
            return
        if self.processor is not None:
            self.jobs.register(JOB_KIND, self.processor)
        self.jobs.subscribe(self.feed.observe)
        self.jobs.start(work=self.work)
        self._halt.clear()
        for task in self.periodic:
            thread = threading.Thread(
                target=self._every, args=(task,), name=f"attio-bridge {task.name}", daemon=True
            )
            thread.start()
            self._threads.append(thread)
        self._started = True
        self.accepting = True
        _log.info("service started", work=self.work, tenants=len(self.tenants))

    async def stop(self) -> None:
        """Stop taking deliveries, then let the queue finish or hand back what it runs."""
        self.accepting = False
        if not self._started:
            return
        self._started = False
        _log.info("service stopping", timeout=self.shutdown_timeout)
        self._halt.set()
        threads, self._threads = self._threads, []
        for thread in threads:
            await anyio.to_thread.run_sync(thread.join, 5.0)
        await anyio.to_thread.run_sync(
            functools.partial(
                self.jobs.shutdown, self.shutdown_timeout, before_stop=self._close_on_their_loops
            )
        )
        if self.resources is not None:
            try:
                await self.resources.aclose()
            except Exception as exc:  # stopping goes on; what is left closes with the process
                _close_failed(exc)
        if self._on_stop is not None:
            self._on_stop()
        _log.info("service stopped")

    def _close_on_their_loops(self) -> None:
        """Close the handlers' clients on the queue's loop, before the queue stops it."""
        if self.resources is None:
            return
        try:
            self.resources.close_on_their_loops()
        except Exception as exc:  # stopping goes on; what is left closes with the process
            _close_failed(exc)

    def _every(self, task: Periodic) -> None:
        while not self._halt.wait(task.interval):
            try:
                task.run()
            except Exception as exc:  # a check that failed runs again at the next interval
                _log.warning(
                    "periodic task failed",
                    task=task.name,
                    error=redactor.scrub(f"{type(exc).__name__}: {exc}"),
                )

    async def readiness(self, timeout: float = 2.0) -> dict[str, str]:
        """Each dependency and ``"ok"``, or why it is not (no secret, no password in a URL)."""
        checks: dict[str, str] = {
            # Not ready while starting or stopping: a load balancer sends deliveries elsewhere.
            "intake": "ok" if self.accepting else "not taking deliveries (starting or stopping)",
            "jobs": await _check(self._jobs_reachable, timeout),
        }
        if self.redis_url:
            url = self.redis_url
            checks["redis"] = await _check(lambda: _ping_redis(url, timeout), timeout)
        return checks

    async def _jobs_reachable(self) -> None:
        await anyio.to_thread.run_sync(self.jobs.depth, abandon_on_cancel=True)


def _close_failed(exc: BaseException) -> None:
    _log.warning(
        "closing the workspaces' clients failed",
        error=redactor.scrub(f"{type(exc).__name__}: {exc}"),
    )


async def _check(probe: Callable[[], Any], timeout: float) -> str:
    try:
        with anyio.fail_after(timeout):
            await probe()
    except TimeoutError:
        return f"no answer within {timeout:g} s"
    except Exception as exc:  # a check reports any failure, it must not fail itself
        return redactor.scrub(f"unreachable ({type(exc).__name__}: {exc})")
    return "ok"


async def _ping_redis(url: str, timeout: float) -> None:
    import redis.asyncio  # only a service with Redis pays for it

    client = redis.asyncio.Redis.from_url(
        url, socket_connect_timeout=timeout, socket_timeout=timeout
    )
    try:
        await client.ping()
    except Exception as exc:
        # redis-py names the host and port, never the password; the URL is masked all the same.
        raise ConnectionError(f"cannot reach Redis at {mask_url(url)}") from exc
    finally:
        await client.aclose()
