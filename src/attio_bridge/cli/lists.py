"""``attio-bridge lists ls|get`` and ``entries add|ls|get|update|remove``: lists (pipelines), and
adding, reading, changing and removing their entries.

This module owns the ``lists`` and ``entries`` groups and their commands. ``lists ls`` prints
the workspace's lists; ``lists get LIST`` a list's attributes as ``schema`` does
(``cli/schema.py``). ``entries add LIST RECORD_ID`` puts a record in a list with entry values:
its entry is asserted (created, or updated when the record has one; ``--new`` adds another);
``entries ls LIST`` prints entries matching ``--filter`` in ``--sort`` order, one page or every
page with ``--all``, like ``records query`` (and as its table: what fits the terminal, or
``--columns``): each entry's values with its parent record's id. ``entries get LIST
ENTRY_ID`` prints one entry; ``entries update LIST ENTRY_ID`` changes its values (``--set``,
``--values``; multiselect values are added to, as Attio's PATCH does, or replaced with
``--replace``, its PUT), checked against the list's schema before anything is sent; ``entries
remove LIST ENTRY_ID`` takes the entry out of the list (the record stays). Each write takes
``--dry-run``.

They go through ``services.lists`` and ``client.entries``. A list not in the workspace is a
not-found error naming the lists it has.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from ._common import CliError, ConnectionOptions, ExitStatus, connected
from ._run import (
    ColumnsOpt,
    Page,
    Run,
    SetOpt,
    SortOpt,
    ValuesOpt,
    emit_json,
    group,
    planned,
    print_rows,
    query_options,
    reads,
    require,
    session,
    show,
    show_rows,
    values_from,
    writes,
)
from .schema import print_tables, schema_dict

# The services, values and client (httpx, pydantic) are imported by the commands that use them:
# building the app, and --help, go without them.
if TYPE_CHECKING:
    pass


lists_app = group("lists", "Lists (pipelines).")
entries_app = group("entries", "Entries of lists.")

ListArg = Annotated[str, typer.Argument(help="List slug or id.")]
EntryArg = Annotated[str, typer.Argument(help="Entry id.")]
# A table of entries starts with their ids and values (the stage is what people look for),
# ends with the parent record's id, and leaves out their parent object: the list's own, the
# same in every row (--json has it).
HEAD, TAIL = ("entry_id",), ("parent_record_id",)


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
            print_rows("Lists", rows, ["slug", "name", "parent_object", "list_id"], choose=False)


@lists_app.command("get")
@connected
@reads
def lists_get(
    list: ListArg,
    *,
    options: ConnectionOptions,
    run: Run,
) -> None:
    """Print a list and its attributes, options and statuses."""
    from ..values import SchemaCache

    with session(options, run) as client:
        target = require(SchemaCache(client), list, "list")
        if run.json:
            emit_json(schema_dict([target])["lists"][0])
        else:
            print_tables([target])


@entries_app.command("add")
@connected
@writes
def entries_add(
    list: ListArg,
    record_id: Annotated[str, typer.Argument(help="Record id of the list's parent object.")],
    values: ValuesOpt = None,
    set_: SetOpt = None,
    new: Annotated[
        bool,
        typer.Option("--new", help="Add another entry even if the record is in the list already."),
    ] = False,
    *,
    options: ConnectionOptions,
    run: Run,
) -> None:
    """Put a record in a list with entry values (--set stage=Qualified): its entry there is
    created, or updated if it has one, so running it again adds no second entry (multiselect
    values are replaced). --new adds another entry for the record anyway."""
    from ..services import Services
    from ..values import decode_entry

    with session(options, run) as client:
        services = Services(client)
        require(services.schema, list, "list")
        data = values_from(values, set_)
        if new:
            entry = services.lists.add(list, record_id, data)
        else:
            entry = services.lists.assert_entry(list, record_id, data)
        if planned(client, run):
            return
        row = {"entry_id": entry.entry_id, "parent_record_id": entry.parent_record_id}
        show("entry", row | decode_entry(services.schema, entry), run)


@entries_app.command("ls")
@connected
@reads
def entries_ls(
    list: ListArg,
    filter: Annotated[
        str | None,
        typer.Option(
            "--filter",
            help='Attio filter as JSON: \'{"stage": "Qualified"}\'.',
            show_default=False,
        ),
    ] = None,
    sort: SortOpt = None,
    limit: Annotated[int, typer.Option("--limit", min=1, help="Entries in the page.")] = 25,
    offset: Annotated[int, typer.Option("--offset", min=0, help="Entries to skip.")] = 0,
    all_: Annotated[bool, typer.Option("--all", help="Every page, not only one.")] = False,
    columns: ColumnsOpt = None,
    *,
    options: ConnectionOptions,
    run: Run,
) -> None:
    """Print the entries of LIST matching a filter: one page, or every page with --all."""
    from ..values import SchemaCache, decode_entry

    with session(options, run) as client:
        extra = query_options(filter, sort)
        schema = SchemaCache(client)
        slug = require(schema, list, "list").slug
        if all_:
            entries = [*client.entries.iter(slug, **extra)]
        else:
            entries = client.entries.query(slug, limit=limit, offset=offset, **extra)
        rows = [decode_entry(schema, e) for e in entries]
        show_rows(
            f"{slug}: {len(rows)} entries",
            rows,
            run,
            HEAD,
            skip=("parent_object",),
            wanted=columns,
            tail=TAIL,
            page=Page(None if all_ else limit, offset),
        )


@entries_app.command("get")
@connected
@reads
def entries_get(
    list: ListArg,
    entry_id: EntryArg,
    *,
    options: ConnectionOptions,
    run: Run,
) -> None:
    """Print one entry's values and its parent record."""
    from ..values import SchemaCache, decode_entry

    with session(options, run) as client:
        schema = SchemaCache(client)
        slug = require(schema, list, "list").slug
        entry = client.entries.get(slug, entry_id)
        show(f"{slug} entry {entry_id}", decode_entry(schema, entry), run)


