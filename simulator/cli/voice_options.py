"""`spar practice --voice V --mute --customer-audio DIR`: the customer's voice on the command line.

The options live here, added to `practice` by one decorator, so the practice command itself only
applies them (`apply_voice_options`) and asks for the headless call's hook (`customer_audio_hook`).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from simulator.cli.common import BAD_REQUEST, DATA_PROBLEM, fail
from simulator.cli.speech import VOICE_HELP
from simulator.config import Settings

if TYPE_CHECKING:
    from simulator.domain.scenario import Scenario

_META = "sparring.customer_audio"


def voice_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """Adds --voice, --mute and --customer-audio; they reach the command through `apply_voice_options`."""

    @click.option("--voice", "voice", metavar="VOICE", default="", help=VOICE_HELP)
    @click.option(
        "--mute",
        is_flag=True,
        help="In the app: the customer's lines stay text (Ctrl+O toggles during a call).",
    )
    @click.option(
        "--customer-audio",
        type=click.Path(file_okay=False),
        help="With --replies: write each customer line as a WAV into this folder (turn-000.wav, ...).",
    )
    @functools.wraps(command)
    def wrapper(*args: Any, voice: str, mute: bool, customer_audio: str | None, **kwargs: Any) -> Any:
        if customer_audio and not kwargs.get("replies"):
            fail("--customer-audio writes a headless call's customer lines; use it with --replies FILE", BAD_REQUEST)
        context = click.get_current_context()
        context.meta[_META] = (voice, mute, customer_audio)
        return command(*args, **kwargs)

    return wrapper


def apply_voice_options(settings: Settings) -> Settings:
    """Puts --voice and --mute into `settings`; an unknown voice is a bad request (exit 2)."""
    from analysis.speech.tts import Voice, VoiceSpecError

    voice, mute, _ = click.get_current_context().meta.get(_META, ("", False, None))
    if voice:
        try:
            Voice.parse(voice)
        except VoiceSpecError as exc:
            fail(str(exc), BAD_REQUEST)
    settings.voice = voice or settings.voice
    settings.mute = mute or settings.mute
    return settings


def customer_audio_hook(scenario: Scenario, settings: Settings) -> Callable[[int, str], str | None] | None:
    """With --customer-audio DIR: a hook that writes each customer line to DIR/turn-NNN.wav and
    returns its path (stored with the turn); None without the option."""
    from analysis.speech.tts import TTSError, voice_problem
    from simulator.audio.customer_voice import CustomerVoice

    folder_name = click.get_current_context().meta.get(_META, ("", False, None))[2]
    if not folder_name:
        return None
    folder = Path(folder_name)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        fail(f"{folder}: cannot write the customer's audio there ({exc.strerror}); choose another --customer-audio")
    voice = CustomerVoice.for_call(scenario, settings)
    if voice.note:
        click.echo(f"spar: {voice.note}", err=True)
    problem = voice_problem(voice.voice)
    if problem is not None:
        fail(problem, DATA_PROBLEM)

    def write(index: int, text: str) -> str | None:
        try:
            return str(voice.save(text, folder / f"turn-{index:03d}.wav").resolve())
        except (TTSError, OSError) as exc:
            fail(f"the customer's line {index} could not be written to {folder} ({exc}); earlier turns are saved")

    return write
