"""Meetings, call recordings and transcripts in the emulator, through its HTTP API.

Sources: API-NOTES §1 (endpoint table, cursor pagination), §6 (meeting bodies), §7 (the
call-recording.created event), §8 (the 1 request/second recording limit and its 429), gotcha 18
(the 204 delete), and the SPEC's schemas for these paths.
"""

from __future__ import annotations

from email.utils import parsedate_to_datetime
from typing import Any

import pytest
from starlette.testclient import TestClient

from attio_bridge.emulator import EmulatorConfig, create_app
from attio_bridge.emulator.app import EmulatorApp

from ._spec import check_response

Event = dict[str, Any]
MISSING = "00000000-0000-4000-8000-000000000000"


@pytest.fixture
def events(emulator: EmulatorApp) -> list[Event]:
    """Every webhook event the workspace emits from now on."""
    seen: list[Event] = []
    emulator.state.workspace.listeners.append(seen.append)
    return seen


def _body(ref: Any = "ext-1", **overrides: Any) -> dict[str, Any]:
    return {
        "title": "Kickoff",
        "description": "First call",
        "start": {"datetime": "2026-03-02T14:00:00Z", "timezone": None},
        "end": {"datetime": "2026-03-02T15:00:00Z", "timezone": None},
        "is_all_day": False,
        "participants": [
            {"email_address": "Ada@Example.com", "is_organizer": True, "status": "accepted"},
            {
                "email_address": "bob.smith@example.com",
                "is_organizer": "false",
                "status": "pending",
            },
        ],
        "external_ref": ref,
        **overrides,
    }


def _meeting(api: TestClient, ref: Any = "ext-1", **overrides: Any) -> Any:
    return api.post("/v2/meetings", json={"data": _body(ref, **overrides)})


def _at(day: int, hour: int) -> dict[str, Any]:
    return {"datetime": f"2026-03-{day:02d}T{hour:02d}:00:00Z", "timezone": None}


def _error(r: Any, status: int, code: str) -> str:
    assert r.status_code == status, r.text
    body = r.json()
    assert body["code"] == code, body
    return str(body["message"])


def _walk(api: TestClient, path: str, limit: int | None = None, **params: Any) -> list[Any]:
    """The ``data`` of every page of a cursor-paginated list, following next_cursor to null."""
    pages: list[Any] = []
    cursor: str | None = None
    while True:
        query = dict(params)
        if limit is not None:
            query["limit"] = limit
        if cursor is not None:
            query["cursor"] = cursor
        r = api.get(path, params=query)
        assert r.status_code == 200, r.text
        body = r.json()
        pages.append(body["data"])
        cursor = body["pagination"]["next_cursor"]
        if cursor is None:
            return pages
        assert len(pages) < 100, "the cursor never ran out"


# -- meetings --------------------------------------------------------------------------------------
def test_find_or_create_meeting_by_external_ref(api: TestClient) -> None:
    """API-NOTES §6: POST /v2/meetings finds the meeting with the same external_ref, or creates."""
    first = _meeting(api)
    assert first.status_code == 200, first.text
    meeting = first.json()["data"]
    assert meeting["title"] == "Kickoff"
    assert meeting["description"] == "First call"
    assert meeting["is_all_day"] is False
    assert meeting["start"] == {"datetime": "2026-03-02T14:00:00.000Z", "timezone": None}
    assert meeting["participants"] == [
        # name: null unless given when the participant was created (attio 0.26.1's model).
        {
            "status": "accepted",
            "is_organizer": True,
            "email_address": "ada@example.com",
            "name": None,
        },
        {
            "status": "pending",
            "is_organizer": False,
            "email_address": "bob.smith@example.com",
            "name": None,
        },
    ]
    assert meeting["created_by_actor"]["type"] == "api-token"
    again = _meeting(api, title="Renamed").json()["data"]
    assert again == meeting
    other = _meeting(api, ref="ext-2").json()["data"]
    assert other["id"]["meeting_id"] != meeting["id"]["meeting_id"]
    got = api.get(f"/v2/meetings/{meeting['id']['meeting_id']}")
    assert got.json()["data"] == meeting


def test_ical_external_ref(api: TestClient) -> None:
    """SPEC: external_ref may be {ical_uid, provider, is_recurring, original_start_time?}."""
    ref = {"ical_uid": "abc@google.com", "provider": "google", "is_recurring": False}
    first = _meeting(api, ref=ref).json()["data"]
    assert _meeting(api, ref=dict(ref)).json()["data"]["id"] == first["id"]
    moved = {**ref, "is_recurring": True, "original_start_time": "2026-03-09T14:00:00Z"}
    assert _meeting(api, ref=moved).json()["data"]["id"] != first["id"]
    _error(_meeting(api, ref={"ical_uid": "x", "is_recurring": False}), 400, "validation_type")
    _error(_meeting(api, ref={**ref, "provider": "yahoo"}), 400, "validation_type")
    _error(_meeting(api, ref=""), 400, "validation_type")


