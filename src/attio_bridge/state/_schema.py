"""The state database's tables as SQLAlchemy Core objects, used by the store's queries.

The tables are created and changed only by the Alembic migrations in ``migrations/versions``;
this module says what the newest migration leaves, and a test holds the two to each other.
"""

from __future__ import annotations

from sqlalchemy import JSON, Column, DateTime, Index, MetaData, String, Table, Text
from sqlalchemy.dialects.postgresql import JSONB

__all__ = ["VERSION_TABLE", "documents", "metadata", "snapshots"]

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

_JSON = JSON().with_variant(JSONB(), "postgresql")

# The snapshot index (``snapshot_index.SnapshotIndex``): one row per record imported into a
# project. A table of its own rather than documents, so that a project's rows of one object
# type, and every project's row of one record (a webhook marking it stale), are index look-ups.
snapshots = Table(
    "attio_bridge_snapshots",
    metadata,
    Column("user", String(200), primary_key=True),
    Column("project", String(200), primary_key=True),
    Column("record_id", String(100), primary_key=True),
    Column("object_type", String(32), nullable=False),
    Column("name", Text(), nullable=False),
    Column("web_url", Text(), nullable=False),
    Column("path", Text(), nullable=False),
    Column("attributes", _JSON, nullable=False),
    Column("list_slug", String(200), nullable=True),
    Column("imported_at", DateTime(timezone=True), nullable=False),
    Column("status", String(16), nullable=False),
    Column("experiments", _JSON, nullable=False),
    Index("ix_attio_bridge_snapshots_kind", "user", "project", "object_type"),
    Index("ix_attio_bridge_snapshots_record", "record_id"),
)
