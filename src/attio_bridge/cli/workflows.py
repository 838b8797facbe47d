"""``attio-bridge meeting|deals|qualify|automate``: thin wrappers of the sales workflows.

- ``meeting TARGET`` writes a meeting note (``workflows.meeting.record_meeting_note``) on a
  company (by domain), a person (by email), a record (id with ``--object``) or an Attio URL;
- ``deals create|advance|move`` run the deal pipeline (``workflows.pipeline``);
- ``qualify FORM.json --rules RULES`` scores and qualifies a lead (``workflows.qualify``, rules
  from a file: ``workflows.scoring_rules``);
- ``automate deals`` advances the deals of a stage that are active and complete
  (``workflows.automation.advance_stale_deals``).

Every write takes ``--dry-run``: the reads are sent and every write the workflow would make is
printed, in order (``_run.planned``), with what the command found (the target, the score ...);
ids of what it would create are placeholders (``dry-run:record-1``) that the later requests
carry. ``automate deals --dry-run`` lists the deals that would change. Inputs are checked
before the first write: the target record, the lists, the rules file, the form; the workflows'
own errors (an unknown member, a meeting in the future) are one line, exit 5.
"""

from __future__ import annotations

import json
import shlex
import sys
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from ._common import (
    CliError,
    ConnectionOptions,
    ExitStatus,
    connected,
    reporting,
)
from ._run import (
    JsonOpt,
    Run,
    SetOpt,
    ValuesOpt,
    cell,
    emit_json,
    group,
    planned,
    print_fields,
    print_rows,
    print_table,
    read_text,
    require,
    session,
    show,
    values_from,
    writes,
)
from .records import show_record
from .tasks import parse_due

# The workflows (and the state store, SQLAlchemy and Alembic under them), the services and the
# client are imported by the commands that run them: every other command, and --help, starts
# without them.
if TYPE_CHECKING:
    from ..client.models import Note, Record, Task
    from ..services import Services
    from ..workflows.pipeline import NotApplied

deals_app = group("deals", "The deal pipeline: create a deal with its list entry, task and note.")
automate_app = group("automate", "Automations that update many records at once.")


# -- shared --------------------------------------------------------------------------------------
@contextmanager
def _workflow(options: ConnectionOptions, run: Run) -> Iterator[Services]:
    """The services of one workflow command: one-line errors, exit codes, the dry-run client."""
    from ..services import Services

    with session(options, run) as client:
        yield Services(client)


