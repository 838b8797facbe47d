"""``attio-bridge schema`` and ``schema codegen`` against the emulator run as a separate process.

One emulator serves the module; a custom object (``projects``, with an attribute of most
types) and a list (``project_pipeline``, with a status) are created through the client first.
The commands run through typer's ``CliRunner`` with a clean environment and an empty config
home; every invocation checks that the API key appears in none of the output.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from collections.abc import Iterator, Mapping
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import mypy.api
import pytest
from typer.testing import Result

from attio_bridge.testing import free_port
from attio_bridge.values import decode_entry, decode_record, encode_values, load_schema

from ..client._factories import attribute_body
from ._support import InProcessEmulator, one_error_line
from ._support import invoke as run_command

KEY = "schema-cli-s3cret-key-7f2e"
ROOT = Path(__file__).resolve().parents[2]
PHASES = ["Discovery", "Build", "Launch"]
TAGS = ["Internal", "Urgent"]
STAGES = ["Planned", 'Won "big" | 🎉']


@pytest.fixture(scope="module")
def emu() -> Iterator[InProcessEmulator]:
    """The emulator in this process, with the ``projects`` object and ``project_pipeline`` list."""
    with InProcessEmulator(KEY) as process:
        with process.client() as c:
            c.objects.create(api_slug="projects", singular_noun="Project", plural_noun="Projects")
            for body in (
                attribute_body("code", "text", is_unique=True),
                attribute_body("phase", "select"),
                attribute_body("tags", "select", is_multiselect=True),
                attribute_body(
                    "budget", "currency", config={"currency": {"default_currency_code": "EUR"}}
                ),
                attribute_body("kickoff", "date"),
                attribute_body("due_at", "timestamp"),
                attribute_body("active", "checkbox"),
                attribute_body("score", "rating"),
                attribute_body(
                    "client",
                    "record-reference",
                    config={"record_reference": {"allowed_objects": ["companies"]}},
                ),
            ):
                c.attributes.create("objects", "projects", body)
            for title in PHASES:
                c.attributes.create_option("objects", "projects", "phase", title=title)
            for title in TAGS:
                c.attributes.create_option("objects", "projects", "tags", title=title)
            c.lists.create(
                name="Project pipeline", api_slug="project_pipeline", parent_object="projects"
            )
            c.attributes.create("lists", "project_pipeline", attribute_body("stage", "status"))
            for title in STAGES:
                c.attributes.create_status("lists", "project_pipeline", "stage", title=title)
            # Slugs that cannot be TypedDict class fields: a keyword, and names of types.
            c.objects.create(api_slug="events", singular_noun="Event", plural_noun="Events")
            for body in (
                attribute_body("from", "text"),
                attribute_body("date", "date"),
                attribute_body("str", "text"),
            ):
                c.attributes.create("objects", "events", body)
            # Identifiers all, but one shadows a type name: the call form, marked for ruff.
            c.objects.create(
                api_slug="reminders", singular_noun="Reminder", plural_noun="Reminders"
            )
            c.attributes.create("objects", "reminders", attribute_body("date", "date"))
        yield process


def invoke(args: list[str], env: Mapping[str, str | None], config_home: Path) -> Result:
    """Run ``attio-bridge ARGS`` on a 120-column terminal with only ``env`` set; the key must
    appear in none of the output."""
    return run_command(args, env, config_home, KEY, columns=120)


# -- printing ------------------------------------------------------------------------------------
def test_markdown_lists_objects_attributes_options_and_lists(
    env: dict[str, str], config_home: Path
) -> None:
    result = invoke(["schema", "--format", "markdown"], env, config_home)
    assert result.exit_code == 0, result.stderr
    md = result.stdout
    assert md.startswith("# Workspace schema\n")
    assert "### Object `people`: People" in md
    assert "### Object `projects`: Projects" in md
    header = "| Slug | Title | Type | Unique | Required | Multiselect | Writable | Target |"
    assert header in md
    assert "| `code` | Code | text | yes | no | no | yes |  |" in md
    assert "| `tags` | Tags | select | no | no | yes | yes |  |" in md
    assert "| `budget` | Budget | currency | no | no | no | yes | EUR |" in md
    assert "| `client` | Client | record-reference | no | no | no | yes | companies |" in md
    assert "| `record_id` | Record ID | text | yes | no | no | no |  |" in md
    assert (
        "| `company` | Company | record-reference | no | no | no | yes | companies (<-> team) |"
        in md
    )
    assert '- Options of `phase`: "Discovery", "Build", "Launch"' in md
    assert '- Options of `tags`: "Internal", "Urgent"' in md
    assert "## Lists" in md
    assert "### List `project_pipeline`: Project pipeline (entries of `projects`)" in md
    assert '- Statuses of `stage`: "Planned", "Won \\"big\\" | 🎉"' in md
    # Lists come after every object.
    assert md.index("## Lists") > md.index("### Object `projects`")


def test_json_holds_every_attribute_field(env: dict[str, str], config_home: Path) -> None:
    result = invoke(["schema", "--format", "json"], env, config_home)
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    objects = {o["slug"]: o for o in data["objects"]}
    assert {"people", "companies", "deals", "projects"} <= set(objects)
    attrs = {a["slug"]: a for a in objects["projects"]["attributes"]}
    assert attrs["code"]["is_unique"] is True
    assert [o["title"] for o in attrs["phase"]["options"]] == PHASES
    assert attrs["tags"]["is_multiselect"] is True
    assert attrs["budget"]["currency_code"] == "EUR"
    assert attrs["client"]["allowed_targets"] == ["companies"]
    assert attrs["record_id"]["is_writable"] is False
    company = {a["slug"]: a for a in objects["people"]["attributes"]}["company"]
    assert company["relationship"] == "team"
    (pipeline,) = [x for x in data["lists"] if x["slug"] == "project_pipeline"]
    assert pipeline["parent_object"] == "projects"
    (stage,) = pipeline["attributes"]
    assert [s["title"] for s in stage["statuses"]] == STAGES


def test_object_filter_and_json_shorthand(env: dict[str, str], config_home: Path) -> None:
    result = invoke(["schema", "--json", "--object", "projects"], env, config_home)
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert [o["slug"] for o in data["objects"]] == ["projects"]
    assert data["lists"] == []
    both = invoke(
        ["schema", "--json", "--object", "deals", "--object", "project_pipeline"], env, config_home
    )
    data = json.loads(both.stdout)
    assert [o["slug"] for o in data["objects"]] == ["deals"]
    assert [x["slug"] for x in data["lists"]] == ["project_pipeline"]


def test_unknown_object_is_not_found(env: dict[str, str], config_home: Path) -> None:
    result = invoke(["schema", "--object", "nope"], env, config_home)
    assert result.exit_code == 4
    line = one_error_line(result)
    assert "no object or list 'nope'" in line
    assert "projects" in line  # the known slugs are named


def test_default_output_is_readable_tables(env: dict[str, str], config_home: Path) -> None:
    result = invoke(["schema", "--object", "projects"], env, config_home)
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert "Object projects: Projects" in out
    for cell in ("code", "unique", "record-reference", "companies", "EUR", "read-only"):
        assert cell in out
    assert "Options of phase: Discovery, Build, Launch" in out


# -- codegen -------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def generated(emu: InProcessEmulator, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The module written by ``schema codegen`` for the whole workspace."""
    out = tmp_path_factory.mktemp("codegen") / "attio_types.py"
    home = tmp_path_factory.mktemp("config-home")
    result = invoke(
        ["schema", "codegen", "--output", str(out)],
        {"ATTIO_API_KEY": KEY, "ATTIO_BASE_URL": emu.base_url},
        home,
    )
    assert result.exit_code == 0, result.stderr
    assert "wrote" in result.stderr
    return out


