"""The Slack stand-in's routes: Slack's Web API at ``/slack/api/{method}``.

Shapes follow Slack's method reference (docs.slack.dev/reference/methods/...): every answer is
HTTP 200 with ``{"ok": true, ...}`` or ``{"ok": false, "error": code}``; arguments come as query
parameters, a form body or a JSON body; the token as ``Authorization: Bearer`` (or a ``token``
argument). Methods: ``auth.test``, ``conversations.create|list|info|archive|history``,
``chat.postMessage``. Tokens: the
emulator's Attio API keys (``EmulatorConfig.api_keys``) and ``EmulatorConfig.slack_tokens``.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from ...http import json_response
from ...persistence import logged_write
from .._form import urlencoded
from .model import BOT_USER, SlackError, SlackModel

if TYPE_CHECKING:
    from ...state import EmulatorState

NAME = "slack"  # the registry's key: failure rules' system, the operation log's kind
CHANNEL_TYPES = ("public_channel", "private_channel", "mpim", "im")


# -- HTTP ---------------------------------------------------------------------------------------


def _cursor(channel_id: str) -> str:
    # Slack's cursors are opaque base64 strings such as "dGVhbTpDMDYxRkE1UEI=" ("team:C061FA5PB").
    return base64.b64encode(f"channel:{channel_id}".encode()).decode()


def _uncursor(cursor: str) -> str:
    try:
        kind, _, channel_id = base64.b64decode(cursor, validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        raise SlackError("invalid_cursor") from None
    if kind != "channel" or not channel_id:
        raise SlackError("invalid_cursor")
    return channel_id


def _flag(args: dict[str, Any], name: str, default: bool = False) -> bool:
    value = args.get(name)
    if value is None or value == "":
        return default
    if isinstance(value, bool):
        return value
    return str(value).lower() in ("1", "true")


def _required(args: dict[str, Any], name: str) -> str:
    value = args.get(name)
    if value is None or value == "":
        raise SlackError("invalid_arguments" if name != "name" else "invalid_name_required")
    return str(value)


def _auth_test(model: SlackModel, args: dict[str, Any]) -> dict[str, Any]:
    return {
        "url": model.url,
        "team": model.team,
        "user": "attio-bridge",
        "team_id": model.team_id,
        "user_id": BOT_USER,
        "bot_id": "B0EMULATOR",
        "is_enterprise_install": False,
    }


def _create(model: SlackModel, args: dict[str, Any]) -> dict[str, Any]:
    name = args.get("name")
    channel = model.create("" if name is None else str(name), is_private=_flag(args, "is_private"))
    return {"channel": channel.render()}


def _info(model: SlackModel, args: dict[str, Any]) -> dict[str, Any]:
    return {"channel": model.get(_required(args, "channel")).render()}


def _archive(model: SlackModel, args: dict[str, Any]) -> dict[str, Any]:
    model.archive(_required(args, "channel"))
    return {}


def _list(model: SlackModel, args: dict[str, Any]) -> dict[str, Any]:
    raw_types = str(args.get("types") or "public_channel")
    types = {t.strip() for t in raw_types.split(",") if t.strip()}
    if not types or not types <= set(CHANNEL_TYPES):
        raise SlackError("invalid_types")
    try:
        limit = int(args.get("limit") or 100)
    except (TypeError, ValueError):
        raise SlackError("invalid_limit") from None
    limit = max(1, min(limit, 1000))  # Slack documents "an integer under 1000"
    cursor = args.get("cursor") or None
    after = _uncursor(str(cursor)) if cursor else None
    chunk, next_id = model.page(types, _flag(args, "exclude_archived"), limit, after)
    return {
        "channels": [c.render() for c in chunk],
        "response_metadata": {"next_cursor": _cursor(next_id) if next_id else ""},
    }


def _post(model: SlackModel, args: dict[str, Any]) -> dict[str, Any]:
    message = model.post(_required(args, "channel"), str(args.get("text") or ""))
    return {"channel": message.channel, "ts": message.ts, "message": message.render()}


def _history(model: SlackModel, args: dict[str, Any]) -> dict[str, Any]:
    messages = model.history(_required(args, "channel"))
    return {"messages": [m.render() for m in messages], "has_more": False}


METHODS: dict[str, Callable[[SlackModel, dict[str, Any]], dict[str, Any]]] = {
    "auth.test": _auth_test,
    "conversations.create": _create,
    "conversations.info": _info,
    "conversations.archive": _archive,
    "conversations.list": _list,
    "conversations.history": _history,
    "chat.postMessage": _post,
}
# The methods that change the model: logged with --database and replayed on startup.
WRITES = frozenset({"conversations.create", "conversations.archive", "chat.postMessage"})


async def _arguments(request: Request) -> dict[str, Any]:
    """Query parameters merged with a form or JSON body, as Slack accepts them."""
    args: dict[str, Any] = dict(request.query_params)
    if request.method != "POST":
        return args
    content_type = request.headers.get("content-type", "")
    if content_type.startswith("application/json"):
        raw = await request.body()
        if raw.strip():
            try:
                body = orjson.loads(raw)
            except orjson.JSONDecodeError:
                raise SlackError("invalid_json") from None
            if not isinstance(body, dict):
                raise SlackError("json_not_object")
            args.update(body)
    elif content_type.startswith("multipart/"):
        raise SlackError("invalid_form_data")  # file uploads: not a method the stand-in serves
    else:
        args.update(await urlencoded(request))
    return args


def _token(request: Request, args: dict[str, Any]) -> str | None:
    # Popped whichever way the token came, so that the arguments a write logs never hold it.
    value = args.pop("token", None)
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    return str(value) if value else None


def token_ok(state: EmulatorState, token: str) -> bool:
    """Whether the Slack stand-in accepts ``token``."""
    config = state.config
    return token in config.api_keys or token in config.slack_tokens


def replay(model: SlackModel, params: dict[str, Any]) -> None:
    """Apply a logged write (``{"method", "args"}``) again, through the route's own handler."""
    method = params["method"]
    if method not in WRITES:
        raise ValueError(f"{method} is not a Slack write")
    try:
        METHODS[method](model, params["args"])
    except SlackError as err:
        raise ValueError(f"Slack answered {err.code}") from None


