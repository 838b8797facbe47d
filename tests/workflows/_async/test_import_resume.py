"""Resuming an import: a checkpoint belongs to one workspace, one file content, one mapping and
one set of options; another import of the same file starts over and says why, a resumed run says
so, ``restart=True`` discards it; the failure file is the user's alone."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from attio_bridge.client import AsyncAttioClient
from attio_bridge.emulator.app import EmulatorApp
from attio_bridge.workflows.aio import import_file

from ..conftest import fresh_app, write_count
from ._import_support import client_on, rows_of

pytestmark = pytest.mark.anyio


def people_csv(path: Path, names: list[str]) -> Path:
    path.write_text("email,job title\n" + "".join(f"{n}@acme.com,{n}\n" for n in names))
    return path


async def test_another_workspace_starts_over_and_says_so(
    client: AsyncAttioClient, tmp_path: Path
) -> None:
    """The checkpoint of a run against one workspace does not skip rows in another: there,
    every row is written."""
    path = people_csv(tmp_path / "four.csv", [f"p{i}" for i in range(8)])
    first = await import_file(client, "people", path, max_writes=3, concurrency=1)
    assert first.written == 3 and first.checkpoint_saved
    other_app = fresh_app()
    async with client_on(other_app) as other:
        # A dry run says so too, and leaves the checkpoint as it is.
        planned = await import_file(other, "people", path, dry_run=True)
        assert planned.notes == [
            "the checkpoint of four.csv was for another workspace: starting over"
        ]
        assert (await import_file(client, "people", path, dry_run=True)).already_done == 3
        there = await import_file(other, "people", path)
        assert (there.already_done, there.written) == (0, 8)
        assert there.notes == [
            "the checkpoint of four.csv was for another workspace: starting over"
        ]
        assert len(await rows_of(other, "people")) == 8
    assert write_count(other_app, "people") == 8


@pytest.mark.parametrize("change", ["other rows", "a typo fixed"])
async def test_other_content_of_the_same_size_starts_over(
    client: AsyncAttioClient, tmp_path: Path, change: str
) -> None:
    """A file overwritten with other rows of the same size, or with a typo fixed in a row
    already written, is another file: its rows are all looked at again, none skipped."""
    path = people_csv(tmp_path / "people.csv", ["aa", "bb", "cc", "dd"])
    first = await import_file(client, "people", path, max_writes=2, concurrency=1)
    assert first.written == 2
    size = path.stat().st_size
    if change == "other rows":
        people_csv(path, ["ee", "ff", "gg", "hh"])
    else:
        path.write_text(path.read_text().replace("aa@acme.com,aa", "aa@acme.com,ab"))
    assert path.stat().st_size == size
    second = await import_file(client, "people", path)
    assert second.already_done == 0
    assert second.notes == [
        "the checkpoint of people.csv was for another file content: starting over"
    ]
    titles = {r["email_addresses"][0]: r["job_title"] for r in await rows_of(client, "people")}
    if change == "other rows":
        assert {"ee@acme.com", "ff@acme.com", "gg@acme.com", "hh@acme.com"} <= set(titles)
    else:
        assert titles["aa@acme.com"] == "ab"  # the fix is written


async def test_another_mapping_or_options_start_over(
    client: AsyncAttioClient, tmp_path: Path
) -> None:
    path = people_csv(tmp_path / "people.csv", ["aa", "bb", "cc"])
    await import_file(client, "people", path, max_writes=1, concurrency=1)
    second = await import_file(
        client, "people", path, mapping={"email": "email_addresses"}, max_writes=1
    )
    assert second.already_done == 0
    assert second.notes == ["the checkpoint of people.csv was for another mapping: starting over"]
    third = await import_file(client, "people", path, company="acme.com", max_writes=1)
    assert third.notes == [
        "the checkpoint of people.csv was for another mapping and set of options: starting over"
    ]


async def test_a_resumed_run_says_so_and_restart_discards_the_checkpoint(
    client: AsyncAttioClient, app: EmulatorApp, tmp_path: Path
) -> None:
    path = people_csv(tmp_path / "people.csv", [f"p{i}" for i in range(6)])
    first = await import_file(client, "people", path, max_writes=2, concurrency=1)
    resumed = await import_file(client, "people", path, max_writes=1, concurrency=1)
    assert resumed.already_done == 2
    assert resumed.notes == [
        f"resuming from the checkpoint in the state store {first.checkpoint_store}, 2 rows done"
    ]
    assert (await import_file(client, "people", path, restart=True, dry_run=True)).notes == [
        "the checkpoint of people.csv would be discarded: starting over"
    ]
    restarted = await import_file(client, "people", path, restart=True)
    assert restarted.already_done == 0  # (the dry run above left the checkpoint: 3 done)
    assert restarted.notes == ["the checkpoint of people.csv is discarded: starting over"]
    assert (restarted.unchanged, restarted.written) == (3, 3)
    assert write_count(app, "people") == 6


async def test_the_failure_file_is_readable_by_its_owner_only(
    client: AsyncAttioClient, tmp_path: Path
) -> None:
    path = tmp_path / "people.csv"
    path.write_text("email\nnot an email\nok@acme.com\n")
    failures = tmp_path / "people.csv.failed.csv"
    failures.write_text("left by an earlier run\n")
    failures.chmod(0o644)
    report = await import_file(client, "people", path)
    assert report.invalid == 1 and report.failures_path == failures
    assert stat.S_IMODE(failures.stat().st_mode) == 0o600
    fresh = tmp_path / "fresh.failed.csv"
    await import_file(client, "people", path, failures=fresh)
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o600
