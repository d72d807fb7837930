"""The customer's voices compared: load time, time to first audio, real-time factor, memory.

Each voice runs in fresh processes (median of --runs), with the cache off, so every line is
really synthesised. Time to first audio is from asking for a 20-word line to holding its first
chunk, which is when playback can start: once for a line whose first sentence has a clause break
(cut there, see analysis/speech/tts.py), once for one without (synthesised whole), and once for a
line already in the cache. The real-time factor is synthesis time over audio length for the whole
line. Memory is peak RSS: of the engine's own process (piper's and festival's long-lived child;
an espeak-ng run on the 20-word line, measured with /usr/bin/time from Debian's `time` package,
because a child's rusage also counts the Python process it was forked from), and of the Sparring
process that drives it.

    .venv/bin/python bench/tts.py [--voices piper:joe festival:slt ...] [--runs 3]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Twenty words each, as a customer says them.
CLAUSE_LINE = (
    "Honestly, we looked at two routing tools last year, and neither of them really understood "
    "how our depots actually work."
)
UNBROKEN_LINE = (
    "We need a routing tool that our dispatchers can learn in a week without any help from the IT department."
)
DEFAULT_VOICES = [
    "piper:joe",
    "festival:slt",
    "espeak:en-us,speed=160",
    "espeak-female-1",
    "espeak-female-2",
    "espeak-male-low",
    "espeak-male-brisk",
    "espeak-british-male",
]


def _peak_rss_mb(pid: int) -> float:
    """VmHWM of a running process (Linux), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _espeak_peak_mb(spec: str) -> float | None:
    """Peak RSS of one espeak-ng run speaking the line, or None without /usr/bin/time."""
    from analysis.speech.tts import Voice

    voice = Voice.parse(spec)
    if not Path("/usr/bin/time").is_file():
        return None
    command = ["/usr/bin/time", "-f", "%M", "espeak-ng", "--stdout", "-v", voice.name]
    if voice.pitch is not None:
        command += ["-p", str(voice.pitch)]
    if voice.words_per_minute is not None:
        command += ["-s", str(voice.words_per_minute)]
    done = subprocess.run(
        [*command, UNBROKEN_LINE], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, check=True
    )
    return int(done.stderr.strip().splitlines()[-1]) / 1024


def _first_chunk_seconds(synthesizer, text: str) -> float:
    started = time.perf_counter()
    stream = synthesizer.stream(text)
    next(stream)
    elapsed = time.perf_counter() - started
    for _ in stream:  # finish the line, as playback would, before the next measurement
        pass
    return elapsed


def measure_one(spec: str) -> dict:
    """Runs inside a fresh process."""
    from analysis.speech.tts import Synthesizer

    with tempfile.TemporaryDirectory() as cache:
        started = time.perf_counter()
        synthesizer = Synthesizer(spec, Path(cache), use_cache=False).load()
        load = time.perf_counter() - started
        first_clause = _first_chunk_seconds(synthesizer, CLAUSE_LINE)
        first_unbroken = _first_chunk_seconds(synthesizer, UNBROKEN_LINE)
        started = time.perf_counter()
        audio = synthesizer.synthesize(CLAUSE_LINE)
        rtf = (time.perf_counter() - started) / audio.seconds
        engine_peak = max([_peak_rss_mb(pid) for pid in synthesizer.process_ids()] or [0.0])
        synthesizer.close()

        cached = Synthesizer(spec, Path(cache)).load()
        cached.synthesize(CLAUSE_LINE)
        first_cached = _first_chunk_seconds(cached, CLAUSE_LINE)
        cached.close()
    if synthesizer.voice.engine == "espeak":
        engine_peak = _espeak_peak_mb(spec) or float("nan")
    return {
        "load": load,
        "first_clause": first_clause,
        "first_unbroken": first_unbroken,
        "first_cached": first_cached,
        "rtf": rtf,
        "audio_seconds": audio.seconds,
        "engine_mb": engine_peak,
        "own_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--voices", nargs="+", default=DEFAULT_VOICES)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--one", help=argparse.SUPPRESS)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    if args.one:
        print(json.dumps(measure_one(args.one)))
        return

    rows = []
    for spec in args.voices:
        runs = []
        for _ in range(args.runs):
            done = subprocess.run(
                [sys.executable, __file__, "--one", spec],
                capture_output=True,
                text=True,
                check=False,
                cwd=ROOT,
                env={**os.environ, "PYTHONPATH": str(ROOT)},
            )
            if done.returncode != 0:
                sys.exit(f"{spec}: {done.stderr.strip().splitlines()[-1] if done.stderr.strip() else 'failed'}")
            runs.append(json.loads(done.stdout.strip().splitlines()[-1]))

        median = {key: statistics.median(run[key] for run in runs) for key in runs[0]}
        rows.append(
            [
                spec,
                f"{median['load']:.2f}",
                f"{median['first_clause']:.2f}",
                f"{median['first_unbroken']:.2f}",
                f"{median['first_cached'] * 1000:.1f}",
                f"{median['rtf']:.3f}",
                f"{median['audio_seconds']:.1f}",
                f"{median['engine_mb']:.0f}",
                f"{median['own_mb']:.0f}",
            ]
        )
    from bench._table import table

    print(
        f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}; median of {args.runs} fresh processes; "
        "20-word lines"
    )
    print(
        table(
            [
                "voice",
                "load s",
                "first audio s (clause break)",
                "first audio s (no break)",
                "first audio ms (cached)",
                "real-time factor",
                "line audio s",
                "engine peak MB",
                "Sparring peak MB",
            ],
            rows,
        )
    )


if __name__ == "__main__":
    main()
