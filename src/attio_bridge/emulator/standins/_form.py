"""Form bodies (``application/x-www-form-urlencoded``) read with the standard library.

Starlette's ``request.form()`` needs python-multipart, which the project does not depend on;
the stand-ins only ever receive URL-encoded forms (slack_sdk's and google-auth's requests).
"""

from __future__ import annotations

from urllib.parse import parse_qsl

from starlette.requests import Request


async def urlencoded(request: Request) -> dict[str, str]:
    """The fields of a URL-encoded body (the last value of a repeated field wins)."""
    raw = await request.body()
    return dict(parse_qsl(raw.decode("utf-8", errors="replace"), keep_blank_values=True))
