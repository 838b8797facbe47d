"""Circuit breakers, one per external system and tenant: stop calling a system that is down,
try it again on its own after a while.

    circuits = Circuits()                        # Redis when REDIS_URL is set, else memory
    breaker = circuits.breaker_for("slack", "acme")
    with breaker.guard():                        # also around an ``await``
        slack.post_message(...)
    # or: breaker.call(fn, *args); await breaker.call_async(fn, *args)

Built on pybreaker. A call that fails with an error that may pass (an ``AttioError`` with
``retryable`` True, or any other exception) counts as a failure of the system; one that is not
retryable (a validation error, a 404) says nothing of the system's health and counts as a
success. After ``fail_max`` failures in a row the circuit opens: every call raises
``CircuitOpenError`` (retryable, so a job waits on its retry schedule) without touching the
system. After ``reset_timeout`` seconds the next call goes through (half-open): its success
closes the circuit, its failure opens it again.

With Redis the state lives there (``pybreaker.CircuitRedisStorage``, under
``<namespace>:<tenant>:<system>:pybreaker:*``), so every process and machine sees one circuit:
a circuit opened by one worker is open for all. Listeners (``Circuits.add_listener``) hear each
change a process notices, which is how an open circuit raises an alert
(``attio_bridge.webhooks.alerts``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import threading
from collections.abc import Awaitable, Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

import pybreaker
import redis
from redis.exceptions import RedisError

from ..errors import AttioError, ConfigurationError

__all__ = [
    "CIRCUIT_FAIL_MAX_ENV",
    "CIRCUIT_RESET_TIMEOUT_ENV",
    "Circuit",
    "CircuitChange",
    "CircuitOpenError",
    "CircuitSettings",
    "Circuits",
    "breaker_for",
]

_T = TypeVar("_T")
_log = logging.getLogger(__name__)

CIRCUIT_FAIL_MAX_ENV = "ATTIO_BRIDGE_CIRCUIT_FAIL_MAX"
CIRCUIT_RESET_TIMEOUT_ENV = "ATTIO_BRIDGE_CIRCUIT_RESET_TIMEOUT"
REDIS_URL_ENV = "REDIS_URL"
DEFAULT_NAMESPACE = "attio-bridge:circuit"
# "default" is the webhooks layer's DEFAULT_TENANT; the name is repeated, not imported upwards.
_DEFAULT_TENANT = "default"


class CircuitOpenError(AttioError):
    """A call was not made because the circuit of its system is open: the system failed
    ``fail_max`` times in a row. Retryable: the circuit tries the system again after its
    reset timeout."""

    retryable = True

    def __init__(self, system: str, tenant: str, reset_timeout: float) -> None:
        super().__init__(
            f"{system} is failing for workspace {tenant!r}: its circuit is open, so the call was "
            f"not made; it is tried again about {reset_timeout:g} s after the circuit opened "
            "(check the system's status and credentials meanwhile)"
        )
        self.system = system
        self.tenant = tenant


@dataclass(frozen=True, slots=True)
class CircuitSettings:
    """``fail_max`` failures in a row open a circuit; ``reset_timeout`` seconds later it lets
    one call through again."""

    fail_max: int = 5
    reset_timeout: float = 30.0

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> CircuitSettings:
        """From ``ATTIO_BRIDGE_CIRCUIT_FAIL_MAX`` and ``ATTIO_BRIDGE_CIRCUIT_RESET_TIMEOUT``
        (seconds), each defaulting to the class's value."""
        env = os.environ if environ is None else environ
        defaults = cls()
        fail_max, reset = defaults.fail_max, defaults.reset_timeout
        try:
            if env.get(CIRCUIT_FAIL_MAX_ENV):
                fail_max = int(env[CIRCUIT_FAIL_MAX_ENV])
            if env.get(CIRCUIT_RESET_TIMEOUT_ENV):
                reset = float(env[CIRCUIT_RESET_TIMEOUT_ENV])
        except ValueError:
            raise ConfigurationError(
                f"{CIRCUIT_FAIL_MAX_ENV} must be a whole number and {CIRCUIT_RESET_TIMEOUT_ENV} a "
                "number of seconds"
            ) from None
        if fail_max < 1 or reset <= 0:
            raise ConfigurationError(
                f"{CIRCUIT_FAIL_MAX_ENV} must be at least 1 and {CIRCUIT_RESET_TIMEOUT_ENV} "
                "greater than 0"
            )
        return cls(fail_max, reset)


