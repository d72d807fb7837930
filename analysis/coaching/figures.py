"""Call-level figures, each with the turns that make it.

Input is the transcript: `TranscriptTurn`s (analysis/types.py) with `index` (position in the call,
0-based), `speaker` ("rep" or "customer"), `text` and, for analysed turns, a `TurnAnalysis`.
Scenario facts the analysis cannot know (which needs the customer revealed, and at which rep turn)
come in as `NeedUncovered` records; how the customer reacted (an objection, "not yet", agreeing to
the objective) as `CustomerMove` records, and the first rep turn at which the customer would have
agreed as `ready_after` (the customer's line after which they were ready).

A spoken turn carries `SpeechTiming` (its duration, word timings, and the time before the rep
answered). Figures that need time (pace, response time, talk share by time) use it and say so when
it is missing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from analysis.language.rules import read_patterns
from analysis.types import Figure, FigureKey, SpeechTiming, SpinKind, TextEnum, TranscriptTurn, TurnAnalysis

# Gong Labs, "The ideal talk-to-listen ratio" (analysis of 25,537 recorded B2B sales calls):
# the best-converting discovery calls had the rep talking about 43% of the time.
TALK_SHARE_BENCHMARK = 0.43
TALK_SHARE_SOURCE = "Gong Labs' study of 25,537 B2B sales calls"


@dataclass(frozen=True)
class NeedUncovered:
    """A need the customer revealed, and the turn that asked for it."""

    id: str
    title: str
    turn: int


class MoveKind(TextEnum):
    """The customer's reactions the coaching reads."""

    OBJECTION = "objection"  # pushed back on what the rep said
    NOT_YET = "not_yet"  # the rep proposed the objective too early
    AGREED = "agreed"  # the rep proposed the objective and the customer agreed


@dataclass(frozen=True)
class CustomerMove:
    """A reaction of the customer, and the rep turn (0-based) it answered."""

    turn: int
    kind: MoveKind


def _rep_turns(turns: Sequence[TranscriptTurn]) -> list[TranscriptTurn]:
    return [t for t in turns if t.speaker == "rep" and t.analysis]


def _turn_list(indexes: list[int]) -> str:
    if not indexes:
        return ""
    shown = ", ".join(str(i + 1) for i in indexes[:8])
    more = f" and {len(indexes) - 8} more" if len(indexes) > 8 else ""
    return f"turn{'s' if len(indexes) > 1 else ''} {shown}{more}"


NEEDS_AUDIO = "needs a spoken call (voice replies)"
# A spoken call whose timings did not give this figure: saying "needs a spoken call" there is wrong.
NOT_MEASURED = "not measured on this call: too few timed words in your spoken turns"
NO_WAIT_MEASURED = "not measured on this call: only replies spoken in the app have a waiting time"
LONG_PAUSE = 1.0  # seconds between two words that count as a long pause
TIMED_WORDS_FOR_PACE = 3  # fewer timed words than this give no pace worth showing


def _speech(turn: TranscriptTurn) -> SpeechTiming | None:
    own = getattr(turn, "speech", None)
    return own or (turn.analysis.speech if turn.analysis else None)


def _stretches(turns: Sequence[TranscriptTurn], speaker: str) -> list[list[TranscriptTurn]]:
    """Runs of consecutive turns by one speaker: a monologue is what the other did not interrupt."""
    runs: list[list[TranscriptTurn]] = []
    previous: TranscriptTurn | None = None
    for turn in turns:
        if turn.speaker == speaker:
            if previous is not None and previous.speaker == speaker:
                runs[-1].append(turn)
            else:
                runs.append([turn])
        previous = turn
    return runs


def _seconds(run: list[TranscriptTurn]) -> float | None:
    timings = [_speech(t) for t in run]
    if not timings or any(timing is None for timing in timings):
        return None
    return sum(timing.duration for timing in timings if timing is not None)


def _filler_words() -> frozenset[str]:
    return frozenset(w.lower() for w in read_patterns("speech.yaml")["fillers"])


