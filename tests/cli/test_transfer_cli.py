"""``attio-bridge import`` and ``export`` against the emulator in this process, for what goes
beyond one unique attribute: deals matched by name (``--match name``), contacts into one company
(``--company``), a list as ``OBJECT_OR_LIST`` for import and export; and the bad inputs of each
(unknown list, unknown company id, unknown or unsearchable match attribute), each one error line
with the fix and the exit code of its class. ``invoke`` checks the key is never printed."""

from __future__ import annotations

import csv
import io
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import Result

from attio_bridge.client import AttioClient
from attio_bridge.state import open_store
from attio_bridge.testing import EmulatorProcess
from attio_bridge.workflows import import_file
from tests._signals import sigint_default

from ..client._factories import attribute_body
from ._support import InProcessEmulator, invoke, one_error_line, writes

KEY = "transfer-cli-s3cret-key-9a1e"
OWNER = "ada@example.com"  # the emulator's workspace member
MISSING = "00000000-0000-4000-8000-000000000000"


@pytest.fixture(scope="module")
def emu() -> Iterator[InProcessEmulator]:
    """The emulator in this process, with a ``targets`` list of people with a ``tier`` select."""
    with InProcessEmulator(KEY) as process:
        with process.client() as c:
            c.lists.create(name="Targets", api_slug="targets", parent_object="people")
            c.attributes.create("lists", "targets", attribute_body("tier", "select"))
            for title in ("Gold", "Silver"):
                c.attributes.create_option("lists", "targets", "tier", title=title)
        yield process


def run(args: list[str], env: dict[str, str], config_home: Path) -> Result:
    """``invoke`` with this module's key."""
    return invoke(args, env, config_home, KEY)


def deals_named(client: AttioClient, name: str) -> list[dict[str, object]]:
    """The value (currency) and stage id of every deal called ``name``."""
    found = client.records.query("deals", filter={"name": {"$eq": name}})
    return [
        {
            "value": r.values["value"][0]["currency_value"],
            "stage": r.values["stage"][0]["status"]["title"],
        }
        for r in found
    ]


def test_import_deals_by_name_creates_once_then_updates(
    env: dict[str, str], config_home: Path, client: AttioClient, tmp_path: Path
) -> None:
    """``import deals FILE --match name``: the plan says the key is searched; the first run
    creates the deals, a second run over new values updates the same deals."""
    path = tmp_path / "deals.csv"
    path.write_text(
        f"Name,Stage,Owner,Value\nCLI deal 1,Lead,{OWNER},10\nCLI deal 2,Lead,{OWNER},20\n"
    )
    done = run(["import", "deals", str(path), "--match", "name"], env, config_home)
    assert done.exit_code == 0, done.output
    assert "matching on name (found through a search" in done.stdout
    assert "Written: 2, failed: 0, invalid: 0" in done.stdout
    path.write_text(f"Name,Stage,Owner,Value\nCLI deal 1,Lost,{OWNER},11\n")
    again = run(["import", "deals", str(path), "--match", "name"], env, config_home)
    assert again.exit_code == 0, again.output
    assert deals_named(client, "CLI deal 1") == [{"value": 11, "stage": "Lost"}]
    assert deals_named(client, "CLI deal 2") == [{"value": 20, "stage": "Lead"}]


def test_import_contacts_into_a_company(
    env: dict[str, str], config_home: Path, client: AttioClient, tmp_path: Path
) -> None:
    """``import people FILE --company DOMAIN``: the company is made and every person links to
    it; ``--company ID`` of an existing company links to that one."""
    path = tmp_path / "contacts.csv"
    path.write_text("Email,First name\nx1@initech.com,X1\nx2@initech.com,X2\n")
    done = run(["import", "people", str(path), "--company", "initech.com"], env, config_home)
    assert done.exit_code == 0, done.output
    assert "Every record is linked to the company initech.com" in done.stdout
    (initech,) = client.records.query(
        "companies", filter={"domains": {"domain": {"$eq": "initech.com"}}}
    )
    people = client.records.query("people", filter={"company": initech.record_id})
    assert sorted(p.values["email_addresses"][0]["email_address"] for p in people) == [
        "x1@initech.com",
        "x2@initech.com",
    ]
    other = client.records.create("companies", {"name": "Umbrella"})
    path.write_text("Email\nx2@initech.com\n")
    moved = run(["import", "people", str(path), "--company", other.record_id], env, config_home)
    assert moved.exit_code == 0, moved.output
    (x2,) = client.records.query("people", filter={"company": other.record_id})
    assert x2.values["email_addresses"][0]["email_address"] == "x2@initech.com"


