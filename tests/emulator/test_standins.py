"""The Slack and Google Drive stand-ins, in-process, against the real services' documented shapes.

Sources: Slack's method reference (docs.slack.dev/reference/methods/conversations.create,
conversations.list, conversations.archive, conversations.info, auth.test: HTTP 200 with
``{"ok": false, "error"}``; the naming rules "lowercase letters, numbers, hyphens, and
underscores, and must be 80 characters or less"; errors ``name_taken``, ``invalid_name_*``,
``not_authed``, ``invalid_auth``, ``already_archived``). Drive API v3's files reference and its
guide "Resolve errors" (developers.google.com/drive/api/guides/handle-errors: the body
``{"error": {"code", "message", "errors": [{"domain", "reason", ...}]}}``, 404 ``notFound``
"File not found: ID."), search syntax (developers.google.com/drive/api/guides/search-files) and
Google's OAuth 2.0 service-account flow (the JWT bearer grant, RFC 7523).
"""

from __future__ import annotations

import base64
import time
from collections.abc import Iterator
from typing import Any

import orjson
import pytest
from starlette.testclient import TestClient

from attio_bridge.emulator import EmulatorConfig, create_app

SLACK = "xoxb-sandbox"
GOOGLE = "ya29.sandbox"
FOLDER = "application/vnd.google-apps.folder"


@pytest.fixture
def http() -> Iterator[TestClient]:
    """A client for a fresh in-process emulator (no default headers: each test sends its token)."""
    app = create_app(EmulatorConfig(api_keys=["test-key"], read_rate=0, write_rate=0))
    with TestClient(app, base_url="http://emulator.test") as client:
        yield client


def slack(http: TestClient, method: str, token: str | None = SLACK, **args: Any) -> Any:
    """Call a Slack method with a form body, as slack_sdk does for POST; the JSON answer."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    r = http.post(f"/slack/api/{method}", data=args, headers=headers)
    assert r.status_code == 200, r.text
    return r.json()


def drive(http: TestClient, method: str, path: str, token: str = GOOGLE, **kw: Any) -> Any:
    """Call Drive's files API; the response."""
    return http.request(
        method, f"/drive/v3{path}", headers={"Authorization": f"Bearer {token}"}, **kw
    )


def folder(http: TestClient, name: str, parent: str | None = None) -> str:
    """Create a folder through the API; its id."""
    body: dict[str, Any] = {"name": name, "mimeType": FOLDER}
    if parent:
        body["parents"] = [parent]
    r = drive(http, "POST", "/files", json=body)
    assert r.status_code == 200, r.text
    file_id: str = r.json()["id"]
    return file_id


# -- Slack --------------------------------------------------------------------------------------


def test_slack_create_then_info_and_list_show_the_channel(http: TestClient) -> None:
    """conversations.create answers the conversation object; info and list then show it."""
    created = slack(http, "conversations.create", name="internal-acme")
    assert created["ok"] is True
    channel = created["channel"]
    assert channel["name"] == "internal-acme" and channel["is_private"] is False
    assert channel["id"].startswith("C")
    info = slack(http, "conversations.info", channel=channel["id"])
    assert info["channel"]["name"] == "internal-acme"
    listed = slack(http, "conversations.list")
    assert "internal-acme" in [c["name"] for c in listed["channels"]]


def test_slack_accepts_json_bodies_and_query_parameters(http: TestClient) -> None:
    """Slack takes arguments as JSON (with a bearer token) and as GET query parameters."""
    r = http.post(
        "/slack/api/conversations.create",
        json={"name": "secret-room", "is_private": True},
        headers={"Authorization": f"Bearer {SLACK}"},
    )
    assert r.json()["channel"]["is_private"] is True
    r = http.get(
        "/slack/api/conversations.list",
        params={"types": "private_channel"},
        headers={"Authorization": f"Bearer {SLACK}"},
    )
    assert [c["name"] for c in r.json()["channels"]] == ["secret-room"]


