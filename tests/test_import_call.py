"""`spar import-call`: a real call, as a two-channel recording synthesised here with espeak-ng or as
a transcript (JSONL, WebVTT, SRT), becomes a session the review and the exports read; bad input
is one line, exit 2, and nothing stored."""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import time
import wave
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from analysis.speech.audio_file import SAMPLE_RATE, load_audio, to_pcm16
from analysis.speech.wer import word_error_rate
from simulator.cli import cli
from simulator.cli.common import Parts
from simulator.storage import Store
from tests.review_helpers import play

# The rep (left channel) asks two questions; the customer (right channel) answers each.
CALL = [
    ("rep", "Hi Dana, thanks for taking my call. How do you plan your delivery routes today?"),
    ("customer", "Every morning we plan the routes in a spreadsheet, and it takes three hours."),
    ("rep", "What happens to your drivers when the plan is late?"),
    ("customer", "Then the trucks leave late, and we miss our deliveries."),
]
VOICES = {"rep": ["-v", "en", "-s", "160"], "customer": ["-v", "en-us+f3", "-s", "150"]}
GAP_SECONDS = 0.6  # between one side stopping and the other starting


def _write_wav(path: Path, samples: np.ndarray, channels: int) -> Path:
    with wave.open(str(path), "wb") as out:
        out.setnchannels(channels)
        out.setsampwidth(2)
        out.setframerate(SAMPLE_RATE)
        out.writeframes(to_pcm16(samples).tobytes())
    return path


@pytest.fixture(scope="module")
def stereo_call(tmp_path_factory) -> Path:
    """The call above as a call recorder exports it: the rep on the left, the customer on the right."""
    if shutil.which("espeak-ng") is None:
        pytest.fail("espeak-ng is missing: run `bash setup.sh --test`, which installs it")
    folder = tmp_path_factory.mktemp("real-call")
    said = []
    for number, (speaker, text) in enumerate(CALL):
        raw = folder / f"line-{number}.wav"
        subprocess.run(["espeak-ng", *VOICES[speaker], "-w", str(raw), text], check=True)
        said.append((speaker, load_audio(raw)))
    gap = int(GAP_SECONDS * SAMPLE_RATE)
    call = np.zeros((sum(len(a) for _, a in said) + gap * (len(said) + 1), 2), dtype=np.float32)
    at = gap
    for speaker, audio in said:
        call[at : at + len(audio), 0 if speaker == "rep" else 1] = audio
        at += len(audio) + gap
    return _write_wav(folder / "call.wav", call, 2)


@pytest.fixture
def spar(analyzer, fast_transcriber):
    """`spar ...` in-process, with the session's spaCy pipeline and Whisper tiny.en."""

    def invoke(*args: str):
        parts = Parts(analyzer=lambda: analyzer, transcriber=lambda engine, model, verbatim: fast_transcriber)
        return CliRunner().invoke(cli, list(args), obj=parts, catch_exceptions=False)

    return invoke


def _one_line_error(result, *names: str) -> str:
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("spar: "), result.stderr
    for name in names:
        assert name in lines[0], lines[0]
    return lines[0]


def _nothing_stored(db: Path) -> None:
    if db.exists():
        assert Store(db).sessions() == []
    assert not (db.parent / "audio").exists() or not any((db.parent / "audio").iterdir())


