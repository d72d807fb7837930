"""A reviewed call as a report a rep keeps: Markdown, or one self-contained HTML page.

The report holds what the review screen shows: every turn with its labels (the coach's corrections
beside the analyzer's), the evidence, the customer's reaction and why, notes, missed chances, the
tries from review beside the turn they retry, the figures, the debrief and the goal. The HTML page
needs nothing else: its style is inline, it loads no fonts, images or scripts, so it opens the same
anywhere, offline, years later.

Words a rep reads are kept plain (about a 10th-grade reading level, measured in the tests with
`reading_grade`).
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from analysis.coaching.goals import PairDebrief, pair_prompt
from analysis.coaching.observers import HIGHEST_SCORE, LOWEST_SCORE, Criterion, ObserverScoring, summarize
from analysis.coaching.render import evidence_reason, restated_words, turn_tags
from analysis.coaching.retry import Retry, answer_words, retry_help
from analysis.coaching.review import LABEL_WORDS, Correction, Note, label_value, value_text
from analysis.types import Figure, FigureKey, TurnAnalysis


@dataclass(frozen=True)
class ReportReaction:
    """What the customer's line did, and why."""

    event: str
    why: str
    trust_before: int
    trust_after: int
    level: str
    buying_signal: bool = False


@dataclass(frozen=True)
class ReportTurn:
    index: int
    speaker: str
    name: str
    text: str
    analysis: TurnAnalysis | None  # the analyzer's
    corrected: TurnAnalysis | None  # with the coach's corrections
    corrections: tuple[Correction, ...] = ()  # the ones in force
    notes: tuple[Note, ...] = ()
    reaction: ReportReaction | None = None
    missed_chance: bool = False
    retries: tuple[Retry, ...] = ()  # new answers made in review, oldest first
    original_answer: str = ""  # with retries: the turn's labels and the customer's answer, to compare


@dataclass(frozen=True)
class ReportGoal:
    focus_skill: str
    next_step: str
    measure: str
    due_date: str
    agreed_by: str
    checkable: bool = False  # a number the next call checks


@dataclass
class Report:
    session_id: int
    rep: str
    scenario: str
    started_at: str
    result: str
    turns: tuple[ReportTurn, ...]
    figures: list[Figure]
    analyzer_figures: Mapping[FigureKey, Figure]
    reflection: tuple[tuple[str, str], ...]
    debrief: dict[str, Any] | None
    goal: ReportGoal | None
    pair: PairDebrief | None = None
    # Team roleplay: the rubric lines observers scored, and each observer's scores.
    rubric: tuple[Criterion, ...] = ()
    scorings: tuple[ObserverScoring, ...] = ()


# --- the parts, in words --------------------------------------------------------------------
def _correction_lines(turn: ReportTurn) -> list[str]:
    out = []
    for c in turn.corrections:
        said = value_text(label_value(turn.analysis, c.label)) if turn.analysis else "none"
        who = f"{c.author}" if c.author else "a coach"
        out.append(f"{LABEL_WORDS[c.label]}: {value_text(c.value)} (set by {who}; the analyzer said {said})")
    return out


def _pace(analysis: TurnAnalysis | None) -> str:
    speech = analysis.speech if analysis else None
    if speech is None or len(speech.words) < 3:
        return ""
    minutes = (speech.words[-1].end - speech.words[0].start) / 60
    return f"{round(len(speech.words) / minutes)} words a minute" if minutes > 0 else ""


def _reaction_line(reaction: ReportReaction) -> str:
    line = f"The customer's move: {reaction.event}. Trust {reaction.trust_before} to {reaction.trust_after} ({reaction.level})."
    if reaction.why:
        line += f" Why: {reaction.why}"
    if reaction.buying_signal:
        line += " This was a buying signal: they were ready for the next step."
    return line


def _figure_rows(report: Report) -> Iterator[tuple[str, str, str]]:
    """Each figure: its name, its value, and the analyzer's value when a correction changed it."""
    for fig in report.figures:
        before = report.analyzer_figures.get(fig.key)
        changed = before is not None and before.display != fig.display
        yield fig.label, fig.display, (before.display if changed and before else "")


