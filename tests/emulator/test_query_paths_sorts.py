"""Record and entry queries through HTTP: path drill-downs, sorts, limit and offset.

Sources: API-NOTES §3 (query body, default limit 500), §4 (path filters, sorts), §5 (entries
use the same grammar plus ``parent_record``), gotcha 4 (no total, stop on a short page), and the
SPEC's sort ``path`` description.
"""

from __future__ import annotations

from typing import Any

import pytest
from starlette.testclient import TestClient

from .core_helpers import (
    add_options,
    attribute,
    company,
    create,
    error,
    make_list,
    ok,
    person,
    rid,
)


def query(api: TestClient, obj: str, body: dict[str, Any]) -> list[str]:
    """Record ids of ``POST /v2/objects/{obj}/records/query``, in response order."""
    data = ok(api.post(f"/v2/objects/{obj}/records/query", json=body))
    return [rid(r) for r in data]


def entries(api: TestClient, lst: str, body: dict[str, Any]) -> list[str]:
    """Entry ids of ``POST /v2/lists/{lst}/entries/query``, in response order."""
    data = ok(api.post(f"/v2/lists/{lst}/entries/query", json=body))
    return [e["id"]["entry_id"] for e in data]


def refused(api: TestClient, path: str, body: dict[str, Any]) -> str:
    """The message of the 400 ``filter_error`` a query must get."""
    return error(api.post(path, json=body), 400, "filter_error")


def add_entry(api: TestClient, lst: str, parent: str, **values: Any) -> str:
    """A new entry for person ``parent``; its id."""
    body = {"parent_record_id": parent, "parent_object": "people", "entry_values": values}
    entry_id: str = ok(api.post(f"/v2/lists/{lst}/entries", json={"data": body}))["id"]["entry_id"]
    return entry_id


@pytest.fixture
def world(api: TestClient) -> dict[str, str]:
    """Two companies, four people (three employed) and a ``candidates`` list of people."""
    ids = {
        "acme": rid(company(api, "acme.com", name="Acme")),
        "globex": rid(company(api, "globex.io", name="Globex")),
    }
    ids["ada"] = rid(person(api, "ada@example.com", name="Lovelace, Ada", company="acme.com"))
    ids["grace"] = rid(person(api, "grace@navy.mil", name="Hopper, Grace", company="globex.io"))
    ids["alan"] = rid(person(api, "alan@example.com", name="Turing, Alan", company="acme.com"))
    ids["edsger"] = rid(person(api, "edsger@example.org", name="Dijkstra, Edsger"))
    make_list(api, "candidates")
    attribute(api, "lists", "candidates", "score", "number")
    for who, score in (("grace", 7), ("ada", 9), ("edsger", 3), ("alan", None)):
        values = {} if score is None else {"score": score}
        ids[f"{who}_entry"] = add_entry(api, "candidates", ids[who], **values)
    return ids


def test_path_filter_drills_from_people_to_company(api: TestClient, world: dict[str, str]) -> None:
    """API-NOTES §4: ``path`` steps follow record references; ``constraints`` apply to the last
    attribute with the ordinary grammar (shorthand, properties, operators)."""
    by_name = {
        "path": [["people", "company"], ["companies", "name"]],
        "constraints": {"$contains": "ACM"},
    }
    assert query(api, "people", {"filter": by_name}) == [world["ada"], world["alan"]]
    by_domain = {
        "path": [["people", "company"], ["companies", "domains"]],
        "constraints": {"root_domain": "globex.io"},
    }
    assert query(api, "people", {"filter": by_domain}) == [world["grace"]]
    negated = {"$not": by_name}
    assert query(api, "people", {"filter": negated}) == [world["grace"], world["edsger"]]
    combined = {"$and": [by_name, {"name": {"first_name": "Alan"}}]}
    assert query(api, "people", {"filter": combined}) == [world["alan"]]
    # Back the other way: companies whose team (multiselect) has ANY person named Hopper.
    team = {
        "path": [["companies", "team"], ["people", "name"]],
        "constraints": {"last_name": "Hopper"},
    }
    assert query(api, "companies", {"filter": team}) == [world["globex"]]
    # A one-step path is a plain attribute condition.
    one = {"path": [["people", "email_addresses"]], "constraints": {"email_domain": "navy.mil"}}
    assert query(api, "people", {"filter": one}) == [world["grace"]]


