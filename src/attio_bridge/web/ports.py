"""What the web layer needs of the pieces below it: the receiver and the job queue, as Protocols.

The app and ``Service`` are written against these, so the fast web tests run them with an
in-memory queue (tests/web/_support.py) while the service runs the real
``attio_bridge.webhooks.Receiver`` and ``attio_bridge.jobs.JobQueue``. The shapes they exchange
(``InboundRequest``, ``Reply``, ``JobSpec``, ``JobEvent``) are the webhooks' and the jobs' own.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Protocol

from ..jobs import JobEvent, JobSpec, Processor
from ..webhooks import Event, InboundRequest, Reply

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

Submit = Callable[[Sequence[Event]], Awaitable[Sequence[bool]]]
"""Hands events to the durable queue; True for each that is new, False for a redelivery."""

Observer = Callable[[JobEvent], None]


class ReceiverPort(Protocol):
    """``attio_bridge.webhooks.Receiver``: verifies a delivery, submits its events, answers."""

    def precheck(
        self, source: str, workspace: str | None, headers: Mapping[str, str]
    ) -> Reply | None: ...

    def refuse(
        self, source: str, status: int, reason: str, message: str, headers: dict[str, str]
    ) -> Reply: ...

    async def dispatch(self, request: InboundRequest) -> Reply: ...


class JobQueuePort(Protocol):
    """The part of ``attio_bridge.jobs.JobQueue`` the service drives."""

    def register(self, kind: str, processor: Processor) -> None: ...

    def subscribe(self, observer: Observer) -> None: ...

    def start(self, *, work: bool = True) -> None: ...

    async def submit(self, specs: Sequence[JobSpec]) -> list[bool]: ...

    def depth(self) -> dict[str, int]: ...

    def shutdown(
        self, timeout: float = 10.0, *, before_stop: Callable[[], None] | None = None
    ) -> None: ...
