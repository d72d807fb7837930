"""What every command shares: the one-line error, the database and scenario lookups, and the heavy
parts (language and speech models) made on demand, which tests replace through `Parts`."""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import click

from simulator.config import Settings

if TYPE_CHECKING:
    from analysis.language.analyzer import Analyzer
    from analysis.language.meaning import SentenceEncoder
    from analysis.speech.engines import Transcriber
    from simulator.domain.customer import CallTurn
    from simulator.domain.scenario import Scenario
    from simulator.storage import Store

DB_HELP = "SQLite file to use (default: $SPAR_DB, else sparring.db in your data directory)."
ENGINE_HELP = "faster-whisper (default, faster on a CPU) or openai-whisper."
MODEL_HELP = "Whisper model: tiny.en (default, works offline) or a named model such as base.en (downloads)."
DEFAULTS = Settings()

# Exit codes: a problem with the user's data (replies file, database), or with what they asked for
# (unknown scenario, broken scenario file, malformed JSONL).
DATA_PROBLEM = 1
BAD_REQUEST = 2


def fail(message: str, code: int = DATA_PROBLEM) -> NoReturn:
    click.echo(f"spar: {message}", err=True)
    sys.exit(code)


def _default_analyzer() -> Analyzer:
    from analysis.language.analyzer import Analyzer, AnalyzerError

    try:
        return Analyzer(convention=DEFAULTS.question_convention)
    except AnalyzerError as exc:
        fail(str(exc))


def _default_transcriber(engine: str, model: str, verbatim: bool = False) -> Transcriber:
    from analysis.speech.engines import Transcriber, TranscriptionError

    try:
        return Transcriber(engine, model, verbatim=verbatim)
    except TranscriptionError as exc:
        fail(str(exc), BAD_REQUEST)


def _default_encoder() -> SentenceEncoder | None:
    """The sentence model the customer understands questions with; None (topic words) if it cannot load."""
    from analysis.language.meaning import MeaningModelError, shared_encoder

    try:
        return shared_encoder()  # the analyzer's SPIN examples use the same one
    except MeaningModelError as exc:
        click.echo(f"spar: {exc}; the customer will match questions by topic words only", err=True)
        return None


@dataclass
class Parts:
    """The heavy parts a command uses, made only when it needs them; tests pass their own
    (`CliRunner().invoke(cli, args, obj=Parts(...))`)."""

    analyzer: Callable[[], Analyzer] = _default_analyzer
    transcriber: Callable[[str, str, bool], Transcriber] = _default_transcriber
    encoder: Callable[[], SentenceEncoder | None] = _default_encoder


def parts() -> Parts:
    return click.get_current_context().ensure_object(Parts)


def db_path(db: str | None) -> Path:
    from simulator import locations

    return Path(db) if db else locations.default_db_path()


def open_store(db: str | None, *, read_only: bool = False, failure_code: int = DATA_PROBLEM) -> Store:
    """The database, opened for a command; `read_only` for commands that only read (nothing is
    created or changed, so a read-only file can still be read).

    Sparring creates its own data directory; any other folder must already exist (a mistyped
    --db is then one line, not a tree of new folders)."""
    from simulator import locations
    from simulator.storage import Store, StoreError

    path = db_path(db)
    if not read_only and path.parent == locations.data_dir():
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            fail(
                f"{path.parent}: cannot create the data directory ({exc.strerror or exc}); set SPAR_DATA_DIR or pass --db PATH",
                failure_code,
            )
    try:
        return Store(path, read_only=read_only)
    except StoreError as exc:
        fail(str(exc), failure_code)


def load_scenario(key: str) -> Scenario:
    from simulator.domain.catalogue import resolve_scenario
    from simulator.domain.scenario import ScenarioError

    try:
        return resolve_scenario(key)
    except ScenarioError as exc:
        for problem in exc.problems:
            click.echo(f"spar: {problem}", err=True)
        sys.exit(BAD_REQUEST)


def transcript_json(turns: list[CallTurn]) -> list[dict]:
    """A call's turns as `spar practice --json` and `spar show --json` print them (a stable shape)."""
    return [
        {
            "turn": t.index,
            "speaker": t.speaker,
            "text": t.text,
            "analysis": t.analysis.to_json() if t.analysis else None,
            "customer": t.customer.to_json() if t.customer else None,
        }
        for t in turns
    ]
