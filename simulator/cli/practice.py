"""`spar practice`: a call in the app, or played headless from a file of replies."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import click

from simulator.cli import cli
from simulator.cli.common import (
    BAD_REQUEST,
    DB_HELP,
    DEFAULTS,
    fail,
    load_scenario,
    open_store,
    parts,
    transcript_json,
)
from simulator.cli.voice_options import apply_voice_options, customer_audio_hook, voice_options
from simulator.config import END_PAUSE_RANGE, ENGINES, Settings

if TYPE_CHECKING:
    from analysis.coaching.debrief import Debrief
    from analysis.speech.engines import Transcriber
    from simulator.domain.live import LiveCustomer
    from simulator.domain.scenario import Scenario
    from simulator.domain.session import HeardReply, PracticeCall
    from simulator.storage import Store


def run_app(
    db: str | None,
    rep: str | None,
    scenario_key: str | None,
    settings: Settings | None = None,
    *,
    live: bool = False,
    group: str | None = None,
) -> None:
    from simulator.ui.app import create_app

    store = open_store(db)
    scenario = load_scenario(scenario_key) if scenario_key else None
    app = create_app(store=store, rep=rep, scenario=scenario, settings=settings)
    app.initial_live = live
    app.team_group = group
    app.run()
    if app.return_code:
        sys.exit(app.return_code)


def _read_replies(path: str) -> Iterator[str]:
    """Replies one per line; '-' streams them from standard input as they arrive."""
    from analysis.language.analyzer import MAX_TURN_CHARS, TurnTooLong

    if path == "-":
        for line in sys.stdin:
            yield line.rstrip("\n")
        return
    file = Path(path)
    text = _read_text(
        file,
        "replies file",
        missing="write one reply per line and pass its path to --replies",
        encoding="save the replies file as UTF-8, one reply per line",
    )
    lines = text.splitlines()
    if not any(line.strip() for line in lines):
        fail(f"{file}: the replies file is empty; write one reply per line")
    for number, line in enumerate(lines, start=1):
        # Checked before the call starts, so a reply that cannot be analysed leaves no session behind.
        if len(line) > MAX_TURN_CHARS:
            fail(f"{file}:{number}: {TurnTooLong(len(line))}")
    yield from lines


def _read_text(file: Path, what: str, *, missing: str, encoding: str) -> str:
    """A text file the rep wrote, or one `spar:` line naming it and what to do."""
    try:
        return file.read_text(encoding="utf-8")
    except FileNotFoundError:
        fail(f"{file}: no such {what}; {missing}")
    except UnicodeDecodeError:
        fail(f"{file}: not UTF-8 text; {encoding}")
    except OSError as exc:
        fail(f"{file}: cannot read the {what} ({exc.strerror or exc})")


def _read_reflection(path: str) -> dict[str, str]:
    """The three reflection answers, one a line, in the debrief's order; a blank line skips one."""
    from analysis.coaching.debrief import REFLECTION_PROMPTS

    file = Path(path)
    text = _read_text(
        file,
        "reflection file",
        missing="write your three answers, one a line",
        encoding="save the reflection file as UTF-8",
    )
    lines = [line.strip() for line in text.splitlines()]
    while lines and not lines[-1]:
        lines.pop()
    if not lines:
        fail(f"{file}: the reflection file is empty; write your three answers, one a line")
    if len(lines) > len(REFLECTION_PROMPTS):
        fail(
            f"{file}: {len(lines)} lines, but the debrief asks {len(REFLECTION_PROMPTS)} questions; write one answer "
            "a line: what happened, what went well, what you would do differently"
        )
    return {key: answer for (key, _), answer in zip(REFLECTION_PROMPTS, lines, strict=False)}


