"""Reading the rows of a CSV, JSON Lines or JSON array file: encoding, delimiter, blank lines,
stray spaces, empty values. Shared by the import (which streams) and enrichment's
``FileProvider`` (``iter_file_rows``, which also reads a JSON array). See docs/IMPORT.md, "Files".
"""

from __future__ import annotations

import codecs
import csv
import io
import json
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from ...errors import InvalidInputError

__all__ = [
    "MAX_CELL",
    "BadLine",
    "ShortRow",
    "check_encoding",
    "clean",
    "detect_encoding",
    "encoding_name",
    "file_format",
    "iter_file_rows",
    "iter_rows",
    "read_headers",
    "scan_rows",
]


# The largest CSV cell read (16 MiB, in characters); a row with a larger one is a row problem.
MAX_CELL = 16 * 1024 * 1024
# How the encodings detected are named in messages.
_ENCODING_NAMES = {"utf-8-sig": "UTF-8", "cp1252": "Windows-1252", "latin-1": "Latin-1"}


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


def _mixed_lines(path: Path) -> tuple[int, int] | None:
    """``(a line that is UTF-8 with a multibyte character, a line that is not UTF-8)``, the
    first of each, when ``path`` holds both: a file with lines in two encodings, which no
    single encoding reads right. None otherwise."""
    utf8 = other = None
    with path.open("rb") as f:
        for number, line in enumerate(f, 1):
            if line.isascii():
                continue
            try:
                line.decode("utf-8")
            except UnicodeDecodeError:
                other = other or number
            else:
                utf8 = utf8 or number
            if utf8 and other:
                return utf8, other
    return None


def detect_encoding(path: Path) -> str:
    """``utf-8-sig`` (which also reads UTF-8 without BOM) when the whole file decodes as UTF-8,
    else ``cp1252`` (what Excel writes), else ``latin-1`` (which decodes anything).
    ``InvalidInputError`` for a file with both UTF-8 lines (with characters beyond ASCII) and
    lines that are not UTF-8: either encoding would garble one kind of them."""
    if _decodes(path, "utf-8-sig"):
        return "utf-8-sig"
    mixed = _mixed_lines(path)
    if mixed is not None:
        utf8, other = mixed
        raise InvalidInputError(
            f"{path.name} mixes encodings: line {utf8} is UTF-8 but line {other} is not (it "
            "reads as Windows-1252 or Latin-1); tried UTF-8, Windows-1252 and Latin-1, and each "
            "would garble some lines: save the file in one encoding (UTF-8), or give the "
            "encoding argument to read it all in one"
        )
    # cp1252 leaves 5 bytes undefined; only a file holding one of them is read as Latin-1.
    return "cp1252" if _decodes(path, "cp1252") else "latin-1"


def check_encoding(path: Path, encoding: str) -> str:
    """``encoding`` (a codec name given by the caller) once ``path`` decodes with it:
    ``InvalidInputError`` for an unknown codec or a file it cannot decode."""
    try:
        name = codecs.lookup(encoding).name
    except LookupError:
        raise InvalidInputError(
            f"unknown encoding {encoding!r}: give a Python codec name such as utf-8, cp1252 "
            "or latin-1"
        ) from None
    # utf-8-sig reads UTF-8 with or without a BOM; plain utf-8 would keep the BOM in a header.
    name = "utf-8-sig" if name == "utf-8" else name
    if not _decodes(path, name):
        raise InvalidInputError(
            f"{path} is not {encoding}: it holds bytes that encoding cannot decode; give its "
            "real encoding, or leave the encoding out to detect it"
        )
    return name


def file_format(path: Path) -> str:
    """``jsonl`` for ``.jsonl``/``.ndjson``/``.json`` files, else ``csv``."""
    return "jsonl" if path.suffix.lower() in (".jsonl", ".ndjson", ".json") else "csv"


def clean(value: Any) -> Any:
    """Stripped strings; None for "not given" (empty strings, empty lists, null)."""
    if isinstance(value, str):
        value = value.strip()
        return value or None
    if isinstance(value, list):
        items = [c for c in (clean(v) for v in value) if c is not None]
        return items or None
    return value


def _cleaned(row: dict[str, Any]) -> dict[str, Any]:
    """``row`` with its keys stripped and the values not given left out."""
    return {str(k).strip(): c for k, v in row.items() if (c := clean(v)) is not None}


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


def encoding_name(encoding: str) -> str:
    """``encoding`` (a codec name) as messages name it: ``Windows-1252 (cp1252)``."""
    name = _ENCODING_NAMES.get(encoding)
    return f"{name} ({encoding})" if name and name != encoding else encoding


@dataclass(frozen=True, slots=True)
class BadLine:
    """A line that could not be read into a row: a JSON Lines line that is no JSON object, a
    CSV row with more cells than the header or a cell over ``MAX_CELL``. ``message`` names its
    line and what is wrong; ``raw`` is its text (when it is not too large), kept in the failure
    file so it can be fixed."""

    message: str
    raw: str | None = None


class ShortRow(dict[str, Any]):
    """A CSV row with fewer cells than the header: its cells, and the columns it has no cell
    for (``missing``), which the import reads as not given."""

    def __init__(self, cells: dict[str, Any], missing: tuple[str, ...]) -> None:
        super().__init__(cells)
        self.missing = missing


