"""The database promises of the README: several processes share one file, a file that is not
Sparring's is never changed, a read-only file can still be read, and no folder is made silently."""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import shutil
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from simulator.cli import cli
from simulator.cli.common import Parts
from simulator.domain.customer import CallTurn
from simulator.domain.scenario_file import load_scenario
from simulator.locations import builtin_scenarios_dir
from simulator.storage import Store, StoreError
from simulator.storage.migrations import migrations
from tests.conftest import GOOD_FREIGHT_CALL

# Every migration, in the order they are defined: each is applied once.
MIGRATION_NAMES = [m.name for m in migrations._migrations]

ROOT = Path(__file__).resolve().parent.parent


def _spar(*args: str, data: Path, timeout: float = 240) -> subprocess.CompletedProcess:
    """`spar ARGS` as a real process, using this tree's code."""
    env = {**os.environ, "SPAR_DATA_DIR": str(data), "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "simulator", *args], capture_output=True, text=True, env=env, timeout=timeout
    )


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --- several writers on one file ------------------------------------------------------------


def test_six_practice_calls_at_once_on_one_new_database_all_complete(tmp_path):
    """Six `spar practice --json` processes start together on a database none of them has
    created: every call ends, every turn is stored, and the file is sound."""
    db = tmp_path / "shared.db"
    replies = tmp_path / "replies.txt"
    replies.write_text("\n".join(GOOD_FREIGHT_CALL) + "\n", encoding="utf-8")
    env = {**os.environ, "SPAR_DATA_DIR": str(tmp_path / "data"), "PYTHONPATH": str(ROOT)}
    processes = 6
    started = time.monotonic()
    running = [
        subprocess.Popen(
            [sys.executable, "-m", "simulator", "practice", "freight-discovery", "--rep", f"Rep {n}"]
            + ["--replies", str(replies), "--db", str(db), "--json"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        for n in range(processes)
    ]
    results = [(p, *p.communicate(timeout=600)) for p in running]
    elapsed = time.monotonic() - started
    for process, _, err in results:
        assert process.returncode == 0, err
    calls = [json.loads(out) for _, out, _ in results]
    with sqlite3.connect(db) as check:
        assert check.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        sessions = check.execute("select id, status from sessions order by id").fetchall()
        assert [status for _, status in sessions] == ["debriefed"] * processes
        for call in calls:
            stored = check.execute(
                "select speaker, text from turns where session_id = ? order by idx", [call["session_id"]]
            ).fetchall()
            assert stored == [(t["speaker"], t["text"]) for t in call["transcript"]], "every turn is stored"
        turns = check.execute("select count(*) from turns").fetchone()[0]
        applied = check.execute("select name from _sqlite_migrations").fetchall()
    assert applied == [(name,) for name in MIGRATION_NAMES], (
        "the schema is made once, however many processes open the file"
    )
    print(f"\n{processes} processes, {turns} turns, {elapsed:.1f} s")


def _hammer(db: str, rep: str, turns: int) -> None:
    """One process writing a whole session, turn by turn, as fast as it can."""
    store = Store(db)
    session = store.start_session(rep, load_scenario(builtin_scenarios_dir() / "freight-discovery.yaml"))
    for index in range(turns):
        store.add_turn(session, CallTurn(index, "rep" if index % 2 else "customer", f"{rep} turn {index}"))
    store.close()


def test_writers_wait_their_turn_under_heavy_contention(tmp_path):
    """Six processes write 100 turns each with no pause between them, on one new file."""
    db = tmp_path / "busy.db"
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_hammer, args=(str(db), f"rep{n}", 100)) for n in range(6)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=300)
    assert [w.exitcode for w in workers] == [0] * 6
    with sqlite3.connect(db) as check:
        assert check.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert check.execute("select count(*) from turns").fetchone()[0] == 6 * 100
        assert check.execute("select count(distinct session_id) from turns").fetchone()[0] == 6


def test_writes_begin_immediate_so_a_reader_never_turns_into_a_failed_writer(db_path, freight):
    """A write transaction takes the write lock when it starts: two writers that both read first
    cannot both hold a read snapshot and then fail to upgrade (SQLITE_BUSY, no retry possible)."""
    store = Store(db_path)
    statements: list[str] = []
    store.db.conn.set_trace_callback(statements.append)
    store.start_session("Sam", freight)
    store.close()
    assert "BEGIN IMMEDIATE" in statements
    assert "BEGIN" not in statements and "BEGIN DEFERRED" not in statements


