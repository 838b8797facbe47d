"""Masking the API key in what a command prints (``cli._common.redact``), and through a
command: a short key is masked only as a whole token, a long one anywhere."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from attio_bridge.cli import app
from attio_bridge.cli._common import redact

LONG = "0f3c9a7e5b1d2f4a6c8e0b2d4f6a8c0e"


@pytest.mark.parametrize(
    ("text", "secrets", "expected"),
    [
        # A short key garbles no word that holds it, but is masked where it stands alone.
        ("Timed out talking to k", ["k"], "Timed out talking to ***"),
        ("Bearer k-1 was refused; k-10 too", ["k-1"], "Bearer *** was refused; k-10 too"),
        ("key=abc&x=1", ["abc"], "key=***&x=1"),
        # A long key is masked anywhere, even glued to other text.
        (f"token{LONG}xyz and {LONG}", [LONG], "token***xyz and ***"),
        (f"url?key={LONG}", [LONG, "k"], "url?key=***"),
        ("nothing to hide", [], "nothing to hide"),
        ("spaces stay", [" "], "spaces stay"),
    ],
)
def test_redact(text: str, secrets: list[str], expected: str) -> None:
    assert redact(text, secrets) == expected


def test_a_short_key_leaves_an_error_line_readable(tmp_path: Path) -> None:
    """A one-letter key on a refused connection: the message keeps its words whole."""
    result = CliRunner().invoke(
        app,
        ["self", "--api-key", "t", "--base-url", "http://127.0.0.1:9", "--max-retries", "0"],
        env={"ATTIO_API_KEY": None, "ATTIO_BASE_URL": None, "XDG_CONFIG_HOME": str(tmp_path)},
    )
    assert result.exit_code == 7
    assert "***" not in result.stderr
    assert result.stderr.startswith("error: cannot reach Attio")
