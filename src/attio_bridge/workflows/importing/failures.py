"""The failure file of an import: a CSV of the rows not written (invalid, ambiguous or
refused by Attio), their columns then ``_row``, ``_error`` and ``_raw``. It holds personal
data, so only its owner may read it (0600). See docs/IMPORT.md."""

from __future__ import annotations

import csv
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TextIO

from .flat import flat_cell

__all__ = ["FailureFile", "default_failures_path"]


def default_failures_path(path: Path) -> Path:
    """Where the rows of ``path`` not written go by default: ``FILE.failed.csv`` beside it."""
    return path.with_name(path.name + ".failed.csv")


class FailureFile:
    """A CSV of the rows not written: their columns, then ``_row``, ``_error`` and ``_raw``
    (the text of a line that could not be read into cells, so it can be fixed). Opened on the
    first row, readable by its owner only; ``close`` removes a file an earlier run left when
    this one had none."""

    def __init__(self, path: Path, columns: list[str]) -> None:
        self.path = path
        self.columns = [*columns, "_row", "_error", "_raw"]
        self._f: TextIO | None = None
        self._writer: Any = None

    def add(self, number: int, row: Mapping[str, Any], error: str, raw: str | None = None) -> None:
        """Row ``number`` (its cells ``row``, or its text ``raw``) was not written, because of
        ``error``."""
        if self._f is None:
            fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            os.fchmod(fd, 0o600)  # a file an earlier version left may be readable by others
            self._f = open(fd, "w", encoding="utf-8", newline="")  # noqa: SIM115 closed in close
            self._writer = csv.DictWriter(self._f, self.columns, extrasaction="ignore")
            self._writer.writeheader()
        cells = {k: flat_cell(v) for k, v in row.items()}
        extra = {"_raw": raw} if raw is not None else {}
        self._writer.writerow(cells | {"_row": number, "_error": error} | extra)

    def close(self) -> None:
        """Close the file; with no row added, remove a stale one."""
        if self._f is not None:
            self._f.close()
        elif self.path.exists():
            # Nothing failed this run: a stale file from an earlier run would mislead.
            self.path.unlink()
