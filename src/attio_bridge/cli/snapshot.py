"""``attio-bridge snapshot import|list|refresh|remove|link``: thin wrappers of
``attio_bridge.snapshot`` (docs/SNAPSHOTS.md).

Every command works on the project folder ``--project`` (default: the current folder), a git
repository (``import --init`` makes one), for ``--user`` (default ``local``), with the index
in the shared state store (``ATTIO_BRIDGE_DATABASE_URL``, else the local SQLite file).

- ``import KIND ID...`` (``companies``, ``people``, or ``list-entries --list SLUG``): one
  JSON file per record under ``attio/KIND/``, one commit; ``--dry-run`` reads and prints what
  would be written, and writes nothing.
- ``list [--kind KIND]``: the imported records, their status and files.
- ``refresh``: re-reads every imported record (by SQL, one read per 5,000, where the workspace
  answers it; else one per 500) and commits what changed; ``--no-sql`` reads by records queries
  only (a key without the SQL scope, or to compare).
- ``remove ID...``: their files (one commit) and index rows.
- ``link ID EXPERIMENT``: links an imported record to an experiment.

``--json`` prints the result as JSON; on a terminal a progress bar on stderr counts the
records of an import or refresh. Exit status: 0 when done, 4 (NOT_FOUND) when some ids are
not in Attio (import: the others are imported; refresh: those are marked ``error``) or not
imported (remove, link), 5 (VALIDATION) for a folder that is not a git repository or a bad
kind, and the classes of ``cli/_common.py`` for the rest.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer

from ._common import (
    CliError,
    ConnectionOptions,
    ExitStatus,
    connected,
    make_async_client,
    reporting,
    resolve_settings,
)
from ._run import JsonOpt, emit_json, group, print_rows

if TYPE_CHECKING:
    from ..services import AsyncServices
    from ..snapshot import ImportResult, Progress, RefreshResult, Snapshot, Snapshots

_T = TypeVar("_T")

snapshot_app = group(
    "snapshot", "Chosen Attio records as JSON files committed to a git repository."
)

ProjectOpt = Annotated[
    Path,
    typer.Option("--project", help="The project folder, a git repository (default: this folder)."),
]
UserOpt = Annotated[str, typer.Option("--user", help="Whose imports these are, in the index.")]
AuthorOpt = Annotated[
    str | None,
    typer.Option(
        "--author",
        help="The commits' author, 'Name <email>' (default: the repository's user.name and "
        "user.email).",
        show_default=False,
    ),
]
DryOpt = Annotated[bool, typer.Option("--dry-run", help="Print what would change; write nothing.")]
# Columns of the tables of snapshots.
_COLUMNS = ("record_id", "object_type", "name", "status", "path", "imported_at", "experiments")


@contextmanager
def _snapshots(
    project: Path, user: str, author: str | None, services: AsyncServices | None = None
) -> Iterator[Snapshots]:
    """The project's ``Snapshots`` over the shared state store, closed after the block."""
    from ..snapshot import Snapshots
    from ..state import open_store

    with open_store() as store:
        snapshots = Snapshots(project, services=services, store=store, user=user, author=author)
        try:
            yield snapshots
        finally:
            snapshots.close()


def _with_attio(
    options: ConnectionOptions,
    project: Path,
    user: str,
    author: str | None,
    work: Callable[[Snapshots], Awaitable[_T]],
) -> _T:
    """``work`` on the project's snapshots, with services over a client of the options."""
    from ..services import AsyncServices

    settings = resolve_settings(options)

    async def run() -> _T:
        async with make_async_client(settings) as client:
            with _snapshots(project, user, author, AsyncServices(client)) as snapshots:
                return await work(snapshots)

    return asyncio.run(run())


