"""Conformance of ``PATCH /v2/notes/{note_id}`` (newer than the vendored spec).

Source: docs.attio.com/rest-api/endpoint-reference/notes/update-a-note (changelog 2026-08-25)
and the webhook reference's note events (``note.updated`` for the title,
``note-content.updated`` for the body).
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from attio_bridge.emulator.app import EmulatorApp

from .factories import person
from .validation import ConformantClient

UPDATE = "PATCH /v2/notes/{note_id}"
GET = "GET /v2/notes/{note_id}"


@pytest.fixture
def events(emulator: EmulatorApp) -> list[dict[str, Any]]:
    """Every webhook event the workspace emits from now on."""
    seen: list[dict[str, Any]] = []
    emulator.state.workspace.listeners.append(seen.append)
    return seen


def _note(c: ConformantClient) -> dict[str, Any]:
    body = {
        "parent_object": "people",
        "parent_record_id": person(c)["id"]["record_id"],
        "title": "Kick-off",
        "format": "plaintext",
        "content": "First draft",
    }
    data: dict[str, Any] = c.data("POST", "/v2/notes", json={"data": body})
    return data


def _patch(c: ConformantClient, note: dict[str, Any], **fields: Any) -> dict[str, Any]:
    path = f"/v2/notes/{note['id']['note_id']}"
    data: dict[str, Any] = c.data("PATCH", path, json={"data": fields})
    return data


@pytest.mark.operation(UPDATE, GET)
def test_update_title_and_markdown_content(
    conformant: ConformantClient, events: list[dict[str, Any]]
) -> None:
    """docs update-a-note: only the fields given change; markdown content is read back as both
    markdown and plaintext. A title fires ``note.updated``, content ``note-content.updated``."""
    note = _note(conformant)
    events.clear()
    updated = _patch(
        conformant, note, title="Kick-off (revised)", format="markdown", content="# Plan\n\n**Go**"
    )
    assert updated["id"] == note["id"]
    assert updated["title"] == "Kick-off (revised)"
    assert updated["content_markdown"] == "# Plan\n\n**Go**"
    assert updated["content_plaintext"] == "Plan\nGo"
    assert updated["parent_record_id"] == note["parent_record_id"]
    got = conformant.data("GET", f"/v2/notes/{note['id']['note_id']}")
    assert got == updated
    assert [e["event_type"] for e in events] == ["note.updated", "note-content.updated"]
    for event in events:
        assert event["id"]["note_id"] == note["id"]["note_id"]
        assert event["parent_record_id"] == note["parent_record_id"]


@pytest.mark.operation(UPDATE)
def test_update_only_what_changes_fires_only_its_event(
    conformant: ConformantClient, events: list[dict[str, Any]]
) -> None:
    """docs update-a-note: a title alone keeps the content (and fires ``note.updated`` only);
    plaintext content alone keeps the title (``note-content.updated`` only); the same title
    again changes nothing and fires nothing."""
    note = _note(conformant)
    events.clear()
    titled = _patch(conformant, note, title="Renamed")
    assert titled["content_plaintext"] == "First draft"
    assert [e["event_type"] for e in events] == ["note.updated"]
    events.clear()
    body = _patch(conformant, note, content="Second *draft*")
    assert body["title"] == "Renamed"
    # Plaintext is the default format: the asterisks are text, escaped in the markdown.
    assert body["content_plaintext"] == "Second *draft*"
    assert body["content_markdown"] == "Second \\*draft\\*"
    assert [e["event_type"] for e in events] == ["note-content.updated"]
    events.clear()
    _patch(conformant, note, title="Renamed")
    assert events == []


@pytest.mark.operation(UPDATE)
def test_update_note_errors(conformant: ConformantClient) -> None:
    """docs update-a-note: 404 ``not_found`` for an unknown note; 400 ``validation_type`` for an
    empty update, a parent change, a bad format or a non-string title."""
    note = _note(conformant)
    path = f"/v2/notes/{note['id']['note_id']}"
    missing = f"/v2/notes/{uuid.UUID(int=9)}"
    conformant.patch(missing, json={"data": {"title": "x"}}, expect=404, code="not_found")
    for data in (
        {},
        {"parent_record_id": note["parent_record_id"]},
        {"content": "x", "format": "html"},
        {"title": 5},
        {"format": "markdown"},
    ):
        conformant.patch(path, json={"data": data}, expect=400, code="validation_type")
