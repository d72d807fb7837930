"""The Store: every read and write of Sparring's SQLite database.

One logical write is one transaction, begun with `BEGIN IMMEDIATE`: a turn is on disk the moment it
is said, so a crash or a killed process mid-call keeps every earlier turn; and a writer takes the
write lock before its first read, so several processes on one file wait their turn instead of
failing (a transaction that reads and then writes cannot wait for the lock: SQLite refuses it at
once). A connection belongs to the thread that opened it; the app writes from its main thread only.

Opening never changes a file that is not Sparring's: the file is looked at read-only first, and a
non-empty SQLite file without Sparring's migrations is refused before anything is written.

The Store is assembled here from its parts, one module per concern, all in this folder:
`connection.py` (opening the file, transactions: `_write`, `_guard`, `_retrying`), `records.py`
(what it hands back, its errors), `sessions.py` (reps, sessions, turns, the rep's debrief and
goal), `progress.py` (figures and goals over many sessions, groups), `review.py` (a coach's notes,
corrections, retries, agreed goals, the pair's debrief), `team.py` (observers' scores, live
calls) and `exchange.py` (export and import). Every name is still importable from here.
"""

from __future__ import annotations

from simulator.storage.connection import (
    BUSY_SLICE_SECONDS,
    DEFAULT_WAIT_SECONDS,
    FIRST_BACKOFF_SECONDS,
    KNOWN_MIGRATIONS,
    LONGEST_BACKOFF_SECONDS,
    MIGRATIONS_TABLE,
    FileState,
    StoreBase,
    connect_read_only,
    inspect_file,
)
from simulator.storage.exchange import ExchangeMixin
from simulator.storage.progress import ProgressMixin
from simulator.storage.records import (
    EXPORT_FORMAT,
    EXPORT_VERSION,
    REAL_CALL_SCENARIO,
    REAL_CALL_TITLE,
    SUMMARY_COLUMNS,
    CallFacts,
    Goal,
    NotAnExport,
    NotInStore,
    PlayedScenario,
    SavedDebrief,
    SessionSummary,
    StoreError,
    local_time,
    now,
    session_result,
)
from simulator.storage.review import ReviewMixin
from simulator.storage.sessions import SessionsMixin
from simulator.storage.team import TeamMixin

__all__ = [
    "BUSY_SLICE_SECONDS",
    "DEFAULT_WAIT_SECONDS",
    "EXPORT_FORMAT",
    "EXPORT_VERSION",
    "FIRST_BACKOFF_SECONDS",
    "KNOWN_MIGRATIONS",
    "LONGEST_BACKOFF_SECONDS",
    "MIGRATIONS_TABLE",
    "REAL_CALL_SCENARIO",
    "REAL_CALL_TITLE",
    "SUMMARY_COLUMNS",
    "CallFacts",
    "FileState",
    "Goal",
    "NotAnExport",
    "NotInStore",
    "PlayedScenario",
    "SavedDebrief",
    "SessionSummary",
    "Store",
    "StoreBase",
    "StoreError",
    "connect_read_only",
    "inspect_file",
    "local_time",
    "now",
    "session_result",
]


class Store(ExchangeMixin, ReviewMixin, TeamMixin, ProgressMixin, SessionsMixin):
    """Every read and write of Sparring's database: one class, its methods kept by concern in the
    modules beside this one (the connection in `StoreBase`, `connection.py`)."""
