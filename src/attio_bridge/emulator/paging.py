"""Limits and offsets: how every paged route reads them and the bounds they must keep.

A count comes either as a query parameter (``GET /v2/notes?limit=20&offset=40``) or as a field
of a flat JSON body (``POST .../records/query`` ``{"limit": 20, "offset": 40}``); both are read
here, so every paged route refuses the same values with the same 400 ``validation_type`` body
(API-NOTES §8: a value of the wrong type or shape), naming the parameter and its real bounds.

Every count has an upper bound, even where Attio documents none (an offset, the limit of
attribute values): ``MAX_COUNT``, the largest whole number a JSON number carries exactly in
every parser (RFC 8259 §6, JavaScript's ``Number.MAX_SAFE_INTEGER``). Beyond it a count could
not mean what was sent, and the issue that led here (issue 10) saw Attio answer
``{"offset": 9223372036854775807}`` with a 400, where the emulator used to fail with a 500.
"""

from __future__ import annotations

import json
import re
from typing import Any

from .errors import ValidationTypeError

MAX_COUNT = 2**53 - 1
# ASCII digits only: ``int()`` would also take " 5", "5_000" and other scripts' digits.
_DIGITS = re.compile(r"-?[0-9]+")
# A count's digits beyond this many cannot be in bounds (and ``int()`` refuses past 4300).
_MAX_DIGITS = len(str(MAX_COUNT))


def _bounds(lo: int, hi: int | None) -> str:
    return f"a whole number of at least {lo} and at most {MAX_COUNT if hi is None else hi}"


def _shown(value: Any) -> str:
    """``value`` as the JSON it came as (``null``, ``true``, ``"10"``), cut short if long."""
    text = json.dumps(value)
    return text if len(text) <= 40 else text[:37] + "..."


def body_count(body: dict[str, Any], name: str, default: int, lo: int, hi: int | None) -> int:
    """Body field ``name`` (``default`` when absent) as a count from ``lo`` to ``hi`` (or to
    ``MAX_COUNT`` when ``hi`` is None); 400 ``validation_type`` otherwise.

    The spec types counts as ``number`` and JSON has one number type, so a whole float such as
    ``25.0`` (what a client generated from the spec sends) is the count 25. A boolean is not a
    number, though Python says ``True == 1``, and neither is ``null``: both are refused.
    """
    if name not in body:
        return default
    sent = body[name]
    value = int(sent) if isinstance(sent, float) and sent.is_integer() else sent
    top = MAX_COUNT if hi is None else hi
    if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= top:
        raise ValidationTypeError(f'"{name}" must be {_bounds(lo, hi)}, got {_shown(sent)}.')
    return value


def query_count(raw: str | None, name: str, default: int, lo: int, hi: int | None) -> int:
    """Query parameter ``name``, sent as ``raw`` (None when absent, giving ``default``), as a
    count from ``lo`` to ``hi`` (or ``MAX_COUNT``); 400 ``validation_type`` otherwise."""
    if raw is None:
        return default
    top = MAX_COUNT if hi is None else hi
    digits = raw.lstrip("-")
    if (
        _DIGITS.fullmatch(raw) is None
        or len(digits.lstrip("0")) > _MAX_DIGITS
        or not lo <= int(raw) <= top
    ):
        raise ValidationTypeError(
            f'Query parameter "{name}" must be {_bounds(lo, hi)}, got {_shown(raw)}.'
        )
    return int(raw)
