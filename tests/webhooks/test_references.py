"""``References``: local pointers to records, kept in the state store, moved by merges."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from attio_bridge.state import StateStore, open_store
from attio_bridge.webhooks import References


@pytest.fixture
def store(tmp_path: Path) -> Iterator[StateStore]:
    """A state store in a SQLite file of the test's own."""
    with open_store(f"sqlite:///{tmp_path / 'state.sqlite3'}") as s:
        yield s


def test_set_repoints_and_remove_forgets(store: StateStore) -> None:
    refs = References(store, "acme")
    refs.set("deal:1:company", "rec-a", object="companies")
    refs.set("deal:1:company", "rec-b", object="companies")
    assert refs.get("deal:1:company") == "rec-b"
    assert refs.names("rec-a") == [] and refs.names("rec-b") == ["deal:1:company"]
    assert refs.remove("deal:1:company") and not refs.remove("deal:1:company")
    assert refs.get("deal:1:company") is None and refs.names("rec-b") == []


def test_workspaces_do_not_see_each_others_references(store: StateStore) -> None:
    References(store, "acme").set("x", "rec-a")
    other = References(store, "globex")
    assert other.get("x") is None
    assert other.merge("rec-a", "rec-z") == []
    assert References(store, "acme").get("x") == "rec-a"


def test_merges_of_merges_resolve_to_the_last_survivor(store: StateStore) -> None:
    refs = References(store, "acme")
    refs.set("x", "rec-a")
    assert refs.merge("rec-a", "rec-b") == ["x"]
    assert refs.merge("rec-b", "rec-c") == ["x"]
    assert refs.get("x") == "rec-c"
    assert refs.document("x")["merged_from"] == ["rec-a", "rec-b"]  # type: ignore[index]
    assert refs.resolve("rec-a") == "rec-c"
    assert refs.merge("rec-a", "rec-b") == []  # the first merge redelivered: nothing moves
    assert refs.get("x") == "rec-c"


def test_a_merge_interrupted_after_the_references_moved_finishes_on_retry(
    store: StateStore,
) -> None:
    refs = References(store, "acme")
    refs.set("x", "rec-a")
    refs.set("y", "rec-a")
    # As if a worker died after rewriting "x" but before the index moved.
    store.put("merged-records", "acme:rec-a", {"record_id": "rec-n"})
    store.put(
        "references", "acme:x", {"record_id": "rec-n", "object": None, "merged_from": ["rec-a"]}
    )
    assert sorted(refs.merge("rec-a", "rec-n")) == ["x", "y"]
    assert refs.get("x") == refs.get("y") == "rec-n"
    assert refs.document("x")["merged_from"] == ["rec-a"]  # type: ignore[index]
    assert sorted(refs.names("rec-n")) == ["x", "y"] and refs.names("rec-a") == []