def _debrief_parts(report: Report) -> tuple[list[str], list[str]]:
    """Strengths, and the focus (title, why, what to try), as lines."""
    debrief = report.debrief or {}
    strengths = [f"{s['title']}: {s['text']}" for s in debrief.get("strengths") or []]
    focus = debrief.get("focus") or {}
    lines = []
    if focus:
        lines.append(f"One thing to work on: {focus.get('title', '')}")
        if focus.get("gap"):
            lines.append(str(focus["gap"]))
        lines.append(f"Why it matters: {focus.get('why', '')}")
        lines.append(f"Try this: {focus.get('try_next', '')}")
    return strengths, lines


def _goal_lines(goal: ReportGoal | None) -> list[str]:
    if goal is None:
        return ["No goal was set for this call."]
    lines = []
    if goal.focus_skill:
        lines.append(f"Skill: {goal.focus_skill.replace('_', ' ')}")
    lines.append(f"Next step: {goal.next_step or 'not written yet'}")
    lines.append(f"How you will know: {goal.measure or 'no measure yet'}")
    lines.append(f"By: {goal.due_date or 'no date yet'}")
    if goal.agreed_by:
        lines.append(f"Agreed with: {goal.agreed_by}")
    if goal.checkable:
        lines.append("Sparring checks this number on your next call.")
    return lines


def _goal_check_lines(report: Report) -> list[str]:
    """The goal set last time, as this call checked it (its own measure, with the number)."""
    check = (report.debrief or {}).get("goal_check")
    if not check:
        return []
    lines = [str(check.get("line") or "")]
    if check.get("due_date"):
        lines.append(f"It was due by {check['due_date']}.")
    return lines


def _pair_parts(pair: PairDebrief | None) -> tuple[list[tuple[str, str, str, str]], list[str]]:
    """Each step of the pair's debrief (stage, prompt, the rep's answer, the coach's), and the gaps."""
    if pair is None:
        return [], []
    steps = []
    for answer in pair.answers:
        prompt = pair_prompt(answer.key)
        steps.append((prompt.stage, prompt.rep, answer.rep, answer.coach))
    return steps, [gap.line() for gap in pair.gaps]


def _coach_name(pair: PairDebrief) -> str:
    return f"Coach ({pair.coach})" if pair.coach else "Coach"


def _observer_lines(report: Report) -> list[str]:
    """Each rubric line with the observers' score (the mean and how many, when several), then their notes."""
    if not report.scorings:
        return []
    summaries = summarize(report.scorings)
    lines = []
    for criterion in report.rubric:
        found = summaries.get(criterion.id)
        if found is None:
            continue
        who = f"mean of {found.count} observers" if found.count > 1 else "1 observer"
        lines.append(f"{criterion.title}: {found.mean:g} out of {HIGHEST_SCORE} ({who})")
    lines += [f"Note from {s.observer}: {s.note}" for s in report.scorings if s.note]
    return lines


OBSERVERS_GUIDE = (
    f"People who watched the call scored it on the scenario's rubric, from {LOWEST_SCORE} (not seen) "
    f"to {HIGHEST_SCORE} (done very well)."
)


GUIDE = (
    "How to read this: each of your turns shows what Sparring heard (a question, a paraphrase, a pitch) "
    "and the words that made it count. Where a coach changed a label, you see both. "
    "A missed chance is a moment the customer told you about a need and you did not ask about it. "
    "A try is a new answer you gave in review; with help means a coach showed you how or gave a hint first."
)


def _turn_heading(turn: ReportTurn) -> str:
    who = f"{turn.name} (you)" if turn.speaker == "rep" else turn.name
    return f"Turn {turn.index + 1}: {who}"


