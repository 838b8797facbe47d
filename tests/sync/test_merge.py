"""The three-way merge: examples of each rule, and properties over random histories of both
sides (creates, edits, deletes, duplicated and reordered notifications)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from attio_bridge.sync import FieldMap, MergeResult, Side, merge

T0 = datetime(2026, 1, 1, tzinfo=UTC)
FIELDS = (
    FieldMap("a_owned", ("x1",), owner="attio"),
    FieldMap("e_owned", ("x2",), owner="external"),
    FieldMap("both1", ("x3",), owner="both"),
    FieldMap("both2", ("x4",), owner="both"),
)
NAMES = [f.attio for f in FIELDS]


def at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


def test_changes_to_different_fields_merge() -> None:
    base = {"a_owned": 1, "e_owned": 1, "both1": 1, "both2": 1}
    r = merge(FIELDS, base, Side(base | {"both1": 2}, at(5)), Side(base | {"both2": 3}, at(1)))
    assert r.attio_writes == {"both2": 3} and r.external_writes == {"both1": 2}
    assert r.conflicts == [] and r.base == base | {"both1": 2, "both2": 3}


def test_a_true_conflict_follows_the_owner_then_the_later_write() -> None:
    base = {"a_owned": 1, "e_owned": 1, "both1": 1, "both2": 1}
    a = {"a_owned": "A", "e_owned": "A", "both1": "A", "both2": 1}
    e = {"a_owned": "E", "e_owned": "E", "both1": "E", "both2": 1}
    r = merge(FIELDS, base, Side(a, at(1)), Side(e, at(2)))
    assert r.attio_writes == {"e_owned": "E", "both1": "E"}
    assert r.external_writes == {"a_owned": "A"}
    decided = {
        c.field: (c.decision, c.attio_value, c.external_value, c.base_value) for c in r.conflicts
    }
    assert decided == {
        "a_owned": ("attio", "A", "E", 1),
        "e_owned": ("external", "A", "E", 1),
        "both1": ("external", "A", "E", 1),
    }
    assert "external changed last" in r.conflicts[2].reason


def test_equal_times_leave_a_both_field_open_until_resolved() -> None:
    base = {"a_owned": 1, "e_owned": 1, "both1": 1, "both2": 1}
    r = merge(FIELDS, base, Side(base | {"both1": "A"}, at(3)), Side(base | {"both1": "E"}, at(3)))
    assert r.writes == 0 and [c.decision for c in r.conflicts] == ["open"]
    assert r.base == base
    # Later runs keep it open even when the times differ (our own writes move them).
    again = merge(
        FIELDS,
        r.base,
        Side(base | {"both1": "A"}, at(9)),
        Side(base | {"both1": "E"}, at(3)),
        {"both1"},
    )
    assert again.writes == 0 and [c.decision for c in again.open] == ["open"]


def test_creates_copy_every_value_and_deletes_go_across() -> None:
    new = {"a_owned": 1, "e_owned": None, "both1": "x", "both2": None}
    r = merge(FIELDS, None, Side(None), Side(new, at(1)))
    assert r.create_attio and r.attio_writes == {"a_owned": 1, "both1": "x"} and r.base == new
    base = {"a_owned": 1, "e_owned": 1, "both1": 1, "both2": 1}
    d = merge(FIELDS, base, Side(base | {"both2": 5}, at(2)), Side(None, at(3)))
    assert d.delete_attio and not d.delete_external
    assert [(c.field, c.decision, c.attio_value) for c in d.conflicts] == [("both2", "delete", 5)]
    assert merge(FIELDS, base, Side(None), Side(None)).writes == 0


# -- properties ----------------------------------------------------------------------------------
VALUES = st.one_of(st.none(), st.sampled_from(["a", "b", "c"]))
RECORD = st.fixed_dictionaries({n: VALUES for n in NAMES})
TIMES = st.integers(0, 3).map(at)


def expected(
    f: FieldMap, has_base: bool, b: Any, av: Any, ev: Any, at_: datetime, et: datetime
) -> Any:
    """The ownership rules, stated directly: what field ``f`` ends with; ``"OPEN"`` if open."""
    if av == ev:
        return av
    if not has_base and None in (av, ev):
        return ev if av is None else av
    if f.owner == "attio":
        return av
    if f.owner == "external":
        return ev
    if has_base and ev == b:
        return av
    if has_base and av == b:
        return ev
    if at_ == et:
        return "OPEN"
    return av if at_ > et else ev


def apply(
    r: MergeResult, attio: dict[str, Any] | None, external: dict[str, Any] | None
) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """Both sides after the merge's writes."""
    if r.delete_attio:
        attio = None
    if r.delete_external:
        external = None
    if r.create_attio:
        attio = dict.fromkeys(NAMES)
    if r.create_external:
        external = dict.fromkeys(NAMES)
    if attio is not None:
        attio = attio | r.attio_writes
    if external is not None:
        external = external | r.external_writes
    return attio, external


# A pair's base, Attio values, other side's values (each maybe absent) and both times.
PAIR = (
    st.one_of(st.none(), RECORD),
    st.one_of(st.none(), RECORD),
    st.one_of(st.none(), RECORD),
    TIMES,
    TIMES,
)


