"""What the Store hands back: its records (goals, session summaries, debriefs, a call's facts), its errors,
and the small helpers every part of it uses (the time now, a new row's id, a stored time as local).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

import sqlite_utils

from analysis.coaching.goals import GoalMeasure
from simulator.domain.customer import RevealedNeed

if TYPE_CHECKING:
    from analysis.coaching.debrief import Debrief


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
    "customer_played_by",
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
    customer_played_by: str | None = None  # a person played the customer live (team roleplay)

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
    customer_played_by: str = ""  # the person who played the customer live, if one did


@dataclass(frozen=True)
class PlayedScenario:
    """The scenario a session was played on, as stored: its id, the hash of the file's text then,
    and where the file was on this machine (empty for an imported session)."""

    id: str
    content_hash: str
    path: str
    title: str
    customer_played_by: str | None  # a person played the customer live (team roleplay)


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
