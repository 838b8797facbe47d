"""``attio-bridge import`` and ``attio-bridge export``: thin wrappers of ``workflows``.

``attio-bridge import OBJECT_OR_LIST FILE`` (``--match SLUG`` repeated for a key of several
attributes, ``--mapping FILE``, ``--dry-run``, ``--strict``, ``--list SLUG``, ``--company
DOMAIN_OR_ID``, ``--encoding NAME``, ``--restart``, ``--checkpoint``, ``--failures``) reads the
file with a progress bar on a terminal (stderr), prints the column mapping, the plan's notes
(the encoding when not UTF-8, the checkpoint resumed from or not used) and warnings, and the plan
(rows to create, to update and unchanged, from a lookup of the records; already done,
duplicates, conflicting duplicates, invalid, ambiguous: several records have a searched key)
before writing, then writes the rows to create or update with a progress bar and prints the
outcome; ``--dry-run`` stops after the plan; ``--json`` prints the plan and the outcome as one
JSON object instead (with ``--dry-run``, ``requests``: every write it would send). Given a
list, the rows go to its parent object and each record is added to the list. ``--match``
defaults to ``email_addresses`` (people) or ``domains`` (companies); a key that is not one
unique attribute (a deal's ``name``) is found through a search.

Exit status: 0 when every row was written or left unchanged (with ``--dry-run``: every row can be;
also for a file of 0 rows, with a warning), 5 (VALIDATION) when invalid, ambiguous or conflicting
rows were left out (or, with ``--strict``, nothing was written because of them; with ``--dry-run``,
the plan has such rows), 1 when some writes failed (see the failure file), and for input the import
cannot use, before any write, the class of the library's error (``cli/_common.py``): 2 (USAGE) for
a file or ``--mapping`` file that does not exist, 5 for a key that cannot be matched on, a bad
mapping (not JSON, or naming a column the file lacks), a header naming a column twice, a file in
two encodings, or an unknown ``--encoding`` (or one the file is not in), 4 (NOT_FOUND) for an
unknown object, list, match attribute or company id; 130 on Ctrl-C (the checkpoint keeps what was
written; the error names it: run the same command again to resume).

``attio-bridge export OBJECT_OR_LIST --format csv|jsonl [--output FILE]`` writes every record,
or every entry of a list with its parent record's values, to stdout (also ``--output -``) or to
FILE, which is replaced only when the export is complete (``replacing``): Ctrl-C, SIGTERM, an
error or a kill leave the file it would replace as it was. On a terminal, a progress bar on
stderr counts the rows.
"""

from __future__ import annotations

import asyncio
import os
import stat
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager, suppress
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TextIO

import typer

from ..errors import AttioError
from ._common import (
    CliError,
    ConnectionOptions,
    ExitStatus,
    connected,
    flags_named,
    make_async_client,
    reporting,
    resolve_settings,
)
from ._run import JsonOpt, emit_json

if TYPE_CHECKING:
    from ..workflows.importer import ImportReport

# Problems printed before the rest are left to the failure file.
_SHOWN_PROBLEMS = 20

# The import's errors name its arguments as the library knows them; here they are flags.
_FLAGS = {
    "the match argument": "--match",
    "the company argument": "--company",
    "leave the encoding out": "--encoding",
    "name the list to import into": "--list",
    "the encoding argument": "--encoding",
}


@contextmanager
def _flags() -> Iterator[None]:
    """An error of the import that names one of its arguments (``_FLAGS``) ends with the flag
    that gives it."""
    try:
        yield
    except AttioError as exc:
        if note := flags_named(str(exc), _FLAGS):
            exc.add_note(note)
        raise


