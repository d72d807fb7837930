"""The Textual app: Practice (pick a scenario, play the call, debrief), History, Progress and Team modes.

The language and speech models load in a thread worker that reports by messages; the app keeps
their state in reactive attributes (`language_status`, `speech_status`) that any screen watches,
set on the main thread only.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

from textual import events, work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.reactive import reactive
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from simulator.config import Settings
from simulator.domain.catalogue import Catalogue, load_catalogue
from simulator.domain.scenario import Scenario
from simulator.storage import Store
from simulator.ui.app_status import ModelStatus
from simulator.ui.messages import AnalyzerLoaded, EncoderLoaded, ModelFailed, TranscriberLoaded
from simulator.ui.screens.history import HistoryScreen
from simulator.ui.screens.progress import ProgressScreen
from simulator.ui.screens.start import StartScreen
from simulator.ui.screens.team import TeamScreen
from simulator.ui.screens.too_small import TooSmallScreen, too_small
from simulator.ui.text import literal


def _default_analyzer_factory():
    from analysis.language.analyzer import Analyzer

    return Analyzer()


def _default_encoder_factory():
    from analysis.language.meaning import shared_encoder

    return shared_encoder()  # the analyzer's SPIN examples use the same one


def _customer_voice(scenario: Scenario, settings: Settings, on_status: Callable[[str], None]):
    from simulator.audio.customer_voice import CustomerVoice

    return CustomerVoice.for_call(scenario, settings, on_status=on_status)


def _speaker_sink():
    from simulator.audio.turn_player import speaker_sink

    return speaker_sink()


def _microphone():
    from simulator.audio.recording import MicrophoneSource

    return MicrophoneSource()


class SparringApp(App):
    CSS_PATH = "app.tcss"
    TITLE = "Sparring"
    # Each mode keeps its own stack of screens: a hot seat in Team mode survives a look at History.
    MODES = {"practice": StartScreen, "history": HistoryScreen, "progress": ProgressScreen, "team": TeamScreen}
    DEFAULT_MODE = "practice"
    SUB_TITLE = "rehearse a customer call"
    BINDINGS = [
        Binding("f2", "switch_mode('history')", "History"),
        Binding("f3", "switch_mode('practice')", "Practice"),
        Binding("f4", "switch_mode('progress')", "Progress"),
        Binding("f5", "switch_mode('team')", "Team"),
        Binding("ctrl+q", "quit", "Quit", priority=True),
    ]

    language_status: reactive[ModelStatus] = reactive(ModelStatus)
    customer_status: reactive[ModelStatus] = reactive(lambda: ModelStatus("waiting"))
    speech_status: reactive[ModelStatus] = reactive(lambda: ModelStatus("waiting"))
    # `spar review SESSION` opens the app on that session's review.
    review_session: int | None = None
    # `spar practice --live`: the start screen offers a person as the customer; `--group`: calls join that group.
    initial_live: bool = False
    team_group: str | None = None

    def __init__(
        self,
        store: Store,
        *,
        catalogue: Catalogue,
        rep: str | None = None,
        scenario: Scenario | None = None,
        analyzer_factory: Callable[[], Any] = _default_analyzer_factory,
        encoder_factory: Callable[[], Any] = _default_encoder_factory,
        settings: Settings | None = None,
        transcriber_factory: Callable[[], Any] | None = None,
        audio_source_factory: Callable[[], Any] = _microphone,
        customer_voice_factory: Callable[[Scenario, Settings, Callable[[str], None]], Any] = _customer_voice,
        output_sink_factory: Callable[[], Any] = _speaker_sink,
    ):
        super().__init__()
        # How the rep's side waits for a live customer (LiveCustomer's poll_seconds, gone_after); tests shorten them.
        self.live_options: dict[str, float] = {}
        # Where a review plays a turn's audio (the speaker; tests pass a sink of their own).
        self.output_sink_factory = output_sink_factory
        self.settings = settings or Settings()
        self.transcriber_factory = transcriber_factory or self.settings.transcriber
        self.audio_source_factory = audio_source_factory
        self.customer_voice_factory = customer_voice_factory
        self.store = store
        self.catalogue = catalogue
        self.initial_rep = rep
        self.initial_scenario = scenario
        self.analyzer_factory = analyzer_factory
        self.encoder_factory = encoder_factory
        self.analyzer: Any = None
        self.encoder: Any = None
        self._encoder_settled = threading.Event()
        self.transcriber: Any = None
        # Workers that need the analyzer wait on this; set on the main thread once loading has ended.
        self._analyzer_settled = threading.Event()

    def on_mount(self) -> None:
        # Importing spaCy holds the GIL for long stretches; start it once the first screen is
        # painted so the rep sees the app at once rather than a blank terminal.
        self.call_after_refresh(self.load_models)
        if self.review_session is not None:
            from simulator.ui.screens.review import ReviewScreen

            self.push_screen(ReviewScreen(self.review_session))
        self._fit(self.size.width, self.size.height)

    # --- any terminal size: below the minimum, a notice covers the screens ---------------
    def on_resize(self, event: events.Resize) -> None:
        self._fit(event.size.width, event.size.height)

    def _fit(self, width: int, height: int) -> None:
        screen = self.screen
        covered = isinstance(screen, TooSmallScreen)
        if too_small(width, height):
            if isinstance(screen, TooSmallScreen):
                screen.show_size(width, height)
            else:
                self.push_screen(TooSmallScreen())
        elif covered:
            self.pop_screen()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # While the notice shows, only quitting works: switching to history would draw a screen
        # the terminal cannot hold, and leave the notice behind in the other mode.
        if isinstance(self.screen, TooSmallScreen) and action != "quit":
            return False
        return True

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        # Textual's own Screenshot saves to a Downloads folder that a terminal machine often lacks,
        # and then says only "Failed"; ours saves beside the database and says where.
        for command in super().get_system_commands(screen):
            if command.title != "Screenshot":
                yield command
        yield SystemCommand("Screenshot", "Save an SVG picture of this screen beside your database", self.save_picture)

    def save_picture(self) -> None:
        folder = self.store.path.parent / "screenshots"
        try:
            folder.mkdir(parents=True, exist_ok=True)
            path = self.save_screenshot(path=str(folder))
        except OSError as exc:
            self.notify(f"Could not save the screenshot: {literal(exc)}", severity="error")
            return
        self.notify(f"Screenshot saved: {literal(path)}")

    # --- the language model, then the speech model, loaded once in the background -------
    @work(thread=True, exclusive=True, exit_on_error=False, group="models")
    def load_models(self) -> None:
        started = time.perf_counter()
        try:
            analyzer = self.analyzer_factory()
        except Exception as exc:  # shown to the user; the app stays usable for history
            self.post_message(ModelFailed("language", str(exc)))
        else:
            self.post_message(AnalyzerLoaded(analyzer, time.perf_counter() - started))
        # The customer's sentence model next: the call needs it before the first reply is answered.
        started = time.perf_counter()
        try:
            encoder = self.encoder_factory()
        except Exception as exc:  # the customer falls back to topic words; the status says so
            self.post_message(ModelFailed("customer", str(exc)))
        else:
            self.post_message(EncoderLoaded(encoder, time.perf_counter() - started))
        # The customer's voice (piper takes a second or two to start) before the first call opens.
        if self.customer_voice_factory is _customer_voice:
            from simulator.audio.customer_voice import preload

            preload(self.settings)
        # The speech model last, so they do not fight over the CPU at start-up.
        try:
            transcriber = self.transcriber_factory()
        except Exception as exc:  # typing still works; the call screen says so
            self.post_message(ModelFailed("speech", str(exc)))
        else:
            self.post_message(TranscriberLoaded(transcriber, f"{self.settings.engine} {self.settings.model}"))

    def on_analyzer_loaded(self, message: AnalyzerLoaded) -> None:
        self.analyzer = message.analyzer
        self.language_status = ModelStatus("ready", f"{message.seconds:.1f} s")
        self.customer_status = ModelStatus("loading")
        self.speech_status = ModelStatus("loading")
        self._analyzer_settled.set()

    def on_encoder_loaded(self, message: EncoderLoaded) -> None:
        self.encoder = message.encoder
        self.customer_status = ModelStatus("ready", f"{message.seconds:.1f} s")
        self._encoder_settled.set()

    def on_transcriber_loaded(self, message: TranscriberLoaded) -> None:
        self.transcriber = message.transcriber
        self.speech_status = ModelStatus("ready", message.description)

    def on_model_failed(self, message: ModelFailed) -> None:
        if message.which == "customer":
            self.customer_status = ModelStatus("failed", message.error)
            self._encoder_settled.set()
        elif message.which == "language":
            self.notify(f"The language model did not load: {literal(message.error)}", severity="error", timeout=30)
            self.language_status = ModelStatus("failed", message.error)
            self.customer_status = ModelStatus("loading")
            self.speech_status = ModelStatus("loading")
            self._analyzer_settled.set()
        else:
            self.speech_status = ModelStatus("failed", message.error)

    def wait_for_analyzer(self, timeout: float | None = None) -> Any:
        """Block a worker thread until the analyzer is ready; raises if it failed to load."""
        self._analyzer_settled.wait(timeout)
        if self.analyzer is None:
            raise RuntimeError(self.language_status.detail or "the language model is still loading")
        return self.analyzer

    def wait_for_encoder(self, timeout: float | None = 120) -> Any:
        """Block a worker thread until the customer's sentence model has loaded; None if it failed."""
        self._encoder_settled.wait(timeout)
        return self.encoder

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
    encoder_factory: Callable[[], Any] | None = None,
    settings: Settings | None = None,
    transcriber_factory: Callable[[], Any] | None = None,
    audio_source_factory: Callable[[], Any] | None = None,
    customer_voice_factory: Callable[[Scenario, Settings, Callable[[str], None]], Any] | None = None,
    output_sink_factory: Callable[[], Any] | None = None,
) -> SparringApp:
    """The one factory the CLI and the tests both use."""
    catalogue = catalogue or load_catalogue()
    if scenario is not None and catalogue.find(scenario.id) is None:
        catalogue.scenarios.insert(0, scenario)
    return SparringApp(
        store,
        catalogue=catalogue,
        rep=rep,
        scenario=scenario,
        analyzer_factory=analyzer_factory or _default_analyzer_factory,
        encoder_factory=encoder_factory or _default_encoder_factory,
        settings=settings,
        transcriber_factory=transcriber_factory,
        audio_source_factory=audio_source_factory or _microphone,
        customer_voice_factory=customer_voice_factory or _customer_voice,
        output_sink_factory=output_sink_factory or _speaker_sink,
    )
