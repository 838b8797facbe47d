"""A rate budget whose Redis backend cannot be reached: a retryable ``RateBackendError`` naming
the backend (its password hidden), from the budget and from a client made with it."""

from __future__ import annotations

import pytest
import redis

from attio_bridge.client import AttioClient, RateBackendError, budget_for

from ._faults import unique_key


@pytest.mark.parametrize(
    ("backend", "shown"),
    [
        ("redis://127.0.0.1:1/0", "redis://127.0.0.1:1/0"),
        ("redis://user:pw-51ab-secret@127.0.0.1:1", "redis://user:***@127.0.0.1:1"),
        # redis-py also reads a password from the query.
        ("redis://127.0.0.1:1/0?password=pw-51ab-secret", "redis://127.0.0.1:1/0?password=***"),
    ],
)
def test_a_redis_url_nothing_answers_at(backend: str, shown: str) -> None:
    with pytest.raises(RateBackendError) as caught:
        budget_for(unique_key(), backend=backend)
    assert caught.value.retryable
    assert f"backend {shown} cannot be used" in str(caught.value)
    assert "pw-51ab-secret" not in str(caught.value)


def test_a_redis_client_nothing_answers_at(monkeypatch: pytest.MonkeyPatch) -> None:
    """Given as a client, or to a client through ATTIO_RATE_LIMIT_BACKEND."""
    down = redis.Redis(host="127.0.0.1", port=1)
    try:
        with pytest.raises(RateBackendError, match=r"a Redis client"):
            budget_for(unique_key(), backend=down)
    finally:
        down.close()
    monkeypatch.setenv("ATTIO_RATE_LIMIT_BACKEND", "redis://127.0.0.1:1")
    with pytest.raises(RateBackendError, match=r"redis://127.0.0.1:1"):
        AttioClient(api_key=unique_key(), base_url="http://127.0.0.1:9")
