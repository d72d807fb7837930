"""Audio as samples: mono float32 at a sample rate, to and from 16-bit WAV, and resampling.

What the voice engines produce, what playback plays and what Whisper is fed (at 16 kHz).
"""

from __future__ import annotations

import io
import wave
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from analysis.speech.speech_errors import TTSError

WHISPER_SAMPLE_RATE = 16000


@dataclass(frozen=True, eq=False)
class Audio:
    """Mono float32 samples in [-1, 1] at `sample_rate` Hz."""

    samples: np.ndarray
    sample_rate: int

    @property
    def seconds(self) -> float:
        return len(self.samples) / self.sample_rate

    @staticmethod
    def concatenate(parts: Iterable[Audio]) -> Audio:
        parts = list(parts)
        if not parts:
            raise ValueError("no audio to join")
        rate = parts[0].sample_rate
        return Audio(np.concatenate([p.resampled(rate).samples for p in parts]).astype(np.float32), rate)

    def resampled(self, rate: int) -> Audio:
        return self if rate == self.sample_rate else Audio(resample(self.samples, self.sample_rate, rate), rate)

    def for_whisper(self) -> np.ndarray:
        """16 kHz samples, as the speech engines expect."""
        return self.resampled(WHISPER_SAMPLE_RATE).samples

    def wav_bytes(self) -> bytes:
        buffer = io.BytesIO()
        with wave.open(buffer, "wb") as out:
            out.setnchannels(1)
            out.setsampwidth(2)
            out.setframerate(self.sample_rate)
            out.writeframes(_to_int16(self.samples).tobytes())
        return buffer.getvalue()

    def save_wav(self, path: str | Path) -> Path:
        """16-bit PCM WAV, written whole or not at all."""
        path = Path(path)
        partial = path.with_name(path.name + ".partial")
        partial.write_bytes(self.wav_bytes())
        partial.replace(path)
        return path

    @staticmethod
    def from_wav_bytes(data: bytes, source: str = "audio") -> Audio:
        try:
            with wave.open(io.BytesIO(data), "rb") as wav:
                if wav.getsampwidth() != 2:
                    raise TTSError(f"{source}: expected 16-bit PCM, got {8 * wav.getsampwidth()}-bit")
                rate, channels = wav.getframerate(), wav.getnchannels()
                # espeak-ng --stdout writes a placeholder length; readframes stops at the real end.
                pcm = wav.readframes(wav.getnframes())
        except (wave.Error, EOFError) as exc:
            raise TTSError(f"{source}: not a WAV file ({exc})") from None
        samples = np.frombuffer(pcm[: len(pcm) - len(pcm) % (2 * channels)], dtype=np.int16)
        if channels > 1:
            samples = samples.reshape(-1, channels).mean(axis=1)
        return Audio((samples / 32768.0).astype(np.float32), rate)

    @staticmethod
    def load_wav(path: str | Path) -> Audio:
        return Audio.from_wav_bytes(Path(path).read_bytes(), str(path))


def _to_int16(samples: np.ndarray) -> np.ndarray:
    return np.round(np.clip(samples, -1.0, 32767 / 32768) * 32768).astype(np.int16)


def resample(samples: np.ndarray, from_rate: int, to_rate: int) -> np.ndarray:
    """Band-limited resampling by FFT (what scipy.signal.resample does), without scipy.

    Speech clips are a few seconds, so one FFT is cheap; linear interpolation would fold the
    voice's energy above the new Nyquist frequency back into the band Whisper listens to.
    """
    if from_rate == to_rate or len(samples) == 0:
        return samples.astype(np.float32, copy=False)
    count = max(1, round(len(samples) * to_rate / from_rate))
    spectrum = np.fft.rfft(samples.astype(np.float64))
    bins = count // 2 + 1
    if bins <= len(spectrum):
        spectrum = spectrum[:bins]
    else:
        spectrum = np.concatenate([spectrum, np.zeros(bins - len(spectrum), dtype=spectrum.dtype)])
    return (np.fft.irfft(spectrum, count) * (count / len(samples))).astype(np.float32)
