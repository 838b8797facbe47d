"""The deal-stage automation: deals in a stage with activity in the last N days and the
required fields filled are advanced to the next stage, with a follow-up task and a note;
optionally their list entry moves too. A dry run lists what would change and writes nothing.

Activity is the newest of the deal's creation and the ``active_from`` of its current values,
i.e. when it was created or a value last changed. Safe to re-run: each deal gets its task and
note first and its stage last, so an interrupted run is finished by the next one, and a deal
already advanced is no longer in the stage the run looks at.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from ..client.models import Record
from ..services import ServiceError, Services, in_days
from ..values import decode_record
from ._activity import check_assignees, ensure_note, ensure_task

__all__ = ["StageChange", "advance_stale_deals", "last_activity"]


@dataclass(frozen=True)
class StageChange:
    """One deal the automation advances (or would, in a dry run)."""

    deal_id: str
    name: str
    from_stage: str
    to_stage: str
    last_activity: datetime
    follow_up_due: datetime


def _parse(stamp: Any) -> datetime | None:
    if not isinstance(stamp, str) or not stamp:
        return None
    parsed = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def last_activity(record: Record) -> datetime | None:
    """When the deal was created or one of its current values was last set."""
    stamps = [_parse(record.created_at)]
    stamps += [_parse(v.get("active_from")) for vs in record.values.values() for v in vs]
    known = [s for s in stamps if s is not None]
    return max(known) if known else None


def _filled(value: Any) -> bool:
    return value not in (None, "", [], {})


def advance_stale_deals(
    services: Services,
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
    deals = services.context.workspace().object("deals")
    if deals is None:
        raise ServiceError("the workspace has no deals object")
    unknown = [f for f in required_fields if deals.attribute(f) is None]
    if unknown:
        known = ", ".join(sorted(deals.attributes))
        raise ServiceError(
            f"deals have no attribute {', '.join(map(repr, unknown))}; their attributes are: "
            f"{known}"
        )
    services.context.encode("deals", {"stage": from_stage})
    services.context.encode("deals", {"stage": to_stage})
    if from_stage.strip().casefold() == to_stage.strip().casefold():
        raise ServiceError(f"the deals would stay in {to_stage!r}: give another stage to reach")
    if (move_from_list is None) != (move_to_list is None):
        raise ServiceError("give both move_from_list and move_to_list, or neither")
    if move_from_list is not None and move_from_list == move_to_list:
        raise ServiceError(f"the entries would stay in {move_to_list!r}: give another list")
    check_assignees(services, assignees)
    since = moment - timedelta(days=active_within_days)
    due = in_days(follow_up_in_days, moment)
    changes: list[StageChange] = []
    client = services.context.client
    for record in client.records.iter("deals", filter={"stage": from_stage}):
        active = last_activity(record)
        if active is None or active < since:
            continue
        row = decode_record(services.schema, record)
        if not all(_filled(row.get(f)) for f in required_fields):
            continue
        name = str(row.get("name") or record.record_id)
        changes.append(StageChange(record.record_id, name, from_stage, to_stage, active, due))
    if dry_run:
        return changes
    for change in changes:
        _apply(services, change, assignees, required_fields, move_from_list, move_to_list)
    return changes


def _apply(
    services: Services,
    change: StageChange,
    assignees: Sequence[str],
    required_fields: Sequence[str],
    move_from_list: str | None,
    move_to_list: str | None,
) -> None:
    title = f"Stage automation: {change.from_stage} to {change.to_stage}"
    ensure_task(
        services,
        "deals",
        change.deal_id,
        f"Follow up: {change.name} moved to {change.to_stage}",
        assignees=assignees,
        due=change.follow_up_due,
    )
    fields = ", ".join(required_fields) or "none"
    ensure_note(
        services,
        "deals",
        change.deal_id,
        title,
        f"Moved from **{change.from_stage}** to **{change.to_stage}** automatically: active on "
        f"{change.last_activity:%Y-%m-%d}, required fields filled ({fields}). Follow-up due "
        f"{change.follow_up_due:%Y-%m-%d}.\n",
    )
    lists = services.lists
    # A deal on neither list is not in that pipeline: there is no entry to move.
    if (
        move_from_list is not None
        and move_to_list is not None
        and (
            lists.entry_ids(move_from_list, change.deal_id)
            or lists.entry_ids(move_to_list, change.deal_id)
        )
    ):
        lists.move(change.deal_id, move_from_list, move_to_list)
    services.deals.update_stage(change.deal_id, change.to_stage)
