"""The sync engine's pooled, batched full run against the sequential one: the same Attio
records, the same pairs, no duplicates, on a side with batch writes and one without; and a run
that fails mid-page with writes in flight resumes to the same result."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from attio_bridge.client import AttioClient
from attio_bridge.connectors import ConnectorError
from attio_bridge.connectors.crm import ExternalRecord
from attio_bridge.emulator import EmulatorConfig, create_app
from attio_bridge.state import StateStore, open_store
from attio_bridge.sync.engine import Report, SyncEngine
from attio_bridge.sync.store import RecordStore
from attio_bridge.testing import SyncASGITransport

from ._fake_side import CONTACT_FIELDS, FakeClock, FakeSide
from .conftest import contacts, contacts_mapping, people

KEY = "concurrency-test-key"


class BatchSide(FakeSide):
    """The fake side with the optional batch writes (``connectors.crm.BatchWriter``)."""

    def create_many(
        self, object: str, rows: Sequence[dict[str, Any]]
    ) -> list[ExternalRecord | ConnectorError]:
        self._enter("create_many")
        out: list[ExternalRecord | ConnectorError] = []
        for row in rows:
            if "nope" in row.get("email", ""):
                out.append(ConnectorError(self.system, "VALIDATION_ERROR", "bad", status=400))
                continue
            self.writes += 1
            out.append(self.put(object, row))
        return out

    def update_many(
        self, object: str, changes: Sequence[tuple[str, dict[str, Any]]]
    ) -> list[ConnectorError | None]:
        self._enter("update_many")
        out: list[ConnectorError | None] = []
        for ident, props in changes:
            if ident not in self._known(object):
                out.append(ConnectorError(self.system, "not_found", "gone", status=404))
                continue
            self.writes += 1
            self.edit(object, ident, props)
            out.append(None)
        return out


@dataclass
class World:
    client: AttioClient
    side: FakeSide
    state: StateStore
    clock: FakeClock

    def engine(self, **options: Any) -> SyncEngine:
        options.setdefault("external_page", 7)
        return SyncEngine(
            contacts_mapping(),
            self.side,
            self.client,
            RecordStore(self.state),
            clock=self.clock,
            sleep=lambda s: None,
            **options,
        )

    def pairs(self) -> set[tuple[str, str]]:
        """(external email, Attio email) of every stored link."""
        emails = {
            r.record_id: str(r.values["email_addresses"][0]["email_address"]).lower()
            for r in self.client.records.iter("people")
        }
        out = set()
        for link in RecordStore(self.state).links("hubspot", "contacts"):
            rec = self.side.records["contacts"][link.external_id]
            out.add((rec.properties["email"].lower(), emails[link.attio_id or ""]))
        return out


@contextmanager
def world(tmp: Path, side_type: type[FakeSide]) -> Iterator[World]:
    """A fresh emulator, fake side and state store, seeded the same way every time."""
    app = create_app(EmulatorConfig(api_keys=[KEY], read_rate=0, write_rate=0))
    clock = FakeClock()
    side = side_type({"contacts": dict(CONTACT_FIELDS)}, clock=clock)
    transport = SyncASGITransport(app)
    with (
        AttioClient(api_key=KEY, base_url="http://emulator", transport=transport) as client,
        open_store(f"sqlite:///{tmp / 'state.sqlite3'}") as state,
    ):
        seed(client, side)
        try:
            yield World(client, side, state, clock)
        finally:
            app.state.deliveries.close()


def seed(client: AttioClient, side: FakeSide) -> None:
    """30 contacts only on the other side, 30 people only in Attio, 10 on both (Attio's
    descriptions and the side's job titles to carry across), and two contacts claiming one
    Attio person (one email)."""
    for i in range(30):
        side.put("contacts", {"email": f"x{i}@ext.io", "firstname": f"X{i}", "lastname": "E"})
    for i in range(10):
        side.put(
            "contacts",
            {"email": f"b{i}@both.io", "firstname": f"B{i}", "lastname": "B", "jobtitle": "T"},
        )
    side.put("contacts", {"email": "twin@both.io", "firstname": "One", "lastname": "T"})
    side.put("contacts", {"email": "TWIN@both.io", "firstname": "Two", "lastname": "T"})
    for i in range(30):
        client.records.create(
            "people",
            {
                "email_addresses": [f"a{i}@attio.io"],
                "name": [{"first_name": f"A{i}", "last_name": "At", "full_name": f"A{i} At"}],
            },
        )
    for i in [*range(10), -1]:
        email = f"b{i}@both.io" if i >= 0 else "twin@both.io"
        client.records.create(
            "people",
            {
                "email_addresses": [email],
                "name": [{"first_name": f"B{i}", "last_name": "B", "full_name": f"B{i} B"}],
                "description": [{"value": f"about b{i}"}],
            },
        )


def outcome(w: World, report: Report) -> dict[str, Any]:
    return {
        "people": people(w.client),
        "contacts": contacts(w.side),
        "pairs": w.pairs(),
        "written": report.written,
        "errors": len(report.errors),
    }


def test_a_pooled_batched_run_ends_as_the_sequential_one(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "c").mkdir()
    with world(tmp_path / "a", FakeSide) as seq:
        alone = outcome(seq, seq.engine(concurrency=1, batches=False).full())
    with world(tmp_path / "b", BatchSide) as pooled:
        report = pooled.engine(concurrency=6).full()
        together = outcome(pooled, report)
        batch_calls = pooled.side.calls.count("create_many") + pooled.side.calls.count(
            "update_many"
        )
        single_calls = pooled.side.calls.count("create") + pooled.side.calls.count("update")
        again = pooled.engine(concurrency=6).full()
    with world(tmp_path / "c", FakeSide) as fallback:
        without_batches = outcome(fallback, fallback.engine(concurrency=6).full())
    assert together == alone == without_batches
    # Every record once on each side, every Attio person paired once (the twins: one pair).
    assert len(together["people"]) == 71 and len(together["contacts"]) == 71
    attio_ids = [a for _, a in together["pairs"]]
    assert len(attio_ids) == len(set(attio_ids)) == 71
    assert ("twin@both.io", "twin@both.io") in together["pairs"]
    assert together["people"]["b3@both.io"]["job_title"] == "T"
    assert together["contacts"]["b3@both.io"]["description"] == "about b3"
    # The other side's writes went in batches: 30 creates and 10 updates in a few calls.
    assert single_calls == 0 and 0 < batch_calls <= 10
    # Nothing else to write again; the second twin (Attio refuses a second person with its
    # email) is tried again, as the sequential run does.
    assert [p.values.get("email_addresses") for p in again.planned] == ["twin@both.io"]
    assert len(again.errors) == 1


def test_a_run_that_fails_mid_page_with_writes_in_flight_resumes_to_the_same_end(
    tmp_path: Path,
) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    with world(tmp_path / "a", BatchSide) as clean:
        want = outcome(clean, clean.engine(concurrency=4).full())
    with world(tmp_path / "b", BatchSide) as w:
        # The second batch of updates fails (retryable) past every retry: its page's Attio
        # writes are in flight; the run stops there and keeps its checkpoint before that page.
        limited = ConnectorError("hubspot", "RATE_LIMIT", "slow down", status=429, retry_after=0)
        real = w.side.update_many
        calls = {"n": 0}

        def second_fails(*args: Any) -> list[ConnectorError | None]:
            calls["n"] += 1
            if calls["n"] >= 2:
                raise limited
            return real(*args)

        w.side.update_many = second_fails  # type: ignore[method-assign]
        try:
            w.engine(concurrency=4, external_page=4).full()
        except ConnectorError as err:
            assert err.retryable
        else:
            raise AssertionError("the run should have stopped")
        checkpoint = w.state.get("sync-checkpoints", "contacts")
        assert checkpoint is not None
        w.side.update_many = real  # type: ignore[method-assign]
        resumed = w.engine(concurrency=4, external_page=4).full()
        got = outcome(w, resumed)
        assert w.state.get("sync-checkpoints", "contacts") is None
        assert w.engine(concurrency=4).full().written["external"] == 0
    assert got["people"] == want["people"]
    assert got["contacts"] == want["contacts"]
    assert got["pairs"] == want["pairs"]
