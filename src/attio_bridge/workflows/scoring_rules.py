"""Lead-scoring rules from a TOML or JSON file, for ``qualify_lead`` and ``attio-bridge qualify``.

The file holds the rules, the tiers (status title = minimum score) and, optionally, the status
attribute, the list and the assignee the qualification uses by default::

    status_attribute = "lead_status"     # optional: the companies attribute to set
    list = "prospects"                   # optional: the list used when none is given
    assignee = "ada@example.com"         # optional: the assignee used when none is given

    [[rules]]
    field = "employees"                  # a key of the form
    op = "at_least"                      # equals, in, at_least, at_most, contains, present
    value = 50
    points = 30

    [[rules]]
    field = "industry"
    op = "in"
    value = ["SaaS", "Fintech"]
    points = 20
    label = "software or fintech"        # optional: how the note names the rule

    [tiers]                              # status title = minimum score
    Hot = 40
    Warm = 20
    Cold = 0

A JSON file has the same shape (``{"rules": [...], "tiers": {"Hot": 40}}``). Every mistake is
reported as one ``RulesFileError`` naming the file, the rule and the fix, before anything is sent.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .._files import read_settings_file
from ..errors import InvalidInputError
from ._model.qualify import OPS, Rule, ScoringRules

__all__ = ["RulesFile", "RulesFileError", "load_rules_file", "rules_file_from"]

_TOP_KEYS = ("rules", "tiers", "status_attribute", "list", "assignee")
_RULE_KEYS = ("field", "op", "value", "points", "label")


class RulesFileError(InvalidInputError):
    """A rules file that cannot be read or used (also a ``ValueError``); the message names the
    place and the fix."""


@dataclass(frozen=True)
class RulesFile:
    """A rules file's scoring rules and its defaults for the list and the assignee."""

    rules: ScoringRules
    list: str | None = None
    assignee: str | None = None


def load_rules_file(path: str | Path) -> RulesFile:
    """The rules in ``path``: TOML, or JSON when the name ends in ``.json``."""
    where = str(path)
    data = read_settings_file(path, RulesFileError, "rules file")
    return rules_file_from(data, where)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _text(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _rule(raw: Any, n: int, where: str) -> Rule:
    if not isinstance(raw, Mapping):
        raise RulesFileError(f"{where}: rule {n} is not a table; give field, op, value, points")
    named = f"rule {n} ({raw['field']})" if _text(raw.get("field")) else f"rule {n}"

    def fail(problem: str, fix: str) -> RulesFileError:
        return RulesFileError(f"{where}: {named}: {problem}; {fix}")

    unknown = [k for k in raw if k not in _RULE_KEYS]
    if unknown:
        raise fail(f"unknown key {unknown[0]!r}", f"the keys of a rule are {', '.join(_RULE_KEYS)}")
    if not _text(raw.get("field")):
        raise fail("no field", 'set field to the form key it scores, e.g. field = "employees"')
    op = raw.get("op")
    if op not in OPS:
        got = f"op {op!r} is not known" if op is not None else "no op"
        raise fail(got, f"set op to one of {', '.join(OPS)}")
    points = raw.get("points")
    if not isinstance(points, int) or isinstance(points, bool):
        raise fail(f"points is {points!r}", "set points to a whole number, e.g. points = 10")
    value = raw.get("value")
    if op == "present":
        if value is not None:
            raise fail("op 'present' takes no value", "remove value")
    elif op == "in":
        if not isinstance(value, list) or not value:
            raise fail(
                f"value is {value!r}", 'op "in" needs a list, e.g. value = ["SaaS", "Fintech"]'
            )
        value = tuple(value)
    elif op in ("at_least", "at_most"):
        if not _is_number(value):
            raise fail(f"value is {value!r}", f'op "{op}" needs a number, e.g. value = 50')
    elif value is None or isinstance(value, list | Mapping):
        raise fail(f"value is {value!r}", f'op "{op}" needs one value, e.g. value = "SaaS"')
    label = raw.get("label", "")
    if not isinstance(label, str):
        raise fail(f"label is {label!r}", "set label to text or remove it")
    return Rule(str(raw["field"]).strip(), op, value, points=points, label=label)


def _tiers(raw: Any, where: str) -> tuple[tuple[int, str], ...]:
    fix = "give [tiers] with a minimum score per status title, e.g. Hot = 40, Cold = 0"
    if not isinstance(raw, Mapping) or not raw:
        raise RulesFileError(f"{where}: no tiers; {fix}")
    tiers = []
    for title, minimum in raw.items():
        if not isinstance(minimum, int) or isinstance(minimum, bool):
            raise RulesFileError(
                f"{where}: tier {title!r}: minimum is {minimum!r}; set it to a whole number"
            )
        tiers.append((minimum, str(title)))
    return tuple(tiers)


def rules_file_from(data: Any, where: str = "rules") -> RulesFile:
    """A ``RulesFile`` from the parsed file ``data`` (``where`` names it in errors)."""
    if not isinstance(data, Mapping):
        raise RulesFileError(f"{where}: expected a table with rules and tiers")
    unknown = [k for k in data if k not in _TOP_KEYS]
    if unknown:
        raise RulesFileError(
            f"{where}: unknown key {unknown[0]!r}; the keys are {', '.join(_TOP_KEYS)}"
        )
    raw_rules = data.get("rules")
    if not isinstance(raw_rules, list) or not raw_rules:
        raise RulesFileError(
            f"{where}: no rules; add at least one [[rules]] table with field, op, value, points"
        )
    rules = tuple(_rule(raw, n, where) for n, raw in enumerate(raw_rules, start=1))
    tiers = _tiers(data.get("tiers"), where)
    optional: dict[str, str | None] = {}
    for key in ("status_attribute", "list", "assignee"):
        value = data.get(key)
        if value is not None and not _text(value):
            raise RulesFileError(f"{where}: {key} is {value!r}; set it to text or remove it")
        optional[key] = value.strip() if isinstance(value, str) else None
    scoring = ScoringRules(rules, tiers, optional["status_attribute"])
    return RulesFile(scoring, optional["list"], optional["assignee"])
