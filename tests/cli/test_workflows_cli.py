"""``attio-bridge meeting|deals|qualify|automate`` end to end against the emulator in this process.

Each command's effect is read back through the client; ``--json`` output parses; ``--dry-run``
sends no write (the emulator's journal); a re-run creates nothing twice; bad input is one error
line with the exit code of its class. ``invoke`` checks that the API key is in no output.

The workspace (built through the client, as the workflow suite builds it): the ``pipeline`` and
``prospects`` lists of companies, ``big_deals`` and ``active_deals`` lists of deals, deals with
``close_date`` and ``probability``, companies with a ``lead_status`` select (Hot, Warm, Cold)
and two extra deal stages, ``Review`` and ``Approved``, that only the automation tests use.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import Result

from attio_bridge.client import AttioClient
from attio_bridge.services import Services
from attio_bridge.values import decode_record
from tests.services.conftest import add_deal_attributes, attribute_body, build_workspace

from ._support import InProcessEmulator, invoke, one_error_line, writes

KEY = "workflows-cli-s3cret-key-77aa"
MEMBER = "ada@example.com"  # the emulator's workspace member
MISSING = "00000000-0000-4000-8000-000000000000"

RULES_TOML = """\
list = "prospects"
assignee = "ada@example.com"

[[rules]]
field = "employees"
op = "at_least"
value = 50
points = 30

[[rules]]
field = "industry"
op = "in"
value = ["SaaS", "Fintech"]
points = 20

[[rules]]
field = "email"
op = "present"
points = 5

[tiers]
Hot = 40
Warm = 20
Cold = 0
"""


@pytest.fixture(scope="module")
def emu() -> Iterator[InProcessEmulator]:
    """The emulator in this process, with the workspace of the module docstring."""
    with InProcessEmulator(KEY) as process:
        with process.client() as c:
            build_workspace(c)
            add_deal_attributes(c)
            c.lists.create(name="Active deals", api_slug="active_deals", parent_object="deals")
            c.attributes.create("objects", "companies", attribute_body("lead_status", "select"))
            for title in ("Hot", "Warm", "Cold"):
                c.attributes.create_option("objects", "companies", "lead_status", title=title)
            for title in ("Review", "Approved"):
                c.attributes.create_status("objects", "deals", "stage", title=title)
        yield process


@pytest.fixture
def services(client: AttioClient) -> Services:
    """Services on ``client``, to set up and decode."""
    return Services(client)


def run(
    args: list[str], env: dict[str, str], config_home: Path, input: str | None = None
) -> Result:
    """``invoke`` with this module's key."""
    return invoke(args, env, config_home, KEY, input)


def ok_json(result: Result) -> dict[str, object]:
    """The JSON object a successful command printed."""
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert isinstance(data, dict)
    return data


def company(client: AttioClient, domain: str, name: str) -> str:
    """The id of the company with ``domain``, made if missing."""
    record = client.records.assert_record(
        "companies", "domains", {"domains": [{"domain": domain}], "name": name}
    )
    return record.record_id


# -- meeting -------------------------------------------------------------------------------------
MEETING = ["--title", "Quarterly review", "--date", "2026-03-04T15:30:00+00:00"]


def test_meeting_on_a_company_by_domain_and_rerun_writes_nothing(
    emu: InProcessEmulator, env: dict[str, str], config_home: Path, client: AttioClient
) -> None:
    """The note on the company has the title, date, attendees and Markdown; the same command
    again returns the same note and sends no write."""
    cid = company(client, "meet-acme.com", "Meet Acme")
    args = [
        "meeting",
        "meet-acme.com",
        *MEETING,
        "--attendee",
        "ada@meet-acme.com",
        "--attendee",
        "Grace Hopper",
        "--content",
        "## Outcomes\n\n- renew **early**",
        "--json",
    ]
    first = ok_json(run(args, env, config_home))
    note = client.notes.get(str(first["note_id"]))
    assert note.parent_object == "companies" and note.parent_record_id == cid
    assert note.title == "Quarterly review"
    assert "2026-03-04 15:30 UTC" in note.content_plaintext
    assert "- ada@meet-acme.com" in note.content_markdown
    assert "- Grace Hopper" in note.content_markdown
    assert "renew **early**" in note.content_markdown
    before = writes(emu)
    again = ok_json(run(args, env, config_home))
    assert again["note_id"] == first["note_id"]
    assert writes(emu) == before
    notes = list(client.notes.iter(parent_object="companies", parent_record_id=cid))
    assert len(notes) == 1


