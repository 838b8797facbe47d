"""The workspace schema: objects, lists, their attributes, select options and statuses.

``load_schema`` (sync) and ``load_schema_async`` fetch the schema through the client; both run
one fetch plan (``_fetch_plan``, a generator that yields the client calls it needs and receives
their answers) and assemble the result with one pure builder (``build_schema``), so the sync and
async paths differ only in how a call is awaited. ``SchemaCache`` and ``AsyncSchemaCache`` keep a
loaded schema for a TTL (30 minutes by default) with an injectable clock.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Generator, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..client import AsyncAttioClient, AttioClient
from ..client.models import AttioList, AttioObject, Attribute, SelectOption, Status
from ..errors import MissingError

DEFAULT_TTL = 30 * 60.0


class UnknownTargetError(MissingError, KeyError):
    """No object or list of this slug or id in the workspace (``WorkspaceSchema.target``).

    Catch it as ``MissingError``. It is also a ``KeyError`` because ``target`` raised one
    before the error tree, and callers outside ``values`` still catch that (``cli/transfer.py``,
    ``cli/enrich.py``); drop the base once they catch ``MissingError``.
    """


@dataclass(frozen=True, slots=True)
class Choice:
    """A select option or a status: its id, exact title and whether it is archived."""

    id: str
    title: str
    is_archived: bool = False


@dataclass(frozen=True, slots=True)
class AttributeInfo:
    """What encoding, validation and decoding need to know about one attribute."""

    id: str
    slug: str
    title: str
    type: str
    is_unique: bool = False
    is_required: bool = False
    is_multiselect: bool = False
    is_writable: bool = True
    is_system: bool = False
    is_archived: bool = False
    has_default: bool = False
    # The slug of the attribute on the other side of a relationship, if this is one.
    relationship: str | None = None
    # Slugs of the objects a record-reference may point at.
    allowed_targets: tuple[str, ...] = ()
    currency_code: str | None = None
    options: tuple[Choice, ...] = ()
    statuses: tuple[Choice, ...] = ()

    def choices(self) -> tuple[Choice, ...]:
        """The statuses of a status attribute, otherwise the select options."""
        return self.statuses if self.type == "status" else self.options

    def find_choice(self, title_or_id: str) -> Choice | None:
        """The live option or status whose id is ``title_or_id``, or whose title matches it
        ignoring case (an exact match wins over a case-insensitive one)."""
        live = [c for c in self.choices() if not c.is_archived]
        for c in live:
            if title_or_id in (c.id, c.title):
                return c
        folded = title_or_id.strip().casefold()
        for c in live:
            if c.title.casefold() == folded:
                return c
        return None


@dataclass(frozen=True, slots=True)
class TargetSchema:
    """An object or a list (``kind``) and its attributes, looked up by slug or id."""

    kind: str  # "object" | "list"
    id: str
    slug: str
    name: str
    attributes: Mapping[str, AttributeInfo]  # by slug
    # For a list, the slug of the object its entries belong to.
    parent_object: str | None = None
    _by_id: dict[str, AttributeInfo] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._by_id.update({a.id: a for a in self.attributes.values()})

    def attribute(self, slug_or_id: str) -> AttributeInfo | None:
        """An attribute by slug or id, or None."""
        return self.attributes.get(slug_or_id) or self._by_id.get(slug_or_id)

    def unique_attributes(self) -> list[AttributeInfo]:
        """The live unique attributes, in schema order."""
        return [a for a in self.attributes.values() if a.is_unique and not a.is_archived]


@dataclass(frozen=True, slots=True)
class WorkspaceSchema:
    """Every object and list of a workspace, looked up by slug or id."""

    objects: Mapping[str, TargetSchema]  # by slug
    lists: Mapping[str, TargetSchema]  # by slug

    def object(self, slug_or_id: str) -> TargetSchema | None:
        """An object by slug or id, or None."""
        return _find(self.objects, slug_or_id)

    def list(self, slug_or_id: str) -> TargetSchema | None:
        """A list by slug or id, or None."""
        return _find(self.lists, slug_or_id)

    def target(self, slug_or_id: str, kind: str | None = None) -> TargetSchema:
        """The object (first) or list named ``slug_or_id``; ``kind`` ("object" or "list")
        restricts the search. Raises ``UnknownTargetError`` (a ``MissingError``) naming the known
        slugs when there is none."""
        found = None
        if kind in (None, "object"):
            found = self.object(slug_or_id)
        if found is None and kind in (None, "list"):
            found = self.list(slug_or_id)
        if found is None:
            known = sorted({*self.objects, *self.lists} if kind is None else self._of(kind))
            raise UnknownTargetError(
                f"no {kind or 'object or list'} {slug_or_id!r}; known: {known}"
            )
        return found

    def _of(self, kind: str) -> Iterable[str]:
        return self.objects if kind == "object" else self.lists


def _find(targets: Mapping[str, TargetSchema], slug_or_id: str) -> TargetSchema | None:
    found = targets.get(slug_or_id)
    if found is not None:
        return found
    return next((t for t in targets.values() if t.id == slug_or_id), None)


# -- building ------------------------------------------------------------------------------------
@dataclass(slots=True)
class RawSchema:
    """The client's answers that make up a schema, keyed by object, list or attribute id."""

    objects: list[AttioObject] = field(default_factory=list)
    lists: list[AttioList] = field(default_factory=list)
    attributes: dict[str, list[Attribute]] = field(default_factory=dict)
    options: dict[str, list[SelectOption]] = field(default_factory=dict)
    statuses: dict[str, list[Status]] = field(default_factory=dict)


