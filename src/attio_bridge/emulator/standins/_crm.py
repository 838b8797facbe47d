"""What the HubSpot, Salesforce and Zoho stand-ins share: a record store (``CrmStore``) that knows
no HTTP, a request-count limiter (``RateWindow``) and the request frame (``crm_endpoint``).

``CrmStore`` keeps records per object with their properties, creation and modification times
(every write moves ``modified``; the time comes from ``clock`` so that a replay of the
``--database`` log gives the same times), a deletion time (deleted records stay, listed apart,
as HubSpot's archived and Salesforce's recycle bin keep them) and every value each property held
(HubSpot's ``propertiesWithHistory``, Salesforce's field history). Ids come from a per-system
function of the object and a sequence number.

``crm_endpoint`` wraps a system's handler: the token (each system's header), latency, the
registry's injected failures, the rate limiter, and the request journal. A failure rule's
``error`` says what it does:

- ``connection_dropped``: the response is cut off mid-body, before the call is made;
- ``connection_dropped_after``: the call is made (a write lands), then the response is cut off;
- ``slow``: the call is made, and answered ``seconds`` late (a client whose timeout is shorter
  gives up on a write that landed, as on a real system under load);
- any other: the system's error shape for ``status`` (``render_error``); a 429 asks for a wait
  of the rule's ``seconds`` (1 s when not given) in the system's own rate-limit headers.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

import orjson
from starlette.requests import Request
from starlette.responses import Response

from ..clock import now_ts, parse_ts
from ..http import DroppedResponse

if TYPE_CHECKING:
    from ..state import EmulatorState

DROP = "connection_dropped"  # the injected failure's error that drops the connection
DROP_AFTER = "connection_dropped_after"  # ... after the call was made
SLOW = "slow"  # ... that answers the call ``seconds`` late


class CrmError(Exception):
    """A refused call: its HTTP status, the system's error code and message (no HTTP here)."""

    def __init__(self, status: int, code: str, message: str, retry_after: float | None = None):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.retry_after = retry_after


@dataclass(slots=True)
class CrmRecord:
    """One record: properties, times and each property's values over time (oldest first)."""

    object: str
    id: str
    properties: dict[str, Any]
    created: datetime
    modified: datetime
    deleted: datetime | None = None
    history: dict[str, list[tuple[Any, datetime]]] = field(default_factory=dict)


class CrmStore:
    """The records of one CRM's objects; ``fields`` maps object -> field -> type name.

    Properties not in ``fields`` are refused (``unknown``), as the systems refuse them;
    ``read_only`` fields may not be written.
    """

    def __init__(
        self,
        fields: dict[str, dict[str, str]],
        new_id: Callable[[str, int], str],
        *,
        read_only: frozenset[str] = frozenset(),
    ) -> None:
        self.fields = fields
        self.read_only = read_only
        self.records: dict[str, dict[str, CrmRecord]] = {name: {} for name in fields}
        self._new_id = new_id
        self._next = 1

    def check(self, object: str, properties: dict[str, Any]) -> None:
        """Refuse (400 ``unknown``) a property that is not a writable field of ``object``."""
        known = self.object_fields(object)
        for name in properties:
            if name not in known or name in self.read_only:
                raise CrmError(400, "unknown", f"{name} is not a writable field of {object}")

    def object_fields(self, object: str) -> dict[str, str]:
        """The fields of ``object``; 404 ``unknown_object`` when there is no such object."""
        found = self.fields.get(object)
        if found is None:
            raise CrmError(404, "unknown_object", f"no object {object}")
        return found

    def create(self, object: str, properties: dict[str, Any]) -> CrmRecord:
        """A new record, its ``created`` and ``modified`` now."""
        self.check(object, properties)
        now = parse_ts(now_ts())
        record = CrmRecord(object, self._new_id(object, self._next), {}, now, now)
        self._next += 1
        self._write(record, properties, now)
        self.records[object][record.id] = record
        return record

    def _write(self, record: CrmRecord, properties: dict[str, Any], now: datetime) -> None:
        for name, value in properties.items():
            if record.properties.get(name) != value or name not in record.history:
                record.history.setdefault(name, []).append((value, now))
            record.properties[name] = value
        record.modified = now

    def get(self, object: str, id: str, *, deleted: bool = False) -> CrmRecord:
        """A live record (or a deleted one when ``deleted``); 404 ``not_found`` otherwise."""
        self.object_fields(object)
        record = self.records[object].get(id)
        if record is None or (record.deleted is not None) != deleted:
            raise CrmError(404, "not_found", f"no {object} with id {id}")
        return record

    def update(self, object: str, id: str, properties: dict[str, Any]) -> CrmRecord:
        """Change some properties of a live record; ``modified`` becomes now."""
        record = self.get(object, id)
        self.check(object, properties)
        self._write(record, properties, parse_ts(now_ts()))
        return record

    def delete(self, object: str, id: str) -> CrmRecord:
        """Mark a live record deleted (kept, listed by ``deleted_between``)."""
        record = self.get(object, id)
        now = parse_ts(now_ts())
        record.deleted = now
        record.modified = now
        return record

    def live(self, object: str) -> list[CrmRecord]:
        """Live records of ``object``, in creation order."""
        self.object_fields(object)
        return [r for r in self.records[object].values() if r.deleted is None]

    def deleted_records(self, object: str) -> list[CrmRecord]:
        """Deleted records of ``object``, in deletion order."""
        self.object_fields(object)
        gone = [r for r in self.records[object].values() if r.deleted is not None]
        return sorted(gone, key=lambda r: (r.deleted, r.id))

    def modified_between(
        self, object: str, start: datetime | None, end: datetime | None = None
    ) -> list[CrmRecord]:
        """Live records modified in ``[start, end]``, oldest modification first."""
        found = [
            r
            for r in self.live(object)
            if (start is None or r.modified >= start) and (end is None or r.modified <= end)
        ]
        return sorted(found, key=lambda r: (r.modified, r.id))