@dataclass(frozen=True, slots=True)
class CircuitChange:
    """A circuit changed state, as one process noticed it: ``old`` and ``new`` are
    ``"closed"``, ``"open"`` or ``"half-open"`` (``old`` None on first sight)."""

    system: str
    tenant: str
    old: str | None
    new: str


class _RedisStorage(pybreaker.CircuitRedisStorage):
    """pybreaker's Redis storage with ``opened_at`` kept to the millisecond: pybreaker keeps
    whole seconds, which with a reset timeout of a second or less could let a just-opened
    circuit through at once."""

    def __init__(self, client: redis.Redis, namespace: str) -> None:
        super().__init__(pybreaker.STATE_CLOSED, client, namespace=namespace)
        self._client = client

    @property
    def opened_at(self) -> datetime | None:
        try:
            raw = self._client.get(self._namespace("opened_at_ms"))
        except RedisError:
            _log.warning(
                "circuit %s: Redis unreachable, reading when it opened", self._namespace("")
            )
            return None
        if not raw:
            return None
        return datetime.fromtimestamp(int(raw) / 1000, UTC)

    @opened_at.setter
    def opened_at(self, now: datetime) -> None:
        try:
            self._client.set(self._namespace("opened_at_ms"), int(now.timestamp() * 1000))
        except RedisError:
            _log.warning(
                "circuit %s: Redis unreachable, keeping when it opened", self._namespace("")
            )


def _harmless(exc: BaseException) -> bool:
    # A non-retryable AttioError (bad input, not found) says the system answered: not a failure.
    # A call cut short by its own side (a stopping worker cancels its jobs, Ctrl-C) says nothing
    # of the system either: a graceful stop must not open a circuit (and alert on it).
    if isinstance(exc, (asyncio.CancelledError, KeyboardInterrupt, SystemExit, GeneratorExit)):
        return True
    return (
        isinstance(exc, AttioError) and not exc.retryable and not isinstance(exc, CircuitOpenError)
    )


class _Listener(pybreaker.CircuitBreakerListener):
    def __init__(self, circuit: Circuit, notify: Callable[[CircuitChange], None]) -> None:
        self._circuit = circuit
        self._notify = notify

    def state_change(
        self,
        cb: pybreaker.CircuitBreaker,
        old_state: pybreaker.CircuitBreakerState | None,
        new_state: pybreaker.CircuitBreakerState,
    ) -> None:
        old = old_state.name if old_state is not None else None
        if old == new_state.name:
            return
        self._notify(CircuitChange(self._circuit.system, self._circuit.tenant, old, new_state.name))


class Circuit:
    """The circuit breaker of one ``system`` for one ``tenant``."""

    def __init__(
        self,
        system: str,
        tenant: str,
        settings: CircuitSettings,
        storage: pybreaker.CircuitBreakerStorage,
        notify: Callable[[CircuitChange], None],
    ) -> None:
        self.system = system
        self.tenant = tenant
        self.settings = settings
        self._breaker = pybreaker.CircuitBreaker(
            fail_max=settings.fail_max,
            reset_timeout=settings.reset_timeout,
            exclude=[_harmless],
            state_storage=storage,
            name=f"{tenant}:{system}",
            throw_new_error_on_trip=False,
        )
        self._breaker.add_listener(_Listener(self, notify))

    def __repr__(self) -> str:
        return f"Circuit({self.system!r}, tenant={self.tenant!r}, state={self.state!r})"

    @property
    def state(self) -> str:
        """``"closed"``, ``"open"`` or ``"half-open"``, as the storage holds it now."""
        return str(self._breaker.state.name)

    @property
    def failures(self) -> int:
        """Failures in a row so far."""
        return int(self._breaker.fail_counter)

    @contextlib.contextmanager
    def guard(self) -> Iterator[None]:
        """Run the ``with`` block through the circuit (an ``await`` inside is fine): it raises
        ``CircuitOpenError`` without running the block while the circuit is open; the block's
        own error is counted and raised as it is."""
        try:
            with self._breaker.calling():
                yield
        except pybreaker.CircuitBreakerError:
            raise CircuitOpenError(self.system, self.tenant, self.settings.reset_timeout) from None

    def call(self, fn: Callable[..., _T], *args: Any, **kwargs: Any) -> _T:
        """``fn(*args, **kwargs)`` through the circuit."""
        with self.guard():
            return fn(*args, **kwargs)

    async def call_async(self, fn: Callable[..., Awaitable[_T]], *args: Any, **kwargs: Any) -> _T:
        """``await fn(*args, **kwargs)`` through the circuit."""
        with self.guard():
            return await fn(*args, **kwargs)

    def reset(self) -> None:
        """Close the circuit by hand (an operator knows the system is back)."""
        self._breaker.close()


