"""What the everyday commands (``records``, ``people``, ``notes`` ...) share beyond ``_common``:
their groups (``group``), the options every one of them takes (``--json`` through ``reads``,
with ``--dry-run`` through ``writes``), the client of one run (a dry-run client for
``--dry-run``), values from ``--values JSON`` and ``--set slug=value``, the ``--filter``,
``--sort`` and ``--columns`` of queries (``records query``, ``entries ls``), and printing: JSON
for scripts, rich tables for people (a query's rows as a table that fits the terminal).

A dry run sends every read (the schema, lookups) and plans every write: the ``DryRunClient`` of
``_dryrun`` records each one instead of sending it and answers it as Attio would (placeholder
ids such as ``dry-run:record-1`` for what does not exist yet), so the command runs to its end.
A command then calls ``planned``, which prints the whole sequence of writes, in order, with
what each does, in place of the command's result: numbered requests for people,
``{"dry_run": true, "requests": [{method, path, body, effect, creates}, ...]}`` with ``--json``.
Commands stay thin: they call the services and the client.
"""

from __future__ import annotations

import inspect
import json
import sys
import textwrap
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer

from ._common import (
    App,
    ConnectionOptions,
    make_client,
    replace_parameter,
    reporting,
    resolve_settings,
)

# The client (httpx, pydantic) and the values are imported by the commands that use them, so
# --help and the building of the app do without them.
if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table

    from ..client import AttioClient
    from ..values import SchemaCache, TargetSchema
    from ._dryrun import DryRunStop

_T = TypeVar("_T")

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON (for scripts).")]
DryRunOpt = Annotated[
    bool,
    typer.Option(
        "--dry-run", help="Print every request that would be sent, in order, and send nothing."
    ),
]
ValuesOpt = Annotated[
    str | None,
    typer.Option(
        "--values",
        help='Values as a JSON object by attribute slug: \'{"name": "Acme"}\'.',
        show_default=False,
    ),
]
SetOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--set",
        help="One value, slug=value (repeatable; a slug given twice makes a list).",
        show_default=False,
    ),
]
SortOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--sort", help="Sort by attribute: slug or slug:desc (repeatable).", show_default=False
    ),
]
ColumnsOpt = Annotated[
    str | None,
    typer.Option(
        "--columns",
        help="The table's columns: slugs, comma-separated (default: what fits).",
        show_default=False,
    ),
]


def group(name: str, help: str) -> typer.Typer:
    """A group of commands (``records``, ``people`` ...): its help when called without one, and
    errors as ``reporting`` prints them, not as rich tracebacks."""
    return App(name=name, help=help, no_args_is_help=True)


@dataclass(frozen=True, slots=True)
class Run:
    """The output choices of one command: ``--json`` and ``--dry-run``."""

    json: bool = False
    dry_run: bool = False


# --json and --dry-run as parameters of a command (``reads`` and ``writes``), after its own.
_JSON = inspect.Parameter(
    "json_", inspect.Parameter.KEYWORD_ONLY, default=False, annotation=JsonOpt
)
_DRY_RUN = inspect.Parameter(
    "dry_run", inspect.Parameter.KEYWORD_ONLY, default=False, annotation=DryRunOpt
)


def _output(json_: bool = False, dry_run: bool = False) -> Run:
    return Run(json=json_, dry_run=dry_run)


def reads(command: Callable[..., _T]) -> Callable[..., _T]:
    """A command that only reads: it takes ``run: Run``, and its command line ``--json``."""
    return replace_parameter(command, "run", (_JSON,), _output)


def writes(command: Callable[..., _T]) -> Callable[..., _T]:
    """A command that writes: it takes ``run: Run``, and its command line ``--json`` and
    ``--dry-run``."""
    return replace_parameter(command, "run", (_JSON, _DRY_RUN), _output)


