"""Enrichment without Attio I/O: providers (``EnrichmentProvider``, ``FileProvider``,
``load_provider``), the selection, the report, and the plan of one record (``Planner``): what
to write, keep, refuse and note. The run itself is ``_async/enrich.py``.

The enrichment workflow: ``enrich_records()`` takes the records of an object that need
enrichment (the entries of a list, the records whose status attribute says "Pending", or both),
asks a provider for data about each (by domain or email address), maps the data to the
workspace's attributes, writes what changes, notes the source and the fields set, and marks
the record enriched (or "Not found"). A dry run plans the same and writes nothing.

Providers sit behind a small interface, ``EnrichmentProvider``: a ``name`` (the source named in
notes) and ``lookup(target) -> mapping | None``. ``FileProvider`` is the built-in one, reading a
local CSV, JSON array or JSON Lines file keyed by a ``domain`` or ``email`` column. An HTTP
provider is any class with the same two members, e.g.::

    class Clearbit:
        name = "Clearbit"

        def __init__(self, http: httpx.Client) -> None:
            self.http = http

        def lookup(self, target: EnrichmentTarget) -> Mapping[str, Any] | None:
            for domain in target.domains:
                answer = self.http.get("/v2/companies/find", params={"domain": domain})
                if answer.status_code == 200:
                    return answer.json()  # {"description": ..., "linkedin": ...}
            return None

A package can offer its provider by name in the entry-point group
``attio_bridge.enrichment_providers`` (``clearbit = "mypkg.enrich:Clearbit"``);
``load_provider("clearbit", **options)`` finds it and calls it with the options.

A provider that raises fails that record only (its reason in the report); the others go on.

Rules that make a run safe to repeat:

- each provider value is validated through ``values`` on its own before anything is written:
  an invalid one is reported (``RecordResult.invalid``) and not sent, the others are written;
- only values that differ from the record's are sent, and a non-empty value is never replaced
  unless ``overwrite=True`` (then multiselect values are replaced too, through a PUT);
- the note is found-or-created (``_activity.ensure_note``) under a marker that hashes the
  values set, so a retry after a failure never adds it twice;
- per record the order is values, note, status: an interruption leaves the record "Pending"
  and the next run finishes it. Records are read before the first write, so marking them does
  not shift the pages of the status query being read.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from ...client import AttioError
from ...client.models import Record
from ...errors import InvalidInputError, MissingError
from ...values import (
    EncodeOptions,
    TargetSchema,
    WorkspaceSchema,
    decode_record,
    domain_from,
    encode_values,
    validate_values,
)
from ...values.encode import NAME_KEYS
from ...values.validate import unknown_attribute
from ..importing.files import iter_file_rows
from ..importing.mapping import guess_mapping

__all__ = [
    "ENRICHED",
    "FAILED",
    "KEYS",
    "NOT_FOUND",
    "UNCHANGED",
    "EnrichmentMissingError",
    "EnrichmentProvider",
    "EnrichmentReport",
    "EnrichmentTarget",
    "FileProvider",
    "Plan",
    "Planner",
    "ProviderError",
    "RecordResult",
    "Selection",
    "check_mapping",
    "load_provider",
    "status_slug",
    "target_of",
]

# Outcomes of one record.
ENRICHED = "enriched"
NOT_FOUND = "not_found"
UNCHANGED = "unchanged"
FAILED = "failed"
OUTCOMES = (ENRICHED, NOT_FOUND, UNCHANGED, FAILED)
# What a provider looks records up by, and the columns a file may hold it in (first found).
KEYS: dict[str, tuple[str, ...]] = {
    "domain": ("domain", "domains", "website", "company_domain", "url"),
    "email": ("email", "email_address", "email_addresses", "work_email"),
}
ENTRY_POINT_GROUP = "attio_bridge.enrichment_providers"
_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!~=|>])")


class EnrichmentMissingError(MissingError, KeyError):
    """What enrichment was told to use does not exist: a provider, an object, a list, an
    attribute. Also a ``KeyError``, which callers written before the error tree catch."""


class ProviderError(InvalidInputError, TypeError):
    """A provider that cannot be made from the options given, or that is no provider (a
    ``name`` and a ``lookup`` method). Also a ``TypeError``, as it was before the error tree."""


def _empty(value: Any) -> bool:
    if isinstance(value, Mapping):
        return all(_empty(v) for v in value.values())
    return value in (None, "", [], ())


def normalise_key(key: str, value: Any) -> str | None:
    """``value`` as ``key`` ("domain" or "email") compares: a bare lower-case domain, or a
    lower-case email address; None when it is neither."""
    if not isinstance(value, str) or not value.strip():
        return None
    if key == "domain":
        return domain_from(value)
    text = value.strip().casefold()
    return text if "@" in text else None


# -- providers -----------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class EnrichmentTarget:
    """A record to enrich, as a provider sees it: its object, id and decoded values."""

    object: str
    record_id: str
    values: Mapping[str, Any]

    @property
    def emails(self) -> tuple[str, ...]:
        """The record's email addresses (people)."""
        found = self.values.get("email_addresses")
        items = found if isinstance(found, list) else [found]
        return tuple(e for e in (normalise_key("email", i) for i in items) if e)

    @property
    def domains(self) -> tuple[str, ...]:
        """The record's domains (companies), else the domains of its email addresses."""
        found = self.values.get("domains")
        items = found if isinstance(found, list) else [found]
        domains = [d for d in (normalise_key("domain", i) for i in items) if d]
        if not domains:
            domains = [d for e in self.emails if (d := domain_from(e.rsplit("@", 1)[1]))]
        return tuple(dict.fromkeys(domains))

    def keys(self, key: str) -> tuple[str, ...]:
        """The values a provider keyed by ``key`` ("domain" or "email") may know it by."""
        return self.domains if key == "domain" else self.emails


