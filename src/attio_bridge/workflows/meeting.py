"""The meeting-note workflow, sync: ``record_meeting_note`` puts a note with a meeting's title,
date, attendees and Markdown content on a record, safe to re-run (see ``_async/meeting.py``,
the one hand-written copy; this one is generated from it, and ``aio`` has the async one)."""

from ._model.meeting import MeetingNote, meeting_markdown
from ._sync.meeting import record_meeting_note

__all__ = ["MeetingNote", "meeting_markdown", "record_meeting_note"]
