"""How an async workflow calls sync code that blocks (the Slack and Drive connectors, an
enrichment provider, the state store's locks): ``in_thread`` runs a call in a worker thread and
``held`` holds a lock from one, so the event loop goes on serving other work meanwhile.

``scripts/gen_sync.py`` turns ``await in_thread(f, *args)`` into the direct call ``f(*args)``
and ``async with held(lock):`` into ``with lock:`` in the generated sync workflows, so the sync
twin runs them in the caller's thread as before.
"""

from __future__ import annotations

import contextlib
import functools
import threading
from collections.abc import AsyncIterator, Callable
from typing import ParamSpec, TypeVar

import anyio.to_thread

P = ParamSpec("P")
T = TypeVar("T")


async def in_thread(call: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
    """``call(*args, **kwargs)`` run in a worker thread; its result, or its exception."""
    return await anyio.to_thread.run_sync(functools.partial(call, *args, **kwargs))


@contextlib.asynccontextmanager
async def held(lock: contextlib.AbstractContextManager[object]) -> AsyncIterator[None]:
    """Hold ``lock`` (a blocking context manager, e.g. ``StateStore.lock(...)``) for an
    ``async with`` block, without blocking the event loop while it is awaited.

    File locks belong to the thread that took them, so one thread takes the lock, waits for
    the block to end and frees it; the event loop only waits for that thread's signals.
    ``scripts/gen_sync.py`` turns ``async with held(lock):`` into ``with lock:``."""
    taken = threading.Event()
    done = threading.Event()
    failure: list[BaseException] = []

    def hold() -> None:
        try:
            with lock:
                taken.set()
                done.wait()
        except BaseException as exc:  # handed to the awaiting task, which raises it
            failure.append(exc)
            taken.set()

    thread = threading.Thread(target=hold, name="attio-bridge-lock", daemon=True)
    thread.start()
    await anyio.to_thread.run_sync(taken.wait)
    if failure:
        raise failure[0]
    try:
        yield
    finally:
        done.set()
        await anyio.to_thread.run_sync(thread.join)
        if failure:
            raise failure[0]