def test_codegen_module_imports_with_the_writable_slugs(generated: Path) -> None:
    spec = importlib.util.spec_from_file_location("attio_types_runtime", generated)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert "projects" in module.OBJECTS
    assert module.LISTS == ("project_pipeline",)
    assert module.Projects.SLUG == "projects"
    assert module.Projects.PHASE == "phase"
    assert module.ProjectPipelineList.PARENT_OBJECT == "projects"
    keys = module.ProjectsValues.__optional_keys__
    assert {"code", "phase", "tags", "budget", "kickoff", "due_at", "active", "client"} <= keys
    assert module.ProjectsValues.__required_keys__ == frozenset()
    assert "record_id" not in keys and "created_at" not in keys  # read-only
    assert module.ProjectPipelineEntryValues.__optional_keys__ == {"stage"}
    assert "email_addresses" in module.PeopleValues.__optional_keys__
    assert module.ProjectsPhaseOption.__args__ == tuple(PHASES)
    # Slugs that are keywords or type names are keys all the same.
    assert module.EventsValues.__optional_keys__ == {"from", "date", "str"}
    assert module.Events.FROM == "from"
    assert module.RemindersValues.__optional_keys__ == {"date"}


def _mypy(*paths: Path) -> tuple[int, str]:
    """``mypy --strict`` on ``paths`` with an empty config: (status, report)."""
    folder = paths[0].parent
    config = folder / "mypy.ini"
    config.write_text("[mypy]\n", encoding="utf-8")
    args = [*map(str, paths), "--strict", "--config-file", str(config)]
    out, err, status = mypy.api.run([*args, "--cache-dir", str(folder / ".mypy_cache")])
    return status, out + err


