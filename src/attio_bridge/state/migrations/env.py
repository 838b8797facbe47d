"""Alembic's environment for the state database: runs the migrations on the connection the
store hands over (``config.attributes["connection"]``), inside the store's transaction.

There is no offline (SQL script) mode and no ``alembic.ini``: the store builds the ``Config``
in code (``state/_migrate.py``).
"""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from attio_bridge.state._schema import VERSION_TABLE, metadata

connection = context.config.attributes.get("connection")
if not isinstance(connection, Connection):
    raise RuntimeError("the state migrations run from attio_bridge.state, on its connection")
context.configure(
    connection=connection,
    target_metadata=metadata,
    version_table=VERSION_TABLE,
    # SQLite's DDL is transactional too; one transaction means a kill leaves no half schema.
    transactional_ddl=True,
    render_as_batch=True,
)
with context.begin_transaction():
    context.run_migrations()
