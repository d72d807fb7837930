"""The microphone line: how to speak now, a level meter while the rep speaks, and the recording itself.

Recording and transcription run in a thread worker; the widget reports the finished reply, a
failed microphone, and the words heard so far by messages, so only the main thread touches widgets.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from textual import work
from textual.message import Message
from textual.widgets import Static

from simulator.config import Settings
from simulator.ui.app_status import sparring_app
from simulator.ui.text import literal

# The meter needs ten updates a second, not more.
METER_INTERVAL = 0.1


class Recorder(Static):
    @dataclass
    class Heard(Message):
        """A recorded reply with its transcript (a `Transcript`), its audio, and when recording started."""

        transcript: Any
        audio: Any
        ended_by: str
        started_at: float  # time.monotonic() when the rep pressed the key

    @dataclass
    class Failed(Message):
        """The microphone failed mid-turn; the call goes on with typed replies."""

        error: str

    @dataclass
    class Caption(Message):
        """The part of the reply already transcribed while the rep goes on speaking."""

        text: str

    @dataclass
    class LevelChanged(Message, bubble=False):
        """The microphone's level, for the meter (dBFS, -60 to 0); for this widget only."""

        dbfs: float

    def __init__(self, settings: Settings, source_factory: Callable[[], Any], *, id: str | None = None):
        super().__init__("", id=id)
        self.settings = settings
        self.source_factory = source_factory
        self._stop: threading.Event | None = None  # set() ends the recording in progress
        self._started_at = 0.0

    @property
    def recording(self) -> bool:
        return self._stop is not None

    def on_mount(self) -> None:
        self.watch(self.app, "speech_status", lambda _: self.refresh_line(), init=True)

    def refresh_line(self, level: float | None = None) -> None:
        settings = self.settings
        mode = (
            f"hands-free, ends after {settings.end_pause:.1f} s of silence" if settings.hands_free else "push to talk"
        )
        status = sparring_app(self).speech_status
        if self.recording and level is not None:
            from simulator.audio.recording import meter

            text = f"[red]● recording[/red] {meter(level)}  Ctrl+T to stop · {mode}"
        elif self.recording:
            text = f"[red]● recording[/red]  Ctrl+T to stop · {mode}"
        elif status.ready:
            text = f"Ctrl+T to speak your reply ({mode}) · or type below"
        elif status.failed:
            text = f"[yellow]Speech unavailable:[/yellow] {literal(status.detail)}. Type your replies."
        else:
            text = "Speech model loading… type your replies meanwhile."
        self.update(text)

    def toggle_hands_free(self) -> None:
        self.settings.hands_free = not self.settings.hands_free
        self.refresh_line()

    def start(self, transcriber: Any, customer: Any = None) -> str | None:
        """Open the microphone and record; the error, worded for the rep, when there is none to open."""
        try:
            source = self.source_factory()
        except Exception as exc:  # no microphone: the caller says so and the call goes on with typing
            return str(exc)
        self._stop = threading.Event()
        self._started_at = time.monotonic()
        self.refresh_line()
        self._record(source, transcriber, self._stop, customer)
        return None

    def stop(self) -> None:
        """Push to talk: the second press ends the turn."""
        if self._stop is not None:
            self._stop.set()

    def _finished(self) -> None:
        self._stop = None
        self.refresh_line()

    @work(thread=True, exclusive=True, exit_on_error=False, group="recording")
    def _record(self, source: Any, transcriber: Any, stop: threading.Event, customer: Any = None) -> None:
        from simulator.audio.recording import record_turn

        last = 0.0

        def level(dbfs: float) -> None:
            nonlocal last
            if time.monotonic() - last >= METER_INTERVAL:
                last = time.monotonic()
                self.post_message(self.LevelChanged(dbfs))

        def caption(text: str) -> None:
            self.post_message(self.Caption(text))

        try:
            turn = record_turn(
                source,
                transcriber,
                stop=stop,
                hands_free=self.settings.hands_free,
                end_pause=self.settings.end_pause,
                on_level=level,
                on_caption=caption,
                customer=customer,  # while the customer's voice plays: no echo, and barge-in
            )
        except Exception as exc:  # the microphone failed mid-turn: typing takes over
            self.post_message(self.Failed(str(exc)))
            return
        self.post_message(self.Heard(turn.transcript, turn.audio, turn.ended_by, self._started_at))

    def on_recorder_level_changed(self, message: LevelChanged) -> None:
        if self.recording:
            self.refresh_line(message.dbfs)

    def on_recorder_failed(self, message: Failed) -> None:
        self._finished()

    def on_recorder_heard(self, message: Heard) -> None:
        self._finished()

    def on_unmount(self) -> None:
        # Quitting mid-recording: stop the microphone thread rather than leave it running.
        self.stop()
