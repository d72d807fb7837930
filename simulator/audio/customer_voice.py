"""The customer's voice in a call: which voice, speaking each line, muting, and failing softly.

`CustomerVoice` owns a `Synthesizer` (analysis.speech.tts) and a `Player` (playback.py). The
voice is the user's choice (`--voice`, settings) over the scenario persona's, over the default.
`speak(line)` streams the line, first sentence first; `stop()` cuts it off (barge-in);
`finished_at` is when the last line stopped sounding, which is where the rep's response time
starts. No output device, or one (or the voice) failing mid-call, turns the voice off with one
line in `status`, also passed to `on_status` (from whichever thread noticed): the call goes on in
text and nothing is lost.

It also tells the echo gate (echo_gate.py) how loud the customer is being played, from the
samples the player writes.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import fields, is_dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from analysis.speech.tts import Synthesizer, TTSError, Voice, VoiceSpecError, default_voice, voice_problem
from simulator.audio.playback import OutputSink, PlaybackError, PlaybackResult, Player

if TYPE_CHECKING:
    from simulator.config import Settings
    from simulator.domain.scenario import Scenario

MUTE_KEY = "Ctrl+O"


def resolve_voice(override: str, persona_voice: str = "") -> tuple[Voice, str]:
    """The voice to use and, when the persona's own could not be used, a note saying why.

    A bad `override` (the user's `--voice`) raises VoiceSpecError; a persona voice that is
    malformed or not installed here falls back to the default, with the note.
    """
    if override:
        return Voice.parse(override), ""
    if persona_voice:
        try:
            voice = Voice.parse(persona_voice)
        except VoiceSpecError as exc:
            return default_voice(), f"the scenario's {exc}; using the default voice"
        problem = voice_problem(voice)
        if problem is None:
            return voice, ""
        return default_voice(), f"{problem}; using the default voice meanwhile"
    return default_voice(), ""


# Scenario fields that hold what the customer says.
_SPOKEN_FIELDS = {"opening", "reveal", "guarded", "says", "answer", "line", "handled", "pushed", "agree", "not_yet"}
_SPOKEN_FIELDS |= {"buying_signal"}


def scripted_lines(scenario: Scenario, rep_name: str = "") -> list[str]:
    """Every line the scenario scripts for the customer, the opening first (what `warm` caches),
    as the scripted customer says them (`{rep}` is the rep's first name, spaces collapsed)."""
    first = rep_name.split()[0] if rep_name.strip() else "there"
    lines: list[str] = []

    def walk(value: Any, spoken: bool = False) -> None:
        if isinstance(value, str):
            line = " ".join(value.replace("{rep}", first).split())
            if spoken and line and line not in lines:
                lines.append(line)
        elif is_dataclass(value) and not isinstance(value, type):
            for f in fields(value):
                walk(getattr(value, f.name), f.name in _SPOKEN_FIELDS)
        elif isinstance(value, (tuple, list)):
            for item in value:
                walk(item, spoken)
        elif isinstance(value, dict):
            for item in value.values():
                walk(item, spoken)

    walk(scenario.opening, True)
    walk(scenario.objective)
    for part in (scenario.needs, scenario.world, scenario.objections):
        walk(part)
    walk(scenario.replies, True)
    walk(scenario.closing, True)
    return lines


# Engines already started, by voice: made ahead of the first call (`preload`) and handed back by
# each call that ends, so a call's first line does not wait for piper to load (1-2 s, more while
# the app's other models load). Their processes end with Sparring.
_ready: dict[Voice, Synthesizer] = {}
_ready_lock = threading.Lock()


def preload(settings: Settings) -> None:
    """Starts the engine of the voice the next call will most likely use (the settings', else the
    default) when it would be heard: not muted, and an output device exists. Never raises."""
    if settings.mute:
        return
    try:
        _speaker().close()
        voice, _ = resolve_voice(settings.voice)
        if voice_problem(voice) is not None:
            return
        synthesizer = Synthesizer(voice).load()
    except (PlaybackError, TTSError):
        return  # the call's own voice says what is wrong, when it starts
    _hand_back(synthesizer)


def _take_ready(voice: Voice) -> Synthesizer:
    with _ready_lock:
        return _ready.pop(voice, None) or Synthesizer(voice)


def _hand_back(synthesizer: Synthesizer) -> None:
    with _ready_lock:
        previous = _ready.pop(synthesizer.voice, None)
        _ready[synthesizer.voice] = synthesizer
    if previous is not None and previous is not synthesizer:
        previous.close()


class _TappedSink:
    """Passes blocks to the real sink and remembers how loud each was, and when."""

    def __init__(self, sink: OutputSink):
        self.sink = sink
        self.levels: deque[tuple[float, float]] = deque(maxlen=200)  # (time.monotonic(), dBFS)

    def open(self, sample_rate: int) -> None:
        self.sink.open(sample_rate)

    def write(self, block: np.ndarray) -> None:
        rms = float(np.sqrt(np.mean(np.square(block)))) if len(block) else 0.0
        self.levels.append((time.monotonic(), 20 * float(np.log10(rms + 1e-9))))
        self.sink.write(block)

    def drain(self) -> None:
        self.sink.drain()

    def abort(self) -> None:
        self.sink.abort()

    def close(self) -> None:
        self.sink.close()


class CustomerVoice:
    """The customer's voice for one call (see the module docstring)."""

    def __init__(
        self,
        voice: Voice,
        *,
        sink: OutputSink | None = None,
        synthesizer: Synthesizer | None = None,
        muted: bool = False,
        note: str = "",
        on_status: Callable[[str], None] | None = None,
    ):
        self.voice = voice
        self.muted = muted
        self.note = note  # why the persona's own voice is not used, if it is not
        self.on_status = on_status
        self._keep_engine = synthesizer is not None and sink is None  # one from `preload` or a call before
        self.synthesizer = synthesizer or Synthesizer(voice)
        self.failure = ""  # set once the voice is off for good this call
        self.status = ""
        self._sink = sink
        self._tap: _TappedSink | None = None
        self._player: Player | None = None
        self._finished_at: float | None = None
        self._on_finished: Callable[[PlaybackResult], None] | None = None
        self._closed = threading.Event()

    @classmethod
    def for_call(
        cls,
        scenario: Scenario,
        settings: Settings,
        *,
        sink: OutputSink | None = None,
        on_status: Callable[[str], None] | None = None,
    ) -> CustomerVoice:
        """The voice the settings and the scenario ask for; raises VoiceSpecError for a bad `settings.voice`."""
        voice, note = resolve_voice(settings.voice, scenario.persona.voice)
        synthesizer = _take_ready(voice) if sink is None else None  # tests' sinks get their own
        return cls(voice, sink=sink, synthesizer=synthesizer, muted=settings.mute, note=note, on_status=on_status)

    # --- starting ----------------------------------------------------------------------------
    def start(self) -> str:
        """Opens the output device (unless muted); returns the one status line to show."""
        problem = voice_problem(self.voice)
        if problem is not None:
            return self._fail(problem)
        if self._player is None:
            try:
                sink = self._sink if self._sink is not None else _speaker()
            except PlaybackError as exc:
                return self._fail(str(exc))
            self._tap = _TappedSink(sink)
            self._player = Player(self._tap, on_finished=self._line_finished)
        return self._set_status(self._state_line())

    def warm(self, lines: Iterable[str]) -> threading.Thread:
        """Synthesises `lines` into the cache in the background (the engine starts first)."""

        def run() -> None:
            try:
                self.synthesizer.load()
                for line in lines:
                    if self._closed.is_set():
                        return
                    self.synthesizer.warm([line])
            except TTSError as exc:
                if not self._closed.is_set():
                    self._fail(f"the customer's voice failed ({exc}); the call goes on in text")

        thread = threading.Thread(target=run, daemon=True, name="customer-voice-warm")
        thread.start()
        return thread

    # --- speaking ----------------------------------------------------------------------------
    @property
    def available(self) -> bool:
        return self._player is not None and not self.failure and not self._closed.is_set()

    @property
    def is_speaking(self) -> bool:
        return self._player is not None and self._player.is_playing

    @property
    def finished_at(self) -> float | None:
        """time.monotonic() when the last line stopped sounding; None while one plays or before any."""
        return self._finished_at

    def speak(self, line: str, on_finished: Callable[[PlaybackResult], None] | None = None) -> bool:
        """Starts playing `line` (returns at once); False when muted or the voice is off."""
        if self.muted or not self.available or not line.strip():
            return False
        assert self._player is not None
        self._player.stop()  # the line before ends now, with its own callback
        self._finished_at = None
        self._on_finished = on_finished
        self._player.play(self.synthesizer.stream(line))
        return True

    def stop(self) -> None:
        """Cuts the customer off (barge-in, mute, end of the call)."""
        if self._player is not None:
            self._player.stop()

    def response_clock(self, shown_at: float) -> float:
        """Where the rep's response time starts: the end of the line's playback, else when it was shown."""
        finished = self._finished_at
        return finished if finished is not None and finished > shown_at else shown_at

    def playback_level(self, window: float = 0.35) -> float:
        """The loudest block played in the last `window` seconds (dBFS; -100 when nothing was)."""
        if self._tap is None or not self.is_speaking:
            return -100.0
        since = time.monotonic() - window
        recent = [level for at, level in list(self._tap.levels) if at >= since]
        return max(recent, default=-100.0)

    def set_muted(self, muted: bool) -> str:
        """Mutes or unmutes; the status line to show."""
        self.muted = muted
        if muted:
            self.stop()
        return self._set_status(self._state_line())

    def save(self, line: str, path: str | Path) -> Path:
        """The whole line as a WAV file (the voice's own rate); raises TTSError (headless calls)."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        self.synthesizer.synthesize(line).save_wav(path)
        return path

    def close(self) -> None:
        """Ends playback; a working engine stays started for the next call (`keep_engine`), else it stops."""
        self._closed.set()
        if self._player is not None:
            self._player.close()
        if self._keep_engine and not self.failure:
            _hand_back(self.synthesizer)
        else:
            self.synthesizer.close()

    def close_after_line(self, timeout: float = 30.0) -> None:
        """Lets the line playing finish (the customer's last words), then closes; returns at once."""

        def run() -> None:
            if self._player is not None:
                self._player.wait(timeout)
            self.close()

        threading.Thread(target=run, daemon=True, name="customer-voice-close").start()

    # --- state -------------------------------------------------------------------------------
    def _state_line(self) -> str:
        if self.failure:
            return self.failure
        note = f" ({self.note})" if self.note else ""
        if self.muted:
            return f"The customer's voice is muted: {MUTE_KEY} to hear them.{note}"
        return f"You hear the customer ({self.voice}): {MUTE_KEY} mutes.{note}"

    def _line_finished(self, result: PlaybackResult) -> None:  # the player's thread
        self._finished_at = result.ended_at
        if result.error is not None and not self._closed.is_set():
            self._fail(str(result.error))
        callback, self._on_finished = self._on_finished, None
        if callback is not None:
            callback(result)

    def _fail(self, message: str) -> str:
        if not self.failure:
            self.failure = "The customer's voice is off: " + " ".join(message.split())
            self.status = self.failure
            if self.on_status is not None:
                self.on_status(self.failure)
        return self.failure

    def _set_status(self, line: str) -> str:
        self.status = line
        return line


def _speaker() -> OutputSink:
    from simulator.audio.playback import SoundDeviceSink

    return SoundDeviceSink()