def build_schema(raw: RawSchema) -> WorkspaceSchema:
    """Assemble a ``WorkspaceSchema`` from the client's answers (pure: no I/O)."""
    slug_of = {o.id.object_id: o.api_slug or o.id.object_id for o in raw.objects}

    def attrs(parent_id: str) -> dict[str, AttributeInfo]:
        return {a.api_slug: _attribute(a, raw, slug_of) for a in raw.attributes.get(parent_id, [])}

    objects = {
        slug_of[o.id.object_id]: TargetSchema(
            kind="object",
            id=o.id.object_id,
            slug=slug_of[o.id.object_id],
            name=o.plural_noun or slug_of[o.id.object_id],
            attributes=attrs(o.id.object_id),
        )
        for o in raw.objects
    }
    lists = {
        lst.api_slug: TargetSchema(
            kind="list",
            id=lst.id.list_id,
            slug=lst.api_slug,
            name=lst.name,
            attributes=attrs(lst.id.list_id),
            parent_object=slug_of.get(lst.parent_object[0], lst.parent_object[0])
            if lst.parent_object
            else None,
        )
        for lst in raw.lists
    }
    return WorkspaceSchema(objects=objects, lists=lists)


def _attribute(a: Attribute, raw: RawSchema, slug_of: Mapping[str, str]) -> AttributeInfo:
    aid = a.id.attribute_id
    config = a.config or {}
    ref = config.get("record_reference") or {}
    cur = config.get("currency") or {}
    rel = a.relationship or {}
    allowed = ref.get("allowed_object_ids") or ref.get("allowed_objects") or []
    return AttributeInfo(
        id=aid,
        slug=a.api_slug,
        title=a.title,
        type=a.type,
        is_unique=a.is_unique,
        is_required=a.is_required,
        is_multiselect=a.is_multiselect,
        is_writable=a.is_writable,
        is_system=a.is_system_attribute,
        is_archived=a.is_archived,
        has_default=a.is_default_value_enabled or a.default_value is not None,
        relationship=rel.get("api_slug"),
        allowed_targets=tuple(slug_of.get(i, i) for i in allowed),
        currency_code=cur.get("default_currency_code") if a.type == "currency" else None,
        options=tuple(
            Choice(o.id.get("option_id", ""), o.title, o.is_archived)
            for o in raw.options.get(aid, [])
        ),
        statuses=tuple(
            Choice(s.id.get("status_id", ""), s.title, s.is_archived)
            for s in raw.statuses.get(aid, [])
        ),
    )


# -- fetching ------------------------------------------------------------------------------------
# One client call: (resource, method, positional arguments).
_Call = tuple[str, str, tuple[Any, ...]]


