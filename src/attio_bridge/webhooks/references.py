"""Local references to Attio records, kept in the state store so a merge can rewrite them.

A reference is a name of ours pointing at a record id: ``refs.set("kickoff:acme.com:company",
record_id)``. When Attio merges records (since August 2026 into a NEW record id, with one
``record.merged`` event per merged-away record), ``merge(duplicate_id, surviving_id)`` points
every reference to the duplicate at the survivor and remembers the move, so a reference set
later with the old id lands on the survivor too (``resolve``).

Three namespaces of the state store, keys prefixed with the workspace (tenant) name:

- ``references``: ``<workspace>:<name>`` -> ``{"record_id", "object", "merged_from": [...]}``;
- ``references-by-record``: ``<workspace>:<record_id>`` -> ``{"names": [...]}``, the index a
  merge reads instead of scanning every reference;
- ``merged-records``: ``<workspace>:<old record id>`` -> ``{"record_id": survivor}``.

Every change is made under the workspace's ``references`` lock, and ``merge`` is idempotent:
run again (a redelivered event, or a retry after a crash half way) it ends in the same state.
"""

from __future__ import annotations

import contextlib
from typing import Any

from ..state import StateStore

__all__ = ["References"]

NAMESPACE = "references"
INDEX = "references-by-record"
MERGED = "merged-records"
LOCK_TIMEOUT = 30.0
_MAX_HOPS = 32  # merges chain (A -> B -> C); a longer chain would be a cycle in bad data


class References:
    """The references of one workspace in ``store``."""

    def __init__(self, store: StateStore, workspace: str) -> None:
        self.store = store
        self.workspace = workspace

    def _key(self, suffix: str) -> str:
        return f"{self.workspace}:{suffix}"

    def _lock(self) -> contextlib.AbstractContextManager[None]:
        return self.store.lock(f"references:{self.workspace}", timeout=LOCK_TIMEOUT)

    # -- reading -------------------------------------------------------------------------------
    def get(self, name: str) -> str | None:
        """The record id ``name`` points at, or None."""
        doc = self.store.get(NAMESPACE, self._key(name))
        return str(doc["record_id"]) if doc else None

    def document(self, name: str) -> dict[str, Any] | None:
        """The whole reference: ``record_id``, ``object``, ``merged_from``."""
        return self.store.get(NAMESPACE, self._key(name))

    def names(self, record_id: str) -> list[str]:
        """The names pointing at ``record_id``."""
        doc = self.store.get(INDEX, self._key(record_id))
        return list(doc["names"]) if doc else []

    def resolve(self, record_id: str) -> str:
        """``record_id``, or the record it was merged into (following merges of merges)."""
        current = record_id
        for _ in range(_MAX_HOPS):
            moved = self.store.get(MERGED, self._key(current))
            if moved is None:
                return current
            current = str(moved["record_id"])
        return current

    # -- writing -------------------------------------------------------------------------------
    def set(self, name: str, record_id: str, *, object: str | None = None) -> str:
        """Point ``name`` at ``record_id`` (or at the record it was merged into); the id
        stored."""
        with self._lock():
            target = self.resolve(record_id)
            old = self.store.get(NAMESPACE, self._key(name))
            if old is not None and old["record_id"] != target:
                self._unindex(str(old["record_id"]), name)
            merged_from = [record_id] if target != record_id else []
            self.store.put(
                NAMESPACE,
                self._key(name),
                {"record_id": target, "object": object, "merged_from": merged_from},
            )
            self._index(target, [name])
            return target

    def remove(self, name: str) -> bool:
        """Forget ``name``; whether it existed."""
        with self._lock():
            old = self.store.get(NAMESPACE, self._key(name))
            if old is None:
                return False
            self._unindex(str(old["record_id"]), name)
            return self.store.delete(NAMESPACE, self._key(name))

    def merge(self, duplicate_id: str, surviving_id: str) -> list[str]:
        """Point every reference to ``duplicate_id`` at ``surviving_id``; the names moved
        (none when it was done already)."""
        if duplicate_id == surviving_id:
            return []
        with self._lock():
            # First the move, so a reference set meanwhile resolves to the survivor; then the
            # references; the old index last, so a crash half way leaves it for the retry.
            self.store.put(MERGED, self._key(duplicate_id), {"record_id": surviving_id})
            names = self.names(duplicate_id)
            for name in names:
                doc = self.store.get(NAMESPACE, self._key(name)) or {}
                merged_from = [str(x) for x in doc.get("merged_from", [])]
                if duplicate_id not in merged_from:
                    merged_from.append(duplicate_id)
                self.store.put(
                    NAMESPACE,
                    self._key(name),
                    {
                        "record_id": surviving_id,
                        "object": doc.get("object"),
                        "merged_from": merged_from,
                    },
                )
            self._index(surviving_id, names)
            self.store.delete(INDEX, self._key(duplicate_id))
            return names

    def _index(self, record_id: str, names: list[str]) -> None:
        if not names:
            return
        have = self.names(record_id)
        wanted = have + [n for n in names if n not in have]
        if wanted != have:
            self.store.put(INDEX, self._key(record_id), {"names": wanted})

    def _unindex(self, record_id: str, name: str) -> None:
        have = self.names(record_id)
        if name not in have:
            return
        rest = [n for n in have if n != name]
        if rest:
            self.store.put(INDEX, self._key(record_id), {"names": rest})
        else:
            self.store.delete(INDEX, self._key(record_id))
