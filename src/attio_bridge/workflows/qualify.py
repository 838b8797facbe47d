"""The lead-qualification workflow: from a form submission (a JSON object), find or create
the company, score it with configurable rules, set its status, add it to a list, create a
task for an assignee due the next business day and note the reasoning. Safe to re-run.

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
from datetime import date, datetime
from typing import Any

from ..client.models import Entry, Note, Record, Task
from ..services import ServiceError, Services, next_business_day
from ..values import AttributeInfo, domain_from
from ._activity import check_assignees, ensure_note, ensure_task

__all__ = ["QualificationResult", "Rule", "RuleResult", "ScoringRules", "qualify_lead"]

_OPS = ("equals", "in", "at_least", "at_most", "contains", "present")
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
        if self.op not in _OPS:
            raise ValueError(f"unknown rule op {self.op!r}; use one of {', '.join(_OPS)}")

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


def _domain(form: Mapping[str, Any]) -> str:
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


def _status_attribute(services: Services, rules: ScoringRules) -> str:
    """The slug of the companies' status attribute, every tier title one of its options."""
    companies = services.context.workspace().object("companies")
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


def qualify_lead(
    services: Services,
    form: Mapping[str, Any],
    rules: ScoringRules,
    list_slug: str,
    assignee_email: str,
    *,
    today: date | datetime | None = None,
) -> QualificationResult:
    """Qualify the lead of ``form`` (keys such as ``company``, ``website``, ``email``,
    ``employees``, ``industry``): assert the company by domain (the website, else the email's
    domain) with its name and status from ``rules``, assert its entry in ``list_slug``, create
    a task "Qualify lead {name}" for ``assignee_email`` due the business day after ``today``
    (default: now) and a note listing each rule and its points.

    Everything is checked before the first write: a form without a domain, a workspace without
    a status attribute, or any tier title of ``rules`` (not only this lead's) that is not one of
    its options raise ``ServiceError`` / ``ValuesError``. A re-run with the same form writes no
    duplicates."""
    domain = _domain(form)
    name = _first(form, NAME_KEYS) or domain
    score, reasons = score_form(form, rules)
    status = rules.status_for(score)
    slug = _status_attribute(services, rules)
    services.context.encode("companies", {slug: status})  # a bad title fails before writing
    check_assignees(services, [assignee_email])
    created: list[str] = []
    existing = services.companies.find_by_domain(domain)
    company = services.companies.upsert(
        domain, name if existing is None else None, **{slug: status}
    )
    if existing is None:
        created.append("company")
    had_entry = bool(services.lists.entry_ids(list_slug, company))
    entry = services.lists.assert_entry(list_slug, company)
    if not had_entry:
        created.append("entry")
    task, new_task = ensure_task(
        services,
        "companies",
        company.record_id,
        f"Qualify lead {name}",
        assignees=[assignee_email],
        due=next_business_day(today),
    )
    if new_task:
        created.append("task")
    note, new_note = ensure_note(
        services,
        "companies",
        company.record_id,
        "Lead qualification",
        reasoning_markdown(score, status, reasons),
        marker=f"Score: {score}",
    )
    if new_note:
        created.append("note")
    return QualificationResult(company, score, status, reasons, entry, task, note, tuple(created))
