"""The state database's tables as SQLAlchemy Core objects, used by the store's queries.

The tables are created and changed only by the Alembic migrations in ``migrations/versions``;
this module says what the newest migration leaves, and a test holds the two to each other.
"""

from __future__ import annotations

from sqlalchemy import JSON, Column, DateTime, MetaData, String, Table
from sqlalchemy.dialects.postgresql import JSONB

__all__ = ["VERSION_TABLE", "documents", "metadata"]

# Alembic's own table under a name of ours, so that a PostgreSQL database shared with another
# application's Alembic history keeps the two apart.
VERSION_TABLE = "attio_bridge_state_version"

metadata = MetaData()

documents = Table(
    "attio_bridge_documents",
    metadata,
    Column("namespace", String(64), primary_key=True),
    Column("key", String(512), primary_key=True),
    Column("document", JSON().with_variant(JSONB(), "postgresql"), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)
