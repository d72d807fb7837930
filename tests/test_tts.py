"""The customer's voice: real engines (piper, festival, espeak-ng), heard back by the project's own Whisper."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
import wave
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from analysis.speech import tts
from analysis.speech.engines import Transcriber
from analysis.speech.tts import PRESETS, Audio, Synthesizer, TTSError, Voice, VoiceSpecError, speech_chunks
from analysis.speech.wer import word_error_rate
from simulator.audio.playback import (
    FileSink,
    MemorySink,
    PlaybackError,
    PlaybackResult,
    Player,
    SoundDeviceSink,
    output_device_available,
)
from simulator.cli import cli

ROOT = Path(__file__).resolve().parent.parent

# What a customer says on a call: 15 to 19 words each.
CUSTOMER_LINES = [
    "We moved to a new warehouse system last spring, and the dispatch team still plans every route by hand.",
    "Honestly, our biggest worry is the two retail customers who keep complaining about late deliveries.",
    "I would need to see the pricing before I can take this to our finance director next month.",
    "Our drivers start at six, but the routes are only ready at half past eight most mornings.",
    "Send me a short summary by email and I will share it with my operations lead on Friday.",
]
ENGINE_VOICES = ["piper:joe", "festival:slt", "espeak:en-us,speed=160"]
TWO_SENTENCES = "Every morning our dispatch team plans each delivery by hand, which takes hours. What would you change?"


@pytest.fixture(scope="module")
def transcriber() -> Transcriber:
    return Transcriber("faster-whisper", "tiny.en")


@pytest.fixture(scope="module")
def speech_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("speech-cache")


@pytest.fixture(scope="module")
def voices(speech_cache: Path):
    """Each voice loaded once for the module (piper takes a second or two to start)."""
    loaded: dict[str, Synthesizer] = {}

    def get(spec: str) -> Synthesizer:
        if spec not in loaded:
            loaded[spec] = Synthesizer(spec, speech_cache).load()
        return loaded[spec]

    yield get
    for synthesizer in loaded.values():
        synthesizer.close()


def _heard(transcriber: Transcriber, audio: Audio) -> str:
    return transcriber.transcribe(audio.for_whisper()).text


# --- the voices, heard back by Whisper -------------------------------------------------------
@pytest.mark.slow
@pytest.mark.parametrize("spec", ENGINE_VOICES + list(PRESETS))
def test_each_voice_is_understood_by_whisper(spec, voices, transcriber):
    synthesizer = voices(spec)
    heard = [_heard(transcriber, synthesizer.synthesize(line)) for line in CUSTOMER_LINES]
    wer = word_error_rate(" ".join(CUSTOMER_LINES), " ".join(heard))
    assert wer <= 0.15, f"{spec}: WER {wer:.3f}; Whisper heard: {heard}"


@pytest.mark.slow
def test_piper_runs_in_its_own_process_and_is_never_imported_here(voices):
    """piper-tts is GPL-3.0; Sparring (MIT) only talks to its command line through pipes."""
    synthesizer = voices("piper:joe")
    synthesizer.synthesize("Thanks for calling.")
    (child,) = synthesizer.process_ids()
    assert child != os.getpid()
    assert "piper" not in sys.modules and "onnxruntime" not in sys.modules


def test_importing_the_voice_module_loads_no_engine():
    code = (
        "import sys, analysis.speech.tts; "
        "print(sorted({'piper', 'onnxruntime', 'torch', 'sounddevice', 'spacy'} & set(sys.modules)))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert done.stdout.strip() == "[]"


# --- streaming and the cache -------------------------------------------------------------------
@pytest.mark.slow
@pytest.mark.parametrize("spec", ["piper:joe", "festival:slt", "espeak-male-low"])
def test_streaming_yields_the_first_clause_before_synthesising_the_rest(spec, tmp_path, voices, transcriber):
    synthesizer = Synthesizer(voices(spec).voice, tmp_path)  # an empty cache: everything is synthesised
    chunks = speech_chunks(TWO_SENTENCES)
    assert chunks == [
        "Every morning our dispatch team plans each delivery by hand,",
        "which takes hours.",
        "What would you change?",
    ]
    stream = synthesizer.stream(TWO_SENTENCES)
    first = next(stream)
    assert synthesizer.stats.chunks_synthesised == 1, "the rest waits until the first chunk is playing"
    heard = _heard(transcriber, first)
    assert word_error_rate(chunks[0], heard) <= 0.2 and "change" not in heard.lower()
    rest = list(stream)
    assert len(rest) == 2 and synthesizer.stats.chunks_synthesised == 3

    whole = synthesizer.synthesize(TWO_SENTENCES)  # now from the cache
    assert np.array_equal(whole.samples, np.concatenate([first.samples] + [c.samples for c in rest]))
    assert whole.sample_rate == first.sample_rate
    synthesizer.close()


@pytest.mark.slow
@pytest.mark.parametrize("spec", ["piper:joe", "festival:slt", "espeak-male-low"])
def test_a_cached_line_comes_back_identical_without_synthesising(spec, tmp_path, voices):
    line = "Could you send the proposal to me and to Marcus before Thursday afternoon?"
    first = Synthesizer(voices(spec).voice, tmp_path)
    original = first.synthesize(line)
    assert first.stats.chunks_synthesised >= 1 and first.stats.cache_hits == 0
    first.close()

    again = Synthesizer(voices(spec).voice, tmp_path)
    repeated = again.synthesize(line)
    # piper's voice varies a little every time it speaks, so identical samples mean the cache.
    assert np.array_equal(repeated.samples, original.samples) and repeated.sample_rate == original.sample_rate
    assert again.stats.chunks_synthesised == 0 and again.stats.cache_hits == first.stats.chunks_synthesised
    again.close()


@pytest.mark.slow
def test_the_cache_is_kept_per_voice(tmp_path, voices):
    line = "That sounds fine to me."
    low = Synthesizer(PRESETS["espeak-male-low"].voice, tmp_path)
    brisk = Synthesizer(PRESETS["espeak-male-brisk"].voice, tmp_path)
    assert not np.array_equal(low.synthesize(line).samples, brisk.synthesize(line).samples)
    assert brisk.stats.cache_hits == 0


def test_the_default_cache_is_in_the_project_cache_directory(tmp_path, monkeypatch):
    monkeypatch.setenv("SPAR_CACHE_DIR", str(tmp_path))
    synthesizer = Synthesizer("espeak-male-low")
    synthesizer.synthesize("Fine.")
    assert list((tmp_path / "speech").rglob("*.wav"))


# --- voices by name ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("spec", "voice"),
    [
        ("piper:joe", Voice("piper", "joe")),
        ("piper:joe,speed=1.2", Voice("piper", "joe", pace=1.2)),
        ("festival:slt", Voice("festival", "slt")),
        ("espeak:en-us", Voice("espeak", "en-us")),
        ("espeak:en-us+f3,pitch=60,speed=165", Voice("espeak", "en-us+f3", pitch=60, words_per_minute=165)),
        ("espeak-male-low", PRESETS["espeak-male-low"].voice),
    ],
)
def test_voices_are_written_engine_name_options(spec, voice):
    assert Voice.parse(spec) == voice
    assert Voice.parse(str(voice)) == voice


@pytest.mark.parametrize(
    ("spec", "says"),
    [
        ("robot", "unknown voice 'robot'"),
        ("piper:amy", "piper has no voice 'amy'"),
        ("piper:joe,pitch=40", "speed=, not pitch="),
        ("espeak:en-us,pitch=300", "pitch must be a number from 0 to 99"),
        ("espeak:en-us,speed=fast", "speed must be a number from 80 to 450"),
        ("espeak:en-us,volume=3", "'volume=3' is not an option"),
        ("espeak:EN US", "not an espeak-ng voice name"),
        ("festival:slt,speed=1.1", "festival voices take no options"),
    ],
)
def test_a_bad_voice_is_refused_in_one_line(spec, says):
    with pytest.raises(VoiceSpecError) as caught:
        Voice.parse(spec)
    assert says in str(caught.value) and "\n" not in str(caught.value)


def test_an_espeak_voice_that_does_not_exist_is_refused_when_loading(tmp_path):
    with pytest.raises(VoiceSpecError, match="espeak-ng has no voice 'xx-yy'"):
        Synthesizer("espeak:xx-yy", tmp_path).load()


def test_every_listed_voice_works_here():
    """setup.sh installs every engine, so nothing is listed as unavailable."""
    listed = tts.list_voices()
    assert {"piper:joe", "festival:slt", *PRESETS} <= {v.spec for v in listed}
    assert [v for v in listed if v.problem] == []
    assert tts.DEFAULT_VOICE == Voice("piper", "joe")


@pytest.mark.slow
def test_a_piper_model_that_does_not_match_its_hash_is_refused(tmp_path, monkeypatch):
    monkeypatch.setitem(tts.PIPER_MODEL_SHA256, "en_US-joe-medium.onnx", "0" * 64)
    synthesizer = Synthesizer("piper:joe", tmp_path)
    with pytest.raises(TTSError, match=r"en_US-joe-medium.onnx does not match the pinned SHA-256.*bash setup.sh"):
        synthesizer.load()


def test_a_missing_voice_package_says_to_run_setup(monkeypatch):
    monkeypatch.setitem(tts.PIPER_VOICES, "joe", ("no_such_voice_package", "data", "en_US-joe-medium"))
    assert "no-such-voice-package; run `bash setup.sh`" in (tts.voice_problem(Voice("piper", "joe")) or "")
    with pytest.raises(TTSError, match="run `bash setup.sh`"):
        Synthesizer("piper:joe").load()


def test_no_espeak_says_how_to_install_it(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(TTSError, match="needs espeak-ng; run `bash setup.sh` .or apt-get install espeak-ng."):
        Synthesizer("espeak-male-low", tmp_path).load()


# --- text and audio ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "chunks"),
    [
        ("We plan by hand.", ["We plan by hand."]),
        ("Mr. Lee approved 3.5 trucks. Fine?", ["Mr. Lee approved 3.5 trucks.", "Fine?"]),
        (
            "Honestly, we looked at two tools last year and neither of them understood our depots. Why?",
            ["Honestly,", "we looked at two tools last year", "and neither of them understood our depots.", "Why?"],
        ),
        ("... Okay.", ["Okay."]),
        ("", []),
    ],
)
def test_lines_are_cut_into_chunks_with_a_short_first_one(text, chunks):
    assert speech_chunks(text) == chunks


def test_resampling_to_whisper_rate_keeps_the_pitch():
    rate = 22050
    tone = Audio(np.sin(2 * np.pi * 440 * np.arange(rate) / rate).astype(np.float32), rate)
    down = tone.for_whisper()
    assert len(down) == 16000
    assert abs(np.argmax(np.abs(np.fft.rfft(down))) - 440) <= 1  # 1 Hz bins over one second


# --- spar say ------------------------------------------------------------------------------------
def _say(*args: str):
    return CliRunner().invoke(cli, ["say", *args], catch_exceptions=False)


@pytest.mark.slow
def test_spar_say_writes_a_wav_that_whisper_understands(tmp_path, transcriber):
    out = tmp_path / "line.wav"
    result = _say(CUSTOMER_LINES[2], "--voice", "espeak-female-1", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert "voice espeak:en-us+f3" in result.stdout
    with wave.open(str(out)) as wav:
        assert (wav.getnchannels(), wav.getsampwidth(), wav.getframerate()) == (1, 2, 22050)
        assert wav.getnframes() / wav.getframerate() > 3
    assert word_error_rate(CUSTOMER_LINES[2], _heard(transcriber, Audio.load_wav(out))) <= 0.15


@pytest.mark.slow
def test_spar_say_uses_the_neural_voice_by_default(tmp_path):
    out = tmp_path / "line.wav"
    result = _say("Thanks for calling.", "--out", str(out))
    assert result.exit_code == 0 and "voice piper:joe" in result.stdout
    assert Audio.load_wav(out).seconds > 0.5


def test_spar_say_refuses_an_unknown_voice_with_exit_2(tmp_path):
    result = _say("Hello.", "--voice", "robot", "--out", str(tmp_path / "x.wav"))
    assert result.exit_code == 2
    assert result.stderr.startswith("spar: unknown voice 'robot'") and result.stderr.count("\n") == 1
    assert not (tmp_path / "x.wav").exists()


def test_spar_say_refuses_an_unwritable_file_with_exit_1(tmp_path):
    out = tmp_path / "no-such-folder" / "x.wav"
    result = _say("Hello.", "--voice", "espeak-male-low", "--out", str(out))
    assert result.exit_code == 1
    assert result.stderr == f"spar: {out}: cannot write there (No such file or directory); choose another --out\n"


def test_spar_say_needs_text_and_an_out_file(tmp_path):
    assert _say("--out", str(tmp_path / "x.wav")).exit_code == 2
    result = _say("Hello.")
    assert result.exit_code == 2 and "--out FILE.wav" in result.stderr


def test_spar_say_lists_the_voices():
    result = _say("--voices")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    for spec in ("piper:joe", "festival:slt", *PRESETS):
        assert any(line.startswith(spec + " ") for line in lines), spec
    assert "unavailable" not in result.stdout


# --- playback ------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def customer_line(voices) -> Audio:
    return voices("espeak-male-low").synthesize(CUSTOMER_LINES[0])


def test_the_player_plays_a_line_to_the_end_into_a_file(tmp_path, customer_line):
    finished: list[PlaybackResult] = []
    out = tmp_path / "played.wav"
    player = Player(FileSink(out), on_finished=finished.append)
    player.play(customer_line)
    result = player.wait(timeout=10)
    player.close()
    assert result is not None and result.completed and result.error is None
    assert finished == [result] and not player.is_playing
    assert result.played_seconds == pytest.approx(customer_line.seconds, abs=0.001)
    assert np.array_equal(Audio.load_wav(out).samples, customer_line.samples)


def test_stop_cuts_the_customer_off(customer_line):
    finished: list[PlaybackResult] = []
    sink = MemorySink(realtime=True)
    player = Player(sink, on_finished=finished.append)
    started = time.monotonic()
    player.play(customer_line)
    time.sleep(0.5)
    assert player.is_playing
    player.stop()
    stopped = time.monotonic()
    assert not player.is_playing and len(finished) == 1
    result = finished[0]
    assert not result.completed and result.error is None
    assert 0.3 <= result.played_seconds < customer_line.seconds - 3  # cut after about half a second
    assert started < result.ended_at <= stopped
    assert len(sink.samples) / sink.sample_rate == pytest.approx(result.played_seconds, abs=0.001)


def test_playing_in_real_time_ends_when_the_audio_ends(customer_line):
    opening = Audio(customer_line.samples[: int(1.5 * customer_line.sample_rate)], customer_line.sample_rate)
    player = Player(MemorySink(realtime=True))
    started = time.monotonic()
    player.play(opening)
    result = player.wait(timeout=10)
    assert result is not None and result.completed
    assert 1.45 <= result.ended_at - started <= 2.2  # the audio's length, plus a busy machine's slack


@pytest.mark.slow
def test_the_player_plays_a_stream_as_it_is_synthesised(tmp_path, voices):
    synthesizer = Synthesizer(voices("piper:joe").voice, tmp_path)
    sink = MemorySink()
    player = Player(sink)
    player.play(synthesizer.stream(TWO_SENTENCES))
    result = player.wait(timeout=30)
    assert result is not None and result.completed
    assert np.array_equal(sink.samples, synthesizer.synthesize(TWO_SENTENCES).samples)  # second time: cache
    synthesizer.close()


def test_a_new_line_stops_the_one_playing(customer_line):
    finished: list[PlaybackResult] = []
    player = Player(MemorySink(realtime=True), on_finished=finished.append)
    player.play(customer_line)
    time.sleep(0.2)
    player.play(customer_line)
    player.stop()
    assert [r.completed for r in finished] == [False, False]


class _FailingSink(MemorySink):
    """A device that fails after a few blocks, as an unplugged headset does."""

    def write(self, block: np.ndarray) -> None:
        if len(self.blocks) == 3:
            raise PlaybackError("the output device 'headset' failed (unplugged); the call goes on in text")
        super().write(block)


def test_a_device_failing_mid_line_ends_it_with_the_error(customer_line):
    player = Player(_FailingSink())
    player.play(customer_line)
    result = player.wait(timeout=5)
    assert result is not None and not result.completed
    assert isinstance(result.error, PlaybackError) and "unplugged" in str(result.error)


def test_a_voice_failing_mid_line_ends_it_with_the_error(customer_line):
    def chunks():
        yield customer_line
        raise TTSError("voice 'piper:joe': piper stopped (killed)")

    player = Player(MemorySink())
    player.play(chunks())
    result = player.wait(timeout=5)
    assert result is not None and not result.completed and "piper stopped" in str(result.error)


def test_no_output_device_gives_a_playback_error():
    assert not output_device_available("no-such-speaker")
    with pytest.raises(PlaybackError, match="no audio output device 'no-such-speaker' found.*--mute"):
        SoundDeviceSink("no-such-speaker")


@pytest.mark.skipif(output_device_available(), reason="this machine has an output device")
def test_without_any_output_device_the_default_player_says_so():
    with pytest.raises(PlaybackError, match="no audio output device found"):
        Player()


def test_on_finished_may_start_the_next_step_from_the_player_thread(customer_line):
    """The app starts the rep's turn from on_finished; stopping from there must not deadlock."""
    ended = threading.Event()
    player = Player(MemorySink())

    def next_step(result: PlaybackResult) -> None:
        player.stop()
        ended.set()

    player.on_finished = next_step
    player.play(customer_line)
    assert ended.wait(timeout=5)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="uses ALSA's null device")
def test_the_speaker_sink_plays_through_portaudio(tmp_path, customer_line):
    """A real PortAudio output stream, on ALSA's null device (it discards the sound, at no set pace)."""
    (tmp_path / ".asoundrc").write_text("pcm.!default { type null }\n")
    wav = tmp_path / "line.wav"
    customer_line.save_wav(wav)
    code = f"""
from analysis.speech.tts import Audio
from simulator.audio.playback import Player, SoundDeviceSink, output_device_available
assert output_device_available()
player = Player(SoundDeviceSink())
for _ in range(2):   # the stream is reused for the next line
    player.play(Audio.load_wav({str(wav)!r}))
    result = player.wait(timeout=30)
    assert result is not None and result.completed and result.error is None, result
player.close()
print("played", result.played_seconds)
"""
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={**os.environ, "HOME": str(tmp_path), "PYTHONPATH": str(ROOT)},
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"played {round(customer_line.seconds, 3)}"


def test_a_closed_synthesizer_does_not_start_its_engine_again(tmp_path):
    synthesizer = Synthesizer("espeak-male-low", tmp_path)
    stream = synthesizer.stream("First this. Then that.")
    next(stream)
    synthesizer.close()
    with pytest.raises(TTSError, match="was closed"):
        next(stream)
