"""``StateStore``: JSON documents by namespace and key, and named locks, in one database.

A SQLite file by default; PostgreSQL when a ``postgresql://`` URL is given (or set in
``ATTIO_BRIDGE_DATABASE_URL``), so that runs on several machines share their state and locks.
Opening a store brings its schema to the newest Alembic revision (Alembic is imported only
when the database is behind), under a lock so that two
processes opening an empty database at once do not both create it.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any

from sqlalchemy import Engine, bindparam, create_engine, delete, event, func, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError, NoSuchModuleError, OperationalError, SQLAlchemyError
from sqlalchemy.pool import NullPool

from . import _migrate
from ._errors import LockTimeout, StateError
from ._locks import AdvisoryLocks, FileLocks, Locks, advisory_key
from ._schema import documents
from ._url import DATABASE_URL_ENV, DatabaseUrl, resolve_url

__all__ = ["Entry", "StateStore", "open_store"]

_MAX_NAMESPACE = 64
_MAX_KEY = 512
# How long SQLite waits for another connection's write before "database is locked".
_BUSY_SECONDS = 30.0
# How long a first open waits for another process's migration.
_MIGRATE_SECONDS = 300.0
_MIGRATE_LOCK = "attio-bridge-state-migrate"
# Execution option marking a connection that writes: SQLite then begins with BEGIN IMMEDIATE,
# taking the write lock first (waiting up to the busy timeout) rather than failing at once
# when a read transaction finds it must become a write one.
_WRITES = "attio_bridge_writes"
_PG_CONNECT_ARGS: dict[str, Any] = {
    "connect_timeout": 10,
    "application_name": "attio-bridge",
    # A lock holder whose machine vanished frees its locks once the server gives up on it.
    "keepalives": 1,
    "keepalives_idle": 30,
    "keepalives_interval": 10,
    "keepalives_count": 3,
}
_BUSY = re.compile(r"locked|busy", re.IGNORECASE)
_NOT_RETRYABLE_PG = re.compile(
    r"password authentication|authentication failed|does not exist|no pg_hba|permission denied",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Entry:
    """A stored document with its key and times (UTC): created by the first ``put``,
    updated by the last."""

    namespace: str
    key: str
    document: dict[str, Any]
    created_at: datetime
    updated_at: datetime


def _utc(value: datetime) -> datetime:
    # SQLite keeps no zone; every time written is UTC.
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


class StateStore:
    """JSON documents by ``(namespace, key)`` and exclusive named locks, in SQLite or PostgreSQL.

    Namespaces in use: ``"kickoff"`` (key: the domain), ``"import"`` (key: a run's identity
    hash), ``"sync"`` and ``"jobs"``. Every write is one transaction: a killed process leaves
    the old document or the new one, never half. A store may be shared by threads; many
    processes may open the same SQLite file (WAL, busy timeout) or PostgreSQL database.

    The store is synchronous (a SQLAlchemy Core engine). Async code calls it directly: its
    database is local and its documents small, so a call takes about a millisecond. A lock
    held across ``await`` blocks only the thread that waits for it, so async code that must
    wait long for a lock should take it in a worker thread (``anyio.to_thread.run_sync``).

    Open one with ``open_store()``; close it (or use it as a context manager) when done.
    """

    def __init__(self, url: str | None = None, *, environ: Mapping[str, str] | None = None):
        self._where = resolve_url(url, environ)
        self._lock_engine: Engine | None = None
        if self._where.path is not None:
            self._prepare_file(self._where.path)
            self._engine = self._sqlite_engine(self._where)
            self._locks: Locks = FileLocks(self._lock_directory)
        else:
            self._engine = self._postgresql_engine(self._where, pooled=True)
            self._lock_engine = self._postgresql_engine(self._where, pooled=False)
            self._locks = AdvisoryLocks(self._lock_engine, self._failed)
        try:
            self._migrate()
        except BaseException:
            self.close()
            raise

    # -- the surface ---------------------------------------------------------------------------
    @property
    def url_for_display(self) -> str:
        """The database URL with any password masked, for messages."""
        return self._where.display

    @property
    def file(self) -> Path | None:
        """The SQLite database file, or None for PostgreSQL."""
        return self._where.path

    @property
    def backend(self) -> str:
        """``"sqlite"`` or ``"postgresql"``."""
        return self._where.backend

    def get(self, namespace: str, key: str) -> dict[str, Any] | None:
        """The document under ``(namespace, key)``, or ``None``."""
        entry = self.entry(namespace, key)
        return None if entry is None else entry.document

    def entry(self, namespace: str, key: str) -> Entry | None:
        """The document under ``(namespace, key)`` with its times, or ``None``."""
        _check_names(namespace, key)
        query = select(documents).where(documents.c.namespace == namespace, documents.c.key == key)
        with self._connection(f"read {namespace}/{key} from") as conn:
            row = conn.execute(query).first()
        if row is None:
            return None
        return Entry(namespace, key, row.document, _utc(row.created_at), _utc(row.updated_at))

    def put(self, namespace: str, key: str, document: Mapping[str, Any]) -> None:
        """Store ``document`` under ``(namespace, key)``, replacing what was there; the first
        put sets ``created_at``, each one ``updated_at``. The document must be JSON (``str``
        keys; strings, numbers other than NaN and infinities, booleans, ``None``, lists and
        dicts of them)."""
        _check_names(namespace, key)
        body = _json_document(namespace, key, document)
        now = datetime.now(UTC)
        insert = (postgresql.insert if self.backend == "postgresql" else sqlite.insert)(documents)
        statement = insert.values(
            namespace=namespace, key=key, document=body, created_at=now, updated_at=now
        ).on_conflict_do_update(
            index_elements=[documents.c.namespace, documents.c.key],
            set_={"document": insert.excluded.document, "updated_at": insert.excluded.updated_at},
        )
        with self._connection(f"write {namespace}/{key} to", writes=True) as conn:
            conn.execute(statement)

    def delete(self, namespace: str, key: str) -> bool:
        """Remove the document under ``(namespace, key)``; whether there was one."""
        _check_names(namespace, key)
        statement = delete(documents).where(
            documents.c.namespace == namespace, documents.c.key == key
        )
        with self._connection(f"delete {namespace}/{key} from", writes=True) as conn:
            return conn.execute(statement).rowcount > 0

    def write_many(self, changes: Sequence[tuple[str, str, Mapping[str, Any] | None]]) -> None:
        """Several changes, in order, in one transaction (all are made or none): each a
        ``(namespace, key, document)`` put, or a delete when ``document`` is None. One commit,
        and one statement per run of puts or deletes, instead of one each per document, for
        callers that write many at once (a sync page's links)."""
        if not changes:
            return
        now = datetime.now(UTC)
        insert = (postgresql.insert if self.backend == "postgresql" else sqlite.insert)(documents)
        upsert = insert.on_conflict_do_update(
            index_elements=[documents.c.namespace, documents.c.key],
            set_={"document": insert.excluded.document, "updated_at": insert.excluded.updated_at},
        )
        remove = delete(documents).where(
            documents.c.namespace == bindparam("ns"), documents.c.key == bindparam("k")
        )
        runs: list[tuple[bool, list[dict[str, Any]]]] = []
        for ns, key, doc in changes:
            _check_names(ns, key)
            row = (
                {"ns": ns, "k": key}
                if doc is None
                else {
                    "namespace": ns,
                    "key": key,
                    "document": _json_document(ns, key, doc),
                    "created_at": now,
                    "updated_at": now,
                }
            )
            if runs and runs[-1][0] == (doc is None):
                runs[-1][1].append(row)
            else:
                runs.append((doc is None, [row]))
        with self._connection(f"write {len(changes)} documents to", writes=True) as conn:
            for deleting, rows in runs:
                conn.execute(remove if deleting else upsert, rows)

    def items(self, namespace: str, prefix: str = "") -> list[tuple[str, dict[str, Any]]]:
        """The ``(key, document)`` pairs of ``namespace`` whose key starts with ``prefix``
        (case-sensitive), ordered by key (by code point, as Python sorts strings)."""
        _check_names(namespace)
        key = documents.c.key
        if self.backend == "postgresql":
            # The database's collation may follow the locale; "C" orders by code point.
            key = key.collate("C")  # type: ignore[assignment]
        query = select(documents.c.key, documents.c.document).where(
            documents.c.namespace == namespace
        )
        if prefix:
            # Not LIKE: SQLite's LIKE ignores case, and "%" or "_" in a prefix would match more.
            query = query.where(func.substr(documents.c.key, 1, len(prefix)) == prefix)
        with self._connection(f"list {namespace} in") as conn:
            rows = conn.execute(query.order_by(key)).all()
        return [(row.key, row.document) for row in rows]

    def lock(
        self, name: str, timeout: float | None = 120.0
    ) -> contextlib.AbstractContextManager[None]:
        """Hold the exclusive lock ``name`` for a ``with`` block, against every other holder:
        threads, processes and (PostgreSQL) machines. Waits up to ``timeout`` seconds (``0``:
        does not wait, ``None``: waits for ever), then raises ``LockTimeout`` (retryable).

        A lock is freed when its block ends and when its holder dies: SQLite's are files
        beside the database (``filelock``), PostgreSQL's are advisory locks on a connection of
        their own. Locks are not re-entrant: taking ``name`` again inside its block waits for
        itself until ``timeout``.
        """
        if not isinstance(name, str) or not name:
            raise StateError(f"a lock name must be a non-empty string, not {name!r}")
        return self._locks.hold(name, timeout)

    def close(self) -> None:
        """Close the store's connections (the file and locks stay; open it again at will)."""
        self._engine.dispose()
        if self._lock_engine is not None:
            self._lock_engine.dispose()

    def __enter__(self) -> StateStore:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"StateStore({self.url_for_display!r})"

    # -- opening -------------------------------------------------------------------------------
    @property
    def _lock_directory(self) -> Path:
        assert self._where.path is not None
        return self._where.path.with_name(self._where.path.name + ".locks")

    def _prepare_file(self, path: Path) -> None:
        """Create the database file and its directory readable by this user only."""
        try:
            if not path.parent.exists():
                path.parent.mkdir(mode=0o700, parents=True)
            fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            return
        except OSError as exc:
            raise StateError(
                f"cannot create the state database {path} ({exc.strerror or exc}); make "
                f"{path.parent} writable by this user, or name another file in "
                f"{DATABASE_URL_ENV} (or another directory in XDG_STATE_HOME)"
            ) from None
        # The umask may not clear every bit of the group's and others' access; this does.
        os.fchmod(fd, 0o600)
        os.close(fd)

    def _sqlite_engine(self, where: DatabaseUrl) -> Engine:
        engine = create_engine(
            where.url, connect_args={"timeout": _BUSY_SECONDS, "check_same_thread": False}
        )

        @event.listens_for(engine, "connect")
        def _connect(dbapi: sqlite3.Connection, _record: object) -> None:
            # pysqlite's own transaction handling begins late and never for DDL; SQLAlchemy's
            # "begin" event below takes over (the recipe in SQLAlchemy's SQLite docs).
            dbapi.isolation_level = None
            dbapi.execute("PRAGMA synchronous=NORMAL")
            dbapi.execute("PRAGMA foreign_keys=ON")

        @event.listens_for(engine, "begin")
        def _begin(conn: Connection) -> None:
            writes = conn.get_execution_options().get(_WRITES, False)
            conn.exec_driver_sql("BEGIN IMMEDIATE" if writes else "BEGIN")

        return engine

    def _postgresql_engine(self, where: DatabaseUrl, *, pooled: bool) -> Engine:
        connect_args = {k: v for k, v in _PG_CONNECT_ARGS.items() if k not in where.url.query}
        try:
            if pooled:
                return create_engine(where.url, connect_args=connect_args, pool_pre_ping=True)
            return create_engine(where.url, connect_args=connect_args, poolclass=NullPool)
        except (NoSuchModuleError, ImportError) as exc:
            raise StateError(
                f"cannot use the state database {self.url_for_display!r}: {exc}; install "
                "attio-bridge with its dependencies (psycopg)"
            ) from None

    def _migrate(self) -> None:
        """Bring the schema to the newest revision, one opener at a time."""
        try:
            if self._where.path is not None:
                with self._locks.hold(_MIGRATE_LOCK, _MIGRATE_SECONDS):
                    self._set_wal()
                    with self._connection("open", writes=True) as conn:
                        _migrate.upgrade(conn)
            else:
                with self._connection("open", writes=True) as conn:
                    # Held to the end of this transaction: a second opener waits, then finds
                    # the schema made and has nothing to do.
                    conn.execute(text(f"SET LOCAL lock_timeout = '{_MIGRATE_SECONDS:g}s'"))
                    conn.execute(select(func.pg_advisory_xact_lock(advisory_key(_MIGRATE_LOCK))))
                    _migrate.upgrade(conn)
        except LockTimeout:
            raise LockTimeout(
                f"another process has been preparing the state database "
                f"{self.url_for_display} for {_MIGRATE_SECONDS:g} s; try again later"
            ) from None
        except _migrate.UnknownRevisionError as exc:
            # The one Alembic failure a user meets: a revision this code does not know.
            raise StateError(
                f"the state database {self.url_for_display} has a schema this attio-bridge "
                f"does not know ({exc}); it was last opened by a newer attio-bridge: upgrade "
                f"attio-bridge, or use another database ({DATABASE_URL_ENV})"
            ) from None

    # -- connections and their failures --------------------------------------------------------
    @contextlib.contextmanager
    def _connection(self, doing: str, *, writes: bool = False) -> Iterator[Connection]:
        """A connection in a transaction, committed when the block ends without an error; any
        database failure in it becomes a ``StateError``."""
        try:
            with self._engine.connect() as conn:
                if writes:
                    conn = conn.execution_options(**{_WRITES: True})
                with conn.begin():
                    yield conn
        except SQLAlchemyError as exc:
            raise self._failed(exc, doing) from exc

    def _failed(self, exc: SQLAlchemyError | sqlite3.Error, doing: str) -> StateError:
        """The ``StateError`` for ``exc``, raised trying to ``doing`` (a verb phrase ending so
        that "the state database" can follow, as "open" or "write k to"): it names the
        database (password masked) and the fix, and never holds the password."""
        reason = _reason(exc, self._where.url.password)
        where = self.url_for_display
        if self.backend == "sqlite":
            operational = isinstance(exc, OperationalError | sqlite3.OperationalError)
            retryable = operational and bool(_BUSY.search(reason))
            fix = (
                "another process held the database too long; try again"
                if retryable
                else f"check that {self._where.path} is a SQLite database this user can read "
                f"and write, or name another file in {DATABASE_URL_ENV}"
            )
        else:
            retryable = isinstance(exc, OperationalError) and not _NOT_RETRYABLE_PG.search(reason)
            if isinstance(exc, DBAPIError) and exc.connection_invalidated:
                retryable = True
            fix = (
                "check that PostgreSQL is running and reachable there, and that the URL in "
                f"{DATABASE_URL_ENV} is right (or unset it to use the local SQLite file)"
            )
        return StateError(
            f"could not {doing} the state database {where}: {reason}; {fix}",
            retryable=retryable,
        )

    def _set_wal(self) -> None:
        """Put the file in WAL mode (kept in the file), so that readers and a writer do not
        block each other; done under the migration lock, as the change needs the database to
        itself, and outside a transaction, where SQLite refuses it."""
        try:
            raw = self._engine.raw_connection()
            try:
                raw.driver_connection.execute("PRAGMA journal_mode=WAL")  # type: ignore[union-attr]
            finally:
                raw.close()
        except (SQLAlchemyError, sqlite3.Error) as exc:
            raise self._failed(exc, "open") from exc


def _reason(exc: SQLAlchemyError | sqlite3.Error, password: str | None) -> str:
    """The driver's message of ``exc`` on one line, without ``password``."""
    orig = getattr(exc, "orig", None)
    text_ = " ".join(str(orig if orig is not None else exc).split())
    if len(text_) > 300:
        text_ = text_[:297] + "..."
    if password:
        text_ = text_.replace(password, "***")
    return text_ or type(exc).__name__


def _check_names(namespace: str, key: str | None = None) -> None:
    if not isinstance(namespace, str) or not 0 < len(namespace) <= _MAX_NAMESPACE:
        raise StateError(
            f"a namespace must be a string of 1 to {_MAX_NAMESPACE} characters, not {namespace!r}"
        )
    if key is not None and (not isinstance(key, str) or not 0 < len(key) <= _MAX_KEY):
        raise StateError(f"a key must be a string of 1 to {_MAX_KEY} characters, not {key!r:.80}")


def _json_document(namespace: str, key: str, document: Mapping[str, Any]) -> dict[str, Any]:
    """``document`` as a plain dict, or ``StateError`` naming what is not JSON in it."""
    if not isinstance(document, Mapping):
        raise StateError(
            f"the document for {namespace}/{key} must be a mapping, not {type(document).__name__}"
        )
    body = dict(document)
    try:
        json.dumps(body, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise StateError(f"the document for {namespace}/{key} is not JSON: {exc}") from None
    return body


def open_store(url: str | None = None, *, environ: Mapping[str, str] | None = None) -> StateStore:
    """Open the state store ``url`` names, else ``ATTIO_BRIDGE_DATABASE_URL``, else the SQLite
    file ``$XDG_STATE_HOME/attio-bridge/state.sqlite3`` (``~/.local/state/...`` when unset).

    ``url`` is ``sqlite:////absolute/path`` (``sqlite:///relative/path``) or
    ``postgresql://user:password@host:5432/database``. A new SQLite file and its directory are
    made readable by this user only (0600, 0700). The schema is brought to the newest
    migration. A database that cannot be opened or reached raises ``StateError`` naming it
    (password masked) and the fix, retryable when the connection failed.
    """
    return StateStore(url, environ=environ)
