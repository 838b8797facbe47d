"""``attio-bridge jobs``: the durable job store (``attio_bridge.jobs``) seen and handled from
the command line: ``list`` with filters (status, event type, kind, partition, age), ``show``
one job, ``retry`` a dead one, ``replay`` a finished one, ``purge`` finished ones.

The store is ``--database`` (else ``ATTIO_BRIDGE_DATABASE_URL``, else the SQLite file beside
the state store), opened only to submit and inspect: these commands run no job. A SQLite file
that does not exist is refused ("no jobs database at ..."), not made: a mistyped path or the
file of a sandbox that has stopped would otherwise list "no jobs".
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import TYPE_CHECKING, Annotated, Any

import typer

from ._common import CliError, ConnectionOptions, DebugOpt, ExitStatus, reporting
from ._run import ColumnsOpt, JsonOpt, Run, emit_json, group, show, show_rows

if TYPE_CHECKING:
    from ..jobs import JobInfo, JobQueue

jobs_app = group("jobs", "Durable jobs (webhook events ...): list, show, retry, replay, purge.")

DatabaseOpt = Annotated[
    str | None,
    typer.Option(
        "--database",
        help="The jobs database URL (default: $ATTIO_BRIDGE_DATABASE_URL, else the local file).",
        show_default=False,
    ),
]
SchemaOpt = Annotated[
    str | None,
    typer.Option("--schema", help="PostgreSQL schema of the jobs tables.", show_default=False),
]
StatusOpt = Annotated[
    str | None,
    typer.Option(
        "--status",
        help="queued, running, retrying, succeeded, dead or cancelled.",
        show_default=False,
    ),
]
TypeOpt = Annotated[
    str | None,
    typer.Option("--type", help="The event type (record.updated ...).", show_default=False),
]
KindOpt = Annotated[
    str | None,
    typer.Option("--kind", help="The job kind (webhook-event ...).", show_default=False),
]
OlderOpt = Annotated[
    str | None,
    typer.Option(
        "--older-than", help="Submitted longer ago than this: 1h, 7d.", show_default=False
    ),
]
NewerOpt = Annotated[
    str | None,
    typer.Option("--newer-than", help="Submitted within this: 30m, 1d.", show_default=False),
]
JobArg = Annotated[
    str, typer.Argument(help="The job id, or its start when only one job's id starts so.")
]


def _secrets(database: str | None) -> tuple[str, ...]:
    """The database URL's password, masked in anything printed should a message show it."""
    import os

    from sqlalchemy.engine import make_url

    url = database or os.environ.get("ATTIO_BRIDGE_DATABASE_URL")
    try:
        password = make_url(url).password if url else None
    except Exception:  # an unreadable URL: the library says so, with its password masked
        return ()
    return (str(password),) if password else ()


def _reporting(database: str | None, debug: bool, json_: bool) -> Any:
    """``reporting`` for a jobs command: one-line errors, the database's password masked."""
    return reporting(ConnectionOptions(debug=debug, json=json_, secrets=_secrets(database)))


@contextmanager
def _store(database: str | None, schema: str | None) -> Iterator[JobQueue]:
    """The job store, opened to inspect (it runs no job), closed after."""
    from ..jobs import JobQueue

    _refuse_a_missing_file(database)
    # DBOS's own log lines would come before the one error line this command prints.
    logging.getLogger("dbos").disabled = True
    queue = JobQueue(database, schema=schema)
    queue.start(work=False)
    try:
        yield queue
    finally:
        queue.shutdown(timeout=0)


def _refuse_a_missing_file(database: str | None) -> None:
    """A SQLite job store that does not exist is an error (opening it would make it)."""
    import os
    from pathlib import Path

    from sqlalchemy.engine import make_url

    from ..jobs import default_jobs_path

    url = database or os.environ.get("ATTIO_BRIDGE_DATABASE_URL") or None
    if url is None:
        path = default_jobs_path(os.environ)
    else:
        try:
            parsed = make_url(url)
        except Exception:  # the queue says what is wrong with it, its password masked
            return
        if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
            return
        path = Path(str(parsed.database)).expanduser()
    if not path.exists():
        raise CliError(
            f"no jobs database at {path}: name the service's with --database "
            "(or ATTIO_BRIDGE_DATABASE_URL)",
            ExitStatus.NOT_FOUND,
        )


def _age(flag: str, text: str | None) -> timedelta | None:
    from ..errors import InvalidInputError
    from ..jobs import parse_duration

    if text is None:
        return None
    try:
        return parse_duration(text)
    except InvalidInputError as exc:
        raise CliError(f"{flag}: {exc.message}", ExitStatus.USAGE) from None


