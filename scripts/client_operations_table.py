"""Write ``docs/CLIENT-OPERATIONS.md``: each Attio operation, the client method that calls it, and
the tests that exercise it.

    python scripts/client_operations_table.py          # write the table
    python scripts/client_operations_table.py --check  # fail if an operation lacks a client
                                                       # method or a test, or the file is stale

The operations are the spec's (``emulator.spec.spec_operations``) plus those API-NOTES adds
(record merge, §1b). Client methods are found by reading the async client's source, the only
hand-written copy (``client/_async/client.py`` and ``resources/*.py``): every request a method
makes, ``self._data(METHOD, path)``, ``self._get(path)`` or ``....request(METHOD, path)``, has
its path rebuilt from the string, f-string, local variable or ``_base()`` helper that makes it,
and methods that call other methods (``iter`` calling ``query``) inherit what those call. A
resource's methods include those of its base classes (records and entries share one), and a
private helper's requests count as made by the public method calling it. A request whose method
or path cannot be worked out is an error, not a silent gap. Tests are the
functions under ``tests/client`` marked ``@pytest.mark.operation(...)``.
"""

from __future__ import annotations

import ast
import re
import sys
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from attio_bridge.emulator.spec import (
    NOTES_OPERATIONS,
    Operation,
    load_spec,
    match_operation,
    spec_operations,
)

ROOT = Path(__file__).resolve().parent.parent
CLIENT = ROOT / "src" / "attio_bridge" / "client" / "_async"
TESTS = ROOT / "tests" / "client"
DOC = ROOT / "docs" / "CLIENT-OPERATIONS.md"
_PLACEHOLDER = re.compile(r"\{[^}]*\}")


class SourceError(Exception):
    """A request in the client's source whose method or path cannot be worked out."""


@dataclass(frozen=True, slots=True)
class Request:
    """One request a client method makes: ``GET /v2/objects/{}``."""

    method: str
    path: str


@dataclass
class Method:
    """A client method: its public name, the requests it makes and the methods it calls."""

    name: str  # "records.query", or "identify" on the client itself
    requests: set[Request] = field(default_factory=set)
    calls: set[str] = field(default_factory=set)  # names of sibling methods


# -- client methods --------------------------------------------------------------------------
def client_sources() -> list[str]:
    """The async client's source, then each of its resource modules'."""
    resources = sorted((CLIENT / "resources").glob("*.py"))
    return [(CLIENT / "client.py").read_text(), *(p.read_text() for p in resources)]


def _resource_names(client_tree: ast.Module) -> dict[str, str]:
    """Resource class -> attribute on the client (``AsyncRecords`` -> ``records``)."""
    names: dict[str, str] = {}
    for node in ast.walk(client_tree):
        if (
            isinstance(node, ast.Assign)
            and isinstance(node.value, ast.Call)
            and isinstance(node.value.func, ast.Name)
            and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Attribute)
            and isinstance(node.targets[0].value, ast.Name)
            and node.targets[0].value.id == "self"
        ):
            names[node.value.func.id] = node.targets[0].attr
    return names


def _is_self_attr(node: ast.expr, *chain: str) -> bool:
    """Whether ``node`` is ``self.<chain[0]>.<chain[1]>...``."""
    for name in reversed(chain):
        if not isinstance(node, ast.Attribute) or node.attr != name:
            return False
        node = node.value
    return isinstance(node, ast.Name) and node.id == "self"


Function = ast.FunctionDef | ast.AsyncFunctionDef


def _functions(chain: list[ast.ClassDef]) -> dict[str, Function]:
    """The methods of a class and its bases (``chain``, the class first), overrides winning."""
    found: dict[str, Function] = {}
    for cls in reversed(chain):
        for node in cls.body:
            if isinstance(node, Function):
                found[node.name] = node
    return found


def _chain(cls: ast.ClassDef, classes: dict[str, ast.ClassDef]) -> list[ast.ClassDef]:
    """``cls`` and the bases of it defined in the sources read, nearest first."""
    chain, todo = [], [cls]
    while todo:
        node = todo.pop(0)
        if node in chain:
            continue
        chain.append(node)
        for base in node.bases:
            # ``AsyncHolderResource[Record]`` names its class through a subscript.
            name = base.value if isinstance(base, ast.Subscript) else base
            if isinstance(name, ast.Name) and name.id in classes:
                todo.append(classes[name.id])
    return chain


