"""The emulator's HTTP plumbing: route tables, the per-request ``Call``, and Attio's responses.

Each routes module fills a ``RouteTable`` with handlers ``async def handler(call) -> body``.
``build_routes()`` wraps every handler once with what all of Attio's endpoints share: bearer
auth (401 with Attio's body), the read and write rate budgets (429 with ``Retry-After`` as an
HTTP date, refused before anything changes), fault injection and latency from the control
plane, the request journal, and error bodies ``{status_code, type, code, message}``.
``fallback_route()`` answers whatever no route serves, by any method, with Attio's 404 body.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from email.utils import formatdate
from typing import TYPE_CHECKING, Any

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route
from starlette.types import Receive, Scope, Send

from .errors import EmulatorError, NotFoundError, RateLimitError, UnauthorizedError
from .paging import query_count
from .scopes import ScopeError, check_scopes

if TYPE_CHECKING:
    from .state import EmulatorState
    from .workspace import Token, Workspace

Handler = Callable[["Call"], Awaitable[Any]]
JSON_TYPE = "application/json; charset=utf-8"


class ConnectionDropped(Exception):
    """Raised after a response has started, so the server drops the connection mid-body."""


class DroppedResponse(Response):
    """A response that starts, sends part of its body, then drops the connection."""

    def __init__(self, operation: str) -> None:
        super().__init__(status_code=200, media_type="application/json")
        self.operation = operation

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Promise 64 bytes, send 8, and break off (the server closes the connection)."""
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", b"application/json"), (b"content-length", b"64")],
            }
        )
        await send({"type": "http.response.body", "body": b'{"data":', "more_body": True})
        raise ConnectionDropped(self.operation)


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    """A JSON response serialised with orjson."""
    return Response(orjson.dumps(body), status_code=status, media_type=JSON_TYPE, headers=headers)


