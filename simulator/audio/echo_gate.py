"""No echo, and barge-in: what the microphone hears while the customer's line plays.

Without headphones the microphone hears the customer's voice from the speaker. While the
customer speaks, the rep's recording gets silence instead of those blocks (same length, so word
times and the response time stay right), and the real blocks are held back briefly. When the rep
starts speaking over the customer (a barge-in), playback stops and the held-back blocks are kept,
so the rep's first words are not lost.

How the rep's voice is told from the echo, with no echo canceller: the gate knows how loud the
customer is being played (`playback_level`, from the player's own samples). A 100 ms block is the
rep's voice when voice activity detection hears speech in it and either the customer is silent
at that moment (between words or sentences: what the microphone hears is not them), or the block
is `margin_db` louder, relative to what is played, than the echo has been so far this turn (the
echo's loudness relative to the playback is learned from the first voiced blocks). A barge-in needs
`barge_in_blocks` such blocks in a row (0.3 s), so a cough or a click does not cut the customer off;
the `keep_blocks` before it (0.6 s) are kept, since the rep's first syllables rarely count as evidence.
With headphones there is no echo at all and any voice is the rep's.
"""

from __future__ import annotations

from collections import deque
from typing import Protocol

import numpy as np

from analysis.speech.audio_file import SAMPLE_RATE, to_pcm16

FRAME = SAMPLE_RATE * 30 // 1000  # webrtcvad frames of 30 ms
CUSTOMER_SILENT_DBFS = -50.0  # played this quietly (or not at all), the customer is between words
ECHO_WINDOW_SECONDS = 0.35  # the playback that may still be sounding in the room: device latency and reverb


class CustomerPlayback(Protocol):
    """What the gate needs from the customer's voice (`CustomerVoice` is one)."""

    @property
    def is_speaking(self) -> bool: ...

    def playback_level(self, window: float = ECHO_WINDOW_SECONDS) -> float:
        """The loudest the customer was played in the last `window` seconds (dBFS; -100 when silent)."""

    def stop(self) -> None:
        """Cut the customer off (barge-in)."""


def _dbfs(block: np.ndarray) -> float:
    rms = float(np.sqrt(np.mean(np.square(block)))) if len(block) else 0.0
    return float(20 * np.log10(rms + 1e-9))


class EchoGate:
    def __init__(
        self, customer: CustomerPlayback, *, margin_db: float = 6.0, barge_in_blocks: int = 3, keep_blocks: int = 6
    ):
        import webrtcvad

        self.customer = customer
        self.margin_db = margin_db
        self.barge_in_blocks = barge_in_blocks
        self.keep_blocks = max(keep_blocks, barge_in_blocks)  # held back, kept on a barge-in
        self.barged_in = False
        self.gated_blocks = 0  # blocks the transcript got as silence
        self._vad = webrtcvad.Vad(2)
        self._held: deque[np.ndarray] = deque()
        self._evidence = 0  # consecutive blocks that sound like the rep
        self._echo: list[float] = []  # the echo's loudness relative to the playback, per voiced block

    def filter(self, block: np.ndarray) -> list[np.ndarray]:
        """The blocks to pass on to the transcript for this microphone block (in order)."""
        if self.barged_in or not self.customer.is_speaking:
            return [*self._release(keep=self._evidence > 0), block]
        if self._sounds_like_rep(block):
            self._evidence += 1
        else:
            self._evidence = 0
        self._held.append(block)
        if self._evidence >= self.barge_in_blocks:
            self.barged_in = True
            self.customer.stop()
            return self._release(keep=True)
        out = []
        while len(self._held) > self.keep_blocks:
            self.gated_blocks += 1
            out.append(np.zeros_like(self._held.popleft()))
        return out

    def flush(self) -> list[np.ndarray]:
        """What is still held back when the recording ends."""
        return self._release(keep=self.barged_in or self._evidence > 0)

    def _release(self, *, keep: bool) -> list[np.ndarray]:
        out = [b if keep else np.zeros_like(b) for b in self._held]
        if not keep:
            self.gated_blocks += len(out)
        self._held.clear()
        return out

    def _sounds_like_rep(self, block: np.ndarray) -> bool:
        pcm = to_pcm16(block)
        frames = [pcm[i : i + FRAME] for i in range(0, len(pcm) - FRAME + 1, FRAME)]
        voiced = sum(self._vad.is_speech(f.tobytes(), SAMPLE_RATE) for f in frames)
        if not frames or voiced * 2 < len(frames):
            return False
        played = self.customer.playback_level(ECHO_WINDOW_SECONDS)
        if played < CUSTOMER_SILENT_DBFS:
            return True  # a voice while the customer is silent is not their echo
        relative = _dbfs(block) - played
        if len(self._echo) < 3:  # still learning how loud the echo is
            self._echo.append(relative)
            return False
        echo = float(np.median(self._echo))
        if relative > echo + self.margin_db:
            return True
        self._echo.append(relative)
        return False
