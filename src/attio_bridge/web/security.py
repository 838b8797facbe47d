"""What keeps the pages safe: signed session cookies, CSRF tokens, security headers, users.

- ``SessionMiddleware``: Starlette's own session middleware (a JSON document in a cookie signed
  and timestamped by itsdangerous; a tampered, foreign or expired cookie is an empty session),
  ``HttpOnly``, ``SameSite=Lax``, ``Secure`` when the request came over https. The key is given
  (``ATTIO_BRIDGE_SESSION_KEY``) or made at start, so a restart signs everyone out.
- ``csrf_token(session)`` is a random token per session; ``csrf_ok(request, form)`` accepts a
  POST only when the ``X-CSRF-Token`` header (htmx sends it, from ``hx-headers``) or the form's
  ``csrf`` field equals it (compared in constant time).
- ``SecurityHeadersMiddleware``: a Content-Security-Policy with no inline script or style,
  ``frame-ancestors 'none'``, ``X-Content-Type-Options: nosniff``, ``Referrer-Policy``,
  ``X-Frame-Options``.
- ``Users``: the people allowed in when the pages are served beyond loopback; passwords hashed
  with argon2 (argon2-cffi), kept in the state store (namespace ``web-users``), never the
  password itself.
"""

from __future__ import annotations

import hmac
import os
import re
import secrets
from collections.abc import Mapping
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from starlette.datastructures import MutableHeaders
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware as StarletteSessions
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Mount
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..errors import InvalidInputError, MissingError
from ..state import StateStore

__all__ = [
    "CSP",
    "SESSION_COOKIE",
    "SecurityHeadersMiddleware",
    "SessionMiddleware",
    "Users",
    "csrf_ok",
    "csrf_token",
    "is_loopback",
    "login_needed",
    "page_middleware",
    "session_key_of",
]

SESSION_COOKIE = "attio_bridge_session"
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; object-src 'none'; "
    "frame-ancestors 'none'"
)
USERS_NAMESPACE = "web-users"
_NAME = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,63}$")


def is_loopback(host: str) -> bool:
    """Whether ``host`` (what the server binds to) is reachable from this machine only."""
    return host in ("127.0.0.1", "::1", "localhost") or host.startswith("127.")


class SessionMiddleware:
    """The session as ``scope["session"]``, kept by Starlette's signed-cookie middleware.

    Starlette fixes ``Secure`` when the middleware is made; this one is served both over plain
    http (loopback) and behind https, so it holds two Starlette middlewares on the same key and
    hands each request to the one matching its scheme. Both read each other's cookies.
    """

    def __init__(self, app: ASGIApp, *, key: bytes, max_age: int = 14 * 24 * 3600) -> None:
        secret = key.hex()  # Starlette takes a str key; hex keeps every byte of a random key
        self._plain = StarletteSessions(
            app, secret, session_cookie=SESSION_COOKIE, max_age=max_age, same_site="lax"
        )
        self._secure = StarletteSessions(
            app,
            secret,
            session_cookie=SESSION_COOKIE,
            max_age=max_age,
            same_site="lax",
            https_only=True,
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        chosen = self._secure if scope.get("scheme") in ("https", "wss") else self._plain
        await chosen(scope, receive, send)


class SecurityHeadersMiddleware:
    """Security headers on every response of the app it wraps."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers["Content-Security-Policy"] = CSP
                headers["X-Content-Type-Options"] = "nosniff"
                headers["Referrer-Policy"] = "same-origin"
                headers["X-Frame-Options"] = "DENY"
                headers.setdefault("Cache-Control", "no-store")
            await send(message)

        await self.app(scope, receive, send_with_headers)


_PROCESS_KEY = secrets.token_bytes(32)
"""The session key when none is given: one per process, so that every page mount (the events
page, the snapshot pages, the conflicts page) reads the session a login on any of them made."""


def session_key_of(session_key: bytes | None) -> bytes:
    """``session_key``, else ``ATTIO_BRIDGE_SESSION_KEY``, else the process's own random key
    (sessions then end with the process)."""
    return session_key or os.environ.get("ATTIO_BRIDGE_SESSION_KEY", "").encode() or _PROCESS_KEY


def page_middleware(session_key: bytes | None) -> list[Middleware]:
    """The security headers and the signed session (``session_key_of``), for a page's routes."""
    return [
        Middleware(SecurityHeadersMiddleware),
        Middleware(SessionMiddleware, key=session_key_of(session_key)),
    ]


def secured_mount(prefix: str, routes: list[BaseRoute], session_key: bytes | None) -> Mount:
    """``routes`` mounted at ``prefix`` behind ``page_middleware(session_key)``."""
    return Mount(prefix, routes=routes, middleware=page_middleware(session_key))


def login_needed(request: Request, login_url: str) -> Response | None:
    """None when ``request``'s session has a signed-in user; else the way to ``login_url``:
    a 401 with ``HX-Redirect`` for htmx's requests, a 303 for a browser's."""
    if isinstance(request.session.get("user"), str):
        return None
    if request.headers.get("hx-request"):
        return Response(status_code=401, headers={"HX-Redirect": login_url})
    return RedirectResponse(login_url, 303)


def csrf_token(session: dict[str, Any]) -> str:
    """The session's CSRF token, made on first use."""
    token = session.get("csrf")
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        session["csrf"] = token
    return token


def csrf_ok(request: Request, form: Mapping[str, Any]) -> bool:
    """Whether a POST carries the session's CSRF token (header or ``csrf`` form field)."""
    expected = request.session.get("csrf")
    given = request.headers.get("x-csrf-token") or form.get("csrf")
    if not isinstance(expected, str) or not isinstance(given, str):
        return False
    return hmac.compare_digest(expected.encode(), given.encode())


class Users:
    """Users of the pages and their argon2 password hashes, in the state store."""

    def __init__(self, store: StateStore, hasher: PasswordHasher | None = None) -> None:
        self._store = store
        self._hasher = hasher or PasswordHasher()

    @staticmethod
    def check_name(name: str) -> str:
        """``name`` when it is a user name (lowercase letters, digits, ``_.-``; 64 at most)."""
        if not _NAME.match(name):
            raise InvalidInputError(
                f"{name!r} is not a user name: use lowercase letters, digits, '.', '_' or '-', "
                "starting with a letter or digit, 64 characters at most"
            )
        return name

    def add(self, name: str, password: str) -> bool:
        """Add ``name`` or change its password; whether the user is new."""
        self.check_name(name)
        if len(password) < 8:
            raise InvalidInputError("the password is too short: give at least 8 characters")
        new = self._store.get(USERS_NAMESPACE, name) is None
        self._store.put(USERS_NAMESPACE, name, {"hash": self._hasher.hash(password)})
        return new

    def remove(self, name: str) -> None:
        """Remove ``name`` (``MissingError`` when there is no such user)."""
        if not self._store.delete(USERS_NAMESPACE, name):
            raise MissingError(f"there is no user {name!r}: `attio-bridge users list` names them")

    def names(self) -> list[str]:
        """Every user's name, sorted."""
        return [key for key, _ in self._store.items(USERS_NAMESPACE)]

    def verify(self, name: str, password: str) -> bool:
        """Whether ``password`` is ``name``'s (False for an unknown user, after as much work)."""
        found = self._store.get(USERS_NAMESPACE, name) if _NAME.match(name) else None
        stored = found.get("hash") if found else None
        if not isinstance(stored, str):
            # Hash anyway, so an unknown name takes as long as a wrong password.
            self._hasher.hash(password)
            return False
        try:
            return self._hasher.verify(stored, password)
        except (VerificationError, InvalidHashError):
            return False