def test_path_filter_on_entries_through_parent_record(
    api: TestClient, world: dict[str, str]
) -> None:
    """API-NOTES §4's example: entries of a list whose parent person has an email at a domain;
    ``parent_record`` is a pseudo-attribute of every entry, and paths can keep going."""
    example = {
        "path": [["candidates", "parent_record"], ["people", "email_addresses"]],
        "constraints": {"email_domain": "example.com"},
    }
    assert entries(api, "candidates", {"filter": example}) == [
        world["ada_entry"],
        world["alan_entry"],
    ]
    deeper = {
        "path": [
            ["candidates", "parent_record"],
            ["people", "company"],
            ["companies", "name"],
        ],
        "constraints": "Globex",
    }
    assert entries(api, "candidates", {"filter": deeper}) == [world["grace_entry"]]
    with_entry_value = {"$and": [example, {"score": {"$gt": 5}}]}
    assert entries(api, "candidates", {"filter": with_entry_value}) == [world["ada_entry"]]
    parent = {"parent_record": {"target_record_id": world["edsger"]}}
    assert entries(api, "candidates", {"filter": parent}) == [world["edsger_entry"]]
    in_parents = {"parent_record": {"target_record_id": {"$in": [world["alan"], world["ada"]]}}}
    assert entries(api, "candidates", {"filter": in_parents}) == [
        world["ada_entry"],
        world["alan_entry"],
    ]


@pytest.mark.parametrize(
    ("filter_", "fragment"),
    [
        (
            {"path": [["companies", "team"], ["people", "name"]], "constraints": "x"},
            'must name the object "people"',
        ),
        (
            {"path": [["people", "job_title"], ["companies", "name"]], "constraints": "x"},
            "not a record reference",
        ),
        (
            {"path": [["people", "company"], ["people", "name"]], "constraints": "x"},
            '"companies"',
        ),
        (
            {"path": [["people", "company"], ["companies", "nmae"]], "constraints": "x"},
            '"name"',
        ),
        ({"path": [["people", "company"], ["companies", "name"]]}, '"constraints" is missing'),
        ({"path": [], "constraints": "x"}, "non-empty array"),
        ({"path": [["people"]], "constraints": "x"}, "pair"),
        (
            {
                "path": [["people", "company"], ["companies", "name"]],
                "constraints": "x",
                "name": "y",
            },
            "exactly two keys",
        ),
        (
            {
                "path": [["people", "company"], ["companies", "name"]],
                "constraints": {"$lt": "b"},
            },
            '"$lt"',
        ),
    ],
)
def test_malformed_paths_are_filter_errors(
    api: TestClient, world: dict[str, str], filter_: dict[str, Any], fragment: str
) -> None:
    """SPEC (sorts ``path``): the first step names what is queried and each step but the last
    is a reference to the next step's object; anything else is a ``filter_error``."""
    assert fragment in refused(api, "/v2/objects/people/records/query", {"filter": filter_})


def test_entry_path_must_start_at_the_list(api: TestClient, world: dict[str, str]) -> None:
    """Entries' paths start at the list, and ``parent_record`` leads to its parent object."""
    wrong_start = {
        "path": [["people", "email_addresses"]],
        "constraints": {"email_domain": "example.com"},
    }
    message = refused(api, "/v2/lists/candidates/entries/query", {"filter": wrong_start})
    assert 'list "candidates"' in message
    wrong_object = {
        "path": [["candidates", "parent_record"], ["companies", "name"]],
        "constraints": "Acme",
    }
    message = refused(api, "/v2/lists/candidates/entries/query", {"filter": wrong_object})
    assert '"people"' in message


# -- sorts ----------------------------------------------------------------------------------------
def test_sort_by_attribute_and_field(api: TestClient, world: dict[str, str]) -> None:
    """API-NOTES §4 / SPEC: ``{direction, attribute, field?}``; ``field`` picks the property,
    e.g. ``last_name`` of a name; the default property is the shorthand one (full_name)."""
    by_last = [{"direction": "asc", "attribute": "name", "field": "last_name"}]
    assert query(api, "people", {"sorts": by_last}) == [
        world["edsger"],
        world["grace"],
        world["ada"],
        world["alan"],
    ]
    by_full_desc = [{"direction": "desc", "attribute": "name"}]
    assert query(api, "people", {"sorts": by_full_desc}) == [
        world["grace"],
        world["edsger"],
        world["alan"],
        world["ada"],
    ]
    by_email = [{"direction": "asc", "attribute": "email_addresses", "field": "email_domain"}]
    ordered = query(api, "people", {"sorts": by_email})
    assert ordered[:2] == [world["ada"], world["alan"]]  # example.com, stable among equals
    assert ordered[2:] == [world["edsger"], world["grace"]]  # example.org, navy.mil