def test_meeting_on_a_person_a_record_id_and_a_url(
    env: dict[str, str], config_home: Path, client: AttioClient, services: Services, tmp_path: Path
) -> None:
    """TARGET as a person's email (notes from a file), a deal's id with --object (from stdin)
    and an Attio URL of the person (a table printed) all reach the right record."""
    person = services.people.upsert(email="lin@meet-people.com", name="Lin Meet")
    deal = services.deals.create("Meeting deal", 100, "Lead", owner=MEMBER)
    notes_md = tmp_path / "notes.md"
    notes_md.write_text("Talked **pricing**.\n", encoding="utf-8")
    by_email = ok_json(
        run(
            [
                "meeting",
                "lin@meet-people.com",
                "--title",
                "Intro",
                "--date",
                "2026-01-05",
                "--file",
                str(notes_md),
                "--json",
            ],
            env,
            config_home,
        )
    )
    assert by_email["parent_object"] == "people"
    assert by_email["parent_record_id"] == person.record_id
    assert "**pricing**" in client.notes.get(str(by_email["note_id"])).content_markdown
    by_id = ok_json(
        run(
            [
                "meeting",
                deal.record_id,
                "--object",
                "deals",
                "--title",
                "Scoping",
                "--date",
                "2026-01-06",
                "--json",
            ],
            env,
            config_home,
            input="From stdin\n",
        )
    )
    assert (by_id["parent_object"], by_id["parent_record_id"]) == ("deals", deal.record_id)
    assert "From stdin" in client.notes.get(str(by_id["note_id"])).content_plaintext
    url = f"https://app.attio.com/acme/person/{person.record_id}/overview"
    table = run(
        ["meeting", url, "--title", "Follow-up", "--date", "2026-01-07", "--content", "x"],
        env,
        config_home,
    )
    assert table.exit_code == 0, table.stderr
    assert "Follow-up" in table.stdout
    titles = {
        n.title
        for n in client.notes.iter(parent_object="people", parent_record_id=person.record_id)
    }
    assert titles == {"Intro", "Follow-up"}


def test_meeting_dry_run_sends_no_write(
    emu: InProcessEmulator, env: dict[str, str], config_home: Path, client: AttioClient
) -> None:
    """--dry-run prints the note it would create and the emulator receives no write."""
    cid = company(client, "meet-dry.com", "Meet Dry")
    before = writes(emu)
    result = ok_json(
        run(
            ["meeting", "meet-dry.com", *MEETING, "--content", "x", "--dry-run", "--json"],
            env,
            config_home,
        )
    )
    assert result["dry_run"] is True
    requests = result["requests"]
    assert isinstance(requests, list) and len(requests) == 1
    request = requests[0]
    assert (request["method"], request["path"]) == ("POST", "/v2/notes")
    assert request["body"]["data"]["parent_record_id"] == cid
    assert writes(emu) == before
    assert list(client.notes.iter(parent_object="companies", parent_record_id=cid)) == []


@pytest.mark.parametrize(
    ("args", "status", "words"),
    [
        (["nowhere-co.com"], 4, "companies create nowhere-co.com"),
        (["nobody@nowhere-co.com"], 4, "people create nobody@nowhere-co.com"),
        ([MISSING], 2, "--object"),
        ([MISSING, "--object", "people"], 4, "not found"),
        (["https://app.attio.com/acme/tasks"], 2, "not a record"),
        (["https://api.attio.com/v2/objects"], 2, "not an Attio web-app URL"),
        (["meet-acme.com", "--date", "2999-01-01"], 5, "in the future"),
        (["meet-acme.com", "--date", "04/03/2026"], 5, "YYYY-MM-DD"),
    ],
)
def test_meeting_bad_input_is_one_error_line(
    emu: InProcessEmulator,
    env: dict[str, str],
    config_home: Path,
    client: AttioClient,
    args: list[str],
    status: int,
    words: str,
) -> None:
    """An unknown target, an id without --object, a URL of no record, a future or malformed
    date: one line naming the problem, the exit code of its class, nothing written."""
    company(client, "meet-acme.com", "Meet Acme")
    before = writes(emu)
    date_given = "--date" in args
    base = ["meeting", *args, "--title", "T", "--content", "x"]
    result = run(base if date_given else [*base, "--date", "2026-01-01"], env, config_home)
    assert result.exit_code == status
    assert words in one_error_line(result)
    assert writes(emu) == before


# -- deals ---------------------------------------------------------------------------------------
def create_args(name: str, domain: str, *extra: str) -> list[str]:
    """``deals create NAME`` on ``domain`` into ``big_deals``."""
    return [
        "deals",
        "create",
        name,
        "--value",
        "12000",
        "--currency",
        "usd",
        "--stage",
        "Lead",
        "--close-date",
        "2026-12-31",
        "--company",
        domain,
        "--list",
        "big_deals",
        "--task",
        "Send the proposal",
        "--assignee",
        MEMBER,
        "--note",
        "Budget **approved**.",
        *extra,
    ]


