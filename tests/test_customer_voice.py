"""The customer's voice in a call: the voice chosen, no echo in the rep's transcript, barge-in,
muting, failing softly, `--customer-audio`, and the app speaking each line."""

from __future__ import annotations

import subprocess
import threading
import time
import wave
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from analysis.speech.audio_file import SAMPLE_RATE, load_audio
from analysis.speech.engines import Transcriber
from analysis.speech.tts import Voice, VoiceSpecError, default_voice, resample
from analysis.speech.wer import word_error_rate
from simulator.audio.customer_voice import CustomerVoice, resolve_voice, scripted_lines
from simulator.audio.playback import MemorySink, PlaybackError
from simulator.audio.recording import BLOCK, record_turn
from simulator.cli import cli
from simulator.cli.common import Parts
from simulator.config import Settings

CUSTOMER_VOICE = "espeak-female-1"
CUSTOMER_LINE = (
    "Honestly, our biggest headache this year has been the warehouse scanners, "
    "which break down every winter when the loading dock gets cold."
)
CUSTOMER_WORDS = {"honestly", "headache", "warehouse", "scanners", "winter", "loading", "dock", "cold"}
REP_REPLY = "Could we set up a meeting next week with you and Marcus?"


@pytest.fixture(scope="module")
def transcriber() -> Transcriber:
    return Transcriber("faster-whisper", "tiny.en")


@pytest.fixture(scope="module")
def rep_reply(tmp_path_factory) -> np.ndarray:
    raw = tmp_path_factory.mktemp("rep") / "reply.wav"
    subprocess.run(["espeak-ng", "-s", "150", "-w", str(raw), REP_REPLY], check=True)
    return load_audio(raw)


class Room:
    """A microphone in a room with a speaker: it hears whatever the player has played, at
    `echo_gain` (the echo), plus the rep's reply, either `rep_at` seconds after recording starts
    or 0.3 s after the customer has stopped ("after"). Real time, 100 ms blocks."""

    name = "room"

    def __init__(self, sink: MemorySink, voice: CustomerVoice, rep: np.ndarray, rep_at: float | str, echo_gain=0.3):
        self.sink, self.voice, self.rep, self.rep_at = sink, voice, rep, rep_at
        self.echo_gain = echo_gain
        self.heard: list[np.ndarray] = []  # every block the microphone picked up

    def blocks(self, stop: threading.Event):
        started = time.monotonic()
        echo = np.zeros(0, dtype=np.float32)
        taken = 0
        rep_start: int | None = None if self.rep_at == "after" else int(float(self.rep_at) * SAMPLE_RATE)
        n = 0
        while not stop.is_set():
            time.sleep(max(0.0, started + (n + 1) * BLOCK / SAMPLE_RATE - time.monotonic()))
            new = self.sink.blocks[taken:]
            taken += len(new)
            if new:
                played = resample(np.concatenate(new), self.sink.sample_rate, SAMPLE_RATE)
                echo = np.concatenate([echo, played * self.echo_gain])
            block = np.zeros(BLOCK, dtype=np.float32)
            part = echo[:BLOCK]
            block[: len(part)] += part
            echo = echo[BLOCK:]
            if rep_start is None and not self.voice.is_speaking and len(echo) == 0:
                rep_start = n * BLOCK + int(0.3 * SAMPLE_RATE)
            if rep_start is not None:
                offset = n * BLOCK - rep_start
                if offset >= len(self.rep) + int(1.5 * SAMPLE_RATE):
                    return  # the rep said it all, then 1.5 s of silence
                if offset + BLOCK > 0 and offset < len(self.rep):
                    lo = max(0, offset)
                    piece = self.rep[lo : offset + BLOCK]
                    start_in_block = lo - offset
                    block[start_in_block : start_in_block + len(piece)] += piece
            self.heard.append(block)
            yield block
            n += 1


def _voice_and_room(rep: np.ndarray, rep_at: float | str) -> tuple[CustomerVoice, Room]:
    sink = MemorySink(realtime=True)
    voice = CustomerVoice(Voice.parse(CUSTOMER_VOICE), sink=sink)
    assert "You hear the customer" in voice.start()
    voice.synthesizer.warm([CUSTOMER_LINE])
    return voice, Room(sink, voice, rep, rep_at)