def test_import_into_a_list_and_export_it(
    env: dict[str, str], config_home: Path, client: AttioClient, tmp_path: Path
) -> None:
    """``import targets FILE`` (a list of people): people upserted, each added to the list with
    its tier; a re-run adds no entry. ``export targets`` writes each entry with the person's
    values and the tier."""
    path = tmp_path / "targets.csv"
    path.write_text("Email,Last name,Tier\nt1@acme.com,One,Gold\nt2@acme.com,Two,Silver\n")
    for _ in range(2):
        done = run(["import", "targets", str(path)], env, config_home)
        assert done.exit_code == 0, done.output
        assert "Tier -> list:tier" in done.stdout
        assert "Each record is added to the list targets" in done.stdout
    assert len(list(client.entries.iter("targets"))) == 2
    exported = run(["export", "targets", "--format", "csv"], env, config_home)
    assert exported.exit_code == 0, exported.output
    rows = list(csv.DictReader(io.StringIO(exported.stdout)))
    got = sorted((r["email_addresses"], r["last_name"], r["tier"]) for r in rows)
    assert got == [("t1@acme.com", "One", "Gold"), ("t2@acme.com", "Two", "Silver")]


def test_import_plan_tells_creates_updates_and_unchanged_apart(
    emu: InProcessEmulator, env: dict[str, str], config_home: Path, tmp_path: Path
) -> None:
    """``import people FILE --dry-run`` over a file with a row Attio already holds (its email in
    capitals), a changed one and a new one prints each count and writes nothing; the real run
    writes two rows; the same command again finds all three unchanged and sends no write.
    ``--json`` gives the plan's counts as JSON."""
    path = tmp_path / "plan.csv"
    path.write_text("Email,Job title\np1@plan.io,One\np2@plan.io,Two\n")
    assert run(["import", "people", str(path)], env, config_home).exit_code == 0
    path.write_text("Email,Job title\nP1@PLAN.IO,One\np2@plan.io,Deux\np3@plan.io,Three\n")
    before = writes(emu)
    planned = run(["import", "people", str(path), "--dry-run"], env, config_home)
    assert planned.exit_code == 0, planned.output
    assert "Plan: 3 rows: 1 to create, 1 to update, 1 unchanged, 0 already done" in planned.stdout
    assert "Dry run: nothing written." in planned.stdout
    assert writes(emu) == before
    done = run(["import", "people", str(path)], env, config_home)
    assert done.exit_code == 0, done.output
    assert "Written: 2, failed: 0, invalid: 0, unchanged: 1" in done.stdout
    assert len(writes(emu)) - len(before) == 2
    before = writes(emu)
    again = run(["import", "people", str(path)], env, config_home)
    assert again.exit_code == 0, again.output
    assert "Plan: 3 rows: 0 to create, 0 to update, 3 unchanged" in again.stdout
    assert "Written: 0, failed: 0, invalid: 0, unchanged: 3" in again.stdout
    assert writes(emu) == before
    path.write_text("Email,Job title\np1@plan.io,Uno\np4@plan.io,Four\nbroken,X\np4@plan.io,4\n")
    as_json = run(["import", "people", str(path), "--dry-run", "--json"], env, config_home)
    assert as_json.exit_code == 5, as_json.output  # an invalid row: the real run would exit 5
    plan = json.loads(as_json.stdout)
    kinds = ("creates", "updates", "unchanged", "invalid", "duplicates", "conflicts")
    got = {k: plan[k] for k in kinds}
    assert got == {
        "creates": 1,
        "updates": 1,
        "unchanged": 0,
        "invalid": 1,
        "duplicates": 0,
        "conflicts": 1,  # p4 twice, with another job title
    }
    assert (plan["already_done"], plan["dry_run"]) == (0, True)
    assert [p["row"] for p in plan["problems"]] == [3, 4]
    assert writes(emu) == before


