"""Progress across sessions: the figures that matter, per session in time order, against the aims.

Coaching works over weeks, not in one call, so a rep needs to see a skill move: where they
started, where they are now, and the bar they are heading for. Everything here is a pure function
of figures already stored with each session (`sessions.metrics_json`, the JSON of `Figure`s) and of
the goals agreed at each debrief; nothing is re-analysed.

`progress()` gives one `RepProgress`: a row per session (`SessionProgress`) with the measures the
plots show, the goal that session was checked against and whether it met it, and a gap line per
skill. `side_by_side()` lines up the same measures for several reps (a team's hot seat).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from analysis.coaching.observers import (
    HIGHEST_SCORE,
    LOWEST_SCORE,
    Criterion,
    CriterionSummary,
    ObserverScoring,
    summarize,
)
from analysis.coaching.retry import Retry, RetrySplit, RetryTally, split
from analysis.coaching.skills import (
    MAX_TALK_SHARE,
    MIN_OPEN_SHARE,
    MIN_PARAPHRASES,
    MIN_QUESTIONS_FOR_OPENNESS,
    assess,
    needs_questions_aim,
    skill,
)
from analysis.types import Figure, FigureKey

if TYPE_CHECKING:
    from analysis.coaching.goals import GoalMeasure


@dataclass(frozen=True)
class StoredSession:
    """One ended session as the database keeps it: its figures are the JSON of its `Figure`s."""

    id: int
    rep: str
    scenario_id: str
    started_at: str
    objective_met: bool
    figures: dict[str, dict[str, Any]]
    mode: str = "solo"
    group_id: str | None = None
    input_mode: str | None = None
    # The focus and next step agreed at this session's debrief (None when it was not debriefed).
    focus_skill: str | None = None
    next_step: str | None = None


@dataclass(frozen=True)
class StoredGoal:
    """A goal agreed at session `set_at`, checked at session `checked_at` (the rep's next one)."""

    focus_skill: str | None
    next_step: str
    set_at: int
    checked_at: int | None
    # The goal's own measure ("questions_before_pitch>=4"), when one was agreed; it decides the
    # check instead of the skill's bar.
    measure: GoalMeasure | None = None
    measure_text: str = ""  # the goal in words, as agreed


@dataclass(frozen=True)
class Measure:
    """A number per session, and the skill it shows (its aim comes from the skill's bar)."""

    key: str
    title: str
    skill: str | None
    lower_is_better: bool = False
    percent: bool = False

    def show(self, value: float | None) -> str:
        if value is None:
            return "—"
        if self.percent:
            return f"{value:.0%}"
        return f"{value:g}"


# The figures that matter over weeks, in the order tables and plots show them.
MEASURES: tuple[Measure, ...] = (
    Measure("needs_questions", "Needs questions", "needs_questions"),
    Measure("deeper_questions", "Implication + need-payoff questions", "implication_questions"),
    Measure("questions_before_pitch", "Needs questions before the pitch", "ask_before_advocating"),
    Measure("paraphrases", "Paraphrases", "active_listening"),
    Measure("talk_share", "Your share of the words", "balanced_talk", lower_is_better=True, percent=True),
    Measure("needs_uncovered", "Needs uncovered", "uncover_needs"),
    Measure("open_share", "Open questions (share)", "open_questions", percent=True),
    Measure("objective_met", "Objective met", None),
)
MEASURE_BY_KEY = {m.key: m for m in MEASURES}
MEASURE_FOR_SKILL = {m.skill: m for m in MEASURES if m.skill}


def figures_from_json(stored: dict[str, dict[str, Any]]) -> dict[FigureKey, Figure]:
    """The `Figure`s of a stored session, back from their JSON (keys this version no longer knows are left out)."""
    known = {str(k) for k in FigureKey}
    return {
        FigureKey(key): Figure(
            FigureKey(key),
            data.get("label", key),
            data.get("value"),
            data.get("display", ""),
            list(data.get("turns", [])),
            data.get("note", ""),
            dict(data.get("detail", {})),
        )
        for key, data in stored.items()
        if key in known
    }


def _value(figures: dict[str, dict[str, Any]], key: str) -> Any:
    return figures.get(key, {}).get("value")


def _detail(figures: dict[str, dict[str, Any]], key: str) -> dict[str, Any]:
    return figures.get(key, {}).get("detail", {}) or {}


def discovery_before_pitch(session: StoredSession) -> int:
    """The scenario's needs questions expected before a pitch, as stored with the call's figures."""
    return int(_detail(session.figures, "ask_before_advocate").get("required", 0) or 0)


def measures(session: StoredSession) -> dict[str, float | None]:
    """The measures of one session (None where the call has no such figure)."""
    return figure_measures(session.figures, session.objective_met)


def figure_measures(f: dict[str, dict[str, Any]], objective_met: bool) -> dict[str, float | None]:
    """The measures of a call from its figures' JSON (None where the call has no such figure)."""
    spin = _detail(f, "needs_questions").get("spin", {}) or {}
    questions = _value(f, "questions") or 0
    share = _detail(f, "open_questions").get("share")
    talk = _value(f, "talk_share")
    return {
        "needs_questions": _value(f, "needs_questions"),
        "deeper_questions": int(spin.get("implication", 0)) + int(spin.get("need_payoff", 0)),
        "questions_before_pitch": _detail(f, "ask_before_advocate").get("needs_questions_before_pitch"),
        "paraphrases": _value(f, "paraphrases"),
        "talk_share": None if talk is None else round(float(talk), 3),
        "needs_uncovered": _value(f, "needs_uncovered"),
        "open_share": None if share is None or questions < MIN_QUESTIONS_FOR_OPENNESS else round(float(share), 3),
        "objective_met": 1 if objective_met else 0,
    }


def aims(session: StoredSession) -> dict[str, float | None]:
    """Where each measure should be on this session's scenario: the bar its skill sets."""
    required = discovery_before_pitch(session)
    total = int(_detail(session.figures, "needs_uncovered").get("total", 0) or 0)
    return {
        "needs_questions": needs_questions_aim(required),
        "deeper_questions": 1,
        "questions_before_pitch": required,
        "paraphrases": MIN_PARAPHRASES,
        "talk_share": MAX_TALK_SHARE,
        "needs_uncovered": math.ceil(total / 2) if total else None,
        "open_share": MIN_OPEN_SHARE,
        "objective_met": 1,
    }


@dataclass(frozen=True)
class GoalCheck:
    """The goal a session was checked against, and whether the session showed that skill."""

    focus_skill: str | None
    next_step: str
    set_at: int
    met: bool | None  # None: no focus skill was agreed, only a next step (or the call has no such figure)
    measure: str | None
    value: float | None
    aim: float | None
    # Set when the goal had a measure of its own: ">=", "<=" ...; otherwise the skill's bar decided.
    comparison: str | None = None
    goal_text: str = ""

    @property
    def by_goal_measure(self) -> bool:
        return self.comparison is not None

    def summary(self) -> str:
        """The check in a few words: "at least 4 needs questions before the first pitch: 5, met"."""
        verdict = {True: "met", False: "not met", None: "?"}[self.met]
        if self.by_goal_measure and self.measure in MEASURE_BY_KEY:
            shown = MEASURE_BY_KEY[self.measure].show(self.value) if self.value is not None else "no figure"
            return f"{self.goal_text}: {shown}, {verdict}"
        if self.focus_skill is None:
            return "next step only"
        return f"{skill(self.focus_skill).title} {verdict}"

    def to_json(self) -> dict[str, Any]:
        return {
            "focus_skill": self.focus_skill,
            "next_step": self.next_step,
            "set_at_session": self.set_at,
            "met": self.met,
            "measure": self.measure,
            "value": self.value,
            "aim": self.aim,
            "comparison": self.comparison,
            "goal_text": self.goal_text,
            "decided_by": "goal_measure" if self.by_goal_measure else "skill_bar",
        }


@dataclass(frozen=True)
class SessionProgress:
    number: int  # 1 for the rep's first session
    session: StoredSession
    values: dict[str, float | None]
    aims: dict[str, float | None]
    goal_checked: GoalCheck | None
    goal_set: StoredGoal | None
    # Moments of this call answered again in review, the unassisted tries apart from the assisted.
    retries: RetrySplit = RetrySplit()

    def to_json(self) -> dict[str, Any]:
        s = self.session
        return {
            "number": self.number,
            "session_id": s.id,
            "started_at": s.started_at,
            "scenario": s.scenario_id,
            "mode": s.mode,
            "group_id": s.group_id,
            "input_mode": s.input_mode,
            "objective_met": s.objective_met,
            "figures": self.values,
            "aims": self.aims,
            "goal_checked": self.goal_checked.to_json() if self.goal_checked else None,
            "goal_set": (
                {"focus_skill": self.goal_set.focus_skill, "next_step": self.goal_set.next_step}
                if self.goal_set
                else None
            ),
            "retries": self.retries.to_json(),
        }


@dataclass(frozen=True)
class Gap:
    """Where the rep started on a skill, where they are now, where they aim."""

    skill: str
    title: str
    measure: str
    start: float | None
    now: float | None
    aim: float | None

    @property
    def met(self) -> bool | None:
        if self.now is None or self.aim is None:
            return None
        lower = MEASURE_BY_KEY[self.measure].lower_is_better
        return self.now <= self.aim if lower else self.now >= self.aim

    def line(self) -> str:
        m = MEASURE_BY_KEY[self.measure]
        verdict = {True: "at the aim", False: "not there yet", None: "no figure yet"}[self.met]
        aim = f"{'at most' if m.lower_is_better else 'at least'} {m.show(self.aim)}" if self.aim is not None else "—"
        return f"{self.title}: started at {m.show(self.start)}, now {m.show(self.now)}; aim {aim} ({verdict})."

    def to_json(self) -> dict[str, Any]:
        return {
            "skill": self.skill,
            "title": self.title,
            "measure": self.measure,
            "start": self.start,
            "now": self.now,
            "aim": self.aim,
            "met": self.met,
        }


@dataclass(frozen=True)
class RepProgress:
    rep: str
    sessions: list[SessionProgress]
    gaps: list[Gap] = field(default_factory=list)
    # The skill the rep agreed to work on most recently, and its measure.
    focus_skill: str | None = None

    @property
    def focus_measure(self) -> str | None:
        measure = MEASURE_FOR_SKILL.get(self.focus_skill or "")
        return measure.key if measure else None

    def series(self, key: str) -> list[float | None]:
        return [s.values.get(key) for s in self.sessions]

    def aim_series(self, key: str) -> list[float | None]:
        return [s.aims.get(key) for s in self.sessions]

    @property
    def retries(self) -> RetrySplit:
        """Every retry of the rep's sessions, unassisted apart from assisted."""
        return RetrySplit(
            sum_tallies([s.retries.unassisted for s in self.sessions]),
            sum_tallies([s.retries.assisted for s in self.sessions]),
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "rep": self.rep,
            "focus_skill": self.focus_skill,
            "focus_measure": self.focus_measure,
            "measures": [{"key": m.key, "title": m.title, "skill": m.skill} for m in MEASURES],
            "sessions": [s.to_json() for s in self.sessions],
            "gaps": [g.to_json() for g in self.gaps],
            "retries": self.retries.to_json(),
        }


def _check(goal: StoredGoal, session: StoredSession, values: dict[str, float | None]) -> GoalCheck:
    if goal.measure is not None:
        # The goal's own measure decides: the number agreed, not the skill's general bar.
        value = values.get(goal.measure.key)
        return GoalCheck(
            goal.focus_skill,
            goal.next_step,
            goal.set_at,
            goal.measure.met_by(value),
            goal.measure.key,
            value,
            goal.measure.target,
            comparison=str(goal.measure.comparison),
            goal_text=goal.measure_text or goal.measure.text(),
        )
    if not goal.focus_skill:
        return GoalCheck(None, goal.next_step, goal.set_at, None, None, None, None)
    shown = assess(figures_from_json(session.figures), discovery_before_pitch(session)).get(goal.focus_skill)
    measure = MEASURE_FOR_SKILL.get(goal.focus_skill)
    return GoalCheck(
        goal.focus_skill,
        goal.next_step,
        goal.set_at,
        shown.shown if shown else None,
        measure.key if measure else None,
        values.get(measure.key) if measure else None,
        aims(session).get(measure.key) if measure else None,
    )


def _ordered(sessions: Sequence[StoredSession]) -> list[StoredSession]:
    return sorted(sessions, key=lambda s: (s.started_at, s.id))


def progress(
    rep: str,
    sessions: Sequence[StoredSession],
    goals: Sequence[StoredGoal],
    retries: Mapping[int, Sequence[Retry]] | None = None,
) -> RepProgress:
    """A rep's ended sessions in time order, with their measures, goals and the gap per skill, and
    (from RETRIES, by session id) the moments tried again in review, assisted apart from unassisted."""
    retries = retries or {}
    ordered = _ordered([s for s in sessions if s.figures])
    checked = {g.checked_at: g for g in goals if g.checked_at is not None}
    set_at = {g.set_at: g for g in goals}
    rows = []
    for number, session in enumerate(ordered, start=1):
        values = measures(session)
        goal = checked.get(session.id)
        rows.append(
            SessionProgress(
                number,
                session,
                values,
                aims(session),
                _check(goal, session, values) if goal else None,
                set_at.get(session.id),
                split(retries.get(session.id, ())),
            )
        )
    latest = max(goals, key=lambda g: g.set_at, default=None)
    return RepProgress(rep, rows, gaps(rows), latest.focus_skill if latest else None)


def sum_tallies(tallies: Sequence[RetryTally]) -> RetryTally:
    return RetryTally(*(sum(getattr(t, name) for t in tallies) for name in RetryTally.__dataclass_fields__))


def _first(values: list[float | None], pick: Callable[[list[float]], float]) -> float | None:
    present = [v for v in values if v is not None]
    return pick(present) if present else None


def gaps(rows: Sequence[SessionProgress]) -> list[Gap]:
    """One gap per skill: its measure on the first session, on the latest, and the latest aim."""
    found = []
    for m in MEASURES:
        if m.skill is None:
            continue
        values = [r.values.get(m.key) for r in rows]
        aims_ = [r.aims.get(m.key) for r in rows]
        found.append(
            Gap(
                m.skill,
                skill(m.skill).title,
                m.key,
                _first(values, lambda v: v[0]),
                _first(values, lambda v: v[-1]),
                _first(aims_, lambda v: v[-1]),
            )
        )
    return found


# --- several reps side by side (a team's hot seat) ---------------------------------------


@dataclass(frozen=True)
class SideBySide:
    """The same measures for every rep of a group, one column each, and a ranking only on request.
    Below them, when the scenario has a rubric, the observers' scores per rep (mean and count)."""

    reps: list[str]
    sessions: list[StoredSession]
    rows: list[tuple[Measure, list[float | None], float | None]]  # measure, value per rep, aim
    ranking: list[str] | None
    rubric: tuple[Criterion, ...] = ()
    # Per rep (in column order): every observer's scoring of that rep's call.
    scorings: list[list[ObserverScoring]] = field(default_factory=list)

    @property
    def observed(self) -> list[dict[str, CriterionSummary]]:
        """Per rep: the observers' mean and count on each rubric line they scored."""
        return [summarize(s) for s in self.scorings] or [{} for _ in self.reps]

    def observer_rows(self) -> list[tuple[Criterion, list[CriterionSummary | None]]]:
        observed = self.observed
        return [(c, [o.get(c.id) for o in observed]) for c in self.rubric]

    def to_json(self) -> dict[str, Any]:
        observed = self.observed
        scorings = self.scorings or [[] for _ in self.reps]
        return {
            "reps": [
                {
                    "rep": rep,
                    "session_id": s.id,
                    "figures": {m.key: values[i] for m, values, _ in self.rows},
                    "observer_scores": {c: summary.to_json() for c, summary in observed[i].items()},
                    "observers": [scoring.to_json() for scoring in scorings[i]],
                }
                for i, (rep, s) in enumerate(zip(self.reps, self.sessions, strict=True))
            ],
            "aims": {m.key: aim for m, _, aim in self.rows},
            "ranking": self.ranking,
            "rubric": [c.to_json() for c in self.rubric],
        }

    def text(self) -> str:
        width = max([len(m.title) for m, _, _ in self.rows] + [7])
        # Wide enough for a mean and a count ("4.5 (2)") once there are observers' scores.
        columns = [max(len(r), 7 if self.rubric else 6) for r in self.reps]

        def line(title: str, cells: list[str], aim_text: str) -> str:
            shown = title if len(title) <= width else title[: width - 1] + "…"
            row = "  ".join(f"{c:>{w}}" for c, w in zip(cells, columns, strict=True))
            return f"{shown:{width}}  {row}  {aim_text}".rstrip()

        lines = [line("", self.reps, "aim")]
        for m, values, aim in self.rows:
            lines.append(line(m.title, [cell_text(m, v) for v in values], aim_text(m, aim)))
        if self.rubric:
            lines.append("")
            lines.append(
                f"Observers' scores, {LOWEST_SCORE} to {HIGHEST_SCORE} "
                "(several observers: the mean, and how many in brackets):"
            )
            # The id is what `spar team observe --score ID=N` takes; the wording follows the scores.
            for criterion, summaries in self.observer_rows():
                lines.append(line(criterion.id, [s.text() if s else "—" for s in summaries], criterion.title))
            if not any(self.scorings):
                lines.append("No observer has scored these calls yet.")
            notes = [
                f"  {rep}, from {scoring.observer}: {scoring.note}"
                for rep, rep_scorings in zip(self.reps, self.scorings, strict=False)
                for scoring in rep_scorings
                if scoring.note
            ]
            if notes:
                lines.append("Observers' notes:")
                lines.extend(notes)
        if self.ranking:
            lines.append("")
            lines.append("Ranking (objective met, then needs uncovered, implication + need-payoff, needs questions):")
            lines.extend(f"  {place}. {rep}" for place, rep in enumerate(self.ranking, start=1))
        return "\n".join(lines)


def aim_text(m: Measure, aim: float | None) -> str:
    """A measure's aim as the table shows it: "≥ 3", "≤ 60%", "yes", or nothing."""
    if aim is None:
        return ""
    if m.key == "objective_met":
        return "yes"
    return f"{'≤' if m.lower_is_better else '≥'} {m.show(aim)}"


def cell_text(m: Measure, value: float | None) -> str:
    if m.key == "objective_met":
        return "—" if value is None else ("yes" if value else "no")
    return m.show(value)


RANK_BY = ("objective_met", "needs_uncovered", "deeper_questions", "needs_questions")


def side_by_side(
    sessions: Sequence[StoredSession],
    *,
    rank: bool = False,
    rubric: Sequence[Criterion] = (),
    scorings: dict[int, list[ObserverScoring]] | None = None,
) -> SideBySide:
    """The sessions of a group in the order they were played, their measures lined up; with a
    RUBRIC, the observers' SCORINGS (by session id) below them."""
    ordered = _ordered(sessions)
    values = [measures(s) for s in ordered]
    # Scenarios in a group are the same, so the aims are too; the first session's stand for all.
    group_aims = aims(ordered[0]) if ordered else {}
    rows = [(m, [v.get(m.key) for v in values], group_aims.get(m.key)) for m in MEASURES]
    ranking = None
    if rank:
        keyed = sorted(
            range(len(ordered)),
            key=lambda i: tuple(-(values[i].get(k) or 0) for k in RANK_BY) + (i,),
        )
        ranking = [ordered[i].rep for i in keyed]
    by_session = scorings or {}
    return SideBySide(
        [s.rep for s in ordered],
        ordered,
        rows,
        ranking,
        tuple(rubric),
        [list(by_session.get(s.id, [])) for s in ordered],
    )
