"""``attio-bridge people create|get`` and ``companies create|get``: people and companies by their
unique key (an email address; a domain or website URL).

This module owns the ``people`` and ``companies`` groups and their commands. ``people create
EMAIL`` and ``companies create DOMAIN`` upsert by that key through ``services``, so running one
again updates instead of duplicating (``people create --company DOMAIN`` links the company with
that domain, made if missing; ``--company-id`` links one by id); each takes ``--dry-run``.
``people get EMAIL`` and ``companies get DOMAIN`` print the record found by the key
(``people.find_by_email``, ``companies.find_by_domain``, which normalise it first); none found
is a not-found error that says how to create one.
"""

from __future__ import annotations

from typing import Annotated, Literal

import typer

from ..client.models import Record
from ..services import Services
from ..values import decode_record
from ._common import CliError, ConnectionOptions, ExitStatus, connected
from ._run import (
    Run,
    SetOpt,
    ValuesOpt,
    group,
    planned,
    reads,
    session,
    show,
    values_from,
    writes,
)

people_app = group("people", "People, identified by email address.")
companies_app = group("companies", "Companies, identified by domain.")

EmailArg = Annotated[str, typer.Argument(help="Email address (the person's unique key).")]
DomainArg = Annotated[str, typer.Argument(help="Domain or website URL (the company's key).")]


def _show(services: Services, record: Record, title: str, run: Run) -> None:
    """The record's values under ``title``."""
    show(title, decode_record(services.schema, record), run)


def _get(
    kind: Literal["person", "company"], key: str, options: ConnectionOptions, run: Run
) -> None:
    """Print the person or company (``kind``) whose unique key is ``key``; a not-found error
    that says how to create one if none has it."""
    with session(options, run) as client:
        services = Services(client)
        if kind == "person":
            record, what, group_ = services.people.find_by_email(key), "email address", "people"
        else:
            record, what, group_ = services.companies.find_by_domain(key), "domain", "companies"
        if record is None:
            raise CliError(
                f"no {kind} has the {what} {key!r}; "
                f"create one with: attio-bridge {group_} create {key}",
                ExitStatus.NOT_FOUND,
            )
        _show(services, record, kind, run)


@people_app.command("create")
@connected
@writes
def people_create(
    email: EmailArg,
    first_name: Annotated[str | None, typer.Option("--first-name")] = None,
    last_name: Annotated[str | None, typer.Option("--last-name")] = None,
    company_id: Annotated[
        str | None, typer.Option("--company-id", help="Link to this company record id.")
    ] = None,
    company: Annotated[
        str | None,
        typer.Option("--company", help="Link to the company with this domain (made if missing)."),
    ] = None,
    job_title: Annotated[str | None, typer.Option("--job-title")] = None,
    values: ValuesOpt = None,
    set_: SetOpt = None,
    *,
    options: ConnectionOptions,
    run: Run,
) -> None:
    """Create or update the person with EMAIL (asserted by email address)."""
    with session(options, run) as client:
        if company_id is not None and company is not None:
            raise CliError("give --company-id or --company, not both", ExitStatus.USAGE)
        services = Services(client)
        name = None
        if first_name is not None or last_name is not None:
            name = {"first_name": first_name or "", "last_name": last_name or ""}
        linked = company_id or company
        if company is not None:
            # A company that exists is linked by id, so it is not asserted again.
            found = services.companies.find_by_domain(company)
            linked = found.record_id if found is not None else company
        record = services.people.upsert(
            email,
            name=name,
            company=linked,
            job_title=job_title,
            **values_from(values, set_),
        )
        if planned(client, run):
            return
        _show(services, record, "person", run)


@people_app.command("get")
@connected
@reads
def people_get(
    email: EmailArg,
    *,
    options: ConnectionOptions,
    run: Run,
) -> None:
    """Print the values of the person with EMAIL."""
    _get("person", email, options, run)


@companies_app.command("create")
@connected
@writes
def companies_create(
    domain: DomainArg,
    name: Annotated[str | None, typer.Option("--name")] = None,
    values: ValuesOpt = None,
    set_: SetOpt = None,
    *,
    options: ConnectionOptions,
    run: Run,
) -> None:
    """Create or update the company with DOMAIN (asserted by domain)."""
    with session(options, run) as client:
        services = Services(client)
        record = services.companies.upsert(domain, name=name, **values_from(values, set_))
        if planned(client, run):
            return
        _show(services, record, "company", run)


@companies_app.command("get")
@connected
@reads
def companies_get(
    domain: DomainArg,
    *,
    options: ConnectionOptions,
    run: Run,
) -> None:
    """Print the values of the company with DOMAIN."""
    _get("company", domain, options, run)
