"""The meeting-note workflow: a note with a meeting's title, date, attendees and Markdown
content on a company, person or deal (any object), safe to re-run.

A meeting is the same when its note sits on the same record with the same title and date. Attio
notes cannot be edited, so a re-run with other notes (or other attendees) cannot change the
note: ``MeetingNote.differs`` says so, and the caller decides (the CLI refuses, naming how to
replace the note).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from ...services import AsyncServices
from .._model.meeting import (
    MeetingNote,
    check_meeting,
    meeting_markdown,
    meeting_marker,
    same_text,
)

__all__ = ["record_meeting_note"]


async def record_meeting_note(
    services: AsyncServices,
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
    check_meeting(title, when, content_markdown)
    body = meeting_markdown(when, attendees, content_markdown)
    note, created = await services.notes.ensure(
        parent_object, record_id, title, body, marker=meeting_marker(when), created_at=when
    )
    return MeetingNote(note, created, not created and not same_text(note.content_markdown, body))
