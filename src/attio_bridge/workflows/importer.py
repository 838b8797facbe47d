"""Bulk import of a CSV or JSON Lines file into an Attio object: ``import_file()``.

The file is read twice, row by row, and never held in memory:

1. **plan**: every row is mapped (column -> attribute slug), encoded through ``values`` and
   checked before anything is written. Invalid rows are reported (``ImportReport.problems``)
   and never written; rows whose match key was already seen are duplicates, written once (the
   first occurrence wins). Records referenced by a unique value (a person's ``company`` from a
   domain column) are collected, to be asserted before the rows that link to them.
2. **write**: the referenced records, then each planned row, asserted (upsert on ``match``)
   concurrently through ``run_bulk`` at the client's write budget. Assert is idempotent, so a
   row written twice never makes a duplicate record.

With a list (``list=``), each record is also asserted as an entry of the list, with entry values
from the columns mapped to the list's attributes (``"list:SLUG"`` in a mapping).

Invalid rows: by default the valid rows are written and the invalid ones go to the failure
file; with ``strict=True`` nothing at all is written when any row is invalid (all or nothing).

A dry run stops after the plan. It counts creates and updates together (``to_write``): telling
them apart would cost a read per row.

Files: CSV with ``,`` ``;`` or tab delimiters (sniffed), UTF-8 with or without BOM, else
Latin-1; blank lines skipped; spaces around headers and values stripped; an empty value is
"not given" (never a clear). In a CSV cell, a multiselect attribute takes several values
separated by ``;``. Row numbers count data rows from 1, blank lines not counted.

The checkpoint (``FILE.attio-import.json`` by default) records the rows written, flushed
atomically every few hundred rows and when the run ends, however it ends; a later run over the
same file, object and match attribute skips them. A run that finishes with no failed write
deletes its checkpoint. A row in flight when the process was killed (``kill -9``) may be
written again on resume, which assert makes harmless.
"""

from __future__ import annotations

import codecs
import csv
import functools
import json
import os
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from ..client._async.bulk import DEFAULT_CONCURRENCY, run_bulk
from ..values import (
    TargetSchema,
    ValuesError,
    WorkspaceSchema,
    encode_values,
    load_schema_async,
)

if TYPE_CHECKING:
    from ..client import AsyncAttioClient

# Headers people use for standard attributes (normalised: lower case, words joined by "_").
ALIASES: dict[str, str] = {
    "email": "email_addresses",
    "e_mail": "email_addresses",
    "email_address": "email_addresses",
    "emails": "email_addresses",
    "work_email": "email_addresses",
    "phone": "phone_numbers",
    "phone_number": "phone_numbers",
    "mobile": "phone_numbers",
    "telephone": "phone_numbers",
    "website": "domains",
    "web_site": "domains",
    "url": "domains",
    "domain": "domains",
    "company": "company",
    "company_domain": "company",
    "company_website": "company",
    "organisation": "company",
    "organization": "company",
    "employer": "company",
    "first_name": "first_name",
    "firstname": "first_name",
    "given_name": "first_name",
    "last_name": "last_name",
    "lastname": "last_name",
    "surname": "last_name",
    "family_name": "last_name",
    "full_name": "full_name",
    "title": "job_title",
    "position": "job_title",
    "role": "job_title",
    "company_name": "name",
}
# Keys ``values`` folds into a personal-name attribute.
_NAME_PARTS = ("first_name", "last_name", "full_name")
CHECKPOINT_SUFFIX = ".attio-import.json"
# A mapping file's slug with this prefix names an attribute of the list (``--list``).
LIST_PREFIX = "list:"
# Problems kept in the report; the failure file has every invalid row.
MAX_PROBLEMS = 1000
_FLUSH_EVERY = 200
_FLUSH_SECONDS = 1.0


@dataclass(frozen=True, slots=True)
class RowProblem:
    """Why row ``row`` (1-based data row) is not written."""

    row: int
    message: str


