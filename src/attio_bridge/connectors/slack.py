"""The Slack connector: find, create and archive channels, and post messages, through
``slack_sdk``'s ``WebClient``.

Configuration comes from the caller or the environment (``SLACK_BOT_TOKEN``, ``SLACK_API_URL``).
Every Slack failure (an ``{"ok": false, "error": ...}`` answer, an HTTP or connection error)
becomes a ``ConnectorError`` whose ``code`` is Slack's error code, or ``connection``.
"""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler
from slack_sdk.web import SlackResponse

from ..errors import InvalidInputError
from ._errors import ConnectorError

SYSTEM = "slack"
DEFAULT_API_URL = WebClient.BASE_URL  # "https://slack.com/api/"
MAX_NAME = 80  # Slack: "must be 80 characters or less"
PAGE_SIZE = 200  # Slack recommends no more than 200 per conversations.list page

# Slack's codes for a token it does not accept, and what to tell the user for each group.
_AUTH_CODES = {"invalid_auth", "not_authed", "account_inactive", "token_revoked", "token_expired"}


@dataclass(frozen=True)
class SlackChannel:
    """A Slack channel: its id, name and a link that opens it in Slack."""

    id: str
    name: str
    url: str


def channel_name(text: str, prefix: str = "internal-") -> str:
    """A valid Slack channel name for ``text``: ``"Acme, Inc."`` -> ``"internal-acme-inc"``.

    Slack allows lowercase letters, digits, hyphens and underscores, at most 80 characters.
    Accents are folded (``"Café"`` -> ``"cafe"``), every other run of characters becomes one
    hyphen. Raises ``InvalidInputError`` (a ``ValueError``) when ``text`` has no letter or digit
    to build a name from.
    """
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9_]+", "-", folded.lower()).strip("-_")
    if not slug:
        raise InvalidInputError(
            f"cannot build a Slack channel name from {text!r}: it has no letter or digit"
        )
    name = (prefix + slug)[:MAX_NAME].rstrip("-_")
    return name


