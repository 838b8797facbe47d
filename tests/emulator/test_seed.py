"""Seed datasets: the hand-made ``sandbox``, the ``generated`` one and its bulk write path.

What a seed made is read back through the API; the memo in front of normalisation is checked
to give exactly what ``values.normalize`` gives.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from starlette.testclient import TestClient

from attio_bridge.emulator import EmulatorConfig, create_app, seed_data
from attio_bridge.emulator.app import EmulatorApp
from attio_bridge.emulator.errors import EmulatorError
from attio_bridge.emulator.models.values import normalize
from attio_bridge.emulator.seed import MemoNormalizer
from attio_bridge.emulator.workspace import Workspace

from ..conftest import API_KEY
from .core_helpers import ok
from .receiver import Receiver


def client(app: EmulatorApp) -> TestClient:
    """A client authenticated against ``app``."""
    return TestClient(
        app, base_url="http://emulator.test", headers={"Authorization": f"Bearer {API_KEY}"}
    )


@contextmanager
def seeded(seed: str, size: int = 0, **config: Any) -> Iterator[TestClient]:
    """A client of an emulator started with this seed dataset."""
    app = create_app(
        EmulatorConfig(
            api_keys=[API_KEY], read_rate=0, write_rate=0, seed=seed, seed_size=size, **config
        )
    )
    with client(app) as api:
        yield api
    app.state.deliveries.close()


@pytest.fixture
def sandbox() -> Iterator[TestClient]:
    """An emulator started with ``seed="sandbox"``."""
    with seeded("sandbox") as api:
        yield api


def records(api: TestClient, obj: str) -> list[dict[str, Any]]:
    """Every record of ``obj``, through the query endpoint."""
    out: list[dict[str, Any]] = []
    while True:
        page = ok(
            api.post(f"/v2/objects/{obj}/records/query", json={"limit": 500, "offset": len(out)})
        )
        out.extend(page)
        if len(page) < 500:
            return out


def refs(record: dict[str, Any], slug: str) -> list[str]:
    """The target record ids of a reference attribute."""
    return [v["target_record_id"] for v in record["values"][slug]]


# -- sandbox -------------------------------------------------------------------------------------


def test_sandbox_has_members_companies_and_linked_people(sandbox: TestClient) -> None:
    members = ok(sandbox.get("/v2/workspace_members"))
    assert len(members) >= 4
    companies = records(sandbox, "companies")
    assert len(companies) == 8
    for company in companies:
        assert company["values"]["domains"], company
        assert company["values"]["categories"], company
    people = records(sandbox, "people")
    assert len(people) == 20
    company_ids = {c["id"]["record_id"] for c in companies}
    linked = [p for p in people if p["values"]["company"]]
    assert len(linked) >= 15
    for p in linked:
        [target] = refs(p, "company")
        assert target in company_ids
    # Relationships are kept on both sides (API-NOTES §2): each company's team lists its people.
    team = {c["id"]["record_id"]: set(refs(c, "team")) for c in companies}
    for p in linked:
        assert p["id"]["record_id"] in team[refs(p, "company")[0]]


def test_sandbox_deals_span_stages_and_have_member_owners(sandbox: TestClient) -> None:
    member_ids = {m["id"]["workspace_member_id"] for m in ok(sandbox.get("/v2/workspace_members"))}
    deals = records(sandbox, "deals")
    assert len(deals) == 6
    stages = Counter(d["values"]["stage"][0]["status"]["title"] for d in deals)
    assert len(stages) >= 3
    owners = {d["values"]["owner"][0]["referenced_actor_id"] for d in deals}
    assert owners <= member_ids
    assert len(owners) >= 2
    assert all(d["values"]["associated_company"] for d in deals)


def test_sandbox_sales_pipeline_list_has_stage_statuses_and_entries(sandbox: TestClient) -> None:
    lst = ok(sandbox.get("/v2/lists/sales_pipeline"))
    assert lst["name"] == "Sales pipeline"
    assert lst["parent_object"] == ["companies"]
    attrs = {a["api_slug"]: a for a in ok(sandbox.get("/v2/lists/sales_pipeline/attributes"))}
    assert attrs["stage"]["type"] == "status"
    assert attrs["estimated_value"]["type"] == "currency"
    statuses = ok(sandbox.get("/v2/lists/sales_pipeline/attributes/stage/statuses"))
    assert len(statuses) >= 4
    entries = ok(sandbox.post("/v2/lists/sales_pipeline/entries/query", json={}))
    assert len(entries) >= 5
    assert {e["parent_object"] for e in entries} == {"companies"}
    titles = {s["title"] for s in statuses}
    for e in entries:
        assert e["entry_values"]["stage"][0]["status"]["title"] in titles
        assert e["entry_values"]["estimated_value"][0]["currency_value"] > 0


def test_sandbox_has_notes_and_tasks(sandbox: TestClient) -> None:
    notes = ok(sandbox.get("/v2/notes"))
    assert len(notes) >= 3
    assert all(n["title"] and n["content_plaintext"] for n in notes)
    tasks = ok(sandbox.get("/v2/tasks"))
    assert len(tasks) >= 2
    assert all(t["linked_records"] and t["assignees"] for t in tasks)


# -- generated -----------------------------------------------------------------------------------


def test_generated_makes_people_companies_and_deals_linked() -> None:
    with seeded("generated", 300) as api:
        people = records(api, "people")
        companies = records(api, "companies")
        deals = records(api, "deals")
        assert (len(people), len(companies), len(deals)) == (300, 30, 15)
        company_ids = {c["id"]["record_id"] for c in companies}
        linked = [p for p in people if p["values"]["company"]]
        assert len(linked) > 200  # seed_data links about 85%
        assert all(refs(p, "company")[0] in company_ids for p in linked)
        team_sizes = sum(len(refs(c, "team")) for c in companies)
        assert team_sizes == len(linked)
        assert all(refs(d, "associated_company")[0] in company_ids for d in deals)
        assert all(d["values"]["owner"] for d in deals)
        # Uniqueness is indexed for seeded records too: a duplicate email is refused.
        email = people[0]["values"]["email_addresses"][0]["email_address"]
        r = api.post(
            "/v2/objects/people/records",
            json={"data": {"values": {"email_addresses": [email]}}},
        )
        assert r.status_code == 400
        assert r.json()["code"] == "uniqueness_conflict"


def test_generated_data_is_the_same_for_the_same_seed() -> None:
    def emails(random_seed: int) -> list[str]:
        with seeded("generated", 50, random_seed=random_seed) as api:
            return sorted(
                v["email_address"]
                for p in records(api, "people")
                for v in p["values"]["email_addresses"]
            )

    assert emails(7) == emails(7)
    assert emails(7) != emails(8)


def test_unknown_seed_dataset_is_refused_at_startup() -> None:
    with pytest.raises(ValueError, match="unknown seed dataset"):
        create_app(EmulatorConfig(api_keys=[API_KEY], seed="nope"))


def test_seeding_fires_no_webhook_events() -> None:
    """Seeded records are where a workspace starts: no ``record.created`` for them, while an API
    write right after is delivered (API-NOTES §7 event shape)."""
    rx = Receiver()
    app = create_app(EmulatorConfig(api_keys=[API_KEY], read_rate=0, write_rate=0))
    try:
        with client(app) as api:
            hook = {
                "target_url": rx.url,
                "subscriptions": [
                    {"event_type": t, "filter": None}
                    for t in ("record.created", "record.updated", "list-entry.created")
                ],
            }
            ok(api.post("/v2/webhooks", json={"data": hook}))
            assert api.post("/_emulator/seed", json={"dataset": "sandbox"}).status_code == 200
            seeded_gen = api.post("/_emulator/seed", json={"dataset": "generated", "size": 40})
            assert seeded_gen.status_code == 200
            created = ok(
                api.post(
                    "/v2/objects/people/records",
                    json={"data": {"values": {"email_addresses": ["after@example.com"]}}},
                )
            )
            assert app.state.deliveries.wait_idle(10)
        events = rx.events()
        assert [e["event_type"] for e in events] == ["record.created"]
        assert events[0]["id"]["record_id"] == created["id"]["record_id"]
    finally:
        app.state.deliveries.close()
        rx.close()


# -- the bulk path's memo ------------------------------------------------------------------------


def test_memo_normalizer_gives_what_normalize_gives() -> None:
    ws = Workspace()
    ws.add_member("Ada", "Admin", "ada@example.com")
    companies = ws.schema.get_object("companies")
    people = ws.schema.get_object("people")
    categories = companies.find_attribute("categories")
    assert categories is not None
    for title in seed_data.COMPANY_CATEGORIES:
        if categories.find_option(title) is None:
            ws.schema.add_option(categories, title)
    memo = MemoNormalizer()
    domains = []
    for values in seed_data.generate_companies(200, 3):
        for slug, raw in values.items():
            attr = companies.find_attribute(slug)
            assert attr is not None
            assert memo(attr, raw, ws) == normalize(attr, raw, ws)
        ws.create_record(companies, values, {"type": "system", "id": None})
        domains.append(values["domains"][0])
    extra = [
        {"email_addresses": ["Ada.Lovelace@Example.COM"], "phone_numbers": ["+442079460958"]},
        {"email_addresses": ["o'brien+tag@example.org", "x@sub.example.co.uk"]},
    ]
    for values in [*seed_data.generate_people(3000, 3, domains), *extra]:
        for slug, raw in values.items():
            attr = people.find_attribute(slug)
            assert attr is not None
            got, want = memo(attr, raw, ws), normalize(attr, raw, ws)
            assert got == want, (slug, raw)
            # Same keys in the same order: the API renders these dicts as they are.
            assert [list(d) for d in got] == [list(d) for d in want]


def test_memo_normalizer_refuses_what_normalize_refuses_with_the_same_message() -> None:
    ws = Workspace()
    attr = ws.schema.get_object("people").find_attribute("email_addresses")
    assert attr is not None
    raw = ["ada@example.invalid"]
    with pytest.raises(EmulatorError) as want:
        normalize(attr, raw, ws)
    with pytest.raises(EmulatorError) as got:
        MemoNormalizer()(attr, raw, ws)
    assert got.value.body() == want.value.body()
    assert "ada@example.invalid" in got.value.message
