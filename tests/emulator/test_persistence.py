"""``--database FILE``: the workspace survives restarts, ``kill -9`` included.

The pattern of every test: write through the API, start a second emulator on the same file,
and compare what the API answers (every GET identical, ids and timestamps included).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.testclient import TestClient

from attio_bridge.emulator import EmulatorConfig, create_app
from attio_bridge.testing.process import EmulatorProcess

from ..conftest import API_KEY
from .core_helpers import ok
from .receiver import Receiver


@contextmanager
def running(db: Path, key: str = API_KEY, **config: Any) -> Iterator[TestClient]:
    """A client of an emulator kept in ``db``; the file is closed afterwards."""
    app = create_app(
        EmulatorConfig(api_keys=[key], read_rate=0, write_rate=0, database=str(db), **config)
    )
    try:
        with TestClient(
            app, base_url="http://emulator.test", headers={"Authorization": f"Bearer {key}"}
        ) as api:
            yield api
    finally:
        app.state.deliveries.close()
        assert app.state.persistence is not None
        app.state.persistence.close()


def post(api: TestClient, path: str, data: dict[str, Any]) -> dict[str, Any]:
    """POST ``{"data": data}``, which must succeed; the answer's ``data``."""
    body: dict[str, Any] = ok(api.post(path, json={"data": data}))
    return body


def attribute(title: str, slug: str, type_: str) -> dict[str, Any]:
    """An attribute create body."""
    return {
        "title": title,
        "api_slug": slug,
        "type": type_,
        "description": None,
        "is_required": False,
        "is_unique": False,
        "is_multiselect": False,
        "config": {},
    }


def write_everything(api: TestClient) -> None:
    """Schema, records, relationships, updates, deletes, a list, entries and activity."""
    post(api, "/v2/objects/people/attributes", attribute("Nickname", "nickname", "text"))
    post(api, "/v2/objects/companies/attributes", attribute("Tier", "tier", "select"))
    post(api, "/v2/objects/companies/attributes/tier/options", {"title": "Gold"})
    acme = post(
        api, "/v2/objects/companies/records", {"values": {"domains": ["acme.com"], "tier": "Gold"}}
    )
    initech = post(api, "/v2/objects/companies/records", {"values": {"domains": ["initech.com"]}})
    ada = post(
        api,
        "/v2/objects/people/records",
        {
            "values": {
                "email_addresses": ["ada@acme.com"],
                "name": "Lovelace, Ada",
                "company": "acme.com",
                "nickname": "Countess",
            }
        },
    )
    grace = post(
        api,
        "/v2/objects/people/records",
        {"values": {"email_addresses": ["grace@initech.com"], "company": "initech.com"}},
    )
    gone = post(api, "/v2/objects/people/records", {"values": {"email_addresses": ["x@y.com"]}})
    ada_id = ada["id"]["record_id"]
    ok(
        api.patch(
            f"/v2/objects/people/records/{ada_id}",
            json={"data": {"values": {"email_addresses": ["ada@lovelace.org"]}}},
        )
    )
    ok(
        api.put(
            f"/v2/objects/people/records/{ada_id}",
            json={"data": {"values": {"company": "initech.com"}}},
        )
    )
    ok(
        api.put(
            "/v2/objects/people/records",
            params={"matching_attribute": "email_addresses"},
            json={
                "data": {
                    "values": {"email_addresses": ["grace@initech.com"], "job_title": "Admiral"}
                }
            },
        )
    )
    assert api.delete(f"/v2/objects/people/records/{gone['id']['record_id']}").status_code == 200
    post(
        api,
        "/v2/lists",
        {
            "name": "Pipeline",
            "api_slug": "pipeline",
            "parent_object": "companies",
            "workspace_access": "full-access",
            "workspace_member_access": [],
        },
    )
    post(api, "/v2/lists/pipeline/attributes", attribute("Stage", "stage", "status"))
    for title in ("New", "Won"):
        post(api, "/v2/lists/pipeline/attributes/stage/statuses", {"title": title})
    entry = post(
        api,
        "/v2/lists/pipeline/entries",
        {
            "parent_record_id": acme["id"]["record_id"],
            "parent_object": "companies",
            "entry_values": {"stage": "New"},
        },
    )
    ok(
        api.patch(
            f"/v2/lists/pipeline/entries/{entry['id']['entry_id']}",
            json={"data": {"entry_values": {"stage": "Won"}}},
        )
    )
    post(
        api,
        "/v2/lists/pipeline/entries",
        {
            "parent_record_id": initech["id"]["record_id"],
            "parent_object": "companies",
            "entry_values": {},
        },
    )
    post(
        api,
        "/v2/notes",
        {
            "parent_object": "people",
            "parent_record_id": ada_id,
            "title": "Met Ada",
            "format": "markdown",
            "content": "# Hello\n\n**bold**",
        },
    )
    task = post(
        api,
        "/v2/tasks",
        {
            "content": "Call Grace",
            "format": "plaintext",
            "deadline_at": "2030-01-02T03:04:05Z",
            "is_completed": False,
            "linked_records": [
                {"target_object": "people", "target_record_id": grace["id"]["record_id"]}
            ],
            "assignees": [{"workspace_member_email_address": "ada@example.com"}],
        },
    )
    ok(api.patch(f"/v2/tasks/{task['id']['task_id']}", json={"data": {"is_completed": True}}))
    member = ok(api.get("/v2/workspace_members"))[0]["id"]["workspace_member_id"]
    post(
        api,
        "/v2/comments",
        {
            "format": "plaintext",
            "content": "Nice!",
            "author": {"type": "workspace-member", "id": member},
            "record": {"object": "people", "record_id": ada_id},
        },
    )
    post(
        api,
        "/v2/webhooks",
        {
            "target_url": "https://example.com/hook",
            "subscriptions": [{"event_type": "record.created", "filter": None}],
        },
    )


