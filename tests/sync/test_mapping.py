"""Mapping files: parsing, transforms both ways, errors that name the place and the fix, and
``check`` against both sides' schemas."""

from __future__ import annotations

from pathlib import Path

import pytest

from attio_bridge.sync import MappingError, check, load_mappings, parse_mappings
from attio_bridge.values import AttributeInfo, Choice, TargetSchema, WorkspaceSchema

GOOD = """
[[mapping]]
name = "hubspot-contacts"
system = "hubspot"
object = "contacts"
attio_object = "people"
match = { external = "email", attio = "email_addresses" }
on_delete = "flag"

[[mapping.fields]]
external = "email"
attio = "email_addresses"
transform = "lowercase"

[[mapping.fields]]
external = ["firstname", "lastname"]
attio = "name"
transform = "split_name"
owner = "external"

[[mapping.fields]]
external = "lifecyclestage"
attio = "stage"
transform = "map"
values = { lead = "Lead", customer = "Customer" }
owner = "attio"

[[mapping.fields]]
external = "jobtitle"
attio = "job_title"
transform = "callable"
function = "string:capwords"
owner = "external"
"""


def write(tmp_path: Path, text: str, name: str = "sync.toml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_a_mapping_file_is_read_with_its_transforms_both_ways(tmp_path: Path) -> None:
    [m] = load_mappings(write(tmp_path, GOOD))
    assert (m.name, m.system, m.object, m.attio_target, m.attio_kind) == (
        "hubspot-contacts",
        "hubspot",
        "contacts",
        "people",
        "object",
    )
    assert (m.match_external, m.match_attio, m.on_delete) == ("email", "email_addresses", "flag")
    props = {
        "email": "Ada@Acme.COM",
        "firstname": "Ada",
        "lastname": "Lovelace",
        "lifecyclestage": "lead",
        "jobtitle": "engineer",
    }
    canonical = m.from_external(props)
    assert canonical == {
        "email_addresses": "ada@acme.com",
        "name": {"first_name": "Ada", "last_name": "Lovelace"},
        "stage": "Lead",
        "job_title": "Engineer",
    }
    back = m.to_external({k: v for k, v in canonical.items() if k != "job_title"})
    assert back == {
        "email": "ada@acme.com",
        "firstname": "Ada",
        "lastname": "Lovelace",
        "lifecyclestage": "lead",
    }
    row = {
        "record_id": "r1",
        "email_addresses": ["ADA@acme.com", "x@y.z"],
        "first_name": "Ada",
        "last_name": "Lovelace",
        "full_name": "Ada Lovelace",
        "stage": "Lead",
        "job_title": "X",
    }
    assert m.from_attio_row(row) == {
        "email_addresses": "ada@acme.com",
        "name": {"first_name": "Ada", "last_name": "Lovelace"},
        "stage": "Lead",
        "job_title": "X",
    }
    assert not m.field("job_title").writes_external
    assert m.field("stage").writes_external and not m.field("stage").writes_attio


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            (
                'transform = "split_name"\nowner = "external"',
                'transform = "split_name"\nowner = "boss"',
            ),
            "field 2 (name): owner = 'boss'; use one of attio, external, both",
        ),
        (
            ('function = "string:capwords"', 'function = "no_such_module_x:f"'),
            "cannot load 'no_such_module_x:f'",
        ),
        (
            ('function = "string:capwords"\nowner = "external"', 'function = "string:capwords"'),
            'set owner = "external"',
        ),
        (('match = { external = "email", attio = "email_addresses" }\n', ""), "add match = "),
        (
            ('attio_object = "people"', 'attio_object = "people"\nattio_list = "x"'),
            "exactly one of attio_object or attio_list",
        ),
        (
            ('on_delete = "flag"', 'on_delete = "shred"'),
            "on_delete = 'shred'; use one of delete, archive, flag",
        ),
        (('transform = "split_name"', 'transform = "split_nam"'), "use one of rename, lowercase"),
        (
            ('external = ["firstname", "lastname"]', 'external = "firstname"'),
            "split_name needs external",
        ),
        (('values = { lead = "Lead", customer = "Customer" }', ""), "map needs values"),
    ],
)
def test_each_mistake_is_named_with_its_mapping_field_and_fix(
    tmp_path: Path, change: tuple[str, str], message: str
) -> None:
    old, new = change
    assert old in GOOD
    path = write(tmp_path, GOOD.replace(old, new, 1))
    with pytest.raises(MappingError) as caught:
        load_mappings(path)
    assert str(path) in str(caught.value) and "'hubspot-contacts'" in str(caught.value)
    assert message in str(caught.value)


def test_files_that_are_not_toml_or_hold_no_mapping_say_so(tmp_path: Path) -> None:
    with pytest.raises(MappingError, match=r"line 1"):
        load_mappings(write(tmp_path, "[[mapping]\n"))
    with pytest.raises(MappingError, match=r"no \[\[mapping\]\] tables"):
        load_mappings(write(tmp_path, "x = 1\n"))
    with pytest.raises(MappingError, match="no such mapping file"):
        load_mappings(tmp_path / "absent.toml")
    with pytest.raises(MappingError, match="named 'a'"):
        doc = {
            "mapping": [
                {
                    "name": "a",
                    "system": "s",
                    "object": "o",
                    "attio_object": "p",
                    "match": {"external": "id", "attio": "x"},
                    "fields": [{"external": "e", "attio": "x"}],
                }
            ]
            * 2
        }
        parse_mappings(doc)


def schema() -> WorkspaceSchema:
    attrs = {
        "email_addresses": AttributeInfo(
            "a1", "email_addresses", "Emails", "email-address", is_unique=True, is_multiselect=True
        ),
        "name": AttributeInfo("a2", "name", "Name", "personal-name"),
        "stage": AttributeInfo("a3", "stage", "Stage", "select", options=(Choice("o1", "Lead"),)),
        "record_id": AttributeInfo("a5", "record_id", "Record ID", "text", is_writable=False),
    }
    people = TargetSchema("object", "p", "people", "People", attrs)
    return WorkspaceSchema({"people": people}, {})


def test_check_names_every_problem_on_both_sides(tmp_path: Path) -> None:
    [m] = load_mappings(write(tmp_path, GOOD))
    fields = {"email": "string", "firstname": "string", "lifecyclestage": "enumeration"}
    problems = check(m, schema(), fields)
    assert [p.removeprefix("mapping 'hubspot-contacts': ") for p in problems] == [
        "hubspot contacts has no field 'lastname' (field 'name'); fix the name",
        "'stage' has no option 'Customer'; add it in Attio or fix the map",
        "people has no attribute 'job_title'; create it or fix the name",
        "hubspot contacts has no field 'jobtitle' (field 'job_title'); fix the name",
    ]
    full = fields | {"lastname": "string", "jobtitle": "string"}
    fixed = GOOD.replace(', customer = "Customer"', "").replace(
        'external = "jobtitle"\nattio = "job_title"', 'external = "jobtitle"\nattio = "record_id"'
    )
    [ok] = load_mappings(write(tmp_path, fixed))
    assert check(ok, schema(), full) == [
        "mapping 'hubspot-contacts': people.record_id is read-only in Attio; set owner = \"attio\""
    ]
    other = WorkspaceSchema({}, {})
    assert "Attio has no object 'people'" in check(ok, other, full)[0]
