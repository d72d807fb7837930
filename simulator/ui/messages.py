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
    audio_path: str | None = None


@dataclass
class ReplyFailed(Message):
    """Analysing a reply failed; the reply text comes back so it is not lost."""

    text: str
    error: str


@dataclass
class TranscriberReady(Message, bubble=False):
    """The speech model has loaded; replies can be spoken."""

    description: str


@dataclass
class TranscriberFailed(Message, bubble=False):
    """The speech model could not load; typing still works."""

    error: str


@dataclass
class LevelChanged(Message):
    """The microphone's level, for the meter (dBFS, -60 to 0)."""

    dbfs: float


@dataclass
class CaptionChanged(Message):
    """The part of the reply already transcribed while the rep goes on speaking."""

    text: str


@dataclass
class SpokenReply(Message):
    """A recorded reply with its transcript (a `Transcript`) and its audio."""

    transcript: Any
    audio: Any
    ended_by: str


@dataclass
class RecordingFailed(Message):
    """The microphone could not be used; the call goes on with typed replies."""

    error: str