@dataclass(slots=True)
class ImportReport:
    """What an import planned and did."""

    object: str
    match: str
    mapping: dict[str, str]
    unmapped: list[str]
    rows: int = 0
    to_write: int = 0  # creates and updates together
    already_done: int = 0  # written by an earlier run (checkpoint)
    invalid: int = 0
    duplicates: int = 0
    linked: int = 0  # referenced records asserted first (companies of people)
    written: int = 0
    failed: int = 0
    dry_run: bool = False
    aborted: bool = False  # stopped before the end: strict mode with invalid rows, max_writes
    problems: list[RowProblem] = field(default_factory=list)
    failures_path: Path | None = None
    checkpoint_path: Path | None = None


# -- reading files -------------------------------------------------------------------------------
def detect_encoding(path: Path) -> str:
    """``utf-8-sig`` (which also reads UTF-8 without BOM) when the whole file decodes as UTF-8,
    else ``latin-1`` (which decodes anything)."""
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    try:
        with path.open("rb") as f:
            while chunk := f.read(1 << 16):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return "latin-1"
    return "utf-8-sig"


def file_format(path: Path) -> str:
    """``jsonl`` for ``.jsonl``/``.ndjson``/``.json`` files, else ``csv``."""
    return "jsonl" if path.suffix.lower() in (".jsonl", ".ndjson", ".json") else "csv"


def _clean(value: Any) -> Any:
    """Stripped strings; None for "not given" (empty strings, empty lists, null)."""
    if isinstance(value, str):
        value = value.strip()
        return value or None
    if isinstance(value, list):
        items = [c for c in (_clean(v) for v in value) if c is not None]
        return items or None
    return value


def _delimiter(f: TextIO) -> str:
    """The one of ``,`` ``;`` tab found most often in the header (the first non-blank line).

    ``csv.Sniffer`` gives up on files with blank lines and ragged spacing, which are the ones
    this import is for; a header holds no quoted delimiters in practice.
    """
    header = ""
    for line in f:
        if line.strip():
            header = line
            break
    f.seek(0)
    return max(",;\t", key=header.count)


def _csv_rows(f: TextIO) -> Iterator[dict[str, Any]]:
    reader = csv.reader(f, delimiter=_delimiter(f))
    header: list[str] | None = None
    for cells in reader:
        if not any(c.strip() for c in cells):
            continue
        if header is None:
            header = [c.strip() for c in cells]
            continue
        yield {h: c for h, c in zip(header, cells, strict=False) if h}


def _jsonl_rows(f: TextIO) -> Iterator[dict[str, Any]]:
    for number, line in enumerate(f, 1):
        if not line.strip():
            continue
        row = json.loads(line)
        if not isinstance(row, dict):
            raise ValueError(f"line {number} is not a JSON object")
        yield {str(k).strip(): v for k, v in row.items()}


def iter_rows(path: Path, fmt: str | None = None) -> Iterator[tuple[int, dict[str, Any]]]:
    """``(row number, {column: value})`` for each non-blank data row of ``path``, values
    stripped and empty ones left out."""
    with path.open(encoding=detect_encoding(path), newline="") as f:
        rows = _jsonl_rows(f) if (fmt or file_format(path)) == "jsonl" else _csv_rows(f)
        for number, row in enumerate(rows, 1):
            yield number, {k: c for k, v in row.items() if (c := _clean(v)) is not None}


def read_headers(path: Path, fmt: str | None = None) -> list[str]:
    """The columns of ``path``: the CSV header, or every key of the JSON Lines rows."""
    if (fmt or file_format(path)) == "csv":
        with path.open(encoding=detect_encoding(path), newline="") as f:
            for cells in csv.reader(f, delimiter=_delimiter(f)):
                if any(c.strip() for c in cells):
                    return [c.strip() for c in cells if c.strip()]
        return []
    seen: dict[str, None] = {}
    with path.open(encoding=detect_encoding(path)) as f:
        for row in _jsonl_rows(f):
            seen.update(dict.fromkeys(row))
    return list(seen)


