"""``attio-bridge self``, ``records ...`` and ``url parse`` against the emulator in this process.

Each command's happy path, ``--json`` output, ``--dry-run`` sending no write (checked in the
emulator's journal), validation errors (exit 5, naming the field), not found (exit 4); the API
key appears in no output (``invoke`` checks every run).
"""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import Result

from attio_bridge.client import AttioClient

from ._support import InProcessEmulator, invoke, one_error_line, writes

KEY = "records-cli-s3cret-key-91ab"
MISSING = "00000000-0000-4000-8000-000000000000"


def run(
    args: list[str], env: dict[str, str], config_home: Path, input: str | None = None
) -> Result:
    """``invoke`` with this module's key."""
    return invoke(args, env, config_home, KEY, input)


# -- self ----------------------------------------------------------------------------------------
def test_self_prints_workspace_not_key(env: dict[str, str], config_home: Path) -> None:
    result = run(["self", "--json"], env, config_home)
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["active"] is True
    assert data["workspace_slug"]
    assert isinstance(data["scopes"], list)
    table = run(["self"], env, config_home)
    assert table.exit_code == 0
    assert data["workspace_slug"] in table.stdout


def test_self_with_a_wrong_key_exits_3(env: dict[str, str], config_home: Path) -> None:
    result = run(["self"], env | {"ATTIO_API_KEY": "wrong-key"}, config_home)
    assert result.exit_code == 3
    assert "authentication failed" in one_error_line(result)


def test_no_key_is_a_usage_error(emu: InProcessEmulator, config_home: Path) -> None:
    result = run(["self"], {"ATTIO_BASE_URL": emu.base_url}, config_home)
    assert result.exit_code == 2
    assert "no Attio API key" in one_error_line(result)


# -- records -------------------------------------------------------------------------------------
def test_create_get_update_delete(
    env: dict[str, str], config_home: Path, client: AttioClient
) -> None:
    created = run(
        [
            "records",
            "create",
            "companies",
            "--set",
            "name=Crud Co",
            "--set",
            "domains=crud-co.com",
            "--json",
        ],
        env,
        config_home,
    )
    assert created.exit_code == 0, created.stderr
    row = json.loads(created.stdout)
    rid = row["record_id"]
    assert row["name"] == "Crud Co"
    assert row["domains"] == ["crud-co.com"]

    got = run(["records", "get", "companies", rid, "--json"], env, config_home)
    assert got.exit_code == 0, got.stderr
    assert json.loads(got.stdout)["name"] == "Crud Co"
    table = run(["records", "get", "companies", rid], env, config_home)
    assert table.exit_code == 0
    assert "Crud Co" in table.stdout

    updated = run(
        ["records", "update", "companies", rid, "--values", '{"name": "Crud Inc"}', "--json"],
        env,
        config_home,
    )
    assert updated.exit_code == 0, updated.stderr
    assert client.records.get("companies", rid).values["name"][0]["value"] == "Crud Inc"

    deleted = run(["records", "delete", "companies", rid], env, config_home)
    assert deleted.exit_code == 0, deleted.stderr
    gone = run(["records", "get", "companies", rid], env, config_home)
    assert gone.exit_code == 4
    assert one_error_line(gone).startswith("error: not found")


def test_assert_upserts_by_the_match_attribute(env: dict[str, str], config_home: Path) -> None:
    args = [
        "records",
        "assert",
        "people",
        "--match",
        "email_addresses",
        "--set",
        "email_addresses=ada@assert-test.com",
        "--json",
    ]
    first = run([*args, "--set", "job_title=Analyst"], env, config_home)
    second = run([*args, "--set", "job_title=Engineer"], env, config_home)
    assert first.exit_code == 0 and second.exit_code == 0, first.stderr + second.stderr
    one, two = json.loads(first.stdout), json.loads(second.stdout)
    assert one["record_id"] == two["record_id"]
    assert two["job_title"] == "Engineer"


def test_query_filters_sorts_limits_and_reads_every_page(
    env: dict[str, str], config_home: Path, client: AttioClient
) -> None:
    for i in range(5):
        client.records.create(
            "companies",
            {"name": [{"value": f"Pager {i}"}], "domains": [{"domain": f"pager{i}.com"}]},
        )
    base = ["records", "query", "companies", "--filter", '{"name": {"$contains": "Pager"}}']
    page = run([*base, "--limit", "2", "--sort", "name:desc", "--json"], env, config_home)
    assert page.exit_code == 0, page.stderr
    assert [r["name"] for r in json.loads(page.stdout)] == ["Pager 4", "Pager 3"]
    every = run([*base, "--all", "--json"], env, config_home)
    assert sorted(r["name"] for r in json.loads(every.stdout)) == [f"Pager {i}" for i in range(5)]
    table = run([*base, "--limit", "3"], env, config_home)
    assert table.exit_code == 0
    assert "Pager" in table.stdout and "record_id" in table.stdout


