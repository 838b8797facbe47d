"""The sync's conflicts page, under ``/sync``: ``/sync/conflicts`` lists the open conflicts
(``sync.ConflictQueue``) with both values and the last synced one, each with two buttons that
keep Attio's value or the other side's; ``POST /sync/conflicts/{id}/resolve`` (``take=attio`` or
``external``) calls ``resolve(id, take)`` (a ``SyncEngine.resolve`` of the conflict's mapping,
given by whoever mounts the page) and comes back to the list.

Values are escaped (Jinja2's autoescape; JSON through ``tojson``). Every POST needs the
session's CSRF token (``security.csrf_token`` / ``csrf_ok``, as the snapshot pages), in the
signed session cookie of ``security.SessionMiddleware``; responses carry the security headers.
The page has no login form of its own: mounted with ``require_login`` (the app does so when the
snapshot pages need a login), a visitor with no signed-in session goes to the snapshot pages'
``/snapshots/login``, whose session this page shares.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import jinja2
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route

from ..errors import AttioError
from ..state import StateStore
from ..sync.conflicts import ConflictQueue, ConflictRecord
from .security import csrf_ok, csrf_token, login_needed, secured_mount
from .snapshots import LOGIN_URL, read_form

__all__ = ["PREFIX", "ConflictPages", "Resolver"]

PREFIX = "/sync"
_TEMPLATES = Path(__file__).parent / "templates"
Resolver = Callable[[str, str], Awaitable[ConflictRecord]]


class ConflictPages:
    """The conflicts page over ``store``; ``resolve(id, take)`` settles one."""

    def __init__(
        self, store: StateStore, resolve: Resolver, *, session_key: bytes | None = None
    ) -> None:
        self.queue = ConflictQueue(store)
        self.resolve = resolve
        self.session_key = session_key
        self.require_login = False
        self.env = jinja2.Environment(loader=jinja2.FileSystemLoader(_TEMPLATES), autoescape=True)

    def render(self, request: Request, status: int = 200, **context: Any) -> HTMLResponse:
        """The conflicts page with ``context``."""
        root = request.scope.get("root_path", "").removesuffix(PREFIX)
        html = self.env.get_template("sync/conflicts.html").render(
            base=root + PREFIX,
            static=root + "/static",
            csrf=csrf_token(request.session),
            conflicts=self.queue.open(),
            **context,
        )
        return HTMLResponse(html, status)

    async def conflicts(self, request: Request) -> Response:
        """The open conflicts."""
        if self.require_login and (away := login_needed(request, LOGIN_URL)) is not None:
            return away
        return self.render(request, notice=request.query_params.get("notice"))

    async def resolve_post(self, request: Request) -> Response:
        """Settle one conflict, then back to the list."""
        if self.require_login and (away := login_needed(request, LOGIN_URL)) is not None:
            return away
        form = await read_form(request)
        if not csrf_ok(request, form):
            return self.render(
                request, 403, notice="This form has expired or came from another site; reload."
            )
        take = form.get("take")
        if take not in ("attio", "external"):
            return self.render(request, 400, notice="Choose Attio's value or the other side's.")
        conflict_id = request.path_params["conflict_id"]
        try:
            done = await self.resolve(conflict_id, str(take))
        except AttioError as exc:
            return self.render(request, 409, notice=f"Not resolved: {exc}")
        notice = f"Resolved {done.field} of {done.external_id}: {done.decision}"
        return RedirectResponse(
            request.url_for("sync_conflicts").include_query_params(notice=notice), 303
        )

    def mount(self, *, require_login: bool = False, session_key: bytes | None = None) -> Mount:
        """The page as one ``Mount`` at ``/sync`` with its session (signed with ``session_key``
        when given, the app's one session) and security headers; with ``require_login``, only
        for a signed-in session."""
        self.require_login = require_login
        routes: list[BaseRoute] = [
            Route("/conflicts", self.conflicts, methods=["GET"], name="sync_conflicts"),
            Route("/conflicts/{conflict_id}/resolve", self.resolve_post, methods=["POST"]),
        ]
        return secured_mount(PREFIX, routes, session_key or self.session_key)
