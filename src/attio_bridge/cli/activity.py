"""``attio-bridge people|companies|notes|tasks|lists|entries``: the everyday shortcuts.

``people create EMAIL`` and ``companies create DOMAIN`` upsert by their unique attribute (email,
domain) through ``services``, so running one again updates instead of duplicating; ``notes
create`` adds a note (text from ``--content``, ``--file`` or stdin; ``--markdown``); ``tasks
create`` a task with linked records, assignees by email and a deadline; ``lists ls`` prints the
lists; ``entries add LIST RECORD_ID`` adds a record to a list with entry values. Every write
takes ``--dry-run``; see ``_run`` for what it prints.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated

import typer

from ..client.models import Record
from ..services import Services, in_days, next_business_day
from ..values import decode_entry, decode_record
from ._common import (
    CliError,
    ConnectionOptions,
    ExitStatus,
    connected,
)
from ._run import (
    Run,
    SetOpt,
    ValuesOpt,
    emit_json,
    group,
    planned,
    print_table,
    read_text,
    reads,
    require,
    session,
    show,
    values_from,
    writes,
)

people_app = group("people", "People, identified by email address.")
companies_app = group("companies", "Companies, identified by domain.")
notes_app = group("notes", "Notes on records.")
tasks_app = group("tasks", "Tasks.")
lists_app = group("lists", "Lists (pipelines).")
entries_app = group("entries", "Entries of lists.")


def _record(services: Services, record: Record, run: Run, title: str) -> None:
    show(title, decode_record(services.schema, record), run)


# -- people and companies ------------------------------------------------------------------------
@people_app.command("create")
@connected
@writes
def people_create(
    email: Annotated[str, typer.Argument(help="Email address (the person's unique key).")],
    first_name: Annotated[str | None, typer.Option("--first-name")] = None,
    last_name: Annotated[str | None, typer.Option("--last-name")] = None,
    company_id: Annotated[
        str | None, typer.Option("--company-id", help="Link to this company record id.")
    ] = None,
    company: Annotated[
        str | None,
        typer.Option("--company", help="Link to the company with this domain (made if missing)."),
    ] = None,
    job_title: Annotated[str | None, typer.Option("--job-title")] = None,
    values: ValuesOpt = None,
    set_: SetOpt = None,
    *,
    options: ConnectionOptions,
    run: Run,
) -> None:
    """Create or update the person with EMAIL (asserted by email address)."""
    if company_id is not None and company is not None:
        raise CliError("give --company-id or --company, not both", ExitStatus.USAGE)
    with session(options, run) as client:
        services = Services(client)
        name = None
        if first_name is not None or last_name is not None:
            name = {"first_name": first_name or "", "last_name": last_name or ""}
        linked = company_id or company
        if company is not None:
            # A company that exists is linked by id, so it is not asserted again.
            found = services.companies.find_by_domain(company)
            linked = found.record_id if found is not None else company
        record = services.people.upsert(
            email,
            name=name,
            company=linked,
            job_title=job_title,
            **values_from(values, set_),
        )
        if planned(client, run):
            return
        _record(services, record, run, "person")


@companies_app.command("create")
@connected
@writes
def companies_create(
    domain: Annotated[str, typer.Argument(help="Domain or website URL (the company's key).")],
    name: Annotated[str | None, typer.Option("--name")] = None,
    values: ValuesOpt = None,
    set_: SetOpt = None,
    *,
    options: ConnectionOptions,
    run: Run,
) -> None:
    """Create or update the company with DOMAIN (asserted by domain)."""
    with session(options, run) as client:
        services = Services(client)
        record = services.companies.upsert(domain, name=name, **values_from(values, set_))
        if planned(client, run):
            return
        _record(services, record, run, "company")


# -- notes and tasks -----------------------------------------------------------------------------
@notes_app.command("create")
@connected
@writes
def notes_create(
    object: Annotated[str, typer.Argument(help="Object of the record (people, companies...).")],
    record_id: Annotated[str, typer.Argument(help="Record id.")],
    title: Annotated[str, typer.Option("--title", help="The note's title.")],
    content: Annotated[
        str | None, typer.Option("--content", help="The note's text.", show_default=False)
    ] = None,
    file: Annotated[
        str | None,
        typer.Option(
            "--file", help="Read the text from this file ('-': stdin).", show_default=False
        ),
    ] = None,
    markdown: Annotated[bool, typer.Option("--markdown", help="The text is Markdown.")] = False,
    *,
    options: ConnectionOptions,
    run: Run,
) -> None:
    """Add a note to a record; its text from --content, --file or stdin."""
    with session(options, run) as client:
        text = read_text(content, file)
        services = Services(client)
        require(services.schema, object, "object")
        note = services.notes.create(object, record_id, title, text, markdown=markdown)
        if planned(client, run):
            return
        show(
            "note",
            {
                "note_id": note.id.get("note_id"),
                "parent_object": note.parent_object,
                "parent_record_id": note.parent_record_id,
                "title": note.title,
                "created_at": note.created_at,
                "content": note.content_markdown if markdown else note.content_plaintext,
            },
            run,
        )


_IN_DAYS = re.compile(r"\+(\d+)d")


def parse_due(text: str) -> date | datetime:
    """``--due``: ``YYYY-MM-DD``, ``next-business-day`` (09:00 UTC) or ``+Nd`` (N days from
    now)."""
    text = text.strip()
    if text == "next-business-day":
        return next_business_day()
    match = _IN_DAYS.fullmatch(text)
    if match:
        return in_days(int(match.group(1)))
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CliError(
            f"--due {text!r}: expected YYYY-MM-DD, next-business-day or +Nd", ExitStatus.VALIDATION
        ) from None


def _link(text: str) -> tuple[str, str]:
    obj, sep, rid = text.partition(":")
    if not sep or not obj.strip() or not rid.strip():
        raise CliError(f"--link {text!r}: expected OBJECT:RECORD_ID", ExitStatus.USAGE)
    return obj.strip(), rid.strip()


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
        typer.Option("--due", help="YYYY-MM-DD, next-business-day or +Nd.", show_default=False),
    ] = None,
    *,
    options: ConnectionOptions,
    run: Run,
) -> None:
    """Create a task, linked to records and assigned to members."""
    with session(options, run) as client:
        links = [_link(x) for x in link or ()]
        deadline = parse_due(due) if due is not None else None
        task = Services(client).tasks.create(
            content, linked_records=links, assignees=assignee or (), due=deadline
        )
        if planned(client, run):
            return
        show(
            "task",
            {
                "task_id": task.id.get("task_id"),
                "content": task.content_plaintext,
                "deadline_at": task.deadline_at,
                # Attio answers with the object's id, not its slug.
                "linked_records": [
                    f"{x.get('target_object') or x.get('target_object_id')}:"
                    f"{x.get('target_record_id')}"
                    for x in task.linked_records
                ],
                "assignees": [x.get("referenced_actor_id") for x in task.assignees],
            },
            run,
        )


# -- lists and entries ---------------------------------------------------------------------------
@lists_app.command("ls")
@connected
@reads
def lists_ls(
    *,
    options: ConnectionOptions,
    run: Run,
) -> None:
    """Print the workspace's lists."""
    with session(options, run) as client:
        rows = [
            {
                "slug": x.api_slug,
                "name": x.name,
                "parent_object": x.parent_object[0] if x.parent_object else None,
                "list_id": x.id.list_id,
            }
            for x in client.lists.list()
        ]
        if run.json:
            emit_json(rows)
        else:
            columns = ["slug", "name", "parent_object", "list_id"]
            print_table("Lists", columns, [[r[c] for c in columns] for r in rows])


@entries_app.command("add")
@connected
@writes
def entries_add(
    list: Annotated[str, typer.Argument(help="List slug or id.")],
    record_id: Annotated[str, typer.Argument(help="Record id of the list's parent object.")],
    values: ValuesOpt = None,
    set_: SetOpt = None,
    *,
    options: ConnectionOptions,
    run: Run,
) -> None:
    """Add a record to a list, with entry values (--set stage=Qualified)."""
    with session(options, run) as client:
        services = Services(client)
        require(services.schema, list, "list")
        entry = services.lists.add(list, record_id, values_from(values, set_))
        if planned(client, run):
            return
        row = {"entry_id": entry.entry_id, "parent_record_id": entry.parent_record_id}
        show("entry", row | decode_entry(services.schema, entry), run)
