"""Whisper engines compared on the same spoken replies: accuracy, speed, memory, end-of-turn wait.

Replies are synthesised with espeak-ng (about ten seconds each, like a real answer on a call).
Each engine and model runs in a fresh process, so peak memory is its own. The end-of-turn wait
is the time from the rep stopping to the final transcript: without incremental transcription
that is the whole reply; with it, audio is fed in 100 ms blocks at real-time pace and only the
tail after the last pause is left when the reply ends.

    .venv/bin/python bench/transcribe.py [--models tiny.en] [--engines faster-whisper openai-whisper]
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench._table import table  # noqa: E402

REPLIES = [
    "Thanks for making the time today, Dana. Before I say anything about us, could you walk me through "
    "how your team plans the delivery routes each morning?",
    "So if I heard you right, Marcus moves the drivers around by hand in a spreadsheet, and the trucks "
    "cannot leave until nine. What does that delay cost you?",
    "That makes sense. When one delivery in eight misses its window, what happens with your two largest "
    "retail customers, and how are they reacting to it?",
]


def synthesise(folder: Path) -> list[tuple[Path, str]]:
    files = []
    for i, text in enumerate(REPLIES):
        path = folder / f"reply{i}.wav"
        subprocess.run(["espeak-ng", "-s", "150", "-w", str(path), text], check=True)
        files.append((path, text))
    return files


def measure_one(engine: str, model: str, files: list[tuple[str, str]]) -> dict:
    """Runs inside a fresh process."""
    from analysis.incremental import IncrementalTranscriber
    from analysis.transcribe import SAMPLE_RATE, Transcriber, load_audio, word_error_rate

    started = time.perf_counter()
    transcriber = Transcriber(engine, model)
    load = time.perf_counter() - started
    transcriber.transcribe(load_audio(files[0][0])[: SAMPLE_RATE])  # warm-up
    wers, rtfs, full_waits, incremental_waits, incremental_wers, lengths = [], [], [], [], [], []
    for path, text in files:
        audio = load_audio(path)
        seconds = len(audio) / SAMPLE_RATE
        lengths.append(seconds)
        result = transcriber.transcribe(audio)
        wers.append(word_error_rate(text, result.text))
        rtfs.append(result.seconds / seconds)
        full_waits.append(result.seconds)
        live = IncrementalTranscriber(transcriber)
        block = SAMPLE_RATE // 10
        clock = time.perf_counter()
        for i in range(0, len(audio), block):
            live.feed(audio[i:i + block])
            clock += 0.1
            time.sleep(max(0.0, clock - time.perf_counter()))  # the rep speaks in real time
        final = live.finish()
        incremental_waits.append(final.seconds)
        incremental_wers.append(word_error_rate(text, final.text))
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"engine": engine, "model": model, "load": load, "wer": statistics.mean(wers),
            "incremental_wer": statistics.mean(incremental_wers), "rtf": statistics.mean(rtfs),
            "full_wait": statistics.mean(full_waits), "incremental_wait": statistics.mean(incremental_waits),
            "incremental_wait_max": max(incremental_waits), "peak_mb": peak_mb,
            "reply_seconds": statistics.mean(lengths)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engines", nargs="+", default=["faster-whisper", "openai-whisper"])
    parser.add_argument("--models", nargs="+", default=["tiny.en"])
    parser.add_argument("--one", nargs=3, metavar=("ENGINE", "MODEL", "FILES_JSON"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        engine, model, files = args.one
        print(json.dumps(measure_one(engine, model, json.loads(files))))
        return

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        files = [(str(p), t) for p, t in synthesise(Path(tmp))]
        for model in args.models:
            for engine in args.engines:
                done = subprocess.run([sys.executable, __file__, "--one", engine, model, json.dumps(files)],
                                      capture_output=True, text=True, cwd=ROOT)
                if done.returncode:
                    rows.append([engine, model, "failed: " + (done.stderr.strip().splitlines() or ["?"])[-1]] + [""] * 7)
                    continue
                r = json.loads(done.stdout.strip().splitlines()[-1])
                rows.append([engine, model, f"{r['wer']:.3f}", f"{r['incremental_wer']:.3f}", f"{r['rtf']:.3f}",
                             f"{r['peak_mb']:.0f}", f"{r['load']:.1f}", f"{r['full_wait']:.2f}",
                             f"{r['incremental_wait']:.2f} (max {r['incremental_wait_max']:.2f})"])
    print(f"{len(REPLIES)} espeak-ng replies of about 10 s each, {Path('/proc/cpuinfo').read_text().count('processor')} CPU cores\n")
    print(table(["engine", "model", "WER", "WER incremental", "real-time factor", "peak MB", "load s",
                 "wait after reply, whole s", "wait after reply, incremental s"], rows))


if __name__ == "__main__":
    main()
