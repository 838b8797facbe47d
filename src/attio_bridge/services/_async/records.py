"""People, companies and deals: find, upsert, update, search, create, change stage; and the
records of any object (``AsyncRecords``): read, find by filter or by a unique value, update
(adding to or overwriting multiselect values), and resolve what a caller names (an Attio URL, a
record id, an email, a domain) to the record.

Values are plain Python, encoded and checked against the workspace schema before anything is
sent (``attio_bridge.values``): a bad value raises ``ValuesError`` naming the field and the fix,
and nothing is written. People and companies are upserted by their unique attribute (email,
domain), so running an upsert again updates the same record instead of making a duplicate.

Lookups (by id, email, domain) read through the context's record cache, and every write stores
the fresh record there or drops it (``AsyncContext.remember`` / ``forget``): a person linked to
a company by domain asserts the company once, not once per person.
"""

from __future__ import annotations

import builtins
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

from ...client import NOT_GIVEN, NotGiven
from ...client.models import Record
from ...values import Problem, ValuesError, domain_from, validate_values
from .._common import (
    CLOSE_DATE_SLUGS,
    PROBABILITY_SLUGS,
    CompanyRef,
    ServiceError,
    ServiceMissingError,
    company_ref,
    find_target,
    is_record_id,
    optional_attribute,
    raise_problems,
    record_id_of,
    unique_field,
)
from ..urls import AttioUrlKind, is_attio_url, object_of_segment, parse_url
from .context import AsyncContext


def _company_id(deal: Record) -> str | None:
    """The id of the company a deal is associated with, if any."""
    for value in deal.values.get("associated_company", []):
        target = value.get("target_record_id")
        if isinstance(target, str):
            return target
    return None


def _query_arguments(
    filter: Mapping[str, Any] | None, sorts: Sequence[Mapping[str, Any]] | None
) -> dict[str, Any]:
    """The ``filter`` and ``sorts`` of a query of records, as the client takes them (left out
    when not given)."""
    return {
        "filter": dict(filter) if filter is not None else NOT_GIVEN,
        "sorts": [dict(s) for s in sorts] if sorts else NOT_GIVEN,
    }


def _given(**values: Any) -> dict[str, Any]:
    """The values the caller gave (None and ``NOT_GIVEN`` mean "leave as it is")."""
    return {k: v for k, v in values.items() if v is not None and not isinstance(v, NotGiven)}


