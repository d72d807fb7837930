"""The Textual app: Practice (pick a scenario, play the call, debrief) and History modes.

Slow work (loading spaCy, analysing a reply) runs in thread workers that post messages back;
only the main thread touches widgets and the database.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from textual import work
from textual.app import App
from textual.binding import Binding
from textual.worker import Worker, WorkerState

from simulator.ui.messages import AnalyzerFailed, AnalyzerReady, TranscriberFailed, TranscriberReady
from simulator.domain.scenario import Catalogue, Scenario, load_catalogue
from simulator.ui.screens import literal
from simulator.ui.screens.history import HistoryScreen
from simulator.ui.screens.start import StartScreen
from simulator.storage import Store


def _default_analyzer_factory():
    from analysis.language.analyzer import Analyzer

    return Analyzer()


@dataclass
class VoiceSettings:
    """How spoken replies are recorded and transcribed (from `spar practice` options)."""

    engine: str = "faster-whisper"
    model: str = "tiny.en"
    hands_free: bool = False
    end_pause: float = 1.2  # seconds of silence that end a hands-free turn
    verbatim: bool = False  # keep fillers in transcripts

    def transcriber(self):
        from analysis.speech.engines import Transcriber

        return Transcriber(self.engine, self.model, verbatim=self.verbatim)


def _microphone():
    from simulator.audio.recording import MicrophoneSource

    return MicrophoneSource()


class SparringApp(App):
    CSS_PATH = "app.tcss"
    TITLE = "Sparring"
    # Practice and History now; Review and Progress join as modes of their own later.
    MODES = {"practice": StartScreen, "history": HistoryScreen}
    DEFAULT_MODE = "practice"
    SUB_TITLE = "rehearse a customer call"
    BINDINGS = [
        Binding("f2", "switch_mode('history')", "History"),
        Binding("f3", "switch_mode('practice')", "Practice"),
        Binding("ctrl+q", "quit", "Quit", priority=True),
    ]

    def __init__(
        self,
        store: Store,
        *,
        catalogue: Catalogue,
        rep: str | None = None,
        scenario: Scenario | None = None,
        analyzer_factory: Callable[[], Any] = _default_analyzer_factory,
        voice: VoiceSettings | None = None,
        transcriber_factory: Callable[[], Any] | None = None,
        audio_source_factory: Callable[[], Any] = _microphone,
    ):
        super().__init__()
        self.voice = voice or VoiceSettings()
        self.transcriber_factory = transcriber_factory or self.voice.transcriber
        self.audio_source_factory = audio_source_factory
        self.transcriber: Any = None
        self.transcriber_error: str | None = None
        self.store = store
        self.catalogue = catalogue
        self.initial_rep = rep
        self.initial_scenario = scenario
        self.analyzer_factory = analyzer_factory
        self.analyzer: Any = None
        self.analyzer_error: str | None = None
        self._analyzer_loaded = threading.Event()

    def on_mount(self) -> None:
        # Importing spaCy holds the GIL for long stretches; start it once the first screen is
        # painted so the rep sees the app at once rather than a blank terminal.
        self.call_after_refresh(self.load_analyzer)

    # --- the language model, then the speech model, loaded once in the background -------
    @work(thread=True, exclusive=True, exit_on_error=False, group="analyzer")
    def load_analyzer(self) -> None:
        started = time.perf_counter()
        try:
            self.analyzer = self.analyzer_factory()
        except Exception as exc:  # shown to the user; the app stays usable for history
            self.analyzer_error = str(exc)
            self.post_message(AnalyzerFailed(str(exc)))
        else:
            self.post_message(AnalyzerReady(time.perf_counter() - started))
        finally:
            self._analyzer_loaded.set()
        # The speech model next, so the two do not fight over the CPU at start-up.
        try:
            self.transcriber = self.transcriber_factory()
        except Exception as exc:  # typing still works; the call screen says so
            self.transcriber_error = str(exc)
            self.post_message(TranscriberFailed(str(exc)))
        else:
            self.post_message(TranscriberReady(f"{self.voice.engine} {self.voice.model}"))

    def wait_for_analyzer(self, timeout: float | None = None) -> Any:
        """Block a worker thread until the analyzer is ready; raises if it failed to load."""
        self._analyzer_loaded.wait(timeout)
        if self.analyzer is None:
            raise RuntimeError(self.analyzer_error or "the language model is still loading")
        return self.analyzer

    def _tell_screen(self, message) -> None:
        # Screens also read self.analyzer on mount, so one that is not up yet misses nothing.
        if self.screen_stack:
            self.screen.post_message(message)

    def on_analyzer_ready(self, message: AnalyzerReady) -> None:
        self._tell_screen(AnalyzerReady(message.seconds))

    def on_analyzer_failed(self, message: AnalyzerFailed) -> None:
        self.notify(f"The language model did not load: {literal(message.error)}", severity="error", timeout=30)
        self._tell_screen(AnalyzerFailed(message.error))

    def on_transcriber_ready(self, message: TranscriberReady) -> None:
        self._tell_screen(TranscriberReady(message.description))

    def on_transcriber_failed(self, message: TranscriberFailed) -> None:
        self._tell_screen(TranscriberFailed(message.error))

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """Every worker failure ends up here, as one visible notification."""
        if event.state == WorkerState.ERROR:
            self.notify(f"{event.worker.name} failed: {literal(event.worker.error)}", severity="error", timeout=30)


def create_app(
    *,
    store: Store,
    rep: str | None = None,
    scenario: Scenario | None = None,
    catalogue: Catalogue | None = None,
    analyzer_factory: Callable[[], Any] | None = None,
    voice: VoiceSettings | None = None,
    transcriber_factory: Callable[[], Any] | None = None,
    audio_source_factory: Callable[[], Any] | None = None,
) -> SparringApp:
    """The one factory the CLI and the tests both use."""
    catalogue = catalogue or load_catalogue()
    if scenario is not None and catalogue.find(scenario.id) is None:
        catalogue.scenarios.insert(0, scenario)
    return SparringApp(store, catalogue=catalogue, rep=rep, scenario=scenario,
                       analyzer_factory=analyzer_factory or _default_analyzer_factory, voice=voice,
                       transcriber_factory=transcriber_factory,
                       audio_source_factory=audio_source_factory or _microphone)
