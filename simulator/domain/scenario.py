"""What a scenario is: the customer, their world, their hidden needs and objections, the objective, the rules of trust.

A need unfolds in SPIN layers: the problem (told when the rep asks about it), its implications
(what it costs, who else it hurts) and its payoff (what solving it would be worth, in the
customer's words). Scenario files are read and checked by `scenario_file.py` (format 1) and
`scenario_format2.py`, and found by id in `catalogue.py`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

FORMAT_VERSION = 1
LATEST_FORMAT = 2
TRUST_LEVELS = ("bronze", "silver", "gold")
REPLY_KINDS = ("open_question", "closed_question", "paraphrase", "statement", "pitch", "repeat")
# Format 2 adds: a follow-up on a topic with nothing more to tell.
OPTIONAL_REPLY_KINDS = ("nothing_more",)
CLOSING_KINDS = ("customer_ends", "rep_ends")
LAYERS = ("problem", "implication", "payoff")
OBJECTION_KINDS = ("price", "timing", "incumbent", "authority", "trust", "need")
# What raises an objection: a pitch before enough discovery, proposing the objective before the
# customer sees enough value, or the rep bringing up price.
OBJECTION_TRIGGERS = ("early_pitch", "early_proposal", "price")


# A problem line is at most this long: a long path or message is shortened in the middle.
MAX_PROBLEM_CHARS = 300


def shorten(text: str, limit: int) -> str:
    """TEXT cut to LIMIT characters by replacing its middle with '…'."""
    if len(text) <= limit:
        return text
    keep = limit - 1
    return text[: keep - keep // 3] + "…" + text[len(text) - keep // 3 :]


@dataclass(frozen=True)
class Problem:
    path: Path
    line: int
    message: str

    def __str__(self) -> str:
        """`FILE:LINE: message`, one line of at most MAX_PROBLEM_CHARS."""
        where = shorten(f"{self.path}", MAX_PROBLEM_CHARS // 2)
        if self.line:
            where += f":{self.line}"
        message = " ".join(self.message.split())
        return f"{where}: {shorten(message, MAX_PROBLEM_CHARS - len(where) - 2)}"


class ScenarioError(Exception):
    """A scenario file that cannot be used; `problems` lists every issue found."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@dataclass(frozen=True)
class Persona:
    name: str
    role: str
    company: str
    mood: str
    voice: str = ""  # a voice for the customer's lines (see `spar say --voices`); empty: the default


@dataclass(frozen=True)
class NeedLayer:
    """One SPIN layer of a need: questions that reach it, and what the customer then says."""

    asks: tuple[str, ...]
    says: str


@dataclass(frozen=True)
class Need:
    id: str
    title: str
    topic: tuple[str, ...]  # words that reach the need when meaning cannot be judged
    min_trust: str
    reveal: str  # what the customer says about the problem
    guarded: str  # said instead when the rep has not earned enough trust yet
    asks: tuple[str, ...] = ()  # example questions about the problem
    implication: NeedLayer | None = None
    payoff: NeedLayer | None = None

    def layer(self, name: str) -> NeedLayer | None:
        if name == "problem":
            return NeedLayer(self.asks, self.reveal)
        return self.implication if name == "implication" else self.payoff if name == "payoff" else None

    @property
    def layers(self) -> tuple[str, ...]:
        """The layers this need has, in the order they unfold."""
        return tuple(name for name in LAYERS if self.layer(name) is not None)


@dataclass(frozen=True)
class WorldFact:
    """A fact about the customer's world, told when the rep asks about it (a situation question)."""

    id: str
    about: str
    answer: str
    asks: tuple[str, ...] = ()


@dataclass(frozen=True)
class Objection:
    id: str
    line: str
    kind: str = "timing"
    raised_by: str = "early_pitch"
    handled: str = ""  # said when the rep acknowledges the concern and asks about it
    pushed: str = ""  # said when the rep pitches through it


@dataclass(frozen=True)
class RubricItem:
    """What an observer scores a rep on, 1 to 5."""

    id: str
    title: str


@dataclass(frozen=True)
class Objective:
    description: str
    keywords: tuple[str, ...]
    needs_required: int
    min_trust: str
    agree: str
    not_yet: str
    # Format 2: the needs must be explicit (the problem and its implication or payoff told), and
    # the customer signals once they are ready.
    explicit: bool = False
    buying_signal: str = ""


@dataclass(frozen=True)
class TrustRules:
    start: int
    silver: int
    gold: int
    maximum: int

    def level(self, points: int) -> str:
        if points >= self.gold:
            return "gold"
        if points >= self.silver:
            return "silver"
        return "bronze"


@dataclass(frozen=True)
class Scenario:
    id: str
    title: str
    call_type: str
    difficulty: int
    persona: Persona
    situation: str
    opening: str
    objective: Objective
    trust: TrustRules
    patience: int
    discovery_before_pitch: int
    needs: tuple[Need, ...]
    objections: tuple[Objection, ...]
    replies: dict[str, tuple[str, ...]]
    closing: dict[str, str]
    product: str = ""
    path: Path | None = None
    version: int = FORMAT_VERSION
    content_hash: str = ""
    extra: dict[str, Any] = field(default_factory=dict)
    industry: str = ""
    world: tuple[WorldFact, ...] = ()
    rubric: tuple[RubricItem, ...] = ()
    # Objections the rep pushes through (or pitches into) before the customer ends the call.
    pushes_before_hang_up: int = 2

    def need(self, need_id: str) -> Need:
        return next(n for n in self.needs if n.id == need_id)

    def fact(self, fact_id: str) -> WorldFact:
        return next(f for f in self.world if f.id == fact_id)


def trust_rank(level: str) -> int:
    return TRUST_LEVELS.index(level)