def test_deals_create_makes_deal_entry_task_and_note_once(
    emu: InProcessEmulator,
    env: dict[str, str],
    config_home: Path,
    client: AttioClient,
    services: Services,
) -> None:
    """The deal has its value, stage, close date and company (made from the domain), an entry
    in the list, the task and the context note; a re-run creates none of them again."""
    first = ok_json(
        run(create_args("Globex renewal", "deal-globex.com", "--json"), env, config_home)
    )
    assert first["created"] == ["deal", "entry", "task", "note"]
    deal_id = str(first["deal_id"])
    deal = decode_record(services.schema, client.records.get("deals", deal_id))
    assert (deal["name"], deal["stage"], deal["value"]) == ("Globex renewal", "Lead", 12000)
    assert deal["close_date"] == date(2026, 12, 31)
    globex = services.companies.find_by_domain("deal-globex.com")
    assert globex is not None and deal["associated_company"] == globex.record_id
    slugs = [e.list_api_slug for e in client.records.iter_entries("deals", deal_id)]
    assert slugs == ["big_deals"]
    (task,) = client.tasks.iter(linked_object="deals", linked_record_id=deal_id)
    assert task.content_plaintext == "Send the proposal"
    assert task.deadline_at is not None
    (note,) = client.notes.iter(parent_object="deals", parent_record_id=deal_id)
    assert note.title == "Deal context: Globex renewal"
    assert "Budget **approved**." in note.content_markdown
    before = len(writes(emu))
    again = run(create_args("Globex renewal", "deal-globex.com"), env, config_home)
    assert again.exit_code == 0, again.stderr
    assert "nothing (all there already)" in again.stdout
    # The re-run's only write is the entry's assert, which changes nothing.
    assert writes(emu)[before:] == ["PUT /v2/lists/big_deals/entries"]
    named = client.records.query("deals", filter={"name": "Globex renewal"})
    assert len(named) == 1
    assert len(list(client.tasks.iter(linked_object="deals", linked_record_id=deal_id))) == 1
    assert len(list(client.notes.iter(parent_object="deals", parent_record_id=deal_id))) == 1


def test_a_failure_half_way_names_what_was_done_and_a_re_run_finishes(
    emu: InProcessEmulator, env: dict[str, str], config_home: Path, client: AttioClient
) -> None:
    """Attio failing on the task (after the deal and its entry were made): one error line that
    names the deal and the entry it kept, by their ids; running the command again makes only
    the task and the note."""
    company(client, "deal-halfway.com", "Halfway")
    emu.control("POST", "/faults", {"match": "POST /v2/tasks", "kind": "error", "status": 500})
    try:
        failed = run(create_args("Halfway deal", "deal-halfway.com"), env, config_home)
    finally:
        emu.control("DELETE", "/faults")

    assert failed.exit_code == 1
    line = one_error_line(failed)
    [deal] = client.records.query("deals", filter={"name": "Halfway deal"})
    [entry] = client.records.iter_entries("deals", deal.record_id)
    assert "500" in line and "POST /v2/tasks" in line
    assert f"1. POST /v2/objects/deals/records (record_id {deal.record_id})" in line
    assert f"2. PUT /v2/lists/big_deals/entries (entry_id {entry.entry_id})" in line
    assert "Running the same command again" in line
    again = ok_json(
        run(create_args("Halfway deal", "deal-halfway.com", "--json"), env, config_home)
    )
    assert again["deal_id"] == deal.record_id
    assert again["created"] == ["task", "note"]


def test_deals_create_dry_run_sends_no_write(
    emu: InProcessEmulator, env: dict[str, str], config_home: Path, client: AttioClient
) -> None:
    """With the company there, the dry run shows the deal it would create (then its entry, task
    and note) and writes nothing."""
    cid = company(client, "deal-dry.com", "Deal Dry")
    before = writes(emu)
    result = ok_json(
        run(create_args("Dry deal", "deal-dry.com", "--dry-run", "--json"), env, config_home)
    )
    requests = result["requests"]
    assert isinstance(requests, list) and len(requests) == 4
    request = requests[0]
    assert (request["method"], request["path"]) == ("POST", "/v2/objects/deals/records")
    values = request["body"]["data"]["values"]
    assert values["name"] == {"value": "Dry deal"}
    assert values["associated_company"]["target_record_id"] == cid
    assert writes(emu) == before
    assert client.records.query("deals", filter={"name": "Dry deal"}) == []


@pytest.mark.parametrize(
    ("extra", "status", "words"),
    [
        (["--stage", "Nope"], 5, "Nope"),
        (["--list", "no_such_list"], 4, "no list 'no_such_list'"),
        (["--list", "prospects"], 5, "a list of companies, not of deals"),
        (["--assignee", "ghost@example.com"], 5, "ghost@example.com"),
        (["--currency", "EUR"], 5, "in USD"),
        (["--close-date", "31/12/2026"], 5, "YYYY-MM-DD"),
    ],
)
def test_deals_create_bad_input_writes_nothing(
    emu: InProcessEmulator,
    env: dict[str, str],
    config_home: Path,
    extra: list[str],
    status: int,
    words: str,
) -> None:
    """An unknown stage, list or member, a list of companies, another currency, a bad date:
    one error line, its exit code, and no write at all (not even the company)."""
    before = writes(emu)
    result = run(create_args("Bad deal", "deal-bad.com", *extra), env, config_home)
    assert result.exit_code == status
    assert words in one_error_line(result)
    assert writes(emu) == before


