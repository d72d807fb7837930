"""`spar import-call`: a real recorded call (two channels) or its transcript (JSONL, WebVTT, SRT),
brought into review as a session of its own.

Every problem with what is imported is one `spar:` line naming the file, exit 2, and nothing is
stored: the whole call is one transaction, and the audio slices written for it are removed if the
database refuses it.
"""

from __future__ import annotations

import json
import shutil
import time
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

from simulator.cli import cli
from simulator.cli.common import BAD_REQUEST, DB_HELP, DEFAULTS, ENGINE_HELP, MODEL_HELP, parts, transcript_json
from simulator.cli.common import fail as fail_with

if TYPE_CHECKING:
    import numpy as np

    from analysis.speech.two_channel import SpokenTurn
    from simulator.domain.real_call import RealLine
    from simulator.domain.scenario import Scenario
    from simulator.storage import Store

TRANSCRIPT_SUFFIXES = (".vtt", ".srt")
JSONL_SUFFIXES = (".jsonl", ".ndjson")
# Air kept either side of a turn's audio slice, so its first and last sounds are not clipped.
SLICE_PADDING = (0.2, 0.3)


def fail(message: str) -> NoReturn:
    """Every import problem is a problem with what was asked for: exit 2."""
    fail_with(message, BAD_REQUEST)


@cli.command("import-call")
@click.argument("recording", type=click.Path(dir_okay=False))
@click.option(
    "--rep-channel",
    type=click.Choice(["left", "right"]),
    default="left",
    show_default=True,
    help="A recording: the channel the rep is on (the customer is on the other).",
)
@click.option(
    "--rep",
    help="The rep's name. In a .vtt or .srt transcript, the speaker who is the rep; "
    "for a recording or JSONL, whose call it is (required there).",
)
@click.option("--customer", help="The customer's name (default: the other speakers of a transcript).")
@click.option("--scenario", help="The scenario the call was about (an id or a file): its product counts as a pitch.")
@click.option("--engine", default=DEFAULTS.engine, show_default=True, help=ENGINE_HELP)
@click.option("--model", default=DEFAULTS.model, show_default=True, help=MODEL_HELP)
@click.option("--db", type=click.Path(dir_okay=False), help=DB_HELP)
@click.option("--json", "as_json", is_flag=True, help="Print the session id, names and transcript as JSON.")
def import_call(
    recording: str,
    rep_channel: str,
    rep: str | None,
    customer: str | None,
    scenario: str | None,
    engine: str,
    model: str,
    db: str | None,
    as_json: bool,
) -> None:
    """Bring a real call into review: RECORDING is a two-channel audio file (the rep on one
    channel, the customer on the other), or a transcript: JSONL as `spar analyze` reads it,
    WebVTT or SRT with the speakers' names. Prints the new session's id."""
    from simulator.cli.common import load_scenario, open_store
    from simulator.domain.real_call import RealCallError

    started = time.perf_counter()
    path = Path(recording)
    if not path.is_file():
        fail(f"{path}: no such file; pass a two-channel recording or a .vtt, .srt or .jsonl transcript")
    chosen = load_scenario(scenario) if scenario else None
    suffix = path.suffix.lower()
    audio_folder: Path | None = None
    uid: str | None = None
    try:
        if suffix in TRANSCRIPT_SUFFIXES or suffix in JSONL_SUFFIXES:
            store = open_store(db, failure_code=BAD_REQUEST)
            if suffix in JSONL_SUFFIXES:
                rep_name = _required_rep(path, rep)
                lines, customer_name = _jsonl_lines(path), customer or ""
            else:
                rep_name, customer_name, lines = _caption_lines(path, rep, customer, store)
            input_mode = "transcript"
            engine_used = model_used = ""
        else:
            rep_name = _required_rep(path, rep)
            channels = _channels(path)
            store = open_store(db, failure_code=BAD_REQUEST)
            uid = uuid.uuid4().hex
            audio_folder = store.path.parent.resolve() / "audio" / f"call-{uid}"
            spoken = _transcribe(path, channels, rep_channel, engine, model)
            lines = _with_audio(spoken, channels, rep_channel, audio_folder)
            customer_name, input_mode, engine_used, model_used = customer or "", "spoken", engine, model
        session_id, turns, debrief = _store_call(
            store,
            path,
            rep_name,
            customer_name,
            chosen,
            lines,
            input_mode=input_mode,
            engine=engine_used,
            model=model_used,
            uid=uid,
        )
    except RealCallError as exc:
        _remove(audio_folder)
        fail(str(exc))
    except BaseException:  # a one-line failure (SystemExit) too: no audio is left without its session
        _remove(audio_folder)
        raise
    seconds = time.perf_counter() - started
    questions = [t.index + 1 for t in turns if t.analysis is not None and t.analysis.is_question]
    rep_turns = sum(1 for t in turns if t.speaker == "rep")
    if as_json:
        out: dict[str, Any] = {
            "session_id": session_id,
            "rep": rep_name,
            "customer": customer_name,
            "scenario_id": chosen.id if chosen else None,
            "source": str(path.resolve()),
            "input_mode": input_mode,
            "audio_dir": str(audio_folder) if audio_folder else None,
            "seconds": round(seconds, 2),
            "transcript": transcript_json(turns),
            "debrief": debrief.to_json(),
        }
        click.echo(json.dumps(out, ensure_ascii=False))
        return
    click.echo(str(session_id))
    click.echo(
        f"Imported {path} as session {session_id}: {len(turns)} turns, {rep_turns} of them {rep_name}'s, "
        f"{len(questions)} question{'s' if len(questions) != 1 else ''}; `spar review {session_id}` opens it.",
        err=True,
    )
    if debrief.goal_check is not None:
        click.echo(debrief.goal_check.line(), err=True)
    click.echo(f"One thing to work on next: {debrief.focus.title}. `spar show {session_id}` has the debrief.", err=True)


