"""The meeting-note workflow: a note with a meeting's title, date, attendees and Markdown
content on a company, person or deal (any object), safe to re-run.

A meeting is the same when its note sits on the same record with the same title and date. Attio
notes cannot be edited, so a re-run with other notes (or other attendees) cannot change the
note: ``MeetingNote.differs`` says so, and the caller decides (the CLI refuses, naming how to
replace the note).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from ..client.models import Note
from ..services import ServiceError, Services
from ._activity import ensure_note

__all__ = ["MeetingNote", "meeting_markdown", "record_meeting_note"]


@dataclass(frozen=True)
class MeetingNote:
    """The meeting's note, whether this run ``created`` it, and, for a note found, whether its
    content ``differs`` from what this run was given (then the given notes are stored
    nowhere: the note must be deleted and the meeting recorded again, or given another
    title)."""

    note: Note
    created: bool
    differs: bool = False


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


def _same_text(a: str, b: str) -> bool:
    # Attio may re-space Markdown it stores (trailing newlines, blank lines): words decide.
    return a.split() == b.split()


def record_meeting_note(
    services: Services,
    parent_object: str,
    record_id: str,
    title: str,
    when: date | datetime,
    attendees: Sequence[str],
    content_markdown: str,
) -> MeetingNote:
    """The meeting note on the record ``record_id`` of ``parent_object`` (e.g. "companies",
    "people", "deals"): titled ``title``, dated ``when`` (the note is backdated to it),
    listing ``attendees`` and holding ``content_markdown``.

    Running it again for the same record, title and date writes nothing and returns the note
    already there (``created`` False); ``differs`` is True when that note's content is not
    what this call would have written (other notes or attendees), which are then stored
    nowhere. Empty content, an empty title or a meeting in the future raise ``ServiceError``
    (Attio cannot date a note ahead), before anything is written."""
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
    body = meeting_markdown(when, attendees, content_markdown)
    note, created = ensure_note(
        services,
        parent_object,
        record_id,
        title,
        body,
        marker=f"Date: {_when_text(when)}",
        created_at=when,
    )
    return MeetingNote(note, created, not created and not _same_text(note.content_markdown, body))