def test_deals_advance_by_url_sets_stage_and_probability(
    emu: InProcessEmulator,
    env: dict[str, str],
    config_home: Path,
    client: AttioClient,
    services: Services,
) -> None:
    """DEAL as an Attio URL: the stage and probability are set (read back); the dry run writes
    nothing; an unknown stage, a missing deal, a person's URL are one error line each."""
    deal = services.deals.create("Advance me", 500, "Lead", owner=MEMBER)
    url = f"https://app.attio.com/acme/deals/{deal.record_id}/overview"
    before = writes(emu)
    dry = ok_json(
        run(
            [
                "deals",
                "advance",
                url,
                "--stage",
                "In Progress",
                "--probability",
                "0.6",
                "--dry-run",
                "--json",
            ],
            env,
            config_home,
        )
    )
    assert [r["method"] for r in dry["requests"]] == ["PATCH"]  # type: ignore[attr-defined]
    assert writes(emu) == before
    result = ok_json(
        run(
            ["deals", "advance", url, "--stage", "In Progress", "--probability", "0.6", "--json"],
            env,
            config_home,
        )
    )
    assert result["stage"] == "In Progress"
    row = decode_record(services.schema, client.records.get("deals", deal.record_id))
    assert (row["stage"], row["probability"]) == ("In Progress", 0.6)
    bad_stage = run(["deals", "advance", deal.record_id, "--stage", "Nowhere"], env, config_home)
    assert bad_stage.exit_code == 5 and "Nowhere" in one_error_line(bad_stage)
    missing = run(["deals", "advance", MISSING, "--stage", "Lead"], env, config_home)
    assert missing.exit_code == 4 and "not found" in one_error_line(missing)
    person = f"https://app.attio.com/acme/person/{deal.record_id}"
    not_deal = run(["deals", "advance", person, "--stage", "Lead"], env, config_home)
    assert not_deal.exit_code == 2 and "not of a deal" in one_error_line(not_deal)


def test_deals_move_between_lists_is_safe_to_rerun(
    emu: InProcessEmulator,
    env: dict[str, str],
    config_home: Path,
    client: AttioClient,
    services: Services,
) -> None:
    """The deal leaves big_deals for active_deals; the dry run writes nothing; a re-run keeps
    one entry; a deal in neither list is one error line (exit 5)."""
    deal = services.deals.create("Move me", 500, "Lead", owner=MEMBER)
    services.lists.add("big_deals", deal)
    args = ["deals", "move", deal.record_id, "--from", "big_deals", "--to", "active_deals"]
    before = writes(emu)
    dry = ok_json(run([*args, "--dry-run", "--json"], env, config_home))
    paths = [r["path"] for r in dry["requests"]]  # type: ignore[attr-defined]
    assert paths[0] == "/v2/lists/active_deals/entries" and len(paths) == 2
    assert writes(emu) == before
    moved = ok_json(run([*args, "--json"], env, config_home))
    assert moved["list"] == "active_deals" and moved["deal_id"] == deal.record_id
    again = run(args, env, config_home)
    assert again.exit_code == 0, again.stderr
    slugs = [e.list_api_slug for e in client.records.iter_entries("deals", deal.record_id)]
    assert slugs == ["active_deals"]
    lone = services.deals.create("Listless", 500, "Lead", owner=MEMBER)
    result = run(
        ["deals", "move", lone.record_id, "--from", "big_deals", "--to", "active_deals"],
        env,
        config_home,
    )
    assert result.exit_code == 5
    assert "not in list 'big_deals'" in one_error_line(result)


# -- qualify -------------------------------------------------------------------------------------
@pytest.fixture
def rules_file(tmp_path: Path) -> Path:
    """The TOML rules of the module (with the list and assignee defaults)."""
    path = tmp_path / "rules.toml"
    path.write_text(RULES_TOML, encoding="utf-8")
    return path


def form_file(tmp_path: Path, form: dict[str, object], name: str = "form.json") -> Path:
    """``form`` written as a JSON file."""
    path = tmp_path / name
    path.write_text(json.dumps(form), encoding="utf-8")
    return path


