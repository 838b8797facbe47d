"""Notes, tasks, threads and comments in the emulator, through its HTTP API.

Sources: API-NOTES §1 (endpoint table, pagination), §6 (bodies and read shapes), §7 (events),
gotchas 6 and 15, and the SPEC's request and response schemas for these paths.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

from attio_bridge.emulator.app import EmulatorApp

from ._spec import check_response

Event = dict[str, Any]


# -- helpers ---------------------------------------------------------------------------------------
@pytest.fixture
def events(emulator: EmulatorApp) -> list[Event]:
    """Every webhook event the workspace emits from now on."""
    seen: list[Event] = []
    emulator.state.workspace.listeners.append(seen.append)
    return seen


def _person(api: TestClient, email: str) -> str:
    r = api.post(
        "/v2/objects/people/records", json={"data": {"values": {"email_addresses": [email]}}}
    )
    assert r.status_code == 200, r.text
    return str(r.json()["data"]["id"]["record_id"])


def _object_id(api: TestClient, slug: str) -> str:
    return str(api.get(f"/v2/objects/{slug}").json()["data"]["id"]["object_id"])


def _member(api: TestClient) -> dict[str, Any]:
    members: list[dict[str, Any]] = api.get("/v2/workspace_members").json()["data"]
    return members[0]


def _note(api: TestClient, record_id: str, **overrides: Any) -> Any:
    body = {
        "parent_object": "people",
        "parent_record_id": record_id,
        "title": "Call",
        "format": "plaintext",
        "content": "Spoke to Ada.",
        **overrides,
    }
    return api.post("/v2/notes", json={"data": body})


def _task(api: TestClient, **overrides: Any) -> Any:
    body = {
        "content": "Follow up",
        "format": "plaintext",
        "deadline_at": None,
        "is_completed": False,
        "linked_records": [],
        "assignees": [],
        **overrides,
    }
    return api.post("/v2/tasks", json={"data": body})


def _comment(api: TestClient, author_id: str, **target: Any) -> Any:
    body = {
        "format": "plaintext",
        "content": "Looks good",
        "author": {"type": "workspace-member", "id": author_id},
        **target,
    }
    return api.post("/v2/comments", json={"data": body})


def _walk(api: TestClient, path: str, limit: int, **params: Any) -> list[list[str]]:
    """Every page of an offset-paginated list, as lists of ids, until a short page."""
    pages: list[list[str]] = []
    offset = 0
    while True:
        r = api.get(path, params={**params, "limit": limit, "offset": offset})
        assert r.status_code == 200, r.text
        page = [
            next(v for k, v in item["id"].items() if k != "workspace_id")
            for item in r.json()["data"]
        ]
        pages.append(page)
        if len(page) < limit:
            return pages
        offset += limit


def _error(r: Any, status: int, code: str) -> str:
    assert r.status_code == status, r.text
    body = r.json()
    assert body["code"] == code, body
    assert set(body) >= {"status_code", "type", "code", "message"}
    return str(body["message"])


# -- notes -----------------------------------------------------------------------------------------
def test_note_create_get_and_event(api: TestClient, events: list[Event]) -> None:
    """API-NOTES §6 note read shape; §7 note.created carries parent_object_id/parent_record_id."""
    rid = _person(api, "ada@example.com")
    events.clear()
    r = _note(api, rid, content="Line *one*\n# not a heading")
    assert r.status_code == 200, r.text
    note = r.json()["data"]
    assert note["parent_object"] == "people"
    assert note["parent_record_id"] == rid
    assert note["title"] == "Call"
    assert note["meeting_id"] is None
    assert note["tags"] == []
    assert note["content_plaintext"] == "Line *one*\n# not a heading"
    # Plaintext comes back as markdown with its markup characters escaped.
    assert note["content_markdown"] == "Line \\*one\\*\n\\# not a heading"
    assert note["created_by_actor"]["type"] == "api-token"
    got = api.get(f"/v2/notes/{note['id']['note_id']}")
    assert got.json()["data"] == note
    assert events == [
        {
            "event_type": "note.created",
            "id": {"workspace_id": note["id"]["workspace_id"], "note_id": note["id"]["note_id"]},
            "parent_object_id": _object_id(api, "people"),
            "parent_record_id": rid,
            "actor": note["created_by_actor"],
        }
    ]


def test_markdown_note_reads_back_as_the_specs_plaintext(api: TestClient) -> None:
    """The SPEC's note example: this content_markdown has this content_plaintext."""
    markdown = (
        "# Introduction\nDate and time of the call\nParticipants\nPurpose of the call\n\n"
        "## Customer Background\n- Company overview (industry, size, location)\n"
        "- Key business challenges\n- Current software solutions (if any) and pain points"
    )
    r = _note(api, _person(api, "ada@example.com"), format="markdown", content=markdown)
    note = r.json()["data"]
    assert note["content_markdown"] == markdown
    assert note["content_plaintext"] == (
        "Introduction\nDate and time of the call\nParticipants\nPurpose of the call\n"
        "Customer Background\nCompany overview (industry, size, location)\n"
        "Key business challenges\nCurrent software solutions (if any) and pain points"
    )


