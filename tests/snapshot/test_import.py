"""Importing records into a project: files, one commit of them only, the index, re-imports."""

from __future__ import annotations

import asyncio
import json
import subprocess
from pathlib import Path

import pytest

from attio_bridge import AsyncServices, AttioClient, InvalidInputError
from attio_bridge.snapshot import NotARepositoryError, Progress, Snapshots, init_project
from attio_bridge.state import StateStore

pytestmark = [pytest.mark.attio_seed("sandbox"), pytest.mark.anyio]


def git(project: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=project, capture_output=True, text=True, check=True)
    return done.stdout


def commits(project: Path) -> list[str]:
    return git(project, "log", "--format=%s").splitlines()


async def test_each_record_is_one_file_and_the_import_one_commit(
    snapshots: Snapshots, people: dict[str, str], project: Path
) -> None:
    ids = [people["Amara Okafor"], people["Sofía Martínez"], people["Jürgen Müller"]]
    seen: list[Progress] = []
    result = await snapshots.import_records("people", ids, progress=seen.append)

    assert [s.path for s in result.imported] == [
        "attio/people/amara-okafor.json",
        "attio/people/sofia-martinez.json",
        "attio/people/jurgen-muller.json",
    ]
    assert result.failed == []
    assert result.reads == 1  # one query of $in for three records
    assert seen[-1].done == seen[-1].total == 3
    document = json.loads((project / "attio/people/sofia-martinez.json").read_text())
    assert document["source"] == "attio"
    assert document["record_id"] == people["Sofía Martínez"]
    assert document["object_type"] == "people"
    assert document["name"] == "Sofía Martínez"
    assert document["web_url"].endswith("/person/" + people["Sofía Martínez"])
    assert document["imported_at"].startswith("20")
    attributes = document["attributes"]
    assert attributes["job_title"] == "CEO"
    assert attributes["email_addresses"] == ["sofia.martinez@juniperpay.finance"]
    assert attributes["first_name"] == "Sofía"
    assert "record_id" not in attributes

    assert commits(project) == [
        "Import 3 people from Attio: Amara Okafor, Sofía Martínez, Jürgen Müller"
    ]
    assert git(project, "log", "--format=%an <%ae>") == "Ada <ada@x.io>\n"
    assert git(project, "status", "--porcelain") == ""


async def test_files_have_sorted_keys_two_space_indent_and_a_final_newline(
    snapshots: Snapshots, companies: dict[str, str], project: Path
) -> None:
    await snapshots.import_records("companies", [companies["Juniper Pay"]])
    text = (project / "attio/companies/juniper-pay.json").read_text()
    document = json.loads(text)
    assert text == json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    assert document["attributes"]["domains"] == ["juniperpay.finance"]
    assert document["attributes"]["categories"] == ["Fintech", "B2B"]


async def test_nothing_outside_attio_is_staged_or_committed(
    snapshots: Snapshots, people: dict[str, str], project: Path
) -> None:
    (project / "notes.txt").write_text("mine\n")
    git(project, "add", "notes.txt")  # staged by the user: stays staged, not committed
    (project / "draft.txt").write_text("untracked\n")

    await snapshots.import_records("people", [people["Amara Okafor"]])

    assert git(project, "show", "--name-only", "--format=", "HEAD").split() == [
        "attio/people/amara-okafor.json"
    ]
    assert sorted(git(project, "status", "--porcelain").splitlines()) == [
        "?? draft.txt",
        "A  notes.txt",
    ]


async def test_the_api_key_is_in_no_file_or_git_object(
    snapshots: Snapshots, people: dict[str, str], project: Path, attio_api_key: str
) -> None:
    await snapshots.import_records("people", list(people.values()))
    for path in project.rglob("*"):
        assert not path.is_file() or attio_api_key.encode() not in path.read_bytes(), path
    # Every object of the repository, loose or packed, uncompressed.
    objects = subprocess.run(
        ["git", "cat-file", "--batch-all-objects", "--batch"],
        cwd=project,
        capture_output=True,
        check=True,
    ).stdout
    assert b"Amara Okafor" in objects  # the check can see what the commit holds
    assert attio_api_key.encode() not in objects


