"""``attio-bridge enrich OBJECT``: a thin wrapper of ``workflows.enrich.enrich_records``.

The records are those of ``--list SLUG``, those whose ``--status-attribute SLUG`` is
``--pending`` (default "Pending"), or the list's pending ones when both are given. The data
comes from ``--provider-file FILE`` (CSV, JSON array or JSON Lines) found by ``--key domain``
or ``--key email``, or from ``--provider NAME`` (an installed provider, or ``module:Class``)
made with each ``--provider-option KEY=VALUE`` (``KEY`` alone: from the environment variable
``ATTIO_BRIDGE_PROVIDER_KEY``); ``--mapping FILE`` (a JSON object ``{"field": "attribute slug"}``)
replaces the mapping guessed from the field names. Each record found is set to ``--done``
(default "Enriched"), each the file does not know to ``--not-found`` (default "Not found";
``--not-found ""`` leaves it pending). ``--dry-run`` prints what would change and sends no
write; ``--json`` prints the report as JSON.

Exit status: 0 when every record went through, 5 (VALIDATION) when some provider values were
invalid and left out, 1 when some records failed (their reasons are in the report); bad input
(a missing file, an unknown attribute or option, no selection) is one error line, before
anything is written.
"""

from __future__ import annotations

import os
import sys
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ._common import (
    CliError,
    ConnectionOptions,
    ExitStatus,
    connected,
    redact,
    reporting,
)
from ._run import JsonOpt, Run, emit_json, print_rows, session

if TYPE_CHECKING:
    from ..workflows.enrich import EnrichmentProvider, EnrichmentReport

ENV_PREFIX = "ATTIO_BRIDGE_PROVIDER_"

# The workflow plans every record before writing, so a dry run shows all of them, not one request.
DryRunOpt = Annotated[
    bool, typer.Option("--dry-run", help="Print what would change, and write nothing.")
]


def _provider(
    path: Path | None, key: str, column: str | None, name: str | None, options: list[str]
) -> EnrichmentProvider:
    """The provider (``--provider-file`` or ``--provider``), or a usage error naming what is
    wrong; option values are never repeated in an error (they may be secrets)."""
    from ..workflows.enrich import KEYS, FileProvider, load_provider

    if (path is None) == (name is None):
        raise CliError(
            "pass one provider: --provider-file FILE (CSV or JSON) or --provider NAME",
            ExitStatus.USAGE,
        )
    if name is not None:
        if ":" in name and os.getcwd() not in sys.path:
            # As uvicorn does for its app: a module:Class beside the user is importable.
            sys.path.insert(0, os.getcwd())
        return load_provider(name, **_provider_options(options))
    assert path is not None
    if options:
        raise CliError("--provider-option goes with --provider NAME", ExitStatus.USAGE)
    if key not in KEYS:
        raise CliError(f"--key must be {' or '.join(KEYS)}, not {key!r}", ExitStatus.USAGE)
    if not path.is_file():
        raise CliError(f"provider file not found: {path}", ExitStatus.USAGE)
    return FileProvider(path, key=key, column=column)


