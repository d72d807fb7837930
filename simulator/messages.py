"""Messages that worker threads post back to the app (threads never touch widgets)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from textual.message import Message


@dataclass
class AnalyzerReady(Message, bubble=False):
    """The language model has loaded; replies can be analysed."""

    # bubble=False: the app forwards this to the active screen, and bubbling back up would
    # loop forever (a class attribute is not enough: Message.__init_subclass__ resets it).
    seconds: float


@dataclass
class AnalyzerFailed(Message, bubble=False):
    """The language model could not load; `error` says what to do."""

    error: str


@dataclass
class ReplyAnalysed(Message):
    """One rep reply with its analysis, ready for the engine and the store."""

    text: str
    analysis: dict[str, Any]
    started_at: str


@dataclass
class ReplyFailed(Message):
    """Analysing a reply failed; the reply text comes back so it is not lost."""

    text: str
    error: str