@contextmanager
def session(options: ConnectionOptions, run: Run) -> Iterator[AttioClient]:
    """The client of one command, inside ``reporting`` (one-line errors, exit codes): a
    ``DryRunClient`` under ``--dry-run``, else a ``RecordingClient``, whose error line ends with
    the writes done before the error. A write the dry run cannot answer ends the command
    with the plan up to it; a plan the command did not print (it forgot ``planned``) is printed
    at the end, so no dry run passes its writes over in silence."""
    from ._dryrun import DryRunClient, DryRunStop, RecordingClient

    with reporting(options):
        cls = DryRunClient if run.dry_run else RecordingClient
        with make_client(resolve_settings(options), cls) as client:
            try:
                yield client
            except DryRunStop as stop:
                planned(client, run, stop=stop)
            except Exception as exc:
                if isinstance(client, RecordingClient) and client.done:
                    exc.add_note(client.account())
                raise
            else:
                if isinstance(client, DryRunClient) and client.planned and not client.shown:
                    planned(client, run)


def planned(
    client: AttioClient,
    run: Run,
    found: Mapping[str, Any] | None = None,
    *,
    stop: DryRunStop | None = None,
) -> bool:
    """Under ``--dry-run``, print the writes the command would have sent, with what it
    ``found`` on the way (extra keys of the plan), and return True: the command ends there,
    since its own result would be made of placeholders. False (and nothing printed) otherwise.

    People get one numbered request per write, what it does and its body, then "nothing was
    sent" on stderr; ``--json`` gets ``{"dry_run": true, **found, "requests": [...]}``."""
    from ._dryrun import DryRunClient

    if not isinstance(client, DryRunClient):
        return False
    client.shown = True
    requests = [w.as_json() for w in client.planned]
    if run.json:
        data: dict[str, Any] = {"dry_run": True, **(found or {}), "requests": requests}
        if stop is not None:
            data["stopped_before"] = stop.request
        emit_json(data)
        return True
    for key, value in (found or {}).items():
        typer.echo(f"{key}: {value}")
    if not requests and stop is None:
        typer.echo("dry run: nothing to send (what the command would write is there already)")
    for number, write in enumerate(requests, 1):
        typer.echo(f"{number}. {write['method']} {write['path']}")
        typer.echo(f"   {write['effect']}")
        if write["body"] is not None:
            body = json.dumps(write["body"], indent=2, ensure_ascii=False)
            typer.echo("\n".join(f"   {line}" for line in body.splitlines()))
    if stop is not None:
        request = stop.request
        typer.echo(
            f"{len(requests) + 1}. {request['method']} {request['path']}\n"
            "   the dry run cannot tell what Attio would answer to this request, so it stops "
            "here: the steps after it are not shown"
        )
    typer.echo("nothing was sent (dry run)", err=True)
    return True


def require(schema: SchemaCache, name: str, kind: str) -> TargetSchema:
    """The object or list (``kind``) called ``name`` (slug or id); a not-found error naming
    the known ones if the workspace has none."""
    from ._common import CliError, ExitStatus

    ws = schema.get()
    found = ws.object(name) if kind == "object" else ws.list(name)
    if found is None:
        known = ", ".join(sorted(ws.objects if kind == "object" else ws.lists)) or "(none)"
        raise CliError(f"no {kind} {name!r}; the workspace has: {known}", ExitStatus.NOT_FOUND)
    return found


def require_record(client: AttioClient, object: str, record_id: str) -> None:
    """That the record exists: Attio answers a note or task on a missing record with a 400
    (value_not_found), which reads as a validation error; this makes it not found (exit 4)."""
    from ..client import NotFoundError
    from ._common import CliError, ExitStatus

    try:
        client.records.get(object, record_id)
    except NotFoundError:
        raise CliError(f"no {object} record {record_id}", ExitStatus.NOT_FOUND) from None


# -- values from the command line ----------------------------------------------------------------
def parse_json_option(option: str, text: str) -> Any:
    """``text`` as JSON; a one-line usage error naming ``option`` if it is not."""
    from ._common import CliError, ExitStatus

    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise CliError(f"{option} is not valid JSON: {exc}", ExitStatus.USAGE) from None


