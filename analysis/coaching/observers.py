"""Observers' scores: people watching a call score the rep on the scenario's rubric, 1 to 5 a line.

The analyzer counts what it can hear (questions, paraphrases, the share of talk); an observer
judges what it cannot (did the rep stay calm, did the next step fit the moment). Both are shown
side by side, never blended into one number. Each observer's scoring of a call is one record; when
several observers scored a call, each rubric line shows their mean and how many scored it.

A scenario without a rubric of its own (format 1) is scored on `DEFAULT_RUBRIC`, five lines taken
from the coaching skills, worded as the debrief words them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from analysis.coaching.skills import skill

LOWEST_SCORE = 1
HIGHEST_SCORE = 5
SCALE_TEXT = f"{LOWEST_SCORE} to {HIGHEST_SCORE} ({LOWEST_SCORE}: not seen, {HIGHEST_SCORE}: done very well)"


@dataclass(frozen=True)
class Criterion:
    """One line of a rubric: a short id to type, and what good looks like."""

    id: str
    title: str

    def to_json(self) -> dict[str, str]:
        return {"id": self.id, "title": self.title}


def _from_skill(criterion_id: str, skill_id: str) -> Criterion:
    return Criterion(criterion_id, skill(skill_id).title)


# For scenarios with no rubric: the skills an observer can judge better than a count can.
DEFAULT_RUBRIC: tuple[Criterion, ...] = (
    _from_skill("discovery", "ask_before_advocating"),
    _from_skill("depth", "implication_questions"),
    _from_skill("listening", "active_listening"),
    _from_skill("objections", "handle_objections"),
    _from_skill("next-step", "propose_next_step"),
)


class ScoreError(ValueError):
    """A score that does not fit the rubric or the scale; the message says which and what is allowed."""


@dataclass(frozen=True)
class ObserverScoring:
    """One observer's scores of one call: a score per rubric line they scored, and a note."""

    observer: str
    scores: tuple[tuple[str, int], ...]  # (criterion id, score), in rubric order
    note: str = ""
    created_at: str = ""

    def score(self, criterion: str) -> int | None:
        return next((s for c, s in self.scores if c == criterion), None)

    def to_json(self) -> dict[str, Any]:
        return {
            "observer": self.observer,
            "scores": dict(self.scores),
            "note": self.note,
            "created_at": self.created_at,
        }


def check_scores(rubric: Sequence[Criterion], scores: Mapping[str, int]) -> tuple[tuple[str, int], ...]:
    """SCORES in rubric order, or `ScoreError` naming the first criterion or score that does not fit."""
    known = {c.id for c in rubric}
    if not scores:
        example = f"{rubric[0].id}=4" if rubric else "CRITERION=4"
        raise ScoreError(f"give at least one score, e.g. --score {example}")
    for criterion, value in scores.items():
        if criterion not in known:
            raise ScoreError(
                f"'{criterion}' is not on this scenario's rubric; score one of: {', '.join(c.id for c in rubric)}"
            )
        if not LOWEST_SCORE <= value <= HIGHEST_SCORE:
            raise ScoreError(f"{criterion}={value}: scores go from {LOWEST_SCORE} to {HIGHEST_SCORE}")
    return tuple((c.id, scores[c.id]) for c in rubric if c.id in scores)


@dataclass(frozen=True)
class CriterionSummary:
    """Several observers' scores on one rubric line: their mean and how many scored it."""

    mean: float
    count: int

    def text(self) -> str:
        return f"{self.mean:.1f} ({self.count})" if self.count > 1 else f"{self.mean:g}"

    def to_json(self) -> dict[str, Any]:
        return {"mean": round(self.mean, 2), "count": self.count}


def summarize(scorings: Sequence[ObserverScoring]) -> dict[str, CriterionSummary]:
    """The mean score and the number of observers, per criterion anyone scored."""
    found: dict[str, list[int]] = {}
    for scoring in scorings:
        for criterion, value in scoring.scores:
            found.setdefault(criterion, []).append(value)
    return {c: CriterionSummary(sum(v) / len(v), len(v)) for c, v in found.items()}


def rubric_with_scored(rubric: Sequence[Criterion], titles: Mapping[str, str]) -> tuple[Criterion, ...]:
    """The rubric, plus any criterion scored earlier that it no longer has (its stored title kept),
    so a score is never hidden because the scenario's wording moved on."""
    known = {c.id for c in rubric}
    return tuple(rubric) + tuple(Criterion(c, t) for c, t in titles.items() if c not in known)
