"""Seed datasets: a hand-made ``sandbox`` workspace and a ``generated`` one of any size.

``apply_seed(ws, name, size)`` fills a workspace through its model methods (never HTTP), with
webhook listeners silenced: seeded records are where a workspace starts, not changes to announce.

- ``sandbox``: a small, believable workspace for newcomers (members, companies, most with an
  account owner, people, deals, a "Sales pipeline" list with entries, notes and tasks, and an
  empty custom object ``services`` that the sandbox's sync fills from Zoho's service offerings).
- ``generated``: ``size`` people, ``size // 10`` companies and ``size // 20`` deals from
  ``seed_data``, people and deals linked to companies. It uses a bulk path: the same validation,
  normalisation, uniqueness index and relationship sync as the API's writes, minus the events,
  with a memo in front of normalisation for values that recur (phone numbers, references,
  options) and a shortcut for plain ASCII email addresses (the one costly check per person).
"""

from __future__ import annotations

import gc
import re
import unicodedata
from collections.abc import Callable, Hashable, Iterable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

from . import seed_data
from .clock import format_ts, now_ts, parse_ts
from .errors import EmulatorError
from .models.activity import create_note, create_task
from .models.records import Holder
from .models.schema import Attribute, ListDef, ObjectDef
from .models.values import ValueContext, normalize, normalize_one
from .workspace import Workspace

DATASETS = ("sandbox", "generated")
DEFAULT_GENERATED_SIZE = 1000
SEED_ACTOR: dict[str, Any] = {"type": "system", "id": None}


def apply_seed(ws: Workspace, name: str, size: int = 0, *, seed: int = 0) -> None:
    """Fill ``ws`` with dataset ``name`` (``sandbox`` or ``generated``) without firing events.

    ``size`` is the number of people of ``generated`` (``DEFAULT_GENERATED_SIZE`` when 0 or
    less) and is ignored by ``sandbox``; ``seed`` picks the generated data.

    Raises:
        ValueError: ``name`` is not a dataset.
    """
    if name not in DATASETS:
        raise ValueError(f"unknown seed dataset {name!r}: use one of {', '.join(DATASETS)}")
    with _silenced(ws):
        if name == "sandbox":
            _sandbox(ws)
        else:
            with _no_gc():
                _generated(ws, size if size > 0 else DEFAULT_GENERATED_SIZE, seed)
                ws.warm_records_json()


@contextmanager
def _silenced(ws: Workspace) -> Iterator[None]:
    listeners = ws.listeners
    ws.listeners = []
    try:
        yield
    finally:
        ws.listeners = listeners


