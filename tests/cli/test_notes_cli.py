"""``attio-bridge notes ls|get|delete`` against the emulator in this process.

A record's notes listed across pages; a note read as plain text and as Markdown; deleted after
a dry run that sends nothing (checked in the emulator's journal); unknown objects, records and
notes are one error line with exit 4; the API key appears in no output (``invoke`` checks
every run).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import Result

from attio_bridge.client import AttioClient, NotFoundError

from ._support import InProcessEmulator, invoke, one_error_line, writes

KEY = "notes-cli-s3cret-key-0b9f"
MISSING = "00000000-0000-4000-8000-000000000000"
# More than one page of Attio's list-notes endpoint (50 at most).
MANY = 53


def run(args: list[str], env: dict[str, str], config_home: Path) -> Result:
    """``invoke`` with this module's key."""
    return invoke(args, env, config_home, KEY)


def company_id(client: AttioClient, domain: str) -> str:
    """The id of the company with ``domain``, made if missing."""
    record = client.records.assert_record("companies", "domains", {"domains": [{"domain": domain}]})
    return record.record_id


def note_id(client: AttioClient, record_id: str, title: str, content: str, fmt: str) -> str:
    """A new note on the company ``record_id``; its id."""
    note = client.notes.create(
        parent_object="companies",
        parent_record_id=record_id,
        title=title,
        content=content,
        format=fmt,
    )
    return note.id["note_id"]


def test_ls_lists_every_page_of_a_records_notes(
    env: dict[str, str], config_home: Path, client: AttioClient
) -> None:
    cid = company_id(client, "many-notes.com")
    other = company_id(client, "other-notes.com")
    ids = [note_id(client, cid, f"Note {i}", f"text {i}", "plaintext") for i in range(MANY)]
    elsewhere = note_id(client, other, "Elsewhere", "x", "plaintext")
    listed = run(["notes", "ls", "companies", cid, "--json"], env, config_home)
    assert listed.exit_code == 0, listed.stderr
    rows = json.loads(listed.stdout)
    assert sorted(r["note_id"] for r in rows) == sorted(ids)
    assert elsewhere not in listed.stdout
    assert {r["title"] for r in rows} == {f"Note {i}" for i in range(MANY)}
    assert all(r["created_at"] for r in rows)
    table = run(["notes", "ls", "companies", other], env, config_home)
    assert table.exit_code == 0, table.stderr
    assert "Elsewhere" in table.stdout and elsewhere in table.stdout
    empty = run(
        ["notes", "ls", "companies", company_id(client, "quiet.com"), "--json"], env, config_home
    )
    assert empty.exit_code == 0, empty.stderr
    assert json.loads(empty.stdout) == []


def test_get_as_plain_text_and_markdown(
    env: dict[str, str], config_home: Path, client: AttioClient
) -> None:
    cid = company_id(client, "read-notes.com")
    nid = note_id(client, cid, "Agenda", "# Agenda\n\n- **scope**\n", "markdown")
    plain = run(["notes", "get", nid, "--json"], env, config_home)
    assert plain.exit_code == 0, plain.stderr
    data = json.loads(plain.stdout)
    assert data["title"] == "Agenda"
    assert (data["parent_object"], data["parent_record_id"]) == ("companies", cid)
    assert data["format"] == "plaintext" and "scope" in data["content"]
    assert "**scope**" not in data["content"]
    markdown = run(["notes", "get", nid, "--markdown", "--json"], env, config_home)
    assert markdown.exit_code == 0, markdown.stderr
    assert "**scope**" in json.loads(markdown.stdout)["content"]
    table = run(["notes", "get", nid], env, config_home)
    assert table.exit_code == 0, table.stderr
    assert "Agenda" in table.stdout and cid in table.stdout
    # --markdown alone prints the content and nothing else, to pipe to a file.
    raw = run(["notes", "get", nid, "--markdown"], env, config_home)
    assert raw.exit_code == 0, raw.stderr
    assert raw.stdout == "# Agenda\n\n- **scope**\n"


def test_delete_after_a_dry_run_that_sends_nothing(
    emu: InProcessEmulator, env: dict[str, str], config_home: Path, client: AttioClient
) -> None:
    cid = company_id(client, "delete-notes.com")
    nid = note_id(client, cid, "Doomed", "bye", "plaintext")
    before = writes(emu)
    dry = run(["notes", "delete", nid, "--dry-run"], env, config_home)
    assert dry.exit_code == 0, dry.stderr
    assert f"DELETE /v2/notes/{nid}" in dry.stdout
    assert writes(emu) == before
    assert client.notes.get(nid).title == "Doomed"

    deleted = run(["notes", "delete", nid, "--json"], env, config_home)
    assert deleted.exit_code == 0, deleted.stderr
    assert json.loads(deleted.stdout) == {"deleted": True, "note_id": nid}
    with pytest.raises(NotFoundError):
        client.notes.get(nid)
    listed = run(["notes", "ls", "companies", cid, "--json"], env, config_home)
    assert json.loads(listed.stdout) == []
    gone = run(["notes", "get", nid], env, config_home)
    assert gone.exit_code == 4
    assert nid in one_error_line(gone)


def test_unknown_object_record_and_note_exit_4(
    emu: InProcessEmulator, env: dict[str, str], config_home: Path, client: AttioClient
) -> None:
    cid = company_id(client, "errors-notes.com")
    before = writes(emu)
    cases = [
        (["notes", "ls", "spaceships", cid], "spaceships"),
        (["notes", "ls", "companies", MISSING], MISSING),
        (["notes", "get", MISSING], MISSING),
        (["notes", "delete", MISSING], MISSING),
        (["notes", "delete", MISSING, "--dry-run"], MISSING),
    ]
    for args, named in cases:
        result = run(args, env, config_home)
        assert result.exit_code == 4, (args, result.stdout, result.stderr)
        assert named in one_error_line(result), args
    # The one write is the refused delete; the dry run of it sent nothing.
    assert writes(emu)[len(before) :] == [f"DELETE /v2/notes/{MISSING}"]
