"""Call-level figures, each with the turns that make it.

Input is the stored transcript: a list of turns, each a dict with `index` (position in the
call, 0-based), `speaker` ("rep" or "customer"), `text` and, for analysed turns, `analysis`
(the dict `Analyzer` produces). Scenario facts the analysis cannot know (which needs the
customer revealed, and at which rep turn) come in as plain arguments.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from analysis.rules import SPIN_KINDS

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

    longest = max(reps, key=_words, default=None)
    add(Figure("longest_rep_turn", "Your longest turn", _words(longest) if longest else 0,
               f"{_words(longest)} words" if longest else "0 words", [longest["index"]] if longest else []))
    customer_turns = [t for t in turns if t["speaker"] == "customer"]
    longest_customer = max(customer_turns, key=_words, default=None)
    add(Figure("longest_customer_turn", "Customer's longest turn",
               _words(longest_customer) if longest_customer else 0,
               f"{_words(longest_customer)} words" if longest_customer else "0 words",
               [longest_customer["index"]] if longest_customer else []))
    return figures


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
