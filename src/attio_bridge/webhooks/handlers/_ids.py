"""Reading the ids out of an Attio event: ``event.payload["id"]`` holds them (IDs only)."""

from __future__ import annotations

from typing import Any

from ...errors import InvalidInputError
from ..events import Event

__all__ = ["event_id", "payload_field"]


def event_id(event: Event, name: str) -> str:
    """The id ``name`` (``record_id``, ``object_id`` ...) of ``event``; ``InvalidInputError``
    (not retried: the event will not change) when it has none."""
    ids: Any = event.payload.get("id")
    value = ids.get(name) if isinstance(ids, dict) else None
    if not isinstance(value, str) or not value:
        raise InvalidInputError(f"{event.type} event has no id.{name}: {event.payload!r:.200}")
    return value


def payload_field(event: Event, name: str) -> str | None:
    """A top-level string field of the event (``parent_record_id``, ``duplicate_record_id``)."""
    value = event.payload.get(name)
    return value if isinstance(value, str) and value else None