@runtime_checkable
class EnrichmentProvider(Protocol):
    """Where enrichment data comes from. ``name`` is the source written in notes;
    ``lookup`` returns the data known about the record (``{field: value}``, fields mapped to
    attributes by ``enrich_records``) or None when the provider knows nothing of it."""

    name: str

    def lookup(self, target: EnrichmentTarget) -> Mapping[str, Any] | None:
        """The data about ``target``, or None."""
        ...


class FileProvider:
    """Enrichment data from a local file: CSV (``,`` ``;`` or tab, UTF-8 or Latin-1), JSON
    Lines, or a JSON array of objects, one row per company or person, found by its ``key``
    column ("domain": a domain or website; "email": an email address). ``column`` names the
    key column; by default the first of ``KEYS[key]`` the file has (ignoring case). The rows
    are read once and held by key (a lookup table, not a stream); the first row of a key wins.
    ``lookup`` returns the row without its key column."""

    def __init__(
        self,
        path: str | Path,
        *,
        key: str = "domain",
        column: str | None = None,
        name: str | None = None,
    ) -> None:
        path = Path(path)
        if key not in KEYS:
            raise InvalidInputError(f"unknown key {key!r}: use {' or '.join(KEYS)}")
        self.path = path
        self.key = key
        self.name = name or path.name
        self._rows: dict[str, dict[str, Any]] = {}
        columns: dict[str, None] = {}
        rows = list(iter_file_rows(path))
        for row in rows:
            columns.update(dict.fromkeys(row))
        wanted = (column,) if column else KEYS[key]
        folded = {c.casefold(): c for c in reversed(columns)}
        found = next((folded[w.casefold()] for w in wanted if w.casefold() in folded), None)
        if found is None:
            raise InvalidInputError(
                f"{path} has no {' or '.join(wanted)} column to find records by their {key}; "
                f"its columns are: {', '.join(columns) or '(none)'}"
            )
        self.column = found
        for row in rows:
            value = normalise_key(key, row.get(found))
            if value is not None:
                self._rows.setdefault(value, {c: v for c, v in row.items() if c != found})

    def __len__(self) -> int:
        return len(self._rows)

    def lookup(self, target: EnrichmentTarget) -> Mapping[str, Any] | None:
        """The row of the first of the record's domains (or emails) the file holds."""
        for value in target.keys(self.key):
            row = self._rows.get(value)
            if row is not None:
                return dict(row)
        return None


