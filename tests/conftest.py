"""Shared fixtures: a real spaCy analyzer (loaded once), a real SQLite file per test."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from analysis.speech.audio_file import SAMPLE_RATE, load_audio
from simulator.audio.recording import save_wav
from simulator.domain.scenario_file import load_scenario
from simulator.locations import builtin_scenarios_dir
from simulator.storage import Store


@pytest.fixture(scope="session")
def model_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One converted-model cache for the whole run (converting takes a second)."""
    return tmp_path_factory.mktemp("cache")


@pytest.fixture(autouse=True)
def isolated_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, model_cache: Path) -> Path:
    """No test touches the user's real data directory, cache or database."""
    data = tmp_path / "data"
    monkeypatch.setenv("SPAR_DATA_DIR", str(data))
    monkeypatch.setenv("SPAR_CACHE_DIR", str(model_cache))
    monkeypatch.delenv("SPAR_DB", raising=False)
    monkeypatch.delenv("SPAR_SCENARIOS", raising=False)
    monkeypatch.setattr("simulator.audio.customer_voice._speaker", _no_speaker)
    return data


def _no_speaker():
    """No test plays the customer through the machine's speakers; tests that hear the customer
    pass their own sink (`create_app(customer_voice_factory=...)`)."""
    from simulator.audio.playback import PlaybackError

    raise PlaybackError("no audio output device in tests; the customer's lines stay text")


@pytest.fixture(scope="session")
def analyzer():
    from analysis.language.analyzer import Analyzer

    return Analyzer()


@pytest.fixture(scope="session")
def fast_transcriber():
    """Whisper tiny.en on faster-whisper, loaded once for every test that transcribes."""
    from analysis.speech.engines import Transcriber

    return Transcriber("faster-whisper", "tiny.en")


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "spar.db"


@pytest.fixture
def store(db_path: Path):
    s = Store(db_path)
    yield s
    s.close()


@pytest.fixture
def freight():
    return load_scenario(builtin_scenarios_dir() / "freight-discovery.yaml")


# A call written for the freight scenario: asks first, paraphrases, develops two needs into explicit
# ones (what the late start and the late drops cost), pitches late, meets the objective.
GOOD_FREIGHT_CALL = [
    "Thanks for making time, Dana. Before I say anything about us, how do you plan the routes today?",
    "So every morning Marcus moves drivers around in a spreadsheet by hand, and the trucks can't leave until nine.",
    "What does the late start cost you?",
    "What problems does that cause for your deliveries?",
    "What impact do the late drops have on your customers?",
    "RouteDesk plans routes automatically, so Marcus could be done by seven.",
    "Could we set up a meeting next week with you and Marcus?",
]


@pytest.fixture(scope="session")
def encoder():
    """The customer's sentence model, loaded once (it takes about a second)."""
    from analysis.language.meaning import SentenceEncoder

    return SentenceEncoder()


# --- speech for the voice tests: espeak-ng into WAV files, once a session ----------------------
SENTENCES = {
    "routes": "Thanks for making time. How do you plan the routes for your drivers today?",
    "problems": "What problems does that cause for your deliveries?",
    "meeting": "Could we set up a meeting next week with you and Marcus?",
}


@pytest.fixture(scope="session")
def voices(tmp_path_factory) -> dict[str, Path]:
    """Each sentence spoken by espeak-ng, with half a second of silence either side; plus
    silence and noise."""
    if shutil.which("espeak-ng") is None:
        pytest.fail("espeak-ng is missing: run `bash setup.sh --test`, which installs it")
    folder = tmp_path_factory.mktemp("voices")
    files = {}
    for key, text in SENTENCES.items():
        raw = folder / f"{key}-raw.wav"
        subprocess.run(["espeak-ng", "-s", "150", "-w", str(raw), text], check=True)
        speech = load_audio(raw)
        pad = np.zeros(SAMPLE_RATE // 2, dtype=np.float32)
        files[key] = save_wav(folder / f"{key}.wav", np.concatenate([pad, speech, pad]))
    rng = np.random.default_rng(7)
    files["silence"] = save_wav(folder / "silence.wav", np.zeros(SAMPLE_RATE * 3, dtype=np.float32))
    files["noise"] = save_wav(folder / "noise.wav", rng.normal(0, 0.02, SAMPLE_RATE * 3).astype(np.float32))
    files["hum"] = save_wav(folder / "hum.wav", 0.1 * np.sin(2 * np.pi * 50 * np.arange(SAMPLE_RATE * 3) / SAMPLE_RATE))
    return files
