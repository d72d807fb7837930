"""A goal that the next call can check, and the pair's debrief that agrees it.

A coach and a rep agree one focus skill and a goal with a measure: a figure of the call, a
comparison and a number ("questions_before_pitch>=4"), read as "at least 4 needs questions before
the first pitch". At the rep's next session the call's own figures say whether it was met, with
the number, so nobody has to judge it by eye. A goal in free words only ("sound calmer") is kept
as written and checked by the focus skill's bar instead.

The pair's debrief follows What? So what? Now what?: the rep answers each prompt first, and only
then does the coach see a prompt of their own; asking before advocating applies to coaching too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from analysis.coaching.progress import MEASURE_BY_KEY, MEASURE_FOR_SKILL, Gap, figure_measures
from analysis.types import Figure, FigureKey, TextEnum


class MeasureError(ValueError):
    """A goal's measure that cannot be read, worded for the person who typed it."""


class Comparison(TextEnum):
    AT_LEAST = ">="
    MORE_THAN = ">"
    AT_MOST = "<="
    UNDER = "<"
    EXACTLY = "="

    def holds(self, value: float, target: float) -> bool:
        return {
            Comparison.AT_LEAST: value >= target,
            Comparison.MORE_THAN: value > target,
            Comparison.AT_MOST: value <= target,
            Comparison.UNDER: value < target,
            Comparison.EXACTLY: abs(value - target) < 1e-9,
        }[self]

    @property
    def words(self) -> str:
        return {
            Comparison.AT_LEAST: "at least",
            Comparison.MORE_THAN: "more than",
            Comparison.AT_MOST: "at most",
            Comparison.UNDER: "fewer than",
            Comparison.EXACTLY: "exactly",
        }[self]


# How each measure reads in a goal: a count is "{n} needs questions", a share "{n} of the words".
# (singular, plural) for counts; a sentence with {cmp} and {n} for shares and yes-or-no.
COUNT_WORDS: dict[str, tuple[str, str]] = {
    "needs_questions": ("needs question", "needs questions"),
    "deeper_questions": ("implication or need-payoff question", "implication or need-payoff questions"),
    "questions_before_pitch": ("needs question before the first pitch", "needs questions before the first pitch"),
    "paraphrases": ("paraphrase", "paraphrases"),
    "needs_uncovered": ("need uncovered", "needs uncovered"),
}
SHARE_WORDS = {
    "talk_share": "you say {cmp} {n} of the words",
    "open_share": "{cmp} {n} of your questions are open",
}
# Other names people write for a measure key.
ALIASES = {
    "needs_questions_before_pitch": "questions_before_pitch",
    "needs_before_pitch": "questions_before_pitch",
    "implication_questions": "deeper_questions",
    "open_questions": "open_share",
}
_SPEC = re.compile(r"^\s*([a-z_]+)\s*(>=|<=|=>|=<|==|>|<|=)\s*([0-9]+(?:\.[0-9]+)?)\s*(%?)\s*$")


def measure_keys() -> list[str]:
    """The figures a goal can be measured by (`spar progress` shows the same)."""
    return list(MEASURE_BY_KEY)


@dataclass(frozen=True)
class GoalMeasure:
    """A figure of the next call, a comparison and a number: checked without anyone's judgement."""

    key: str  # a measure of `analysis.coaching.progress.MEASURES`
    comparison: Comparison
    target: float

    @property
    def percent(self) -> bool:
        return MEASURE_BY_KEY[self.key].percent

    def show(self, value: float) -> str:
        """A value of this measure as people write it: 4, 60%, yes."""
        if self.key == "objective_met":
            return "yes" if value else "no"
        return MEASURE_BY_KEY[self.key].show(value)

    def text(self) -> str:
        """The goal in words: "at least 4 needs questions before the first pitch"."""
        if self.key == "objective_met":
            met = self.comparison.holds(1, self.target)
            return "meet the call's objective" if met else "the call's objective not met"
        n = self.show(self.target)
        if self.key in SHARE_WORDS:
            cmp = "under" if self.comparison is Comparison.UNDER else self.comparison.words
            return SHARE_WORDS[self.key].format(cmp=cmp, n=n)
        one, many = COUNT_WORDS[self.key]
        return f"{self.comparison.words} {n} {one if self.target == 1 else many}"

    def spec(self) -> str:
        """The measure as typed: "questions_before_pitch>=4"."""
        return f"{self.key}{self.comparison}{self.target:g}"

    def met_by(self, value: float | None) -> bool | None:
        """Whether VALUE meets the goal; None when the call has no such figure."""
        return None if value is None else self.comparison.holds(float(value), self.target)

    def to_json(self) -> dict[str, Any]:
        return {"key": self.key, "comparison": str(self.comparison), "target": self.target}

    @classmethod
    def from_parts(cls, key: str | None, comparison: str | None, target: float | None) -> GoalMeasure | None:
        """A measure from stored columns, or None when they do not make one (a goal in words only)."""
        if not key or not comparison or target is None or key not in MEASURE_BY_KEY:
            return None
        try:
            return cls(key, Comparison(comparison), float(target))
        except ValueError:
            return None


