"""``attio-bridge tasks create|ls|get|complete|reopen|update|delete``: making, reading, changing
and removing tasks.

This module owns the ``tasks`` group and its commands. ``tasks create CONTENT`` makes a task
with linked records (``--link OBJECT:RECORD_ID``), assignees by email and a deadline (``--due``:
``YYYY-MM-DD``, ``next-business-day`` or ``+Nd``, the last two at 09:00 local time, read by
``parse_due``). ``tasks ls`` prints every task (every page) matching the filters Attio's
list-tasks endpoint has: ``--linked OBJECT:RECORD_ID``, ``--assignee EMAIL_OR_MEMBER_ID`` (or
``--unassigned``), ``--open`` / ``--completed`` and ``--sort created_at[:asc|:desc]``. ``tasks
complete`` marks a task done (``--undo``, or ``tasks reopen``, marks it not done); ``tasks
update`` changes its deadline (``--due``, read as ``tasks create`` reads it), assignees and
linked records, the only fields Attio lets change; ``tasks delete`` deletes it. Each write takes
``--dry-run``.

They go through ``services.tasks`` (which checks members, records and deadlines before sending)
and ``client.tasks``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date, datetime, time, timedelta, tzinfo
from typing import TYPE_CHECKING, Annotated, Any

import typer

from ._common import CliError, ConnectionOptions, ExitStatus, connected
from ._run import (
    Run,
    emit_json,
    group,
    planned,
    print_rows,
    reads,
    require,
    require_record,
    session,
    show,
    show_deleted,
    writes,
)

# The services, values and client (httpx, pydantic) are imported by the commands that use them:
# building the app, and --help, go without them.
if TYPE_CHECKING:
    from ..client import AttioClient, NotGiven
    from ..client.models import Task
    from ..services import Services
    from ..values import WorkspaceSchema


tasks_app = group("tasks", "Tasks.")

TaskArg = Annotated[str, typer.Argument(help="Task id.")]
DUE_FORMS = "YYYY-MM-DD, next-business-day or +Nd (N days from today; both at 09:00 local time)"
DueHelp = DUE_FORMS + ", or none to clear the deadline."
# Attio's list-tasks ``sort`` values, and the bare attribute for its default direction.
SORTS = {"created_at": False, "created_at:asc": False, "created_at:desc": True}
# The table of ``tasks ls``: its headings, and the field each shows.
COLUMNS = {
    "task_id": "task_id",
    "content": "content",
    "due (UTC)": "deadline_at",
    "done": "is_completed",
    "linked": "linked_records",
    "assignees": "assignees",
}


def record_pair(option: str, text: str) -> tuple[str, str]:
    """``OBJECT:RECORD_ID`` given to ``option``; a usage error naming it otherwise."""
    obj, sep, rid = text.partition(":")
    if not sep or not obj.strip() or not rid.strip():
        raise CliError(f"{option} {text!r}: expected OBJECT:RECORD_ID", ExitStatus.USAGE)
    return obj.strip(), rid.strip()


_IN_DAYS = re.compile(r"\+(\d+)d")
# The hour a relative deadline falls at, as a working day starts.
DUE_AT = time(9, 0)


def _at_due_hour(day: date, zone: tzinfo | None) -> datetime:
    """``DUE_AT`` on ``day`` in ``zone``, or in this machine's time zone, with the offset it
    has on that day (summer time may begin or end in between)."""
    if zone is None:
        return datetime.combine(day, DUE_AT).astimezone()
    return datetime.combine(day, DUE_AT, tzinfo=zone)


def parse_due(text: str, now: datetime | None = None) -> date | datetime:
    """``--due``: ``YYYY-MM-DD`` (that date), ``next-business-day`` (the next Monday to Friday)
    or ``+Nd`` (N days from today), both at 09:00 local time.

    ``now`` (aware) is today and its time zone; the default is this machine's now and zone."""
    from ..services import next_business_day

    text = text.strip()
    today = (now or datetime.now().astimezone()).date()
    zone = now.tzinfo if now is not None else None
    if text == "next-business-day":
        return _at_due_hour(next_business_day(today).date(), zone)
    match = _IN_DAYS.fullmatch(text)
    if match:
        return _at_due_hour(today + timedelta(days=int(match.group(1))), zone)
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CliError(
            f"--due {text!r}: expected YYYY-MM-DD, next-business-day or +Nd", ExitStatus.VALIDATION
        ) from None


