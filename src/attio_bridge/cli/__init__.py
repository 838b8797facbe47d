"""The ``attio-bridge`` command: thin wrappers that call the library.

``emulator`` serves a local Attio API; ``serve``, ``sandbox`` and ``worker`` (``cli/serve.py``)
the service, whose sandbox mode serves one seeded with example data beside the events page;
``schema`` prints the workspace's schema or generates typed code (``cli/schema.py``).
``self``, ``records``, ``url`` (``cli/records.py``) and ``people``, ``companies``
(``cli/people.py``), ``notes`` (``cli/notes.py``), ``tasks`` (``cli/tasks.py``),
``lists`` and ``entries`` (``cli/lists.py``) are the everyday commands, each group with all its
commands in its module, sharing ``cli/_run.py``. ``import`` and ``export`` (``cli/transfer.py``)
move files in and out; ``meeting``, ``deals``, ``qualify`` and ``automate``
(``cli/workflows.py``), ``kickoff`` (``cli/kickoff.py``) and ``enrich`` (``cli/enrich.py``) run
the workflows; ``webhooks sync`` (``cli/webhooks.py``) makes the workspace's webhooks match a
file; ``snapshot`` (``cli/snapshot.py``) keeps chosen records as JSON files in a git
repository (``deals ls`` is ``records.ls_command``, as ``people ls`` is); ``jobs``
(``cli/jobs.py``) lists, retries, replays and purges durable jobs; ``users``
(``cli/users.py``) names who may sign in to the snapshot pages; ``sync`` (``cli/sync.py``)
checks, runs and reconciles the two-way sync and settles its conflicts; ``--version`` prints
the installed version. Errors are one clear line and an exit code, never a traceback; options,
configuration and exit codes shared by the commands are in ``cli/_common.py``, with the
``CliEnvironment`` a run's clients come from (``main(argv, env)``, or ``obj=`` of the app).
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any

import typer
import typer.main
from typer.exceptions import TyperException

from . import jobs, lists, notes, people, records, serve, sync, tasks, transfer, workflows
from ._common import App, CliEnvironment, ExitStatus, asks_for_json, error_line
from ._serving import emulator_banner, url_of
from ._serving import listener as bind
from .enrich import enrich_command
from .kickoff import kickoff_command
from .schema import app as schema_app
from .snapshot import snapshot_app
from .users import users_app
from .webhooks import webhooks_app

__all__ = ["CliEnvironment", "app", "main"]

PROG = "attio-bridge"
app = App(
    name=PROG,
    help="Attio integrations: a client, workflows and a local emulator of Attio's REST API.",
    no_args_is_help=True,
)


def _print_version(wanted: bool) -> None:
    if wanted:
        from importlib.metadata import version  # 30 ms: only for this

        typer.echo(f"attio-bridge {version('attio-bridge')}")
        raise typer.Exit()


@app.callback()
def _options(
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            callback=_print_version,
            is_eager=True,
            help="Print the version of attio-bridge and exit.",
        ),
    ] = False,
) -> None:
    """Attio integrations: a client, workflows and a local emulator of Attio's REST API."""


app.add_typer(schema_app, name="schema")
app.command("self")(records.self_)
app.add_typer(records.app, name="records")
app.add_typer(people.people_app, name="people")
app.add_typer(people.companies_app, name="companies")
app.add_typer(notes.notes_app, name="notes")
app.add_typer(tasks.tasks_app, name="tasks")
app.add_typer(lists.lists_app, name="lists")
app.add_typer(lists.entries_app, name="entries")
app.add_typer(records.url_app, name="url")
app.command("import")(transfer.import_command)
app.command("export")(transfer.export_command)
app.command("meeting")(workflows.meeting_command)
app.add_typer(workflows.deals_app, name="deals")
workflows.deals_app.command("ls")(records.ls_command("deals", "deals"))
app.command("qualify")(workflows.qualify_command)
app.add_typer(workflows.automate_app, name="automate")
app.command("kickoff")(kickoff_command)
app.command("enrich")(enrich_command)
app.add_typer(webhooks_app, name="webhooks")
app.add_typer(jobs.jobs_app, name="jobs")
app.add_typer(users_app, name="users")
app.add_typer(snapshot_app, name="snapshot")
app.add_typer(sync.sync_app, name="sync")


