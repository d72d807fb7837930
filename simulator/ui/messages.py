"""Messages the app's background work posts back to the main thread (threads never touch widgets)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from textual.message import Message


@dataclass
class AnalyzerLoaded(Message):
    """The language model has loaded; replies can be analysed."""

    analyzer: Any
    seconds: float


@dataclass
class EncoderLoaded(Message):
    """The customer's sentence model has loaded; the customer understands questions by meaning."""

    encoder: Any
    seconds: float


@dataclass
class TranscriberLoaded(Message):
    """The speech model has loaded; replies can be spoken."""

    transcriber: Any
    description: str


@dataclass
class ModelFailed(Message):
    """A model could not load: `which` is "language", "customer" or "speech"; `error` says what to do."""

    which: str
    error: str