def print_plan(report: ImportReport) -> None:
    """The mapping and what the import will do."""
    how = " (found through a search: not one unique attribute)" if report.search else ""
    typer.echo(f"Import into {report.object}, matching on {report.match}{how}")
    if report.list_slug is not None:
        typer.echo(f"Each record is added to the list {report.list_slug}")
    if report.company is not None:
        typer.echo(f"Every record is linked to the company {report.company}")
    typer.echo("Mapping (column -> attribute):")
    for column, slug in report.mapping.items():
        typer.echo(f"  {column} -> {slug}")
    if report.unmapped:
        typer.echo("Ignored columns: " + ", ".join(report.unmapped))
    for note in report.notes:
        typer.echo(f"Note: {note}")
    for warning in report.warnings:
        typer.echo(f"Warning: {warning}")
    typer.echo(
        f"Plan: {report.rows} rows: {report.creates} to create, {report.updates} to update, "
        f"{report.unchanged} unchanged, {report.already_done} already done, "
        f"{report.duplicates} duplicates, {report.conflicts} conflicting duplicates, "
        f"{report.invalid} invalid, {report.ambiguous} ambiguous, "
        f"{report.linked} linked records to assert first"
    )
    for slug, count in report.lacking_required.items():
        typer.echo(
            f"  {count} rows have no value for {slug}, which a new record of {report.object} "
            f"needs: they update records that exist and fail where they would create one "
            f"(add a column for {slug}, or map one with --mapping)"
        )
    for problem in report.problems[:_SHOWN_PROBLEMS]:
        typer.echo(f"  row {problem.row}: {problem.message}")
    if len(report.problems) > _SHOWN_PROBLEMS:
        typer.echo(f"  ... and {len(report.problems) - _SHOWN_PROBLEMS} more")