@pytest.mark.parametrize(
    ("name", "error"),
    [
        ("", "invalid_name_required"),
        ("Acme", "invalid_name_specials"),
        ("acme inc", "invalid_name_specials"),
        ("acme.inc", "invalid_name_specials"),
        ("a" * 81, "invalid_name_maxlength"),
        ("--__", "invalid_name_punctuation"),
    ],
)
def test_slack_rejects_names_as_documented(http: TestClient, name: str, error: str) -> None:
    """Invalid channel names get HTTP 200 with ok false and the documented invalid_name_* code."""
    answer = slack(http, "conversations.create", name=name)
    assert answer == {"ok": False, "error": error}


def test_slack_allows_a_name_of_exactly_80_characters(http: TestClient) -> None:
    """The limit is 80 characters inclusive."""
    assert slack(http, "conversations.create", name="a" * 80)["ok"] is True


def test_slack_name_taken_also_by_archived_channels(http: TestClient) -> None:
    """A name in use, even by an archived channel, is name_taken; general exists from the start."""
    assert slack(http, "conversations.create", name="general")["error"] == "name_taken"
    channel = slack(http, "conversations.create", name="old-deal")["channel"]
    assert slack(http, "conversations.archive", channel=channel["id"]) == {"ok": True}
    assert slack(http, "conversations.create", name="old-deal")["error"] == "name_taken"


def test_slack_archive_hides_from_unarchived_lists(http: TestClient) -> None:
    """Archiving sets is_archived; exclude_archived leaves it out; archiving twice is refused."""
    channel = slack(http, "conversations.create", name="short-lived")["channel"]
    slack(http, "conversations.archive", channel=channel["id"])
    assert slack(http, "conversations.info", channel=channel["id"])["channel"]["is_archived"]
    unarchived = slack(http, "conversations.list", exclude_archived="true")["channels"]
    assert "short-lived" not in [c["name"] for c in unarchived]
    everything = slack(http, "conversations.list")["channels"]
    assert "short-lived" in [c["name"] for c in everything]
    again = slack(http, "conversations.archive", channel=channel["id"])
    assert again == {"ok": False, "error": "already_archived"}
    general = next(c for c in everything if c["name"] == "general")
    assert slack(http, "conversations.archive", channel=general["id"])["error"] == (
        "cant_archive_general"
    )


def test_slack_unknown_channel(http: TestClient) -> None:
    """An unknown channel id is channel_not_found, for info and archive alike."""
    assert slack(http, "conversations.info", channel="C404")["error"] == "channel_not_found"
    assert slack(http, "conversations.archive", channel="C404")["error"] == "channel_not_found"


def test_slack_list_pages_with_cursors(http: TestClient) -> None:
    """conversations.list pages by response_metadata.next_cursor until it is empty."""
    names = {f"team-{i}" for i in range(7)}
    for name in sorted(names):
        slack(http, "conversations.create", name=name)
    seen: list[str] = []
    cursor = ""
    pages = 0
    while True:
        page = slack(http, "conversations.list", limit="3", cursor=cursor)
        pages += 1
        seen += [c["name"] for c in page["channels"]]
        cursor = page["response_metadata"]["next_cursor"]
        if not cursor:
            break
    assert pages == 3  # 8 channels (general and 7) in pages of 3
    assert sorted(seen) == sorted([*names, "general"])
    assert slack(http, "conversations.list", cursor="bm9wZQ==")["error"] == "invalid_cursor"


def test_slack_refuses_missing_and_unknown_tokens(http: TestClient) -> None:
    """No token is not_authed, an unknown one invalid_auth, both with HTTP 200 as Slack answers."""
    assert slack(http, "auth.test", token=None) == {"ok": False, "error": "not_authed"}
    assert slack(http, "auth.test", token="xoxb-wrong") == {"ok": False, "error": "invalid_auth"}
    assert slack(http, "auth.test", token="test-key")["ok"] is True  # the emulator's API key


