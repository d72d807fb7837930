"""How often the analyzer agrees with expert labels on real dialogues.

Runs the real `spar analyze` over the development files in ../shared/data (not part of the repo)
and prints precision, recall and F1 per label, open/closed accuracy on the gold questions, and
throughput. Conversations are also split in two halves (by position in the file) so that a rule
tuned on one half can be seen to hold on the other; the analyzer is judged on unseen dialogues.

    .venv/bin/python bench/analyzer_accuracy.py [--data ../shared/data] [--errors is_paraphrase:fn]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench._table import table  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
FLOORS = {  # trivial rules, from the data's README
    ("annomi", "is_question"): "0.87 (trailing '?')",
    ("annomi", "is_paraphrase"): "0.25 (lead-ins)",
    ("annomi", "open/closed"): "0.50 (first word)",
    ("p4g", "is_needs_question"): "0.57 (every question)",
    ("p4g", "is_pitch"): "0.70 (everything)",
}
P4G_ONLY = {"is_needs_question", "is_pitch"}  # labels only the persuasion corpus carries
TARGETS = {("annomi", "is_question"): 0.92, ("annomi", "open/closed"): 0.80, ("annomi", "is_paraphrase"): 0.65}


# What is being "sold" in each corpus, as a practice call's scenario tells the analyzer its product.
PRODUCTS = {"annomi": [], "p4g": ["Save the Children"]}


def run_analyze(path: Path, products: list[str]) -> tuple[list[dict], float]:
    started = time.perf_counter()
    options = [arg for name in products for arg in ("--product", name)]
    done = subprocess.run(
        [sys.executable, "-m", "simulator", "analyze", str(path), *options],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ},
    )
    if done.returncode:
        raise SystemExit(f"spar analyze failed: {done.stderr.strip()}")
    return [json.loads(line) for line in done.stdout.splitlines()], time.perf_counter() - started


def prf(pairs: list[tuple[bool, bool]]) -> tuple[float, float, float, int]:
    tp = sum(1 for gold, got in pairs if gold and got)
    fp = sum(1 for gold, got in pairs if not gold and got)
    fn = sum(1 for gold, got in pairs if gold and not got)
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0), len(pairs)


def halves(rows: list[dict]) -> dict[str, list[dict]]:
    order = list(dict.fromkeys(r["conversation_id"] for r in rows))
    first = set(order[: len(order) // 2])
    return {
        "all": rows,
        "half A": [r for r in rows if r["conversation_id"] in first],
        "half B": [r for r in rows if r["conversation_id"] not in first],
    }


def evaluate(corpus: str, rows: list[dict], labels: list[str]) -> list[list[str]]:
    out = []
    for part, subset in halves(rows).items():
        labelled = [r for r in subset if r.get("labels")]
        for label in labels:
            if label == "open/closed":
                gold_q = [r for r in labelled if r["labels"].get("question_type")]
                right = sum(1 for r in gold_q if r["analysis"]["question_type"] == r["labels"]["question_type"])
                acc = right / len(gold_q) if gold_q else 0.0
                out.append(
                    [
                        corpus,
                        part,
                        label,
                        "",
                        "",
                        f"{acc:.3f} acc",
                        str(len(gold_q)),
                        FLOORS.get((corpus, label), ""),
                        _target(corpus, label, acc),
                    ]
                )
                continue
            pairs = [
                (bool(r["labels"][label]), bool(r["analysis"][label]))
                for r in labelled
                if r["labels"].get(label) is not None
            ]
            p, rc, f, n = prf(pairs)
            out.append(
                [
                    corpus,
                    part,
                    label,
                    f"{p:.3f}",
                    f"{rc:.3f}",
                    f"{f:.3f}",
                    str(n),
                    FLOORS.get((corpus, label), ""),
                    _target(corpus, label, f),
                ]
            )
    return out


def pitch_false_alarms(rows: list[dict]) -> list[str]:
    """AnnoMI has no pitch labels, but a reflection (a paraphrase that asks nothing) never
    advocates: how often the pitch detector fires on one is a false-alarm rate in talk that
    listens, which the persuasion corpus cannot show."""
    reflections = [
        r for r in rows if r.get("labels") and r["labels"]["is_paraphrase"] and not r["labels"]["is_question"]
    ]
    rate = sum(r["analysis"]["is_pitch"] for r in reflections) / len(reflections)
    return ["annomi", "all", "is_pitch on reflections", "", "", f"{rate:.3f} rate", str(len(reflections)), "", "near 0"]


def _target(corpus: str, label: str, value: float) -> str:
    target = TARGETS.get((corpus, label))
    if target is None:
        return ""
    return f">= {target:.2f} {'met' if value >= target else 'NOT met'}"


def held_out_paraphrase(path: Path) -> list[str]:
    """The paraphrase weights are fitted on this file, so its F1 here flatters them: this row
    predicts every turn with weights fitted without its conversation (see bench/fit_paraphrase.py)."""
    from bench.fit_paraphrase import cross_validated, f1_at, turn_features

    X, y, groups, _ = turn_features(path)
    p, r, f = f1_at(cross_validated(X, y, groups, folds=5, seed=0), y, 0.5)
    return [
        "annomi",
        "held out",
        "is_paraphrase",
        f"{p:.3f}",
        f"{r:.3f}",
        f"{f:.3f}",
        str(len(y)),
        FLOORS[("annomi", "is_paraphrase")],
        _target("annomi", "is_paraphrase", f),
    ]


SHOWN = ("is_question", "question_type", "is_paraphrase", "paraphrase_score", "is_needs_question", "is_pitch")


def show_errors(rows: list[dict], spec: str, limit: int) -> None:
    """Print mistakes for one label ("is_paraphrase:fn" = missed ones) to study the method, not the lines."""
    label, kind = spec.split(":")
    previous: dict[str, str] = {}
    shown = 0
    for r in rows:
        if r["speaker"] == "customer":
            previous[r["conversation_id"]] = r["text"]
            continue
        if not r.get("labels") or r["labels"].get(label if label != "open/closed" else "question_type") is None:
            continue
        if label == "open/closed":
            wrong = r["analysis"]["question_type"] != r["labels"]["question_type"]
            if not wrong:
                continue
        else:
            gold, got = bool(r["labels"][label]), bool(r["analysis"][label])
            if (kind == "fn" and not (gold and not got)) or (kind == "fp" and not (got and not gold)):
                continue
        print(
            f"- CUSTOMER: {previous.get(r['conversation_id'], '')[:200]}\n  REP: {r['text'][:300]}\n"
            f"  gold={r['labels']} got={ {k: r['analysis'][k] for k in SHOWN if k in r['analysis']} }"
        )
        shown += 1
        if shown >= limit:
            break


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--errors", help="print mistakes, e.g. is_paraphrase:fn, is_question:fp, open/closed:x")
    parser.add_argument("--limit", type=int, default=40)
    args = parser.parse_args()
    files = {"annomi": args.data / "annomi-dev.jsonl", "p4g": args.data / "p4g-dev.jsonl"}
    missing = [str(p) for p in files.values() if not p.is_file()]
    if missing:
        raise SystemExit(f"analyzer_accuracy: {', '.join(missing)} not found; pass --data DIR")

    rows_out, speed = [], []
    for corpus, path in files.items():
        rows, seconds = run_analyze(path, PRODUCTS[corpus])
        speed.append([corpus, str(len(rows)), f"{seconds:.1f}", f"{len(rows) / seconds:,.0f}"])
        if corpus == "annomi":
            rows_out += evaluate(corpus, rows, ["is_question", "open/closed", "is_paraphrase"])
            false_alarms = pitch_false_alarms(rows)
        else:
            rows_out += evaluate(corpus, rows, ["is_question", "is_needs_question", "is_pitch"])
        if args.errors and corpus == ("p4g" if args.errors.split(":")[0] in P4G_ONLY else "annomi"):
            show_errors(rows, args.errors, args.limit)
    rows_out.insert(3, held_out_paraphrase(files["annomi"]))  # beside the whole-file paraphrase row
    rows_out.append(false_alarms)  # after the p4g pitch rows it qualifies
    print(
        table(["corpus", "part", "label", "precision", "recall", "F1 / acc", "n", "trivial floor", "target"], rows_out)
    )
    print()
    print(table(["corpus", "utterances", "spar analyze s (incl. loading spaCy)", "utterances/s"], speed))


if __name__ == "__main__":
    main()
