"""The meeting note without I/O: its result (``MeetingNote``), its body and the checks made
before anything is written."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from ...client.models import Note
from ...services import ServiceError

__all__ = ["MeetingNote", "check_meeting", "meeting_markdown", "meeting_marker", "same_text"]


@dataclass(frozen=True)
class MeetingNote:
    """The meeting's note, whether this run ``created`` it, and, for a note found, whether this
    run ``updated`` it in place because its content differed from what this run was given
    (other notes or attendees)."""

    note: Note
    created: bool
    updated: bool = False


def _when_text(when: date | datetime) -> str:
    if isinstance(when, datetime):
        text = when.strftime("%Y-%m-%d %H:%M")
        zone = when.tzname()
        return f"{text} {zone}" if zone else text
    return when.isoformat()


def meeting_markdown(when: date | datetime, attendees: Sequence[str], content_markdown: str) -> str:
    """The note body: a date line, the attendees as a list, then ``content_markdown``."""
    lines = [f"**Date:** {_when_text(when)}", "", "**Attendees:**", ""]
    lines += [f"- {a}" for a in attendees] or ["- (none recorded)"]
    return "\n".join(lines) + "\n\n" + content_markdown.strip() + "\n"


def meeting_marker(when: date | datetime) -> str:
    """The text by which a re-run finds the meeting's note: its date line."""
    return f"Date: {_when_text(when)}"


def same_text(a: str, b: str) -> bool:
    """Whether two note bodies say the same: Attio may re-space Markdown it stores (trailing
    newlines, blank lines), so words decide."""
    return a.split() == b.split()


def check_meeting(title: str, when: date | datetime, content_markdown: str) -> None:
    """``ServiceError`` for an empty title or content, or a meeting in the future (Attio
    cannot date a note ahead)."""
    if not title.strip():
        raise ServiceError("a meeting note needs a title")
    if not content_markdown.strip():
        raise ServiceError(f"the meeting {title!r} has no notes: give its content")
    stamp = when if isinstance(when, datetime) else datetime(when.year, when.month, when.day)
    now = datetime.now(stamp.tzinfo) if stamp.tzinfo else datetime.now()
    if stamp > now:
        raise ServiceError(
            f"the meeting {title!r} is dated {_when_text(when)}, in the future; "
            "record its note once it has happened"
        )
