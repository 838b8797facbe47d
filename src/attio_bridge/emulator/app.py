"""The emulator as an ASGI app: ``create_app(config)`` serves Attio's API under ``/v2``.

Tests run it in-process through ``httpx.ASGITransport``; ``attio-bridge emulator`` serves it with
uvicorn. The control plane for tests lives under ``/_emulator`` (a prefix Attio never uses).
"""

from __future__ import annotations

from typing import Any

from starlette.applications import Starlette
from starlette.routing import BaseRoute
from starlette.types import Receive, Scope, Send

from .control import control_routes
from .http import RouteTable, build_routes, fallback_route
from .routes import (
    activities,
    activity,
    files,
    history,
    lists,
    meetings,
    objects,
    records,
    sql,
    views,
    webhooks,
    workspace,
)
from .standins import standin_routes
from .state import EmulatorConfig, EmulatorState


def route_tables() -> list[RouteTable]:
    """Every Attio route table, in matching order."""
    modules = (
        records,
        lists,
        objects,
        activity,
        meetings,
        webhooks,
        workspace,
        files,
        activities,
        history,
        views,
        sql,
    )
    return [m.table for m in modules]


class EmulatorApp:
    """The ASGI callable: Starlette inside, with the emulator's state at hand for tests."""

    def __init__(self, state: EmulatorState, app: Starlette) -> None:
        self.state = state
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve one ASGI connection (an injected drop is a ``DroppedResponse``, see http.py)."""
        await self.app(scope, receive, send)


def create_app(config: EmulatorConfig | None = None, **options: Any) -> EmulatorApp:
    """An emulator app; ``options`` are ``EmulatorConfig`` fields when no config is given."""
    state = EmulatorState(config or EmulatorConfig(**options))
    routes: list[BaseRoute] = [
        *control_routes(state),
        *standin_routes(state),
        *files.storage_routes(state),
        *build_routes(state, route_tables()),
    ]
    starlette = Starlette(routes=[*routes, fallback_route(routes)])
    return EmulatorApp(state, starlette)