def _words(text: str) -> set[str]:
    return {w.strip(".,?!").lower() for w in text.split()}


@pytest.mark.slow
def test_the_customer_heard_through_the_microphone_never_reaches_the_rep_transcript(transcriber, rep_reply):
    voice, room = _voice_and_room(rep_reply, "after")
    voice.speak(CUSTOMER_LINE)
    turn = record_turn(room, transcriber, stop=threading.Event(), customer=voice)
    voice.close()
    result = voice._player.last_result if voice._player else None
    assert result is not None and result.completed, "the rep did not cut in: the customer finished"
    assert not turn.barged_in
    assert not _words(turn.transcript.text) & CUSTOMER_WORDS, turn.transcript.text
    assert word_error_rate(REP_REPLY, turn.transcript.text) <= 0.25, turn.transcript.text
    # The echo is really there: the microphone's raw audio has the customer's words in it.
    raw = transcriber.transcribe(np.concatenate(room.heard)).text
    assert len(_words(raw) & CUSTOMER_WORDS) >= 3, raw
    # Response time counts from the end of playback, which came before the rep's first word.
    assert voice.finished_at is not None and voice.response_clock(0.0) == voice.finished_at


@pytest.mark.slow
def test_the_rep_speaking_over_the_customer_stops_them_and_keeps_the_rep_words(transcriber, rep_reply):
    voice, room = _voice_and_room(rep_reply, 1.0)
    started = time.monotonic()
    voice.speak(CUSTOMER_LINE)
    turn = record_turn(room, transcriber, stop=threading.Event(), customer=voice)
    line_seconds = voice.synthesizer.synthesize(CUSTOMER_LINE).seconds
    voice.close()
    result = voice._player.last_result if voice._player else None
    assert turn.barged_in
    assert result is not None and not result.completed and result.error is None
    assert result.played_seconds < line_seconds - 2, "cut off, not played to the end"
    assert result.ended_at - started < 1.0 + 1.0, "stopped within a second of the rep starting"
    assert word_error_rate(REP_REPLY, turn.transcript.text) <= 0.25, turn.transcript.text


# --- choosing the voice ------------------------------------------------------------------------
def test_the_user_s_voice_wins_over_the_persona_s_over_the_default():
    assert resolve_voice("espeak-male-low", "espeak-female-1")[0] == Voice.parse("espeak-male-low")
    assert resolve_voice("", "espeak-female-1") == (Voice.parse("espeak-female-1"), "")
    assert resolve_voice("", "") == (default_voice(), "")
    voice, note = resolve_voice("", "robot")
    assert voice == default_voice() and "unknown voice 'robot'" in note
    with pytest.raises(VoiceSpecError):
        resolve_voice("robot", "")


def test_the_scenario_s_lines_are_warmed_opening_first(freight):
    lines = scripted_lines(freight)
    assert lines[0] == freight.opening
    assert freight.objective.agree in lines and freight.needs[0].reveal in lines
    assert len(lines) == len(set(lines)) > 10
    assert all("{rep}" not in line for line in scripted_lines(freight, "Sam Lee"))


def test_customer_audio_needs_replies(tmp_path):
    result = _practice("freight-discovery", "--rep", "Sam", "--customer-audio", str(tmp_path / "out"))
    assert result.exit_code == 2 and "use it with --replies" in result.output


# --- muting and failing softly -----------------------------------------------------------------
def test_no_output_device_is_one_line_and_nothing_is_played(monkeypatch):
    import simulator.audio.customer_voice as module

    def no_speaker():
        raise PlaybackError("no audio output device found (test); the customer's lines stay text (use --mute)")

    monkeypatch.setattr(module, "_speaker", no_speaker)
    statuses: list[str] = []
    voice = CustomerVoice(Voice.parse(CUSTOMER_VOICE), on_status=statuses.append)
    line = voice.start()
    assert line.startswith("The customer's voice is off: no audio output device") and "\n" not in line
    assert statuses == [line]
    assert not voice.speak(CUSTOMER_LINE) and not voice.is_speaking