class RateWindow:
    """At most ``limit`` requests per ``window_s`` seconds (a rolling window); off when 0."""

    def __init__(self, limit: int, window_s: float, clock: Callable[[], float] = time.monotonic):
        self.limit = limit
        self.window_s = window_s
        self.clock = clock
        self._hits: deque[float] = deque()

    def take(self) -> float | None:
        """None when a request may go now; otherwise the seconds until one may."""
        if self.limit <= 0:
            return None
        now = self.clock()
        while self._hits and self._hits[0] <= now - self.window_s:
            self._hits.popleft()
        if len(self._hits) >= self.limit:
            return max(self._hits[0] + self.window_s - now, 0.001)
        self._hits.append(now)
        return None


Handler = Callable[[Request], Awaitable[Response]]
ErrorRenderer = Callable[[CrmError], Response]


def crm_endpoint(
    state: EmulatorState,
    name: str,
    method: Callable[[Request], str],
    token_ok: Callable[[Request], bool | None],
    render_error: ErrorRenderer,
    limiter: Callable[[], RateWindow],
    handler: Handler,
) -> Handler:
    """A stand-in endpoint: auth (``token_ok`` None: no token, False: refused), latency,
    injected failures, the rate limit, then ``handler``; refusals in the system's shape."""

    async def endpoint(request: Request) -> Response:
        started = time.perf_counter()
        operation = method(request)
        try:
            response = await _answer(request, operation)
        except CrmError as err:
            response = render_error(err)
        state.journal.record(request, f"{name} {operation}", response.status_code, started)
        return response

    async def _answer(request: Request, operation: str) -> Response:
        accepted = token_ok(request)
        if accepted is None:
            raise CrmError(401, "missing_token", "no token")
        if not accepted:
            raise CrmError(401, "invalid_token", "invalid token")
        delay = state.latency_s()
        if delay > 0:
            await asyncio.sleep(delay)
        failure = state.standins.failure(name, operation)
        if failure is not None and failure.error not in (DROP_AFTER, SLOW):
            if failure.error == DROP:
                return DroppedResponse(f"{name} {operation}")
            retry = (
                (1.0 if failure.seconds is None else failure.seconds)
                if failure.status == 429
                else None
            )
            raise CrmError(
                failure.status, failure.error, f"{failure.error} (injected by the emulator)", retry
            )
        wait = limiter().take()
        if wait is not None:
            raise CrmError(429, "rate_limited", "rate limit reached", wait)
        response = await handler(request)
        if failure is not None and failure.error == DROP_AFTER:
            return DroppedResponse(f"{name} {operation}")
        if failure is not None:  # SLOW
            await asyncio.sleep(failure.seconds or 0.0)
        return response

    return endpoint


async def json_object(request: Request, code: str, invalid: str, not_object: str) -> dict[str, Any]:
    """The request's JSON object body (``{}`` when empty); a 400 with the system's ``code``
    and message (``invalid`` JSON, or ``not_object``) otherwise."""
    try:
        body = orjson.loads(await request.body() or b"{}")
    except orjson.JSONDecodeError:
        raise CrmError(400, code, invalid) from None
    if not isinstance(body, dict):
        raise CrmError(400, code, not_object)
    return body


def bearer(request: Request) -> str:
    """The token of an ``Authorization: Bearer ...`` header, or ''."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""
