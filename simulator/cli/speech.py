"""`spar transcribe`: what was said in an audio file; `spar say`: a line spoken in a customer's voice."""

from __future__ import annotations

import json
from pathlib import Path

import click

from simulator.cli import cli
from simulator.cli.common import BAD_REQUEST, DATA_PROBLEM, DEFAULTS, ENGINE_HELP, MODEL_HELP, fail, parts


@cli.command()
@click.argument("audio", type=click.Path(dir_okay=False))
@click.option("--engine", default=DEFAULTS.engine, show_default=True, help=ENGINE_HELP)
@click.option("--model", default=DEFAULTS.model, show_default=True, help=MODEL_HELP)
@click.option("--json", "as_json", is_flag=True, help="Text, segments, words with timestamps, engine, model, seconds.")
@click.option("--verbatim", is_flag=True, help="Keep fillers (um, uh) that Whisper usually leaves out.")
def transcribe(audio: str, engine: str, model: str, as_json: bool, verbatim: bool) -> None:
    """Transcribe a WAV, FLAC or MP3 file (silence and noise give no words)."""
    from analysis.speech.audio_file import load_audio
    from analysis.speech.engines import TranscriptionError

    try:
        samples = load_audio(audio)
    except TranscriptionError as exc:
        fail(str(exc))
    result = parts().transcriber(engine, model, verbatim).transcribe(samples)
    if as_json:
        click.echo(json.dumps(result.to_dict(), ensure_ascii=False))
    elif result.text:
        click.echo(result.text)
    else:
        click.echo(f"spar: {audio}: no speech found", err=True)


VOICE_HELP = (
    "The customer's voice: a preset (espeak-female-1, ...), piper:joe, festival:slt or "
    "espeak:VARIANT[,pitch=N][,speed=WPM]; `spar say --voices` lists them. Default: piper:joe when installed."
)


@cli.command()
@click.argument("text", required=False)
@click.option("--voice", "voice_name", metavar="VOICE", help=VOICE_HELP)
@click.option("--out", type=click.Path(dir_okay=False), help="WAV file to write (16-bit, the voice's own sample rate).")
@click.option("--voices", "list_voices", is_flag=True, help="List the voices, and which work on this machine.")
def say(text: str | None, voice_name: str | None, out: str | None, list_voices: bool) -> None:
    """Speak TEXT in a customer's voice into a WAV file (nothing is played)."""
    from analysis.speech import tts

    if list_voices:
        for info in tts.list_voices():
            click.echo(
                f"{info.spec:24} {info.description}" + (f"  [unavailable: {info.problem}]" if info.problem else "")
            )
        return
    if not text or not text.strip():
        fail('say: give the TEXT to speak, e.g. spar say "We plan routes by hand." --out line.wav', BAD_REQUEST)
    if not out:
        fail("say: give --out FILE.wav, the file to write the speech to", BAD_REQUEST)
    try:
        voice = tts.Voice.parse(voice_name) if voice_name else tts.default_voice()
    except tts.VoiceSpecError as exc:
        fail(str(exc), BAD_REQUEST)
    target = Path(out)
    partial = target.with_name(target.name + ".partial")
    try:  # before synthesising, so a typo in --out costs nothing
        partial.touch()
        partial.unlink()
    except OSError as exc:
        fail(f"{out}: cannot write there ({exc.strerror}); choose another --out", DATA_PROBLEM)
    try:
        audio = tts.synthesize_to_wav(text, voice, target)
    except tts.VoiceSpecError as exc:
        fail(str(exc), BAD_REQUEST)
    except tts.TTSError as exc:
        fail(str(exc), DATA_PROBLEM)
    except OSError as exc:
        fail(f"{out}: cannot write there ({exc.strerror}); choose another --out", DATA_PROBLEM)
    click.echo(f"{out}: {audio.seconds:.1f} s of speech, voice {voice}")
