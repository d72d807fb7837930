"""Audio paths are local files: ffmpeg never opens a network connection, whatever a file is called."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from analysis.speech import audio_file
from analysis.speech.audio_file import SAMPLE_RATE, load_audio
from simulator.audio.recording import save_wav

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def url_named_wav(tmp_path: Path) -> Path:
    """A real local WAV whose name reads like a URL to ffmpeg."""
    tone = 0.3 * np.sin(2 * np.pi * 440 * np.arange(SAMPLE_RATE) / SAMPLE_RATE).astype(np.float32)
    return save_wav(tmp_path / "http:x.wav", tone)


def test_ffmpeg_is_given_a_local_file_and_only_local_protocols(url_named_wav, monkeypatch):
    seen: list[list[str]] = []
    real_run = subprocess.run

    def recording_run(argv, **kwargs):
        seen.append(list(argv))
        return real_run(argv, **kwargs)

    monkeypatch.setattr(audio_file.subprocess, "run", recording_run)
    monkeypatch.chdir(url_named_wav.parent)
    load_audio(Path("http:x.wav"))
    [argv] = seen
    source = argv[argv.index("-i") + 1]
    assert source == f"file:{url_named_wav.resolve()}"
    whitelist = argv.index("-protocol_whitelist")
    assert argv[whitelist + 1] == "file,pipe" and whitelist < argv.index("-i")


def test_a_file_named_like_a_url_is_decoded_from_disk(url_named_wav, monkeypatch):
    monkeypatch.chdir(url_named_wav.parent)
    audio = load_audio("http:x.wav")
    assert audio.size == SAMPLE_RATE and float(np.abs(audio).max()) > 0.2


def test_no_network_connection_is_attempted(url_named_wav):
    """ffmpeg run for real under strace: no AF_INET or AF_INET6 connect, not even a DNS lookup."""
    if shutil.which("strace") is None:
        pytest.fail("strace is missing: run `bash setup.sh --test`, which installs it")
    trace = url_named_wav.parent / "connect.trace"
    code = "from analysis.speech.audio_file import load_audio; print(load_audio('http:x.wav').size)"
    done = subprocess.run(
        ["strace", "-f", "-e", "trace=connect", "-o", str(trace), sys.executable, "-c", code],
        cwd=url_named_wav.parent,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    if "ptrace" in done.stderr and "Operation not permitted" in done.stderr:
        pytest.skip(f"strace cannot trace here: {done.stderr.strip()}")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == str(SAMPLE_RATE)
    connects = [line for line in trace.read_text().splitlines() if "AF_INET" in line]
    assert connects == []
