"""``docs/CLIENT-OPERATIONS.md`` is complete and current, and the generated sync client too.

The table maps every operation of Attio's spec (plus record merge, API-NOTES §1b) to the client
method that calls it, found by reading the async client's source, and to the tests marked with
it. These tests run both scripts' ``--check`` and pin down how the source is read, so a change
in how the client builds its paths fails loudly here instead of dropping a row.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import textwrap
from pathlib import Path
from types import ModuleType

import pytest

from attio_bridge.emulator.spec import Operation

ROOT = Path(__file__).resolve().parents[2]
SCRIPTS = ROOT / "scripts"


def load_script(name: str) -> ModuleType:
    """A script under ``scripts/`` as a module."""
    spec = importlib.util.spec_from_file_location(name, SCRIPTS / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def table() -> ModuleType:
    """``scripts/client_operations_table.py``."""
    return load_script("client_operations_table")


def run_check(script: str) -> subprocess.CompletedProcess[str]:
    """``python scripts/<script> --check``."""
    return subprocess.run(
        [sys.executable, str(SCRIPTS / script), "--check"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
    )


def test_every_operation_has_a_client_method_and_a_test_and_the_doc_is_current() -> None:
    result = run_check("client_operations_table.py")
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_generated_sync_client_is_current() -> None:
    result = run_check("gen_sync.py")
    assert result.returncode == 0, result.stdout + result.stderr


CLIENT_SRC = """
class AsyncThing(BaseClient):
    def __init__(self):
        self.widgets = AsyncWidgets(self)

    async def identify(self):
        return await self.request("GET", "/v2/self")

    async def request(self, method, path):
        return await send(method, path)
"""

RESOURCES_SRC = """
class AsyncWidgets(AsyncResource):
    @staticmethod
    def _base(widget):
        return f"/v2/widgets/{_seg(widget)}/parts"

    async def list(self):
        return await self._data("GET", "/v2/widgets")

    async def get(self, widget, part):
        path = f"{self._base(widget)}/{_seg(part)}"
        return await self._data("GET", path)

    async def page(self, cursor):
        return await self._get("/v2/widgets/" + "pages", cursor=cursor)

    async def remove(self, widget):
        await self._client.request("DELETE", self._base(widget))

    def iter(self):
        async def fetch(limit, offset):
            return await self.list()
        return iter_offset(fetch, 10)

    def _helper(self):
        return None
"""


def test_paths_are_rebuilt_from_every_way_the_client_writes_them(table: ModuleType) -> None:
    methods = table.client_methods(CLIENT_SRC, RESOURCES_SRC)
    req = table.Request
    assert {name: m.requests for name, m in methods.items()} == {
        "identify": {req("GET", "/v2/self")},
        "widgets.list": {req("GET", "/v2/widgets")},
        "widgets.get": {req("GET", "/v2/widgets/{}/parts/{}")},
        "widgets.page": {req("GET", "/v2/widgets/pages")},
        "widgets.remove": {req("DELETE", "/v2/widgets/{}/parts")},
        "widgets.iter": set(),
    }
    # An iterator reaches its operation through the page method it calls.
    assert table.reachable(methods, "widgets.iter") == (set(), {req("GET", "/v2/widgets")})


SHARED_SRC = """
class AsyncShared(AsyncResource, Generic[T]):
    @staticmethod
    def _base(parent):
        raise NotImplementedError

    async def _fetch(self, parent, item):
        return await self._data("GET", f"{self._base(parent)}/{_seg(item)}")

    async def _page(self, parent):
        return await self._data("POST", f"{self._base(parent)}/query")

    def _every(self, parent):
        return self._page(parent)
"""

GADGETS_SRC = """
class AsyncGadgets(AsyncShared[Gadget]):
    @staticmethod
    def _base(gadget):
        return f"/v2/gadgets/{_seg(gadget)}/parts"

    async def get(self, gadget, part):
        return await self._fetch(gadget, part)

    def iter(self, gadget):
        return self._every(gadget)

    async def latest(self, gadget):
        return await self.get(gadget, "latest")
