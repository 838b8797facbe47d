"""Named exclusive locks for the state store: a file lock beside a SQLite database, a
PostgreSQL advisory lock on a connection of its own otherwise.

Both are freed when their holder dies: the operating system drops a dead process's file locks,
and PostgreSQL a dead session's advisory locks (a machine that vanishes holds its locks until
the server notices the connection is gone; TCP keepalives bound that to about a minute).
"""

from __future__ import annotations

import contextlib
import hashlib
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Protocol

from filelock import FileLock, Timeout
from sqlalchemy import Engine, text
from sqlalchemy.exc import OperationalError, SQLAlchemyError

from ._errors import LockTimeout, StateError

__all__ = ["AdvisoryLocks", "FileLocks", "Locks", "advisory_key"]

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
# PostgreSQL's "lock_not_available", raised when lock_timeout passes.
_LOCK_NOT_AVAILABLE = "55P03"


class Locks(Protocol):
    """Exclusive locks by name, held across processes (and, for PostgreSQL, machines)."""

    def hold(self, name: str, timeout: float | None) -> contextlib.AbstractContextManager[None]:
        """Hold ``name`` for the ``with`` block; ``LockTimeout`` after ``timeout`` seconds."""
        ...


def _digest(name: str) -> bytes:
    return hashlib.sha256(b"attio-bridge-state\0" + name.encode("utf-8")).digest()


def advisory_key(name: str) -> int:
    """The signed 64-bit PostgreSQL advisory lock key of ``name``."""
    return int.from_bytes(_digest(name)[:8], "big", signed=True)


def _held_elsewhere(name: str, timeout: float | None) -> LockTimeout:
    waited = "" if timeout is None else f" within {timeout:g} s"
    return LockTimeout(
        f"the lock {name!r} is held by another run and was not freed{waited}; "
        "try again once that run has finished"
    )


class FileLocks:
    """Locks as files in ``directory`` (made 0700, files 0600), one per name."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def path(self, name: str) -> Path:
        """The lock file of ``name``: readable part of the name, then a hash (names may clash
        once made safe for a file system, hashes do not)."""
        readable = _UNSAFE.sub("_", name)[:80]
        return self.directory / f"{readable}-{_digest(name).hex()[:16]}.lock"

    @contextlib.contextmanager
    def hold(self, name: str, timeout: float | None) -> Iterator[None]:
        """Hold the file lock of ``name``; ``timeout=None`` waits for as long as it takes."""
        try:
            self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        except OSError as exc:
            raise StateError(
                f"cannot create the lock directory {self.directory} ({exc.strerror or exc}); make "
                "its parent writable by this user"
            ) from None
        lock = FileLock(self.path(name), mode=0o600)
        try:
            lock.acquire(timeout=-1 if timeout is None else max(timeout, 0.0))
        except Timeout:
            raise _held_elsewhere(name, timeout) from None
        try:
            yield
        finally:
            lock.release()


class AdvisoryLocks:
    """PostgreSQL session advisory locks, each on a connection of its own from ``engine``
    (which should not pool: closing the connection ends the session and frees the lock, also
    when the release itself cannot reach the server)."""

    def __init__(self, engine: Engine, failed: Callable[[SQLAlchemyError, str], StateError]):
        self.engine = engine
        self._failed = failed

    @contextlib.contextmanager
    def hold(self, name: str, timeout: float | None) -> Iterator[None]:
        """Hold the advisory lock of ``name``; ``timeout=None`` waits for as long as it takes."""
        key = {"key": advisory_key(name)}
        try:
            conn = self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        except SQLAlchemyError as exc:
            raise self._failed(exc, f"take the lock {name!r} in") from exc
        with conn:
            try:
                if timeout is not None and timeout <= 0:
                    got = conn.execute(text("SELECT pg_try_advisory_lock(:key)"), key).scalar()
                    if not got:
                        raise _held_elsewhere(name, timeout)
                else:
                    # The server waits (no polling); lock_timeout "0" means for ever.
                    wait = "0" if timeout is None else f"{max(1, round(timeout * 1000))}ms"
                    conn.execute(
                        text("SELECT set_config('lock_timeout', :wait, false)"), {"wait": wait}
                    )
                    try:
                        conn.execute(text("SELECT pg_advisory_lock(:key)"), key)
                    except OperationalError as exc:
                        if getattr(exc.orig, "sqlstate", None) == _LOCK_NOT_AVAILABLE:
                            raise _held_elsewhere(name, timeout) from None
                        raise
            except SQLAlchemyError as exc:
                raise self._failed(exc, f"take the lock {name!r} in") from exc
            # Closing the connection (leaving ``with conn``) ends the session: the lock goes too.
            yield
