"""Storage on a real SQLite file: migrations, turns written as they happen, goals, bad files."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time

import pytest

from analysis.types import QuestionType, SpinKind, TurnAnalysis
from simulator.domain.customer import CallTurn
from simulator.domain.session import PracticeCall
from simulator.storage import Store, StoreError
from simulator.storage.migrations import migrations
from simulator.storage.store import session_result

# Every migration, in the order they are defined: each is applied once.
MIGRATION_NAMES = [m.name for m in migrations._migrations]

QUESTION = TurnAnalysis(
    is_question=True, question_type=QuestionType.OPEN, is_needs_question=True, spin=SpinKind.SITUATION
)


def test_schema_is_created_once_and_reopening_keeps_data(db_path, freight):
    store = Store(db_path)
    session_id = store.start_session("Sam Lee", freight)
    store.add_turn(session_id, CallTurn(0, "customer", "Hi."))
    store.close()
    reopened = Store(db_path)
    assert [t.text for t in reopened.turns(session_id)] == ["Hi."]
    applied = [r["name"] for r in reopened.db["_sqlite_migrations"].rows]
    assert applied == MIGRATION_NAMES, "reopening must not apply a migration twice"
    assert {"reps", "scenarios", "sessions", "turns", "debriefs", "goals"} <= set(reopened.db.table_names())
    reopened.close()


def test_each_turn_is_on_disk_as_soon_as_it_is_said(db_path, freight):
    store = Store(db_path)
    call = PracticeCall(store, freight, "Sam Lee")
    call.start()
    call.rep_turn("How do you plan routes today?", QUESTION)
    # A second, independent connection sees the turns before the call ends.
    other = sqlite3.connect(db_path)
    rows = other.execute("select idx, speaker, is_question, spin from turns order by idx").fetchall()
    other.close()
    assert rows[0][:2] == (0, "customer")
    assert rows[1] == (1, "rep", 1, "situation")
    assert rows[2][:2] == (2, "customer")
    assert session_result(store.sessions()[0]) == "unfinished"


def test_debrief_goal_is_checked_at_the_next_session(store, freight):
    first = PracticeCall(store, freight, "  Sam   Lee ")
    first.start()
    first.end_by_rep()
    debrief = first.save_debrief({"what_happened": "I rushed.", "next_step": "Ask two questions first."})
    saved = store.debrief(first.session_id)
    assert saved is not None and saved.what_happened == "I rushed."
    goal = store.latest_goal("Sam Lee")
    assert goal is not None
    assert goal.next_step == "Ask two questions first." and goal.focus_skill == debrief.focus.skill
    # Saving again (the rep edits the next step) replaces, it does not duplicate.
    first.save_debrief({"next_step": "Ask three questions first."})
    assert store.db["goals"].count == 1

    second = PracticeCall(store, freight, "Sam Lee")
    assert second.goal is not None and second.goal.next_step == "Ask three questions first."
    second.start()
    assert store.db["goals"].get(goal.id)["reviewed_session_id"] == second.session_id
    assert [s.status for s in store.sessions("Sam Lee")] == ["in_progress", "debriefed"]
    assert store.rep_names() == ["Sam Lee"]


def test_locked_database_gives_one_clear_line(db_path, freight):
    Store(db_path).close()
    blocker = sqlite3.connect(db_path)
    blocker.execute("begin exclusive")
    try:
        with pytest.raises(StoreError) as caught:
            store = Store(db_path, timeout=0.2)
            store.start_session("Sam", freight)
        message = str(caught.value)
        assert str(db_path) in message and "locked" in message and "\n" not in message
    finally:
        blocker.rollback()
        blocker.close()


def test_corrupt_file_gives_one_clear_line(tmp_path):
    bad = tmp_path / "notes.db"
    bad.write_bytes(b"this is not a database at all" * 100)
    with pytest.raises(StoreError) as caught:
        Store(bad)
    assert str(bad) in str(caught.value) and "--db" in str(caught.value)
    assert bad.read_bytes().startswith(b"this is not"), "a file that is not ours is never overwritten"


def test_unwritable_location_gives_one_clear_line(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(StoreError, match="--db PATH"):
        Store(blocker / "sub" / "spar.db")


def test_process_killed_mid_call_keeps_earlier_turns(db_path, tmp_path):
    """A real `spar practice` reading replies from a pipe, killed with SIGKILL mid-call."""
    env = {**os.environ, "SPAR_DATA_DIR": str(tmp_path / "data")}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "simulator",
            "practice",
            "freight-discovery",
            "--rep",
            "Kim",
            "--replies",
            "-",
            "--db",
            str(db_path),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=env,
        text=True,
    )
    replies = ["How do you plan the routes today?", "What problems does that cause for your customers?"]
    proc.stdin.write("\n".join(replies) + "\n")
    proc.stdin.flush()
    deadline = time.monotonic() + 120
    rep_turns = 0
    while time.monotonic() < deadline and proc.poll() is None:
        if db_path.exists():
            try:
                with sqlite3.connect(db_path) as check:
                    rep_turns = check.execute("select count(*) from turns where speaker = 'rep'").fetchone()[0]
            except sqlite3.OperationalError:
                pass  # schema not created yet
        if rep_turns == 2:
            break
        time.sleep(0.1)
    assert proc.poll() is None, f"spar practice exited early: {proc.stderr.read()}"
    assert rep_turns == 2
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    proc.stdin.close()
    proc.stderr.close()

    store = Store(db_path)
    [session] = store.sessions()
    turns = store.turns(session.id)
    assert [t.text for t in turns if t.speaker == "rep"] == replies
    assert turns[1].analysis is not None and turns[1].analysis.is_question is True
    assert session_result(session) == "unfinished"
    store.close()