def test_query_table_fits_the_terminal_and_columns_choose(
    env: dict[str, str], config_home: Path, client: AttioClient
) -> None:
    """A narrow terminal gets the columns that fit, one line per record, long values cut with
    "…", and the rest named under the table; ``--columns`` shows those asked for; a column
    the rows do not have is a usage error naming the ones they do."""
    long = "A description far longer than any table cell should ever grow to be " * 2
    client.records.create(
        "companies",
        {
            "name": [{"value": "Fitting Ltd"}],
            "domains": [{"domain": "fitting.com"}],
            "description": [{"value": long}],
        },
    )
    base = ["records", "query", "companies", "--filter", '{"name": "Fitting Ltd"}']

    narrow = run(base, env | {"COLUMNS": "80"}, config_home)
    wide = run(base, env | {"COLUMNS": "200"}, config_home)
    chosen = run([*base, "--columns", "name,description"], env | {"COLUMNS": "80"}, config_home)
    unknown = run([*base, "--columns", "nmae"], env, config_home)

    assert narrow.exit_code == 0, narrow.stderr
    assert max(len(line) for line in narrow.stdout.splitlines()) <= 80
    assert "not shown: description" in narrow.stdout
    assert "fitting.com" in narrow.stdout
    assert wide.exit_code == 0, wide.stderr
    [line] = [line for line in wide.stdout.splitlines() if "fitting.com" in line]
    assert "A description far" in line and "…" in line and long not in wide.stdout
    assert "not shown" not in wide.stdout
    assert chosen.exit_code == 0, chosen.stderr
    header = chosen.stdout.splitlines()[2]
    assert "name" in header and "description" in header and "record_id" not in header
    assert unknown.exit_code == 2
    assert "no column 'nmae'" in (line := one_error_line(unknown)) and "description" in line


def test_query_table_starts_with_the_id_and_name(
    env: dict[str, str], config_home: Path, client: AttioClient
) -> None:
    """At 80 columns a row still says which record it is: a company's name, a person's full
    name, right after the id (the name parts repeating it are left to --columns and --json)."""
    client.records.create(
        "companies",
        {"domains": [{"domain": "named-first.com"}], "name": [{"value": "Named First"}]},
    )
    client.records.create(
        "people",
        {
            "email_addresses": [{"email_address": "ada@named-first.com"}],
            "name": [{"first_name": "Ada", "last_name": "Named", "full_name": "Ada Named"}],
        },
    )
    narrow = env | {"COLUMNS": "80"}
    companies = run(
        ["records", "query", "companies", "--filter", '{"name": "Named First"}'],
        narrow,
        config_home,
    )
    people = run(
        ["records", "query", "people", "--filter", '{"email_addresses": "ada@named-first.com"}'],
        narrow,
        config_home,
    )
    assert companies.exit_code == 0, companies.stderr
    header = companies.stdout.splitlines()[2].replace("┃", " ").split()
    assert header[:2] == ["record_id", "name"], header
    assert "Named First" in companies.stdout
    assert people.exit_code == 0, people.stderr
    header = people.stdout.splitlines()[2].replace("┃", " ").split()
    assert header[:2] == ["record_id", "full_name"], header
    assert "Ada Named" in people.stdout and "first_name" not in people.stdout


def test_a_full_page_says_there_may_be_more(
    env: dict[str, str], config_home: Path, client: AttioClient
) -> None:
    for i in range(3):
        client.records.create(
            "companies",
            {"name": [{"value": f"Paged {i}"}], "domains": [{"domain": f"paged{i}.com"}]},
        )
    base = ["records", "query", "companies", "--filter", '{"name": {"$contains": "Paged"}}']
    full = run([*base, "--limit", "2", "--offset", "1"], env, config_home)
    short = run([*base, "--limit", "5"], env, config_home)
    every = run([*base, "--all", "--limit", "3"], env, config_home)
    as_json = run([*base, "--limit", "2", "--json"], env, config_home)
    assert full.exit_code == 0, full.stderr
    assert full.stdout.splitlines()[-1] == (
        "there may be more: --offset 3 for the next page, --all for every one"
    )
    assert short.exit_code == 0 and "there may be more" not in short.stdout
    assert every.exit_code == 0 and "there may be more" not in every.stdout
    assert len(json.loads(as_json.stdout)) == 2


def test_a_base_url_ending_in_v2_works(emu: InProcessEmulator, config_home: Path) -> None:
    """Attio's docs (and the sandbox banner) give the base URL with /v2: both spellings work,
    from the environment and from --base-url."""
    from_env = run(
        ["self", "--json"],
        {"ATTIO_API_KEY": KEY, "ATTIO_BASE_URL": emu.base_url + "/v2/"},
        config_home,
    )
    from_option = run(
        ["self", "--json", "--base-url", emu.base_url + "/v2"], {"ATTIO_API_KEY": KEY}, config_home
    )
    assert from_env.exit_code == 0, from_env.stderr
    assert json.loads(from_env.stdout)["active"] is True
    assert from_option.exit_code == 0, from_option.stderr
    assert json.loads(from_option.stdout)["active"] is True


