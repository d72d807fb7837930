"""`spar`: the app and its small non-UI commands.

Heavy modules (spaCy, torch, Whisper, even Textual) are imported inside the commands that use
them, so `spar --help` and `spar scenarios list` answer at once.
"""

from __future__ import annotations

import json
import sys
from collections import deque
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click

DB_HELP = "SQLite file to use (default: $SPAR_DB, else sparring.db in your data directory)."


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("sparring")
    except PackageNotFoundError:
        return "unknown"


def _db_path(db: str | None) -> Path:
    from simulator import locations

    return Path(db) if db else locations.default_db_path()


def _fail(message: str, code: int = 1) -> None:
    click.echo(f"spar: {message}", err=True)
    sys.exit(code)


def _open_store(db: str | None):
    from simulator.storage import Store, StoreError

    try:
        return Store(_db_path(db))
    except StoreError as exc:
        _fail(str(exc))


def _load_scenario(key: str):
    from simulator.scenario import ScenarioError, resolve_scenario

    try:
        return resolve_scenario(key)
    except ScenarioError as exc:
        for problem in exc.problems:
            click.echo(f"spar: {problem}", err=True)
        sys.exit(2)


def _analyzer():
    from analysis.analyzer import Analyzer, AnalyzerError

    try:
        return Analyzer()
    except AnalyzerError as exc:
        _fail(str(exc))


@click.group(invoke_without_command=True)
@click.version_option(_version(), prog_name="spar")
@click.option("--db", type=click.Path(dir_okay=False), help=DB_HELP)
@click.pass_context
def cli(ctx: click.Context, db: str | None) -> None:
    """Rehearse customer calls out loud and get a coaching debrief.

    With no command, opens the app: pick your name and a scenario, play the call, reflect.
    """
    if ctx.invoked_subcommand is None:
        _run_app(db, rep=None, scenario_key=None)


def _run_app(db: str | None, rep: str | None, scenario_key: str | None, voice=None) -> None:
    from simulator.app import create_app

    store = _open_store(db)
    scenario = _load_scenario(scenario_key) if scenario_key else None
    app = create_app(store=store, rep=rep, scenario=scenario, voice=voice)
    app.run()
    if app.return_code:
        sys.exit(app.return_code)


def _read_replies(path: str) -> Iterator[str]:
    """Replies one per line; '-' streams them from standard input as they arrive."""
    if path == "-":
        for line in sys.stdin:
            yield line.rstrip("\n")
        return
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        _fail(f"{file}: no such replies file; write one reply per line and pass its path to --replies")
    except UnicodeDecodeError:
        _fail(f"{file}: not UTF-8 text; save the replies file as UTF-8, one reply per line")
    except OSError as exc:
        _fail(f"{file}: cannot read the replies file ({exc.strerror or exc})")
    lines = text.splitlines()
    if not any(line.strip() for line in lines):
        _fail(f"{file}: the replies file is empty; write one reply per line")
    yield from lines


@cli.command()
@click.argument("scenario", required=False)
@click.option("--rep", "rep", help="Your name (sessions and progress are kept per rep).")
@click.option("--replies", type=click.Path(dir_okay=False, allow_dash=True),
              help="Play without the app: one reply per line of this file ('-' for standard input).")
@click.option("--db", type=click.Path(dir_okay=False), help=DB_HELP)
@click.option("--json", "as_json", is_flag=True, help="With --replies: print one JSON object instead of text.")
@click.option("--next-step", default="", help="With --replies: the next step you commit to, saved with the debrief.")
@click.option("--engine", default="faster-whisper", show_default=True, help="For spoken replies: " + "faster-whisper or openai-whisper.")
@click.option("--model", default="tiny.en", show_default=True, help="For spoken replies: the Whisper model.")
@click.option("--verbatim", is_flag=True, help="For spoken replies: keep fillers (um, uh) in the transcript.")
@click.option("--hands-free", is_flag=True, help="In the app: a pause ends your spoken turn (no key press).")
@click.option("--pause", "end_pause", type=click.FloatRange(0.3, 10.0), default=1.2, show_default=True,
              help="In the app, hands-free: seconds of silence that end your turn.")
