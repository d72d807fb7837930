"""A recorded call with each side on its own channel (as call recorders export them), turned into
turns: each channel transcribed on its own, the pieces merged by time.

Each channel is cut at its pauses (voice activity detection) into stretches of speech, and only
those go to Whisper: the long silences while the other side talks never reach it (Whisper
invents words in silence), and each stretch keeps its place in the call. The stretches of both
channels are then laid out by start time; consecutive ones of the same speaker make one turn.
When both speak at once (a "mm-hmm" over the other's sentence), that short overlap is its own
turn, as it was in the call.
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from analysis.speech.audio_file import SAMPLE_RATE, ffmpeg_decode_argv, from_pcm16, speech_regions
from analysis.speech.engines import Transcriber
from analysis.speech.errors import TranscriptionError
from analysis.types import TimedWord

# Stretches of one speaker closer than this are transcribed together (Whisper keeps the context).
JOIN_GAP_SECONDS = 1.0
# A piece sent to Whisper is at most this long: one window of Whisper's, with room to spare.
LONGEST_PIECE_SECONDS = 25.0
# Two channels this alike are one recording copied twice, not two sides of a call.
SAME_SOUND_TOLERANCE = 1e-3


@dataclass(frozen=True)
class HeardPiece:
    """A stretch of one side's speech: who (`rep` or `customer`), when (seconds into the call), what."""

    speaker: str
    start: float
    end: float
    text: str
    words: tuple[TimedWord, ...] = ()


@dataclass(frozen=True)
class SpokenTurn:
    """One turn of the call: consecutive pieces of one speaker, with word times from the call's start."""

    speaker: str
    start: float
    end: float
    text: str
    words: tuple[TimedWord, ...] = ()


def load_channels(path: str | Path) -> np.ndarray:
    """The two channels of an audio file as a (2, samples) float32 array at 16 kHz.

    Raises TranscriptionError, naming the file, for anything that is not a two-channel recording."""
    path = Path(path)
    if not path.is_file():
        raise TranscriptionError(f"{path}: no such audio file")
    if path.stat().st_size == 0:
        raise TranscriptionError(f"{path}: the file is empty; export the recording again")
    ffmpeg, ffprobe = shutil.which("ffmpeg"), shutil.which("ffprobe")
    if ffmpeg is None or ffprobe is None:
        raise TranscriptionError("ffmpeg is not installed; run `bash setup.sh` (or apt-get install ffmpeg)")
    channels = _channel_count(ffprobe, path)
    if channels == 1:
        raise TranscriptionError(
            f"{path}: one channel only; import-call needs the rep on one channel and the customer on the "
            "other (export the call as stereo, or import a transcript: .vtt, .srt or .jsonl)"
        )
    if channels != 2:
        raise TranscriptionError(
            f"{path}: {channels} channels; import-call needs exactly two (the rep on one, the customer on the other)"
        )
    done = subprocess.run(ffmpeg_decode_argv(ffmpeg, path, channels=2), capture_output=True)
    if done.returncode != 0:
        reason = (done.stderr.decode(errors="replace").strip().splitlines() or ["unknown error"])[-1]
        raise TranscriptionError(f"{path}: not a readable audio file ({reason}); use WAV, FLAC or MP3")
    samples = from_pcm16(done.stdout[: len(done.stdout) // 4 * 4])
    if samples.size == 0:
        raise TranscriptionError(f"{path}: the file holds no audio; export the recording again")
    pair = samples.reshape(-1, 2).T.copy()
    if np.max(np.abs(pair[0] - pair[1])) <= SAME_SOUND_TOLERANCE and np.max(np.abs(pair)) > SAME_SOUND_TOLERANCE:
        raise TranscriptionError(
            f"{path}: both channels hold the same sound, so the two sides are mixed together; "
            "import-call needs the rep on one channel and the customer on the other"
        )
    return pair


def _channel_count(ffprobe: str, path: Path) -> int:
    """How many channels the file's first audio stream has (local files only, as in audio_file)."""
    done = subprocess.run(
        [
            ffprobe,
            "-v",
            "error",
            "-protocol_whitelist",
            "file",
            "-select_streams",
            "a:0",
            "-show_entries",
            "stream=channels",
            "-of",
            "csv=p=0",
            f"file:{path.resolve()}",
        ],
        capture_output=True,
    )
    found = done.stdout.decode(errors="replace").strip().splitlines()
    if done.returncode != 0 or not found or not found[0].strip().isdigit():
        reason = (done.stderr.decode(errors="replace").strip().splitlines() or ["no audio stream in it"])[-1]
        raise TranscriptionError(f"{path}: not a readable audio file ({reason}); use WAV, FLAC or MP3")
    return int(found[0].strip())


def speech_pieces(audio: np.ndarray) -> list[tuple[float, float]]:
    """Where one channel has speech: voiced stretches joined across short gaps, none longer than
    LONGEST_PIECE_SECONDS (a longer monologue is cut between two of its stretches)."""
    pieces: list[tuple[float, float]] = []
    for start, end in speech_regions(audio):
        if pieces and start - pieces[-1][1] < JOIN_GAP_SECONDS and end - pieces[-1][0] <= LONGEST_PIECE_SECONDS:
            pieces[-1] = (pieces[-1][0], end)
        else:
            pieces.append((start, end))
    return pieces


def transcribe_channel(transcriber: Transcriber, audio: np.ndarray, speaker: str) -> list[HeardPiece]:
    """Every stretch of speech on one channel, transcribed, with times from the start of the call."""
    heard: list[HeardPiece] = []
    length = len(audio) / SAMPLE_RATE
    for start, end in speech_pieces(audio):
        begin, finish = max(0.0, start - 0.2), min(length, end + 0.3)
        result = transcriber.transcribe(audio[int(begin * SAMPLE_RATE) : int(finish * SAMPLE_RATE)])
        for segment in result.segments:
            inside = [w for w in result.words if segment["start"] - 0.01 <= w["start"] < segment["end"] + 0.01]
            text = segment["text"].strip()
            if not text:
                continue
            heard.append(
                HeardPiece(
                    speaker,
                    round(begin + segment["start"], 3),
                    round(begin + segment["end"], 3),
                    text,
                    tuple(
                        TimedWord(w["word"], round(begin + w["start"], 3), round(begin + w["end"], 3), w["probability"])
                        for w in inside
                    ),
                )
            )
    return heard


def merge_turns(pieces: list[HeardPiece]) -> list[SpokenTurn]:
    """The pieces of both sides in the order they began; consecutive pieces of one speaker are one turn."""
    turns: list[SpokenTurn] = []
    for piece in sorted(pieces, key=lambda p: (p.start, p.end)):
        if turns and turns[-1].speaker == piece.speaker:
            last = turns[-1]
            turns[-1] = SpokenTurn(
                last.speaker,
                last.start,
                max(last.end, piece.end),
                f"{last.text} {piece.text}",
                last.words + piece.words,
            )
        else:
            turns.append(SpokenTurn(piece.speaker, piece.start, piece.end, piece.text, piece.words))
    return turns


def transcribe_call(transcriber: Transcriber, channels: np.ndarray, rep_channel: int) -> list[SpokenTurn]:
    """A two-channel call as turns; `rep_channel` is 0 (left) or 1 (right), the customer the other."""
    pieces = transcribe_channel(transcriber, channels[rep_channel], "rep")
    pieces += transcribe_channel(transcriber, channels[1 - rep_channel], "customer")
    return merge_turns(pieces)
