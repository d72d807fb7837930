"""A coach's review of a call: notes on turns, corrections of the analyzer's labels, missed chances.

A correction names one label of one rep turn and the value the coach gives it. Every correction is
kept (with who made it and when); for each turn and label the latest one wins. The call's figures
are then recomputed from the turns with their corrected analyses, so a figure follows the coach
from then on, while the analyzer's own label stays beside it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from analysis.types import QuestionType, SpinKind, TextEnum, TranscriptTurn, TurnAnalysis

LabelValue = bool | str | None

# Each label a coach can correct, and the values it takes (None: the label does not apply).
BOOLEAN_LABELS = ("is_question", "is_needs_question", "is_paraphrase", "is_pitch")
CHOICE_LABELS: dict[str, tuple[str, ...]] = {
    "question_type": tuple(str(q) for q in QuestionType),
    "spin": tuple(str(s) for s in SpinKind),
}
LABELS: tuple[str, ...] = TurnAnalysis.label_columns()

LABEL_WORDS = {
    "is_question": "question",
    "question_type": "open or closed",
    "is_needs_question": "needs question",
    "spin": "SPIN kind",
    "is_paraphrase": "paraphrase",
    "is_pitch": "pitch",
}

_TRUE = {"true", "yes", "y", "1"}
_FALSE = {"false", "no", "n", "0"}
_NONE = {"none", "null", "-", ""}


class CorrectionError(ValueError):
    """A correction that cannot be read, worded for the person who typed it."""


class NoteKind(TextEnum):
    STRATEGIC = "strategic"  # about the call as a whole: its plan, its direction
    TACTICAL = "tactical"  # about this moment: a word, a question, a reply


def label_choices(label: str) -> tuple[LabelValue, ...]:
    """The values LABEL can take, in the order a coach picks from."""
    if label in BOOLEAN_LABELS:
        return (True, False)
    return (*CHOICE_LABELS[label], None)


def parse_value(label: str, raw: str) -> LabelValue:
    """RAW as a value of LABEL ("true", "no", "open", "need-payoff", "none"); CorrectionError if not."""
    if label not in LABELS:
        raise CorrectionError(f"unknown label '{label}'; use one of {', '.join(LABELS)}")
    word = raw.strip().lower()
    word = word if word == "-" else word.replace("-", "_")
    if label in BOOLEAN_LABELS:
        if word in _TRUE:
            return True
        if word in _FALSE:
            return False
        raise CorrectionError(f"{label} is true or false, not '{raw}'")
    if word in _NONE:
        return None
    if word in CHOICE_LABELS[label]:
        return word
    raise CorrectionError(f"{label} is one of {', '.join(CHOICE_LABELS[label])} or none, not '{raw}'")


def parse_correction(text: str) -> tuple[str, LabelValue]:
    """'LABEL=VALUE' as a label and its value; CorrectionError if either is wrong."""
    label, sep, raw = text.partition("=")
    if not sep:
        raise CorrectionError(f"write the correction as LABEL=VALUE (for example is_pitch=false), not '{text}'")
    label = label.strip()
    return label, parse_value(label, raw)


def value_text(value: LabelValue) -> str:
    """A label's value as a reader sees it: yes, no, open, need-payoff, none."""
    if value is True:
        return "yes"
    if value is False:
        return "no"
    if value is None:
        return "none"
    return str(value).replace("_", "-")


@dataclass(frozen=True)
class Correction:
    """A coach's value for one label of one turn (0-based), and who gave it when."""

    turn: int
    label: str
    value: LabelValue
    author: str
    created_at: str

    def to_json(self) -> dict[str, Any]:
        return {
            "turn": self.turn,
            "label": self.label,
            "value": self.value,
            "author": self.author,
            "created_at": self.created_at,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Correction:
        label = str(data["label"])
        value = data.get("value")
        if label not in LABELS or value not in label_choices(label):
            raise CorrectionError(f"not a correction of a known label: {label}={value!r}")
        return cls(int(data["turn"]), label, value, str(data.get("author") or ""), str(data["created_at"]))


@dataclass(frozen=True)
class Note:
    """A coach's or rep's note on one turn (0-based), strategic or tactical."""

    turn: int
    kind: NoteKind
    text: str
    author: str
    created_at: str

    def to_json(self) -> dict[str, Any]:
        return {
            "turn": self.turn,
            "kind": str(self.kind),
            "text": self.text,
            "author": self.author,
            "created_at": self.created_at,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Note:
        return cls(
            int(data["turn"]), NoteKind(data["kind"]), str(data["text"]), str(data.get("author") or ""),
            str(data["created_at"]),
        )  # fmt: skip


def latest_corrections(corrections: Iterable[Correction]) -> dict[int, dict[str, Correction]]:
    """Per turn, per label, the correction that wins: the latest (corrections come oldest first)."""
    out: dict[int, dict[str, Correction]] = {}
    for correction in corrections:
        out.setdefault(correction.turn, {})[correction.label] = correction
    return out


def label_value(analysis: TurnAnalysis, label: str) -> LabelValue:
    value: LabelValue = analysis.label_values()[label]
    return value


def corrected(analysis: TurnAnalysis, corrections: Mapping[str, Correction]) -> TurnAnalysis:
    """ANALYSIS with the coach's values in place of the analyzer's.

    What a corrected label implies follows it, unless the coach corrected that label too: a turn
    that is not a question has no question type and is no needs question; a SPIN kind or a question
    type makes it a question; a needs question that is not one has no SPIN kind."""
    if not corrections:
        return analysis
    values: dict[str, LabelValue] = {label: label_value(analysis, label) for label in LABELS}
    explicit = {label: c.value for label, c in corrections.items()}
    values.update(explicit)

    def implied(label: str, value: LabelValue) -> None:
        if label not in explicit:
            values[label] = value

    if explicit.get("is_question") is False:
        implied("question_type", None)
        implied("is_needs_question", False)
        implied("spin", None)
    if explicit.get("is_needs_question") is False:
        implied("spin", None)
    if explicit.get("spin") is not None:
        implied("is_needs_question", True)
        implied("is_question", True)
    if explicit.get("question_type") is not None or explicit.get("is_needs_question") is True:
        implied("is_question", True)
    changes: dict[str, Any] = {
        "is_question": bool(values["is_question"]),
        "question_type": QuestionType(values["question_type"]) if values["question_type"] else None,
        "is_needs_question": bool(values["is_needs_question"]),
        "spin": SpinKind(values["spin"]) if values["spin"] else None,
        "is_paraphrase": bool(values["is_paraphrase"]),
        "is_pitch": bool(values["is_pitch"]),
    }
    if "is_paraphrase" in explicit:
        # A coach who calls a turn a paraphrase heard the customer's point come back.
        changes["paraphrase_grounded"] = bool(explicit["is_paraphrase"])
    return replace(analysis, **changes)


def missed_chances(turns: Sequence[TranscriptTurn], revealing: Iterable[int]) -> list[int]:
    """The customer turns (0-based) in REVEALING, those that told a need or problem, after which
    the rep's next turn asked no question. A turn the call ended on is no missed chance."""
    by_index = {t.index: position for position, t in enumerate(turns)}
    missed = []
    for index in sorted(set(revealing)):
        position = by_index.get(index)
        if position is None:
            continue
        following = next((t for t in turns[position + 1 :] if t.speaker == "rep"), None)
        if following is not None and following.analysis is not None and not following.analysis.is_question:
            missed.append(index)
    return missed