def _required_rep(path: Path, rep: str | None) -> str:
    from simulator.domain.customer import rep_display_name

    name = rep_display_name(rep or "")
    if not name:
        fail(f"{path}: say whose call it is with --rep NAME (the rep's name, as `spar history` shows it)")
    return name


# --- transcripts -----------------------------------------------------------------------------
def _caption_lines(path: Path, rep: str | None, customer: str | None, store: Store) -> tuple[str, str, list[RealLine]]:
    from simulator.domain.real_call import lines_from_captions, pick_rep, read_captions, speakers

    captions = read_captions(path)
    names = speakers(captions)
    rep_speaker = pick_rep(path, names, rep, store.rep_names())
    others = [name for name in names if name.casefold() != rep_speaker.casefold()]
    if not others:
        fail(f"{path}: only {rep_speaker} speaks; a call needs the customer's lines too")
    return rep_speaker, customer or " and ".join(others), lines_from_captions(captions, rep_speaker)


def _jsonl_lines(path: Path) -> list[RealLine]:
    """The utterances of a JSONL file as `spar analyze` reads it, one conversation only."""
    from simulator.cli.analyze import BadLine, parse_line
    from simulator.domain.real_call import RealLine

    lines: list[RealLine] = []
    conversations: set[Any] = set()
    try:
        with path.open("rb") as handle:
            for number, raw in enumerate(handle, start=1):
                try:
                    obj = parse_line(raw, first=number == 1)
                except BadLine as bad:
                    fail(f"{path}:{number}: {bad}")
                if obj is None:
                    continue
                conversations.add(obj.get("conversation_id"))
                if len(conversations) > 1:
                    fail(f"{path}:{number}: a second conversation_id; import-call takes one call a file")
                lines.append(RealLine(obj["speaker"], obj["text"]))
    except OSError as exc:
        fail(f"{path}: cannot read it ({exc.strerror or exc})")
    if not any(line.speaker == "rep" for line in lines):
        fail(f'{path}: no line of the rep\'s ("speaker": "rep"); nothing to review')
    return lines


# --- recordings ------------------------------------------------------------------------------
def _channels(path: Path) -> np.ndarray:
    from analysis.speech.errors import TranscriptionError
    from analysis.speech.two_channel import load_channels

    try:
        return load_channels(path)
    except TranscriptionError as exc:
        fail(str(exc))


