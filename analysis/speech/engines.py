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
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from analysis.speech.audio_file import SAMPLE_RATE, load_audio, speech_regions
from analysis.speech.defaults import DEFAULT_ENGINE, DEFAULT_MODEL, ENGINES
from analysis.speech.errors import TranscriptionError
from analysis.speech.models import cache_dir, check_model_name, embedded_model_dir
from analysis.types import SpeechTiming, TimedWord

# Whisper writes fillers when the text before the audio has them: the verbatim option passes this
# as the prompt (measured on espeak-ng speech: fillers kept, no content words lost).
VERBATIM_PROMPT = "Umm, let me think, like, hmm... Okay, here's what I'm, like, thinking."


@dataclass
class Transcript:
    text: str
    segments: list[dict[str, Any]] = field(default_factory=list)
    words: list[dict[str, Any]] = field(default_factory=list)
    engine: str = ""
    model: str = ""
    seconds: float = 0.0  # time taken to transcribe
    audio_seconds: float = 0.0  # length of the audio
    speech: list[list[float]] = field(default_factory=list)  # voiced stretches [start, end], seconds

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def timing(self) -> SpeechTiming:
        """What the call figures need from a spoken turn (see analysis/coaching/figures.py)."""
        return SpeechTiming(
            duration=round(self.audio_seconds, 3),
            words=tuple(TimedWord.from_json(w) for w in self.words),
            speech=tuple((s[0], s[1]) for s in self.speech),
            engine=self.engine,
            model=self.model,
        )


class Engine(Protocol):
    name: str
    model: str

    def transcribe_array(
        self, audio: np.ndarray, prompt: str | None = None
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
            self._model = _short_window_model_class()(
                str(location), device="cpu", compute_type="int8", cpu_threads=os.cpu_count() or 2
            )
        except Exception as exc:  # network failures, missing files: one line
            raise TranscriptionError(
                f"cannot load Whisper model '{model}' for faster-whisper ({exc}); offline, use tiny.en"
            ) from None

    def transcribe_array(self, audio: np.ndarray, prompt: str | None = None):
        with self._lock:
            frames = len(audio) // 160
            # One window only; and with a prompt (verbatim) the full window, which keeps fillers
            # where the short one lost them.
            self._model.frames_hint = frames if frames < 2900 and not prompt else None
            segments, _ = self._model.transcribe(
                audio,
                language="en",
                beam_size=1,
                word_timestamps=True,
                condition_on_previous_text=False,
                vad_filter=False,
                initial_prompt=prompt or None,
            )
            segments = list(segments)  # decoding happens here, under the lock
        out_segments, out_words = [], []
        for seg in segments:
            if seg.no_speech_prob > 0.6 and seg.avg_logprob < -1.0:
                continue  # what Whisper says when it hears no one
            out_segments.append({"start": seg.start, "end": seg.end, "text": seg.text.strip()})
            out_words += [
                {"word": w.word.strip(), "start": w.start, "end": w.end, "probability": w.probability}
                for w in seg.words or []
            ]
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
                from analysis.speech.whisper_convert import (
                    ConversionError,
                    converted_checkpoint,
                )

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
            raise TranscriptionError(
                f"cannot load Whisper model '{model}' for openai-whisper ({exc}); offline, use tiny.en"
            ) from None

    def transcribe_array(self, audio: np.ndarray, prompt: str | None = None):
        result = self._model.transcribe(
            audio,
            language="en",
            fp16=False,
            word_timestamps=True,
            condition_on_previous_text=False,
            temperature=0.0,
            initial_prompt=prompt or None,
        )
        out_segments, out_words = [], []
        for seg in result["segments"]:
            if seg["no_speech_prob"] > 0.6 and seg["avg_logprob"] < -1.0:
                continue
            out_segments.append({"start": float(seg["start"]), "end": float(seg["end"]), "text": seg["text"].strip()})
            out_words += [
                {
                    "word": w["word"].strip(),
                    "start": float(w["start"]),
                    "end": float(w["end"]),
                    "probability": float(w["probability"]),
                }
                for w in seg.get("words", [])
            ]
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
        result = Transcript(
            "", engine=self.engine.name, model=self.engine.model, audio_seconds=round(length, 3), speech=regions
        )
        if regions:
            # Only the voiced part, with a little air either side, goes to Whisper.
            start = max(0.0, regions[0][0] - 0.2)
            end = min(length, regions[-1][1] + 0.3)
            segments, words = self.engine.transcribe_array(
                audio[int(start * SAMPLE_RATE) : int(end * SAMPLE_RATE)],
                prompt or (VERBATIM_PROMPT if self.verbatim else None),
            )
            for item in segments + words:
                item["start"] = round(item["start"] + start, 3)
                item["end"] = round(item["end"] + start, 3)
            result.segments, result.words = segments, words
            result.text = " ".join(s["text"] for s in segments).strip()
        result.seconds = round(time.perf_counter() - started, 3)
        return result