def test_markdown_inline_styles_are_stripped(api: TestClient) -> None:
    """SPEC POST /v2/notes: bold, italic, strike, highlight, links and ordered lists."""
    markdown = "1. **bold** __b2__ *it* _it2_ ~~gone~~ ==lit== [Attio](https://attio.com)\n### H3"
    note = _note(api, _person(api, "ada@example.com"), format="markdown", content=markdown)
    assert note.json()["data"]["content_plaintext"] == "bold b2 it it2 gone lit Attio\nH3"


# Lines rich in markdown's characters, plus arbitrary text, so markup-like input is explored.
_MARKUP = [
    "#",
    "##",
    "-",
    "+",
    "*",
    "**",
    "_",
    "__",
    "~~",
    "==",
    "[",
    "]",
    "(",
    ")",
    "\\",
    "1.",
    "2)",
]
_CHUNK = st.sampled_from([*_MARKUP, " ", "  ", "a", "word", "."]) | st.text(
    alphabet=st.characters(
        blacklist_categories=["Cs", "Co", "Zl", "Zp", "Cc"], blacklist_characters="\n"
    ),
    max_size=3,
)
_LINE = st.lists(_CHUNK, min_size=1, max_size=8).map("".join).filter(lambda s: s.strip() != "")


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(lines=st.lists(_LINE, min_size=1, max_size=4))
def test_plaintext_survives_the_markdown_round_trip(api: TestClient, lines: list[str]) -> None:
    """A plaintext note's content_markdown, posted as markdown, reads back as the same plaintext."""
    rid = _person(api, f"{uuid.uuid4().hex}@example.com")
    text = "\n".join(lines)
    first = _note(api, rid, content=text).json()["data"]
    assert first["content_plaintext"] == text
    again = _note(api, rid, format="markdown", content=first["content_markdown"]).json()["data"]
    assert again["content_plaintext"] == text


@pytest.mark.parametrize(
    "field", ["parent_object", "parent_record_id", "title", "format", "content"]
)
def test_note_required_fields(api: TestClient, field: str) -> None:
    """SPEC POST /v2/notes: five required fields; a missing one is a 400 naming it."""
    rid = _person(api, "ada@example.com")
    body = {
        "parent_object": "people",
        "parent_record_id": rid,
        "title": "t",
        "format": "plaintext",
        "content": "c",
    }
    del body[field]
    message = _error(api.post("/v2/notes", json={"data": body}), 400, "validation_type")
    assert field in message


def test_note_parent_must_exist(api: TestClient) -> None:
    """API-NOTES §8: a missing parent record is 400 value_not_found; an unknown object 404."""
    _error(_note(api, "00000000-0000-4000-8000-000000000000"), 400, "value_not_found")
    rid = _person(api, "ada@example.com")
    _error(_note(api, rid, parent_object="nope"), 404, "not_found")
    _error(_note(api, rid, format="html"), 400, "validation_type")


def test_note_parent_object_by_id_reads_back_as_slug(api: TestClient) -> None:
    """SPEC: parent_object is "the ID or slug"; the read shape names the slug (API-NOTES §6)."""
    rid = _person(api, "ada@example.com")
    note = _note(api, rid, parent_object=_object_id(api, "people")).json()["data"]
    assert note["parent_object"] == "people"


