"""How fast and how well the scripted customer understands a rep: prints tables.

    python bench/customer.py [--runs 5]

- Speed, each in a fresh process: loading the sentence model (first time, when it is unpacked and
  checked, and after), its memory, encoding a scenario's phrases (first time, and from the cache),
  encoding one question, and the customer's reply once the rep's turn is analysed.
- Understanding: questions written for this bench (not used to set the threshold or write the
  scenario's examples), each aimed at one need and SPIN layer of freight-discovery, or at nothing
  (small talk, proposals). Reports how many reach the intended need, and the intended layer.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._table import table  # noqa: E402

# (question, need id or "-" for none, layer the question aims at)
HELD_OUT = [
    ("Talk me through how the daily schedule gets put together.", "manual-planning", "problem"),
    ("Who decides which van takes which stops?", "manual-planning", "problem"),
    ("What's the process each morning before the drivers set off?", "manual-planning", "problem"),
    ("What knock-on effect does the slow start have on the rest of the day?", "manual-planning", "implication"),
    ("How does Marcus being stuck on the plan affect everyone else?", "manual-planning", "implication"),
    ("If the trucks were out the door by seven, what would that unlock?", "manual-planning", "payoff"),
    ("How punctual are your drops these days?", "late-deliveries", "problem"),
    ("Do your retail clients ever grumble about timing?", "late-deliveries", "problem"),
    ("When a slot is missed, what does that set off with the supermarket?", "late-deliveries", "implication"),
    ("What do the penalties for late arrivals add up to?", "late-deliveries", "implication"),
    ("Suppose every delivery landed in its window: what changes for you?", "late-deliveries", "payoff"),
    ("Which big accounts come up for renegotiation soon?", "contract-at-risk", "problem"),
    ("What would it do to the company if that account left?", "contract-at-risk", "implication"),
    ("How are your drivers' shifts running compared with what they're paid for?", "driver-overtime", "problem"),
    ("What's happening with pay now that people are on the road longer?", "driver-overtime", "problem"),
    ("Who upstairs is asking questions about the wage bill?", "driver-overtime", "implication"),
    ("Where would you spend the savings from fewer extra hours?", "driver-overtime", "payoff"),
    ("How many vehicles are on the road?", "fleet", None),
    ("What software does the office run on?", "tools", None),
    ("Who would need to sign off on something like this?", "decision", None),
    ("How are you today?", "-", None),
    ("Could we set up a meeting next week?", "-", None),
    ("Great, thanks for your time.", "-", None),
    ("Did you have a good weekend?", "-", None),
]


def _speed_probe(cache: str) -> dict:
    """Runs in a fresh process."""
    import resource
    import time

    os.environ["SPAR_CACHE_DIR"] = cache
    started = time.perf_counter()
    from analysis.language.meaning import SentenceEncoder

    encoder = SentenceEncoder()
    load = time.perf_counter() - started
    from analysis.types import QuestionType, SpinKind, TurnAnalysis
    from simulator.domain.catalogue import resolve_scenario
    from simulator.domain.scripted import ScriptedCustomer
    from simulator.domain.understanding import MeaningMatcher

    scenario = resolve_scenario("freight-discovery")
    matcher = MeaningMatcher(scenario, encoder, Path(cache) / "meaning")
    started = time.perf_counter()
    matcher.prepare([])
    phrases = time.perf_counter() - started
    encode, reply = [], []
    analysis = TurnAnalysis(is_question=True, question_type=QuestionType.OPEN, is_needs_question=True,
                            spin=SpinKind.SITUATION)  # fmt: skip
    for question, _, _ in HELD_OUT[:12]:
        customer = ScriptedCustomer(scenario, "Sam", matcher)
        started = time.perf_counter()
        customer.prepare(question)
        encode.append(time.perf_counter() - started)
        started = time.perf_counter()
        customer.respond(question, analysis, 1)
        reply.append(time.perf_counter() - started)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"load": load, "phrases": phrases, "encode": statistics.median(encode),
            "reply": statistics.median(reply), "reply_max": max(reply), "peak_mb": peak}  # fmt: skip


def speed(runs: int) -> None:
    rows = []
    for label, fresh in (("first use (unpack, check, encode phrases)", True), ("after", False)):
        results = []
        keep = tempfile.mkdtemp()
        for _ in range(runs):
            cache = tempfile.mkdtemp() if fresh else keep
            code = f"import json, sys; sys.path.insert(0, {str(ROOT)!r}); from bench.customer import _speed_probe; " \
                   f"print(json.dumps(_speed_probe({cache!r})))"  # fmt: skip
            done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
            results.append(json.loads(done.stdout.strip().splitlines()[-1]))
        if not fresh:
            results = results[1:] or results  # the first run of the shared cache is a first use
        med = {k: statistics.median(r[k] for r in results) for k in results[0]}
        rows.append([label, f"{med['load']:.2f}", f"{med['phrases']:.2f}", f"{med['encode'] * 1000:.0f}",
                     f"{med['reply'] * 1000:.2f} (max {max(r['reply_max'] for r in results) * 1000:.2f})",
                     f"{med['peak_mb']:.0f}"])  # fmt: skip
    print(table(["", "model load s", "scenario phrases s", "encode a question ms",
                 "customer reply after analysis ms", "peak MB"], rows))  # fmt: skip


def understanding() -> None:
    from analysis.language.meaning import SentenceEncoder
    from simulator.domain.catalogue import resolve_scenario
    from simulator.domain.understanding import MIN_SIMILARITY, MeaningMatcher, TopicWords

    scenario = resolve_scenario("freight-discovery")
    meaning = MeaningMatcher(scenario, SentenceEncoder())
    topics = TopicWords(scenario)
    rows = []
    for name, matcher in (("by meaning", meaning), ("topic words only", topics)):
        aimed = [q for q in HELD_OUT if q[1] != "-"]
        hit = layer_hit = layered = false_alarms = 0
        misses = []
        for question, target, layer in HELD_OUT:
            found = matcher.matches(question)
            best = found[0] if found else None
            if target == "-":
                false_alarms += best is not None
                continue
            if best is not None and best.id == target:
                hit += 1
            else:
                misses.append(f"{question} -> {best.id if best else 'nothing'}")
            if layer is not None:
                layered += 1
                layer_hit += best is not None and best.id == target and best.layer == layer
        rows.append([name, f"{hit} of {len(aimed)}", f"{layer_hit} of {layered}",
                     f"{false_alarms} of {len(HELD_OUT) - len(aimed)}"])  # fmt: skip
        if name == "by meaning":
            meaning_misses = misses
    print(table(["matcher", "reached the intended need or fact", "and its layer (phrase alone)",
                 "small talk or proposal matched"], rows))  # fmt: skip
    print(f"\nThreshold: cosine similarity {MIN_SIMILARITY}. In a call the layer also follows the analyzer's SPIN")
    print("kind and the order problem -> implication -> payoff, so the phrase alone is the harder test.")
    for miss in meaning_misses:
        print(f"  missed: {miss}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5, help="fresh processes per speed row (median)")
    args = parser.parse_args()
    speed(args.runs)
    print()
    understanding()
    return 0


if __name__ == "__main__":
    sys.exit(main())
