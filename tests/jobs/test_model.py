"""The retry schedule and durations: pure functions, no database."""

from __future__ import annotations

from datetime import timedelta

import pytest

from attio_bridge.errors import InvalidInputError
from attio_bridge.jobs import JobSpec, RetrySchedule, parse_duration


def test_waits_grow_by_the_factor_up_to_the_cap() -> None:
    schedule = RetrySchedule(attempts=6, first_delay=1.0, factor=2.0, max_delay=5.0)
    assert list(schedule.delays()) == [1.0, 2.0, 4.0, 5.0, 5.0]


def test_jitter_spreads_a_wait_within_its_fraction() -> None:
    schedule = RetrySchedule(first_delay=10.0, jitter=0.25)
    assert schedule.delay(1, rand=lambda: 0.0) == pytest.approx(7.5)
    assert schedule.delay(1, rand=lambda: 0.5) == pytest.approx(10.0)
    assert schedule.delay(1, rand=lambda: 0.999999) == pytest.approx(12.5, rel=1e-4)
    assert RetrySchedule(first_delay=10.0, jitter=0.0).delay(1, rand=lambda: 0.0) == 10.0


def test_a_schedule_reads_from_a_list_of_waits() -> None:
    schedule = RetrySchedule.from_string("1s,2s,4s")
    assert schedule.attempts == 4
    assert list(schedule.delays()) == [1.0, 2.0, 4.0]
    assert list(RetrySchedule.from_string("500ms").delays()) == [0.5]


@pytest.mark.parametrize(
    "options",
    [{"attempts": 0}, {"first_delay": -1}, {"factor": 0.5}, {"jitter": 2}],
)
def test_an_impossible_schedule_is_refused(options: dict[str, float]) -> None:
    with pytest.raises(InvalidInputError):
        RetrySchedule(**options)  # type: ignore[arg-type]


def test_durations_have_units() -> None:
    assert parse_duration("30m") == timedelta(minutes=30)
    assert parse_duration("1h") == timedelta(hours=1)
    assert parse_duration("45") == timedelta(seconds=45)
    assert parse_duration("2d") == timedelta(days=2)
    with pytest.raises(InvalidInputError, match="500ms, 30s"):
        parse_duration("soon")
    with pytest.raises(InvalidInputError):
        RetrySchedule.from_string("")


def test_a_job_needs_an_id_and_a_kind() -> None:
    with pytest.raises(InvalidInputError):
        JobSpec("", "kind", "p", {})