def load_provider(name: str, **options: Any) -> EnrichmentProvider:
    """The provider called ``name``, made by calling what it names with ``options``.

    ``name`` is one an installed package registers in the entry-point group
    ``attio_bridge.enrichment_providers``, or a class or factory of your own as
    ``"module:attribute"`` (the module importable from ``sys.path``, e.g. a file beside the
    script). ``EnrichmentMissingError`` naming the installed ones when no entry point has that
    name, or naming what is missing when the module or attribute cannot be found;
    ``ProviderError`` when the options do not fit, making the provider fails, or what it makes
    has no ``name`` and ``lookup``."""
    if ":" in name:
        module_name, _, attribute = name.partition(":")
        try:
            factory = getattr(importlib.import_module(module_name), attribute)
        except ModuleNotFoundError as exc:
            raise EnrichmentMissingError(
                f"provider {name!r}: no module {exc.name!r} to import"
            ) from None
        except AttributeError:
            raise EnrichmentMissingError(
                f"provider {name!r}: module {module_name!r} has no {attribute!r}"
            ) from None
        where = name
    else:
        group = entry_points(group=ENTRY_POINT_GROUP)
        found = [ep for ep in group if ep.name == name]
        if not found:
            installed = ", ".join(sorted(ep.name for ep in group)) or "none"
            raise EnrichmentMissingError(
                f"no enrichment provider {name!r} is installed (installed: {installed}); "
                "name one, or give your own as module:Class"
            )
        factory, where = found[0].load(), found[0].value
    try:
        provider = factory(**options)
    except TypeError as exc:
        given = ", ".join(sorted(options)) or "none"
        raise ProviderError(
            f"provider {where} does not take the options given ({given}): {exc}"
        ) from None
    except Exception as exc:  # the provider is the caller's code: its failure is its own
        raise ProviderError(
            f"provider {where} could not be made: {type(exc).__name__}: {exc}"
        ) from exc
    if not isinstance(provider, EnrichmentProvider):
        raise ProviderError(f"{where} did not make a provider (a name and a lookup method)")
    return provider


# -- selection and report ------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Selection:
    """Which records need enrichment and how they are marked.

    ``list``: the records with an entry in this list (slug or id). ``status_attribute``: a
    status or select attribute of the object; the records whose value is ``pending`` are
    selected (with ``list`` too: the list's records that are pending), and each record is set
    to ``done`` when the provider had data, or ``not_found`` when it had none (None: left
    pending, to be tried again). Give ``list``, ``status_attribute`` or both."""

    list: str | None = None
    status_attribute: str | None = None
    pending: str = "Pending"
    done: str = "Enriched"
    not_found: str | None = "Not found"


@dataclass(slots=True)
class RecordResult:
    """What enrichment did to one record (or would, in a dry run).

    ``outcome``: "enriched" (values set), "unchanged" (the provider's data changes nothing),
    "not_found" (the provider has nothing) or "failed" (``reason`` says why). ``changes``:
    the values set, by attribute slug, as the provider gave them; ``kept``: attributes left as
    they were because they hold a value (see ``overwrite``); ``invalid``: provider values not
    sent, with why; ``ignored``: provider fields mapped to no attribute; ``status``: the
    status set; ``note``: whether a note was added."""

    record_id: str
    keys: list[str]
    outcome: str = UNCHANGED
    changes: dict[str, Any] = field(default_factory=dict)
    kept: list[str] = field(default_factory=list)
    invalid: list[str] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)
    status: str | None = None
    note: bool = False
    reason: str | None = None


@dataclass(slots=True)
class EnrichmentReport:
    """Every record selected and what happened to it."""

    object: str
    provider: str
    dry_run: bool
    results: list[RecordResult] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        """How many records had each outcome."""
        return {o: sum(r.outcome == o for r in self.results) for o in OUTCOMES}

    @property
    def invalid(self) -> int:
        """How many records had provider values that were not sent."""
        return sum(bool(r.invalid) for r in self.results)

    def to_dict(self) -> dict[str, Any]:
        """The report as JSON-ready data."""
        return {
            "object": self.object,
            "provider": self.provider,
            "dry_run": self.dry_run,
            "counts": self.counts(),
            "records": [asdict(r) for r in self.results],
        }


# -- the workflow --------------------------------------------------------------------------------
def status_slug(target: TargetSchema, selection: Selection) -> str | None:
    """The slug of the selection's status attribute (None without one); ``EnrichmentMissingError``
    for an unknown one, ``InvalidInputError`` for one that is no single status or select."""
    slug = selection.status_attribute
    if slug is None:
        return None
    attr = target.attribute(slug)
    if attr is None or attr.is_archived:
        live = [a.slug for a in target.attributes.values() if not a.is_archived]
        problem = unknown_attribute(slug, None, target.slug, live)
        raise EnrichmentMissingError(f"{problem.message}. {problem.fix}")
    if attr.type not in ("status", "select") or attr.is_multiselect or not attr.is_writable:
        raise InvalidInputError(
            f"{target.slug}.{attr.slug} is a {attr.type} attribute; the enrichment status must "
            "be a writable single status or select attribute"
        )
    return attr.slug


