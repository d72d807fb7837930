"""The coaching debrief: the rep reflects first, then sees the figures, strengths and one focus.

The order follows the coaching model the product is built on: ask before advocating applies
to feedback too. The rep answers What? So what? Now what? before any number appears; then
one or two strengths with the turns that show them, and exactly one skill to work on next,
phrased as something to try rather than something that went wrong.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from analysis import PATTERNS_DIR
from analysis.coaching.figures import Figure, describe_turns

SKILLS_FILE = PATTERNS_DIR / "skills.yaml"

REFLECTION_PROMPTS: tuple[tuple[str, str], ...] = (
    ("what_happened", "What happened on this call? Tell it in two or three sentences."),
    ("went_well", "So what went well, and what did you notice about the customer?"),
    ("do_differently", "Now what would you do differently if you took this call again?"),
)
NEXT_STEP_PROMPT = "Your next step: one concrete thing you will try on your next call."


@dataclass(frozen=True)
class Skill:
    id: str
    title: str
    shown: str
    why: str
    try_next: str


@lru_cache(maxsize=1)
def skills() -> tuple[Skill, ...]:
    with SKILLS_FILE.open(encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    return tuple(Skill(**{k: " ".join(str(v).split()) for k, v in item.items()}) for item in data)


def skill(skill_id: str) -> Skill:
    return next(s for s in skills() if s.id == skill_id)


def _assess(figures: dict[str, Figure], discovery_before_pitch: int) -> dict[str, tuple[bool, list[int]]]:
    """For every skill: was it shown on this call, and which turns show it (or its absence)."""
    f = figures
    questions = f["questions"].value
    needs_total = f["needs_uncovered"].detail.get("total", 0)
    spin = f["needs_questions"].detail.get("spin", {})
    deeper = [m["turn"] for m in f["needs_questions"].detail.get("spin_map", [])
              if m["spin"] in ("implication", "need_payoff")]
    return {
        "ask_before_advocating": (bool(f["ask_before_advocate"].value) and f["needs_questions"].value > 0,
                                  f["ask_before_advocate"].turns),
        "needs_questions": (f["needs_questions"].value >= max(3, discovery_before_pitch), f["needs_questions"].turns),
        "active_listening": (f["paraphrases"].value >= 1, f["paraphrases"].turns),
        "open_questions": (questions >= 2 and f["open_questions"].detail["share"] >= 0.5, f["open_questions"].turns),
        "uncover_needs": (needs_total > 0 and f["needs_uncovered"].value * 2 >= needs_total, f["needs_uncovered"].turns),
        "balanced_talk": (0 < f["talk_share"].value <= 0.6, f["longest_rep_turn"].turns),
        "implication_questions": (spin.get("implication", 0) + spin.get("need_payoff", 0) > 0, deeper),
    }


def _where_you_are(skill_id: str, figures: dict[str, Figure], discovery_before_pitch: int) -> str:
    """Where the rep is on the focus skill, against where it wants them: the gap in one line."""
    f = figures
    target = max(3, discovery_before_pitch)
    plural = lambda n, word: f"{n} {word}{'' if n == 1 else 's'}"  # noqa: E731
    return {
        "ask_before_advocating": (f"This call: {plural(f['ask_before_advocate'].detail['needs_questions_before_pitch'], 'needs question')} "
                                  f"before the first pitch; aim for {discovery_before_pitch}."),
        "needs_questions": f"This call: {plural(f['needs_questions'].value, 'needs question')}; aim for {target}.",
        "active_listening": f"This call: {plural(f['paraphrases'].value, 'paraphrase')}; aim for at least 1.",
        "open_questions": (f"This call: {f['open_questions'].display} questions open; aim for more than half."),
        "uncover_needs": (f"This call: {f['needs_uncovered'].display} needs uncovered; aim for at least half."),
        "balanced_talk": f"This call: you spoke {f['talk_share'].value:.0%} of the words; aim for under 60%.",
        "implication_questions": "This call: no implication or need-payoff question; aim for 1.",
    }.get(skill_id, "")


@dataclass
class Debrief:
    prompts: list[dict[str, str]]
    figures: list[dict[str, Any]]
    strengths: list[dict[str, Any]]
    focus: dict[str, Any]
    previous_focus: dict[str, Any] | None = None
    outcome: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def build_debrief(
    figures: dict[str, Figure],
    *,
    discovery_before_pitch: int = 2,
    previous_focus: str | None = None,
    outcome: dict[str, Any] | None = None,
) -> Debrief:
    """Pick strengths and one focus skill from the call's figures.

    `previous_focus` is the skill the rep chose to work on last time; the debrief says whether
    it showed up on this call, because progress on the agreed goal is what the rep came for.
    """
    assessed = _assess(figures, discovery_before_pitch)
    order = [s.id for s in skills()]
    shown = [sid for sid in order if assessed[sid][0]]
    missing = [sid for sid in order if not assessed[sid][0]]

    strengths = []
    for sid in shown[:2]:
        s = skill(sid)
        turns = assessed[sid][1]
        strengths.append({"skill": sid, "title": s.title, "text": s.shown, "turns": turns,
                          "where": describe_turns(turns)})

    # The focus is the first skill in priority order not shown yet; a rep who showed them all
    # keeps working on the deepest one, uncovering every need.
    focus_id = missing[0] if missing else "uncover_needs"
    focus_skill = skill(focus_id)
    focus = {
        "skill": focus_id,
        "title": focus_skill.title,
        "why": focus_skill.why,
        "try_next": focus_skill.try_next.format(discovery_before_pitch=discovery_before_pitch),
        "turns": assessed[focus_id][1],
        "where": describe_turns(assessed[focus_id][1]),
        "gap": _where_you_are(focus_id, figures, discovery_before_pitch) if missing else "",
    }
    previous = None
    if previous_focus and previous_focus in assessed:
        met, turns = assessed[previous_focus]
        previous = {"skill": previous_focus, "title": skill(previous_focus).title, "shown": met,
                    "turns": turns, "where": describe_turns(turns)}
    return Debrief(
        prompts=[{"key": k, "prompt": p} for k, p in REFLECTION_PROMPTS],
        figures=[fig.to_dict() for fig in figures.values()],
        strengths=strengths,
        focus=focus,
        previous_focus=previous,
        outcome=outcome or {},
    )


def render_text(debrief: Debrief, turns: list[dict[str, Any]], answers: dict[str, str] | None = None) -> str:
    """The debrief as plain text, for the command line; figures name the turns behind them."""
    answers = answers or {}
    lines: list[str] = []
    outcome = debrief.outcome
    if outcome:
        lines.append(f"Call ended: {outcome.get('end_reason_text', outcome.get('end_reason', ''))}")
        lines.append("")
    lines.append("Before the numbers, your own view of the call:")
    for prompt in debrief.prompts:
        answer = answers.get(prompt["key"])
        lines.append(f"  - {prompt['prompt']}")
        if answer:
            lines.append(f"      you said: {answer}")
    lines.append("")
    if debrief.previous_focus:
        p = debrief.previous_focus
        status = f"yes, {p['where']}" if p["shown"] and p["where"] else ("yes" if p["shown"] else "not yet this time")
        lines.append(f"Last time you chose to work on: {p['title']}. Shown on this call: {status}.")
        lines.append("")
    lines.append("What the call shows:")
    for fig in debrief.figures:
        where = describe_turns(fig["turns"])
        lines.append(f"  {fig['label']}: {fig['display']}" + (f"  [{where}]" if where else ""))
        if fig.get("note"):
            lines.append(f"      {fig['note']}")
    evidence = [t for t in turns if t["speaker"] == "rep" and t.get("analysis") and t["analysis"].get("evidence")]
    if evidence:
        lines.append("")
        lines.append("Why each turn counted:")
        for turn in evidence:
            labels = "; ".join(f"{e['label']} ({e['cue']})" for e in turn["analysis"]["evidence"])
            lines.append(f"  turn {turn['index'] + 1}: {labels}")
    lines.append("")
    if debrief.strengths:
        lines.append("What went well:")
        for s in debrief.strengths:
            lines.append(f"  + {s['title']}: {s['text']}" + (f" ({s['where']})" if s["where"] else ""))
        lines.append("")
    focus = debrief.focus
    lines.append(f"One thing to work on next: {focus['title']}")
    if focus.get("gap"):
        lines.append(f"  {focus['gap']}")
    lines.append(f"  Why it matters: {focus['why']}")
    lines.append(f"  Try this: {focus['try_next']}")
    if answers.get("next_step"):
        lines.append(f"  Your next step: {answers['next_step']}")
    else:
        lines.append(f"  {NEXT_STEP_PROMPT} (spar practice --next-step \"...\" saves it)")
    return "\n".join(lines)
