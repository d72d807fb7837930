"""Recording the rep's spoken reply: microphone (or a file played back), level meter, end of turn.

A source yields 16 kHz mono float32 blocks of 100 ms. `record_turn` feeds them to an
`IncrementalTranscriber` while they arrive, reports the level (dBFS) for the meter, and stops
when told to (push-to-talk: the rep presses the key again) or, hands-free, when voice activity
detection hears `end_pause` seconds of silence after the rep has spoken. A rep who stops to think
is not cut off: the pause is configurable and only counts once speech has started.

Runs in a worker thread; sounddevice (PortAudio) is imported only when a microphone is used.
"""

from __future__ import annotations

import queue
import threading
import time
import wave
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import numpy as np

from analysis.speech.audio_file import SAMPLE_RATE, to_pcm16
from analysis.speech.engines import Transcript
from simulator.config import Settings

if TYPE_CHECKING:
    from simulator.audio.echo_gate import CustomerPlayback

BLOCK = SAMPLE_RATE // 10


class MicrophoneError(Exception):
    """No usable input device, or it failed mid-recording; the message says what to do."""


class AudioSource(Protocol):
    name: str

    def blocks(self, stop: threading.Event) -> Iterator[np.ndarray]:
        """100 ms blocks until `stop` is set or the source ends."""


class MicrophoneSource:
    """The default input device, through sounddevice."""

    def __init__(self, device: int | str | None = None):
        try:
            import sounddevice as sd
        except OSError as exc:  # PortAudio missing
            raise MicrophoneError(
                f"the audio library is missing ({exc}); run `bash setup.sh` "
                "(installs libportaudio2), or type your replies"
            ) from None
        self._sd = sd
        try:
            info = sd.query_devices(device, kind="input")
        except (ValueError, sd.PortAudioError) as exc:
            raise MicrophoneError(
                f"no microphone found ({exc}); plug one in and try again, or type your replies"
            ) from None
        self.device = device
        self.name = str(info["name"])

    def blocks(self, stop: threading.Event) -> Iterator[np.ndarray]:
        arrived: queue.Queue[np.ndarray] = queue.Queue()

        def callback(indata, frames, when, status) -> None:  # PortAudio's thread
            arrived.put(indata[:, 0].copy())

        try:
            with self._sd.InputStream(
                samplerate=SAMPLE_RATE,
                channels=1,
                dtype="float32",
                blocksize=BLOCK,
                device=self.device,
                callback=callback,
            ):
                while not stop.is_set():
                    try:
                        yield arrived.get(timeout=1.0)
                    except queue.Empty:
                        raise MicrophoneError(
                            f"the microphone '{self.name}' stopped sending sound; check it, or type your replies"
                        ) from None
        except self._sd.PortAudioError as exc:
            raise MicrophoneError(f"the microphone '{self.name}' failed ({exc}); type your replies instead") from None


class FileSource:
    """A recorded reply played back as if spoken live (tests, demos, `--replies` audio)."""

    def __init__(self, path: str | Path, *, realtime: bool = True, trailing_silence: float = 1.5):
        from analysis.speech.audio_file import load_audio

        self.name = str(path)
        silence = np.zeros(int(trailing_silence * SAMPLE_RATE), dtype=np.float32)
        self.audio = np.concatenate([load_audio(path), silence])
        self.realtime = realtime

    def blocks(self, stop: threading.Event) -> Iterator[np.ndarray]:
        clock = time.perf_counter()
        for i in range(0, len(self.audio), BLOCK):
            if stop.is_set():
                return
            yield self.audio[i : i + BLOCK]
            if self.realtime:
                clock += BLOCK / SAMPLE_RATE
                time.sleep(max(0.0, clock - time.perf_counter()))


def level_dbfs(block: np.ndarray) -> float:
    rms = float(np.sqrt(np.mean(np.square(block)))) if len(block) else 0.0
    return max(-60.0, 20 * np.log10(rms + 1e-9))


def meter(dbfs: float, width: int = 20) -> str:
    """A text level meter: -60 dBFS empty, 0 dBFS full."""
    filled = int(round((dbfs + 60) / 60 * width))
    return "█" * filled + "·" * (width - filled)


@dataclass
class RecordedTurn:
    audio: np.ndarray
    transcript: Transcript
    ended_by: str  # "key", "pause", "source" (the file ran out), "limit"
    barged_in: bool = False  # the rep spoke over the customer, who stopped


def record_turn(
    source: AudioSource,
    transcriber,
    *,
    stop: threading.Event,
    hands_free: bool = False,
    end_pause: float = Settings.end_pause,
    max_seconds: float = 120.0,
    on_level: Callable[[float], None] | None = None,
    on_caption: Callable[[str], None] | None = None,
    customer: CustomerPlayback | None = None,
) -> RecordedTurn:
    """Record one reply and return it with its transcript (see the module docstring).

    `customer`: the customer's voice, when it may be playing. While it plays, the microphone's
    blocks reach the transcript as silence (no echo), unless the rep speaks over it: then the
    customer is stopped and the rep's words are kept from that moment (echo_gate.py).
    """
    from analysis.speech.incremental import IncrementalTranscriber
    from simulator.audio.echo_gate import EchoGate

    gate = EchoGate(customer) if customer is not None else None

    # The transcriber's own voice activity detection also tells when a hands-free turn ends.
    live = IncrementalTranscriber(transcriber)
    ended_by = "source"
    caption = ""
    for block in source.blocks(stop):
        for heard in gate.filter(block) if gate else (block,):
            live.feed(heard)
        if on_caption and live.confirmed_text() != caption:
            caption = live.confirmed_text()
            on_caption(caption)
        if on_level:
            on_level(level_dbfs(block))
        if hands_free and live.heard_speech and live.trailing_silence >= end_pause:
            ended_by = "pause"
            break
        if live.seconds >= max_seconds:
            ended_by = "limit"
            break
        if stop.is_set():
            ended_by = "key"
            break
    for heard in gate.flush() if gate else ():
        live.feed(heard)
    return RecordedTurn(live.audio, live.finish(), ended_by, barged_in=bool(gate and gate.barged_in))


def seconds_before_answer(customer_done_at: float, recording_started_at: float, first_word_start: float) -> float:
    """From the customer's line ending to the rep's first word: the wait before the rep started
    recording (both `time.monotonic()`), plus where in the recording the first word falls."""
    return round(recording_started_at - customer_done_at + first_word_start, 2)


def save_wav(path: Path, audio: np.ndarray) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".wav.partial")
    with wave.open(str(partial), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(SAMPLE_RATE)
        out.writeframes(to_pcm16(audio).tobytes())
    partial.replace(path)
    return path