# -- mapping -------------------------------------------------------------------------------------
def _norm(text: str) -> str:
    return "_".join("".join(c if c.isalnum() else " " for c in text.casefold()).split())


def guess_mapping(target: TargetSchema, headers: list[str]) -> tuple[dict[str, str], list[str]]:
    """``({column: attribute slug}, unmapped columns)``: a column maps to the writable
    attribute whose slug or title it names, else through ``ALIASES``; name parts
    (``first_name``...) map to themselves when the target has a personal name."""
    writable = {
        a.slug: a for a in target.attributes.values() if a.is_writable and not a.is_archived
    }
    by_title = {_norm(a.title): a.slug for a in writable.values()}
    has_name = any(a.type == "personal-name" for a in writable.values())
    mapping: dict[str, str] = {}
    unmapped: list[str] = []
    for header in headers:
        key = _norm(header)
        slug = key if key in writable else by_title.get(key)
        if slug is None:
            alias = ALIASES.get(key)
            if alias in writable or (alias in _NAME_PARTS and has_name):
                slug = alias
        if slug is None or slug in mapping.values():
            unmapped.append(header)
        else:
            mapping[header] = slug
    return mapping, unmapped


def load_mapping(path: Path) -> dict[str, str]:
    """A mapping file: a JSON object ``{column: attribute slug}``."""
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in data.items()
    ):
        raise ValueError(f"{path}: a mapping file must be a JSON object of column: slug")
    return {k.strip(): v.strip() for k, v in data.items()}


# -- encoding rows -------------------------------------------------------------------------------
def _row_data(target: TargetSchema, mapping: Mapping[str, str], row: Mapping[str, Any]) -> Any:
    data: dict[str, Any] = {}
    for column, slug in mapping.items():
        value = row.get(column)
        if value is None:
            continue
        attr = target.attribute(slug)
        if attr is not None and attr.is_multiselect and isinstance(value, str):
            value = [p.strip() for p in value.split(";") if p.strip()]
        data[slug] = value
    return data


@dataclass(frozen=True, slots=True)
class _Encoded:
    values: dict[str, Any]
    entry_values: dict[str, Any]
    key: str  # the match attribute's values, as JSON


@dataclass(frozen=True, slots=True)
class _RowEncoder:
    """Rows to ``values`` (and ``entry_values`` with a list) through ``values.encode_values``."""

    schema: WorkspaceSchema
    target: TargetSchema
    mapping: Mapping[str, str]  # to the object's attributes
    match: str
    list_target: TargetSchema | None = None
    entry_mapping: Mapping[str, str] = field(default_factory=dict)  # to the list's

    def encode(self, row: Mapping[str, Any]) -> _Encoded | str:
        """The encoded row, or why it is invalid."""
        problems = []
        try:
            data = _row_data(self.target, self.mapping, row)
            values = encode_values(self.schema, self.target.slug, data, kind="object")
        except ValuesError as exc:
            values = {}
            problems += exc.problems
        entry_values: dict[str, Any] = {}
        if self.list_target is not None:
            try:
                data = _row_data(self.list_target, self.entry_mapping, row)
                entry_values = encode_values(self.schema, self.list_target.slug, data, kind="list")
            except ValuesError as exc:
                problems += exc.problems
        if problems:
            return "; ".join(str(p) for p in problems)
        key = values.get(self.match)
        if not key:
            return f"no value for the match attribute {self.match!r}"
        return _Encoded(values, entry_values, json.dumps(key, sort_keys=True))