@pytest.mark.parametrize(
    "field",
    ["title", "description", "start", "end", "is_all_day", "participants", "external_ref"],
)
def test_meeting_required_fields(api: TestClient, field: str) -> None:
    """API-NOTES §6: seven required fields; a missing one is a 400 naming it."""
    body = _body()
    del body[field]
    assert field in _error(api.post("/v2/meetings", json={"data": body}), 400, "validation_type")


def test_meeting_times(api: TestClient) -> None:
    """SPEC: all-day meetings use {date}, others {datetime, timezone?}; a local time uses the
    timezone, and an invalid timezone is treated as UTC."""
    local = {"datetime": "2026-07-01T09:00:00", "timezone": "Europe/London"}
    end = {"datetime": "2026-07-01T10:00:00", "timezone": "Europe/London"}
    m = _meeting(api, ref="tz", start=local, end=end).json()["data"]
    assert m["start"] == {"datetime": "2026-07-01T09:00:00.000+01:00", "timezone": "Europe/London"}
    bogus = {"datetime": "2026-07-01T09:00:00", "timezone": "Mars/Olympus"}
    later = {"datetime": "2026-07-01T10:00:00", "timezone": "Mars/Olympus"}
    m = _meeting(api, ref="bogus", start=bogus, end=later).json()["data"]
    assert m["start"] == {"datetime": "2026-07-01T09:00:00.000Z", "timezone": None}
    day = _meeting(
        api, ref="day", is_all_day=True, start={"date": "2026-07-01"}, end={"date": "2026-07-02"}
    ).json()["data"]
    assert (day["start"], day["end"]) == ({"date": "2026-07-01"}, {"date": "2026-07-02"})
    _error(_meeting(api, ref="mixed", is_all_day=True), 400, "validation_type")
    _error(
        _meeting(api, ref="mixed", start={"date": "2026-07-01"}, end={"date": "2026-07-02"}),
        400,
        "validation_type",
    )
    _error(_meeting(api, ref="back", start=_at(2, 15), end=_at(2, 14)), 400, "validation_type")


def test_meeting_times_before_year_1000(api: TestClient) -> None:
    """ISO 8601 years are four digits: a year-63 start reads back as 0063 and still sorts."""
    old = {"datetime": "0063-10-19T11:31:26Z", "timezone": None}
    m = _meeting(api, ref="ancient", start=old, end=_at(2, 10))
    assert m.status_code == 200, m.text
    assert m.json()["data"]["start"]["datetime"] == "0063-10-19T11:31:26.000Z"
    assert api.get("/v2/meetings").json()["data"][0]["id"] == m.json()["data"]["id"]
    # Year 1 at midnight UTC has no local time west of Greenwich.
    edge = {"datetime": "0001-01-01T00:00:00Z", "timezone": "America/New_York"}
    _error(_meeting(api, ref="edge", start=edge, end=_at(2, 10)), 400, "validation_type")


def test_meeting_participants_are_validated(api: TestClient) -> None:
    """SPEC: each participant needs email_address, is_organizer and a known status."""
    bad_status = [{"email_address": "a@b.com", "is_organizer": True, "status": "maybe"}]
    _error(_meeting(api, participants=bad_status), 400, "validation_type")
    no_email = [{"email_address": "not-an-email", "is_organizer": True, "status": "accepted"}]
    _error(_meeting(api, participants=no_email), 400, "validation_type")
    no_flag = [{"email_address": "a@b.com", "status": "accepted"}]
    _error(_meeting(api, participants=no_flag), 400, "validation_type")


def test_meeting_linked_records(api: TestClient) -> None:
    """SPEC: linked_records are {object, record_id}; participants' people are linked too."""
    people = api.get("/v2/objects/people").json()["data"]["id"]["object_id"]
    companies = api.get("/v2/objects/companies").json()["data"]["id"]["object_id"]
    ada = api.post(
        "/v2/objects/people/records",
        json={"data": {"values": {"email_addresses": ["ada@example.com"]}}},
    ).json()["data"]["id"]["record_id"]
    acme = api.post(
        "/v2/objects/companies/records", json={"data": {"values": {"domains": ["acme.com"]}}}
    ).json()["data"]["id"]["record_id"]
    linked = [{"object": "companies", "record_id": acme}]
    meeting = _meeting(api, linked_records=linked).json()["data"]
    assert meeting["linked_records"] == [
        {"object_slug": "companies", "object_id": companies, "record_id": acme},
        {"object_slug": "people", "object_id": people, "record_id": ada},
    ]
    missing = [{"object": "companies", "record_id": MISSING}]
    _error(_meeting(api, ref="x", linked_records=missing), 400, "value_not_found")


