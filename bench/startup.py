"""Start-up times: `spar --help`, and a fresh process to the app's first screen.

Each figure is the median of several fresh processes. The first screen is the start screen,
drawn (headless) and ready for keys; the language model keeps loading in the background, so
the time until replies can be analysed is shown on its own row, with the longest stall of the
event loop while it loads (keys typed meanwhile wait at most that long).

    .venv/bin/python bench/startup.py [--runs 5]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench._table import table  # noqa: E402

CHILD = r"""
import asyncio, sys, time
from simulator.ui.app import create_app
from simulator.storage import Store

async def main():
    app = create_app(store=Store(sys.argv[1]))
    async with app.run_test() as pilot:
        painted = asyncio.Event()
        # Fires once the start screen has been composed, laid out and refreshed.
        app.screen.call_after_refresh(painted.set)
        await painted.wait()
        assert type(app.screen).__name__ == "StartScreen"
        print("FIRST_SCREEN", flush=True)
        gaps, last = [0.0], time.perf_counter()
        while not app._analyzer_loaded.is_set():
            await asyncio.sleep(0.02)
            now = time.perf_counter()
            gaps.append(now - last - 0.02)
            last = now
        print("MODEL_READY", flush=True)
        print("STALL", max(gaps), flush=True)

asyncio.run(main())
"""


def _timed_lines(args: list[str], marks: list[str]) -> dict[str, float]:
    started = time.perf_counter()
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    seen: dict[str, float] = {}
    assert proc.stdout is not None
    for line in proc.stdout:
        for mark in marks:
            if line.startswith(mark):
                seen[mark] = time.perf_counter() - started
        if line.startswith("STALL"):
            seen["stall"] = float(line.split()[1])
    seen["exit"] = time.perf_counter() - started
    if proc.wait():
        raise SystemExit(f"{' '.join(args)} failed: {proc.stderr.read() if proc.stderr else ''}")
    return seen


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    spar = str(Path(sys.executable).with_name("spar"))
    help_times, first_screen, model_ready, stalls = [], [], [], []
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(args.runs):
            help_times.append(_timed_lines([spar, "--help"], [])["exit"])
            seen = _timed_lines([sys.executable, "-c", CHILD, f"{tmp}/bench{i}.db"], ["FIRST_SCREEN", "MODEL_READY"])
            first_screen.append(seen["FIRST_SCREEN"])
            model_ready.append(seen["MODEL_READY"])
            stalls.append(seen["stall"])

    def row(name: str, values: list[float]) -> list[str]:
        return [name, f"{statistics.median(values):.2f}", f"{min(values):.2f}", f"{max(values):.2f}"]

    print(f"{args.runs} fresh processes each\n")
    print(
        table(
            ["measure", "median s", "min s", "max s"],
            [
                row("spar --help", help_times),
                row("process start to first screen", first_screen),
                row("process start to language model ready", model_ready),
                row("longest event-loop stall while it loads", stalls),
            ],
        )
    )


if __name__ == "__main__":
    main()
