"""The import's parts without Attio I/O, through their own surfaces: the file reader shared with
enrichment (``iter_file_rows``), the sync writes side by side (``Workers``), and an older
version's checkpoint file set aside, never stored (``retire_legacy_checkpoint``)."""

from __future__ import annotations

import functools
import json
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from attio_bridge.errors import InvalidInputError
from attio_bridge.state import open_store
from attio_bridge.workflows._concurrency import Workers
from attio_bridge.workflows.importing.checkpoint import NAMESPACE, retire_legacy_checkpoint
from attio_bridge.workflows.importing.files import iter_file_rows


# -- iter_file_rows ------------------------------------------------------------------------------
def test_file_rows_of_csv_json_lines_and_json_array_are_cleaned_alike(tmp_path: Path) -> None:
    """The three forms give the same rows: keys and values stripped, empty values left out."""
    csv_path = tmp_path / "rows.csv"
    csv_path.write_text(" domain ; name ;note\nacme.com; Acme ;\n\nglobex.com;Globex; x \n")
    jsonl = tmp_path / "rows.jsonl"
    jsonl.write_text(
        json.dumps({" domain": "acme.com", "name": " Acme ", "note": ""})
        + "\n\n"
        + json.dumps({"domain": "globex.com", "name": "Globex", "note": " x "})
        + "\n"
    )
    array = tmp_path / "rows.json"
    array.write_text(
        json.dumps(
            [
                {"domain": "acme.com", "name": "Acme", "note": None},
                {"domain": "globex.com", "name": "Globex", "note": "x", "tags": []},
            ]
        )
    )
    expected = [
        {"domain": "acme.com", "name": "Acme"},
        {"domain": "globex.com", "name": "Globex", "note": "x"},
    ]
    for path in (csv_path, jsonl, array):
        assert list(iter_file_rows(path)) == expected, path.name


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ('[{"domain": "acme.com"}, "globex.com"]', "item 2 of the array is not a JSON object"),
        ('[{"domain": "acme.com"},', r"is not a JSON array \(Expecting value at line 1"),
        ('{"domain": "acme.com"}\n[1]\n', "line 2 of rows.json is an array, not a JSON object"),
    ],
)
def test_a_file_row_that_is_no_object_is_an_invalid_input_naming_it(
    tmp_path: Path, text: str, said: str
) -> None:
    path = tmp_path / "rows.json"
    path.write_text(text)
    with pytest.raises(InvalidInputError, match=said):
        list(iter_file_rows(path))


# -- Workers -------------------------------------------------------------------------------------
def test_workers_give_a_result_per_call_in_order_with_failures_kept() -> None:
    """At most ``concurrency`` calls run at once; each result is in its call's place, a
    failing call's error in its own, and the calls are taken lazily from a generator."""
    running, most = 0, 0
    lock = threading.Lock()

    def call(n: int) -> int:
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
        time.sleep(0.01)
        with lock:
            running -= 1
        if n % 5 == 0:
            raise ValueError(f"row {n}")
        return n * n

    def calls() -> Iterator[Callable[[], int]]:
        for n in range(1, 21):
            yield functools.partial(call, n)

    results = Workers(3).results(calls())
    assert [r.index for r in results] == list(range(20))
    assert [r.value for r in results if r.ok] == [n * n for n in range(1, 21) if n % 5]
    assert [str(r.error) for r in results if not r.ok] == ["row 5", "row 10", "row 15", "row 20"]
    assert most == 3


def test_workers_raise_what_the_calls_iterable_raises_and_refuse_no_concurrency() -> None:
    def calls() -> Iterator[Callable[[], int]]:
        yield lambda: 1
        raise OSError("the file went away")

    with pytest.raises(OSError, match="the file went away"):
        Workers(2).results(calls())
    with pytest.raises(InvalidInputError, match="concurrency must be 1 or more, not 0"):
        Workers(0)


# -- adopt_legacy_checkpoint ---------------------------------------------------------------------
IDENTITY = {"file": "people.csv", "size": 10, "object": "people", "match": "email_addresses"}


def test_a_legacy_checkpoint_is_set_aside_once_and_never_stored(tmp_path: Path) -> None:
    # It names no workspace nor file content: no run could trust it, so the store never
    # holds it (it would be read by no one, and deleted by no one).
    legacy = tmp_path / "people.csv.attio-import.json"
    legacy.write_text(json.dumps({"identity": IDENTITY, "done": [[1, 3], [5, 5]]}))
    with open_store(f"sqlite:///{tmp_path}/state.sqlite3") as store:
        assert retire_legacy_checkpoint(legacy)
        assert store.items(NAMESPACE) == []
    assert not legacy.exists() and legacy.with_name(legacy.name + ".imported").exists()
    assert not retire_legacy_checkpoint(legacy)  # read once: it is gone


@pytest.mark.parametrize("text", ["{not json", "[1, 2]"])
def test_an_unreadable_legacy_checkpoint_is_left_as_it_is(tmp_path: Path, text: str) -> None:
    legacy = tmp_path / "people.csv.attio-import.json"
    legacy.write_text(text)
    with open_store(f"sqlite:///{tmp_path}/state.sqlite3") as store:
        assert not retire_legacy_checkpoint(legacy)
        assert store.items(NAMESPACE) == []
    assert legacy.read_text() == text
