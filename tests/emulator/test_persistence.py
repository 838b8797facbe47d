"""``--database FILE``: the workspace and the stand-ins survive restarts, ``kill -9`` included.

The pattern of every test: write through the API, start a second emulator on the same file,
and compare what the API answers (every GET identical, ids and timestamps included). The Slack
and Drive stand-ins are also written and read back through the real connectors (slack_sdk,
google-auth), against emulator processes.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from google.oauth2 import service_account
from google.oauth2.credentials import Credentials
from starlette.testclient import TestClient

from attio_bridge.connectors import ConnectorError, DriveConnector, SlackConnector
from attio_bridge.connectors.drive import DRIVE_SCOPE
from attio_bridge.emulator import EmulatorConfig, create_app
from attio_bridge.testing.process import EmulatorProcess

from ..conftest import API_KEY
from ..connectors._support import service_account_file
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


def test_a_database_in_a_new_directory_is_made_with_it(tmp_path: Path) -> None:
    """``--database var/ws.sqlite3`` where ``var/`` does not exist yet: both are made, and the
    workspace is back after a restart."""
    db = tmp_path / "var" / "nested" / "ws.sqlite3"
    with running(db) as api:
        person = post(api, "/v2/objects/people/records", {"values": {"name": "Dir, Made"}})
    with running(db) as api:
        got = api.get(f"/v2/objects/people/records/{person['id']['record_id']}")
        assert got.status_code == 200


def test_an_unusable_database_path_is_a_clear_error(tmp_path: Path) -> None:
    """A path under a file (no directory can be made there) is one error naming the path."""
    (tmp_path / "plain").write_text("not a directory")
    with pytest.raises(ValueError, match=r"cannot use .*plain/e\.db.*cannot make its directory"):
        create_app(EmulatorConfig(api_keys=[API_KEY], database=str(tmp_path / "plain" / "e.db")))


# -- the Slack and Drive stand-ins --------------------------------------------------------------

SLACK_TOKEN = "xoxb-sandbox"
GOOGLE_TOKEN = "ya29.sandbox"
FOLDER = "application/vnd.google-apps.folder"


def slack_call(api: httpx.Client | TestClient, method: str, **args: Any) -> dict[str, Any]:
    """A Slack Web API call with a form body, as slack_sdk sends it; the answer."""
    r = api.post(
        f"/slack/api/{method}", data=args, headers={"Authorization": f"Bearer {SLACK_TOKEN}"}
    )
    assert r.status_code == 200, r.text
    answer: dict[str, Any] = r.json()
    return answer


def drive_call(
    api: httpx.Client | TestClient, method: str, path: str, token: str = GOOGLE_TOKEN, **kw: Any
) -> httpx.Response:
    """A Drive v3 files call."""
    headers = {"Authorization": f"Bearer {token}"}
    return api.request(method, f"/drive/v3{path}", headers=headers, **kw)


def standin_snapshot(api: httpx.Client | TestClient) -> dict[str, Any]:
    """Every channel (archived included) and every file with all its fields, root included."""
    channels = slack_call(
        api, "conversations.list", types="public_channel,private_channel", limit="1000"
    )
    files = drive_call(api, "GET", "/files", params={"fields": "*", "pageSize": "1000"})
    root = drive_call(api, "GET", "/files/root", params={"fields": "*"})
    assert files.status_code == root.status_code == 200, (files.text, root.text)
    return {"channels": channels, "files": files.json(), "root": root.json()}


def drive_connector(emu: EmulatorProcess, key_file: Path) -> tuple[DriveConnector, Any]:
    """A DriveConnector signing in with ``key_file`` at ``emu``'s token endpoint; and its creds."""
    creds = service_account.Credentials.from_service_account_file(  # type: ignore[no-untyped-call]
        str(key_file), scopes=[DRIVE_SCOPE]
    )
    return DriveConnector(creds, base_url=f"{emu.base_url}/drive/v3"), creds