def parse_sort(text: str) -> dict[str, str]:
    """``--sort slug[:asc|desc]`` as one of Attio's sorts (ascending unless told); a usage
    error otherwise."""
    from ._common import CliError, ExitStatus

    slug, _, direction = text.partition(":")
    direction = direction.strip().lower() or "asc"
    if direction not in ("asc", "desc") or not slug.strip():
        raise CliError(f"--sort {text!r}: expected slug or slug:asc|desc", ExitStatus.USAGE)
    return {"attribute": slug.strip(), "direction": direction}


def query_options(filter: str | None, sorts: Sequence[str] | None) -> dict[str, Any]:
    """``--filter JSON`` and each ``--sort`` as the ``filter`` and ``sorts`` arguments of a
    query of records or entries (only those given); a usage error naming the option that is
    wrong."""
    from ._common import CliError, ExitStatus

    given: dict[str, Any] = {}
    if filter is not None:
        parsed = parse_json_option("--filter", filter)
        if not isinstance(parsed, dict):
            raise CliError("--filter must be a JSON object", ExitStatus.USAGE)
        given["filter"] = parsed
    if sorts:
        given["sorts"] = [parse_sort(s) for s in sorts]
    return given


def values_from(values: str | None, sets: Sequence[str] | None) -> dict[str, Any]:
    """The values of ``--values JSON`` updated with each ``--set slug=value``.

    A ``--set`` value is a string (``values`` converts it by the attribute's type: "42" to a
    number, "true" to a checkbox), or JSON when it starts with ``[`` or ``{``; a slug given
    twice makes a list (multiselect)."""
    from ._common import CliError, ExitStatus

    data: dict[str, Any] = {}
    if values is not None:
        parsed = parse_json_option("--values", values)
        if not isinstance(parsed, dict):
            raise CliError("--values must be a JSON object by attribute slug", ExitStatus.USAGE)
        data.update(parsed)
    seen: set[str] = set()
    for item in sets or ():
        slug, sep, raw = item.partition("=")
        slug = slug.strip()
        if not sep or not slug:
            raise CliError(f"--set {item!r}: expected slug=value", ExitStatus.USAGE)
        value: Any = raw
        if raw.lstrip().startswith(("[", "{")):
            value = parse_json_option(f"--set {slug}", raw)
        if slug in seen:
            before = data[slug]
            data[slug] = [*(before if isinstance(before, list) else [before]), value]
        else:
            data[slug] = value
            seen.add(slug)
    return data


def read_text(content: str | None, file: str | None) -> str:
    """``--content``, else the ``--file`` (``-``: stdin), else stdin when it is not a terminal;
    a file that cannot be read is a usage error naming it."""
    from pathlib import Path

    from ._common import CliError, ExitStatus

    if content is not None and file is not None:
        raise CliError("give --content or --file, not both", ExitStatus.USAGE)
    if content is not None:
        return content
    if file is not None and file != "-":
        try:
            return Path(file).read_text(encoding="utf-8")
        except UnicodeDecodeError:
            raise CliError(
                f"cannot read {file!r}: it is not UTF-8 text", ExitStatus.USAGE
            ) from None
        except OSError as exc:
            why = exc.strerror or type(exc).__name__
            raise CliError(
                f"cannot read {file!r}: {why} (give a readable file, or - for stdin)",
                ExitStatus.USAGE,
            ) from None
    if file is None and sys.stdin.isatty():
        raise CliError("no content: pass --content, --file or pipe it on stdin", ExitStatus.USAGE)
    return sys.stdin.read()