# --- a recording ----------------------------------------------------------------------------
def test_a_stereo_recording_imports_with_both_sides_words_and_the_reps_questions(spar, stereo_call, db_path):
    started = time.perf_counter()
    result = spar(
        "import-call", str(stereo_call), "--rep", "Sam Lee", "--customer", "Dana", "--db", str(db_path), "--json"
    )
    seconds = time.perf_counter() - started
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    turns = data["transcript"]
    assert [t["speaker"] for t in turns] == [speaker for speaker, _ in CALL]
    errors = [word_error_rate(text, turn["text"]) for (_, text), turn in zip(CALL, turns, strict=True)]
    print(f"\nimported in {seconds:.1f} s; word error rate per turn: {[round(e, 2) for e in errors]}")
    assert max(errors) <= 0.25, [t["text"] for t in turns]
    assert all(t["analysis"]["is_question"] for t in turns if t["speaker"] == "rep"), "both questions are found"
    assert turns[0]["analysis"]["question_type"] == "open"
    assert "spreadsheet" in turns[1]["text"].lower() and "deliveries" in turns[3]["text"].lower()

    store = Store(db_path)
    session = store.session(data["session_id"])
    assert (session.rep_name, session.input_mode, session.status) == ("Sam Lee", "spoken", "ended")
    facts = store.call_facts(session.id)
    assert (facts.mode, facts.customer_name) == ("real", "Dana")
    stored = store.turns(session.id)
    # Each turn keeps its place in the recording, in order, and its own slice of audio.
    starts = [t.start_seconds for t in stored]
    assert starts == sorted(starts) and all(t.end_seconds > t.start_seconds for t in stored)
    assert abs(stored[0].start_seconds - GAP_SECONDS) < 0.4
    for turn in stored:
        slice_seconds = len(load_audio(turn.audio_path)) / SAMPLE_RATE
        assert abs(slice_seconds - (turn.end_seconds - turn.start_seconds)) < 1.0
    rep_speech = stored[2].analysis.speech
    assert rep_speech is not None and len(rep_speech.words) >= 8
    assert 0.2 <= rep_speech.response_time <= 1.5, "measured from the customer's last word"

    figures = {f.key: f for f in store.figures(session.id)}
    assert figures["questions"].value == 2 and figures["needs_questions"].value == 2
    assert figures["needs_uncovered"].display == "—", "no scripted customer: not measured, not zero"

    # The review and the exports read it like any other call.
    md = spar("export", str(session.id), "--format", "md", "--db", str(db_path))
    assert md.exit_code == 0 and "Dana" in md.stdout and "How do you plan" in md.stdout


def test_the_rep_can_be_on_the_right_channel(spar, stereo_call, db_path):
    result = spar(
        "import-call", str(stereo_call), "--rep", "Dana", "--rep-channel", "right", "--db", str(db_path), "--json"
    )
    assert result.exit_code == 0, result.output
    turns = json.loads(result.stdout)["transcript"]
    assert [t["speaker"] for t in turns] == ["customer", "rep", "customer", "rep"]
    assert "spreadsheet" in turns[1]["text"].lower()


def test_a_mono_recording_is_refused(spar, stereo_call, tmp_path, db_path):
    mono = _write_wav(tmp_path / "mono.wav", load_audio(stereo_call), 1)
    line = _one_line_error(spar("import-call", str(mono), "--rep", "Sam", "--db", str(db_path)), str(mono))
    assert "one channel" in line and ".vtt" in line
    _nothing_stored(db_path)


def test_both_channels_the_same_is_refused(spar, stereo_call, tmp_path, db_path):
    audio = load_audio(stereo_call)
    doubled = _write_wav(tmp_path / "doubled.wav", np.stack([audio, audio], axis=1), 2)
    line = _one_line_error(spar("import-call", str(doubled), "--rep", "Sam", "--db", str(db_path)), str(doubled))
    assert "same sound" in line


@pytest.mark.parametrize(
    ("content", "expected"),
    [(b"", "empty"), (b"RIFF\x00\x00\x00\x00WAVEnot really a recording" * 20, "not a readable audio file")],
    ids=["empty", "corrupt"],
)
def test_an_empty_or_corrupt_recording_is_one_line(spar, tmp_path, db_path, content, expected):
    bad = tmp_path / "call.wav"
    bad.write_bytes(content)
    line = _one_line_error(spar("import-call", str(bad), "--rep", "Sam", "--db", str(db_path)), str(bad))
    assert expected in line
    _nothing_stored(db_path)


def test_silence_is_refused_and_a_silent_rep_channel_points_at_the_other(spar, stereo_call, tmp_path, db_path):
    silent = _write_wav(tmp_path / "silent.wav", np.zeros((SAMPLE_RATE * 3, 2), dtype=np.float32), 2)
    assert "no speech on either channel" in _one_line_error(
        spar("import-call", str(silent), "--rep", "Sam", "--db", str(db_path)), str(silent)
    )
    customer_only = load_audio(stereo_call)
    one_side = _write_wav(tmp_path / "one-side.wav", np.stack([np.zeros_like(customer_only), customer_only], axis=1), 2)
    line = _one_line_error(spar("import-call", str(one_side), "--rep", "Sam", "--db", str(db_path)), str(one_side))
    assert "rep's channel (left)" in line and "--rep-channel right" in line
    _nothing_stored(db_path)


def test_a_recording_needs_the_reps_name(spar, stereo_call, db_path):
    assert "--rep NAME" in _one_line_error(spar("import-call", str(stereo_call), "--db", str(db_path)))