def _references(values: Mapping[str, Any]) -> Iterator[tuple[str, str, str]]:
    """``(object, unique attribute, JSON of its values)`` of each reference by unique value."""
    for value in values.values():
        items = value if isinstance(value, list) else [value]
        for item in items:
            if isinstance(item, dict) and "target_object" in item:
                rest = [k for k in item if k not in ("target_object", "target_record_id")]
                if len(rest) == 1 and "target_record_id" not in item:
                    by = rest[0]
                    yield item["target_object"], by, json.dumps(item[by], sort_keys=True)


# -- checkpoint ----------------------------------------------------------------------------------
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


# -- the import ----------------------------------------------------------------------------------
class _FailureFile:
    """A CSV of the rows not written: their columns, then ``_row`` and ``_error``."""

    def __init__(self, path: Path, columns: list[str]) -> None:
        self.path = path
        self.columns = [*columns, "_row", "_error"]
        self.count = 0
        self._f: TextIO | None = None
        self._writer: Any = None

    def add(self, number: int, row: Mapping[str, Any], error: str) -> None:
        if self._f is None:
            self._f = self.path.open("w", encoding="utf-8", newline="")
            self._writer = csv.DictWriter(self._f, self.columns, extrasaction="ignore")
            self._writer.writeheader()
        cells = {k: _cell(v) for k, v in row.items()}
        self._writer.writerow(cells | {"_row": number, "_error": error})
        self.count += 1

    def close(self) -> None:
        if self._f is not None:
            self._f.close()
        elif self.path.exists():
            # Nothing failed this run: a stale file from an earlier run would mislead.
            self.path.unlink()


def _cell(value: Any) -> str:
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value)
    return str(value)