@cli.command()
@click.argument("scenario", required=False)
@click.option("--rep", "rep", help="Your name (sessions and progress are kept per rep).")
@click.option(
    "--replies",
    type=click.Path(dir_okay=False, allow_dash=True),
    help="Play without the app: one reply per line of this file ('-' for standard input).",
)
@click.option("--db", type=click.Path(dir_okay=False), help=DB_HELP)
@click.option("--json", "as_json", is_flag=True, help="With --replies: print one JSON object instead of text.")
@click.option("--next-step", default="", help="With --replies: the next step you commit to, saved with the debrief.")
@click.option(
    "--reflection",
    type=click.Path(dir_okay=False),
    help="With --replies: your answers to the debrief's three questions, one a line "
    "(what happened, what went well, what you would do differently).",
)
@click.option(
    "--engine",
    default=DEFAULTS.engine,
    show_default=True,
    help="For spoken replies: " + "faster-whisper or openai-whisper.",
)
@click.option("--model", default=DEFAULTS.model, show_default=True, help="For spoken replies: the Whisper model.")
@click.option("--verbatim", is_flag=True, help="For spoken replies: keep fillers (um, uh) in the transcript.")
@click.option("--hands-free", is_flag=True, help="In the app: a pause ends your spoken turn (no key press).")
@click.option(
    "--pause",
    "end_pause",
    type=click.FloatRange(*END_PAUSE_RANGE),
    default=DEFAULTS.end_pause,
    show_default=True,
    help="In the app, hands-free: seconds of silence that end your turn.",
)
@click.option("--live", is_flag=True, help="A person plays the customer from another terminal (spar team customer).")
@click.option("--group", "group_id", help="Keep the call in this team group (see spar team show GROUP).")
@voice_options
def practice(
    scenario: str | None,
    rep: str | None,
    replies: str | None,
    db: str | None,
    as_json: bool,
    next_step: str,
    reflection: str | None,
    engine: str,
    model: str,
    verbatim: bool,
    hands_free: bool,
    end_pause: float,
    live: bool,
    group_id: str | None,
) -> None:
    """Practise a call. SCENARIO is a scenario id (see `spar scenarios list`) or a YAML file.

    With --replies, each line of FILE is a typed reply or the path of an audio file (WAV, FLAC,
    MP3; relative to FILE's folder) that is transcribed as if spoken.

    With --live, a person plays the customer: the rep's screen (or, with --replies, this terminal)
    shows a join code, and they run `spar team customer CODE` in another terminal.
    """
    settings = Settings(engine=engine, model=model, hands_free=hands_free, end_pause=end_pause, verbatim=verbatim)
    apply_voice_options(settings)
    if replies is None:
        if reflection:
            fail("--reflection goes with --replies: the app asks for your reflection itself", BAD_REQUEST)
        practice_in_app(scenario, rep, db, settings, live=live, group=group_id)
    else:
        practice_headless(
            scenario,
            rep,
            replies,
            db,
            settings,
            as_json=as_json,
            next_step=next_step,
            reflection=reflection,
            live=live,
            group=group_id,
        )


def practice_in_app(
    scenario: str | None,
    rep: str | None,
    db: str | None,
    settings: Settings,
    *,
    live: bool = False,
    group: str | None = None,
) -> None:
    """Open the app, optionally on a scenario and with the rep's name filled in."""
    from analysis.speech.engines import TranscriptionError
    from analysis.speech.models import check_model_name

    if settings.engine not in ENGINES:
        fail(f"unknown engine '{settings.engine}'; use one of {', '.join(ENGINES)}", BAD_REQUEST)
    try:
        check_model_name(settings.model)
    except TranscriptionError as exc:
        fail(str(exc), BAD_REQUEST)
    run_app(db, rep=rep, scenario_key=scenario, settings=settings, live=live, group=group)


class _SpokenReplies:
    """Lines of a replies file that name audio files, transcribed as if the rep had said them."""

    def __init__(self, base: Path, settings: Settings):
        self.base = base
        self.settings = settings
        self.transcriber: Transcriber | None = None

    def hear(self, line: str) -> HeardReply:
        from analysis.speech.audio_file import AUDIO_SUFFIXES, load_audio
        from analysis.speech.engines import TranscriptionError
        from simulator.domain.session import HeardReply

        if not line.lower().endswith(AUDIO_SUFFIXES):
            return HeardReply(line)
        path = Path(line) if Path(line).is_absolute() else self.base / line
        try:
            samples = load_audio(path)
        except TranscriptionError as exc:
            fail(f"{exc} (in the replies file; earlier turns of this call are saved)")
        if self.transcriber is None:
            self.transcriber = parts().transcriber(self.settings.engine, self.settings.model, self.settings.verbatim)
        heard = self.transcriber.transcribe(samples)
        if not heard.text:
            fail(f"{path}: no speech found (in the replies file; earlier turns of this call are saved)")
        return HeardReply(heard.text, heard.timing(), str(path.resolve()))


def practice_headless(
    scenario_key: str | None,
    rep: str | None,
    replies: str,
    db: str | None,
    settings: Settings,
    *,
    as_json: bool,
    next_step: str,
    reflection: str | None = None,
    live: bool = False,
    group: str | None = None,
) -> None:
    """Play a call from a file of replies and print the transcript and the debrief."""
    if not scenario_key or not rep:
        fail(
            "with --replies, name the scenario and the rep: spar practice SCENARIO --rep NAME --replies FILE",
            BAD_REQUEST,
        )
    chosen = load_scenario(scenario_key)
    # Read before the call is played, so a bad reflection file costs nothing.
    answers = _read_reflection(reflection) if reflection else {}
    answers["next_step"] = next_step
    lines: Iterable[str] = list(_read_replies(replies)) if replies != "-" else _read_replies(replies)
    store = open_store(db)
    customer = _live_customer(store, chosen, rep) if live else None
    played = play_headless(
        chosen,
        rep,
        replies,
        lines,
        store,
        settings,
        as_json=as_json,
        answers=answers,
        mode="team" if group else "solo",
        group_id=group,
        live_customer=customer,
    )
    if as_json:
        click.echo(json.dumps(played.to_json(), ensure_ascii=False))
        return
    click.echo("")
    click.echo(played.text())
    click.echo(f"\nSaved as session {played.call.session_id} in {store.path}")