class SlackConnector:
    """Channels in one Slack workspace, through a bot token.

    ``base_url`` is the Web API root, ``https://slack.com/api/`` by default; the emulator serves
    its stand-in at ``http://HOST:PORT/slack/api/``.
    """

    def __init__(self, token: str, *, base_url: str | None = None) -> None:
        if not token or not token.strip():
            raise ConnectorError(
                SYSTEM,
                "not_configured",
                "no Slack token given: set SLACK_BOT_TOKEN to the bot token (xoxb-...) of the "
                "Slack app installed in the workspace",
            )
        url = base_url or DEFAULT_API_URL
        self.base_url = url if url.endswith("/") else url + "/"
        self._client = WebClient(token=token.strip(), base_url=self.base_url, timeout=30)
        # Slack answers 429 with Retry-After before doing anything, so every method may wait and
        # try again; slack_sdk's handler does it (connection errors: its default handler).
        self._client.retry_handlers.append(RateLimitErrorRetryHandler(max_retry_count=2))
        self._team: tuple[str, str] | None = None  # (team_id, workspace url) from auth.test

    def __repr__(self) -> str:
        return f"SlackConnector(base_url={self.base_url!r})"

    @classmethod
    def from_env(cls) -> SlackConnector:
        """A connector from ``SLACK_BOT_TOKEN`` and, optionally, ``SLACK_API_URL``."""
        token = os.environ.get("SLACK_BOT_TOKEN", "")
        if not token.strip():
            raise ConnectorError(
                SYSTEM,
                "not_configured",
                "SLACK_BOT_TOKEN is not set: set it to the bot token (xoxb-...) of the Slack app "
                "installed in the workspace",
            )
        return cls(token, base_url=os.environ.get("SLACK_API_URL") or None)

    # -- operations ----------------------------------------------------------------------------

    def find_channel(self, name: str) -> SlackChannel | None:
        """The unarchived channel called ``name`` that the bot can see, or None."""
        cursor: str | None = None
        while True:
            page = self._call(
                "conversations.list",
                lambda c, cursor=cursor: c.conversations_list(  # type: ignore[misc]
                    cursor=cursor,
                    exclude_archived=True,
                    limit=PAGE_SIZE,
                    types="public_channel,private_channel",
                ),
            )
            for channel in page.get("channels") or []:
                if channel.get("name") == name and not channel.get("is_archived"):
                    return self._channel(channel)
            cursor = (page.get("response_metadata") or {}).get("next_cursor") or None
            if not cursor:
                return None

    def create_channel(self, name: str, *, private: bool = False) -> SlackChannel:
        """Create channel ``name``; when the name is taken, the existing channel of that name."""
        try:
            answer = self._call(
                "conversations.create",
                lambda c: c.conversations_create(name=name, is_private=private),
            )
        except ConnectorError as err:
            if err.code != "name_taken":
                raise
            existing = self.find_channel(name)
            if existing is None:
                # Slack keeps names of archived channels (and private ones the bot is not in).
                raise ConnectorError(
                    SYSTEM,
                    "name_taken",
                    f"Slack channel #{name} exists but is archived or not visible to the bot: "
                    "unarchive it (or invite the bot) in Slack, or choose another name",
                ) from None
            return existing
        return self._channel(answer["channel"])

    def archive_channel(self, channel_id: str) -> None:
        """Archive channel ``channel_id``; a channel already archived is left as it is."""
        try:
            self._call(
                "conversations.archive", lambda c: c.conversations_archive(channel=channel_id)
            )
        except ConnectorError as err:
            if err.code != "already_archived":
                raise

    def post_message(self, channel: str, text: str) -> str:
        """Post ``text`` to ``channel`` (an id, or a name with or without ``#``); the message's
        ``ts``. The bot must be a member of a private channel (``not_in_channel`` otherwise)."""
        answer = self._call(
            "chat.postMessage", lambda c: c.chat_postMessage(channel=channel, text=text)
        )
        return str(answer.get("ts", ""))

    # -- plumbing ------------------------------------------------------------------------------

    def _channel(self, raw: dict[str, Any]) -> SlackChannel:
        team_id, _ = self._team_info()
        channel_id = str(raw["id"])
        return SlackChannel(
            id=channel_id,
            name=str(raw["name"]),
            url=f"https://app.slack.com/client/{team_id}/{channel_id}",
        )

    def _team_info(self) -> tuple[str, str]:
        if self._team is None:
            answer = self._call("auth.test", lambda c: c.auth_test())
            self._team = (str(answer["team_id"]), str(answer.get("url", "")))
        return self._team

    def _call(self, method: str, send: Callable[[WebClient], SlackResponse]) -> dict[str, Any]:
        """Send one Web API call; any failure becomes a ``ConnectorError``."""
        try:
            response = send(self._client)
        except SlackApiError as exc:
            data = exc.response.data if isinstance(exc.response.data, dict) else {}
            code = str(data.get("error") or f"http_{exc.response.status_code}")
            status = exc.response.status_code
            message = _explain(method, code, data)
            raise ConnectorError(SYSTEM, code, message, status=status) from None
        except (SlackClientError, OSError) as exc:
            # urllib's URLError is an OSError; neither carries the token.
            raise ConnectorError(
                SYSTEM,
                "connection",
                f"could not reach Slack at {self.base_url} for {method} ({_reason(exc)}): check "
                "SLACK_API_URL and the network, then run again",
            ) from None
        raw = response.data
        if not isinstance(raw, dict):
            raise ConnectorError(
                SYSTEM,
                "unexpected_response",
                f"Slack {method} did not answer with JSON: check SLACK_API_URL points at the "
                "Web API (https://slack.com/api/)",
            )
        return raw


def _reason(exc: BaseException) -> str:
    reason = getattr(exc, "reason", None)
    return str(reason if reason is not None else exc) or type(exc).__name__


def _explain(method: str, code: str, data: dict[str, Any]) -> str:
    """One line saying what Slack refused and what to do about it."""
    if code in _AUTH_CODES:
        return (
            f"Slack refused the token ({code}) on {method}: set SLACK_BOT_TOKEN to a valid bot "
            "token (xoxb-...) of an app installed in the workspace"
        )
    if code == "missing_scope":
        needed = data.get("needed") or "the missing scope"
        return (
            f"the Slack app lacks a scope for {method} (needs {needed}): add it under OAuth & "
            "Permissions, reinstall the app and use the new token"
        )
    if code == "ratelimited":
        return f"Slack rate-limited {method}: wait a minute and run again"
    if code.startswith("invalid_name"):
        return (
            f"Slack rejected the channel name ({code}): use lowercase letters, digits, hyphens "
            "and underscores, at most 80 characters (channel_name() builds one)"
        )
    if code == "channel_not_found":
        return f"Slack has no channel with that id ({method}), or the bot cannot see it"
    if code in ("not_in_channel", "is_archived"):
        return (
            f"Slack refused {method} ({code}): invite the bot to the channel (/invite "
            "@your-app), unarchive it, or choose another channel"
        )
    return f"Slack {method} failed with {code}: see https://api.slack.com/methods/{method}"
