"""What is wrong with values before they are sent: ``Problem`` and ``ValuesError``.

Encoding (``encode``) collects one ``Problem`` per wrong field and raises them all together in
one ``ValuesError``, so a caller fixes a record in one go. Each problem names the field, the
value given and the fix; ``str(error)`` is one line per problem.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ..errors import InvalidInputError

# Problem codes.
UNKNOWN_ATTRIBUTE = "unknown_attribute"
WRONG_TYPE = "wrong_type"
UNKNOWN_CHOICE = "unknown_choice"
MISSING_REQUIRED = "missing_required"
NOT_MULTISELECT = "not_multiselect"
READ_ONLY = "read_only"


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with one field: ``code`` (one of the constants above), what is wrong
    (``message``) and how to fix it (``fix``)."""

    field: str
    value: Any
    code: str
    message: str
    fix: str

    def __str__(self) -> str:
        return f"{self.field}={_show(self.value)}: {self.message}. {self.fix}"


class ValuesError(InvalidInputError):
    """Values that would not be accepted; ``problems`` lists every one found in the record."""

    def __init__(self, target: str, problems: Iterable[Problem]) -> None:
        self.target = target
        self.problems = list(problems)
        lines = [f"{len(self.problems)} problem(s) with values for {target!r}:"]
        lines += [f"  - {p}" for p in self.problems]
        super().__init__("\n".join(lines))


def _show(value: Any) -> str:
    shown = repr(value)
    return shown if len(shown) <= 80 else shown[:77] + "..."


def closest(word: str, candidates: Iterable[str]) -> str | None:
    """The candidate most like ``word`` (difflib), or None if none is close."""
    found = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.6)
    return found[0] if found else None


def unknown_attribute(field: str, value: Any, target: str, slugs: Iterable[str]) -> Problem:
    """``field`` is no attribute of ``target``; suggests the closest slug."""
    slugs = sorted(slugs)
    guess = closest(field, slugs)
    fix = f'Did you mean "{guess}"?' if guess else f"Valid attributes: {', '.join(slugs)}."
    return Problem(field, value, UNKNOWN_ATTRIBUTE, f'"{target}" has no attribute "{field}"', fix)


def wrong_type(field: str, value: Any, attr_type: str, expected: str) -> Problem:
    """``value`` does not fit an attribute of ``attr_type``."""
    return Problem(
        field,
        value,
        WRONG_TYPE,
        f"not a valid {attr_type} value",
        f"Give {expected}.",
    )


def unknown_choice(field: str, value: Any, kind: str, titles: Iterable[str]) -> Problem:
    """No live option or status of the attribute has this title."""
    valid = ", ".join(f'"{t}"' for t in titles) or "(none)"
    return Problem(
        field, value, UNKNOWN_CHOICE, f"no {kind} with this title", f"Use one of: {valid}."
    )


def missing_required(field: str) -> Problem:
    """A required attribute has no value on create."""
    return Problem(
        field,
        None,
        MISSING_REQUIRED,
        "this attribute is required",
        f'Give a value for "{field}" when creating.',
    )


def not_multiselect(field: str, value: Any) -> Problem:
    """Several values for a single-value attribute."""
    return Problem(
        field,
        value,
        NOT_MULTISELECT,
        "this attribute holds a single value, but a list of several was given",
        "Give one value.",
    )


def read_only(field: str, value: Any) -> Problem:
    """The attribute cannot be written."""
    return Problem(
        field,
        value,
        READ_ONLY,
        "this attribute is read-only",
        f'Remove "{field}" from the values.',
    )
