"""Opening the database and the transactions every read and write of the Store goes through.

`StoreBase` holds the connection (`db`, `path`, `timeout`, `read_only`); `_write` makes one
logical write one transaction, `_guard` turns SQLite's errors into one line for the user, and
`_retrying` waits out another process's lock. The file is inspected read-only before it is opened.
"""

from __future__ import annotations

import os
import random
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import Enum
from pathlib import Path
from typing import TypeVar

import sqlite_utils

from simulator.storage.migrations import migrations
from simulator.storage.records import StoreError

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


class StoreBase:
    """The connection and its transactions; the Store's parts (mixins) build on it."""

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