# --- Markdown -------------------------------------------------------------------------------
def to_markdown(report: Report) -> str:
    out = [f"# Call review: {report.scenario}", ""]
    out.append(f"{report.rep} · {report.started_at[:16].replace('T', ' ')} UTC · {report.result}")
    out += ["", GUIDE, "", "## The figures", "", "| Figure | This call | Before corrections |", "|---|---|---|"]
    for label, value, before in _figure_rows(report):
        out.append(f"| {_md_cell(label)} | {_md_cell(value)} | {_md_cell(before)} |")
    out += ["", "## The call, turn by turn", ""]
    for turn in report.turns:
        out += [f"### {_turn_heading(turn)}", ""]
        out += [f"> {line}" for line in turn.text.splitlines() or [""]]
        out.append("")
        for line in _turn_lines(turn):
            out.append(f"- {line}")
        out.append("")
    out += ["## The debrief", ""]
    for prompt, answer in report.reflection:
        out.append(f"- **{prompt}**: {answer or '(not answered)'}")
    strengths, focus = _debrief_parts(report)
    if strengths:
        out += ["", "What went well:"] + [f"- {s}" for s in strengths]
    if focus:
        out += [""] + [f"- {line}" for line in focus]
    check = _goal_check_lines(report)
    if check:
        out += ["", "## Last time's goal", ""] + [f"- {line}" for line in check]
    steps, gaps = _pair_parts(report.pair)
    if report.pair is not None:
        out += ["", "## The pair's debrief", ""]
        for stage, prompt, said, added in steps:
            out += [f"{stage} {prompt}", "", f"- **{report.rep}**: {said}"]
            if added:
                out.append(f"- **{_coach_name(report.pair)}**: {added}")
            out.append("")
        if gaps:
            out += ["Where you stood on each skill:", ""] + [f"- {line}" for line in gaps]
    out += ["", "## The goal", ""] + [f"- {line}" for line in _goal_lines(report.goal)]
    observed = _observer_lines(report)
    if observed:
        out += ["", "## What observers scored", "", OBSERVERS_GUIDE, ""] + [f"- {line}" for line in observed]
    return "\n".join(out) + "\n"


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _turn_lines(turn: ReportTurn) -> list[str]:
    """What is known about a turn, one line each (the text itself aside)."""
    lines = []
    if turn.corrected is not None:
        tags = turn_tags(turn.corrected)
        lines.append(f"Heard as: {tags or 'a statement (no question, paraphrase or pitch)'}")
        lines += [f"Changed by a coach: {line}" for line in _correction_lines(turn)]
        analysis = turn.analysis
        for e in analysis.evidence if analysis else ():
            lines.append(f'Why: "{e.text}" counted as {evidence_reason(e)}')
            if e.restates:
                lines.append(f"It brings back the customer's words: {restated_words(e)}")
        pace = _pace(analysis)
        if pace:
            lines.append(f"Pace: {pace}")
    if turn.reaction is not None:
        lines.append(_reaction_line(turn.reaction))
    if turn.missed_chance:
        lines.append(
            "Missed chance: the customer told you about a need here, and your next turn asked nothing about it."
        )
    for note in turn.notes:
        lines.append(f"Note ({note.kind}, {note.author or 'no name'}): {note.text}")
    lines += _retry_lines(turn)
    return lines


def _retry_lines(turn: ReportTurn) -> list[str]:
    if not turn.retries:
        return []
    lines = [f"Tried again in review. In the call: {turn.original_answer}"]
    for number, r in enumerate(turn.retries, start=1):
        lines.append(
            f'Try {number}, {retry_help(r.assisted, r.how, r.author)}: "{r.text}" '
            f'Heard as: {answer_words(r.analysis, r.reaction)}. The customer said: "{r.reaction.text}"'
        )
    return lines


# --- HTML -----------------------------------------------------------------------------------
STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2rem auto; max-width: 52rem;
       padding: 0 1rem; color: #1d2430; background: #ffffff; line-height: 1.5; }
