"""``attio-bridge kickoff NAME --domain D``: the lead-kickoff workflow (``workflows/kickoff.py``).

Asserts the company, creates its Slack channel and Google Drive folder, writes their URLs to
the company and adds a kickoff note; ``--rollback`` removes what earlier runs created,
``--dry-run`` prints the plan and writes nothing.

Slack and Drive settings come from options, else the environment:

    --slack-token / SLACK_BOT_TOKEN                 the bot token (xoxb-...)
    --slack-api-url / SLACK_API_URL                 the Web API root (default Slack's)
    --drive-credentials / GOOGLE_APPLICATION_CREDENTIALS   a service-account JSON key file
    --drive-token / GOOGLE_DRIVE_TOKEN              an OAuth access token (without a key file)
    --drive-api-url / DRIVE_API_URL                 the API root (default Google's)

A system with neither a token nor credentials is skipped, and the output says so. Exit status:
0 when every step worked (or was skipped as not configured), 1 when a Slack or Drive step failed
(the rest is done; run the command again to finish), and the classes of ``cli/_common.py`` for
bad input (2 usage, 4 nothing to roll back, 5 validation) and Attio's errors. Tokens are never
printed.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ._common import (
    CliError,
    ConnectionOptions,
    ExitStatus,
    connected,
    flags_named,
    redact,
)
from ._run import Run, emit_json, print_rows, session, writes

if TYPE_CHECKING:
    from ..connectors import DriveConnector, SlackConnector
    from ..workflows.kickoff import Step


# The workflow's errors name its arguments as the library knows them; here they are flags.
_FLAGS = {"create_attributes=True": "leave out --no-create-attributes"}


def _env(option: str | None, name: str) -> str | None:
    """The option if given, else the environment variable (blank counts as unset)."""
    value = option if option is not None else os.environ.get(name)
    return value.strip() if value and value.strip() else None


def make_slack(token: str | None, api_url: str | None) -> SlackConnector | None:
    """The Slack connector of the options and environment, or None when no token is set."""
    from ..connectors import SlackConnector

    token = _env(token, "SLACK_BOT_TOKEN")
    if token is None:
        return None
    return SlackConnector(token, base_url=_env(api_url, "SLACK_API_URL"))


def make_drive(
    credentials: Path | None, token: str | None, api_url: str | None
) -> DriveConnector | None:
    """The Drive connector of the options and environment (a key file before a token), or
    None when neither is set."""
    from ..connectors import DriveConnector

    key_file = _env(str(credentials) if credentials else None, "GOOGLE_APPLICATION_CREDENTIALS")
    return DriveConnector.from_settings(
        key_file=key_file,
        token=_env(token, "GOOGLE_DRIVE_TOKEN"),
        base_url=_env(api_url, "DRIVE_API_URL"),
    )


def _print_steps(title: str, steps: Sequence[Step], secrets: list[str]) -> None:
    """The steps as a table of one line each (values cut with "…" to fit the terminal), then
    whole, one to a line, what people act on: the links made or found (to click) and why a
    step failed."""
    columns = ("system", "status", "what", "target", "detail")
    rows = [{c: redact(str(getattr(s, c)), secrets) for c in columns} for s in steps]
    print_rows(title, rows, columns, keep=4, choose=False)
    said: set[str] = set()
    for row in rows:
        detail = row["detail"]
        link = detail.startswith(("https://", "http://"))
        # A link once, where it was made: the Attio value that stores it repeats it.
        if (link and detail not in said) or (row["status"] == "failed" and detail):
            typer.echo(f"{row['system']} {row['what']} {row['target']}: {detail}")
            said.add(detail)


def _incomplete(steps: Sequence[Step], secrets: list[str], what: str) -> CliError:
    said = "; ".join(f"{s.system} {s.what} {s.target}: {s.detail}" for s in steps)
    return CliError(f"{what}: {redact(said, secrets)}", ExitStatus.ERROR)


@connected
@writes
def kickoff_command(
    name: Annotated[str, typer.Argument(help="The company's name (names its channel and folder).")],
    domain: Annotated[
        str, typer.Option("--domain", help="The company's domain or website (its key).")
    ],
    status: Annotated[
        str | None,
        typer.Option(
            "--status", help="Lead status title (lead_status, status ...).", show_default=False
        ),
    ] = None,
    subfolder: Annotated[
        list[str] | None,
        typer.Option(
            "--subfolder",
            help="Subfolder of the client's Drive folder, e.g. Contracts/Signed (repeatable; "
            "default: Contracts, Proposals, Meeting notes, Deliverables).",
            show_default=False,
        ),
    ] = None,
    no_subfolders: Annotated[
        bool, typer.Option("--no-subfolders", help="Create the client's folder only.")
    ] = False,
    drive_parent: Annotated[
        str | None,
        typer.Option(
            "--drive-parent",
            help="Drive folder id to create the client's folder in.",
            show_default=False,
        ),
    ] = None,
    no_create_attributes: Annotated[
        bool,
        typer.Option(
            "--no-create-attributes",
            help="Fail instead of creating the companies' URL attributes when missing.",
        ),
    ] = False,
    rollback: Annotated[
        bool, typer.Option("--rollback", help="Remove what earlier kickoffs of DOMAIN created.")
    ] = False,
    state_dir: Annotated[
        Path | None,
        typer.Option(
            "--state-dir",
            help=(
                "A directory whose state store (state.sqlite3) records the runs, instead of the "
                "shared one (ATTIO_BRIDGE_DATABASE_URL, else ~/.local/state/attio-bridge); "
                "manifest files an older version kept there are brought in once."
            ),
            show_default=False,
        ),
    ] = None,
    slack_token: Annotated[
        str | None,
        typer.Option(
            "--slack-token", help="Slack bot token (else SLACK_BOT_TOKEN).", show_default=False
        ),
    ] = None,
    slack_api_url: Annotated[
        str | None,
        typer.Option(
            "--slack-api-url", help="Slack Web API root (else SLACK_API_URL).", show_default=False
        ),
    ] = None,
    drive_credentials: Annotated[
        Path | None,
        typer.Option(
            "--drive-credentials",
            help="Service-account JSON key file (else GOOGLE_APPLICATION_CREDENTIALS).",
            show_default=False,
        ),
    ] = None,
    drive_token: Annotated[
        str | None,
        typer.Option(
            "--drive-token",
            help="Google OAuth access token (else GOOGLE_DRIVE_TOKEN).",
            show_default=False,
        ),
    ] = None,
    drive_api_url: Annotated[
        str | None,
        typer.Option(
            "--drive-api-url", help="Drive API root (else DRIVE_API_URL).", show_default=False
        ),
    ] = None,
    *,
    options: ConnectionOptions,
    run: Run,
) -> None:
    """Kick off a lead: company, Slack channel, Drive folder, their URLs and a note."""
    from ..connectors import ConnectorError
    from ..services import ServiceError, Services
    from ..workflows.kickoff import DEFAULT_SUBFOLDERS, kickoff_lead, rollback_kickoff

    secrets = [
        s
        for s in (_env(slack_token, "SLACK_BOT_TOKEN"), _env(drive_token, "GOOGLE_DRIVE_TOKEN"))
        if s
    ]
    with session(options, run) as client:
        if subfolder and no_subfolders:
            raise CliError("give --subfolder or --no-subfolders, not both", ExitStatus.USAGE)
        folders: Sequence[str] = (
            () if no_subfolders else tuple(subfolder) if subfolder else DEFAULT_SUBFOLDERS
        )
        try:
            slack = make_slack(slack_token, slack_api_url)
            drive = make_drive(drive_credentials, drive_token, drive_api_url)
        except ConnectorError as exc:
            raise CliError(redact(exc.message, secrets), ExitStatus.USAGE) from None
        services = Services(client)
        try:
            if rollback:
                undone = rollback_kickoff(
                    services,
                    slack=slack,
                    drive=drive,
                    domain=domain,
                    dry_run=run.dry_run,
                    state_dir=state_dir,
                )
            else:
                result = kickoff_lead(
                    services,
                    slack=slack,
                    drive=drive,
                    name=name,
                    domain=domain,
                    status=status,
                    subfolders=folders,
                    drive_parent_id=drive_parent,
                    create_attributes=not no_create_attributes,
                    dry_run=run.dry_run,
                    state_dir=state_dir,
                )
        except ServiceError as exc:
            # Caught here, not in ``reporting``: the Slack and Drive tokens are masked too.
            said = " ".join(filter(None, (str(exc), flags_named(str(exc), _FLAGS))))
            raise CliError(redact(said, secrets), ExitStatus.VALIDATION) from None
        if rollback:
            if not undone.found:
                raise CliError(
                    f"no kickoff of {undone.domain} is recorded in {undone.recorded_in}: "
                    "nothing to roll back (check --domain and --state-dir)",
                    ExitStatus.NOT_FOUND,
                )
            if run.json:
                emit_json(undone.as_dict())
            else:
                label = "Dry run: rollback" if run.dry_run else "Rollback"
                _print_steps(f"{label} of the kickoff of {undone.domain}", undone.steps, secrets)
            if run.dry_run:
                typer.echo("nothing was removed (dry run)", err=True)
            if undone.failures:
                raise _incomplete(undone.failures, secrets, "rollback incomplete (run it again)")
            return
        if run.json:
            emit_json(result.as_dict())
        else:
            label = "Dry run: kickoff" if run.dry_run else "Kickoff"
            _print_steps(f"{label} of {result.name} ({result.domain})", result.steps, secrets)
        if run.dry_run:
            typer.echo("nothing was written (dry run)", err=True)
        if result.failures:
            raise _incomplete(
                result.failures, secrets, "kickoff incomplete (run it again to finish)"
            )
