"""The Alembic side of the store: the ``Config`` built in code (no ``alembic.ini``) and the
upgrade to the newest revision, run on a connection the store holds in a transaction."""

from __future__ import annotations

import threading

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection

__all__ = ["SCRIPT_LOCATION", "alembic_config", "heads", "upgrade"]

# The migrations ship inside the package (hatch includes every file under src/attio_bridge).
SCRIPT_LOCATION = "attio_bridge.state:migrations"
# Alembic runs env.py through module-level proxies (``alembic.context``): one run per process
# at a time, whatever the database.
_ONE_AT_A_TIME = threading.Lock()


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic ``Config`` for the state migrations, running on ``connection`` if given."""
    config = Config()
    config.set_main_option("script_location", SCRIPT_LOCATION)
    config.set_main_option("path_separator", "os")
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def heads() -> tuple[str, ...]:
    """The head revisions of the migration history (one, unless two branches were merged
    wrongly)."""
    return tuple(ScriptDirectory.from_config(alembic_config()).get_heads())


def upgrade(connection: Connection) -> None:
    """Bring the schema on ``connection`` to the newest revision (a no-op when it is there);
    the caller commits, and holds the lock that keeps two first opens apart."""
    with _ONE_AT_A_TIME:
        command.upgrade(alembic_config(connection), "head")