def _ruff(*args: str) -> subprocess.CompletedProcess[str]:
    """``ruff ARGS`` under the project's configuration."""
    config = ["--no-cache", "--config", str(ROOT / "pyproject.toml")]
    return subprocess.run(
        [sys.executable, "-m", "ruff", *args, *config], capture_output=True, text=True
    )


def test_codegen_module_passes_mypy_strict_and_ruff(generated: Path) -> None:
    status, report = _mypy(generated)
    assert status == 0, report
    check = _ruff("check", str(generated))
    assert check.returncode == 0, check.stdout + check.stderr
    fmt = _ruff("format", "--check", str(generated))
    assert fmt.returncode == 0, fmt.stdout + fmt.stderr


GOOD = """\
from datetime import date, datetime, timezone
from decimal import Decimal

from attio_types import EventsValues, ProjectPipelineEntryValues, Projects, ProjectsValues

project: ProjectsValues = {
    "code": "P-1",
    "phase": "Build",
    "tags": ["Internal", "Urgent"],
    "budget": Decimal("12.50"),
    "kickoff": date(2024, 1, 31),
    "due_at": datetime(2024, 3, 1, 9, 30, tzinfo=timezone.utc),
    "active": True,
    "score": 4,
    "client": "acme.com",
}
entry: ProjectPipelineEntryValues = {"stage": 'Won "big" | 🎉'}
cleared: ProjectsValues = {"phase": None}
slug: str = Projects.PHASE
event: EventsValues = {"from": "Ada", "date": date(2024, 5, 1), "str": "text"}
"""

BAD = """\
from attio_types import EventsValues, ProjectsValues

wrong_title: ProjectsValues = {"phase": "Shipped"}
wrong_slug: ProjectsValues = {"phsae": "Build"}
read_only: ProjectsValues = {"record_id": "x"}
wrong_type: EventsValues = {"date": 20240501}
"""


def _typecheck(generated: Path, snippet: str, name: str) -> tuple[int, str]:
    """mypy --strict on ``snippet`` beside the generated module: (status, report)."""
    path = generated.parent / f"{name}.py"
    path.write_text(snippet, encoding="utf-8")
    return _mypy(generated, path)


def test_type_checkers_accept_right_values(generated: Path) -> None:
    status, report = _typecheck(generated, GOOD, "good_snippet")
    assert status == 0, report


def test_type_checkers_catch_a_wrong_select_title_slug_and_type(generated: Path) -> None:
    status, report = _typecheck(generated, BAD, "bad_snippet")
    assert status == 1, report
    errors = [line for line in report.splitlines() if ": error:" in line]
    assert len(errors) == 4, report
    assert "bad_snippet.py:3:" in errors[0] and '"phase"' in errors[0]
    assert "Shipped" in errors[0]
    assert "bad_snippet.py:4:" in errors[1] and '"phsae"' in errors[1]
    assert "bad_snippet.py:5:" in errors[2] and '"record_id"' in errors[2]
    assert "bad_snippet.py:6:" in errors[3] and '"date"' in errors[3]


