"""Bulk import of a CSV or JSON Lines file into an Attio object or list: ``import_file()``.

The file is read twice, row by row, and never held in memory:

1. **plan**: every row is mapped (column -> attribute slug), encoded through ``values`` and
   checked before anything is written. Invalid rows are reported (``ImportReport.problems``)
   and never written; rows whose match key was already seen are duplicates, written once (the
   first occurrence wins). The other rows are looked up (below) and counted as ``creates``,
   ``updates`` or ``unchanged``. Records referenced by a unique value (a person's ``company``
   from a domain column) that do not exist yet are collected, to be asserted before the rows
   that link to them. What the plan keeps per row is small and fixed: an 8-byte digest of its
   match key (for duplicates) and, only for rows to leave out, the row number; never the row
   itself (a lookup holds at most ``LOOKUP_BATCH`` rows a few times over).
2. **write**: the referenced records, then each row to create or update, concurrently through
   ``run_bulk`` at the client's write budget. Unchanged rows are not sent. Assert is
   idempotent, so a row written twice never makes a duplicate record.

Lookup (in the plan): the rows go in batches of ``LOOKUP_BATCH`` match keys, each batch one
records query whose filter is an ``$or`` of the rows' ``$eq`` conditions (API-NOTES §4), so
it costs about one read per hundred rows, from the read budget (100/s), not the write budget
(25/s). The records referenced by a unique value are resolved the same way, members given by
email through one read of the members, and with a list, the entries of the records found are
read too (``parent_record`` ``$in`` the record ids). A
row is a **create** when no record has its key, **unchanged** when one record already holds
every value the row gives (and, with a list, the record has one entry already holding the
row's entry values), else an **update**. The comparison is conservative, because a false
"unchanged" would silently drop a write while a false "update" costs one idempotent write:
values are compared in the form ``values.decode_value`` gives for both sides (so ``5`` and
``5.0``, or two spellings of one timestamp, are equal), emails on Attio's lowercased
``email_address`` where the write adds to the values (the matching attribute of an assert, any
multiselect of a PATCH) and also on the address as written where it replaces them, phone
numbers on the number as written, and anything the plan cannot compare (a reference whose
record it could not resolve, an address given as free text, an email no member has, several
records with one asserted key) counts as an update. An attribute the write replaces must hold
the same values in the same order; one it adds to must hold each given value. A lookup Attio refuses
(400) leaves its rows updates.

Matching (``match``): on one unique attribute (``email_addresses``, ``domains``), each row is
asserted (Attio's upsert). On a key Attio cannot assert on (an attribute that is not unique,
such as a deal's ``name``, or several attributes together), each row is looked up with a
records query (``$eq`` on every part of the key): one record found is updated, none means a
create, several is a row problem naming them (nothing written): the plan counts it
``ambiguous`` (reported like an invalid row, and in the failure file), and a write that finds
several records all the same (created since the plan) fails the row with the same reason.
Rows with the same key are duplicates in the plan, so concurrent writes never race two
creates of one key, and a re-run finds what the first run created. A re-run of a file Attio
already holds sends no write.

``OBJECT_OR_LIST``: ``object`` may name a list (slug or id). The rows are then upserted into the
list's parent object and each record is asserted as an entry of the list (one entry per record,
so a re-run adds none), with entry values from the columns mapped to the list's attributes. The
same happens with ``list=`` beside an object. Guessing maps a column to the object's attribute
first, else to the list's; a mapping file or a column header names a list attribute as
``"list:SLUG"``.

``company=`` (a domain, website or record id) links every row to that one company through the
object's company reference (``company`` of people, ``associated_company`` of deals): a domain is
asserted first (so the company exists), a record id must exist.

Invalid rows: by default the valid rows are written and the invalid (or ambiguous) ones go to
the failure file; with ``strict=True`` nothing at all is written when any row is invalid or
ambiguous (all or nothing).

A dry run stops after the plan (reads only): it counts creates, updates and unchanged rows.

Files: CSV with ``,`` ``;`` or tab delimiters (sniffed), or JSON Lines. The encoding is
UTF-8 (with or without BOM) when the whole file decodes as UTF-8, else Windows-1252 (what
Excel writes: byte 0x92 is a curly apostrophe; the two differ only on bytes 0x80 to 0x9F,
which Latin-1 reads as control characters), else Latin-1 when the file holds one of the 5
bytes cp1252 leaves undefined; ``encoding=`` (``--encoding``) names it instead. Blank
lines skipped; spaces around headers and values stripped; an empty value is "not given"
(never a clear). A CSV header naming a column twice is an error (which cell would be meant?).
In a CSV cell, a multiselect attribute takes several values separated by ``;`` (an unknown
option written with a comma gets that hint). A JSON Lines line that is no JSON object is an
invalid row naming its line. Row numbers count data rows from 1, blank lines not counted.

A given ``mapping`` is checked before any row is read: a column the file lacks, or an
attribute the object (or list) lacks or cannot write, is one error, not a problem per row.

The checkpoint (``FILE.attio-import.json`` by default) records the rows written, flushed
atomically every few hundred rows and when the run ends, however it ends; a later run over the
same file, object, match key, list and company skips them. A run that finishes with no failed
write deletes its checkpoint. A row in flight when the process was killed (``kill -9``) may be
written again on resume, which assert (or the search before a create) makes harmless.
"""

from __future__ import annotations

import asyncio
import builtins
import codecs
import csv
import difflib
import functools
import hashlib
import json
import os
import time
from collections import Counter
from collections.abc import Callable, Container, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from ..client import DEFAULT_CONCURRENCY, BadRequestError, NotFoundError, run_bulk
from ..services import CompanyRef, company_ref
from ..values import (
    AttributeInfo,
    Problem,
    TargetSchema,
    ValuesError,
    WorkspaceSchema,
    decode_value,
    encode_values,
    load_schema_async,
)
from ..values.validate import UNKNOWN_CHOICE

