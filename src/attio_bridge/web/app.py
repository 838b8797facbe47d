"""The ASGI app (Starlette): webhook endpoints, the events page, health and metrics.

``create_app(service)`` serves:

- ``POST /webhooks/{source}`` and ``/webhooks/{source}/{workspace}``: the adapter in front of the
  receiver core. It refuses an unknown source (404) and a body over ``service.max_body`` (413,
  from ``Content-Length`` before reading, or as soon as the streamed body passes the limit),
  builds an ``InboundRequest`` from the raw bytes and answers with the receiver's ``Reply``;
  while the service stops it answers 503 so the sender delivers again later. Every refusal,
  the adapter's too, is the receiver's (``precheck``, ``refuse``), so
  ``attio_bridge_webhooks_rejected_total{source,reason}`` counts each once;
- ``GET /healthz`` (the process answers), ``GET /readyz`` (the job store, and Redis when
  configured, reachable: 200, or 503 naming what is not), ``GET /metrics`` (Prometheus text);
- ``GET /`` the events page and ``GET /events/feed`` its table, which the page polls every second
  (htmx, served from ``/static/``) with the version it shows (``?since=``): 204 when nothing
  changed. Templates are Jinja2 with autoescape; a file of the same name
  in ``service.template_dir`` replaces the package's own (``events.html``, ``_feed.html``).

``pages`` (``snapshots.Pages``) adds the snapshot pages under ``/snapshots``, closed with the app;
``sync_pages`` the sync's conflicts page under ``/sync``. Every page (events, snapshots,
conflicts) carries the security headers (``security.page_middleware``: a Content-Security-Policy
with no inline script or style) and shares one signed session: when the snapshot pages need a
login (served beyond loopback), so do the events page and the conflicts page, which send a
visitor with no signed-in session to ``/snapshots/login``.
``fallback``, an ASGI app, answers every path no route does: the sandbox puts the emulator there,
so the Attio API and the service share one address. The lifespan starts and stops the service.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import anyio.to_thread
import jinja2
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates
from starlette.types import ASGIApp

from . import metrics
from .feed import COUNT_LABELS, COUNTS
from .logs import get_logger
from .ports import InboundRequest
from .security import login_needed, page_middleware
from .service import Service
from .snapshots import LOGIN_URL, Pages
from .snapshots import PREFIX as SNAPSHOTS
from .sync_pages import PREFIX as SYNC
from .sync_pages import ConflictPages

__all__ = ["create_app"]

_HERE = Path(__file__).parent
_log = get_logger("attio_bridge.web")


class _TooLarge(Exception):
    """The body passed the limit while it streamed in."""


async def _body(request: Request, limit: int) -> bytes:
    """The raw body, or ``_TooLarge`` as soon as it is known to pass ``limit`` bytes."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise _TooLarge
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise _TooLarge
        chunks.append(chunk)
    return b"".join(chunks)


def _to(path: str) -> Callable[[Request], Awaitable[Response]]:
    """An endpoint redirecting to ``path`` (307, as Starlette's slash redirect)."""

    async def redirect(request: Request) -> Response:
        return RedirectResponse(path, 307)

    return redirect


def _clock(at: float) -> str:
    return time.strftime("%H:%M:%S", time.gmtime(at)) if at else ""


def _templates(template_dir: Path | None) -> Jinja2Templates:
    loaders: list[jinja2.BaseLoader] = [jinja2.FileSystemLoader(_HERE / "templates")]
    if template_dir is not None:
        loaders.insert(0, jinja2.FileSystemLoader(template_dir))
    env = jinja2.Environment(loader=jinja2.ChoiceLoader(loaders), autoescape=True)
    env.filters["clock"] = _clock
    return Jinja2Templates(env=env)


