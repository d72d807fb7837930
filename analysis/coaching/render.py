"""The debrief and a turn's evidence in words: plain text for the command line, short parts for screens.

Screens add their own styling around these parts; the wording lives here once.
"""

from __future__ import annotations

from collections.abc import Sequence

from analysis.coaching.debrief import NEXT_STEP_PROMPT, Debrief, Strength
from analysis.coaching.figures import describe_turns
from analysis.types import Evidence, TranscriptTurn, TurnAnalysis


def turn_tags(analysis: TurnAnalysis | None) -> str:
    """A short tag line under a rep turn: what the analyzer counted it as."""
    if not analysis:
        return ""
    tags = []
    if analysis.is_question:
        tags.append(f"{analysis.question_type} question")
    if analysis.is_needs_question and analysis.spin is not None:
        tags.append(f"needs: {analysis.spin.words}")
    if analysis.is_paraphrase:
        tags.append("paraphrase")
    if analysis.is_pitch:
        tags.append("pitch")
    return " · ".join(tags)


def evidence_reason(evidence: Evidence) -> str:
    """What was decided about a sentence and the cue that decided it: "open question: question word 'how'"."""
    return f"{evidence.label}: {evidence.cue}"


def restated_words(evidence: Evidence) -> str:
    """The customer's words a paraphrase brought back, or nothing."""
    return ", ".join(evidence.restates)


def strength_evidence(strength: Strength) -> str:
    """What shows a strength, and where: "4 needs questions, turns 2, 4, 6 and 8"."""
    return ", ".join(part for part in (strength.evidence, strength.where) if part)


def render_text(debrief: Debrief, turns: Sequence[TranscriptTurn], answers: dict[str, str] | None = None) -> str:
    """The debrief as plain text, for the command line; figures name the turns behind them."""
    answers = answers or {}
    lines: list[str] = []
    outcome = debrief.outcome
    if outcome:
        lines.append(f"Call ended: {outcome.why_ended or outcome.end_reason_text or outcome.end_reason or ''}")
        lines.append("")
    lines.append("Before the numbers, your own view of the call:")
    for key, prompt in debrief.prompts:
        answer = answers.get(key)
        lines.append(f"  - {prompt}")
        if answer:
            lines.append(f"      you said: {answer}")
    lines.append("")
    if debrief.previous_focus:
        p = debrief.previous_focus
        lines.append(f"Last time you chose to work on: {p.title}. Shown on this call: {p.status}.")
    if debrief.goal_check:
        lines.append(debrief.goal_check.line())
    if debrief.previous_focus or debrief.goal_check:
        lines.append("")
    lines.append("What the call shows:")
    for fig in debrief.figures:
        where = describe_turns(fig.turns)
        lines.append(f"  {fig.label}: {fig.display}" + (f"  [{where}]" if where else ""))
        if fig.note:
            lines.append(f"      {fig.note}")
    explained = [t for t in turns if t.speaker == "rep" and t.analysis and t.analysis.evidence]
    if explained:
        lines.append("")
        lines.append("Why each turn counted:")
        for turn in explained:
            assert turn.analysis is not None
            labels = "; ".join(f"{e.label} ({e.cue})" for e in turn.analysis.evidence)
            lines.append(f"  turn {turn.index + 1}: {labels}")
    lines.append("")
    if debrief.strengths:
        lines.append("What went well:")
        for s in debrief.strengths:
            lines.append(f"  + {s.title}: {s.text}" + (f" ({strength_evidence(s)})" if strength_evidence(s) else ""))
        if debrief.also_shown:
            lines.append(f"  Also shown: {', '.join(debrief.also_shown)}.")
        lines.append("")
    focus = debrief.focus
    lines.append(f"One thing to work on next: {focus.title}")
    if focus.gap:
        lines.append(f"  {focus.gap}")
    lines.append(f"  Why it matters: {focus.why}")
    lines.append(f"  Try this: {focus.try_next}")
    if answers.get("next_step"):
        lines.append(f"  Your next step: {answers['next_step']}")
    else:
        lines.append(f'  {NEXT_STEP_PROMPT} (spar practice --next-step "..." saves it)')
    return "\n".join(lines)