def test_values_the_types_accept_are_written(
    generated: Path, emu: InProcessEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The snippet that type-checks, run for real: its values encode and are written as given.
    spec = importlib.util.spec_from_file_location("attio_types", generated)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    monkeypatch.setitem(sys.modules, "attio_types", module)
    namespace: dict[str, Any] = {}
    exec(compile(GOOD, "good_snippet.py", "exec"), namespace)
    with emu.client() as c:
        c.records.assert_record("companies", "domains", {"domains": [{"domain": "acme.com"}]})
        schema = load_schema(c)
        record = c.records.create(
            "projects", encode_values(schema, "projects", namespace["project"], create=True)
        )
        row = decode_record(schema, record)
        entry = c.entries.create(
            "project_pipeline",
            parent_record_id=record.record_id,
            parent_object="projects",
            entry_values=encode_values(schema, "project_pipeline", namespace["entry"]),
        )
        stage = decode_entry(schema, entry)["stage"]
    assert row["phase"] == "Build"
    assert row["tags"] == ["Internal", "Urgent"]
    assert row["budget"] == Decimal("12.5")
    assert row["kickoff"] == date(2024, 1, 31)
    assert row["score"] == 4 and row["active"] is True
    assert stage == 'Won "big" | 🎉'


def test_codegen_to_stdout_with_object_filter(env: dict[str, str], config_home: Path) -> None:
    result = invoke(
        ["schema", "codegen", "--output", "-", "--object", "project_pipeline"], env, config_home
    )
    assert result.exit_code == 0, result.stderr
    code = result.stdout
    assert "class ProjectPipelineEntryValues(TypedDict, total=False):" in code
    assert "ProjectsValues" not in code
    assert 'ProjectPipelineListStageStatus: TypeAlias = Literal["Planned"' in code
    compile(code, "<generated>", "exec")


# -- configuration and errors --------------------------------------------------------------------
def test_no_key_is_a_usage_error(config_home: Path, emu: InProcessEmulator) -> None:
    result = invoke(["schema"], {"ATTIO_BASE_URL": emu.base_url}, config_home)
    assert result.exit_code == 2
    line = one_error_line(result)
    assert "no Attio API key" in line and "--api-key" in line and "ATTIO_API_KEY" in line


def test_wrong_key_is_an_auth_error(emu: InProcessEmulator, config_home: Path) -> None:
    wrong = "wrong-key-0123456789"
    args = ["schema", "--api-key", wrong, "--base-url", emu.base_url]
    result = invoke(args, {}, config_home)
    assert result.exit_code == 3
    assert "authentication failed" in one_error_line(result)
    assert wrong not in result.stderr


def test_unreachable_base_url_is_a_connection_error(config_home: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    args = ["schema", "--api-key", KEY, "--base-url", url, "--max-retries", "1"]
    result = invoke(args, {}, config_home)
    assert result.exit_code == 7
    assert "cannot reach Attio" in one_error_line(result)


def test_debug_shows_the_traceback_without_the_key(
    emu: InProcessEmulator, config_home: Path
) -> None:
    args = ["schema", "--debug", "--api-key", "wrong", "--base-url", emu.base_url]
    result = invoke(args, {}, config_home)
    assert result.exit_code == 3
    assert "Traceback" in result.stderr
    assert result.stderr.rstrip().splitlines()[-1].startswith("error: authentication failed")


def test_config_file_then_environment_then_options(
    emu: InProcessEmulator, config_home: Path, tmp_path: Path
) -> None:
    # The default config file alone is enough.
    default = config_home / "attio-bridge" / "config.toml"
    default.parent.mkdir()
    default.write_text(f'api_key = "{KEY}"\nbase_url = "{emu.base_url}"\n', encoding="utf-8")
    assert invoke(["schema", "--json"], {}, config_home).exit_code == 0
    # The environment wins over the file...
    env_wrong = invoke(["schema"], {"ATTIO_API_KEY": "env-wrong-key"}, config_home)
    assert env_wrong.exit_code == 3
    # ... and an option over the environment.
    opt = invoke(["schema", "--api-key", KEY], {"ATTIO_API_KEY": "env-wrong-key"}, config_home)
    assert opt.exit_code == 0, opt.stderr
    # --config names another file; options given to the group reach codegen.
    other = tmp_path / "other.toml"
    other.write_text(f'api_key = "wrong-in-file"\nbase_url = "{emu.base_url}"\n', encoding="utf-8")
    via_group = invoke(["schema", "--config", str(other), "codegen", "-o", "-"], {}, config_home)
    assert via_group.exit_code == 3
    assert "wrong-in-file" not in via_group.stderr


def test_bad_config_files_are_usage_errors(config_home: Path, tmp_path: Path) -> None:
    missing = invoke(["schema", "--config", str(tmp_path / "none.toml")], {}, config_home)
    assert missing.exit_code == 2
    assert "config file not found" in one_error_line(missing)
    broken = tmp_path / "broken.toml"
    broken.write_text("api_key = \n", encoding="utf-8")
    bad = invoke(["schema", "--config", str(broken)], {}, config_home)
    assert bad.exit_code == 2
    assert "not valid TOML" in one_error_line(bad)
    typed = tmp_path / "typed.toml"
    typed.write_text("api_key = 42\n", encoding="utf-8")
    wrong_type = invoke(["schema", "--config", str(typed)], {}, config_home)
    assert wrong_type.exit_code == 2
    assert "api_key" in one_error_line(wrong_type)