def test_note_created_at_backdating(api: TestClient) -> None:
    """SPEC: created_at may be backdated, but not before 1970 nor into the future."""
    rid = _person(api, "ada@example.com")
    old = _note(api, rid, created_at="2020-05-01T10:00:00+02:00").json()["data"]
    assert old["created_at"] == "2020-05-01T08:00:00.000000000Z"
    _error(_note(api, rid, created_at="1969-12-31T23:59:59Z"), 400, "validation_type")
    _error(_note(api, rid, created_at="2999-01-01T00:00:00Z"), 400, "validation_type")
    _error(_note(api, rid, created_at="yesterday"), 400, "validation_type")


def test_note_meeting_must_exist(api: TestClient) -> None:
    """SPEC: "If provided, the meeting must exist"."""
    rid = _person(api, "ada@example.com")
    _error(
        _note(api, rid, meeting_id="00000000-0000-4000-8000-000000000000"), 400, "value_not_found"
    )
    meeting = api.post(
        "/v2/meetings",
        json={
            "data": {
                "title": "Sync",
                "description": "",
                "start": {"date": "2026-01-05"},
                "end": {"date": "2026-01-06"},
                "is_all_day": True,
                "participants": [],
                "external_ref": "sync-1",
            }
        },
    ).json()["data"]
    mid = meeting["id"]["meeting_id"]
    assert _note(api, rid, meeting_id=mid).json()["data"]["meeting_id"] == mid


def test_list_notes_filters_and_limits(api: TestClient) -> None:
    """API-NOTES §1: notes are filtered by parent; limit defaults to 10 and is capped at 50."""
    ada, bob = _person(api, "ada@example.com"), _person(api, "bob@example.com")
    mine = [_note(api, ada, title=f"n{i}").json()["data"]["id"]["note_id"] for i in range(12)]
    _note(api, bob)
    assert len(api.get("/v2/notes").json()["data"]) == 10
    r = api.get(
        "/v2/notes", params={"parent_object": "people", "parent_record_id": ada, "limit": 50}
    )
    assert [n["id"]["note_id"] for n in r.json()["data"]] == mine
    _error(api.get("/v2/notes", params={"limit": 51}), 400, "validation_type")
    pages = _walk(api, "/v2/notes", 5, parent_object="people", parent_record_id=ada)
    assert [len(p) for p in pages] == [5, 5, 2]
    assert [i for p in pages for i in p] == mine


def test_delete_note(api: TestClient, events: list[Event]) -> None:
    """API-NOTES §1: DELETE returns 200 {}; §7 note.deleted carries the parent ids."""
    rid = _person(api, "ada@example.com")
    note_id = _note(api, rid).json()["data"]["id"]["note_id"]
    events.clear()
    r = api.delete(f"/v2/notes/{note_id}")
    assert (r.status_code, r.json()) == (200, {})
    _error(api.get(f"/v2/notes/{note_id}"), 404, "not_found")
    _error(api.delete(f"/v2/notes/{note_id}"), 404, "not_found")
    assert [(e["event_type"], e["id"]["note_id"], e["parent_record_id"]) for e in events] == [
        ("note.deleted", note_id, rid)
    ]
    assert events[0]["parent_object_id"] == _object_id(api, "people")


# -- tasks -----------------------------------------------------------------------------------------
def test_task_create_read_shape_and_event(api: TestClient, events: list[Event]) -> None:
    """API-NOTES §6 task read shape; gotcha 6: linked_records name target_object_id, a UUID."""
    rid = _person(api, "ada@example.com")
    member = _member(api)
    events.clear()
    r = _task(
        api,
        deadline_at="2030-01-02T03:04:05Z",
        linked_records=[{"target_object": "people", "target_record_id": rid}],
        assignees=[{"workspace_member_email_address": member["email_address"]}],
    )
    assert r.status_code == 200, r.text
    task = r.json()["data"]
    assert task["content_plaintext"] == "Follow up"
    assert task["deadline_at"] == "2030-01-02T03:04:05.000000000Z"
    assert task["is_completed"] is False
    assert task["linked_records"] == [
        {"target_object_id": _object_id(api, "people"), "target_record_id": rid}
    ]
    assert task["assignees"] == [
        {
            "referenced_actor_type": "workspace-member",
            "referenced_actor_id": member["id"]["workspace_member_id"],
        }
    ]
    assert api.get(f"/v2/tasks/{task['id']['task_id']}").json()["data"] == task
    assert events == [
        {
            "event_type": "task.created",
            "id": task["id"],
            "actor": task["created_by_actor"],
        }
    ]