def _serve(
    host: str,
    port: int,
    api_keys: list[str],
    read_rate: float,
    write_rate: float,
    latency_ms: float,
    seed: str | None,
    seed_size: int,
    database: Path | None,
    banner: bool,
    scopes: str | None = None,
    **more: Any,
) -> None:
    import uvicorn

    from ..emulator.app import create_app
    from ..emulator.scopes import parse_scopes
    from ..emulator.state import EmulatorConfig

    try:
        granted = parse_scopes(scopes) if scopes is not None else None
    except ValueError as exc:
        typer.echo(error_line(ExitStatus.USAGE, f"--scopes: {exc}", False), err=True)
        raise typer.Exit(ExitStatus.USAGE) from None
    config = EmulatorConfig(
        api_keys=api_keys,
        scopes={} if granted is None else {key: granted for key in api_keys},
        read_rate=read_rate,
        write_rate=write_rate,
        latency_ms=latency_ms,
        seed=seed,
        seed_size=seed_size,
        database=str(database) if database else None,
        **more,  # further EmulatorConfig fields (SQL, query scores)
    )
    # Bound first, before a seed that may take a while and before the banner: the banner only
    # promises an address that is really served, and with --port 0 names the port picked.
    listener = bind(host, port)
    try:
        emulator = create_app(config)
    except ValueError as exc:
        listener.close()
        typer.echo(error_line(ExitStatus.USAGE, str(exc), False), err=True)
        raise typer.Exit(ExitStatus.USAGE) from None
    url = url_of(host, listener)
    if banner:
        for line in emulator_banner(url, emulator.state.workspace.name, api_keys[0]):
            typer.echo(line)
        typer.echo("Press Ctrl-C to stop.")
    server = uvicorn.Server(uvicorn.Config(emulator, log_level="warning", access_log=False))
    server.run(sockets=[listener])


HostOpt = Annotated[str, typer.Option(help="Address to listen on.")]
ReadOpt = Annotated[float, typer.Option(help="Read requests per second per token (0: no limit).")]
WriteOpt = Annotated[float, typer.Option(help="Write requests per second per token (0: no limit).")]
LatencyOpt = Annotated[float, typer.Option(help="Added latency per request, in ms (10% jitter).")]
DbOpt = Annotated[
    Path | None, typer.Option(help="SQLite file that keeps the workspace across restarts.")
]


@app.command()
def emulator(
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8790,
    host: HostOpt = "127.0.0.1",
    api_key: Annotated[
        list[str] | None, typer.Option(help="Accepted bearer token (repeatable).")
    ] = None,
    read_rate: ReadOpt = 100.0,
    write_rate: WriteOpt = 25.0,
    latency_ms: LatencyOpt = 0.0,
    seed: Annotated[
        str | None, typer.Option(help="Seed dataset: 'sandbox' or 'generated'.")
    ] = None,
    seed_size: Annotated[int, typer.Option(help="People to generate with --seed generated.")] = 0,
    database: DbOpt = None,
    scopes: Annotated[
        str | None,
        typer.Option(
            help="Scopes of the --api-key tokens, comma-separated (e.g. "
            "record_permission:read,object_configuration:read); default: every scope."
        ),
    ] = None,
    query_score_budget: Annotated[
        float,
        typer.Option(
            help="Score that record and entry queries may spend per 10 s, summed over every "
            "token (0: off; see docs/EMULATOR-SQL.md)."
        ),
    ] = 0.0,
    query_score_max: Annotated[
        float, typer.Option(help="Highest score one query may have (0: off).")
    ] = 0.0,
    sql: Annotated[
        bool, typer.Option(help="Serve POST /v2/sql (--no-sql: a plan without SQL, 403).")
    ] = True,
) -> None:
    """Serve a local, stateful stand-in for Attio's REST API v2."""
    keys = api_key or ["test-key"]
    _serve(
        host,
        port,
        keys,
        read_rate,
        write_rate,
        latency_ms,
        seed,
        seed_size,
        database,
        True,
        scopes,
        query_score_budget=query_score_budget,
        query_score_max=query_score_max,
        sql_enabled=sql,
    )


app.command("serve")(serve.serve_command)
app.command("sandbox")(serve.sandbox_command)
app.command("worker")(serve.worker_command)


@functools.cache
def _command() -> typer.core.TyperGroup:
    """``app`` as the click command it runs as, built once: typer builds it anew each time the
    app is called, which a process running many commands,
    a test suite, would pay for each."""
    command = typer.main.get_command(app)
    assert isinstance(command, typer.core.TyperGroup)  # an app of several commands
    return command


def main(argv: Sequence[str] | None = None, env: CliEnvironment | None = None) -> None:
    """Run the command line ``argv`` (default ``sys.argv[1:]``) in ``env`` (default: the
    library's clients); exits with the command's status. The console entry point.

    A usage mistake (a missing argument, an unknown option or command, a file that is not
    there) is one line on stderr naming the help to read, exit 2, like every other error:
    click would draw a box around it under its usage."""
    args = list(argv) if argv is not None else None
    try:
        status = _command().main(
            args=args, prog_name=PROG, obj=env or CliEnvironment(), standalone_mode=False
        )
    except typer.Abort:
        print("error: aborted", file=sys.stderr)
        sys.exit(1)
    except TyperException as exc:
        # Click's usage errors (typer vendors click: this is their public base class).
        message = getattr(exc, "format_message", None)
        if message is None:
            raise
        said, code = message(), getattr(exc, "exit_code", ExitStatus.USAGE)
        if said:  # a bare command prints its help instead, with an empty error
            ctx = getattr(exc, "ctx", None)
            said += f" (see: {ctx.command_path if ctx is not None else PROG} --help)"
            as_json = asks_for_json(args if args is not None else sys.argv[1:])
            print(error_line(ExitStatus(code), said, as_json), file=sys.stderr)
        sys.exit(code)
    sys.exit(status if isinstance(status, int) else 0)


if __name__ == "__main__":
    main()
