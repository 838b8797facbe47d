"""``attio-bridge users add|list|remove``: users of the snapshot pages kept as argon2 hashes in
the state store; the password read from stdin or asked for twice, never printed."""

from __future__ import annotations

from pathlib import Path

from attio_bridge.state import open_store
from attio_bridge.web.security import Users

from ._support import invoke, one_error_line

PASSWORD = "users-cli-password-e3b0c442"


def _env(tmp_path: Path) -> dict[str, str | None]:
    return {"ATTIO_BRIDGE_DATABASE_URL": f"sqlite:///{tmp_path / 'state.sqlite3'}"}


def test_a_user_added_from_stdin_can_sign_in(tmp_path: Path, config_home: Path) -> None:
    env = _env(tmp_path)
    added = invoke(
        ["users", "add", "alice", "--password-stdin"], env, config_home, PASSWORD, PASSWORD + "\n"
    )
    again = invoke(
        ["users", "add", "alice", "--password-stdin"], env, config_home, PASSWORD, "other-pass\n"
    )
    listed = invoke(["users", "list"], env, config_home, PASSWORD)
    assert added.exit_code == 0 and added.stdout == "Added alice.\n"
    assert again.stdout == "Changed the password of alice.\n"
    assert listed.stdout == "alice\n"
    with open_store(env["ATTIO_BRIDGE_DATABASE_URL"]) as store:
        assert Users(store).verify("alice", "other-pass")
        assert PASSWORD not in str(store.get("web-users", "alice"))


def test_the_password_is_asked_twice_without_echo(tmp_path: Path, config_home: Path) -> None:
    env = _env(tmp_path)
    result = invoke(
        ["users", "add", "bob"], env, config_home, PASSWORD, f"{PASSWORD}\n{PASSWORD}\n"
    )
    assert result.exit_code == 0
    with open_store(env["ATTIO_BRIDGE_DATABASE_URL"]) as store:
        assert Users(store).verify("bob", PASSWORD)


def test_a_bad_name_or_short_password_is_one_error_line(tmp_path: Path, config_home: Path) -> None:
    env = _env(tmp_path)
    bad_name = invoke(["users", "add", "../x", "--password-stdin"], env, config_home, PASSWORD, "")
    short = invoke(["users", "add", "carol", "--password-stdin"], env, config_home, "zz", "zz\n")
    missing = invoke(["users", "remove", "nobody"], env, config_home, PASSWORD)
    assert bad_name.exit_code == 5 and "is not a user name" in one_error_line(bad_name)
    assert short.exit_code == 5 and "too short" in one_error_line(short)
    assert missing.exit_code == 4 and "there is no user 'nobody'" in one_error_line(missing)


def test_a_removed_user_is_gone(tmp_path: Path, config_home: Path) -> None:
    env = _env(tmp_path)
    invoke(["users", "add", "dave", "--password-stdin"], env, config_home, PASSWORD, PASSWORD)
    removed = invoke(["users", "remove", "dave"], env, config_home, PASSWORD)
    assert removed.stdout == "Removed dave.\n"
    assert invoke(["users", "list"], env, config_home, PASSWORD).stdout == ""
