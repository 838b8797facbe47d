"""The service's logs: JSON lines, and no secret in them by key or by value."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator

import pytest
import structlog

from attio_bridge.web.logs import configure_logging, get_logger

SECRET = "whsec-logs-test-9f3b2c71"


@pytest.fixture
def stream() -> Iterator[io.StringIO]:
    out = io.StringIO()
    configure_logging(json=True, level="info", secrets=[SECRET], stream=out)
    yield out
    structlog.reset_defaults()


def _lines(stream: io.StringIO) -> list[dict[str, object]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_a_logged_secret_never_appears(stream: io.StringIO) -> None:
    log = get_logger("test")
    log.info(
        f"signing with {SECRET}",
        api_key="ak-plain-value-123",
        headers={"Authorization": "Bearer tok-abc-123", "Accept": "json"},
        detail=["before", f"x{SECRET}y"],
        webhook_secret="anything-at-all",
        note=f"url?token={SECRET}",
    )
    text = stream.getvalue()
    for secret in (SECRET, "ak-plain-value-123", "tok-abc-123", "anything-at-all"):
        assert secret not in text
    (line,) = _lines(stream)
    assert line["event"] == "signing with [redacted]"
    assert line["headers"] == {"Authorization": "[redacted]", "Accept": "json"}
    assert line["detail"] == ["before", "x[redacted]y"]
    assert line["component"] == "test"
    assert line["level"] == "info"


def test_secrets_added_later_are_hidden_too(stream: io.StringIO) -> None:
    configure_logging(json=True, secrets=["late-secret-value-77"], stream=stream)
    get_logger("test").warning("oops", error="failed with late-secret-value-77")
    assert "late-secret-value-77" not in stream.getvalue()


def test_lines_under_the_level_are_not_written(stream: io.StringIO) -> None:
    configure_logging(json=True, level="warning", stream=stream)
    log = get_logger("test")
    log.info("quiet")
    log.warning("loud")
    assert [line["event"] for line in _lines(stream)] == ["loud"]