class AsyncCompanies:
    """Companies, identified by domain: ``upsert``, ``update``, ``get``, ``find``,
    ``find_by_domain``, ``domain``, ``search_by_name``, ``delete``."""

    def __init__(self, context: AsyncContext) -> None:
        self._ctx = context
        self.schema = context.schema

    async def upsert(self, domain: str, name: str | None = None, **values: Any) -> Record:
        """Create or update the company with ``domain`` (a domain or website URL: its host is
        used, without ``www.``), setting ``name`` and any other ``values`` by attribute slug.
        Asserted by ``domains``: the domain is added to the company's domains, never removed.
        A value given as None is left as it is."""
        data = {"domains": domain} | _given(name=name, **values)
        encoded = await self._ctx.encode("companies", data)
        record = await self._ctx.client.records.assert_record("companies", "domains", encoded)
        return await self._ctx.remember("companies", record)

    async def update(self, company: str | Record, **values: Any) -> Record:
        """Change ``values`` of a company given by record id, ``Record``, domain or URL
        (multiselect values are added to, as Attio's PATCH does)."""
        encoded = await self._ctx.encode("companies", values)
        company_id = await self._company_id(company)
        record = await self._ctx.client.records.update("companies", company_id, encoded)
        return await self._ctx.remember("companies", record)

    async def get(self, company: str | Record) -> Record:
        """The company given by record id, ``Record``, domain or URL (``ServiceError`` if no
        company has the domain), read through the cache."""
        return await self._ctx.read_record("companies", await self._company_id(company))

    async def delete(self, company: str | Record) -> Record:
        """Delete the company given by record id, ``Record``, domain or URL, drop it from the
        cache, and return the record as it was."""
        record = await self.get(company)
        await self._ctx.client.records.delete("companies", record.record_id)
        await self._ctx.forget("companies", record)
        return record

    async def find(self, company: str | Record) -> Record | None:
        """The company given by record id, ``Record``, domain or website URL, or None when no
        company has the domain (a record id or ``Record`` is read, so it must exist)."""
        ref = company_ref("company", company)
        if isinstance(ref, Problem):
            raise ValuesError("companies", [ref])
        if ref.record_id is not None:
            return await self._ctx.read_record("companies", ref.record_id)
        return await self.find_by_domain(ref.domain or "")

    async def domain(self, text: str) -> str:
        """``text`` (a domain or website URL) as Attio keeps a company's domain: its host,
        lower case, without ``www.``; ``ValuesError`` if it is none."""
        encoded = await self._ctx.encode("companies", {"domains": text})
        return str(encoded["domains"][0]["domain"])

    async def find_by_domain(self, domain: str) -> Record | None:
        """The company with this domain (or website URL's domain), or None."""
        encoded = await self._ctx.encode("companies", {"domains": domain})
        wanted = encoded["domains"][0]["domain"]
        return await self._ctx.find_unique("companies", "domains", "domain", wanted)

    async def search_by_name(self, name: str, *, page_size: int = 500) -> builtins.list[Record]:
        """Every company whose name contains ``name`` (ignoring case), all pages fetched."""
        found: builtins.list[Record] = []
        async for record in self._ctx.client.records.iter(
            "companies", filter={"name": {"$contains": name}}, page_size=page_size
        ):
            found.append(record)
        return found

    async def ensure(self, ref: CompanyRef) -> str:
        """The record id of the company ``ref`` names; a company given by domain is asserted by
        it, so it exists afterwards (its other values untouched), unless the cache knows its
        id already."""
        if ref.record_id is not None:
            return ref.record_id
        known = await self._ctx.cached_id("companies", "domains", ref.domain or "")
        if known is not None:
            return known
        record = await self._ctx.client.records.assert_record(
            "companies", "domains", {"domains": [{"domain": ref.domain}]}
        )
        await self._ctx.remember("companies", record)
        return record.record_id

    async def _company_id(self, company: str | Record) -> str:
        ref = company_ref("company", company)
        if isinstance(ref, Problem):
            raise ValuesError("companies", [ref])
        if ref.record_id is not None:
            return ref.record_id
        found = await self.find_by_domain(ref.domain or "")
        if found is None:
            raise ServiceMissingError(
                f"no company has the domain {ref.domain!r}; use companies.upsert() to create it"
            )
        return found.record_id


class AsyncPeople:
    """People, identified by email: ``find_by_email``, ``get``, ``upsert``, ``update`` and
    ``delete``."""

    def __init__(self, context: AsyncContext, companies: AsyncCompanies) -> None:
        self._ctx = context
        self.schema = context.schema
        self._companies = companies

    async def find_by_email(self, email: str) -> Record | None:
        """The person with this email address (normalised first), or None."""
        encoded = await self._ctx.encode("people", {"email_addresses": email})
        wanted = encoded["email_addresses"][0]["email_address"]
        return await self._ctx.find_unique("people", "email_addresses", "email_address", wanted)

    async def get(self, record_id: str) -> Record:
        """The person with this record id, read through the cache."""
        return await self._ctx.read_record("people", record_id)

    async def update(self, person: str | Record, **values: Any) -> Record:
        """Change ``values`` (by attribute slug, checked first: ``ValuesError``) of the person
        given by record id, ``Record`` or email address; multiselect values are added to, as
        Attio's PATCH does. ``ServiceMissingError`` if no person has the email address."""
        encoded = await self._ctx.encode("people", values)
        person_id = await self._person_id(person)
        record = await self._ctx.client.records.update("people", person_id, encoded)
        return await self._ctx.remember("people", record)

    async def delete(self, person: str | Record) -> Record:
        """Delete the person given by record id, ``Record`` or email address, drop them from
        the cache, and return the record as it was. ``ServiceMissingError`` if no person has
        the email address."""
        record = await self.get(await self._person_id(person))
        await self._ctx.client.records.delete("people", record.record_id)
        await self._ctx.forget("people", record)
        return record

    async def _person_id(self, person: str | Record) -> str:
        if isinstance(person, Record) or is_record_id(person):
            return record_id_of(person)
        found = await self.find_by_email(person)
        if found is None:
            raise ServiceMissingError(
                f"no person has the email address {person!r}; use people.upsert() to create them"
            )
        return found.record_id

    async def upsert(
        self,
        email: str,
        name: str | dict[str, str] | None = None,
        company: str | Record | None = None,
        phone: str | builtins.list[str] | None = None,
        job_title: str | None = None,
        **values: Any,
    ) -> Record:
        """Create or update the person with ``email``, asserted by ``email_addresses``.

        ``name`` is "First Last", "Last, First" or a dict of parts; ``phone`` one number or a
        list (E.164 or with the options' default region; they replace the person's numbers);
        ``company`` a company record id, ``Record``, domain or website URL: a company given by
        domain is created if missing and the person is linked to it (and so appears in its
        ``team``). Other ``values`` go by attribute slug; a value given as None is left as it
        is. Every value is checked before any
        write, so a bad one raises ``ValuesError`` and creates nothing, not even the company.
        """
        data = {"email_addresses": email} | _given(
            name=name, phone_numbers=phone, job_title=job_title, **values
        )
        ws = await self._ctx.workspace()
        problems = validate_values(ws, "people", data, options=self._ctx.options)
        ref = None
        if company is not None:
            ref = company_ref("company", company)
            if isinstance(ref, Problem):
                problems.append(ref)
        raise_problems("people", problems)
        if isinstance(ref, CompanyRef):
            company_id = await self._companies.ensure(ref)
            data["company"] = {"target_object": "companies", "target_record_id": company_id}
        encoded = await self._ctx.encode("people", data)
        record = await self._ctx.client.records.assert_record("people", "email_addresses", encoded)
        return await self._ctx.remember("people", record)


