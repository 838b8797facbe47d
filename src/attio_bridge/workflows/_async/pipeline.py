"""The deal-pipeline workflow: create a deal with its company, put it on a list, give it a
task and a context note (``run_deal_pipeline``); advance its stage (``advance_deal``); move a
record between lists (``move_between_lists``). Each is safe to re-run.

Deals have no unique attribute, so a deal is "the same" when it has the same name and the
same company (or no company on both sides); a re-run reuses it instead of creating another.
Its inputs are checked before the first write whether the deal exists or not, and a re-run
never changes a deal it finds: a stage, value or close date that differs from the deal's is
reported (``DealPipelineResult.not_applied``), not written, since stages move through
``advance_deal`` (which can set the probability with them) and a re-run of a pipeline must not
move a deal back: nor back onto the list it has left for another (``move_between_lists``).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from ...client import NOT_GIVEN
from ...client.models import Entry, Record
from ...services import AsyncServices, next_business_day
from ...values import decode_record, domain_from
from .._model.pipeline import DealPipelineResult, NotApplied, check_probability, not_applied

__all__ = ["advance_deal", "move_between_lists", "run_deal_pipeline"]


async def run_deal_pipeline(
    services: AsyncServices,
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
    twice (``created`` lists what this run made). A deal that has left the list since a run
    that finished (its context note is there), moved to another list, is not added again:
    ``entry`` is None then. It never changes a deal it finds: a
    ``stage``, ``value`` or ``close_date`` that differs from the deal's is left out and listed
    in ``not_applied`` (move the stage with ``advance_deal``). Bad values (an unknown stage, a
    value that is not an amount, a workspace without a close-date attribute, an unknown owner or
    assignee) raise ``ValuesError`` / ``ServiceError`` before the first write, whether the deal
    exists or not."""
    await services.tasks.check_assignees([task_assignee_email])
    given = await services.deals.check(
        name, value, stage, close_date, owner=owner or task_assignee_email
    )
    created: list[str] = []
    found_not_applied: list[NotApplied] = []
    company_id = None
    if company_domain:
        existing = await services.companies.find_by_domain(
            domain_from(company_domain) or company_domain
        )
        company_id = existing.record_id if existing is not None else None
    deal = None
    if company_id or not company_domain:
        deal = await services.deals.find(name, company_id=company_id)
    if deal is None:
        deal = await services.deals.create(
            name,
            value,
            stage,
            close_date,
            company=company_domain or None,
            owner=owner or task_assignee_email,
        )
        created.append("deal")
    else:
        row = decode_record(await services.context.workspace(), deal)
        found_not_applied = not_applied(row, given)
    note_title = f"Deal context: {name}"
    entries = await services.lists.entry_ids(list_slug, deal)
    entry = None
    # The context note is the last step: with it there, a run made the entry before, and the
    # deal has left the list since (moved on to another one): it is not put back.
    if entries or "deal" in created or await services.notes.find("deals", deal, note_title) is None:
        entry = await services.lists.assert_entry(list_slug, deal)
        if not entries:
            created.append("entry")
    content = task_content or f"Follow up on {name}"
    task, new_task = await services.tasks.ensure(
        "deals",
        deal.record_id,
        content,
        assignees=[task_assignee_email],
        due=due if due is not None else next_business_day(),
    )
    if new_task:
        created.append("task")
    note, new_note = await services.notes.ensure(
        "deals", deal.record_id, note_title, context_markdown
    )
    if new_note:
        created.append("note")
    return DealPipelineResult(deal, entry, task, note, tuple(created), tuple(found_not_applied))


async def advance_deal(
    services: AsyncServices, deal_id: str, stage: str, probability: float | None = None
) -> Record:
    """Move the deal to ``stage`` (by title) and set its ``probability`` when given, a fraction
    from 0 to 1 (0.6 for 60%; ``ServiceError`` otherwise, before any write). The workspace
    needs a probability attribute on deals; ``ValuesError`` says so otherwise. Setting the
    stage it already has changes nothing."""
    check_probability(probability)
    return await services.deals.update_stage(
        deal_id, stage, probability if probability is not None else NOT_GIVEN
    )


async def move_between_lists(
    services: AsyncServices,
    record: str | Record,
    from_list: str,
    to_list: str,
    entry_values: Mapping[str, Any] | None = None,
) -> Entry:
    """Move the record from ``from_list`` to ``to_list`` with ``entry_values``; a re-run after
    a finished or interrupted move finishes it without duplicates (``services.lists.move``)."""
    return await services.lists.move(record, from_list, to_list, entry_values)