def test_sort_puts_empty_values_last_both_ways(api: TestClient, world: dict[str, str]) -> None:
    """Where empty values go is not documented; the emulator puts them last in both directions
    (query.apply_sorts)."""
    asc = [{"direction": "asc", "attribute": "score"}]
    assert entries(api, "candidates", {"sorts": asc}) == [
        world["edsger_entry"],
        world["grace_entry"],
        world["ada_entry"],
        world["alan_entry"],
    ]
    desc = [{"direction": "desc", "attribute": "score"}]
    assert entries(api, "candidates", {"sorts": desc}) == [
        world["ada_entry"],
        world["grace_entry"],
        world["edsger_entry"],
        world["alan_entry"],
    ]


def test_sort_by_path(api: TestClient, world: dict[str, str]) -> None:
    """SPEC: ``{direction, path, field?}`` sorts by a value reached through references, e.g.
    entries by their parent record's name."""
    by_parent_last_name = [
        {
            "direction": "asc",
            "path": [["candidates", "parent_record"], ["people", "name"]],
            "field": "last_name",
        }
    ]
    assert entries(api, "candidates", {"sorts": by_parent_last_name}) == [
        world["edsger_entry"],
        world["grace_entry"],
        world["ada_entry"],
        world["alan_entry"],
    ]
    by_company = [
        {"direction": "desc", "path": [["people", "company"], ["companies", "name"]]},
        {"direction": "asc", "attribute": "name", "field": "first_name"},
    ]
    # Globex, then Acme (Ada before Alan), then no company.
    assert query(api, "people", {"sorts": by_company}) == [
        world["grace"],
        world["ada"],
        world["alan"],
        world["edsger"],
    ]


def test_multi_key_sort_applies_keys_in_order(api: TestClient) -> None:
    """API-NOTES §4: sorts are applied in order, each with its own direction; ties keep
    creation order (the sort is stable)."""
    ok(
        api.post(
            "/v2/objects",
            json={"data": {"api_slug": "boxes", "singular_noun": "Box", "plural_noun": "Boxes"}},
        )
    )
    attribute(api, "objects", "boxes", "code", "text")
    attribute(api, "objects", "boxes", "size", "number")
    attribute(api, "objects", "boxes", "open", "checkbox")
    rows = [("a", 2, True), ("b", 1, False), ("c", 2, False), ("d", 1, True), ("e", 2, True)]
    made = {
        code: rid(create(api, "boxes", {"code": code, "size": s, "open": o})) for code, s, o in rows
    }

    def order(sorts: list[dict[str, Any]], **body: Any) -> str:
        back = {v: k for k, v in made.items()}
        return "".join(back[i] for i in query(api, "boxes", {"sorts": sorts, **body}))

    size_asc = {"direction": "asc", "attribute": "size"}
    size_desc = {"direction": "desc", "attribute": "size"}
    open_desc = {"direction": "desc", "attribute": "open"}
    code_desc = {"direction": "desc", "attribute": "code"}
    assert order([size_asc]) == "bdace"
    assert order([size_desc]) == "acebd"
    assert order([size_desc, open_desc]) == "aecdb"
    assert order([open_desc, size_asc]) == "daebc"
    assert order([size_asc, code_desc]) == "dbeca"
    # A filter, a sort and a page together: open boxes by code descending are e, d, a.
    assert order([code_desc], filter={"open": True}, limit=2, offset=1) == "da"


def test_select_and_text_sort_order(api: TestClient) -> None:
    """Select options sort in the order they were defined (as a pipeline's stages do), text
    ignoring case; both are the emulator's choices where Attio is silent."""
    ok(
        api.post(
            "/v2/objects",
            json={"data": {"api_slug": "tickets", "singular_noun": "T", "plural_noun": "Ts"}},
        )
    )
    attribute(api, "objects", "tickets", "title", "text")
    attribute(api, "objects", "tickets", "level", "select")
    add_options(api, "objects", "tickets", "level", "low", "medium", "high")
    low = rid(create(api, "tickets", {"title": "beta", "level": "low"}))
    high = rid(create(api, "tickets", {"title": "Alpha", "level": "high"}))
    medium = rid(create(api, "tickets", {"title": "gamma", "level": "medium"}))
    by_level = [{"direction": "asc", "attribute": "level"}]
    assert query(api, "tickets", {"sorts": by_level}) == [low, medium, high]
    by_title = [{"direction": "asc", "attribute": "title"}]
    assert query(api, "tickets", {"sorts": by_title}) == [high, low, medium]