def test_standins_survive_a_restart_through_the_connectors(tmp_path: Path) -> None:
    """Channels (archived ones too), a folder tree (trash too) and the issued token are kept."""
    db = tmp_path / "e.db"
    first = EmulatorProcess(api_key=API_KEY, read_rate=0, write_rate=0, database=db)
    with first:
        slack = SlackConnector(SLACK_TOKEN, base_url=f"{first.base_url}/slack/api/")
        acme = slack.create_channel("internal-acme")
        old = slack.create_channel("internal-old", private=True)
        slack.archive_channel(old.id)
        key_file = service_account_file(tmp_path, f"{first.base_url}/google/oauth2/token")
        drive, creds = drive_connector(first, key_file)
        clients = drive.create_folder("Clients")
        acme_folder = drive.create_folder("Acme", clients.id)
        contracts = drive.create_folder("Contracts", acme_folder.id)
        gone = drive.create_folder("Gone", clients.id)
        drive.create_folder("Inside gone", gone.id)
        drive.trash_folder(gone.id)
        issued = creds.token  # the access token google-auth got from the token endpoint
        assert issued
        with httpx.Client(base_url=first.base_url) as http:
            before = standin_snapshot(http)
    second = EmulatorProcess(api_key=API_KEY, read_rate=0, write_rate=0, database=db)
    with second:
        slack = SlackConnector(SLACK_TOKEN, base_url=f"{second.base_url}/slack/api/")
        assert slack.find_channel("internal-acme") == acme
        # Archived, so not found, and its name still taken.
        assert slack.find_channel("internal-old") is None
        with pytest.raises(ConnectorError) as taken:
            slack.create_channel("internal-old")
        assert taken.value.code == "name_taken"
        # The token issued before the restart still works (a plain token: no way to refresh).
        drive = DriveConnector(Credentials(issued), base_url=f"{second.base_url}/drive/v3")  # type: ignore[no-untyped-call]
        assert drive.find_folder("Clients") == clients
        assert drive.find_folder("Acme", clients.id) == acme_folder
        assert drive.find_folder("Contracts", acme_folder.id) == contracts
        assert drive.find_folder("Gone", clients.id) is None
        with httpx.Client(base_url=second.base_url) as http:
            after = standin_snapshot(http)
            info = slack_call(http, "conversations.info", channel=old.id)["channel"]
            inside = drive_call(http, "GET", "/files", params={"q": f"'{gone.id}' in parents"})
            inside_id = inside.json()["files"][0]["id"]
            inside_file = drive_call(http, "GET", f"/files/{inside_id}", params={"fields": "*"})
        # ... and the restarted emulator goes on from there: the next ids are new ones.
        later = slack.create_channel("internal-later")
    assert after == before
    assert (info["name"], info["is_archived"], info["is_private"]) == ("internal-old", True, True)
    assert inside_file.json()["trashed"] is True
    assert inside_file.json()["explicitlyTrashed"] is False
    assert later.id not in {c["id"] for c in before["channels"]["channels"]}


def test_standins_survive_kill_9(tmp_path: Path) -> None:
    """A stand-in write is committed before its answer: SIGKILL right after loses nothing."""
    db = tmp_path / "e.db"
    first = EmulatorProcess(api_key=API_KEY, read_rate=0, write_rate=0, database=db)
    with first:
        slack = SlackConnector(SLACK_TOKEN, base_url=f"{first.base_url}/slack/api/")
        channel = slack.create_channel("internal-nine")
        drive = DriveConnector(Credentials(GOOGLE_TOKEN), base_url=f"{first.base_url}/drive/v3")  # type: ignore[no-untyped-call]
        parent = drive.create_folder("Nine")
        child = drive.create_folder("Lives", parent.id)
        first.kill()
        assert first.proc is not None and first.proc.returncode == -9
    second = EmulatorProcess(api_key=API_KEY, read_rate=0, write_rate=0, database=db)
    with second:
        slack = SlackConnector(SLACK_TOKEN, base_url=f"{second.base_url}/slack/api/")
        drive = DriveConnector(Credentials(GOOGLE_TOKEN), base_url=f"{second.base_url}/drive/v3")  # type: ignore[no-untyped-call]
        assert slack.find_channel("internal-nine") == channel
        assert drive.find_folder("Nine") == parent
        assert drive.find_folder("Lives", parent.id) == child