if TYPE_CHECKING:
    from ..client import AsyncAttioClient
    from ..client.models import Record

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
# Where an alias names an attribute the object lacks, the slugs tried next (a deal's company).
ALIAS_ALTERNATES: dict[str, tuple[str, ...]] = {"company": ("associated_company",)}
# Keys ``values`` folds into a personal-name attribute.
_NAME_PARTS = ("first_name", "last_name", "full_name")
CHECKPOINT_SUFFIX = ".attio-import.json"
# A mapping file's slug with this prefix names an attribute of the list (``--list``).
LIST_PREFIX = "list:"
# Problems kept in the report; the failure file has every invalid row.
MAX_PROBLEMS = 1000
_FLUSH_EVERY = 200
_FLUSH_SECONDS = 1.0
# The match attribute when none is given, for the objects that have an obvious one.
DEFAULT_MATCH = ("email_addresses", "domains")
# For a key found through a search: per attribute type, the keys of an encoded value that
# identify it and the filter property each is compared on with ``$eq``. Types left out
# (location, actor references, interactions) cannot be matched on.
KEY_PROPS: dict[str, dict[str, str]] = {
    "text": {"value": "value"},
    "number": {"value": "value"},
    "rating": {"value": "value"},
    "currency": {"currency_value": "currency_value"},
    "date": {"value": "value"},
    "timestamp": {"value": "value"},
    "checkbox": {"value": "value"},
    "personal-name": {"full_name": "full_name"},
    "email-address": {"email_address": "email_address"},
    "domain": {"domain": "domain"},
    "phone-number": {"original_phone_number": "phone_number"},
    "select": {"option": "option"},
    "status": {"status": "status"},
    "record-reference": {"target_object": "target_object", "target_record_id": "target_record_id"},
}
# Match keys per lookup query in the plan (one condition each of its ``$or``): a read per this
# many rows, from Attio's read budget (100/s), never the write budget (25/s).
LOOKUP_BATCH = 100
# Lookup queries in flight at once while the plan reads on.
_LOOKUPS_IN_FLIGHT = 4
# Searches with the same filter take the same of this many locks (see ``upsert_by_search``).
_SEARCH_STRIPES = 1024
# Slugs tried first for the company reference that ``company=`` fills.
_COMPANY_SLUGS = ("company", "associated_company")


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
    duplicates: int = 0
    linked: int = 0  # referenced records asserted first (companies of people)
    written: int = 0
    failed: int = 0
    # Rows to write without a value for a required attribute, by attribute: each can update a
    # record that exists, and fails where it would create one.
    lacking_required: dict[str, int] = field(default_factory=dict)
    dry_run: bool = False
    aborted: bool = False  # stopped before the end: strict mode with invalid rows, max_writes
    problems: list[RowProblem] = field(default_factory=list)
    failures_path: Path | None = None
    checkpoint_path: Path | None = None

    @property
    def to_write(self) -> int:
        """The rows the write pass sends: creates and updates."""
        return self.creates + self.updates

    @property
    def left_out(self) -> int:
        """The rows the plan found a problem with (invalid or ambiguous): never written."""
        return self.invalid + self.ambiguous

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
            "invalid": self.invalid,
            "ambiguous": self.ambiguous,
            "linked": self.linked,
            "lacking_required": dict(self.lacking_required),
            "dry_run": self.dry_run,
            "aborted": self.aborted,
            "written": self.written,
            "failed": self.failed,
            "problems": [{"row": p.row, "message": p.message} for p in self.problems],
            "failures_path": str(self.failures_path) if self.failures_path else None,
            "checkpoint_path": str(self.checkpoint_path) if self.checkpoint_path else None,
        }


# -- reading files -------------------------------------------------------------------------------
def _decodes(path: Path, encoding: str) -> bool:
    """Whether the whole of ``path`` decodes as ``encoding`` (read in chunks, never held)."""
    decoder = codecs.getincrementaldecoder(encoding)()
    try:
        with path.open("rb") as f:
            while chunk := f.read(1 << 16):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def detect_encoding(path: Path) -> str:
    """``utf-8-sig`` (which also reads UTF-8 without BOM) when the whole file decodes as UTF-8,
    else ``cp1252`` (what Excel writes), else ``latin-1`` (which decodes anything)."""
    if _decodes(path, "utf-8-sig"):
        return "utf-8-sig"
    # cp1252 leaves 5 bytes undefined; only a file holding one of them is read as Latin-1.
    return "cp1252" if _decodes(path, "cp1252") else "latin-1"


def check_encoding(path: Path, encoding: str) -> str:
    """``encoding`` (a codec name given by the caller) once ``path`` decodes with it:
    ``ValueError`` for an unknown codec or a file it cannot decode."""
    try:
        name = codecs.lookup(encoding).name
    except LookupError:
        raise ValueError(
            f"unknown encoding {encoding!r}: give a Python codec name such as utf-8, cp1252 "
            "or latin-1"
        ) from None
    # utf-8-sig reads UTF-8 with or without a BOM; plain utf-8 would keep the BOM in a header.
    name = "utf-8-sig" if name == "utf-8" else name
    if not _decodes(path, name):
        raise ValueError(
            f"{path} is not {encoding}: it holds bytes that encoding cannot decode; give its "
            "real encoding, or leave --encoding out to detect it"
        )
    return name


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


@dataclass(frozen=True, slots=True)
class BadLine:
    """A JSON Lines line that is no JSON object: ``message`` names its line and what is wrong."""

    message: str


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


