"""The deal-stage automation: deals in a stage with activity in the last N days and the
required fields filled are advanced to the next stage, with a follow-up task and a note;
optionally their list entry moves too. A dry run lists what would change and writes nothing.

Safe to re-run: each deal gets its task and note first and its stage last, so an interrupted
run is finished by the next one, and a deal already advanced is no longer in the stage the run
looks at.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from ...services import AsyncServices, in_days
from ...values import decode_record
from .._model.automation import (
    StageChange,
    check_moves,
    check_required_fields,
    filled,
    last_activity,
    stage_note,
)

__all__ = ["advance_stale_deals"]


async def advance_stale_deals(
    services: AsyncServices,
    from_stage: str,
    to_stage: str,
    active_within_days: int,
    required_fields: Sequence[str],
    follow_up_in_days: int,
    dry_run: bool = False,
    *,
    assignees: Sequence[str] = (),
    move_from_list: str | None = None,
    move_to_list: str | None = None,
    now: datetime | None = None,
) -> list[StageChange]:
    """Advance every deal in ``from_stage`` whose activity is within ``active_within_days`` of
    ``now`` (default: the current time) and whose ``required_fields`` (deal attribute slugs)
    all hold a value: create a task "Follow up: {name} moved to {to_stage}" due
    ``follow_up_in_days`` after ``now`` (for ``assignees``, member emails), a note saying why,
    move its entry from ``move_from_list`` to ``move_to_list`` when both are given, then set
    its stage to ``to_stage``. Returns the changes made, or with ``dry_run=True`` the changes
    that would be made, writing nothing.

    Unknown stages raise ``ValuesError``; unknown required fields or assignees, ``to_stage``
    the same as ``from_stage`` or ``move_to_list`` the same as ``move_from_list`` raise
    ``ServiceError``; all before anything is written."""
    moment = now if now is not None else datetime.now(UTC)
    ws = await services.context.workspace()
    check_required_fields(ws.object("deals"), required_fields)
    await services.context.encode("deals", {"stage": from_stage})
    await services.context.encode("deals", {"stage": to_stage})
    check_moves(from_stage, to_stage, move_from_list, move_to_list)
    await services.tasks.check_assignees(assignees)
    since = moment - timedelta(days=active_within_days)
    due = in_days(follow_up_in_days, moment)
    changes: list[StageChange] = []
    for record in await services.records.find("deals", {"stage": from_stage}):
        active = last_activity(record)
        if active is None or active < since:
            continue
        row = decode_record(ws, record)
        if not all(filled(row.get(f)) for f in required_fields):
            continue
        name = str(row.get("name") or record.record_id)
        changes.append(StageChange(record.record_id, name, from_stage, to_stage, active, due))
    if dry_run:
        return changes
    for change in changes:
        await _apply(services, change, assignees, required_fields, move_from_list, move_to_list)
    return changes


async def _apply(
    services: AsyncServices,
    change: StageChange,
    assignees: Sequence[str],
    required_fields: Sequence[str],
    move_from_list: str | None,
    move_to_list: str | None,
) -> None:
    await services.tasks.ensure(
        "deals",
        change.deal_id,
        f"Follow up: {change.name} moved to {change.to_stage}",
        assignees=assignees,
        due=change.follow_up_due,
    )
    title, body = stage_note(change, required_fields)
    await services.notes.ensure("deals", change.deal_id, title, body)
    lists = services.lists
    # A deal on neither list is not in that pipeline: there is no entry to move.
    if (
        move_from_list is not None
        and move_to_list is not None
        and (
            await lists.entry_ids(move_from_list, change.deal_id)
            or await lists.entry_ids(move_to_list, change.deal_id)
        )
    ):
        await lists.move(change.deal_id, move_from_list, move_to_list)
    await services.deals.update_stage(change.deal_id, change.to_stage)