def test_a_lock_released_within_the_wait_is_waited_for(db_path, freight):
    """Another program holds the write lock for a moment: the write waits and succeeds."""
    Store(db_path).close()
    blocker = sqlite3.connect(db_path, isolation_level=None, check_same_thread=False)
    blocker.execute("begin immediate")
    store = Store(db_path, timeout=10)
    start = time.monotonic()
    threading.Timer(0.8, blocker.rollback).start()
    session = store.start_session("Sam", freight)
    assert time.monotonic() - start >= 0.5
    assert store.session(session).status == "in_progress"
    store.close()
    blocker.close()


# --- files that are not Sparring's ----------------------------------------------------------


def test_a_foreign_sqlite_file_is_refused_and_left_byte_for_byte(tmp_path):
    notes = tmp_path / "notes.db"
    with sqlite3.connect(notes) as other:
        other.execute("create table notes(x)")
        other.execute("insert into notes values ('keep me')")
    before = _digest(notes)
    with pytest.raises(StoreError) as caught:
        Store(notes)
    message = str(caught.value)
    assert str(notes) in message and "not a Sparring database" in message and "--db" in message
    assert "\n" not in message
    assert _digest(notes) == before, "a file that is not Sparring's is never changed"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.db"], "no -wal or -shm left beside it"


def test_spar_history_refuses_a_foreign_file_without_touching_it(tmp_path):
    notes = tmp_path / "notes.db"
    with sqlite3.connect(notes) as other:
        other.execute("create table notes(x)")
    before = _digest(notes)
    result = _spar("history", "--db", str(notes), data=tmp_path / "data")
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.startswith(f"spar: {notes}: ") and result.stderr.count("\n") == 1
    assert _digest(notes) == before


def test_a_database_of_another_migrations_user_is_foreign(tmp_path):
    """sqlite-utils migrations of some other tool: the table name alone does not make a file ours."""
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as conn:
        conn.execute("create table _sqlite_migrations(id integer primary key, migration_set, name, applied_at)")
        conn.execute("insert into _sqlite_migrations values (1, 'blog', 'm001_posts', '2024')")
        conn.execute("create table posts(x)")
    before = _digest(other)
    with pytest.raises(StoreError, match="not a Sparring database"):
        Store(other)
    assert _digest(other) == before


@pytest.mark.parametrize("kind", ["missing", "empty file", "empty database"])
def test_a_missing_or_empty_file_becomes_a_new_database(tmp_path, freight, kind):
    path = tmp_path / "new.db"
    if kind == "empty file":
        path.write_bytes(b"")
    elif kind == "empty database":
        sqlite3.connect(path).execute("vacuum").connection.close()
    store = Store(path)
    store.start_session("Sam", freight)
    assert len(store.sessions()) == 1
    store.close()


def _on_a_read_only_folder(folder: Path, argv: list[str]) -> list[str]:
    """argv run with FOLDER read-only. As root, permissions stop nothing, so the folder is bind-
    mounted read-only in a private mount namespace; otherwise it is chmod-ed for the run."""
    if os.geteuid() == 0:
        if shutil.which("unshare") is None:
            pytest.skip("running as root without unshare: cannot make a folder read-only")
        return ["unshare", "-m", "sh", "-c", 'mount --bind -o ro "$0" "$0" && exec "$@"', str(folder), *argv]
    return argv


