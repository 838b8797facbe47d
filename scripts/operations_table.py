"""Generate ``docs/OPERATIONS.md``: every Attio API operation, served by the emulator or not,
and the tests that cover it.

Rows are the operations of Attio's vendored spec plus those API-NOTES documents after it
(``attio_bridge.emulator.spec.NOTES_OPERATIONS``). "Served" means a route in the emulator's
route tables has the same method and path shape. "Tests" are the test functions under
``tests/`` marked ``@pytest.mark.operation("METHOD /path")``, found by reading the source (so
the table does not depend on which tests a run selected); the ``conformant`` fixture checks at
run time that a marked test really calls what it claims. ``--check`` fails if the committed file
differs from what would be generated, as CI runs it.

    python scripts/operations_table.py          # write docs/OPERATIONS.md
    python scripts/operations_table.py --check  # verify it is current
"""

from __future__ import annotations

import argparse
import ast
import sys
from dataclasses import dataclass
from pathlib import Path

from attio_bridge.emulator.app import route_tables
from attio_bridge.emulator.spec import (
    NOTES_OPERATIONS,
    Operation,
    load_spec,
    path_shape,
    spec_operations,
)

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "docs" / "OPERATIONS.md"
TESTS = ROOT / "tests"
MARKER = ("pytest", "mark", "operation")


@dataclass(frozen=True, slots=True)
class Row:
    """One operation with what the emulator and the tests do about it."""

    operation: Operation
    served: bool
    tests: tuple[str, ...]


def all_operations() -> list[Operation]:
    """The spec's operations, then the API-NOTES ones."""
    return spec_operations(load_spec()) + list(NOTES_OPERATIONS)


def served_operations() -> set[tuple[str, str]]:
    """(method, path shape) of every route the emulator registers."""
    return {
        (spec.method.upper(), path_shape(spec.path))
        for table in route_tables()
        for spec in table.specs
    }


def _dotted(node: ast.expr) -> tuple[str, ...] | None:
    """``pytest.mark.operation`` as ``("pytest", "mark", "operation")``."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return tuple(reversed(parts))
    return None


class _Module:
    """One test module's operation markers, with its module-level aliases resolved."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        self.strings: dict[str, str] = {}
        self.marker_names: set[str] = set()
        for stmt in self.tree.body:
            if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
                target = stmt.targets[0]
                if not isinstance(target, ast.Name):
                    continue
                value = stmt.value
                if isinstance(value, ast.Constant) and isinstance(value.value, str):
                    self.strings[target.id] = value.value
                elif _dotted(value) == MARKER:
                    self.marker_names.add(target.id)

    def _is_marker(self, func: ast.expr) -> bool:
        dotted = _dotted(func)
        return dotted == MARKER or (dotted is not None and dotted[0] in self.marker_names)

    def _keys(self, call: ast.Call) -> list[str]:
        keys = []
        for arg in call.args:
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                keys.append(arg.value)
            elif isinstance(arg, ast.Name) and arg.id in self.strings:
                keys.append(self.strings[arg.id])
            else:
                where = f"{self.path}:{arg.lineno}"
                raise SystemExit(f"{where}: operation marker argument must be a string constant")
        return keys

    def _marked(self, decorators: list[ast.expr]) -> list[str]:
        keys: list[str] = []
        for deco in decorators:
            if isinstance(deco, ast.Call) and self._is_marker(deco.func):
                keys.extend(self._keys(deco))
        return keys

    def _module_keys(self) -> list[str]:
        keys: list[str] = []
        for stmt in self.tree.body:
            if isinstance(stmt, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == "pytestmark" for t in stmt.targets
            ):
                marks = stmt.value.elts if isinstance(stmt.value, ast.List) else [stmt.value]
                keys.extend(self._marked(list(marks)))
        return keys

    def covered(self, root: Path) -> dict[str, set[str]]:
        """operation key -> ``path::test`` of the tests in this module that cover it."""
        module_keys = self._module_keys()
        relative = self.path.relative_to(root).as_posix()
        out: dict[str, set[str]] = {}

        def visit(body: list[ast.stmt], prefix: str, inherited: list[str]) -> None:
            for stmt in body:
                if isinstance(stmt, ast.ClassDef) and stmt.name.startswith("Test"):
                    visit(
                        stmt.body,
                        f"{prefix}{stmt.name}::",
                        inherited + self._marked(stmt.decorator_list),
                    )
                elif isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef):
                    if not stmt.name.startswith("test"):
                        continue
                    for key in inherited + self._marked(stmt.decorator_list):
                        out.setdefault(key, set()).add(f"{relative}::{prefix}{stmt.name}")

        visit(self.tree.body, "", module_keys)
        return out


