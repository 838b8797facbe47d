"""``attio-bridge notes create|ls|get|delete``: the notes on records.

This module owns the ``notes`` group and its commands. ``notes create OBJECT RECORD_ID`` adds a
note (its text from ``--content``, ``--file`` or stdin; ``--markdown``); ``notes ls OBJECT
RECORD_ID`` prints a record's notes (every page: id, title, created_at); ``notes get NOTE_ID``
one note with its parent and its content as plain text or, with ``--markdown``, only its
content as Markdown (``--json --markdown``: the note, content as Markdown);
``notes delete NOTE_ID`` deletes one. Each write takes ``--dry-run`` (it prints the requests and
sends nothing). They go through ``client.notes`` and ``services.notes``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from ._common import CliError, ConnectionOptions, ExitStatus, connected
from ._run import (
    Run,
    emit_json,
    group,
    planned,
    print_rows,
    read_text,
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
    from ..client.models import Note


notes_app = group("notes", "Notes on records.")

ObjectArg = Annotated[str, typer.Argument(help="Object of the record (people, companies...).")]
RecordArg = Annotated[str, typer.Argument(help="Record id.")]
NoteArg = Annotated[str, typer.Argument(help="Note id.")]


def note_fields(note: Note, markdown: bool) -> dict[str, Any]:
    """A note as the commands print it: its id, title, parent, creation and content (Markdown
    when ``markdown``, else plain text)."""
    return {
        "note_id": note.id.get("note_id"),
        "title": note.title,
        "parent_object": note.parent_object,
        "parent_record_id": note.parent_record_id,
        "created_at": note.created_at,
        "format": "markdown" if markdown else "plaintext",
        "content": note.content_markdown if markdown else note.content_plaintext,
    }


@notes_app.command("create")
@connected
@writes
def notes_create(
    object: ObjectArg,
    record_id: RecordArg,
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
    """Add a note to a record; its text from --content, --file or stdin, and not empty."""
    from ..services import Services

    with session(options, run) as client:
        text = read_text(content, file)
        if not text.strip():
            # An empty pipe is most often a step before it that failed: an empty note would
            # only stand in the way of the one that should be there.
            raise CliError(
                "no note text: the content is empty; pass it with --content, --file or on stdin",
                ExitStatus.USAGE,
            )
        services = Services(client)
        slug = require(services.schema, object, "object").slug
        require_record(client, slug, record_id)
        note = services.notes.create(object, record_id, title, text, markdown=markdown)
        if planned(client, run):
            return
        show("note", note_fields(note, markdown), run)


@notes_app.command("ls")
@connected
@reads
def notes_ls(
    object: ObjectArg,
    record_id: RecordArg,
    *,
    options: ConnectionOptions,
    run: Run,
) -> None:
    """Print a record's notes (every page): id, title, created_at."""
    from ..services import Services

    with session(options, run) as client:
        target = require(Services(client).schema, object, "object")
        notes = list(client.notes.iter(parent_object=target.slug, parent_record_id=record_id))
        if not notes:
            # No notes may mean no such record: ask, so a mistyped id is a not-found error and
            # not an empty list.
            client.records.get(target.slug, record_id)
        rows = [
            {"note_id": n.id.get("note_id"), "title": n.title, "created_at": n.created_at}
            for n in notes
        ]
        if run.json:
            emit_json(rows)
            return
        columns = ("note_id", "title", "created_at")
        print_rows(
            f"Notes of {target.slug} {record_id}: {len(rows)}", rows, columns, keep=2, choose=False
        )


@notes_app.command("get")
@connected
@reads
def notes_get(
    note_id: NoteArg,
    markdown: Annotated[
        bool,
        typer.Option(
            "--markdown",
            help="Print only the content, as Markdown (to pipe to a file); with --json, the "
            "note with its content as Markdown.",
        ),
    ] = False,
    *,
    options: ConnectionOptions,
    run: Run,
) -> None:
    """Print a note: its title, parent record and content (plain text); --markdown prints the
    content alone, as Markdown."""
    from ..services import Services

    with session(options, run) as client:
        note = Services(client).notes.get(note_id)
        if markdown and not run.json:
            text = note.content_markdown or ""
            # The text as it is, ending with one line break as a text file does.
            typer.echo(text, nl=not text.endswith("\n"))
            return
        show(f"note {note_id}", note_fields(note, markdown), run)


@notes_app.command("delete")
@connected
@writes
def notes_delete(
    note_id: NoteArg,
    *,
    options: ConnectionOptions,
    run: Run,
) -> None:
    """Delete a note."""
    from ..services import Services

    with session(options, run) as client:
        Services(client).notes.delete(note_id)
        if planned(client, run):
            return
        show_deleted("note", note_id, run)
