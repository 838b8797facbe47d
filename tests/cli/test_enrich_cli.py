"""``attio-bridge enrich`` against the emulator in this process: records picked by status and by
list, the values and status read back through the client, ``--json`` output, ``--dry-run`` and
a re-run sending no write (checked in the emulator's journal), invalid provider values (exit
5), and bad input as one error line with the exit code of its class, before any write."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import Result

from attio_bridge.services import Services
from attio_bridge.values import decode_record

from ..client._factories import attribute_body
from ._support import InProcessEmulator, invoke, one_error_line, writes

KEY = "enrich-cli-s3cret-key-9f1e"
STATUS = ["--status-attribute", "enrichment_status"]


@pytest.fixture(scope="module")
def emu() -> Iterator[InProcessEmulator]:
    """The emulator in this process: companies with an ``enrichment_status`` select (Pending,
    Enriched, Not found) and an ``employee_count`` number, and a ``to_enrich`` list."""
    with InProcessEmulator(KEY) as process:
        with process.client() as c:
            c.attributes.create(
                "objects", "companies", attribute_body("enrichment_status", "select")
            )
            for title in ("Pending", "Enriched", "Not found"):
                c.attributes.create_option("objects", "companies", "enrichment_status", title=title)
            c.attributes.create("objects", "companies", attribute_body("employee_count", "number"))
            c.lists.create(name="To enrich", api_slug="to_enrich", parent_object="companies")
        yield process


@pytest.fixture
def services(emu: InProcessEmulator) -> Iterator[Services]:
    """Services on the emulator, to set up and check."""
    with emu.client() as c:
        yield Services(c)


def run(args: list[str], env: dict[str, str], config_home: Path) -> Result:
    """``attio-bridge enrich ARGS`` through ``invoke`` with this module's key."""
    return invoke(["enrich", *args], env, config_home, KEY)


def data_file(tmp_path: Path, text: str, name: str = "data.csv") -> Path:
    """A provider file holding ``text``."""
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def company(services: Services, domain: str, **values: Any) -> str:
    """The id of the company ``domain``, made with ``values``."""
    return services.companies.upsert(domain, domain.split(".")[0].title(), **values).record_id


def row(services: Services, record_id: str) -> dict[str, Any]:
    """The company as the emulator holds it now, decoded."""
    client = services.context.client
    return decode_record(services.schema, client.records.get("companies", record_id))


def test_enrich_by_status_sets_values_notes_and_marks(
    env: dict[str, str], config_home: Path, services: Services, tmp_path: Path
) -> None:
    """``--status-attribute`` with ``--json``: the pending company the file knows gets its
    values, a note and "Enriched"; the one it does not know becomes "Not found"."""
    known = company(services, "status-known.com", enrichment_status="Pending")
    unknown = company(services, "status-unknown.com", enrichment_status="Pending")
    path = data_file(
        tmp_path, "website,description,employee_count\nstatus-known.com,Anvils,42\n", "f.csv"
    )

    result = run(["companies", "--provider-file", str(path), *STATUS, "--json"], env, config_home)

    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    outcomes = {r["record_id"]: r["outcome"] for r in report["records"]}
    assert outcomes[known] == "enriched"
    assert outcomes[unknown] == "not_found"
    assert report["provider"] == "f.csv"
    got = row(services, known)
    assert (got["description"], got["employee_count"]) == ("Anvils", 42)
    assert got["enrichment_status"] == "Enriched"
    assert row(services, unknown)["enrichment_status"] == "Not found"
    notes = list(
        services.context.client.notes.iter(parent_object="companies", parent_record_id=known)
    )
    assert [n.title for n in notes] == ["Enriched from f.csv"]
    assert "Fields set: description, employee_count" in notes[0].content_plaintext


def test_dry_run_prints_the_plan_and_writes_nothing(
    emu: InProcessEmulator,
    env: dict[str, str],
    config_home: Path,
    services: Services,
    tmp_path: Path,
) -> None:
    """``--dry-run`` (as a table and as JSON) shows the values and status it would set, and
    the journal holds no new write."""
    cid = company(services, "dry-run.com")
    services.lists.add("to_enrich", cid)
    path = data_file(tmp_path, "domain,description\ndry-run.com,Would be set\n")
    before = writes(emu)

    table = run(
        ["companies", "--provider-file", str(path), "--list", "to_enrich", "--dry-run"],
        env,
        config_home,
    )
    as_json = run(
        ["companies", "--provider-file", str(path), "--list", "to_enrich", "--dry-run", "--json"],
        env,
        config_home,
    )

    assert table.exit_code == 0, table.stderr
    assert "(dry run)" in table.stdout
    assert "dry run: nothing was written" in table.stderr
    assert as_json.exit_code == 0, as_json.stderr
    report = json.loads(as_json.stdout)
    assert report["dry_run"] is True
    [mine] = [r for r in report["records"] if r["record_id"] == cid]
    assert mine["changes"] == {"description": "Would be set"}
    assert writes(emu) == before
    assert row(services, cid)["description"] is None