"""


def test_a_resource_inherits_its_bases_helpers_with_its_own_path(table: ModuleType) -> None:
    client = (
        "class C(BaseClient):\n    def __init__(self):\n        self.gadgets = AsyncGadgets(self)\n"
    )
    methods = table.client_methods(client, SHARED_SRC, GADGETS_SRC)
    req = table.Request
    assert {name: (m.requests, m.calls) for name, m in methods.items()} == {
        # The helper's request is the public method's own, built with the subclass's _base.
        "gadgets.get": ({req("GET", "/v2/gadgets/{}/parts/{}")}, set()),
        # Through two private helpers: still its own request.
        "gadgets.iter": ({req("POST", "/v2/gadgets/{}/parts/query")}, set()),
        "gadgets.latest": (set(), {"gadgets.get"}),
    }


@pytest.mark.parametrize(
    ("body", "complaint"),
    [
        ('return await self._data("GET", path)', "cannot work out the path 'path'"),
        ("return await self._data(verb, '/v2/x')", "HTTP method must be a string literal"),
        (
            "p = '/v2/a' if x else '/v2/b'\nreturn await self._data('GET', p)",
            "cannot work out the path",
        ),
    ],
)
def test_a_request_that_cannot_be_read_is_an_error_not_a_gap(
    table: ModuleType, body: str, complaint: str
) -> None:
    lines = body.split("\n")
    source = "class AsyncWidgets(AsyncResource):\n    async def broken(self, path, verb, x):\n"
    source += "".join(f"        {line}\n" for line in lines)
    client = "class C(BaseClient):\n    def __init__(self):\n        self.w = AsyncWidgets(self)\n"
    with pytest.raises(table.SourceError, match=complaint) as caught:
        table.client_methods(client, source)
    assert "AsyncWidgets.broken" in str(caught.value)


def test_every_public_method_of_the_real_client_makes_a_request(table: ModuleType) -> None:
    methods = table.client_methods(*table.client_sources())
    resources = {name.split(".")[0] for name in methods if "." in name}
    assert {"records", "entries", "meetings", "call_recordings", "scim"} <= resources
    silent = [name for name in methods if not any(table.reachable(methods, name))]
    assert silent == []


def test_missing_methods_tests_and_unknown_markers_are_reported(table: ModuleType) -> None:
    operations = [
        Operation("GET", "/v2/widgets", "", "", ()),
        Operation("DELETE", "/v2/widgets/{widget}", "", "", ()),
        Operation("GET", "/v2/gadgets", "", "", ()),
    ]
    methods = table.client_methods(CLIENT_SRC, RESOURCES_SRC)
    tests = {"GET /v2/widgets": ["t.py::test_list"], "GET /v2/nothing": ["t.py::test_odd"]}
    rows, unknown = table.build(operations, methods, tests)
    assert rows[0].direct == ["widgets.list"] and rows[0].indirect == ["widgets.iter"]
    assert "identify: GET /v2/self" in unknown
    found = table.problems(rows, tests)
    assert "GET /v2/gadgets: no client method calls it" in found
    assert "DELETE /v2/widgets/{widget}: no test is marked with it" in found
    assert "GET /v2/nothing: marked on t.py::test_odd, but not an operation" in found
    assert "GET /v2/widgets: no client method calls it" not in found


def test_markers_are_read_with_module_constants(table: ModuleType, tmp_path: Path) -> None:
    test_file = tmp_path / "test_x.py"
    test_file.write_text(
        textwrap.dedent(
            """
            import pytest
            OP = "GET /v2/a"

            @pytest.mark.operation(OP, "GET /v2/b")
            async def test_one():
                pass

            @pytest.mark.slow
            def test_two():
                pass
            """
        )
    )
    assert table.marked_tests([test_file]) == {
        "GET /v2/a": ["test_x.py::test_one"],
        "GET /v2/b": ["test_x.py::test_one"],
    }