def _fetch_plan() -> Generator[_Call, Any, WorkspaceSchema]:
    """The calls that load a schema, in order; each answer is sent back into the generator."""
    raw = RawSchema()
    raw.objects = yield ("objects", "list", ())
    raw.lists = yield ("lists", "list", ())
    parents = [("objects", o.id.object_id) for o in raw.objects]
    parents += [("lists", lst.id.list_id) for lst in raw.lists]
    for target, parent_id in parents:
        attributes: list[Attribute] = yield ("attributes", "list", (target, parent_id))
        raw.attributes[parent_id] = attributes
        for a in attributes:
            if a.type == "select":
                call = ("attributes", "list_options", (target, parent_id, a.id.attribute_id))
                raw.options[a.id.attribute_id] = yield call
            elif a.type == "status":
                call = ("attributes", "list_statuses", (target, parent_id, a.id.attribute_id))
                raw.statuses[a.id.attribute_id] = yield call
    return build_schema(raw)


def load_schema(client: AttioClient) -> WorkspaceSchema:
    """Fetch the workspace's schema through ``client`` (one call per object, list and
    select or status attribute, plus two)."""
    plan = _fetch_plan()
    answer: Any = None
    try:
        while True:
            resource, method, args = plan.send(answer)
            answer = getattr(getattr(client, resource), method)(*args)
    except StopIteration as done:
        schema: WorkspaceSchema = done.value
        return schema


async def load_schema_async(client: AsyncAttioClient) -> WorkspaceSchema:
    """``load_schema`` for ``AsyncAttioClient``."""
    plan = _fetch_plan()
    answer: Any = None
    try:
        while True:
            resource, method, args = plan.send(answer)
            answer = await getattr(getattr(client, resource), method)(*args)
    except StopIteration as done:
        schema: WorkspaceSchema = done.value
        return schema


# -- caching -------------------------------------------------------------------------------------
class _CacheBase:
    """The TTL bookkeeping shared by the sync and async caches."""

    def __init__(self, ttl: float, clock: Callable[[], float]) -> None:
        self.ttl = ttl
        self._clock = clock
        self._schema: WorkspaceSchema | None = None
        self._loaded_at = 0.0
        self.loads = 0

    def _fresh(self) -> WorkspaceSchema | None:
        if self._schema is not None and self._clock() - self._loaded_at < self.ttl:
            return self._schema
        return None

    def _keep(self, schema: WorkspaceSchema) -> WorkspaceSchema:
        self._schema = schema
        self._loaded_at = self._clock()
        self.loads += 1
        return schema

    def invalidate(self) -> None:
        """Forget the schema; the next ``get()`` loads it again."""
        self._schema = None

    @property
    def cached(self) -> WorkspaceSchema | None:
        """The schema held now, fresh or not (None before the first load)."""
        return self._schema


class SchemaCache(_CacheBase):
    """A workspace schema loaded through ``client`` and kept for ``ttl`` seconds.

    Within the TTL ``get()`` makes no call; ``refresh()`` loads now; ``invalidate()`` makes the
    next ``get()`` load. ``clock`` (seconds, monotonic) is injectable for tests; ``loads``
    counts the loads made.
    """

    def __init__(
        self,
        client: AttioClient,
        *,
        ttl: float = DEFAULT_TTL,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(ttl, clock)
        self.client = client

    def get(self) -> WorkspaceSchema:
        """The schema, loaded if there is none or it is older than the TTL."""
        return self._fresh() or self.refresh()

    def refresh(self) -> WorkspaceSchema:
        """Load the schema now and keep it."""
        return self._keep(load_schema(self.client))


class AsyncSchemaCache(_CacheBase):
    """``SchemaCache`` for ``AsyncAttioClient``: ``await cache.get()``."""

    def __init__(
        self,
        client: AsyncAttioClient,
        *,
        ttl: float = DEFAULT_TTL,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(ttl, clock)
        self.client = client
        # Concurrent callers of an empty or stale cache share one load.
        self._lock = asyncio.Lock()

    async def get(self) -> WorkspaceSchema:
        """The schema, loaded if there is none or it is older than the TTL."""
        fresh = self._fresh()
        if fresh is not None:
            return fresh
        async with self._lock:
            return self._fresh() or await self.refresh()

    async def refresh(self) -> WorkspaceSchema:
        """Load the schema now and keep it."""
        return self._keep(await load_schema_async(self.client))