def test_list_meetings_cursor_walk_loses_nothing(api: TestClient) -> None:
    """API-NOTES §1: meetings paginate by cursor (limit 1-200, default 50) sorted by start."""
    made = [
        _meeting(api, ref=f"m{i}", start=_at(10 - i, 9), end=_at(10 - i, 10)).json()["data"]
        for i in range(7)
    ]
    by_start = [m["id"]["meeting_id"] for m in reversed(made)]
    pages = _walk(api, "/v2/meetings", limit=3)
    assert [len(p) for p in pages] == [3, 3, 1]
    assert [m["id"]["meeting_id"] for p in pages for m in p] == by_start
    desc = _walk(api, "/v2/meetings", limit=2, sort="start_desc")
    assert [m["id"]["meeting_id"] for p in desc for m in p] == by_start[::-1]
    one_page = api.get("/v2/meetings").json()
    assert one_page["pagination"]["next_cursor"] is None
    assert len(one_page["data"]) == 7
    _error(api.get("/v2/meetings", params={"limit": 0}), 400, "validation_type")
    _error(api.get("/v2/meetings", params={"limit": 201}), 400, "validation_type")
    _error(api.get("/v2/meetings", params={"cursor": "garbage!"}), 400, "validation_type")
    _error(api.get("/v2/meetings", params={"sort": "title"}), 400, "validation_type")


def test_list_meetings_filters(api: TestClient) -> None:
    """SPEC GET /v2/meetings: participants (any of a CSV), linked record, ends_from (inclusive),
    starts_before (exclusive)."""
    early = _meeting(api, ref="early", start=_at(2, 9), end=_at(2, 10)).json()["data"]
    late = _meeting(
        api,
        ref="late",
        start=_at(3, 9),
        end=_at(3, 10),
        participants=[
            {"email_address": "carol@example.com", "is_organizer": True, "status": "accepted"}
        ],
    ).json()["data"]

    def ids(**params: Any) -> list[str]:
        r = api.get("/v2/meetings", params=params)
        assert r.status_code == 200, r.text
        return [m["id"]["meeting_id"] for m in r.json()["data"]]

    e, lt = early["id"]["meeting_id"], late["id"]["meeting_id"]
    assert ids(participants="carol@example.com") == [lt]
    assert ids(participants="CAROL@example.com,ada@example.com") == [e, lt]
    assert ids(ends_from="2026-03-02T10:00:00Z") == [e, lt]
    assert ids(ends_from="2026-03-02T10:00:01Z") == [lt]
    assert ids(starts_before="2026-03-03T09:00:00Z") == [e]
    person = api.post(
        "/v2/objects/people/records",
        json={"data": {"values": {"email_addresses": ["dan@example.com"]}}},
    ).json()["data"]["id"]["record_id"]
    linked = _meeting(
        api, ref="linked", linked_records=[{"object": "people", "record_id": person}]
    ).json()["data"]
    assert ids(linked_object="people", linked_record_id=person) == [linked["id"]["meeting_id"]]
    _error(api.get("/v2/meetings", params={"linked_object": "people"}), 400, "validation_type")
    _error(api.get("/v2/meetings", params={"timezone": "Nowhere/City"}), 400, "validation_type")


def test_all_day_meetings_are_filtered_in_the_given_timezone(api: TestClient) -> None:
    """SPEC: ends_from/starts_before judge all-day meetings from the `timezone` parameter."""
    day = _meeting(
        api, ref="day", is_all_day=True, start={"date": "2026-03-05"}, end={"date": "2026-03-06"}
    ).json()["data"]["id"]["meeting_id"]
    # The day starts at 2026-03-05T00:00 in Tokyo, which is 2026-03-04T15:00 UTC.
    before = {"starts_before": "2026-03-04T16:00:00Z"}
    assert api.get("/v2/meetings", params=before).json()["data"] == []
    tokyo = api.get("/v2/meetings", params={**before, "timezone": "Asia/Tokyo"}).json()["data"]
    assert [m["id"]["meeting_id"] for m in tokyo] == [day]