@connected
def import_command(
    object: Annotated[
        str,
        typer.Argument(
            help="Object (people, companies, deals, ...) or list, by slug or id.",
            metavar="OBJECT_OR_LIST",
        ),
    ],
    file: Annotated[Path, typer.Argument(help="CSV or JSON Lines file.", exists=True)],
    match: Annotated[
        list[str] | None,
        typer.Option(
            "--match",
            help="Attribute to match records on; repeat (or use commas) for a key of several. "
            "A unique one is asserted, any other found through a search. Default: "
            "email_addresses (people), domains (companies).",
            show_default=False,
        ),
    ] = None,
    mapping: Annotated[
        Path | None,
        typer.Option(
            "--mapping",
            help='JSON file {"column": "slug"} replacing the guess.',
            exists=True,
            dir_okay=False,
        ),
    ] = None,
    dry_run: Annotated[
        bool,
        typer.Option(
            "--dry-run",
            help="Print the plan (creates, updates, unchanged) only; with --json, also every "
            "write it would send.",
        ),
    ] = False,
    restart: Annotated[
        bool,
        typer.Option(
            "--restart", help="Discard the checkpoint of this import and start from the top."
        ),
    ] = False,
    strict: Annotated[
        bool, typer.Option("--strict", help="Write nothing if any row is invalid.")
    ] = False,
    checkpoint: Annotated[
        Path | None,
        typer.Option(
            "--checkpoint",
            help=(
                "A checkpoint file of an older version to resume from (default "
                "FILE.attio-import.json); it is read once into the state store."
            ),
        ),
    ] = None,
    failures: Annotated[
        Path | None,
        typer.Option("--failures", help="Failed rows file (default FILE.failed.csv)."),
    ] = None,
    concurrency: Annotated[int, typer.Option(min=1, help="Writes in flight at once.")] = 50,
    list_: Annotated[
        str | None,
        typer.Option(
            "--list",
            help="Also add each record to this list; columns of its attributes are entry values.",
        ),
    ] = None,
    company: Annotated[
        str | None,
        typer.Option(
            "--company",
            help="Link every record to this company: a domain (asserted first) or a record id.",
            show_default=False,
        ),
    ] = None,
    encoding: Annotated[
        str | None,
        typer.Option(
            "--encoding",
            help="The file's encoding (a Python codec name, e.g. cp1252), instead of detecting "
            "it: UTF-8, else Windows-1252, else Latin-1.",
            show_default=False,
        ),
    ] = None,
    json_: JsonOpt = False,
    *,
    options: ConnectionOptions,
) -> None:
    """Create or update records from a CSV or JSON Lines file (resumable, idempotent)."""
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        DownloadColumn,
        MofNCompleteColumn,
        Progress,
        TaskProgressColumn,
        TextColumn,
        TimeRemainingColumn,
    )

    from ..workflows.aio import import_file
    from ..workflows.importer import load_mapping

    with reporting(options), _flags():
        settings = resolve_settings(options)
        given = load_mapping(mapping) if mapping is not None else None
        console = Console(stderr=True)
        with ExitStack() as stack:
            # The plan's pass, on a terminal: bytes of the file read (a long file plans for a
            # while before its first line is printed).
            reading = Progress(
                TextColumn("planning"),
                BarColumn(),
                DownloadColumn(),
                TimeRemainingColumn(),
                console=console,
                transient=True,
            )
            read_task: list[Any] = []

            def on_read(done: int, total: int) -> None:
                if not console.is_terminal:
                    return
                if not read_task:
                    reading.start()
                    read_task.append(reading.add_task("planning", total=total))
                    stack.callback(end_reading)  # an error during the plan ends the bar too
                reading.update(read_task[0], completed=done)

            def end_reading() -> None:
                if read_task and reading.live.is_started:
                    reading.stop()

            progress = Progress(
                TextColumn("rows"),
                BarColumn(),
                MofNCompleteColumn(),
                TaskProgressColumn(),
                TextColumn("{task.fields[rate]}"),
                TimeRemainingColumn(),
                console=console,
                transient=False,
            )
            task: list[Any] = []
            planned: list[ImportReport] = []

            def on_plan(report: ImportReport) -> None:
                end_reading()
                # The run keeps this report up to date, also when it is interrupted.
                planned.append(report)
                if not json_:
                    print_plan(report)
                if not dry_run and report.to_write and not (strict and report.left_out):
                    stack.enter_context(progress)
                    task.append(progress.add_task("rows", total=report.to_write, rate=""))

            def on_progress(done: int, total: int) -> None:
                if task:
                    progress.update(task[0], completed=done)
                    speed = progress.tasks[0].speed
                    rate = f"{speed:.1f} rows/s" if speed else ""
                    progress.update(task[0], rate=rate)

            async def run() -> ImportReport:
                async with make_async_client(settings) as client:
                    return await import_file(
                        client,
                        object,
                        file,
                        match=match,
                        mapping=given,
                        dry_run=dry_run,
                        strict=strict,
                        checkpoint=checkpoint,
                        failures=failures,
                        concurrency=concurrency,
                        list=list_,
                        on_plan=on_plan,
                        on_progress=on_progress,
                        company=company,
                        encoding=encoding,
                        restart=restart,
                        on_read=on_read,
                        plan_writes=json_,
                    )

            try:
                report = asyncio.run(run())
            except KeyboardInterrupt as exc:
                if dry_run or not planned or not planned[0].checkpoint_saved:
                    raise  # nothing written yet: ``reporting`` says "interrupted"
                saved = f"the state store {planned[0].checkpoint_store}"
                resume = f"run the same command again to resume from the checkpoint in {saved}"
                if type(exc) is not KeyboardInterrupt:
                    # Another signal made to unwind like Ctrl-C (SIGTERM): ``reporting`` keeps
                    # its own line and exit status.
                    exc.add_note(resume)
                    raise
                raise CliError(
                    f"interrupted; the rows written so far are kept in {saved}: run the same "
                    "command again to resume from it",
                    ExitStatus.INTERRUPTED,
                ) from None
        _finish(report, json_)


def _finish(report: ImportReport, json_: bool) -> None:
    if json_:
        emit_json(report.to_dict())
    if report.dry_run:
        if not json_:
            typer.echo("Dry run: nothing written.")
        # A script checks a file with a dry run: rows the real run would leave out fail it.
        if report.left_out:
            raise typer.Exit(ExitStatus.VALIDATION)
        return
    if report.aborted and report.left_out:
        counts = {
            "invalid": report.invalid,
            "ambiguous": report.ambiguous,
            "conflicting": report.conflicts,
        }
        which = " and ".join(f"{n} {kind}" for kind, n in counts.items() if n)
        raise CliError(
            f"{which} row(s) and --strict: nothing written; they are in {report.failures_path}",
            ExitStatus.VALIDATION,
        )
    if not json_:
        typer.echo(
            f"Written: {report.written}, failed: {report.failed}, invalid: {report.invalid}, "
            f"unchanged: {report.unchanged}, ambiguous: {report.ambiguous}, "
            f"conflicting: {report.conflicts}"
        )
        if report.failed or report.left_out:
            typer.echo(f"Rows not written are in {report.failures_path}")
    if report.failed:
        raise typer.Exit(ExitStatus.ERROR)
    if report.left_out:
        raise typer.Exit(ExitStatus.VALIDATION)


