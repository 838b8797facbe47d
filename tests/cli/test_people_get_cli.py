"""``attio-bridge people get`` and ``companies get`` against the emulator in this process.

A record found by its key as the user typed it (other case, a website URL), as JSON and as a
table; none found is one error line with exit 4, a malformed key one line with exit 5; the API
key appears in no output (``invoke`` checks every run).
"""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import Result

from attio_bridge.client import AttioClient

from ._support import InProcessEmulator, invoke, one_error_line, writes

KEY = "people-get-cli-s3cret-key-7e21"


def run(args: list[str], env: dict[str, str], config_home: Path) -> Result:
    """``invoke`` with this module's key."""
    return invoke(args, env, config_home, KEY)


def test_people_get_by_email(env: dict[str, str], config_home: Path, client: AttioClient) -> None:
    person = client.records.assert_record(
        "people",
        "email_addresses",
        {
            "email_addresses": [{"email_address": "grace@navy.example"}],
            "job_title": [{"value": "Rear Admiral"}],
        },
    )
    found = run(["people", "get", "Grace@Navy.example", "--json"], env, config_home)
    assert found.exit_code == 0, found.stderr
    row = json.loads(found.stdout)
    assert row["record_id"] == person.record_id
    assert row["email_addresses"] == ["grace@navy.example"]
    assert row["job_title"] == "Rear Admiral"
    table = run(["people", "get", "grace@navy.example"], env, config_home)
    assert table.exit_code == 0, table.stderr
    assert "Rear Admiral" in table.stdout and person.record_id in table.stdout


def test_companies_get_by_domain_or_url(
    env: dict[str, str], config_home: Path, client: AttioClient
) -> None:
    company = client.records.assert_record(
        "companies",
        "domains",
        {"domains": [{"domain": "umbrella-corp.com"}], "name": [{"value": "Umbrella"}]},
    )
    for given in ("umbrella-corp.com", "https://www.umbrella-corp.com/about"):
        found = run(["companies", "get", given, "--json"], env, config_home)
        assert found.exit_code == 0, found.stderr
        row = json.loads(found.stdout)
        assert (row["record_id"], row["name"]) == (company.record_id, "Umbrella")
    table = run(["companies", "get", "umbrella-corp.com"], env, config_home)
    assert table.exit_code == 0 and "Umbrella" in table.stdout


def test_none_found_and_bad_keys(
    emu: InProcessEmulator, env: dict[str, str], config_home: Path
) -> None:
    before = writes(emu)
    nobody = run(["people", "get", "nobody@nowhere.example"], env, config_home)
    assert nobody.exit_code == 4
    line = one_error_line(nobody)
    assert "nobody@nowhere.example" in line and "people create" in line
    nothing = run(["companies", "get", "nothing-here-corp.com", "--json"], env, config_home)
    assert nothing.exit_code == 4
    # Asked for JSON: the error is JSON too.
    assert "nothing-here-corp.com" in json.loads(nothing.stderr)["error"]["message"]
    bad = run(["people", "get", "not-an-email"], env, config_home)
    assert bad.exit_code == 5
    assert "email_addresses" in one_error_line(bad)
    # Looking up creates nothing.
    assert writes(emu) == before
