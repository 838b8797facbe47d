"""Where the state lives: the database URL from the caller or the environment, the default
SQLite file, and the URL as it may be shown (password masked)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from ..errors import mask_url
from ._errors import StateError

__all__ = [
    "DATABASE_URL_ENV",
    "DatabaseUrl",
    "default_database_path",
    "mask_url",
    "resolve_url",
    "state_home",
]

DATABASE_URL_ENV = "ATTIO_BRIDGE_DATABASE_URL"
_FILE_NAME = "state.sqlite3"
_FORMS = "sqlite:////absolute/path.sqlite3 or postgresql://user:password@host:5432/database"
# A password in the authority (user:secret@host) or in the query (?password=secret).


def state_home(environ: Mapping[str, str] | None = None) -> Path:
    """``$XDG_STATE_HOME/attio-bridge``, else ``~/.local/state/attio-bridge``."""
    env = os.environ if environ is None else environ
    base = env.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "attio-bridge"


def default_database_path(environ: Mapping[str, str] | None = None) -> Path:
    """The SQLite file used when no database URL is given: ``state_home()/state.sqlite3``."""
    return state_home(environ) / _FILE_NAME


@dataclass(frozen=True)
class DatabaseUrl:
    """A state database: the URL SQLAlchemy connects to, the one shown, and its kind."""

    url: URL
    display: str
    # "sqlite" or "postgresql"
    backend: str
    # The database file (SQLite only).
    path: Path | None = None


def resolve_url(url: str | None, environ: Mapping[str, str] | None = None) -> DatabaseUrl:
    """The database ``url`` names, else ``ATTIO_BRIDGE_DATABASE_URL``, else the default file.

    ``postgresql://`` and ``postgres://`` connect with psycopg 3 (whatever ``+driver`` is
    named); ``sqlite:///relative`` and ``sqlite:////absolute`` name a file. Anything else
    raises ``StateError``.
    """
    env = os.environ if environ is None else environ
    given = url if url is not None else (env.get(DATABASE_URL_ENV) or None)
    if given is None:
        path = default_database_path(env)
        return DatabaseUrl(
            URL.create("sqlite+pysqlite", database=str(path)),
            f"sqlite:///{path}",
            "sqlite",
            path,
        )
    display = mask_url(given)
    try:
        parsed = make_url(given)
    except (ArgumentError, ValueError):  # ValueError: a port that is not a number
        raise StateError(
            f"the state database URL {display!r} cannot be read; use {_FORMS}"
        ) from None
    backend = parsed.get_backend_name()
    if backend == "postgres":
        backend = "postgresql"
    if backend == "postgresql":
        # psycopg 3 is the driver installed (SQLAlchemy's default for the scheme is psycopg2).
        return DatabaseUrl(parsed.set(drivername="postgresql+psycopg"), display, backend)
    if backend == "sqlite":
        if not parsed.database or parsed.database == ":memory:":
            raise StateError(
                f"the state database {display!r} is in memory, which other processes cannot "
                f"share and which is lost on exit; name a file: {_FORMS}"
            )
        path = Path(parsed.database).expanduser()
        return DatabaseUrl(
            parsed.set(drivername="sqlite+pysqlite", database=str(path)), display, backend, path
        )
    raise StateError(
        f"the state database URL {display!r} names {backend!r}, which is not supported; "
        f"use {_FORMS}"
    )
