"""The deal-stage automation without I/O: a change it makes (``StageChange``), a deal's last
activity, and the checks of its arguments before anything is read or written.

Activity is the newest of the deal's creation and the ``active_from`` of its current values,
i.e. when it was created or a value last changed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from ...client.models import Record
from ...services import ServiceError
from ...values import TargetSchema

__all__ = [
    "StageChange",
    "check_moves",
    "check_required_fields",
    "filled",
    "last_activity",
    "stage_note",
]


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


def filled(value: Any) -> bool:
    """Whether a decoded value holds something."""
    return value not in (None, "", [], {})


def check_required_fields(deals: TargetSchema | None, required_fields: Sequence[str]) -> None:
    """``ServiceError`` naming the required fields that are no attribute of ``deals`` (their
    schema)."""
    if deals is None:
        raise ServiceError("the workspace has no deals object")
    unknown = [f for f in required_fields if deals.attribute(f) is None]
    if unknown:
        known = ", ".join(sorted(deals.attributes))
        raise ServiceError(
            f"deals have no attribute {', '.join(map(repr, unknown))}; their attributes are: "
            f"{known}"
        )


def check_moves(
    from_stage: str, to_stage: str, move_from_list: str | None, move_to_list: str | None
) -> None:
    """``ServiceError`` for a ``to_stage`` that is ``from_stage``, or lists to move between
    given by half or the same."""
    if from_stage.strip().casefold() == to_stage.strip().casefold():
        raise ServiceError(f"the deals would stay in {to_stage!r}: give another stage to reach")
    if (move_from_list is None) != (move_to_list is None):
        raise ServiceError("give both move_from_list and move_to_list, or neither")
    if move_from_list is not None and move_from_list == move_to_list:
        raise ServiceError(f"the entries would stay in {move_to_list!r}: give another list")


def stage_note(change: StageChange, required_fields: Sequence[str]) -> tuple[str, str]:
    """The title and Markdown body of the note saying why the deal moved."""
    fields = ", ".join(required_fields) or "none"
    return (
        f"Stage automation: {change.from_stage} to {change.to_stage}",
        f"Moved from **{change.from_stage}** to **{change.to_stage}** automatically: active on "
        f"{change.last_activity:%Y-%m-%d}, required fields filled ({fields}). Follow-up due "
        f"{change.follow_up_due:%Y-%m-%d}.\n",
    )
