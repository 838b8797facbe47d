"""Alembic migrations of the state database, applied by ``StateStore`` when it opens."""