def test_rerun_changes_nothing(
    emu: InProcessEmulator,
    env: dict[str, str],
    config_home: Path,
    services: Services,
    tmp_path: Path,
) -> None:
    """The same command run twice: the second sends no write and reports the company as
    unchanged."""
    cid = company(services, "rerun.com", enrichment_status="Pending")
    path = data_file(tmp_path, "domain,linkedin\nrerun.com,https://linkedin.com/rerun\n")
    args = ["companies", "--provider-file", str(path), "--list", "to_enrich", "--json"]
    services.lists.add("to_enrich", cid)
    first = run([*args, *STATUS], env, config_home)
    assert first.exit_code == 0, first.stderr
    before = writes(emu)

    again = run(args, env, config_home)

    assert again.exit_code == 0, again.stderr
    [mine] = [r for r in json.loads(again.stdout)["records"] if r["record_id"] == cid]
    assert mine["outcome"] == "unchanged"
    assert writes(emu) == before
    assert row(services, cid)["linkedin"] == "https://linkedin.com/rerun"


def test_invalid_provider_values_exit_5_and_the_rest_is_written(
    env: dict[str, str], config_home: Path, services: Services, tmp_path: Path
) -> None:
    """A word for a number is reported in the table and left out, the description is
    written, and the command exits 5 (VALIDATION)."""
    cid = company(services, "invalid-values.com", enrichment_status="Pending")
    path = data_file(tmp_path, "domain,description,employee_count\ninvalid-values.com,Kept,many\n")

    result = run(["companies", "--provider-file", str(path), *STATUS], env, config_home)

    assert result.exit_code == 5, result.stderr
    assert "employee_count='many'" in result.stdout
    assert "with invalid values: 1" in result.stdout
    got = row(services, cid)
    assert (got["description"], got["employee_count"]) == ("Kept", None)


def test_an_80_column_report_is_one_line_per_record_and_problems_whole(
    env: dict[str, str], config_home: Path, services: Services, tmp_path: Path
) -> None:
    """At 80 columns each record is one line with its id whole, and a record's problems are
    printed whole under the table, however long."""
    cid = company(services, "narrow-report.com", enrichment_status="Pending")
    many = "many " * 20
    path = data_file(
        tmp_path, f"domain,description,employee_count\nnarrow-report.com,Kept,{many.strip()}\n"
    )

    result = run(
        ["companies", "--provider-file", str(path), *STATUS], env | {"COLUMNS": "80"}, config_home
    )

    assert result.exit_code == 5, result.stderr
    table, _, below = result.stdout.partition("└")
    assert max(len(line) for line in table.splitlines()) <= 80
    [line] = [line for line in table.splitlines() if cid in line]
    assert "invalid" in line or "enriched" in line
    [problem] = [line for line in below.splitlines() if line.startswith(cid)]
    assert "employee_count='many many" in problem and problem.endswith("Give a number.")
    assert len(problem) > 80  # whole, not cut to the terminal


@pytest.mark.parametrize(
    ("args", "status", "words"),
    [
        (["--list", "to_enrich"], 2, "--provider-file"),
        (["--provider-file", "FILE", "--provider", "x", "--list", "to_enrich"], 2, "one provider"),
        (["--provider", "nope", "--list", "to_enrich"], 4, "no enrichment provider 'nope'"),
        (["--provider", "no_such_mod:P", "--list", "to_enrich"], 4, "no module 'no_such_mod'"),
        (["--provider-file", "FILE", "--provider-option", "a=1", *STATUS], 2, "--provider NAME"),
        (["--provider-file", "MISSING", "--list", "to_enrich"], 2, "provider file not found"),
        (["--provider-file", "FILE"], 2, "--list SLUG, --status-attribute SLUG"),
        (["--provider-file", "FILE", "--list", "to_enrich", "--key", "phone"], 2, "--key"),
        (["--provider-file", "FILE", "--status-attribute", "enrich_state"], 4, "enrich_state"),
        (["--provider-file", "FILE", "--list", "nope"], 4, "no list 'nope'"),
        (["--provider-file", "FILE", *STATUS, "--done", "Finished"], 5, "Finished"),
        (["--provider-file", "FILE", "--list", "to_enrich", "--mapping", "MAP"], 4, "'bogus'"),
        (["--provider-file", "FILE", "--list", "to_enrich", "--key", "email"], 5, "no email"),
    ],
)
def test_bad_input_is_one_error_line_and_writes_nothing(
    emu: InProcessEmulator,
    env: dict[str, str],
    config_home: Path,
    tmp_path: Path,
    args: list[str],
    status: int,
    words: str,
) -> None:
    """A missing provider, file or selection, an unknown key, attribute, list, option or
    mapped attribute: one ``error:`` line naming it, the exit code of its class, no write."""
    path = data_file(tmp_path, "domain,description\nbad-input.com,x\n")
    mapping = data_file(tmp_path, json.dumps({"description": "bogus"}), "map.json")
    files = {"FILE": str(path), "MISSING": str(tmp_path / "none.csv"), "MAP": str(mapping)}
    before = writes(emu)

    result = run(["companies", *(files.get(a, a) for a in args)], env, config_home)

    assert result.exit_code == status, result.stderr
    assert words in one_error_line(result)
    assert writes(emu) == before


