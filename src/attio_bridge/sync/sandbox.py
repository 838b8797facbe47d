"""The sandbox's sync: HubSpot's stand-in kept in step with the emulator's Attio.

``SandboxSync`` owns the sandbox's sync pieces: the mappings shipped in
``sandbox_mapping.toml`` (HubSpot contacts <-> Attio people by email, companies <-> companies
by domain), one ``SyncEngine`` per mapping over one HubSpot connector, one Attio client and a
state store of the sandbox's own (never the user's), and

- ``register(queue)`` / ``start(queue)``: the full syncs as durable jobs (``sync.jobs``), the
  first submitted once when the sandbox starts;
- ``on_event``: a webhook handler (for HubSpot's ``contact.*`` and ``company.*`` and Attio's
  ``record.*``) that runs every engine's incremental sync with the event, so a change on one
  side reaches the other and shows as the event's effect on the events page;
- ``resolve``: the conflicts page's way to close a conflict.

The sandbox CLI (``cli.serve``) wires them; nothing here starts a server.
"""

from __future__ import annotations

import asyncio
import tomllib
from importlib import resources
from typing import Any

from ..client import AttioClient
from ..connectors.hubspot import HubSpotConnector
from ..jobs import JobQueue
from ..state import open_store
from ..webhooks import Event, HandlerContext, Router
from .conflicts import ConflictQueue, ConflictRecord
from .engine import SyncEngine
from .jobs import SYNC_JOB_KIND, sync_job, sync_processor
from .mapping import MappingError, SyncMapping, parse_mappings
from .store import RecordStore

__all__ = ["EVENT_PATTERNS", "MAPPING_FILE", "SandboxSync", "sandbox_mappings"]

MAPPING_FILE = "sandbox_mapping.toml"
EVENT_PATTERNS = ("contact.*", "company.*", "record.*")
"""The event types whose records the sandbox's mappings sync."""
_OBJECTS = {"contact": "contacts", "company": "companies"}


def sandbox_mappings() -> list[SyncMapping]:
    """The mappings shipped in ``sandbox_mapping.toml``."""
    text = resources.files(__package__).joinpath(MAPPING_FILE).read_text(encoding="utf-8")
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:  # a packaging fault, not the user's
        raise MappingError(f"{MAPPING_FILE}: {exc}; reinstall attio-bridge") from None
    return parse_mappings(doc, where=MAPPING_FILE)


def _names(event: Event, mapping: SyncMapping) -> bool:
    """Whether a HubSpot event (``contact.propertyChange``) is of ``mapping``'s object."""
    kind = event.type.split(".", 1)[0]
    return mapping.system == event.source and mapping.object == _OBJECTS.get(kind, kind)


class SandboxSync:
    """The sandbox's sync (module docstring)."""

    def __init__(
        self,
        *,
        attio_key: str,
        attio_url: str,
        hubspot_token: str,
        hubspot_url: str,
        state_url: str,
    ) -> None:
        self.state = open_store(state_url)
        self.store = RecordStore(self.state)
        self.conflicts = ConflictQueue(self.state)
        self.mappings = sandbox_mappings()
        self._client = AttioClient(api_key=attio_key, base_url=attio_url)
        connector = HubSpotConnector(hubspot_token, base_url=hubspot_url)
        self.engines = {
            m.name: SyncEngine(m, connector, self._client, self.store, self.conflicts)
            for m in self.mappings
        }
        self._started = False
        self._router: Router | None = None
        # One bound method, so that the router can find it again to remove it.
        self._handler = self.on_event

    def __repr__(self) -> str:
        return f"SandboxSync(mappings={list(self.engines)!r})"

    def engine_for(self, name: str) -> SyncEngine:
        """The engine of mapping ``name``."""
        try:
            return self.engines[name]
        except KeyError:
            raise MappingError(
                f"the sandbox has no sync mapping {name!r}; it has {', '.join(self.engines)}"
            ) from None

    def register(self, queue: JobQueue, router: Router) -> None:
        """Run full syncs as ``queue``'s jobs, and events of ``EVENT_PATTERNS`` through the
        engines (``router``'s handler)."""
        queue.register(SYNC_JOB_KIND, sync_processor(self.engine_for))
        for pattern in EVENT_PATTERNS:
            router.add(pattern, self._handler)
        self._router = router

    def start(self, queue: JobQueue) -> None:
        """Submit the first full sync of every mapping (once; ``queue`` started)."""
        if not self._started:
            queue.submit_sync([sync_job(m, "sandbox-start") for m in self.mappings])
            self._started = True

    async def on_event(self, event: Event, ctx: HandlerContext) -> dict[str, Any]:
        """Settle the record ``event`` names in every mapping; the writes made, per mapping."""
        effect: dict[str, Any] = {}
        for name, engine in self.engines.items():
            if event.source != "attio" and not _names(event, engine.mapping):
                continue
            report = await asyncio.to_thread(engine.incremental, [event])
            if report.writes or report.conflicts or report.errors:
                effect[name] = {
                    "written": report.written,
                    "conflicts": len(report.conflicts),
                    "errors": report.errors[:5],
                }
        return {"sync": effect or "nothing to write"}

    async def resolve(self, conflict_id: str, take: str) -> ConflictRecord:
        """Close open conflict ``conflict_id`` with ``take`` (the conflicts page's resolver)."""
        engine = self.engine_for(self.conflicts.get(conflict_id).mapping)
        return await asyncio.to_thread(engine.resolve, conflict_id, take)

    def close(self) -> None:
        """Take the event handler off the router (a router outlives a sandbox: in one process,
        the next service's events must not reach this one's engines), close the Attio client
        and the state store."""
        if self._router is not None:
            self._router.remove(self._handler)
            self._router = None
        self._client.close()
        self.state.close()