@settings(max_examples=300, deadline=None)
@given(*PAIR)
def test_one_merge_ends_in_the_state_the_rules_define_and_a_second_is_a_no_op(
    base: dict[str, Any] | None,
    a: dict[str, Any] | None,
    e: dict[str, Any] | None,
    at_: datetime,
    et: datetime,
) -> None:
    r = merge(FIELDS, base, Side(a, at_), Side(e, et))
    a2, e2 = apply(r, a, e)
    if a is None or e is None:
        if base is not None or (a is None and e is None):
            assert a2 is None and e2 is None  # a delete goes across; both gone stays gone
        else:
            # A create carries every value across.
            assert a2 == e2 == (a or e)
        return
    assert a2 is not None and e2 is not None
    opened = {c.field for c in r.open}
    for f in FIELDS:
        want = expected(
            f,
            base is not None,
            None if base is None else base[f.attio],
            a[f.attio],
            e[f.attio],
            at_,
            et,
        )
        if want == "OPEN":
            assert f.attio in opened
            assert (a2[f.attio], e2[f.attio]) == (a[f.attio], e[f.attio])  # nothing overwritten
        else:
            assert a2[f.attio] == e2[f.attio] == want
            assert want in (a[f.attio], e[f.attio])  # nothing invented
    # A second run, with the writes' echoes at any later time, writes nothing.
    again = merge(FIELDS, r.base, Side(a2, at(7)), Side(e2, at(8)), opened)
    assert again.writes == 0 and not again.create_attio and not again.create_external
    assert {c.field for c in again.conflicts} == opened


# A history: ops on record ids 0..2 on either side, with notifications (the ids to sync) that
# may be duplicated, reordered or lost; a periodic full pass catches what was lost.
OP = st.tuples(
    st.sampled_from(["create", "edit", "delete"]),
    st.sampled_from(["attio", "external"]),
    st.integers(0, 2),
    st.sampled_from(NAMES),
    st.sampled_from(["a", "b", "c"]),
)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(OP, st.just("sync")), max_size=25), st.randoms(use_true_random=False))
def test_random_histories_converge_and_lose_nothing(ops: list[Any], rnd: Any) -> None:
    sides: dict[str, dict[int, dict[str, Any]]] = {"attio": {}, "external": {}}
    times: dict[str, dict[int, datetime]] = {"attio": {}, "external": {}}
    bases: dict[int, dict[str, Any]] = {}
    pending: dict[int, set[str]] = {}
    written: set[Any] = {None}  # every value a person wrote
    notes: list[int] = []
    clock = 0

    def sync(ids: list[int]) -> int:
        nonlocal clock
        writes = 0
        for k in ids:
            a, e = sides["attio"].get(k), sides["external"].get(k)
            r = merge(
                FIELDS,
                bases.get(k),
                Side(a, times["attio"].get(k)),
                Side(e, times["external"].get(k)),
                pending.get(k, set()),
            )
            a2, e2 = apply(r, a, e)
            writes += r.writes
            clock += 1
            for side, new, old in (("attio", a2, a), ("external", e2, e)):
                if new is None:
                    sides[side].pop(k, None)
                else:
                    sides[side][k] = new
                    if new != old:
                        times[side][k] = at(clock)
            if r.base is None:
                bases.pop(k, None)
            else:
                bases[k] = r.base
            pending[k] = {c.field for c in r.open}
        return writes

    for op in ops:
        if op == "sync":
            order = notes + rnd.sample(notes, k=len(notes) // 2)  # duplicates
            rnd.shuffle(order)
            sync(order[: max(0, len(order) - 1)])  # and one notification lost
            notes.clear()
            continue
        kind, side, k, name, value = op
        clock += 1
        written.add(value)
        held = sides[side]
        if kind == "create" and k not in held and k not in bases:
            held[k] = dict.fromkeys(NAMES) | {name: value}
        elif kind == "edit" and k in held:
            held[k] = held[k] | {name: value}
        elif kind == "delete" and k in held:
            del held[k]
        else:
            continue
        times[side][k] = at(clock)
        notes.append(k)

    everything = [0, 1, 2]
    sync(everything)  # the periodic full pass
    for k in everything:
        a, e = sides["attio"].get(k), sides["external"].get(k)
        assert (a is None) == (e is None)
        if a is not None and e is not None:
            for n in NAMES:
                assert a[n] in written and e[n] in written
                if n not in pending.get(k, set()):
                    assert a[n] == e[n]
    assert sync(everything) == 0  # a second run is a no-op


@settings(max_examples=300, deadline=None)
@given(*PAIR)
def test_a_one_way_merge_never_writes_outside_and_ends_with_its_values(
    base: dict[str, Any] | None,
    a: dict[str, Any] | None,
    e: dict[str, Any] | None,
    at_: datetime,
    et: datetime,
) -> None:
    # Whatever the owners and times say, the other side's values stand and it gets nothing.
    r = merge(FIELDS, base, Side(a, at_), Side(e, et), one_way=True)
    assert not (r.external_writes or r.create_external or r.delete_external)
    assert r.open == []
    a2, e2 = apply(r, a, e)
    assert e2 == e
    if e is None:
        # Gone outside: a linked record is deleted in Attio; an unlinked one is left alone.
        assert a2 == (None if base is not None else a)
        assert r.base is None
        return
    assert a2 == e and r.base == e
    # Attio's edits since the last sync were put back, each logged as decided for external.
    edited = (
        set()
        if base is None or a is None
        else {n for n in NAMES if a[n] != e[n] and a[n] != base[n]}
    )
    assert {c.field for c in r.conflicts} == edited
    assert all(c.decision == "external" for c in r.conflicts)
    again = merge(FIELDS, r.base, Side(a2, at(7)), Side(e2, at(8)), one_way=True)
    assert again.writes == 0 and not again.create_attio and again.conflicts == []
