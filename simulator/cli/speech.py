"""`spar transcribe`: what was said in an audio file."""

from __future__ import annotations

import json

import click

from simulator.cli import cli
from simulator.cli.common import DEFAULTS, ENGINE_HELP, MODEL_HELP, fail, parts


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