@pytest.mark.parametrize(
    ("sorts", "fragment"),
    [
        ({"direction": "asc", "attribute": "name"}, "array"),
        ([{"direction": "up", "attribute": "name"}], '"asc" or "desc"'),
        ([{"attribute": "name"}], '"asc" or "desc"'),
        ([{"direction": "asc"}], "exactly one of"),
        (
            [{"direction": "asc", "attribute": "name", "path": [["people", "name"]]}],
            "exactly one of",
        ),
        ([{"direction": "asc", "attribute": "nmae"}], '"name"'),
        ([{"direction": "asc", "attribute": "name", "field": "middle_name"}], "last_name"),
        ([{"direction": "asc", "attribute": "name", "order": 1}], "order"),
        (["name"], "must be an object"),
        ([{"direction": "asc", "path": [["companies", "name"]]}], 'must name the object "people"'),
    ],
)
def test_malformed_sorts_are_filter_errors(api: TestClient, sorts: Any, fragment: str) -> None:
    """SPEC: each sort is ``{direction: asc|desc, attribute|path, field?}``."""
    assert fragment in refused(api, "/v2/objects/people/records/query", {"sorts": sorts})


# -- paging ---------------------------------------------------------------------------------------
def test_limit_defaults_to_500_and_offset_pages(api: TestClient) -> None:
    """API-NOTES §3 / gotcha 4: limit defaults to 500, offset to 0; there is no total, and a
    client stops on a short page."""
    ok(
        api.post(
            "/v2/objects",
            json={"data": {"api_slug": "pebbles", "singular_noun": "P", "plural_noun": "Ps"}},
        )
    )
    made = [rid(create(api, "pebbles", {})) for _ in range(503)]
    first = query(api, "pebbles", {})
    assert first == made[:500]
    assert query(api, "pebbles", {"offset": 500}) == made[500:]
    assert query(api, "pebbles", {"limit": 2, "offset": 3}) == made[3:5]
    assert query(api, "pebbles", {"limit": 1000}) == made
    assert query(api, "pebbles", {"offset": 503}) == []
    # A client paging with a short-page stop sees every record exactly once.
    seen: list[str] = []
    while True:
        page = query(api, "pebbles", {"limit": 200, "offset": len(seen)})
        seen += page
        if len(page) < 200:
            break
    assert seen == made


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ({"limit": 1001}, "at most 1000"),
        ({"limit": 0}, "at least 1"),
        ({"limit": "10"}, '"limit"'),
        ({"limit": 2.5}, '"limit"'),
        ({"limit": True}, '"limit" must be a whole number of at least 1'),
        ({"offset": False}, '"offset" must be a whole number of at least 0'),
        ({"offset": -1}, '"offset"'),
        ({"offset": None}, '"offset" must be a whole number of at least 0 and at most'),
        # Issue 10: a plain-text 500 (islice's index overflow), where Attio answers a 400.
        ({"offset": 9223372036854775807}, "at most 9007199254740991, got 9223372036854775807"),
        ({"offset": 2**53}, "at most 9007199254740991"),
        ({"offset": 1e300}, "got 1e+300"),
        ({"limit": 10**30}, "at most 1000"),
    ],
)
def test_a_bad_limit_or_offset_is_a_validation_error(
    api: TestClient, world: dict[str, str], body: dict[str, Any], fragment: str
) -> None:
    """A count of the wrong type or range (a boolean too: JSON's true is not 1) is the 400
    ``validation_type`` body Attio answers for any field of the wrong type (API-NOTES §8)."""
    for path in ("/v2/objects/people/records/query", "/v2/lists/candidates/entries/query"):
        assert fragment in error(api.post(path, json=body), 400, "validation_type")


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ({"filter": []}, '"filter" must be an object'),
        ({"filter": None}, '"filter" must be an object'),
        ({"filter": "name"}, '"filter" must be an object'),
        ({"sorts": None}, '"sorts" must be an array'),
    ],
)
def test_malformed_bodies_are_filter_errors(
    api: TestClient, body: dict[str, Any], fragment: str
) -> None:
    """API-NOTES §3: a bad query body gives 400 ``filter_error`` naming the problem."""
    assert fragment in refused(api, "/v2/objects/people/records/query", body)


def test_integral_float_limit_is_accepted(api: TestClient) -> None:
    """The SPEC types limit and offset as ``number``: 2.0 is a whole number of records."""
    made = [rid(person(api, f"p{i}@example.com")) for i in range(3)]
    assert query(api, "people", {"limit": 2.0, "offset": 1.0}) == made[1:3]


def test_entry_queries_page_and_sort_like_records(api: TestClient, world: dict[str, str]) -> None:
    """API-NOTES §5: entry queries use the same body as record queries."""
    all_entries = entries(api, "candidates", {})
    assert all_entries == [
        world["grace_entry"],
        world["ada_entry"],
        world["edsger_entry"],
        world["alan_entry"],
    ]
    assert entries(api, "candidates", {"limit": 2, "offset": 1}) == all_entries[1:3]
    message = refused(api, "/v2/lists/candidates/entries/query", {"filter": {"scroe": 1}})
    assert '"score"' in message
    assert api.post("/v2/lists/nope/entries/query", json={}).status_code == 404
