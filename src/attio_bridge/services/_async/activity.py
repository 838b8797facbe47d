"""Notes on records (Markdown or plain text, backdated if asked) and tasks (linked records,
assignees by member email, deadlines from ``attio_bridge.services.deadlines``): create, read,
change (notes are edited in place), delete, and find-or-create (``ensure``) so that a workflow run
again finds what an earlier run made instead of writing it twice.

A note is the same when it sits on the same record with the same title and its plain text
contains a given marker; a task is the same when it is linked to the same record, has the same
text and is not completed.

Notes are read through the cache (kind "notes"); a note created here is stored there at once,
and a note deleted here is dropped from it."""

from __future__ import annotations

import builtins
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from ...cache import JSON, CacheKind
from ...client import NOT_GIVEN, NotGiven
from ...client.models import Note, Record, Task
from ...values import Problem, WorkspaceSchema
from .._common import (
    TASK_CONTENT_MAX,
    ServiceError,
    find_target,
    iso_timestamp,
    linked_record,
    raise_problems,
    record_id_of,
)
from .context import AsyncContext

Moment = date | datetime | str


class AsyncNotes:
    """Notes: ``create``, ``get``, ``update``, ``delete``, ``find``, ``ensure``."""

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

    async def update(
        self,
        note_id: str,
        *,
        title: str | None = None,
        content: str | None = None,
        markdown: bool = False,
    ) -> Note:
        """Edit the note ``note_id`` in place: a new ``title`` and/or ``content`` (Markdown when
        ``markdown=True``, else plain text); what is not given stays. The cache is refreshed."""
        if title is None and content is None:
            raise ServiceError("nothing to change in the note: give a title or content")
        note = await self._ctx.client.notes.update(
            note_id,
            title=title if title is not None else NOT_GIVEN,
            content=content if content is not None else NOT_GIVEN,
            format=("markdown" if markdown else "plaintext") if content is not None else NOT_GIVEN,
        )
        await self._ctx.cached.set(note_id, note.model_dump(mode="json"), CacheKind.NOTES)
        return note

    async def delete(self, note_id: str) -> None:
        """Delete the note ``note_id`` and drop it from the cache."""
        await self._ctx.client.notes.delete(note_id)
        await self._ctx.cached.delete(note_id, CacheKind.NOTES)

    async def find(
        self, parent: str, record: str | Record, title: str, *, containing: str = ""
    ) -> Note | None:
        """The note on the record (id or ``Record``) of object ``parent`` titled ``title``
        whose plain text contains ``containing``, or None. Read from Attio, not the cache: a
        note made elsewhere since must be found."""
        target = find_target(await self._ctx.workspace(), parent, "object")
        async for note in self._ctx.client.notes.iter(
            parent_object=target.slug, parent_record_id=record_id_of(record)
        ):
            if note.title == title and containing in note.content_plaintext:
                return note
        return None

    async def ensure(
        self,
        parent: str,
        record: str | Record,
        title: str,
        content_markdown: str,
        *,
        marker: str = "",
        created_at: Moment | None = None,
    ) -> tuple[Note, bool]:
        """The note titled ``title`` on the record whose text contains ``marker`` (``find``),
        else a new one holding ``content_markdown`` (Markdown, backdated to ``created_at``);
        and whether it was created. A note found is returned as it is (``update`` edits it)."""
        found = await self.find(parent, record, title, containing=marker)
        if found is not None:
            return found, False
        note = await self.create(
            parent, record, title, content_markdown, markdown=True, created_at=created_at
        )
        return note, True