def test_unknown_meeting_is_404(api: TestClient) -> None:
    """API-NOTES §8: a missing meeting is 404 not_found."""
    _error(api.get(f"/v2/meetings/{MISSING}"), 404, "not_found")
    _error(api.get(f"/v2/meetings/{MISSING}/call_recordings"), 404, "not_found")


# -- call recordings -------------------------------------------------------------------------------
def _recording(
    api: TestClient, meeting_id: str, url: str = "https://cdn.example.com/call.mp4"
) -> Any:
    return api.post(f"/v2/meetings/{meeting_id}/call_recordings", json={"data": {"video_url": url}})


def test_create_recording_then_get_and_event(api: TestClient, events: list[Event]) -> None:
    """SPEC: a new recording starts `processing`; API-NOTES §7 call-recording.created ids;
    API-NOTES §9 web_url form …/<ws>/calls/<meeting_id>/<call_recording_id>."""
    mid = _meeting(api).json()["data"]["id"]["meeting_id"]
    events.clear()
    r = _recording(api, mid)
    assert r.status_code == 200, r.text
    rec = r.json()["data"]
    rid = rec["id"]["call_recording_id"]
    assert rec["id"]["meeting_id"] == mid
    assert rec["status"] == "processing"
    slug = api.get("/v2/self").json()["workspace_slug"]
    assert rec["web_url"] == f"https://app.attio.com/{slug}/calls/{mid}/{rid}"
    got = api.get(f"/v2/meetings/{mid}/call_recordings/{rid}").json()["data"]
    assert got["status"] == "completed"
    # Processing, the transcript is null; completed, it is there (the newer spec's recording).
    assert rec["transcript"] is None
    assert {k: v for k, v in got.items() if k not in ("status", "transcript")} == {
        k: v for k, v in rec.items() if k not in ("status", "transcript")
    }
    assert got["video_url"] == "https://cdn.example.com/call.mp4"
    assert got["transcript"]["segments"][0]["speaker"]["name"]
    assert got["transcript"]["raw_transcript"].startswith("[00:00] ")
    assert events == [
        {
            "event_type": "call-recording.created",
            "id": rec["id"],
            "actor": rec["created_by_actor"],
        }
    ]


def test_video_url_must_be_https_mp4(api: TestClient) -> None:
    """SPEC: the video URL must use https and be an .mp4 file; else 400 validation_type."""
    mid = _meeting(api).json()["data"]["id"]["meeting_id"]
    message = _error(
        _recording(api, mid, "http://cdn.example.com/call.mp4"), 400, "validation_type"
    )
    assert "https" in message
    _error(_recording(api, mid, "https://cdn.example.com/call.mov"), 400, "validation_type")
    _error(
        api.post(f"/v2/meetings/{mid}/call_recordings", json={"data": {}}), 400, "validation_type"
    )
    assert _recording(api, mid, "https://cdn.example.com/call.MP4?sig=1").status_code == 200
    _error(_recording(api, MISSING), 404, "not_found")


def test_list_recordings_by_cursor(api: TestClient) -> None:
    """API-NOTES §1: recordings paginate by cursor; each meeting lists only its own."""
    mid = _meeting(api).json()["data"]["id"]["meeting_id"]
    other = _meeting(api, ref="other").json()["data"]["id"]["meeting_id"]
    made = [_recording(api, mid).json()["data"]["id"]["call_recording_id"] for _ in range(5)]
    _recording(api, other)
    pages = _walk(api, f"/v2/meetings/{mid}/call_recordings", limit=2)
    assert [r["id"]["call_recording_id"] for p in pages for r in p] == made
    assert [len(p) for p in pages] == [2, 2, 1]
    assert all(r["status"] == "completed" for p in pages for r in p)


def test_delete_recording_is_204_without_body(api: TestClient) -> None:
    """API-NOTES gotcha 18: deleting a call recording answers 204 with no body."""
    mid = _meeting(api).json()["data"]["id"]["meeting_id"]
    other = _meeting(api, ref="other").json()["data"]["id"]["meeting_id"]
    rid = _recording(api, mid).json()["data"]["id"]["call_recording_id"]
    _error(api.get(f"/v2/meetings/{other}/call_recordings/{rid}"), 404, "not_found")
    _error(api.delete(f"/v2/meetings/{other}/call_recordings/{rid}"), 404, "not_found")
    r = api.delete(f"/v2/meetings/{mid}/call_recordings/{rid}")
    assert r.status_code == 204
    assert r.content == b""
    _error(api.get(f"/v2/meetings/{mid}/call_recordings/{rid}"), 404, "not_found")
    _error(api.get(f"/v2/meetings/{mid}/call_recordings/{rid}/transcript"), 404, "not_found")
    assert api.get(f"/v2/meetings/{mid}/call_recordings").json()["data"] == []


