"""Playing the customer's voice: one line (or a stream of chunks) at a time, in a background thread.

`Player.play` returns at once. A producer thread pulls chunks from the synthesiser while the
playing thread writes 50 ms blocks to an output sink, so the next sentence is being synthesised
while the current one sounds. `stop()` cuts the customer off between two blocks (the rep barged
in) and drops what the device still holds. When playback ends, however it ends, `on_finished`
gets a `PlaybackResult` whose `ended_at` is when the rep's response time starts counting.

Sinks: the speaker (`SoundDeviceSink`, sounddevice/PortAudio, imported only when used), a WAV
file (`FileSink`) or memory (`MemorySink`); the last two can keep to real time, for tests.
"""

from __future__ import annotations

import queue
import threading
import time
import wave
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from analysis.speech.tts import Audio, TTSError

BLOCK_SECONDS = 0.05  # how often playback checks for stop(): the longest a barge-in waits


class PlaybackError(Exception):
    """No usable output device, or it failed while playing; the message says what to do."""


class OutputSink(Protocol):
    """Where played samples go. Called from the player's thread only."""

    def open(self, sample_rate: int) -> None: ...

    def write(self, block: np.ndarray) -> None:
        """Float32 mono samples; returns about when the device has room for more (real time)."""

    def drain(self) -> None:
        """Waits until everything written has been heard."""

    def abort(self) -> None:
        """Drops whatever is written but not yet heard (barge-in)."""

    def close(self) -> None: ...


# --- the speaker ----------------------------------------------------------------------------
def _sounddevice():
    try:
        import sounddevice
    except OSError as exc:  # PortAudio itself is missing
        raise PlaybackError(
            f"the audio library is missing ({exc}); run `bash setup.sh` (installs libportaudio2), or use --mute"
        ) from None
    return sounddevice


def check_output_device(device: int | str | None = None) -> str:
    """The output device's name; PlaybackError when there is none (or not the one named)."""
    sd = _sounddevice()
    try:
        info = sd.query_devices(device, kind="output")
    except (ValueError, sd.PortAudioError) as exc:
        named = f" '{device}'" if device is not None else ""
        raise PlaybackError(
            f"no audio output device{named} found ({exc}); the customer's lines stay text "
            "(connect speakers or headphones, or use --mute)"
        ) from None
    return str(info["name"])


def output_device_available(device: int | str | None = None) -> bool:
    """Whether the customer can be heard here: the app's voice is on by default only if so."""
    try:
        check_output_device(device)
    except PlaybackError:
        return False
    return True


class SoundDeviceSink:
    """The default (or a named) output device, through sounddevice (blocking writes, 50 ms at a time)."""

    def __init__(self, device: int | str | None = None):
        self.device = device
        self.name = check_output_device(device)
        self._sd = _sounddevice()
        self._stream: Any = None  # a sounddevice.OutputStream once a line has been played
        self._rate = 0

    def open(self, sample_rate: int) -> None:
        if self._stream is not None and self._rate == sample_rate:
            return
        self.close()
        try:
            self._stream = self._sd.OutputStream(
                samplerate=sample_rate, channels=1, dtype="float32", device=self.device
            )
        except self._sd.PortAudioError as exc:
            raise PlaybackError(f"the output device '{self.name}' cannot play ({exc}); use --mute") from None
        self._rate = sample_rate

    def write(self, block: np.ndarray) -> None:
        try:
            if self._stream.stopped:  # a new line, after the last one drained or was cut off
                self._stream.start()
            self._stream.write(np.ascontiguousarray(block, dtype=np.float32).reshape(-1, 1))
        except self._sd.PortAudioError as exc:
            raise PlaybackError(f"the output device '{self.name}' failed ({exc}); the call goes on in text") from None

    def drain(self) -> None:
        self._call("stop")  # returns once what was written has been heard

    def abort(self) -> None:
        self._call("abort")  # drops what was written but not heard

    def close(self) -> None:
        if self._stream is not None:
            self._call("close")
            self._stream = None

    def _call(self, method: str) -> None:
        if self._stream is None:
            return
        try:
            getattr(self._stream, method)()
        except self._sd.PortAudioError as exc:
            raise PlaybackError(f"the output device '{self.name}' failed ({exc}); the call goes on in text") from None