def test_slack_auth_test_names_the_team(http: TestClient) -> None:
    """auth.test answers the workspace URL and team id that channel links are built from."""
    answer = slack(http, "auth.test")
    assert answer["team_id"].startswith("T")
    assert answer["url"] == "https://sandbox.slack.com/"


def test_slack_unknown_method_is_404(http: TestClient) -> None:
    """A method Slack does not have is unknown_method (the stand-in serves a subset)."""
    r = http.post("/slack/api/chat.nothing", headers={"Authorization": f"Bearer {SLACK}"})
    assert r.status_code == 404
    assert r.json()["error"] == "unknown_method"


def test_slack_injected_failure_fires_count_times(http: TestClient) -> None:
    """POST /_emulator/standins/fail makes the next calls of a method answer a Slack error."""
    r = http.post(
        "/_emulator/standins/fail",
        json={
            "system": "slack",
            "method": "conversations.create",
            "error": "restricted_action",
            "count": 1,
        },
    )
    assert r.status_code == 200, r.text
    first = slack(http, "conversations.create", name="blocked")
    assert first == {"ok": False, "error": "restricted_action"}
    assert slack(http, "conversations.create", name="blocked")["ok"] is True


def test_injected_failure_bad_request(http: TestClient) -> None:
    """A failure rule naming an unknown system is refused with a reason."""
    r = http.post("/_emulator/standins/fail", json={"system": "teams", "error": "x"})
    assert r.status_code == 400
    assert "system" in r.json()["error"]


def test_reset_clears_standins(http: TestClient) -> None:
    """/_emulator/reset empties the stand-ins as it empties the workspace."""
    slack(http, "conversations.create", name="before-reset")
    folder(http, "Before reset")
    http.post("/_emulator/standins/fail", json={"system": "slack", "error": "fatal_error"})
    assert http.post("/_emulator/reset").status_code == 200
    names = [c["name"] for c in slack(http, "conversations.list")["channels"]]
    assert names == ["general"]
    assert drive(http, "GET", "/files").json()["files"] == []
    assert http.get("/_emulator/standins/fail").json() == []


# -- Drive --------------------------------------------------------------------------------------


def test_drive_create_folder_answers_default_and_requested_fields(http: TestClient) -> None:
    """files.create answers kind, id, name, mimeType by default, and exactly ``fields`` if given."""
    r = drive(http, "POST", "/files", json={"name": "Acme", "mimeType": FOLDER})
    assert r.status_code == 200
    assert set(r.json()) == {"kind", "id", "name", "mimeType"}
    r = drive(
        http,
        "POST",
        "/files",
        params={"fields": "id, name, webViewLink, parents"},
        json={"name": "Beta", "mimeType": FOLDER},
    )
    body = r.json()
    assert set(body) == {"id", "name", "webViewLink", "parents"}
    assert body["webViewLink"] == f"https://drive.google.com/drive/folders/{body['id']}"
    root = drive(http, "GET", "/files/root", params={"fields": "id"}).json()["id"]
    assert body["parents"] == [root]


def test_drive_list_query_subset(http: TestClient) -> None:
    """q with name, mimeType, 'ID' in parents and trashed finds exactly the matching folders."""
    parent = folder(http, "Clients")
    inside = folder(http, "Acme's docs", parent)
    folder(http, "Acme's docs")  # same name, in the root
    q = (
        "name = 'Acme\\'s docs' and mimeType = 'application/vnd.google-apps.folder' "
        f"and '{parent}' in parents and trashed = false"
    )
    r = drive(http, "GET", "/files", params={"q": q, "fields": "files(id, name)"})
    assert r.status_code == 200, r.text
    assert r.json() == {"files": [{"id": inside, "name": "Acme's docs"}]}


