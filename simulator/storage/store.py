"""The Store: every read and write of Sparring's SQLite database.

One logical write is one transaction, begun with `BEGIN IMMEDIATE`: a turn is on disk the moment it
is said, so a crash or a killed process mid-call keeps every earlier turn; and a writer takes the
write lock before its first read, so several processes on one file wait their turn instead of
failing (a transaction that reads and then writes cannot wait for the lock: SQLite refuses it at
once). A connection belongs to the thread that opened it; the app writes from its main thread only.

Opening never changes a file that is not Sparring's: the file is looked at read-only first, and a
non-empty SQLite file without Sparring's migrations is refused before anything is written.
"""

from __future__ import annotations

import json
import os
import random
import sqlite3
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import sqlite_utils

from analysis.coaching.goals import GoalMeasure, PairAnswer, PairDebrief, answers_from_json, gap_from_json
from analysis.coaching.observers import ObserverScoring
from analysis.coaching.progress import StoredGoal, StoredSession
from analysis.coaching.retry import Retry, RetryError, RetryReaction
from analysis.coaching.review import Correction, LabelValue, Note, NoteKind
from analysis.types import Figure, FigureKey, TurnAnalysis
from simulator.domain.customer import CallSnapshot, CallTurn, CustomerLine, RevealedNeed, rep_display_name
from simulator.domain.live import LiveCall, LiveReply, LiveStatus, Reaction
from simulator.storage.migrations import migrations

if TYPE_CHECKING:
    from analysis.coaching.debrief import Debrief
    from simulator.domain.scenario import Scenario


@dataclass(frozen=True)
class Goal:
    """The focus skill and next step a rep agreed at a debrief, checked at their next session."""

    id: int
    rep_id: int
    session_id: int
    focus_skill: str | None
    next_step: str
    reviewed_session_id: int | None = None
    measure: str = ""  # how the next call shows progress: "at least four needs questions before the first pitch"
    due_date: str = ""  # when the next step is due (as written, usually YYYY-MM-DD)
    agreed_by: str = ""  # who agreed it with the rep (a coach), when a coach did
    # The measure as a figure, a comparison and a number, when one was agreed: the next call checks it.
    checkable: GoalMeasure | None = None

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Goal:
        return cls(
            row["id"],
            row["rep_id"],
            row["session_id"],
            row["focus_skill"],
            row["next_step"] or "",
            row["reviewed_session_id"],
            row.get("measure") or "",
            row.get("due_date") or "",
            row.get("agreed_by") or "",
            GoalMeasure.from_parts(row.get("measure_key"), row.get("measure_comparison"), row.get("measure_target")),
        )

    @property
    def measure_text(self) -> str:
        """The goal's measure in words: as the coach wrote it, or read from the checkable measure."""
        return self.measure or (self.checkable.text() if self.checkable else "")

    @property
    def agreed_with_coach(self) -> bool:
        """A coach (or the pair's debrief) has set this goal: the rep's own debrief no longer rewrites it."""
        return bool(self.agreed_by or self.measure or self.checkable or self.due_date)


# The columns of a session summary, in the order `spar history --json` prints them.
SUMMARY_COLUMNS = (
    "id",
    "started_at",
    "ended_at",
    "status",
    "end_reason",
    "objective_met",
    "final_level",
    "input_mode",
    "rep_name",
    "scenario_id",
    "scenario_title",
    "focus_skill",
    "next_step",
    "turn_count",
    "spoken_turns",
)


@dataclass(frozen=True)
class SessionSummary:
    """One past session as lists show it."""

    id: int
    started_at: str
    ended_at: str | None
    status: str
    end_reason: str | None
    objective_met: int | None
    final_level: str | None
    input_mode: str | None
    rep_name: str
    scenario_id: str
    scenario_title: str | None
    focus_skill: str | None
    next_step: str | None
    turn_count: int
    spoken_turns: int

    @property
    def result(self) -> str:
        """How the session ended, in a few words."""
        return session_result(self)

    def to_json(self) -> dict[str, Any]:
        return {column: getattr(self, column) for column in SUMMARY_COLUMNS}


@dataclass(frozen=True)
class SavedDebrief:
    """The rep's reflection and the focus and next step saved with a session, and the debrief as
    it was shown (figures, strengths, focus) when it was saved."""

    what_happened: str
    went_well: str
    do_differently: str
    next_step: str
    focus_skill: str | None
    shown: Debrief | None = None

    def answers(self) -> dict[str, str]:
        """The reflection and next step, keyed as the debrief's prompts are."""
        return {
            "what_happened": self.what_happened,
            "went_well": self.went_well,
            "do_differently": self.do_differently,
            "next_step": self.next_step,
        }


class StoreError(Exception):
    """A database problem, worded for the user: which file, what happened, what to do."""


class NotInStore(StoreError):
    """What a request names (a session, a turn) is not in the database: a bad request, not bad data."""


class NotAnExport(ValueError):
    """A file given to `spar import` that is not a Sparring session export."""


EXPORT_FORMAT = "sparring-session"
# Where a real call imported without a scenario is filed (the scenario it was not played from).
REAL_CALL_SCENARIO = "real-call"
REAL_CALL_TITLE = "Real call (no scenario)"
EXPORT_VERSION = 1


@dataclass(frozen=True)
class CallFacts:
    """What the call's figures need besides the turns, as stored when the call ended."""

    needs_total: int
    needs_uncovered: tuple[RevealedNeed, ...]
    discovery_before_pitch: int
    debrief: dict[str, Any] | None  # the debrief as the rep saw it (Debrief.to_json())
    mode: str = "solo"  # solo, team, or real (a recorded call imported with `spar import-call`)
    customer_name: str = ""  # a real call's customer, when the import named them


@dataclass(frozen=True)
class PlayedScenario:
    """The scenario a session was played on, as stored: its id, the hash of the file's text then,
    and where the file was on this machine (empty for an imported session)."""

    id: str
    content_hash: str
    path: str
    title: str
    customer_played_by: str | None  # a person played the customer live (team roleplay)


def _unpack(row: dict[str, Any], drop: tuple[str, ...] = ()) -> dict[str, Any]:
    """A row as export JSON: `X_json` columns become `X`, parsed; DROP columns are left out."""
    out: dict[str, Any] = {}
    for key, value in row.items():
        if key in drop:
            continue
        if key.endswith("_json"):
            out[key[: -len("_json")]] = json.loads(value) if value is not None else None
        else:
            out[key] = value
    return out


def _pack(data: dict[str, Any], columns: dict[str, Any], drop: tuple[str, ...] = ()) -> dict[str, Any]:
    """Export JSON back as a row of a table with COLUMNS; keys that are not its columns are ignored."""
    if not isinstance(data, dict):
        raise NotAnExport(f"expected an object, found {type(data).__name__}")
    row: dict[str, Any] = {}
    for column in columns:
        if column in drop:
            continue
        if column.endswith("_json"):
            key = column[: -len("_json")]
            if key in data:
                row[column] = None if data[key] is None else json.dumps(data[key])
        elif column in data:
            value = data[column]
            if isinstance(value, (dict, list)):
                raise NotAnExport(f"'{column}' should be a single value")
            row[column] = value
    return row


def session_result(session: SessionSummary) -> str:
    """How a session ended, in a few words, for lists."""
    if session.status == "in_progress":
        return "unfinished"
    if session.objective_met:
        return "objective met"
    return {"customer_ended": "customer ended", "rep_ended": "you ended"}.get(session.end_reason or "", session.status)


def _new_id(table: sqlite_utils.db.Table) -> int:
    """The id of the row a table has just inserted."""
    assert table.last_pk is not None
    return int(table.last_pk)


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


