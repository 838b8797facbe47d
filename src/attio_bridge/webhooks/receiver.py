"""The receiver core: one inbound HTTP request in, one reply out, the framework only an adapter.

``Receiver.dispatch(InboundRequest) -> Reply`` (as bolt-python's ``App.dispatch``) checks, in
this order, and answers the first failure without storing anything:

1. the sender (``attio``, ``hubspot``, ``braintree``, ``zoho``) is known, else 404;
2. the workspace (tenant) is configured, and for this sender, else 404;
3. the body is at most ``max_body`` bytes, else 413 (``precheck`` answers it from
   ``Content-Length`` before the adapter reads the body);
4. the content type is the sender's (JSON; Braintree's form encoding), else 415;
5. the signature (``verify``) is right, else 401;
6. the body has the sender's shape, else 400 (Attio: an object with an ``events`` list whose
   every item has an ``event_type``).

Then each event of the delivery becomes an ``Event``; those caused by our own token
(``Tenant.ignore_actor_ids``) are dropped here, before storing, and counted; the others are
handed to ``submit`` (the durable queue) and only when it returns does the reply say 200
``{"accepted": n, "new": k, "ignored": m}``. If ``submit`` fails the reply is 503 and the
sender delivers again later: nothing is acknowledged that was not stored.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

import orjson

from .events import Event
from .metrics import IGNORED, RECEIVED, REDELIVERED, REJECTED, STORED
from .tenants import DEFAULT_TENANT, Tenant, Tenants, UnknownTenantError
from .verify import (
    HUBSPOT_WINDOW,
    SignatureError,
    parse_braintree,
    verify_attio,
    verify_hubspot,
    verify_zoho,
)

__all__ = ["SOURCES", "Headers", "InboundRequest", "Receiver", "Reply", "Submit"]

log = logging.getLogger("attio_bridge.webhooks")

SOURCES = ("attio", "hubspot", "braintree", "zoho")
JSON_TYPE = "application/json"
FORM_TYPE = "application/x-www-form-urlencoded"
_CONTENT_TYPES = {
    "attio": JSON_TYPE,
    "hubspot": JSON_TYPE,
    "braintree": FORM_TYPE,
    "zoho": JSON_TYPE,
}
# HubSpot puts the retry count in each event; it is about the delivery, not the event, and a
# retried event must map to the job its first try made.
_HUBSPOT_DELIVERY_FIELDS = ("attemptNumber",)

Submit = Callable[[Sequence[Event]], Awaitable[Sequence[bool]]]
"""Store events durably; one bool per event, True when it was new (the queue's ``submit``)."""


class Headers(Mapping[str, str]):
    """Request headers looked up whatever their case."""

    def __init__(self, headers: Mapping[str, str] | None = None) -> None:
        self._items = {str(k).lower(): str(v) for k, v in (headers or {}).items()}

    def __getitem__(self, name: str) -> str:
        return self._items[name.lower()]

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __repr__(self) -> str:
        # Signatures are not secrets, but nothing gains from printing them.
        return f"Headers({sorted(self._items)})"


@dataclass(frozen=True, slots=True)
class InboundRequest:
    """One HTTP request to a receiver, as the web adapter read it.

    ``source`` and ``workspace`` come from the path (``/webhooks/{source}[/{workspace}]``;
    ``None`` means the default tenant); ``url`` is the public URL the sender called (HubSpot
    signs it); ``body`` the raw bytes; ``content_type`` is taken from ``headers`` when empty.
    """

    source: str
    workspace: str | None
    method: str
    url: str
    headers: Mapping[str, str]
    body: bytes
    content_type: str = ""

    def __post_init__(self) -> None:
        headers = self.headers if isinstance(self.headers, Headers) else Headers(self.headers)
        object.__setattr__(self, "headers", headers)
        if not self.content_type:
            object.__setattr__(self, "content_type", headers.get("content-type", ""))


@dataclass(slots=True)
class Reply:
    """What the adapter sends back: a status, a JSON body and headers."""

    status: int
    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)


