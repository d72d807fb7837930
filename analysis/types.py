"""The records that cross from analysis to the app, and the one place they become JSON.

Everything the analyzer decides about a turn travels as a `TurnAnalysis`; every call figure as a
`Figure` keyed by a `FigureKey`. The JSON that `spar analyze` and `spar practice --json` print,
and that the database keeps, comes from `to_json()` here and is read back by `from_json()`, so
the shapes other tools build on are defined once.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import Enum
from typing import Any, Protocol


class TextEnum(str, Enum):
    """An enum whose members are their text: they print, format and serialise as their value.

    (`enum.StrEnum` does this from Python 3.11; Sparring still runs on 3.10.)
    """

    def __str__(self) -> str:
        return str(self.value)

    def __format__(self, spec: str) -> str:
        return format(str(self.value), spec)


class QuestionType(TextEnum):
    OPEN = "open"
    CLOSED = "closed"


class SpinKind(TextEnum):
    """The SPIN kinds in order of depth: a turn with several takes the deepest."""

    SITUATION = "situation"
    PROBLEM = "problem"
    IMPLICATION = "implication"
    NEED_PAYOFF = "need_payoff"

    @property
    def depth(self) -> int:
        return list(SpinKind).index(self)

    @property
    def letter(self) -> str:
        return {"situation": "S", "problem": "P", "implication": "I", "need_payoff": "N"}[self.value]

    @property
    def words(self) -> str:
        """As a rep reads it: 'need-payoff'."""
        return self.value.replace("_", "-")


class EvidenceKind(TextEnum):
    """What a piece of evidence is for; the JSON keeps the label text, this keeps the family."""

    QUESTION = "question"
    NEEDS_QUESTION = "needs_question"
    CLOSE = "close"
    PITCH = "pitch"
    PARAPHRASE = "paraphrase"


@dataclass(frozen=True)
class Evidence:
    """One decision about one sentence of a turn, and the cue that made it."""

    kind: EvidenceKind
    label: str
    cue: str
    text: str
    start: int
    end: int
    sentence: int
    question_type: QuestionType | None = None
    spin: SpinKind | None = None
    pitch_kind: str | None = None  # "offer", "figure", "credential", ... (see language/pitch.py)
    restates: tuple[str, ...] = ()  # the other speaker's words a paraphrase brings back

    def to_json(self) -> dict[str, Any]:
        # Key order is part of the stable output: each family keeps the order it has always had.
        head: dict[str, Any] = {"text": self.text, "start": self.start, "end": self.end, "sentence": self.sentence}
        if self.kind is EvidenceKind.QUESTION:
            return head | {"type": str(self.question_type), "cue": self.cue, "label": self.label}
        if self.kind is EvidenceKind.NEEDS_QUESTION:
            return head | {"spin": str(self.spin), "cue": self.cue, "label": self.label}
        if self.kind is EvidenceKind.CLOSE:
            return head | {"cue": self.cue, "label": self.label}
        if self.kind is EvidenceKind.PITCH:
            return head | {"cue": self.cue, "kind": self.pitch_kind, "label": self.label}
        return head | {"label": self.label, "restates": list(self.restates), "cue": self.cue}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Evidence:
        label = data.get("label", "")
        extra: dict[str, Any]
        if "type" in data:
            kind, extra = EvidenceKind.QUESTION, {"question_type": QuestionType(data["type"])}
        elif "spin" in data:
            kind, extra = EvidenceKind.NEEDS_QUESTION, {"spin": SpinKind(data["spin"])}
        elif "kind" in data:
            kind, extra = EvidenceKind.PITCH, {"pitch_kind": data["kind"]}
        elif label == "paraphrase" or "restates" in data:
            kind, extra = EvidenceKind.PARAPHRASE, {"restates": tuple(data.get("restates") or ())}
        else:
            kind, extra = EvidenceKind.CLOSE, {}
        return cls(
            kind=kind,
            label=label,
            cue=data.get("cue", ""),
            text=data.get("text", ""),
            start=int(data.get("start", 0)),
            end=int(data.get("end", 0)),
            sentence=int(data.get("sentence", 0)),
            **extra,
        )


@dataclass(frozen=True)
class TimedWord:
    word: str
    start: float
    end: float
    probability: float | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"word": self.word, "start": self.start, "end": self.end}
        if self.probability is not None:
            out["probability"] = self.probability
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> TimedWord:
        return cls(data["word"], data["start"], data["end"], data.get("probability"))


@dataclass(frozen=True)
class SpeechTiming:
    """What a spoken turn adds: its length, its words with times, and how soon the rep answered."""

    duration: float
    words: tuple[TimedWord, ...] = ()
    speech: tuple[tuple[float, float], ...] = ()  # voiced stretches, seconds
    engine: str = ""
    model: str = ""
    response_time: float | None = None  # from the customer's line ending to the rep's first word

    def with_response_time(self, seconds: float) -> SpeechTiming:
        return replace(self, response_time=round(seconds, 2))

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "duration": self.duration,
            "words": [w.to_json() for w in self.words],
            "speech": [list(s) for s in self.speech],
            "engine": self.engine,
            "model": self.model,
        }
        if self.response_time is not None:
            out["response_time"] = self.response_time
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SpeechTiming:
        return cls(
            duration=data.get("duration", 0.0),
            words=tuple(TimedWord.from_json(w) for w in data.get("words") or ()),
            speech=tuple((s[0], s[1]) for s in data.get("speech") or ()),
            engine=data.get("engine", ""),
            model=data.get("model", ""),
            response_time=data.get("response_time"),
        )


@dataclass(frozen=True)
class TurnAnalysis:
    """What the analyzer found in one turn; `evidence` says which sentence made each decision and why."""

    is_question: bool = False
    question_type: QuestionType | None = None  # of the turn's last question: the one the listener answers
    is_needs_question: bool = False
    spin: SpinKind | None = None
    is_paraphrase: bool = False
    is_pitch: bool = False
    paraphrase_score: float = 0.0
    restates: tuple[str, ...] = ()
    paraphrase_grounded: bool = False  # the customer's own words or a feeling came back
    words: int = 0
    sentences: int = 0
    evidence: tuple[Evidence, ...] = ()
    speech: SpeechTiming | None = None  # set for spoken turns only

    @property
    def heard(self) -> bool:
        """The customer feels heard when their own words or feelings come back, not by form alone."""
        return self.is_paraphrase and self.paraphrase_grounded

    def with_speech(self, speech: SpeechTiming | None) -> TurnAnalysis:
        return replace(self, speech=speech)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "is_question": self.is_question,
            "question_type": None if self.question_type is None else str(self.question_type),
            "is_needs_question": self.is_needs_question,
            "spin": None if self.spin is None else str(self.spin),
            "is_paraphrase": self.is_paraphrase,
            "is_pitch": self.is_pitch,
            "paraphrase_score": self.paraphrase_score,
            "restates": list(self.restates),
            "paraphrase_grounded": self.paraphrase_grounded,
            "words": self.words,
            "sentences": self.sentences,
            "evidence": [e.to_json() for e in self.evidence],
        }
        if self.speech is not None:
            out["speech"] = self.speech.to_json()
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> TurnAnalysis:
        speech = data.get("speech")
        return cls(
            is_question=bool(data.get("is_question")),
            question_type=QuestionType(data["question_type"]) if data.get("question_type") else None,
            is_needs_question=bool(data.get("is_needs_question")),
            spin=SpinKind(data["spin"]) if data.get("spin") else None,
            is_paraphrase=bool(data.get("is_paraphrase")),
            is_pitch=bool(data.get("is_pitch")),
            paraphrase_score=data.get("paraphrase_score", 0.0),
            restates=tuple(data.get("restates") or ()),
            paraphrase_grounded=bool(data.get("paraphrase_grounded", data.get("is_paraphrase"))),
            words=int(data.get("words", 0)),
            sentences=int(data.get("sentences", 0)),
            evidence=tuple(Evidence.from_json(e) for e in data.get("evidence") or ()),
            speech=SpeechTiming.from_json(speech) if isinstance(speech, dict) else None,
        )

    @staticmethod
    def label_columns() -> tuple[str, ...]:
        """The decisions a database keeps as real columns, so they can be queried."""
        return ("is_question", "question_type", "is_needs_question", "spin", "is_paraphrase", "is_pitch")

    def label_values(self) -> dict[str, Any]:
        data = self.to_json()
        return {column: data[column] for column in self.label_columns()}


class TranscriptTurn(Protocol):
    """A turn of a conversation as the call figures read it (the app's `CallTurn` is one)."""

    index: int  # place in the conversation, 0-based
    speaker: str  # "rep" or "customer"
    text: str
    analysis: TurnAnalysis | None  # rep turns that were analysed


class FigureKey(TextEnum):
    """Every figure a debrief can show; skills and stored sessions refer to these keys."""

    QUESTIONS = "questions"
    OPEN_QUESTIONS = "open_questions"
    NEEDS_QUESTIONS = "needs_questions"
    PARAPHRASES = "paraphrases"
    PITCHES = "pitches"
    NEEDS_UNCOVERED = "needs_uncovered"
    ASK_BEFORE_ADVOCATE = "ask_before_advocate"
    PROPOSAL = "proposal"
    OBJECTIONS = "objections"
    TALK_SHARE = "talk_share"
    LONGEST_REP_TURN = "longest_rep_turn"
    LONGEST_CUSTOMER_TURN = "longest_customer_turn"
    SPIN_MAP = "spin_map"
    FILLERS = "fillers"
    PACE = "pace"
    PAUSES = "pauses"
    RESPONSE_TIME = "response_time"


@dataclass
class Figure:
    """One number from a call, how to show it, and the turns (0-based) that make it."""

    key: FigureKey
    label: str
    value: Any
    display: str
    turns: list[int] = field(default_factory=list)
    note: str = ""
    detail: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "key": str(self.key),
            "label": self.label,
            "value": self.value,
            "display": self.display,
            "turns": list(self.turns),
            "note": self.note,
            "detail": self.detail,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Figure:
        """A figure as stored; raises ValueError for a key this version does not know."""
        return cls(
            key=FigureKey(data["key"]),
            label=data.get("label", ""),
            value=data.get("value"),
            display=data.get("display", ""),
            turns=list(data.get("turns") or []),
            note=data.get("note", ""),
            detail=dict(data.get("detail") or {}),
        )
