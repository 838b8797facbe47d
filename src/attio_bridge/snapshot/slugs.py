"""File names of snapshots: a record's display name as a slug that is safe on every file system.

``slugify(name)`` folds unicode to ASCII (NFKD, marks dropped), lowercases, keeps letters and
digits with single hyphens between words, and caps the length (``MAX_SLUG``). What is left can
be no path trick: no ``/``, ``\\``, NUL, ``..`` or leading dot (no dot at all), no control
character, never empty (``record``), and never one of Windows' reserved device names (``con``,
``prn``, ``aux``, ``nul``, ``com1``-``com9``, ``lpt1``-``lpt9``, reserved whatever the
extension: ``con.json`` is the console), which get ``-record`` appended.

``unique_slug(name, record_id, taken)`` resolves collisions: two records with one name get
``ada-lovelace`` and ``ada-lovelace-<first 8 of the record id>``. A record keeps the slug it got
at its first import (the index stores its path), so re-imports and renames in Attio do not move
its file.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Container

__all__ = ["MAX_SLUG", "RESERVED_NAMES", "slugify", "unique_slug"]

# Room for a suffix and ".json" well inside every file system's 255-byte name limit.
MAX_SLUG = 80
RESERVED_NAMES = frozenset(
    {"con", "prn", "aux", "nul"}
    | {f"com{i}" for i in range(1, 10)}
    | {f"lpt{i}" for i in range(1, 10)}
)
_NOT_WORD = re.compile(r"[^a-z0-9]+")
_ID_PART = 8
_ID_MAX = 40


def slugify(name: str) -> str:
    """``name`` as a safe, lowercase ASCII slug of at most ``MAX_SLUG`` characters."""
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    slug = _NOT_WORD.sub("-", folded.lower()).strip("-")
    slug = slug[:MAX_SLUG].rstrip("-") or "record"
    if slug in RESERVED_NAMES:
        slug += "-record"
    return slug


def _joined(base: str, suffix: str) -> str:
    """``base-suffix`` within ``MAX_SLUG``, the base cut to make room."""
    return f"{base[: MAX_SLUG - len(suffix) - 1].rstrip('-')}-{suffix}"


def unique_slug(name: str, record_id: str, taken: Container[str]) -> str:
    """The slug of ``name``, or, when ``taken`` holds it, one made distinct by part of
    ``record_id`` (then more of it, then a counter): never one in ``taken``, never longer
    than ``MAX_SLUG``."""
    base = slugify(name)
    if base not in taken:
        return base
    ident = _NOT_WORD.sub("", record_id.lower())[:_ID_MAX] or "record"
    for part in (ident[:_ID_PART], ident):
        candidate = _joined(base, part)
        if candidate not in taken:
            return candidate
    number = 2
    while (candidate := _joined(base, f"{ident[:_ID_PART]}-{number}")) in taken:
        number += 1
    return candidate
