"""The deal-pipeline workflow: create a deal with its company, put it on a list, give it a
task and a context note (``run_deal_pipeline``); advance its stage (``advance_deal``); move a
record between lists (``move_between_lists``). Each is safe to re-run.

Deals have no unique attribute, so a deal is "the same" when it has the same name and the
same company (or no company on both sides); a re-run reuses it instead of creating another.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from ..client import NOT_GIVEN
from ..client.models import Entry, Note, Record, Task
from ..services import Services, next_business_day
from ..values import domain_from
from ._activity import check_assignees, ensure_note, ensure_task

__all__ = ["DealPipelineResult", "advance_deal", "move_between_lists", "run_deal_pipeline"]


@dataclass(frozen=True)
class DealPipelineResult:
    """What ``run_deal_pipeline`` left in Attio, and what this run created."""

    deal: Record
    entry: Entry
    task: Task
    note: Note
    created: tuple[str, ...]


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
    twice (``created`` lists what this run made). Bad values raise ``ValuesError`` before the
    deal is written."""
    check_assignees(services, [task_assignee_email])
    created: list[str] = []
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
    return DealPipelineResult(deal, entry, task, note, tuple(created))


def advance_deal(
    services: Services, deal_id: str, stage: str, probability: float | None = None
) -> Record:
    """Move the deal to ``stage`` (by title) and set its ``probability`` when given (the
    workspace needs a probability attribute on deals; ``ValuesError`` says so otherwise).
    Setting the stage it already has changes nothing."""
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
