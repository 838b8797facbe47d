"""``workflows.import_file`` against the in-process emulator, for what a file or a mapping gets
wrong: its encoding (Windows-1252 as Excel writes it, Latin-1, ``encoding=``), a mapping naming
a column or an attribute that does not exist, a header naming a column twice, a JSON Lines
line that is no JSON object, and several multiselect values written with a comma."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from attio_bridge.client import AsyncAttioClient
from attio_bridge.emulator.app import EmulatorApp
from attio_bridge.errors import InvalidInputError
from attio_bridge.workflows.aio import import_file
from attio_bridge.workflows.importing.files import MAX_CELL

from ..conftest import write_count
from ._import_support import rows_of

pytestmark = pytest.mark.anyio


async def test_windows_1252_is_read_as_excel_wrote_it(
    client: AsyncAttioClient, tmp_path: Path
) -> None:
    """Excel's curly apostrophe (byte 0x92) and euro sign (0x80) come out as ’ and €, not as
    the C1 control characters Latin-1 would read."""
    path = tmp_path / "people.csv"
    path.write_bytes(b"email,last_name,job_title\nob@acme.ie,O\x92Brien,\x80 buyer\n")
    report = await import_file(client, "people", path)
    assert (report.written, report.invalid) == (1, 0)
    (row,) = await rows_of(client, "people")
    assert row["last_name"] == "O\u2019Brien"
    assert row["job_title"] == "\u20ac buyer"


async def test_latin1_when_cp1252_cannot_decode_the_file(
    client: AsyncAttioClient, tmp_path: Path
) -> None:
    """Byte 0x81 is undefined in cp1252: the file is read as Latin-1, which decodes anything."""
    path = tmp_path / "people.csv"
    path.write_bytes(b"email,last_name\nrene@acme.fr,Lef\xe8vre\x81\n")
    await import_file(client, "people", path)
    (row,) = await rows_of(client, "people")
    assert row["last_name"] == "Lef\u00e8vre\x81"


async def test_encoding_given_overrides_the_detection(
    client: AsyncAttioClient, tmp_path: Path
) -> None:
    """A file that decodes as UTF-8 read as Latin-1 because ``encoding=`` says so: the two
    bytes of ü are two characters (the detection would read one)."""
    path = tmp_path / "people.csv"
    path.write_bytes("email,last_name\nzoe@acme.de,Müller\n".encode())
    await import_file(client, "people", path, encoding="latin-1")
    (row,) = await rows_of(client, "people")
    assert row["last_name"] == "M\u00c3\u00bcller"  # the UTF-8 bytes of ü, each as Latin-1


@pytest.mark.parametrize(
    ("encoding", "said"),
    [("klingon", "unknown encoding 'klingon'"), ("ascii", "is not ascii")],
)
async def test_an_encoding_unknown_or_not_the_files_is_one_error(
    client: AsyncAttioClient, app: EmulatorApp, tmp_path: Path, encoding: str, said: str
) -> None:
    path = tmp_path / "people.csv"
    path.write_bytes(b"email,last_name\nob@acme.ie,O\x92Brien\n")
    with pytest.raises(InvalidInputError, match=said):
        await import_file(client, "people", path, encoding=encoding)
    assert write_count(app, "people") == 0


async def test_a_mapping_to_an_unknown_attribute_is_one_error_naming_the_closest(
    client: AsyncAttioClient, app: EmulatorApp, tmp_path: Path
) -> None:
    path = tmp_path / "people.csv"
    path.write_text("Mail,Given\nada@acme.com,Ada\n" * 3)
    with pytest.raises(InvalidInputError) as raised:
        await import_file(
            client, "people", path, mapping={"Mail": "email_addresses", "Given": "job_titel"}
        )
    message = str(raised.value)
    assert "column 'Given' to job_titel" in message
    assert "people has no attribute 'job_titel'" in message
    assert "did you mean job_title?" in message
    with pytest.raises(InvalidInputError) as raised:
        await import_file(
            client, "people", path, mapping={"Mail": "email_addresses", "Given": "nosuch_attr"}
        )
    # Nothing close: every attribute a column can go to is named.
    assert "use one of" in str(raised.value) and "email_addresses" in str(raised.value)
    assert write_count(app, "people") == 0


async def test_a_mapping_to_a_read_only_or_list_attribute_without_a_list_is_an_error(
    client: AsyncAttioClient, tmp_path: Path
) -> None:
    path = tmp_path / "people.csv"
    path.write_text("Mail,When,Tier\nada@acme.com,2024-01-01,Gold\n")
    with pytest.raises(InvalidInputError, match=r"people\.created_at is read-only"):
        await import_file(
            client, "people", path, mapping={"Mail": "email_addresses", "When": "created_at"}
        )
    with pytest.raises(InvalidInputError, match="names no list: name the list to import into"):
        await import_file(
            client, "people", path, mapping={"Mail": "email_addresses", "Tier": "list:tier"}
        )


async def test_a_mapping_naming_a_column_the_file_lacks_is_an_error(
    client: AsyncAttioClient, tmp_path: Path
) -> None:
    path = tmp_path / "people.csv"
    path.write_text("Mail,Given\nada@acme.com,Ada\n")
    with pytest.raises(InvalidInputError) as raised:
        await import_file(
            client, "people", path, mapping={"Email": "email_addresses", "Given": "first_name"}
        )
    assert str(raised.value) == (
        "the mapping names the column 'Email', which people.csv does not have "
        "(its columns: 'Mail', 'Given'): fix the column name in the mapping file"
    )


async def test_a_mapping_to_a_name_part_is_accepted(
    client: AsyncAttioClient, tmp_path: Path
) -> None:
    """``first_name`` is no attribute, but ``values`` folds it into ``name``: still valid."""
    path = tmp_path / "people.csv"
    path.write_text("Mail,Given\nada@acme.com,Ada\n")
    report = await import_file(
        client, "people", path, mapping={"Mail": "email_addresses", "Given": "first_name"}
    )
    assert report.written == 1
    (row,) = await rows_of(client, "people")
    assert row["first_name"] == "Ada"


async def test_a_header_naming_a_column_twice_is_an_error(
    client: AsyncAttioClient, app: EmulatorApp, tmp_path: Path
) -> None:
    path = tmp_path / "people.csv"
    path.write_text("Email, Email ,Name\nada@acme.com,ada@other.com,Ada\n")
    with pytest.raises(InvalidInputError, match="names the column 'Email' twice"):
        await import_file(client, "people", path)
    assert write_count(app, "people") == 0


async def test_a_bad_json_lines_line_is_a_row_problem_naming_its_line(
    client: AsyncAttioClient, tmp_path: Path
) -> None:
    """A line cut short and a line holding an array are invalid rows, named by their line in
    the file (blank lines counted); the other rows are written."""
    path = tmp_path / "people.jsonl"
    lines = [
        json.dumps({"email": "ada@acme.com"}),
        "",
        '{"email": "bob@acme.com", ',
        json.dumps(["cy@acme.com"]),
        json.dumps({"email": "dee@acme.com"}),
    ]
    path.write_text("\n".join(lines) + "\n")
    report = await import_file(client, "people", path)
    assert (report.rows, report.invalid, report.written) == (4, 2, 2)
    first, second = report.problems
    assert first.row == 2
    assert first.message.startswith("line 3 of people.jsonl is not valid JSON (")
    assert second.row == 3
    assert (
        second.message == "line 4 of people.jsonl is an array, not a JSON object of column: value"
    )
    assert report.failures_path is not None
    with report.failures_path.open(newline="") as f:
        failed = list(csv.DictReader(f))
    # The text of each line is kept, so it can be fixed and imported again.
    assert [(r["_row"], r["_error"], r["_raw"]) for r in failed] == [
        ("2", first.message, lines[2]),
        ("3", second.message, lines[3]),
    ]
    assert sorted(e for r in await rows_of(client, "people") for e in r["email_addresses"]) == [
        "ada@acme.com",
        "dee@acme.com",
    ]


async def test_a_json_lines_line_cut_short_names_its_column_once(
    client: AsyncAttioClient, tmp_path: Path
) -> None:
    path = tmp_path / "people.jsonl"
    path.write_text('{"email": "ada@acme.com"}\n{"email": "bob@acme\n')
    report = await import_file(client, "people", path)
    (problem,) = report.problems
    assert problem.message == (
        "line 2 of people.jsonl is not valid JSON (Unterminated string starting at column 11)"
    )


async def test_lines_in_two_encodings_stop_the_import_before_any_write(
    client: AsyncAttioClient, app: EmulatorApp, tmp_path: Path
) -> None:
    """A file whose UTF-8 rows and one Windows-1252 row no single encoding reads right is
    refused, naming the lines, rather than written as mojibake (``InÃ¨s``)."""
    path = tmp_path / "people.csv"
    path.write_bytes(
        b"email,first_name\nines@acme.fr,In\xc3\xa8s\nada@acme.com,Ada\nob@acme.ie,O\x92Brien\n"
    )
    with pytest.raises(InvalidInputError) as caught:
        await import_file(client, "people", path)
    assert str(caught.value).startswith(
        "people.csv mixes encodings: line 2 is UTF-8 but line 4 is not (it reads as "
        "Windows-1252 or Latin-1); tried UTF-8, Windows-1252 and Latin-1"
    )
    assert write_count(app, "people") == 0
    # Named, one encoding is used for the whole file, as asked.
    report = await import_file(client, "people", path, encoding="cp1252")
    assert report.written == 3


async def test_the_plan_says_which_encoding_when_it_is_not_utf8(
    client: AsyncAttioClient, tmp_path: Path
) -> None:
    path = tmp_path / "people.csv"
    path.write_bytes(b"email,last_name\nob@acme.ie,O\x92Brien\n")
    report = await import_file(client, "people", path, dry_run=True)
    assert report.encoding == "cp1252"
    assert report.notes == ["people.csv is read as Windows-1252 (cp1252): it is not UTF-8"]
    path.write_text("email,last_name\nzoe@acme.de,Müller\n")
    assert (await import_file(client, "people", path, dry_run=True)).notes == []


async def test_a_large_csv_cell_is_read_and_one_over_the_limit_is_a_row_problem(
    client: AsyncAttioClient, tmp_path: Path
) -> None:
    """A cell over the csv module's default 128 KiB is read; one over ``MAX_CELL`` is a row
    problem naming its line, and the rows after it are read."""
    path = tmp_path / "people.csv"
    large = "x" * 200_000
    huge = "y" * (MAX_CELL + 1)
    path.write_text(
        f"email,description\nada@acme.com,{large}\nbob@acme.com,{huge}\ncy@acme.com,short\n"
    )
    report = await import_file(client, "people", path, mapping={"email": "email_addresses"})
    assert (report.rows, report.invalid, report.written) == (3, 1, 2)
    (problem,) = report.problems
    assert (problem.row, problem.message) == (
        2,
        "line 3 of people.csv cannot be read: a cell larger than 16 MiB",
    )


async def test_rows_with_extra_or_missing_cells_are_reported(
    client: AsyncAttioClient, tmp_path: Path
) -> None:
    """A row with more cells than the header is a row problem (its text kept in the failure
    file); one with fewer is a row problem when a mapped column has no cell, and a warning
    when only ignored columns lack one."""
    path = tmp_path / "people.csv"
    path.write_text(
        "email,job title,notes\n"
        "ada@acme.com,CTO,fine\n"
        "bob@acme.com,Sales, Inc.,x\n"  # a comma not quoted: 4 cells
        "cy@acme.com\n"  # no job title: a mapped column
        "dee@acme.com,CFO\n"  # no notes: an ignored column
    )
    report = await import_file(client, "people", path)
    assert report.unmapped == ["notes"]
    assert (report.rows, report.invalid, report.written) == (4, 2, 2)
    extra, short = report.problems
    assert (extra.row, extra.message) == (
        2,
        "line 3 of people.csv has 4 cells but the header 3: quote a cell that holds ',', "
        "or add a column",
    )
    assert (short.row, short.message) == (
        3,
        "the row has no cell for 'job title' (fewer cells than the header): add the missing "
        "cells, empty ones too",
    )
    assert report.warnings == [
        "1 rows have fewer cells than the header, in ignored columns only: those cells are "
        "read as empty"
    ]
    assert report.failures_path is not None
    with report.failures_path.open(newline="") as f:
        failed = list(csv.DictReader(f))
    assert [r["_raw"] for r in failed] == ["bob@acme.com,Sales, Inc.,x", ""]


@pytest.mark.parametrize("text", ["", "email,job title\n", "\n\nemail\n\n"])
async def test_an_empty_or_header_only_file_is_0_rows_with_a_warning(
    client: AsyncAttioClient, app: EmulatorApp, tmp_path: Path, text: str
) -> None:
    path = tmp_path / "people.csv"
    path.write_text(text)
    report = await import_file(client, "people", path, match="email_addresses")
    assert (report.rows, report.written, report.left_out) == (0, 0, 0)
    assert report.warnings == [
        "0 rows: people.csv is empty or holds only a header; nothing to import"
    ]
    assert write_count(app, "people") == 0


async def test_multiselect_values_written_with_a_comma_get_the_hint(
    client: AsyncAttioClient, tmp_path: Path
) -> None:
    # The emulator's companies have categories (a multiselect select) with these options.
    path = tmp_path / "companies.csv"
    path.write_text(
        'name,domains,categories\nAcme,acme.com,"SaaS,Logistics"\n'
        "Globex,globex.com,SaaS;Logistics\nInitech,initech.com,Nope\n"
    )
    report = await import_file(client, "companies", path)
    assert (report.invalid, report.written) == (2, 1)
    comma, unknown = report.problems
    assert comma.row == 1 and "no option with this title" in comma.message
    assert comma.message.endswith(
        "(several values of categories in one cell are separated with ';', not ',')"
    )
    assert unknown.row == 3 and "no option with this title" in unknown.message
    assert "separated with ';'" not in unknown.message
    (globex,) = await rows_of(client, "companies")
    assert sorted(globex["categories"]) == ["Logistics", "SaaS"]