def snapshot(api: TestClient) -> dict[str, Any]:
    """What the API shows, GET by GET (and the read-only query endpoints)."""
    out: dict[str, Any] = {}

    def get(path: str, **params: str) -> Any:
        r = api.get(path, params=params)
        assert r.status_code == 200, (path, r.text)
        out[path + "?" + str(sorted(params.items()))] = r.json()
        return r.json()["data"] if isinstance(r.json(), dict) and "data" in r.json() else None

    get("/v2/self")
    get("/v2/workspace_members")
    for obj in get("/v2/objects"):
        slug = obj["api_slug"]
        attrs = get(f"/v2/objects/{slug}/attributes")
        query = api.post(f"/v2/objects/{slug}/records/query", json={"limit": 500})
        out[f"query {slug}"] = query.json()
        for rec in query.json()["data"]:
            rid = rec["id"]["record_id"]
            get(f"/v2/objects/{slug}/records/{rid}")
            get(f"/v2/objects/{slug}/records/{rid}/entries")
            for attr in attrs:
                if attr["type"] != "interaction":
                    get(
                        f"/v2/objects/{slug}/records/{rid}/attributes/{attr['api_slug']}/values",
                        show_historic="true",
                    )
        for attr in attrs:
            if attr["type"] == "select":
                get(f"/v2/objects/{slug}/attributes/{attr['api_slug']}/options")
    for lst in get("/v2/lists"):
        slug = lst["api_slug"]
        for attr in get(f"/v2/lists/{slug}/attributes"):
            if attr["type"] == "status":
                get(f"/v2/lists/{slug}/attributes/{attr['api_slug']}/statuses")
        entries = api.post(f"/v2/lists/{slug}/entries/query", json={})
        out[f"entries {slug}"] = entries.json()
        for e in entries.json()["data"]:
            get(f"/v2/lists/{slug}/entries/{e['id']['entry_id']}")
    for note in get("/v2/notes"):
        get(f"/v2/notes/{note['id']['note_id']}")
    for task in get("/v2/tasks"):
        get(f"/v2/tasks/{task['id']['task_id']}")
    for comment_id in {c for t in api_threads(api) for c in t}:
        get(f"/v2/comments/{comment_id}")
    get("/v2/webhooks")
    return out