class _PathResolver:
    """Rebuilds the path template an expression in a method evaluates to."""

    def __init__(self, chain: list[ast.ClassDef], func: Function) -> None:
        self.chain = chain
        self.func = func
        self.where = f"{chain[0].name}.{func.name} (line {func.lineno})"
        self.locals: dict[str, list[ast.expr]] = defaultdict(list)
        for node in ast.walk(func):
            if isinstance(node, ast.Assign):
                for target in node.targets:
                    if isinstance(target, ast.Name):
                        self.locals[target.id].append(node.value)

    def helper(self, name: str) -> Function | None:
        """A method of the class or, if it has none of that name, of its bases (``_base``)."""
        return _functions(self.chain).get(name)

    def resolve(self, node: ast.expr, depth: int = 0) -> str:
        """The path template ``node`` builds; ``{}`` stands for each variable part."""
        if depth > 10:
            raise SourceError(f"{self.where}: the path is built too indirectly to follow")
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return node.value
        if isinstance(node, ast.JoinedStr):
            return "".join(self._part(value, depth) for value in node.values)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            return self.resolve(node.left, depth + 1) + self.resolve(node.right, depth + 1)
        if isinstance(node, ast.Name):
            values = self.locals.get(node.id, [])
            shapes = {self.resolve(v, depth + 1) for v in values}
            if len(shapes) != 1:
                raise SourceError(
                    f"{self.where}: cannot work out the path {node.id!r} (a parameter, or a "
                    "variable assigned different paths)"
                )
            return shapes.pop()
        if isinstance(node, ast.Call):
            func = node.func
            name = None
            if isinstance(func, ast.Attribute) and _is_self_attr(func, func.attr):
                name = func.attr
            elif isinstance(func, ast.Name):
                name = func.id
            helper = self.helper(name) if name else None
            if helper is not None:
                returns = [n.value for n in ast.walk(helper) if isinstance(n, ast.Return)]
                inner = _PathResolver(self.chain, helper)
                shapes = {inner.resolve(r, depth + 1) for r in returns if r is not None}
                if len(shapes) == 1:
                    return shapes.pop()
        raise SourceError(f"{self.where}: cannot work out the path {ast.unparse(node)!r}")

    def _part(self, value: ast.expr, depth: int) -> str:
        if isinstance(value, ast.Constant):
            return str(value.value)
        if isinstance(value, ast.FormattedValue):
            inner = value.value
            # ``{self._base(x)}`` is a path prefix; any other interpolation is one variable part.
            if isinstance(inner, ast.Call):
                try:
                    return self.resolve(inner, depth + 1)
                except SourceError:
                    return "{}"
            return "{}"
        raise SourceError(f"{self.where}: unexpected f-string part {ast.unparse(value)!r}")


def _request_of(call: ast.Call, resolver: _PathResolver) -> Request | None:
    """The request ``call`` makes, if it is one of the client's ways of sending one."""
    func = call.func
    if _is_self_attr(func, "_get"):
        method_node: ast.expr | None = ast.Constant("GET")
        path_node = call.args[0] if call.args else None
    elif (
        _is_self_attr(func, "_data")
        or _is_self_attr(func, "_client", "request")
        # The client's own methods (``identify``) call ``self.request``; ``request`` is the sender.
        or (_is_self_attr(func, "request") and resolver.func.name != "request")
    ):
        method_node = call.args[0] if call.args else None
        path_node = call.args[1] if len(call.args) > 1 else None
    else:
        return None
    if not (isinstance(method_node, ast.Constant) and isinstance(method_node.value, str)):
        raise SourceError(f"{resolver.where}: the HTTP method must be a string literal")
    if path_node is None:
        raise SourceError(f"{resolver.where}: a request without a path")
    return Request(method_node.value.upper(), resolver.resolve(path_node))


