"""Hearing a turn in the review: the right recording is played (into memory here), a practice
call's customer line is spoken in the customer's voice, and no device or a missing file is one
line on the screen, never a crash."""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np
import pytest
from textual.widgets import OptionList

from analysis.speech.audio_file import SAMPLE_RATE, to_pcm16
from simulator.audio.playback import MemorySink, output_device_available
from simulator.config import Settings
from simulator.domain.customer import CallTurn
from simulator.domain.real_call import RealLine, analyse_lines, real_call_figures
from simulator.domain.turn_audio import turn_audio
from simulator.storage import Store
from simulator.ui.screens.review import ReviewScreen
from tests.review_helpers import play, review_app


def _tone(path: Path, seconds: float, hertz: float) -> Path:
    """A WAV that can be told apart from the others by its length and pitch."""
    t = np.arange(int(seconds * SAMPLE_RATE)) / SAMPLE_RATE
    path.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(SAMPLE_RATE)
        out.writeframes(to_pcm16(0.3 * np.sin(2 * np.pi * hertz * t)).tobytes())
    return path


@pytest.fixture
def real_call(db_path, analyzer, tmp_path) -> int:
    """An imported call: the rep's first turn and the customer's answer have audio; the rep's
    second turn's file has been deleted since."""
    audio = tmp_path / "audio"
    lines = [
        RealLine("rep", "How do you plan the routes today?", 0.5, 2.0, (), str(_tone(audio / "t0.wav", 0.5, 440))),
        RealLine("customer", "By hand, in a spreadsheet.", 2.5, 4.0, (), str(_tone(audio / "t1.wav", 0.8, 220))),
        RealLine("rep", "What does that cost you?", 4.5, 5.5, (), str(audio / "deleted.wav")),
    ]
    turns = analyse_lines(analyzer, lines)
    store = Store(db_path)
    try:
        return store.add_real_call(
            "Sam Lee", None, turns, real_call_figures(turns), input_mode="spoken", customer_name="Dana"
        )
    finally:
        store.close()


def _app(db_path, analyzer, session: int, **parts):
    return review_app(db_path, analyzer, session, **parts)


def _messages(app) -> list[str]:
    return [n.message for n in app._notifications]


def test_the_sound_of_a_turn_is_its_recording_else_the_customers_voice_else_why_not(tmp_path):
    kept = _tone(tmp_path / "turn-001.wav", 0.2, 440)
    spoken = CallTurn(1, "rep", "How do you plan?", audio_path=str(kept))
    assert turn_audio(spoken, real_call=False, db_folder=tmp_path).recording == kept
    relative = CallTurn(1, "rep", "How do you plan?", audio_path="turn-001.wav")
    assert turn_audio(relative, real_call=False, db_folder=tmp_path).recording == kept, "found beside the database"
    customer = CallTurn(0, "customer", "Hi, Dana here.")
    assert turn_audio(customer, real_call=False, db_folder=tmp_path).line == "Hi, Dana here."
    assert "from a transcript" in turn_audio(customer, real_call=True, db_folder=tmp_path).missing
    assert "typed" in turn_audio(CallTurn(1, "rep", "Hi"), real_call=False, db_folder=tmp_path).missing
    gone = turn_audio(CallTurn(3, "rep", "Hi", audio_path=str(tmp_path / "x.wav")), real_call=True, db_folder=tmp_path)
    assert not gone.playable and "turn 4 is gone" in gone.missing


async def test_a_keypress_plays_the_highlighted_turns_own_recording(db_path, analyzer, real_call):
    sinks: list[MemorySink] = []

    def sink() -> MemorySink:
        sinks.append(MemorySink())
        return sinks[-1]

    app = _app(db_path, analyzer, real_call, output_sink_factory=sink)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ReviewScreen)
        turns = screen.query_one("#review-turns", OptionList)
        assert "Dana: By hand" in str(turns.get_option_at_index(1).prompt), "the customer's name, no reactions"
        assert "a real call with Dana" in str(screen.query_one("#review-summary").render())
        await pilot.press("m")
        assert any("a real call has none" in m for m in _messages(app))

        await pilot.press("a")
        await app.workers.wait_for_complete()
        assert len(sinks[0].samples) == int(0.5 * SAMPLE_RATE), "the rep's 0.5 s slice"
        assert "Playing turn 1." in _messages(app)

        turns.highlighted = 1
        await pilot.press("a")
        await app.workers.wait_for_complete()
        customer_part = sinks[0].samples[int(0.5 * SAMPLE_RATE) :]
        assert len(customer_part) == int(0.8 * SAMPLE_RATE), "then the customer's 0.8 s slice"
        assert np.abs(np.fft.rfft(customer_part)).argmax() == pytest.approx(220 * 0.8, abs=2), "at its own pitch"

        turns.highlighted = 2
        await pilot.press("a")
        await app.workers.wait_for_complete()
        assert any("recording of turn 3 is gone" in m for m in _messages(app))
        assert isinstance(app.screen, ReviewScreen)


@pytest.mark.skipif(output_device_available(), reason="this machine has a sound device: the notice cannot show")
async def test_with_no_sound_device_the_review_says_so_in_one_line(db_path, analyzer, real_call):
    app = _app(db_path, analyzer, real_call)  # the real speaker: there is none on this machine
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("a")
        await app.workers.wait_for_complete()
        [notice] = [m for m in _messages(app) if "Cannot play the turn: no audio output device" in m]
        assert "\n" not in notice and not any(m.startswith("Playing") for m in _messages(app))
        assert isinstance(app.screen, ReviewScreen), "still reviewing"


async def test_a_practice_calls_customer_line_is_spoken_in_the_customers_voice(db_path, analyzer, freight):
    session = play(db_path, analyzer, freight)
    sink = MemorySink()
    settings = Settings(voice="espeak:en-us")
    app = _app(db_path, analyzer, session, output_sink_factory=lambda: sink, settings=settings)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("a")  # turn 1: the customer's opening, never recorded
        await app.workers.wait_for_complete()
        assert sink.sample_rate > 0 and len(sink.samples) > sink.sample_rate, "a second or more of speech"
        await pilot.press("down", "a")  # turn 2: the rep's typed reply
        await app.workers.wait_for_complete()
        assert any("Turn 2 was typed" in m for m in _messages(app))
