"""Circuit breakers per system and tenant: opening after failures, refusing calls while open,
half-opening and closing on their own, state shared through the real Redis by two breaker
objects (as two processes would have), and listeners hearing each change."""

from __future__ import annotations

import asyncio
import os
import time
import uuid
from collections.abc import Iterator

import pytest

from attio_bridge.errors import AttioError, ConfigurationError, InvalidInputError
from attio_bridge.jobs.circuits import (
    CIRCUIT_FAIL_MAX_ENV,
    CIRCUIT_RESET_TIMEOUT_ENV,
    CircuitChange,
    CircuitOpenError,
    Circuits,
    CircuitSettings,
)
from tests._servers import redis_client

REDIS_URL = os.environ.get("ATTIO_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
FAST = CircuitSettings(fail_max=2, reset_timeout=0.3)


class Down(AttioError):
    retryable = True


def fail() -> None:
    raise Down("the system is down")


@pytest.fixture
def namespace() -> Iterator[str]:
    """A Redis key prefix of this test's own, removed afterwards."""
    client = redis_client(REDIS_URL)
    name = f"test-circuits-{uuid.uuid4().hex[:12]}"
    yield name
    keys = list(client.scan_iter(f"{name}:*"))
    if keys:
        client.delete(*keys)
    client.close()


def trip(circuits: Circuits, system: str = "slack", tenant: str = "acme") -> None:
    breaker = circuits.breaker_for(system, tenant)
    for _ in range(FAST.fail_max):
        with pytest.raises(Down):
            breaker.call(fail)


def test_failures_open_the_circuit_and_calls_are_refused_without_running() -> None:
    circuits = Circuits(settings=FAST, environ={})
    assert not circuits.shared
    breaker = circuits.breaker_for("slack", "acme")
    assert breaker.call(lambda: 41 + 1) == 42
    trip(circuits)
    assert breaker.state == "open"
    ran: list[int] = []
    with pytest.raises(CircuitOpenError) as caught:
        breaker.call(lambda: ran.append(1))
    assert ran == []
    assert caught.value.retryable is True and isinstance(caught.value, AttioError)
    assert "slack is failing for workspace 'acme'" in str(caught.value)
    # Another tenant's circuit of the same system, and another system, are untouched.
    assert circuits.breaker_for("slack", "globex").call(lambda: "ok") == "ok"
    assert circuits.breaker_for("drive", "acme").state == "closed"


def test_errors_that_say_the_system_answered_do_not_count() -> None:
    circuits = Circuits(settings=FAST, environ={})
    breaker = circuits.breaker_for("attio", "acme")

    def refused() -> None:
        raise InvalidInputError("bad value")

    for _ in range(FAST.fail_max * 2):
        with pytest.raises(InvalidInputError):
            breaker.call(refused)
    assert breaker.state == "closed"


def test_calls_cancelled_by_a_stopping_worker_do_not_count() -> None:
    circuits = Circuits(settings=FAST, environ={})
    breaker = circuits.breaker_for("attio", "acme")
    heard: list[str] = []
    circuits.add_listener(lambda change: heard.append(change.new))

    async def cut_short() -> None:
        raise asyncio.CancelledError

    for _ in range(FAST.fail_max * 2):
        with pytest.raises(asyncio.CancelledError):
            asyncio.run(breaker.call_async(cut_short))
    assert (breaker.state, breaker.failures, heard) == ("closed", 0, [])


def test_two_breakers_share_the_open_state_through_redis(namespace: str) -> None:
    first = Circuits(redis_url=REDIS_URL, settings=FAST, namespace=namespace, environ={})
    second = Circuits(redis_url=REDIS_URL, settings=FAST, namespace=namespace, environ={})
    assert first.shared and second.shared
    trip(first)
    ran: list[int] = []
    with pytest.raises(CircuitOpenError):
        second.breaker_for("slack", "acme").call(lambda: ran.append(1))
    assert ran == []
    # Another namespace (another deployment) does not share it.
    other = Circuits(redis_url=REDIS_URL, settings=FAST, namespace=namespace + "-x", environ={})
    assert other.breaker_for("slack", "acme").call(lambda: "ok") == "ok"
    other.close()
    first.close()
    second.close()


def test_it_half_opens_then_closes_on_its_own(namespace: str) -> None:
    heard: list[CircuitChange] = []
    first = Circuits(redis_url=REDIS_URL, settings=FAST, namespace=namespace, environ={})
    second = Circuits(redis_url=REDIS_URL, settings=FAST, namespace=namespace, environ={})
    first.add_listener(heard.append)
    second.add_listener(heard.append)
    trip(first)
    with pytest.raises(CircuitOpenError):
        second.breaker_for("slack", "acme").call(lambda: None)
    time.sleep(FAST.reset_timeout + 0.1)
    # The first call after the timeout goes through; its success closes the circuit for all.
    assert second.breaker_for("slack", "acme").call(lambda: "back") == "back"
    assert first.breaker_for("slack", "acme").state == "closed"
    assert first.breaker_for("slack", "acme").call(lambda: "ok") == "ok"
    # The first process saw it open; the second (whose breaker was made open) saw it
    # half-open and close; the first then noticed it closed.
    assert [(c.old, c.new) for c in heard] == [
        ("closed", "open"),
        ("open", "half-open"),
        ("half-open", "closed"),
        ("open", "closed"),
    ]
    assert {(c.system, c.tenant) for c in heard} == {("slack", "acme")}
    first.close()
    second.close()


def test_a_failure_while_half_open_opens_it_again() -> None:
    circuits = Circuits(settings=FAST, environ={})
    breaker = circuits.breaker_for("drive", "acme")
    trip(circuits, "drive")
    time.sleep(FAST.reset_timeout + 0.1)
    with pytest.raises(Down):
        breaker.call(fail)
    assert breaker.state == "open"
    with pytest.raises(CircuitOpenError):
        breaker.call(lambda: None)


@pytest.mark.anyio
@pytest.mark.parametrize("anyio_backend", ["asyncio"])
async def test_an_async_call_goes_through_the_circuit(anyio_backend: str) -> None:
    circuits = Circuits(settings=FAST, environ={})
    breaker = circuits.breaker_for("hubspot", "acme")

    async def down() -> None:
        raise Down("down")

    async def answer() -> int:
        return 7

    assert await breaker.call_async(answer) == 7
    for _ in range(FAST.fail_max):
        with pytest.raises(Down):
            await breaker.call_async(down)
    with pytest.raises(CircuitOpenError):
        await breaker.call_async(answer)


def test_a_failing_listener_does_not_disturb_the_call() -> None:
    circuits = Circuits(settings=FAST, environ={})

    def broken(change: CircuitChange) -> None:
        raise RuntimeError("listener bug")

    circuits.add_listener(broken)
    trip(circuits)
    assert circuits.breaker_for("slack", "acme").state == "open"


def test_settings_from_the_environment() -> None:
    env = {CIRCUIT_FAIL_MAX_ENV: "3", CIRCUIT_RESET_TIMEOUT_ENV: "1.5"}
    assert CircuitSettings.from_env(env) == CircuitSettings(3, 1.5)
    assert CircuitSettings.from_env({}) == CircuitSettings()
    with pytest.raises(ConfigurationError, match=CIRCUIT_FAIL_MAX_ENV):
        CircuitSettings.from_env({CIRCUIT_FAIL_MAX_ENV: "many"})
    with pytest.raises(ConfigurationError, match="at least 1"):
        CircuitSettings.from_env({CIRCUIT_FAIL_MAX_ENV: "0"})