def test_qualify_scores_sets_status_lists_tasks_and_notes_once(
    emu: InProcessEmulator,
    env: dict[str, str],
    config_home: Path,
    client: AttioClient,
    services: Services,
    rules_file: Path,
    tmp_path: Path,
) -> None:
    """The company is made with its status from the score, entered in the rules file's list,
    with a task and a note of the reasoning; a re-run creates nothing twice."""
    form = form_file(
        tmp_path,
        {
            "company": "Qualco",
            "website": "https://www.qualco.io/contact",
            "employees": "1,200",
            "industry": "saas",
            "email": "hank@qualco.io",
        },
    )
    args = ["qualify", str(form), "--rules", str(rules_file)]
    result = ok_json(run([*args, "--json"], env, config_home))
    assert (result["score"], result["status"]) == (55, "Hot")
    assert result["created"] == ["company", "entry", "task", "note"]
    company_id = str(result["company_id"])
    row = decode_record(services.schema, client.records.get("companies", company_id))
    assert (row["name"], row["domains"], row["lead_status"]) == ("Qualco", ["qualco.io"], "Hot")
    slugs = [e.list_api_slug for e in client.records.iter_entries("companies", company_id)]
    assert slugs == ["prospects"]
    (task,) = client.tasks.iter(linked_object="companies", linked_record_id=company_id)
    assert task.content_plaintext == "Qualify lead Qualco"
    (note,) = client.notes.iter(parent_object="companies", parent_record_id=company_id)
    assert "employees at least 50: +30" in note.content_plaintext
    again = run(args, env, config_home)
    assert again.exit_code == 0, again.stderr
    assert "nothing (all there already)" in again.stdout and "Hot" in again.stdout
    assert len(client.records.query("companies", filter={"domains": "qualco.io"})) == 1
    assert len(list(client.tasks.iter(linked_object="companies", linked_record_id=company_id))) == 1
    notes = client.notes.iter(parent_object="companies", parent_record_id=company_id)
    assert len(list(notes)) == 1


def test_qualify_json_rules_options_and_dry_run(
    emu: InProcessEmulator,
    env: dict[str, str],
    config_home: Path,
    client: AttioClient,
    tmp_path: Path,
) -> None:
    """Rules from a JSON file, the list from --list, the form from stdin: the dry run shows the
    score and status and writes nothing; the real run files the company in that list."""
    rules = tmp_path / "rules.json"
    rules.write_text(
        json.dumps(
            {
                "rules": [{"field": "employees", "op": "at_least", "value": 10, "points": 25}],
                "tiers": {"Warm": 20, "Cold": 0},
            }
        ),
        encoding="utf-8",
    )
    form = json.dumps({"company": "Piped", "email": "jo@piped.dev", "employees": 12})
    args = ["qualify", "-", "--rules", str(rules), "--list", "pipeline", "--assignee", MEMBER]
    before = writes(emu)
    dry = ok_json(run([*args, "--dry-run", "--json"], env, config_home, input=form))
    assert (dry["score"], dry["status"]) == (25, "Warm")
    assert writes(emu) == before
    assert client.records.query("companies", filter={"domains": "piped.dev"}) == []
    done = ok_json(run([*args, "--json"], env, config_home, input=form))
    assert done["list"] == "pipeline" and done["status"] == "Warm"
    slugs = [
        e.list_api_slug for e in client.records.iter_entries("companies", str(done["company_id"]))
    ]
    assert slugs == ["pipeline"]


@pytest.mark.parametrize(
    ("rules", "words"),
    [
        (
            '[[rules]]\nfield = "employees"\nop = "more_than"\nvalue = 5\npoints = 1\n'
            "[tiers]\nHot = 0\n",
            "rule 1 (employees): op 'more_than' is not known; set op to one of",
        ),
        (
            '[[rules]]\nfield = "industry"\nop = "in"\nvalue = "SaaS"\npoints = 1\n'
            "[tiers]\nHot = 0\n",
            "rule 1 (industry): value is 'SaaS'; op \"in\" needs a list",
        ),
        (
            '[[rules]]\nfield = "email"\nop = "present"\npoint = 5\n[tiers]\nHot = 0\n',
            "rule 1 (email): unknown key 'point'",
        ),
        ('[[rules]]\nfield = "email"\nop = "present"\npoints = 5\n', "no tiers"),
        ("rules = [", "not valid TOML"),
    ],
)
def test_qualify_bad_rules_file_is_one_line_naming_rule_and_fix(
    emu: InProcessEmulator,
    env: dict[str, str],
    config_home: Path,
    tmp_path: Path,
    rules: str,
    words: str,
) -> None:
    """A bad rules file: one line naming the file, the rule and the fix, exit 2, no write."""
    path = tmp_path / "bad.toml"
    path.write_text(rules, encoding="utf-8")
    form = form_file(tmp_path, {"company": "X", "website": "x-rules.com"})
    before = writes(emu)
    result = run(
        ["qualify", str(form), "--rules", str(path), "--list", "prospects", "--assignee", MEMBER],
        env,
        config_home,
    )
    assert result.exit_code == 2
    line = one_error_line(result)
    assert str(path) in line and words in line
    assert writes(emu) == before


