"""The deal pipeline without I/O: its results and the comparison of a deal found with the
values a re-run was given (``not_applied``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from ...client.models import Entry, Note, Record, Task
from ...services import ServiceError

__all__ = ["DealPipelineResult", "NotApplied", "check_probability", "not_applied"]


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
    it did not apply to a deal that existed already (``not_applied``). ``entry`` is the deal's
    entry in the list, None when the deal has left the list since the run that made it."""

    deal: Record
    entry: Entry | None
    task: Task
    note: Note
    created: tuple[str, ...]
    not_applied: tuple[NotApplied, ...] = ()


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


def not_applied(row: Mapping[str, Any], given: Mapping[str, Any]) -> list[NotApplied]:
    """The stage, value and close date in ``given`` that differ from the deal's own (``row``,
    the deal decoded)."""
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


def check_probability(probability: float | None) -> None:
    """``ServiceError`` unless ``probability`` is None or a fraction from 0 to 1."""
    if probability is not None and not 0 <= probability <= 1:
        raise ServiceError(
            f"probability {probability:g} is not a fraction from 0 to 1: give 0.6 for 60%"
        )
