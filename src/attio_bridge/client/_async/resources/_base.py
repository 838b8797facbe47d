"""What every resource shares: the client, path segments, query parameters, page sizes; and
``AsyncHolderResource``, the operations records and entries have in common, written once.
"""

from __future__ import annotations

import builtins
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any, Generic, TypeVar
from urllib.parse import quote

from ..._types import NOT_GIVEN, NotGiven, strip_not_given
from ...models import AttioModel, View
from ..pagination import iter_offset

if TYPE_CHECKING:
    from ..client import AsyncAttioClient

# Documented page-size caps (API-NOTES §1, gotcha 4). Query endpoints' maximum is not
# documented; 500 is their default and what we ask for.
QUERY_PAGE = 500
CURSOR_MAX = 200

ModelT = TypeVar("ModelT", bound=AttioModel)
ViewPage = tuple[builtins.list[View], str | None]


def _seg(value: str) -> str:
    """A path segment, escaped (slugs and ids are safe; titles may not be)."""
    return quote(str(value), safe="")


def _params(**params: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in strip_not_given(params).items():
        if isinstance(v, bool):
            out[k] = "true" if v else "false"
        elif isinstance(v, builtins.list | tuple):
            # Attio takes many values as one comma-separated parameter (meetings'
            # ``participants``); repeated parameters would be read as the last one only.
            out[k] = ",".join(str(item) for item in v)
        elif v is not None:
            out[k] = v
    return out


def _unwrap(result: Any) -> Any:
    """The ``data`` of an answer ``{"data": ...}``; other answers as they are."""
    return result.get("data") if isinstance(result, dict) else result


def views_page(result: Any) -> ViewPage:
    """A page of saved views (objects' and lists' alike) and its next cursor."""
    views = [View.model_validate(v) for v in result.get("data", [])]
    return views, (result.get("pagination") or {}).get("next_cursor")


class AsyncResource:
    """A group of operations sharing the client."""

    def __init__(self, client: AsyncAttioClient) -> None:
        self._client = client

    async def _get(self, path: str, **params: Any) -> Any:
        return await self._client.request("GET", path, params=_params(**params))

    async def _data(self, method: str, path: str, body: Any = None, **params: Any) -> Any:
        result = await self._client.request(method, path, params=_params(**params), json=body)
        return _unwrap(result)

    async def _data_status(
        self, method: str, path: str, body: Any = None, **params: Any
    ) -> tuple[int, Any]:
        """``_data()`` with the status of the answer (a merge's 202)."""
        status, result = await self._client.request_status(
            method, path, params=_params(**params), json=body
        )
        return status, _unwrap(result)


class AsyncHolderResource(AsyncResource, Generic[ModelT]):
    """Records of an object and entries of a list: both hold attribute values, and Attio gives
    them the same operations under ``_base(parent)``, told apart only by the model read back and
    the key of the values in a write (``values``, ``entry_values``).

    The helpers here make the requests; each subclass names its public methods and arguments
    after the spec (``records.get(object, record_id)``, ``entries.get(list, entry_id)``).
    """

    _model: type[ModelT]
    _values_key: str

    @staticmethod
    def _base(parent: str) -> str:
        raise NotImplementedError

    def _item(self, parent: str, item_id: str) -> str:
        return f"{self._base(parent)}/{_seg(item_id)}"

    async def _fetch(self, parent: str, item_id: str) -> ModelT:
        return self._model.model_validate(await self._data("GET", self._item(parent, item_id)))

    async def _patch(self, parent: str, item_id: str, values: dict[str, Any]) -> ModelT:
        body = {"data": {self._values_key: values}}
        return self._model.model_validate(
            await self._data("PATCH", self._item(parent, item_id), body)
        )

    async def _put(self, parent: str, item_id: str, values: dict[str, Any]) -> ModelT:
        body = {"data": {self._values_key: values}}
        return self._model.model_validate(
            await self._data("PUT", self._item(parent, item_id), body)
        )

    async def _remove(self, parent: str, item_id: str) -> None:
        await self._data("DELETE", self._item(parent, item_id))

    async def _query(
        self,
        parent: str,
        filter: dict[str, Any] | NotGiven = NOT_GIVEN,
        sorts: builtins.list[dict[str, Any]] | NotGiven = NOT_GIVEN,
        limit: int | NotGiven = NOT_GIVEN,
        offset: int | NotGiven = NOT_GIVEN,
    ) -> builtins.list[ModelT]:
        body = strip_not_given({"filter": filter, "sorts": sorts, "limit": limit, "offset": offset})
        data = await self._data("POST", f"{self._base(parent)}/query", body)
        return [self._model.model_validate(item) for item in data]

    def _iter(
        self,
        parent: str,
        filter: dict[str, Any] | NotGiven,
        sorts: builtins.list[dict[str, Any]] | NotGiven,
        page_size: int,
    ) -> AsyncIterator[ModelT]:
        async def fetch(limit: int, offset: int) -> builtins.list[ModelT]:
            return await self._query(parent, filter, sorts, limit, offset)

        return iter_offset(fetch, min(page_size, QUERY_PAGE))

    async def _write_values(
        self, parent: str, item_id: str, attribute: str, values: builtins.list[dict[str, Any]]
    ) -> builtins.list[dict[str, Any]]:
        path = f"{self._item(parent, item_id)}/attributes/{_seg(attribute)}/values"
        body = {"data": {"values": values, "replace_history": True}}
        data = await self._data("PUT", path, body)
        return [dict(v) for v in data]

    async def _values(
        self,
        parent: str,
        item_id: str,
        attribute: str,
        show_historic: bool | NotGiven,
        limit: int | NotGiven,
        offset: int | NotGiven,
    ) -> builtins.list[dict[str, Any]]:
        path = f"{self._item(parent, item_id)}/attributes/{_seg(attribute)}/values"
        data = await self._data(
            "GET", path, show_historic=show_historic, limit=limit, offset=offset
        )
        return [dict(v) for v in data]