# How long a write waits in all for other processes' writes before it gives up with one line.
DEFAULT_WAIT_SECONDS = 10.0
# Each attempt waits at most this long inside SQLite's busy handler; between attempts the Store
# backs off (doubling, with jitter) so that waiting writers do not retry in lockstep.
BUSY_SLICE_SECONDS = 1.0
FIRST_BACKOFF_SECONDS = 0.005
LONGEST_BACKOFF_SECONDS = 0.25

MIGRATIONS_TABLE = "_sqlite_migrations"

T = TypeVar("T")


def _is_busy(exc: sqlite3.OperationalError) -> bool:
    message = str(exc)
    return "locked" in message or "busy" in message


def _read_only_uri(path: Path, *, immutable: bool = False) -> str:
    """A `file:` URI that opens PATH for reading only (percent-encoded: a '?' or '#' in a file
    name stays part of the name)."""
    return path.resolve().as_uri() + ("?mode=ro&immutable=1" if immutable else "?mode=ro")


def connect_read_only(path: Path, timeout: float) -> sqlite3.Connection:
    """A connection that cannot write to PATH.

    A WAL database needs its `-shm` file even to be read; in a read-only folder that file cannot be
    made, so the file is then read as immutable, which is sound only when no `-wal` file holds
    changes not yet copied into it (true of a database its last writer closed cleanly)."""
    conn = sqlite3.connect(_read_only_uri(path), uri=True, timeout=timeout, isolation_level=None)
    try:
        conn.execute("select count(*) from sqlite_master").fetchone()
        return conn
    except sqlite3.OperationalError as exc:
        conn.close()
        if "unable to open" not in str(exc) or path.with_name(path.name + "-wal").exists():
            raise
    return sqlite3.connect(_read_only_uri(path, immutable=True), uri=True, timeout=timeout, isolation_level=None)


class FileState(str, Enum):
    """What is at the database path before Sparring opens it."""

    MISSING = "missing"
    NEW = "new"  # an empty file, or a SQLite database with no tables: Sparring makes it its own
    OURS = "ours"


def inspect_file(path: Path, timeout: float) -> FileState:
    """Whether PATH is missing, new or Sparring's, found out without writing a byte to it.

    Raises StoreError for any other file: another program's database, or not SQLite at all."""
    # The file is looked at through SQLite only, never with open(): closing any descriptor of a
    # file drops every POSIX lock this process holds on it, so a second Store opened beside a live
    # one (a worker's own connection) would let another process, closing its last connection,
    # checkpoint and delete the WAL under the first ("disk I/O error" in a live-customer call).
    # SQLite keeps such descriptors open until its own connections let go.
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        return FileState.MISSING
    if size == 0:
        return FileState.NEW
    try:
        conn = connect_read_only(path, timeout)
    except sqlite3.DatabaseError as exc:
        if "not a database" not in str(exc):
            raise
        raise StoreError(
            f"{path}: not a Sparring database (not a SQLite file at all), so Sparring leaves it untouched; "
            "move it aside or choose another file with --db PATH"
        ) from None
    try:
        tables = {
            row[0]
            for row in conn.execute("select name from sqlite_master where type = 'table' and name not like 'sqlite_%'")
        }
        if not tables:
            return FileState.NEW
        if MIGRATIONS_TABLE in tables:
            try:
                applied = conn.execute(f"select migration_set, name from {MIGRATIONS_TABLE}").fetchall()
            except sqlite3.OperationalError:
                applied = [(None, None)]  # a table of that name with other columns: someone else's
            if any(set_name == migrations.name and name in KNOWN_MIGRATIONS for set_name, name in applied):
                return FileState.OURS
            if tables == {MIGRATIONS_TABLE} and not applied:
                return FileState.NEW  # an older Sparring stopped between making the table and filling it
    finally:
        conn.close()
    raise StoreError(
        f"{path}: not a Sparring database (it is another program's SQLite file), so Sparring leaves it "
        "untouched; choose another file with --db PATH"
    )


KNOWN_MIGRATIONS = frozenset(migration.name for migration in migrations._migrations)


def local_time(stamp: str | None) -> str:
    """A stored UTC time as the rep's clock shows it: "2025-03-04 14:05"."""
    if not stamp:
        return ""
    try:
        moment = datetime.fromisoformat(stamp)
    except ValueError:
        return stamp[:16].replace("T", " ")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone().strftime("%Y-%m-%d %H:%M")


