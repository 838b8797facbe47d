"""The Slack stand-in: a workspace's channels (``SlackModel``) and Slack's Web API routes.

Shapes follow Slack's method reference (docs.slack.dev/reference/methods/...): every answer is
HTTP 200 with ``{"ok": true, ...}`` or ``{"ok": false, "error": code}``; arguments come as query
parameters, a form body or a JSON body; the token as ``Authorization: Bearer`` (or a ``token``
argument). Channel names are validated as ``conversations.create`` documents: lowercase letters,
digits, hyphens and underscores, at most 80 characters, and unique among all channels, archived
ones included. A fresh workspace has ``#general``, which cannot be archived.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ..clock import now_ts, parse_ts
from ..http import json_response
from ..persistence import logged_write
from ._form import urlencoded

if TYPE_CHECKING:
    from ..state import EmulatorState

MAX_NAME = 80
VALID_NAME = re.compile(r"[a-z0-9_-]+")
CHANNEL_TYPES = ("public_channel", "private_channel", "mpim", "im")
BOT_USER = "U0EMULATOR"


class SlackError(Exception):
    """A Slack error code, answered as ``{"ok": false, "error": code}``."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(slots=True)
class Channel:
    """One channel as the model keeps it."""

    id: str
    name: str
    is_private: bool
    created: int
    creator: str
    is_general: bool = False
    is_archived: bool = False
    previous_names: list[str] = field(default_factory=list)

    def render(self) -> dict[str, Any]:
        """Slack's conversation object (the fields a bot sees)."""
        return {
            "id": self.id,
            "name": self.name,
            "is_channel": True,
            "is_group": False,
            "is_im": False,
            "is_mpim": False,
            "is_private": self.is_private,
            "created": self.created,
            "creator": self.creator,
            "is_archived": self.is_archived,
            "is_general": self.is_general,
            "unlinked": 0,
            "name_normalized": self.name,
            "is_shared": False,
            "is_org_shared": False,
            "is_ext_shared": False,
            "is_member": True,
            "topic": {"value": "", "creator": "", "last_set": 0},
            "purpose": {"value": "", "creator": "", "last_set": 0},
            "previous_names": list(self.previous_names),
            "num_members": 1,
        }


def validate_name(name: str) -> None:
    """Raise Slack's ``invalid_name_*`` code when ``name`` is not a valid channel name."""
    if not name:
        raise SlackError("invalid_name_required")
    if len(name) > MAX_NAME:
        raise SlackError("invalid_name_maxlength")
    if not VALID_NAME.fullmatch(name):
        raise SlackError("invalid_name_specials")
    if not re.search(r"[a-z0-9]", name):
        raise SlackError("invalid_name_punctuation")


class SlackModel:
    """One Slack workspace's channels; no HTTP."""

    def __init__(self, workspace_name: str, workspace_slug: str) -> None:
        self.team = workspace_name
        self.team_id = "T0EMULATOR"
        self.url = f"https://{workspace_slug}.slack.com/"
        self.channels: dict[str, Channel] = {}
        self._next = 1
        general = self.create("general", is_private=False)
        general.is_general = True

    def _new_id(self) -> str:
        channel_id = f"C{self._next:08X}"
        self._next += 1
        return channel_id

    def create(self, name: str, *, is_private: bool) -> Channel:
        """A new channel; Slack's ``invalid_name_*`` or ``name_taken`` codes otherwise."""
        validate_name(name)
        if any(c.name == name for c in self.channels.values()):
            raise SlackError("name_taken")
        # The time comes from clock so that a replay (--database) gives the same "created".
        created = int(parse_ts(now_ts()).timestamp())
        channel = Channel(self._new_id(), name, is_private, created, BOT_USER)
        self.channels[channel.id] = channel
        return channel

    def get(self, channel_id: str) -> Channel:
        """The channel ``channel_id``; ``channel_not_found`` otherwise."""
        channel = self.channels.get(channel_id)
        if channel is None:
            raise SlackError("channel_not_found")
        return channel

    def archive(self, channel_id: str) -> None:
        """Archive a channel (``already_archived``, ``cant_archive_general`` as Slack answers)."""
        channel = self.get(channel_id)
        if channel.is_general:
            raise SlackError("cant_archive_general")
        if channel.is_archived:
            raise SlackError("already_archived")
        channel.is_archived = True

    def page(
        self, types: set[str], exclude_archived: bool, limit: int, after: str | None
    ) -> tuple[list[Channel], str | None]:
        """One page of channels in creation order, and the id the next page starts at."""
        wanted = [
            c
            for c in self.channels.values()
            if ("private_channel" if c.is_private else "public_channel") in types
            and not (exclude_archived and c.is_archived)
        ]
        start = 0
        if after is not None:
            ids = [c.id for c in wanted]
            if after not in ids:
                raise SlackError("invalid_cursor")
            start = ids.index(after)
        chunk = wanted[start : start + limit]
        rest = wanted[start + limit : start + limit + 1]
        return chunk, rest[0].id if rest else None


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


METHODS: dict[str, Callable[[SlackModel, dict[str, Any]], dict[str, Any]]] = {
    "auth.test": _auth_test,
    "conversations.create": _create,
    "conversations.info": _info,
    "conversations.archive": _archive,
    "conversations.list": _list,
}
# The methods that change the model: logged with --database and replayed on startup.
WRITES = frozenset({"conversations.create", "conversations.archive"})


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


def slack_routes(state: EmulatorState) -> list[Route]:
    """The ``/slack/api/{method}`` route serving ``METHODS`` on ``state.standins.slack``."""

    async def endpoint(request: Request) -> Response:
        started = time.perf_counter()
        method = request.path_params["method"]
        response = await _answer(state, request, method)
        state.journal.record(request, f"slack {method}", response.status_code, started)
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
    if not state.standins.slack_token_ok(token):
        return json_response({"ok": False, "error": "invalid_auth"})
    delay = state.latency_s()
    if delay > 0:
        await asyncio.sleep(delay)
    failure = state.standins.failure("slack", method)
    if failure is not None:
        headers = {"Retry-After": "1"} if failure.status == 429 else None
        return json_response({"ok": False, "error": failure.error}, failure.status, headers)
    try:
        if method in WRITES:
            # Kept with --database once it succeeded: the arguments (never the token), replayed
            # through the same handler by Standins.replay.
            params = {"method": method, "args": args}
            result = logged_write(
                state, "slack", params, lambda: handler(state.standins.slack, args)
            )
        else:
            result = handler(state.standins.slack, args)
    except SlackError as err:
        return json_response({"ok": False, "error": err.code})
    return json_response({"ok": True, **result})