def call_metrics(
    turns: Sequence[TranscriptTurn],
    *,
    needs_total: int = 0,
    needs_uncovered: Sequence[NeedUncovered] = (),
    discovery_before_pitch: int = 2,
    moves: Sequence[CustomerMove] = (),
    ready_after: int | None = None,
) -> dict[FigureKey, Figure]:
    """The debrief's figures, in the order a rep reads them."""
    reps = _rep_turns(turns)
    analysed = [(t, t.analysis) for t in reps if t.analysis is not None]
    questions = [t.index for t, a in analysed if a.is_question]
    open_q = [t.index for t, a in analysed if a.question_type == "open"]
    needs_q = [(t, a) for t, a in analysed if a.is_needs_question]
    paraphrases = [t.index for t, a in analysed if a.is_paraphrase]
    pitches = [t.index for t, a in analysed if a.is_pitch]
    first_pitch = pitches[0] if pitches else None

    figures: dict[FigureKey, Figure] = {}

    def add(fig: Figure) -> None:
        figures[fig.key] = fig

    add(Figure(FigureKey.QUESTIONS, "Questions asked", len(questions), str(len(questions)), questions))
    open_share = len(open_q) / len(questions) if questions else 0.0
    add(
        Figure(
            FigureKey.OPEN_QUESTIONS,
            "Open questions",
            len(open_q),
            f"{len(open_q)} of {len(questions)}" if questions else "0",
            open_q,
            detail={"share": round(open_share, 3)},
        )
    )
    spin_counts = {str(k): sum(1 for _, a in needs_q if a.spin is k) for k in SpinKind}
    spin_map = [{"turn": t.index, "spin": None if a.spin is None else str(a.spin)} for t, a in needs_q]
    spin_note = ", ".join(f"{n} {k.replace('_', '-')}" for k, n in spin_counts.items() if n)
    add(
        Figure(
            FigureKey.NEEDS_QUESTIONS,
            "Needs questions",
            len(needs_q),
            str(len(needs_q)),
            [t.index for t, _ in needs_q],
            note=spin_note,
            detail={"spin": spin_counts, "spin_map": spin_map},
        )
    )
    add(Figure(FigureKey.PARAPHRASES, "Paraphrases", len(paraphrases), str(len(paraphrases)), paraphrases))
    add(Figure(FigureKey.PITCHES, "Pitches", len(pitches), str(len(pitches)), pitches))

    uncovered = list(needs_uncovered)
    add(
        Figure(
            FigureKey.NEEDS_UNCOVERED,
            "Needs uncovered",
            len(uncovered),
            f"{len(uncovered)} of {needs_total}",
            [n.turn for n in uncovered],
            note="; ".join(n.title for n in uncovered),
            detail={"total": needs_total, "needs": [{"id": n.id, "title": n.title, "turn": n.turn} for n in uncovered]},
        )
    )

    before = [t.index for t, _ in needs_q if first_pitch is None or t.index < first_pitch]
    asked_first = first_pitch is None or len(before) >= discovery_before_pitch
    if first_pitch is None:
        display = f"yes: no pitch, {len(before)} needs questions"
    else:
        display = (
            f"{'yes' if asked_first else 'no'}: {len(before)} needs question"
            f"{'' if len(before) == 1 else 's'} before the first pitch (turn {first_pitch + 1})"
        )
    add(
        Figure(
            FigureKey.ASK_BEFORE_ADVOCATE,
            "Asked before advocating",
            asked_first,
            display,
            before + ([first_pitch] if first_pitch is not None else []),
            note=f"the scenario expects {discovery_before_pitch} needs questions before a pitch",
            detail={
                "needs_questions_before_pitch": len(before),
                "first_pitch_turn": first_pitch,
                "required": discovery_before_pitch,
            },
        )
    )

    add(_proposal_figure(moves, ready_after))
    add(_objections_figure(moves, analysed))

    words = {"rep": 0, "customer": 0}
    for turn in turns:
        words[turn.speaker] = words.get(turn.speaker, 0) + _words(turn)
    total = words["rep"] + words["customer"]
    share = words["rep"] / total if total else 0.0
    add(
        Figure(
            FigureKey.TALK_SHARE,
            "Your share of the talking",
            round(share, 3),
            f"{share:.0%} ({words['rep']} of {total} words)",
            [],
            note=f"strong discovery calls sit near {TALK_SHARE_BENCHMARK:.0%} ({TALK_SHARE_SOURCE})",
            detail={
                "rep_words": words["rep"],
                "customer_words": words["customer"],
                "benchmark": TALK_SHARE_BENCHMARK,
                "source": TALK_SHARE_SOURCE,
            },
        )
    )

    # Longest monologue: consecutive rep turns nobody interrupted (one turn in a scripted call).
    rep_runs = _stretches(turns, "rep")
    longest = max(rep_runs, key=lambda run: sum(_words(t) for t in run), default=None)
    add(_stretch_figure(FigureKey.LONGEST_REP_TURN, "Your longest monologue", longest))
    customer_runs = _stretches(turns, "customer")
    longest_customer = max(customer_runs, key=lambda run: sum(_words(t) for t in run), default=None)
    add(_stretch_figure(FigureKey.LONGEST_CUSTOMER_TURN, "Customer's longest uninterrupted stretch", longest_customer))

    timeline = "".join(a.spin.letter if a.is_needs_question and a.spin is not None else "·" for _, a in analysed)
    add(
        Figure(
            FigureKey.SPIN_MAP,
            "SPIN map along the call",
            timeline,
            timeline or "no turns",
            [t.index for t, _ in needs_q],
            note="one mark per turn of yours: S situation, P problem, I implication, N need-payoff, · other",
            detail={
                "marks": [
                    {"turn": t.index, "spin": str(a.spin) if a.is_needs_question and a.spin else None}
                    for t, a in analysed
                ]
            },
        )
    )

    fillers = _filler_words()
    filler_turns: dict[int, int] = {}
    for turn in reps:
        count = sum(1 for w in turn.text.lower().replace(",", " ").replace(".", " ").split() if w in fillers)
        if count:
            filler_turns[turn.index] = count
    spoken = any(_speech(t) for t in reps)
    unmeasured = NOT_MEASURED if spoken else NEEDS_AUDIO
    add(
        Figure(
            FigureKey.FILLERS,
            "Fillers (um, uh)",
            sum(filler_turns.values()),
            str(sum(filler_turns.values())),
            list(filler_turns),
            note=("at least: speech recognition leaves most fillers out" if spoken else "counted in what you typed"),
            detail={"per_turn": filler_turns, "lower_bound": spoken},
        )
    )

    paces = {}
    for turn in reps:
        timing = _speech(turn)
        timed = timing.words if timing else ()
        if len(timed) >= TIMED_WORDS_FOR_PACE:
            minutes = (timed[-1].end - timed[0].start) / 60
            if minutes > 0:
                paces[turn.index] = round(len(timed) / minutes)
    if paces:
        average = round(sum(paces.values()) / len(paces))
        add(
            Figure(
                FigureKey.PACE,
                "Speaking pace",
                average,
                f"{average} words a minute on average",
                list(paces),
                note="per spoken turn, from word timings",
                detail={"per_turn": paces},
            )
        )
    else:
        add(Figure(FigureKey.PACE, "Speaking pace", None, "—", [], note=unmeasured))

    pauses: dict[int, float] = {}
    for turn in reps:
        timing = _speech(turn)
        timed = timing.words if timing else ()
        gaps = [b.start - a.end for a, b in zip(timed, timed[1:], strict=False)]
        if gaps:
            pauses[turn.index] = round(max(gaps), 2)
    if pauses:
        long_ones = [i for i, gap in pauses.items() if gap >= LONG_PAUSE]
        longest_pause = max(pauses.values())
        add(
            Figure(
                FigureKey.PAUSES,
                "Pauses while you speak",
                longest_pause,
                f"longest {longest_pause:.1f} s; "
                f"{len(long_ones)} turn{'s' if len(long_ones) != 1 else ''} with a pause of {LONG_PAUSE:.0f} s or more",
                long_ones,
                note="from word timings; a pause to think is fine, many long ones lose the listener",
                detail={"longest_per_turn": pauses, "threshold": LONG_PAUSE},
            )
        )
    else:
        add(Figure(FigureKey.PAUSES, "Pauses while you speak", None, "—", [], note=unmeasured))

    responses: dict[int, float] = {}
    for turn in reps:
        timing = _speech(turn)
        if timing is not None and isinstance(timing.response_time, (int, float)):
            responses[turn.index] = round(timing.response_time, 2)
    if responses:
        average_wait = sum(responses.values()) / len(responses)
        add(
            Figure(
                FigureKey.RESPONSE_TIME,
                "Time before you answer",
                round(average_wait, 2),
                f"{average_wait:.1f} s on average",
                list(responses),
                note="from the customer's last word to your first",
                detail={"per_turn": responses},
            )
        )
    else:
        add(
            Figure(
                FigureKey.RESPONSE_TIME,
                "Time before you answer",
                None,
                "—",
                [],
                note=NO_WAIT_MEASURED if spoken else NEEDS_AUDIO,
            )
        )

    rep_seconds = _seconds([t for t in turns if t.speaker == "rep"])
    customer_seconds = _seconds([t for t in turns if t.speaker == "customer"])
    if rep_seconds is not None and customer_seconds is not None and rep_seconds + customer_seconds > 0:
        by_time = rep_seconds / (rep_seconds + customer_seconds)
        figures[FigureKey.TALK_SHARE].detail["share_by_time"] = round(by_time, 3)
        figures[FigureKey.TALK_SHARE].display += f"; {by_time:.0%} of the time"
    return figures