def test_a_locked_database_stores_nothing_and_keeps_no_audio(spar, stereo_call, db_path, monkeypatch):
    Store(db_path).close()
    monkeypatch.setitem(Store.__init__.__kwdefaults__, "timeout", 0.3)
    blocker = sqlite3.connect(db_path)
    blocker.execute("begin immediate")
    try:
        result = spar("import-call", str(stereo_call), "--rep", "Sam", "--db", str(db_path))
    finally:
        blocker.rollback()
        blocker.close()
    assert "locked" in _one_line_error(result, str(db_path))
    _nothing_stored(db_path)


# --- transcripts ----------------------------------------------------------------------------
VTT = """WEBVTT

1
00:00:00.500 --> 00:00:04.000
<v Sam Lee>Thanks for your time, Dana. How do you plan the routes today?</v>

2
00:00:04.600 --> 00:00:08.000
<v Dana Okafor>By hand, in a spreadsheet.</v>

3
00:00:08.000 --> 00:00:10.500
<v Dana Okafor>It takes Marcus three hours every morning.</v>

4
00:00:11.300 --> 00:00:14.000
<v Sam Lee>So the plan is done by hand and it costs three hours each day.</v>
"""

SRT = """1
00:00:00,500 --> 00:00:04,000
Sam Lee: Thanks for your time, Dana. How do you plan the routes today?

2
00:00:04,600 --> 00:00:08,000
Dana Okafor: By hand, in a spreadsheet.

3
00:00:08,000 --> 00:00:10,500
Dana Okafor: It takes Marcus three hours every morning.

4
00:00:11,300 --> 00:00:14,000
Sam Lee: So the plan is done by hand and it costs three hours each day.
"""


def _vtt_with_prefixes() -> str:
    return VTT.replace("<v Sam Lee>", "Sam Lee: ").replace("<v Dana Okafor>", "Dana Okafor: ").replace("</v>", "")