class _Refused(Exception):
    """A request answered with an error status; nothing was stored."""

    def __init__(self, status: int, reason: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.reason = reason
        self.message = message


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _media_type(content_type: str) -> str:
    return content_type.split(";", 1)[0].strip().lower()


def _json(body: bytes, what: str) -> Any:
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError:
        raise _Refused(400, "malformed_body", f"the {what} body is not JSON") from None


class Receiver:
    """Verifies, parses and stores deliveries for ``tenants``; see the module docstring.

    ``submit`` stores events durably (the job queue's ``submit``); ``clock`` gives Unix time
    (events' ``received_at``, HubSpot's timestamp window of ``hubspot_window`` seconds).
    """

    def __init__(
        self,
        tenants: Tenants,
        submit: Submit,
        *,
        max_body: int = 1_000_000,
        clock: Callable[[], float] = time.time,
        hubspot_window: float = HUBSPOT_WINDOW,
    ) -> None:
        self.tenants = tenants
        self.submit = submit
        self.max_body = max_body
        self.clock = clock
        self.hubspot_window = hubspot_window

    # -- before the body is read ---------------------------------------------------------------
    def precheck(
        self, source: str, workspace: str | None, headers: Mapping[str, str]
    ) -> Reply | None:
        """The reply to give before reading the body (unknown sender or workspace, or a
        ``Content-Length`` over ``max_body``), or None to go on. An adapter calls it first and
        then reads at most ``max_body + 1`` bytes; ``dispatch`` checks all of it again."""
        try:
            self._tenant(source, workspace)
            self._check_length(Headers(headers).get("content-length"))
        except _Refused as refused:
            return self._refuse(source, refused)
        return None

    def _tenant(self, source: str, workspace: str | None) -> Tenant:
        if source not in SOURCES:
            raise _Refused(
                404, "unknown_source", f"no receiver for {source!r}; known: {', '.join(SOURCES)}"
            )
        name = workspace or DEFAULT_TENANT
        try:
            tenant = self.tenants.get(name)
        except UnknownTenantError as exc:
            raise _Refused(404, "unknown_tenant", str(exc)) from None
        configured = {
            "attio": bool(tenant.attio_secrets),
            "hubspot": bool(tenant.hubspot_client_secret),
            "braintree": tenant.braintree is not None,
            "zoho": bool(tenant.zoho_token),
        }[source]
        if not configured:
            raise _Refused(
                404,
                "not_configured",
                f"workspace {name!r} has no {source} webhook secret configured, so its "
                f"deliveries cannot be verified",
            )
        return tenant

    def _check_length(self, length: str | None) -> None:
        if length is None:
            return
        try:
            size = int(length)
        except ValueError:
            raise _Refused(400, "malformed_body", "Content-Length is not a number") from None
        self._check_size(size)

    def _check_size(self, size: int) -> None:
        if size > self.max_body:
            raise _Refused(
                413, "too_large", f"the body is {size} bytes, over the limit of {self.max_body}"
            )

    # -- the whole request ---------------------------------------------------------------------
    async def dispatch(self, request: InboundRequest) -> Reply:
        """Verify, parse and store ``request``'s events; the reply to send (see module doc)."""
        source = request.source
        RECEIVED.labels(source=source if source in SOURCES else "unknown").inc()
        try:
            tenant = self._tenant(source, request.workspace)
            self._check_length(request.headers.get("content-length"))
            self._check_size(len(request.body))
            expected = _CONTENT_TYPES[source]
            if _media_type(request.content_type) != expected:
                raise _Refused(
                    415,
                    "content_type",
                    f"{source} deliveries are {expected}, not {request.content_type or 'untyped'}",
                )
            events, ignored = self._events(request, tenant)
        except _Refused as refused:
            return self._refuse(source, refused)
        except SignatureError as exc:
            return self._refuse(source, _Refused(401, f"signature_{exc.reason}", str(exc)))
        if ignored:
            IGNORED.labels(source=source).inc(ignored)
        if not events:
            return Reply(200, {"accepted": 0, "new": 0, "ignored": ignored})
        try:
            fresh = await self.submit(events)
        except Exception as exc:  # whatever the store raised, the sender must try again
            log.warning(
                "webhook events not stored (%s: %s); answering 503 so %s retries",
                type(exc).__name__,
                exc,
                source,
            )
            return self._refuse(
                source,
                _Refused(503, "store_failed", "the events could not be stored; deliver again"),
                headers={"Retry-After": "5"},
            )
        STORED.labels(source=source).inc(len(events))
        new = sum(1 for f in fresh if f)
        if new < len(events):
            REDELIVERED.labels(source=source).inc(len(events) - new)
        return Reply(200, {"accepted": len(events), "new": new, "ignored": ignored})

    def refuse(
        self, source: str, status: int, reason: str, message: str, headers: dict[str, str]
    ) -> Reply:
        """A refusal the adapter decided (a body that grew past the limit while it streamed,
        a service shutting down), counted as the receiver's own are."""
        return self._refuse(source, _Refused(status, reason, message), headers)

    def _refuse(
        self, source: str, refused: _Refused, headers: dict[str, str] | None = None
    ) -> Reply:
        label = source if source in SOURCES else "unknown"
        REJECTED.labels(source=label, reason=refused.reason).inc()
        return Reply(
            refused.status, {"error": refused.reason, "message": refused.message}, headers or {}
        )

    # -- per sender ----------------------------------------------------------------------------
    def _events(self, request: InboundRequest, tenant: Tenant) -> tuple[list[Event], int]:
        """The delivery's events to store and the number dropped as our own writes."""
        if request.source == "attio":
            return self._attio(request, tenant)
        if request.source == "hubspot":
            return self._hubspot(request, tenant), 0
        if request.source == "braintree":
            return self._braintree(request, tenant), 0
        return self._zoho(request, tenant), 0

    def _event(
        self,
        source: str,
        tenant: Tenant,
        type_: str,
        payload: dict[str, Any],
        delivery_id: str,
        index: int,
        group: str,
    ) -> Event:
        return Event(
            source=source,
            workspace=tenant.name,
            type=type_,
            payload=payload,
            delivery_id=delivery_id,
            index=index,
            received_at=self.clock(),
            partition=f"{tenant.name}:{group}",
        )

    def _attio(self, request: InboundRequest, tenant: Tenant) -> tuple[list[Event], int]:
        verify_attio(request.body, request.headers, tenant.attio_secrets)
        doc = _json(request.body, "Attio delivery")
        items = doc.get("events") if isinstance(doc, dict) else None
        if not isinstance(items, list):
            raise _Refused(
                400, "malformed_body", 'an Attio delivery is {"webhook_id", "events": [...]}'
            )
        for i, item in enumerate(items):
            if not isinstance(item, dict) or not isinstance(item.get("event_type"), str):
                raise _Refused(400, "malformed_body", f"events[{i}] has no event_type")
            if not item["event_type"]:
                raise _Refused(400, "malformed_body", f"events[{i}] has an empty event_type")
        delivery = request.headers.get("idempotency-key") or _sha256(request.body)
        events: list[Event] = []
        ignored = 0
        for i, item in enumerate(items):
            actor = item.get("actor")
            if isinstance(actor, dict) and actor.get("id") in tenant.ignore_actor_ids:
                ignored += 1
                continue
            ids = item.get("id") if isinstance(item.get("id"), dict) else {}
            family = item["event_type"].split(".", 1)[0]
            group = str(ids.get("object_id") or ids.get("list_id") or family)
            events.append(
                self._event("attio", tenant, item["event_type"], item, delivery, i, group)
            )
        return events, ignored

    def _hubspot(self, request: InboundRequest, tenant: Tenant) -> list[Event]:
        verify_hubspot(
            method=request.method,
            url=request.url,
            body=request.body,
            headers=request.headers,
            client_secret=tenant.hubspot_client_secret or "",
            now=self.clock(),
            window=self.hubspot_window,
        )
        doc = _json(request.body, "HubSpot delivery")
        if not isinstance(doc, list):
            raise _Refused(400, "malformed_body", "a HubSpot delivery is a JSON array of events")
        for i, item in enumerate(doc):
            if not isinstance(item, dict) or not isinstance(item.get("subscriptionType"), str):
                raise _Refused(400, "malformed_body", f"event [{i}] has no subscriptionType")
        body_key = _sha256(request.body)
        events = []
        for i, item in enumerate(doc):
            payload = {k: v for k, v in item.items() if k not in _HUBSPOT_DELIVERY_FIELDS}
            # HubSpot's eventId names the event across retries (the body changes: attemptNumber).
            event_id = item.get("eventId")
            delivery, index = (
                (f"{item.get('portalId')}:{event_id}", 0) if event_id is not None else (body_key, i)
            )
            type_ = item["subscriptionType"]
            group = "hubspot:" + type_.split(".", 1)[0]
            events.append(self._event("hubspot", tenant, type_, payload, delivery, index, group))
        return events

    def _braintree(self, request: InboundRequest, tenant: Tenant) -> list[Event]:
        assert tenant.braintree is not None  # _tenant() refused the request otherwise
        try:
            fields = parse_qs(request.body.decode("ascii"), strict_parsing=False)
        except UnicodeDecodeError:
            raise _Refused(
                400, "malformed_body", "the Braintree body is not form-encoded"
            ) from None
        signature = (fields.get("bt_signature") or [""])[0]
        payload = (fields.get("bt_payload") or [""])[0]
        notification = parse_braintree(signature=signature, payload=payload, keys=tenant.braintree)
        kind = notification["kind"]
        group = "braintree:" + kind.split("_", 1)[0]
        return [
            self._event(
                "braintree", tenant, kind, notification, _sha256(payload.encode()), 0, group
            )
        ]

    def _zoho(self, request: InboundRequest, tenant: Tenant) -> list[Event]:
        doc = _json(request.body, "Zoho CRM notification")
        if not isinstance(doc, dict):
            raise _Refused(400, "malformed_body", "a Zoho CRM notification is a JSON object")
        verify_zoho(body=request.body, token=tenant.zoho_token or "")
        module, operation = doc.get("module"), doc.get("operation")
        if not isinstance(module, str) or not isinstance(operation, str):
            raise _Refused(
                400, "malformed_body", "a Zoho CRM notification needs module and operation"
            )
        # The token is the channel's secret: it is checked, never stored.
        payload = {k: v for k, v in doc.items() if k != "token"}
        canonical = orjson.dumps(payload, option=orjson.OPT_SORT_KEYS)
        delivery = request.headers.get("idempotency-key") or _sha256(canonical)
        return [
            self._event(
                "zoho", tenant, f"{module}.{operation}", payload, delivery, 0, f"zoho:{module}"
            )
        ]