@pytest.mark.parametrize(
    "field", ["content", "format", "deadline_at", "is_completed", "linked_records", "assignees"]
)
def test_task_requires_all_six_fields(api: TestClient, field: str) -> None:
    """API-NOTES gotcha 15: all six fields are required; a missing one is a 400 naming it."""
    body: dict[str, Any] = {
        "content": "c",
        "format": "plaintext",
        "deadline_at": None,
        "is_completed": False,
        "linked_records": [],
        "assignees": [],
    }
    del body[field]
    message = _error(api.post("/v2/tasks", json={"data": body}), 400, "validation_type")
    assert field in message


def test_task_content_and_format_rules(api: TestClient) -> None:
    """SPEC POST /v2/tasks: content at most 2000 characters, format only "plaintext"."""
    assert _task(api, content="x" * 2000).status_code == 200
    _error(_task(api, content="x" * 2001), 400, "validation_type")
    _error(_task(api, format="markdown"), 400, "validation_type")
    _error(_task(api, is_completed="no"), 400, "validation_type")
    _error(_task(api, deadline_at="soon"), 400, "validation_type")


def test_task_linked_records_by_unique_attribute(api: TestClient) -> None:
    """SPEC: a linked record may be named by a unique attribute's value instead of its id."""
    rid = _person(api, "ada@example.com")
    by_email = {
        "target_object": "people",
        "email_addresses": [{"email_address": "ada@example.com"}],
    }
    task = _task(api, linked_records=[by_email]).json()["data"]
    assert task["linked_records"][0]["target_record_id"] == rid
    missing = {"target_object": "people", "email_addresses": [{"email_address": "x@example.com"}]}
    _error(_task(api, linked_records=[missing]), 400, "value_not_found")
    not_unique = {"target_object": "people", "name": ["Ada"]}
    _error(_task(api, linked_records=[not_unique]), 400, "validation_type")
    unknown_record = {
        "target_object": "people",
        "target_record_id": "00000000-0000-4000-8000-000000000000",
    }
    _error(_task(api, linked_records=[unknown_record]), 400, "value_not_found")
    unknown_object = {"target_object": "nope", "target_record_id": rid}
    _error(_task(api, linked_records=[unknown_object]), 404, "not_found")


def test_task_assignee_must_be_a_member(api: TestClient) -> None:
    """SPEC: only workspace-member actors can be assigned, by id or email."""
    unknown = [{"workspace_member_email_address": "nobody@example.com"}]
    _error(_task(api, assignees=unknown), 400, "value_not_found")
    wrong_type = [{"referenced_actor_type": "api-token", "referenced_actor_id": "x"}]
    _error(_task(api, assignees=wrong_type), 400, "validation_type")


def test_patch_task(api: TestClient, events: list[Event]) -> None:
    """API-NOTES §1: PATCH changes only deadline_at, is_completed, linked_records, assignees."""
    task = _task(api).json()["data"]
    tid = task["id"]["task_id"]
    member = _member(api)
    events.clear()
    r = api.patch(
        f"/v2/tasks/{tid}",
        json={
            "data": {
                "is_completed": True,
                "deadline_at": "2031-01-01",
                "assignees": [
                    {
                        "referenced_actor_type": "workspace-member",
                        "referenced_actor_id": member["id"]["workspace_member_id"],
                    }
                ],
            }
        },
    )
    assert r.status_code == 200, r.text
    updated = r.json()["data"]
    assert updated["is_completed"] is True
    assert updated["deadline_at"] == "2031-01-01T00:00:00.000000000Z"
    assert updated["assignees"][0]["referenced_actor_id"] == member["id"]["workspace_member_id"]
    assert updated["content_plaintext"] == task["content_plaintext"]
    assert api.get(f"/v2/tasks/{tid}").json()["data"] == updated
    assert [(e["event_type"], e["id"]["task_id"]) for e in events] == [("task.updated", tid)]
    _error(api.patch(f"/v2/tasks/{tid}", json={"data": {"content": "new"}}), 400, "validation_type")
    _error(api.patch(f"/v2/tasks/{tid}", json={"data": {}}), 400, "validation_type")
    missing = "/v2/tasks/00000000-0000-4000-8000-000000000000"
    _error(api.patch(missing, json={"data": {"is_completed": True}}), 404, "not_found")