def covering_tests(tests_dir: Path = TESTS) -> dict[str, set[str]]:
    """operation key -> every test under ``tests_dir`` marked as covering it."""
    out: dict[str, set[str]] = {}
    for path in sorted(tests_dir.rglob("test_*.py")):
        for key, names in _Module(path).covered(tests_dir.parent).items():
            out.setdefault(key, set()).update(names)
    return out


def rows() -> list[Row]:
    """One row per operation."""
    served = served_operations()
    tests = covering_tests()
    return [
        Row(
            op,
            (op.method, path_shape(op.path)) in served,
            tuple(sorted(tests.get(op.key, ()))),
        )
        for op in all_operations()
    ]


def _test_cell(names: tuple[str, ...]) -> str:
    if not names:
        return "**none**"
    short = [name.removeprefix("tests/") for name in names]
    return "<br>".join(f"`{name}`" for name in short)


def render() -> str:
    """The Markdown of ``docs/OPERATIONS.md``."""
    table = rows()
    spec_count = sum(1 for r in table if r.operation.source == "spec")
    served = sum(1 for r in table if r.served)
    covered = sum(1 for r in table if r.tests)
    lines = [
        "# Attio API operations in the emulator",
        "",
        "Generated by `scripts/operations_table.py` from Attio's vendored OpenAPI spec "
        "(`vendor/attio/openapi.yaml`), the operations API-NOTES or Attio's current "
        "docs (docs.attio.com, the page in the Source column) document after it, the "
        "emulator's route tables and the `@pytest.mark.operation` markers under `tests/`. "
        "Do not edit by hand: run `python scripts/operations_table.py`.",
        "",
        f"{len(table)} operations ({spec_count} in the spec, {len(table) - spec_count} from "
        f"API-NOTES or the docs): {served} served, {covered} covered by tests. Where the spec "
        "and Attio's documented behaviour differ, the tests follow API-NOTES; the differences "
        "are listed in `tests/conformance/differences.py`.",
        "",
        "| Method | Path | Attio's summary | Source | Statuses | Served | Tests |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for row in table:
        op = row.operation
        statuses = ", ".join(s for s in op.statuses if s != "default")
        lines.append(
            f"| {op.method} | `{op.path}` | {op.summary} | {op.source} | {statuses} | "
            f"{'yes' if row.served else '**no**'} | {_test_cell(row.tests)} |"
        )
    lines += ["", *known_differences_section()]
    extra = unlisted_routes()
    if extra:
        lines += [
            "",
            "## Routes in neither the spec nor API-NOTES' list",
            "",
            "The emulator serves these too; add them to `NOTES_OPERATIONS` once API-NOTES "
            "documents them.",
            "",
            *(f"- {method} `{path}`" for method, path in extra),
        ]
    return "\n".join(lines) + "\n"


def known_differences_section() -> list[str]:
    """The allow-list of ``tests/conformance/differences.py`` as a Markdown section."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from tests.conformance.differences import KNOWN_DIFFERENCES

    lines = [
        "## Known differences between the spec and Attio",
        "",
        "The conformance tests and the schemathesis run validate against the spec patched with "
        "these, each shown by a test in `tests/conformance/test_known_differences.py`.",
        "",
        "| Key | Operations | The spec says | Attio does | Source |",
        "| --- | --- | --- | --- | --- |",
    ]
    for diff in KNOWN_DIFFERENCES:
        ops = "all" if diff.operations == ("*",) else "<br>".join(f"`{o}`" for o in diff.operations)
        lines.append(
            f"| `{diff.key}` | {ops} | {diff.spec_says} | {diff.attio_does} | {diff.source} |"
        )
    return lines


def unlisted_routes() -> list[tuple[str, str]]:
    """Emulator routes (method, path) that match no spec or API-NOTES operation."""
    known = {(op.method, path_shape(op.path)) for op in all_operations()}
    return sorted(
        {
            (spec.method.upper(), spec.path)
            for table in route_tables()
            for spec in table.specs
            if (spec.method.upper(), path_shape(spec.path)) not in known
        }
    )


def main(argv: list[str] | None = None) -> int:
    """Write the table, or with ``--check`` report whether the committed one is current."""
    parser = argparse.ArgumentParser(description="Generate docs/OPERATIONS.md.")
    parser.add_argument("--check", action="store_true", help="fail if the file is out of date")
    args = parser.parse_args(argv)
    text = render()
    if args.check:
        current = OUTPUT.read_text(encoding="utf-8") if OUTPUT.exists() else ""
        if current != text:
            print(f"{OUTPUT.relative_to(ROOT)} is out of date: run {Path(__file__).name}")
            return 1
        return 0
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    OUTPUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUTPUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
