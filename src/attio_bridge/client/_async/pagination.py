"""Iterate every item of a paginated endpoint without the caller touching offsets or cursors.

Offset endpoints stop on a short page; the page size is clamped to each endpoint's documented
maximum, because a server that silently caps a larger page would otherwise look like the end
and drop everything after it. Cursor endpoints stop when ``next_cursor`` is null.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import TypeVar

# From _types so that the generated sync copy imports SyncResult from the same place.
from .._types import Awaitable

T = TypeVar("T")


async def iter_offset(
    fetch: Callable[[int, int], Awaitable[list[T]]], page_size: int
) -> AsyncIterator[T]:
    """Every item of an offset-paginated endpoint; ``fetch(limit, offset)`` gets one page."""
    offset = 0
    while True:
        page = await fetch(page_size, offset)
        for item in page:
            yield item
        if len(page) < page_size:
            return
        offset += len(page)


async def iter_cursor(
    fetch: Callable[[str | None], Awaitable[tuple[list[T], str | None]]],
) -> AsyncIterator[T]:
    """Every item of a cursor-paginated endpoint; ``fetch(cursor)`` gets a page and the next."""
    cursor: str | None = None
    seen: set[str] = set()
    while True:
        page, cursor = await fetch(cursor)
        for item in page:
            yield item
        if not cursor or cursor in seen:
            return
        seen.add(cursor)
