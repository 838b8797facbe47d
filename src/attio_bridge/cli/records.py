"""``attio-bridge records``, ``self`` and ``url``: records of any object, checking a key,
reading Attio URLs.

``records get|query|create|assert|update|delete OBJECT ...`` read and write records of any
object; values come from ``--values JSON`` and ``--set slug=value`` and are encoded and checked
by ``attio_bridge.values`` before anything is sent, so a bad value is one line naming the field.
``self`` prints the workspace and scopes of the API key (never the key). ``url parse URL``
prints the parts of an Attio web-app URL (``services.urls.parse_url``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Annotated, Any

import typer

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

# The services, values and client (httpx, pydantic) are imported by the commands that use them:
# building the app, and --help, go without them.
if TYPE_CHECKING:
    from ..client import AttioClient
    from ..client.models import Record
    from ..services import Services
    from ..values import SchemaCache, TargetSchema


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
    from ..values import decode_record

    return decode_record(schema, record)


def member_labels(client: AttioClient) -> dict[str, str]:
    """Workspace member id to what people know the member by: the email address, else the
    name; empty when the key may not read the members (the ids are shown then)."""
    from ..client import PermissionDeniedError

    try:
        members = client.workspace_members.list()
    except PermissionDeniedError:
        return {}
    labels = {}
    for m in members:
        name = " ".join(p for p in (m.first_name, m.last_name) if p)
        labels[m.id.get("workspace_member_id", "")] = m.email_address or name
    return {k: v for k, v in labels.items() if k and v}


def readable(
    client: AttioClient, target: TargetSchema | None, rows: Sequence[Mapping[str, Any]]
) -> list[dict[str, Any]]:
    """``rows`` of records of ``target`` as tables show them: actor references (a deal's
    ``owner``, ``created_by``) to workspace members by the member's email or name rather than
    the member's id, which nobody reads; the members are read only when a row has one.
    ``--json`` keeps the ids."""
    actors = [
        a.slug
        for a in (target.attributes.values() if target is not None else ())
        if a.type == "actor-reference" and any(row.get(a.slug) for row in rows)
    ]
    if not actors:
        return [dict(row) for row in rows]
    labels = member_labels(client)

    def label(value: Any) -> Any:
        if isinstance(value, list):
            return [label(v) for v in value]
        return labels.get(value, value) if isinstance(value, str) else value

    return [dict(row) | {slug: label(row.get(slug)) for slug in actors} for row in rows]


def show_record(services: Services, record: Record, title: str, run: Run) -> None:
    """One record's values under ``title``: JSON with ``--json``, else a table of its fields
    with members named (``readable``)."""
    from ..values import decode_record

    row = decode_record(services.schema, record)
    if not run.json:
        target = services.schema.get().target(record.id.object_id, "object")
        row = readable(services.context.client, target, [row])[0]
    show(title, row, run)


def column_keys(target: TargetSchema, columns: str | None) -> str | None:
    """``--columns`` with each attribute slug whose value decodes into several keys named by
    the key a table shows: a personal name (a person's ``name``) by its ``full_name``."""
    if columns is None:
        return None
    keys = []
    for column in columns.split(","):
        attr = target.attribute(column.strip())
        if attr is not None and attr.type == "personal-name":
            # decode_values flattens a personal name into these keys.
            column = "full_name" if attr.slug == "name" else f"{attr.slug}_full_name"
        keys.append(column)
    return ",".join(keys)


FilterOpt = Annotated[
    str | None,
    typer.Option("--filter", help='Attio filter as JSON: \'{"name": {"$contains": "Acme"}}\'.'),
]
LimitOpt = Annotated[int, typer.Option("--limit", min=1, help="Records in the page.")]
OffsetOpt = Annotated[int, typer.Option("--offset", min=0, help="Records to skip.")]
AllOpt = Annotated[bool, typer.Option("--all", help="Every page, not only one.")]


def list_records(
    object: str,
    filter: str | None,
    sort: Sequence[str] | None,
    limit: int,
    offset: int,
    all_: bool,
    columns: str | None,
    options: ConnectionOptions,
    run: Run,
) -> None:
    """Print the records of ``object`` matching ``--filter`` in ``--sort`` order: one page
    (``limit`` after ``offset``) or every page (``all_``), as JSON or a table that fits the
    terminal, starting with each record's id and name (``records query``, ``people ls`` ...)."""
    from ..services import Services

    with session(options, run) as client:
        services = Services(client)
        given = query_options(filter, sort)
        target = require(services.schema, object, "object")
        if all_:
            records = services.records.find(target.slug, given.get("filter"), **_sorts(given))
        else:
            records = services.records.query(
                target.slug, given.get("filter"), **_sorts(given), limit=limit, offset=offset
            )
        rows = [_row(services.schema, r) for r in records]
        head, names = _head(rows)
        show_rows(
            f"{target.slug}: {len(rows)} records",
            rows if run.json else readable(client, target, rows),
            run,
            head,
            skip=(*SYSTEM, *names),
            wanted=column_keys(target, columns),
            page=Page(None if all_ else limit, offset),
        )


def _sorts(given: Mapping[str, Any]) -> dict[str, Any]:
    return {"sorts": given["sorts"]} if "sorts" in given else {}


def ls_command(object: str, noun: str) -> Callable[..., None]:
    """The ``ls`` command of a group of one object (``people ls``, ``companies ls``, ``deals
    ls``): ``records query OBJECT`` by another name, ``noun`` naming the records in its help."""

    @connected
    @reads
    def ls(
        filter: FilterOpt = None,
        sort: SortOpt = None,
        limit: LimitOpt = 25,
        offset: OffsetOpt = 0,
        all_: AllOpt = False,
        columns: ColumnsOpt = None,
        *,
        options: ConnectionOptions,
        run: Run,
    ) -> None:
        list_records(object, filter, sort, limit, offset, all_, columns, options, run)

    ls.__doc__ = (
        f"List {noun}: one page, or every page with --all, filtered (--filter) and sorted "
        "(--sort).\n\nThe table fits the terminal and starts with each record's id and name; "
        "--columns picks the columns, --json gives every value; a full page says how to see "
        "the next."
    )
    return ls


def _encode(
    schema: SchemaCache, object: str, data: dict[str, Any], *, create: bool
) -> dict[str, Any]:
    from ..values import encode_values

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
    from ..services import Services

    with session(options, run) as client:
        record = client.records.get(object, record_id)
        show_record(Services(client), record, f"{object} {record_id}", run)


@app.command()
@connected
@reads
def query(
    object: ObjectArg,
    filter: FilterOpt = None,
    sort: SortOpt = None,
    limit: LimitOpt = 25,
    offset: OffsetOpt = 0,
    all_: AllOpt = False,
    columns: ColumnsOpt = None,
    *,
    options: ConnectionOptions,
    run: Run,
) -> None:
    """Print the records of OBJECT matching a filter: one page, or every page with --all.

    The table starts with each record's id and name; a full page says how to see the next."""
    list_records(object, filter, sort, limit, offset, all_, columns, options, run)


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
    from ..services import Services
    from ..values import SchemaCache

    with session(options, run) as client:
        schema = SchemaCache(client)
        encoded = _encode(schema, object, values_from(values, set_), create=True)
        record = client.records.create(object, encoded)
        if planned(client, run):
            return
        show_record(Services(client, schema=schema), record, "created", run)


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
    from ..services import Services
    from ..values import SchemaCache

    with session(options, run) as client:
        schema = SchemaCache(client)
        encoded = _encode(schema, object, values_from(values, set_), create=False)
        record = client.records.assert_record(object, match, encoded)
        if planned(client, run):
            return
        show_record(Services(client, schema=schema), record, "asserted", run)


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
    from ..services import Services
    from ..values import SchemaCache

    with session(options, run) as client:
        schema = SchemaCache(client)
        encoded = _encode(schema, object, values_from(values, set_), create=False)
        record = client.records.update(object, record_id, encoded)
        if planned(client, run):
            return
        show_record(Services(client, schema=schema), record, "updated", run)


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
    from ..services.urls import AttioUrlError, parse_url

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