def test_list_tasks_sort_and_filters(api: TestClient) -> None:
    """API-NOTES §1: sort created_at:asc (default) or :desc; linked, assignee, is_completed."""
    rid = _person(api, "ada@example.com")
    member = _member(api)
    email = member["email_address"]
    link = [{"target_object": "people", "target_record_id": rid}]
    first = _task(api, content="a", linked_records=link).json()["data"]["id"]["task_id"]
    second = _task(api, content="b", assignees=[{"workspace_member_email_address": email}]).json()[
        "data"
    ]["id"]["task_id"]
    third = _task(api, content="c", is_completed=True).json()["data"]["id"]["task_id"]

    def ids(**params: Any) -> list[str]:
        r = api.get("/v2/tasks", params=params)
        assert r.status_code == 200, r.text
        return [t["id"]["task_id"] for t in r.json()["data"]]

    assert ids() == [first, second, third]
    assert ids(sort="created_at:desc") == [third, second, first]
    assert ids(linked_object="people", linked_record_id=rid) == [first]
    assert ids(linked_object=_object_id(api, "people"), linked_record_id=rid) == [first]
    assert ids(assignee=email) == [second]
    assert ids(assignee=member["id"]["workspace_member_id"]) == [second]
    assert ids(assignee="null") == [first, third]
    assert ids(is_completed="true") == [third]
    assert ids(is_completed="false") == [first, second]
    _error(api.get("/v2/tasks", params={"sort": "deadline"}), 400, "validation_type")
    _error(api.get("/v2/tasks", params={"linked_object": "people"}), 400, "validation_type")


def test_list_tasks_offset_pagination_walks_every_task(api: TestClient) -> None:
    """API-NOTES §1: tasks paginate by limit and offset (default limit 500)."""
    made = [_task(api, content=str(i)).json()["data"]["id"]["task_id"] for i in range(7)]
    assert len(api.get("/v2/tasks").json()["data"]) == 7
    pages = _walk(api, "/v2/tasks", 3)
    assert [i for p in pages for i in p] == made


def test_delete_task(api: TestClient, events: list[Event]) -> None:
    """API-NOTES §1 and §7: DELETE returns {} and fires task.deleted."""
    tid = _task(api).json()["data"]["id"]["task_id"]
    events.clear()
    r = api.delete(f"/v2/tasks/{tid}")
    assert (r.status_code, r.json()) == (200, {})
    _error(api.get(f"/v2/tasks/{tid}"), 404, "not_found")
    assert [(e["event_type"], e["id"]["task_id"]) for e in events] == [("task.deleted", tid)]


# -- threads and comments --------------------------------------------------------------------------
def test_comment_on_record_starts_a_thread(api: TestClient, events: list[Event]) -> None:
    """API-NOTES §6 comment and thread shapes; §7 comment.created extras."""
    rid = _person(api, "ada@example.com")
    author = _member(api)["id"]["workspace_member_id"]
    events.clear()
    r = _comment(api, author, record={"object": "people", "record_id": rid})
    assert r.status_code == 200, r.text
    head = r.json()["data"]
    people = _object_id(api, "people")
    assert head["record"] == {"record_id": rid, "object_id": people}
    assert head["entry"] is None
    assert head["author"] == {"type": "workspace-member", "id": author}
    assert head["resolved_at"] is None
    reply = _comment(api, author, thread_id=head["thread_id"], content="Agreed").json()["data"]
    assert reply["thread_id"] == head["thread_id"]
    assert reply["record"] == head["record"]
    thread = api.get(f"/v2/threads/{head['thread_id']}").json()["data"]
    assert thread["id"]["thread_id"] == head["thread_id"]
    assert thread["comments"] == [head, reply]
    assert thread["created_at"] == head["created_at"]
    assert api.get(f"/v2/comments/{reply['id']['comment_id']}").json()["data"] == reply
    assert events[0] == {
        "event_type": "comment.created",
        "id": head["id"],
        "thread_id": head["thread_id"],
        "object_id": people,
        "record_id": rid,
        "list_id": None,
        "entry_id": None,
        "actor": {"type": "api-token", "id": events[0]["actor"]["id"]},
    }
    assert [e["id"]["comment_id"] for e in events] == [
        head["id"]["comment_id"],
        reply["id"]["comment_id"],
    ]