def test_transcript_pages_and_shape(api: TestClient) -> None:
    """API-NOTES §1: transcript segments {speech, start_time, end_time, speaker{name}} by cursor,
    with raw_transcript and web_url on every page."""
    mid = _meeting(api).json()["data"]["id"]["meeting_id"]
    rec = _recording(api, mid).json()["data"]
    path = f"/v2/meetings/{mid}/call_recordings/{rec['id']['call_recording_id']}/transcript"
    pages = _walk(api, path)
    assert len(pages) > 1, "the emulator's transcript should span pages to exercise the cursor"
    first = api.get(path).json()["data"]
    assert first["id"] == rec["id"]
    assert first["web_url"] == rec["web_url"] + "/transcript"
    segments = [s for page in pages for s in page["transcript"]]
    assert all(set(s) == {"speech", "start_time", "end_time", "speaker"} for s in segments)
    assert all(s["start_time"] < s["end_time"] for s in segments)
    starts = [s["start_time"] for s in segments]
    assert starts == sorted(starts) and len(set(starts)) == len(starts)
    speakers = {s["speaker"]["name"] for s in segments}
    assert speakers == {"Ada Admin", "Bob Smith"}  # a member's name, then the email's local part
    raw = first["raw_transcript"]
    assert all(page["raw_transcript"] == raw for page in pages)
    assert " ".join(s["speech"] for s in segments) == " ".join(
        line.split(": ", 1)[1] for line in raw.split("\n")
    )
    # The same meeting is always transcribed the same way.
    again = _recording(api, mid).json()["data"]["id"]["call_recording_id"]
    other = _walk(api, f"/v2/meetings/{mid}/call_recordings/{again}/transcript")
    assert [p["transcript"] for p in other] == [p["transcript"] for p in pages]


# -- the 1 request per second limit ----------------------------------------------------------------
def test_recording_create_is_limited_to_one_per_second_per_token() -> None:
    """API-NOTES §8 and the SPEC: creating call recordings is limited to 1 request per second,
    refused with Attio's 429 body and an HTTP-date Retry-After, before anything is created."""
    app = create_app(EmulatorConfig(api_keys=["one", "two"]))
    with (
        TestClient(app, base_url="http://e", headers={"Authorization": "Bearer one"}) as one,
        TestClient(app, base_url="http://e", headers={"Authorization": "Bearer two"}) as two,
    ):
        mid = _meeting(one).json()["data"]["id"]["meeting_id"]
        assert _recording(one, mid).status_code == 200
        refused = _recording(one, mid)
        assert refused.status_code == 429
        assert refused.json() == {
            "status_code": 429,
            "type": "rate_limit_error",
            "code": "rate_limit_exceeded",
            "message": "Rate limit exceeded, please try again later",
        }
        retry_at = parsedate_to_datetime(refused.headers["Retry-After"])
        assert retry_at.tzinfo is not None
        assert refused.headers["Retry-After"].endswith(" GMT")
        # The limit is per token: another key may create one at once.
        assert _recording(two, mid).status_code == 200
        assert len(one.get(f"/v2/meetings/{mid}/call_recordings").json()["data"]) == 2
        # Other endpoints are not held to it.
        assert one.get(f"/v2/meetings/{mid}").status_code == 200


# -- shapes against the SPEC -----------------------------------------------------------------------
def test_meeting_responses_match_the_spec(api: TestClient) -> None:
    """The SPEC's 200 schemas for meetings, recordings and transcripts."""
    created = _meeting(api).json()
    check_response("POST", "/v2/meetings", 200, created)
    mid = created["data"]["id"]["meeting_id"]
    check_response("GET", "/v2/meetings", 200, api.get("/v2/meetings").json())
    check_response("GET", "/v2/meetings/{meeting_id}", 200, api.get(f"/v2/meetings/{mid}").json())
    rec = _recording(api, mid).json()
    check_response("POST", "/v2/meetings/{meeting_id}/call_recordings", 200, rec)
    listed = api.get(f"/v2/meetings/{mid}/call_recordings").json()
    check_response("GET", "/v2/meetings/{meeting_id}/call_recordings", 200, listed)
    rid = rec["data"]["id"]["call_recording_id"]
    transcript = api.get(f"/v2/meetings/{mid}/call_recordings/{rid}/transcript").json()
    check_response(
        "GET",
        "/v2/meetings/{meeting_id}/call_recordings/{call_recording_id}/transcript",
        200,
        transcript,
    )
