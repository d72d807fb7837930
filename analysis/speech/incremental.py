"""Transcribe while the rep is still speaking, so only the tail is left when they stop.

Audio arrives in small blocks (from the microphone, or a file played back). Whenever the rep
pauses (voice activity detection hears `pause_seconds` of silence after at least
`min_chunk_seconds` of audio), the audio up to that pause is handed to a background thread and
transcribed while recording goes on. A pause is a natural boundary, so no word is cut in half;
if the rep talks for `max_chunk_seconds` without a pause, the chunk is cut at its quietest
frame. Chunks are long (8 to 14 s) on purpose: a short-window transcription of up to 14 s
takes about 0.3 s on 2 cores (analysis/transcribe.py), and longer pieces keep Whisper's
context, so a typical reply is transcribed whole when it ends and only long answers are cut.
When the turn ends, `finish()` transcribes only what came after the last cut and joins the
pieces, times shifted to the start of the turn.
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import numpy as np

from analysis.speech.audio_file import SAMPLE_RATE, to_pcm16
from analysis.speech.engines import Transcriber, Transcript

FRAME = SAMPLE_RATE * 30 // 1000  # webrtcvad frames of 30 ms


class IncrementalTranscriber:
    def __init__(
        self,
        transcriber: Transcriber,
        *,
        pause_seconds: float = 0.2,
        min_chunk_seconds: float = 8.0,
        max_chunk_seconds: float = 14.0,
        aggressiveness: int = 2,
    ):
        import webrtcvad

        self.transcriber = transcriber
        self.pause_frames = max(1, int(pause_seconds * 1000) // 30)
        self.min_chunk = int(min_chunk_seconds * SAMPLE_RATE)
        self.max_chunk = int(max_chunk_seconds * SAMPLE_RATE)
        self._vad = webrtcvad.Vad(aggressiveness)
        self._audio: list[np.ndarray] = []
        self._length = 0  # samples fed so far
        self._scanned = 0  # samples already run through the VAD
        self._unscanned = np.zeros(0, dtype=np.float32)
        self._cut = 0  # start of the audio not yet sent for transcription
        self._silent_frames = 0  # unvoiced frames since the last voiced one (reset by a cut)
        self._voiced_since_cut = False
        self.heard_speech = False  # any voice yet this turn
        self._quiet_frames = 0  # unvoiced frames since the last voiced one, cuts or not
        self._pending: list[tuple[int, Future]] = []

        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="transcribe")
        self._lock = threading.Lock()

    @property
    def audio(self) -> np.ndarray:
        with self._lock:
            return np.concatenate(self._audio) if self._audio else np.zeros(0, dtype=np.float32)

    @property
    def seconds(self) -> float:
        """How much audio has been fed."""
        return self._length / SAMPLE_RATE

    @property
    def trailing_silence(self) -> float:
        """Seconds of silence since the rep last spoke (what ends a hands-free turn)."""
        return self._quiet_frames * FRAME / SAMPLE_RATE

    def confirmed_text(self) -> str:
        """What is already transcribed (for a live caption); never blocks."""
        return " ".join(f.result().text for _, f in self._pending if f.done() and f.result().text)

    def feed(self, samples: np.ndarray) -> None:
        """Add a block of 16 kHz mono float32 audio; may start a chunk in the background."""
        with self._lock:
            self._audio.append(samples.astype(np.float32, copy=False))
            self._length += len(samples)
        # Only the samples not yet run through the VAD are converted (the whole turn is joined
        # only when a chunk is cut).
        self._unscanned = np.concatenate([self._unscanned, samples.astype(np.float32, copy=False)])
        pcm = to_pcm16(self._unscanned)
        used = 0
        while used + FRAME <= len(pcm):
            frame = pcm[used : used + FRAME]
            used += FRAME
            self._scanned += FRAME
            if self._vad.is_speech(frame.tobytes(), SAMPLE_RATE):
                self._silent_frames = self._quiet_frames = 0
                self._voiced_since_cut = self.heard_speech = True
            else:
                self._silent_frames += 1
                self._quiet_frames += 1
            since_cut = self._scanned - self._cut
            if self._voiced_since_cut and self._silent_frames >= self.pause_frames and since_cut >= self.min_chunk:
                self._send(self._scanned)
            elif since_cut >= self.max_chunk:
                self._send(self._quietest(self.audio, self._cut + self.min_chunk, self._scanned))
        self._unscanned = self._unscanned[used:]

    def _quietest(self, audio: np.ndarray, start: int, end: int) -> int:
        frames = [(float(np.abs(audio[i : i + FRAME]).mean()), i + FRAME) for i in range(start, end - FRAME + 1, FRAME)]
        return min(frames)[1] if frames else end

    def _send(self, end: int) -> None:
        # No prompt from the chunk before: with tiny.en it made transcripts worse, not better
        # (measured with bench/transcribe.py).
        chunk = self.audio[self._cut : end]
        offset = self._cut
        self._pending.append((offset, self._pool.submit(self.transcriber.transcribe, chunk)))
        self._cut = end
        self._voiced_since_cut = False
        self._silent_frames = 0

    def finish(self) -> Transcript:
        """Transcribe the tail, wait for the chunks still running, and join everything."""
        started = time.perf_counter()
        whole = self.audio
        tail = whole[self._cut :]
        pieces: list[tuple[int, Transcript]] = [(offset, future.result()) for offset, future in self._pending]
        if len(tail) > 0:
            pieces.append((self._cut, self.transcriber.transcribe(tail)))
        self._pool.shutdown(wait=False)
        joined = Transcript(
            "",
            engine=self.transcriber.engine.name,
            model=self.transcriber.engine.model,
            audio_seconds=round(len(whole) / SAMPLE_RATE, 3),
        )
        texts = []
        for offset, piece in pieces:
            shift = offset / SAMPLE_RATE
            joined.segments += _moved(piece.segments, shift)
            joined.words += _moved(piece.words, shift)
            joined.speech += [[round(s + shift, 3), round(e + shift, 3)] for s, e in piece.speech]
            if piece.text:
                texts.append(piece.text)
        joined.text = " ".join(texts)
        joined.seconds = round(time.perf_counter() - started, 3)  # the wait after the rep stopped
        return joined


def _moved(items: list[dict[str, Any]], shift: float) -> list[dict[str, Any]]:
    """Timed items of one piece, on the clock of the whole reply."""
    return [{**item, "start": round(item["start"] + shift, 3), "end": round(item["end"] + shift, 3)} for item in items]
