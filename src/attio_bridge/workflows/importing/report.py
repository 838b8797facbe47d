"""What an import planned and did: ``ImportReport`` and its ``RowProblem`` list.
See docs/IMPORT.md."""

from __future__ import annotations

import builtins
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["MAX_PROBLEMS", "ImportReport", "RowProblem"]

# Problems kept in the report; the failure file has every invalid row.
MAX_PROBLEMS = 1000


@dataclass(frozen=True, slots=True)
class RowProblem:
    """Why row ``row`` (1-based data row) is not written."""

    row: int
    message: str


@dataclass(slots=True)
class ImportReport:
    """What an import planned and did."""

    object: str
    match: str  # the match attributes, joined with ", "
    mapping: dict[str, str]
    unmapped: list[str]
    search: bool = False  # the key is found through a records query, not asserted
    list_slug: str | None = None  # each record is also an entry of this list
    company: str | None = None  # every row is linked to this company (as given)
    rows: int = 0
    creates: int = 0  # no record has the row's key
    updates: int = 0  # a record has it and the row changes it (or the plan cannot tell)
    unchanged: int = 0  # the record already holds every value of the row: not written
    already_done: int = 0  # written by an earlier run (checkpoint)
    invalid: int = 0
    ambiguous: int = 0  # several records have the row's (search) key: not written
    duplicates: int = 0  # rows with the key and the values of an earlier row: written once
    conflicts: int = 0  # rows with the key of an earlier row but other values: not written
    linked: int = 0  # referenced records asserted first (companies of people)
    written: int = 0
    failed: int = 0
    # Rows to write without a value for a required attribute, by attribute: each can update a
    # record that exists, and fails where it would create one.
    lacking_required: dict[str, int] = field(default_factory=dict)
    dry_run: bool = False
    aborted: bool = False  # stopped before the end: strict mode with invalid rows, max_writes
    problems: list[RowProblem] = field(default_factory=list)
    # What the plan says about the run as a whole: the encoding when it is not UTF-8, the
    # checkpoint resumed from or not used (``notes``); rows read with fewer cells than the
    # header in ignored columns, a file with no rows (``warnings``).
    notes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    encoding: str = "utf-8"
    # With ``plan_writes`` in a dry run: every write the run would send, in order
    # (``{"method", "path", "body", "effect", "creates"}``, as other dry runs print them).
    requests: list[dict[str, Any]] | None = None
    failures_path: Path | None = None
    # The checkpoint: its key in the state store's namespace "import", the store (its URL,
    # any password masked), and whether the store holds rows of this import now.
    checkpoint_key: str | None = None
    checkpoint_store: str | None = None
    checkpoint_saved: bool = False

    @property
    def to_write(self) -> int:
        """The rows the write pass sends: creates and updates."""
        return self.creates + self.updates

    @property
    def left_out(self) -> int:
        """The rows the plan found a problem with (invalid, ambiguous, or a conflicting
        duplicate): never written."""
        return self.invalid + self.ambiguous + self.conflicts

    def to_dict(self) -> dict[str, Any]:
        """The report as plain JSON-ready data (``attio-bridge import --json``)."""
        return {
            "object": self.object,
            "match": self.match,
            "search": self.search,
            "list": self.list_slug,
            "company": self.company,
            "mapping": dict(self.mapping),
            "unmapped": builtins.list(self.unmapped),
            "rows": self.rows,
            "creates": self.creates,
            "updates": self.updates,
            "unchanged": self.unchanged,
            "already_done": self.already_done,
            "duplicates": self.duplicates,
            "conflicts": self.conflicts,
            "invalid": self.invalid,
            "ambiguous": self.ambiguous,
            "linked": self.linked,
            "lacking_required": dict(self.lacking_required),
            "dry_run": self.dry_run,
            "aborted": self.aborted,
            "written": self.written,
            "failed": self.failed,
            "problems": [{"row": p.row, "message": p.message} for p in self.problems],
            "notes": builtins.list(self.notes),
            "warnings": builtins.list(self.warnings),
            "encoding": self.encoding,
            "failures_path": str(self.failures_path) if self.failures_path else None,
            "checkpoint_key": self.checkpoint_key,
            "checkpoint_store": self.checkpoint_store,
            "checkpoint_saved": self.checkpoint_saved,
        } | ({} if self.requests is None else {"requests": builtins.list(self.requests)})