class Circuits:
    """The circuits of one process, by ``(system, tenant)``: in Redis when ``redis_url`` (or
    ``REDIS_URL``) is set, shared by every process using the same ``namespace``; in memory
    otherwise. ``settings`` default to ``CircuitSettings.from_env()``."""

    def __init__(
        self,
        *,
        redis_url: str | None = None,
        settings: CircuitSettings | None = None,
        namespace: str = DEFAULT_NAMESPACE,
        environ: Mapping[str, str] | None = None,
    ) -> None:
        env = os.environ if environ is None else environ
        self.settings = settings or CircuitSettings.from_env(env)
        self.namespace = namespace
        url = redis_url if redis_url is not None else env.get(REDIS_URL_ENV) or None
        self._redis = redis.Redis.from_url(url, socket_timeout=5) if url else None
        self._circuits: dict[tuple[str, str], Circuit] = {}
        self._listeners: list[Callable[[CircuitChange], None]] = []
        self._lock = threading.Lock()

    @property
    def shared(self) -> bool:
        """Whether the circuits live in Redis (shared across processes)."""
        return self._redis is not None

    def add_listener(self, listener: Callable[[CircuitChange], None]) -> None:
        """Call ``listener`` on each change of any circuit that this process notices; a listener
        that raises is logged and does not disturb the call."""
        self._listeners.append(listener)

    def breaker_for(self, system: str, tenant: str = _DEFAULT_TENANT) -> Circuit:
        """The circuit of ``system`` for ``tenant`` (made on first use, then the same one)."""
        key = (system, tenant)
        with self._lock:
            found = self._circuits.get(key)
            if found is None:
                storage: pybreaker.CircuitBreakerStorage
                if self._redis is not None:
                    storage = _RedisStorage(self._redis, f"{self.namespace}:{tenant}:{system}")
                else:
                    storage = pybreaker.CircuitMemoryStorage(pybreaker.STATE_CLOSED)
                found = Circuit(system, tenant, self.settings, storage, self._notify)
                self._circuits[key] = found
            return found

    def states(self) -> dict[str, str]:
        """``"<tenant>:<system>"`` -> state, for the circuits this process has used."""
        with self._lock:
            circuits = list(self._circuits.values())
        return {f"{c.tenant}:{c.system}": c.state for c in circuits}

    def _notify(self, change: CircuitChange) -> None:
        log = _log.warning if change.new == pybreaker.STATE_OPEN else _log.info
        log("circuit of %s for %s: %s -> %s", change.system, change.tenant, change.old, change.new)
        for listener in list(self._listeners):
            try:
                listener(change)
            except Exception as exc:  # a listener's failure must not fail the guarded call
                _log.error(
                    "a circuit listener failed on %s %s: %s",
                    change.system,
                    change.new,
                    type(exc).__name__,
                )

    def close(self) -> None:
        """Close the Redis connection, if any."""
        if self._redis is not None:
            self._redis.close()


_default: Circuits | None = None
_default_lock = threading.Lock()


def breaker_for(system: str, tenant: str = _DEFAULT_TENANT) -> Circuit:
    """The circuit of ``system`` for ``tenant`` in this process's default ``Circuits`` (Redis
    when ``REDIS_URL`` is set, settings from the environment)."""
    global _default
    with _default_lock:
        if _default is None:
            _default = Circuits()
    return _default.breaker_for(system, tenant)