class AsyncDeals:
    """Deals: ``check``, ``create``, ``find`` and ``update_stage``. Deals have no unique
    attribute, so they are created, not upserted; ``find`` looks one up by name and company."""

    def __init__(self, context: AsyncContext, companies: AsyncCompanies) -> None:
        self._ctx = context
        self.schema = context.schema
        self._companies = companies

    async def check(
        self,
        name: str,
        value: Any = None,
        stage: str | None = None,
        close_date: date | datetime | str | None = None,
        *,
        owner: str | None = None,
        **values: Any,
    ) -> dict[str, Any]:
        """The values ``create`` would write, by attribute slug, checked as ``create`` checks
        them (``ValuesError`` listing every problem), without writing: a workflow that may find
        the deal already there still refuses bad input before its first write."""
        data, _ = await self._checked(name, value, stage, close_date, None, owner, values)
        return data

    async def find(self, name: str, *, company_id: str | None) -> Record | None:
        """The deal called ``name`` linked to the company ``company_id`` (or to no company when
        None): the deal a workflow run again should reuse rather than create twice."""
        async for deal in self._ctx.client.records.iter("deals", filter={"name": name}):
            if _company_id(deal) == company_id:
                return deal
        return None

    async def create(
        self,
        name: str,
        value: Any = None,
        stage: str | None = None,
        close_date: date | datetime | str | None = None,
        *,
        company: str | Record | None = None,
        owner: str | None = None,
        **values: Any,
    ) -> Record:
        """Create a deal: ``value`` in the deal currency, ``stage`` by title, ``close_date``
        (written to the workspace's close-date attribute, e.g. ``close_date``), ``company`` by
        record id, ``Record``, domain or URL (a domain is asserted as a company) and ``owner``
        by workspace member email. Required values missing, an unknown stage (the valid ones are
        listed) or a workspace without a close-date attribute raise ``ValuesError``."""
        data, ref = await self._checked(name, value, stage, close_date, company, owner, values)
        if isinstance(ref, CompanyRef):
            company_id = await self._companies.ensure(ref)
            data["associated_company"] = {
                "target_object": "companies",
                "target_record_id": company_id,
            }
        encoded = await self._ctx.encode("deals", data, create=True)
        record = await self._ctx.client.records.create("deals", encoded)
        return await self._ctx.remember("deals", record)

    async def _checked(
        self,
        name: str,
        value: Any,
        stage: str | None,
        close_date: date | datetime | str | None,
        company: str | Record | None,
        owner: str | None,
        values: dict[str, Any],
    ) -> tuple[dict[str, Any], CompanyRef | Problem | None]:
        ws = await self._ctx.workspace()
        deals = find_target(ws, "deals", "object")
        data = _given(name=name, value=value, stage=stage, **values)
        problems: builtins.list[Problem] = []
        unknown: builtins.list[Problem] = []
        if close_date is not None:
            slug = optional_attribute(
                deals, "close_date", close_date, CLOSE_DATE_SLUGS, ("date", "timestamp")
            )
            if isinstance(slug, Problem):
                problems.append(slug)
            else:
                data[slug] = close_date
        if owner is not None:
            if is_record_id(owner):
                data["owner"] = owner
            else:
                # A clear "who are the members" error beats Attio's rejection of the email.
                ids, unknown = await self._ctx.member_ids("owner", [owner])
                problems += unknown
                data["owner"] = ids[0] if ids else owner
        ref = None
        if company is not None:
            ref = company_ref("company", company)
            if isinstance(ref, Problem):
                problems.append(ref)
        checked = validate_values(ws, "deals", data, create=True, options=self._ctx.options)
        # An unknown owner is reported once, with the members, not again as a bad value.
        problems += [p for p in checked if not (p.field == "owner" and unknown)]
        raise_problems("deals", problems)
        return data, ref

    async def update_stage(
        self,
        deal: str | Record,
        stage: str,
        probability: Any = NOT_GIVEN,
    ) -> Record:
        """Move a deal to ``stage`` (by title; an unknown one raises ``ValuesError`` listing the
        valid stages) and, if given, set its ``probability``, which needs the workspace to have
        a probability attribute on deals (otherwise ``ValuesError`` says to add one)."""
        ws = await self._ctx.workspace()
        deals = find_target(ws, "deals", "object")
        data: dict[str, Any] = {"stage": stage}
        problems: builtins.list[Problem] = []
        if not isinstance(probability, NotGiven):
            slug = optional_attribute(
                deals, "probability", probability, PROBABILITY_SLUGS, ("number", "rating")
            )
            if isinstance(slug, Problem):
                problems.append(slug)
            else:
                data[slug] = probability
        problems += validate_values(ws, "deals", data, options=self._ctx.options)
        raise_problems("deals", problems)
        encoded = await self._ctx.encode("deals", data)
        record = await self._ctx.client.records.update("deals", record_id_of(deal), encoded)
        return await self._ctx.remember("deals", record)


