"""Whisper engines compared on the same spoken replies: accuracy, speed, memory, end-of-turn wait.

Replies are synthesised with espeak-ng (about ten seconds each, like a real answer on a call).
Each engine and model runs in a fresh process, so peak memory is its own. The end-of-turn wait
is the time from the rep stopping to the final transcript, with audio fed in 100 ms blocks at
real-time pace as from a microphone (a 10-second reply is transcribed whole when it ends; a long
answer is cut at pauses and transcribed while the rep speaks). For the 30-second answer the table
also shows transcribing it all at the end, for comparison.

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


# One long answer (about 30 s): where transcribing while the rep speaks matters.
LONG_REPLY = " ".join(REPLIES)


def synthesise(folder: Path) -> list[tuple[Path, str]]:
    files = []
    for i, text in enumerate(REPLIES + [LONG_REPLY]):
        path = folder / f"reply{i}.wav"
        subprocess.run(["espeak-ng", "-s", "150", "-w", str(path), text], check=True)
        files.append((path, text))
    return files


def measure_one(engine: str, model: str, files: list[tuple[str, str]]) -> dict:
    """Runs inside a fresh process."""
    from analysis.speech.audio_file import SAMPLE_RATE, load_audio
    from analysis.speech.engines import Transcriber
    from analysis.speech.incremental import IncrementalTranscriber
    from analysis.speech.wer import word_error_rate

    started = time.perf_counter()
    transcriber = Transcriber(engine, model)
    load = time.perf_counter() - started
    transcriber.transcribe(load_audio(files[0][0])[:SAMPLE_RATE])  # warm-up

    def live_wait(audio) -> tuple[float, str]:
        live = IncrementalTranscriber(transcriber)
        block = SAMPLE_RATE // 10
        clock = time.perf_counter()
        for i in range(0, len(audio), block):
            live.feed(audio[i : i + block])
            clock += 0.1
            time.sleep(max(0.0, clock - time.perf_counter()))  # the rep speaks in real time
        final = live.finish()
        return final.seconds, final.text

    wers, rtfs, waits, whole_waits, lengths = [], [], [], [], []
    for path, text in files[:-1]:
        audio = load_audio(path)
        seconds = len(audio) / SAMPLE_RATE
        lengths.append(seconds)
        result = transcriber.transcribe(audio)
        wers.append(word_error_rate(text, result.text))
        rtfs.append(result.seconds / seconds)
        whole_waits.append(result.seconds)
        waits.append(live_wait(audio)[0])
    long_path, long_text = files[-1]
    long_audio = load_audio(long_path)
    whole = transcriber.transcribe(long_audio)
    long_wait, long_live_text = live_wait(long_audio)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "engine": engine,
        "model": model,
        "load": load,
        "wer": statistics.mean(wers),
        "rtf": statistics.mean(rtfs),
        "wait": statistics.mean(waits),
        "wait_max": max(waits),
        "whole_wait": statistics.mean(whole_waits),
        "long_seconds": len(long_audio) / SAMPLE_RATE,
        "long_wait_whole": whole.seconds,
        "long_wait_live": long_wait,
        "long_wer_whole": word_error_rate(long_text, whole.text),
        "long_wer_live": word_error_rate(long_text, long_live_text),
        "peak_mb": peak_mb,
        "reply_seconds": statistics.mean(lengths),
    }


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
                done = subprocess.run(
                    [sys.executable, __file__, "--one", engine, model, json.dumps(files)],
                    capture_output=True,
                    text=True,
                    cwd=ROOT,
                )
                if done.returncode:
                    rows.append(
                        [engine, model, "failed: " + (done.stderr.strip().splitlines() or ["?"])[-1]] + [""] * 7
                    )
                    continue
                r = json.loads(done.stdout.strip().splitlines()[-1])
                rows.append(
                    [
                        engine,
                        model,
                        f"{r['wer']:.3f}",
                        f"{r['rtf']:.3f}",
                        f"{r['peak_mb']:.0f}",
                        f"{r['load']:.1f}",
                        f"{r['whole_wait']:.2f}",
                        f"{r['wait']:.2f} (max {r['wait_max']:.2f})",
                        f"{r['long_wait_whole']:.2f} / {r['long_wer_whole']:.3f}",
                        f"{r['long_wait_live']:.2f} / {r['long_wer_live']:.3f}",
                    ]
                )
    print(
        f"{len(REPLIES)} espeak-ng replies of about 10 s each, and one long answer of about 30 s; "
        f"{Path('/proc/cpuinfo').read_text().count('processor')} CPU cores\n"
    )
    print(
        table(
            [
                "engine",
                "model",
                "WER",
                "real-time factor",
                "peak MB",
                "load s",
                "10 s reply, all at the end: wait s",
                "10 s reply, while speaking: wait s",
                "30 s answer, all at the end: wait s / WER",
                "30 s answer, while speaking: wait s / WER",
            ],
            rows,
        )
    )


if __name__ == "__main__":
    main()