class Store:
    def __init__(self, path: Path | str, *, timeout: float = DEFAULT_WAIT_SECONDS, read_only: bool = False):
        """Open (or create) the database at PATH and bring its schema up to date.

        `timeout`: how long, in all, a write waits for other processes' writes. `read_only`: open
        the file with a `?mode=ro` URI, so nothing is ever written to it (a missing file reads as
        an empty history and is not created)."""
        self.path = Path(path)
        self.timeout = timeout
        self.read_only = read_only
        with self._guard("open"):
            self.db = sqlite_utils.Database(self._connect())
            if read_only and self._on_disk() and migrations.pending(self.db):
                # An older Sparring's file: bringing it up to date is a write, done once.
                self.db.conn.close()
                self.read_only = False
                self.db = sqlite_utils.Database(self._connect())
            self.db.execute("PRAGMA foreign_keys=ON")
            if migrations.pending(self.db):
                self._migrate()
            self.read_only = read_only

    def _connect(self) -> sqlite3.Connection:
        busy_wait = min(self.timeout, BUSY_SLICE_SECONDS)
        if str(self.path) == ":memory:":
            return sqlite3.connect(":memory:", isolation_level=None)
        state = inspect_file(self.path, busy_wait)
        if self.read_only:
            if state != FileState.OURS:
                # Nothing to read yet, and nothing may be written: an empty schema in memory.
                return sqlite3.connect(":memory:", isolation_level=None)
            return connect_read_only(self.path, busy_wait)
        if state == FileState.MISSING and not self.path.parent.is_dir():
            folder = self.path.parent
            raise StoreError(
                f"{self.path}: the folder {folder} does not exist; create it first (mkdir -p {folder}) "
                "or choose another file with --db PATH"
            )
        # isolation_level=None: Python opens no transactions of its own; `_write` begins each one.
        conn = sqlite3.connect(str(self.path), timeout=busy_wait, isolation_level=None)
        try:
            if self._retrying(lambda: conn.execute("PRAGMA journal_mode").fetchone()[0]) != "wal":
                # WAL: readers (spar history in another terminal) never block the call being written.
                self._retrying(lambda: conn.execute("PRAGMA journal_mode=WAL").fetchone())
        except BaseException:
            conn.close()
            raise
        return conn

    def _on_disk(self) -> bool:
        """False for the in-memory stand-in of a missing file opened read-only."""
        return self.db.conn.execute("PRAGMA database_list").fetchone()[2] != ""

    def _migrate(self) -> None:
        """Apply pending migrations in one write transaction: when several processes open a new
        file at once, the first makes the schema and the others, waiting their turn, find it made."""
        with self._write("prepare the database"):
            migrations.apply(self.db)

    def close(self) -> None:
        self.db.conn.close()

    # --- transactions ----------------------------------------------------------------------
    def _retrying(self, attempt: Callable[[], T]) -> T:
        """ATTEMPT, tried again after a growing pause while another process holds the lock, until
        the wait budget (`timeout`) is spent."""
        deadline = time.monotonic() + self.timeout
        pause = FIRST_BACKOFF_SECONDS
        while True:
            try:
                return attempt()
            except sqlite3.OperationalError as exc:
                left = deadline - time.monotonic()
                if not _is_busy(exc) or left <= 0:
                    raise
                time.sleep(min(pause * random.uniform(0.5, 1.5), left))
                pause = min(pause * 2, LONGEST_BACKOFF_SECONDS)

    @contextmanager
    def _write(self, action: str) -> Iterator[None]:
        """One logical write, one transaction. `BEGIN IMMEDIATE` takes the write lock before the
        first read, waiting for it as `_retrying` allows; the commit is retried the same way;
        anything that fails in between rolls the whole write back."""
        with self._guard(action):
            if self.read_only and self._on_disk():
                raise StoreError(self._read_only_message(action))
            conn = self.db.conn
            if conn.in_transaction:
                yield  # part of a write already under way
                return
            self._retrying(lambda: conn.execute("BEGIN IMMEDIATE"))
            try:
                yield
                self._retrying(lambda: conn.execute("COMMIT"))
            finally:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")

    def _read_only_message(self, action: str) -> str:
        return (
            f"{self.path}: cannot {action}: the database is read-only (the file or its folder cannot be "
            "written); `spar history` can still read it; make it writable or choose another file with --db PATH"
        )

    def _cannot_write_here(self) -> bool:
        """Whether the file, or the folder it is in, cannot be written by this process."""
        folder_writable = os.access(self.path.parent, os.W_OK)
        if self.path.exists():
            return not folder_writable or not os.access(self.path, os.W_OK)
        return self.path.parent.is_dir() and not folder_writable

    @contextmanager
    def _guard(self, action: str) -> Iterator[None]:
        try:
            yield
        except sqlite3.OperationalError as exc:
            message = str(exc)
            if _is_busy(exc):
                raise StoreError(
                    f"{self.path}: the database is locked by another program (another spar?) and stayed "
                    f"locked for {self.timeout:g} s; close it and try again"
                ) from None
            if "readonly" in message or ("unable to open" in message and self._cannot_write_here()):
                raise StoreError(self._read_only_message(action)) from None
            if "unable to open" in message:
                raise StoreError(
                    f"{self.path}: cannot {action} the database ({message}); check that the folder "
                    "exists and is writable, or choose another file with --db PATH"
                ) from None
            raise StoreError(f"{self.path}: database error while trying to {action}: {message}") from None
        except sqlite3.DatabaseError as exc:
            raise StoreError(
                f"{self.path}: not a Sparring database or damaged ({exc}); move it aside or choose "
                "another file with --db PATH"
            ) from None
        except OSError as exc:
            raise StoreError(
                f"{self.path}: cannot {action} the database ({exc.strerror or exc}); choose another "
                "location with --db PATH"
            ) from None

    # --- reps and scenarios --------------------------------------------------------------
    def rep_id(self, name: str) -> int:
        name = rep_display_name(name)
        if not name:
            raise ValueError("a rep name is needed")
        with self._write("save the rep"):
            row = next(self.db.table("reps").rows_where("name = ?", [name]), None)
            if row:
                return row["id"]
            return _new_id(self.db.table("reps").insert({"name": name, "created_at": now()}))

    def rep_names(self) -> list[str]:
        with self._guard("read reps"):
            return [
                r["name"]
                for r in self.db.query(
                    "select r.name from reps r left join sessions s on s.rep_id = r.id "
                    "group by r.id order by max(coalesce(s.started_at, r.created_at)) desc"
                )
            ]

    def _record_scenario(self, scenario: Scenario) -> None:
        stamp = now()
        existing = (
            self.db.table("scenarios").get(scenario.id)
            if self.db.table("scenarios").count_where("id = ?", [scenario.id])
            else None
        )
        self.db.table("scenarios").upsert(
            {
                "id": scenario.id,
                "title": scenario.title,
                "call_type": scenario.call_type,
                "difficulty": scenario.difficulty,
                "format": scenario.version,
                "content_hash": scenario.content_hash,
                "path": str(scenario.path or ""),
                "first_played_at": existing["first_played_at"] if existing else stamp,
                "last_played_at": stamp,
            },
            pk="id",
        )

    # --- sessions and turns --------------------------------------------------------------
    def start_session(
        self,
        rep_name: str,
        scenario: Scenario,
        *,
        input_mode: str = "typed",
        mode: str = "solo",
        group_id: str | None = None,
        customer_played_by: str | None = None,
        live_call_id: int | None = None,
    ) -> int:
        """A new session, in progress. A call with a person as the customer names them
        (`customer_played_by`) and is tied to the live call they joined, in the same write."""
        rep = self.rep_id(rep_name)
        with self._write("start the session"):
            self._record_scenario(scenario)
            session_id = _new_id(
                self.db.table("sessions").insert(
                    {
                        "rep_id": rep,
                        "scenario_id": scenario.id,
                        "scenario_hash": scenario.content_hash,
                        "mode": mode,
                        "group_id": group_id,
                        "input_mode": input_mode,
                        "status": "in_progress",
                        "customer_played_by": customer_played_by,
                        "started_at": now(),
                    }
                )
            )
            if live_call_id is not None:
                self.db.table("live_calls").update(live_call_id, {"session_id": session_id})
            # The goal the rep set last time is checked at this session.
            goal = self._open_goal(rep)
            if goal and goal.reviewed_session_id is None:
                self.db.table("goals").update(goal.id, {"reviewed_session_id": session_id})
        return session_id

    def add_turn(self, session_id: int, turn: CallTurn, *, started_at: str | None = None) -> int:
        row: dict[str, Any] = {
            "session_id": session_id,
            "idx": turn.index,
            "speaker": turn.speaker,
            "text": turn.text,
            "started_at": started_at or now(),
            "ended_at": now(),
            "input_mode": turn.input_mode if turn.speaker == "rep" else None,
            "audio_path": turn.audio_path,
            "start_seconds": turn.start_seconds,
            "end_seconds": turn.end_seconds,
        }
        if turn.analysis is not None:
            row.update(turn.analysis.label_values())
            row["analysis_json"] = json.dumps(turn.analysis.to_json())
        if turn.customer is not None:
            row["customer_event"] = str(turn.customer.event)
            row["customer_json"] = json.dumps(turn.customer.to_json())
            row["trust_after"] = turn.customer.trust_after
        with self._write("save the turn"):
            return _new_id(self.db.table("turns").insert(row))

    def add_real_call(
        self,
        rep_name: str,
        scenario: Scenario | None,
        turns: list[CallTurn],
        figures: dict[FigureKey, Figure],
        *,
        input_mode: str,
        customer_name: str = "",
        source: str = "",
        uid: str | None = None,
    ) -> int:
        """A real call brought in for review (`spar import-call`), whole, in one write: the session
        (mode "real", no scripted customer, already ended), every turn and the figures. Without a
        scenario it is filed under REAL_CALL_SCENARIO, so every list that names a scenario has one."""
        with self._write("import the call"):
            rep = self.rep_id(rep_name)
            if scenario is not None:
                self._record_scenario(scenario)
                scenario_id, scenario_hash = scenario.id, scenario.content_hash
            else:
                scenario_id, scenario_hash = REAL_CALL_SCENARIO, None
                if not self.db.table("scenarios").count_where("id = ?", [scenario_id]):
                    self.db.table("scenarios").insert(
                        {"id": scenario_id, "title": REAL_CALL_TITLE, "call_type": "real call", "path": ""}
                    )
            stamp = now()
            session_id = _new_id(
                self.db.table("sessions").insert(
                    {
                        "rep_id": rep,
                        "scenario_id": scenario_id,
                        "scenario_hash": scenario_hash,
                        "mode": "real",
                        "input_mode": input_mode,
                        "status": "ended",
                        "started_at": stamp,
                        "ended_at": stamp,
                        "needs_uncovered_json": "[]",
                        "metrics_json": json.dumps({str(k): f.to_json() for k, f in figures.items()}),
                        "customer_name": customer_name,
                        "source": source,
                    }
                    | ({"uid": uid} if uid else {})
                )
            )
            for turn in turns:
                self.add_turn(session_id, turn, started_at=stamp)
        return session_id

    def end_session(self, session_id: int, snapshot: CallSnapshot, figures: dict[FigureKey, Figure]) -> None:
        with self._write("save the end of the call"):
            self.db.table("sessions").update(
                session_id,
                {
                    "status": "ended",
                    "ended_at": now(),
                    "end_reason": None if snapshot.end_reason is None else str(snapshot.end_reason),
                    "objective_met": int(snapshot.objective_met),
                    "final_trust": snapshot.trust,
                    "final_level": snapshot.level,
                    "needs_uncovered_json": json.dumps([n.to_json() for n in snapshot.needs_uncovered]),
                    "metrics_json": json.dumps({str(k): f.to_json() for k, f in figures.items()}),
                },
            )

    def save_debrief(self, session_id: int, answers: dict[str, str], debrief: Debrief) -> None:
        """Reflection answers, strengths, focus skill and next step: one write, plus the new goal."""
        stamp = now()
        focus = debrief.focus.skill
        next_step = (answers.get("next_step") or "").strip()
        with self._write("save the debrief"):
            session = self.db.table("sessions").get(session_id)
            existing = self.db.table("debriefs").count_where("session_id = ?", [session_id])
            self.db.table("debriefs").upsert(
                {
                    "session_id": session_id,
                    "what_happened": answers.get("what_happened", ""),
                    "went_well": answers.get("went_well", ""),
                    "do_differently": answers.get("do_differently", ""),
                    "next_step": next_step,
                    "focus_skill": focus,
                    "strengths_json": json.dumps([s.to_json() for s in debrief.strengths]),
                    "debrief_json": json.dumps(debrief.to_json()),
                    "created_at": self.db.table("debriefs").get(session_id)["created_at"] if existing else stamp,
                    "updated_at": stamp,
                },
                pk="session_id",
            )
            self.db.table("sessions").update(session_id, {"status": "debriefed"})
            row = next(self.db.table("goals").rows_where("session_id = ?", [session_id], order_by="id desc"), None)
            if row is None:
                self.db.table("goals").insert(
                    {
                        "rep_id": session["rep_id"],
                        "session_id": session_id,
                        "focus_skill": focus,
                        "next_step": next_step,
                        "created_at": stamp,
                    }
                )
            elif not Goal.from_row(row).agreed_with_coach:
                # Updated in place: the session that checks it, and when it was set, stay as they are.
                self.db.table("goals").update(row["id"], {"focus_skill": focus, "next_step": next_step})
            # A goal agreed with a coach changes only through the review (or `spar goal`): a rep's
            # screen saving again on the way out must not undo what the pair agreed.

    # --- reading -------------------------------------------------------------------------
    def _open_goal(self, rep_id: int) -> Goal | None:
        """The rep's most recent goal (focus skill and next step), to be checked this session."""
        row = next(
            self.db.table("goals").rows_where("rep_id = ?", [rep_id], order_by="created_at desc, id desc", limit=1),
            None,
        )
        return Goal.from_row(row) if row else None

    def latest_goal(self, rep_name: str) -> Goal | None:
        with self._guard("read goals"):
            rep = next(self.db.table("reps").rows_where("name = ?", [rep_display_name(rep_name)]), None)
            return self._open_goal(rep["id"]) if rep else None

    def session(self, session_id: int) -> SessionSummary:
        found = self._summaries("where s.id = ?", [session_id], 1)
        if not found:
            raise NotInStore(f"{self.path}: no session {session_id}; `spar history` lists them")
        return found[0]

    def turns(self, session_id: int) -> list[CallTurn]:
        with self._guard("read the turns"):
            rows = list(self.db.table("turns").rows_where("session_id = ?", [session_id], order_by="idx"))
        return [
            CallTurn(
                index=r["idx"],
                speaker=r["speaker"],
                text=r["text"],
                analysis=TurnAnalysis.from_json(json.loads(r["analysis_json"])) if r["analysis_json"] else None,
                customer=CustomerLine.from_json(json.loads(r["customer_json"])) if r["customer_json"] else None,
                audio_path=r["audio_path"],
                input_mode=r["input_mode"],
                started_at=r["started_at"],
                start_seconds=r.get("start_seconds"),
                end_seconds=r.get("end_seconds"),
            )
            for r in rows
        ]

    def debrief(self, session_id: int) -> SavedDebrief | None:
        with self._guard("read the debrief"):
            if not self.db.table("debriefs").count_where("session_id = ?", [session_id]):
                return None
            row = self.db.table("debriefs").get(session_id)
        from analysis.coaching.debrief import Debrief

        shown = None
        if row.get("debrief_json"):
            try:
                shown = Debrief.from_json(json.loads(row["debrief_json"]))
            except (ValueError, TypeError, AttributeError):
                shown = None  # a damaged copy: the answers above still show
        return SavedDebrief(
            row["what_happened"] or "",
            row["went_well"] or "",
            row["do_differently"] or "",
            row["next_step"] or "",
            row["focus_skill"],
            shown,
        )

    def figures(self, session_id: int) -> list[Figure]:
        """The figures stored when the call ended (none for an unfinished call)."""
        with self._guard("read the figures"):
            row = self.db.table("sessions").get(session_id)
        try:
            stored = json.loads(row.get("metrics_json") or "{}")
        except ValueError:
            return []
        figures = []
        for item in stored.values() if isinstance(stored, dict) else []:
            try:
                figures.append(Figure.from_json(item))
            except (KeyError, ValueError, TypeError):
                continue
        return figures

    def sessions(self, rep_name: str | None = None, limit: int = 50) -> list[SessionSummary]:
        if rep_name:
            return self._summaries("where r.name = ?", [rep_display_name(rep_name)], limit)
        return self._summaries("", [], limit)

    def _summaries(self, where: str, params: list[Any], limit: int) -> list[SessionSummary]:
        with self._guard("read the history"):
            rows = self.db.query(
                "select s.id, s.started_at, s.ended_at, s.status, s.end_reason, s.objective_met, s.final_level, "
                "s.input_mode, r.name as rep_name, s.scenario_id, sc.title as scenario_title, "
                "d.focus_skill, d.next_step, "
                "(select count(*) from turns t where t.session_id = s.id) as turn_count, "
                "(select count(*) from turns t where t.session_id = s.id and t.input_mode = 'spoken') as spoken_turns "
                f"from sessions s join reps r on r.id = s.rep_id left join scenarios sc on sc.id = s.scenario_id "
                f"left join debriefs d on d.session_id = s.id {where} order by s.started_at desc, s.id desc limit ?",
                params + [limit],
            )
            return [SessionSummary(**row) for row in rows]

    # --- progress and groups -------------------------------------------------------------
    def stored_sessions(self, *, rep_name: str | None = None, group_id: str | None = None) -> list[StoredSession]:
        """Ended sessions with their stored figures (a rep's, a group's, or all), oldest first."""
        where, params = ["s.metrics_json is not null"], []
        if rep_name is not None:
            where.append("r.name = ?")
            params.append(rep_display_name(rep_name))
        if group_id is not None:
            where.append("s.group_id = ?")
            params.append(group_id)
        with self._guard("read the sessions"):
            rows = list(
                self.db.query(
                    "select s.id, r.name as rep, s.scenario_id, s.started_at, s.objective_met, s.metrics_json, "
                    "s.mode, s.group_id, s.input_mode, d.focus_skill, d.next_step "
                    "from sessions s join reps r on r.id = s.rep_id left join debriefs d on d.session_id = s.id "
                    f"where {' and '.join(where)} order by s.started_at, s.id",
                    params,
                )
            )
        return [
            StoredSession(
                id=r["id"],
                rep=r["rep"],
                scenario_id=r["scenario_id"],
                started_at=r["started_at"],
                objective_met=bool(r["objective_met"]),
                figures=json.loads(r["metrics_json"]),
                mode=r["mode"] or "solo",
                group_id=r["group_id"],
                input_mode=r["input_mode"],
                focus_skill=r["focus_skill"],
                next_step=r["next_step"],
            )
            for r in rows
        ]

    def stored_goals(self, rep_name: str) -> list[StoredGoal]:
        """The goals a rep agreed, in the order they were set, with the session that checked each."""
        with self._guard("read goals"):
            rows = self.db.query(
                "select g.* from goals g join reps r on r.id = g.rep_id where r.name = ? order by g.created_at, g.id",
                [rep_display_name(rep_name)],
            )
            goals = [Goal.from_row(r) for r in rows]
        return [
            StoredGoal(
                g.focus_skill,
                g.next_step,
                g.session_id,
                g.reviewed_session_id,
                measure=g.checkable,
                measure_text=g.measure_text,
            )
            for g in goals
        ]

    def group_ids(self) -> list[str]:
        """Team groups, newest first."""
        with self._guard("read the groups"):
            return [
                r["group_id"]
                for r in self.db.query(
                    "select group_id from sessions where group_id is not null group by group_id "
                    "order by max(started_at) desc"
                )
            ]

    # --- coach review: notes, corrections, goals, export and import (issue #18) -----------
    def _require_turn(self, session_id: int, turn: int) -> dict[str, Any]:
        if not self.db.table("sessions").count_where("id = ?", [session_id]):
            raise NotInStore(f"{self.path}: no session {session_id}; `spar history` lists them")
        row = next(self.db.table("turns").rows_where("session_id = ? and idx = ?", [session_id, turn]), None)
        if row is None:
            count = self.db.table("turns").count_where("session_id = ?", [session_id])
            raise NotInStore(f"session {session_id} has no turn {turn + 1}; its turns are 1 to {count}")
        return row

    def add_note(self, session_id: int, turn: int, kind: NoteKind | str, text: str, author: str = "") -> Note:
        """A note on one turn (0-based), strategic or tactical: one write."""
        note = Note(turn, NoteKind(kind), text.strip(), " ".join(author.split()), now())
        if not note.text:
            raise ValueError("a note needs some text")
        with self._write("save the note"):
            self._require_turn(session_id, turn)
            self.db.table("notes").insert({"session_id": session_id, "turn_idx": turn} | _note_row(note))
        return note

    def add_correction(self, session_id: int, turn: int, label: str, value: LabelValue, author: str = "") -> Correction:
        """A coach's value for one label of one rep turn (0-based): one write; the latest per label wins."""
        correction = Correction.from_json(
            {"turn": turn, "label": label, "value": value, "author": " ".join(author.split()), "created_at": now()}
        )
        with self._write("save the correction"):
            row = self._require_turn(session_id, turn)
            if row["speaker"] != "rep" or not row["analysis_json"]:
                raise NotInStore(
                    f"turn {turn + 1} of session {session_id} is the customer's; only your turns have labels"
                )
            self.db.table("corrections").insert(
                {"session_id": session_id, "turn_idx": turn} | _correction_row(correction)
            )
        return correction

    def rep_turn(self, session_id: int, turn: int) -> CallTurn:
        """One rep turn (0-based) of a session; NotInStore for a missing session or turn, or the customer's."""
        with self._guard("read the turn"):
            row = self._require_turn(session_id, turn)
        if row["speaker"] != "rep" or not row["analysis_json"]:
            raise NotInStore(
                f"turn {turn + 1} of session {session_id} is the customer's; pick one of your turns to try again"
            )
        return CallTurn(
            row["idx"], row["speaker"], row["text"], TurnAnalysis.from_json(json.loads(row["analysis_json"])),
            None, row["audio_path"], row["input_mode"], row["started_at"],
        )  # fmt: skip

    def played_scenario(self, session_id: int) -> PlayedScenario:
        with self._guard("read the session"):
            row = next(
                self.db.query(
                    "select s.scenario_id, s.scenario_hash, s.customer_played_by, sc.path, sc.title "
                    "from sessions s left join scenarios sc on sc.id = s.scenario_id where s.id = ?",
                    [session_id],
                ),
                None,
            )
        if row is None:
            raise NotInStore(f"{self.path}: no session {session_id}; `spar history` lists them")
        return PlayedScenario(
            row["scenario_id"],
            row["scenario_hash"] or "",
            row["path"] or "",  # where the file was when last played here; its hash tells if it is the call's
            row["title"] or row["scenario_id"],
            row["customer_played_by"],
        )

    def add_retry(
        self,
        session_id: int,
        turn: int,
        text: str,
        analysis: TurnAnalysis,
        reaction: CustomerLine,
        *,
        assisted: bool,
        how: str = "",
        author: str = "",
        input_mode: str = "typed",
    ) -> Retry:
        """A new attempt at one rep turn (0-based), kept beside the original: one write."""
        text = text.strip()
        if not text:
            raise RetryError("a retry needs some words")
        row: dict[str, Any] = {
            "session_id": session_id,
            "turn_idx": turn,
            "text": text,
            "input_mode": input_mode,
            **analysis.label_values(),
            "analysis_json": json.dumps(analysis.to_json()),
            "customer_event": str(reaction.event),
            "customer_json": json.dumps(reaction.to_json()),
            "assisted": int(assisted),
            "how": " ".join(how.split()),
            "author": " ".join(author.split()),
            "created_at": now(),
        }
        with self._write("save the retry"):
            found = self._require_turn(session_id, turn)
            if found["speaker"] != "rep" or not found["analysis_json"]:
                raise NotInStore(
                    f"turn {turn + 1} of session {session_id} is the customer's; only your turns can be tried again"
                )
            retry_id = _new_id(self.db.table("retries").insert(row))
        return _retry(row | {"id": retry_id})

    def retries(self, session_id: int) -> list[Retry]:
        """The session's retries, oldest first."""
        return self.retries_of([session_id]).get(session_id, [])

    def retries_of(self, session_ids: list[int]) -> dict[int, list[Retry]]:
        """The retries of each of these sessions (those with none are left out), oldest first."""
        found: dict[int, list[Retry]] = {}
        if not session_ids:
            return found
        rows: list[dict[str, Any]] = []
        with self._guard("read the retries"):
            for start in range(0, len(session_ids), 500):  # SQLite caps the parameters of one query
                chunk = list(session_ids[start : start + 500])
                marks = ", ".join("?" for _ in chunk)
                rows += self.db.query(f"select * from retries where session_id in ({marks})", chunk)
        rows.sort(key=lambda r: (r["created_at"], r["id"]))
        for row in rows:
            found.setdefault(row["session_id"], []).append(_retry(row))
        return found

    def notes(self, session_id: int) -> list[Note]:
        with self._guard("read the notes"):
            rows = self.db.table("notes").rows_where("session_id = ?", [session_id], order_by="created_at, id")
            return [Note.from_json(_row_json(r)) for r in rows]

    def corrections(self, session_id: int | None = None) -> list[Correction]:
        """Oldest first, so the last one per turn and label is the one that wins."""
        with self._guard("read the corrections"):
            where, params = ("session_id = ?", [session_id]) if session_id is not None else (None, [])
            rows = self.db.table("corrections").rows_where(where, params, order_by="created_at, id")
            return [Correction.from_json(_row_json(r)) for r in rows]

    def corrected_turns(self) -> list[tuple[int, TurnAnalysis, list[Correction]]]:
        """Every rep turn a coach corrected: its session, the analyzer's analysis, its corrections."""
        with self._guard("read the corrections"):
            rows = list(
                self.db.query(
                    "select c.*, t.analysis_json from corrections c join turns t "
                    "on t.session_id = c.session_id and t.idx = c.turn_idx order by c.created_at, c.id"
                )
            )
        found: dict[tuple[int, int], tuple[TurnAnalysis, list[Correction]]] = {}
        for row in rows:
            key = (row["session_id"], row["turn_idx"])
            if key not in found:
                found[key] = (TurnAnalysis.from_json(json.loads(row["analysis_json"])), [])
            found[key][1].append(Correction.from_json(_row_json(row)))
        return [(session, analysis, corrections) for (session, _), (analysis, corrections) in found.items()]

    def call_facts(self, session_id: int) -> CallFacts:
        with self._guard("read the session"):
            if not self.db.table("sessions").count_where("id = ?", [session_id]):
                raise NotInStore(f"{self.path}: no session {session_id}; `spar history` lists them")
            row = self.db.table("sessions").get(session_id)
            debrief = next(self.db.table("debriefs").rows_where("session_id = ?", [session_id]), None)
        metrics = json.loads(row["metrics_json"]) if row["metrics_json"] else {}
        needs = json.loads(row["needs_uncovered_json"]) if row["needs_uncovered_json"] else []
        total = (metrics.get(str(FigureKey.NEEDS_UNCOVERED)) or {}).get("detail", {}).get("total", len(needs))
        required = (metrics.get(str(FigureKey.ASK_BEFORE_ADVOCATE)) or {}).get("detail", {}).get("required", 2)
        return CallFacts(
            needs_total=int(total),
            needs_uncovered=tuple(RevealedNeed(n["id"], n["title"], int(n["turn"])) for n in needs),
            discovery_before_pitch=int(required),
            debrief=json.loads(debrief["debrief_json"]) if debrief and debrief["debrief_json"] else None,
            mode=row["mode"] or "solo",
            customer_name=row.get("customer_name") or "",
        )

    def session_goal(self, session_id: int) -> Goal | None:
        """The goal agreed at this session's debrief, if any."""
        with self._guard("read goals"):
            row = next(self.db.table("goals").rows_where("session_id = ?", [session_id], order_by="id desc"), None)
        return Goal.from_row(row) if row else None

    def agree_goal(
        self,
        session_id: int,
        *,
        measure: str,
        due_date: str,
        next_step: str | None = None,
        focus_skill: str | None = None,
        agreed_by: str = "",
        checkable: GoalMeasure | None = None,
    ) -> Goal:
        """The goal of this session's debrief, given a measure and a date (and, if given, a new next
        step or focus): one write. A session not yet debriefed gets its goal here.

        CHECKABLE is the measure as a figure, comparison and number; MEASURE, when empty, is then
        its words. Without CHECKABLE the measure is words only and any earlier checkable one goes."""
        measure = measure.strip() or (checkable.text() if checkable else "")
        with self._write("save the goal"):
            session = self.db.table("sessions").get(session_id) if self._has_session(session_id) else None
            if session is None:
                raise NotInStore(f"{self.path}: no session {session_id}; `spar history` lists them")
            row = next(self.db.table("goals").rows_where("session_id = ?", [session_id], order_by="id desc"), None)
            changes: dict[str, Any] = {
                "measure": measure,
                "due_date": due_date.strip(),
                "agreed_by": agreed_by,
                "measure_key": checkable.key if checkable else None,
                "measure_comparison": str(checkable.comparison) if checkable else None,
                "measure_target": checkable.target if checkable else None,
            }
            if next_step is not None:
                changes["next_step"] = next_step.strip()
            if focus_skill is not None:
                changes["focus_skill"] = focus_skill
            if row is None:
                table = self.db.table("goals")
                goal_id = _new_id(
                    table.insert({"rep_id": session["rep_id"], "session_id": session_id, "created_at": now()} | changes)
                )
            else:
                goal_id = row["id"]
                self.db.table("goals").update(goal_id, changes)
            return Goal.from_row(self.db.table("goals").get(goal_id))

    def save_pair_debrief(
        self,
        session_id: int,
        pair: PairDebrief,
        *,
        focus_skill: str,
        next_step: str,
        measure: str,
        due_date: str,
        checkable: GoalMeasure | None = None,
    ) -> Goal:
        """The pair's debrief of a call and the goal it agreed (focus skill, measure, next step,
        date): one write, so a goal never stands without the talk that set it, nor the talk
        without its goal. Saving again replaces both."""
        stamp = now()
        with self._write("save the pair's debrief"):
            goal = self.agree_goal(
                session_id,
                measure=measure,
                due_date=due_date,
                next_step=next_step,
                focus_skill=focus_skill,
                agreed_by=pair.coach,
                checkable=checkable,
            )
            existing = next(self.db.table("pair_debriefs").rows_where("session_id = ?", [session_id]), None)
            self.db.table("pair_debriefs").upsert(
                {
                    "session_id": session_id,
                    "coach": pair.coach,
                    "answers_json": json.dumps([a.to_json() for a in pair.answers]),
                    "gaps_json": json.dumps([g.to_json() for g in pair.gaps]),
                    "created_at": existing["created_at"] if existing else stamp,
                    "updated_at": stamp,
                },
                pk="session_id",
            )
        return goal

    def pair_debrief(self, session_id: int) -> PairDebrief | None:
        """The pair's debrief of this call, if the rep and a coach have held one."""
        with self._guard("read the pair's debrief"):
            row = next(self.db.table("pair_debriefs").rows_where("session_id = ?", [session_id]), None)
        if row is None:
            return None
        try:
            answers: tuple[PairAnswer, ...] = answers_from_json(json.loads(row["answers_json"] or "[]"))
            gaps = tuple(g for g in (gap_from_json(d) for d in json.loads(row["gaps_json"] or "[]")) if g)
        except (ValueError, TypeError, AttributeError):
            answers, gaps = (), ()  # a damaged copy: the goal itself is in the goals table
        return PairDebrief(answers, gaps, row["coach"] or "", row["updated_at"] or "")

    # --- team roleplay: observers' rubric scores (issue #20) ---------------------------------
    def save_observer_scores(
        self, session_id: int, scoring: ObserverScoring, titles: Mapping[str, str]
    ) -> ObserverScoring:
        """One observer's scores of one call (TITLES: each criterion's wording): one write. The same
        observer (by name, any case) scoring the call again replaces their earlier scores."""
        observer = " ".join(scoring.observer.split())
        if not observer:
            raise ValueError("an observer needs a name")
        if not scoring.scores:
            raise ValueError("a scoring needs at least one score")
        saved = ObserverScoring(observer, scoring.scores, " ".join(scoring.note.split()), now())
        with self._write("save the observer's scores"):
            if not self._has_session(session_id):
                raise NotInStore(
                    f"{self.path}: no session {session_id}; `spar team show GROUP` names a group's sessions"
                )
            table = self.db.table("observer_scores")
            table.delete_where("session_id = ? and lower(observer) = lower(?)", [session_id, observer])
            table.insert_all(_observer_rows(session_id, saved, titles))
        return saved

    def observer_scorings(self, session_ids: Sequence[int]) -> dict[int, list[ObserverScoring]]:
        """Every observer's scoring of each of these calls, oldest first."""
        found: dict[int, dict[str, ObserverScoring]] = {i: {} for i in session_ids}
        if not session_ids:
            return {}
        marks = ", ".join("?" for _ in session_ids)
        with self._guard("read the observers' scores"):
            rows = list(
                self.db.query(
                    f"select * from observer_scores where session_id in ({marks}) order by created_at, id",
                    list(session_ids),
                )
            )
        for row in rows:
            by_observer = found[row["session_id"]]
            earlier = by_observer.get(row["observer"])
            scores = (earlier.scores if earlier else ()) + ((row["criterion"], row["score"]),)
            by_observer[row["observer"]] = ObserverScoring(
                row["observer"], scores, row["note"] or "", row["created_at"]
            )
        return {i: list(by_observer.values()) for i, by_observer in found.items()}

    def session_group(self, session_id: int) -> str | None:
        """The team group a session was played in, if any."""
        with self._guard("read the session"):
            row = next(self.db.query("select group_id from sessions where id = ?", [session_id]), None)
        return row["group_id"] if row else None

    def scored_titles(self, session_ids: Sequence[int]) -> dict[str, str]:
        """The wording of every criterion scored on these calls, as the observers saw it."""
        if not session_ids:
            return {}
        marks = ", ".join("?" for _ in session_ids)
        with self._guard("read the observers' scores"):
            rows = self.db.query(
                f"select criterion, title from observer_scores where session_id in ({marks}) order by id",
                list(session_ids),
            )
            return {r["criterion"]: r["title"] or r["criterion"] for r in rows}

    def _has_session(self, session_id: int) -> bool:
        return bool(self.db.table("sessions").count_where("id = ?", [session_id]))

    def session_ids(self, since: str | None = None) -> list[int]:
        """Every session, oldest first; with SINCE (a date or time, as stored), those started then or later."""
        with self._guard("read the history"):
            where, params = ("started_at >= ?", [since]) if since else (None, [])
            return [r["id"] for r in self.db.table("sessions").rows_where(where, params, order_by="started_at, id")]

    def export_session(self, session_id: int) -> dict[str, Any]:
        """Everything stored about one session, as JSON that `import_session` restores."""
        with self._guard("read the session"):
            if not self._has_session(session_id):
                raise NotInStore(f"{self.path}: no session {session_id}; `spar history` lists them")
            session = self.db.table("sessions").get(session_id)
            rep = self.db.table("reps").get(session["rep_id"])
            scenario = next(self.db.table("scenarios").rows_where("id = ?", [session["scenario_id"]]), None)
            turns = list(self.db.table("turns").rows_where("session_id = ?", [session_id], order_by="idx"))
            debrief = next(self.db.table("debriefs").rows_where("session_id = ?", [session_id]), None)
            retries = list(
                self.db.table("retries").rows_where("session_id = ?", [session_id], order_by="created_at, id")
            )
            pair = next(self.db.table("pair_debriefs").rows_where("session_id = ?", [session_id]), None)
            goals = list(
                self.db.query(
                    "select g.*, s.uid as reviewed_session_uid from goals g left join sessions s "
                    "on s.id = g.reviewed_session_id where g.session_id = ? order by g.created_at, g.id",
                    [session_id],
                )
            )
        return {
            "format": EXPORT_FORMAT,
            "version": EXPORT_VERSION,
            "uid": session["uid"],
            "rep": rep["name"],
            # The scenario as the session knows it; when and where this machine played it stay here.
            "scenario": _unpack(scenario, ("path", "first_played_at", "last_played_at")) if scenario else None,
            "session": _unpack(session, ("id", "rep_id", "uid")),
            "turns": [_unpack(t, ("id", "session_id")) for t in turns],
            "debrief": _unpack(debrief, ("session_id",)) if debrief else None,
            "pair_debrief": _unpack(pair, ("session_id",)) if pair else None,
            "goals": [_unpack(g, ("id", "rep_id", "session_id", "reviewed_session_id")) for g in goals],
            "notes": [n.to_json() for n in self.notes(session_id)],
            "corrections": [c.to_json() for c in self.corrections(session_id)],
            # Added with retries (still export version 1: an older export simply has none).
            "retries": [_unpack(r, ("id", "session_id")) for r in retries],
            "observer_scores": [
                scoring.to_json() | {"titles": self.scored_titles([session_id])}
                for scoring in self.observer_scorings([session_id])[session_id]
            ],
        }

    def find_session(self, uid: str) -> int | None:
        with self._guard("read the history"):
            row = next(self.db.table("sessions").rows_where("uid = ?", [uid]), None)
        return row["id"] if row else None

    def import_session(self, data: dict[str, Any]) -> tuple[int, bool]:
        """Restore an exported session: one write. Returns its id here and whether it is new: a
        session already here (the same uid) is left as it is and nothing is added."""
        if not isinstance(data, dict) or data.get("format") != EXPORT_FORMAT:
            raise NotAnExport(f'not a Sparring session export (no "format": "{EXPORT_FORMAT}")')
        if data.get("version") != EXPORT_VERSION:
            raise NotAnExport(f"export version {data.get('version')!r}; this Sparring reads version {EXPORT_VERSION}")
        uid, rep_name, session = data.get("uid"), data.get("rep"), data.get("session")
        if not isinstance(uid, str) or not uid or not isinstance(rep_name, str) or not isinstance(session, dict):
            raise NotAnExport("an export needs its uid, rep and session")
        turns, goals, retries = data.get("turns") or [], data.get("goals") or [], data.get("retries") or []
        if not isinstance(turns, list) or not isinstance(goals, list) or not isinstance(retries, list):
            raise NotAnExport("turns, goals and retries are lists")
        try:
            notes = [Note.from_json(n) for n in data.get("notes") or []]
            corrections = [Correction.from_json(c) for c in data.get("corrections") or []]
            for retry in retries:
                _retry(_pack(retry, {"text": str, "turn_idx": int, "analysis_json": str, "customer_json": str,
                                     "assisted": int, "how": str, "author": str, "created_at": str}) | {"id": 0})  # fmt: skip
            scorings = [_scoring_from_json(o) for o in data.get("observer_scores") or []]
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise NotAnExport(f"a note, correction, retry or observer's score cannot be read ({exc})") from None
        with self._write("import the session"):
            try:
                existing = self.find_session(uid)
                if existing is not None:
                    return existing, False
                rep = self.rep_id(rep_name)
                scenario_id = session.get("scenario_id")
                if not isinstance(scenario_id, str) or not scenario_id:
                    raise NotAnExport("the session names no scenario")
                if not self.db.table("scenarios").count_where("id = ?", [scenario_id]):
                    scenario = _pack(data.get("scenario") or {}, self.db.table("scenarios").columns_dict)
                    self.db.table("scenarios").insert(scenario | {"id": scenario_id})
                row = _pack(session, self.db.table("sessions").columns_dict, ("id", "rep_id", "uid"))
                session_id = _new_id(self.db.table("sessions").insert(row | {"rep_id": rep, "uid": uid}))
                turn_columns = self.db.table("turns").columns_dict
                for turn in turns:
                    self.db.table("turns").insert(_pack(turn, turn_columns, ("id",)) | {"session_id": session_id})
                if data.get("debrief"):
                    debrief = _pack(data["debrief"], self.db.table("debriefs").columns_dict)
                    self.db.table("debriefs").insert(debrief | {"session_id": session_id})
                if data.get("pair_debrief"):
                    pair = _pack(data["pair_debrief"], self.db.table("pair_debriefs").columns_dict)
                    self.db.table("pair_debriefs").insert(pair | {"session_id": session_id})
                goal_columns = self.db.table("goals").columns_dict
                for goal in goals:
                    reviewed = goal.get("reviewed_session_uid") if isinstance(goal, dict) else None
                    row = _pack(goal, goal_columns, ("id", "rep_id", "session_id", "reviewed_session_id"))
                    row["reviewed_session_id"] = self.find_session(reviewed) if isinstance(reviewed, str) else None
                    self.db.table("goals").insert(row | {"rep_id": rep, "session_id": session_id})
                for note in notes:
                    self.db.table("notes").insert({"session_id": session_id, "turn_idx": note.turn} | _note_row(note))
                for correction in corrections:
                    self.db.table("corrections").insert(
                        {"session_id": session_id, "turn_idx": correction.turn} | _correction_row(correction)
                    )
                retry_columns = self.db.table("retries").columns_dict
                for retry in retries:
                    self.db.table("retries").insert(_pack(retry, retry_columns, ("id",)) | {"session_id": session_id})
                for scoring, titles in scorings:
                    self.db.table("observer_scores").insert_all(_observer_rows(session_id, scoring, titles))
            except (sqlite3.IntegrityError, TypeError, AttributeError) as exc:
                raise NotAnExport(f"a part of the session cannot be stored ({exc})") from None
        return session_id, True

    # --- a person playing the customer from another terminal (issue #20) -----------------
    def open_live_call(self, scenario: Scenario, rep_name: str) -> LiveCall:
        """A call waiting for a person to join as the customer, with a join code no open call uses.
        The scenario is recorded with its file, so the customer's terminal reads the same card."""
        with self._write("open the call for a live customer"):
            self._record_scenario(scenario)
            taken = {
                r["code"]
                for r in self.db.query(
                    "select l.code from live_calls l left join sessions s on s.id = l.session_id "
                    "where l.status = 'waiting' or (l.status = 'joined' and coalesce(s.status, 'in_progress') "
                    "= 'in_progress')"
                )
            }
            code = f"{random.randrange(1000, 10000)}"
            while code in taken:  # four digits: easy to read out across the room
                code = f"{random.randrange(1000, 10000)}"
            live_id = _new_id(
                self.db.table("live_calls").insert(
                    {
                        "code": code,
                        "scenario_id": scenario.id,
                        "rep_name": rep_display_name(rep_name),
                        "status": str(LiveStatus.WAITING),
                        "created_at": now(),
                        "rep_seen_at": now(),
                    }
                )
            )
        return self.live_call(live_id)

    def scenario_path(self, scenario_id: str) -> str | None:
        """The file a scenario was last played from, as recorded (None if unknown)."""
        with self._guard("read the scenario"):
            row = next(self.db.table("scenarios").rows_where("id = ?", [scenario_id]), None)
        return (row["path"] or None) if row else None

    def live_call(self, live_id: int) -> LiveCall:
        with self._guard("read the live call"):
            row = next(self.db.table("live_calls").rows_where("id = ?", [live_id]), None)
        if row is None:
            raise NotInStore(f"{self.path}: no live call {live_id}")
        return _live_call(row)

    def live_calls(self, *, code: str | None = None, session_id: int | None = None) -> list[LiveCall]:
        """Live calls, newest first: all, those with a join code, or the one of a session."""
        where: list[str] = []
        params: list[Any] = []
        if code is not None:
            where.append("code = ?")
            params.append(code)
        if session_id is not None:
            where.append("session_id = ?")
            params.append(session_id)
        with self._guard("read the live calls"):
            rows = self.db.table("live_calls").rows_where(" and ".join(where) or None, params, order_by="id desc")
            return [_live_call(r) for r in rows]

    def join_live_call(self, live_id: int, customer_name: str) -> LiveCall:
        """The person joins as the customer: one write, refused unless the call is still waiting."""
        name = rep_display_name(customer_name)
        if not name:
            raise ValueError("a name is needed")
        with self._write("join the call"):
            call = self.live_call(live_id)
            if call.status is not LiveStatus.WAITING:
                why = {
                    LiveStatus.JOINED: f"{call.customer_name} has already joined it",
                    LiveStatus.LEFT: f"{call.customer_name} played it and left",
                    LiveStatus.CANCELLED: f"{call.rep_name} cancelled it",
                }[call.status]
                raise NotInStore(f"call {call.code} cannot be joined: {why}; ask the rep to start a new one")
            stamp = now()
            self.db.table("live_calls").update(
                live_id,
                {"status": str(LiveStatus.JOINED), "customer_name": name, "joined_at": stamp, "seen_at": stamp},
            )
        return self.live_call(live_id)

    def live_heartbeat(self, live_id: int, *, rep: bool = False) -> None:
        """The customer's terminal (or with REP, the rep's) is still there."""
        with self._write("say this terminal is still there"):
            self.db.table("live_calls").update(live_id, {"rep_seen_at" if rep else "seen_at": now()})

    def close_live_call(self, live_id: int, status: LiveStatus) -> None:
        """The customer left, or the rep cancelled: only a call still waiting or joined changes."""
        with self._write("close the live call"):
            self.db.execute(
                "update live_calls set status = ?, ended_at = ? where id = ? and status in ('waiting', 'joined')",
                [str(status), now(), live_id],
            )

    def add_live_reply(self, live_id: int, reply: LiveReply) -> bool:
        """The customer's line for a turn: one write; False if a line for that turn is already in."""
        with self._write("send your line"):
            if self.db.table("live_replies").count_where("live_call_id = ? and idx = ?", [live_id, reply.index]):
                return False
            self.db.table("live_replies").insert(
                {
                    "live_call_id": live_id,
                    "idx": reply.index,
                    "text": reply.text,
                    "reaction": str(reply.reaction),
                    "need_id": reply.need_id,
                    "objection_id": reply.objection_id,
                    "level": reply.level,
                    "created_at": now(),
                }
            )
        return True

    def live_reply(self, live_id: int, index: int) -> LiveReply | None:
        with self._guard("read the customer's line"):
            row = next(self.db.table("live_replies").rows_where("live_call_id = ? and idx = ?", [live_id, index]), None)
        if row is None:
            return None
        return LiveReply(
            row["idx"], row["text"], Reaction(row["reaction"]), row["need_id"], row["objection_id"], row["level"] or ""
        )


