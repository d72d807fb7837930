"""Playing one turn of a past call in a review: its recording, or a customer's line in their voice.

`TurnPlayer.play` blocks until the turn has been heard (call it from a worker thread); a new
`play` or `stop()` from another thread cuts the one before short. Every failure (no output
device, a recording that cannot be read, a voice that is not installed) is a PlaybackError whose
message is one line to show.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

from analysis.speech.tts import Audio, Synthesizer, TTSError, Voice, voice_problem
from simulator.audio.playback import OutputSink, PlaybackError, PlaybackResult, Player


def speaker_sink() -> OutputSink:
    """The machine's default output device; PlaybackError when there is none."""
    from simulator.audio.playback import SoundDeviceSink

    return SoundDeviceSink()


class TurnPlayer:
    def __init__(self, sink_factory: Callable[[], OutputSink] = speaker_sink):
        self.sink_factory = sink_factory
        self._player: Player | None = None
        self._synthesizers: dict[Voice, Synthesizer] = {}
        self._lock = threading.Lock()

    def play_recording(self, path: Path, turn_number: int) -> PlaybackResult:
        """Plays a WAV file kept with a turn, to its end (or until stopped)."""
        try:
            audio = Audio.load_wav(path)
        except (OSError, TTSError) as exc:
            raise PlaybackError(f"The recording of turn {turn_number} cannot be played ({exc}).") from None
        return self._play(audio)

    def play_line(self, line: str, voice: Voice) -> PlaybackResult:
        """Speaks a customer's line in VOICE (from the cache when the call spoke it already)."""
        problem = voice_problem(voice)
        if problem is not None:
            raise PlaybackError(f"The customer's voice cannot speak here: {problem}.")
        with self._lock:
            synthesizer = self._synthesizers.get(voice) or self._synthesizers.setdefault(voice, Synthesizer(voice))
        return self._play(synthesizer.stream(line))

    def open(self) -> Player:
        """The player on the output device, opened on first use; PlaybackError when there is none."""
        with self._lock:
            if self._player is None:
                self._player = Player(self._open_sink())
            return self._player

    def _play(self, audio) -> PlaybackResult:
        player = self.open()
        player.play(audio)
        result = player.wait()
        if result is not None and result.error is not None:
            raise result.error
        assert result is not None
        return result

    def _open_sink(self) -> OutputSink:
        try:
            return self.sink_factory()
        except PlaybackError as exc:
            # The device's own words say what is missing; the advice is for a review, not a call.
            reason = str(exc).split(";")[0]
            raise PlaybackError(
                f"Cannot play the turn: {reason}. Connect speakers or headphones and press a again."
            ) from None

    def stop(self) -> None:
        with self._lock:
            player = self._player
        if player is not None:
            player.stop()

    def close(self) -> None:
        with self._lock:
            player, self._player = self._player, None
            synthesizers, self._synthesizers = list(self._synthesizers.values()), {}
        if player is not None:
            player.close()
        for synthesizer in synthesizers:
            synthesizer.close()