def create_app(
    service: Service,
    *,
    fallback: ASGIApp | None = None,
    pages: Pages | None = None,
    sync_pages: ConflictPages | None = None,
) -> Starlette:
    """The service's ASGI app; ``pages`` the snapshot pages, ``sync_pages`` the sync's
    conflicts page, ``fallback`` answers the paths no route serves."""
    templates = _templates(service.template_dir)

    async def webhook(request: Request) -> Response:
        started = time.perf_counter()
        source = request.path_params["source"]
        response = await _webhook(request, source)
        route = "/webhooks/{source}" + (
            "/{workspace}" if "workspace" in request.path_params else ""
        )
        status = str(response.status_code)
        metrics.HTTP_SECONDS.labels(route, "POST", status).observe(time.perf_counter() - started)
        # Debug, not info: rendering a JSON line per delivery cost about a quarter of a
        # millisecond of the event loop's time (the metrics above count every request).
        _log.debug(
            "webhook request",
            source=source,
            workspace=request.path_params.get("workspace", ""),
            status=response.status_code,
            ms=round((time.perf_counter() - started) * 1000, 2),
        )
        return response

    async def _webhook(request: Request, source: str) -> Response:
        receiver = service.receiver
        workspace = request.path_params.get("workspace") or None
        headers = {key.lower(): value for key, value in request.headers.items()}
        reply = receiver.precheck(source, workspace, headers)
        if reply is None and not service.accepting:
            reply = receiver.refuse(
                source,
                503,
                "shutting_down",
                "shutting down; deliver again later",
                {"Retry-After": "5"},
            )
        if reply is not None:
            return JSONResponse(reply.body, reply.status, reply.headers)
        try:
            body = await _body(request, service.max_body)
        except _TooLarge:
            reply = receiver.refuse(
                source,
                413,
                "too_large",
                f"body larger than {service.max_body} bytes",
                {"Connection": "close"},
            )
            return JSONResponse(reply.body, reply.status, reply.headers)
        inbound = InboundRequest(
            source=source,
            workspace=workspace,
            method=request.method,
            url=str(request.url),
            headers=headers,
            body=body,
            content_type=request.headers.get("content-type", ""),
        )
        reply = await receiver.dispatch(inbound)
        return JSONResponse(reply.body, reply.status, reply.headers)

    async def healthz(request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def readyz(request: Request) -> Response:
        checks = await service.readiness()
        ready = all(result == "ok" for result in checks.values())
        return JSONResponse({"ready": ready, "checks": checks}, 200 if ready else 503)

    async def metrics_page(request: Request) -> Response:
        # The jobs' depth gauge reads the queue's database while rendering: off the loop.
        text = await anyio.to_thread.run_sync(generate_latest)
        return Response(text, media_type=CONTENT_TYPE_LATEST)

    def _page(request: Request, name: str) -> Response:
        context: dict[str, Any] = {
            "rows": service.feed.rows(),
            "counts": service.feed.counts(),
            "names": COUNTS,
            "labels": COUNT_LABELS,
            "version": service.feed.version,
        }
        return templates.TemplateResponse(request, name, context)

    login = pages is not None and pages.config.require_login
    session_key = pages.config.session_key if pages is not None else None

    async def page(request: Request) -> Response:
        if login and (away := login_needed(request, LOGIN_URL)) is not None:
            return away
        return _page(request, "events.html")

    async def feed(request: Request) -> Response:
        if login and (away := login_needed(request, LOGIN_URL)) is not None:
            return away
        # The page polls with the version it shows: nothing new is a 204, which htmx leaves be.
        if request.query_params.get("since") == str(service.feed.version):
            return Response(status_code=204)
        return _page(request, "_feed.html")

    routes: list[BaseRoute] = [
        Route("/webhooks/{source}", webhook, methods=["POST"]),
        Route("/webhooks/{source}/{workspace}", webhook, methods=["POST"]),
        Route("/healthz", healthz, methods=["GET"]),
        Route("/readyz", readyz, methods=["GET"]),
        Route("/metrics", metrics_page, methods=["GET"]),
        Route("/", page, methods=["GET"], middleware=page_middleware(session_key)),
        Route("/events/feed", feed, methods=["GET"], middleware=page_middleware(session_key)),
        Mount("/static", StaticFiles(directory=_HERE / "static"), name="static"),
    ]
    if pages is not None:
        # "/snapshots" typed without its slash: the fallback (the sandbox's emulator) would
        # answer it with a 404 before Starlette's own slash redirect could.
        routes.append(Route(SNAPSHOTS, _to(f"{SNAPSHOTS}/"), methods=["GET"]))
        routes.append(pages.mount())
    if sync_pages is not None:
        routes.append(Route(SYNC, _to(f"{SYNC}/conflicts"), methods=["GET"]))
        routes.append(sync_pages.mount(require_login=login, session_key=session_key))
    if fallback is not None:
        routes.append(Mount("", app=fallback))

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        # Starting opens the jobs database and launches DBOS, which blocks: not on the loop.
        await anyio.to_thread.run_sync(service.start)
        try:
            yield
        finally:
            await service.stop()
            if pages is not None:
                await pages.aclose()

    return Starlette(routes=routes, lifespan=lifespan)