def _live_call(row: dict[str, Any]) -> LiveCall:
    return LiveCall(
        id=row["id"],
        code=row["code"],
        scenario_id=row["scenario_id"],
        rep_name=row["rep_name"],
        status=LiveStatus(row["status"]),
        customer_name=row["customer_name"] or "",
        session_id=row["session_id"],
        seen_at=row["seen_at"],
        rep_seen_at=row["rep_seen_at"],
    )


def _retry(row: dict[str, Any]) -> Retry:
    analysis = row["analysis_json"]
    reaction = row["customer_json"]
    return Retry(
        id=row["id"],
        turn=row["turn_idx"],
        text=row["text"],
        analysis=TurnAnalysis.from_json(json.loads(analysis) if isinstance(analysis, str) else analysis),
        reaction=RetryReaction.from_json(json.loads(reaction) if isinstance(reaction, str) else reaction),
        assisted=bool(row["assisted"]),
        how=row["how"] or "",
        author=row["author"] or "",
        created_at=row["created_at"],
    )


def _note_row(note: Note) -> dict[str, Any]:
    return {"kind": str(note.kind), "text": note.text, "author": note.author, "created_at": note.created_at}


def _correction_row(correction: Correction) -> dict[str, Any]:
    return {
        "label": correction.label,
        "value_json": json.dumps(correction.value),
        "author": correction.author,
        "created_at": correction.created_at,
    }