@entries_app.command("update")
@connected
@writes
def entries_update(
    list: ListArg,
    entry_id: EntryArg,
    values: ValuesOpt = None,
    set_: SetOpt = None,
    replace: Annotated[
        bool,
        typer.Option(
            "--replace", help="Replace multiselect values instead of adding to them (PUT)."
        ),
    ] = False,
    *,
    options: ConnectionOptions,
    run: Run,
) -> None:
    """Change values of an entry (multiselect values are added to; --replace overwrites)."""
    from ..services import Services
    from ..values import decode_entry

    with session(options, run) as client:
        data = values_from(values, set_)
        if not data:
            raise CliError("no values: pass --values JSON or --set slug=value", ExitStatus.USAGE)
        services = Services(client)
        slug = require(services.schema, list, "list").slug
        entry = services.lists.update_entry(slug, entry_id, data, overwrite=replace)
        if planned(client, run):
            return
        show("updated", decode_entry(services.schema, entry), run)


@entries_app.command("remove")
@connected
@writes
def entries_remove(
    list: ListArg,
    entry_id: EntryArg,
    *,
    options: ConnectionOptions,
    run: Run,
) -> None:
    """Remove an entry from its list (the record itself stays)."""
    from ..services import Services

    with session(options, run) as client:
        services = Services(client)
        slug = require(services.schema, list, "list").slug
        entry = services.lists.remove(slug, entry_id)
        if planned(client, run):
            return
        if run.json:
            emit_json(
                {
                    "removed": True,
                    "list": slug,
                    "entry_id": entry_id,
                    "parent_record_id": entry.parent_record_id,
                }
            )
        else:
            typer.echo(f"removed entry {entry_id} (record {entry.parent_record_id}) from {slug}")