@pytest.mark.parametrize(
    ("form", "extra", "status", "words"),
    [
        ("not json", [], 2, "not valid JSON"),
        ("[1, 2]", [], 2, "must be a JSON object"),
        ('{"company": "Nameless"}', [], 5, "no website or domain"),
        ('{"website": "q-list.com"}', ["--list", "big_deals"], 5, "a list of deals"),
        ('{"website": "q-member.com"}', ["--assignee", "ghost@example.com"], 5, "ghost@"),
    ],
)
def test_qualify_bad_form_or_options_write_nothing(
    emu: InProcessEmulator,
    env: dict[str, str],
    config_home: Path,
    rules_file: Path,
    form: str,
    extra: list[str],
    status: int,
    words: str,
) -> None:
    """A form that is not a JSON object or has no domain, a list of deals, an unknown member:
    one error line with its exit code, and nothing written."""
    before = writes(emu)
    result = run(["qualify", "-", "--rules", str(rules_file), *extra], env, config_home, form)
    assert result.exit_code == status
    assert words in one_error_line(result)
    assert writes(emu) == before


# -- automate ------------------------------------------------------------------------------------
def test_automate_deals_dry_run_then_advance_then_rerun(
    emu: InProcessEmulator,
    env: dict[str, str],
    config_home: Path,
    client: AttioClient,
    services: Services,
) -> None:
    """Of the deals in Review, the one with a close date is listed by the dry run (nothing
    written), then advanced to Approved with its entry moved, a follow-up task and a note; the
    deal without a close date stays; a re-run finds nothing to do."""
    ready = services.deals.create("Auto ready", 900, "Review", date(2026, 12, 1), owner=MEMBER)
    bare = services.deals.create("Auto bare", 900, "Review", owner=MEMBER)
    services.lists.add("big_deals", ready)
    args = ["automate", "deals", "--stage", "Review", "--to", "Approved", "--active-days", "7"]
    args += ["--require", "close_date", "--follow-up-days", "3", "--assignee", MEMBER]
    args += ["--list", "big_deals", "--to-list", "active_deals"]
    before = writes(emu)
    dry = ok_json(run([*args, "--dry-run", "--json"], env, config_home))
    assert dry["dry_run"] is True
    assert [(c["deal_id"], c["to_stage"]) for c in dry["changes"]] == [  # type: ignore[attr-defined]
        (ready.record_id, "Approved")
    ]
    assert writes(emu) == before
    table = run(args, env, config_home)
    assert table.exit_code == 0, table.stderr
    assert "Deals advanced" in table.stdout and "Auto ready" in table.stdout
    assert decode_record(services.schema, client.records.get("deals", ready.record_id))[
        "stage"
    ] == ("Approved")
    assert decode_record(services.schema, client.records.get("deals", bare.record_id))["stage"] == (
        "Review"
    )
    slugs = [e.list_api_slug for e in client.records.iter_entries("deals", ready.record_id)]
    assert slugs == ["active_deals"]
    (task,) = client.tasks.iter(linked_object="deals", linked_record_id=ready.record_id)
    assert task.content_plaintext == "Follow up: Auto ready moved to Approved"
    due = (datetime.now(UTC) + timedelta(days=3)).date().isoformat()
    assert (task.deadline_at or "").startswith(due)
    (note,) = client.notes.iter(parent_object="deals", parent_record_id=ready.record_id)
    assert note.title == "Stage automation: Review to Approved"
    again = ok_json(run([*args, "--json"], env, config_home))
    assert again == {"dry_run": False, "changes": []}


@pytest.mark.parametrize(
    ("extra", "status", "words"),
    [
        (["--to", "Nowhere"], 5, "Nowhere"),
        (["--require", "budget"], 4, "'budget'"),  # no such attribute: not found
        (["--list", "big_deals"], 2, "both --list and --to-list"),
        (["--list", "big_deals", "--to-list", "prospects"], 5, "a list of companies"),
        (["--assignee", "ghost@example.com"], 5, "ghost@example.com"),
        (["--to", "review"], 2, "--stage and --to are both 'review'"),
        (["--list", "big_deals", "--to-list", "big_deals"], 2, "both 'big_deals'"),
    ],
)
def test_automate_deals_bad_input_writes_nothing(
    emu: InProcessEmulator,
    env: dict[str, str],
    config_home: Path,
    extra: list[str],
    status: int,
    words: str,
) -> None:
    """An unknown stage or attribute, one list without the other, a list of companies, an
    unknown member, the stage or list the deals are in as the one to reach: one error line with
    its exit code, and nothing written."""
    base = ["automate", "deals", "--stage", "Review", "--active-days", "7"]
    base += ["--follow-up-days", "3"]
    if "--to" not in extra:
        base += ["--to", "Approved"]
    before = writes(emu)
    result = run([*base, *extra], env, config_home)
    assert result.exit_code == status
    assert words in one_error_line(result)
    assert writes(emu) == before