def _date(option: str, text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise CliError(f"{option} {text!r}: expected YYYY-MM-DD", ExitStatus.VALIDATION) from None


def _moment(option: str, text: str) -> date | datetime:
    """``YYYY-MM-DD`` as a date, ``YYYY-MM-DDTHH:MM[:SS][+HH:MM|Z]`` as a datetime."""
    text = text.strip()
    try:
        if len(text) == len("YYYY-MM-DD"):
            return date.fromisoformat(text)
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise CliError(
            f"{option} {text!r}: expected YYYY-MM-DD or YYYY-MM-DDTHH:MM (with an optional "
            "offset such as +02:00 or Z)",
            ExitStatus.VALIDATION,
        ) from None


def _require_list(services: Services, slug: str, parent: str, option: str) -> str:
    """The slug of the list ``slug``, which must hold records of ``parent``; checked before the
    first write so a workflow never stops half-way on a typo."""
    found = require(services.schema, slug, "list")
    if found.parent_object != parent:
        raise CliError(
            f"{option} {slug!r} is a list of {found.parent_object}, not of {parent}",
            ExitStatus.VALIDATION,
        )
    return found.slug


def _object_of_url_segment(services: Services, segment: str) -> str:
    """The object slug behind a URL's object segment (``person``, ``deals``, ``company``)."""
    from ..services.urls import record_noun

    ws = services.schema.get()
    wanted = segment.lower()
    for slug in ws.objects:
        if wanted in (slug.lower(), record_noun(slug)):
            return slug
    known = ", ".join(sorted(ws.objects))
    raise CliError(
        f"the URL's object {segment!r} is none of the workspace's objects ({known}); "
        "pass --object SLUG",
        ExitStatus.NOT_FOUND,
    )


def _is_url(text: str) -> bool:
    from ..services.urls import APP_HOST

    return "://" in text or text.lower().startswith(APP_HOST)


def _record_from_url(services: Services, text: str, object: str | None) -> tuple[str, str]:
    """(object slug, record id) of an Attio URL of a record or of a note on one."""
    from ..services.urls import AttioUrlKind, parse_url

    parsed = parse_url(text)
    if parsed.kind not in (AttioUrlKind.RECORD, AttioUrlKind.NOTE) or not parsed.record_id:
        raise CliError(
            f"{text!r} is a {parsed.kind.value.replace('_', ' ')} URL, not a record's page",
            ExitStatus.USAGE,
        )
    slug = object or _object_of_url_segment(services, parsed.object or "")
    return slug, parsed.record_id


def resolve_target(services: Services, target: str, object: str | None) -> tuple[str, Record]:
    """The record TARGET names: an Attio URL, a record id (with ``object``), a person's email
    or a company's domain; it must exist."""
    from ..services import is_record_id
    from ..values import domain_from

    text = target.strip()
    if _is_url(text):
        slug, record_id = _record_from_url(services, text, object)
    elif is_record_id(text):
        if object is None:
            raise CliError(
                f"{text} is a record id: pass --object (people, companies, deals ...) with it",
                ExitStatus.USAGE,
            )
        slug, record_id = object, text
    elif object is not None:
        raise CliError(
            "--object goes with a record id or an Attio URL, not an email or a domain",
            ExitStatus.USAGE,
        )
    elif "@" in text:
        person = services.people.find_by_email(text)
        if person is None:
            raise CliError(
                f"no person with the email {text}; add them first: "
                f"attio-bridge people create {text}",
                ExitStatus.NOT_FOUND,
            )
        return "people", person
    else:
        domain = domain_from(text)
        if domain is None:
            raise CliError(
                f"TARGET {text!r} is none of: a company domain, a person's email, a record id "
                "with --object, an Attio URL",
                ExitStatus.USAGE,
            )
        company = services.companies.find_by_domain(domain)
        if company is None:
            raise CliError(
                f"no company with the domain {domain}; add it first: "
                f"attio-bridge companies create {domain}",
                ExitStatus.NOT_FOUND,
            )
        return "companies", company
    slug = require(services.schema, slug, "object").slug
    return slug, services.records.get(slug, record_id)


def _deal(services: Services, deal: str) -> Record:
    """The deal DEAL names (a record id or an Attio URL of a deal); it must exist."""
    from ..services import is_record_id

    text = deal.strip()
    if _is_url(text):
        slug, record_id = _record_from_url(services, text, None)
        if slug != "deals":
            raise CliError(f"{text!r} is a page of {slug}, not of a deal", ExitStatus.USAGE)
    elif is_record_id(text):
        record_id = text
    else:
        raise CliError(
            f"DEAL {text!r}: expected a deal's record id or its Attio URL", ExitStatus.USAGE
        )
    return services.records.get("deals", record_id)


def _note_row(note: Note) -> dict[str, Any]:
    return {
        "note_id": note.id.get("note_id"),
        "title": note.title,
        "parent_object": note.parent_object,
        "parent_record_id": note.parent_record_id,
        "created_at": note.created_at,
    }


def _task_id(task: Task) -> str | None:
    return task.id.get("task_id")


# -- meeting -------------------------------------------------------------------------------------
@connected
@writes
def meeting_command(
    target: Annotated[
        str,
        typer.Argument(
            help="Company domain, person email, record id (with --object) or Attio URL.",
            show_default=False,
        ),
    ],
    title: Annotated[str, typer.Option("--title", help="The meeting's title.")],
    when: Annotated[
        str,
        typer.Option("--date", help="When it took place: YYYY-MM-DD or YYYY-MM-DDTHH:MM[+HH:MM]."),
    ],
    attendee: Annotated[
        list[str] | None,
        typer.Option("--attendee", help="Attendee, email or name (repeatable)."),
    ] = None,
    object: Annotated[
        str | None,
        typer.Option("--object", help="Object of a record-id TARGET (people, deals ...)."),
    ] = None,
    content: Annotated[
        str | None,
        typer.Option("--content", help="The notes, in Markdown.", show_default=False),
    ] = None,
    file: Annotated[
        str | None,
        typer.Option(
            "--file", help="Read the notes from this file ('-': stdin).", show_default=False
        ),
    ] = None,
    *,
    options: ConnectionOptions,
    run: Run,
) -> None:
    """Add a meeting note (title, date, attendees, Markdown notes) to a company, person or deal.

    The notes come from --content, --file or stdin, and may not be empty. The same title and
    date on the same record is the same meeting: running it again writes nothing and prints
    the note with created false; if that note holds other notes or attendees than given, it is
    edited in place to hold these (updated true), keeping its id and date.
    """
    with reporting(options):
        moment = _moment("--date", when)
        text = read_text(content, file)
        if not text.strip():
            # An empty pipe is most often a step before it that failed: an empty note (or one
            # emptied by a re-run) would hide the notes that should be there.
            raise CliError(
                "no meeting notes: the content is empty; pass them with --content, --file or "
                "on stdin",
                ExitStatus.USAGE,
            )
    from ..workflows.meeting import record_meeting_note

    with _workflow(options, run) as services:
        slug, record = resolve_target(services, target, object)
        result = record_meeting_note(
            services, slug, record.record_id, title, moment, attendee or [], text
        )
        if planned(services.context.client, run, {"target": f"{slug}/{record.record_id}"}):
            return
        row = _note_row(result.note) | {"created": result.created, "updated": result.updated}
        if result.updated:
            typer.echo(
                "the meeting note was already there with other notes or attendees: "
                "updated in place",
                err=True,
            )
        elif not result.created:
            typer.echo(
                "the meeting note was already there with these notes: nothing written", err=True
            )
        if run.json:
            emit_json(row)
        else:
            row["created"] = "yes" if result.created else "no (already there)"
            row["updated"] = "yes (other notes or attendees)" if result.updated else "no"
            print_fields("meeting note", row)


# -- deals ---------------------------------------------------------------------------------------
@deals_app.command("create")
@connected
@writes
def deals_create(
    name: Annotated[str, typer.Argument(help="The deal's name.", show_default=False)],
    stage: Annotated[str, typer.Option("--stage", help="Stage title, e.g. Lead.")],
    list_: Annotated[str, typer.Option("--list", help="List of deals to add it to (slug).")],
    assignee: Annotated[
        str, typer.Option("--assignee", help="Member email the follow-up task is assigned to.")
    ],
    value: Annotated[
        str | None, typer.Option("--value", help="Amount, e.g. 12000.", show_default=False)
    ] = None,
    currency: Annotated[
        str | None,
        typer.Option(
            "--currency",
            help="The amount's currency code; checked against the deal value's currency "
            "(Attio sets it per attribute), never converted.",
            show_default=False,
        ),
    ] = None,
    close_date: Annotated[
        str | None, typer.Option("--close-date", help="YYYY-MM-DD.", show_default=False)
    ] = None,
    company: Annotated[
        str | None,
        typer.Option("--company", help="Company domain (made if missing).", show_default=False),
    ] = None,
    task: Annotated[
        str | None,
        typer.Option("--task", help='Task text (default: "Follow up on NAME").'),
    ] = None,
    due: Annotated[
        str | None,
        typer.Option(
            "--due",
            help="Task due: YYYY-MM-DD, next-business-day or +Nd (default: next business day).",
            show_default=False,
        ),
    ] = None,
    note: Annotated[
        str | None,
        typer.Option("--note", help="Deal context, in Markdown.", show_default=False),
    ] = None,
    note_file: Annotated[
        str | None,
        typer.Option(
            "--note-file", help="Read the context from this file ('-': stdin).", show_default=False
        ),
    ] = None,
    owner: Annotated[
        str | None,
        typer.Option(
            "--owner", help="Owner's member email (default: --assignee).", show_default=False
        ),
    ] = None,
    *,
    options: ConnectionOptions,
    run: Run,
) -> None:
    """Create a deal, add it to a list, give it a follow-up task and a context note.

    The context comes from --note, --note-file or stdin. A deal is the same when it has the
    same name and company: running the command again creates nothing twice. Every option is
    checked first, whether the deal exists or not. A deal found is never changed: a --stage,
    --value or --close-date that differs from its own is listed under not_applied (and on
    stderr) with the command that changes it (deals advance for the stage).
    """
    from ..values import decode_record

    with reporting(options):
        closing = _date("--close-date", close_date) if close_date is not None else None
        deadline = parse_due(due) if due is not None else None
        context = read_text(note, note_file)
        if not context.strip():
            raise CliError(
                "no deal context: pass --note, --note-file or pipe it on stdin", ExitStatus.USAGE
            )
        if currency is not None and value is None:
            raise CliError("--currency goes with --value", ExitStatus.USAGE)
    from ..workflows.pipeline import run_deal_pipeline

    with _workflow(options, run) as services:
        slug = _require_list(services, list_, "deals", "--list")
        if currency is not None:
            _check_currency(services, currency)
        result = run_deal_pipeline(
            services,
            name,
            value,
            stage,
            closing,
            company,
            slug,
            assignee,
            context,
            due=deadline,
            owner=owner,
            task_content=task,
        )
        deal_id = result.deal.record_id
        skipped = [_not_applied_line(deal_id, n) for n in result.not_applied]
        found: dict[str, Any] = {"deal": name, "list": slug}
        if skipped:
            found["not_applied"] = skipped if run.json else "; ".join(skipped)
        if planned(services.context.client, run, found):
            return
        for line in skipped:
            typer.echo(f"warning: {line}", err=True)
        if result.entry is None:
            typer.echo(
                f"warning: the deal has left {slug} since the run that made it (moved to another "
                f"list): it is not added again; to add it: attio-bridge entries add {slug} "
                f"{deal_id}",
                err=True,
            )
        row = decode_record(services.schema, result.deal)
        data = {
            "deal_id": result.deal.record_id,
            "name": row.get("name"),
            "stage": row.get("stage"),
            "value": row.get("value"),
            "associated_company": row.get("associated_company"),
            "list": slug,
            "entry_id": result.entry.entry_id if result.entry is not None else None,
            "task_id": _task_id(result.task),
            "note_id": result.note.id.get("note_id"),
            "created": list(result.created),
            "not_applied": skipped,
        }
        if run.json:
            emit_json(data)
        else:
            data["created"] = ", ".join(result.created) or "nothing (all there already)"
            data["not_applied"] = "\n".join(skipped)
            print_fields("deal", data)


def _not_applied_line(deal_id: str, skipped: NotApplied) -> str:
    """What a re-run of ``deals create`` left as it was, and the command that changes it."""
    # The close date may sit in another attribute (CLOSE_DATE_SLUGS): name the option given.
    option = {"stage": "--stage", "value": "--value"}.get(skipped.attribute, "--close-date")
    raw = skipped.given.isoformat() if isinstance(skipped.given, date) else str(skipped.given)
    given = shlex.quote(raw)
    current = cell(skipped.current) or "(none)"
    if skipped.attribute == "stage":
        how = f"attio-bridge deals advance {deal_id} --stage {given}"
    else:
        how = f"attio-bridge records update deals {deal_id} --set {skipped.attribute}={given}"
    exists = f"the deal exists with {skipped.attribute} {current}"
    return f"{exists}; {option} {given} not applied: use {how}"


def _check_currency(services: Services, currency: str) -> None:
    """``--currency`` must be the deal value's: Attio fixes the currency per attribute."""
    deals = require(services.schema, "deals", "object")
    attr = deals.attribute("value")
    code = attr.currency_code if attr is not None else None
    if code is not None and code.upper() != currency.strip().upper():
        raise CliError(
            f"--currency {currency}: deal values in this workspace are in {code} (Attio sets "
            f"the currency per attribute); give the amount in {code} or leave out --currency",
            ExitStatus.VALIDATION,
        )


@deals_app.command("advance")
@connected
@writes
def deals_advance(
    deal: Annotated[str, typer.Argument(help="Deal record id or Attio URL.", show_default=False)],
    stage: Annotated[str, typer.Option("--stage", help="The stage to move it to (title).")],
    probability: Annotated[
        float | None,
        typer.Option(
            "--probability",
            help="Win probability to set, a fraction from 0 to 1: 0.6 for 60% (needs a "
            "probability attribute on deals).",
            show_default=False,
        ),
    ] = None,
    *,
    options: ConnectionOptions,
    run: Run,
) -> None:
    """Move a deal to a stage, and set its probability."""
    from ..workflows.pipeline import advance_deal

    with _workflow(options, run) as services:
        record = _deal(services, deal)
        updated = advance_deal(services, record.record_id, stage, probability)
        if planned(services.context.client, run, {"deal": record.record_id}):
            return
        show_record(services, updated, "deal", run)


@deals_app.command("move")
@connected
@writes
def deals_move(
    deal: Annotated[str, typer.Argument(help="Deal record id or Attio URL.", show_default=False)],
    from_list: Annotated[str, typer.Option("--from", help="The list it leaves (slug).")],
    to_list: Annotated[str, typer.Option("--to", help="The list it joins (slug).")],
    values: ValuesOpt = None,
    set_: SetOpt = None,
    *,
    options: ConnectionOptions,
    run: Run,
) -> None:
    """Move a deal from one list to another, with entry values (--set slug=value).

    Its entry in --to is made first, then the one in --from removed: running it again after an
    interruption finishes the move.
    """
    from ..values import decode_entry
    from ..workflows.pipeline import move_between_lists

    with reporting(options):
        entry_values = values_from(values, set_)
    with _workflow(options, run) as services:
        source = _require_list(services, from_list, "deals", "--from")
        dest = _require_list(services, to_list, "deals", "--to")
        record = _deal(services, deal)
        entry = move_between_lists(services, record, source, dest, entry_values)
        found = {"deal": record.record_id, "from": source, "to": dest}
        if planned(services.context.client, run, found):
            return
        row = {"entry_id": entry.entry_id, "list": dest, "deal_id": entry.parent_record_id}
        show("entry", row | decode_entry(services.schema, entry), run)


# -- qualify -------------------------------------------------------------------------------------
RULES_HELP = "Rules file: TOML, or JSON if the name ends in .json (format below)."


def _form(path: str) -> dict[str, Any]:
    """The form submission in ``path`` ('-': stdin): a JSON object."""
    where = "stdin" if path == "-" else path
    try:
        text = sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CliError(f"no such form file: {path}", ExitStatus.USAGE) from None
    try:
        form = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CliError(f"the form in {where} is not valid JSON: {exc}", ExitStatus.USAGE) from None
    if not isinstance(form, dict):
        raise CliError(
            f"the form in {where} must be a JSON object of fields, e.g. "
            '{"company": "Acme", "website": "acme.com"}',
            ExitStatus.USAGE,
        )
    return form


@connected
@writes
def qualify_command(
    form_file: Annotated[
        str,
        typer.Argument(
            metavar="FORM.json",
            help="The form submission, a JSON object ('-': stdin).",
            show_default=False,
        ),
    ],
    rules: Annotated[str, typer.Option("--rules", help=RULES_HELP, show_default=False)],
    list_: Annotated[
        str | None,
        typer.Option("--list", help="List of companies to add it to (else the rules file's)."),
    ] = None,
    assignee: Annotated[
        str | None,
        typer.Option("--assignee", help="Member email for the task (else the rules file's)."),
    ] = None,
    *,
    options: ConnectionOptions,
    run: Run,
) -> None:
    """Qualify a lead from a form submission (JSON) with scoring rules.

    Finds or creates the company by its website (or email domain), scores it with the rules,
    sets its status, adds it to a list, creates a task due the next business day and notes the
    reasoning. Safe to re-run.

    The form's keys: company (or name), website (or domain, else the email's domain), email,
    and whatever the rules score (employees, industry ...).

    The rules file (TOML; JSON has the same shape), one `[[rules]]` table per rule and the
    tiers, status title = minimum score:

    ```toml
    [[rules]]
    field = "employees"
    op = "at_least"
    value = 50
    points = 30

    [[rules]]
    field = "industry"
    op = "in"
    value = ["SaaS", "Fintech"]
    points = 20

    [tiers]
    Hot = 40
    Warm = 20
    Cold = 0
    ```

    ops: equals, in (a list), at_least, at_most, contains, present (no value); a rule may have
    a label. Optional top-level keys: status_attribute (the companies status or select to set;
    default lead_status, qualification_status, status or lead_stage), list and assignee
    (defaults of --list and --assignee).
    """
    from ..values import decode_record
    from ..workflows.qualify import qualify_lead, score_form
    from ..workflows.scoring_rules import load_rules_file

    with reporting(options):
        settings = load_rules_file(rules)
        form = _form(form_file)
        chosen_list = list_ or settings.list
        chosen_assignee = assignee or settings.assignee
        if chosen_list is None:
            raise CliError(f"no list: pass --list or set list in {rules}", ExitStatus.USAGE)
        if chosen_assignee is None:
            raise CliError(
                f"no assignee: pass --assignee or set assignee in {rules}", ExitStatus.USAGE
            )
        score, reasons = score_form(form, settings.rules)
        status = settings.rules.status_for(score)
    with _workflow(options, run) as services:
        slug = _require_list(services, chosen_list, "companies", "--list")
        result = qualify_lead(services, form, settings.rules, slug, chosen_assignee)
        if planned(services.context.client, run, {"score": score, "status": status, "list": slug}):
            return
        company = decode_record(services.schema, result.company)
        data = {
            "company_id": result.company.record_id,
            "name": company.get("name"),
            "domains": company.get("domains"),
            "score": result.score,
            "status": result.status,
            "list": slug,
            "entry_id": result.entry.entry_id if result.entry is not None else None,
            "task_id": _task_id(result.task),
            "note_id": result.note.id.get("note_id"),
            "created": list(result.created),
            "rules": [{"rule": r.rule, "matched": r.matched, "points": r.points} for r in reasons],
        }
        if run.json:
            emit_json(data)
            return
        shown = {k: v for k, v in data.items() if k != "rules"}
        shown["created"] = ", ".join(result.created) or "nothing (all there already)"
        print_fields("lead", shown)
        print_table("Rules", ("rule", "points"), [(r.rule, r.points) for r in reasons])


# -- automate ------------------------------------------------------------------------------------
@automate_app.command("deals")
@connected
def automate_deals(
    stage: Annotated[str, typer.Option("--stage", help="The stage the deals are in (title).")],
    to: Annotated[str, typer.Option("--to", help="The stage to move them to (title).")],
    active_days: Annotated[
        int,
        typer.Option("--active-days", min=0, help="Only deals created or changed this recently."),
    ],
    follow_up_days: Annotated[
        int, typer.Option("--follow-up-days", min=0, help="The follow-up task is due in N days.")
    ],
    require_: Annotated[
        list[str] | None,
        typer.Option("--require", help="Deal attribute that must hold a value (repeatable)."),
    ] = None,
    assignee: Annotated[
        list[str] | None,
        typer.Option("--assignee", help="Member email for the follow-up tasks (repeatable)."),
    ] = None,
    list_: Annotated[
        str | None,
        typer.Option(
            "--list", help="Move each deal's entry from this list ...", show_default=False
        ),
    ] = None,
    to_list: Annotated[
        str | None, typer.Option("--to-list", help="... to this one.", show_default=False)
    ] = None,
    json_: JsonOpt = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="List the deals that would change; write nothing.")
    ] = False,
    *,
    options: ConnectionOptions,
) -> None:
    """Advance the deals in --stage that were active in the last --active-days days and have
    every --require attribute filled: a follow-up task and a note on each, its list entry moved
    (--list to --to-list), then its stage set to --to. Safe to re-run.
    """
    from ..workflows.automation import advance_stale_deals

    run = Run(json=json_, dry_run=dry_run)
    with reporting(options):
        _check_automation(stage, to, list_, to_list)
    with _workflow(options, run) as services:
        source = _require_list(services, list_, "deals", "--list") if list_ else None
        dest = _require_list(services, to_list, "deals", "--to-list") if to_list else None
        changes = advance_stale_deals(
            services,
            stage,
            to,
            active_days,
            require_ or [],
            follow_up_days,
            dry_run=dry_run,
            assignees=assignee or [],
            move_from_list=source,
            move_to_list=dest,
        )
        rows = [
            {
                "deal_id": c.deal_id,
                "name": c.name,
                "from_stage": c.from_stage,
                "to_stage": c.to_stage,
                "last_activity": c.last_activity,
                "follow_up_due": c.follow_up_due,
            }
            for c in changes
        ]
        _print_changes(rows, run, stage)


