"""Lead qualification without I/O: the scoring rules and their results, the form's domain and
name, the note body, and the checks of the tiers against the status attribute.

Rules are data (``Rule``, ``ScoringRules``) so a team changes its scoring without code::

    rules = ScoringRules(
        rules=(
            Rule("employees", "at_least", 50, points=30),
            Rule("industry", "in", ("SaaS", "Fintech"), points=20),
            Rule("email", "present", points=5),
        ),
        tiers=((40, "Hot"), (20, "Warm"), (0, "Cold")),
    )
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ...client.models import Entry, Note, Record, Task
from ...errors import InvalidInputError
from ...services import ServiceError
from ...values import AttributeInfo, TargetSchema, domain_from

__all__ = [
    "NAME_KEYS",
    "OPS",
    "STATUS_SLUGS",
    "WEBSITE_KEYS",
    "QualificationResult",
    "Rule",
    "RuleResult",
    "ScoringRules",
    "form_domain",
    "form_name",
    "reasoning_markdown",
    "score_form",
    "status_attribute",
]

OPS = ("equals", "in", "at_least", "at_most", "contains", "present")
# Where the company's status is looked for when the rules name no attribute.
STATUS_SLUGS = ("lead_status", "qualification_status", "status", "lead_stage")
NAME_KEYS = ("company", "company_name", "name", "organisation", "organization")
WEBSITE_KEYS = ("website", "domain", "url", "company_website")


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.replace(",", "").strip())
        except ValueError:
            return None
    return None


def _fold(value: Any) -> str:
    return str(value).strip().casefold()


@dataclass(frozen=True)
class Rule:
    """``points`` when the form's ``field`` meets ``op`` against ``value``: "equals" and "in"
    (a tuple of values; both ignore case), "at_least" / "at_most" (numbers; "1,200" counts),
    "contains" (a substring, ignoring case), "present" (any non-empty value)."""

    field: str
    op: str
    value: Any = None
    points: int = 0
    label: str = ""

    def __post_init__(self) -> None:
        if self.op not in OPS:
            raise InvalidInputError(f"unknown rule op {self.op!r}; use one of {', '.join(OPS)}")

    def describe(self) -> str:
        """The rule in words, e.g. "employees at least 50"."""
        if self.label:
            return self.label
        if self.op == "present":
            return f"{self.field} given"
        shown = ", ".join(map(str, self.value)) if self.op == "in" else self.value
        return f"{self.field} {self.op.replace('_', ' ')} {shown}"

    def matches(self, form: Mapping[str, Any]) -> bool:
        """Whether the form meets the rule (a missing field meets none)."""
        given = form.get(self.field)
        if given is None or given == "":
            return False
        if self.op == "present":
            return True
        if self.op == "equals":
            return _fold(given) == _fold(self.value)
        if self.op == "in":
            return _fold(given) in {_fold(v) for v in self.value}
        if self.op == "contains":
            return _fold(self.value) in _fold(given)
        number, bound = _number(given), _number(self.value)
        if number is None or bound is None:
            return False
        return number >= bound if self.op == "at_least" else number <= bound


@dataclass(frozen=True)
class ScoringRules:
    """The rules, summed, and ``tiers``: (minimum score, status title) pairs; the first tier
    whose minimum the score reaches, highest minimum first, gives the status.
    ``status_attribute`` names the company attribute (status or select) to set; by default the
    first of ``lead_status``, ``qualification_status``, ``status``, ``lead_stage``."""

    rules: tuple[Rule, ...]
    tiers: tuple[tuple[int, str], ...]
    status_attribute: str | None = None

    def status_for(self, score: int) -> str:
        """The status title of ``score``; ``ServiceError`` if it is below every tier."""
        for minimum, title in sorted(self.tiers, key=lambda t: -t[0]):
            if score >= minimum:
                return title
        raise ServiceError(f"score {score} is below every tier of the scoring rules")


@dataclass(frozen=True)
class RuleResult:
    """One rule and the points it gave (0 when it did not match)."""

    rule: str
    matched: bool
    points: int


@dataclass(frozen=True)
class QualificationResult:
    """What ``qualify_lead`` found and did; ``created`` names what this run made."""

    company: Record
    score: int
    status: str
    reasons: tuple[RuleResult, ...]
    entry: Entry
    task: Task
    note: Note
    created: tuple[str, ...]


def _first(form: Mapping[str, Any], keys: tuple[str, ...]) -> str | None:
    for key in keys:
        value = form.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


def form_name(form: Mapping[str, Any]) -> str | None:
    """The company's name in the form (the first of ``NAME_KEYS`` given), or None."""
    return _first(form, NAME_KEYS)


def form_domain(form: Mapping[str, Any]) -> str:
    """The company's domain: the form's website or domain, else its email's domain;
    ``ServiceError`` when it has none."""
    website = _first(form, WEBSITE_KEYS)
    domain = domain_from(website) if website else None
    email = form.get("email")
    if domain is None and isinstance(email, str) and "@" in email:
        domain = domain_from(email.rsplit("@", 1)[1])
    if domain is None:
        raise ServiceError(
            "the form has no website or domain (keys: "
            + ", ".join(WEBSITE_KEYS)
            + ") nor an email address to take the company's domain from"
        )
    return domain


def _check_tiers(rules: ScoringRules, attr: AttributeInfo) -> None:
    """Every tier's title must be a live option (or status) of ``attr``: a typo fails before
    the first write, not on the first lead whose score reaches that tier."""
    unknown = [title for _, title in rules.tiers if attr.find_choice(title) is None]
    if unknown:
        kind = "statuses" if attr.type == "status" else "options"
        titles = ", ".join(c.title for c in attr.choices() if not c.is_archived) or "(none)"
        raise ServiceError(
            f"the scoring rules' tier {', '.join(map(repr, unknown))} is none of the {kind} of "
            f"companies.{attr.slug} ({titles}); rename the tier or add it to {attr.slug} in Attio"
        )


def score_form(form: Mapping[str, Any], rules: ScoringRules) -> tuple[int, tuple[RuleResult, ...]]:
    """The form's score and each rule's contribution."""
    reasons = tuple(
        RuleResult(r.describe(), hit, r.points if hit else 0)
        for r in rules.rules
        for hit in (r.matches(form),)
    )
    return sum(r.points for r in reasons), reasons


def reasoning_markdown(score: int, status: str, reasons: tuple[RuleResult, ...]) -> str:
    """The note body: the score, the status and every rule with its points."""
    lines = [f"**Score:** {score}", f"**Status:** {status}", "", "**Rules:**", ""]
    for r in reasons:
        lines.append(f"- {r.rule}: {'+' if r.matched else ''}{r.points}")
    return "\n".join(lines) + "\n"


def status_attribute(companies: TargetSchema | None, rules: ScoringRules) -> str:
    """The slug of the companies' status attribute (``companies``: their schema), every tier
    title one of its options; ``ServiceError`` naming the fix otherwise."""
    if companies is None:
        raise ServiceError("the workspace has no companies object")
    wanted = (rules.status_attribute,) if rules.status_attribute else STATUS_SLUGS
    for slug in wanted:
        attr = companies.attribute(slug)
        if attr is not None and not attr.is_archived and attr.type in ("status", "select"):
            _check_tiers(rules, attr)
            return attr.slug
    raise ServiceError(
        f"companies have no status or select attribute {' / '.join(wanted)} to hold the lead "
        "status; create one in Attio (with the tier titles as options) or name it in "
        "ScoringRules.status_attribute"
    )