@contextmanager
def replacing(path: Path) -> Iterator[TextIO]:
    """A text file that becomes ``path`` only when the block ends without an error.

    It is written beside ``path`` under a temporary name (``.NAME.*.tmp``) and renamed over it
    at the end, so the file it replaces stays whole until the new one is: Ctrl-C, SIGTERM or an
    error remove the temporary file, a killed process leaves it (never a cut-off ``path``). The
    new file keeps the mode of the one it replaces, else gets the one ``open`` would give."""
    target = Path(os.path.realpath(path))  # a symlink's file is replaced, not the link
    if not target.parent.is_dir():
        raise CliError(f"--output {path}: no folder {target.parent}", ExitStatus.USAGE)
    try:
        mode = stat.S_IMODE(target.stat().st_mode)
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    fd, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with open(fd, "w", encoding="utf-8", newline="") as out:
            yield out
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, target)
    except BaseException:
        with suppress(OSError):
            os.unlink(temporary)
        raise


@contextmanager
def _export_progress(target: str, to_stdout: bool) -> Iterator[Callable[[int], None] | None]:
    """A progress bar of the rows exported, on stderr when it is a terminal (and the rows do
    not go to the same terminal): the ``on_progress`` of ``export_records``, else None."""
    if not sys.stderr.isatty() or (to_stdout and sys.stdout.isatty()):
        yield None
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        Progress,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
    )

    progress = Progress(
        SpinnerColumn(),
        TextColumn(f"exporting {target}"),
        BarColumn(),
        TextColumn("{task.completed} rows"),
        TextColumn("{task.fields[rate]}"),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
    )
    # No total: Attio does not say how many records an object holds.
    task = progress.add_task("export", total=None, rate="")

    def advance(rows: int) -> None:
        speed = progress.tasks[0].speed
        progress.update(task, completed=rows, rate=f"{speed:.0f} rows/s" if speed else "")

    with progress:
        yield advance


@connected
def export_command(
    object: Annotated[
        str, typer.Argument(help="Object or list, by slug or id.", metavar="OBJECT_OR_LIST")
    ],
    format: Annotated[str, typer.Option("--format", "-f", help="csv or jsonl.")] = "csv",
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="File to write ('-' or none: stdout); a file it replaces is kept whole until "
            "the export is complete.",
        ),
    ] = None,
    sql: Annotated[
        bool,
        typer.Option(
            help="Read the rows with SQL (POST /v2/sql) where the workspace has it, pages of "
            "records otherwise; --no-sql always pages.",
        ),
    ] = True,
    *,
    options: ConnectionOptions,
) -> None:
    """Write every record of an object or entry of a list as CSV or JSON Lines, flattened.

    A list's entries carry their record's values beside the entry's own. A file given with
    --output is replaced only once every row is written: interrupted or failed, the export
    leaves the file it would replace as it was. On a terminal, a progress bar on stderr counts
    the rows."""
    from ..workflows.aio import export_records
    from ..workflows.exporter import FORMATS

    to_stdout = output is None or str(output) == "-"
    with reporting(options):
        if format not in FORMATS:
            raise CliError(f"--format must be csv or jsonl, not {format!r}", ExitStatus.USAGE)
        settings = resolve_settings(options)

        async def run(out: TextIO) -> int:
            async with make_async_client(settings) as client:
                with _export_progress(object, to_stdout) as on_progress:
                    return await export_records(
                        client, object, out, format, on_progress=on_progress, sql=sql
                    )

        if to_stdout:
            asyncio.run(run(sys.stdout))
            return
        assert output is not None
        with replacing(output) as out:
            count = asyncio.run(run(out))
        typer.echo(f"{count} records written to {output}", err=True)
