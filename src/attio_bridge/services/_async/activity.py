"""Notes on records (Markdown or plain text, backdated if asked) and tasks (linked records,
assignees by member email, deadlines from ``attio_bridge.services.deadlines``).

Notes are read through the cache (kind "notes"); a note created here is stored there at once."""

from __future__ import annotations

import builtins
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from ...cache import JSON, CacheKind
from ...client import NOT_GIVEN
from ...client.models import Note, Record, Task
from ...values import Problem
from .._common import (
    TASK_CONTENT_MAX,
    find_target,
    iso_timestamp,
    linked_record,
    raise_problems,
    record_id_of,
)
from .context import AsyncContext

Moment = date | datetime | str


class AsyncNotes:
    """Notes: ``create``, ``get``."""

    def __init__(self, context: AsyncContext) -> None:
        self._ctx = context
        self.schema = context.schema

    async def create(
        self,
        parent: str,
        record: str | Record,
        title: str,
        content: str,
        *,
        markdown: bool = False,
        created_at: Moment | None = None,
    ) -> Note:
        """A note on the record (id or ``Record``) of object ``parent`` (slug or id):
        ``content`` in Markdown when ``markdown=True`` (headings, lists, bold, italic, links),
        else plain text; ``created_at`` backdates it (a datetime, date or ISO string; naive
        means the options' time zone; not before 1970 nor in the future)."""
        target = find_target(await self._ctx.workspace(), parent, "object")
        problems: builtins.list[Problem] = []
        when: str | None = None
        if created_at is not None:
            stamp = iso_timestamp(
                "created_at", created_at, self._ctx.options.default_timezone, past_only=True
            )
            if isinstance(stamp, Problem):
                problems.append(stamp)
            else:
                when = stamp
        raise_problems("notes", problems)
        note = await self._ctx.client.notes.create(
            parent_object=target.slug,
            parent_record_id=record_id_of(record),
            title=title,
            content=content,
            format="markdown" if markdown else "plaintext",
            created_at=when if when is not None else NOT_GIVEN,
        )
        await self._ctx.cached.set(
            note.id["note_id"], note.model_dump(mode="json"), CacheKind.NOTES
        )
        return note

    async def _fetch(self, note_id: str) -> JSON:
        return (await self._ctx.client.notes.get(note_id)).model_dump(mode="json")

    async def get(self, note_id: str) -> Note:
        """The note ``note_id``, read through the cache."""
        data = await self._ctx.cached.get_or_load(
            note_id, CacheKind.NOTES, lambda: self._fetch(note_id)
        )
        return Note.model_validate(data)


class AsyncTasks:
    """Tasks: ``create``, ``complete``."""

    def __init__(self, context: AsyncContext) -> None:
        self._ctx = context
        self.schema = context.schema

    async def create(
        self,
        content: str,
        *,
        linked_records: Iterable[Any] = (),
        assignees: Iterable[str] = (),
        due: Moment | None = None,
    ) -> Task:
        """A task: ``content`` (plain text, at most 2,000 characters), ``linked_records``
        (``Record`` objects or ``(object, record_id)`` pairs), ``assignees`` by workspace member
        email (or id) and ``due`` (a datetime, date or ISO string, e.g. from
        ``deadlines.next_business_day``). Every problem is raised together as ``ValuesError``
        before anything is written."""
        ws = await self._ctx.workspace()
        problems: builtins.list[Problem] = []
        if len(content) > TASK_CONTENT_MAX:
            problems.append(
                Problem(
                    "content",
                    content,
                    "too_long",
                    f"a task holds at most {TASK_CONTENT_MAX} characters, this has {len(content)}",
                    "Shorten it, or put the details in a note on a linked record.",
                )
            )
        links: builtins.list[dict[str, Any]] = []
        for item in linked_records:
            link = linked_record(ws, "linked_records", item)
            if isinstance(link, Problem):
                problems.append(link)
            else:
                links.append(dict(link))
        ids, unknown = await self._ctx.member_ids("assignees", assignees)
        problems += unknown
        deadline: str | None = None
        if due is not None:
            stamp = iso_timestamp("due", due, self._ctx.options.default_timezone)
            if isinstance(stamp, Problem):
                problems.append(stamp)
            else:
                deadline = stamp
        raise_problems("tasks", problems)
        return await self._ctx.client.tasks.create(
            content=content,
            deadline_at=deadline,
            linked_records=links,
            assignees=[
                {"referenced_actor_type": "workspace-member", "referenced_actor_id": i} for i in ids
            ],
        )

    async def complete(self, task_id: str) -> Task:
        """Mark a task as done."""
        return await self._ctx.client.tasks.update(task_id, is_completed=True)
