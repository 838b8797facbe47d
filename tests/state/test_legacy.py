"""State kept in files before the store: kickoff manifests and import checkpoints, read once."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from attio_bridge.state import (
    StateStore,
    identity_key,
    import_legacy_kickoff_manifests,
    legacy_kickoff_dir,
    open_store,
    read_legacy_checkpoint,
    retire_legacy_file,
)


@pytest.fixture
def store(store_url: str) -> Iterator[StateStore]:
    with open_store(store_url) as opened:
        yield opened


def manifest(domain: str, notes: list[str]) -> dict[str, object]:
    """A manifest as the kickoff wrote it before the store."""
    return {
        "version": 1,
        "domain": domain,
        "company": {"record_id": "rec-1", "created": True},
        "attributes_created": [],
        "values": {},
        "slack_channel": {"id": "C1", "name": "internal-acme", "url": "https://slack/C1"},
        "drive_folders": [],
        "notes": notes,
    }


@pytest.fixture
def old_dir(tmp_path: Path) -> Path:
    directory = tmp_path / "kickoff"
    (directory / ".locks").mkdir(parents=True)
    (directory / ".locks" / "acme.com.json.lock").write_text("")
    for domain, notes in [("acme.com", ["n1"]), ("beta.io", ["n2", "n3"])]:
        (directory / f"{domain}.json").write_text(json.dumps(manifest(domain, notes)))
    return directory


def test_manifests_are_imported_once(store: StateStore, old_dir: Path) -> None:
    result = import_legacy_kickoff_manifests(store, old_dir)
    assert sorted(result.imported) == ["acme.com", "beta.io"]
    assert store.get("kickoff", "acme.com") == manifest("acme.com", ["n1"])
    assert store.get("kickoff", "beta.io") == manifest("beta.io", ["n2", "n3"])
    assert sorted(p.name for p in old_dir.glob("*.json*")) == [
        "acme.com.json.imported",
        "beta.io.json.imported",
    ]
    # A rollback removes a manifest from the store; the retired file does not bring it back.
    store.delete("kickoff", "acme.com")
    again = import_legacy_kickoff_manifests(store, old_dir)
    assert again.imported == [] and again.kept == [] and again.damaged == []
    assert store.get("kickoff", "acme.com") is None


def test_the_stored_manifest_wins_over_a_file(store: StateStore, old_dir: Path) -> None:
    # A run killed after its put and before the rename leaves this state behind.
    store.put("kickoff", "acme.com", manifest("acme.com", ["newer"]))
    result = import_legacy_kickoff_manifests(store, old_dir)
    assert result.kept == ["acme.com"] and result.imported == ["beta.io"]
    assert store.get("kickoff", "acme.com") == manifest("acme.com", ["newer"])
    assert not (old_dir / "acme.com.json").exists()


def test_a_damaged_manifest_is_reported_and_left(store: StateStore, old_dir: Path) -> None:
    (old_dir / "broken.com.json").write_text("{not json")
    (old_dir / "list.com.json").write_text("[1, 2]")
    result = import_legacy_kickoff_manifests(store, old_dir)
    assert sorted(path.name for path, _ in result.damaged) == ["broken.com.json", "list.com.json"]
    assert (old_dir / "broken.com.json").exists()
    assert store.get("kickoff", "broken.com") is None
    assert sorted(result.imported) == ["acme.com", "beta.io"]


def test_a_manifest_without_a_domain_is_keyed_by_its_file(
    store: StateStore, tmp_path: Path
) -> None:
    (tmp_path / "gamma.org.json").write_text(json.dumps({"notes": ["n9"]}))
    assert import_legacy_kickoff_manifests(store, tmp_path).imported == ["gamma.org"]
    assert store.get("kickoff", "gamma.org") == {"notes": ["n9"]}


def test_no_old_directory_is_nothing_to_do(store: StateStore, tmp_path: Path) -> None:
    result = import_legacy_kickoff_manifests(store, tmp_path / "never-made")
    assert result.imported == [] and result.damaged == []


def test_the_old_directory_follows_xdg_state_home(tmp_path: Path) -> None:
    environ = {"XDG_STATE_HOME": str(tmp_path)}
    assert legacy_kickoff_dir(environ) == tmp_path / "attio-bridge" / "kickoff"


def test_a_checkpoint_file_is_read_then_retired(tmp_path: Path) -> None:
    path = tmp_path / "people.csv.attio-import.json"
    body = {"identity": {"object": "people", "size": 10}, "done": [[1, 4], [7, 7]]}
    path.write_text(json.dumps(body))
    assert read_legacy_checkpoint(path) == body
    assert retire_legacy_file(path) == tmp_path / "people.csv.attio-import.json.imported"
    assert read_legacy_checkpoint(path) is None
    assert retire_legacy_file(path) is None


@pytest.mark.parametrize("text", ["{half", "[]", ""])
def test_an_unreadable_checkpoint_is_none(tmp_path: Path, text: str) -> None:
    path = tmp_path / "x.attio-import.json"
    path.write_text(text)
    assert read_legacy_checkpoint(path) is None


def test_identity_keys_are_stable_and_distinct() -> None:
    one = identity_key({"object": "people", "match": ["email"], "size": 10})
    assert one == identity_key({"size": 10, "match": ["email"], "object": "people"})
    assert one != identity_key({"object": "people", "match": ["email"], "size": 11})
    assert len(one) == 64


def test_imports_at_once_bring_each_manifest_in_once(store_url: str, old_dir: Path) -> None:
    results = []

    def run() -> None:
        with open_store(store_url) as own:
            results.append(import_legacy_kickoff_manifests(own, old_dir))

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 4
    assert sorted(domain for result in results for domain in result.imported) == [
        "acme.com",
        "beta.io",
    ]
