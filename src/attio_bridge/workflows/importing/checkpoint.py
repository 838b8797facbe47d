"""The checkpoint of an import: the rows written so far, kept in the state store (namespace
``"import"``, keyed by a hash of the run's identity: the workspace, the file's content, the
mapping and the options), so a later run of the same import skips them, and a run of another
import of the same file starts over and says why. A checkpoint file an older version left beside
the imported file names neither, so it is set aside (renamed) and not used. See docs/IMPORT.md,
"The checkpoint"."""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ...state import StateStore, identity_key, read_legacy_checkpoint, retire_legacy_file

__all__ = [
    "CHECKPOINT_SUFFIX",
    "NAMESPACE",
    "Checkpoint",
    "default_checkpoint_path",
    "differences",
    "file_digest",
    "file_key",
    "identity_of",
    "retire_legacy_checkpoint",
]

NAMESPACE = "import"
# Where versions before the state store kept the checkpoint: ``FILE.attio-import.json``.
CHECKPOINT_SUFFIX = ".attio-import.json"
# A checkpoint is written after this many rows or seconds, whichever comes first.
_FLUSH_EVERY = 200
_FLUSH_SECONDS = 1.0


def default_checkpoint_path(path: Path) -> Path:
    """Where an older version kept the checkpoint of an import of ``path``: beside it."""
    return path.with_name(path.name + CHECKPOINT_SUFFIX)


def file_digest(path: Path) -> str:
    """The hex SHA-256 of the content of ``path``, read in chunks (never held whole)."""
    sha = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            sha.update(chunk)
    return sha.hexdigest()


# The parts of an identity, in the words a "starting over" message uses for them.
_PARTS = {
    "workspace": "workspace",
    "sha256": "file content",
    "mapping": "mapping",
    "options": "set of options",
}


def file_key(file: str) -> str:
    """The start of the keys of every checkpoint of the file at the absolute path ``file``."""
    return hashlib.sha256(file.encode()).hexdigest()[:16]


def identity_of(
    path: Path,
    workspace: str,
    mapping: Mapping[str, str],
    *,
    object: str,
    match: str,
    list_slug: str | None,
    company: str | None,
) -> dict[str, Any]:
    """What makes two runs the same import: the workspace (its API's URL and id), the file's
    content (a SHA-256), the column mapping, and the options (object, match key, list and
    company). The file's name and place are kept to recognise another import of the same file,
    but are no part of the key's meaning: a checkpoint of another identity is not used."""
    return {
        "workspace": workspace,
        "file": str(path.resolve()),
        "sha256": file_digest(path),
        "mapping": dict(mapping),
        "options": {"object": object, "match": match, "list": list_slug, "company": company},
    }


def differences(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[str]:
    """What ``old`` (an identity) was for that ``new`` is not: ``["workspace", "mapping"]``,
    in words."""
    return [words for part, words in _PARTS.items() if old.get(part) != new.get(part)]


def _ranges(done: set[int]) -> list[list[int]]:
    out: list[list[int]] = []
    for n in sorted(done):
        if out and out[-1][1] == n - 1:
            out[-1][1] = n
        else:
            out.append([n, n])
    return out


def _rows(ranges: Any) -> set[int]:
    """The row numbers of a document's ``done`` ranges; nothing from ranges that are not
    pairs of whole numbers (a damaged document means starting over, as a missing one does)."""
    done: set[int] = set()
    if not isinstance(ranges, list):
        return done
    for pair in ranges:
        if (
            isinstance(pair, list)
            and len(pair) == 2
            and all(isinstance(n, int) and not isinstance(n, bool) for n in pair)
        ):
            done.update(range(pair[0], pair[1] + 1))
    return done


def retire_legacy_checkpoint(path: Path) -> bool:
    """Rename the checkpoint file ``path`` an older version wrote ``*.imported``; whether there
    was one. It names no workspace nor file content, so no run can trust it (this one starts
    over: rows already in Attio are found unchanged), and it is not kept in the store. A file
    that cannot be read is left as it is."""
    if read_legacy_checkpoint(path) is None:
        return False
    retire_legacy_file(path)
    return True


class Checkpoint:
    """The rows an import has written, kept in ``store`` under the hash of ``identity``:
    loaded when made (a checkpoint of another import of the same file, or of this one with
    ``restart``, is deleted then, unless ``dry_run``), written in one transaction every few
    hundred rows or second (so a kill leaves the last flush, never half of one), deleted when
    the import is complete."""

    def __init__(
        self,
        store: StateStore,
        identity: dict[str, Any],
        *,
        restart: bool = False,
        dry_run: bool = False,
    ) -> None:
        self.store = store
        self.identity = identity
        # Keys start with the file's own key, so the checkpoints of other imports of the same
        # file are found by prefix, without reading every import's.
        self.prefix = file_key(identity["file"])
        self.key = f"{self.prefix}-{identity_key(identity)}"
        self.saved = False  # the store holds rows of this import
        # The checkpoints of other imports of the same file this one replaced: what each was
        # for that this run is not (``differences``).
        self.replaced: list[list[str]] = []
        self.restarted = False  # ``restart`` discarded a checkpoint of this very import
        # Rows are marked by concurrent writes (threads, in the sync import) while a flush
        # reads them: one at a time.
        self._lock = threading.Lock()
        self._dirty = 0
        self._flushed_at = time.monotonic()
        for key, other in store.items(NAMESPACE, prefix=self.prefix):
            theirs = other.get("identity")
            if key == self.key or not isinstance(theirs, dict):
                continue
            # Another import of this file: its rows are not this one's, and it would only
            # mislead a later run. Starting over is safe: writes are idempotent, and the plan
            # finds the rows already in Attio unchanged.
            self.replaced.append(differences(theirs, identity))
            if not dry_run:  # a dry run changes nothing, the store included
                store.delete(NAMESPACE, key)
        document = store.get(NAMESPACE, self.key)
        self.done: set[int] = set()
        if document is not None and restart:
            self.restarted = True
            if not dry_run:
                store.delete(NAMESPACE, self.key)
        elif document is not None and document.get("identity") == identity:
            self.done = _rows(document.get("done"))
            self.saved = bool(self.done)

    def mark(self, row: int) -> None:
        """Row ``row`` was written; flushed every few hundred rows or second."""
        with self._lock:
            self.done.add(row)
            self._dirty += 1
            now = time.monotonic()
            if self._dirty >= _FLUSH_EVERY or now - self._flushed_at >= _FLUSH_SECONDS:
                self._flush()

    def flush(self) -> None:
        """Write the rows done to the store, when there are any."""
        with self._lock:
            self._flush()

    def _flush(self) -> None:
        if self.done:
            body = {"identity": self.identity, "done": _ranges(self.done)}
            self.store.put(NAMESPACE, self.key, body)
            self.saved = True
        self._dirty = 0
        self._flushed_at = time.monotonic()

    def remove(self) -> None:
        """Delete the checkpoint (the import is complete)."""
        self.store.delete(NAMESPACE, self.key)
        self.saved = False
