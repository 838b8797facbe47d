"""Fixtures of the state store tests: each backend, PostgreSQL against the real server.

PostgreSQL runs against ``postgresql://postgres@127.0.0.1:5432/test`` (``ATTIO_TEST_POSTGRES_URL``
to point elsewhere): the run creates its own database ``attio_bridge_state_test_<random>`` and
drops it at the end; each test gets a schema of its own in it (through ``search_path``). The
PostgreSQL tests are skipped, with the reason, only when no server answers and ``CI`` is not
set; under CI an unreachable server fails them.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from tests._servers import postgres_database

ADMIN_URL = os.environ.get("ATTIO_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


def _with_database(url: str, database: str) -> str:
    base, _, _ = url.rpartition("/")
    return f"{base}/{database}"


@pytest.fixture(scope="session")
def pg_database() -> Iterator[str]:
    """The URL of a PostgreSQL database made for this run (dropped afterwards)."""
    with postgres_database("attio_bridge_state_test", ADMIN_URL) as url:
        yield url


@pytest.fixture
def pg_url(pg_database: str) -> Iterator[str]:
    """A store URL whose tables go to a schema of this test's own."""
    schema = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(pg_database, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
    try:
        yield f"{pg_database}?options=-csearch_path%3D{schema}"
    finally:
        with psycopg.connect(pg_database, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(schema)))


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A URL of an empty store: a SQLite file in the test's directory, or a PostgreSQL schema."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/state.sqlite3"
    return str(request.getfixturevalue("pg_url"))