def slack_routes(state: EmulatorState) -> list[BaseRoute]:
    """The ``/slack/api/{method}`` route serving ``METHODS`` on the live ``SlackModel``."""

    async def endpoint(request: Request) -> Response:
        started = time.perf_counter()
        method = request.path_params["method"]
        response = await _answer(state, request, method)
        state.journal.record(request, f"{NAME} {method}", response.status_code, started)
        return response

    return [Route("/slack/api/{method}", endpoint, methods=["GET", "POST"])]


async def _answer(state: EmulatorState, request: Request, method: str) -> Response:
    handler = METHODS.get(method)
    if handler is None:
        return json_response({"ok": False, "error": "unknown_method", "req_method": method}, 404)
    try:
        args = await _arguments(request)
    except SlackError as err:
        return json_response({"ok": False, "error": err.code})
    token = _token(request, args)
    if token is None:
        return json_response({"ok": False, "error": "not_authed"})
    if not token_ok(state, token):
        return json_response({"ok": False, "error": "invalid_auth"})
    delay = state.latency_s()
    if delay > 0:
        await asyncio.sleep(delay)
    failure = state.standins.failure(NAME, method)
    if failure is not None:
        headers = {"Retry-After": "1"} if failure.status == 429 else None
        return json_response({"ok": False, "error": failure.error}, failure.status, headers)
    try:
        if method in WRITES:
            # Kept with --database once it succeeded: the arguments (never the token), replayed
            # through the same handler by replay().
            params = {"method": method, "args": args}
            result = logged_write(
                state, NAME, params, lambda: handler(state.standins.model(NAME, SlackModel), args)
            )
        else:
            result = handler(state.standins.model(NAME, SlackModel), args)
    except SlackError as err:
        return json_response({"ok": False, "error": err.code})
    return json_response({"ok": True, **result})
