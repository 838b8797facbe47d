"""``attio-bridge sync``: the sync engine (``attio_bridge.sync``, docs/SYNC.md) from the
command line: ``check`` a mapping file against both schemas, ``run`` (incremental; ``--full``),
``reconcile``, ``status``, and ``conflicts list|show|resolve``.

Every command takes the mapping FILE; ``--mapping NAME`` picks mappings (default: all). The other
system's connector comes from the mapping's ``system`` (``HubSpotConnector.from_env()`` ...) or
``--connector module:factory``. The sync's memory is the state store (``ATTIO_BRIDGE_DATABASE_URL``,
else the local SQLite file). ``--dry-run`` prints the writes a run would make and makes none.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from ._common import CliError, ConnectionOptions, ExitStatus, connected
from ._run import Run, emit_json, group, reads, session, show, show_rows, writes

if TYPE_CHECKING:
    from ..client import AttioClient
    from ..sync import SyncMapping
    from ..sync.engine import SyncEngine

sync_app = group("sync", "Two-way sync with another CRM: check, run, reconcile, status.")
conflicts_app = group("conflicts", "Conflicts the sync could not settle: list, show, resolve.")
sync_app.add_typer(conflicts_app, name="conflicts")

FileArg = Annotated[
    Path,
    typer.Argument(help="The mapping file: TOML, YAML (.yaml, .yml) or JSON (.json)."),
]
MappingOpt = Annotated[
    list[str] | None,
    typer.Option("--mapping", help="Only this mapping (repeatable).", show_default=False),
]
ConnectorOpt = Annotated[
    str | None,
    typer.Option(
        "--connector",
        help='The other side\'s connector factory, "module:factory" (default: by system).',
        show_default=False,
    ),
]


def _mappings(file: Path, names: list[str] | None) -> list[SyncMapping]:
    from ..sync import load_mappings

    found = load_mappings(file)
    if names:
        unknown = sorted(set(names) - {m.name for m in found})
        if unknown:
            known = ", ".join(m.name for m in found)
            raise CliError(
                f"--mapping {unknown[0]!r} is not in {file}; it has {known}", ExitStatus.USAGE
            )
        found = [m for m in found if m.name in names]
    return found


@contextmanager
def _engines(
    client: AttioClient,
    mappings: list[SyncMapping],
    connector: str | None,
    **options: Any,
) -> Iterator[list[SyncEngine]]:
    from ..state import open_store
    from ..sync.engine import SyncEngine
    from ..sync.registry import connector_for
    from ..sync.store import RecordStore
    from ..values import SchemaCache

    schema = SchemaCache(client)
    with open_store() as state:
        store = RecordStore(state)
        sides = {m.system: connector_for(m.system, connector) for m in mappings}
        try:
            yield [
                SyncEngine(m, sides[m.system], client, store, schema=schema, **options)
                for m in mappings
            ]
        finally:
            _close(sides.values())


def _close(connectors: Any) -> None:
    """Close the connectors that hold connections (``ZohoConnector``'s httpx client)."""
    for side in connectors:
        close = getattr(side, "close", None)
        if callable(close):
            close()


def _report(reports: list[Any], run: Run) -> None:
    if run.json:
        emit_json({"dry_run": run.dry_run, "mappings": [r.to_dict() for r in reports]})
        return
    for r in reports:
        label = "would write" if run.dry_run else "wrote"
        typer.echo(
            f"{r.mapping}: read {r.read['attio']} in Attio, {r.read['external']} outside; "
            f"{label} {r.written['attio']} to Attio, {r.written['external']} outside; "
            f"{r.skipped} unchanged; {len(r.conflicts)} conflict(s); {len(r.errors)} error(s)"
        )
        if run.dry_run:
            for p in r.planned:
                values = json.dumps(p.to_dict()["values"], sort_keys=True)
                typer.echo(f"  {p.op} {p.side} {p.id or '(new)'} {values}")
        for c in r.conflicts:
            typer.echo(f"  conflict {c.id} {c.field}: {c.decision} ({c.reason})")
        for e in r.errors:
            typer.echo(f"  error: {e}", err=True)
    if run.dry_run:
        typer.echo("nothing was changed (dry run)", err=True)


@sync_app.command("check")
@connected
@reads
def check_command(
    file: FileArg,
    mapping: MappingOpt = None,
    connector: ConnectorOpt = None,
    *,
    options: ConnectionOptions,
    run: Run,
) -> None:
    """Check the mappings of FILE against Attio's schema and the other system's fields."""
    from ..sync import check
    from ..sync.registry import connector_for
    from ..values import load_schema

    with session(options, run) as client:
        mappings = _mappings(file, mapping)
        schema = load_schema(client)
        sides = {m.system: connector_for(m.system, connector) for m in mappings}
        try:
            problems = [
                p for m in mappings for p in check(m, schema, sides[m.system].fields(m.object))
            ]
        finally:
            _close(sides.values())
        if run.json:
            emit_json({"ok": not problems, "problems": problems})
        else:
            for p in problems:
                typer.echo(p)
            if not problems:
                typer.echo(f"{file}: {len(mappings)} mapping(s) OK")
        if problems:
            raise typer.Exit(int(ExitStatus.VALIDATION))


@sync_app.command("run")
@connected
@writes
def run_command(
    file: FileArg,
    mapping: MappingOpt = None,
    connector: ConnectorOpt = None,
    full: Annotated[bool, typer.Option("--full", help="Every record of both sides.")] = False,
    history: Annotated[
        bool, typer.Option("--history", help="Bring field history on a first sync.")
    ] = False,
    *,
    options: ConnectionOptions,
    run: Run,
) -> None:
    """Sync the mappings of FILE: what changed since the last run (every record with --full,
    or when there was no run yet)."""
    how = "full" if full else "incremental"
    _sync(options, run, file, mapping, connector, how, history=history)


@sync_app.command("reconcile")
@connected
@writes
def reconcile_command(
    file: FileArg,
    mapping: MappingOpt = None,
    connector: ConnectorOpt = None,
    *,
    options: ConnectionOptions,
    run: Run,
) -> None:
    """Compare every id of both sides and settle what differs (deletes included)."""
    _sync(options, run, file, mapping, connector, "reconcile")


def _sync(
    options: ConnectionOptions,
    run: Run,
    file: Path,
    names: list[str] | None,
    connector: str | None,
    how: str,
    history: bool = False,
) -> None:
    """Run ``how`` ("full", "incremental", "reconcile") for each mapping and print the reports."""
    with session(options, run) as client:
        mappings = _mappings(file, names)
        opts = {"dry_run": run.dry_run, "history": history}
        with _engines(client, mappings, connector, **opts) as engines:
            reports = [getattr(e, how)() for e in engines]
        _report(reports, run)


@sync_app.command("status")
def status_command(
    file: FileArg,
    mapping: MappingOpt = None,
    json_: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Per mapping: when the last pull started, records linked, flagged, open conflicts, and
    whether a full run is waiting to resume."""
    from ..state import open_store
    from ..sync.conflicts import ConflictQueue
    from ..sync.store import RecordStore

    with _reporting(json_):
        mappings = _mappings(file, mapping)
        rows = []
        with open_store() as state:
            store, queue = RecordStore(state), ConflictQueue(state)
            for m in mappings:
                links = store.links(m.system, m.object)
                cursor = store.cursor(m.system, m.object)
                rows.append(
                    {
                        "mapping": m.name,
                        "last_pull_started": cursor.isoformat() if cursor else None,
                        "linked": len(links),
                        "flagged": sum(1 for link in links if link.flagged),
                        "open_conflicts": len(queue.open(m.name)),
                        "resumable": store.checkpoint(m.name) is not None,
                    }
                )
        if json_:
            emit_json(rows)
        else:
            show_rows("Sync", rows, Run(), ("mapping", "last_pull_started", "linked"), choose=False)


@contextmanager
def _reporting(json_: bool) -> Iterator[None]:
    from ._common import reporting

    with reporting(ConnectionOptions(json=json_)):
        yield


@conflicts_app.command("list")
def conflicts_list(
    mapping: Annotated[
        str | None, typer.Option("--mapping", help="Only this mapping.", show_default=False)
    ] = None,
    json_: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """The open conflicts, oldest first."""
    from ..state import open_store
    from ..sync.conflicts import ConflictQueue

    with _reporting(json_), open_store() as state:
        found = ConflictQueue(state).open(mapping)
        if json_:
            emit_json([c.to_dict() for c in found])
        elif not found:
            typer.echo("no open conflicts")
        else:
            rows = [
                {
                    "id": c.id,
                    "mapping": c.mapping,
                    "record": c.external_id,
                    "field": c.field,
                    "attio": json.dumps(c.attio_value),
                    "external": json.dumps(c.external_value),
                    "base": json.dumps(c.base_value),
                }
                for c in found
            ]
            show_rows(
                "Open conflicts", rows, Run(), ("id", "field", "attio", "external"), choose=False
            )


@conflicts_app.command("show")
def conflicts_show(
    conflict_id: Annotated[str, typer.Argument(help="The conflict id.")],
    json_: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """One conflict: both values, the base, the decision and why."""
    from ..state import open_store
    from ..sync.conflicts import ConflictQueue

    with _reporting(json_), open_store() as state:
        found = ConflictQueue(state).get(conflict_id)
        show(f"Conflict {found.id}", found.to_dict(), Run(json=json_))


@conflicts_app.command("resolve")
@connected
@reads
def conflicts_resolve(
    conflict_id: Annotated[str, typer.Argument(help="The conflict id.")],
    file: Annotated[Path, typer.Option("--file", help="The mapping file.")],
    take: Annotated[
        str | None,
        typer.Option("--take", help="attio or external: whose value both sides keep."),
    ] = None,
    value: Annotated[
        str | None,
        typer.Option("--value", help="A value (JSON) both sides get instead.", show_default=False),
    ] = None,
    connector: ConnectorOpt = None,
    *,
    options: ConnectionOptions,
    run: Run,
) -> None:
    """Settle an open conflict: write the chosen value to both sides and log the decision."""
    from ..state import open_store
    from ..sync.conflicts import ConflictQueue

    with session(options, run) as client:
        if (take is None) == (value is None):
            raise CliError("give --take attio|external or --value JSON", ExitStatus.USAGE)
        if take is not None and take not in ("attio", "external"):
            raise CliError(f"--take {take!r}: use attio or external", ExitStatus.USAGE)
        chosen: Any = take
        if value is not None:
            try:
                chosen = json.loads(value)
            except json.JSONDecodeError as exc:
                raise CliError(f"--value is not JSON: {exc.msg}", ExitStatus.USAGE) from None
        with open_store() as state:
            rec = ConflictQueue(state).get(conflict_id)
        with _engines(client, _mappings(file, [rec.mapping]), connector) as [engine]:
            done = engine.resolve(conflict_id, chosen)
        show(f"Conflict {done.id}", done.to_dict(), run)