async def test_a_folder_that_is_not_a_repository_is_refused(
    tmp_path: Path, services: AsyncServices, store: StateStore
) -> None:
    with pytest.raises(NotARepositoryError, match=r"not a git repository.*git init"):
        Snapshots(tmp_path / "plain", services=services, store=store)
    init_project(tmp_path / "plain")
    Snapshots(tmp_path / "plain", services=services, store=store).close()


async def test_a_reimport_updates_the_file_and_row_and_never_duplicates(
    snapshots: Snapshots, people: dict[str, str], project: Path, attio_client: AttioClient
) -> None:
    ada = people["Amara Okafor"]
    first = await snapshots.import_records("people", [ada])
    again = await snapshots.import_records("people", [ada])
    assert again.commit is None  # nothing changed: no commit, no new import time
    assert again.unchanged == 1
    assert again.imported[0].imported_at == first.imported[0].imported_at

    attio_client.records.update("people", ada, {"job_title": "COO"})
    third = await snapshots.import_records("people", [ada])

    assert third.commit is not None
    assert [s.record_id for s in snapshots.list()] == [ada]
    assert snapshots.list()[0].attributes["job_title"] == "COO"
    assert list((project / "attio/people").iterdir()) == [
        project / "attio/people/amara-okafor.json"
    ]
    assert len(commits(project)) == 2
    diff = git(project, "show", "--format=", "HEAD")
    changed = [line for line in diff.splitlines() if line[:1] in "+-" and line[:3] not in "+++---"]
    # One value changed: a one-line diff (and the import time, when a second passed).
    assert sorted(line for line in changed if '"imported_at"' not in line) == [
        '+    "job_title": "COO",',
        '-    "job_title": "Head of Operations",',
    ]
    assert len(changed) in (2, 4)


async def test_records_with_one_name_get_distinct_files_that_stay_theirs(
    snapshots: Snapshots, attio_client: AttioClient, project: Path
) -> None:
    twins = [
        attio_client.records.create(
            "people",
            {"name": [{"first_name": "Ada", "last_name": "Lovelace", "full_name": "Ada Lovelace"}]},
        ).id.record_id
        for _ in range(2)
    ]
    result = await snapshots.import_records("people", twins)
    paths = [s.path for s in result.imported]
    assert paths[0] == "attio/people/ada-lovelace.json"
    assert paths[1] == f"attio/people/ada-lovelace-{twins[1].replace('-', '')[:8]}.json"
    # Imported alone, the second keeps its slug, although "ada-lovelace" alone would fit it.
    snapshots.remove([twins[0]])
    again = await snapshots.import_records("people", [twins[1]])
    assert again.imported[0].path == paths[1]


async def test_a_name_that_tries_a_path_trick_stays_in_its_folder(
    snapshots: Snapshots, attio_client: AttioClient, project: Path
) -> None:
    evil = attio_client.records.create("companies", {"name": "../../.git/config"}).id.record_id
    result = await snapshots.import_records("companies", [evil])
    assert result.imported[0].path == "attio/companies/git-config.json"
    assert (project / "attio/companies/git-config.json").is_file()
    assert "attio-bridge" not in (project / ".git/config").read_text()


async def test_unknown_ids_fail_alone(snapshots: Snapshots, people: dict[str, str]) -> None:
    missing = "00000000-0000-4000-8000-000000000000"
    result = await snapshots.import_records("people", [people["Amara Okafor"], missing])
    assert [s.name for s in result.imported] == ["Amara Okafor"]
    assert result.failed == [(missing, f"no person {missing} in Attio")]


