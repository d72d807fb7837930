"""The coaching skills a debrief can name: which the call showed, with the turns, and the gap to the aim.

The skills themselves (their wording and priority) are data in `analysis/patterns/skills.yaml`; the
bars a call must clear to show each one are named here, beside the code that applies them. A skill
the call gave no chance to show (no objection to handle, too few turns to judge the talk) is
neither a strength nor the focus: praise and advice both need evidence.
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
MIN_NEEDS_BEFORE_PITCH = 2  # asking before advocating takes at least this many needs questions...
MIN_OPEN_BEFORE_PITCH = 1  # ...and one of them open: three yes/no checks are not discovery
MIN_PARAPHRASES = 1
MIN_QUESTIONS_FOR_OPENNESS = 3  # fewer questions say nothing about how open they were
MIN_OPEN_SHARE = 0.5  # more than this share of the questions open: "most"
MIN_NEEDS_UNCOVERED_SHARE = 0.5
MAX_TALK_SHARE = 0.6
MIN_TURNS_FOR_TALK = 3  # one long turn says nothing about the balance of a conversation
MIN_WORDS_FOR_TALK = 60
# When a call showed every skill it could, the focus is this one: a harder call.
STRETCH_SKILL = "harder_call"


@dataclass(frozen=True)
class Skill:
    id: str
    title: str
    shown: str
    why: str
    try_next: str


@dataclass(frozen=True)
class Assessment:
    """Whether a call showed a skill, and the turns that show it (or its absence). `judged` is False
    when the call gave no chance to show it, or too little to tell."""

    shown: bool
    turns: list[int]
    judged: bool = True


@lru_cache(maxsize=1)
def skills() -> tuple[Skill, ...]:
    with SKILLS_FILE.open(encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    return tuple(Skill(**{k: " ".join(str(v).split()) for k, v in item.items()}) for item in data)


def skill(skill_id: str) -> Skill:
    return next(s for s in skills() if s.id == skill_id)


def skill_title(skill_id: str | None) -> str:
    """A stored skill id as a rep reads it; an id this version does not know is shown as it is."""
    if not skill_id:
        return ""
    return next((s.title for s in skills() if s.id == skill_id), skill_id)


def needs_questions_aim(discovery_before_pitch: int) -> int:
    return max(MIN_NEEDS_QUESTIONS, discovery_before_pitch)


def needs_before_pitch_aim(discovery_before_pitch: int) -> int:
    return max(MIN_NEEDS_BEFORE_PITCH, discovery_before_pitch)


def _before_pitch(f: dict[FigureKey, Figure]) -> tuple[list[int], list[int]]:
    """The needs questions before the first pitch, and those of them that were open."""
    ask = f[FigureKey.ASK_BEFORE_ADVOCATE]
    first_pitch = ask.detail.get("first_pitch_turn")
    before = [t for t in ask.turns if t != first_pitch]
    open_turns = set(f[FigureKey.OPEN_QUESTIONS].turns)
    return before, [t for t in before if t in open_turns]


def _rep_turn_count(f: dict[FigureKey, Figure]) -> int:
    return len(f[FigureKey.SPIN_MAP].detail.get("marks", []))


def _complete(figures: dict[FigureKey, Figure]) -> dict[FigureKey, Figure]:
    """Every figure key present: a session stored by an older Sparring lacks the newer figures,
    which then count as not shown rather than breaking progress over weeks."""
    return {key: figures.get(key) or Figure(key, str(key), 0, "", [], "", {}) for key in FigureKey}


def assess(figures: dict[FigureKey, Figure], discovery_before_pitch: int) -> dict[str, Assessment]:
    """For every skill but the stretch: was it shown on this call, and which turns show it."""
    f = _complete(figures)
    questions = f[FigureKey.QUESTIONS].value
    needs_total = f[FigureKey.NEEDS_UNCOVERED].detail.get("total", 0)
    spin = f[FigureKey.NEEDS_QUESTIONS].detail.get("spin", {})
    deeper = [
        m["turn"]
        for m in f[FigureKey.NEEDS_QUESTIONS].detail.get("spin_map", [])
        if m["spin"] in ("implication", "need_payoff")
    ]
    needs_asked = f[FigureKey.NEEDS_QUESTIONS]
    before, open_before = _before_pitch(f)
    talk = f[FigureKey.TALK_SHARE]
    talk_words = talk.detail.get("rep_words", 0) + talk.detail.get("customer_words", 0)
    proposal = f[FigureKey.PROPOSAL].detail if FigureKey.PROPOSAL in f else {}
    objections = f[FigureKey.OBJECTIONS].detail if FigureKey.OBJECTIONS in f else {}
    # Only an objection the rep had a turn to answer can show (or miss) the skill.
    answered = objections.get("handled", []) + objections.get("not_handled", [])
    return {
        "ask_before_advocating": Assessment(
            len(before) >= needs_before_pitch_aim(discovery_before_pitch) and len(open_before) >= MIN_OPEN_BEFORE_PITCH,
            f[FigureKey.ASK_BEFORE_ADVOCATE].turns,
            judged=_rep_turn_count(f) > 0,
        ),
        "needs_questions": Assessment(
            needs_asked.value >= needs_questions_aim(discovery_before_pitch), needs_asked.turns
        ),
        "active_listening": Assessment(
            f[FigureKey.PARAPHRASES].value >= MIN_PARAPHRASES, f[FigureKey.PARAPHRASES].turns
        ),
        "open_questions": Assessment(
            f[FigureKey.OPEN_QUESTIONS].detail["share"] > MIN_OPEN_SHARE,
            f[FigureKey.OPEN_QUESTIONS].turns,
            judged=questions >= MIN_QUESTIONS_FOR_OPENNESS,
        ),
        "uncover_needs": Assessment(
            needs_total > 0 and f[FigureKey.NEEDS_UNCOVERED].value >= MIN_NEEDS_UNCOVERED_SHARE * needs_total,
            f[FigureKey.NEEDS_UNCOVERED].turns,
            judged=needs_total > 0,
        ),
        "balanced_talk": Assessment(
            0 < talk.value <= MAX_TALK_SHARE,
            [],  # a share of the whole call: no single turn shows it
            judged=_rep_turn_count(f) >= MIN_TURNS_FOR_TALK and talk_words >= MIN_WORDS_FOR_TALK,
        ),
        "propose_next_step": Assessment(
            proposal.get("agreed_turn") is not None,
            f[FigureKey.PROPOSAL].turns if FigureKey.PROPOSAL in f else [],
            judged=bool(proposal.get("proposals")) or proposal.get("ready_after") is not None,
        ),
        "implication_questions": Assessment(spin.get("implication", 0) + spin.get("need_payoff", 0) > 0, deeper),
        "handle_objections": Assessment(
            bool(answered) and not objections.get("not_handled"),
            f[FigureKey.OBJECTIONS].turns if FigureKey.OBJECTIONS in f else [],
            judged=bool(answered),
        ),
    }


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def measure(skill_id: str, figures: dict[FigureKey, Figure], discovery_before_pitch: int) -> str:
    """What this call shows of a skill, in a few words: the evidence for a strength, the start of a gap."""
    f = figures

    def before_pitch() -> str:
        before, open_before = _before_pitch(f)
        first = f[FigureKey.ASK_BEFORE_ADVOCATE].detail.get("first_pitch_turn")
        where = "before the first pitch" if first is not None else "and no pitch"
        said = f"{_plural(len(before), 'needs question')} {where}"
        return f"{said}, {len(open_before)} of them open" if before else said

    def proposal() -> str:
        if FigureKey.PROPOSAL not in f:
            return ""
        d = f[FigureKey.PROPOSAL].detail
        ready = d.get("ready_after")
        if d.get("agreed_turn") is not None:
            return "the customer agreed"
        tries = len(d.get("proposals", []))
        said = f"{_plural(tries, 'proposal')} before the customer was ready" if tries else "no proposal"
        return said + (f"; the customer was ready after turn {ready + 1}" if ready is not None else "")

    measures: dict[str, Callable[[], str]] = {
        "ask_before_advocating": before_pitch,
        "needs_questions": lambda: _plural(f[FigureKey.NEEDS_QUESTIONS].value, "needs question"),
        "active_listening": lambda: _plural(f[FigureKey.PARAPHRASES].value, "paraphrase"),
        "open_questions": lambda: f"{f[FigureKey.OPEN_QUESTIONS].display} questions open",
        "uncover_needs": lambda: f"{f[FigureKey.NEEDS_UNCOVERED].display} needs uncovered",
        "balanced_talk": lambda: (
            f"you spoke {f[FigureKey.TALK_SHARE].value:.0%} of the words over {_plural(_rep_turn_count(f), 'turn')}"
        ),
        "propose_next_step": proposal,
        "implication_questions": lambda: _plural(
            f[FigureKey.NEEDS_QUESTIONS].detail.get("spin", {}).get("implication", 0)
            + f[FigureKey.NEEDS_QUESTIONS].detail.get("spin", {}).get("need_payoff", 0),
            "implication or need-payoff question",
        ),
        "handle_objections": lambda: (
            f"{f[FigureKey.OBJECTIONS].value} of "
            f"{f[FigureKey.OBJECTIONS].value + len(f[FigureKey.OBJECTIONS].detail.get('not_handled', []))} "
            "objections explored"
            if FigureKey.OBJECTIONS in f
            else ""
        ),
    }
    found = measures.get(skill_id)
    return found() if found else ""


def aim(skill_id: str, discovery_before_pitch: int) -> str:
    """Where a skill wants the rep, in a few words."""
    aims = {
        "ask_before_advocating": (
            f"{needs_before_pitch_aim(discovery_before_pitch)} before any pitch, "
            f"{'one' if MIN_OPEN_BEFORE_PITCH == 1 else MIN_OPEN_BEFORE_PITCH} of them open"
        ),
        "needs_questions": str(needs_questions_aim(discovery_before_pitch)),
        "active_listening": f"at least {MIN_PARAPHRASES}",
        "open_questions": "more than half",
        "uncover_needs": "at least half",
        "balanced_talk": f"under {MAX_TALK_SHARE:.0%}",
        "propose_next_step": "a proposal as soon as they are ready",
        "implication_questions": "1",
        "handle_objections": "a question about each one before you answer it",
    }
    return aims.get(skill_id, "")


def where_you_are(skill_id: str, figures: dict[FigureKey, Figure], discovery_before_pitch: int) -> str:
    """Where the rep is on a skill, against where it wants them: the gap in one line."""
    now = measure(skill_id, figures, discovery_before_pitch)
    target = aim(skill_id, discovery_before_pitch)
    if not now:
        return ""
    return f"This call: {now}; aim for {target}." if target else f"This call: {now}."
