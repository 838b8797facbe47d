"""Mapping files: parsing, transforms both ways, errors that name the place and the fix, and
``check`` against both sides' schemas."""

from __future__ import annotations

import tomllib
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


def load_error(tmp_path: Path, old: str, new: str) -> tuple[Path, str]:
    """GOOD with ``old`` replaced by ``new``, written and loaded: the file and the error."""
    assert old in GOOD
    path = write(tmp_path, GOOD.replace(old, new, 1))
    with pytest.raises(MappingError) as caught:
        load_mappings(path)
    return path, str(caught.value)


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
        (
            ('on_delete = "flag"', 'on_delete = "flag"\nattio_defaults = "owner"'),
            "attio_defaults must be a table",
        ),
        (
            ('on_delete = "flag"', 'on_delete = "flag"\nattio_defaults = { job_title = "CEO" }'),
            "attio_defaults sets 'job_title', which a field maps; drop one of them",
        ),
    ],
)
def test_each_mistake_is_named_with_its_mapping_field_and_fix(
    tmp_path: Path, change: tuple[str, str], message: str
) -> None:
    path, error = load_error(tmp_path, *change)
    assert str(path) in error and "'hubspot-contacts'" in error
    assert message in error


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
    path = write(tmp_path, GOOD)
    [m] = load_mappings(path)
    fields = {"email": "string", "firstname": "string", "lifecyclestage": "enumeration"}
    problems = check(m, schema(), fields)
    # Each problem names the line of its field's table (GOOD's headers: 2, 10, 15, 21, 28).
    assert problems == [
        f"{path}, line {line}: mapping 'hubspot-contacts': {problem}"
        for line, problem in [
            (15, "hubspot contacts has no field 'lastname' (field 'name'); fix the name"),
            (21, "'stage' has no option 'Customer'; add it in Attio or fix the map"),
            (28, "people has no attribute 'job_title'; create it or fix the name"),
            (28, "hubspot contacts has no field 'jobtitle' (field 'job_title'); fix the name"),
        ]
    ]
    full = fields | {"lastname": "string", "jobtitle": "string"}
    fixed = GOOD.replace(', customer = "Customer"', "").replace(
        'external = "jobtitle"\nattio = "job_title"', 'external = "jobtitle"\nattio = "record_id"'
    )
    [ok] = parse_mappings(tomllib.loads(fixed))  # no file: the problem names no line
    assert check(ok, schema(), full) == [
        "mapping 'hubspot-contacts': people.record_id is read-only in Attio; set owner = \"attio\""
    ]
    other = WorkspaceSchema({}, {})
    assert "Attio has no object 'people'" in check(ok, other, full)[0]


@pytest.mark.parametrize(
    ("change", "line", "message"),
    [
        (('owner = "attio"', 'owner = "boss"'), 21, "field 3 (stage): owner = 'boss'"),
        (('transform = "lowercase"', 'transform = "lower"'), 10, "field 1 (email_addresses)"),
        (('on_delete = "flag"', 'on_delete = "shred"'), 2, "on_delete = 'shred'"),
        (('external = "jobtitle"\n', ""), 28, "field 4 (job_title): 'external' must be"),
        (('attio = "email_addresses" }', 'atio = "email_addresses" }'), 2, "match: 'attio'"),
    ],
)
def test_a_load_error_names_the_line_of_the_table_at_fault(
    tmp_path: Path, change: tuple[str, str], line: int, message: str
) -> None:
    path, error = load_error(tmp_path, *change)
    assert error.startswith(f"{path}, line {line}: mapping 'hubspot-contacts'")
    assert message in error


GOOD_YAML = """
mapping:
  - name: hubspot-contacts
    system: hubspot
    object: contacts
    attio_object: people
    match: {external: email, attio: email_addresses}
    fields:
      - external: email
        attio: email_addresses
        transform: lowercase
      - external: [firstname, lastname]
        attio: name
        transform: split_name
"""