def test_mute_stops_the_line_and_keeps_the_customer_quiet():
    sink = MemorySink(realtime=True)
    voice = CustomerVoice(Voice.parse(CUSTOMER_VOICE), sink=sink)
    voice.start()
    assert voice.speak(CUSTOMER_LINE)
    time.sleep(0.4)
    assert voice.is_speaking
    assert "muted" in voice.set_muted(True)
    assert not voice.is_speaking and not voice.speak("Anything else?")
    played = len(sink.samples)
    assert "You hear the customer" in voice.set_muted(False)
    assert voice.speak("Anything else?")
    voice._player.wait(5) if voice._player else None
    assert len(sink.samples) > played
    voice.close()


class _Unplugged(MemorySink):
    def write(self, block):
        if len(self.blocks) == 3:
            raise PlaybackError("the output device 'headset' failed (unplugged); the call goes on in text")
        super().write(block)


def test_a_device_failing_mid_call_turns_the_voice_off_with_one_line():
    statuses: list[str] = []
    voice = CustomerVoice(Voice.parse(CUSTOMER_VOICE), sink=_Unplugged(), on_status=statuses.append)
    voice.start()
    ended = threading.Event()
    voice.speak(CUSTOMER_LINE, on_finished=lambda result: ended.set())
    assert ended.wait(5)
    assert statuses[-1] == (
        "The customer's voice is off: the output device 'headset' failed (unplugged); the call goes on in text"
    )
    assert not voice.available and not voice.speak("Next line.")
    voice.close()


# --- the command line --------------------------------------------------------------------------
def _practice(*args: str, analyzer=None):
    return CliRunner().invoke(cli, ["practice", *args], obj=Parts(analyzer=lambda: analyzer, encoder=lambda: None))


@pytest.mark.slow
def test_a_headless_call_writes_each_customer_line_as_a_wav(tmp_path, analyzer, transcriber, db_path):
    from simulator.storage import Store

    replies = tmp_path / "replies.txt"
    replies.write_text("How do you plan the routes for your drivers today?\nWhat does that cost you?\n")
    out = tmp_path / "customer"
    result = _practice(
        "freight-discovery",
        "--rep",
        "Sam",
        "--replies",
        str(replies),
        "--db",
        str(db_path),
        "--customer-audio",
        str(out),
        "--voice",
        CUSTOMER_VOICE,
        analyzer=analyzer,
    )
    assert result.exit_code == 0, result.output
    store = Store(db_path)
    [session] = store.sessions()
    customer_turns = [t for t in store.turns(session.id) if t.speaker == "customer"]
    store.close()
    assert [Path(str(t.audio_path)).name for t in customer_turns] == [f"turn-{t.index:03d}.wav" for t in customer_turns]
    assert sorted(p.name for p in out.iterdir()) == [f"turn-{t.index:03d}.wav" for t in customer_turns]
    with wave.open(str(out / "turn-000.wav")) as opening:
        assert opening.getnframes() > 0
    heard = transcriber.transcribe(load_audio(out / "turn-000.wav")).text
    assert len(_words(heard) & {"minutes", "before", "my", "next", "meeting", "your", "email", "go", "ahead"}) >= 7, (
        heard
    )


def test_an_unknown_voice_is_a_bad_request(tmp_path):
    replies = tmp_path / "replies.txt"
    replies.write_text("Hello\n")
    result = _practice("freight-discovery", "--rep", "Sam", "--replies", str(replies), "--voice", "robot")
    assert result.exit_code == 2
    assert result.output.startswith("spar: unknown voice 'robot'") and result.output.count("\n") == 1


def test_settings_carry_voice_and_mute():
    assert Settings().voice == "" and Settings().mute is False


# --- the app -----------------------------------------------------------------------------------
async def _call_started(app, pilot) -> None:
    from simulator.ui.screens.call import CallScreen

    await app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.press("ctrl+s")
    await pilot.pause()
    assert isinstance(app.screen, CallScreen)