def practice(scenario: str | None, rep: str | None, replies: str | None, db: str | None, as_json: bool,
             next_step: str, engine: str, model: str, verbatim: bool, hands_free: bool, end_pause: float) -> None:
    """Practise a call. SCENARIO is a scenario id (see `spar scenarios list`) or a YAML file.

    With --replies, each line of FILE is a typed reply or the path of an audio file (WAV, FLAC,
    MP3; relative to FILE's folder) that is transcribed as if spoken.
    """
    if replies is None:
        from analysis.transcribe import ENGINES, TranscriptionError, check_model_name
        from simulator.app import VoiceSettings

        if engine not in ENGINES:
            _fail(f"unknown engine '{engine}'; use one of {', '.join(ENGINES)}", 2)
        try:
            check_model_name(model)
        except TranscriptionError as exc:
            _fail(str(exc), 2)
        _run_app(db, rep=rep, scenario_key=scenario,
                 voice=VoiceSettings(engine, model, hands_free=hands_free, end_pause=end_pause, verbatim=verbatim))
        return
    if not scenario or not rep:
        _fail("with --replies, name the scenario and the rep: spar practice SCENARIO --rep NAME --replies FILE", 2)
    from analysis.debrief import render_text
    from simulator.session import PracticeCall, play_script
    from simulator.storage import StoreError

    from analysis.transcribe import AUDIO_SUFFIXES, TranscriptionError, load_audio

    chosen = _load_scenario(scenario)
    lines = list(_read_replies(replies)) if replies != "-" else _read_replies(replies)
    base = Path(replies).parent if replies != "-" else Path.cwd()
    store = _open_store(db)
    analyzer = _analyzer()
    transcriber = None

    def hear(line: str) -> tuple[str, dict[str, Any] | None, str | None]:
        """A line of the replies file: typed text, or the path of a spoken reply to transcribe."""
        nonlocal transcriber
        if not line.lower().endswith(AUDIO_SUFFIXES):
            return line, None, None
        path = Path(line) if Path(line).is_absolute() else base / line
        try:
            samples = load_audio(path)
        except TranscriptionError as exc:
            _fail(f"{exc} (in the replies file; earlier turns of this call are saved)")
        transcriber = transcriber or _transcriber(engine, model, verbatim)
        heard = transcriber.transcribe(samples)
        if not heard.text:
            _fail(f"{path}: no speech found (in the replies file; earlier turns of this call are saved)")
        return heard.text, heard.speech_summary(), str(path.resolve())

    def analyze(text: str, previous: str, products: tuple[str, ...]) -> dict[str, Any]:
        return analyzer.analyze_turn(text, previous, products)

    def show(speaker: str, text: str) -> None:
        if not as_json:
            name = chosen.persona.name if speaker == "customer" else rep
            click.echo(f"{name}: {text}")

    try:
        call = PracticeCall(store, chosen, rep, input_mode="script")
        result = play_script(call, lines, analyze, on_line=show, hear=hear)
        debrief = call.save_debrief({"next_step": next_step})
    except StoreError as exc:
        _fail(str(exc))
    if as_json:
        click.echo(json.dumps({
            "session_id": call.session_id,
            "scenario": chosen.id,
            "rep": call.rep_name,
            "outcome": debrief.outcome,
            "figures": {f["key"]: f for f in debrief.figures},
            "debrief": debrief.to_dict(),
            "transcript": [{"turn": t["index"], "speaker": t["speaker"], "text": t["text"], "analysis": t["analysis"],
                            "customer": t["customer"]} for t in call.turns],
            "unused_replies": result.unused_replies,
        }, ensure_ascii=False))
        return
    click.echo("")
    click.echo(render_text(debrief, call.turns, {"next_step": next_step}))
    if result.unused_replies:
        click.echo(f"\n({result.unused_replies} replies were not used: the call had already ended.)")
    click.echo(f"\nSaved as session {call.session_id} in {store.path}")