# -- printing ------------------------------------------------------------------------------------
def _plain(value: Any) -> Any:
    """A decoded value as JSON-ready data (dates as ISO strings, decimals as numbers)."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_plain(v) for v in value]
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json")
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)


# JSON is written in pieces of this many characters. One large write to a pipe whose reader
# goes away mid-way is cut short without an error (the buffered writer returns a short count,
# which the text layer drops), so ``--json | head`` would end with 0 and the rest lost; pieces
# smaller than the buffer go through its flush, which raises ``BrokenPipeError``, and
# ``reporting`` ends the command with 141, as tables do.
_JSON_PIECE = 1024


def emit_json(data: Any) -> None:
    """``data`` as indented JSON on stdout."""
    text = json.dumps(_plain(data), indent=2, ensure_ascii=False) + "\n"
    for start in range(0, len(text), _JSON_PIECE):
        sys.stdout.write(text[start : start + _JSON_PIECE])
    sys.stdout.flush()


def cell(value: Any) -> str:
    """A value as one table cell."""
    if value is None:
        return ""
    plain = _plain(value)
    if isinstance(plain, str):
        return plain
    if isinstance(plain, list) and all(isinstance(v, str | int | float) for v in plain):
        return ", ".join(str(v) for v in plain)
    return json.dumps(plain, ensure_ascii=False)


def console() -> Console:
    """A rich console on stdout for tables: no highlighting, no soft wrap, and a closed stdout
    (``| head``) raised as ``BrokenPipeError``, which ``reporting`` ends quietly, where rich
    would exit 1 itself."""
    from rich.console import Console

    class _Console(Console):
        def on_broken_pipe(self) -> None:
            raise BrokenPipeError

    return _Console(highlight=False, soft_wrap=False)


def print_table(title: str | None, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """Rows as a rich table on stdout."""
    from rich.table import Table

    table = Table()
    for column in columns:
        # Ids are what people copy: never broken across lines.
        table.add_column(column, overflow="fold", no_wrap=column.endswith("_id"))
    for row in rows:
        table.add_row(*(cell(v) for v in row))
    print_titled(console(), title, table)


def print_titled(out: Console, title: str | None, table: Table) -> None:
    """``table`` under its ``title``, a line of its own: a rich table's title wraps at the
    table's width, which for a narrow table breaks it in the middle of a word."""
    from rich.text import Text

    if title:
        out.print(Text(title, style="table.title"))
    out.print(table)


# A column of values is cut short (with "…") past this many characters; --json has them whole.
CELL_WIDTH = 32
# Each column costs its content plus padding (2) and a rule (1); the table one more rule.
_COLUMN_EXTRA, _TABLE_EXTRA = 3, 1


def row_columns(
    rows: Sequence[Mapping[str, Any]],
    head: Sequence[str],
    *,
    skip: Sequence[str] = (),
    wanted: str | None = None,
    tail: Sequence[str] = (),
) -> list[str]:
    """The columns of a table of ``rows`` (records, entries): ``wanted`` (``--columns
    a,b,c``, each a key of the rows, else a usage error naming the keys there are), or ``head``
    then every other key that has a value in some row, in order, but ``skip``, then those of
    ``tail`` that have one (keys worth less than the values, such as a parent record's id,
    wherever the rows hold them)."""
    from ._common import CliError, ExitStatus

    if wanted is not None:
        columns = [c.strip() for c in wanted.split(",") if c.strip()]
        known = list(dict.fromkeys(k for row in rows for k in row))
        unknown = [c for c in columns if rows and c not in known]
        if not columns or unknown:
            raise CliError(
                f"--columns: no column {', '.join(unknown) or wanted!r}; "
                f"the rows have: {', '.join(known)}",
                ExitStatus.USAGE,
            )
        return columns
    columns = list(head)
    for row in rows:
        for key, value in row.items():
            if key in columns or key in skip or key in tail:
                continue
            if value not in (None, "", []):
                columns.append(key)
    filled = [c for c in tail if c not in columns and any(r.get(c) for r in rows)]
    return [*columns, *filled]