# --- sinks for tests and files ----------------------------------------------------------------
class _RealTimeClock:
    """Makes writes take as long as the audio lasts, like a device would."""

    def __init__(self, realtime: bool):
        self.realtime = realtime
        self._started = 0.0
        self._written = 0.0

    def start(self) -> None:
        self._started, self._written = time.monotonic(), 0.0

    def wrote(self, seconds: float) -> None:
        self._written += seconds
        if self.realtime:
            # A device buffers about one block ahead: wait until the block before this one has sounded.
            delay = self._started + self._written - BLOCK_SECONDS - time.monotonic()
            if delay > 0:
                time.sleep(delay)

    def drain(self) -> None:
        if self.realtime:
            delay = self._started + self._written - time.monotonic()
            if delay > 0:
                time.sleep(delay)


class MemorySink:
    """Keeps every sample played, in memory."""

    def __init__(self, *, realtime: bool = False):
        self.sample_rate = 0
        self.blocks: list[np.ndarray] = []
        self._clock = _RealTimeClock(realtime)

    def open(self, sample_rate: int) -> None:
        self.sample_rate = sample_rate
        self._clock.start()

    def write(self, block: np.ndarray) -> None:
        self.blocks.append(block.astype(np.float32, copy=True))
        self._clock.wrote(len(block) / self.sample_rate)

    def drain(self) -> None:
        self._clock.drain()

    def abort(self) -> None:
        return None  # nothing is held back: what was written counts as heard

    def close(self) -> None:
        return None

    @property
    def samples(self) -> np.ndarray:
        return np.concatenate(self.blocks) if self.blocks else np.zeros(0, dtype=np.float32)


class FileSink:
    """Writes everything played to one 16-bit WAV file, complete once closed (`Player.close()`)."""

    def __init__(self, path: str | Path, *, realtime: bool = False):
        self.path = Path(path)
        self._clock = _RealTimeClock(realtime)
        self._wav: wave.Wave_write | None = None
        self._rate = 0

    def open(self, sample_rate: int) -> None:
        if self._wav is None:
            try:
                self._wav = wave.open(str(self.path), "wb")  # noqa: SIM115 - open across writes, closed in close()
            except OSError as exc:
                raise PlaybackError(f"{self.path}: cannot write ({exc.strerror}); choose another file") from None
            self._wav.setnchannels(1)
            self._wav.setsampwidth(2)
            self._wav.setframerate(sample_rate)
            self._rate = sample_rate
        elif sample_rate != self._rate:
            raise PlaybackError(f"{self.path}: cannot mix {sample_rate} Hz into a {self._rate} Hz file")
        self._clock.start()

    def write(self, block: np.ndarray) -> None:
        assert self._wav is not None
        pcm = np.round(np.clip(block, -1.0, 32767 / 32768) * 32768).astype(np.int16)
        self._wav.writeframes(pcm.tobytes())
        self._clock.wrote(len(block) / self._rate)

    def drain(self) -> None:
        self._clock.drain()

    def abort(self) -> None:
        return None

    def close(self) -> None:
        if self._wav is not None:
            self._wav.close()
            self._wav = None


# --- the player -----------------------------------------------------------------------------
@dataclass(frozen=True)
class PlaybackResult:
    completed: bool  # played to the end (False: stopped, or the device failed)
    played_seconds: float  # audio actually sent to the device
    ended_at: float  # time.monotonic() when playback ended: the rep's response time counts from here
    error: PlaybackError | None = None


_END = object()  # the producer's "no more chunks"