def _observer_rows(session_id: int, scoring: ObserverScoring, titles: Mapping[str, str]) -> list[dict[str, Any]]:
    """An observer's scoring as rows, one per rubric line (the note and time on each)."""
    return [
        {
            "session_id": session_id,
            "observer": scoring.observer,
            "criterion": criterion,
            "title": titles.get(criterion, criterion),
            "score": score,
            "note": scoring.note,
            "created_at": scoring.created_at,
        }
        for criterion, score in scoring.scores
    ]


def _scoring_from_json(data: dict[str, Any]) -> tuple[ObserverScoring, dict[str, str]]:
    """An exported scoring back, with its criteria's titles."""
    observer = " ".join(str(data["observer"]).split())
    scores = tuple((str(c), int(v)) for c, v in dict(data["scores"]).items())
    if not observer or not scores or not isinstance(data.get("created_at"), str):
        raise ValueError("an observer's scoring needs the observer, scores and when")
    titles = {str(c): str(t) for c, t in dict(data.get("titles") or {}).items()}
    return ObserverScoring(observer, scores, str(data.get("note") or ""), data["created_at"]), titles


def _row_json(row: dict[str, Any]) -> dict[str, Any]:
    """A notes or corrections row as its record's JSON."""
    out = {"turn": row["turn_idx"], "author": row["author"], "created_at": row["created_at"]}
    if "value_json" in row:
        return out | {"label": row["label"], "value": json.loads(row["value_json"])}
    return out | {"kind": row["kind"], "text": row["text"]}
