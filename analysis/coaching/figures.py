"""Call-level figures, each with the turns that make it.

Input is the stored transcript: a list of turns, each a dict with `index` (position in the
call, 0-based), `speaker` ("rep" or "customer"), `text` and, for analysed turns, `analysis`
(the dict `Analyzer` produces). Scenario facts the analysis cannot know (which needs the
customer revealed, and at which rep turn) come in as plain arguments.

A turn that was spoken may carry `speech`: {"duration": seconds, "words": [{"word", "start",
"end"}], "response_time": seconds from the customer's last word to the rep's first}. Figures that
need time (pace, response time, talk share by time) use it and say so when it is missing.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from analysis.language.rules import SPIN_KINDS, read_patterns

# Gong Labs, "The ideal talk-to-listen ratio" (analysis of 25,537 recorded B2B sales calls):
# the best-converting discovery calls had the rep talking about 43% of the time.
TALK_SHARE_BENCHMARK = 0.43
TALK_SHARE_SOURCE = "Gong Labs' study of 25,537 B2B sales calls"


@dataclass
class Figure:
    key: str
    label: str
    value: Any
    display: str
    turns: list[int] = field(default_factory=list)
    note: str = ""
    detail: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _rep_turns(turns: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [t for t in turns if t["speaker"] == "rep" and t.get("analysis")]


def _turn_list(indexes: list[int]) -> str:
    if not indexes:
        return ""
    shown = ", ".join(str(i + 1) for i in indexes[:8])
    more = f" and {len(indexes) - 8} more" if len(indexes) > 8 else ""
    return f"turn{'s' if len(indexes) > 1 else ''} {shown}{more}"


SPIN_LETTERS = {"situation": "S", "problem": "P", "implication": "I", "need_payoff": "N"}
NEEDS_AUDIO = "needs a spoken call (voice replies)"
LONG_PAUSE = 1.0  # seconds between two words that count as a long pause


def _speech(turn: dict[str, Any]) -> dict[str, Any] | None:
    speech = turn.get("speech") or (turn.get("analysis") or {}).get("speech")
    return speech if isinstance(speech, dict) else None


def _stretches(turns: list[dict[str, Any]], speaker: str) -> list[list[dict[str, Any]]]:
    """Runs of consecutive turns by one speaker: a monologue is what the other did not interrupt."""
    runs: list[list[dict[str, Any]]] = []
    previous = None
    for turn in turns:
        if turn["speaker"] == speaker:
            if previous is not None and previous["speaker"] == speaker:
                runs[-1].append(turn)
            else:
                runs.append([turn])
        previous = turn
    return runs


def _seconds(run: list[dict[str, Any]]) -> float | None:
    durations = [(_speech(t) or {}).get("duration") for t in run]
    return sum(durations) if durations and all(isinstance(d, (int, float)) for d in durations) else None


def _filler_words() -> frozenset[str]:
    return frozenset(w.lower() for w in read_patterns("speech.yaml")["fillers"])


def call_metrics(
    turns: list[dict[str, Any]],
    *,
    needs_total: int = 0,
    needs_uncovered: list[dict[str, Any]] | None = None,
    discovery_before_pitch: int = 2,
) -> dict[str, Figure]:
    """The debrief's figures; `needs_uncovered` items are {"id", "title", "turn"}."""
    reps = _rep_turns(turns)
    a = lambda t: t["analysis"]  # noqa: E731
    questions = [t["index"] for t in reps if a(t)["is_question"]]
    open_q = [t["index"] for t in reps if a(t)["question_type"] == "open"]
    needs_q = [t for t in reps if a(t)["is_needs_question"]]
    paraphrases = [t["index"] for t in reps if a(t)["is_paraphrase"]]
    pitches = [t["index"] for t in reps if a(t)["is_pitch"]]
    first_pitch = pitches[0] if pitches else None

    figures: dict[str, Figure] = {}

    def add(fig: Figure) -> None:
        figures[fig.key] = fig

    add(Figure("questions", "Questions asked", len(questions), str(len(questions)), questions))
    open_share = len(open_q) / len(questions) if questions else 0.0
    add(Figure("open_questions", "Open questions", len(open_q),
               f"{len(open_q)} of {len(questions)}" if questions else "0", open_q,
               detail={"share": round(open_share, 3)}))
    spin_counts = {k: sum(1 for t in needs_q if a(t)["spin"] == k) for k in SPIN_KINDS}
    spin_map = [{"turn": t["index"], "spin": a(t)["spin"]} for t in needs_q]
    spin_note = ", ".join(f"{n} {k.replace('_', '-')}" for k, n in spin_counts.items() if n)
    add(Figure("needs_questions", "Needs questions", len(needs_q), str(len(needs_q)),
               [t["index"] for t in needs_q], note=spin_note, detail={"spin": spin_counts, "spin_map": spin_map}))
    add(Figure("paraphrases", "Paraphrases", len(paraphrases), str(len(paraphrases)), paraphrases))
    add(Figure("pitches", "Pitches", len(pitches), str(len(pitches)), pitches))

    uncovered = needs_uncovered or []
    add(Figure("needs_uncovered", "Needs uncovered", len(uncovered),
               f"{len(uncovered)} of {needs_total}", [n["turn"] for n in uncovered],
               note="; ".join(n["title"] for n in uncovered),
               detail={"total": needs_total, "needs": uncovered}))

    before = [t["index"] for t in needs_q if first_pitch is None or t["index"] < first_pitch]
    asked_first = first_pitch is None or len(before) >= discovery_before_pitch
    if first_pitch is None:
        display = f"yes: no pitch, {len(before)} needs questions"
    else:
        display = (f"{'yes' if asked_first else 'no'}: {len(before)} needs question"
                   f"{'' if len(before) == 1 else 's'} before the first pitch (turn {first_pitch + 1})")
    add(Figure("ask_before_advocate", "Asked before advocating", asked_first, display,
               before + ([first_pitch] if first_pitch is not None else []),
               note=f"the scenario expects {discovery_before_pitch} needs questions before a pitch",
               detail={"needs_questions_before_pitch": len(before), "first_pitch_turn": first_pitch,
                       "required": discovery_before_pitch}))

    words = {"rep": 0, "customer": 0}
    for t in turns:
        words[t["speaker"]] = words.get(t["speaker"], 0) + _words(t)
    total = words["rep"] + words["customer"]
    share = words["rep"] / total if total else 0.0
    add(Figure("talk_share", "Your share of the talking", round(share, 3),
               f"{share:.0%} ({words['rep']} of {total} words)", [],
               note=f"strong discovery calls sit near {TALK_SHARE_BENCHMARK:.0%} ({TALK_SHARE_SOURCE})",
               detail={"rep_words": words["rep"], "customer_words": words["customer"],
                       "benchmark": TALK_SHARE_BENCHMARK, "source": TALK_SHARE_SOURCE}))

    # Longest monologue: consecutive rep turns nobody interrupted (one turn in a scripted call).
    rep_runs = _stretches(turns, "rep")
    longest = max(rep_runs, key=lambda run: sum(_words(t) for t in run), default=None)
    add(_stretch_figure("longest_rep_turn", "Your longest monologue", longest))
    customer_runs = _stretches(turns, "customer")
    longest_customer = max(customer_runs, key=lambda run: sum(_words(t) for t in run), default=None)
    add(_stretch_figure("longest_customer_turn", "Customer's longest uninterrupted stretch", longest_customer))

    timeline = "".join(SPIN_LETTERS.get(a(t)["spin"], "·") if a(t)["is_needs_question"] else "·" for t in reps)
    add(Figure("spin_map", "SPIN map along the call", timeline, timeline or "no turns", [t["index"] for t in needs_q],
               note="one mark per turn of yours: S situation, P problem, I implication, N need-payoff, · other",
               detail={"marks": [{"turn": t["index"], "spin": a(t)["spin"] if a(t)["is_needs_question"] else None}
                                 for t in reps]}))

    fillers = _filler_words()
    filler_turns: dict[int, int] = {}
    for t in reps:
        count = sum(1 for w in t["text"].lower().replace(",", " ").replace(".", " ").split() if w in fillers)
        if count:
            filler_turns[t["index"]] = count
    spoken = any(_speech(t) for t in reps)
    add(Figure("fillers", "Fillers (um, uh)", sum(filler_turns.values()), str(sum(filler_turns.values())),
               list(filler_turns),
               note=("at least: speech recognition leaves most fillers out" if spoken else "counted in what you typed"),
               detail={"per_turn": filler_turns, "lower_bound": spoken}))

    paces = {}
    for t in reps:
        words_timed = (_speech(t) or {}).get("words") or []
        if len(words_timed) >= 3:
            minutes = (words_timed[-1]["end"] - words_timed[0]["start"]) / 60
            if minutes > 0:
                paces[t["index"]] = round(len(words_timed) / minutes)
    if paces:
        average = round(sum(paces.values()) / len(paces))
        add(Figure("pace", "Speaking pace", average, f"{average} words a minute on average", list(paces),
                   note="per spoken turn, from word timings", detail={"per_turn": paces}))
    else:
        add(Figure("pace", "Speaking pace", None, "—", [], note=NEEDS_AUDIO))

    pauses: dict[int, float] = {}
    for t in reps:
        timed = (_speech(t) or {}).get("words") or []
        gaps = [b["start"] - a["end"] for a, b in zip(timed, timed[1:])]
        if gaps:
            pauses[t["index"]] = round(max(gaps), 2)
    if pauses:
        long_ones = [i for i, gap in pauses.items() if gap >= LONG_PAUSE]
        longest = max(pauses.values())
        add(Figure("pauses", "Pauses while you speak", longest, f"longest {longest:.1f} s; "
                   f"{len(long_ones)} turn{'s' if len(long_ones) != 1 else ''} with a pause of {LONG_PAUSE:.0f} s or more",
                   long_ones, note="from word timings; a pause to think is fine, many long ones lose the listener",
                   detail={"longest_per_turn": pauses, "threshold": LONG_PAUSE}))
    else:
        add(Figure("pauses", "Pauses while you speak", None, "—", [], note=NEEDS_AUDIO))

    responses = {t["index"]: (_speech(t) or {}).get("response_time") for t in reps}
    responses = {k: round(v, 2) for k, v in responses.items() if isinstance(v, (int, float))}
    if responses:
        average = sum(responses.values()) / len(responses)
        add(Figure("response_time", "Time before you answer", round(average, 2),
                   f"{average:.1f} s on average", list(responses),
                   note="from the customer's last word to your first", detail={"per_turn": responses}))
    else:
        add(Figure("response_time", "Time before you answer", None, "—", [], note=NEEDS_AUDIO))

    rep_seconds = _seconds([t for t in turns if t["speaker"] == "rep"])
    customer_seconds = _seconds([t for t in turns if t["speaker"] == "customer"])
    if rep_seconds is not None and customer_seconds is not None and rep_seconds + customer_seconds > 0:
        by_time = rep_seconds / (rep_seconds + customer_seconds)
        figures["talk_share"].detail["share_by_time"] = round(by_time, 3)
        figures["talk_share"].display += f"; {by_time:.0%} of the time"
    return figures


def _stretch_figure(key: str, label: str, run: list[dict[str, Any]] | None) -> Figure:
    if not run:
        return Figure(key, label, 0, "0 words", [])
    words = sum(_words(t) for t in run)
    seconds = _seconds(run)
    display = f"{words} words" + (f", {seconds:.0f} s" if seconds is not None else "")
    return Figure(key, label, words, display, [t["index"] for t in run],
                  detail={"seconds": seconds, "turns_in_a_row": len(run)})


def _words(turn: dict[str, Any] | None) -> int:
    if turn is None:
        return 0
    analysis = turn.get("analysis")
    if analysis and "words" in analysis:
        return int(analysis["words"])
    return len([w for w in turn["text"].split() if any(c.isalnum() for c in w)])


def describe_turns(indexes: list[int]) -> str:
    """"turns 2, 5 and 7" style, 1-based, for text shown to the rep."""
    return _turn_list(indexes)
