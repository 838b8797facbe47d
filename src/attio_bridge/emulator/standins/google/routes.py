"""The Google stand-in's route: the OAuth 2.0 token endpoint, ``POST /google/oauth2/token``.

Google's service-account flow (the JWT bearer grant, RFC 7523): google-auth signs a JWT with
the key file's private key and posts it to the key file's ``token_uri``; a key file whose
``token_uri`` points here gets tokens that the Drive stand-in accepts, so the flow runs offline.
Errors are RFC 6749's ``{"error", "error_description"}``, as Google answers them.
"""

from __future__ import annotations

import base64
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from ...http import json_response
from ...persistence import logged_write
from .._form import urlencoded
from .model import GoogleAuth

if TYPE_CHECKING:
    from ...state import EmulatorState

NAME = "google"  # the registry's key: failure rules' system, the operation log's kind
JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"


def google_routes(state: EmulatorState) -> list[BaseRoute]:
    """The token endpoint, issuing tokens into the live ``GoogleAuth``."""
    return [Route("/google/oauth2/token", _token_endpoint(state), methods=["POST"])]


def replay(model: GoogleAuth, params: dict[str, Any]) -> None:
    """Issue a logged token again (its value comes back from the operation's tape)."""
    model.issue()


def _oauth_error(error: str, description: str, status: int = 400) -> Response:
    # RFC 6749 section 5.2, as Google answers: 400 {"error", "error_description"}.
    return json_response({"error": error, "error_description": description}, status)


def _jwt_claims(assertion: str) -> dict[str, Any] | None:
    parts = assertion.split(".")
    if len(parts) != 3 or not all(parts):
        return None
    try:
        payload = base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4))
        claims = orjson.loads(payload)
    except (ValueError, orjson.JSONDecodeError):
        return None
    return claims if isinstance(claims, dict) else None


def _token_endpoint(state: EmulatorState) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        started = time.perf_counter()
        response = await _answer(state, request)
        state.journal.record(request, f"{NAME} token", response.status_code, started)
        return response

    return endpoint


async def _answer(state: EmulatorState, request: Request) -> Response:
    """Exchange a service account's signed JWT for an access token.

    The signature is not checked (the emulator cannot know the key's public half); the grant
    type, the JWT's shape, its issuer, scope and expiry are, as Google checks them.
    """
    form = await urlencoded(request)
    failure = state.standins.failure(NAME, "token")
    if failure is not None:
        return _oauth_error(failure.error, "injected by the emulator", failure.status)
    grant = form.get("grant_type")
    if grant != JWT_BEARER:
        return _oauth_error("unsupported_grant_type", f"Invalid grant_type: {grant or ''}")
    assertion = form.get("assertion")
    claims = _jwt_claims(assertion) if assertion else None
    if claims is None:
        return _oauth_error("invalid_grant", "Invalid JWT: Token must be a short-lived token")
    if not claims.get("iss"):
        return _oauth_error("invalid_grant", "Invalid JWT: no issuer (iss) claim")
    if not claims.get("scope"):
        return _oauth_error("invalid_scope", "Invalid OAuth scope or ID token audience provided.")
    exp = claims.get("exp")
    if not isinstance(exp, int | float) or exp < time.time():
        return _oauth_error(
            "invalid_grant",
            "Invalid JWT: Token must be a short-lived token and in a reasonable timeframe.",
        )
    # Kept with --database (the token is on the operation's tape): it outlives a restart.
    auth = state.standins.model(NAME, GoogleAuth)
    token = logged_write(state, NAME, {}, auth.issue)
    return json_response({"access_token": token, "expires_in": 3599, "token_type": "Bearer"})