@pytest.mark.parametrize(
    ("suffix", "text"), [(".vtt", VTT), (".vtt", _vtt_with_prefixes()), (".srt", SRT)], ids=["vtt", "vtt-names", "srt"]
)
def test_a_transcript_imports_with_the_named_rep(spar, tmp_path, db_path, suffix, text):
    path = tmp_path / f"call{suffix}"
    path.write_text(text, encoding="utf-8")
    result = spar("import-call", str(path), "--rep", "sam lee", "--db", str(db_path), "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (data["rep"], data["customer"], data["input_mode"]) == ("Sam Lee", "Dana Okafor", "transcript")
    turns = data["transcript"]
    assert [t["speaker"] for t in turns] == ["rep", "customer", "rep"], "Dana's two cues are one turn"
    assert turns[1]["text"] == "By hand, in a spreadsheet. It takes Marcus three hours every morning."
    assert turns[0]["analysis"]["is_question"] and turns[2]["analysis"]["is_paraphrase"]
    stored = Store(db_path).turns(data["session_id"])
    assert (stored[1].start_seconds, stored[1].end_seconds) == (4.6, 10.5)
    assert stored[2].analysis.speech.response_time == pytest.approx(0.8)


def test_a_jsonl_transcript_imports_as_spar_analyze_reads_it(spar, tmp_path, db_path):
    path = tmp_path / "call.jsonl"
    lines = [
        {"speaker": "rep", "text": "How do you plan the routes today?"},
        {"speaker": "customer", "text": "By hand, in a spreadsheet."},
        {"speaker": "rep", "text": "What does that cost you each morning?"},
    ]
    path.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    result = spar("import-call", str(path), "--rep", "Sam", "--db", str(db_path))
    assert result.exit_code == 0, result.output
    session_id = int(result.stdout.strip())
    turns = Store(db_path).turns(session_id)
    assert [t.analysis.is_question for t in turns if t.speaker == "rep"] == [True, True]


def test_transcript_problems_are_one_line_and_store_nothing(spar, tmp_path, db_path):
    nameless = tmp_path / "nameless.vtt"
    nameless.write_text("WEBVTT\n\n00:00:00.000 --> 00:00:02.000\nHello there.\n", encoding="utf-8")
    assert "names no speaker" in _one_line_error(
        spar("import-call", str(nameless), "--rep", "Sam", "--db", str(db_path)), f"{nameless}:3"
    )
    vtt = tmp_path / "call.vtt"
    vtt.write_text(VTT, encoding="utf-8")
    line = _one_line_error(spar("import-call", str(vtt), "--rep", "Pat", "--db", str(db_path)), str(vtt))
    assert "'Pat'" in line and "Sam Lee, Dana Okafor" in line
    line = _one_line_error(spar("import-call", str(vtt), "--db", str(db_path)), str(vtt))
    assert "which speaker is the rep" in line and "Sam Lee, Dana Okafor" in line
    bad_jsonl = tmp_path / "call.jsonl"
    bad_jsonl.write_text('{"speaker": "rep", "text": "Hi?"}\n{"speaker": "boss"}\n', encoding="utf-8")
    assert '"speaker"' in _one_line_error(
        spar("import-call", str(bad_jsonl), "--rep", "Sam", "--db", str(db_path)), f"{bad_jsonl}:2"
    )
    missing = tmp_path / "gone.vtt"
    assert "no such file" in _one_line_error(spar("import-call", str(missing), "--db", str(db_path)), str(missing))
    _nothing_stored(db_path)


def test_a_speaker_called_rep_needs_no_flag(spar, tmp_path, db_path):
    vtt = tmp_path / "call.vtt"
    vtt.write_text(VTT.replace("Sam Lee", "Rep"), encoding="utf-8")
    result = spar("import-call", str(vtt), "--db", str(db_path), "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["rep"] == "Rep"


def test_an_imported_call_round_trips_through_export_and_import(spar, tmp_path, db_path):
    vtt = tmp_path / "call.vtt"
    vtt.write_text(VTT, encoding="utf-8")
    session_id = int(spar("import-call", str(vtt), "--rep", "Sam Lee", "--db", str(db_path)).stdout)
    exported = spar("export", str(session_id), "--format", "json", "--db", str(db_path)).stdout
    assert json.loads(exported)["session"]["mode"] == "real"
    (tmp_path / "call.json").write_text(exported, encoding="utf-8")
    other = tmp_path / "other.db"
    result = spar("import", str(tmp_path / "call.json"), "--db", str(other))
    assert result.exit_code == 0, result.output
    again = spar("export", result.stdout.strip(), "--format", "json", "--db", str(other)).stdout
    assert json.loads(again) == json.loads(exported)
    history = spar("history", "--db", str(other), "--json")
    assert json.loads(history.stdout.splitlines()[0])["scenario_title"] == "Real call (no scenario)"


def test_a_real_call_gets_a_debrief_that_checks_the_goal_from_practice(spar, tmp_path, db_path, analyzer, freight):
    """The goal agreed after practice is what the rep tries on real calls: the import checks it by
    its number and picks one thing to work on, and leaves the goal as the coach agreed it."""
    practice = play(db_path, analyzer, freight)
    agreed = spar("goal", str(practice), "--target", "needs_questions>=2", "--due", "2027-01-15", "--db", str(db_path))
    assert agreed.exit_code == 0, agreed.output
    goal_before = Store(db_path).latest_goal("Sam Lee")
    path = tmp_path / "call.jsonl"
    lines = [
        {"speaker": "rep", "text": "How do you plan the routes today?"},
        {"speaker": "customer", "text": "By hand, in a spreadsheet."},
        {"speaker": "rep", "text": "What does that cost you each morning?"},
        {"speaker": "customer", "text": "About three hours of Marcus's time."},
        {"speaker": "rep", "text": "Our platform plans every route for you overnight."},
    ]
    path.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")

    result = spar("import-call", str(path), "--rep", "Sam Lee", "--db", str(db_path))
    assert result.exit_code == 0, result.output
    assert "Goal: at least 2 needs questions. This call: 2. Met." in result.stderr
    assert "One thing to work on next: " in result.stderr
    session = int(result.stdout.strip())
    shown = spar("show", str(session), "--db", str(db_path)).stdout
    assert "Goal: at least 2 needs questions. This call: 2. Met." in shown and "One thing to work on next:" in shown
    debrief = json.loads(spar("show", str(session), "--json", "--db", str(db_path)).stdout)["debrief"]
    assert debrief["goal_check"]["met"] is True and not debrief["outcome"], "no scripted customer, no outcome"

    goal_after = Store(db_path).latest_goal("Sam Lee")
    assert goal_after is not None and goal_before is not None
    assert (goal_after.id, goal_after.checkable, goal_after.due_date) == (
        goal_before.id,
        goal_before.checkable,
        "2027-01-15",
    ), "the real call leaves the agreed goal in place"

    again = spar("import-call", str(path), "--rep", "Ana", "--db", str(db_path), "--json")
    assert json.loads(again.stdout)["debrief"]["goal_check"] is None, "a rep with no goal gets no goal line"
