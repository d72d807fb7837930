"""Retrying a moment of a call: the rep answers a customer's line again, in review with a coach.

A coach can help in three ways before the rep answers again (the "demonstrate, prompt, release"
sequence of skills coaching): show how it could be said (demonstrate), give a hint (prompt), or
let the rep try alone (release). A retry after a demonstration or a prompt is *assisted*; after a
release it is *unassisted*. Progress counts the two apart, since only an unassisted attempt shows
what the rep can do on their own.

A `Retry` is one attempt as stored: the words, the analyzer's labels, the customer's reaction (a
fresh scripted customer replayed to that moment), whether it was assisted and how. The customer's
reaction is kept here as the coaching reads it (`RetryReaction`); the full line stays in the
database and in exports.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from typing import Any

from analysis.types import QuestionType, SpinKind, TextEnum, TurnAnalysis


class RetryHow(TextEnum):
    """How the coach helped before the rep tried again."""

    DEMONSTRATE = "demonstrate"  # the coach showed a way to say it
    PROMPT = "prompt"  # the coach gave a hint or asked a question
    RELEASE = "release"  # the rep tried on their own

    @property
    def assisted(self) -> bool:
        return self is not RetryHow.RELEASE

    @property
    def words(self) -> str:
        """As the coach picks it."""
        return {
            "demonstrate": "I showed how (demonstrate)",
            "prompt": "I gave a hint (prompt)",
            "release": "On your own (release)",
        }[self.value]


class RetryError(ValueError):
    """A retry that cannot be made or read, worded for the person who asked for it."""


def check_how(assisted: bool, how: str) -> str:
    """HOW as stored: one of `RetryHow` or a coach's short note. Empty HOW gives "release" for an
    unassisted retry; a named way that contradicts ASSISTED is a RetryError."""
    how = " ".join(how.split())
    if not how:
        return str(RetryHow.RELEASE) if not assisted else ""
    try:
        known = RetryHow(how.lower())
    except ValueError:
        return how  # a note in the coach's words ("role-played the customer first")
    if known.assisted != assisted:
        kind = "assisted" if known.assisted else "unassisted"
        raise RetryError(f"'{known}' makes a retry {kind}; pass --{kind} or another --how")
    return str(known)


# The customer's reactions that tell the rep about a need: what a discovery question is for.
NEED_TOLD_EVENTS = ("need_revealed", "need_developed")


@dataclass(frozen=True)
class RetryReaction:
    """What the customer did after the retried answer, and why (from the customer's stored line)."""

    text: str
    event: str
    trust_before: int
    trust_after: int
    level: str
    why: str = ""
    need_id: str | None = None
    layer: str | None = None
    ended: bool = False

    @property
    def told_a_need(self) -> bool:
        return self.event in NEED_TOLD_EVENTS

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> RetryReaction:
        """From a customer line's JSON (as `CustomerLine.to_json()` writes it); other keys are ignored."""
        return cls(
            text=str(data.get("text", "")),
            event=str(data["event"]),
            trust_before=int(data.get("trust_before", 0)),
            trust_after=int(data.get("trust_after", 0)),
            level=str(data.get("level", "")),
            why=str(data.get("why") or ""),
            need_id=data.get("need_id"),
            layer=data.get("layer"),
            ended=bool(data.get("ended")),
        )


@dataclass(frozen=True)
class Retry:
    """One attempt at a rep turn (0-based `turn`), stored beside the original."""

    id: int
    turn: int
    text: str
    analysis: TurnAnalysis
    reaction: RetryReaction
    assisted: bool
    how: str  # a RetryHow value, or a coach's note
    author: str
    created_at: str
    audio_path: str = ""  # the recording of a spoken retry, beside the database; empty when typed

    def to_json(self) -> dict[str, Any]:
        """As `spar show --json` prints it: the turn is 0-based, like the transcript's `turn`."""
        return {
            "turn": self.turn,
            "text": self.text,
            "assisted": self.assisted,
            "how": self.how,
            "author": self.author,
            "created_at": self.created_at,
            "audio_path": self.audio_path or None,
            "analysis": self.analysis.to_json(),
            "customer": asdict(self.reaction),
        }


def reaction_words(reaction: RetryReaction) -> str:
    """The customer's reaction in a few words: "told a need (trust 1 → 2)"."""
    event = reaction.event.replace("_", " ")
    what = {
        "need_revealed": "told a need",
        "need_developed": "said what the need costs them",
        "fact_shared": "told a fact",
        "acknowledged_paraphrase": "felt heard",
        "objection": "raised an objection",
        "objection_handled": "let the objection go",
        "objection_pushed": "felt pushed",
        "guarded": "stayed guarded",
        "objective_agreed": "agreed to the next step",
        "objective_not_yet": "was not ready yet",
        "heard_pitch": "heard a pitch",
        "statement": "answered in passing",
        "repeat": "said it again",
        "nothing_more": "had nothing more to add",
        "open_question": "answered in general",
        "closed_question": "gave a short answer",
        "rep_ended": "said goodbye",
    }.get(reaction.event, event)
    return f"{what} (trust {reaction.trust_before} → {reaction.trust_after})"


def retry_help(assisted: bool, how: str, author: str) -> str:
    """Who helped and how: "with help (prompt, Kim)" or "on your own"."""
    detail = ", ".join(part for part in (how if how != "release" else "", author) if part)
    if assisted:
        return f"with help ({detail})" if detail else "with help"
    return f"on your own ({author})" if author else "on your own"


def answer_words(analysis: TurnAnalysis | None, reaction: RetryReaction | None) -> str:
    """A turn's labels and the customer's reaction, for the side-by-side view:
    "open question · needs: problem; the customer told a need (trust 1 → 2)"."""
    # Imported here: render -> debrief -> goals -> progress -> retry would otherwise be a cycle.
    from analysis.coaching.render import turn_tags

    labels = turn_tags(analysis) or "a statement"
    if reaction is None:
        return labels
    return f"{labels}; the customer {reaction_words(reaction)}"


@dataclass(frozen=True)
class RetryTally:
    """What a group of retries (the assisted ones, or the unassisted ones) showed."""

    attempts: int = 0
    needs_questions: int = 0
    deeper_questions: int = 0  # implication and need-payoff questions
    open_questions: int = 0
    paraphrases: int = 0
    pitches: int = 0
    needs_told: int = 0  # the customer told a need (or what it costs) in answer

    def to_json(self) -> dict[str, int]:
        return {
            "attempts": self.attempts,
            "needs_questions": self.needs_questions,
            "deeper_questions": self.deeper_questions,
            "open_questions": self.open_questions,
            "paraphrases": self.paraphrases,
            "pitches": self.pitches,
            "needs_told": self.needs_told,
        }

    def line(self) -> str:
        """ "2 tries: 1 needs question, 1 told a need"."""
        if not self.attempts:
            return "none"
        parts = [
            f"{self.needs_questions} needs question{'s' if self.needs_questions != 1 else ''}",
            f"{self.deeper_questions} implication or need-payoff",
            f"{self.paraphrases} paraphrase{'s' if self.paraphrases != 1 else ''}",
            f"{self.needs_told} need{'s' if self.needs_told != 1 else ''} told",
        ]
        return f"{self.attempts} tr{'ies' if self.attempts != 1 else 'y'}: " + ", ".join(parts)


def tally(retries: Iterable[Retry]) -> RetryTally:
    attempts = needs = deeper = open_ = paraphrases = pitches = told = 0
    for r in retries:
        a = r.analysis
        attempts += 1
        needs += int(a.is_needs_question)
        deeper += int(a.is_needs_question and a.spin in (SpinKind.IMPLICATION, SpinKind.NEED_PAYOFF))
        open_ += int(a.is_question and a.question_type is QuestionType.OPEN)
        paraphrases += int(a.is_paraphrase)
        pitches += int(a.is_pitch)
        told += int(r.reaction.told_a_need)
    return RetryTally(attempts, needs, deeper, open_, paraphrases, pitches, told)


@dataclass(frozen=True)
class RetrySplit:
    """A session's retries, the unassisted ones apart from the assisted ones."""

    unassisted: RetryTally = RetryTally()
    assisted: RetryTally = RetryTally()

    @property
    def count(self) -> int:
        return self.unassisted.attempts + self.assisted.attempts

    def to_json(self) -> dict[str, Any]:
        return {"count": self.count, "unassisted": self.unassisted.to_json(), "assisted": self.assisted.to_json()}

    def line(self) -> str:
        return f"on your own: {self.unassisted.line()} · with help: {self.assisted.line()}"


def split(retries: Iterable[Retry]) -> RetrySplit:
    retries = list(retries)
    return RetrySplit(tally(r for r in retries if not r.assisted), tally(r for r in retries if r.assisted))