def parse_measure(spec: str) -> GoalMeasure:
    """ "KEY>=N" (or <=, >, <, =; N may end in % for a share) as a measure; MeasureError if not."""
    found = _SPEC.match(spec.lower())
    if not found:
        raise MeasureError(
            f"write the measure as KEY>=NUMBER (for example questions_before_pitch>=4), not '{spec}'; "
            f"keys: {', '.join(measure_keys())}"
        )
    raw_key, raw_cmp, raw_number, percent_sign = found.groups()
    key = ALIASES.get(raw_key, raw_key)
    if key not in MEASURE_BY_KEY:
        raise MeasureError(f"unknown measure '{raw_key}'; use one of {', '.join(measure_keys())}")
    comparison = Comparison({"=>": ">=", "=<": "<=", "==": "="}.get(raw_cmp, raw_cmp))
    target = float(raw_number)
    if MEASURE_BY_KEY[key].percent:
        if percent_sign or target > 1:
            target /= 100
        if target > 1:
            raise MeasureError(f"{key} is a share of the call: write it as 60% or 0.6, not '{raw_number}'")
    elif percent_sign:
        raise MeasureError(f"{key} is a count, not a share: drop the %")
    return GoalMeasure(key, comparison, target)


def looks_like_measure(text: str) -> bool:
    """Whether TEXT is written as KEY>=N rather than in words."""
    return bool(_SPEC.match(text.lower()))


def suggested_measure(skill_id: str | None, now: float | None, aim: float | None) -> GoalMeasure | None:
    """A measure for a focus skill: the skill's own figure, aimed at its bar (or one better than
    this call when the bar is met already)."""
    measure = MEASURE_FOR_SKILL.get(skill_id or "")
    if measure is None or aim is None:
        return None
    if measure.lower_is_better:
        return GoalMeasure(measure.key, Comparison.AT_MOST, float(aim))
    target = float(aim)
    if now is not None and now >= target and not measure.percent:
        target = float(now) + 1
    return GoalMeasure(measure.key, Comparison.AT_LEAST, target)