def test_a_yaml_file_reads_as_toml_does_and_its_errors_name_the_line(tmp_path: Path) -> None:
    toml = GOOD.split('[[mapping.fields]]\nexternal = "lifecyclestage"')[0]
    toml = toml.replace('on_delete = "flag"\n', "").replace('owner = "external"\n', "")
    [from_toml] = load_mappings(write(tmp_path, toml))
    [from_yaml] = load_mappings(write(tmp_path, GOOD_YAML, "sync.yaml"))
    assert from_yaml == from_toml
    bad = write(
        tmp_path, GOOD_YAML.replace("transform: split_name", "transform: splitname"), "s.yml"
    )
    with pytest.raises(MappingError) as caught:
        load_mappings(bad)
    assert str(caught.value).startswith(f"{bad}, line 12: mapping 'hubspot-contacts', field 2")
    with pytest.raises(MappingError, match=r"not valid YAML at line 3"):
        load_mappings(write(tmp_path, "mapping:\n  - name: [\n  x: }\n", "broken.yaml"))


ZOHO = """
[[mapping]]
name = "zoho-services"
system = "zoho"
object = "Services"
attio_object = "services"
match = {{ external = "id", attio = "zoho_id" }}
{direction}
[[mapping.fields]]
external = "Service_Name"
attio = "name"
{owner}
"""


def test_a_zoho_mapping_must_be_one_way_and_leaves_every_field_to_zoho(tmp_path: Path) -> None:
    two_way = write(tmp_path, ZOHO.format(direction="", owner=""))
    with pytest.raises(MappingError) as caught:
        load_mappings(two_way)
    assert str(caught.value) == (
        f"{two_way}, line 2: mapping 'zoho-services': zoho is only read (its records sync one"
        ' way, into Attio); add direction = "into_attio"'
    )
    one_way = 'direction = "into_attio"'
    [m] = load_mappings(write(tmp_path, ZOHO.format(direction=one_way, owner="")))
    assert m.one_way and m.field("name").owner == "external"
    assert not m.field("name").writes_external
    owned = write(tmp_path, ZOHO.format(direction=one_way, owner='owner = "both"'))
    with pytest.raises(MappingError, match=r"line 9: .*owner = 'both' in a mapping with direct"):
        load_mappings(owned)
    with pytest.raises(MappingError, match=r"direction = 'back'; use one of both, into_attio"):
        load_mappings(write(tmp_path, ZOHO.format(direction='direction = "back"', owner="")))


def test_a_map_of_several_values_to_one_writes_back_the_first_listed(tmp_path: Path) -> None:
    text = GOOD.replace(
        'values = { lead = "Lead", customer = "Customer" }',
        'values = { lead = "Lead", mql = "Lead", sql = "Lead", customer = "Customer" }',
    )
    [m] = load_mappings(write(tmp_path, text))
    stage = m.field("stage")
    assert [stage.from_external({"lifecyclestage": v}) for v in ("mql", "sql")] == ["Lead"] * 2
    assert stage.to_external("Lead") == {"lifecyclestage": "lead"}
    assert stage.to_external("Customer") == {"lifecyclestage": "customer"}
    assert stage.to_external("Evangelist") == {"lifecyclestage": "Evangelist"}  # not in the map


KINDS = [("email_addresses", "email-address"), ("name", "personal-name"), ("stage", "text")]
KINDS += [("job_title", "text"), ("team", "text")]


def test_attio_defaults_are_read_and_checked_against_the_schema(tmp_path: Path) -> None:
    text = GOOD.replace(
        'on_delete = "flag"', 'on_delete = "flag"\nattio_defaults = { owner = "a@b.c" }'
    )
    [m] = load_mappings(write(tmp_path, text))
    assert m.attio_defaults == {"owner": "a@b.c"}
    people = TargetSchema(
        "object",
        "o1",
        "people",
        "People",
        {
            slug: AttributeInfo(f"a{n}", slug, slug, kind, is_required=slug == "stage")
            for n, (slug, kind) in enumerate(KINDS)
        },
    )
    schema = WorkspaceSchema({"people": people}, {})
    fields = {"email": "string", "firstname": "string", "lastname": "string"}
    fields |= {"lifecyclestage": "enumeration", "jobtitle": "string"}
    [problem] = check(m, schema, fields)
    assert "attio_defaults sets 'owner', which people has not; fix the name" in problem
    # A required attribute neither mapped nor defaulted is named, with the fix.
    unmapped = GOOD.replace('owner = "attio"\n', "").replace(
        '[[mapping.fields]]\nexternal = "lifecyclestage"\nattio = "stage"\ntransform = "map"\n'
        'values = { lead = "Lead", customer = "Customer" }\n',
        "",
    )
    [m] = load_mappings(write(tmp_path, unmapped))
    [problem] = check(m, schema, fields)
    assert "people.stage is required in Attio and no field maps it" in problem
    assert 'add attio_defaults = { stage = "..." }' in problem