def test_a_read_only_database_is_still_readable_and_a_write_says_why(tmp_path, replies_file):
    folder = tmp_path / "readonly"
    folder.mkdir()
    db = folder / "spar.db"
    data = tmp_path / "data"
    made = Store(db)
    made.start_session("Sam", load_scenario(builtin_scenarios_dir() / "freight-discovery.yaml"))
    made.close()
    before = _digest(db)
    env = {**os.environ, "SPAR_DATA_DIR": str(data), "PYTHONPATH": str(ROOT)}
    spar = [sys.executable, "-m", "simulator"]
    if os.geteuid() != 0:
        db.chmod(0o444)
        folder.chmod(0o555)
    try:
        read = subprocess.run(
            _on_a_read_only_folder(folder, [*spar, "history", "--db", str(db), "--json"]),
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
        )
        if "mount" in read.stderr and "permission" in read.stderr.lower():
            pytest.skip(f"cannot make a read-only mount here: {read.stderr.strip()}")
        assert read.returncode == 0, read.stderr
        [row] = [json.loads(line) for line in read.stdout.splitlines()]
        assert row["rep_name"] == "Sam" and row["status"] == "in_progress"
        write = subprocess.run(
            _on_a_read_only_folder(
                folder,
                [
                    *spar,
                    "practice",
                    "freight-discovery",
                    "--rep",
                    "Kim",
                    "--replies",
                    str(replies_file),
                    "--db",
                    str(db),
                ],
            ),
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
        )
        assert write.returncode == 1
        assert write.stderr.startswith(f"spar: {db}: ") and write.stderr.count("\n") == 1, write.stderr
        assert "read-only" in write.stderr
    finally:
        folder.chmod(0o755)
        db.chmod(0o644)
    assert _digest(db) == before


def test_the_read_only_uri_reads_a_database_without_writing(tmp_path, freight):
    """Store(read_only=True) opens `file:...?mode=ro`: a write through it is refused in one line."""
    path = tmp_path / "spar.db"
    writer = Store(path)
    writer.start_session("Sam", freight)
    writer.close()
    before = _digest(path)
    reader = Store(path, read_only=True)
    assert [s.rep_name for s in reader.sessions()] == ["Sam"]
    with pytest.raises(StoreError) as caught:
        reader.start_session("Kim", freight)
    assert "read-only" in str(caught.value) and "\n" not in str(caught.value)
    reader.close()
    assert _digest(path) == before


def test_reading_a_missing_database_creates_nothing(tmp_path):
    path = tmp_path / "nothing-here.db"
    reader = Store(path, read_only=True)
    assert reader.sessions() == []
    reader.close()
    assert not path.exists()


# --- where the file may be ---------------------------------------------------------------------


def test_db_in_a_missing_folder_is_refused_in_one_line_and_no_folder_is_made(tmp_path, replies_file):
    db = tmp_path / "no" / "such" / "folder" / "spar.db"
    result = _spar(
        "practice", "freight-discovery", "--rep", "Sam", "--replies", str(replies_file), "--db", str(db), data=tmp_path
    )
    assert result.returncode == 1
    assert result.stderr.startswith(f"spar: {db}: ") and result.stderr.count("\n") == 1, result.stderr
    assert "mkdir" in result.stderr
    assert not (tmp_path / "no").exists(), "no folder is created silently"


def test_the_default_data_folder_is_created(analyzer, replies_file, isolated_data):
    assert not isolated_data.exists()
    result = CliRunner().invoke(
        cli,
        ["practice", "freight-discovery", "--rep", "Sam", "--replies", str(replies_file)],
        obj=Parts(analyzer=lambda: analyzer),
    )
    assert result.exit_code == 0, result.output
    assert (isolated_data / "sparring.db").is_file()


@pytest.fixture
def replies_file(tmp_path: Path) -> Path:
    path = tmp_path / "replies.txt"
    path.write_text("\n".join(GOOD_FREIGHT_CALL) + "\n", encoding="utf-8")
    return path


def test_a_second_store_in_the_same_process_keeps_the_first_ones_locks(tmp_path):
    """Opening a second Store on the file (a worker's own connection) must not drop the locks the
    first one holds: otherwise another process, closing its last connection, takes itself for the
    only one, checkpoints and deletes the WAL and its index under the live connection, and the
    next write fails with "disk I/O error" (seen with a live customer's terminal closing)."""
    path = tmp_path / "spar.db"
    scenario = load_scenario(builtin_scenarios_dir() / "freight-discovery.yaml")
    first = Store(path)
    first.start_session("Ana", scenario)
    Store(path).close()
    other = (
        "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); c.execute('select count(*) from sessions'); c.close()"
    )
    subprocess.run([sys.executable, "-c", other, str(path)], check=True)
    assert path.with_name("spar.db-wal").exists(), "the WAL stays while this process has the file open"
    assert path.with_name("spar.db-shm").exists()
    first.start_session("Ben", scenario)
    first.close()
