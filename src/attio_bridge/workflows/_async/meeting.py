"""The meeting-note workflow: a note with a meeting's title, date, attendees and Markdown
content on a company, person or deal (any object), safe to re-run.

A meeting is the same when its note sits on the same record with the same title and date. A
re-run with other notes (or other attendees) edits that note in place (Attio notes can be
edited since 2026-08-25), so the note keeps its id, its date and its place on the record;
``MeetingNote.updated`` says so.
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

    Running it again for the same record, title and date returns the note already there
    (``created`` False): unchanged when it already says this (re-spacing aside), else with its
    content replaced in place by what this call was given (``updated`` True). Empty content,
    an empty title or a meeting in the future raise ``ServiceError`` (Attio cannot date a note
    ahead), before anything is written."""
    check_meeting(title, when, content_markdown)
    body = meeting_markdown(when, attendees, content_markdown)
    note, created = await services.notes.ensure(
        parent_object, record_id, title, body, marker=meeting_marker(when), created_at=when
    )
    if created or same_text(note.content_markdown, body):
        return MeetingNote(note, created)
    edited = await services.notes.update(note.id["note_id"], content=body, markdown=True)
    return MeetingNote(edited, created=False, updated=True)