class AsyncRecords:
    """Records of any object, named by slug or id: ``get``, ``query``, ``find``, ``find_by``,
    ``update``, ``resolve``, ``create_text_attribute``."""

    def __init__(
        self, context: AsyncContext, people: AsyncPeople, companies: AsyncCompanies
    ) -> None:
        self._ctx = context
        self.schema = context.schema
        self._people = people
        self._companies = companies

    async def _object(self, object: str) -> str:
        return find_target(await self._ctx.workspace(), object, "object").slug

    async def get(self, object: str, record_id: str, *, fresh: bool = False) -> Record:
        """The record ``record_id`` of ``object``, read through the cache, or with ``fresh``
        from Attio (then cached): for deciding what to write from its current values.
        ``NotFoundError`` (a ``MissingError``) if Attio has none."""
        slug = await self._object(object)
        if not fresh:
            return await self._ctx.read_record(slug, record_id)
        record = await self._ctx.client.records.get(slug, record_id)
        return await self._ctx.remember(slug, record, wrote=False)

    async def query(
        self,
        object: str,
        filter: Mapping[str, Any] | None = None,
        *,
        sorts: Sequence[Mapping[str, Any]] | None = None,
        limit: int = 25,
        offset: int = 0,
    ) -> builtins.list[Record]:
        """One page of the records of ``object`` matching ``filter`` (Attio's filter language;
        every record when None) in ``sorts`` order (``{"attribute": slug, "direction": "asc" |
        "desc"}``): ``limit`` records after the first ``offset``, from Attio (not kept in the
        cache). ``ServiceMissingError`` naming the objects if the workspace has no ``object``."""
        slug = await self._object(object)
        return await self._ctx.client.records.query(
            slug, **_query_arguments(filter, sorts), limit=limit, offset=offset
        )

    async def find(
        self,
        object: str,
        filter: Mapping[str, Any] | None = None,
        *,
        sorts: Sequence[Mapping[str, Any]] | None = None,
        page_size: int = 500,
    ) -> builtins.list[Record]:
        """Every record of ``object`` matching ``filter`` (Attio's filter language, e.g.
        ``{"stage": "Lead"}``; every record when None), in ``sorts`` order as ``query`` takes
        them, all pages fetched from Attio (a scan, not kept in the cache)."""
        slug = await self._object(object)
        found: builtins.list[Record] = []
        async for record in self._ctx.client.records.iter(
            slug, **_query_arguments(filter, sorts), page_size=page_size
        ):
            found.append(record)
        return found

    async def find_by(self, object: str, attribute: str, value: Any) -> Record | None:
        """The record of ``object`` whose unique ``attribute`` holds ``value`` (normalised as a
        write would be: an email's case, a website's domain), through the cache, else one
        query; None if no record has it. ``ServiceError`` if ``attribute`` is no unique
        attribute that can be looked up by value."""
        ws = await self._ctx.workspace()
        target = find_target(ws, object, "object")
        attr = target.attribute(attribute)
        field = unique_field(attr.type) if attr is not None and attr.is_unique else None
        if attr is None or field is None:
            unique = ", ".join(
                a.slug for a in target.unique_attributes() if unique_field(a.type) is not None
            )
            raise ServiceError(
                f"{target.slug} cannot be looked up by {attribute!r}: it is not one of their "
                f"unique attributes ({unique or 'none'})"
            )
        encoded = await self._ctx.encode(target.slug, {attr.slug: value})
        wanted = encoded[attr.slug][0][field]
        return await self._ctx.find_unique(target.slug, attr.slug, field, wanted)

    async def update(
        self,
        object: str,
        record: str | Record,
        values: Mapping[str, Any],
        *,
        overwrite: bool = False,
    ) -> Record:
        """Change ``values`` (plain Python by attribute slug, checked first: ``ValuesError``)
        of the record (id or ``Record``) of ``object``. Multiselect values are added to, as
        Attio's PATCH does, or with ``overwrite=True`` replace the record's (a PUT); values not
        given are left as they are either way."""
        slug = await self._object(object)
        encoded = await self._ctx.encode(slug, values)
        records = self._ctx.client.records
        write = records.overwrite if overwrite else records.update
        return await self._ctx.remember(slug, await write(slug, record_id_of(record), encoded))

    async def resolve(self, target: str, object: str | None = None) -> tuple[str, Record]:
        """The record ``target`` names and its object's slug: an Attio URL of a record (or of a
        note on one), a record id (``object`` names its object), a person's email address or
        a company's domain. ``ServiceMissingError`` (a ``MissingError``) when no record, object
        or person has it; ``ServiceError`` when ``target`` is none of these forms or
        ``object`` is given with an email or domain."""
        text = target.strip()
        if is_attio_url(text):
            slug, record_id = await self._from_url(text, object)
        elif is_record_id(text):
            if object is None:
                raise ServiceError(
                    f"{text} is a record id: give its object (people, companies, deals ...) with it"
                )
            slug, record_id = object, text
        elif object is not None:
            raise ServiceError(
                "an object goes with a record id or an Attio URL, not an email or a domain"
            )
        elif "@" in text:
            person = await self._people.find_by_email(text)
            if person is None:
                raise ServiceMissingError(
                    f"no person has the email {text}; add them first (people.upsert)"
                )
            return "people", person
        else:
            domain = domain_from(text)
            if domain is None:
                raise ServiceError(
                    f"{text!r} is none of: a company domain, a person's email, a record id "
                    "with its object, an Attio URL"
                )
            company = await self._companies.find_by_domain(domain)
            if company is None:
                raise ServiceMissingError(
                    f"no company has the domain {domain}; add it first (companies.upsert)"
                )
            return "companies", company
        slug = await self._object(slug)
        return slug, await self._ctx.read_record(slug, record_id)

    async def _from_url(self, text: str, object: str | None) -> tuple[str, str]:
        """(object slug, record id) of an Attio URL of a record or of a note on one."""
        parsed = parse_url(text)
        if parsed.kind not in (AttioUrlKind.RECORD, AttioUrlKind.NOTE) or not parsed.record_id:
            raise ServiceError(
                f"{text!r} is a {parsed.kind.value.replace('_', ' ')} URL, not a record's page"
            )
        if object is not None:
            return object, parsed.record_id
        ws = await self._ctx.workspace()
        slug = object_of_segment(ws.objects, parsed.object or "")
        if slug is None:
            known = ", ".join(sorted(ws.objects))
            raise ServiceMissingError(
                f"the URL's object {parsed.object!r} is none of the workspace's objects "
                f"({known}); give the object with it"
            )
        return slug, parsed.record_id

    async def create_text_attribute(
        self, object: str, slug: str, title: str, description: str
    ) -> None:
        """Create the single-value text attribute ``slug`` on ``object`` and drop the cached
        schema, so the next encode knows it."""
        body = {
            "title": title,
            "description": description,
            "api_slug": slug,
            "type": "text",
            "is_required": False,
            "is_unique": False,
            "is_multiselect": False,
            "config": {},
        }
        await self._ctx.client.attributes.create("objects", await self._object(object), body)
        self._ctx.schema.invalidate()