async def test_a_dry_run_writes_nothing(
    snapshots: Snapshots, people: dict[str, str], project: Path
) -> None:
    result = await snapshots.import_records("people", [people["Amara Okafor"]], dry_run=True)
    assert result.imported[0].path == "attio/people/amara-okafor.json"
    assert result.commit is None
    assert not (project / "attio").exists()
    assert snapshots.list() == []


async def test_list_entries_are_imported_with_their_parents_names(
    snapshots: Snapshots, attio_client: AttioClient, project: Path
) -> None:
    entries = attio_client.entries.query("sales_pipeline", limit=500)
    result = await snapshots.import_records(
        "list-entries", [e.entry_id for e in entries[:2]], list_slug="sales_pipeline"
    )
    assert len(result.imported) == 2
    first = result.imported[0]
    assert first.list_slug == "sales_pipeline"
    assert first.web_url.startswith("https://app.attio.com/")
    document = json.loads((project / first.path).read_text())
    assert document["list"] == "sales_pipeline"
    assert document["attributes"]["parent_record_id"] == entries[0].parent_record_id
    assert "stage" in document["attributes"]
    assert commits(project)[0].startswith("Import 2 list entries of sales_pipeline from Attio: ")


async def test_many_list_entries_are_read_by_pages_of_their_list(
    snapshots: Snapshots, attio_client: AttioClient, companies: dict[str, str]
) -> None:
    made = [
        attio_client.entries.create(
            "sales_pipeline", parent_record_id=companies["Lumen Media"], parent_object="companies"
        ).entry_id
        for _ in range(12)
    ]
    result = await snapshots.import_records("list-entries", made, list_slug="sales_pipeline")
    assert sorted(s.record_id for s in result.imported) == sorted(made)
    assert {s.name for s in result.imported} == {"Lumen Media"}
    assert result.reads == 2  # one page of the list, one query of the parents


@pytest.mark.parametrize(
    ("kind", "list_slug", "message"),
    [
        ("deals", None, "one of companies, people, list-entries"),
        ("list-entries", None, "needs list_slug"),
        ("people", "sales_pipeline", "for list entries only"),
    ],
)
async def test_bad_arguments_are_named(
    snapshots: Snapshots, kind: str, list_slug: str | None, message: str
) -> None:
    with pytest.raises(InvalidInputError, match=message):
        await snapshots.import_records(kind, ["x"], list_slug=list_slug)  # type: ignore[arg-type]


async def test_a_reimport_restores_a_file_edited_by_hand(
    snapshots: Snapshots, people: dict[str, str], project: Path
) -> None:
    await snapshots.import_records("people", [people["Amara Okafor"]])
    path = project / "attio/people/amara-okafor.json"
    original = path.read_text()
    path.write_text("{}\n")
    again = await snapshots.import_records("people", [people["Amara Okafor"]])
    assert again.unchanged == 0
    assert json.loads(path.read_text())["attributes"] == json.loads(original)["attributes"]
    assert git(project, "status", "--porcelain") == ""


async def test_two_users_of_one_folder_never_share_a_file(
    snapshots: Snapshots,
    attio_client: AttioClient,
    project: Path,
    services: AsyncServices,
    store: StateStore,
) -> None:
    name = {"name": [{"first_name": "Ada", "last_name": "Lovelace", "full_name": "Ada Lovelace"}]}
    first, second = (attio_client.records.create("people", name).id.record_id for _ in range(2))
    grace = Snapshots(project, services=services, store=store, user="grace")
    try:
        mine, theirs = await asyncio.gather(
            snapshots.import_records("people", [first]), grace.import_records("people", [second])
        )
    finally:
        grace.close()
    paths = {mine.imported[0].path, theirs.imported[0].path}
    assert len(paths) == 2
    assert {json.loads((project / p).read_text())["record_id"] for p in paths} == {first, second}
    assert len(commits(project)) == 2