def test_thread_comments_are_sorted_by_created_at(api: TestClient) -> None:
    """SPEC thread schema: comments are sorted by created_at (which may be backdated)."""
    rid = _person(api, "ada@example.com")
    author = _member(api)["id"]["workspace_member_id"]
    head = _comment(api, author, record={"object": "people", "record_id": rid}).json()["data"]
    early = _comment(
        api, author, thread_id=head["thread_id"], created_at="2021-01-01T00:00:00Z"
    ).json()["data"]
    comments = api.get(f"/v2/threads/{head['thread_id']}").json()["data"]["comments"]
    assert [c["id"] for c in comments] == [early["id"], head["id"]]


def test_comment_on_list_entry(api: TestClient, events: list[Event]) -> None:
    """API-NOTES §6: a comment on an entry names the entry and its parent record; §7 extras."""
    rid = _person(api, "ada@example.com")
    lst = api.post(
        "/v2/lists",
        json={
            "data": {
                "name": "Hiring",
                "api_slug": "hiring",
                "parent_object": "people",
                "workspace_access": "full-access",
                "workspace_member_access": [],
            }
        },
    ).json()["data"]
    entry = api.post(
        "/v2/lists/hiring/entries",
        json={"data": {"parent_record_id": rid, "parent_object": "people", "entry_values": {}}},
    ).json()["data"]
    eid, lid = entry["id"]["entry_id"], lst["id"]["list_id"]
    author = _member(api)["id"]["workspace_member_id"]
    events.clear()
    comment = _comment(api, author, entry={"list": "hiring", "entry_id": eid}).json()["data"]
    assert comment["entry"] == {"entry_id": eid, "list_id": lid}
    assert comment["record"] == {"record_id": rid, "object_id": _object_id(api, "people")}
    assert (events[0]["list_id"], events[0]["entry_id"]) == (lid, eid)
    by_entry = api.get("/v2/threads", params={"list": lid, "entry_id": eid}).json()["data"]
    assert [t["id"]["thread_id"] for t in by_entry] == [comment["thread_id"]]
    # A thread on the entry is not a thread on the record itself.
    by_record = api.get("/v2/threads", params={"object": "people", "record_id": rid}).json()
    assert by_record["data"] == []
    missing = {"list": "hiring", "entry_id": "00000000-0000-4000-8000-000000000000"}
    _error(_comment(api, author, entry=missing), 400, "value_not_found")


def test_comment_needs_exactly_one_target(api: TestClient) -> None:
    """API-NOTES §6: exactly one of thread_id, record or entry."""
    rid = _person(api, "ada@example.com")
    author = _member(api)["id"]["workspace_member_id"]
    record = {"object": "people", "record_id": rid}
    head = _comment(api, author, record=record).json()["data"]
    _error(_comment(api, author), 400, "validation_type")
    _error(
        _comment(api, author, record=record, thread_id=head["thread_id"]), 400, "validation_type"
    )
    _error(
        _comment(api, author, thread_id="00000000-0000-4000-8000-000000000000"),
        400,
        "value_not_found",
    )


def test_comment_field_rules(api: TestClient) -> None:
    """SPEC POST /v2/comments: format plaintext, content and a workspace-member author."""
    rid = _person(api, "ada@example.com")
    author = _member(api)["id"]["workspace_member_id"]
    record = {"object": "people", "record_id": rid}
    unknown_author = "00000000-0000-4000-8000-000000000000"
    _error(_comment(api, unknown_author, record=record), 400, "value_not_found")
    _error(_comment(api, author, record=record, format="markdown"), 400, "validation_type")
    body = {
        "format": "plaintext",
        "author": {"type": "workspace-member", "id": author},
        "record": record,
    }
    assert "content" in _error(
        api.post("/v2/comments", json={"data": body}), 400, "validation_type"
    )
    bad_record = {"object": "people", "record_id": unknown_author}
    _error(_comment(api, author, record=bad_record), 400, "value_not_found")


