"""The ASGI app of the always-on service: webhook endpoints, the events page, health and metrics.

``create_app(service)`` (``app.py``) is the Starlette app; ``Service`` (``service.py``) composes
the tenants, the job queue, the receiver and the processor and ties their start and stop to the
app's lifespan; ``build_service`` and ``service_tenants`` (``wiring.py``) choose the real pieces
for ``attio-bridge serve``, ``sandbox`` and ``worker``, and ``app_from_env`` for an ASGI server
started by hand. ``feed.py`` keeps what the events page shows, ``metrics.py`` the web layer's
Prometheus metrics, ``logs.py`` the structlog set-up that keeps secrets out of logs, ``ports.py``
what the web layer needs of the queue and the receiver, ``tenancy.py`` each workspace's client,
services and cache for the handlers.
"""

from __future__ import annotations

from .app import create_app
from .feed import EventFeed, FeedRow
from .logs import configure_logging
from .service import Service
from .wiring import app_from_env, build_service, service_tenants

__all__ = [
    "EventFeed",
    "FeedRow",
    "Service",
    "app_from_env",
    "build_service",
    "configure_logging",
    "create_app",
    "service_tenants",
]