@contextmanager
def _no_gc() -> Iterator[None]:
    """No cyclic GC while a bulk load allocates millions of long-lived, acyclic objects.

    The collector would walk the growing heap again and again (about a quarter of the time of
    a large load) to free nothing.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        # What was loaded lives as long as the workspace: move it out of the collector's sight,
        # so later collections do not walk it again (long pauses on a large workspace).
        gc.freeze()
        if was_enabled:
            gc.enable()


# -- generated -------------------------------------------------------------------------------


def _generated(ws: Workspace, people: int, seed: int) -> None:
    companies_obj = ws.schema.get_object("companies")
    categories = companies_obj.find_attribute("categories")
    assert categories is not None
    # Attio never creates an option on write, so the generator's categories must exist first.
    for title in seed_data.COMPANY_CATEGORIES:
        if categories.find_option(title) is None:
            ws.schema.add_option(categories, title)
    normalizer = MemoNormalizer()
    domains: list[str] = []

    def company_values() -> Iterator[dict[str, Any]]:
        for values in seed_data.generate_companies(max(1, people // 10), seed):
            domains.append(values["domains"][0])
            yield values

    bulk_create(ws, companies_obj, company_values(), SEED_ACTOR, normalizer)
    bulk_create(
        ws,
        ws.schema.get_object("people"),
        seed_data.generate_people(people, seed, domains),
        SEED_ACTOR,
        normalizer,
    )
    owners = [m.email_address for m in ws.members.values()]

    def deal_values() -> Iterator[dict[str, Any]]:
        for i, values in enumerate(seed_data.generate_deals(people // 20, seed, domains)):
            # The generator leaves the required owner out: only the workspace knows its members.
            values["owner"] = owners[i % len(owners)]
            yield values

    bulk_create(ws, ws.schema.get_object("deals"), deal_values(), SEED_ACTOR, normalizer)


def _unchanged(holder: Holder, attr: Attribute) -> None:
    """Change hook of bulk writes: nobody hears of seeded records."""


def bulk_create(
    ws: Workspace,
    obj: ObjectDef,
    rows: Iterable[dict[str, Any]],
    actor: dict[str, Any],
    normalizer: Callable[[Attribute, Any, ValueContext], list[dict[str, Any]]] = normalize,
) -> list[str]:
    """Create one record per ``values`` dict without events; returns the new record ids.

    Each row is validated and stored exactly as ``Workspace.create_record`` would (unique
    conflicts raise), but no ``record.created`` or ``record.updated`` event is emitted.
    """
    store = ws.store
    ids: list[str] = []
    for values in rows:
        prepared = store.prepare(obj, values, creating=True, normalizer=normalizer)
        ids.append(store.create(obj, prepared, actor, _unchanged).id)
    return ids


# Values whose normalised form depends only on the attribute and the written value, and which a
# bulk load writes many times over. References resolve through the unique index, which a bulk
# load only ever adds to, so a resolved reference stays right for the whole load.
_MEMO_TYPES = frozenset({"phone-number", "record-reference", "select", "status", "actor-reference"})
# Email addresses email_validator certainly accepts unchanged: a dot-atom local part of lowercase
# letters and digits and a lowercase host name. Anything else takes the full check.
_PLAIN_EMAIL = re.compile(r"[a-z0-9]+(?:[._-][a-z0-9]+)*@[a-z0-9]+(?:[.-][a-z0-9]+)*\.[a-z]{2,}")


class MemoNormalizer:
    """``values.normalize`` with a memo for values that recur, for one bulk load.

    Everything it returns equals what ``normalize`` returns for the same arguments; only the
    work is shared. Plain email addresses are validated per domain, once.
    """

    def __init__(self) -> None:
        self._memo: dict[tuple[str, Hashable], list[dict[str, Any]]] = {}
        self._domains: dict[tuple[str, str], dict[str, Any]] = {}

    def __call__(self, attr: Attribute, raw: Any, ctx: ValueContext) -> list[dict[str, Any]]:
        """The normalised values of ``raw`` for ``attr``."""
        if attr.type == "email-address":
            fast = self._emails(attr, raw, ctx)
            return fast if fast is not None else normalize(attr, raw, ctx)
        key = _freeze(raw) if attr.type in _MEMO_TYPES else None
        if key is None:
            return normalize(attr, raw, ctx)
        memo_key = (attr.attribute_id, key)
        hit = self._memo.get(memo_key)
        if hit is None:
            hit = self._memo[memo_key] = normalize(attr, raw, ctx)
        return list(hit)

    def _emails(self, attr: Attribute, raw: Any, ctx: ValueContext) -> list[dict[str, Any]] | None:
        items = raw if isinstance(raw, list) else [raw]
        if not attr.is_multiselect and isinstance(raw, list):
            return None
        out: list[dict[str, Any]] = []
        seen: set[str] = set()
        for item in items:
            if not isinstance(item, str) or len(item) > 254 or not _PLAIN_EMAIL.fullmatch(item):
                return None
            local, _, host = item.partition("@")
            if len(local) > 64:
                return None
            probe = self._domains.get((attr.attribute_id, host))
            if probe is None:
                # The full check, once per domain; a refused domain takes the full path, whose
                # error names the address that was written.
                try:
                    probe = normalize_one(attr, f"probe@{host}", ctx)
                except EmulatorError:
                    return None
                self._domains[(attr.attribute_id, host)] = probe
            address = f"{local}@{probe['email_domain']}"
            if address in seen:
                continue
            seen.add(address)
            out.append(
                {
                    "original_email_address": item,
                    "email_address": address,
                    "email_domain": probe["email_domain"],
                    "email_root_domain": probe["email_root_domain"],
                    "email_local_specifier": local,
                    "attribute_type": "email-address",
                }
            )
        return out


def _freeze(raw: Any) -> Hashable | None:
    """A memo key for a written value: strings and lists of strings only."""
    if isinstance(raw, str):
        return ("one", raw)
    if isinstance(raw, list) and all(isinstance(v, str) for v in raw):
        return ("many", tuple(raw))
    return None


# -- sandbox ---------------------------------------------------------------------------------

_MEMBERS = (
    ("Grace", "Hopper", "grace@example.com", "admin"),
    ("Alan", "Turing", "alan@example.com", "member"),
    ("Katherine", "Johnson", "katherine@example.com", "member"),
)

# name, domain, categories, description. The domains' TLDs are ones seed_data never uses, so
# both datasets fit in one workspace without a uniqueness conflict.
_COMPANIES = (
    ("Northwind Logistics", "northwind-logistics.eu", ["B2B", "Logistics"],
     "Freight forwarding and warehousing for mid-sized retailers."),
    ("Cobalt Analytics", "cobaltanalytics.tech", ["SaaS", "Technology"],
     "Product analytics for mobile apps."),
    ("Harbor Health", "harborhealth.clinic", ["Healthcare", "B2C"],
     "A network of walk-in clinics with online booking."),
    ("Juniper Pay", "juniperpay.finance", ["Fintech", "B2B"],
     "Card issuing and expense management for startups."),
    ("Granite Works", "graniteworks.eu", ["Manufacturing", "Enterprise"],
     "Precision machining for the automotive industry."),
    ("Lumen Media", "lumenmedia.tv", ["Media"], "A studio for documentaries and podcasts."),
    ("Saffron Market", "saffronmarket.shop", ["E-commerce", "Marketplace", "Retail"],
     "An online marketplace for independent spice traders."),
    ("Orion Robotics", "orionrobotics.tech", ["Technology", "Enterprise"],
     "Warehouse picking robots sold as a service."),
)  # fmt: skip

# first, last, job title, company index (None: no company)
_PEOPLE = (
    ("Amara", "Okafor", "Head of Operations", 0),
    ("Lars", "Andersson", "Logistics Manager", 0),
    ("Priya", "Sharma", "CTO", 1),
    ("Mateo", "García", "Product Manager", 1),
    ("Yuki", "Tanaka", "Data Engineer", 1),
    ("Fatima", "Haddad", "Chief Medical Officer", 2),
    ("Oliver", "Bennett", "Procurement Lead", 2),
    ("Sofía", "Martínez", "CEO", 3),
    ("Kwame", "Mensah", "VP Finance", 3),
    ("Jürgen", "Müller", "Plant Manager", 4),
    ("Greta", "Schneider", "Purchasing Director", 4),
    ("Camille", "Dubois", "Executive Producer", 5),
    ("Ren", "Sato", "Head of Growth", 5),
    ("Aarav", "Patel", "Founder", 6),
    ("Lucía", "Rodríguez", "Marketplace Ops", 6),
    ("Min-jun", "Kim", "Head of Engineering", 7),
    ("Ingrid", "Halvorsen", "COO", 7),
    ("Eleni", "Georgiou", "Sales Engineer", 7),
    ("Noah", "Cohen", "Independent Consultant", None),
    ("Zanele", "Dlamini", "Angel Investor", None),
)

# name, stage, owner member index (0 is Ada), value, company index, people indexes
_DEALS = (
    ("Northwind – fleet tracking rollout", "Lead", 1, 18000, 0, [0]),
    ("Cobalt Analytics – annual plan", "In Progress", 2, 42000, 1, [2, 3]),
    ("Harbor Health – clinic pilot", "In Progress", 0, 9500, 2, [5]),
    ("Juniper Pay – enterprise upgrade", "Won 🎉", 1, 120000, 3, [7, 8]),
    ("Granite Works – plant expansion", "Lost", 3, 65000, 4, [9]),
    ("Orion Robotics – second site", "Lead", 2, 250000, 7, [15, 16]),
)

_PIPELINE_STAGES = ("Prospecting", "Qualified", "Proposal", "Negotiation", "Won 🎉", "Lost")
# company index, pipeline stage, estimated value
_PIPELINE = (
    (0, "Qualified", 18000),
    (1, "Negotiation", 42000),
    (2, "Proposal", 9500),
    (3, "Won 🎉", 120000),
    (4, "Lost", 65000),
    (6, "Prospecting", 5000),
    (7, "Qualified", 250000),
)


def _email(first: str, last: str, domain: str) -> str:
    """``first.last@domain`` in plain ASCII (``Jürgen Müller`` -> ``jurgen.muller``)."""

    def ascii_word(text: str) -> str:
        folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
        return folded.lower().replace(" ", "-")

    return f"{ascii_word(first)}.{ascii_word(last)}@{domain}"


def _sandbox(ws: Workspace) -> None:
    for first, last, email, level in _MEMBERS:
        if ws.find_member(email) is None:
            ws.add_member(first, last, email, level)
    members = list(ws.members.values())
    actor = {"type": "workspace-member", "id": members[0].member_id}
    schema = ws.schema
    companies, people, deals = (schema.get_object(s) for s in ("companies", "people", "deals"))

    _workflow_schema(ws, actor)
    _services_object(ws)
    company_ids: list[str] = []
    for i, (name, domain, categories, description) in enumerate(_COMPANIES):
        values: dict[str, Any] = {
            "name": name,
            "domains": [domain],
            "categories": categories,
            "description": description,
        }
        if i >= len(_COMPANIES) - 2:
            # Two companies waiting for the enrichment example.
            values["enrichment_status"] = "Pending"
        else:
            values["owner"] = members[i % len(members)].email_address
        company_ids.append(ws.create_record(companies, values, actor).id)

    person_ids: list[str] = []
    emails: list[str] = []
    for i, (first, last, title, company) in enumerate(_PEOPLE):
        domain = _COMPANIES[company][1] if company is not None else "example.org"
        email = _email(first, last, domain)
        values = {
            "name": {"first_name": first, "last_name": last, "full_name": f"{first} {last}"},
            "email_addresses": [email],
            "job_title": title,
            # Numbers from ranges reserved for fiction (see seed_data.PHONE_NUMBERS).
            "phone_numbers": [seed_data.PHONE_NUMBERS[i * 211 % len(seed_data.PHONE_NUMBERS)]],
        }
        if company is not None:
            values["company"] = {"target_object": "companies", "domains": [domain]}
        person_ids.append(ws.create_record(people, values, actor).id)
        emails.append(email)

    for name, stage, owner, amount, company, deal_people in _DEALS:
        values = {
            "name": name,
            "stage": stage,
            "owner": members[owner % len(members)].email_address,
            "value": amount,
            "associated_company": _COMPANIES[company][1],
            "associated_people": [emails[p] for p in deal_people],
        }
        ws.create_record(deals, values, actor)

    pipeline = _sales_pipeline(ws, actor)
    for company, stage, amount in _PIPELINE:
        ws.create_entry(
            pipeline,
            {
                "parent_record_id": company_ids[company],
                "parent_object": "companies",
                "entry_values": {"stage": stage, "estimated_value": amount},
            },
            actor,
        )
    _sandbox_activity(ws, company_ids, person_ids, actor)


# What the README's workflow examples use: (object, slug, title, type, options).
_WORKFLOW_ATTRIBUTES = (
    ("deals", "close_date", "Close date", "date", ()),
    ("deals", "probability", "Probability", "number", ()),
    ("companies", "lead_status", "Lead status", "select", ("Hot", "Warm", "Cold")),
    ("companies", "enrichment_status", "Enrichment status", "select",
     ("Pending", "Enriched", "Not found")),
    # Who a failed Braintree payment's task goes to (attio_bridge.sync.handlers).
    ("companies", "owner", "Account owner", "actor-reference", ()),
)  # fmt: skip
_DEAL_LISTS = (("Deal pipeline", "deal_pipeline"), ("Active deals", "active_deals"))


def _workflow_schema(ws: Workspace, actor: dict[str, Any]) -> None:
    """The attributes and lists the workflows (deal pipeline, qualification, stage automation,
    enrichment) work with, so that the sandbox runs their examples as they are."""
    schema = ws.schema
    for object_slug, slug, title, type_, options in _WORKFLOW_ATTRIBUTES:
        (attr,) = schema.create_attribute(
            schema.get_object(object_slug),
            {"api_slug": slug, "title": title, "type": type_, "description": None},
        )
        for option in options:
            schema.add_option(attr, option)
    for name, slug in _DEAL_LISTS:
        schema.create_list(name, slug, "deals", "full-access", [], actor)


# The custom object of Zoho's service offerings (docs/examples/zoho-services.toml; the sandbox's
# sync, attio_bridge/sync/sandbox_zoho.toml): (slug, title, type, unique, options).
_SERVICE_ATTRIBUTES = (
    ("service_name", "Service name", "text", False, ()),
    ("price", "Price", "number", False, ()),
    ("duration", "Duration (minutes)", "number", False, ()),
    ("status", "Status", "select", False, ("Active", "Draft")),
    ("description", "Description", "text", False, ()),
    ("zoho_id", "Zoho id", "text", True, ()),
)  # fmt: skip


def _services_object(ws: Workspace) -> None:
    """The custom object ``services`` (no records: the sandbox's sync brings Zoho's), unless
    the workspace has one already."""
    schema = ws.schema
    if schema.find_object("services") is not None:
        return
    services = schema.create_object("services", "Service", "Services")
    for slug, title, type_, unique, options in _SERVICE_ATTRIBUTES:
        (attr,) = schema.create_attribute(
            services,
            {"api_slug": slug, "title": title, "type": type_, "is_unique": unique},
        )
        for option in options:
            schema.add_option(attr, option)


def _sales_pipeline(ws: Workspace, actor: dict[str, Any]) -> ListDef:
    schema = ws.schema
    pipeline = schema.create_list(
        "Sales pipeline", "sales_pipeline", "companies", "full-access", [], actor
    )
    schema.create_attribute(
        pipeline,
        {
            "api_slug": "stage",
            "title": "Stage",
            "type": "status",
            "description": "Where the company is in the sales process.",
        },
    )
    stage = pipeline.find_attribute("stage")
    assert stage is not None
    for title in _PIPELINE_STAGES:
        schema.add_status(stage, {"title": title, "celebration_enabled": title.startswith("Won")})
    schema.create_attribute(
        pipeline,
        {
            "api_slug": "estimated_value",
            "title": "Estimated value",
            "type": "currency",
            "description": "Expected annual contract value.",
            "config": {"currency": {"default_currency_code": "USD", "display_type": "symbol"}},
        },
    )
    return pipeline


# parent object, index, title, markdown content
_NOTES = (
    ("companies", 1, "Discovery call",
     "## Discovery call\n\n- 40 engineers, moving off spreadsheets\n- **Budget** approved for Q3\n"
     "- Next: security review"),
    ("companies", 3, "Signed!", "Contract signed for the *enterprise* plan. Kick-off next week."),
    ("people", 7, "Intro", "Met Sofía at a fintech meetup; she wants a demo for her finance team."),
    ("companies", 4, "Lost to in-house build",
     "They chose to build it themselves. Check back in six months."),
)  # fmt: skip
# content, linked company index, assignee member index, days until due (None: no deadline), done
_TASKS = (
    ("Send the security questionnaire to Cobalt Analytics", 1, 1, 3, False),
    ("Book the Harbor Health pilot kick-off", 2, 2, 7, False),
    ("Share onboarding checklist with Juniper Pay", 3, 0, None, True),
)


def _sandbox_activity(
    ws: Workspace, company_ids: list[str], person_ids: list[str], actor: dict[str, Any]
) -> None:
    ids = {"companies": company_ids, "people": person_ids}
    for parent, index, title, content in _NOTES:
        note = {
            "parent_object": parent,
            "parent_record_id": ids[parent][index],
            "title": title,
            "format": "markdown",
            "content": content,
        }
        create_note(ws, note, actor)
    members = list(ws.members.values())
    # Deadlines from the clock, not datetime.now(): a persisted seed replays to the same ones.
    today = parse_ts(now_ts()).replace(hour=17, minute=0, second=0, microsecond=0)
    for content, company, assignee, days, done in _TASKS:
        deadline = None if days is None else format_ts(today + timedelta(days=days))
        task = {
            "content": content,
            "format": "plaintext",
            "deadline_at": deadline,
            "is_completed": done,
            "linked_records": [
                {"target_object": "companies", "target_record_id": company_ids[company]}
            ],
            "assignees": [
                {
                    "referenced_actor_type": "workspace-member",
                    "referenced_actor_id": members[assignee % len(members)].member_id,
                }
            ],
        }
        create_task(ws, task, actor)