def _proposal_figure(moves: Sequence[CustomerMove], ready_after: int | None) -> Figure:
    """Did the rep ask for the objective, and when: too early, in time, or never although the
    customer was ready."""
    proposals = [m.turn for m in moves if m.kind in (MoveKind.NOT_YET, MoveKind.AGREED)]
    too_early = [m.turn for m in moves if m.kind is MoveKind.NOT_YET]
    agreed = next((m.turn for m in moves if m.kind is MoveKind.AGREED), None)
    ready = f"the customer was ready after turn {ready_after + 1}" if ready_after is not None else ""
    if agreed is not None:
        display = f"yes: agreed at turn {agreed + 1}"
        if too_early:
            display += f", after {_plural(len(too_early), 'try', 'tries')} too early"
    elif proposals:
        display = f"not agreed: {_plural(len(proposals), 'try', 'tries')}, too early" + (f"; {ready}" if ready else "")
    elif ready:
        display = f"no: {ready}"
    else:
        display = "no (the customer was not ready yet)"
    return Figure(
        FigureKey.PROPOSAL,
        "Proposed the next step",
        agreed is not None,
        display,
        sorted(set(proposals + ([ready_after] if ready_after is not None and agreed is None else []))),
        note="a proposal the customer is ready for ends the call with the objective met",
        detail={"proposals": proposals, "too_early": too_early, "agreed_turn": agreed, "ready_after": ready_after},
    )