def _transcribe(path: Path, channels: np.ndarray, rep_channel: str, engine: str, model: str) -> list[SpokenTurn]:
    from analysis.speech.errors import TranscriptionError
    from analysis.speech.two_channel import speech_pieces, transcribe_call

    rep_index = 0 if rep_channel == "left" else 1
    other = "right" if rep_channel == "left" else "left"
    # Voice activity alone says whether a side is silent, before Whisper spends seconds on the other.
    rep_speaks, customer_speaks = (bool(speech_pieces(channels[i])) for i in (rep_index, 1 - rep_index))
    if not rep_speaks and not customer_speaks:
        fail(f"{path}: no speech on either channel; is it the right recording?")
    if not rep_speaks:
        fail(
            f"{path}: no speech on the rep's channel ({rep_channel}); is the rep on the {other} (--rep-channel {other})?"
        )
    if not customer_speaks:
        fail(f"{path}: no speech on the customer's channel ({other}); a call needs both sides")
    try:
        turns = transcribe_call(parts().transcriber(engine, model, False), channels, rep_index)
    except TranscriptionError as exc:
        fail(str(exc))
    if not any(t.speaker == "rep" for t in turns) or not any(t.speaker == "customer" for t in turns):
        fail(f"{path}: Whisper heard no words on one side of the call; is it speech?")
    return turns


def _with_audio(spoken: list[SpokenTurn], channels: np.ndarray, rep_channel: str, folder: Path) -> list[RealLine]:
    """Each turn with its slice of its speaker's channel saved as a WAV, for playing in the review."""
    from analysis.speech.audio_file import SAMPLE_RATE
    from simulator.audio.recording import save_wav
    from simulator.domain.real_call import RealLine

    rep_index = 0 if rep_channel == "left" else 1
    lines = []
    for index, turn in enumerate(spoken):
        channel = channels[rep_index if turn.speaker == "rep" else 1 - rep_index]
        first = max(0, int((turn.start - SLICE_PADDING[0]) * SAMPLE_RATE))
        last = min(len(channel), int((turn.end + SLICE_PADDING[1]) * SAMPLE_RATE))
        target = folder / f"turn-{index:03d}.wav"
        try:
            save_wav(target, channel[first:last])
        except OSError as exc:
            fail(f"{target}: cannot keep the call's audio there ({exc.strerror or exc}); choose another --db folder")
        lines.append(RealLine(turn.speaker, turn.text, turn.start, turn.end, turn.words, str(target)))
    return lines


def _remove(folder: Path | None) -> None:
    if folder is not None and folder.exists():
        shutil.rmtree(folder, ignore_errors=True)


# --- storing ---------------------------------------------------------------------------------
def _store_call(
    store: Store,
    path: Path,
    rep_name: str,
    customer_name: str,
    scenario: Scenario | None,
    lines: list[RealLine],
    *,
    input_mode: str,
    engine: str,
    model: str,
    uid: str | None,
):
    from analysis.language.analyzer import TurnTooLong
    from simulator.domain.real_call import analyse_lines, join_consecutive, real_call_debrief, real_call_figures
    from simulator.storage import StoreError

    lines = join_consecutive(lines) if input_mode == "transcript" else lines
    try:
        turns = analyse_lines(
            parts().analyzer(),
            lines,
            product_terms=(scenario.product,) if scenario and scenario.product else (),
            engine=engine,
            model=model,
            input_mode=input_mode,
        )
    except TurnTooLong as exc:
        fail(f"{path}: {exc}")
    discovery_before_pitch = scenario.discovery_before_pitch if scenario else 2
    figures = real_call_figures(turns, discovery_before_pitch=discovery_before_pitch)
    try:
        # The goal the rep is working on shows (or not) on a real call too: the debrief checks it.
        debrief = real_call_debrief(figures, store.latest_goal(rep_name), discovery_before_pitch=discovery_before_pitch)
        session_id = store.add_real_call(
            rep_name,
            scenario,
            turns,
            figures,
            input_mode=input_mode,
            customer_name=customer_name,
            source=str(path.resolve()),
            uid=uid,
            debrief=debrief,
        )
    except (StoreError, ValueError) as exc:
        fail(str(exc))
    return session_id, turns, debrief
