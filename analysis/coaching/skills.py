"""The coaching skills a debrief can name: which the call showed, with the turns, and the gap to the aim.

The skills themselves (their wording and priority) are data in `analysis/patterns/skills.yaml`; the
bars a call must clear to show each one are named here, beside the code that applies them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

import yaml

from analysis import PATTERNS_DIR
from analysis.types import Figure, FigureKey

SKILLS_FILE = PATTERNS_DIR / "skills.yaml"

# The bars a call clears to show a skill.
MIN_NEEDS_QUESTIONS = 3  # needs questions in a call (or the scenario's discovery count, if higher)
MIN_PARAPHRASES = 1
MIN_QUESTIONS_FOR_OPENNESS = 2  # fewer questions say nothing about how open they were
MIN_OPEN_SHARE = 0.5
MIN_NEEDS_UNCOVERED_SHARE = 0.5
MAX_TALK_SHARE = 0.6


@dataclass(frozen=True)
class Skill:
    id: str
    title: str
    shown: str
    why: str
    try_next: str


@dataclass(frozen=True)
class Assessment:
    """Whether a call showed a skill, and the turns that show it (or its absence)."""

    shown: bool
    turns: list[int]


@lru_cache(maxsize=1)
def skills() -> tuple[Skill, ...]:
    with SKILLS_FILE.open(encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    return tuple(Skill(**{k: " ".join(str(v).split()) for k, v in item.items()}) for item in data)


def skill(skill_id: str) -> Skill:
    return next(s for s in skills() if s.id == skill_id)


def needs_questions_aim(discovery_before_pitch: int) -> int:
    return max(MIN_NEEDS_QUESTIONS, discovery_before_pitch)


def assess(figures: dict[FigureKey, Figure], discovery_before_pitch: int) -> dict[str, Assessment]:
    """For every skill: was it shown on this call, and which turns show it."""
    f = figures
    questions = f[FigureKey.QUESTIONS].value
    needs_total = f[FigureKey.NEEDS_UNCOVERED].detail.get("total", 0)
    spin = f[FigureKey.NEEDS_QUESTIONS].detail.get("spin", {})
    deeper = [
        m["turn"]
        for m in f[FigureKey.NEEDS_QUESTIONS].detail.get("spin_map", [])
        if m["spin"] in ("implication", "need_payoff")
    ]
    needs_asked = f[FigureKey.NEEDS_QUESTIONS]
    return {
        "ask_before_advocating": Assessment(
            bool(f[FigureKey.ASK_BEFORE_ADVOCATE].value) and needs_asked.value > 0,
            f[FigureKey.ASK_BEFORE_ADVOCATE].turns,
        ),
        "needs_questions": Assessment(
            needs_asked.value >= needs_questions_aim(discovery_before_pitch), needs_asked.turns
        ),
        "active_listening": Assessment(
            f[FigureKey.PARAPHRASES].value >= MIN_PARAPHRASES, f[FigureKey.PARAPHRASES].turns
        ),
        "open_questions": Assessment(
            questions >= MIN_QUESTIONS_FOR_OPENNESS and f[FigureKey.OPEN_QUESTIONS].detail["share"] >= MIN_OPEN_SHARE,
            f[FigureKey.OPEN_QUESTIONS].turns,
        ),
        "uncover_needs": Assessment(
            needs_total > 0 and f[FigureKey.NEEDS_UNCOVERED].value >= MIN_NEEDS_UNCOVERED_SHARE * needs_total,
            f[FigureKey.NEEDS_UNCOVERED].turns,
        ),
        "balanced_talk": Assessment(
            0 < f[FigureKey.TALK_SHARE].value <= MAX_TALK_SHARE, f[FigureKey.LONGEST_REP_TURN].turns
        ),
        "implication_questions": Assessment(spin.get("implication", 0) + spin.get("need_payoff", 0) > 0, deeper),
    }


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def where_you_are(skill_id: str, figures: dict[FigureKey, Figure], discovery_before_pitch: int) -> str:
    """Where the rep is on a skill, against where it wants them: the gap in one line."""
    f = figures
    gaps: dict[str, Callable[[], str]] = {
        "ask_before_advocating": lambda: (
            f"This call: {_plural(f[FigureKey.ASK_BEFORE_ADVOCATE].detail['needs_questions_before_pitch'], 'needs question')} "
            f"before the first pitch; aim for {discovery_before_pitch}."
        ),
        "needs_questions": lambda: (
            f"This call: {_plural(f[FigureKey.NEEDS_QUESTIONS].value, 'needs question')}; "
            f"aim for {needs_questions_aim(discovery_before_pitch)}."
        ),
        "active_listening": lambda: (
            f"This call: {_plural(f[FigureKey.PARAPHRASES].value, 'paraphrase')}; aim for at least {MIN_PARAPHRASES}."
        ),
        "open_questions": lambda: (
            f"This call: {f[FigureKey.OPEN_QUESTIONS].display} questions open; aim for more than half."
        ),
        "uncover_needs": lambda: (
            f"This call: {f[FigureKey.NEEDS_UNCOVERED].display} needs uncovered; aim for at least half."
        ),
        "balanced_talk": lambda: (
            f"This call: you spoke {f[FigureKey.TALK_SHARE].value:.0%} of the words; "
            f"aim for under {MAX_TALK_SHARE:.0%}."
        ),
        "implication_questions": lambda: "This call: no implication or need-payoff question; aim for 1.",
    }
    gap = gaps.get(skill_id)
    return gap() if gap else ""
