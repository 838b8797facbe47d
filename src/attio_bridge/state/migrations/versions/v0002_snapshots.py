"""The snapshots index: one row per record imported into a project (attio_bridge.snapshot).

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    json = sa.JSON().with_variant(JSONB(), "postgresql")
    op.create_table(
        "attio_bridge_snapshots",
        sa.Column("user", sa.String(200), nullable=False),
        sa.Column("project", sa.String(200), nullable=False),
        sa.Column("record_id", sa.String(100), nullable=False),
        sa.Column("object_type", sa.String(32), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("web_url", sa.Text(), nullable=False),
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("attributes", json, nullable=False),
        sa.Column("list_slug", sa.String(200), nullable=True),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("experiments", json, nullable=False),
        sa.PrimaryKeyConstraint("user", "project", "record_id"),
    )
    op.create_index(
        "ix_attio_bridge_snapshots_kind",
        "attio_bridge_snapshots",
        ["user", "project", "object_type"],
    )
    op.create_index("ix_attio_bridge_snapshots_record", "attio_bridge_snapshots", ["record_id"])


def downgrade() -> None:
    op.drop_index("ix_attio_bridge_snapshots_record", "attio_bridge_snapshots")
    op.drop_index("ix_attio_bridge_snapshots_kind", "attio_bridge_snapshots")
    op.drop_table("attio_bridge_snapshots")
