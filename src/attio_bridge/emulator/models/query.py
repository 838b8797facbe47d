"""Record and entry queries: the body, sorts, limit and offset (API-NOTES §3, §4, §5).

``run_query()`` serves ``POST /v2/objects/{object}/records/query`` and
``POST /v2/lists/{list}/entries/query``: it checks the flat body ``{filter?, sorts?, limit?,
offset?}``, compiles the filter once (``filters.compile_filter``), and returns one page.

Results come in creation order unless sorted. A page without sorts is taken lazily, so an
unfiltered page never copies the table, and a filtered one stops at the last match it needs;
equality on a unique system attribute starts from the unique index instead of a scan.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from itertools import islice
from operator import itemgetter
from typing import TYPE_CHECKING, Any

from ..errors import FilterError
from ..paging import body_count
from .filters import (
    DEFAULT_PROP,
    AttrView,
    Hop,
    Prop,
    compile_filter,
    resolve_attribute,
    resolve_path,
)

if TYPE_CHECKING:
    from ..workspace import Workspace
    from .records import Holder
    from .schema import Parent

DEFAULT_LIMIT = 500
# Attio documents the default (500) but no maximum. 1000 is the largest page any of Attio's
# documented offset-paginated endpoints serves (record entries: max 1000; views: 1-1000), and a
# larger limit is refused rather than quietly cut: a client that asked for more and got a short
# page would wrongly conclude it had reached the end (API-NOTES gotcha 4: "stop on a short page").
MAX_LIMIT = 1000
SORT_KEYS = frozenset({"direction", "attribute", "path", "field"})

SortValue = Callable[["Holder"], Any]


@dataclass(frozen=True, slots=True)
class SortKey:
    """One compiled sort: the comparable value of a holder (None when it has none)."""

    value: SortValue
    descending: bool


def run_query(ws: Workspace, parent: Parent, body: dict[str, Any]) -> list[Holder]:
    """The page of records or entries of ``parent`` that ``body`` asks for."""
    limit = body_count(body, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT)
    offset = body_count(body, "offset", 0, 0, None)
    if "filter_view_id" in body:
        raise FilterError(
            '"filter_view_id" (saved views) is not supported by the emulator; send a "filter".'
        )
    table = ws.store.holders(parent)
    sort_keys = compile_sorts(ws, parent, body["sorts"]) if "sorts" in body else []
    matches: Iterable[Holder]
    if "filter" in body:
        node = body["filter"]
        if not isinstance(node, dict):
            raise FilterError(f'"filter" must be an object, got {type(node).__name__}.')
        compiled = compile_filter(ws, parent, node) if node else None
    else:
        compiled = None
    if compiled is None:
        matches = table.values()
    elif compiled.ids is not None:
        found = [h for h in (table.get(i) for i in compiled.ids) if h is not None]
        # Index hits go back into creation order, the order a scan would have given.
        found.sort(key=lambda h: h.created_at)
        matches = filter(compiled.pred, found)
    else:
        matches = filter(compiled.pred, table.values())
    if not sort_keys:
        return list(islice(matches, offset, offset + limit))
    return apply_sorts(list(matches), sort_keys)[offset : offset + limit]


# -- sorts ----------------------------------------------------------------------------------------
def compile_sorts(ws: Workspace, parent: Parent, sorts: Any) -> list[SortKey]:
    """Compile ``sorts``: ``{direction, attribute, field?}`` or ``{direction, path, field?}``."""
    if not isinstance(sorts, list):
        raise FilterError(f'"sorts" must be an array, got {type(sorts).__name__}.')
    keys: list[SortKey] = []
    for i, spec in enumerate(sorts):
        where = f"sorts[{i}]"
        if not isinstance(spec, dict):
            raise FilterError(f"{where} must be an object with direction and attribute or path.")
        extra = sorted(set(spec) - SORT_KEYS)
        if extra:
            raise FilterError(
                f"{where} has unknown keys {', '.join(extra)}; use direction, attribute or path, "
                "and field."
            )
        direction = spec.get("direction")
        if direction not in ("asc", "desc"):
            raise FilterError(f'{where}.direction must be "asc" or "desc", got {direction!r}.')
        if ("attribute" in spec) == ("path" in spec):
            raise FilterError(f'{where} needs exactly one of "attribute" and "path".')
        hops: list[Hop] = []
        if "path" in spec:
            hops, view = resolve_path(ws, parent, spec["path"], where)
        else:
            view = resolve_attribute(ws, parent, spec["attribute"], where)
        value = _sort_value(view, spec.get("field"), where)
        for hop in reversed(hops):
            value = _first_via(hop, value)
        keys.append(SortKey(value, direction == "desc"))
    return keys


def apply_sorts(items: list[Holder], keys: list[SortKey]) -> list[Holder]:
    """``items`` sorted by ``keys`` in order (the first key decides first); stable.

    Holders without a value for a key go after all holders with one, in both directions:
    Attio does not document where empty values go, and "empty last" keeps the values someone
    sorted for at the top of the first page either way.
    """
    # Sorting by the least significant key first and relying on stability gives a multi-key
    # sort with a direction per key.
    for key in reversed(keys):
        present: list[tuple[Any, Holder]] = []
        missing: list[Holder] = []
        for h in items:
            v = key.value(h)
            if v is None:
                missing.append(h)
            else:
                present.append((v, h))
        present.sort(key=itemgetter(0), reverse=key.descending)
        items = [h for _, h in present]
        items.extend(missing)
    return items


def _sort_value(view: AttrView, field: Any, where: str) -> SortValue:
    """A holder's comparable value for ``view`` and ``field`` (its first value's property)."""
    if field is None:
        name = "value" if view.index == "record_id" else DEFAULT_PROP.get(view.type)
        field = name if name is not None else next(iter(view.props))
    if not isinstance(field, str) or field not in view.props:
        raise FilterError(
            f"{where}.field {field!r} is not a property of attribute {view.describe()}. "
            f"Properties: {', '.join(view.props)}."
        )
    prop = view.props[field]
    read = prop.read
    values = view.values
    rank = _rank(view, prop)
    aid, key = view.stored_id, prop.key
    if aid is not None and key is not None:
        # The common case, read inline: sorting 100,000 records calls this 100,000 times.
        def stored(h: Holder) -> Any:
            vals = h.values.get(aid)
            return rank(vals[0].data.get(key)) if vals else None

        return stored

    def value(h: Holder) -> Any:
        # A multiselect attribute sorts by its first (most recently added) value.
        for sv in values(h):
            return rank(read(sv))
        return None

    return value


def _rank(view: AttrView, prop: Prop) -> Callable[[Any], Any]:
    """How a property value compares: text ignoring case, choices in their defined order."""
    if prop.kind in ("option", "status") and view.attr is not None:
        # Options and statuses sort in the order they were defined (a pipeline's stage order),
        # not alphabetically.
        order = view.attr.options if prop.kind == "option" else view.attr.statuses
        position = {ident: i for i, ident in enumerate(order)}
        return lambda x: position.get(x)
    if prop.kind == "bool":
        return lambda x: None if x is None else int(x)
    if prop.kind in ("number", "currency"):
        return lambda x: x
    return _text_rank


def _text_rank(x: Any) -> Any:
    if x is None or x == "":
        return None
    return x.casefold() if isinstance(x, str) else x


def _first_via(hop: Hop, inner: SortValue) -> SortValue:
    def value(h: Holder) -> Any:
        for rec in hop(h):
            v = inner(rec)
            if v is not None:
                return v
        return None

    return value