class Player:
    """Plays one line at a time through a sink (default: the speaker). Not for use by several callers at once."""

    def __init__(self, sink: OutputSink | None = None, *, on_finished: Callable[[PlaybackResult], None] | None = None):
        self.sink: OutputSink = sink if sink is not None else SoundDeviceSink()
        self.on_finished = on_finished
        self.last_result: PlaybackResult | None = None
        # One event per line, so a line still being synthesised after it was stopped never
        # mistakes the next line's start for its own.
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._done = threading.Event()
        self._done.set()

    @property
    def is_playing(self) -> bool:
        return not self._done.is_set()

    def play(self, audio: Audio | Iterable[Audio]) -> None:
        """Starts playing (a line, or its chunks as the synthesiser yields them); returns at once.

        Anything still playing is stopped first: the customer says one thing at a time.
        """
        self.stop()
        chunks: Iterable[Audio] = [audio] if isinstance(audio, Audio) else audio
        self._stop = threading.Event()
        self._done.clear()
        self._thread = threading.Thread(target=self._run, args=(chunks, self._stop), daemon=True, name="customer-voice")
        self._thread.start()

    def stop(self) -> None:
        """Cuts playback short (barge-in); returns once the sink has dropped what it held."""
        self._stop.set()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join()

    def wait(self, timeout: float | None = None) -> PlaybackResult | None:
        """Blocks until the current line ends; its result, or None on timeout."""
        return self.last_result if self._done.wait(timeout) else None

    def close(self) -> None:
        self.stop()
        self.sink.close()

    def _run(self, chunks: Iterable[Audio], stop: threading.Event) -> None:
        arrived: queue.Queue[object] = queue.Queue(maxsize=4)
        threading.Thread(
            target=_produce, args=(chunks, arrived, stop), daemon=True, name="customer-voice-synthesis"
        ).start()
        played = 0.0
        completed = False
        error: PlaybackError | None = None
        rate = 0
        try:
            while not stop.is_set():
                try:
                    item = arrived.get(timeout=BLOCK_SECONDS)
                except queue.Empty:
                    continue  # the next sentence is still being synthesised
                if item is _END:
                    self.sink.drain()
                    completed = not stop.is_set()
                    break
                if isinstance(item, PlaybackError):
                    raise item
                assert isinstance(item, Audio)
                if rate == 0:
                    rate = item.sample_rate
                    self.sink.open(rate)
                samples = item.resampled(rate).samples
                block = max(1, int(rate * BLOCK_SECONDS))
                for start in range(0, len(samples), block):
                    if stop.is_set():
                        break
                    self.sink.write(samples[start : start + block])
                    played += min(block, len(samples) - start) / rate
            if stop.is_set() and rate:
                self.sink.abort()
        except PlaybackError as exc:
            error = exc
            self._abort_quietly()
        finally:
            stop.set()  # tells the producer to stop pulling chunks
            self._finish(PlaybackResult(completed, round(played, 3), time.monotonic(), error))

    def _abort_quietly(self) -> None:
        # The device already failed; dropping its buffer may fail the same way, and the error
        # the caller sees is the first one.
        try:
            self.sink.abort()
        except PlaybackError:
            return

    def _finish(self, result: PlaybackResult) -> None:
        self.last_result = result
        self._done.set()
        if self.on_finished is not None:
            self.on_finished(result)


def _produce(chunks: Iterable[Audio], arrived: queue.Queue[object], stop: threading.Event) -> None:
    """Pulls chunks from the synthesiser ahead of playback (its own thread)."""
    try:
        for chunk in chunks:
            if not _offer(arrived, chunk, stop):
                return
    except TTSError as exc:
        _offer(arrived, PlaybackError(f"the customer's voice failed ({exc}); the call goes on in text"), stop)
        return
    except BaseException:
        # A bug: the player must still end the line rather than wait for chunks forever; the
        # exception goes on to threading's excepthook, which prints it.
        _offer(arrived, PlaybackError("the customer's voice failed unexpectedly; the call goes on in text"), stop)
        raise
    _offer(arrived, _END, stop)


def _offer(arrived: queue.Queue[object], item: object, stop: threading.Event) -> bool:
    """Queues `item` unless playback stops first; whether it was queued."""
    while not stop.is_set():
        try:
            arrived.put(item, timeout=BLOCK_SECONDS)
        except queue.Full:
            continue
        return True
    return False