@dataclass(frozen=True)
class MeasureCheck:
    """A goal's measure checked on one call: the number the call shows and whether it met the goal."""

    measure: GoalMeasure
    value: float | None
    met: bool | None  # None: the call has no such figure (too few questions to tell, say)
    text: str = ""  # the goal as agreed, in words (the measure's own words unless a coach wrote others)
    due_date: str = ""

    def line(self) -> str:
        """ "Goal: at least 4 needs questions before the first pitch. This call: 5. Met." """
        goal = self.text or self.measure.text()
        head = f"Goal: {goal}." if goal else "Goal."
        if self.value is None:
            return f"{head} This call gave no number for it, so it is not checked."
        verdict = "Met." if self.met else "Not met yet."
        return f"{head} This call: {self.measure.show(self.value)}. {verdict}"

    def to_json(self) -> dict[str, Any]:
        return {
            **self.measure.to_json(),
            "text": self.text or self.measure.text(),
            "due_date": self.due_date,
            "value": self.value,
            "met": self.met,
            "line": self.line(),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> MeasureCheck | None:
        measure = GoalMeasure.from_parts(data.get("key"), data.get("comparison"), data.get("target"))
        if measure is None:
            return None
        value = data.get("value")
        met = data.get("met")
        text = str(data.get("text") or "")
        return cls(
            measure,
            None if value is None else float(value),
            None if met is None else bool(met),
            "" if text == measure.text() else text,  # the measure's own words are not kept twice
            str(data.get("due_date") or ""),
        )


def check_measure(
    measure: GoalMeasure,
    figures: dict[FigureKey, Figure],
    *,
    objective_met: bool,
    text: str = "",
    due_date: str = "",
) -> MeasureCheck:
    """MEASURE on a call with these FIGURES."""
    values = figure_measures({str(k): f.to_json() for k, f in figures.items()}, objective_met)
    value = values.get(measure.key)
    return MeasureCheck(measure, value, measure.met_by(value), text, due_date)


# --- the pair's debrief ------------------------------------------------------------------------


@dataclass(frozen=True)
class PairPrompt:
    """One step of the pair's debrief: what the rep is asked first, then what the coach sees."""

    key: str
    stage: str
    rep: str
    coach: str


PAIR_PROMPTS: tuple[PairPrompt, ...] = (
    PairPrompt(
        "what",
        "What?",
        "What happened on this call? Tell it in your own words.",
        "Coach: ask what the customer said that mattered most. Then add one thing you saw.",
    ),
    PairPrompt(
        "so_what",
        "So what?",
        "Look at the gaps above. Which one matters most to you, and why?",
        "Coach: ask what got in the way. Share your view only after you hear theirs.",
    ),
    PairPrompt(
        "now_what",
        "Now what?",
        "What one skill will you work on next, and how will we both know it worked?",
        "Coach: agree one skill, a number the next call can check, a next step and a date.",
    ),
)
PAIR_KEYS = tuple(p.key for p in PAIR_PROMPTS)


def pair_prompt(key: str) -> PairPrompt:
    return next(p for p in PAIR_PROMPTS if p.key == key)


@dataclass(frozen=True)
class PairAnswer:
    """What the rep said at one step, and what the coach added after."""

    key: str
    rep: str
    coach: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"key": self.key, "rep": self.rep, "coach": self.coach}


class RepFirst(ValueError):
    """A coach's answer at a step the rep has not answered yet."""


def pair_answers(rep: dict[str, str], coach: dict[str, str]) -> tuple[PairAnswer, ...]:
    """The answers in the order of the prompts; RepFirst when the coach answered a step the rep
    did not (the coach's view comes after the rep's own), ValueError for an unknown step."""
    for key in (*rep, *coach):
        if key not in PAIR_KEYS:
            raise ValueError(f"unknown step '{key}'; use one of {', '.join(PAIR_KEYS)}")
    found = []
    for key in PAIR_KEYS:
        said, added = rep.get(key, "").strip(), coach.get(key, "").strip()
        if added and not said:
            raise RepFirst(f"the rep answers '{key}' first; the coach's view comes after the rep's own")
        if said:
            found.append(PairAnswer(key, said, added))
    return tuple(found)


def answers_from_json(data: Any) -> tuple[PairAnswer, ...]:
    if not isinstance(data, list):
        return ()
    return tuple(
        PairAnswer(str(a.get("key", "")), str(a.get("rep") or ""), str(a.get("coach") or ""))
        for a in data
        if isinstance(a, dict)
    )


@dataclass(frozen=True)
class PairDebrief:
    """The pair's debrief of one call: the answers step by step, the gaps as they stood then, and
    the coach who was there."""

    answers: tuple[PairAnswer, ...]
    gaps: tuple[Gap, ...] = ()
    coach: str = ""
    updated_at: str = ""

    def answer(self, key: str) -> PairAnswer | None:
        return next((a for a in self.answers if a.key == key), None)


def gap_from_json(data: dict[str, Any]) -> Gap | None:
    measure = str(data.get("measure") or "")
    if measure not in MEASURE_BY_KEY:
        return None
    return Gap(
        str(data.get("skill") or ""),
        str(data.get("title") or ""),
        measure,
        data.get("start"),
        data.get("now"),
        data.get("aim"),
    )
