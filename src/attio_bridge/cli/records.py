"""``attio-bridge records``, ``self`` and ``url``: records of any object, checking a key,
reading Attio URLs.

``records get|query|create|assert|update|delete OBJECT ...`` read and write records of any
object; values come from ``--values JSON`` and ``--set slug=value`` and are encoded and checked
by ``attio_bridge.values`` before anything is sent, so a bad value is one line naming the field.
``self`` prints the workspace and scopes of the API key (never the key). ``url parse URL``
prints the parts of an Attio web-app URL (``services.urls.parse_url``).
"""

from __future__ import annotations

from typing import Annotated, Any

import typer

from ..client.models import Record
from ..services.urls import AttioUrlError, parse_url
from ..values import SchemaCache, decode_record, encode_values
from ._common import (
    CliError,
    ConnectionOptions,
    DebugOpt,
    ExitStatus,
    connected,
    reporting,
)
from ._run import (
    ColumnsOpt,
    JsonOpt,
    Page,
    Run,
    SetOpt,
    SortOpt,
    ValuesOpt,
    emit_json,
    group,
    planned,
    query_options,
    reads,
    require,
    session,
    show,
    show_rows,
    values_from,
    writes,
)

app = group(
    "records", "Records of any object: get, query, create, assert (upsert), update, delete."
)
url_app = group("url", "Attio web-app URLs.")

ObjectArg = Annotated[str, typer.Argument(help="Object slug or id (people, companies, deals...).")]
RecordArg = Annotated[str, typer.Argument(help="Record id.")]
# Shown by 'records get' and --json, left out of the table of 'records query'.
SYSTEM = ("created_at", "created_by")


# What names a record, best first: a company's or deal's ``name``, a person's ``full_name``,
# else a person's parts (a personal name decodes to full_name, first_name and last_name).
NAMES = (("name",), ("full_name",), ("first_name", "last_name"))
PERSON_NAME = ("full_name", "first_name", "last_name")


