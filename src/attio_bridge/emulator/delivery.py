"""Webhook delivery: the workspace's events, signed and POSTed to each subscribed webhook.

The ``DeliveryEngine`` listens to ``Workspace.emit`` and behaves as Attio documents (API-NOTES §7):

- the body is ``{"webhook_id", "events": [event]}``, IDs only, one event per message, as Attio
  sends today. Its docs say batching may come, so ``config.max_events_per_delivery`` above 1
  makes the events one API call emits (``one_call()``) travel together, up to that many per
  message, in the order they happened;
- ``Attio-Signature`` and ``X-Attio-Signature`` both carry the lowercase hex HMAC-SHA256 of the
  exact body bytes, keyed with the webhook's secret (no timestamp);
- ``Idempotency-Key`` is unique per message and the same on every redelivery;
- any 2xx is success; otherwise the message is retried on ``config.webhook_retry_schedule``
  (seconds before each retry) and, once the last try has failed, the webhook turns ``degraded``;
- at most 25 requests per second go to one target URL.

The listener runs inside the API call, so it only matches and enqueues; one daemon worker thread,
started on the first message and leaving after a quiet spell, does the sending. Every attempt is
kept for the control plane (``render_deliveries()``); tests wait with ``wait_idle()``.

Stand-ins that send webhooks of their own (HubSpot's) queue them with ``send()``: same worker,
pace and retries, their own headers and signature.
"""

from __future__ import annotations

import hashlib
import heapq
import hmac
import itertools
import threading
import time
from collections import deque
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import httpx
import orjson

from .clock import new_id, now_ts
from .models.webhooks import RECEIVING_STATUSES, wants

if TYPE_CHECKING:
    from .state import EmulatorConfig
    from .workspace import Event, Workspace

PER_TARGET_RATE = 25.0  # requests per second to one target URL, as Attio documents
IDLE_EXIT_S = 30.0  # a worker with nothing to do for this long ends; the next event starts another
# Attio's v1 docs show this User-Agent; whether v2 still sends it is uncertain (API-NOTES §7).
USER_AGENT = "Attio 2.0 (https://attio.com/developers/using-webhooks)"


# The events held back while one API call runs (one_call()), per request task.
_HELD: ContextVar[list[tuple[Workspace, Mapping[str, Any]]] | None] = ContextVar(
    "attio_emulator_held_events", default=None
)


def sign(secret: str, body: bytes) -> str:
    """Attio's signature of a delivery: lowercase hex HMAC-SHA256 of the raw body."""
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


@dataclass(slots=True)
class Message:
    """One event on its way to one webhook; retries resend exactly these bytes."""

    seq: int
    ws: Workspace
    webhook_id: str
    target_url: str
    event_type: str
    body: bytes
    signature: str
    idempotency_key: str
    attempts: int = 0
    # A stand-in's own message (``DeliveryEngine.send``): its headers as given, and no Attio
    # webhook to look up, check or mark degraded.
    own_headers: dict[str, str] | None = None

    def headers(self) -> dict[str, str]:
        """The request headers, identical on every try."""
        if self.own_headers is not None:
            return dict(self.own_headers)
        return {
            "Content-Type": "application/json",
            "Attio-Signature": self.signature,
            "X-Attio-Signature": self.signature,
            "Idempotency-Key": self.idempotency_key,
            "User-Agent": USER_AGENT,
        }


@dataclass(slots=True)
class Attempt:
    """One try at delivering one message."""

    webhook_id: str
    event_type: str
    target_url: str
    idempotency_key: str
    attempt: int
    status_code: int | None
    error: str | None
    outcome: str  # delivered | retrying | failed
    started_at: str
    finished_at: str

    def render(self) -> dict[str, Any]:
        """The attempt as plain JSON."""
        return {
            "webhook_id": self.webhook_id,
            "event_type": self.event_type,
            "target_url": self.target_url,
            "idempotency_key": self.idempotency_key,
            "attempt": self.attempt,
            "status_code": self.status_code,
            "error": self.error,
            "outcome": self.outcome,
            "started_at": self.started_at,
            "finished_at": self.finished_at,
        }


class _Listener:
    """The engine's hook on one workspace's ``listeners``."""

    def __init__(self, engine: DeliveryEngine, ws: Workspace) -> None:
        self.engine = engine
        self.ws = ws

    def __call__(self, event: Event) -> None:
        self.engine.on_event(self.ws, event)