@cli.command()
@click.option("--rep", help="Only this rep's sessions.")
@click.option("--db", type=click.Path(dir_okay=False), help=DB_HELP)
@click.option("--json", "as_json", is_flag=True, help="Print JSON lines instead of a table.")
@click.option("--limit", default=50, show_default=True, help="How many sessions, newest first.")
def history(rep: str | None, db: str | None, as_json: bool, limit: int) -> None:
    """List past practice sessions, newest first."""
    from simulator.storage import StoreError
    from simulator.storage.store import session_result

    store = _open_store(db)
    try:
        rows = store.sessions(rep, limit)
    except StoreError as exc:
        _fail(str(exc))
    if as_json:
        for row in rows:
            click.echo(json.dumps({k: v for k, v in row.items() if k != "metrics_json"}))
        return
    if not rows:
        click.echo("No sessions yet. Start one with: spar practice")
        return
    click.echo(f"{'id':>4}  {'when (UTC)':16}  {'rep':14}  {'scenario':26}  {'turns':>5}  {'spoken':>6}  "
               f"{'result':22}  focus next")
    for row in rows:
        click.echo(f"{row['id']:>4}  {row['started_at'][:16].replace('T', ' '):16}  {row['rep_name'][:14]:14}  "
                   f"{row['scenario_id'][:26]:26}  {row['turn_count']:>5}  {row['spoken_turns'] or '':>6}  "
                   f"{session_result(row)[:22]:22}  "
                   f"{row['focus_skill'] or ''}")


def _read_jsonl(file: Path | None, pending: deque) -> Iterator[Any]:
    """Utterances from JSONL; each parsed line is queued so its analysis can be attached in order."""
    from analysis.analyzer import Utterance

    name = str(file) if file else "<stdin>"
    handle = sys.stdin if file is None else file.open(encoding="utf-8")
    try:
        for number, raw in enumerate(handle, start=1):
            if not raw.strip():
                continue
            try:
                obj = json.loads(raw)
            except json.JSONDecodeError as exc:
                _fail(f"{name}:{number}: not valid JSON ({exc.msg}); each line must be one JSON object", 2)
            if not isinstance(obj, dict) or not isinstance(obj.get("text"), str) or obj.get("speaker") not in ("rep", "customer"):
                _fail(f"{name}:{number}: each line needs \"speaker\" (\"rep\" or \"customer\") and \"text\"", 2)
            pending.append(obj)
            yield Utterance(obj["speaker"], obj["text"], obj.get("conversation_id"))
    except UnicodeDecodeError:
        _fail(f"{name}: not UTF-8 text", 2)
    finally:
        if file is not None:
            handle.close()


@cli.command()
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--product", "products", multiple=True,
              help="A name of what the rep is selling; a statement naming it counts as a pitch. Repeatable.")
def analyze(file: str, products: tuple[str, ...]) -> None:
    """Analyse utterances in JSONL (one {"speaker", "text", "conversation_id"} a line; '-' for stdin).

    Writes each line back with an added "analysis" object.
    """
    path = None if file == "-" else Path(file)
    if path is not None and not path.is_file():
        _fail(f"{path}: no such file; pass a JSONL file of utterances", 2)
    analyzer = _analyzer()
    pending: deque = deque()
    out = sys.stdout
    for result in analyzer.analyze(_read_jsonl(path, pending), product_terms=products):
        obj = pending.popleft()
        obj["analysis"] = result
        out.write(json.dumps(obj, ensure_ascii=False) + "\n")


def _transcriber(engine: str, model: str, verbatim: bool = False):
    from analysis.transcribe import Transcriber, TranscriptionError

    try:
        return Transcriber(engine, model, verbatim=verbatim)
    except TranscriptionError as exc:
        _fail(str(exc), 2)


ENGINE_HELP = "faster-whisper (default, faster on a CPU) or openai-whisper."
MODEL_HELP = "Whisper model: tiny.en (default, works offline) or a named model such as base.en (downloads)."


