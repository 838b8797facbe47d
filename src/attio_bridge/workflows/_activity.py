"""Find-or-create for the notes and tasks the sales workflows write, so that running a
workflow again finds what an earlier run made instead of writing it twice.

A note is the same when it sits on the same record with the same title and its plain text
contains a given marker; a task is the same when it is linked to the same record, has the same
text and is not completed.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from ..client.models import Note, Task
from ..services import ServiceError, Services

__all__ = ["check_assignees", "ensure_note", "ensure_task", "find_note", "find_task"]


def find_note(
    services: Services, parent_object: str, record_id: str, title: str, marker: str = ""
) -> Note | None:
    """The note on the record titled ``title`` whose plain text contains ``marker``."""
    client = services.context.client
    for note in client.notes.iter(parent_object=parent_object, parent_record_id=record_id):
        if note.title == title and marker in note.content_plaintext:
            return note
    return None


def ensure_note(
    services: Services,
    parent_object: str,
    record_id: str,
    title: str,
    content_markdown: str,
    *,
    marker: str = "",
    created_at: date | datetime | str | None = None,
) -> tuple[Note, bool]:
    """The note (found by ``find_note`` or created in Markdown) and whether it was created."""
    found = find_note(services, parent_object, record_id, title, marker)
    if found is not None:
        return found, False
    note = services.notes.create(
        parent_object, record_id, title, content_markdown, markdown=True, created_at=created_at
    )
    return note, True


def find_task(services: Services, object: str, record_id: str, content: str) -> Task | None:
    """The open task linked to the record whose text is ``content``."""
    client = services.context.client
    for task in client.tasks.iter(
        linked_object=object, linked_record_id=record_id, is_completed=False
    ):
        if task.content_plaintext == content:
            return task
    return None


def ensure_task(
    services: Services,
    object: str,
    record_id: str,
    content: str,
    *,
    assignees: Iterable[str] = (),
    due: date | datetime | str | None = None,
) -> tuple[Task, bool]:
    """The open task (found by ``find_task`` or created) and whether it was created."""
    found = find_task(services, object, record_id, content)
    if found is not None:
        return found, False
    task = services.tasks.create(
        content, linked_records=[(object, record_id)], assignees=assignees, due=due
    )
    return task, True


def check_assignees(services: Services, emails: Iterable[str]) -> None:
    """Raise ``ServiceError`` naming the workspace's members if an email is none of them, so a
    workflow fails before its first write rather than half-way."""
    _, problems = services.context.member_ids("assignees", emails)
    if problems:
        raise ServiceError("; ".join(str(p) for p in problems))