def task_fields(
    ws: WorkspaceSchema, task: Task, members: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """A task as the commands print it: linked records as ``object:record_id`` (by the
    object's slug: Attio answers with its id), assignees by member id, or by email where
    ``members`` (id to email) knows them."""
    links = []
    for link in task.linked_records:
        obj = str(link.get("target_object") or link.get("target_object_id") or "")
        found = ws.object(obj)
        links.append(f"{found.slug if found else obj}:{link.get('target_record_id')}")
    people = [str(a.get("referenced_actor_id")) for a in task.assignees]
    return {
        "task_id": task.id.get("task_id"),
        "content": task.content_plaintext,
        "deadline_at": task.deadline_at,
        "is_completed": task.is_completed,
        "linked_records": links,
        "assignees": [(members or {}).get(p, p) for p in people],
        "created_at": task.created_at,
    }


def _emails(client: AttioClient) -> dict[str, str]:
    """Member id to email, so tables name assignees as people know them."""
    return {
        m.id.get("workspace_member_id", ""): m.email_address or ""
        for m in client.workspace_members.list()
    }


def _show_task(client: AttioClient, services: Services, task: Task, title: str, run: Run) -> None:
    ws = services.schema.get()
    show(title, task_fields(ws, task, None if run.json else _emails(client)), run)


@tasks_app.command("create")
@connected
@writes
def tasks_create(
    content: Annotated[str, typer.Argument(help="What to do (plain text).")],
    link: Annotated[
        list[str] | None,
        typer.Option("--link", help="Linked record, OBJECT:RECORD_ID (repeatable)."),
    ] = None,
    assignee: Annotated[
        list[str] | None,
        typer.Option("--assignee", help="Workspace member's email (repeatable)."),
    ] = None,
    due: Annotated[
        str | None,
        typer.Option(
            "--due",
            help=DUE_FORMS + ".",
            show_default=False,
        ),
    ] = None,
    *,
    options: ConnectionOptions,
    run: Run,
) -> None:
    """Create a task, linked to records and assigned to members."""
    from ..services import Services

    with session(options, run) as client:
        deadline = parse_due(due) if due is not None else None
        services = Services(client)
        links = _links(client, services, link or ())
        task = services.tasks.create(
            content, linked_records=links, assignees=assignee or (), due=deadline
        )
        if planned(client, run):
            return
        _show_task(client, services, task, "task", run)


@tasks_app.command("ls")
@connected
@reads
def tasks_ls(
    linked: Annotated[
        str | None,
        typer.Option("--linked", help="Only tasks linked to OBJECT:RECORD_ID.", show_default=False),
    ] = None,
    assignee: Annotated[
        str | None,
        typer.Option(
            "--assignee",
            help="Only tasks assigned to this member (email or member id).",
            show_default=False,
        ),
    ] = None,
    unassigned: Annotated[
        bool, typer.Option("--unassigned", help="Only tasks assigned to no one.")
    ] = False,
    open_: Annotated[bool, typer.Option("--open", help="Only tasks not completed.")] = False,
    completed: Annotated[bool, typer.Option("--completed", help="Only completed tasks.")] = False,
    sort: Annotated[
        str,
        typer.Option("--sort", help="created_at:asc (oldest first) or created_at:desc."),
    ] = "created_at:asc",
    *,
    options: ConnectionOptions,
    run: Run,
) -> None:
    """Print every task matching the filters (all pages)."""
    from ..client import NOT_GIVEN
    from ..services import Services

    with session(options, run) as client:
        if open_ and completed:
            raise CliError("give --open or --completed, not both", ExitStatus.USAGE)
        if assignee is not None and unassigned:
            raise CliError("give --assignee or --unassigned, not both", ExitStatus.USAGE)
        if sort.strip().lower() not in SORTS:
            raise CliError(
                f"--sort {sort!r}: expected created_at:asc or created_at:desc", ExitStatus.USAGE
            )
        services = Services(client)
        link = None
        if linked is not None:
            obj, record_id = record_pair("--linked", linked)
            link = (require(services.schema, obj, "object").slug, record_id)
        who: str | NotGiven | None = NOT_GIVEN
        if unassigned:
            who = None
        elif assignee is not None:
            who = assignee
        tasks = services.tasks.find(
            linked=link,
            assignee=who,
            completed=True if completed else False if open_ else None,
            newest_first=SORTS[sort.strip().lower()],
        )
        ws = services.schema.get()
        if run.json:
            emit_json([task_fields(ws, t) for t in tasks])
            return
        emails = _emails(client)
        rows = []
        for task in tasks:
            row = task_fields(ws, task, emails)
            # Minutes are enough to read a deadline; the ids need the width.
            row["deadline_at"] = (row["deadline_at"] or "")[:16].replace("T", " ")
            rows.append({heading: row[field] for heading, field in COLUMNS.items()})
        print_rows(
            f"Tasks: {len(rows)}", rows, list(COLUMNS), keep=2, choose=False, whole=("linked",)
        )


@tasks_app.command("get")
@connected
@reads
def tasks_get(
    task_id: TaskArg,
    *,
    options: ConnectionOptions,
    run: Run,
) -> None:
    """Print a task."""
    from ..services import Services

    with session(options, run) as client:
        _show_task(client, Services(client), client.tasks.get(task_id), f"task {task_id}", run)


def _set_done(task_id: str, done: bool, options: ConnectionOptions, run: Run) -> None:
    """Mark the task done or not done, and print it."""
    from ..services import Services

    with session(options, run) as client:
        services = Services(client)
        if done:
            task = services.tasks.complete(task_id)
        else:
            task = services.tasks.update(task_id, is_completed=False)
        if planned(client, run):
            return
        _show_task(client, services, task, "completed" if done else "reopened", run)


@tasks_app.command("complete")
@connected
@writes
def tasks_complete(
    task_id: TaskArg,
    undo: Annotated[
        bool, typer.Option("--undo", help="Mark it not completed (as 'tasks reopen').")
    ] = False,
    *,
    options: ConnectionOptions,
    run: Run,
) -> None:
    """Mark a task as completed (--undo: as not completed)."""
    _set_done(task_id, not undo, options, run)


@tasks_app.command("reopen")
@connected
@writes
def tasks_reopen(
    task_id: TaskArg,
    *,
    options: ConnectionOptions,
    run: Run,
) -> None:
    """Mark a completed task as not completed."""
    _set_done(task_id, False, options, run)


def _links(client: AttioClient, services: Services, given: Sequence[str]) -> list[tuple[str, str]]:
    """``--link`` values as (object slug, record id); an unknown object or a missing record is
    not found."""
    links = []
    for obj, rid in (record_pair("--link", text) for text in given):
        slug = require(services.schema, obj, "object").slug
        require_record(client, slug, rid)
        links.append((slug, rid))
    return links


@tasks_app.command("update")
@connected
@writes
def tasks_update(
    task_id: TaskArg,
    due: Annotated[str | None, typer.Option("--due", help=DueHelp, show_default=False)] = None,
    assignee: Annotated[
        list[str] | None,
        typer.Option(
            "--assignee",
            help="Member's email or id (repeatable); replaces the task's assignees "
            "('none': no one).",
            show_default=False,
        ),
    ] = None,
    link: Annotated[
        list[str] | None,
        typer.Option(
            "--link",
            help="Linked record, OBJECT:RECORD_ID (repeatable); replaces the task's links "
            "('none': no links).",
            show_default=False,
        ),
    ] = None,
    *,
    options: ConnectionOptions,
    run: Run,
) -> None:
    """Change a task's deadline, assignees or linked records."""
    from ..services import Services

    with session(options, run) as client:
        if due is None and not assignee and not link:
            raise CliError("nothing to change: pass --due, --assignee or --link", ExitStatus.USAGE)
        services = Services(client)
        changes: dict[str, Any] = {}
        if due is not None:
            changes["due"] = None if due.strip().lower() == "none" else parse_due(due)
        if assignee:
            changes["assignees"] = [] if _none(assignee, "--assignee") else assignee
        if link:
            changes["linked_records"] = (
                [] if _none(link, "--link") else _links(client, services, link)
            )
        task = services.tasks.update(task_id, **changes)
        if planned(client, run):
            return
        _show_task(client, services, task, "updated", run)


def _none(given: list[str], option: str) -> bool:
    """Whether ``given`` is the one word ``none`` (clear them all); ``none`` beside other
    values is a usage error."""
    words = [g.strip().lower() for g in given]
    if "none" not in words:
        return False
    if len(words) > 1:
        raise CliError(f"{option} none clears them: give it alone", ExitStatus.USAGE)
    return True


@tasks_app.command("delete")
@connected
@writes
def tasks_delete(
    task_id: TaskArg,
    *,
    options: ConnectionOptions,
    run: Run,
) -> None:
    """Delete a task."""
    with session(options, run) as client:
        client.tasks.delete(task_id)
        if planned(client, run):
            return
        show_deleted("task", task_id, run)
