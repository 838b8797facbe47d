"""The deal-pipeline workflow: create a deal with its company, put it on a list, give it a
task and a context note (``run_deal_pipeline``); advance its stage (``advance_deal``); move a
record between lists (``move_between_lists``). Each is safe to re-run.

Deals have no unique attribute, so a deal is "the same" when it has the same name and the
same company (or no company on both sides); a re-run reuses it instead of creating another.
Its inputs are checked before the first write whether the deal exists or not, and a re-run
never changes a deal it finds: a stage, value or close date that differs from the deal's is
reported (``DealPipelineResult.not_applied``), not written, since stages move through
``advance_deal`` (which can set the probability with them) and a re-run of a pipeline must not
move a deal back.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from ..client import NOT_GIVEN
from ..client.models import Entry, Note, Record, Task
from ..services import ServiceError, Services, next_business_day
from ..values import decode_record, domain_from
from ._activity import check_assignees, ensure_note, ensure_task

__all__ = [
    "DealPipelineResult",
    "NotApplied",
    "advance_deal",
    "move_between_lists",
    "run_deal_pipeline",
]


@dataclass(frozen=True)
class NotApplied:
    """A value given for a deal that existed already, differing from its own and left as it
    was: ``attribute`` (slug), the deal's ``current`` value and the ``given`` one."""

    attribute: str
    current: Any
    given: Any


@dataclass(frozen=True)
class DealPipelineResult:
    """What ``run_deal_pipeline`` left in Attio, what this run created, and the given values
    it did not apply to a deal that existed already (``not_applied``)."""

    deal: Record
    entry: Entry
    task: Task
    note: Note
    created: tuple[str, ...]
    not_applied: tuple[NotApplied, ...] = ()


def _company_id(record: Record) -> str | None:
    for value in record.values.get("associated_company", []):
        target = value.get("target_record_id")
        if isinstance(target, str):
            return target
    return None


def find_deal(services: Services, name: str, company_id: str | None) -> Record | None:
    """The deal called ``name`` linked to ``company_id`` (or to no company when None)."""
    client = services.context.client
    for deal in client.records.iter("deals", filter={"name": name}):
        if _company_id(deal) == company_id:
            return deal
    return None


def _as_date(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip()[:10])
        except ValueError:
            return None
    return None


def _as_number(value: Any) -> Decimal | None:
    try:
        return Decimal(str(value).replace(",", "").strip())
    except (InvalidOperation, ValueError):
        return None


def _not_applied(services: Services, deal: Record, given: Mapping[str, Any]) -> list[NotApplied]:
    """The stage, value and close date in ``given`` that differ from the deal's own."""
    row = decode_record(services.schema, deal)
    found: list[NotApplied] = []
    # The stage first: it is what a re-run most often means to change.
    for slug in sorted(given, key=lambda s: (s != "stage", s != "value")):
        if slug in ("name", "owner"):
            continue
        wanted, current = given[slug], row.get(slug)
        if slug == "stage":
            same = str(current or "").casefold() == str(wanted).strip().casefold()
        elif slug == "value":
            same = _as_number(current) == _as_number(wanted)
        else:
            same = _as_date(current) == _as_date(wanted)
        if not same:
            found.append(NotApplied(slug, current, wanted))
    return found


def run_deal_pipeline(
    services: Services,
    name: str,
    value: Any,
    stage: str,
    close_date: date | datetime | str | None,
    company_domain: str | None,
    list_slug: str,
    task_assignee_email: str,
    context_markdown: str,
    *,
    due: date | datetime | None = None,
    owner: str | None = None,
    task_content: str | None = None,
) -> DealPipelineResult:
    """Create the deal ``name`` (``value``, ``stage`` by title, ``close_date``, the company of
    ``company_domain``, asserted), add it to the list ``list_slug``, create a task
    ``task_content`` (default: "Follow up on {name}") for ``task_assignee_email`` due ``due``
    (default: the next business day) and a note "Deal context: {name}" holding
    ``context_markdown``. The deal's owner is ``owner`` (a member email), by default the task's
    assignee.

    Running it again finds the deal, entry, task and note made before and creates none of them
    twice (``created`` lists what this run made). It never changes a deal it finds: a
    ``stage``, ``value`` or ``close_date`` that differs from the deal's is left out and listed
    in ``not_applied`` (move the stage with ``advance_deal``). Bad values (an unknown stage, a
    value that is not an amount, a workspace without a close-date attribute, an unknown owner or
    assignee) raise ``ValuesError`` / ``ServiceError`` before the first write, whether the deal
    exists or not."""
    check_assignees(services, [task_assignee_email])
    given = services.deals.check(name, value, stage, close_date, owner=owner or task_assignee_email)
    created: list[str] = []
    not_applied: list[NotApplied] = []
    company_id = None
    if company_domain:
        existing = services.companies.find_by_domain(domain_from(company_domain) or company_domain)
        company_id = existing.record_id if existing is not None else None
    deal = find_deal(services, name, company_id) if company_id or not company_domain else None
    if deal is None:
        deal = services.deals.create(
            name,
            value,
            stage,
            close_date,
            company=company_domain or None,
            owner=owner or task_assignee_email,
        )
        created.append("deal")
    else:
        not_applied = _not_applied(services, deal, given)
    entries = services.lists.entry_ids(list_slug, deal)
    entry = services.lists.assert_entry(list_slug, deal)
    if not entries:
        created.append("entry")
    content = task_content or f"Follow up on {name}"
    task, new_task = ensure_task(
        services,
        "deals",
        deal.record_id,
        content,
        assignees=[task_assignee_email],
        due=due if due is not None else next_business_day(),
    )
    if new_task:
        created.append("task")
    note, new_note = ensure_note(
        services, "deals", deal.record_id, f"Deal context: {name}", context_markdown
    )
    if new_note:
        created.append("note")
    return DealPipelineResult(deal, entry, task, note, tuple(created), tuple(not_applied))


def advance_deal(
    services: Services, deal_id: str, stage: str, probability: float | None = None
) -> Record:
    """Move the deal to ``stage`` (by title) and set its ``probability`` when given, a fraction
    from 0 to 1 (0.6 for 60%; ``ServiceError`` otherwise, before any write). The workspace
    needs a probability attribute on deals; ``ValuesError`` says so otherwise. Setting the
    stage it already has changes nothing."""
    if probability is not None and not 0 <= probability <= 1:
        raise ServiceError(
            f"probability {probability:g} is not a fraction from 0 to 1: give 0.6 for 60%"
        )
    return services.deals.update_stage(
        deal_id, stage, probability if probability is not None else NOT_GIVEN
    )


def move_between_lists(
    services: Services,
    record: str | Record,
    from_list: str,
    to_list: str,
    entry_values: Mapping[str, Any] | None = None,
) -> Entry:
    """Move the record from ``from_list`` to ``to_list`` with ``entry_values``; a re-run after
    a finished or interrupted move finishes it without duplicates (``services.lists.move``)."""
    return services.lists.move(record, from_list, to_list, entry_values)
