"""Sentinels and small shared types: "not given" is not ``None`` (httpx, openai ``NotGiven``)."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Annotated, Any, Final, Literal, TypeAlias, TypeVar

T = TypeVar("T")
# What ``Awaitable[X]`` becomes in the generated sync client: just ``X``.
SyncResult: TypeAlias = Annotated[T, "sync"]

__all__ = ["NOT_GIVEN", "Awaitable", "NotGiven", "SyncResult", "strip_not_given"]


class NotGiven:
    """The type of ``NOT_GIVEN``: an argument the caller did not pass, so it is not sent."""

    _instance: NotGiven | None = None

    def __new__(cls) -> NotGiven:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __bool__(self) -> Literal[False]:
        return False

    def __repr__(self) -> str:
        return "NOT_GIVEN"


NOT_GIVEN: Final = NotGiven()


def strip_not_given(data: dict[str, Any]) -> dict[str, Any]:
    """``data`` without the keys whose value is ``NOT_GIVEN`` (``None`` is kept: it is sent)."""
    return {k: v for k, v in data.items() if not isinstance(v, NotGiven)}
