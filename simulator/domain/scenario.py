"""What a scenario is: the customer, their hidden needs and objections, the objective, the rules of trust.

Scenario files are read and checked by `scenario_file.py`, and found by id in `catalogue.py`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

FORMAT_VERSION = 1
TRUST_LEVELS = ("bronze", "silver", "gold")
REPLY_KINDS = ("open_question", "closed_question", "paraphrase", "statement", "pitch", "repeat")
CLOSING_KINDS = ("customer_ends", "rep_ends")


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


@dataclass(frozen=True)
class Need:
    id: str
    title: str
    topic: tuple[str, ...]
    min_trust: str
    reveal: str
    guarded: str


@dataclass(frozen=True)
class Objection:
    id: str
    line: str


@dataclass(frozen=True)
class Objective:
    description: str
    keywords: tuple[str, ...]
    needs_required: int
    min_trust: str
    agree: str
    not_yet: str


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

    def need(self, need_id: str) -> Need:
        return next(n for n in self.needs if n.id == need_id)


def trust_rank(level: str) -> int:
    return TRUST_LEVELS.index(level)
