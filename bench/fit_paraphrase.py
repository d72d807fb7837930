"""Fit the paraphrase weights (analysis/patterns/paraphrase_weights.yaml) on labelled dialogues.

A logistic regression over the named signs of `analysis/paraphrase.py`, cross-validated by
conversation (whole conversations are held out, as the analyzer meets unseen ones), with the
decision threshold chosen on the training folds. Prints the held-out figures; `--write` saves the
weights fitted on all conversations; `--ablate` shows what each sign is worth, by refitting
without it.

    .venv/bin/python bench/fit_paraphrase.py [--data ../shared/data/annomi-dev.jsonl] [--write] [--ablate]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import deque
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench._table import table  # noqa: E402

WEIGHTS_HEADER = """# How much each sign of a paraphrase counts (a logistic model over the signs described in
# analysis/paraphrase.py). Positive weights make a paraphrase more likely, negative less.
# Fitted by bench/fit_paraphrase.py (cross-validated by conversation); hand edits are fine, the
# tests guard the behaviour.
"""


def turn_features(path: Path, *, with_positions: bool = False):
    """The paraphrase signs of every labelled rep turn, computed the way the analyzer computes them
    (rising statements count as questions, a sentence offering the product never restates), so
    weights fitted here score what `spar analyze` sees. `with_positions` also returns each turn's
    line number in the file, to line the signs up with other outputs."""
    from analysis.language.analyzer import CONTEXT_TURNS, CONTEXT_UTTERANCES, Analyzer
    from analysis.language.paraphrase import SIGNS, sentence_signs, turn_signs

    rows = [json.loads(line) for line in path.open(encoding="utf-8")]
    nlp = Analyzer().nlp
    recent: dict[str, deque] = {}
    X, y, groups, positions = [], [], [], []
    for doc, (position, row) in nlp.pipe(
        ((r["text"] or "", (i, r)) for i, r in enumerate(rows)), as_tuples=True, batch_size=256
    ):
        history = recent.setdefault(row["conversation_id"], deque(maxlen=CONTEXT_UTTERANCES))
        context = [d for speaker, d in reversed(history) if speaker != row["speaker"]][:CONTEXT_TURNS]
        follows = bool(history) and history[-1][0] != row["speaker"]
        history.append((row["speaker"], doc))
        labels = row.get("labels")
        if row["speaker"] != "rep" or not labels or labels.get("is_paraphrase") is None:
            continue
        questions = {q["sentence"]: q for q in (doc._.spar_questions or []) + (doc._.spar_rising_statements or [])}
        offers = frozenset(p["sentence"] for p in doc._.spar_pitches or [] if p["kind"] == "offer")
        candidates, _ = sentence_signs(doc, context, questions, offers, follows)
        signs = turn_signs(candidates)
        X.append([signs[name] for name in SIGNS])
        y.append(float(labels["is_paraphrase"]))
        groups.append(row["conversation_id"])
        positions.append(position)
    if with_positions:
        return np.array(X), np.array(y), np.array(groups), SIGNS, np.array(positions)
    return np.array(X), np.array(y), np.array(groups), SIGNS


def fit(X: np.ndarray, y: np.ndarray, l2: float = 0.01, steps: int = 4000, rate: float = 0.5):
    w = np.zeros(X.shape[1])
    b = 0.0
    for _ in range(steps):
        p = 1 / (1 + np.exp(-(X @ w + b)))
        grad = p - y
        w -= rate * (X.T @ grad / len(y) + l2 * w)
        b -= rate * grad.mean()
    return w, b


def f1_at(p: np.ndarray, y: np.ndarray, threshold: float) -> tuple[float, float, float]:
    pred = p >= threshold
    tp = float((pred & (y == 1)).sum())
    precision = tp / max(pred.sum(), 1)
    recall = tp / max((y == 1).sum(), 1)
    return precision, recall, (2 * precision * recall / (precision + recall) if precision + recall else 0.0)


def best_threshold(p: np.ndarray, y: np.ndarray) -> float:
    return max(np.arange(0.2, 0.7, 0.01), key=lambda t: f1_at(p, y, t)[2])


def cross_validated(X: np.ndarray, y: np.ndarray, groups: np.ndarray, folds: int, seed: int) -> np.ndarray:
    """Held-out scores, shifted so that 0.5 is the threshold chosen on each training part."""
    conversations = np.array(sorted(set(groups)))
    np.random.default_rng(seed).shuffle(conversations)
    out = np.zeros(len(y))
    for k in range(folds):
        test = np.isin(groups, conversations[k::folds])
        w, b = fit(X[~test], y[~test])
        threshold = best_threshold(1 / (1 + np.exp(-(X[~test] @ w + b))), y[~test])
        scores = 1 / (1 + np.exp(-(X[test] @ w + b)))
        out[test] = np.where(scores >= threshold, 0.5 + (scores - threshold) / 2, 0.5 * scores / threshold)
    return out


def held_out_f1(X: np.ndarray, y: np.ndarray, groups: np.ndarray, args: argparse.Namespace) -> float:
    return float(
        np.mean([f1_at(cross_validated(X, y, groups, args.folds, seed), y, 0.5)[2] for seed in range(args.repeats)])
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data" / "annomi-dev.jsonl")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=3, help="shuffles of the conversations into folds")
    parser.add_argument("--write", action="store_true", help="save the weights fitted on all conversations")
    parser.add_argument("--ablate", action="store_true", help="also refit without each sign in turn")
    args = parser.parse_args()
    if not args.data.is_file():
        raise SystemExit(f"fit_paraphrase: {args.data} not found; pass --data FILE")

    X, y, groups, names = turn_features(args.data)
    rows = []
    for seed in range(args.repeats):
        # Every turn is predicted once, by a model that never saw its conversation.
        held_out = cross_validated(X, y, groups, args.folds, seed)
        p, r, f = f1_at(held_out, y, 0.5)
        rows.append([f"shuffle {seed + 1}", str(len(y)), f"{p:.3f}", f"{r:.3f}", f"{f:.3f}"])
    mean = np.mean([float(r[-1]) for r in rows])
    rows.append(["mean", "", "", "", f"{mean:.3f}"])
    print(f"Held-out paraphrase F1, {args.folds}-fold by conversation (threshold chosen on training folds):")
    print(table(["split", "turns", "precision", "recall", "F1"], rows))

    if args.ablate:
        print()
        print(f"Without one sign (held-out F1, mean of {args.repeats} shuffles; all signs: {mean:.3f}):")
        print(
            table(
                ["sign left out", "F1", "change"],
                [
                    [name, f"{f:.3f}", f"{f - mean:+.3f}"]
                    for name, f in sorted(
                        ((name, held_out_f1(np.delete(X, j, axis=1), y, groups, args)) for j, name in enumerate(names)),
                        key=lambda item: item[1],
                    )
                ],
            )
        )

    w, b = fit(X, y)
    threshold = best_threshold(1 / (1 + np.exp(-(X @ w + b))), y)
    print()
    print(
        table(["sign", "weight"], [[n, f"{v:+.2f}"] for n, v in zip(names, w, strict=False)] + [["bias", f"{b:+.2f}"]])
    )
    if args.write:
        target = ROOT / "analysis" / "patterns" / "paraphrase_weights.yaml"
        lines = [WEIGHTS_HEADER.rstrip(), f"bias: {b:.3f}", f"threshold: {threshold:.2f}", "weights:"]
        lines += [f"  {n}: {v:.3f}" for n, v in zip(names, w, strict=False)]
        target.write_text("\n".join(lines) + "\n", encoding="utf-8")
        print(f"\nwrote {target.relative_to(ROOT)} (threshold {threshold:.2f})")


if __name__ == "__main__":
    main()