def test_drive_list_includes_trash_unless_asked(http: TestClient) -> None:
    """Without trashed = false Drive lists the trash too; a trashed folder takes its content."""
    parent = folder(http, "Old client")
    child = folder(http, "Contracts", parent)
    r = drive(
        http, "PATCH", f"/files/{parent}", params={"fields": "trashed"}, json={"trashed": True}
    )
    assert r.json() == {"trashed": True}
    everything = drive(http, "GET", "/files", params={"fields": "files(id)"}).json()["files"]
    assert {f["id"] for f in everything} == {parent, child}
    live = drive(http, "GET", "/files", params={"q": "trashed = false"}).json()["files"]
    assert live == []
    got = drive(http, "GET", f"/files/{child}", params={"fields": "trashed,explicitlyTrashed"})
    assert got.json() == {"trashed": True, "explicitlyTrashed": False}


def test_drive_list_pages(http: TestClient) -> None:
    """pageSize and nextPageToken page through every file once."""
    ids = {folder(http, f"F{i}") for i in range(5)}
    seen: list[str] = []
    token: str | None = None
    while True:
        params: dict[str, Any] = {"pageSize": 2, "fields": "nextPageToken, files(id)"}
        if token:
            params["pageToken"] = token
        page = drive(http, "GET", "/files", params=params).json()
        seen += [f["id"] for f in page["files"]]
        token = page.get("nextPageToken")
        if not token:
            break
    assert sorted(seen) == sorted(ids)


def test_drive_unknown_file_and_parent_are_404_with_googles_body(http: TestClient) -> None:
    """Unknown ids get 404 notFound "File not found: ID." in Google's error body."""
    r = drive(http, "GET", "/files/nope")
    assert r.status_code == 404
    error = r.json()["error"]
    assert error["code"] == 404
    assert error["message"] == "File not found: nope."
    assert error["errors"][0]["reason"] == "notFound"
    assert error["status"] == "NOT_FOUND"
    r = drive(http, "POST", "/files", json={"name": "x", "mimeType": FOLDER, "parents": ["gone"]})
    assert r.status_code == 404
    assert r.json()["error"]["message"] == "File not found: gone."
    assert drive(http, "DELETE", "/files/nope").status_code == 404


def test_drive_delete_removes_folder_and_content(http: TestClient) -> None:
    """files.delete answers 204 and the folder and what it held are gone."""
    parent = folder(http, "Temp")
    child = folder(http, "Inner", parent)
    r = drive(http, "DELETE", f"/files/{parent}")
    assert r.status_code == 204 and r.content == b""
    assert drive(http, "GET", f"/files/{child}").status_code == 404


def test_drive_rejects_queries_outside_the_subset(http: TestClient) -> None:
    """Query features the stand-in does not model are a 400 invalid on q, not silently ignored."""
    r = drive(http, "GET", "/files", params={"q": "name = 'a' or name = 'b'"})
    assert r.status_code == 400
    detail = r.json()["error"]["errors"][0]
    assert detail["reason"] == "invalid" and detail["location"] == "q"


def test_drive_refuses_bad_tokens(http: TestClient) -> None:
    """A missing or unknown token is 401 with Google's authError body."""
    r = http.get("/drive/v3/files")
    assert r.status_code == 401
    assert r.json()["error"]["status"] == "UNAUTHENTICATED"
    r = drive(http, "GET", "/files", token="ya29.wrong")
    assert r.status_code == 401
    assert r.json()["error"]["errors"][0]["reason"] == "authError"


def test_drive_injected_failure(http: TestClient) -> None:
    """An injected Drive failure answers its status with Google's body, then stops."""
    http.post(
        "/_emulator/standins/fail",
        json={
            "system": "drive",
            "method": "files.create",
            "status": 403,
            "error": "insufficientFilePermissions",
            "count": 1,
        },
    )
    r = drive(http, "POST", "/files", json={"name": "x", "mimeType": FOLDER})
    assert r.status_code == 403
    assert r.json()["error"]["errors"][0]["reason"] == "insufficientFilePermissions"
    assert drive(http, "POST", "/files", json={"name": "x", "mimeType": FOLDER}).status_code == 200