def _head(rows: list[dict[str, Any]]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The first columns of a table of records: ``record_id`` and what names each record, so
    a narrow terminal still shows which record a row is; and the parts of a person's name that
    would only repeat the full name shown (``--columns`` or ``--json`` have them)."""
    keys = {k for row in rows for k, v in row.items() if v not in (None, "", [])}
    for name in NAMES:
        if any(k in keys for k in name):
            shown = tuple(k for k in name if k in keys)
            repeated = () if name != ("full_name",) else PERSON_NAME[1:]
            return ("record_id", *shown), repeated
    return ("record_id",), ()


def _row(schema: SchemaCache, record: Record) -> dict[str, Any]:
    return decode_record(schema, record)


def _encode(
    schema: SchemaCache, object: str, data: dict[str, Any], *, create: bool
) -> dict[str, Any]:
    if not data:
        raise CliError("no values: pass --values JSON or --set slug=value", ExitStatus.USAGE)
    require(schema, object, "object")
    return encode_values(schema, object, data, create=create)


@app.command()
@connected
@reads
def get(
    object: ObjectArg,
    record_id: RecordArg,
    *,
    options: ConnectionOptions,
    run: Run,
) -> None:
    """Print one record's values."""
    with session(options, run) as client:
        record = client.records.get(object, record_id)
        show(f"{object} {record_id}", _row(SchemaCache(client), record), run)


@app.command()
@connected
@reads
def query(
    object: ObjectArg,
    filter: Annotated[
        str | None,
        typer.Option("--filter", help='Attio filter as JSON: \'{"name": {"$contains": "Acme"}}\'.'),
    ] = None,
    sort: SortOpt = None,
    limit: Annotated[int, typer.Option("--limit", min=1, help="Records in the page.")] = 25,
    offset: Annotated[int, typer.Option("--offset", min=0, help="Records to skip.")] = 0,
    all_: Annotated[bool, typer.Option("--all", help="Every page, not only one.")] = False,
    columns: ColumnsOpt = None,
    *,
    options: ConnectionOptions,
    run: Run,
) -> None:
    """Print the records of OBJECT matching a filter: one page, or every page with --all.

    The table starts with each record's id and name; a full page says how to see the next."""
    with session(options, run) as client:
        extra = query_options(filter, sort)
        if all_:
            records = list(client.records.iter(object, **extra))
        else:
            records = client.records.query(object, limit=limit, offset=offset, **extra)
        schema = SchemaCache(client)
        rows = [_row(schema, r) for r in records]
        head, names = _head(rows)
        show_rows(
            f"{object}: {len(rows)} records",
            rows,
            run,
            head,
            skip=(*SYSTEM, *names),
            wanted=columns,
            page=Page(None if all_ else limit, offset),
        )


@app.command()
@connected
@writes
def create(
    object: ObjectArg,
    values: ValuesOpt = None,
    set_: SetOpt = None,
    *,
    options: ConnectionOptions,
    run: Run,
) -> None:
    """Create a record of OBJECT (fails if a unique value is taken: see 'assert')."""
    with session(options, run) as client:
        schema = SchemaCache(client)
        encoded = _encode(schema, object, values_from(values, set_), create=True)
        record = client.records.create(object, encoded)
        if planned(client, run):
            return
        show("created", _row(schema, record), run)


@app.command("assert")
@connected
@writes
def assert_(
    object: ObjectArg,
    match: Annotated[
        str, typer.Option("--match", help="The unique attribute to match on (email_addresses).")
    ],
    values: ValuesOpt = None,
    set_: SetOpt = None,
    *,
    options: ConnectionOptions,
    run: Run,
) -> None:
    """Create or update the record of OBJECT whose unique --match attribute matches (upsert)."""
    with session(options, run) as client:
        schema = SchemaCache(client)
        encoded = _encode(schema, object, values_from(values, set_), create=False)
        record = client.records.assert_record(object, match, encoded)
        if planned(client, run):
            return
        show("asserted", _row(schema, record), run)


@app.command()
@connected
@writes
def update(
    object: ObjectArg,
    record_id: RecordArg,
    values: ValuesOpt = None,
    set_: SetOpt = None,
    *,
    options: ConnectionOptions,
    run: Run,
) -> None:
    """Change values of a record (multiselect values are added to)."""
    with session(options, run) as client:
        schema = SchemaCache(client)
        encoded = _encode(schema, object, values_from(values, set_), create=False)
        record = client.records.update(object, record_id, encoded)
        if planned(client, run):
            return
        show("updated", _row(schema, record), run)


@app.command()
@connected
@writes
def delete(
    object: ObjectArg,
    record_id: RecordArg,
    *,
    options: ConnectionOptions,
    run: Run,
) -> None:
    """Delete a record."""
    with session(options, run) as client:
        client.records.delete(object, record_id)
        if planned(client, run):
            return
        if run.json:
            emit_json({"deleted": True, "object": object, "record_id": record_id})
        else:
            typer.echo(f"deleted {object} {record_id}")


@connected
@reads
def self_(
    *,
    options: ConnectionOptions,
    run: Run,
) -> None:
    """Check the API key: print its workspace and scopes (never the key)."""
    with session(options, run) as client:
        me = client.identify()
        if not me.active:
            raise CliError("the API key is not active", ExitStatus.AUTH)
        show(
            "API key",
            {
                "active": me.active,
                "workspace_name": me.workspace_name,
                "workspace_slug": me.workspace_slug,
                "workspace_id": me.workspace_id,
                "scopes": (me.scope or "").split(),
                "authorized_by_workspace_member_id": me.authorized_by_workspace_member_id,
            },
            run,
        )


@url_app.command("parse")
def url_parse(
    url: Annotated[str, typer.Argument(help="An Attio web-app URL.")],
    json_: JsonOpt = False,
    debug: DebugOpt = False,
) -> None:
    """Print what an Attio URL points at: workspace, object, record, list, entry, note..."""
    with reporting(ConnectionOptions(debug=debug, json=json_)):
        try:
            parsed = parse_url(url)
        except AttioUrlError as exc:
            raise CliError(str(exc), ExitStatus.VALIDATION) from None
        fields = {"kind": str(parsed.kind)}
        for name in (
            "workspace_slug",
            "object",
            "record_id",
            "list",
            "entry_id",
            "note_id",
            "view_id",
            "meeting_id",
            "call_recording_id",
            "tab",
        ):
            fields[name] = getattr(parsed, name)
        fields["url"] = parsed.url
        show("Attio URL", fields, Run(json=json_))
