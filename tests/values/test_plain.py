"""``values.plain``: decoded values as JSON, shared by the sync (values that mean the same
compare equal) and the snapshot files (no digit lost)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal

from attio_bridge.values import as_decoded, plain


def test_decoded_values_become_json_at_every_depth() -> None:
    row = {
        "amount": Decimal("1500.00"),
        "rate": Decimal("0.25"),
        "closed": date(2026, 12, 7),
        "at": datetime(2026, 12, 7, 4, 0, tzinfo=UTC),
        "parts": ({"n": Decimal("2")}, [Decimal("1.5")]),
        1: "key made text",
    }
    out = plain(row)
    assert out == {
        "amount": 1500,
        "rate": 0.25,
        "closed": "2026-12-07",
        "at": "2026-12-07T04:00:00+00:00",
        "parts": [{"n": 2}, [1.5]],
        "1": "key made text",
    }
    assert json.loads(json.dumps(out)) == out


def test_exact_keeps_the_digits_a_float_would_lose() -> None:
    long = Decimal("0.12345678901234567890123")
    assert plain(long) == float(long)
    assert plain(long, exact=True) == str(long)
    assert plain({"a": [long]}, exact=True) == {"a": [str(long)]}
    assert plain(Decimal("0.1"), exact=True) == 0.1


def test_another_systems_numbers_as_text_read_as_attios_decoded_numbers() -> None:
    """HubSpot sends amounts as text, Salesforce as floats: both compare equal to the
    currency Attio decodes; text that is no number, and other types, stay as they are."""
    attio = plain(Decimal("12000"))
    assert as_decoded("currency", "12000") == as_decoded("currency", 12000.0) == attio
    assert as_decoded("number", " 4200.50 ") == plain(Decimal("4200.5")) == 4200.5
    assert as_decoded("currency", "twelve") == "twelve"
    assert as_decoded("currency", True) is True
    assert as_decoded("text", "12000") == "12000"