def check_mapping(target: TargetSchema, mapping: Mapping[str, str]) -> None:
    """Raise ``EnrichmentMissingError`` naming every slug of ``mapping`` that no writable
    attribute has."""
    has_name = any(a.type == "personal-name" for a in target.attributes.values())
    bad = [
        slug
        for slug in mapping.values()
        if not (has_name and slug in NAME_KEYS)
        and ((a := target.attribute(slug)) is None or a.is_archived or not a.is_writable)
    ]
    if bad:
        live = sorted(
            a.slug for a in target.attributes.values() if a.is_writable and not a.is_archived
        )
        raise EnrichmentMissingError(
            f"the mapping names {', '.join(map(repr, bad))}, which {target.slug} have no "
            f"writable attribute of; use one of: {', '.join(live)}"
        )


def _groups(data: Mapping[str, Any], target: TargetSchema) -> list[dict[str, Any]]:
    """``data`` split into what is validated and written together: one group per attribute,
    and the parts of a personal name (``first_name``, ``last_name``...) in one."""
    name: dict[str, Any] = {}
    groups: list[dict[str, Any]] = []
    for slug, value in data.items():
        if slug in NAME_KEYS and target.attribute(slug) is None:
            name[slug] = value
        else:
            groups.append({slug: value})
    return [*groups, name] if name else groups


def _current(row: Mapping[str, Any], target: TargetSchema, slug: str) -> Any:
    """The record's decoded value of ``slug`` in the shape ``encode_values`` takes."""
    attr = target.attribute(slug)
    if attr is not None and attr.type == "personal-name":
        prefix = "" if slug == "name" else f"{slug}_"
        return {k: row.get(prefix + k) for k in NAME_KEYS}
    return row.get(slug)


def _same(a: Any, b: Any) -> bool:
    """Whether two encoded values say the same (multiselect order ignored)."""

    def canon(v: Any) -> Any:
        items = v if isinstance(v, list) else [v]
        return sorted(json.dumps(i, sort_keys=True, default=str) for i in items)

    return bool(canon(a) == canon(b))


def _escape(value: Any) -> str:
    shown = ", ".join(map(str, value)) if isinstance(value, list) else str(value)
    return _MARKDOWN.sub(r"\\\1", shown)


def target_of(schema: WorkspaceSchema, object: str, kind: str = "object") -> TargetSchema:
    """The object (or list, ``kind``) called ``object``; ``EnrichmentMissingError`` naming the
    known ones."""
    try:
        return schema.target(object, kind)
    except KeyError as exc:
        raise EnrichmentMissingError(str(exc.args[0])) from None


@dataclass(slots=True)
class Plan:
    """What to do to one record: its ``result`` (as reported), the values to write as given
    (``values``, by attribute slug) and as encoded (``encoded``, which the note's marker
    hashes)."""

    result: RecordResult
    values: dict[str, Any] = field(default_factory=dict)
    encoded: dict[str, Any] = field(default_factory=dict)