@pytest.mark.parametrize(
    ("args", "status", "message"),
    [
        (
            ["import", "targetz", "FILE"],
            4,
            "error: no object or list 'targetz'; known: [",
        ),
        (
            ["import", "people", "FILE", "--company", MISSING],
            4,
            f"error: no company has record id '{MISSING}': pass the id of an existing company, "
            "or its domain",
        ),
        (
            ["import", "deals", "FILE", "--match", "nmae"],
            4,
            "error: deals has no attribute 'nmae' to match on; use one of name, ",
        ),
        (
            ["import", "people", "FILE", "--match", "primary_location"],
            5,
            "error: cannot match people records on 'primary_location' (of type location); "
            "use one of ",
        ),
        (
            ["import", "deals", "FILE"],
            5,
            "error: say what identifies a deals record: match on one or more of its attributes",
        ),
        (
            ["import", "companies", "FILE", "--company", "acme.com"],
            5,
            "error: companies records have no single company attribute to link to",
        ),
        (
            ["export", "targetz"],
            4,
            "error: no object or list 'targetz'; known: [",
        ),
    ],
)
def test_bad_input_is_one_error_line_and_nothing_written(
    emu: InProcessEmulator,
    env: dict[str, str],
    config_home: Path,
    tmp_path: Path,
    args: list[str],
    status: int,
    message: str,
) -> None:
    """Each bad input: one ``error:`` line saying what is wrong and what to pass instead, the
    exit code of its class (4 not found, 5 input that cannot be used), and no write reaching
    the emulator."""
    path = tmp_path / "rows.csv"
    path.write_text(f"Email,Name,Stage,Owner\nbad@acme.com,Bad,Lead,{OWNER}\n")
    before = writes(emu)
    result = run([str(path) if a == "FILE" else a for a in args], env, config_home)
    assert result.exit_code == status, result.output
    assert one_error_line(result).startswith(message)
    assert writes(emu) == before


def test_a_bad_mapping_file_is_one_error_line_naming_it(
    emu: InProcessEmulator, env: dict[str, str], config_home: Path, tmp_path: Path
) -> None:
    """A mapping file that is not JSON, or not a JSON object of column: slug, is one error line
    naming the file, exit 5 (input that cannot be used), before any write."""
    path = tmp_path / "rows.csv"
    path.write_text("Email\nm@acme.com\n")
    mapping = tmp_path / "mapping.json"
    before = writes(emu)
    for text, message in (
        ("{not json", f"error: {mapping} is not a JSON mapping file ("),
        ('["Email"]', f"error: {mapping}: a mapping file must be a JSON object of column: slug"),
    ):
        mapping.write_text(text)
        result = run(["import", "people", str(path), "--mapping", str(mapping)], env, config_home)
        assert result.exit_code == 5, result.output
        assert one_error_line(result).startswith(message)
    assert writes(emu) == before


def test_dry_run_exits_5_when_the_plan_has_invalid_rows(
    emu: InProcessEmulator, env: dict[str, str], config_home: Path, tmp_path: Path
) -> None:
    """A dry run checks a file as the real run would: the plan (with the invalid row) is
    printed, nothing is written, and the exit code is the real run's 5; a clean file exits 0."""
    path = tmp_path / "check.csv"
    path.write_text("Email,Job title\nd1@dry.io,One\nnot-an-email,Two\n")
    before = writes(emu)
    planned = run(["import", "people", str(path), "--dry-run"], env, config_home)
    assert planned.exit_code == 5, planned.output
    assert "Plan: 2 rows: 1 to create, 0 to update" in planned.stdout
    assert "  row 2: email_addresses='not-an-email'" in planned.stdout
    assert "Dry run: nothing written." in planned.stdout
    assert writes(emu) == before
    path.write_text("Email,Job title\nd1@dry.io,One\n")
    assert run(["import", "people", str(path), "--dry-run"], env, config_home).exit_code == 0