@cli.command()
@click.argument("audio", type=click.Path(dir_okay=False))
@click.option("--engine", default="faster-whisper", show_default=True, help=ENGINE_HELP)
@click.option("--model", default="tiny.en", show_default=True, help=MODEL_HELP)
@click.option("--json", "as_json", is_flag=True, help="Text, segments, words with timestamps, engine, model, seconds.")
@click.option("--verbatim", is_flag=True, help="Keep fillers (um, uh) that Whisper usually leaves out.")
def transcribe(audio: str, engine: str, model: str, as_json: bool, verbatim: bool) -> None:
    """Transcribe a WAV, FLAC or MP3 file (silence and noise give no words)."""
    from analysis.transcribe import TranscriptionError, load_audio

    try:
        samples = load_audio(audio)
    except TranscriptionError as exc:
        _fail(str(exc))
    result = _transcriber(engine, model, verbatim).transcribe(samples)
    if as_json:
        click.echo(json.dumps(result.to_dict(), ensure_ascii=False))
    elif result.text:
        click.echo(result.text)
    else:
        click.echo(f"spar: {audio}: no speech found", err=True)


@cli.group()
def scenarios() -> None:
    """List and check scenario files."""


@scenarios.command("list")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per scenario.")
def scenarios_list(as_json: bool) -> None:
    """The scenarios you can practise, easiest first."""
    from simulator.scenario import load_catalogue

    catalogue = load_catalogue()
    for s in catalogue.scenarios:
        if as_json:
            click.echo(json.dumps({"id": s.id, "title": s.title, "call_type": s.call_type, "difficulty": s.difficulty,
                                   "customer": f"{s.persona.name}, {s.persona.role}, {s.persona.company}",
                                   "objective": s.objective.description, "needs": len(s.needs),
                                   "path": str(s.path)}))
        else:
            click.echo(f"{s.id:24} {'*' * s.difficulty:3} {s.call_type:12} {s.title}")
    for broken in catalogue.broken:
        click.echo(f"spar: skipped {broken.problems[0]}", err=True)


@scenarios.command("validate")
@click.argument("paths", nargs=-1, required=True, type=click.Path())
def scenarios_validate(paths: tuple[str, ...]) -> None:
    """Check scenario files; prints file:line: problem for each, exits 1 if any is broken."""
    from simulator.scenario import ScenarioError, load_scenario

    failed = False
    for path in paths:
        try:
            scenario = load_scenario(path)
        except ScenarioError as exc:
            failed = True
            for problem in exc.problems:
                click.echo(str(problem))
            continue
        click.echo(f"{path}: ok ({scenario.id}, {len(scenario.needs)} needs, {len(scenario.objections)} objections)")
    sys.exit(1 if failed else 0)


def main() -> None:
    cli(prog_name="spar")


VOICE_HELP = ("The customer's voice: a preset (espeak-female-1, ...), piper:joe, festival:slt or "
              "espeak:VARIANT[,pitch=N][,speed=WPM]; `spar say --voices` lists them. Default: piper:joe when installed.")


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
            click.echo(f"{info.spec:24} {info.description}" + (f"  [unavailable: {info.problem}]" if info.problem else ""))
        return
    if not text or not text.strip():
        _fail("say: give the TEXT to speak, e.g. spar say \"We plan routes by hand.\" --out line.wav", 2)
    if not out:
        _fail("say: give --out FILE.wav, the file to write the speech to", 2)
    try:
        voice = tts.Voice.parse(voice_name) if voice_name else tts.default_voice()
    except tts.VoiceSpecError as exc:
        _fail(str(exc), 2)
    target = Path(out)
    partial = target.with_name(target.name + ".partial")
    try:  # before synthesising, so a typo in --out costs nothing
        partial.touch()
        partial.unlink()
    except OSError as exc:
        _fail(f"{out}: cannot write there ({exc.strerror}); choose another --out", 1)
    try:
        audio = tts.synthesize_to_wav(text, voice, target)
    except tts.VoiceSpecError as exc:
        _fail(str(exc), 2)
    except tts.TTSError as exc:
        _fail(str(exc), 1)
    except OSError as exc:
        _fail(f"{out}: cannot write there ({exc.strerror}); choose another --out", 1)
    click.echo(f"{out}: {audio.seconds:.1f} s of speech, voice {voice}")