def _jsonl_rows(f: TextIO, name: str) -> Iterator[dict[str, Any] | BadLine]:
    for number, line in enumerate(f, 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            detail = f"{exc.msg} at column {exc.colno}"
            yield BadLine(f"line {number} of {name} is not valid JSON ({detail})")
            continue
        if not isinstance(row, dict):
            kind = "an array" if isinstance(row, list) else f"the value {json.dumps(row)[:40]}"
            yield BadLine(f"line {number} of {name} is {kind}, not a JSON object of column: value")
            continue
        yield {str(k).strip(): v for k, v in row.items()}


def _read_rows(
    path: Path, fmt: str | None, encoding: str | None
) -> Iterator[tuple[int, dict[str, Any] | BadLine]]:
    """``iter_rows``, with a JSON Lines line that is no JSON object as a ``BadLine`` (a row
    problem of the import) instead of an error."""
    with path.open(encoding=encoding or detect_encoding(path), newline="") as f:
        if (fmt or file_format(path)) == "jsonl":
            rows: Iterator[dict[str, Any] | BadLine] = _jsonl_rows(f, path.name)
        else:
            rows = _csv_rows(f)
        for number, row in enumerate(rows, 1):
            if isinstance(row, BadLine):
                yield number, row
            else:
                yield number, {k: c for k, v in row.items() if (c := _clean(v)) is not None}


def iter_rows(
    path: Path, fmt: str | None = None, encoding: str | None = None
) -> Iterator[tuple[int, dict[str, Any]]]:
    """``(row number, {column: value})`` for each non-blank data row of ``path``, values
    stripped and empty ones left out. ``ValueError`` naming the line for a JSON Lines line
    that is no JSON object."""
    for number, row in _read_rows(path, fmt, encoding):
        if isinstance(row, BadLine):
            raise ValueError(row.message)
        yield number, row


def read_headers(path: Path, fmt: str | None = None, encoding: str | None = None) -> list[str]:
    """The columns of ``path``: the CSV header, or every key of the JSON Lines rows.
    ``ValueError`` for a CSV header naming a column twice (which cell would be meant?)."""
    encoding = encoding or detect_encoding(path)
    if (fmt or file_format(path)) == "csv":
        with path.open(encoding=encoding, newline="") as f:
            for cells in csv.reader(f, delimiter=_delimiter(f)):
                if any(c.strip() for c in cells):
                    headers = [c.strip() for c in cells if c.strip()]
                    twice = [h for h, n in Counter(headers).items() if n > 1]
                    if twice:
                        raise ValueError(
                            f"{path.name} names the column {twice[0]!r} twice in its header: "
                            "rename or remove one of them"
                        )
                    return headers
        return []
    seen: dict[str, None] = {}
    with path.open(encoding=encoding) as f:
        for row in _jsonl_rows(f, path.name):
            if not isinstance(row, BadLine):
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
        if slug is None and key in ALIASES:
            alias = ALIASES[key]
            if alias in _NAME_PARTS and has_name:
                slug = alias
            else:
                candidates = (alias, *ALIAS_ALTERNATES.get(alias, ()))
                slug = next((c for c in candidates if c in writable), None)
        if slug is None or slug in mapping.values():
            unmapped.append(header)
        else:
            mapping[header] = slug
    return mapping, unmapped


def load_mapping(path: Path) -> dict[str, str]:
    """A mapping file: a JSON object ``{column: attribute slug}``; ``ValueError`` naming the
    file when it is not one."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except ValueError as exc:  # not JSON, or not UTF-8
        raise ValueError(f"{path} is not a JSON mapping file ({exc})") from None
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
    key: str  # the match attributes' values, as JSON
    lacking: tuple[str, ...] = ()  # required attributes without a value: it can only update


@dataclass(frozen=True, slots=True)
class _RowEncoder:
    """Rows to ``values`` (and ``entry_values`` with a list) through ``values.encode_values``."""

    schema: WorkspaceSchema
    target: TargetSchema
    mapping: Mapping[str, str]  # to the object's attributes
    match: tuple[str, ...]
    list_target: TargetSchema | None = None
    entry_mapping: Mapping[str, str] = field(default_factory=dict)  # to the list's
    fixed: Mapping[str, Any] = field(default_factory=dict)  # encoded values of every row

    def encode(self, row: Mapping[str, Any]) -> _Encoded | str:
        """The encoded row, or why it is invalid."""
        problems: builtins.list[str] = []
        try:
            data = _row_data(self.target, self.mapping, row)
            values = encode_values(self.schema, self.target.slug, data, kind="object")
        except ValuesError as exc:
            values = {}
            problems += (_explain(self.target, p) for p in exc.problems)
        values.update(self.fixed)
        entry_values: dict[str, Any] = {}
        if self.list_target is not None:
            try:
                data = _row_data(self.list_target, self.entry_mapping, row)
                entry_values = encode_values(self.schema, self.list_target.slug, data, kind="list")
            except ValuesError as exc:
                problems += (_explain(self.list_target, p) for p in exc.problems)
        if problems:
            return "; ".join(problems)
        missing = [m for m in self.match if not values.get(m)]
        if missing:
            return f"no value for the match attribute {', '.join(map(repr, missing))}"
        if len(self.match) == 1:
            key = json.dumps(values[self.match[0]], sort_keys=True)
        else:
            key = json.dumps([values[m] for m in self.match], sort_keys=True)
        lacking = tuple(r for r in required_attributes(self.target) if values.get(r) in (None, []))
        return _Encoded(values, entry_values, key, lacking)


def _explain(target: TargetSchema, problem: Problem) -> str:
    """``problem`` as a row problem; an unknown option of a multiselect given with a comma
    gets the hint that a cell separates several values with ``;`` (``_row_data``)."""
    text = str(problem)
    attr = target.attribute(problem.field)
    given = problem.value if isinstance(problem.value, builtins.list) else [problem.value]
    if (
        problem.code == UNKNOWN_CHOICE
        and attr is not None
        and attr.is_multiselect
        and any(isinstance(v, str) and "," in v for v in given)
    ):
        text += f" (several values of {attr.slug} in one cell are separated with ';', not ',')"
    return text


def required_attributes(target: TargetSchema) -> tuple[str, ...]:
    """The attributes a new record of ``target`` must be given (Attio's ``missing_value``)."""
    return tuple(
        a.slug
        for a in target.attributes.values()
        if a.is_required and a.is_writable and not a.has_default and not a.is_archived
    )


def _digest(key: str) -> int:
    """An 8-byte digest of a match key: what the plan keeps per row to find duplicates.

    A set of these takes a fraction of the keys themselves at 100,000 rows; two different keys
    share a digest with odds of about 1 in 10^9 at that size (they would be taken for duplicates).
    """
    return int.from_bytes(hashlib.blake2b(key.encode(), digest_size=8).digest(), "big")


Reference = tuple[str, str, str]  # (object, unique attribute, JSON of its values)


def _reference_of(item: Any) -> Reference | None:
    """The reference by unique value an encoded value is, if it is one."""
    if isinstance(item, dict) and "target_object" in item and "target_record_id" not in item:
        rest = [k for k in item if k != "target_object"]
        if len(rest) == 1:
            by = rest[0]
            return item["target_object"], by, json.dumps(item[by], sort_keys=True)
    return None


def _references(values: Mapping[str, Any]) -> Iterator[Reference]:
    """Each reference by unique value among ``values``."""
    for value in values.values():
        for item in value if isinstance(value, list) else [value]:
            ref = _reference_of(item)
            if ref is not None:
                yield ref


def _key_filter(attrs: Sequence[AttributeInfo], values: Mapping[str, Any]) -> dict[str, Any]:
    """A records filter matching ``values`` of ``attrs`` with ``$eq`` (every value of each)."""
    parts = []
    for attr in attrs:
        value = values[attr.slug]
        for item in value if isinstance(value, list) else [value]:
            props = KEY_PROPS[attr.type]
            cond = {props[k]: {"$eq": v} for k, v in item.items() if k in props}
            parts.append({attr.slug: cond})
    return parts[0] if len(parts) == 1 else {"$and": parts}


def _describe_key(attrs: Sequence[AttributeInfo], values: Mapping[str, Any]) -> str:
    """``name "Big deal" and associated_company "<id>"``: the key as the search compared it."""
    parts = []
    for attr in attrs:
        value = values[attr.slug]
        props = KEY_PROPS[attr.type]
        shown = [
            v
            for item in (value if isinstance(value, list) else [value])
            for k, v in item.items()
            if k in props and k != "target_object"
        ]
        parts.append(f"{attr.slug} " + " ".join(json.dumps(v, default=str) for v in shown))
    return " and ".join(parts)


def ambiguous_message(
    target: str, attrs: Sequence[AttributeInfo], values: Mapping[str, Any], ids: Iterable[str]
) -> str:
    """Why a row whose key several records have is not written (in the plan and the write)."""
    return (
        f"several records of {target} match {_describe_key(attrs, values)} "
        f"({', '.join(ids)}); nothing written: merge them in Attio or match on more attributes"
    )


class AmbiguousMatch(Exception):
    """Several records match a row's key: the row is not written (which one would it be?)."""


class MissingRequired(Exception):
    """A row that matches no record and lacks a value a new record must have."""


# -- looking up what the rows would change -------------------------------------------------------
# Verdicts of the plan's lookup.
CREATE, UPDATE, UNCHANGED = "create", "update", "unchanged"


@dataclass(frozen=True, slots=True)
class Ambiguous:
    """The plan's verdict on a row whose key several records have (a search key): not
    written, ``message`` names the records."""

    message: str


Verdict = str | Ambiguous
# A value the plan cannot compare reliably: the attribute holding it counts as changed.
_OPAQUE: Any = object()
# Types whose values ``values.decode_value`` reads alike from the read and the write shape.
_DECODED = frozenset(
    {"text", "number", "checkbox", "rating", "currency", "date", "timestamp", "domain"}
    | {"personal-name", "location"}
)


def _frozen(value: Any) -> Any:
    """``value`` hashable: dicts and lists as tuples."""
    if isinstance(value, dict):
        return tuple(sorted((k, _frozen(v)) for k, v in value.items()))
    if isinstance(value, list):
        return tuple(_frozen(v) for v in value)
    return value


def _stored_form(kind: str, value: Mapping[str, Any], how: str) -> Any:
    """A value Attio holds (read shape) in the form compared. ``how``: ``match`` (what an
    ``$eq`` of the key compares), ``key`` (what makes two values of a multiselect one) or
    ``full`` (everything a write that replaces the value would set)."""
    if kind == "email-address":
        key = str(value.get("email_address") or "").lower()
        return (key, value.get("original_email_address")) if how == "full" else key
    if kind == "phone-number":
        number = value.get("phone_number") or value.get("original_phone_number")
        if how == "full":
            return (number, value.get("original_phone_number"), value.get("country_code"))
        return number
    if kind == "record-reference":
        return (value.get("target_object"), value.get("target_record_id"))
    if kind == "actor-reference":
        return (value.get("referenced_actor_type"), value.get("referenced_actor_id"))
    if kind in ("select", "status"):
        return decode_value(value, kind)  # the title
    if kind == "personal-name" and how == "match":
        return value.get("full_name")
    if kind in _DECODED:
        return _frozen(decode_value(value, kind))
    return _OPAQUE


@dataclass(slots=True)
class Known:
    """What the plan looked up to compare references: the record ids of references by unique
    value (None when no record has it) and the member ids by lowercased email."""

    refs: dict[Reference, str | None] = field(default_factory=dict)
    members: dict[str, str] = field(default_factory=dict)


def _given_form(kind: str, item: Any, how: str, known: Known) -> Any:
    """A value a row gives (encoded write shape) in the form ``_stored_form`` gives; a
    reference by unique value or a member by email through ``known``; ``_OPAQUE`` when the
    plan cannot tell what Attio would store."""
    if kind in ("select", "status"):
        title = item.get("option" if kind == "select" else "status")
        return title if isinstance(title, str) else _OPAQUE
    if not isinstance(item, Mapping):  # a location as free text: Attio parses it
        return _OPAQUE
    if kind == "email-address":
        sent = item.get("email_address")
        if not isinstance(sent, str):
            return _OPAQUE
        return (sent.lower(), sent) if how == "full" else sent.lower()
    if kind == "phone-number":
        sent = item.get("original_phone_number")  # E.164, as the encoder writes it
        return (sent, sent, item.get("country_code")) if how == "full" else sent
    if kind == "record-reference":
        record_id = item.get("target_record_id")
        if record_id is None:
            ref = _reference_of(item)
            record_id = known.refs.get(ref) if ref is not None else None
        return (item.get("target_object"), record_id) if record_id else _OPAQUE
    if kind == "actor-reference":
        member = item.get("referenced_actor_id")
        email = item.get("workspace_member_email_address")
        if member is None and isinstance(email, str):
            member = known.members.get(email.lower())
        return ("workspace-member", member) if member else _OPAQUE
    if kind == "personal-name" and how == "match":
        return item.get("full_name")
    if kind in _DECODED:
        return _frozen(decode_value(item, kind))
    return _OPAQUE


def holds(
    target: TargetSchema,
    current: Mapping[str, Sequence[Mapping[str, Any]]],
    given: Mapping[str, Any],
    added: Container[str],
    known: Known,
) -> bool:
    """Whether ``current`` (a record's ``values`` or an entry's ``entry_values``, read shape)
    already holds everything ``given`` (encoded values) would write. An attribute in ``added``
    is added to by the write, so each given value must be there; any other is replaced, so it
    must hold the same values in the same order. Anything not comparable is a difference."""
    for slug, value in given.items():
        attr = target.attribute(slug)
        if attr is None:
            return False
        how = "key" if attr.slug in added else "full"
        items = value if isinstance(value, builtins.list) else [value]
        want = [_given_form(attr.type, item, how, known) for item in items]
        have = [_stored_form(attr.type, v, how) for v in current.get(attr.slug, ())]
        if any(f is _OPAQUE for f in want) or any(f is _OPAQUE for f in have):
            return False
        if attr.slug in added:
            if not all(w in have for w in want):
                return False
        elif want != have:
            return False
    return True


def _by_email(values: Mapping[str, Any]) -> bool:
    """Whether ``values`` name a workspace member by email (an actor reference)."""
    return any(
        isinstance(item, dict) and "workspace_member_email_address" in item
        for value in values.values()
        for item in (value if isinstance(value, builtins.list) else [value])
    )


def _or(conditions: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """One filter matching any of ``conditions``."""
    return conditions[0] if len(conditions) == 1 else {"$or": builtins.list(conditions)}


class _Lookup:
    """The plan's reads: for a batch of rows, the records (and list entries) their writes
    would touch, and a verdict per row (``CREATE``, ``UPDATE``, ``UNCHANGED``). Keeps the ids
    of the records referenced by a unique value (``refs``: None when none exists), as many as
    the file names distinct references."""

    def __init__(
        self,
        client: AsyncAttioClient,
        schema: WorkspaceSchema,
        target: TargetSchema,
        match_attrs: Sequence[AttributeInfo],
        search: bool,
        list_target: TargetSchema | None,
    ) -> None:
        self.client = client
        self.schema = schema
        self.target = target
        self.match_attrs = tuple(match_attrs)
        self.search = search
        self.list_target = list_target
        self.known = Known()
        self.refs = self.known.refs
        self._members: asyncio.Lock = asyncio.Lock()  # loaded once, by the first batch asking
        self._members_loaded = False
        self._unsure: set[Reference] = set()  # several records, or a key not comparable
        # A search's update is a PATCH, which adds to every multiselect; an assert adds to
        # the matching attribute only and replaces the others (API-NOTES §3).
        if search:
            multi = {a.slug for a in target.attributes.values() if a.is_multiselect}
        else:
            multi = {a.slug for a in match_attrs if a.is_multiselect}
        self.added: frozenset[str] = frozenset(multi)

    async def classify(self, rows: Sequence[_Encoded]) -> builtins.list[Verdict]:
        """The verdict of each row, in order. A lookup Attio refuses (400) leaves every row
        of the batch an update: the writes then decide, as they did without a lookup."""
        try:
            return await self._classify(rows)
        except BadRequestError:
            return [UPDATE] * len(rows)

    async def _classify(self, rows: Sequence[_Encoded]) -> builtins.list[Verdict]:
        await self.resolve(
            ref for e in rows for v in (e.values, e.entry_values) for ref in _references(v)
        )
        if any(_by_email(e.values) for e in rows):
            # An owner given by email: the members' ids, one read for the whole import.
            async with self._members:
                if not self._members_loaded:
                    for member in await self.client.workspace_members.list():
                        if member.email_address and "workspace_member_id" in member.id:
                            email = member.email_address.lower()
                            self.known.members[email] = member.id["workspace_member_id"]
                    self._members_loaded = True
        verdicts: builtins.list[Verdict | None] = [None] * len(rows)
        wanted: builtins.list[builtins.list[builtins.list[Any]]] = []
        keys: builtins.list[dict[str, Any]] = []  # per row, the key with references by id
        conditions: builtins.list[dict[str, Any]] = []
        for i, encoded in enumerate(rows):
            key: dict[str, Any] = {}
            keys.append(key)
            forms: builtins.list[builtins.list[Any]] = []
            for attr in self.match_attrs:
                value = encoded.values[attr.slug]
                items = value if isinstance(value, builtins.list) else [value]
                resolved = [self._by_id(item) for item in items]
                if any(r is None for r in resolved):
                    # A reference to a record that does not exist: no record has this key.
                    verdicts[i] = CREATE
                    break
                if any(r is _OPAQUE for r in resolved):
                    verdicts[i] = UPDATE
                    break
                key[attr.slug] = resolved if isinstance(value, builtins.list) else resolved[0]
                forms.append([_given_form(attr.type, r, "match", self.known) for r in resolved])
            wanted.append(forms)
            if verdicts[i] is not None:
                continue
            if self.search:
                conditions.append(_key_filter(self.match_attrs, key))
            else:
                (attr,) = self.match_attrs
                items = key[attr.slug] if attr.is_multiselect else [key[attr.slug]]
                conditions += [_key_filter([attr], {attr.slug: item}) for item in items]
        if not conditions:
            return [v or UPDATE for v in verdicts]
        found = [
            r async for r in self.client.records.iter(self.target.slug, filter=_or(conditions))
        ]
        # The records found, by the match form of their first key attribute's values.
        first = self.match_attrs[0]
        index: dict[Any, builtins.list[Record]] = {}
        for record in found:
            for v in record.values.get(first.slug, ()):
                index.setdefault(_stored_form(first.type, v, "match"), []).append(record)
        to_check: dict[int, Record] = {}  # rows unchanged so far, with a list to look at
        for i, encoded in enumerate(rows):
            if verdicts[i] is not None:
                continue
            candidates = {r.id.record_id: r for w in wanted[i][0] for r in index.get(w, ())}
            matches = [r for r in candidates.values() if self._has_key(r, wanted[i])]
            if not matches:
                verdicts[i] = CREATE
            elif len(matches) > 1 and self.search:
                # The write would refuse it (``upsert_by_search``): say so in the plan.
                ids = sorted(r.id.record_id for r in matches)
                message = ambiguous_message(self.target.slug, self.match_attrs, keys[i], ids)
                verdicts[i] = Ambiguous(message)
            elif len(matches) > 1 or not holds(
                self.target, matches[0].values, encoded.values, self.added, self.known
            ):
                verdicts[i] = UPDATE
            elif self.list_target is None:
                verdicts[i] = UNCHANGED
            else:
                to_check[i] = matches[0]
        if to_check:
            await self._check_entries(rows, to_check, verdicts)
        return [v or UPDATE for v in verdicts]

    def _has_key(self, record: Record, wanted: Sequence[Sequence[Any]]) -> bool:
        """Whether ``record`` has the key: one of its values (an assert matches any), or every
        value of every attribute (a search's ``$and``)."""
        if not self.search:
            return True  # found through the index by one of the values
        for attr, forms in zip(self.match_attrs, wanted, strict=True):
            have = [_stored_form(attr.type, v, "match") for v in record.values.get(attr.slug, ())]
            if not all(f in have for f in forms):
                return False
        return True

    def _by_id(self, item: Any) -> Any:
        """``item`` with a reference by unique value replaced by the record id it resolved to;
        None when no record has it, ``_OPAQUE`` when the plan could not tell."""
        ref = _reference_of(item)
        if ref is None:
            return item
        if ref not in self.refs:
            return _OPAQUE
        record_id = self.refs[ref]
        return (
            None if record_id is None else {"target_object": ref[0], "target_record_id": record_id}
        )

    async def _check_entries(
        self,
        rows: Sequence[_Encoded],
        records: Mapping[int, Record],
        verdicts: builtins.list[Verdict | None],
    ) -> None:
        """Rows whose record is unchanged stay so when the record has one entry in the list
        and it holds the row's entry values (``assert_entry`` replaces them); else update."""
        assert self.list_target is not None
        ids = sorted({r.id.record_id for r in records.values()})
        flt = {"parent_record": {"target_record_id": {"$in": ids}}}
        entries: dict[str, builtins.list[Any]] = {}
        async for entry in self.client.entries.iter(self.list_target.slug, filter=flt):
            entries.setdefault(entry.parent_record_id, []).append(entry)
        for i, record in records.items():
            mine = entries.get(record.id.record_id, [])
            same = len(mine) == 1 and holds(
                self.list_target, mine[0].entry_values, rows[i].entry_values, (), self.known
            )
            verdicts[i] = UNCHANGED if same else UPDATE

    async def resolve(self, wanted: Iterable[Reference]) -> None:
        """Look up the records ``wanted`` name by a unique value (batched per object and
        attribute) and keep their ids in ``refs``."""
        groups: dict[tuple[str, str], builtins.list[tuple[Reference, Any]]] = {}
        for ref in dict.fromkeys(wanted):
            if ref in self.refs or ref in self._unsure:
                continue
            obj, by, items = ref
            attr = self.schema.target(obj, "object").attribute(by)
            parsed = json.loads(items)
            # Several values in one reference: which record Attio picks is not documented.
            if attr is None or attr.type not in KEY_PROPS or len(parsed) != 1:
                self._unsure.add(ref)
                continue
            groups.setdefault((obj, attr.slug), []).append((ref, parsed[0]))
        for (obj, by), refs in groups.items():
            attr = self.schema.target(obj, "object").attribute(by)
            assert attr is not None
            for start in range(0, len(refs), LOOKUP_BATCH):
                chunk = refs[start : start + LOOKUP_BATCH]
                flt = _or([_key_filter([attr], {by: item}) for _, item in chunk])
                owners: dict[Any, set[str]] = {}
                async for record in self.client.records.iter(obj, filter=flt):
                    for v in record.values.get(by, ()):
                        form = _stored_form(attr.type, v, "match")
                        owners.setdefault(form, set()).add(record.id.record_id)
                for ref, item in chunk:
                    form = _given_form(attr.type, item, "match", Known())
                    ids = owners.get(form, set())
                    if len(ids) > 1 or form is _OPAQUE:
                        self._unsure.add(ref)
                    else:
                        self.refs[ref] = next(iter(ids)) if ids else None


# -- resolving what the caller named -------------------------------------------------------------
def resolve_targets(
    schema: WorkspaceSchema, object: str, list: str | None
) -> tuple[TargetSchema, TargetSchema | None]:
    """The object the rows go to and the list they are added to, if any: ``object`` names an
    object or a list (then the rows go to its parent object). ``KeyError`` for a name that is
    neither, ``ValueError`` for a list of another object."""
    named = schema.target(object)
    if named.kind == "list":
        if list is not None and schema.target(list, "list").slug != named.slug:
            raise ValueError(f"import into list {named.slug!r} takes no second list ({list!r})")
        assert named.parent_object is not None
        return schema.target(named.parent_object, "object"), named
    list_target = schema.target(list, "list") if list is not None else None
    if list_target is not None and list_target.parent_object != named.slug:
        raise ValueError(
            f"list {list_target.slug!r} holds {list_target.parent_object}, not {named.slug}"
        )
    return named, list_target


def match_attributes(
    target: TargetSchema, match: str | Sequence[str] | None
) -> tuple[list[AttributeInfo], bool]:
    """The attributes of the match key and whether it is found through a search (``True``
    unless it is one unique attribute, which Attio asserts on). ``KeyError`` for an attribute
    ``target`` does not have, ``ValueError`` for one that cannot be matched on or no key."""
    given = [match] if isinstance(match, str) else list(match or ())
    # "name,associated_company" is read as two attributes (slugs hold no commas).
    names = [n.strip() for m in given for n in m.split(",") if n.strip()]
    matchable = [
        a.slug
        for a in target.attributes.values()
        if a.type in KEY_PROPS and a.is_writable and not a.is_archived
    ]
    if not names:
        names = [m for m in DEFAULT_MATCH if m in matchable][:1]
        if not names:
            raise ValueError(
                f"say what identifies a {target.slug} record: match on one or more of its "
                f"attributes (--match ATTRIBUTE), e.g. one of {', '.join(matchable)}"
            )
    attrs: list[AttributeInfo] = []
    for name in dict.fromkeys(names):
        attr = target.attribute(name)
        if attr is None or attr.is_archived:
            raise KeyError(
                f"{target.slug} has no attribute {name!r} to match on; "
                f"use one of {', '.join(matchable)}"
            )
        if attr.slug not in matchable:
            why = "read-only" if not attr.is_writable else f"of type {attr.type}"
            raise ValueError(
                f"cannot match {target.slug} records on {attr.slug!r} ({why}); "
                f"use one of {', '.join(matchable)}"
            )
        attrs.append(attr)
    return attrs, not (len(attrs) == 1 and attrs[0].is_unique)


def company_attribute(target: TargetSchema) -> AttributeInfo:
    """The attribute of ``target`` that links a record to a company (``company``,
    ``associated_company``, else the one writable reference to companies); ``ValueError`` if
    there is none."""
    found = [
        a
        for a in target.attributes.values()
        if a.type == "record-reference"
        and a.allowed_targets == ("companies",)
        and a.is_writable
        and not a.is_archived
    ]
    for slug in _COMPANY_SLUGS:
        for a in found:
            if a.slug == slug:
                return a
    if len(found) != 1:
        raise ValueError(
            f"{target.slug} records have no single company attribute to link to, so "
            "--company cannot be used; map a column to the attribute instead"
        )
    return found[0]


async def company_value(client: AsyncAttioClient, attr: AttributeInfo, company: str) -> Any:
    """The encoded value linking to ``company`` (a domain, website or record id). A record id
    must exist (``KeyError`` if not); a domain is a reference by unique value, asserted before
    the rows. ``ValueError`` when ``company`` is neither."""
    ref = company_ref("company", company)
    item: dict[str, Any]
    if not isinstance(ref, CompanyRef):
        raise ValueError(
            f"--company {company!r} is neither a company record id nor a domain: "
            'pass e.g. "acme.com" or the id of an existing company'
        )
    if ref.record_id is not None:
        try:
            await client.records.get("companies", ref.record_id)
        except NotFoundError:
            raise KeyError(
                f"no company has record id {ref.record_id!r}: pass the id of an existing "
                "company, or its domain (which creates it if missing)"
            ) from None
        item = {"target_object": "companies", "target_record_id": ref.record_id}
    else:
        item = {"target_object": "companies", "domains": [{"domain": ref.domain}]}
    return [item] if attr.is_multiselect else item


def _mappings(
    target: TargetSchema,
    list_target: TargetSchema | None,
    headers: list[str],
    mapping: Mapping[str, str] | None,
    taken: str | None,
    source: str = "the file",
) -> tuple[dict[str, str], dict[str, str], list[str]]:
    """``(columns -> object attributes, columns -> list attributes, unmapped columns)``:
    guessed, or from ``mapping``. ``taken`` is an attribute set for every row (``company=``):
    a guess leaves it to that, a given mapping naming it is a ``ValueError``, as is one naming
    a column ``source`` (the file's name) lacks or an attribute the target lacks."""
    entry_mapping: dict[str, str] = {}
    if mapping is None:
        plain = headers
        if list_target is not None:
            # A "list:SLUG" header (as an export of a list writes on a clash) names a list
            # attribute outright.
            for h in headers:
                slug = h.removeprefix(LIST_PREFIX)
                if h.startswith(LIST_PREFIX) and list_target.attribute(slug) is not None:
                    entry_mapping[h] = slug
            plain = [h for h in headers if h not in entry_mapping]
        chosen, unmapped = guess_mapping(target, plain)
        if taken is not None:
            unmapped += [c for c, s in chosen.items() if s == taken]
            chosen = {c: s for c, s in chosen.items() if s != taken}
        if list_target is not None:
            guessed, unmapped = guess_mapping(list_target, unmapped)
            entry_mapping |= guessed
        return chosen, entry_mapping, unmapped
    _check_mapping(target, list_target, headers, mapping, source)
    given = dict(mapping)
    chosen = {c: s for c, s in given.items() if not s.startswith(LIST_PREFIX)}
    for column, slug in chosen.items():
        if slug == taken:
            raise ValueError(
                f"the mapping sends column {column!r} to {slug}, which --company sets for every "
                "row: drop one of them"
            )
    if list_target is not None:
        entry_mapping = {
            c: s.removeprefix(LIST_PREFIX) for c, s in given.items() if s.startswith(LIST_PREFIX)
        }
    unmapped = [h for h in headers if h not in chosen and h not in entry_mapping]
    return chosen, entry_mapping, unmapped


def _mappable(target: TargetSchema) -> list[str]:
    """The slugs a mapping may send a column to: writable attributes, and the name parts when
    ``target`` has a personal name (``values`` folds them into it)."""
    slugs = [a.slug for a in target.attributes.values() if a.is_writable and not a.is_archived]
    if any(target.attributes[s].type == "personal-name" for s in slugs):
        slugs += [p for p in _NAME_PARTS if p not in slugs]
    return slugs


def _check_mapping(
    target: TargetSchema,
    list_target: TargetSchema | None,
    headers: Sequence[str],
    mapping: Mapping[str, str],
    source: str,
) -> None:
    """``ValueError`` for the first mistake of a given mapping: a column ``source`` lacks, an
    attribute the target (or, for ``"list:SLUG"``, the list) lacks or cannot write. Checked
    once, before any row is read, so a mistake is one error instead of a problem per row."""
    for column, slug in mapping.items():
        if column not in headers:
            shown = ", ".join(repr(h) for h in headers) or "none"
            raise ValueError(
                f"the mapping names the column {column!r}, which {source} does not have "
                f"(its columns: {shown}): fix the column name in the mapping file"
            )
        into = target
        name = slug
        if slug.startswith(LIST_PREFIX):
            if list_target is None:
                raise ValueError(
                    f"the mapping sends column {column!r} to {slug}, a list attribute, but the "
                    "import names no list: add --list SLUG or drop the prefix"
                )
            into, name = list_target, slug.removeprefix(LIST_PREFIX)
        slugs = _mappable(into)
        attr = into.attribute(name)  # by slug or id
        if name in slugs or (attr is not None and attr.slug in slugs):
            continue
        if attr is not None and not attr.is_archived:
            why = f"{into.slug}.{attr.slug} is read-only"
        else:
            why = f"{into.slug} has no attribute {name!r}"
        near = difflib.get_close_matches(name, slugs, n=3, cutoff=0.6)
        hint = f"did you mean {' or '.join(near)}?" if near else f"use one of {', '.join(slugs)}"
        raise ValueError(f"the mapping sends column {column!r} to {slug}, but {why}: {hint}")


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
    match: str | Sequence[str] | None = None,
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
    company: str | None = None,
    encoding: str | None = None,
) -> ImportReport:
    """Upsert the rows of ``path`` (CSV or JSON Lines) into ``object``, matching on ``match``.

    ``object``: an object, or a list (slug or id), whose parent object takes the rows and which
    takes each record as an entry. ``match``: one attribute slug or several (a key, also as
    ``"name, associated_company"``); one unique attribute is asserted on, any other key is
    found through a records query (see the module docstring). Without it, ``email_addresses``
    or ``domains`` when the object has them.

    Each row is looked up first (batched reads) and counted as a create, an update or
    unchanged; unchanged rows are not written (see the module docstring).

    ``mapping`` ({column: slug}) replaces the guessed one. ``on_plan`` sees the report once the
    file is checked and looked up, before any write; ``on_progress(done, total)`` after each
    row written or failed. ``max_writes`` stops after that many rows have been started, as an
    interruption would (the checkpoint keeps them): a test hook, and a way to import a file in
    slices.
    Failed and invalid rows go to ``failures`` (default ``FILE.failed.csv``).

    ``list``: each imported record is also asserted as an entry of that list, with entry
    values from the columns mapped to the list's attributes (guessed from the columns the
    object did not take, or given in ``mapping`` as ``"list:SLUG"``). ``company``: a domain,
    website or record id every row is linked to (see ``company_value``). ``encoding``: the
    file's codec, instead of detecting it (see the module docstring).

    Raises ``KeyError`` for an unknown object, list, match attribute or company record id, and
    ``ValueError`` for a key that cannot be matched on, a list of another object, a
    ``company`` the object cannot link to, a mapping naming a column the file lacks or an
    attribute the target lacks, a header naming a column twice, or an unknown ``encoding``
    (or one the file is not in); all before any row is read.
    """
    encoding = check_encoding(path, encoding) if encoding else detect_encoding(path)
    schema = await load_schema_async(client)
    target, list_target = resolve_targets(schema, object, list)
    match_attrs, search = match_attributes(target, match)
    match_slugs = tuple(a.slug for a in match_attrs)
    fixed: dict[str, Any] = {}
    taken = None
    if company is not None:
        company_attr = company_attribute(target)
        taken = company_attr.slug
        fixed[taken] = await company_value(client, company_attr, company)
    headers = read_headers(path, fmt, encoding)
    chosen, entry_mapping, unmapped = _mappings(
        target, list_target, headers, mapping, taken, path.name
    )
    encoder = _RowEncoder(
        schema, target, chosen, match_slugs, list_target, entry_mapping, fixed=fixed
    )
    shown = chosen | {c: LIST_PREFIX + s for c, s in entry_mapping.items()}
    report = ImportReport(
        target.slug,
        ", ".join(match_slugs),
        shown,
        unmapped,
        search=search,
        list_slug=list_target.slug if list_target else None,
        company=company,
        dry_run=dry_run,
    )
    report.failures_path = failures or path.with_name(path.name + ".failed.csv")
    report.checkpoint_path = checkpoint or path.with_name(path.name + CHECKPOINT_SUFFIX)
    stat = path.stat()
    identity = {
        "file": path.name,
        "size": stat.st_size,
        "object": target.slug,
        "match": report.match,
        "list": report.list_slug,
    }
    if company is not None:
        identity["company"] = company
    state = Checkpoint(report.checkpoint_path, identity)

    # Pass 1: check every row and look up what it would change; keep only digests of match
    # keys, row numbers left out and references.
    seen: set[int] = set()
    refs: set[Reference] = set()
    failed = _FailureFile(report.failures_path, headers)
    skip: set[int] = set()  # invalid, duplicates, unchanged and rows done by an earlier run
    lookup = _Lookup(client, schema, target, match_attrs, search, list_target)
    # Rows waiting for their lookup, kept whole so an ambiguous one can go to the failure file.
    batches: builtins.list[builtins.list[tuple[int, _Encoded, dict[str, Any]]]] = [[]]

    def left_out(number: int, row: Mapping[str, Any], message: str) -> None:
        """Row ``number`` has a problem: reported, never written."""
        skip.add(number)
        if len(report.problems) < MAX_PROBLEMS:
            report.problems.append(RowProblem(number, message))
        if not dry_run:
            failed.add(number, row, message)

    async def settle() -> None:
        """Classify the batches gathered (their lookups run together) and count them."""
        full = [b for b in batches if b]
        verdicts = await asyncio.gather(*(lookup.classify([e for _, e, _ in b]) for b in full))
        for batch, kinds in zip(full, verdicts, strict=True):
            for (number, encoded, row), kind in zip(batch, kinds, strict=True):
                if isinstance(kind, Ambiguous):
                    report.ambiguous += 1
                    left_out(number, row, kind.message)
                    continue
                if kind == UNCHANGED:
                    report.unchanged += 1
                    skip.add(number)
                    continue
                if kind == CREATE:
                    report.creates += 1
                else:
                    report.updates += 1
                for slug in encoded.lacking:
                    report.lacking_required[slug] = report.lacking_required.get(slug, 0) + 1
                refs.update(_references(encoded.values if link else fixed))
        batches[:] = [[]]

    for number, row in _read_rows(path, fmt, encoding):
        report.rows += 1
        if isinstance(row, BadLine):
            report.invalid += 1
            left_out(number, {}, row.message)
            continue
        encoded = encoder.encode(row)
        if isinstance(encoded, str):
            report.invalid += 1
            left_out(number, row, encoded)
            continue
        key = _digest(encoded.key)
        if key in seen:
            report.duplicates += 1
            skip.add(number)
            continue
        seen.add(key)
        if number in state.done:
            report.already_done += 1
            skip.add(number)
            continue
        batches[-1].append((number, encoded, row))
        if len(batches[-1]) == LOOKUP_BATCH:
            if len(batches) == _LOOKUPS_IN_FLIGHT:
                await settle()
            else:
                batches.append([])
    await settle()
    seen.clear()
    # Referenced records the lookup found need no assert: the rows link to them by id.
    ref_ids = {ref: found for ref in refs if (found := lookup.refs.get(ref)) is not None}
    refs.difference_update(ref_ids)
    report.linked = len(refs)
    report.problems.sort(key=lambda p: p.row)  # ambiguous rows are found a batch later
    if on_plan is not None:
        on_plan(report)
    if dry_run or (strict and report.left_out):
        report.aborted = bool(strict and report.left_out)
        if not dry_run:
            failed.close()
        return report

    # Pass 2: referenced records first (they must exist to be linked to), then the rows.
    ordered = sorted(refs)
    ref_calls = [
        functools.partial(client.records.assert_record, obj, by, {by: json.loads(items)})
        for obj, by, items in ordered
    ]
    # A reference that fails here is not fatal: the rows linking to it fail with Attio's reason.
    asserted = await run_bulk(ref_calls, concurrency=concurrency)
    # The ids of the referenced records, for search keys that hold a reference.
    ref_ids.update(
        (ref, result.value.id.record_id)
        for ref, result in zip(ordered, asserted, strict=True)
        if result.value is not None
    )

    async def record_id_of(ref: Reference) -> str:
        """The id of the record ``ref`` names (asserted above, else looked up once)."""
        if ref not in ref_ids:
            obj, by, items = ref
            attr = schema.target(obj, "object").attribute(by)
            if attr is None or attr.type not in KEY_PROPS:
                raise ValueError(f"cannot look up {obj} by {by}")
            flt = _key_filter([attr], {by: json.loads(items)})
            found = await client.records.query(obj, filter=flt, limit=1)
            if not found:
                raise ValueError(f"no {obj} record has {by} {items}")
            ref_ids[ref] = found[0].id.record_id
        return ref_ids[ref]

    stripes: dict[int, asyncio.Lock] = {}

    async def upsert_by_search(values: dict[str, Any], lacking: tuple[str, ...]) -> Record:
        """Update the one record whose key is ``values``', or create it if there is none.

        Rows with equal keys are duplicates in the plan, but two keys can differ as written and
        still search alike (a company by domain in one row, by record id in the next): the
        search and the create run under a lock chosen by the filter, so the second waits and
        finds what the first created. Striped, so the locks stay few whatever the file's size.
        """
        for slug in match_slugs:
            value = values[slug]
            items = []
            for item in value if isinstance(value, builtins.list) else [value]:
                ref = _reference_of(item)
                if ref is not None:
                    item = {"target_object": ref[0], "target_record_id": await record_id_of(ref)}
                items.append(item)
            values[slug] = items if isinstance(value, builtins.list) else items[0]
        flt = _key_filter(match_attrs, values)
        stripe = _digest(json.dumps(flt, sort_keys=True, default=str)) % _SEARCH_STRIPES
        async with stripes.setdefault(stripe, asyncio.Lock()):
            found = await client.records.query(target.slug, filter=flt, limit=2)
            if len(found) > 1:
                ids = sorted(r.id.record_id for r in found)
                raise AmbiguousMatch(ambiguous_message(target.slug, match_attrs, values, ids))
            if not found:
                if lacking:
                    # Attio would refuse it (missing_value): say so without sending it.
                    raise MissingRequired(
                        f"no record of {target.slug} matches "
                        f"{_describe_key(match_attrs, values)}, and a new one needs "
                        f"{', '.join(lacking)} (required): give the row a value for it"
                    )
                return await client.records.create(target.slug, values)
        # The record exists: updating it needs no lock.
        return await client.records.update(target.slug, found[0].id.record_id, values)

    progress = [0]

    async def write(number: int, row: dict[str, Any]) -> None:
        encoded = encoder.encode(row)
        try:
            if isinstance(encoded, str):  # the file changed since pass 1
                raise ValueError(encoded)
            if search:
                record = await upsert_by_search(encoded.values, encoded.lacking)
            else:
                record = await client.records.assert_record(
                    target.slug, match_slugs[0], encoded.values
                )
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
        for number, row in _read_rows(path, fmt, encoding):
            if number in skip or isinstance(row, BadLine):
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
