"""The Slack stand-in's model: one workspace's channels (``SlackModel``); no HTTP.

Channel names are validated as ``conversations.create`` documents: lowercase letters, digits,
hyphens and underscores, at most 80 characters, and unique among all channels, archived ones
included. A fresh workspace has ``#general``, which cannot be archived.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from ...clock import now_ts, parse_ts

MAX_NAME = 80
VALID_NAME = re.compile(r"[a-z0-9_-]+")
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


@dataclass(slots=True)
class Message:
    """One message the bot posted."""

    channel: str
    ts: str
    text: str

    def render(self) -> dict[str, Any]:
        """Slack's message object as ``conversations.history`` lists it."""
        return {"type": "message", "user": BOT_USER, "text": self.text, "ts": self.ts}


class SlackModel:
    """One Slack workspace's channels and the messages posted in them; no HTTP."""

    def __init__(self, workspace_name: str, workspace_slug: str) -> None:
        self.team = workspace_name
        self.team_id = "T0EMULATOR"
        self.url = f"https://{workspace_slug}.slack.com/"
        self.channels: dict[str, Channel] = {}
        self.messages: list[Message] = []
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

    def find(self, channel: str) -> Channel:
        """The channel named by id, by name or by ``#name``, as ``chat.postMessage`` accepts."""
        if channel in self.channels:
            return self.channels[channel]
        name = channel.removeprefix("#")
        for candidate in self.channels.values():
            if candidate.name == name:
                return candidate
        raise SlackError("channel_not_found")

    def post(self, channel: str, text: str) -> Message:
        """Post ``text`` to a channel (``channel_not_found``, ``is_archived``, ``no_text``)."""
        if not text:
            raise SlackError("no_text")
        target = self.find(channel)
        if target.is_archived:
            raise SlackError("is_archived")
        # Slack's ts: seconds and a six-digit sequence, unique within the channel.
        seconds = int(parse_ts(now_ts()).timestamp())
        message = Message(target.id, f"{seconds}.{len(self.messages) + 1:06d}", text)
        self.messages.append(message)
        return message

    def history(self, channel: str) -> list[Message]:
        """A channel's messages, newest first."""
        target = self.get(channel)
        return [m for m in reversed(self.messages) if m.channel == target.id]