async def import_file(
    client: AsyncAttioClient,
    object: str,
    path: Path,
    *,
    match: str,
    mapping: Mapping[str, str] | None = None,
    fmt: str | None = None,
    dry_run: bool = False,
    strict: bool = False,
    link: bool = True,
    checkpoint: Path | None = None,
    failures: Path | None = None,
    concurrency: int = DEFAULT_CONCURRENCY,
    max_writes: int | None = None,
    list: str | None = None,
    on_plan: Callable[[ImportReport], None] | None = None,
    on_progress: Callable[[int, int], None] | None = None,
) -> ImportReport:
    """Upsert the rows of ``path`` (CSV or JSON Lines) into ``object``, matching on ``match``.

    ``mapping`` ({column: slug}) replaces the guessed one. ``on_plan`` sees the report once the
    file is checked, before any write; ``on_progress(done, total)`` after each row written or
    failed. ``max_writes`` stops after that many rows have been started, as an interruption
    would (the checkpoint keeps them): a test hook, and a way to import a file in slices.
    Failed and invalid rows go to ``failures`` (default ``FILE.failed.csv``). Raises
    ``KeyError`` for an unknown object or list and ``ValueError`` for a match attribute that
    is not unique or a list of another object.

    ``list``: each imported record is also asserted as an entry of that list, with entry
    values from the columns mapped to the list's attributes (guessed from the columns the
    object did not take, or given in ``mapping`` as ``"list:SLUG"``).
    """
    schema = await load_schema_async(client)
    target = schema.target(object, "object")
    attr = target.attribute(match)
    if attr is None or not attr.is_unique:
        uniques = ", ".join(a.slug for a in target.unique_attributes()) or "none"
        raise ValueError(f"{match!r} is not a unique attribute of {target.slug} ({uniques})")
    match = attr.slug
    list_target = schema.target(list, "list") if list is not None else None
    if list_target is not None and list_target.parent_object != target.slug:
        raise ValueError(f"list {list_target.slug!r} holds {list_target.parent_object}")
    headers = read_headers(path, fmt)
    entry_mapping: dict[str, str] = {}
    if mapping is None:
        chosen, unmapped = guess_mapping(target, headers)
        if list_target is not None:
            entry_mapping, unmapped = guess_mapping(list_target, unmapped)
    else:
        given = {c: s for c, s in mapping.items() if c in headers}
        chosen = {c: s for c, s in given.items() if not s.startswith(LIST_PREFIX)}
        if list_target is not None:
            entry_mapping = {
                c: s.removeprefix(LIST_PREFIX)
                for c, s in given.items()
                if s.startswith(LIST_PREFIX)
            }
        unmapped = [h for h in headers if h not in chosen and h not in entry_mapping]
    encoder = _RowEncoder(schema, target, chosen, match, list_target, entry_mapping)
    shown = chosen | {c: LIST_PREFIX + s for c, s in entry_mapping.items()}
    report = ImportReport(target.slug, match, shown, unmapped, dry_run=dry_run)
    report.failures_path = failures or path.with_name(path.name + ".failed.csv")
    report.checkpoint_path = checkpoint or path.with_name(path.name + CHECKPOINT_SUFFIX)
    stat = path.stat()
    identity = {
        "file": path.name,
        "size": stat.st_size,
        "object": target.slug,
        "match": match,
        "list": list_target.slug if list_target else None,
    }
    state = Checkpoint(report.checkpoint_path, identity)

    # Pass 1: check every row; keep only match keys, row numbers and references.
    seen: set[str] = set()
    refs: set[tuple[str, str, str]] = set()
    failed = _FailureFile(report.failures_path, headers)
    invalid_rows: set[int] = set()
    skip: set[int] = set()  # duplicates and rows done by an earlier run
    for number, row in iter_rows(path, fmt):
        report.rows += 1
        encoded = encoder.encode(row)
        if isinstance(encoded, str):
            report.invalid += 1
            invalid_rows.add(number)
            if len(report.problems) < MAX_PROBLEMS:
                report.problems.append(RowProblem(number, encoded))
            if not dry_run:
                failed.add(number, row, encoded)
            continue
        key = encoded.key
        if key in seen:
            report.duplicates += 1
            skip.add(number)
            continue
        seen.add(key)
        if number in state.done:
            report.already_done += 1
            skip.add(number)
            continue
        report.to_write += 1
        if link:
            refs.update(_references(encoded.values))
    seen.clear()
    report.linked = len(refs)
    if on_plan is not None:
        on_plan(report)
    if dry_run or (strict and report.invalid):
        report.aborted = bool(strict and report.invalid)
        if not dry_run:
            failed.close()
        return report

    # Pass 2: referenced records first (they must exist to be linked to), then the rows.
    ref_calls = [
        functools.partial(client.records.assert_record, obj, by, {by: json.loads(items)})
        for obj, by, items in sorted(refs)
    ]
    # A reference that fails here is not fatal: the rows linking to it fail with Attio's reason.
    await run_bulk(ref_calls, concurrency=concurrency)

    progress = [0]

    async def write(number: int, row: dict[str, Any]) -> None:
        encoded = encoder.encode(row)
        try:
            if isinstance(encoded, str):  # the file changed since pass 1
                raise ValueError(encoded)
            record = await client.records.assert_record(target.slug, match, encoded.values)
            if list_target is not None:
                await client.entries.assert_entry(
                    list_target.slug,
                    parent_record_id=record.id.record_id,
                    parent_object=target.slug,
                    entry_values=encoded.entry_values,
                )
        except Exception as exc:
            report.failed += 1
            failed.add(number, row, str(exc))
        else:
            report.written += 1
            state.mark(number)
        progress[0] += 1
        if on_progress is not None:
            on_progress(progress[0], report.to_write)

    def calls() -> Iterator[Callable[[], Any]]:
        started = 0
        for number, row in iter_rows(path, fmt):
            if number in skip or number in invalid_rows:
                continue
            if max_writes is not None and started >= max_writes:
                report.aborted = True
                return
            started += 1
            yield functools.partial(write, number, row)

    try:
        await run_bulk(calls(), concurrency=concurrency)
    finally:
        state.flush()
        failed.close()
    if not report.aborted and report.failed == 0:
        state.remove()
    return report