PLUGIN = """
class Firmographics:
    name = "Firmographics API"

    def __init__(self, token, region="eu"):
        if token != "tok-2f9c-secret":
            raise ValueError("the firmographics token was refused")
        self.region = region

    def lookup(self, target):
        if "plugin.com" in target.keys("domain"):
            return {"description": "Found in " + self.region}
        return None
"""


def provider_module(folder: Path, monkeypatch: pytest.MonkeyPatch, name: str, source: str) -> None:
    """``source`` as the module ``name`` in ``folder``, put on ``sys.path`` for the test."""
    (folder / f"{name}.py").write_text(source, encoding="utf-8")
    monkeypatch.syspath_prepend(str(folder))


@pytest.fixture
def plugin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A provider class of the user's own in a module on ``sys.path``, named module:Class."""
    provider_module(tmp_path, monkeypatch, "my_firmographics", PLUGIN)
    return "my_firmographics:Firmographics"


def test_a_provider_of_ones_own_takes_options_and_a_token_from_the_environment(
    env: dict[str, str], config_home: Path, services: Services, plugin: str
) -> None:
    """``--provider module:Class`` with ``--provider-option region=us`` and ``token`` read
    from ``ATTIO_BRIDGE_PROVIDER_TOKEN``: the company is enriched and noted under the
    provider's name, and the token appears nowhere in the output."""
    cid = company(services, "plugin.com", enrichment_status="Pending")
    env = {**env, "ATTIO_BRIDGE_PROVIDER_TOKEN": "tok-2f9c-secret"}
    args = ["companies", "--provider", plugin, "--provider-option", "token"]

    result = run([*args, "--provider-option", "region=us", *STATUS, "--json"], env, config_home)

    assert result.exit_code == 0, result.stderr
    assert "tok-2f9c-secret" not in result.stdout + result.stderr
    report = json.loads(result.stdout)
    assert report["provider"] == "Firmographics API"
    [mine] = [r for r in report["records"] if r["record_id"] == cid]
    assert mine["outcome"] == "enriched"
    got = row(services, cid)
    assert (got["description"], got["enrichment_status"]) == ("Found in us", "Enriched")
    notes = services.context.client.notes.iter(parent_object="companies", parent_record_id=cid)
    assert [n.title for n in notes] == ["Enriched from Firmographics API"]


@pytest.mark.parametrize(
    ("options", "environment", "words"),
    [
        (["--provider-option", "token"], {}, "set ATTIO_BRIDGE_PROVIDER_TOKEN"),
        (["--provider-option", "token=wrong"], {}, "the firmographics token was refused"),
        (["--provider-option", "tok en=x"], {}, "'tok en' is not an option name"),
        (
            ["--provider-option", "token=x", "--provider-option", "colour=red"],
            {},
            "(colour, token)",
        ),
    ],
)
def test_a_provider_that_cannot_be_made_is_one_error_line(
    emu: InProcessEmulator,
    env: dict[str, str],
    config_home: Path,
    plugin: str,
    options: list[str],
    environment: dict[str, str],
    words: str,
) -> None:
    """A token neither given nor in the environment, one the provider refuses, a bad option
    name, an option the provider does not take: one error line, no write, no value echoed."""
    before = writes(emu)

    result = run(["companies", "--provider", plugin, *options, *STATUS], env, config_home)

    assert result.exit_code != 0
    line = one_error_line(result)
    assert words in line
    assert "=x" not in line and "red" not in line
    assert writes(emu) == before
