"""A clone of the repository with nothing beside it tests itself.

The conformance checks read Attio's spec from ``vendor/attio``; before it was vendored it lay in a
folder beside the repository, and a clone without that folder skipped the checks and still looked
green. These tests clone HEAD (what is committed, whatever the working tree holds)
into an empty directory, run a few spec-dependent modules there with the clone's own ``src``
first on the path, and require every test to pass and none to skip.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# Spec-dependent modules of each kind: conformance (the spec fixtures), the known differences
# (the spec patched), an emulator module checking bodies against the spec, and the client's
# operations table (a script reading the spec from the repository).
SELECTION = (
    "tests/conformance/test_objects.py",
    "tests/conformance/test_known_differences.py",
    "tests/emulator/test_workspace_routes.py",
    "tests/client/test_operations_table.py",
)

PYTEST = (sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-rs")

pytestmark = pytest.mark.slow


def git(*args: str, cwd: Path) -> str:
    """Run git; its output, or the test fails with git's complaint."""
    if shutil.which("git") is None:
        pytest.fail("git is needed to clone the repository; install it", pytrace=False)
    done = subprocess.run(
        ["git", *args], cwd=cwd, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, f"git {' '.join(args)}: {done.stderr}"
    return done.stdout


@pytest.fixture(scope="module")
def clone(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """HEAD of this repository, checked out alone in a fresh directory."""
    head = git("rev-parse", "HEAD", cwd=ROOT).strip()
    dest = tmp_path_factory.mktemp("alone") / "attio-bridge"
    git("clone", "--quiet", "--no-checkout", str(ROOT), str(dest), cwd=ROOT)
    git("checkout", "--quiet", head, cwd=dest)
    assert list(dest.parent.iterdir()) == [dest]  # nothing beside it
    return dest


def clone_env(clone: Path) -> dict[str, str]:
    """This environment with the clone's ``src`` first and nothing pointing elsewhere."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "ATTIO_"))}
    env["PYTHONPATH"] = str(clone / "src")
    return env


def test_the_clone_reads_its_spec_from_inside_itself(clone: Path) -> None:
    where = subprocess.run(
        [
            sys.executable,
            "-c",
            "from attio_bridge.emulator.spec import spec_path; print(spec_path())",
        ],
        cwd=clone,
        env=clone_env(clone),
        capture_output=True,
        text=True,
        check=True,
    )
    spec = Path(where.stdout.strip()).resolve()
    assert spec.is_relative_to(clone.resolve()) and spec.is_file(), spec


def test_the_clone_runs_its_spec_tests_without_skipping(clone: Path) -> None:
    env = clone_env(clone)
    where = subprocess.run(
        [sys.executable, "-c", "import attio_bridge; print(attio_bridge.__file__)"],
        cwd=clone,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert Path(where.stdout.strip()).is_relative_to(clone / "src")
    report = clone / "report.xml"
    done = subprocess.run(
        [*PYTEST, f"--junitxml={report}", *SELECTION],
        cwd=clone,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    output = done.stdout[-4000:] + done.stderr[-2000:]
    assert done.returncode == 0, output
    suite = ET.parse(report).getroot().find("testsuite")
    assert suite is not None, output
    counts = {k: int(suite.get(k, "0")) for k in ("tests", "failures", "errors", "skipped")}
    assert counts["tests"] >= 20, output
    assert counts["failures"] == counts["errors"] == counts["skipped"] == 0, output


def test_a_missing_spec_fails_the_tests_that_need_it(clone: Path) -> None:
    """The spec removed from the clone: the conformance tests fail and say how to restore it."""
    (clone / "vendor" / "attio" / "openapi.yaml").unlink()
    try:
        done = subprocess.run(
            [*PYTEST, SELECTION[0]],
            cwd=clone,
            env=clone_env(clone),
            capture_output=True,
            text=True,
            timeout=300,
        )
    finally:
        git("checkout", "--quiet", "--", "vendor/attio/openapi.yaml", cwd=clone)
    assert done.returncode != 0, done.stdout
    assert "skipped" not in done.stdout.splitlines()[-1], done.stdout
    assert "vendor/attio/openapi.yaml" in done.stdout
