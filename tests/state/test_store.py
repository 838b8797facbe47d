"""The state store through its public surface, on SQLite and on the real PostgreSQL: documents,
reopening, migrations, locks across processes, URLs and their errors, file permissions."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from attio_bridge.errors import AttioError
from attio_bridge.state import (
    DATABASE_URL_ENV,
    LockTimeout,
    StateError,
    StateStore,
    open_store,
)
from attio_bridge.state._migrate import head
from attio_bridge.state._schema import VERSION_TABLE, metadata

CHILD = Path(__file__).with_name("_child.py")


@pytest.fixture
def store(store_url: str) -> Iterator[StateStore]:
    with open_store(store_url) as opened:
        yield opened


def child(*args: str) -> subprocess.Popen[str]:
    """``_child.py`` in a process of its own."""
    return subprocess.Popen(
        [sys.executable, str(CHILD), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_for(proc: subprocess.Popen[str], line: str) -> None:
    assert proc.stdout is not None
    got = proc.stdout.readline().strip()
    if got != line:
        proc.kill()
        _, err = proc.communicate()
        pytest.fail(f"the child printed {got!r}, not {line!r}: {err}")


def kill(proc: subprocess.Popen[str]) -> None:
    os.kill(proc.pid, signal.SIGKILL)
    proc.communicate()


# -- documents -----------------------------------------------------------------------------------
def test_put_get_delete(store: StateStore) -> None:
    assert store.get("kickoff", "acme.com") is None
    document = {"domain": "acme.com", "notes": ["n1"], "company": {"created": True}, "x": None}
    store.put("kickoff", "acme.com", document)
    assert store.get("kickoff", "acme.com") == document
    assert store.get("import", "acme.com") is None  # namespaces are apart
    store.put("kickoff", "acme.com", {"domain": "acme.com", "notes": []})
    assert store.get("kickoff", "acme.com") == {"domain": "acme.com", "notes": []}
    assert store.delete("kickoff", "acme.com") is True
    assert store.delete("kickoff", "acme.com") is False
    assert store.get("kickoff", "acme.com") is None


def test_put_keeps_created_and_moves_updated(store: StateStore) -> None:
    store.put("jobs", "j1", {"state": "queued"})
    first = store.entry("jobs", "j1")
    assert first is not None and first.created_at == first.updated_at
    assert first.created_at.tzinfo is not None
    time.sleep(0.01)
    store.put("jobs", "j1", {"state": "done"})
    second = store.entry("jobs", "j1")
    assert second is not None
    assert second.document == {"state": "done"}
    assert second.created_at == first.created_at
    assert second.updated_at > first.updated_at


def test_items_by_prefix_in_key_order(store: StateStore) -> None:
    for key in ["b", "a%", "a_1", "ab", "AB", "a", "é", "z"]:
        store.put("sync", key, {"key": key})
    store.put("other", "a", {"key": "elsewhere"})
    assert [k for k, _ in store.items("sync")] == sorted(
        ["b", "a%", "a_1", "ab", "AB", "a", "é", "z"]
    )
    # Case-sensitive, and % and _ are plain characters.
    assert store.items("sync", "a") == [
        ("a", {"key": "a"}),
        ("a%", {"key": "a%"}),
        ("a_1", {"key": "a_1"}),
        ("ab", {"key": "ab"}),
    ]
    assert store.items("sync", "a%") == [("a%", {"key": "a%"})]
    assert store.items("sync", "nothing") == []
    assert store.items("empty") == []


def test_write_many_applies_puts_and_deletes_in_order_or_none(store: StateStore) -> None:
    store.put("ns", "gone", {"v": 0})
    store.write_many(
        [
            ("ns", "a", {"v": 1}),
            ("ns", "b", {"v": 2}),
            ("ns", "gone", None),
            ("ns", "b", None),
            ("ns", "b", {"v": 3}),
            ("other", "c", {"v": 4}),
        ]
    )
    assert store.items("ns") == [("a", {"v": 1}), ("b", {"v": 3})]
    assert store.get("other", "c") == {"v": 4}
    with pytest.raises(StateError):
        store.write_many([("ns", "a", {"v": 9}), ("ns", "d", {"bad": float("nan")})])
    assert store.get("ns", "a") == {"v": 1} and store.get("ns", "d") is None


def test_documents_survive_reopening(store_url: str) -> None:
    with open_store(store_url) as store:
        store.put("kickoff", "acme.com", {"notes": ["n1", "n2"]})
    with open_store(store_url) as store:
        assert store.get("kickoff", "acme.com") == {"notes": ["n1", "n2"]}


@pytest.mark.parametrize(
    ("document", "what"),
    [
        ({"when": object()}, "not JSON"),
        ({"n": float("nan")}, "not JSON"),
        (["a", "list"], "must be a mapping"),
    ],
)
def test_a_document_that_is_not_json_is_refused(
    store: StateStore, document: object, what: str
) -> None:
    with pytest.raises(StateError, match=what) as caught:
        store.put("kickoff", "acme.com", document)  # type: ignore[arg-type]
    assert "kickoff/acme.com" in str(caught.value)
    assert caught.value.retryable is False
    assert store.get("kickoff", "acme.com") is None


@pytest.mark.parametrize(("namespace", "key"), [("", "k"), ("ns", ""), ("n" * 65, "k")])
def test_empty_or_long_names_are_refused(store: StateStore, namespace: str, key: str) -> None:
    with pytest.raises(StateError, match="must be a string of 1 to"):
        store.put(namespace, key, {})


def test_threads_share_a_store(store: StateStore) -> None:
    def work(t: int) -> None:
        for i in range(20):
            store.put("test", f"{t:02d}-{i:02d}", {"t": t, "i": i})
            assert store.get("test", f"{t:02d}-{i:02d}") == {"t": t, "i": i}

    threads = [threading.Thread(target=work, args=(t,)) for t in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(store.items("test")) == 120


def test_processes_take_turns_under_a_lock(store_url: str) -> None:
    open_store(store_url).close()
    procs = [child("count", store_url, "15") for _ in range(3)]
    for proc in procs:
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
    with open_store(store_url) as store:
        # A lost update (two reads of one value) would leave less.
        assert store.get("test", "counter") == {"n": 45}


def test_a_killed_writer_leaves_whole_documents(store_url: str) -> None:
    open_store(store_url).close()
    proc = child("write", store_url)
    wait_for(proc, "writing")
    time.sleep(0.5)
    kill(proc)
    with open_store(store_url) as store:
        found = store.items("test")
        assert found, "the writer wrote nothing before it was killed"
        for _, document in found:
            assert document["items"] == [document["n"]] * 2000


# -- migrations ----------------------------------------------------------------------------------
def _versions(url: str) -> list[str]:
    engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
    try:
        with engine.connect() as conn:
            return list(conn.execute(sa.text(f"SELECT version_num FROM {VERSION_TABLE}")).scalars())
    finally:
        engine.dispose()


def _config() -> Config:
    config = Config()
    config.set_main_option("script_location", "attio_bridge.state:migrations")
    config.set_main_option("path_separator", "os")
    return config


def _script() -> ScriptDirectory:
    return ScriptDirectory.from_config(_config())


def test_the_migration_history_has_one_head() -> None:
    assert len(_script().get_heads()) == 1


def test_migrations_run_once_and_leave_the_schema_the_code_uses(store_url: str) -> None:
    head = _script().get_current_head()
    open_store(store_url).close()
    assert _versions(store_url) == [head]
    with open_store(store_url) as store:
        store.put("kickoff", "acme.com", {"ok": True})
    assert _versions(store_url) == [head]
    engine = sa.create_engine(store_url.replace("postgresql://", "postgresql+psycopg://"))
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"version_table": VERSION_TABLE})
            assert compare_metadata(context, metadata) == []
    finally:
        engine.dispose()


def test_the_head_read_without_alembic_is_alembics() -> None:
    assert head() == _script().get_current_head()


def test_an_older_database_is_upgraded(store_url: str) -> None:
    open_store(store_url).close()
    engine = sa.create_engine(store_url.replace("postgresql://", "postgresql+psycopg://"))
    try:
        with engine.begin() as conn:
            config = _config()
            config.attributes["connection"] = conn
            command.downgrade(config, "0001")
        assert _versions(store_url) == ["0001"]
        with open_store(store_url):
            pass
        assert _versions(store_url) == [_script().get_current_head()]
        assert sa.inspect(engine).has_table("attio_bridge_snapshots")
    finally:
        engine.dispose()


def test_opening_a_current_database_does_not_import_alembic(store_url: str) -> None:
    open_store(store_url).close()
    probe = (
        "import sys; from attio_bridge.state import open_store; "
        f"open_store({store_url!r}).close(); print('alembic' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False", done.stderr


def test_concurrent_first_opens_all_succeed(store_url: str, tmp_path: Path) -> None:
    barrier = tmp_path / "go"
    procs = [child("open", store_url, str(barrier)) for _ in range(3)]
    time.sleep(1.0)  # let them start and import; then all open at once
    barrier.touch()
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
        assert out.strip() == "opened"
    assert _versions(store_url) == [_script().get_current_head()]


# -- locks ---------------------------------------------------------------------------------------
def test_a_lock_excludes_another_process_until_it_dies(store: StateStore, store_url: str) -> None:
    holder = child("hold", store_url, "kickoff:acme.com")
    try:
        wait_for(holder, "held")
        with (
            pytest.raises(LockTimeout, match=r"kickoff:acme\.com") as caught,
            store.lock("kickoff:acme.com", timeout=0.5),
        ):
            pass
        assert caught.value.retryable is True
        assert isinstance(caught.value, StateError) and isinstance(caught.value, AttioError)
        with pytest.raises(LockTimeout), store.lock("kickoff:acme.com", timeout=0):
            pass
        with store.lock("kickoff:other.com", timeout=0):  # other names are free
            pass
    finally:
        kill(holder)
    # kill -9: no release ran; the lock goes with the process (or its database session).
    with store.lock("kickoff:acme.com", timeout=10):
        pass


def test_a_lock_is_freed_when_its_block_ends(store: StateStore) -> None:
    with store.lock("jobs:1", timeout=1):
        pass
    with store.lock("jobs:1", timeout=0):
        pass


def test_a_waiting_lock_gets_it_once_freed(store: StateStore) -> None:
    got: list[float] = []

    def other() -> None:
        with store.lock("shared", timeout=30):
            got.append(time.monotonic())

    with store.lock("shared", timeout=1):
        thread = threading.Thread(target=other)
        thread.start()
        time.sleep(0.3)
        assert not got  # a thread is excluded too
        freed_at = time.monotonic()
    thread.join(timeout=30)
    assert got and got[0] >= freed_at


# -- opening -------------------------------------------------------------------------------------
def test_open_store_uses_the_environment_url(store_url: str, tmp_path: Path) -> None:
    with open_store(store_url) as store:
        store.put("kickoff", "acme.com", {"from": "env"})
    environ = {DATABASE_URL_ENV: store_url, "XDG_STATE_HOME": str(tmp_path / "xdg")}
    with open_store(environ=environ) as store:
        assert store.get("kickoff", "acme.com") == {"from": "env"}
    assert not (tmp_path / "xdg").exists()


def test_open_store_reads_the_process_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv(DATABASE_URL_ENV, f"sqlite:///{tmp_path}/env.sqlite3")
    with open_store() as store:
        store.put("t", "k", {})
    assert (tmp_path / "env.sqlite3").exists()


def test_the_default_file_is_private(tmp_path: Path) -> None:
    environ = {"XDG_STATE_HOME": str(tmp_path / "xdg")}
    with open_store(environ=environ) as store:
        store.put("kickoff", "acme.com", {"secret": "ids"})
        path = tmp_path / "xdg" / "attio-bridge" / "state.sqlite3"
        assert store.url_for_display == f"sqlite:///{path}"
        for file in [path, path.with_name(path.name + "-wal")]:
            assert stat.S_IMODE(file.stat().st_mode) == 0o600, file
        assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
        with store.lock("kickoff:acme.com"):
            for lock in path.with_name(path.name + ".locks").iterdir():
                assert stat.S_IMODE(lock.stat().st_mode) == 0o600, lock


def test_an_empty_environment_url_means_the_default(tmp_path: Path) -> None:
    environ = {DATABASE_URL_ENV: "", "XDG_STATE_HOME": str(tmp_path)}
    with open_store(environ=environ) as store:
        assert store.backend == "sqlite"
    assert (tmp_path / "attio-bridge" / "state.sqlite3").exists()


def test_an_unreachable_server_is_a_retryable_error_without_the_password() -> None:
    url = "postgresql://bridge:s3cret-pw@127.0.0.1:1/state"
    with pytest.raises(StateError) as caught:
        open_store(url)
    message = str(caught.value)
    assert "s3cret-pw" not in message
    assert "postgresql://bridge:***@127.0.0.1:1/state" in message
    assert DATABASE_URL_ENV in message  # the fix
    assert caught.value.retryable is True


def test_a_missing_database_is_not_retryable(pg_database: str) -> None:
    url = pg_database.replace("postgres@", "postgres:pw-123@").rpartition("/")[0]
    with pytest.raises(StateError) as caught:
        open_store(f"{url}/attio_bridge_no_such_database")
    assert "pw-123" not in str(caught.value)
    assert "does not exist" in str(caught.value)
    assert caught.value.retryable is False


@pytest.mark.parametrize(
    ("url", "what"),
    [
        ("mysql://root:hunter2@db/state", "not supported"),
        ("sqlite://", "in memory"),
        ("not a url at all", "cannot be read"),
        ("postgresql://u:hunter2@host:notaport/db", "cannot be read"),
    ],
)
def test_a_bad_url_names_the_forms(url: str, what: str) -> None:
    with pytest.raises(StateError, match=what) as caught:
        open_store(url)
    assert "hunter2" not in str(caught.value)
    assert "postgresql://user:password@host" in str(caught.value)
    assert caught.value.retryable is False


def test_a_file_that_is_not_a_database(tmp_path: Path) -> None:
    path = tmp_path / "junk.sqlite3"
    path.write_bytes(b"this is not a SQLite database, just some bytes " * 100)
    with pytest.raises(StateError) as caught:
        open_store(f"sqlite:///{path}")
    assert str(path) in str(caught.value)
    assert caught.value.retryable is False


def test_a_schema_from_a_newer_version_is_named(store_url: str) -> None:
    open_store(store_url).close()
    engine = sa.create_engine(store_url.replace("postgresql://", "postgresql+psycopg://"))
    try:
        with engine.begin() as conn:
            conn.execute(sa.text(f"UPDATE {VERSION_TABLE} SET version_num = 'f00d'"))
    finally:
        engine.dispose()
    with pytest.raises(StateError, match="newer attio-bridge") as caught:
        open_store(store_url)
    assert caught.value.retryable is False
