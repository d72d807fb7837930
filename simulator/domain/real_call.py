"""A real call brought into review (`spar import-call`): its lines from a transcript or a
two-channel recording, who is the rep, the rep's turns analysed as in practice, and the figures.

There is no scripted customer, so the figures that only the customer's reactions give (needs
uncovered, the proposal, objections) are shown as not measured rather than as zero.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path

from analysis.coaching.debrief import Debrief, build_debrief
from analysis.coaching.figures import call_metrics
from analysis.language.analyzer import Analyzer, Utterance
from analysis.types import Figure, FigureKey, SpeechTiming, TimedWord
from simulator.domain.customer import CallTurn, rep_display_name
from simulator.storage.records import Goal

# Figures that come from the scripted customer's reactions: a real call has none to count.
CUSTOMER_FIGURES = (FigureKey.NEEDS_UNCOVERED, FigureKey.PROPOSAL, FigureKey.OBJECTIONS)
NOT_ON_A_REAL_CALL = "not measured on a real call: it needs the practice customer's reactions"
# The largest transcript file read (a long call's captions are a few hundred kilobytes).
MAX_TRANSCRIPT_BYTES = 20_000_000
# The name a speaker called "rep" in a transcript gets when --rep does not give one.
DEFAULT_REP_WORDS = ("rep", "sales rep", "salesperson", "agent")


class RealCallError(ValueError):
    """What is wrong with an imported call, in one line naming the file (and line) and what to do."""


@dataclass(frozen=True)
class Caption:
    """One cue of a WebVTT or SRT transcript: who spoke, what, when (seconds), and its line in the file."""

    name: str
    text: str
    start: float
    end: float
    line: int


@dataclass(frozen=True)
class RealLine:
    """One turn of a real call before analysis: the rep's or the customer's, when it was said
    (seconds from the call's start, when known), its timed words and its audio."""

    speaker: str  # "rep" or "customer"
    text: str
    start: float | None = None
    end: float | None = None
    words: tuple[TimedWord, ...] = ()
    audio_path: str | None = None


# --- transcripts -------------------------------------------------------------------------------
_TIME = r"(?:(\d+):)?(\d{1,2}):(\d{2})[.,](\d{1,3})"
_CUE_TIMES = re.compile(rf"^\s*{_TIME}\s*-->\s*{_TIME}")
_VOICE = re.compile(r"<v(?:\.[^\s>]*)?\s+([^>]+)>")
_TAG = re.compile(r"</?[^>]+>")
_NAME_PREFIX = re.compile(r"^\s*(?:-\s*)?([^:]{1,60}?)\s*:\s+(.+)$", re.DOTALL)


def _seconds(hours: str | None, minutes: str, seconds: str, fraction: str) -> float:
    return int(hours or 0) * 3600 + int(minutes) * 60 + int(seconds) + int(fraction.ljust(3, "0")) / 1000


def read_captions(path: Path) -> list[Caption]:
    """The cues of a WebVTT (`<v Name>` voice tags or `Name:` prefixes) or SRT (`Name:` prefixes)
    file, in the file's order. Raises RealCallError for a file that is not one, or a cue with no
    speaker's name."""
    text = _read_text(path)
    vtt = path.suffix.lower() == ".vtt"
    lines = text.splitlines()
    if vtt and not (lines and lines[0].lstrip("\ufeff").startswith("WEBVTT")):
        raise RealCallError(f"{path}:1: a WebVTT file starts with WEBVTT; is it a transcript?")
    captions: list[Caption] = []
    number = 0
    while number < len(lines):
        match = _CUE_TIMES.match(lines[number])
        if not match:
            number += 1
            continue
        cue_line = number + 1
        start, end = _seconds(*match.groups()[:4]), _seconds(*match.groups()[4:])
        body: list[str] = []
        number += 1
        while number < len(lines) and lines[number].strip():
            body.append(lines[number].strip())
            number += 1
        said = " ".join(body)
        voice = _VOICE.search(said)
        if voice:
            name, words = voice.group(1), _TAG.sub("", said)
        else:
            prefixed = _NAME_PREFIX.match(_TAG.sub("", said))
            if not prefixed:
                kind = "<v Name> or Name:" if vtt else "Name:"
                raise RealCallError(
                    f"{path}:{cue_line}: this cue names no speaker; write {kind} before each line so the "
                    "rep's lines can be told from the customer's"
                )
            name, words = prefixed.group(1), prefixed.group(2)
        words = " ".join(words.split())
        if words:
            captions.append(Caption(" ".join(name.split()), words, start, end, cue_line))
    if not captions:
        raise RealCallError(f"{path}: no cues with words found; is it a WebVTT or SRT transcript?")
    return captions


def _read_text(path: Path) -> str:
    try:
        if path.stat().st_size > MAX_TRANSCRIPT_BYTES:
            raise RealCallError(f"{path}: larger than {MAX_TRANSCRIPT_BYTES // 1_000_000} MB; is it a transcript?")
        return path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise RealCallError(f"{path}: no such file") from None
    except UnicodeDecodeError:
        raise RealCallError(f"{path}: not UTF-8 text; save the transcript as UTF-8") from None
    except OSError as exc:
        raise RealCallError(f"{path}: cannot read it ({exc.strerror or exc})") from None


def speakers(captions: Iterable[Caption]) -> list[str]:
    """Each speaker's name once, in the order they first speak."""
    found: dict[str, str] = {}
    for caption in captions:
        found.setdefault(caption.name.casefold(), caption.name)
    return list(found.values())


def pick_rep(path: Path, names: list[str], rep: str | None, known_reps: Iterable[str] = ()) -> str:
    """Which speaker of the transcript is the rep: the one `--rep` names; without it, one called
    "Rep", else the only one who is a rep in the database. RealCallError, listing the speakers
    found, when it cannot tell."""
    listed = ", ".join(names)
    by_key = {name.casefold(): name for name in names}
    if rep is not None:
        found = by_key.get(rep_display_name(rep).casefold())
        if found is None:
            raise RealCallError(f"{path}: no speaker called '{rep}'; the speakers are {listed}; pass one as --rep")
        return found
    called_rep = [by_key[word] for word in DEFAULT_REP_WORDS if word in by_key]
    if len(called_rep) == 1:
        return called_rep[0]
    reps = {name.casefold() for name in known_reps}
    ours = [name for name in names if name.casefold() in reps]
    if len(ours) == 1 and len(names) > 1:
        return ours[0]
    raise RealCallError(f"{path}: which speaker is the rep? the speakers are {listed}; pass one as --rep NAME")


def lines_from_captions(captions: list[Caption], rep_speaker: str) -> list[RealLine]:
    rep_key = rep_speaker.casefold()
    return [RealLine("rep" if c.name.casefold() == rep_key else "customer", c.text, c.start, c.end) for c in captions]


def join_consecutive(lines: list[RealLine]) -> list[RealLine]:
    """Consecutive lines of one speaker as one turn (captions split a turn every few seconds)."""
    joined: list[RealLine] = []
    for line in lines:
        if joined and joined[-1].speaker == line.speaker:
            last = joined[-1]
            ends = [e for e in (last.end, line.end) if e is not None]
            joined[-1] = replace(
                last, text=f"{last.text} {line.text}", end=max(ends) if ends else None, words=last.words + line.words
            )
        else:
            joined.append(line)
    return joined


# --- analysis and figures ----------------------------------------------------------------------
def analyse_lines(
    analyzer: Analyzer,
    lines: list[RealLine],
    *,
    product_terms: Iterable[str] = (),
    engine: str = "",
    model: str = "",
    input_mode: str = "spoken",
) -> list[CallTurn]:
    """The call's turns with every rep turn analysed as `spar analyze` does (in the context of the
    whole conversation), and, where times are known, its length, timed words and how long the rep
    waited after the customer stopped."""
    analyses = analyzer.analyze((Utterance(line.speaker, line.text) for line in lines), product_terms=product_terms)
    turns: list[CallTurn] = []
    previous_end: float | None = None
    for index, (line, analysis) in enumerate(zip(lines, analyses, strict=True)):
        if line.speaker == "rep":
            timing = _timing(line, previous_end, engine, model)
            turn = CallTurn(
                index,
                "rep",
                line.text,
                analysis=analysis.with_speech(timing),
                audio_path=line.audio_path,
                input_mode=input_mode,
            )
        else:
            turn = CallTurn(index, "customer", line.text, audio_path=line.audio_path)
        turn.start_seconds, turn.end_seconds = line.start, line.end
        turns.append(turn)
        previous_end = line.end if line.speaker == "customer" else None
    return turns


def _timing(line: RealLine, customer_end: float | None, engine: str, model: str) -> SpeechTiming | None:
    """A rep turn's timings, with word times from the turn's own start (as a recorded reply has them)."""
    if line.start is None or line.end is None:
        return None
    words = tuple(
        TimedWord(w.word, round(w.start - line.start, 3), round(w.end - line.start, 3), w.probability)
        for w in line.words
    )
    timing = SpeechTiming(duration=round(line.end - line.start, 3), words=words, engine=engine, model=model)
    if customer_end is not None:
        first = line.words[0].start if line.words else line.start
        timing = timing.with_response_time(max(0.0, first - customer_end))
    return timing


def real_call_figures(turns: list[CallTurn], *, discovery_before_pitch: int = 2) -> dict[FigureKey, Figure]:
    """The practice call's figures for a real call; those that need the customer's reactions say so."""
    return without_customer_figures(call_metrics(turns, discovery_before_pitch=discovery_before_pitch))


def without_customer_figures(figures: dict[FigureKey, Figure]) -> dict[FigureKey, Figure]:
    for key in CUSTOMER_FIGURES:
        if key in figures:
            figure = figures[key]
            figures[key] = Figure(key, figure.label, None, "—", [], note=NOT_ON_A_REAL_CALL)
    return figures


def real_call_debrief(
    figures: dict[FigureKey, Figure], goal: Goal | None, *, discovery_before_pitch: int = 2
) -> Debrief:
    """What a practice call's debrief says, for a real call: the strengths and one focus skill from
    the figures a real call has, and whether the rep's current goal showed (its own number when the
    goal has one). There is no scripted customer, so no outcome and no skill that needs one."""
    return build_debrief(
        figures,
        discovery_before_pitch=discovery_before_pitch,
        previous_focus=goal.focus_skill if goal else None,
        goal_measure=goal.checkable if goal else None,
        goal_text=goal.measure_text if goal else "",
        goal_due=goal.due_date if goal else "",
    )
