"""Spoken replies: speech synthesised with espeak-ng, through both real Whisper engines."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from analysis.speech.audio_file import SAMPLE_RATE, load_audio, speech_regions
from analysis.speech.engines import Transcriber, TranscriptionError
from analysis.speech.wer import word_error_rate
from simulator.cli import cli
from simulator.cli.common import Parts
from tests.conftest import SENTENCES


async def _call_started(app, pilot) -> None:
    """From the start screen (rep and scenario already chosen) into the call."""
    from simulator.ui.screens.call import CallScreen

    await app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.press("ctrl+s")
    await pilot.pause()
    assert isinstance(app.screen, CallScreen)


@pytest.fixture(scope="session", params=["faster-whisper", "openai-whisper"])
def transcriber(request) -> Transcriber:
    return Transcriber(request.param, "tiny.en")


def test_each_engine_transcribes_speech_with_word_timings(transcriber, voices):
    for key, text in SENTENCES.items():
        result = transcriber.transcribe(voices[key])
        assert word_error_rate(text, result.text) <= 0.25, (key, result.text)
        starts = [w["start"] for w in result.words]
        assert starts == sorted(starts) and len(result.words) >= len(text.split()) - 2
        # The half second of leading silence is not speech.
        assert 0.2 <= result.words[0]["start"] <= 1.2
        assert result.speech and result.speech[0][0] >= 0.3


@pytest.mark.parametrize("key", ["silence", "noise", "hum"])
def test_silence_and_noise_give_no_words(transcriber, voices, key):
    result = transcriber.transcribe(voices[key])
    assert result.text == "" and result.words == []


def test_both_engines_agree_on_the_packaged_model(voices):
    fast, converted = Transcriber("faster-whisper"), Transcriber("openai-whisper")
    for key in SENTENCES:
        assert word_error_rate(fast.transcribe(voices[key]).text, converted.transcribe(voices[key]).text) <= 0.15


def test_converted_checkpoint_is_cached_and_verified(model_cache, voices):
    from analysis.speech.models import embedded_model_dir
    from analysis.speech.whisper_convert import converted_checkpoint

    target = model_cache / "verify-test"
    checkpoint, heads = converted_checkpoint(embedded_model_dir("tiny.en"), target)
    assert heads, "alignment heads come from the packaged config (needed for word timings)"
    first = checkpoint.stat().st_mtime_ns
    converted_checkpoint(embedded_model_dir("tiny.en"), target)
    assert checkpoint.stat().st_mtime_ns == first, "a verified cache is reused"
    with checkpoint.open("r+b") as damaged:
        damaged.seek(1000)
        damaged.write(b"\0" * 64)
    converted_checkpoint(embedded_model_dir("tiny.en"), target)
    manifest = json.loads((target / "manifest.json").read_text())
    import hashlib

    assert hashlib.sha256(checkpoint.read_bytes()).hexdigest() == manifest["checkpoint_sha256"]


def test_vad_finds_the_spoken_stretch(voices):
    regions = speech_regions(load_audio(voices["routes"]))
    assert len(regions) >= 1 and 0.3 <= regions[0][0] <= 0.8


def test_bad_audio_files_give_one_clear_line(tmp_path):
    empty = tmp_path / "empty.wav"
    empty.write_bytes(b"")
    corrupt = tmp_path / "corrupt.wav"
    corrupt.write_bytes(b"RIFF not really a wave file" * 10)
    for path, fragment in [
        (empty, "empty"),
        (corrupt, "not a readable audio file"),
        (tmp_path / "missing.wav", "no such audio file"),
    ]:
        with pytest.raises(TranscriptionError) as caught:
            load_audio(path)
        assert str(path) in str(caught.value) and fragment in str(caught.value)
        assert "\n" not in str(caught.value)


def test_unknown_model_and_engine_are_refused_before_loading():
    with pytest.raises(TranscriptionError, match="unknown Whisper model 'huge'.*tiny.en"):
        Transcriber("faster-whisper", "huge")
    with pytest.raises(TranscriptionError, match="unknown engine"):
        Transcriber("vosk", "tiny.en")


def test_spar_transcribe_json(voices, fast_transcriber, monkeypatch):
    parts = Parts(transcriber=lambda engine, model, verbatim=False: fast_transcriber)
    result = CliRunner().invoke(cli, ["transcribe", str(voices["problems"]), "--json"], obj=parts)
    data = json.loads(result.output)
    assert word_error_rate(SENTENCES["problems"], data["text"]) <= 0.25
    assert {"segments", "words", "engine", "model", "seconds"} <= set(data)
    assert data["engine"] == "faster-whisper" and data["model"] == "tiny.en"
    assert all({"start", "end"} <= set(s) for s in data["segments"])
    silent = CliRunner().invoke(cli, ["transcribe", str(voices["silence"])], obj=parts)
    assert silent.exit_code == 0 and "no speech found" in silent.output


def test_practice_with_spoken_replies(voices, fast_transcriber, analyzer, monkeypatch, tmp_path, db_path):
    parts = Parts(analyzer=lambda: analyzer, transcriber=lambda engine, model, verbatim=False: fast_transcriber)
    for key in SENTENCES:
        shutil.copy(voices[key], tmp_path / f"{key}.wav")
    replies = tmp_path / "replies.txt"
    replies.write_text(
        "routes.wav\nSo the spreadsheet takes Marcus until nine every morning.\nproblems.wav\n"
        "What impact do the late drops have on your customers?\nmeeting.wav\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(
        cli,
        ["practice", "freight-discovery", "--rep", "Sam", "--replies", str(replies), "--db", str(db_path), "--json"],
        obj=parts,
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    rep_turns = [t for t in data["transcript"] if t["speaker"] == "rep"]
    assert word_error_rate(SENTENCES["problems"], rep_turns[2]["text"]) <= 0.25
    assert rep_turns[0]["analysis"]["speech"]["words"], "spoken turns keep their word timings"
    assert data["figures"]["pace"]["value"] and data["figures"]["pace"]["turns"] == [1, 5, 9]
    from simulator.storage import Store

    turns = Store(db_path).turns(data["session_id"])
    assert turns[1].audio_path == str((tmp_path / "routes.wav").resolve())
    assert Store(db_path).sessions()[0].spoken_turns == 3
    assert turns[3].audio_path is None


def test_practice_stops_cleanly_on_a_broken_audio_line(
    voices, fast_transcriber, analyzer, monkeypatch, tmp_path, db_path
):
    parts = Parts(analyzer=lambda: analyzer, transcriber=lambda engine, model, verbatim=False: fast_transcriber)
    (tmp_path / "bad.wav").write_bytes(b"")
    replies = tmp_path / "replies.txt"
    replies.write_text("How do you plan the routes today?\nbad.wav\n", encoding="utf-8")
    result = CliRunner().invoke(
        cli,
        ["practice", "freight-discovery", "--rep", "Sam", "--replies", str(replies), "--db", str(db_path)],
        obj=parts,
    )
    assert result.exit_code == 1
    assert "bad.wav: the file is empty" in result.output and "earlier turns" in result.output
    from simulator.storage import Store

    [session] = Store(db_path).sessions()
    assert session.turn_count == 3  # opening, the typed reply, the customer's answer


def test_incremental_transcription_sends_chunks_while_speaking(fast_transcriber, tmp_path):
    from analysis.speech.incremental import IncrementalTranscriber

    text = (
        "So if I heard you right, Marcus moves the drivers around by hand in a spreadsheet, and the trucks "
        "cannot leave until nine. What does that delay cost you? And when one delivery in eight misses its "
        "window, what happens with your two largest retail customers, and how are they reacting to it?"
    )
    raw = tmp_path / "long.wav"
    subprocess.run(["espeak-ng", "-s", "150", "-w", str(raw), text], check=True)
    audio = load_audio(raw)
    live = IncrementalTranscriber(fast_transcriber)
    for i in range(0, len(audio), SAMPLE_RATE // 10):
        live.feed(audio[i : i + SAMPLE_RATE // 10])
    assert live._pending, "chunks go to the transcriber before the reply ends"
    final = live.finish()
    assert word_error_rate(text, final.text) <= 0.35
    starts = [w["start"] for w in final.words]
    assert starts == sorted(starts) and starts[-1] > 12.0, "chunk times are shifted to the whole turn"


async def test_whole_call_spoken_in_the_app(voices, fast_transcriber, analyzer, store, tmp_path):
    """The app, a microphone replaced by recorded replies played back, hands-free."""
    from textual.widgets import Input, OptionList

    from simulator.audio.recording import FileSource
    from simulator.config import Settings
    from simulator.ui.app import create_app
    from simulator.ui.screens.call import CallScreen
    from simulator.ui.screens.debrief import DebriefScreen

    queue = [FileSource(voices[key], realtime=False) for key in ("routes", "problems", "meeting")]
    app = create_app(
        store=store,
        analyzer_factory=lambda: analyzer,
        transcriber_factory=lambda: fast_transcriber,
        audio_source_factory=lambda: queue.pop(0),
        settings=Settings(hands_free=True),
    )
    async with app.run_test(size=(140, 50)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        app.screen.query_one("#rep-name", Input).value = "Sam Lee"
        options = app.screen.query_one("#scenario-list", OptionList)
        options.highlighted = [options.get_option_at_index(i).id for i in range(options.option_count)].index(
            "freight-discovery"
        )
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, CallScreen)
        assert "Ctrl+T to speak" in str(app.screen.query_one("#mic").render())
        for _ in range(3):
            await pilot.press("ctrl+t")
            await app.workers.wait_for_complete()
            await pilot.pause()
            await app.workers.wait_for_complete()
            await pilot.pause()
        await pilot.press("ctrl+e", "enter")
        await pilot.pause()
        assert isinstance(app.screen, DebriefScreen)
    [session] = store.sessions()
    turns = store.turns(session.id)
    rep_turns = [t for t in turns if t.speaker == "rep"]
    assert len(rep_turns) == 3
    assert word_error_rate(SENTENCES["problems"], rep_turns[1].text) <= 0.25
    for turn in rep_turns:
        assert turn.input_mode == "spoken"
        assert turn.audio_path and Path(turn.audio_path).is_file(), "each spoken turn keeps its WAV beside the database"
        speech = turn.analysis.speech if turn.analysis else None
        assert speech is not None and speech.words
        assert speech.response_time is not None and speech.response_time >= 0.3, (
            "from the customer's line to the first word"
        )
    assert Path(str(rep_turns[0].audio_path)).parent.parent.parent == store.path.parent


async def test_no_microphone_keeps_the_call_going_with_typing(fast_transcriber, analyzer, store):
    from textual.widgets import Input

    from simulator.audio.recording import MicrophoneError
    from simulator.ui.app import create_app

    def no_microphone():
        raise MicrophoneError("no microphone found (test); plug one in and try again, or type your replies")

    app = create_app(
        store=store,
        rep="Sam",
        analyzer_factory=lambda: analyzer,
        transcriber_factory=lambda: fast_transcriber,
        audio_source_factory=no_microphone,
    )
    async with app.run_test(size=(140, 50)) as pilot:
        await _call_started(app, pilot)
        await pilot.press("ctrl+t")
        await pilot.pause()
        assert "no microphone" in str(app.screen.query_one("#call-status").render()).lower()
        reply = app.screen.query_one("#reply", Input)
        reply.value = "How do you plan the routes today?"
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
    [session] = store.sessions()
    assert [t.speaker for t in store.turns(session.id)] == ["customer", "rep", "customer"]


def test_verbatim_keeps_fillers_without_losing_words(tmp_path):
    text = "Um, so, uh, how do you, um, plan the routes today? Uh, I mean, who does that?"
    raw = tmp_path / "fillers.wav"
    subprocess.run(["espeak-ng", "-s", "140", "-w", str(raw), text], check=True)
    fillers = {"um", "umm", "uh", "uhh"}

    def count(transcript: str) -> int:
        return sum(
            1 for w in transcript.lower().replace(",", " ").replace(".", " ").replace("?", " ").split() if w in fillers
        )

    plain = Transcriber("faster-whisper", "tiny.en").transcribe(raw).text
    verbatim = Transcriber("faster-whisper", "tiny.en", verbatim=True).transcribe(raw).text
    assert count(verbatim) >= 3 and count(verbatim) > count(plain)
    content = "so how do you plan the routes today I mean who does that"
    without_fillers = " ".join(w for w in verbatim.lower().replace(",", " ").split() if w.strip("?.") not in fillers)
    assert word_error_rate(content, without_fillers) <= 0.3


def test_unknown_input_device_is_one_clear_line():
    from simulator.audio.recording import MicrophoneError, MicrophoneSource

    with pytest.raises(MicrophoneError) as caught:
        MicrophoneSource(device="no such microphone 1234")
    assert "microphone" in str(caught.value) and "type your replies" in str(caught.value)
    assert "\n" not in str(caught.value)


async def test_microphone_failing_mid_turn_drops_to_typing(fast_transcriber, analyzer, store, voices):
    from textual.widgets import Input

    from simulator.audio.recording import FileSource, MicrophoneError
    from simulator.ui.app import create_app

    class Unplugged(FileSource):
        def blocks(self, stop):
            for n, block in enumerate(super().blocks(stop)):
                if n == 5:
                    raise MicrophoneError("the microphone 'test' stopped sending sound; check it, or type your replies")
                yield block

    app = create_app(
        store=store,
        rep="Sam",
        analyzer_factory=lambda: analyzer,
        transcriber_factory=lambda: fast_transcriber,
        audio_source_factory=lambda: Unplugged(voices["routes"], realtime=False),
    )
    async with app.run_test(size=(140, 50)) as pilot:
        await _call_started(app, pilot)
        await pilot.press("ctrl+t")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert not app.screen.recorder.recording
        assert app.screen.query_one("#reply", Input).has_focus
        assert "Type your reply" in str(app.screen.query_one("#call-status").render())
    [session] = store.sessions()
    assert len(store.turns(session.id)) == 1, "nothing half-heard is saved; the opening line is kept"