def test_no_api_key_is_a_usage_error(config_home: Path, rules_file: Path, tmp_path: Path) -> None:
    """Without a key every workflow command stops with exit 2 naming where to put one."""
    form = form_file(tmp_path, {"website": "nokey.com"})
    for args in (
        ["meeting", "acme.com", "--title", "T", "--date", "2026-01-01", "--content", "x"],
        ["qualify", str(form), "--rules", str(rules_file)],
        [
            "automate",
            "deals",
            "--stage",
            "A",
            "--to",
            "B",
            "--active-days",
            "1",
            "--follow-up-days",
            "1",
        ],
    ):
        result = run(args, {}, config_home)
        assert result.exit_code == 2
        assert "ATTIO_API_KEY" in one_error_line(result)


# -- what the newcomer's QA found ----------------------------------------------------------------
def test_meeting_rerun_says_found_and_updates_other_notes_in_place(
    emu: InProcessEmulator, env: dict[str, str], config_home: Path, client: AttioClient
) -> None:
    """The first run says created; the same meeting with the same notes says found (exit 0,
    one line on stderr), in JSON and in the table; with other notes, or other attendees, it
    edits that note in place (docs.attio.com/rest-api/endpoint-reference/notes/update-a-note):
    exit 0, updated true, same note id, one PATCH; a dry run plans the PATCH and sends none."""
    cid = company(client, "meet-again.com", "Meet Again")
    base = ["meeting", "meet-again.com", "--title", "Security review", "--date", "2026-11-20"]
    base += ["--attendee", "priya@meet-again.com"]
    first = ok_json(run([*base, "--content", "- SSO is a **must**", "--json"], env, config_home))
    assert (first["created"], first["updated"]) == (True, False)
    note_id = str(first["note_id"])
    before = writes(emu)
    same = run([*base, "--content", "- SSO is a **must**\n", "--json"], env, config_home)
    assert same.exit_code == 0, same.stderr
    data = json.loads(same.stdout)
    assert (data["note_id"], data["created"], data["updated"]) == (note_id, False, False)
    assert "already there" in same.stderr
    table = run([*base, "--content", "- SSO is a **must**"], env, config_home)
    assert table.exit_code == 0, table.stderr
    assert "no (already there)" in table.stdout
    assert writes(emu) == before
    planned = run(
        [*base, "--content", "Totally different follow-up notes", "--dry-run"], env, config_home
    )
    assert planned.exit_code == 0, planned.stderr
    assert f"PATCH /v2/notes/{note_id}" in planned.stdout
    assert writes(emu) == before
    edited = ok_json(
        run([*base, "--content", "Totally different follow-up notes", "--json"], env, config_home)
    )
    assert (edited["note_id"], edited["created"], edited["updated"]) == (note_id, False, True)
    assert writes(emu) == [*before, f"PATCH /v2/notes/{note_id}"]
    more = [
        *base,
        "--attendee",
        "grace@example.com",
        "--content",
        "Totally different follow-up notes",
    ]
    again = run(more, env, config_home)
    assert again.exit_code == 0, again.stderr
    assert "updated in place" in again.stderr
    (note,) = client.notes.iter(parent_object="companies", parent_record_id=cid)
    assert note.id["note_id"] == note_id
    assert (
        "Totally different" in note.content_plaintext
        and "grace@example.com" in note.content_plaintext
    )
    assert "SSO" not in note.content_plaintext


@pytest.mark.parametrize(("extra", "stdin"), [(["--content", ""], None), ([], ""), ([], " \n")])
def test_meeting_without_notes_is_a_usage_error(
    emu: InProcessEmulator,
    env: dict[str, str],
    config_home: Path,
    client: AttioClient,
    extra: list[str],
    stdin: str | None,
) -> None:
    """Empty --content or an empty pipe: exit 2, one line, no note (it could not be edited)."""
    company(client, "meet-empty.com", "Meet Empty")
    before = writes(emu)
    args = ["meeting", "meet-empty.com", "--title", "T", "--date", "2026-01-01", *extra]
    result = run(args, env, config_home, stdin)
    assert result.exit_code == 2
    assert "no meeting notes" in one_error_line(result)
    assert writes(emu) == before