def client_methods(client_src: str, *resource_srcs: str) -> dict[str, Method]:
    """Every public client method and the requests it makes, directly or through others."""
    client_tree = ast.parse(client_src)
    trees = [client_tree, *map(ast.parse, resource_srcs)]
    attr_of = _resource_names(client_tree)
    defined = {s.name: s for tree in trees for s in tree.body if isinstance(s, ast.ClassDef)}
    classes: list[tuple[ast.ClassDef, str]] = []
    for statement in defined.values():
        if statement.name in attr_of:
            classes.append((statement, attr_of[statement.name] + "."))
        elif any(isinstance(b, ast.Name) and b.id == "BaseClient" for b in statement.bases):
            classes.append((statement, ""))
    methods: dict[str, Method] = {}
    for cls, prefix in classes:
        chain = _chain(cls, defined)
        functions = _functions(chain)
        for name, func in functions.items():
            if name.startswith("_") or name == "request":
                continue
            requests, calls = _own_requests(chain, func)
            method = Method(prefix + name, requests)
            # A private helper (``_fetch``) is part of each public method that calls it. Only
            # helpers called are read: the senders (``_data``) take the path as a parameter.
            seen, todo = {name}, list(calls)
            while todo:
                callee = todo.pop()
                if callee in seen:
                    continue
                seen.add(callee)
                if not callee.startswith("_"):
                    method.calls.add(prefix + callee)
                elif callee in functions:
                    more, further = _own_requests(chain, functions[callee])
                    method.requests |= more
                    todo += further
            # The client's own methods are API operations only if they send a request
            # (``identify``), not ``with_options`` or ``aclose``.
            if prefix or method.requests:
                methods[method.name] = method
    return methods


def _own_requests(chain: list[ast.ClassDef], func: Function) -> tuple[set[Request], set[str]]:
    """The requests ``func`` makes itself, and the names of the methods of its class it calls."""
    resolver = _PathResolver(chain, func)
    requests: set[Request] = set()
    calls: set[str] = set()
    for node in ast.walk(func):
        if not isinstance(node, ast.Call):
            continue
        request = _request_of(node, resolver)
        if request is not None:
            requests.add(request)
        elif isinstance(node.func, ast.Attribute) and _is_self_attr(node.func, node.func.attr):
            calls.add(node.func.attr)
    return requests, calls


def reachable(methods: dict[str, Method], name: str) -> tuple[set[Request], set[Request]]:
    """The requests ``name`` makes itself, and those it makes through the methods it calls."""
    direct = set(methods[name].requests)
    indirect: set[Request] = set()
    seen, todo = {name}, list(methods[name].calls)
    while todo:
        other = todo.pop()
        if other in seen or other not in methods:
            continue
        seen.add(other)
        indirect |= methods[other].requests
        todo += methods[other].calls
    return direct, indirect - direct


# -- tests -----------------------------------------------------------------------------------
def _marker_args(decorator: ast.expr, constants: dict[str, str]) -> Iterator[str]:
    """The operation keys of one ``@pytest.mark.operation(...)`` decorator."""
    if not (
        isinstance(decorator, ast.Call)
        and isinstance(decorator.func, ast.Attribute)
        and decorator.func.attr == "operation"
        and isinstance(decorator.func.value, ast.Attribute)
        and decorator.func.value.attr == "mark"
    ):
        return
    for arg in decorator.args:
        if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
            yield arg.value
        elif isinstance(arg, ast.Name) and arg.id in constants:
            yield constants[arg.id]
        else:
            raise SourceError(f"operation marker argument {ast.unparse(arg)!r} is not a string")


def marked_tests(files: Iterable[Path]) -> dict[str, list[str]]:
    """Operation key -> the tests (``file::name``) marked as covering it."""
    found: dict[str, list[str]] = defaultdict(list)
    for path in sorted(files):
        tree = ast.parse(path.read_text(), str(path))
        constants = {
            t.id: n.value.value
            for n in tree.body
            if isinstance(n, ast.Assign)
            and isinstance(n.value, ast.Constant)
            and isinstance(n.value.value, str)
            for t in n.targets
            if isinstance(t, ast.Name)
        }
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name.startswith(
                "test"
            ):
                for decorator in node.decorator_list:
                    for key in _marker_args(decorator, constants):
                        found[key].append(f"{path.name}::{node.name}")
    return found