def test_query_with_bad_filter_json_is_a_usage_error(
    env: dict[str, str], config_home: Path
) -> None:
    result = run(["records", "query", "companies", "--filter", "{nope"], env, config_home)
    assert result.exit_code == 2
    assert "--filter is not valid JSON" in one_error_line(result)


def test_dry_run_prints_the_request_and_sends_no_write(
    emu: InProcessEmulator, env: dict[str, str], config_home: Path, client: AttioClient
) -> None:
    rid = client.records.create("companies", {"name": [{"value": "Dry"}]}).record_id
    before = writes(emu)
    created = run(
        ["records", "create", "companies", "--set", "name=Never", "--dry-run", "--json"],
        env,
        config_home,
    )
    assert created.exit_code == 0, created.stderr
    (request,) = json.loads(created.stdout)["requests"]
    assert request["method"] == "POST"
    assert request["path"] == "/v2/objects/companies/records"
    assert request["body"] == {"data": {"values": {"name": {"value": "Never"}}}}

    asserted = run(
        [
            "records",
            "assert",
            "people",
            "--match",
            "email_addresses",
            "--dry-run",
            "--set",
            "email_addresses=dry@dryrun-test.com",
        ],
        env,
        config_home,
    )
    assert asserted.exit_code == 0, asserted.stderr
    assert asserted.stdout.startswith(
        "1. PUT /v2/objects/people/records?matching_attribute=email_addresses\n"
    )
    assert "2. " not in asserted.stdout
    assert '"email_address": "dry@dryrun-test.com"' in asserted.stdout

    patched = run(
        ["records", "update", "companies", rid, "--set", "name=Wet", "--dry-run"],
        env,
        config_home,
    )
    assert patched.exit_code == 0
    assert f"PATCH /v2/objects/companies/records/{rid}" in patched.stdout
    deleted = run(["records", "delete", "companies", rid, "--dry-run", "--json"], env, config_home)
    assert json.loads(deleted.stdout)["requests"] == [
        {
            "method": "DELETE",
            "path": f"/v2/objects/companies/records/{rid}",
            "body": None,
            "effect": f"deletes companies record {rid}",
            "creates": None,
        }
    ]
    assert writes(emu) == before
    assert client.records.get("companies", rid).values["name"][0]["value"] == "Dry"


def test_bad_value_exits_5_naming_the_field(
    emu: InProcessEmulator, env: dict[str, str], config_home: Path
) -> None:
    before = writes(emu)
    result = run(
        ["records", "create", "people", "--set", "email_addresses=not-an-email"],
        env,
        config_home,
    )
    assert result.exit_code == 5
    line = one_error_line(result)
    assert "email_addresses" in line
    unknown = run(["records", "create", "companies", "--set", "colour=red"], env, config_home)
    assert unknown.exit_code == 5
    assert "colour" in one_error_line(unknown)
    assert writes(emu) == before


def test_set_without_equals_and_no_values_are_usage_errors(
    env: dict[str, str], config_home: Path
) -> None:
    bad = run(["records", "create", "companies", "--set", "name"], env, config_home)
    assert bad.exit_code == 2
    assert "expected slug=value" in one_error_line(bad)
    empty = run(["records", "create", "companies"], env, config_home)
    assert empty.exit_code == 2
    assert "no values" in one_error_line(empty)


def test_not_found_exits_4(env: dict[str, str], config_home: Path) -> None:
    record = run(["records", "get", "people", MISSING], env, config_home)
    assert record.exit_code == 4
    assert one_error_line(record).startswith("error: not found")
    obj = run(["records", "query", "spaceships", "--json"], env, config_home)
    assert obj.exit_code == 4
    # Asked for JSON: the error is JSON too.
    assert json.loads(obj.stderr)["error"]["type"] == "not_found"
    write = run(["records", "create", "spaceships", "--set", "name=x"], env, config_home)
    assert write.exit_code == 4
    assert "spaceships" in one_error_line(write)


def test_debug_shows_a_traceback_without_the_key(env: dict[str, str], config_home: Path) -> None:
    result = run(["records", "get", "people", MISSING, "--debug"], env, config_home)
    assert result.exit_code == 4
    assert "Traceback" in result.stderr


# -- url -----------------------------------------------------------------------------------------
def test_url_parse(env: dict[str, str], config_home: Path) -> None:
    url = f"https://app.attio.com/acme/person/{MISSING}/overview"
    result = run(["url", "parse", url, "--json"], {}, config_home)
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["kind"] == "record"
    assert data["workspace_slug"] == "acme"
    assert data["record_id"] == MISSING
    table = run(["url", "parse", url], {}, config_home)
    assert table.exit_code == 0 and "acme" in table.stdout
    bad = run(["url", "parse", "https://example.com/x"], {}, config_home)
    assert bad.exit_code == 5
    one_error_line(bad)