def _status(text: str | None) -> Any:
    from ..jobs import STATUSES

    if text is not None and text not in STATUSES:
        raise CliError(
            f"--status {text!r} is not a job status; use one of {', '.join(STATUSES)}",
            ExitStatus.USAGE,
        )
    return text


def _filters(
    status: str | None,
    type_: str | None,
    kind: str | None,
    older_than: str | None,
    newer_than: str | None,
) -> dict[str, Any]:
    """The filters of ``list`` and ``purge``, checked before the store is opened."""
    return {
        "status": _status(status),
        "type": type_,
        "kind": kind,
        "older_than": _age("--older-than", older_than),
        "newer_than": _age("--newer-than", newer_than),
    }


def _row(info: JobInfo) -> dict[str, Any]:
    return {
        "id": info.id,
        "status": info.status,
        "type": info.type or info.kind,
        "partition": info.partition,
        "attempts": info.attempts,
        "created_at": info.created_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "error": info.error,
    }


@jobs_app.command("list")
def list_command(
    status: StatusOpt = None,
    type_: TypeOpt = None,
    kind: KindOpt = None,
    partition: Annotated[
        str | None, typer.Option("--partition", help="The partition.", show_default=False)
    ] = None,
    older_than: OlderOpt = None,
    newer_than: NewerOpt = None,
    limit: Annotated[int, typer.Option("--limit", min=1, help="At most this many.")] = 50,
    columns: ColumnsOpt = None,
    database: DatabaseOpt = None,
    schema: SchemaOpt = None,
    json_: JsonOpt = False,
    debug: DebugOpt = False,
) -> None:
    """List jobs, newest first."""
    with _reporting(database, debug, json_):
        filters = _filters(status, type_, kind, older_than, newer_than)
        with _store(database, schema) as queue:
            found = queue.list(**filters, partition=partition, limit=limit)
        if json_:
            emit_json([info.to_dict() for info in found])
        elif not found:
            typer.echo("no jobs")
        else:
            rows = [_row(info) for info in found]
            # the id whole: it is what show, retry and replay take (other columns go first)
            show_rows("Jobs", rows, Run(), ("id", "status", "type"), wanted=columns, whole=("id",))


def _show(info: JobInfo, json_: bool) -> None:
    show(f"Job {info.id}", info.to_dict(), Run(json=json_))


@jobs_app.command("show")
def show_command(
    job_id: JobArg,
    database: DatabaseOpt = None,
    schema: SchemaOpt = None,
    json_: JsonOpt = False,
    debug: DebugOpt = False,
) -> None:
    """Show one job: its status, attempts, last error, effect and payload."""
    with _reporting(database, debug, json_), _store(database, schema) as queue:
        _show(queue.get(job_id), json_)


@jobs_app.command("retry")
def retry_command(
    job_id: JobArg,
    database: DatabaseOpt = None,
    schema: SchemaOpt = None,
    json_: JsonOpt = False,
    debug: DebugOpt = False,
) -> None:
    """Try a dead job again, from its start, with a fresh set of attempts."""
    with _reporting(database, debug, json_), _store(database, schema) as queue:
        _show(queue.retry(job_id), json_)


@jobs_app.command("replay")
def replay_command(
    job_id: JobArg,
    database: DatabaseOpt = None,
    schema: SchemaOpt = None,
    json_: JsonOpt = False,
    debug: DebugOpt = False,
) -> None:
    """Run a finished job (succeeded, dead or cancelled) again from its start."""
    with _reporting(database, debug, json_), _store(database, schema) as queue:
        _show(queue.replay(job_id), json_)


@jobs_app.command("purge")
def purge_command(
    status: StatusOpt = None,
    type_: TypeOpt = None,
    kind: KindOpt = None,
    older_than: OlderOpt = None,
    newer_than: NewerOpt = None,
    all_: Annotated[
        bool, typer.Option("--all", help="Every finished job (no filter needed).")
    ] = False,
    database: DatabaseOpt = None,
    schema: SchemaOpt = None,
    json_: JsonOpt = False,
    debug: DebugOpt = False,
) -> None:
    """Delete finished jobs that match the filters (without asking); queued and running jobs
    are kept. Needs a filter or --all."""
    with _reporting(database, debug, json_):
        filters = _filters(status, type_, kind, older_than, newer_than)
        if not all_ and all(value is None for value in filters.values()):
            raise CliError(
                "purge needs a filter (--status dead, --older-than 7d ...) or --all",
                ExitStatus.USAGE,
            )
        with _store(database, schema) as queue:
            count = queue.purge(**filters, everything=all_)
        if json_:
            emit_json({"purged": count})
        else:
            typer.echo(f"purged {count} job{'s' if count != 1 else ''}")