# -- Google's token endpoint --------------------------------------------------------------------


def _jwt(claims: dict[str, Any]) -> str:
    def part(obj: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(orjson.dumps(obj)).rstrip(b"=").decode()

    return f"{part({'alg': 'RS256', 'typ': 'JWT'})}.{part(claims)}.c2lnbmF0dXJl"


def test_token_endpoint_issues_a_token_drive_accepts(http: TestClient) -> None:
    """The JWT bearer grant answers access_token, expires_in, token_type; Drive takes the token."""
    claims = {
        "iss": "bot@project.iam.gserviceaccount.com",
        "scope": "https://www.googleapis.com/auth/drive",
        "aud": "http://emulator.test/google/oauth2/token",
        "iat": int(time.time()),
        "exp": int(time.time()) + 3600,
    }
    r = http.post(
        "/google/oauth2/token",
        data={
            "grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer",
            "assertion": _jwt(claims),
        },
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert set(body) == {"access_token", "expires_in", "token_type"}
    assert body["token_type"] == "Bearer"
    assert drive(http, "GET", "/files", token=body["access_token"]).status_code == 200


def test_token_endpoint_refuses_bad_grants(http: TestClient) -> None:
    """A wrong grant type, a malformed or expired JWT get OAuth's 400 error bodies."""
    grant = "urn:ietf:params:oauth:grant-type:jwt-bearer"
    r = http.post("/google/oauth2/token", data={"grant_type": "password", "assertion": "x"})
    assert (r.status_code, r.json()["error"]) == (400, "unsupported_grant_type")
    r = http.post("/google/oauth2/token", data={"grant_type": grant, "assertion": "not-a-jwt"})
    assert (r.status_code, r.json()["error"]) == (400, "invalid_grant")
    expired = _jwt({"iss": "a", "scope": "s", "exp": int(time.time()) - 10})
    r = http.post("/google/oauth2/token", data={"grant_type": grant, "assertion": expired})
    assert (r.status_code, r.json()["error"]) == (400, "invalid_grant")


def test_token_endpoint_injected_failure_and_tokens_outlive_a_reset(http: TestClient) -> None:
    """``{"system": "google"}`` fails the token endpoint with OAuth's body; a reset keeps the
    tokens issued before it (a real token outlives the data it reached)."""
    grant = "urn:ietf:params:oauth:grant-type:jwt-bearer"
    claims = {"iss": "bot@p.iam.gserviceaccount.com", "scope": "drive", "exp": time.time() + 60}
    form = {"grant_type": grant, "assertion": _jwt(claims)}
    rule = {"system": "google", "method": "token", "count": 1, "status": 503}
    assert http.post("/_emulator/standins/fail", json=rule).status_code == 200
    r = http.post("/google/oauth2/token", data=form)
    assert (r.status_code, r.json()["error"]) == (503, "internal_error")
    token = http.post("/google/oauth2/token", data=form).json()["access_token"]
    assert http.post("/_emulator/reset").status_code == 200
    assert drive(http, "GET", "/files", token=token).status_code == 200


def test_drive_root_cannot_be_trashed_or_deleted(http: TestClient) -> None:
    """My Drive's root (alias root) refuses changes with 403, as Drive does."""
    answers = [
        drive(http, "PATCH", "/files/root", json={"trashed": True}),
        drive(http, "DELETE", "/files/root"),
    ]
    for r in answers:
        assert r.status_code == 403
        assert r.json()["error"]["errors"][0]["reason"] == "insufficientFilePermissions"


def test_drive_unknown_field_selection_is_400(http: TestClient) -> None:
    """A fields selection naming a field files do not have is a 400 on fields."""
    r = drive(http, "GET", "/files/root", params={"fields": "id, colour"})
    assert r.status_code == 400
    assert r.json()["error"]["errors"][0]["location"] == "fields"