def test_a_name_several_deals_have_is_ambiguous_in_the_plan_and_left_out(
    env: dict[str, str], config_home: Path, client: AttioClient, tmp_path: Path
) -> None:
    """Two deals share a name: the plan line and ``--json`` count the row ambiguous (naming
    both deals), not an update; the dry run and the real run exit 5, the real run writes the
    other row and puts the ambiguous one in the failure file with the same reason."""
    twins = [
        client.records.create(
            "deals", {"name": "CLI twin", "stage": "Lead", "owner": OWNER, "value": v}
        ).id.record_id
        for v in (1, 2)
    ]
    path = tmp_path / "deals.csv"
    path.write_text(f"Name,Stage,Owner,Value\nCLI twin,Lost,{OWNER},9\nCLI single,Lead,{OWNER},3\n")
    args = ["import", "deals", str(path), "--match", "name"]
    planned = run([*args, "--dry-run"], env, config_home)
    assert planned.exit_code == 5, planned.output
    assert "1 to create, 0 to update" in planned.stdout
    assert "0 invalid, 1 ambiguous" in planned.stdout
    (line,) = [x for x in planned.stdout.splitlines() if x.startswith("  row 1: ")]
    assert 'several records of deals match name "CLI twin"' in line
    assert all(t in line for t in twins)
    as_json = json.loads(run([*args, "--dry-run", "--json"], env, config_home).stdout)
    assert (as_json["ambiguous"], as_json["updates"], as_json["creates"]) == (1, 0, 1)
    done = run(args, env, config_home)
    assert done.exit_code == 5, done.output
    assert "Written: 1, failed: 0, invalid: 0, unchanged: 0, ambiguous: 1" in done.stdout
    with path.with_name("deals.csv.failed.csv").open(newline="") as f:
        (failed,) = list(csv.DictReader(f))
    assert (failed["Name"], failed["_error"]) == ("CLI twin", line.removeprefix("  row 1: "))
    untouched = sorted((d["value"], d["stage"]) for d in deals_named(client, "CLI twin"))
    assert untouched == [(1, "Lead"), (2, "Lead")]
    assert deals_named(client, "CLI single") == [{"value": 3, "stage": "Lead"}]


def test_file_and_mapping_mistakes_are_one_error_line_before_any_write(
    emu: InProcessEmulator, env: dict[str, str], config_home: Path, tmp_path: Path
) -> None:
    """An unknown ``--encoding``, a mapping to an attribute people lack or from a column the
    file lacks, and a header naming a column twice: each one error line, exit 5 (input that
    cannot be used), no write."""
    path = tmp_path / "rows.csv"
    path.write_bytes(b"Email,Given\nm1@acme.com,O\x92Brien\n")
    twice = tmp_path / "twice.csv"
    twice.write_text("Email,Email,Name\nm2@acme.com,m3@acme.com,M\n")
    mapping = tmp_path / "mapping.json"
    before = writes(emu)
    cases = [
        (
            [str(path), "--encoding", "klingon"],
            None,
            "error: unknown encoding 'klingon': give a Python codec name such as utf-8",
        ),
        (
            [str(path), "--mapping", str(mapping)],
            {"Email": "email_addresses", "Given": "nosuch_attr"},
            "error: the mapping sends column 'Given' to nosuch_attr, but people has no "
            "attribute 'nosuch_attr': use one of ",
        ),
        (
            [str(path), "--mapping", str(mapping)],
            {"E-mail": "email_addresses"},
            "error: the mapping names the column 'E-mail', which rows.csv does not have (its "
            "columns: 'Email', 'Given')",
        ),
        (
            [str(twice)],
            None,
            "error: twice.csv names the column 'Email' twice in its header: rename or remove "
            "one of them",
        ),
    ]
    for extra, given, message in cases:
        if given is not None:
            mapping.write_text(json.dumps(given))
        result = run(["import", "people", *extra], env, config_home)
        assert result.exit_code == 5, result.output
        assert one_error_line(result).startswith(message)
    assert writes(emu) == before