def raw_json(body: bytes, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    """A response whose JSON is already serialised."""
    return Response(body, status_code=status, media_type=JSON_TYPE, headers=headers)


def error_response(err: EmulatorError, headers: dict[str, str] | None = None) -> Response:
    """Attio's error body for ``err``."""
    return json_response(err.body(), err.status_code, headers)


@dataclass(slots=True)
class Call:
    """One API request as a handler sees it."""

    request: Request
    state: EmulatorState
    token: Token
    path: dict[str, str]
    _body: Any = field(default=None)

    @property
    def ws(self) -> Workspace:
        """The workspace this request acts on."""
        return self.state.workspace

    @property
    def actor(self) -> dict[str, Any]:
        """Who this request's writes are recorded as."""
        return self.token.actor

    def query(self, name: str, default: str | None = None) -> str | None:
        """A query-string parameter."""
        return self.request.query_params.get(name, default)

    def query_int(self, name: str, default: int, lo: int, hi: int | None) -> int:
        """A count in the query string from ``lo`` to ``hi`` (None: no documented maximum, see
        ``paging.MAX_COUNT``); 400 ``validation_type`` otherwise."""
        return query_count(self.request.query_params.get(name), name, default, lo, hi)

    def query_bool(self, name: str, default: bool = False) -> bool:
        """A boolean query parameter (``true``/``false``)."""
        raw = self.request.query_params.get(name)
        if raw is None:
            return default
        if raw.lower() in ("true", "1"):
            return True
        if raw.lower() in ("false", "0"):
            return False
        raise EmulatorError(f'Query parameter "{name}" must be true or false, got "{raw}".')

    async def body(self) -> Any:
        """The parsed JSON body (``{}`` when empty); 400 on malformed JSON."""
        if self._body is None:
            raw = await self.request.body()
            if not raw.strip():
                self._body = {}
            else:
                try:
                    self._body = orjson.loads(raw)
                except orjson.JSONDecodeError as exc:
                    raise EmulatorError(f"The request body is not valid JSON: {exc}.") from None
        return self._body

    async def data(self) -> dict[str, Any]:
        """The ``data`` object of a write body ``{"data": {...}}``."""
        body = await self.body()
        if not isinstance(body, dict) or not isinstance(body.get("data"), dict):
            raise EmulatorError('The request body must be a JSON object {"data": {...}}.')
        data: dict[str, Any] = body["data"]
        return data

    async def flat(self) -> dict[str, Any]:
        """A flat JSON-object body (query and search endpoints are not wrapped in ``data``)."""
        body = await self.body()
        if not isinstance(body, dict):
            raise EmulatorError("The request body must be a JSON object.")
        return body


@dataclass(slots=True)
class RouteSpec:
    """One registered endpoint."""

    method: str
    path: str
    handler: Handler
    write: bool
    operation: str


class RouteTable:
    """Endpoints of one resource, registered with ``@table.route(...)``."""

    def __init__(self) -> None:
        self.specs: list[RouteSpec] = []

    def route(
        self, method: str, path: str, *, write: bool | None = None, operation: str = ""
    ) -> Callable[[Handler], Handler]:
        """Register ``handler`` for ``method path``; writes are every method but GET by default."""

        def decorate(handler: Handler) -> Handler:
            is_write = method != "GET" if write is None else write
            op = operation or f"{method} {path}"
            self.specs.append(RouteSpec(method, path, handler, is_write, op))
            return handler

        return decorate


def retry_after_date(now: float | None = None) -> str:
    """Attio's ``Retry-After``: an HTTP date, the start of the next second."""
    t = time.time() if now is None else now
    return formatdate(int(t) + 1, usegmt=True)


class RateBudget:
    """Per-token read and write budgets over one-second windows, as Attio counts them.

    ``clock`` (epoch seconds) is what the HTTP layer counts and dates ``Retry-After`` by; tests
    replace it to pin requests inside one second.
    """

    def __init__(
        self, read_rate: float, write_rate: float, clock: Callable[[], float] = time.time
    ) -> None:
        self.read_rate = read_rate
        self.write_rate = write_rate
        self.clock = clock
        self._windows: dict[tuple[str, bool], tuple[int, int]] = {}

    def take(self, token_id: str, write: bool, now: float | None = None) -> bool:
        """Count one request; False when this second's budget is spent."""
        limit = self.write_rate if write else self.read_rate
        if limit <= 0:
            return True
        second = int(self.clock() if now is None else now)
        key = (token_id, write)
        window, count = self._windows.get(key, (second, 0))
        if window != second:
            window, count = second, 0
        if count >= limit:
            self._windows[key] = (window, count)
            return False
        self._windows[key] = (window, count + 1)
        return True


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def build_routes(state: EmulatorState, tables: list[RouteTable]) -> list[Route]:
    """Starlette routes for every registered endpoint, each wrapped with the shared behaviour."""
    routes: list[Route] = []
    for table in tables:
        for spec in table.specs:
            routes.append(
                Route(spec.path, _wrap(state, spec), methods=[spec.method], name=spec.operation)
            )
    return routes


def _wrap(state: EmulatorState, spec: RouteSpec) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        started = time.perf_counter()
        try:
            response = await _handle(state, spec, request)
        except ConnectionDropped as drop:
            # Raised before any response started, Starlette's error middleware would answer a
            # clean 500; the drop must reach the client as a response cut off mid-body. The
            # journal keeps it with status 0: no status ever reached the client.
            state.journal.record(request, spec.operation, 0, started)
            return DroppedResponse(str(drop))
        state.journal.record(request, spec.operation, response.status_code, started)
        return response

    return endpoint


async def _handle(state: EmulatorState, spec: RouteSpec, request: Request) -> Response:
    key = _bearer(request)
    token = state.workspace.tokens.get(key) if key else None
    if token is None:
        return error_response(
            UnauthorizedError(
                "Authentication failed: send a valid API key as 'Authorization: Bearer <key>'."
            )
        )
    try:
        check_scopes(token.scopes, spec.operation, dict(request.path_params))
    except ScopeError as err:
        return error_response(err)
    fault = state.faults.pick(spec)
    delay = state.latency_s()
    if fault is not None and fault.kind == "slow":
        delay += fault.seconds
    if delay > 0:
        await asyncio.sleep(delay)
    if fault is not None:
        if fault.kind == "error":
            return json_response(
                {
                    "status_code": fault.status,
                    "type": "internal_server_error",
                    "code": "internal_server_error",
                    "message": "An unexpected error occurred (injected by the emulator).",
                },
                fault.status,
            )
        if fault.kind == "rate_limit":
            return error_response(RateLimitError(), {"Retry-After": retry_after_date()})
        if fault.kind == "drop":
            raise ConnectionDropped(spec.operation)
    now = state.budget.clock()
    if not state.budget.take(token.token_id, spec.write, now):
        return error_response(RateLimitError(), {"Retry-After": retry_after_date(now)})
    call = Call(request=request, state=state, token=token, path=dict(request.path_params))
    try:
        # The events this call emits may travel in one webhook delivery (see delivery.py).
        with state.deliveries.one_call():
            if spec.write and state.persistence is not None:
                # Runs the handler and logs the request once it has succeeded (--database).
                result = await state.persistence.run_request(spec, call)
            else:
                result = await spec.handler(call)
    except EmulatorError as err:
        # An error may bring headers of its own (a score limit's Retry-After, scores.py).
        return error_response(err, getattr(err, "headers", None))
    if fault is not None and fault.kind == "drop_after":
        raise ConnectionDropped(spec.operation)
    if isinstance(result, Response):
        return result
    return json_response(result)


class _Unrouted:
    """An ASGI app, not a function: Starlette would let a function endpoint take GET only."""

    def __init__(self, routes: list[BaseRoute]) -> None:
        self.routes = routes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        path = request.url.path
        methods = sorted(
            {
                method
                for route in self.routes
                if isinstance(route, Route) and route.path_regex.match(path)
                for method in route.methods or ()
                if method != "HEAD"  # Starlette's own companion of every GET
            }
        )
        served = f": {path} takes {', '.join(methods)}" if methods else ""
        response = error_response(
            NotFoundError(f"No route for {request.method} {path} in the Attio API{served}.")
        )
        await response(scope, receive, send)


def fallback_route(routes: list[BaseRoute]) -> Route:
    """The route matched last, by every method (``OPTIONS``, ``TRACE`` and made-up ones too):
    Attio's 404 body for a request no route in ``routes`` serves, never Starlette's plain-text
    405. When the path is served by other methods, the message names them."""
    return Route("/{path:path}", _Unrouted(routes))


def jitter(base_ms: float, spread_ms: float, rng: random.Random) -> float:
    """``base_ms`` give or take ``spread_ms``, never below zero, in seconds."""
    if base_ms <= 0:
        return 0.0
    return max(0.0, base_ms + rng.uniform(-spread_ms, spread_ms)) / 1000.0
