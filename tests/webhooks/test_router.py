"""``Router``: patterns, several handlers per type, users' modules loaded by name."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from attio_bridge.errors import ConfigurationError, InvalidInputError
from attio_bridge.webhooks import (
    Event,
    EventProcessor,
    HandlerContext,
    Router,
    load_handlers,
    router,
)

pytestmark = pytest.mark.anyio


def event(event_type: str) -> Event:
    return Event("attio", "default", event_type, {"event_type": event_type}, "d")


def test_exact_types_globs_and_several_handlers_per_type() -> None:
    r = Router()

    @r.on("object-attribute.*")
    async def any_attribute(e: Event, ctx: HandlerContext) -> None: ...

    @r.on("object-attribute.created")
    async def created(e: Event, ctx: HandlerContext) -> None: ...

    @r.on("object-attribute.created")
    async def created_too(e: Event, ctx: HandlerContext) -> None: ...

    @r.on("*")
    async def everything(e: Event, ctx: HandlerContext) -> None: ...

    assert r.handlers_for("object-attribute.created") == [
        created,
        created_too,
        any_attribute,
        everything,
    ]
    assert r.handlers_for("object-attribute.updated") == [any_attribute, everything]
    # A glob matches its family only, not a type that merely starts alike.
    assert r.handlers_for("object-attributes.created") == [everything]
    # Registering the same handler again changes nothing.
    r.add("object-attribute.created", created)
    assert r.handlers_for("object-attribute.created").count(created) == 1


@pytest.mark.parametrize("pattern", ["", "record.*.x", "rec*rd", "record updated", "*.created"])
def test_a_bad_pattern_is_refused(pattern: str) -> None:
    with pytest.raises(InvalidInputError, match="event pattern"):
        Router().on(pattern)(lambda e, c: None)  # type: ignore[arg-type, return-value]


def test_the_default_router_has_the_default_handlers() -> None:
    for event_type in (
        "record.created",
        "record.updated",
        "record.merged",
        "list-entry.created",
        "note.created",
        "task.updated",
        "object-attribute.updated",
        "list-attribute.created",
    ):
        assert router.handlers_for(event_type), event_type


async def test_a_users_module_registers_its_handlers_with_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "my_bridge_handlers.py").write_text(
        textwrap.dedent(
            """
            from attio_bridge.webhooks import on

            SEEN = []

            @on("deal-won.custom")
            async def won(event, ctx):
                SEEN.append(event.type)
                return {"action": "celebrated"}
            """
        )
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    try:
        load_handlers(["my_bridge_handlers"])
        load_handlers(["my_bridge_handlers"])  # twice: still registered once
        handlers = router.handlers_for("deal-won.custom")
        assert len(handlers) == 1
        processor = EventProcessor(router, lambda ws: None)  # type: ignore[arg-type, return-value]
        # No tenant is needed by this handler; the processor reads ignore_actor_ids only when
        # the event has an actor.
        result = await processor(event("deal-won.custom").to_payload())
        assert result["effects"] == [{"action": "celebrated"}]
        assert result["handlers"] == ["my_bridge_handlers.won"]
    finally:
        module = sys.modules.pop("my_bridge_handlers", None)
        if module is not None:
            assert router.remove(module.won) == 1
        assert router.handlers_for("deal-won.custom") == []


def test_a_module_that_cannot_be_imported_is_a_configuration_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(ConfigurationError, match="no_such_handlers_module"):
        load_handlers(["no_such_handlers_module"])
    (tmp_path / "broken_handlers.py").write_text("raise RuntimeError('boom')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(ConfigurationError, match="failed while importing: RuntimeError: boom"):
        load_handlers(["broken_handlers"])
    with pytest.raises(InvalidInputError):
        load_handlers([""])


async def test_a_handlers_error_propagates_and_effects_are_listed_in_order() -> None:
    r = Router()
    calls: list[str] = []

    @r.on("x.happened")
    async def first(e: Event, ctx: HandlerContext) -> dict[str, Any]:
        calls.append("first")
        return {"action": "first"}

    @r.on("x.happened")
    async def second(e: Event, ctx: HandlerContext) -> None:
        calls.append("second")

    @r.on("y.happened")
    async def failing(e: Event, ctx: HandlerContext) -> None:
        raise TimeoutError("the other system is slow")

    processor = EventProcessor(r, lambda ws: None)  # type: ignore[arg-type, return-value]
    result = await processor(event("x.happened").to_payload())
    assert result["effects"] == [{"action": "first"}, {"action": "done"}]
    with pytest.raises(TimeoutError):
        await processor(event("y.happened").to_payload())
    with pytest.raises(InvalidInputError):
        await processor({"not": "an event"})