h1 { font-size: 1.6rem; margin-bottom: .2rem; }
h2 { margin-top: 2rem; border-bottom: 2px solid #d8dee9; padding-bottom: .2rem; }
.meta { color: #4c566a; }
.guide { background: #eef3fb; border-left: 4px solid #5e81ac; padding: .6rem 1rem; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: .35rem .6rem; border-bottom: 1px solid #e5e9f0; vertical-align: top; }
th { background: #f2f4f8; }
.changed { color: #a3520f; }
.turn { margin: 1rem 0; padding: .6rem 1rem; border-radius: 6px; }
.turn.rep { background: #f3f8f2; border-left: 4px solid #4f8a3c; }
.turn.customer { background: #f7f5fb; border-left: 4px solid #7a5ea8; }
.turn h3 { margin: 0 0 .3rem 0; font-size: 1rem; }
.said { font-size: 1.05rem; margin: .2rem 0 .5rem 0; }
.turn ul { margin: .2rem 0; padding-left: 1.2rem; }
.missed { color: #b42318; font-weight: 600; }
.note { background: #fff8db; padding: .1rem .3rem; }
.retry { background: #eaf4fb; padding: .1rem .3rem; }
"""


def to_html(report: Report) -> str:
    e = html.escape
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>Call review: {e(report.scenario)} ({e(report.rep)})</title>",
        f"<style>{STYLE}</style></head><body>",
        f"<h1>Call review: {e(report.scenario)}</h1>",
        f'<p class="meta">{e(report.rep)} · {e(report.started_at[:16].replace("T", " "))} UTC · {e(report.result)}</p>',
        f'<p class="guide">{e(GUIDE)}</p>',
        "<h2>The figures</h2>",
        "<table><tr><th>Figure</th><th>This call</th><th>Before corrections</th></tr>",
    ]
    for label, value, before in _figure_rows(report):
        cls = ' class="changed"' if before else ""
        parts.append(f"<tr><td>{e(label)}</td><td{cls}>{e(value)}</td><td>{e(before)}</td></tr>")
    parts += ["</table>", "<h2>The call, turn by turn</h2>"]
    for turn in report.turns:
        parts.append(f'<div class="turn {e(turn.speaker)}" id="turn-{turn.index + 1}">')
        parts.append(f"<h3>{e(_turn_heading(turn))}</h3>")
        parts.append(f'<p class="said">{e(turn.text)}</p>')
        lines = _turn_lines(turn)
        if lines:
            parts.append("<ul>")
            for line in lines:
                cls = ' class="missed"' if line.startswith("Missed chance") else ""
                cls = ' class="note"' if line.startswith("Note (") else cls
                cls = ' class="retry"' if line.startswith(("Try ", "Tried again")) else cls
                parts.append(f"<li{cls}>{e(line)}</li>")
            parts.append("</ul>")
        parts.append("</div>")
    parts.append("<h2>The debrief</h2><ul>")
    for prompt, answer in report.reflection:
        parts.append(f"<li><b>{e(prompt)}</b>: {e(answer or '(not answered)')}</li>")
    parts.append("</ul>")
    strengths, focus = _debrief_parts(report)
    if strengths:
        parts.append("<p>What went well:</p><ul>" + "".join(f"<li>{e(s)}</li>" for s in strengths) + "</ul>")
    if focus:
        parts.append("<ul>" + "".join(f"<li>{e(line)}</li>" for line in focus) + "</ul>")
    check = _goal_check_lines(report)
    if check:
        parts.append("<h2>Last time's goal</h2><ul>" + "".join(f"<li>{e(line)}</li>" for line in check) + "</ul>")
    steps, gaps = _pair_parts(report.pair)
    if report.pair is not None:
        parts.append("<h2>The pair's debrief</h2>")
        for stage, prompt, said, added in steps:
            parts.append(f"<p><b>{e(stage)}</b> {e(prompt)}</p><ul><li><b>{e(report.rep)}</b>: {e(said)}</li>")
            if added:
                parts.append(f"<li><b>{e(_coach_name(report.pair))}</b>: {e(added)}</li>")
            parts.append("</ul>")
        if gaps:
            parts.append(
                "<p>Where you stood on each skill:</p><ul>" + "".join(f"<li>{e(g)}</li>" for g in gaps) + "</ul>"
            )
    parts.append("<h2>The goal</h2><ul>" + "".join(f"<li>{e(line)}</li>" for line in _goal_lines(report.goal)))
    parts.append("</ul>")
    observed = _observer_lines(report)
    if observed:
        parts.append(f"<h2>What observers scored</h2><p>{e(OBSERVERS_GUIDE)}</p><ul>")
        parts.append("".join(f"<li>{e(line)}</li>" for line in observed) + "</ul>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


# --- plain language ---------------------------------------------------------------------------
_WORD = re.compile(r"[A-Za-z]+(?:'[A-Za-z]+)?")
_SENTENCE_END = re.compile(r"[.!?]+(?:\s|$)")


def syllables(word: str) -> int:
    """Syllables in an English word, by vowel groups (the usual approximation)."""
    word = word.lower()
    groups = re.findall(r"[aeiouy]+", word)
    count = len(groups)
    if word.endswith("e") and not word.endswith(("le", "ee", "ye")) and count > 1:
        count -= 1
    if word.endswith(("es", "ed")) and count > 1 and not word.endswith(("ted", "ded", "ses", "zes", "ces", "ges")):
        count -= 1
    return max(1, count)


def reading_grade(text: str) -> float:
    """The Flesch-Kincaid grade level of TEXT: the US school grade that can read it."""
    words = _WORD.findall(text)
    if not words:
        return 0.0
    sentences = max(1, len([s for s in _SENTENCE_END.split(text) if _WORD.search(s)]))
    syllable_count = sum(syllables(w) for w in words)
    return 0.39 * len(words) / sentences + 11.8 * syllable_count / len(words) - 15.59