def test_a_reset_of_the_standins_is_replayed(tmp_path: Path) -> None:
    """What a reset removed stays removed after a restart; what came after it stays."""
    db = tmp_path / "e.db"
    with running(db) as api:
        doomed = slack_call(api, "conversations.create", name="doomed")["channel"]
        doomed_folder = drive_call(
            api, "POST", "/files", json={"name": "Doomed", "mimeType": FOLDER}
        )
        assert doomed_folder.status_code == 200, doomed_folder.text
        old_root = drive_call(api, "GET", "/files/root").json()["id"]
        assert api.post("/_emulator/reset", json={}).is_success
        kept = slack_call(api, "conversations.create", name="kept")["channel"]
        kept_folder = drive_call(api, "POST", "/files", json={"name": "Kept", "mimeType": FOLDER})
        before = standin_snapshot(api)
    with running(db) as api:
        after = standin_snapshot(api)
        missing = slack_call(api, "conversations.info", channel=doomed["id"])
        # The reset made a new channel id counter, so "kept" took the id "doomed" had.
        assert kept["id"] == doomed["id"]
        names = {c["name"] for c in after["channels"]["channels"]}
        gone = drive_call(api, "GET", f"/files/{doomed_folder.json()['id']}")
    assert after == before
    assert names == {"general", "kept"}
    assert missing["channel"]["name"] == "kept"
    assert gone.status_code == 404
    assert [f["name"] for f in after["files"]["files"]] == ["Kept"]
    assert after["files"]["files"][0]["id"] == kept_folder.json()["id"]
    assert after["root"]["id"] != old_root


def test_only_successful_standin_writes_are_kept(tmp_path: Path) -> None:
    """Refused writes, reads and injected failures add nothing; failures are not kept."""
    db = tmp_path / "e.db"
    with running(db) as api:
        start = operations(api)
        slack_call(api, "conversations.create", name="dup")
        assert operations(api) == start + 1
        assert slack_call(api, "conversations.create", name="dup")["error"] == "name_taken"
        assert slack_call(api, "conversations.archive", channel="C0NOPE")["ok"] is False
        slack_call(api, "conversations.list")
        bad = drive_call(api, "PATCH", "/files/root", json={"trashed": True})
        assert bad.status_code == 403
        rule = {"system": "drive", "method": "files.create"}
        assert api.post("/_emulator/standins/fail", json=rule).is_success
        failed = drive_call(api, "POST", "/files", json={"name": "X", "mimeType": FOLDER})
        assert failed.status_code == 500
        assert operations(api) == start + 1
        assert api.post("/_emulator/standins/fail", json={**rule, "count": 5}).is_success
    with running(db) as api:
        assert api.get("/_emulator/standins/fail").json() == []
        made = drive_call(api, "POST", "/files", json={"name": "X", "mimeType": FOLDER})
        assert made.status_code == 200, made.text


def test_a_refused_drive_update_changes_nothing(tmp_path: Path) -> None:
    """An update refused part way (bad ``trashed``) leaves the name: live and after a restart."""
    db = tmp_path / "e.db"
    with running(db) as api:
        made = drive_call(api, "POST", "/files", json={"name": "Before", "mimeType": FOLDER})
        file_id = made.json()["id"]
        bad = drive_call(api, "PATCH", f"/files/{file_id}", json={"name": "After", "trashed": 1})
        assert bad.status_code == 400
        assert drive_call(api, "GET", f"/files/{file_id}").json()["name"] == "Before"
    with running(db) as api:
        assert drive_call(api, "GET", f"/files/{file_id}").json()["name"] == "Before"


def test_a_slack_token_is_never_stored(tmp_path: Path) -> None:
    """Neither the header token nor a ``token`` argument ends up in the log."""
    db = tmp_path / "e.db"
    secret = "xoxb-do-not-store-51c2"
    with running(db, slack_tokens=[secret]) as api:
        r = api.post(
            "/slack/api/conversations.create",
            data={"name": "secretive", "token": secret},
            headers={"Authorization": f"Bearer {secret}"},
        )
        assert r.json()["ok"] is True, r.text
        stored = b"".join(p.read_bytes() for p in tmp_path.iterdir())
    assert secret.encode() not in stored
    with running(db) as api:
        assert slack_call(api, "conversations.list")["channels"][-1]["name"] == "secretive"
