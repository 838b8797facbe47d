"""A sync job worker process for the kill test of ``test_faults_e2e``: ``python
_faults_worker.py DIR BASE_URL EXECUTOR [submit]``. Attio and the HubSpot stand-in are the
emulator process at BASE_URL; the state store and the jobs database are SQLite files in DIR.
``submit`` submits the one full-sync job and exits; otherwise it works until SIGTERM or
SIGKILL."""

from __future__ import annotations

import sys
from pathlib import Path

from attio_bridge.client import AttioClient
from attio_bridge.state import open_store
from attio_bridge.sync.engine import SyncEngine
from attio_bridge.sync.store import RecordStore
from tests.sync._faults_support import HUBSPOT, KEY
from tests.sync._sync_worker import serve


def main(argv: list[str]) -> None:
    workdir, base_url, executor = Path(argv[0]), argv[1], argv[2]
    mapping = HUBSPOT.mapping()
    if argv[3:4] == ["submit"]:
        serve(workdir, executor, mapping)
        return
    state = open_store(f"sqlite:///{workdir / 'state.sqlite3'}")
    client = AttioClient(api_key=KEY, base_url=base_url)
    connector = HUBSPOT.connector(base_url)

    def engine_for(name: str) -> SyncEngine:
        assert name == mapping.name
        return SyncEngine(mapping, connector, client, RecordStore(state), external_page=5)

    serve(workdir, executor, mapping, engine_for)


if __name__ == "__main__":
    main(sys.argv[1:])
