"""The customer a rep talks to, as the session sees it: any customer, scripted or played by a person.

A `Customer` gives the opening line, reacts to each analysed rep turn with a `CustomerLine` that
says what it did and why (kept with the turn, so a coach can replay the logic), ends the call when
the rep does, and reports its state for the sidebar and the debrief. The scripted engine
(`scripted.py`) is one; a person playing the customer live, or a richer scripted customer, plug into
the same session and screens.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from analysis.types import TextEnum, TurnAnalysis


class CustomerEvent(TextEnum):
    """What the customer's line did; the debrief and the review read these."""

    OPENING = "opening"
    OBJECTIVE_AGREED = "objective_agreed"
    OBJECTIVE_NOT_YET = "objective_not_yet"
    OBJECTION = "objection"
    OBJECTION_HANDLED = "objection_handled"
    OBJECTION_PUSHED = "objection_pushed"
    NEED_REVEALED = "need_revealed"
    NEED_DEVELOPED = "need_developed"  # an implication or payoff told: the need is explicit
    FACT_SHARED = "fact_shared"
    NOTHING_MORE = "nothing_more"
    GUARDED = "guarded"
    ACKNOWLEDGED_PARAPHRASE = "acknowledged_paraphrase"
    HEARD_PITCH = "heard_pitch"
    STATEMENT = "statement"
    REPEAT = "repeat"
    OPEN_QUESTION = "open_question"
    CLOSED_QUESTION = "closed_question"
    REP_ENDED = "rep_ended"


class EndReason(TextEnum):
    OBJECTIVE_MET = "objective_met"
    CUSTOMER_ENDED = "customer_ended"
    REP_ENDED = "rep_ended"

    @property
    def text(self) -> str:
        """How the call ended, as the rep reads it."""
        return {
            "objective_met": "the customer agreed to the objective",
            "customer_ended": "the customer ended the call",
            "rep_ended": "you ended the call",
        }[self.value]


@dataclass(frozen=True)
class CustomerLine:
    """What the customer says, and why."""

    text: str
    event: CustomerEvent
    trust_before: int
    trust_after: int
    level: str
    need_id: str | None = None
    objection_id: str | None = None
    ended: bool = False
    end_reason: EndReason | None = None
    layer: str | None = None  # the SPIN layer of the need told: problem, implication, payoff
    fact_id: str | None = None
    buying_signal: bool = False  # the line ends with the customer's sign that they are ready
    ready: bool = False  # after this line the customer would agree to the objective if asked
    why: str = ""  # what the customer understood, in words a coach reads
    match: dict[str, Any] | None = None  # what the rep's words reached (understanding.Match.to_json())
    # The rep's turn asked for the objective, whatever the answer: an objection it raised is a
    # proposal made too early too, and the debrief counts the try.
    answers_proposal: bool = False

    def to_json(self) -> dict[str, Any]:
        # The first nine keys are the stable shape; the rest appear when they say something.
        extra = {"layer": self.layer, "fact_id": self.fact_id, "buying_signal": self.buying_signal, "ready": self.ready,
                 "why": self.why, "match": self.match, "answers_proposal": self.answers_proposal}  # fmt: skip
        return {
            "text": self.text,
            "event": str(self.event),
            "trust_before": self.trust_before,
            "trust_after": self.trust_after,
            "level": self.level,
            "need_id": self.need_id,
            "objection_id": self.objection_id,
            "ended": self.ended,
            "end_reason": None if self.end_reason is None else str(self.end_reason),
        } | {key: value for key, value in extra.items() if value}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> CustomerLine:
        reason = data.get("end_reason")
        return cls(
            text=data.get("text", ""),
            event=CustomerEvent(data["event"]),
            trust_before=data.get("trust_before", 0),
            trust_after=data.get("trust_after", 0),
            level=data.get("level", ""),
            need_id=data.get("need_id"),
            objection_id=data.get("objection_id"),
            ended=bool(data.get("ended")),
            end_reason=EndReason(reason) if reason else None,
            layer=data.get("layer"),
            fact_id=data.get("fact_id"),
            buying_signal=bool(data.get("buying_signal")),
            ready=bool(data.get("ready")),
            why=data.get("why", ""),
            match=data.get("match"),
            answers_proposal=bool(data.get("answers_proposal")),
        )


@dataclass(frozen=True)
class RevealedNeed:
    """A need the customer told the rep about, and the turn (0-based, in the whole call) that asked."""

    id: str
    title: str
    turn: int

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "title": self.title, "turn": self.turn}


@dataclass(frozen=True)
class CallSnapshot:
    """The customer's side of the call at a moment: shown beside the call, stored at its end."""

    trust: int
    level: str
    needs_uncovered: tuple[RevealedNeed, ...]
    needs_total: int
    objections_raised: tuple[str, ...] = ()
    needs_explicit: tuple[RevealedNeed, ...] = ()  # needs developed past the problem (implication or payoff)
    open_objection: str | None = None
    ended: bool = False
    end_reason: EndReason | None = None
    objective_met: bool = False
    turns_left: int | None = None  # rep turns before the customer runs out of patience, when known


class Customer(Protocol):
    """Anything a rep can practise a call with."""

    @property
    def ended(self) -> bool: ...

    def opening(self) -> CustomerLine:
        """The customer's first line."""
        ...

    def respond(self, rep_text: str, analysis: TurnAnalysis, turn_index: int) -> CustomerLine:
        """The reaction to one rep turn; `turn_index` is that turn's place in the whole call."""
        ...

    def end_by_rep(self) -> CustomerLine:
        """The rep ends the call: the customer's goodbye."""
        ...

    def snapshot(self) -> CallSnapshot: ...

    def prepare(self, rep_text: str) -> None:
        """Slow work for a reply (understanding its words), done in a worker thread before `respond`."""
        ...


def rep_display_name(name: str) -> str:
    """A rep's name as stored and shown: inner runs of spaces collapsed, ends trimmed."""
    return " ".join(name.split())


@dataclass
class CallTurn:
    """One turn of a call as the session keeps it: who spoke, what, the analysis of a rep turn,
    the customer's reaction for a customer turn."""

    index: int
    speaker: str  # "rep" or "customer"
    text: str
    analysis: TurnAnalysis | None = None
    customer: CustomerLine | None = None
    audio_path: str | None = None
    input_mode: str | None = None  # typed, spoken or script, for rep turns
    started_at: str | None = None  # when it was said (ISO, UTC), as stored
    # Where the turn sits in an imported call's recording or transcript, seconds from its start.
    start_seconds: float | None = None
    end_seconds: float | None = None
