"""What a test does when a real server it needs (PostgreSQL, Redis) does not answer: skip, saying
why and how to run it, on a developer's machine; fail on CI (``CI`` set), where the servers must
be there, so that a missing one is never a quiet green run. ``postgres_database`` makes a
PostgreSQL database for a test run or a test, and drops it afterwards; ``redis_client`` a
client of a Redis that answered a ping."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, NoReturn

import pytest

if TYPE_CHECKING:
    import redis

POSTGRES_URL = os.environ.get(
    "ATTIO_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)


def server_absent(reason: str, how: str) -> NoReturn:
    """Skip the test with ``reason`` and ``how`` to run it; fail it instead when ``CI`` is set."""
    if os.environ.get("CI"):
        pytest.fail(f"{reason}; CI is set, so the tests that need it must run")
    pytest.skip(f"{reason}; {how}")


@contextmanager
def postgres_database(prefix: str, admin_url: str = POSTGRES_URL) -> Iterator[str]:
    """The URL of a new database ``<prefix>_<random>`` beside ``admin_url``'s, dropped (with
    whatever still holds a connection to it) on exit; ``server_absent`` when PostgreSQL does
    not answer."""
    import psycopg  # here, not at the top: most tests importing this module never need it
    from psycopg import sql

    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    try:
        admin = psycopg.connect(admin_url, autocommit=True, connect_timeout=3)
    except psycopg.Error as exc:
        reason = f"PostgreSQL is not reachable at {admin_url} ({exc})"
        server_absent(reason, "start it (or set ATTIO_TEST_POSTGRES_URL) to run these")
    with admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        try:
            yield f"{admin_url.rpartition('/')[0]}/{name}"
        finally:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


def redis_client(url: str) -> redis.Redis:
    """A client of the Redis at ``url`` once it answered a ping; ``server_absent`` if not."""
    import redis  # here, not at the top: most tests importing this module never need it

    client = redis.Redis.from_url(url, socket_connect_timeout=3)
    try:
        client.ping()
    except redis.RedisError as exc:
        client.close()
        server_absent(f"Redis is not reachable at {url} ({exc})", "start it to run these")
    return client