# -- the table -------------------------------------------------------------------------------
@dataclass
class Row:
    """One operation with its client methods and tests."""

    operation: Operation
    direct: list[str]
    indirect: list[str]
    tests: list[str]


def build(
    operations: list[Operation], methods: dict[str, Method], tests: dict[str, list[str]]
) -> tuple[list[Row], list[str]]:
    """The rows, and the client requests that match no operation."""
    direct: dict[str, set[str]] = defaultdict(set)
    indirect: dict[str, set[str]] = defaultdict(set)
    unknown: list[str] = []
    for name in methods:
        mine, through = reachable(methods, name)
        for requests, into in ((mine, direct), (through, indirect)):
            for request in requests:
                op = match_operation(request.method, request.path, operations)
                if op is None:
                    unknown.append(f"{name}: {request.method} {request.path}")
                else:
                    into[op.key].add(name)
    rows = [
        Row(
            op,
            sorted(direct[op.key]),
            sorted(indirect[op.key] - direct[op.key]),
            sorted(set(tests.get(op.key, []))),
        )
        for op in operations
    ]
    return rows, sorted(set(unknown))


def problems(rows: list[Row], tests: dict[str, list[str]]) -> list[str]:
    """Operations without a client method or a test, and markers naming no operation."""
    out = [f"{r.operation.key}: no client method calls it" for r in rows if not r.direct]
    out += [f"{r.operation.key}: no test is marked with it" for r in rows if not r.tests]
    known = {r.operation.key for r in rows}
    out += [
        f"{key}: marked on {tests[key][0]}, but not an operation"
        for key in tests
        if key not in known
    ]
    return out


def render(rows: list[Row], unknown: list[str]) -> str:
    """The Markdown document."""
    lines = [
        "# Client operations",
        "",
        "Every operation of Attio's REST API (the vendored spec, plus what API-NOTES and",
        "docs.attio.com add), the `AsyncAttioClient` / `AttioClient` method that calls it, and",
        "the tests under",
        "`tests/client` marked `@pytest.mark.operation(...)` for it. Methods in *italics* reach",
        "the operation through another method (an iterator through its page method).",
        "",
        "Generated by `scripts/client_operations_table.py` from the client's source and the",
        "tests' markers; a test fails when this file is stale or an operation lacks a method or",
        "a test. Do not edit by hand.",
        "",
        f"{len(rows)} operations; every one has a client method and a test.",
        "",
        "| Operation | Client method | Tests |",
        "|---|---|---|",
    ]
    for row in rows:
        op = row.operation
        source = "" if op.source == "spec" else f" ({op.source})"
        methods = [f"`{m}`" for m in row.direct] + [f"*`{m}`*" for m in row.indirect]
        tests = [f"`{t}`" for t in row.tests]
        lines.append(
            f"| `{op.method} {op.path}`{source} | {', '.join(methods) or '**none**'} | "
            f"{'<br>'.join(tests) or '**none**'} |"
        )
    if unknown:
        lines += ["", "## Client requests outside the spec", ""]
        lines += [f"- `{u}`" for u in unknown]
    return "\n".join(lines) + "\n"


def generate() -> tuple[str, list[str]]:
    """The document and the problems found."""
    operations = spec_operations(load_spec()) + list(NOTES_OPERATIONS)
    methods = client_methods(*client_sources())
    tests = marked_tests(TESTS.glob("test_*.py"))
    rows, unknown = build(operations, methods, tests)
    text = render(rows, unknown)
    found = problems(rows, tests)
    if found:
        text = text.replace(
            "every one has a client method and a test.", f"{len(found)} problems (see the table)."
        )
    return text, found


def main() -> int:
    """Write the table, or with ``--check`` verify it and the coverage."""
    text, found = generate()
    for problem in found:
        print(f"error: {problem}", file=sys.stderr)
    if "--check" in sys.argv:
        current = DOC.read_text() if DOC.exists() else ""
        if current != text:
            print(f"{DOC.relative_to(ROOT)} is stale: run scripts/client_operations_table.py")
            return 1
        if not found:
            print(f"{DOC.relative_to(ROOT)} is up to date")
        return 1 if found else 0
    DOC.parent.mkdir(exist_ok=True)
    DOC.write_text(text)
    print(f"wrote {DOC.relative_to(ROOT)}")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
