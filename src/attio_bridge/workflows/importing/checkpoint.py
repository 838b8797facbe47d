"""The checkpoint of an import: the rows written so far, so a later run of the same import
skips them. See docs/IMPORT.md, "Checkpoint"."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

__all__ = ["CHECKPOINT_SUFFIX", "Checkpoint", "default_checkpoint_path", "identity_of"]

CHECKPOINT_SUFFIX = ".attio-import.json"
# A checkpoint is written after this many rows or seconds, whichever comes first.
_FLUSH_EVERY = 200
_FLUSH_SECONDS = 1.0


def default_checkpoint_path(path: Path) -> Path:
    """The checkpoint of an import of ``path``: ``FILE.attio-import.json`` beside it."""
    return path.with_name(path.name + CHECKPOINT_SUFFIX)


def identity_of(
    path: Path, object: str, match: str, list_slug: str | None, company: str | None
) -> dict[str, Any]:
    """What makes two runs the same import: the file (name and size), the object, the match
    key, the list and the company. A checkpoint of another identity is not used."""
    identity: dict[str, Any] = {
        "file": path.name,
        "size": path.stat().st_size,
        "object": object,
        "match": match,
        "list": list_slug,
    }
    if company is not None:
        identity["company"] = company
    return identity


def _ranges(done: set[int]) -> list[list[int]]:
    out: list[list[int]] = []
    for n in sorted(done):
        if out and out[-1][1] == n - 1:
            out[-1][1] = n
        else:
            out.append([n, n])
    return out


class Checkpoint:
    """The rows written so far, kept in a JSON file written atomically."""

    def __init__(self, path: Path, identity: dict[str, Any]) -> None:
        self.path = path
        self.identity = identity
        self.done: set[int] = set()
        self._dirty = 0
        self._flushed_at = time.monotonic()
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (FileNotFoundError, ValueError):
            return
        if isinstance(data, dict) and data.get("identity") == identity:
            for start, end in data.get("done", []):
                self.done.update(range(start, end + 1))

    def mark(self, row: int) -> None:
        """Row ``row`` was written; flushed every few hundred rows or second."""
        self.done.add(row)
        self._dirty += 1
        now = time.monotonic()
        if self._dirty >= _FLUSH_EVERY or now - self._flushed_at >= _FLUSH_SECONDS:
            self.flush()

    def flush(self) -> None:
        """Write the file (a temporary file renamed over it, so a kill never leaves half)."""
        tmp = self.path.with_name(self.path.name + ".tmp")
        body = {"identity": self.identity, "done": _ranges(self.done)}
        tmp.write_text(json.dumps(body), encoding="utf-8")
        os.replace(tmp, self.path)
        self._dirty = 0
        self._flushed_at = time.monotonic()

    def remove(self) -> None:
        """Delete the file (the import is complete)."""
        self.path.unlink(missing_ok=True)
