"""``attio-bridge lists get`` and ``entries ls|get|update|remove``: a list's attributes, and
reading, changing and removing its entries.

``lists get LIST`` prints the list's attributes as ``schema`` does (``cli/schema.py``).
``entries ls LIST`` prints entries matching ``--filter`` in ``--sort`` order, one page or every
page with ``--all``, like ``records query``: each entry's values with its parent record's id.
``entries get LIST ENTRY_ID`` prints one entry; ``entries update LIST ENTRY_ID`` changes its
values (``--set``, ``--values``; multiselect values are added to, as Attio's PATCH does, or
replaced with ``--replace``, its PUT), checked against the list's schema before anything is
sent; ``entries remove LIST ENTRY_ID`` takes the entry out of the list (the record stays).

They register on the ``lists`` and ``entries`` groups of ``cli/activity.py`` and go through
``services.lists`` and ``client.entries``. A list not in the workspace is a not-found error
naming the lists it has.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer

from ..services import Services
from ..values import SchemaCache, decode_entry
from ._common import CliError, ConnectionOptions, ExitStatus, connected
from ._run import (
    Run,
    SetOpt,
    ValuesOpt,
    emit_json,
    parse_json_option,
    planned,
    print_table,
    reads,
    require,
    session,
    show,
    values_from,
    writes,
)
from .activity import entries_app, lists_app
from .records import _sort as parse_sort
from .schema import print_tables, schema_dict

ListArg = Annotated[str, typer.Argument(help="List slug or id.")]
EntryArg = Annotated[str, typer.Argument(help="Entry id.")]
# The most columns a table of entries shows; --json gives every value.
TABLE_COLUMNS = 6
HEAD = ("entry_id", "parent_record_id")


def _columns(rows: list[dict[str, Any]]) -> list[str]:
    """The entry and parent record ids, then the first values some row has."""
    columns = list(HEAD)
    for row in rows:
        for key, value in row.items():
            if key not in columns and key != "parent_object" and value not in (None, "", []):
                columns.append(key)
    return columns[:TABLE_COLUMNS]


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
    with session(options, run) as client:
        target = require(SchemaCache(client), list, "list")
        if run.json:
            emit_json(schema_dict([target])["lists"][0])
        else:
            print_tables([target])


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
    sort: Annotated[
        list[str] | None,
        typer.Option(
            "--sort", help="Sort by attribute: slug or slug:desc (repeatable).", show_default=False
        ),
    ] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, help="Entries in the page.")] = 25,
    offset: Annotated[int, typer.Option("--offset", min=0, help="Entries to skip.")] = 0,
    all_: Annotated[bool, typer.Option("--all", help="Every page, not only one.")] = False,
    *,
    options: ConnectionOptions,
    run: Run,
) -> None:
    """Print the entries of LIST matching a filter: one page, or every page with --all."""
    with session(options, run) as client:
        extra: dict[str, Any] = {}
        if filter is not None:
            parsed = parse_json_option("--filter", filter)
            if not isinstance(parsed, dict):
                raise CliError("--filter must be a JSON object", ExitStatus.USAGE)
            extra["filter"] = parsed
        if sort:
            extra["sorts"] = [parse_sort(s) for s in sort]
        schema = SchemaCache(client)
        slug = require(schema, list, "list").slug
        if all_:
            entries = [*client.entries.iter(slug, **extra)]
        else:
            entries = client.entries.query(slug, limit=limit, offset=offset, **extra)
        rows = [decode_entry(schema, e) for e in entries]
        if run.json:
            emit_json(rows)
            return
        columns = _columns(rows)
        print_table(
            f"{slug}: {len(rows)} entries",
            columns,
            [[row.get(c) for c in columns] for row in rows],
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
