"""Small stand-ins for the other systems the workflows call: Slack's Web API and Google Drive.

Laid out like the Attio emulator (and moto): per system a model that holds state and knows no
HTTP (``SlackModel``, ``DriveModel``), and Starlette routes that parse, call and serialise in
the system's own shapes. ``Standins`` keeps both models, the Google access tokens issued by the
token endpoint and the injected failures; it lives on ``EmulatorState.standins`` and
``POST /_emulator/reset`` clears its data (channels, folders, failures; issued tokens stay valid,
as real tokens outlive data).

With ``--database FILE`` (see ``..persistence``) the stand-ins are kept as the Attio workspace
is, in the same operation log: each write that succeeded (``slack``: ``conversations.create``
and ``conversations.archive`` with their arguments, never the token; ``drive``: ``files.create``,
``files.update`` and ``files.delete`` with the file id and metadata body; ``google_token``: each
access token issued) is logged with its tape, and ``replay`` applies it again on startup, in
order with the Attio operations. Ids, times and tokens come from ``..clock``, so a replay makes
the same channel and file ids, times and tokens; a reset is part of the logged ``init`` (see
``EmulatorState.start_over``) and so is replayed too. Issued tokens are kept because a client
holds its token for its lifetime (an hour) and a restart of Google does not revoke it; the
emulator does not expire them. Not kept: injected failures, which are test controls like
Attio's faults, and the request journal.

Paths (none of them collides with Attio's ``/v2``):

- ``/slack/api/{method}``: Slack's Web API (``auth.test``, ``conversations.create|list|info|
  archive``); point ``slack_sdk.WebClient(base_url=...)`` at ``http://HOST:PORT/slack/api/``.
- ``/drive/v3/files[/{fileId}]``: Drive API v3 files (create, list, get, update, delete).
- ``POST /google/oauth2/token``: the OAuth token endpoint for service accounts (JWT bearer grant);
  a service-account JSON whose ``token_uri`` points here works offline.
- ``/_emulator/standins/fail`` (GET, POST, DELETE): failures that tests inject, see ``Failure``.

Tokens: both stand-ins accept the emulator's Attio API keys (``EmulatorConfig.api_keys``, so
``EmulatorProcess(api_key=...)`` serves all three systems with one key), Slack also
``EmulatorConfig.slack_tokens`` and Drive ``EmulatorConfig.google_tokens`` plus every token the
token endpoint issued. Any other token is refused as the real service refuses it.
"""

from __future__ import annotations

import base64
import fnmatch
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ..clock import new_secret
from ..http import json_response
from ..persistence import logged_write
from ._form import urlencoded
from .drive import DriveError, DriveModel, drive_routes
from .drive import write as drive_write
from .slack import METHODS as SLACK_METHODS
from .slack import WRITES as SLACK_WRITES
from .slack import SlackError, SlackModel, slack_routes

if TYPE_CHECKING:
    from ..state import EmulatorConfig, EmulatorState

SYSTEMS = ("slack", "drive")
JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"


@dataclass(slots=True)
class Failure:
    """One injected failure: the next calls of ``method`` (shell wildcards) on ``system`` fail.

    Slack answers ``{"ok": false, "error": error}`` with ``status`` (200 as Slack does; 429 with
    ``Retry-After`` for ``ratelimited``). Drive answers ``status`` (500 by default) with Google's
    error body whose ``reason`` is ``error``. ``remaining`` None fires on every call.
    """

    system: str
    method: str
    error: str
    status: int
    remaining: int | None = None

    def render(self) -> dict[str, Any]:
        """The rule as the control plane shows it."""
        return {
            "system": self.system,
            "method": self.method,
            "error": self.error,
            "status": self.status,
            "count": self.remaining,
        }


class Standins:
    """Everything the stand-ins hold: the two models, issued Google tokens, injected failures."""

    def __init__(self, config: EmulatorConfig) -> None:
        self.config = config
        self.issued_google_tokens: set[str] = set()
        self.failures: list[Failure] = []
        self.slack = SlackModel(config.workspace_name, config.workspace_slug)
        self.drive = DriveModel()

    def reset(self) -> None:
        """Fresh, empty models and no failures (issued tokens stay valid)."""
        self.failures.clear()
        self.slack = SlackModel(self.config.workspace_name, self.config.workspace_slug)
        self.drive = DriveModel()

    def slack_token_ok(self, token: str) -> bool:
        """Whether the Slack stand-in accepts ``token``."""
        return token in self.config.api_keys or token in self.config.slack_tokens

    def google_token_ok(self, token: str) -> bool:
        """Whether the Drive stand-in accepts ``token``."""
        return (
            token in self.config.api_keys
            or token in self.config.google_tokens
            or token in self.issued_google_tokens
        )

    def issue_google_token(self) -> str:
        """A new access token, shaped like Google's (``ya29.`` ...), from ``clock``'s secrets."""
        token = "ya29.emulator-" + new_secret()
        self.issued_google_tokens.add(token)
        return token

    def replay(self, kind: str, params: dict[str, Any]) -> None:
        """Apply a logged stand-in write again (``--database``), through the routes' own code.

        ``kind`` is ``slack``, ``drive`` or ``google_token``; a write the model refuses now, or
        an unknown kind, raises ``ValueError`` (the log's replay reports it and goes on).
        """
        try:
            if kind == "slack" and params["method"] in SLACK_WRITES:
                SLACK_METHODS[params["method"]](self.slack, params["args"])
            elif kind == "drive":
                drive_write(self.drive, params["method"], params["file_id"], params["body"])
            elif kind == "google_token":
                self.issue_google_token()
            else:
                raise ValueError(f"unknown operation {kind} {params.get('method', '')}")
        except SlackError as err:
            raise ValueError(f"Slack answered {err.code}") from None
        except DriveError as err:
            raise ValueError(f"Drive answered {err.status} {err.reason}") from None

    def failure(self, system: str, method: str) -> Failure | None:
        """The injected failure that fires for this call, if any (and count it)."""
        for rule in self.failures:
            if rule.system != system or rule.remaining == 0:
                continue
            if fnmatch.fnmatchcase(method, rule.method):
                if rule.remaining is not None:
                    rule.remaining -= 1
                return rule
        return None


