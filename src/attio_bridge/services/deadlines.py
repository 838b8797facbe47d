"""Deadline helpers for tasks: ``next_business_day`` and ``in_days``.

Both return an aware ``datetime`` in the caller's time zone, which ``tasks.create(due=...)``
sends as UTC. "Now" is a parameter (``from_date``) so callers and tests decide what today is;
it defaults to the current moment. Business days are Monday to Friday (no holiday calendar).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo

__all__ = ["in_days", "next_business_day"]

_SATURDAY = 5


def _zone(tz: tzinfo | str | None) -> tzinfo:
    if tz is None:
        return UTC
    return ZoneInfo(tz) if isinstance(tz, str) else tz


def _start(from_date: date | datetime | None, zone: tzinfo) -> datetime:
    """``from_date`` as an aware datetime in ``zone`` (a date is its midnight there)."""
    if from_date is None:
        return datetime.now(zone)
    if isinstance(from_date, datetime):
        if from_date.tzinfo is None:
            return from_date.replace(tzinfo=zone)
        return from_date.astimezone(zone)
    return datetime.combine(from_date, time(), tzinfo=zone)


def _add_business_days(day: date, n: int) -> date:
    step = 1 if n >= 0 else -1
    left = abs(n)
    while left:
        day += timedelta(days=step)
        if day.weekday() < _SATURDAY:
            left -= 1
    return day


def next_business_day(
    from_date: date | datetime | None = None,
    tz: tzinfo | str | None = None,
    *,
    at: time = time(9, 0),
) -> datetime:
    """The first Monday-to-Friday after ``from_date`` (default: now), at ``at`` (09:00) in
    ``tz`` (a ``tzinfo`` or an IANA name such as ``"Europe/London"``; default UTC).

    Friday, Saturday and Sunday all give the following Monday. An aware ``from_date`` is first
    converted to ``tz``, so "Friday 23:30 in New York" is already Saturday in London.
    """
    zone = _zone(tz)
    day = _add_business_days(_start(from_date, zone).date(), 1)
    return datetime.combine(day, at, tzinfo=zone)


def in_days(
    n: int,
    from_date: date | datetime | None = None,
    tz: tzinfo | str | None = None,
    *,
    business_days: bool = False,
    at: time | None = None,
) -> datetime:
    """``n`` days after ``from_date`` (default: now) in ``tz`` (default UTC), at the same wall
    time unless ``at`` is given. With ``business_days=True`` only Monday to Friday are counted,
    so 1 business day after a Friday is the Monday."""
    zone = _zone(tz)
    start = _start(from_date, zone)
    plain = start.date() + timedelta(days=n)
    day = _add_business_days(start.date(), n) if business_days else plain
    wall = at if at is not None else start.time().replace(tzinfo=None)
    return datetime.combine(day, wall, tzinfo=zone)
