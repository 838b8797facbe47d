"""The CRM connectors' shared pieces: time parsing in each system's spelling and retry delays."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from attio_bridge.connectors import ConnectorError
from attio_bridge.connectors._common import retry_after, utc

MOMENT = datetime(2024, 5, 1, 12, 30, 15, 250000, tzinfo=UTC)


@pytest.mark.parametrize(
    "value",
    [
        "2024-05-01T12:30:15.250Z",  # HubSpot
        "2024-05-01T12:30:15.250+0000",  # Salesforce
        "2024-05-01T14:30:15.250+02:00",  # Zoho, with the org's offset
        1714566615250,  # epoch milliseconds
        "1714566615250",
        datetime(2024, 5, 1, 12, 30, 15, 250000),  # naive: taken as UTC
        datetime(2024, 5, 1, 7, 30, 15, 250000, tzinfo=timezone(timedelta(hours=-5))),
    ],
)
def test_utc_reads_every_spelling(value: object) -> None:
    assert utc(value) == MOMENT
    assert utc(value).tzinfo == UTC


def test_retry_after_seconds_and_dates() -> None:
    now = datetime(2024, 5, 1, 12, 0, 0, tzinfo=UTC)
    assert retry_after({"Retry-After": "7"}) == 7.0
    assert retry_after({"retry-after": "Wed, 01 May 2024 12:00:30 GMT"}, now) == 30.0
    assert retry_after({"Retry-After": "Wed, 01 May 2024 11:00:00 GMT"}, now) == 0.0
    assert retry_after({"Retry-After": "soon"}) is None
    assert retry_after({}) is None and retry_after(None) is None


def test_retryable_follows_status_and_code() -> None:
    assert ConnectorError("salesforce", "REQUEST_LIMIT_EXCEEDED", "m", status=403).retryable
    assert ConnectorError("hubspot", "RATE_LIMIT", "m", status=429).retryable
    assert ConnectorError("zoho", "INTERNAL_ERROR", "m", status=502).retryable
    assert not ConnectorError("zoho", "INVALID_TOKEN", "m", status=401).retryable
    assert (
        ConnectorError("hubspot", "RATE_LIMIT", "m", status=429, retry_after=10).retry_after == 10
    )
