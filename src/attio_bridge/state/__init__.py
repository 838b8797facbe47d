"""The shared state store: kickoff manifests, import checkpoints, sync cursors and job state as
JSON documents by namespace and key, and the locks that let runs take turns.

    store = open_store()        # ATTIO_BRIDGE_DATABASE_URL, else a SQLite file under
                                # $XDG_STATE_HOME/attio-bridge/ (~/.local/state/attio-bridge/)
    store.put("kickoff", "acme.com", {...}); store.get("kickoff", "acme.com")
    with store.lock("kickoff:acme.com", timeout=120):
        ...

One SQLite file serves one machine (many processes and threads); PostgreSQL serves several
machines, whose locks are then advisory locks. The schema is kept by Alembic migrations shipped
in ``migrations/`` and applied when a store opens. ``legacy`` brings in what older versions
kept in files. Every failure is a ``StateError`` (``LockTimeout`` for a lock not had in time).
``secrets`` keeps secrets (webhook signing secrets) encrypted with Fernet in the ``secrets``
namespace (``open_secrets(store)``). ``snapshot_index`` keeps the index of records imported
into projects (``SnapshotIndex``), a table of its own. See docs/STATE.md.
"""

from __future__ import annotations

from ._errors import LockTimeout, StateError
from ._url import DATABASE_URL_ENV, default_database_path, mask_url, state_home
from .legacy import (
    LegacyImport,
    identity_key,
    import_legacy_kickoff_manifests,
    legacy_kickoff_dir,
    read_legacy_checkpoint,
    retire_legacy_file,
)
from .secrets import (
    SECRET_KEY_ENV,
    SECRETS_NAMESPACE,
    SecretKeyError,
    SecretStore,
    key_file_for,
    open_secrets,
)
from .snapshot_index import SNAPSHOT_STATUSES, SnapshotIndex
from .store import Entry, StateStore, open_store

__all__ = [
    "DATABASE_URL_ENV",
    "SECRETS_NAMESPACE",
    "SECRET_KEY_ENV",
    "SNAPSHOT_STATUSES",
    "Entry",
    "LegacyImport",
    "LockTimeout",
    "SecretKeyError",
    "SecretStore",
    "SnapshotIndex",
    "StateError",
    "StateStore",
    "default_database_path",
    "identity_key",
    "import_legacy_kickoff_manifests",
    "key_file_for",
    "legacy_kickoff_dir",
    "mask_url",
    "open_secrets",
    "open_store",
    "read_legacy_checkpoint",
    "retire_legacy_file",
    "state_home",
]
