"""Where the kickoff runs of a domain are recorded: the state store (the one given, else one
opened in ``state_dir``, else the default one), the manifests older versions kept as files
brought into it once, and the per-domain lock by which runs take turns."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

from ...state import LockTimeout, StateStore, import_legacy_kickoff_manifests, open_store
from .._model.kickoff import NAMESPACE, KickoffBusyError, Manifest, read_manifest
from .._threads import held, in_thread

__all__ = ["Records", "recorded", "turn"]

# The state store's file in a ``state_dir`` given by the caller.
STORE_FILE = "state.sqlite3"


class Records:
    """The manifest of one domain in ``store``; a dry run reads it and writes nothing."""

    def __init__(self, store: StateStore, domain: str, dry_run: bool) -> None:
        self.store = store
        self.domain = domain
        self.dry_run = dry_run

    @property
    def recorded_in(self) -> str:
        """The store, as messages show it (password masked)."""
        return self.store.url_for_display

    def load(self) -> Manifest | None:
        """The domain's manifest, or None when no run of it is recorded."""
        return read_manifest(self.store, self.domain)

    def save(self, manifest: Manifest) -> None:
        """Keep ``manifest`` (after each step that created something)."""
        if not self.dry_run:
            self.store.put(NAMESPACE, self.domain, manifest.to_json())

    def drop(self) -> None:
        """Forget the domain's manifest: nothing is left to undo."""
        if not self.dry_run:
            self.store.delete(NAMESPACE, self.domain)


@contextlib.contextmanager
def turn(store: StateStore, domain: str, timeout: float) -> Iterator[None]:
    """Hold the lock ``kickoff:{domain}`` of ``store``; ``KickoffBusyError`` when another run
    keeps it past ``timeout`` seconds."""
    with contextlib.ExitStack() as stack:
        try:
            stack.enter_context(store.lock(f"{NAMESPACE}:{domain}", timeout))
        except LockTimeout:
            raise KickoffBusyError(
                f"another kickoff or rollback of {domain} is running; run again once it has "
                "finished"
            ) from None
        yield


@contextlib.asynccontextmanager
async def recorded(
    store: StateStore | None,
    state_dir: Path | None,
    domain: str,
    lock_timeout: float,
    dry_run: bool,
) -> AsyncIterator[Records]:
    """The records of ``domain``, its runs' turn held meanwhile (a dry run, which writes
    nothing, needs none). ``store`` is used as given; otherwise the store in ``state_dir``
    (``state.sqlite3`` there) or the default one (``open_store()``) is opened and closed
    again. Manifests kept as files (``{state_dir}/{domain}.json``, by default under
    ``$XDG_STATE_HOME/attio-bridge/kickoff/``) are brought into the store first, once."""
    opened = None
    if store is None:
        url = f"sqlite:///{(state_dir / STORE_FILE).resolve()}" if state_dir else None
        store = opened = await in_thread(open_store, url)
    try:
        await in_thread(
            import_legacy_kickoff_manifests, store, state_dir, lock_timeout=lock_timeout
        )
        records = Records(store, domain, dry_run)
        if dry_run:
            yield records
        else:
            async with held(turn(store, domain, lock_timeout)):
                yield records
    finally:
        if opened is not None:
            opened.close()