def test_encoding_cp1252_is_detected_and_can_be_named(
    env: dict[str, str], config_home: Path, client: AttioClient, tmp_path: Path
) -> None:
    """Excel's curly apostrophe arrives as ’ (detected), and ``--encoding latin-1`` reads the
    same byte as Latin-1 says (U+0092) because it was asked to."""
    path = tmp_path / "excel.csv"
    path.write_bytes(b"Email,Last name\nob1@excel.ie,O\x92Brien\n")
    assert run(["import", "people", str(path)], env, config_home).exit_code == 0
    path.write_bytes(b"Email,Last name\nob2@excel.ie,O\x92Brien\n")
    named = run(["import", "people", str(path), "--encoding", "latin-1"], env, config_home)
    assert named.exit_code == 0, named.output
    found = {
        r.values["email_addresses"][0]["email_address"]: r.values["name"][0]["last_name"]
        for r in client.records.query(
            "people", filter={"email_addresses": {"email_address": {"$contains": "@excel.ie"}}}
        )
    }
    assert found == {"ob1@excel.ie": "O\u2019Brien", "ob2@excel.ie": "O\x92Brien"}


def test_ctrl_c_names_the_checkpoint_to_resume_from(tmp_path: Path) -> None:
    """SIGINT while the rows are written (the emulator answers slowly): exit 130 and one error
    line naming the state store that keeps the checkpoint and saying to run the same command
    again; that command's plan then finds the rows written as already done."""
    path = tmp_path / "many.csv"
    path.write_text("Email\n" + "".join(f"c{i}@ctrl.io\n" for i in range(400)))
    state_home = tmp_path / "state-home"
    store = open_store(environ={"XDG_STATE_HOME": str(state_home)})
    with store, EmulatorProcess(api_key=KEY, read_rate=0, write_rate=0, latency_ms=20) as slow:
        env = {
            **os.environ,
            "ATTIO_API_KEY": KEY,
            "ATTIO_BASE_URL": slow.base_url,
            "XDG_CONFIG_HOME": str(tmp_path),
            "XDG_STATE_HOME": str(state_home),
        }
        env.pop("ATTIO_BRIDGE_DATABASE_URL", None)
        command = [sys.executable, "-m", "attio_bridge.cli", "import", "people", str(path)]
        proc = subprocess.Popen(
            [*command, "--concurrency", "1"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            preexec_fn=sigint_default,
        )
        try:
            # The checkpoint is first saved a second into the writes: then interrupt.
            for _ in range(600):
                if any(doc["done"] for _, doc in store.items("import")) or proc.poll() is not None:
                    break
                time.sleep(0.05)
            assert proc.poll() is None, "the import ended before it could be interrupted"
            proc.send_signal(signal.SIGINT)
            _, stderr = proc.communicate(timeout=60)
        finally:
            if proc.poll() is None:
                proc.kill()
        assert proc.returncode == 130, stderr
        assert stderr.strip().splitlines()[-1] == (
            "error: interrupted; the rows written so far are kept in the state store "
            f"{store.url_for_display}: run the same command again to resume from it"
        )
        again = subprocess.run(
            [*command, "--dry-run", "--json"], env=env, capture_output=True, text=True, timeout=120
        )
        assert again.returncode == 0, again.stderr
        plan = json.loads(again.stdout)
        assert plan["already_done"] > 0
        # A row in flight when Ctrl-C came may be written but not yet checkpointed: the plan
        # then finds it unchanged. Every row is accounted for, none to update.
        assert plan["already_done"] + plan["creates"] + plan["unchanged"] == 400
        assert plan["updates"] == 0


def test_a_missing_mapping_file_is_a_usage_error_as_a_missing_file_is(
    emu: InProcessEmulator, env: dict[str, str], config_home: Path, tmp_path: Path
) -> None:
    """The same class of mistake, the same exit code: 2, before anything is read or sent."""
    path = tmp_path / "rows.csv"
    path.write_text("Email\nm@acme.com\n")
    missing = tmp_path / "nowhere.json"
    before = writes(emu)
    no_mapping = run(["import", "people", str(path), "--mapping", str(missing)], env, config_home)
    no_file = run(["import", "people", str(missing)], env, config_home)
    assert (no_mapping.exit_code, no_file.exit_code) == (2, 2), no_mapping.output
    assert "'--mapping'" in no_mapping.output and "does not exist" in no_mapping.output
    assert writes(emu) == before


def test_a_json_dry_run_lists_the_writes_and_the_plan_prints_notes(
    emu: InProcessEmulator, env: dict[str, str], config_home: Path, tmp_path: Path
) -> None:
    """``--dry-run --json`` has ``requests``, every write the run would send, as the other dry
    runs print them; an interrupted run's next plan says it resumes, and ``--restart`` starts
    over."""
    state = {"XDG_STATE_HOME": str(tmp_path / "state")}  # the checkpoints of this test only
    env = env | state
    path = tmp_path / "notes.csv"
    path.write_text("Email,Job title\nn1@notes.io,One\nn2@notes.io,Two\n")
    before = writes(emu)
    planned = run(["import", "people", str(path), "--dry-run", "--json"], env, config_home)
    assert planned.exit_code == 0, planned.output
    requests = json.loads(planned.stdout)["requests"]
    assert [(r["method"], r["path"], r["effect"]) for r in requests] == [
        (
            "PUT",
            "/v2/objects/people/records?matching_attribute=email_addresses",
            f"row {n}: creates a people record, dry-run:record-{n}",
        )
        for n in (1, 2)
    ]
    assert writes(emu) == before
    # The text plan does not list them (a file has thousands), it says so in the help.
    text = run(["import", "people", str(path), "--dry-run"], env, config_home)
    assert "requests" not in text.stdout and "PUT" not in text.stdout
    with emu.client() as client, open_store(environ=state) as store:
        import_file(client, "people", path, max_writes=1, concurrency=1, store=store)
    resumed = run(["import", "people", str(path), "--dry-run"], env, config_home)
    assert "Note: resuming from the checkpoint in the state store " in resumed.stdout
    assert ", 1 rows done" in resumed.stdout
    restarted = run(["import", "people", str(path), "--restart"], env, config_home)
    assert restarted.exit_code == 0, restarted.output
    assert "Note: the checkpoint of notes.csv is discarded: starting over" in restarted.stdout
    assert "1 unchanged, 0 already done" in restarted.stdout


def test_the_plan_pass_shows_a_progress_bar_on_a_terminal_only(
    emu: InProcessEmulator, env: dict[str, str], config_home: Path, tmp_path: Path
) -> None:
    path = tmp_path / "long.csv"
    path.write_text("Email\n" + "".join(f"l{i}@long.io\n" for i in range(1200)))
    args = ["import", "people", str(path), "--dry-run"]
    on_terminal = run(args, env | {"TTY_COMPATIBLE": "1"}, config_home)
    assert on_terminal.exit_code == 0, on_terminal.output
    assert "planning" in on_terminal.stderr
    piped = run(args, env | {"TTY_COMPATIBLE": "0"}, config_home)
    assert "planning" not in piped.output


def test_an_empty_file_is_0_rows_with_a_warning_exit_0(
    emu: InProcessEmulator, env: dict[str, str], config_home: Path, tmp_path: Path
) -> None:
    path = tmp_path / "empty.csv"
    path.write_text("Email,Job title\n")
    result = run(["import", "people", str(path)], env, config_home)
    assert result.exit_code == 0, result.output
    assert (
        "Warning: 0 rows: empty.csv is empty or holds only a header; nothing to import"
        in result.stdout
    )
