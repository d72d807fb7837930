"""The coaching debrief: the rep reflects first, then sees the figures, strengths and one focus.

The order follows the coaching model the product is built on: ask before advocating applies
to feedback too. The rep answers What? So what? Now what? before any number appears; then
one or two strengths with the turns that show them, and exactly one skill to work on next,
phrased as something to try rather than something that went wrong.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from analysis.coaching.figures import describe_turns
from analysis.coaching.goals import GoalMeasure, MeasureCheck, check_measure
from analysis.coaching.skills import STRETCH_SKILL, assess, measure, skill, skills, where_you_are
from analysis.types import Figure, FigureKey

REFLECTION_PROMPTS: tuple[tuple[str, str], ...] = (
    ("what_happened", "What happened on this call? Tell it in two or three sentences."),
    ("went_well", "So what went well, and what did you notice about the customer?"),
    ("do_differently", "Now what would you do differently if you took this call again?"),
)
NEXT_STEP_PROMPT = "Your next step: one concrete thing you will try on your next call."
# Strengths named in full, with their evidence; any further skills shown are listed by title.
STRENGTHS_SHOWN = 3


@dataclass(frozen=True)
class Strength:
    """A skill the call showed above its bar, with the turns and the figure that show it."""

    skill: str
    title: str
    text: str
    turns: list[int]
    where: str
    evidence: str = ""  # what the call shows of it: "4 needs questions"

    def to_json(self) -> dict[str, Any]:
        return {
            "skill": self.skill,
            "title": self.title,
            "text": self.text,
            "turns": self.turns,
            "where": self.where,
            "evidence": self.evidence,
        }


@dataclass(frozen=True)
class Focus:
    """The one skill to work on next, why, what to try, and the gap between this call and the aim."""

    skill: str
    title: str
    why: str
    try_next: str
    turns: list[int]
    where: str
    gap: str

    def to_json(self) -> dict[str, Any]:
        return {
            "skill": self.skill,
            "title": self.title,
            "why": self.why,
            "try_next": self.try_next,
            "turns": self.turns,
            "where": self.where,
            "gap": self.gap,
        }


@dataclass(frozen=True)
class PreviousFocus:
    """The skill the rep chose last time, and whether this call showed it (`judged` is False when
    the call gave no chance to: no objection to handle, say)."""

    skill: str
    title: str
    shown: bool
    turns: list[int]
    where: str
    judged: bool = True

    @property
    def status(self) -> str:
        """On this call, in a few words."""
        if self.shown:
            return f"yes ({self.where})" if self.where else "yes"
        return "not yet this time" if self.judged else "this call gave no chance to show it"

    def to_json(self) -> dict[str, Any]:
        return {
            "skill": self.skill,
            "title": self.title,
            "shown": self.shown,
            "turns": self.turns,
            "where": self.where,
            "judged": self.judged,
        }


@dataclass(frozen=True)
class CallOutcome:
    """How the call ended, for the top of the debrief."""

    end_reason: str | None
    end_reason_text: str
    objective: str
    objective_met: bool
    trust_level: str
    needs_total: int
    previous_next_step: str = ""
    why_ended: str = ""  # in the rep's words: "Tom ran out of patience after 8 turns"
    last_line: str = ""  # the customer's last line

    def to_json(self) -> dict[str, Any]:
        return {
            "end_reason": self.end_reason,
            "end_reason_text": self.end_reason_text,
            "why_ended": self.why_ended,
            "last_line": self.last_line,
            "objective": self.objective,
            "objective_met": self.objective_met,
            "trust_level": self.trust_level,
            "needs_total": self.needs_total,
            "previous_next_step": self.previous_next_step,
        }


@dataclass
class Debrief:
    figures: list[Figure]
    strengths: list[Strength]
    focus: Focus
    previous_focus: PreviousFocus | None = None
    outcome: CallOutcome | None = None
    prompts: tuple[tuple[str, str], ...] = field(default=REFLECTION_PROMPTS)
    also_shown: list[str] = field(default_factory=list)  # titles of further skills shown
    # The goal agreed last time, checked by its own measure on this call (None: no measure agreed).
    goal_check: MeasureCheck | None = None

    def figure(self, key: FigureKey | str) -> Figure:
        return next(f for f in self.figures if f.key == key)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Debrief:
        """A debrief as the database keeps it (`to_json`), for showing a past call. Figures this
        version does not know are left out; a missing part reads as empty."""
        figures = []
        for item in data.get("figures") or []:
            try:
                figures.append(Figure.from_json(item))
            except (KeyError, ValueError):
                continue
        focus = data.get("focus") or {}
        previous = data.get("previous_focus")
        outcome = data.get("outcome") or None
        return cls(
            figures=figures,
            strengths=[
                Strength(
                    s.get("skill", ""),
                    s.get("title", ""),
                    s.get("text", ""),
                    list(s.get("turns") or []),
                    s.get("where", ""),
                    s.get("evidence", ""),
                )
                for s in data.get("strengths") or []
            ],
            focus=Focus(
                skill=focus.get("skill", ""),
                title=focus.get("title", ""),
                why=focus.get("why", ""),
                try_next=focus.get("try_next", ""),
                turns=list(focus.get("turns") or []),
                where=focus.get("where", ""),
                gap=focus.get("gap", ""),
            ),
            previous_focus=PreviousFocus(
                previous.get("skill", ""),
                previous.get("title", ""),
                bool(previous.get("shown")),
                list(previous.get("turns") or []),
                previous.get("where", ""),
                judged=bool(previous.get("judged", True)),
            )
            if previous
            else None,
            outcome=CallOutcome(
                end_reason=outcome.get("end_reason"),
                end_reason_text=outcome.get("end_reason_text", ""),
                objective=outcome.get("objective", ""),
                objective_met=bool(outcome.get("objective_met")),
                trust_level=outcome.get("trust_level", ""),
                needs_total=int(outcome.get("needs_total") or 0),
                previous_next_step=outcome.get("previous_next_step", ""),
                why_ended=outcome.get("why_ended", ""),
                last_line=outcome.get("last_line", ""),
            )
            if outcome
            else None,
            prompts=tuple((p["key"], p["prompt"]) for p in data.get("prompts") or []) or REFLECTION_PROMPTS,
            also_shown=list(data.get("also_shown") or []),
            goal_check=MeasureCheck.from_json(data["goal_check"]) if data.get("goal_check") else None,
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "prompts": [{"key": k, "prompt": p} for k, p in self.prompts],
            "figures": [fig.to_json() for fig in self.figures],
            "strengths": [s.to_json() for s in self.strengths],
            "also_shown": list(self.also_shown),
            "focus": self.focus.to_json(),
            "previous_focus": self.previous_focus.to_json() if self.previous_focus else None,
            "outcome": self.outcome.to_json() if self.outcome else {},
            "goal_check": self.goal_check.to_json() if self.goal_check else None,
        }


def build_debrief(
    figures: dict[FigureKey, Figure],
    *,
    discovery_before_pitch: int = 2,
    previous_focus: str | None = None,
    outcome: CallOutcome | None = None,
    goal_measure: GoalMeasure | None = None,
    goal_text: str = "",
    goal_due: str = "",
) -> Debrief:
    """Pick strengths and one focus skill from the call's figures.

    `previous_focus` is the skill the rep chose to work on last time; the debrief says whether
    it showed up on this call, because progress on the agreed goal is what the rep came for.
    `goal_measure` is the measure agreed with it (with its words and due date): the debrief says
    whether this call met it, with the number.
    """
    assessed = assess(figures, discovery_before_pitch)
    order = [s.id for s in skills() if s.id in assessed]
    shown = [sid for sid in order if assessed[sid].judged and assessed[sid].shown]
    missing = [sid for sid in order if assessed[sid].judged and not assessed[sid].shown]

    # The furthest skills first: a rep who proposed at the right moment hears that before "asked
    # needs questions".
    strengths = []
    for sid in reversed(shown):
        s = skill(sid)
        turns = assessed[sid].turns
        evidence = measure(sid, figures, discovery_before_pitch)
        strengths.append(Strength(sid, s.title, s.shown, turns, describe_turns(turns), evidence))

    # A customer who was ready to agree and was never asked: what the rep did was enough for this
    # customer, so asking is the one step left, whatever else the call missed.
    proposal = figures.get(FigureKey.PROPOSAL)
    if "propose_next_step" in missing and proposal is not None and proposal.detail.get("ready_after") is not None:
        missing.remove("propose_next_step")
        missing.insert(0, "propose_next_step")
    # Otherwise the focus is the first skill in priority order the call could have shown and did
    # not; with none left, a harder call.
    focus_id = missing[0] if missing else STRETCH_SKILL
    focus_skill = skill(focus_id)
    focus_turns = assessed[focus_id].turns if missing else []
    focus = Focus(
        skill=focus_id,
        title=focus_skill.title,
        why=focus_skill.why,
        try_next=focus_skill.try_next.format(discovery_before_pitch=discovery_before_pitch),
        turns=focus_turns,
        where=describe_turns(focus_turns),
        gap=where_you_are(focus_id, figures, discovery_before_pitch) if missing else "",
    )
    previous = None
    if previous_focus and previous_focus in assessed:
        check = assessed[previous_focus]
        previous = PreviousFocus(
            previous_focus,
            skill(previous_focus).title,
            check.judged and check.shown,
            check.turns,
            describe_turns(check.turns),
            judged=check.judged,
        )
    return Debrief(
        figures=list(figures.values()),
        strengths=strengths[:STRENGTHS_SHOWN],
        focus=focus,
        previous_focus=previous,
        outcome=outcome,
        also_shown=[s.title for s in strengths[STRENGTHS_SHOWN:]],
        goal_check=(
            check_measure(
                goal_measure,
                figures,
                objective_met=bool(outcome and outcome.objective_met),
                text=goal_text,
                due_date=goal_due,
            )
            if goal_measure is not None
            else None
        ),
    )