def api_threads(api: TestClient) -> list[list[str]]:
    """The comment ids of every thread on every person."""
    people = api.post("/v2/objects/people/records/query", json={}).json()["data"]
    threads = []
    for p in people:
        r = api.get("/v2/threads", params={"object": "people", "record_id": p["id"]["record_id"]})
        assert r.status_code == 200, r.text
        threads += [[c["id"]["comment_id"] for c in t["comments"]] for t in r.json()["data"]]
    return threads


def operations(api: TestClient) -> int:
    """How many operations the database holds, as the control plane reports."""
    count: int = api.get("/_emulator/state").json()["database"]["operations"]
    return count


def test_every_get_is_identical_after_a_restart(tmp_path: Path) -> None:
    db = tmp_path / "emulator.db"
    with running(db) as api:
        write_everything(api)
        before = snapshot(api)
    with running(db) as api:
        after = snapshot(api)
        # The restarted emulator keeps going from there.
        post(api, "/v2/objects/people/records", {"values": {"email_addresses": ["new@a.com"]}})
    assert after == before
    # The snapshot is not trivially equal: the writes are in it, with their history.
    assert len(before["query people"]["data"]) == 2
    assert len(before["entries pipeline"]["data"]) == 2
    assert any(len(v["data"]) > 1 for k, v in before.items() if "show_historic" in k)
    with running(db) as api:
        assert len(api.post("/v2/objects/people/records/query", json={}).json()["data"]) == 3


def test_only_successful_writes_are_logged(tmp_path: Path) -> None:
    with running(tmp_path / "e.db") as api:
        start = operations(api)
        bad = api.post("/v2/objects/people/records", json={"data": {"values": {"nope": 1}}})
        assert bad.status_code == 400
        api.post("/v2/objects/people/records/query", json={})
        api.get("/v2/objects")
        assert operations(api) == start
        post(api, "/v2/objects/people/records", {"values": {"email_addresses": ["a@b.com"]}})
        assert operations(api) == start + 1


def test_control_plane_seeds_and_resets_replay(tmp_path: Path) -> None:
    db = tmp_path / "e.db"
    with running(db) as api:
        post(api, "/v2/objects/people/records", {"values": {"email_addresses": ["old@a.com"]}})
        assert api.post("/_emulator/seed", json={"dataset": "generated", "size": 30}).is_success
        assert api.post("/_emulator/reset", json={"seed": "sandbox"}).is_success
        post(api, "/v2/objects/people/records", {"values": {"email_addresses": ["new@a.com"]}})
        before, counts = snapshot(api), api.get("/_emulator/state").json()
    with running(db) as api:
        assert snapshot(api) == before
        assert api.get("/_emulator/state").json() == counts
    assert counts["records"]["people"] == 21


def test_a_configured_seed_is_applied_once(tmp_path: Path) -> None:
    db = tmp_path / "e.db"
    with running(db, seed="sandbox") as api:
        before = snapshot(api)
    with running(db, seed="sandbox") as api:
        assert snapshot(api) == before
        assert api.get("/_emulator/state").json()["records"]["people"] == 20


