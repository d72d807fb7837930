"""How fast `spar analyze` gets through utterances, and how long a one-hour call takes.

Runs the real command as a subprocess on generated JSONL (written for the bench, so it needs no
dataset), and the analyzer in-process to separate model loading from analysis.

    .venv/bin/python bench/analyze_throughput.py [--sizes 500 2000 8000]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench._table import table  # noqa: E402

CUSTOMER = [
    "We plan every route by hand in a spreadsheet, and it takes most of the morning.",
    "Honestly the late deliveries are what keep me up at night.",
    "Our biggest customer renews in March and they are watching our on-time rate.",
    "Overtime is climbing because drivers run over their hours when routes are bad.",
    "I'm not sure we have budget for anything new this year.",
]
REP = [
    "Okay, so how do you plan the routes today?",
    "So you're spending most of the morning on the spreadsheet.",
    "What happens when a driver calls in sick",
    "Um, and what does that cost you each month? I'm asking because most fleets underestimate it.",
    "RouteDesk plans the routes automatically, and our customers cut overtime by a fifth.",
    "It sounds like the renewal is worrying you.",
    "Could we set up a meeting next week with your dispatch lead?",
]


def conversation_lines(n: int, turns_per_call: int = 40) -> list[dict]:
    lines = []
    for i in range(n):
        speaker = "customer" if i % 2 == 0 else "rep"
        pool = CUSTOMER if speaker == "customer" else REP
        lines.append(
            {"speaker": speaker, "text": pool[(i // 2) % len(pool)], "conversation_id": f"c{i // turns_per_call}"}
        )
    return lines


def one_hour_call() -> list[dict]:
    """An hour of talk at 150 words a minute: 9,000 words, as one conversation."""
    lines: list[dict] = []
    words = 0
    while words < 9000:
        lines = conversation_lines(len(lines) + 1, turns_per_call=10**6)
        words += len(lines[-1]["text"].split())
    return lines


def run_command(path: Path) -> float:
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "simulator", "analyze", str(path)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ},
    )
    if done.returncode:
        raise SystemExit(f"spar analyze failed: {done.stderr.strip()}")
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[500, 2000, 8000])
    args = parser.parse_args()

    from analysis.language.analyzer import Analyzer, Utterance

    started = time.perf_counter()
    analyzer = Analyzer()
    load_seconds = time.perf_counter() - started

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for size in args.sizes:
            lines = conversation_lines(size)
            path = Path(tmp) / f"u{size}.jsonl"
            path.write_text("\n".join(json.dumps(x) for x in lines) + "\n", encoding="utf-8")
            wall = run_command(path)
            utterances = [Utterance(x["speaker"], x["text"], x["conversation_id"]) for x in lines]
            t = time.perf_counter()
            for _ in analyzer.analyze(utterances):
                pass
            analysis = time.perf_counter() - t
            rows.append(
                [
                    f"spar analyze, {size} utterances",
                    f"{wall:.2f}",
                    f"{size / wall:,.0f}",
                    f"{analysis:.2f}",
                    f"{size / analysis:,.0f}",
                ]
            )

    hour = one_hour_call()
    words = sum(len(x["text"].split()) for x in hour)
    utterances = [Utterance(x["speaker"], x["text"], "hour") for x in hour]
    t = time.perf_counter()
    for _ in analyzer.analyze(utterances):
        pass
    analysis = time.perf_counter() - t
    rows.append(
        [
            f"one-hour call ({len(hour)} turns, {words:,} words)",
            "",
            "",
            f"{analysis:.2f}",
            f"{len(hour) / analysis:,.0f}",
        ]
    )

    print(f"spaCy pipeline load (in-process): {load_seconds:.2f} s on {os.cpu_count()} CPUs\n")
    print(table(["input", "command wall s", "utt/s incl. load", "analysis s", "utt/s analysis only"], rows))


if __name__ == "__main__":
    main()
