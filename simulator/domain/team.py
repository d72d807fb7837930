"""Team roleplay on one machine, shared by `spar team` and the app's Team mode.

A hot seat is several reps taking the same scenario's call in turn, all saved under one group
(`sessions.mode = "team"`, `sessions.group_id`). Observers score each rep's call on the scenario's
rubric; a scenario without one (format 1) is scored on the default rubric drawn from the coaching
skills (`analysis.coaching.observers.DEFAULT_RUBRIC`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timezone

from analysis.coaching.observers import DEFAULT_RUBRIC, Criterion, ObserverScoring, rubric_with_scored
from analysis.coaching.progress import SideBySide, side_by_side
from simulator.domain.customer import rep_display_name
from simulator.domain.scenario import Scenario
from simulator.storage import Store

TEAM_MODE = "team"


def new_group_id(scenario_id: str, taken: Sequence[str]) -> str:
    """The scenario and the time (UTC), made unique among the groups already taken."""
    base = f"{scenario_id}-{datetime.now(timezone.utc):%Y%m%d-%H%M%S}"
    group, n = base, 1
    while group in taken:
        n += 1
        group = f"{base}-{n}"
    return group


def rubric_for(scenario: Scenario | None) -> tuple[Criterion, ...]:
    """What observers score a rep on in SCENARIO: its own rubric, else the default one."""
    if scenario is not None and scenario.rubric:
        return tuple(Criterion(item.id, item.title) for item in scenario.rubric)
    return DEFAULT_RUBRIC


def rep_names(text: str) -> list[str]:
    """Reps typed in playing order, separated by commas (or one a line)."""
    return [name for name in (rep_display_name(part) for part in text.replace("\n", ",").split(",")) if name]


def names_problem(names: Sequence[str]) -> str | None:
    """Why these names cannot make a hot seat, or None."""
    if len(names) < 2:
        return "a hot seat needs at least two reps"
    if len({n.lower() for n in names}) != len(names):
        return "each rep needs a name of their own (two names are the same)"
    return None


@dataclass
class HotSeat:
    """A hot seat in the app: who plays, in what order, and how far the group has got."""

    scenario: Scenario
    reps: list[str]
    group_id: str
    rank: bool = False
    played: int = 0  # calls started so far; the rep in the seat is reps[played - 1]

    @property
    def next_rep(self) -> str | None:
        return self.reps[self.played] if self.played < len(self.reps) else None

    @property
    def finished(self) -> bool:
        return self.played >= len(self.reps)


def group_table(
    store: Store, group_id: str, *, rank: bool = False, scenario: Scenario | None = None
) -> SideBySide | None:
    """A group's side-by-side table with the observers' scores, as `spar team show` and the app
    show it; None when the group has no ended call yet. The rubric is SCENARIO's (or the default;
    without SCENARIO, none), plus any line scored earlier that the scenario no longer has."""
    sessions = store.stored_sessions(group_id=group_id)
    if not sessions:
        return None
    ids = [s.id for s in sessions]
    # Without the scenario here (an imported group), the lines scored are all there is to show.
    base = rubric_for(scenario) if scenario is not None else ()
    rubric = rubric_with_scored(base, store.scored_titles(ids))
    scorings: dict[int, list[ObserverScoring]] = store.observer_scorings(ids)
    return side_by_side(sessions, rank=rank, rubric=rubric, scorings=scorings)