def _csv_rows(f: TextIO, name: str) -> Iterator[dict[str, Any] | BadLine]:
    delimiter = _delimiter(f)
    csv.field_size_limit(max(csv.field_size_limit(), MAX_CELL))
    reader = csv.reader(f, delimiter=delimiter)
    header: list[str] | None = None
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            # The reader goes on with the next line; the row is a problem of its own.
            why = (
                f"a cell larger than {MAX_CELL // (1024 * 1024)} MiB"
                if "limit" in str(exc)
                else exc
            )
            yield BadLine(f"line {reader.line_num} of {name} cannot be read: {why}")
            continue
        if not any(c.strip() for c in cells):
            continue
        if header is None:
            header = [c.strip() for c in cells]
            continue
        if len(cells) > len(header) and any(c.strip() for c in cells[len(header) :]):
            text = io.StringIO()
            csv.writer(text, delimiter=delimiter, lineterminator="").writerow(cells)
            yield BadLine(
                f"line {reader.line_num} of {name} has {len(cells)} cells but the header "
                f"{len(header)}: quote a cell that holds {delimiter!r}, or add a column",
                text.getvalue(),
            )
            continue
        row = {h: c for h, c in zip(header, cells, strict=False) if h}
        if len(cells) < len(header):
            yield ShortRow(row, tuple(h for h in header[len(cells) :] if h))
        else:
            yield row


def _jsonl_rows(f: TextIO, name: str) -> Iterator[dict[str, Any] | BadLine]:
    for number, line in enumerate(f, 1):
        if not line.strip():
            continue
        raw = line.rstrip("\r\n")
        try:
            row = json.loads(raw)
        except json.JSONDecodeError as exc:
            # "Unterminated string starting at" ends with its own "at".
            at = "" if exc.msg.endswith(" at") else " at"
            detail = f"{exc.msg}{at} column {exc.colno}"
            yield BadLine(f"line {number} of {name} is not valid JSON ({detail})", raw)
            continue
        if not isinstance(row, dict):
            kind = "an array" if isinstance(row, list) else f"the value {json.dumps(row)[:40]}"
            yield BadLine(
                f"line {number} of {name} is {kind}, not a JSON object of column: value", raw
            )
            continue
        yield {str(k).strip(): v for k, v in row.items()}


# ``scan_rows`` tells ``on_read`` how far it is every this many rows.
_READ_EVERY = 500


def scan_rows(
    path: Path,
    fmt: str | None,
    encoding: str | None,
    on_read: Callable[[int], None] | None = None,
) -> Iterator[tuple[int, dict[str, Any] | BadLine]]:
    """``iter_rows``, with a line that cannot be read into a row as a ``BadLine`` (a row
    problem of the import) instead of an error, and a CSV row with fewer cells than the header
    as a ``ShortRow``. ``on_read(bytes read)`` now and then (a progress bar's)."""
    # Unbuffered underneath, so ``tell`` says how far the text reader has read.
    encoding = encoding or detect_encoding(path)
    with (
        path.open("rb", buffering=0) as raw,
        io.TextIOWrapper(io.BufferedReader(raw), encoding=encoding, newline="") as f,
    ):
        if (fmt or file_format(path)) == "jsonl":
            rows: Iterator[dict[str, Any] | BadLine] = _jsonl_rows(f, path.name)
        else:
            rows = _csv_rows(f, path.name)
        for number, row in enumerate(rows, 1):
            if on_read is not None and number % _READ_EVERY == 0:
                on_read(raw.tell())
            if isinstance(row, BadLine):
                yield number, row
            elif isinstance(row, ShortRow):
                yield number, ShortRow(_cleaned(row), row.missing)
            else:
                yield number, _cleaned(row)


def iter_rows(
    path: Path, fmt: str | None = None, encoding: str | None = None
) -> Iterator[tuple[int, dict[str, Any]]]:
    """``(row number, {column: value})`` for each non-blank data row of ``path``, values
    stripped and empty ones left out. ``InvalidInputError`` naming the line for a JSON Lines
    line that is no JSON object."""
    for number, row in scan_rows(path, fmt, encoding):
        if isinstance(row, BadLine):
            raise InvalidInputError(row.message)
        yield number, row


def iter_file_rows(path: Path, encoding: str | None = None) -> Iterator[dict[str, Any]]:
    """The rows of a CSV, JSON Lines or JSON array file, cleaned as ``iter_rows`` cleans them
    (what enrichment's ``FileProvider`` reads). A ``.json`` file holding an array is read whole;
    ``InvalidInputError`` for an item of it that is no JSON object, or for a file that is not
    JSON at all."""
    if path.suffix.lower() == ".json":
        text = path.read_text(encoding=encoding or detect_encoding(path))
        if text.lstrip().startswith("["):
            try:
                data = json.loads(text)
            except json.JSONDecodeError as exc:
                raise InvalidInputError(
                    f"{path} is not a JSON array ({exc.msg} at line {exc.lineno}, column "
                    f"{exc.colno})"
                ) from None
            for number, row in enumerate(data, 1):
                if not isinstance(row, dict):
                    raise InvalidInputError(
                        f"{path}: item {number} of the array is not a JSON object"
                    )
                yield _cleaned(row)
            return
    for _, row in iter_rows(path, encoding=encoding):
        yield row


def read_headers(path: Path, fmt: str | None = None, encoding: str | None = None) -> list[str]:
    """The columns of ``path``: the CSV header, or every key of the JSON Lines rows.
    ``InvalidInputError`` for a CSV header naming a column twice (which cell would be meant?)."""
    encoding = encoding or detect_encoding(path)
    if (fmt or file_format(path)) == "csv":
        with path.open(encoding=encoding, newline="") as f:
            for cells in csv.reader(f, delimiter=_delimiter(f)):
                if any(c.strip() for c in cells):
                    headers = [c.strip() for c in cells if c.strip()]
                    twice = [h for h, n in Counter(headers).items() if n > 1]
                    if twice:
                        raise InvalidInputError(
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