def test_deals_create_on_an_existing_deal_checks_inputs_and_reports_what_it_leaves(
    emu: InProcessEmulator,
    env: dict[str, str],
    config_home: Path,
    client: AttioClient,
    services: Services,
) -> None:
    """Once the deal exists, a bad stage, value or owner is still refused (exit 5, nothing
    written, dry run or not); another stage, value or close date is not applied and said so,
    in the JSON, the table, the dry run and on stderr, with the command that changes it."""
    first = ok_json(run(create_args("Again deal", "deal-again.com", "--json"), env, config_home))
    deal_id = str(first["deal_id"])
    before = writes(emu)
    for extra in (
        ["--stage", "Nonsense", "--dry-run"],
        ["--stage", "Nonsense"],
        ["--value", "lots"],
        ["--owner", "ghost@example.com"],
    ):
        refused = run(create_args("Again deal", "deal-again.com", *extra), env, config_home)
        assert refused.exit_code == 5, refused.stdout
        assert extra[1] in one_error_line(refused)
    assert writes(emu) == before
    changed = ["--stage", "In Progress", "--value", "15000", "--close-date", "2027-01-31"]
    result = run(create_args("Again deal", "deal-again.com", *changed, "--json"), env, config_home)
    data = ok_json(result)
    assert data["created"] == [] and data["deal_id"] == deal_id
    skipped = data["not_applied"]
    assert isinstance(skipped, list) and len(skipped) == 3
    assert skipped[0] == (
        "the deal exists with stage Lead; --stage 'In Progress' not applied: use "
        f"attio-bridge deals advance {deal_id} --stage 'In Progress'"
    )
    assert f"records update deals {deal_id} --set value=15000" in skipped[1]
    assert "exists with close_date 2026-12-31; --close-date 2027-01-31" in skipped[2]
    assert result.stderr.count("warning: the deal exists with") == 3
    row = decode_record(services.schema, client.records.get("deals", deal_id))
    assert (row["stage"], row["value"], row["close_date"]) == ("Lead", 12000, date(2026, 12, 31))
    table = run(
        create_args("Again deal", "deal-again.com", "--stage", "In Progress"), env, config_home
    )
    assert table.exit_code == 0 and "not_applied" in table.stdout
    dry = run(
        create_args("Again deal", "deal-again.com", "--stage", "In Progress", "--dry-run"),
        env,
        config_home,
    )
    assert dry.exit_code == 0 and "not_applied: the deal exists with stage Lead" in dry.stdout
    plain = run(create_args("Again deal", "deal-again.com"), env, config_home)
    assert plain.exit_code == 0 and "not_applied" not in plain.stdout + plain.stderr


def test_deals_advance_refuses_a_percentage_for_probability(
    emu: InProcessEmulator,
    env: dict[str, str],
    config_home: Path,
    client: AttioClient,
    services: Services,
) -> None:
    """--probability 60: exit 5 (like the other values refused), the hint 0.6, nothing sent."""
    deal = services.deals.create("Percent deal", 500, "Lead", owner=MEMBER)
    before = writes(emu)
    for value in ("60", "-0.5"):
        result = run(
            ["deals", "advance", deal.record_id, "--stage", "In Progress", "--probability", value],
            env,
            config_home,
        )
        assert result.exit_code == 5
        assert "0.6 for 60%" in one_error_line(result)
    assert writes(emu) == before
    row = decode_record(services.schema, client.records.get("deals", deal.record_id))
    assert (row["stage"], row.get("probability")) == ("Lead", None)


def test_qualify_rules_with_an_unknown_tier_are_refused_before_any_write(
    emu: InProcessEmulator, env: dict[str, str], config_home: Path, tmp_path: Path
) -> None:
    """A tier title that is no lead_status option fails even for a lead that does not reach
    it: one line naming the title and the options, exit 5, nothing written."""
    path = tmp_path / "tiers.toml"
    path.write_text(RULES_TOML.replace("[tiers]\n", "[tiers]\nScorching = 90\n"), "utf-8")
    form = form_file(tmp_path, {"company": "Cold Co", "website": "q-scorching.com"})
    before = writes(emu)
    for extra in ([], ["--dry-run"]):
        result = run(["qualify", str(form), "--rules", str(path), *extra], env, config_home)
        assert result.exit_code == 5
        line = one_error_line(result)
        assert "'Scorching'" in line and "(Hot, Warm, Cold)" in line
    assert writes(emu) == before


def test_automate_deals_table_is_one_line_per_deal_at_80_columns(
    emu: InProcessEmulator,
    env: dict[str, str],
    config_home: Path,
    services: Services,
) -> None:
    """A long name with a URL in it at 80 columns: the deal id whole on its row, the name cut
    with "…", the columns that do not fit named under the table, no line wider than 80."""
    name = "Wide deal – https://www.example.com/a/very/long/path/to/the/deal/page"
    deal = services.deals.create(name, 900, "Approved", owner=MEMBER)
    args = ["automate", "deals", "--stage", "Approved", "--to", "Review", "--active-days", "7"]
    args += ["--follow-up-days", "3", "--dry-run"]
    result = run(args, {**env, "COLUMNS": "80"}, config_home)
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert max(len(line) for line in lines) <= 80
    (row,) = [line for line in lines if deal.record_id in line]
    assert "Wide deal" in row and "…" in row
    assert any(line.startswith("not shown: ") and "--json for all" in line for line in lines)
    assert "from Approved to Review, follow-up due" in result.stdout