def _objections_figure(
    moves: Sequence[CustomerMove], analysed: Sequence[tuple[TranscriptTurn, TurnAnalysis]]
) -> Figure:
    """An objection is handled when the rep's next turn explores or acknowledges it (a question or a
    paraphrase, no pitch) rather than pushing on."""
    raised = [m.turn for m in moves if m.kind is MoveKind.OBJECTION]
    handled: list[int] = []
    pushed: list[int] = []
    for turn in raised:
        answer = next(((t, a) for t, a in analysed if t.index > turn), None)
        if answer is None:
            continue
        t, a = answer
        (handled if (a.is_question or a.is_paraphrase) and not a.is_pitch else pushed).append(t.index)
    answered = len(handled) + len(pushed)
    if answered:
        display = f"{len(handled)} of {answered} handled"
    else:
        display = "raised as the call ended" if raised else "none raised"
    return Figure(
        FigureKey.OBJECTIONS,
        "Objections handled",
        len(handled),
        display,
        sorted(raised + handled + pushed),
        note="handled: your next turn asked about it or played it back, without pitching again",
        detail={"raised": raised, "handled": handled, "not_handled": pushed},
    )


def _plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _stretch_figure(key: FigureKey, label: str, run: list[TranscriptTurn] | None) -> Figure:
    if not run:
        return Figure(key, label, 0, "0 words", [])
    words = sum(_words(t) for t in run)
    seconds = _seconds(run)
    display = f"{words} words" + (f", {seconds:.0f} s" if seconds is not None else "")
    return Figure(
        key, label, words, display, [t.index for t in run], detail={"seconds": seconds, "turns_in_a_row": len(run)}
    )


def _words(turn: TranscriptTurn | None) -> int:
    if turn is None or is_stage_direction(turn.text):
        return 0
    if turn.analysis:
        return turn.analysis.words
    return len([w for w in turn.text.split() if any(c.isalnum() for c in w)])


def is_stage_direction(text: str) -> bool:
    """A line wholly in brackets, "(The rep ended the call.)" or "(laughs)": it says what happened,
    nobody said it, so it is no talking and counts no words."""
    stripped = text.strip()
    return stripped.startswith("(") and stripped.endswith(")") and stripped.count("(") == 1


def describe_turns(indexes: list[int]) -> str:
    """ "turns 2, 5 and 7" style, 1-based, for text shown to the rep."""
    return _turn_list(indexes)