class DeliveryEngine:
    """Delivers a workspace's events to its webhooks from a background thread.

    ``transport`` (an httpx transport such as ``MockTransport``) replaces the network; by default
    deliveries are real HTTP requests.
    """

    def __init__(
        self,
        config: EmulatorConfig,
        *,
        transport: httpx.BaseTransport | None = None,
        history: int = 10_000,
    ) -> None:
        self._config = config
        self._transport = transport
        self._cond = threading.Condition()
        self._queue: list[tuple[float, int, Message]] = []
        self._in_flight = 0
        self._next_slot: dict[str, float] = {}
        self._attempts: deque[Attempt] = deque(maxlen=history)
        self._seq = itertools.count(1)
        self._thread: threading.Thread | None = None
        self._generation = 0
        self._workspace: Workspace | None = None

    # -- wiring --------------------------------------------------------------------------------
    def attach(self, ws: Workspace) -> None:
        """Deliver ``ws``'s events from now on; messages of any earlier workspace are dropped."""
        with self._cond:
            self._workspace = ws
            self._queue = [item for item in self._queue if item[2].ws is ws]
            heapq.heapify(self._queue)
            self._cond.notify_all()
        if not any(isinstance(x, _Listener) and x.engine is self for x in ws.listeners):
            ws.listeners.append(_Listener(self, ws))

    @contextmanager
    def one_call(self) -> Iterator[None]:
        """Hold the events emitted inside (one API call) and queue them together at the end,
        up to ``max_events_per_delivery`` per message. With the default of 1 nothing is held."""
        if self._config.max_events_per_delivery <= 1:
            yield
            return
        token = _HELD.set([])
        try:
            yield
        finally:
            held = _HELD.get() or []
            _HELD.reset(token)
            self._queue_events(held)

    def on_event(self, ws: Workspace, event: Mapping[str, Any]) -> None:
        """Queue ``event`` for every webhook of ``ws`` that wants it; never sends here."""
        if ws is not self._workspace:
            return
        held = _HELD.get()
        if held is not None:
            held.append((ws, event))
            return
        self._queue_events([(ws, event)])

    def send(
        self, sender: str, event_type: str, target_url: str, body: bytes, headers: dict[str, str]
    ) -> None:
        """Queue a stand-in's own webhook (HubSpot's): the same worker, pace, retry schedule
        and attempt log as Attio's deliveries (``webhook_id`` is ``sender``); a reset drops it.
        """
        with self._cond:
            ws = self._workspace
            if ws is None:
                return
            msg = Message(
                seq=next(self._seq),
                ws=ws,
                webhook_id=sender,
                target_url=target_url,
                event_type=event_type,
                body=body,
                signature="",
                idempotency_key=new_id(),
                own_headers=headers,
            )
            heapq.heappush(self._queue, (time.monotonic(), msg.seq, msg))
            self._ensure_worker()
            self._cond.notify_all()

    def _queue_events(self, events: list[tuple[Workspace, Mapping[str, Any]]]) -> None:
        size = max(1, self._config.max_events_per_delivery)
        messages: list[Message] = []
        for ws in dict.fromkeys(w for w, _ in events):
            if ws is not self._workspace:
                continue
            for hook in list(ws.webhooks.values()):
                wanted = [e for w, e in events if w is ws and wants(hook, e)]
                for start in range(0, len(wanted), size):
                    messages.append(self._message(ws, hook, wanted[start : start + size]))
        if not messages:
            return
        with self._cond:
            now = time.monotonic()
            for msg in messages:
                heapq.heappush(self._queue, (now, msg.seq, msg))
            self._ensure_worker()
            self._cond.notify_all()

    def _message(
        self, ws: Workspace, hook: Mapping[str, Any], events: list[Mapping[str, Any]]
    ) -> Message:
        webhook_id = hook["id"]["webhook_id"]
        body = orjson.dumps({"webhook_id": webhook_id, "events": events})
        return Message(
            seq=next(self._seq),
            ws=ws,
            webhook_id=webhook_id,
            target_url=hook["target_url"],
            # A message carrying several events names each type once, in order.
            event_type=",".join(dict.fromkeys(str(e["event_type"]) for e in events)),
            body=body,
            signature=sign(hook["secret"], body),
            idempotency_key=new_id(),
        )

    # -- observing and stopping ----------------------------------------------------------------
    @property
    def pending(self) -> int:
        """Messages waiting for a first try or a retry, plus the one being sent."""
        with self._cond:
            return len(self._queue) + self._in_flight

    def render_deliveries(self) -> list[dict[str, Any]]:
        """Every kept delivery attempt, oldest first."""
        with self._cond:
            return [a.render() for a in self._attempts]

    def wait_idle(self, timeout: float) -> bool:
        """Block until nothing is queued or being sent; False if ``timeout`` seconds pass first."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._queue or self._in_flight:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._cond.wait(remaining)
            return True

    def clear(self) -> None:
        """Drop queued messages and forget recorded attempts (a send under way still finishes)."""
        with self._cond:
            self._queue.clear()
            self._attempts.clear()
            self._cond.notify_all()

    def close(self) -> None:
        """Stop the worker and drop what is queued; a later event starts a new worker."""
        with self._cond:
            self._generation += 1
            self._queue.clear()
            thread, self._thread = self._thread, None
            self._cond.notify_all()
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=self._config.webhook_timeout_s + 1.0)

    # -- the worker ----------------------------------------------------------------------------
    def _ensure_worker(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            return
        self._thread = threading.Thread(
            target=self._run,
            args=(self._generation,),
            name="attio-emulator-webhooks",
            daemon=True,
        )
        self._thread.start()

    def _run(self, generation: int) -> None:
        with httpx.Client(transport=self._transport, follow_redirects=False) as client:
            while True:
                with self._cond:
                    msg = self._take(generation)
                    if msg is None:
                        return
                    self._in_flight += 1
                try:
                    self._send(client, msg, generation)
                finally:
                    with self._cond:
                        self._in_flight -= 1
                        self._cond.notify_all()

    def _take(self, generation: int) -> Message | None:
        """The next message due and within its target's pace; None when this worker should end.

        Called with the lock held.
        """
        while generation == self._generation:
            if not self._queue:
                if not self._cond.wait(IDLE_EXIT_S) and not self._queue:
                    if self._thread is threading.current_thread():
                        self._thread = None
                    return None
                continue
            now = time.monotonic()
            due, seq, msg = self._queue[0]
            if due > now:
                self._cond.wait(due - now)
                continue
            heapq.heappop(self._queue)
            slot = self._next_slot.get(msg.target_url, 0.0)
            if slot > now:
                # Another message to the same target went out too recently: wait for its slot
                # while messages to other targets go ahead.
                heapq.heappush(self._queue, (slot, seq, msg))
                continue
            self._next_slot[msg.target_url] = now + 1.0 / PER_TARGET_RATE
            return msg
        return None

    def _send(self, client: httpx.Client, msg: Message, generation: int) -> None:
        if msg.ws is not self._workspace:
            return  # after a reset, its workspace is gone
        hook = msg.ws.webhooks.get(msg.webhook_id) if msg.own_headers is None else None
        if msg.own_headers is None:
            if hook is None:
                return  # the webhook is gone
            if hook["status"] not in RECEIVING_STATUSES:
                return  # switched off since the event: inactive webhooks receive nothing
        msg.attempts += 1
        started = now_ts()
        status: int | None = None
        error: str | None = None
        try:
            response = client.post(
                msg.target_url,
                content=msg.body,
                headers=msg.headers(),
                timeout=self._config.webhook_timeout_s,
            )
            status = response.status_code
        except Exception as exc:  # whatever the receiver does, the worker must keep going
            error = f"{type(exc).__name__}: {exc}"
        ok = status is not None and 200 <= status < 300
        schedule = tuple(self._config.webhook_retry_schedule)
        retry = not ok and msg.attempts <= len(schedule)
        outcome = "delivered" if ok else "retrying" if retry else "failed"
        with self._cond:
            self._attempts.append(
                Attempt(
                    webhook_id=msg.webhook_id,
                    event_type=msg.event_type,
                    target_url=msg.target_url,
                    idempotency_key=msg.idempotency_key,
                    attempt=msg.attempts,
                    status_code=status,
                    error=error,
                    outcome=outcome,
                    started_at=started,
                    finished_at=now_ts(),
                )
            )
            if retry and generation == self._generation:
                due = time.monotonic() + schedule[msg.attempts - 1]
                heapq.heappush(self._queue, (due, msg.seq, msg))
        if outcome == "failed" and hook is not None and hook["status"] == "active":
            hook["status"] = "degraded"
