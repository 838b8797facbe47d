"""What the web layer needs of the pieces below it: the receiver and the job queue, as Protocols.

The app and ``Service`` are written against these, so tests run them with in-memory stand-ins
(``web/interim.py``) and the real ``attio_bridge.webhooks.Receiver`` and
``attio_bridge.jobs.JobQueue`` plug in unchanged. ``InboundRequest``, ``Reply``, ``JobSpec`` and
``JobEvent`` are the shapes of the service's shared contract (webhooks and jobs own them); until
those packages export them, they are declared here with the same fields.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from ..webhooks import Event

__all__ = [
    "InboundRequest",
    "JobEvent",
    "JobQueuePort",
    "JobSpec",
    "Observer",
    "Processor",
    "ReceiverPort",
    "Reply",
    "Submit",
]


@dataclass(frozen=True, slots=True)
class InboundRequest:
    """One webhook request as the receiver core sees it: no web framework in it.

    ``headers`` keys are lower case (HTTP header names are case-insensitive).
    """

    source: str
    workspace: str
    method: str
    url: str
    headers: Mapping[str, str]
    body: bytes
    content_type: str


@dataclass(frozen=True, slots=True)
class Reply:
    """The receiver's answer: a status and a small JSON body (never a secret)."""

    status: int
    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class JobSpec:
    """One job to store: the queue knows nothing of what ``payload`` means."""

    id: str
    kind: str
    partition: str
    payload: dict[str, Any]


@dataclass(frozen=True, slots=True)
class JobEvent:
    """A step of a job the queue tells its observers about: ``what`` is ``started``,
    ``succeeded``, ``retrying`` or ``dead``; ``result`` the processor's effect."""

    job_id: str
    kind: str
    partition: str
    what: str
    attempt: int
    error: str | None
    result: dict[str, Any] | None
    at: float


Submit = Callable[[Sequence[Event]], Awaitable[Sequence[bool]]]
"""Hands events to the durable queue; True for each that is new, False for a redelivery."""

Processor = Callable[[dict[str, Any]], Awaitable[dict[str, Any] | None]]
"""Runs one job's payload; returns its effect. An ``AttioError`` with ``retryable=False`` is a
dead letter at once; anything else raised is retried on the queue's schedule."""

Observer = Callable[[JobEvent], None]


class ReceiverPort(Protocol):
    """``attio_bridge.webhooks.Receiver``: verifies a delivery, submits its events, answers."""

    async def dispatch(self, request: InboundRequest) -> Reply: ...


class JobQueuePort(Protocol):
    """The part of ``attio_bridge.jobs.JobQueue`` the service drives."""

    def register(self, kind: str, processor: Processor) -> None: ...

    def subscribe(self, observer: Observer) -> None: ...

    def start(self, *, work: bool = True) -> None: ...

    async def submit(self, specs: Sequence[JobSpec]) -> list[bool]: ...

    def depth(self) -> dict[str, int]: ...

    def shutdown(self, timeout: float = 10.0) -> None: ...