def test_replay_fires_no_webhook_events_and_later_writes_do(tmp_path: Path) -> None:
    db = tmp_path / "e.db"
    rx = Receiver()
    try:
        with running(db) as api:
            hook = {
                "target_url": rx.url,
                "subscriptions": [{"event_type": "record.created", "filter": None}],
            }
            post(api, "/v2/webhooks", hook)
            post(api, "/v2/objects/people/records", {"values": {"email_addresses": ["a@b.com"]}})
            assert api.app.state.deliveries.wait_idle(10)  # type: ignore[attr-defined]
        assert len(rx.events()) == 1
        with running(db) as api:
            engine = api.app.state.deliveries  # type: ignore[attr-defined]
            assert engine.wait_idle(10)
            assert engine.render_deliveries() == []
            later = post(
                api, "/v2/objects/people/records", {"values": {"email_addresses": ["c@d.com"]}}
            )
            assert engine.wait_idle(10)
        events = rx.events()
        assert len(events) == 2
        assert events[1]["id"]["record_id"] == later["id"]["record_id"]
    finally:
        rx.close()


def test_the_api_key_is_never_stored(tmp_path: Path) -> None:
    db = tmp_path / "e.db"
    key = "sk-do-not-store-7f3a9c"
    with running(db, key=key) as api:
        write_everything(api)
        stored = b"".join(p.read_bytes() for p in tmp_path.iterdir())
    assert key.encode() not in stored
    assert len(stored) > 0


def test_restarting_with_another_key_keeps_the_workspace(tmp_path: Path) -> None:
    db = tmp_path / "e.db"
    with running(db, key="first-key") as api:
        created = post(api, "/v2/objects/people/records", {"values": {"name": "Hopper, Grace"}})
    with running(db, key="second-key") as api:
        record_id = created["id"]["record_id"]
        again = ok(api.get(f"/v2/objects/people/records/{record_id}"))
        assert again == created
        # The first key no longer works, and the record still names it as its creator.
        assert (
            api.get("/v2/objects", headers={"Authorization": "Bearer first-key"}).status_code == 401
        )


def test_not_a_log_file_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "e.db"
    with running(db) as api:
        post(api, "/v2/objects/people/records", {"values": {"name": "Hopper, Grace"}})
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE meta SET value = '999' WHERE key = 'format'")
    conn.close()
    with pytest.raises(ValueError, match="format"):
        create_app(EmulatorConfig(api_keys=[API_KEY], database=str(db)))


def test_survives_kill_9_of_a_real_process(tmp_path: Path) -> None:
    """Every acknowledged write is committed before its answer, so SIGKILL loses nothing."""
    db = tmp_path / "e.db"
    headers = {"Authorization": f"Bearer {API_KEY}"}
    first = EmulatorProcess(api_key=API_KEY, read_rate=0, write_rate=0, database=db)
    with first:
        with httpx.Client(base_url=first.base_url, headers=headers) as http:
            created = http.post(
                "/v2/objects/people/records",
                json={"data": {"values": {"email_addresses": ["kill@nine.com"], "name": "Nine"}}},
            )
            assert created.status_code == 200, created.text
            record_id = created.json()["data"]["id"]["record_id"]
            note = http.post(
                "/v2/notes",
                json={
                    "data": {
                        "parent_object": "people",
                        "parent_record_id": record_id,
                        "title": "t",
                        "format": "plaintext",
                        "content": "c",
                    }
                },
            )
            assert note.status_code == 200, note.text
            before = http.get(f"/v2/objects/people/records/{record_id}").json()
            notes_before = http.get("/v2/notes").json()
        first.kill()
        assert first.proc is not None and first.proc.returncode == -9
    second = EmulatorProcess(api_key=API_KEY, read_rate=0, write_rate=0, database=db)
    with second, httpx.Client(base_url=second.base_url, headers=headers) as http:
        assert http.get(f"/v2/objects/people/records/{record_id}").json() == before
        assert http.get("/v2/notes").json() == notes_before
    for emu in (first, second):
        # EmulatorProcess keeps the stderr pipe open after the process ends.
        if emu.proc is not None and emu.proc.stderr is not None:
            emu.proc.stderr.close()


def test_an_unusable_database_path_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="cannot use"):
        create_app(EmulatorConfig(api_keys=[API_KEY], database=str(tmp_path / "no" / "e.db")))
