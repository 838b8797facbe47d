"""The meeting-note workflow: a note with a meeting's title, date, attendees and Markdown
content on a company, person or deal (any object), safe to re-run.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from ..client.models import Note
from ..services import ServiceError, Services
from ._activity import ensure_note

__all__ = ["meeting_markdown", "record_meeting_note"]


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


def record_meeting_note(
    services: Services,
    parent_object: str,
    record_id: str,
    title: str,
    when: date | datetime,
    attendees: Sequence[str],
    content_markdown: str,
) -> Note:
    """The meeting note on the record ``record_id`` of ``parent_object`` (e.g. "companies",
    "people", "deals"): titled ``title``, dated ``when`` (the note is backdated to it),
    listing ``attendees`` and holding ``content_markdown``.

    Running it again for the same record, title and date returns the note already written.
    A meeting in the future raises ``ServiceError`` (Attio cannot date a note ahead)."""
    if not title.strip():
        raise ServiceError("a meeting note needs a title")
    stamp = when if isinstance(when, datetime) else datetime(when.year, when.month, when.day)
    now = datetime.now(stamp.tzinfo) if stamp.tzinfo else datetime.now()
    if stamp > now:
        raise ServiceError(
            f"the meeting {title!r} is dated {_when_text(when)}, in the future; "
            "record its note once it has happened"
        )
    note, _ = ensure_note(
        services,
        parent_object,
        record_id,
        title,
        meeting_markdown(when, attendees, content_markdown),
        marker=f"Date: {_when_text(when)}",
        created_at=when,
    )
    return note