def print_rows(
    title: str,
    rows: Sequence[Mapping[str, Any]],
    columns: Sequence[str],
    *,
    keep: int = 1,
    fit: bool = True,
    choose: bool = False,
    whole: Sequence[str] = (),
) -> None:
    """Rows of values as a table one line per row: ids (``*_id`` columns and those in
    ``whole``) whole, other values cut at ``CELL_WIDTH`` with "…". With ``fit``, the columns
    after the first ``keep`` that would make the table wider than the terminal are left out and
    named under it, with how to see them: ``--columns`` where the command has it
    (``choose``), and ``--json``."""
    from rich.table import Table

    out = console()
    cells = [[cell(row.get(c)) for c in columns] for row in rows]

    def uncut(column: str) -> bool:
        return column.endswith("_id") or column in whole

    def width(i: int, column: str) -> int:
        longest = max([len(column), *(len(r[i]) for r in cells)])
        return (longest if uncut(column) else min(longest, CELL_WIDTH)) + _COLUMN_EXTRA

    shown = list(range(len(columns)))
    if fit:
        used = _TABLE_EXTRA + sum(width(i, columns[i]) for i in shown[:keep])
        for i in shown[keep:]:
            used += width(i, columns[i])
            if used > out.width:
                shown = shown[: shown.index(i)]
                break
    table = Table()
    for i in shown:
        column = columns[i]
        wide = uncut(column)
        table.add_column(
            column,
            no_wrap=True,
            overflow="fold" if wide else "ellipsis",
            max_width=None if wide else CELL_WIDTH,
        )
    for r in cells:
        table.add_row(*(r[i] for i in shown))
    print_titled(out, title, table)
    left = [columns[i] for i in range(len(columns)) if i not in shown]
    if left:
        how = "choose with --columns a,b,c, or --json for all" if choose else "--json for all"
        # Wrapped, not cut: the names left out are the point of the line.
        note = f"not shown: {', '.join(left)} ({how})"
        typer.echo(textwrap.fill(note, width=out.width, break_on_hyphens=False))


def print_fields(title: str | None, data: Mapping[str, Any]) -> None:
    """One object as a two-column table of its non-empty fields."""
    rows = [(k, v) for k, v in data.items() if v not in (None, "", [], {})]
    print_table(title, ("Field", "Value"), rows)


def show(title: str, data: Mapping[str, Any], run: Run) -> None:
    """One result: JSON with ``--json``, else a table of its fields."""
    if run.json:
        emit_json(data)
    else:
        print_fields(title, data)


def show_rows(
    title: str,
    rows: Sequence[Mapping[str, Any]],
    run: Run,
    head: Sequence[str],
    *,
    skip: Sequence[str] = (),
    wanted: str | None = None,
    tail: Sequence[str] = (),
    page: Page | None = None,
    whole: Sequence[str] = (),
    choose: bool = True,
) -> None:
    """Rows a query found (records, entries): JSON with ``--json`` (a plain list), else a
    table that fits the terminal, ``head`` first and ``tail`` last (``row_columns``,
    ``print_rows``; the ``whole`` columns never cut), or of the ``--columns`` ``wanted``;
    under it, when the rows fill the ``page`` they were asked for, how to see the rest.
    ``choose``: the command has ``--columns`` (the note on columns left out names it)."""
    if run.json:
        emit_json(rows)
        return
    columns = row_columns(rows, head, skip=skip, wanted=wanted, tail=tail)
    print_rows(title, rows, columns, fit=wanted is None, whole=whole, choose=choose)
    if page is not None and page.limit is not None and len(rows) >= page.limit:
        # A full page says nothing of what follows: Attio gives no total to print.
        typer.echo(
            f"there may be more: --offset {page.offset + page.limit} for the next page, "
            "--all for every one"
        )


@dataclass(frozen=True, slots=True)
class Page:
    """The page a query asked for: ``limit`` rows from ``offset`` (``limit`` None: ``--all``)."""

    limit: int | None
    offset: int = 0


def show_deleted(kind: str, id: str, run: Run) -> None:
    """The result of deleting the ``kind`` (note, task) ``id``: ``{"deleted": true,
    "<kind>_id": id}`` with ``--json``, else one line."""
    if run.json:
        emit_json({"deleted": True, f"{kind}_id": id})
    else:
        typer.echo(f"deleted {kind} {id}")
