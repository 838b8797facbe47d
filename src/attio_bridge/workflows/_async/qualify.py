"""The lead-qualification workflow: from a form submission (a JSON object), find or create
the company, score it with configurable rules (``_model.qualify``), set its status, add it to a
list, create a task for an assignee due the next business day and note the reasoning. Safe to
re-run."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from ...services import AsyncServices, next_business_day
from .._model.qualify import (
    QualificationResult,
    ScoringRules,
    form_domain,
    form_name,
    reasoning_markdown,
    score_form,
    status_attribute,
)

__all__ = ["qualify_lead"]


async def qualify_lead(
    services: AsyncServices,
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
    domain = form_domain(form)
    name = form_name(form) or domain
    score, reasons = score_form(form, rules)
    status = rules.status_for(score)
    ws = await services.context.workspace()
    slug = status_attribute(ws.object("companies"), rules)
    await services.context.encode("companies", {slug: status})  # a bad title fails here
    await services.tasks.check_assignees([assignee_email])
    created: list[str] = []
    existing = await services.companies.find_by_domain(domain)
    company = await services.companies.upsert(
        domain, name if existing is None else None, **{slug: status}
    )
    if existing is None:
        created.append("company")
    had_entry = bool(await services.lists.entry_ids(list_slug, company))
    entry = await services.lists.assert_entry(list_slug, company)
    if not had_entry:
        created.append("entry")
    task, new_task = await services.tasks.ensure(
        "companies",
        company.record_id,
        f"Qualify lead {name}",
        assignees=[assignee_email],
        due=next_business_day(today),
    )
    if new_task:
        created.append("task")
    note, new_note = await services.notes.ensure(
        "companies",
        company.record_id,
        "Lead qualification",
        reasoning_markdown(score, status, reasons),
        marker=f"Score: {score}",
    )
    if new_note:
        created.append("note")
    return QualificationResult(company, score, status, reasons, entry, task, note, tuple(created))
