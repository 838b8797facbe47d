"""``in_thread``: how an async workflow calls sync code that blocks (the Slack and Drive
connectors, an enrichment provider, the state store): in a worker thread, so the event loop
goes on serving other work meanwhile.

``scripts/gen_sync.py`` turns ``await in_thread(f, *args)`` into the direct call ``f(*args)`` in
the generated sync workflows, so the sync twin runs it in the caller's thread as before.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar

import anyio.to_thread

P = ParamSpec("P")
T = TypeVar("T")


async def in_thread(call: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
    """``call(*args, **kwargs)`` run in a worker thread; its result, or its exception."""
    return await anyio.to_thread.run_sync(functools.partial(call, *args, **kwargs))