async def _until(pilot, condition, seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        await pilot.pause(0.05)
    return condition()


def _no_speech_model():
    raise RuntimeError("no speech model in this test")


@pytest.mark.slow
async def test_the_app_speaks_each_customer_line_and_ctrl_o_mutes_it(analyzer, store):
    from textual.widgets import Input

    from simulator.ui.app import create_app

    sink = MemorySink(realtime=True)
    app = create_app(
        store=store,
        rep="Sam",
        analyzer_factory=lambda: analyzer,
        encoder_factory=lambda: None,
        transcriber_factory=_no_speech_model,
        settings=Settings(voice=CUSTOMER_VOICE),
        customer_voice_factory=lambda scenario, settings, on_status: CustomerVoice.for_call(
            scenario, settings, sink=sink, on_status=on_status
        ),
    )
    async with app.run_test(size=(140, 50)) as pilot:
        await _call_started(app, pilot)
        voice = app.screen.voice
        assert voice is not None and voice.voice == Voice.parse(CUSTOMER_VOICE)
        assert await _until(pilot, lambda: len(sink.samples) > 0), "the opening line is played"
        assert voice.is_speaking
        assert "ctrl+o" in {binding.key for binding in app.screen.BINDINGS}  # shown in the footer
        await pilot.press("ctrl+o")
        await pilot.pause()
        assert not voice.is_speaking and voice.muted
        assert "muted" in str(app.screen.query_one("#call-status").render())
        played = len(sink.samples)
        reply = app.screen.query_one("#reply", Input)
        reply.value = "How do you plan the routes for your drivers today?"
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause(0.5)
        assert len(sink.samples) == played, "muted: the answer stays text"
        await pilot.press("ctrl+o")
        reply.value = "What does that cost you each week?"
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        assert await _until(pilot, lambda: len(sink.samples) > played), "unmuted: the next answer is heard"
        turns = store.turns(store.sessions()[0].id)
        assert [t.speaker for t in turns] == ["customer", "rep", "customer", "rep", "customer"]


async def test_the_app_without_an_output_device_says_so_once_and_goes_on_in_text(analyzer, store, monkeypatch):
    from textual.widgets import Input

    import simulator.audio.customer_voice as module
    from simulator.ui.app import create_app

    def no_speaker():
        raise PlaybackError("no audio output device found (test); the customer's lines stay text (use --mute)")

    monkeypatch.setattr(module, "_speaker", no_speaker)
    app = create_app(
        store=store,
        rep="Sam",
        analyzer_factory=lambda: analyzer,
        encoder_factory=lambda: None,
        transcriber_factory=_no_speech_model,
        settings=Settings(voice=CUSTOMER_VOICE),
    )
    async with app.run_test(size=(140, 50)) as pilot:
        await _call_started(app, pilot)
        await pilot.pause()
        status = str(app.screen.query_one("#call-status").render())
        assert "The customer's voice is off: no audio output device" in status
        reply = app.screen.query_one("#reply", Input)
        reply.value = "How do you plan the routes today?"
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
    [session] = store.sessions()
    assert [t.speaker for t in store.turns(session.id)] == ["customer", "rep", "customer"]


def test_the_engine_is_started_before_the_call_and_kept_for_the_next(monkeypatch, freight):
    import simulator.audio.customer_voice as module

    speaker = MemorySink()
    monkeypatch.setattr(module, "_speaker", lambda: speaker)
    monkeypatch.setattr(module, "_ready", {})
    settings = Settings(voice=CUSTOMER_VOICE)
    module.preload(settings)
    [ready] = module._ready.values()
    assert ready.process_ids() is not None and ready.stats.load_seconds > 0
    voice = CustomerVoice.for_call(freight, settings)
    assert voice.synthesizer is ready and not module._ready
    voice.start()
    assert voice.speak("Go ahead.")
    assert voice._player is not None and voice._player.wait(5) is not None and len(speaker.samples) > 0
    voice.close()
    assert module._ready == {ready.voice: ready}, "handed back for the next call"
    assert CustomerVoice.for_call(freight, settings).synthesizer is ready
    module.preload(Settings(voice=CUSTOMER_VOICE, mute=True))  # muted: nothing is started
    ready.close()
