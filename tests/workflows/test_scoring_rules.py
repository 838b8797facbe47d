"""The rules-file loader of lead qualification: a TOML file and its JSON twin give the same
``ScoringRules`` (and score a form alike); each mistake is one ``RulesFileError`` naming the
file, the rule and the fix."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest

from attio_bridge.errors import InvalidInputError
from attio_bridge.workflows.qualify import Rule, ScoringRules, score_form
from attio_bridge.workflows.scoring_rules import RulesFileError, load_rules_file, rules_file_from

TOML = """\
status_attribute = "lead_status"
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
label = "software or fintech"

[[rules]]
field = "email"
op = "present"
points = 5

[tiers]
Hot = 40
Warm = 20
Cold = 0
"""

EXPECTED = ScoringRules(
    rules=(
        Rule("employees", "at_least", 50, points=30),
        Rule("industry", "in", ("SaaS", "Fintech"), points=20, label="software or fintech"),
        Rule("email", "present", points=5),
    ),
    tiers=((40, "Hot"), (20, "Warm"), (0, "Cold")),
    status_attribute="lead_status",
)


def test_toml_and_json_files_give_the_same_rules(tmp_path: Path) -> None:
    """The TOML file, and the same data as JSON, load to the expected rules and defaults, and
    score a form to the status its points reach."""
    toml_path = tmp_path / "rules.toml"
    toml_path.write_text(TOML, encoding="utf-8")
    json_path = tmp_path / "rules.json"
    json_path.write_text(json.dumps(tomllib.loads(TOML)), encoding="utf-8")
    for path in (toml_path, json_path):
        loaded = load_rules_file(path)
        assert loaded.rules == EXPECTED
        assert (loaded.list, loaded.assignee) == ("prospects", "ada@example.com")
    score, reasons = score_form({"employees": "80", "industry": "fintech"}, EXPECTED)
    assert score == 50 and EXPECTED.status_for(score) == "Hot"
    assert [r.rule for r in reasons if r.matched] == [
        "employees at least 50",
        "software or fintech",
    ]


@pytest.mark.parametrize(
    ("data", "words"),
    [
        ({"tiers": {"Hot": 0}}, "no rules; add at least one [[rules]]"),
        ({"rules": [{"field": "a", "op": "present", "points": 1}]}, "no tiers"),
        (
            {"rules": [{"field": "a", "op": "present", "points": 1}], "tiers": {"Hot": "high"}},
            "tier 'Hot': minimum is 'high'; set it to a whole number",
        ),
        (
            {"rules": [{"op": "present", "points": 1}], "tiers": {"Hot": 0}},
            "rule 1: no field; set field",
        ),
        (
            {"rules": [{"field": "size", "op": "bigger", "points": 1}], "tiers": {"Hot": 0}},
            "rule 1 (size): op 'bigger' is not known; set op to one of equals, in",
        ),
        (
            {"rules": [{"field": "size", "op": "at_least", "value": "x", "points": 1}]},
            "rule 1 (size): value is 'x'; op \"at_least\" needs a number",
        ),
        (
            {"rules": [{"field": "size", "op": "equals", "value": 3, "points": 1.5}]},
            "rule 1 (size): points is 1.5; set points to a whole number",
        ),
        (
            {"rules": [{"field": "email", "op": "present", "value": "x", "points": 1}]},
            "rule 1 (email): op 'present' takes no value; remove value",
        ),
        ({"rule": []}, "unknown key 'rule'; the keys are rules, tiers"),
        ([1, 2], "expected a table with rules and tiers"),
    ],
)
def test_each_mistake_names_the_rule_and_the_fix(data: object, words: str) -> None:
    """A mistake in the data is one error naming the place (file, rule) and the fix."""
    with pytest.raises(RulesFileError) as caught:
        rules_file_from(data, "team.toml")
    message = str(caught.value)
    assert message.startswith("team.toml: ")
    assert words in message
    assert "\n" not in message


def test_unreadable_files_are_named(tmp_path: Path) -> None:
    """A missing file, bad TOML and bad JSON are each one error naming the file, bad input in
    the error tree (also a ``ValueError``, as before it)."""
    with pytest.raises(RulesFileError, match="no such rules file") as caught:
        load_rules_file(tmp_path / "missing.toml")
    assert isinstance(caught.value, InvalidInputError) and isinstance(caught.value, ValueError)
    bad_toml = tmp_path / "bad.toml"
    bad_toml.write_text("rules = [", encoding="utf-8")
    with pytest.raises(RulesFileError, match=r"bad\.toml: not valid TOML"):
        load_rules_file(bad_toml)
    bad_json = tmp_path / "bad.json"
    bad_json.write_text("{", encoding="utf-8")
    with pytest.raises(RulesFileError, match=r"bad\.json: not valid JSON"):
        load_rules_file(bad_json)