def _live_customer(store: Store, chosen: Scenario, rep: str) -> LiveCustomer:
    """A call opened for a person to play the customer; returns once they have said their first line."""
    from simulator.domain.live import CustomerLeft, LiveCustomer, LiveStatus
    from simulator.storage import StoreError

    try:
        live = store.open_live_call(chosen, rep)
    except StoreError as exc:
        fail(str(exc))
    click.echo(f"Waiting for the customer: on another terminal, run: spar team customer {live.code}", err=True)
    customer = LiveCustomer(chosen, live, store.path)
    try:
        customer.wait_for_reply(0)
    except KeyboardInterrupt:
        store.close_live_call(live.id, LiveStatus.CANCELLED)
        fail("stopped before the customer began; nothing was saved", BAD_REQUEST)
    except (CustomerLeft, StoreError) as exc:
        store.close_live_call(live.id, LiveStatus.CANCELLED)
        fail(f"{exc} Nothing was saved.")
    click.echo(f"{customer.played_by} plays {chosen.persona.name}.", err=True)
    return customer


@dataclass
class HeadlessCall:
    """A call played from a replies file, saved with its debrief."""

    scenario: Scenario
    call: PracticeCall
    debrief: Debrief
    answers: dict[str, str]  # the reflection given (if any) and the next step
    unused_replies: int

    def to_json(self) -> dict:
        given = {k: v for k, v in self.answers.items() if k != "next_step"} or None
        return _call_json(self.scenario, self.call, self.debrief, self.unused_replies, given)

    def text(self) -> str:
        """The debrief, as `spar practice --replies` prints it after the transcript."""
        from analysis.coaching.render import render_text

        text = render_text(self.debrief, self.call.turns, self.answers)
        if self.unused_replies:
            text += f"\n\n({self.unused_replies} replies were not used: the call had already ended.)"
        return text


def play_headless(
    chosen: Scenario,
    rep: str,
    replies: str,
    lines: Iterable[str],
    store: Store,
    settings: Settings,
    *,
    as_json: bool,
    answers: dict[str, str],
    mode: str = "solo",
    group_id: str | None = None,
    live_customer: LiveCustomer | None = None,
) -> HeadlessCall:
    """Play one call from LINES (read from the replies file REPLIES) and save it with its debrief
    (ANSWERS: the reflection and next step); the transcript is printed as it goes unless AS_JSON.
    Shared by `spar practice` and `spar team`."""
    from analysis.language.analyzer import TurnTooLong
    from simulator.domain.session import PracticeCall, play_script
    from simulator.domain.understanding import customer_understanding
    from simulator.storage import StoreError

    analyzer = parts().analyzer()
    spoken = _SpokenReplies(Path(replies).parent if replies != "-" else Path.cwd(), settings)
    replies_name = "<stdin>" if replies == "-" else replies

    def show(speaker: str, text: str) -> None:
        if not as_json:
            name = chosen.persona.name if speaker == "customer" else rep
            click.echo(f"{name}: {text}")

    from simulator.domain.live import CustomerLeft
    from simulator.domain.session import ScriptResult

    # A person playing the customer needs no sentence model to understand the rep.
    understanding = customer_understanding(chosen, parts().encoder) if live_customer is None else None
    try:
        call = PracticeCall(
            store,
            chosen,
            rep,
            input_mode="script",
            understanding=understanding,
            mode=mode,
            group_id=group_id,
            customer=live_customer,
            customer_played_by=live_customer.played_by if live_customer else None,
            live_call_id=live_customer.live_call.id if live_customer else None,
        )
        call.on_customer_line = customer_audio_hook(chosen, settings)  # --customer-audio DIR
        try:
            replies_left = iter(lines)  # what a customer who leaves mid-call leaves unplayed
            result = play_script(call, replies_left, analyzer.analyze_turn, on_line=show, hear=spoken.hear)
        except TurnTooLong as too_long:
            # A reply read from standard input mid-call: end the call as the rep and save it, so
            # the session is finished, not left "unfinished", then say why it stopped.
            if not call.ended:
                call.end_by_rep()
            call.save_debrief(answers)
            fail(f"{replies_name}: {too_long}; the call was ended there and saved as session {call.session_id}")
        except CustomerLeft as left:
            # The customer's terminal closed mid-call: the call ends there, and is saved and debriefed.
            click.echo(f"spar: {left} The call was ended there.", err=True)
            line = call.end_by_rep()
            show("customer", line.text)
            result = ScriptResult(call, sum(1 for reply in replies_left if reply.strip()))
        debrief = call.save_debrief(answers)
    except StoreError as exc:
        fail(str(exc))
    return HeadlessCall(chosen, call, debrief, answers, result.unused_replies)


def _call_json(scenario: Scenario, call, debrief, unused_replies: int, reflection: dict[str, str] | None) -> dict:
    """The stable JSON of a headless call (README: "The command line")."""
    debrief_json = debrief.to_json()
    return {
        "session_id": call.session_id,
        "scenario": scenario.id,
        "rep": call.rep_name,
        "outcome": debrief_json["outcome"],
        "figures": {f["key"]: f for f in debrief_json["figures"]},
        "debrief": debrief_json,
        "transcript": transcript_json(call.turns),
        "unused_replies": unused_replies,
        "reflection": reflection,
    }