class AsyncTasks:
    """Tasks: ``create``, ``find``, ``find_open``, ``ensure``, ``update``, ``complete``,
    ``check_assignees``."""

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
        links = self._links(ws, "linked_records", linked_records, problems)
        people = await self._assignees("assignees", assignees, problems)
        deadline = self._deadline("due", due, problems) if due is not None else None
        raise_problems("tasks", problems)
        return await self._ctx.client.tasks.create(
            content=content, deadline_at=deadline, linked_records=links, assignees=people
        )

    async def find(
        self,
        *,
        linked: Any = None,
        assignee: str | NotGiven | None = NOT_GIVEN,
        completed: bool | None = None,
        newest_first: bool = False,
    ) -> builtins.list[Task]:
        """Every task (all pages), oldest first unless ``newest_first``: those linked to the
        record ``linked`` (a ``Record`` or an ``(object, record_id)`` pair), assigned to the
        member ``assignee`` (email or id; None: tasks assigned to no one), done or not
        (``completed``; None: both). An unknown object or member raises ``ValuesError``
        before any request."""
        problems: builtins.list[Problem] = []
        filters: dict[str, Any] = {}
        if linked is not None:
            ws = await self._ctx.workspace()
            for link in self._links(ws, "linked", [linked], problems):
                filters["linked_object"] = link["target_object"]
                filters["linked_record_id"] = link["target_record_id"]
        if isinstance(assignee, str):
            ids, unknown = await self._ctx.member_ids("assignee", [assignee])
            problems += unknown
            filters["assignee"] = ids[0] if ids else assignee
        elif assignee is None:
            filters["assignee"] = None
        if completed is not None:
            filters["is_completed"] = completed
        if newest_first:
            filters["sort"] = "created_at:desc"
        raise_problems("tasks", problems)
        found: builtins.list[Task] = []
        async for task in self._ctx.client.tasks.iter(**filters):
            found.append(task)
        return found

    async def find_open(self, object: str, record: str | Record, content: str) -> Task | None:
        """The open task linked to the record (id or ``Record``) of ``object`` whose text is
        ``content``, or None."""
        for task in await self.find(linked=(object, record_id_of(record)), completed=False):
            if task.content_plaintext == content:
                return task
        return None

    async def ensure(
        self,
        object: str,
        record: str | Record,
        content: str,
        *,
        assignees: Iterable[str] = (),
        due: Moment | None = None,
    ) -> tuple[Task, bool]:
        """The open task linked to the record with the text ``content`` (``find_open``), else
        a new one for ``assignees`` due ``due``; and whether it was created. A task found keeps
        its own assignees and deadline."""
        found = await self.find_open(object, record, content)
        if found is not None:
            return found, False
        task = await self.create(
            content,
            linked_records=[(object, record_id_of(record))],
            assignees=assignees,
            due=due,
        )
        return task, True

    async def check_assignees(self, emails: Iterable[str]) -> None:
        """Raise ``ServiceError`` naming the workspace's members if an email (or id) is none of
        them, so a workflow fails before its first write rather than half-way."""
        _, problems = await self._ctx.member_ids("assignees", emails)
        if problems:
            raise ServiceError("; ".join(str(p) for p in problems))

    async def update(
        self,
        task_id: str,
        *,
        due: Moment | NotGiven | None = NOT_GIVEN,
        assignees: Iterable[str] | NotGiven = NOT_GIVEN,
        linked_records: Iterable[Any] | NotGiven = NOT_GIVEN,
        is_completed: bool | NotGiven = NOT_GIVEN,
    ) -> Task:
        """Change a task: its deadline ``due`` (as in ``create``; None clears it), its
        ``assignees`` and ``linked_records`` (each replacing the task's, given as in
        ``create``) and ``is_completed``; what is not given is left as it is (Attio lets no
        other field of a task change). Every problem is raised together as ``ValuesError``
        before anything is written."""
        problems: builtins.list[Problem] = []
        changes: dict[str, Any] = {}
        if not isinstance(linked_records, NotGiven):
            ws = await self._ctx.workspace()
            changes["linked_records"] = self._links(ws, "linked_records", linked_records, problems)
        if not isinstance(assignees, NotGiven):
            changes["assignees"] = await self._assignees("assignees", assignees, problems)
        if due is None:
            changes["deadline_at"] = None
        elif not isinstance(due, NotGiven):
            changes["deadline_at"] = self._deadline("due", due, problems)
        if not isinstance(is_completed, NotGiven):
            changes["is_completed"] = is_completed
        raise_problems("tasks", problems)
        return await self._ctx.client.tasks.update(task_id, **changes)

    @staticmethod
    def _links(
        ws: WorkspaceSchema, field: str, items: Iterable[Any], problems: builtins.list[Problem]
    ) -> builtins.list[dict[str, Any]]:
        """The linked records of ``items``; a problem on ``field`` for each that is none."""
        links: builtins.list[dict[str, Any]] = []
        for item in items:
            link = linked_record(ws, field, item)
            if isinstance(link, Problem):
                problems.append(link)
            else:
                links.append(dict(link))
        return links

    async def _assignees(
        self, field: str, given: Iterable[str], problems: builtins.list[Problem]
    ) -> builtins.list[dict[str, Any]]:
        """Attio's assignees of members ``given`` by email or id; a problem for each unknown."""
        ids, unknown = await self._ctx.member_ids(field, given)
        problems += unknown
        return [
            {"referenced_actor_type": "workspace-member", "referenced_actor_id": i} for i in ids
        ]

    def _deadline(self, field: str, due: Moment, problems: builtins.list[Problem]) -> str | None:
        """``due`` as Attio's UTC timestamp; None and a problem if it is no moment."""
        stamp = iso_timestamp(field, due, self._ctx.options.default_timezone)
        if isinstance(stamp, Problem):
            problems.append(stamp)
            return None
        return stamp

    async def complete(self, task_id: str) -> Task:
        """Mark a task as done."""
        return await self._ctx.client.tasks.update(task_id, is_completed=True)