def _check_automation(stage: str, to: str, list_: str | None, to_list: str | None) -> None:
    """Options of ``automate deals`` that cannot go together: usage errors, before connecting."""
    if stage.strip().casefold() == to.strip().casefold():
        raise CliError(
            f"--stage and --to are both {to!r}: --to is the stage the deals move to",
            ExitStatus.USAGE,
        )
    if (list_ is None) != (to_list is None):
        raise CliError("give both --list and --to-list, or neither", ExitStatus.USAGE)
    if list_ is not None and to_list is not None and list_.strip() == to_list.strip():
        raise CliError(
            f"--list and --to-list are both {to_list!r}: --to-list is the list the entries move to",
            ExitStatus.USAGE,
        )


def _print_changes(rows: Sequence[Mapping[str, Any]], run: Run, stage: str) -> None:
    if run.json:
        emit_json({"dry_run": run.dry_run, "changes": list(rows)})
        return
    if not rows:
        typer.echo(f"no deal in {stage!r} is due to advance")
        return

    def short(value: Any) -> Any:
        # Minutes are enough to read; --json keeps the full timestamps.
        return f"{value:%Y-%m-%d %H:%M %Z}" if isinstance(value, datetime) else value

    # The stages and the due date are the same for every deal: said once, in the title, so
    # that the rows have the room for the ids and names.
    first = rows[0]
    moved = f"from {first['from_stage']} to {first['to_stage']}"
    due = f"follow-up due {first['follow_up_due']:%Y-%m-%d}"
    title = (
        f"Deals that would advance {moved}, {due} (dry run)"
        if run.dry_run
        else f"Deals advanced {moved}, {due}"
    )
    columns = ("deal_id", "name", "last_activity")
    # One line per deal: the id whole, names cut, what does not fit named under the table.
    shown = [{c: short(r[c]) for c in columns} for r in rows]
    print_rows(title, shown, columns, keep=2, choose=False)