def test_list_threads_pagination_and_limits(api: TestClient) -> None:
    """API-NOTES §1: threads paginate by limit/offset, default 10, max 50; filters come in pairs."""
    rid = _person(api, "ada@example.com")
    author = _member(api)["id"]["workspace_member_id"]
    made = [
        _comment(api, author, record={"object": "people", "record_id": rid}).json()["data"][
            "thread_id"
        ]
        for _ in range(12)
    ]
    assert (
        len(api.get("/v2/threads", params={"object": "people", "record_id": rid}).json()["data"])
        == 10
    )
    pages = _walk(api, "/v2/threads", 5, object="people", record_id=rid)
    assert [i for p in pages for i in p] == made
    _error(api.get("/v2/threads", params={"limit": 51}), 400, "validation_type")
    _error(api.get("/v2/threads", params={"object": "people"}), 400, "validation_type")
    _error(api.get("/v2/threads", params={"list": "x"}), 400, "validation_type")


def test_delete_reply_then_head(api: TestClient, events: list[Event]) -> None:
    """SPEC DELETE /v2/comments: deleting the head comment deletes the whole thread."""
    rid = _person(api, "ada@example.com")
    author = _member(api)["id"]["workspace_member_id"]
    head = _comment(api, author, record={"object": "people", "record_id": rid}).json()["data"]
    thread_id = head["thread_id"]
    replies = [
        _comment(api, author, thread_id=thread_id).json()["data"]["id"]["comment_id"]
        for _ in range(2)
    ]
    events.clear()
    r = api.delete(f"/v2/comments/{replies[0]}")
    assert (r.status_code, r.json()) == (200, {})
    _error(api.get(f"/v2/comments/{replies[0]}"), 404, "not_found")
    remaining = api.get(f"/v2/threads/{thread_id}").json()["data"]["comments"]
    assert [c["id"]["comment_id"] for c in remaining] == [head["id"]["comment_id"], replies[1]]
    assert api.delete(f"/v2/comments/{head['id']['comment_id']}").json() == {}
    _error(api.get(f"/v2/threads/{thread_id}"), 404, "not_found")
    _error(api.get(f"/v2/comments/{replies[1]}"), 404, "not_found")
    assert [e["event_type"] for e in events] == ["comment.deleted"] * 3
    assert {e["id"]["comment_id"] for e in events} == {head["id"]["comment_id"], *replies}
    assert all(e["thread_id"] == thread_id and e["record_id"] == rid for e in events)


def test_missing_activity_resources_are_404(api: TestClient) -> None:
    """API-NOTES §8: a missing note, task, thread or comment is 404 not_found."""
    missing = "00000000-0000-4000-8000-000000000000"
    for path in ("notes", "tasks", "threads", "comments"):
        _error(api.get(f"/v2/{path}/{missing}"), 404, "not_found")
    _error(api.delete(f"/v2/comments/{missing}"), 404, "not_found")
    _error(api.delete(f"/v2/tasks/{missing}"), 404, "not_found")


# -- shapes against the SPEC -----------------------------------------------------------------------
def test_activity_responses_match_the_spec(api: TestClient) -> None:
    """The SPEC's 200 schemas for notes, tasks, threads and comments."""
    rid = _person(api, "ada@example.com")
    author = _member(api)["id"]["workspace_member_id"]
    note = _note(api, rid)
    check_response("POST", "/v2/notes", 200, note.json())
    check_response("GET", "/v2/notes", 200, api.get("/v2/notes").json())
    task = _task(api, linked_records=[{"target_object": "people", "target_record_id": rid}])
    check_response("POST", "/v2/tasks", 200, task.json())
    check_response("GET", "/v2/tasks", 200, api.get("/v2/tasks").json())
    comment = _comment(api, author, record={"object": "people", "record_id": rid}).json()
    check_response("POST", "/v2/comments", 200, comment)
    thread = api.get(f"/v2/threads/{comment['data']['thread_id']}").json()
    check_response("GET", "/v2/threads/{thread_id}", 200, thread)
    check_response("GET", "/v2/threads", 200, api.get("/v2/threads").json())