def _provider_options(items: list[str]) -> dict[str, str]:
    """``--provider-option KEY=VALUE`` as keyword arguments; ``KEY`` alone takes its value from
    the environment variable ``ATTIO_BRIDGE_PROVIDER_KEY``, so a token stays out of the shell's
    history."""
    options: dict[str, str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        key = key.strip()
        if not key.isidentifier():
            raise CliError(
                f"--provider-option: {key!r} is not an option name; use KEY=VALUE",
                ExitStatus.USAGE,
            )
        if not sep:
            variable = f"{ENV_PREFIX}{key.upper()}"
            if variable not in os.environ:
                raise CliError(
                    f"--provider-option {key}: set {variable}, or pass {key}=VALUE",
                    ExitStatus.USAGE,
                )
            value = os.environ[variable]
        options[key] = value
    return options


def _option_values(items: list[str]) -> tuple[str, ...]:
    """The values ``--provider-option`` gives (``KEY=VALUE``, or ``KEY`` from the environment):
    any may be a token, so each is masked in what the command prints, as the API key is."""
    values = []
    for item in items:
        key, sep, value = item.partition("=")
        values.append(value if sep else os.environ.get(f"{ENV_PREFIX}{key.strip().upper()}", ""))
    return tuple(v for v in values if v.strip())


def _mapping(path: Path | None) -> dict[str, str] | None:
    from ..workflows.importer import load_mapping

    if path is None:
        return None
    if not path.is_file():
        raise CliError(f"mapping file not found: {path}", ExitStatus.USAGE)
    return load_mapping(path)


def _print(report: EnrichmentReport) -> None:
    """The report as a table of one line per record (values cut with "…" to fit the
    terminal, the record id whole), each record's problems whole under it, then the counts."""
    rows = [
        {
            "record_id": r.record_id,
            "outcome": r.outcome,
            "key": ", ".join(r.keys),
            "status": r.status or "",
            "set": ", ".join(r.changes),
            "kept": ", ".join(r.kept),
        }
        for r in report.results
    ]
    title = f"Enrichment of {report.object} from {report.provider}"
    if report.dry_run:
        title += " (dry run)"
    columns = ("record_id", "outcome", "key", "status", "set", "kept")
    print_rows(title, rows, columns, keep=2, choose=False)
    # What went wrong is what the reader has to act on: never cut or left out.
    for r in report.results:
        if problems := r.reason or "; ".join(r.invalid):
            typer.echo(f"{r.record_id}: {problems}")
    counts = report.counts()
    typer.echo(
        f"enriched: {counts['enriched']}, unchanged: {counts['unchanged']}, "
        f"not found: {counts['not_found']}, failed: {counts['failed']}, "
        f"with invalid values: {report.invalid}"
    )
    if report.dry_run:
        typer.echo("dry run: nothing was written", err=True)


@connected
def enrich_command(
    object: Annotated[str, typer.Argument(help="Object slug (companies, people, ...).")],
    provider_file: Annotated[
        Path | None,
        typer.Option(
            "--provider-file", help="CSV, JSON or JSON Lines file of data.", show_default=False
        ),
    ] = None,
    provider_name: Annotated[
        str | None,
        typer.Option(
            "--provider",
            help="An installed provider by name, or your own as module:Class.",
            show_default=False,
        ),
    ] = None,
    provider_options: Annotated[
        list[str] | None,
        typer.Option(
            "--provider-option",
            help=f"KEY=VALUE for --provider (repeatable); KEY alone reads {ENV_PREFIX}KEY.",
            show_default=False,
        ),
    ] = None,
    key: Annotated[str, typer.Option("--key", help="Find records by: domain or email.")] = "domain",
    key_column: Annotated[
        str | None,
        typer.Option("--key-column", help="The file's key column (default: guessed from --key)."),
    ] = None,
    list_: Annotated[
        str | None,
        typer.Option("--list", help="Enrich the records of this list.", show_default=False),
    ] = None,
    status_attribute: Annotated[
        str | None,
        typer.Option(
            "--status-attribute",
            help="Status or select attribute: pending records are enriched, then marked.",
            show_default=False,
        ),
    ] = None,
    pending: Annotated[str, typer.Option("--pending", help="Status of records to do.")] = "Pending",
    done: Annotated[str, typer.Option("--done", help="Status once enriched.")] = "Enriched",
    not_found: Annotated[
        str,
        typer.Option("--not-found", help='Status when the file has nothing ("": leave pending).'),
    ] = "Not found",
    mapping: Annotated[
        Path | None,
        typer.Option(
            "--mapping", help='JSON file {"field": "slug"} replacing the guess.', show_default=False
        ),
    ] = None,
    overwrite: Annotated[
        bool, typer.Option("--overwrite", help="Replace values the records already hold.")
    ] = False,
    dry_run: DryRunOpt = False,
    json_: JsonOpt = False,
    *,
    options: ConnectionOptions,
) -> None:
    """Enrich records from a data file or a provider, note the source and mark them."""
    from ..services import Services
    from ..workflows.enrich import Selection, enrich_records

    run = Run(json=json_, dry_run=dry_run)
    # A provider's error (when it is made, or for a record) may quote its options: a token.
    options = replace(options, secrets=(*options.secrets, *_option_values(provider_options or [])))
    # Local input first: a bad file is reported before anything is asked of Attio.
    with reporting(options):
        if list_ is None and status_attribute is None:
            raise CliError(
                "nothing selects the records: pass --list SLUG, --status-attribute SLUG or both",
                ExitStatus.USAGE,
            )
        provider = _provider(provider_file, key, key_column, provider_name, provider_options or [])
        given = _mapping(mapping)
    selection = Selection(list_, status_attribute, pending, done, not_found or None)
    with session(options, run) as client:
        report = enrich_records(
            Services(client),
            object=object,
            provider=provider,
            selection=selection,
            mapping=given,
            overwrite=overwrite,
            dry_run=dry_run,
        )
        for result in report.results:
            if result.reason:
                result.reason = redact(result.reason, list(options.secrets))
        if json_:
            emit_json(report.to_dict())
        else:
            _print(report)
        if report.counts()["failed"]:
            raise typer.Exit(ExitStatus.ERROR)
        if report.invalid:
            raise typer.Exit(ExitStatus.VALIDATION)