@contextmanager
def _progress_bar(label: str) -> Iterator[Callable[[Progress], None] | None]:
    """A progress bar of records on stderr when it is a terminal: a ``progress`` callback of
    the library, else None."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeRemainingColumn
    from rich.progress import Progress as Bar

    console = Console(stderr=True)
    if not console.is_terminal:
        yield None
        return
    bar = Bar(
        TextColumn(label),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[current]}"),
        TimeRemainingColumn(),
        console=console,
        transient=True,
    )
    task = bar.add_task(label, total=None, current="")

    def advance(progress: Progress) -> None:
        bar.update(task, completed=progress.done, total=progress.total, current=progress.current)

    with bar:
        yield advance


def _plain(snapshot: Snapshot) -> dict[str, Any]:
    return asdict(snapshot)


def _table(title: str, snapshots: Sequence[Snapshot]) -> None:
    rows = [
        {**_plain(s), "experiments": ", ".join(s.experiments), "imported_at": s.imported_at}
        for s in snapshots
    ]
    print_rows(title, rows, _COLUMNS, keep=3, choose=False, whole=("path",))


def _finish(
    title: str,
    key: str,
    shown: Sequence[Snapshot],
    result: ImportResult | RefreshResult,
    *,
    dry_run: bool,
    json_: bool,
) -> None:
    """Print an import's or refresh's result (as JSON, ``shown`` under ``key``; or a table of
    ``shown`` and a line on the commit), then exit 4 if some records failed."""
    if json_:
        failed = [{"record_id": i, "reason": why} for i, why in result.failed]
        emit_json(
            {key: [_plain(s) for s in shown], "unchanged": result.unchanged, "failed": failed}
            | {"commit": result.commit, "reads": result.reads, "dry_run": dry_run}
            | ({"sql": result.sql} if hasattr(result, "sql") else {})
        )
    else:
        _table(title, shown)
        by_sql = getattr(result, "sql", False)  # a refresh's (the class is imported lazily)
        reads = f"{result.reads} reads{' by SQL' if by_sql else ''}"
        if dry_run:
            typer.echo(f"Dry run: nothing written ({reads}).")
        elif result.commit:
            typer.echo(f"Committed {result.commit[:12]} ({reads})")
        else:
            typer.echo(f"Nothing changed: no commit ({reads})")
        for record_id, reason in result.failed:
            typer.echo(f"failed: {record_id}: {reason}", err=True)
    if result.failed:
        raise typer.Exit(ExitStatus.NOT_FOUND)


@snapshot_app.command("import")
@connected
def import_command(
    kind: Annotated[str, typer.Argument(help="companies, people or list-entries (with --list).")],
    record_ids: Annotated[
        list[str], typer.Argument(help="Record ids (entry ids for list-entries).", metavar="ID...")
    ],
    list_: Annotated[
        str | None,
        typer.Option("--list", help="The list of the entries (list-entries).", show_default=False),
    ] = None,
    init: Annotated[
        bool, typer.Option("--init", help="Make the project folder a git repository if it is not.")
    ] = False,
    project: ProjectOpt = Path("."),
    user: UserOpt = "local",
    author: AuthorOpt = None,
    dry_run: DryOpt = False,
    json_: JsonOpt = False,
    *,
    options: ConnectionOptions,
) -> None:
    """Import records as JSON files under attio/KIND/, in one commit."""
    from ..snapshot import init_project

    with reporting(options):
        if init and not dry_run:
            init_project(project)
        with _progress_bar("importing") as progress:

            async def work(snapshots: Snapshots) -> ImportResult:
                return await snapshots.import_records(
                    kind,  # type: ignore[arg-type]  # checked by the library
                    record_ids,
                    list_slug=list_,
                    dry_run=dry_run,
                    progress=progress,
                )

            result = _with_attio(options, project, user, author, work)
        verb = "Would import" if dry_run else "Imported"
        _finish(
            f"{verb} {len(result.imported)} into {project}",
            "imported",
            result.imported,
            result,
            dry_run=dry_run,
            json_=json_,
        )


@snapshot_app.command("list")
@connected
def list_command(
    kind: Annotated[
        str | None,
        typer.Option("--kind", help="companies, people or list-entries.", show_default=False),
    ] = None,
    project: ProjectOpt = Path("."),
    user: UserOpt = "local",
    json_: JsonOpt = False,
    *,
    options: ConnectionOptions,
) -> None:
    """The records imported into the project, their status and files."""
    from ..snapshot import KINDS

    with reporting(options):
        if kind is not None and kind not in KINDS:
            raise CliError(f"--kind is one of {', '.join(KINDS)}, not {kind!r}", ExitStatus.USAGE)
        with _snapshots(project, user, None) as snapshots:
            found = snapshots.list(kind=kind)  # type: ignore[arg-type]
        if json_:
            emit_json([_plain(s) for s in found])
        else:
            _table(f"{len(found)} imported into {project}", found)


@snapshot_app.command("refresh")
@connected
def refresh_command(
    project: ProjectOpt = Path("."),
    user: UserOpt = "local",
    author: AuthorOpt = None,
    dry_run: DryOpt = False,
    sql: Annotated[
        bool,
        typer.Option(
            "--sql/--no-sql",
            help="Read by SQL where the workspace answers it (one read per 5,000 records);"
            " --no-sql reads by records queries (one per 500).",
        ),
    ] = True,
    json_: JsonOpt = False,
    *,
    options: ConnectionOptions,
) -> None:
    """Read every imported record again and commit what changed."""
    with reporting(options):
        with _progress_bar("refreshing") as progress:

            async def work(snapshots: Snapshots) -> RefreshResult:
                return await snapshots.refresh(progress=progress, dry_run=dry_run, sql=sql)

            result = _with_attio(options, project, user, author, work)
        verb = "Would change" if dry_run else "Changed"
        _finish(
            f"{verb} {len(result.changed)}, unchanged {result.unchanged}",
            "changed",
            result.changed,
            result,
            dry_run=dry_run,
            json_=json_,
        )


@snapshot_app.command("remove")
@connected
def remove_command(
    record_ids: Annotated[list[str], typer.Argument(help="Imported record ids.", metavar="ID...")],
    project: ProjectOpt = Path("."),
    user: UserOpt = "local",
    author: AuthorOpt = None,
    dry_run: DryOpt = False,
    json_: JsonOpt = False,
    *,
    options: ConnectionOptions,
) -> None:
    """Remove imported records: their files (one commit) and index rows."""
    with reporting(options), _snapshots(project, user, author) as snapshots:
        removed = [snapshots.get(i) for i in dict.fromkeys(record_ids)]
        sha = None if dry_run else snapshots.remove(record_ids)
        if json_:
            emit_json({"removed": [_plain(s) for s in removed], "commit": sha, "dry_run": dry_run})
            return
        _table(f"{'Would remove' if dry_run else 'Removed'} {len(removed)}", removed)
        if dry_run:
            typer.echo("Dry run: nothing written.")
        elif sha:
            typer.echo(f"Committed {sha[:12]}")


@snapshot_app.command("link")
@connected
def link_command(
    record_id: Annotated[str, typer.Argument(help="An imported record id.", metavar="ID")],
    experiment: Annotated[str, typer.Argument(help="The experiment's name.")],
    project: ProjectOpt = Path("."),
    user: UserOpt = "local",
    json_: JsonOpt = False,
    *,
    options: ConnectionOptions,
) -> None:
    """Link an imported record to an experiment (kept in the index)."""
    with reporting(options), _snapshots(project, user, None) as snapshots:
        linked = snapshots.link(record_id, experiment)
        if json_:
            emit_json(_plain(linked))
        else:
            typer.echo(f"{linked.name} ({linked.record_id}): {', '.join(linked.experiments)}")