class Planner:
    """The rules of one run (schema, options, provider, selection, mapping), applied record by
    record without I/O: ``target`` is what the provider is asked about, ``plan`` what its
    answer means."""

    def __init__(
        self,
        schema: WorkspaceSchema,
        options: EncodeOptions,
        target: TargetSchema,
        provider: EnrichmentProvider,
        selection: Selection,
        status: str | None,
        mapping: Mapping[str, str] | None,
        overwrite: bool,
    ) -> None:
        self.schema = schema
        self.options = options
        self.target = target
        self.provider = provider
        self.selection = selection
        self.status = status
        self.mapping = mapping
        self.overwrite = overwrite
        self.key = getattr(provider, "key", None)
        # Never written from provider data: the status this run sets, and (when guessing) the
        # unique attributes, which identify the record rather than describe it.
        self.reserved = {status} if status else set()
        if mapping is None:
            self.reserved |= {a.slug for a in target.unique_attributes()}

    def _map(self, data: Mapping[str, Any]) -> tuple[dict[str, Any], list[str]]:
        """Provider data as ``{attribute slug: value}`` and the fields mapped to nothing."""
        fields = [f for f, v in data.items() if not _empty(v)]
        if self.mapping is None:
            mapping, ignored = guess_mapping(self.target, fields)
        else:
            mapping = {f: s for f, s in self.mapping.items() if f in fields}
            ignored = [f for f in fields if f not in mapping]
        chosen: dict[str, Any] = {}
        for f, slug in mapping.items():
            if slug in self.reserved:
                ignored.append(f)
                continue
            value = data[f]
            attr = self.target.attribute(slug)
            if attr is not None and attr.is_multiselect and isinstance(value, str):
                # As in a CSV import: one cell holds several values separated by ";".
                value = [p.strip() for p in value.split(";") if p.strip()]
            chosen[slug] = value
        return chosen, ignored

    def enrichment_target(self, record: Record) -> EnrichmentTarget:
        """The record as the provider sees it."""
        row = decode_record(self.schema, record)
        return EnrichmentTarget(self.target.slug, record.record_id, row)

    def failed(self, target: EnrichmentTarget, exc: Exception) -> Plan:
        """The plan of a record whose lookup raised: reported, nothing written."""
        result = RecordResult(target.record_id, list(self._keys(target)))
        result.outcome, result.reason = FAILED, f"{self.provider.name}: {exc}"
        return Plan(result)

    def _keys(self, target: EnrichmentTarget) -> tuple[str, ...]:
        if self.key in KEYS:
            return target.keys(self.key)
        return target.domains + target.emails

    def plan(self, target: EnrichmentTarget, data: Mapping[str, Any] | None) -> Plan:
        """What the provider's ``data`` about ``target`` means: the values to write (each
        validated on its own; only those that change, and a value held kept unless
        ``overwrite``) and the status to set."""
        row = target.values
        result = RecordResult(target.record_id, list(self._keys(target)))
        plan = Plan(result)
        if not data:
            result.outcome = NOT_FOUND
            result.status = self._status_change(row, self.selection.not_found)
            return plan
        chosen, result.ignored = self._map(data)
        for group in _groups(chosen, self.target):
            problems = validate_values(self.schema, self.target.slug, group, options=self.options)
            if problems:
                result.invalid += [str(p) for p in problems]
                continue
            encoded = encode_values(self.schema, self.target.slug, group, options=self.options)
            for slug, value in encoded.items():
                current = _current(row, self.target, slug)
                try:
                    now = encode_values(
                        self.schema, self.target.slug, {slug: current}, ignore_read_only=True
                    ).get(slug)
                except AttioError:
                    now = None  # a value the codecs cannot write back: never equal
                if now is not None and _same(value, now):
                    continue
                if not _empty(current) and not self.overwrite:
                    result.kept.append(slug)
                    continue
                plan.encoded[slug] = value
                plan.values.update(group)
                result.changes[slug] = next(iter(group.values())) if len(group) == 1 else group
        result.outcome = ENRICHED if plan.encoded else UNCHANGED
        result.status = self._status_change(row, self.selection.done)
        return plan

    def _status_change(self, row: Mapping[str, Any], title: str | None) -> str | None:
        """``title`` if the record's status is to be set to it (it holds another)."""
        if self.status is None or title is None:
            return None
        attr = self.target.attribute(self.status)
        wanted = attr.find_choice(title) if attr is not None else None
        canonical = wanted.title if wanted is not None else title
        return None if row.get(self.status) == canonical else canonical

    def note(self, result: RecordResult, changes: Mapping[str, Any]) -> tuple[str, str, str]:
        """The note's title, Markdown body and marker for the values set."""
        digest = hashlib.sha256(
            json.dumps(changes, sort_keys=True, default=str).encode()
        ).hexdigest()[:12]
        fields = ", ".join(result.changes)
        lines = [
            f"Source: {_escape(self.provider.name)}",
            f"Fields set: {_escape(fields)}",
            "",
            *(f"- {_escape(slug)}: {_escape(v)}" for slug, v in result.changes.items()),
            "",
            f"Enrichment {digest}",
        ]
        return (
            f"Enriched from {self.provider.name}",
            "\n".join(lines) + "\n",
            f"Enrichment {digest}",
        )
