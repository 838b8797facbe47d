"""The Alembic side of the store: the ``Config`` built in code (no ``alembic.ini``), the head
revision read from the migration scripts without Alembic, and the upgrade to the newest
revision, run on a connection the store holds in a transaction.

Alembic (about half a second to import) is imported only when a database is behind: an open of
a database already at the head reads its version row with plain SQL and compares it with the
head revision found in the scripts' ``revision``/``down_revision`` lines.
"""

from __future__ import annotations

import functools
import re
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection

from ._schema import VERSION_TABLE

if TYPE_CHECKING:
    from alembic.config import Config

__all__ = [
    "SCRIPT_LOCATION",
    "UnknownRevisionError",
    "alembic_config",
    "at_head",
    "head",
    "heads",
    "upgrade",
]

# The migrations ship inside the package (hatch includes every file under src/attio_bridge).
SCRIPT_LOCATION = "attio_bridge.state:migrations"
_VERSIONS = Path(__file__).resolve().parent / "migrations" / "versions"
_REVISION = re.compile(r"^revision\s*(?::[^=]*)?=\s*[\"']([^\"']+)[\"']", re.MULTILINE)
_DOWN = re.compile(r"^down_revision\s*(?::[^=]*)?=\s*[\"']([^\"']+)[\"']", re.MULTILINE)
# Alembic runs env.py through module-level proxies (``alembic.context``): one run per process
# at a time, whatever the database.
_ONE_AT_A_TIME = threading.Lock()


class UnknownRevisionError(Exception):
    """The database names a revision the scripts do not know (Alembic's ``CommandError``);
    internal: the store turns it into a ``StateError``."""


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic ``Config`` for the state migrations, running on ``connection`` if given."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", SCRIPT_LOCATION)
    config.set_main_option("path_separator", "os")
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def heads() -> tuple[str, ...]:
    """The head revisions of the migration history, by Alembic (one, unless two branches were
    merged wrongly)."""
    from alembic.script import ScriptDirectory

    return tuple(ScriptDirectory.from_config(alembic_config()).get_heads())


@functools.cache
def head() -> str | None:
    """The head revision read from the scripts' source (no Alembic): the one revision no other
    names as its ``down_revision``; ``None`` when that is not exactly one (Alembic decides)."""
    revisions: set[str] = set()
    downs: set[str] = set()
    for script in _VERSIONS.glob("*.py"):
        source = script.read_text(encoding="utf-8")
        revision = _REVISION.search(source)
        if revision is None:
            continue
        revisions.add(revision.group(1))
        downs.update(_DOWN.findall(source))
    tips = revisions - downs
    return next(iter(tips)) if len(tips) == 1 else None


def at_head(connection: Connection) -> bool:
    """Whether the database on ``connection`` is already at the head revision (read with plain
    SQL; a missing version table, i.e. an empty database, is not)."""
    newest = head()
    if newest is None:
        return False
    if not inspect(connection).has_table(VERSION_TABLE):
        return False
    found = connection.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalars()
    return list(found) == [newest]


def upgrade(connection: Connection) -> None:
    """Bring the schema on ``connection`` to the newest revision (a no-op when it is there);
    the caller commits, and holds the lock that keeps two first opens apart."""
    if at_head(connection):
        return
    from alembic import command
    from alembic.util import CommandError

    with _ONE_AT_A_TIME:
        try:
            command.upgrade(alembic_config(connection), "head")
        except CommandError as exc:
            raise UnknownRevisionError(str(exc)) from None
