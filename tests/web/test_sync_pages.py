"""The sync's conflicts page: open conflicts listed with both values, escaped; resolving needs
the session's CSRF token; a resolved conflict leaves the list."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from attio_bridge.state import StateStore, open_store
from attio_bridge.sync.conflicts import ConflictQueue, ConflictRecord
from attio_bridge.sync.merge import Conflict
from attio_bridge.web.sync_pages import ConflictPages


@pytest.fixture
def store(tmp_path: Path) -> Iterator[StateStore]:
    with open_store(f"sqlite:///{tmp_path / 'state.sqlite3'}") as s:
        yield s


def test_conflicts_are_listed_escaped_and_resolved_with_the_csrf_token(store: StateStore) -> None:
    queue = ConflictQueue(store)
    nasty = "<script>alert(1)</script>"
    conflict = Conflict("name", nasty, "Countess", "Ada", "open", "both changed at the same time")
    rec = ConflictRecord.of("contacts", "1001", "r1", conflict, datetime.now(UTC))
    queue.record(rec)
    taken: list[tuple[str, str]] = []

    async def resolve(conflict_id: str, take: str) -> ConflictRecord:
        taken.append((conflict_id, take))
        return queue.close(queue.get(conflict_id), f"resolved: {take}", "Countess")

    pages = ConflictPages(store, resolve, session_key=b"k" * 32)
    with TestClient(Starlette(routes=[pages.mount()])) as http:
        page = http.get("/sync/conflicts")
        assert page.status_code == 200
        assert nasty not in page.text and "\\u003cscript\\u003e" in page.text
        assert "Countess" in page.text and f'id="conflict-{rec.id}"' in page.text
        assert page.headers["x-frame-options"]
        url = f"/sync/conflicts/{rec.id}/resolve"
        forged = http.post(url, data={"take": "external", "csrf": "wrong"})
        assert forged.status_code == 403 and taken == []
        token = re.search(r'name="csrf" value="([^"]+)"', page.text)
        assert token is not None
        bad = http.post(url, data={"take": "mine", "csrf": token.group(1)})
        assert bad.status_code == 400 and taken == []
        done = http.post(url, data={"take": "external", "csrf": token.group(1)})
        assert done.status_code == 200 and "No open conflicts." in done.text
        assert "Resolved name of 1001: resolved: external" in done.text
    assert taken == [(rec.id, "external")] and queue.open() == []