def standin_routes(state: EmulatorState) -> list[Route]:
    """Every stand-in route, the token endpoint and the failure control plane."""
    return [
        *slack_routes(state),
        *drive_routes(state),
        Route("/google/oauth2/token", _token_endpoint(state), methods=["POST"]),
        Route("/_emulator/standins/fail", _failures(state), methods=["GET", "POST", "DELETE"]),
    ]


# -- Google's OAuth token endpoint --------------------------------------------------------------


def _oauth_error(error: str, description: str) -> Response:
    # RFC 6749 section 5.2, as Google answers: 400 {"error", "error_description"}.
    return json_response({"error": error, "error_description": description}, 400)


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
        """Exchange a service account's signed JWT for an access token.

        The signature is not checked (the emulator cannot know the key's public half); the
        grant type, the JWT's shape, its issuer, scope and expiry are, as Google checks them.
        """
        form = await urlencoded(request)
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
            return _oauth_error(
                "invalid_scope", "Invalid OAuth scope or ID token audience provided."
            )
        exp = claims.get("exp")
        if not isinstance(exp, int | float) or exp < time.time():
            return _oauth_error(
                "invalid_grant",
                "Invalid JWT: Token must be a short-lived token and in a reasonable timeframe.",
            )
        # Kept with --database (the token is on the operation's tape): it outlives a restart.
        token = logged_write(state, "google_token", {}, state.standins.issue_google_token)
        return json_response({"access_token": token, "expires_in": 3599, "token_type": "Bearer"})

    return endpoint


# -- injected failures --------------------------------------------------------------------------


def _failures(state: EmulatorState) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        """GET lists, DELETE clears, POST adds ``{system, method?, error?, status?, count?}``.

        Failures are test controls, not state: never logged, so a restart (``--database``)
        starts without any, as it does without Attio's faults.
        """
        standins = state.standins
        if request.method == "GET":
            return json_response([f.render() for f in standins.failures])
        if request.method == "DELETE":
            cleared = len(standins.failures)
            standins.failures.clear()
            return json_response({"cleared": cleared})
        try:
            body = orjson.loads(await request.body() or b"{}")
        except orjson.JSONDecodeError as exc:
            return json_response({"error": f"the body is not valid JSON: {exc}"}, 400)
        try:
            rule = _failure(body)
        except ValueError as exc:
            return json_response({"error": str(exc)}, 400)
        standins.failures.append(rule)
        return json_response(rule.render())

    return endpoint


def _failure(body: Any) -> Failure:
    if not isinstance(body, dict):
        raise ValueError("the body must be a JSON object")
    system = body.get("system")
    if system not in SYSTEMS:
        raise ValueError(f'"system" must be one of {", ".join(SYSTEMS)}, not {system!r}')
    method = body.get("method", "*")
    if not isinstance(method, str) or not method:
        raise ValueError('"method" must be a method name such as "conversations.create" or "*"')
    error = body.get("error")
    if system == "slack":
        if not isinstance(error, str) or not error:
            raise ValueError(
                '"error" is required for Slack: a Slack error code such as "restricted_action"'
            )
        default_status = 429 if error == "ratelimited" else 200
    else:
        default_status = 500
    status = body.get("status", default_status)
    if isinstance(status, bool) or not isinstance(status, int) or not 200 <= status <= 599:
        raise ValueError(f'"status" must be an HTTP status (200-599), not {status!r}')
    if system == "drive":
        if status < 400:
            raise ValueError(
                f'"status" must be an HTTP error status (400-599) for Drive, not {status}'
            )
        if error is None:
            error = "backendError" if status >= 500 else "badRequest"
        if not isinstance(error, str) or not error:
            raise ValueError('"error" must be a Google error reason such as "backendError"')
    count = body.get("count")
    if count is not None and (isinstance(count, bool) or not isinstance(count, int) or count < 1):
        raise ValueError(f'"count" must be an integer of at least 1, not {count!r}')
    return Failure(system, method, str(error), status, count)
