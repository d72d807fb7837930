"""Audio files as Whisper reads them (16 kHz mono float32, decoded by ffmpeg), and where in them someone speaks."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np

from analysis.speech.errors import TranscriptionError

SAMPLE_RATE = 16000
INT16_FULL_SCALE = 32768.0
AUDIO_SUFFIXES = (".wav", ".flac", ".mp3", ".ogg", ".m4a", ".webm")
# A stretch counts as speech when the VAD hears at least this much voice in it.
MIN_SPEECH_SECONDS = 0.25


def load_audio(path: str | Path) -> np.ndarray:
    """Any audio file ffmpeg reads, as 16 kHz mono float32."""
    path = Path(path)
    if not path.is_file():
        raise TranscriptionError(f"{path}: no such audio file")
    if path.stat().st_size == 0:
        raise TranscriptionError(f"{path}: the file is empty; record the reply again")
    ffmpeg = shutil.which("ffmpeg")
    if ffmpeg is None:
        raise TranscriptionError("ffmpeg is not installed; run `bash setup.sh` (or apt-get install ffmpeg)")
    done = subprocess.run(ffmpeg_decode_argv(ffmpeg, path), capture_output=True)
    if done.returncode != 0:
        reason = (done.stderr.decode(errors="replace").strip().splitlines() or ["unknown error"])[-1]
        raise TranscriptionError(f"{path}: not a readable audio file ({reason}); use WAV, FLAC or MP3")
    audio = from_pcm16(done.stdout)
    if audio.size == 0:
        raise TranscriptionError(f"{path}: the file holds no audio; record the reply again")
    return audio


def ffmpeg_decode_argv(ffmpeg: str, path: Path, channels: int = 1) -> list[str]:
    """ffmpeg decoding PATH to 16 kHz 16-bit PCM on stdout (mono, or CHANNELS interleaved),
    reading local files only.

    ffmpeg takes a name such as `http:x.wav` as a URL and connects; so the file goes in as
    `file:` plus its absolute path, and the protocol whitelist (set before `-i`, and inherited by
    anything the file itself points to, such as a playlist) allows only files and the output pipe.
    """
    return [
        ffmpeg,
        "-nostdin",
        "-v",
        "error",
        "-protocol_whitelist",
        "file,pipe",
        "-i",
        f"file:{path.resolve()}",
        "-f",
        "s16le",
        "-ac",
        str(channels),
        "-ar",
        str(SAMPLE_RATE),
        "-",
    ]


def speech_regions(
    audio: np.ndarray, *, aggressiveness: int = 2, frame_ms: int = 30, hangover_ms: int = 300
) -> list[list[float]]:
    """Voiced stretches [start, end] in seconds, by webrtcvad, with short gaps bridged."""
    import webrtcvad

    vad = webrtcvad.Vad(aggressiveness)
    frame = SAMPLE_RATE * frame_ms // 1000
    pcm = to_pcm16(audio)
    regions: list[list[float]] = []
    gap_frames = hangover_ms // frame_ms
    silent = gap_frames + 1
    for i in range(0, len(pcm) - frame + 1, frame):
        voiced = vad.is_speech(pcm[i : i + frame].tobytes(), SAMPLE_RATE)
        start, end = i / SAMPLE_RATE, (i + frame) / SAMPLE_RATE
        if voiced:
            if regions and silent <= gap_frames:
                regions[-1][1] = end
            else:
                regions.append([start, end])
            silent = 0
        else:
            silent += 1
    return [[round(s, 3), round(e, 3)] for s, e in regions if e - s >= MIN_SPEECH_SECONDS]


def to_pcm16(audio: np.ndarray) -> np.ndarray:
    """Float samples (-1 to 1) as 16-bit PCM, as WAV files and the voice activity detector take them."""
    return (np.clip(audio, -1, 1) * (INT16_FULL_SCALE - 1)).astype(np.int16)


def from_pcm16(data: bytes) -> np.ndarray:
    """16-bit PCM bytes as float32 samples."""
    return np.frombuffer(data, dtype=np.int16).astype(np.float32) / INT16_FULL_SCALE
