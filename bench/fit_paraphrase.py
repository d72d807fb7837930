"""Fit the paraphrase weights (analysis/patterns/paraphrase_weights.yaml) on labelled dialogues.

A logistic regression (scikit-learn, needed here only) over the named signs of
`analysis/language/paraphrase.py` and the turn's words (`word:<w>`, `first:<w>`, words seen in at
least MIN_WORD_COUNT training turns), trained on the AnnoMI counsellor turns (reflection or not)
plus Switchboard plain statements (sd, sv) as turns that never restate, weighted together as
NEGATIVES_WEIGHT of the counselling turns. Without the statements the model learned that a short
statement about "it" restates, and flagged a fifth of all telephone statements. The threshold is
the best AnnoMI F1 that keeps the training statements flagged at or below 5% (out-of-fold).

Cross-validated by conversation (fold k of both corpora held out together), and "unseen": fitted
on the 40 AnnoMI conversations the rules were read off (and half of Switchboard), scored on the
rest. `--write` saves the weights fitted on everything; `--ablate` shows what each sign is worth
in a model of the signs alone. The signs are read from bench/analyzer_accuracy.py's cache.

    .venv/bin/python bench/fit_paraphrase.py [--data ../shared/data] [--no-statements] [--write] [--ablate]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import deque
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench._table import table  # noqa: E402

WEIGHTS_HEADER = """# How much each sign of a paraphrase counts (a logistic model over the signs described in
# analysis/language/paraphrase.py, and the turn's single words). Positive weights make a paraphrase
# more likely, negative less. Fitted by bench/fit_paraphrase.py on AnnoMI counselling turns plus
# Switchboard plain statements (which never restate), cross-validated by conversation; refit
# rather than edit by hand, the tests guard the behaviour.
"""


def turn_features(path: Path, *, with_positions: bool = False, speakers: tuple[str, ...] = ("rep",)):
    """The paraphrase signs of every labelled turn of `speakers` (Switchboard labels both sides),
    computed the way the analyzer computes them (rising statements count as questions, a sentence
    offering the product never restates), so weights fitted here score what `spar analyze` sees.
    `with_positions` also returns each turn's line number in the file, to line the signs up with
    other outputs."""
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
        if row["speaker"] not in speakers or not labels or labels.get("is_paraphrase") is None:
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


# ---------------------------------------------------------------------------------------------
# The shipped model: the signs plus the turn's words, with telephone statements as negatives.

NEGATIVES_WEIGHT = 0.5  # the statements' total weight, relative to the counselling turns'
MAX_STATEMENT_RATE = 0.05  # the threshold keeps the training statements flagged at or below this (see README)
MIN_WORD_COUNT = 10  # training turns a word must appear in to get a weight
SMALLEST_WEIGHT = 0.01  # word weights below this are left out of the file
C = 0.2  # inverse L2 strength: words need a firm hand on 70 conversations
PLAIN_STATEMENTS = ("sd", "sv")


@dataclass
class Turns:
    """Labelled turns of one corpus: their signs, words, gold labels, conversations and lines."""

    corpus: str
    X: np.ndarray
    y: np.ndarray
    groups: np.ndarray
    positions: np.ndarray
    words: list[dict[str, float]]
    restates: np.ndarray  # says it restates, whatever the weights (paraphrase.says_it_restates)

    def subset(self, keep: np.ndarray) -> Turns:
        return Turns(
            self.corpus,
            self.X[keep],
            self.y[keep],
            self.groups[keep],
            self.positions[keep],
            [w for w, k in zip(self.words, keep, strict=True) if k],
            self.restates[keep],
        )


def turns_of(corpus: str, signs: dict, rows: list[dict]) -> Turns:
    """The turns whose signs were computed (bench/analyzer_accuracy.py caches them); for
    Switchboard only the plain statements, which never restate."""
    from analysis.language.paraphrase import SIGNS, says_it_restates
    from analysis.language.word_features import word_features, words_of

    positions = np.array(signs["positions"], dtype=int)
    X = np.array(signs["X"], dtype=float).reshape(len(positions), -1)
    turns = Turns(
        corpus,
        X,
        np.array(signs["y"], dtype=float),
        np.array([rows[p]["conversation_id"] for p in positions]),
        positions,
        [word_features(words_of(rows[p]["text"] or "")) for p in positions],
        np.array(
            [
                says_it_restates(dict(zip(SIGNS, x, strict=True)), rows[p]["text"] or "")
                for p, x in zip(positions, X, strict=True)
            ],
            dtype=bool,
        ),
    )
    if corpus == "swda":
        statement = np.array(
            [(rows[p].get("source_label") or {}).get("damsl_collapsed") in PLAIN_STATEMENTS for p in positions]
        )
        turns = turns.subset(statement)
        turns.y = np.zeros(len(turns.y))
    return turns


@dataclass
class Learned:
    bias: float
    threshold: float
    signs: dict[str, float]
    words: dict[str, float]

    def scores(self, turns: Turns) -> np.ndarray:
        from analysis.language.paraphrase import SIGNS

        w = np.array([self.signs[name] for name in SIGNS])
        said = np.array([sum(self.words.get(k, 0.0) * v for k, v in d.items()) for d in turns.words])
        return 1 / (1 + np.exp(-(self.bias + turns.X @ w + said)))


def _fit_weights(reflections: Turns, statements: Turns | None) -> Learned:
    """Logistic regression (scikit-learn) over the signs and the words; threshold left at 0.5."""
    from collections import Counter

    from scipy import sparse
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression

    from analysis.language.paraphrase import SIGNS

    parts = [reflections] + ([statements] if statements is not None and len(statements.y) else [])
    words = [w for part in parts for w in part.words]
    counts = Counter(name for w in words for name in w)
    vectorizer = DictVectorizer()
    W = vectorizer.fit_transform([{k: v for k, v in w.items() if counts[k] >= MIN_WORD_COUNT} for w in words])
    X = sparse.hstack([sparse.csr_matrix(np.vstack([p.X for p in parts])), W]).tocsr()
    X.indices = X.indices.astype(np.int32)  # liblinear takes 32-bit indices only
    X.indptr = X.indptr.astype(np.int32)
    y = np.concatenate([p.y for p in parts])
    weight = np.ones(len(y))
    if len(parts) > 1:
        weight[len(reflections.y) :] = NEGATIVES_WEIGHT * len(reflections.y) / len(parts[1].y)
    model = LogisticRegression(C=C, solver="liblinear", max_iter=2000).fit(X, y, sample_weight=weight)
    coef = model.coef_[0]
    return Learned(
        round(float(model.intercept_[0]), 4),
        0.5,
        {name: round(float(v), 4) for name, v in zip(SIGNS, coef[: len(SIGNS)], strict=True)},
        {
            name: round(float(v), 4)
            for name, v in zip(vectorizer.get_feature_names_out(), coef[len(SIGNS) :], strict=True)
            if abs(v) >= SMALLEST_WEIGHT
        },
    )


def fit_learned(reflections: Turns, statements: Turns | None) -> Learned:
    """The weights fitted on all the turns given; the threshold is the best counselling F1 that keeps
    the statements flagged at or below MAX_STATEMENT_RATE, read from out-of-fold scores (3 inner
    folds by conversation): scores on a model's own training turns are too sure of themselves."""
    inner_r = fold_of(reflections.groups, 3, seed=1)
    inner_s = fold_of(statements.groups, 3, seed=1) if statements is not None else None
    on_reflections = np.zeros(len(reflections.y))
    on_statements = np.zeros(len(statements.y)) if statements is not None else np.zeros(0)
    for k in range(3):
        train_s = statements.subset(inner_s != k) if statements is not None and inner_s is not None else None
        inner = _fit_weights(reflections.subset(inner_r != k), train_s)
        on_reflections[inner_r == k] = inner.scores(reflections.subset(inner_r == k))
        if statements is not None and inner_s is not None:
            on_statements[inner_s == k] = inner.scores(statements.subset(inner_s == k))
    best, best_key = 0.5, (-1.0, -1.0)
    for t in np.arange(0.1, 0.95, 0.01):
        f1 = f1_at(on_reflections, reflections.y, t)[2]
        flagged = float((on_statements >= t).mean()) if len(on_statements) else 0.0
        key = (1.0, f1) if flagged <= MAX_STATEMENT_RATE else (0.0, -flagged)
        if key > best_key:
            best, best_key = round(float(t), 2), key
    learned = _fit_weights(reflections, statements)
    learned.threshold = best
    return learned


def fold_of(groups: np.ndarray, folds: int, seed: int = 0) -> np.ndarray:
    from bench.analyzer_accuracy import assign_folds

    assigned = assign_folds(list(dict.fromkeys(groups.tolist())), folds, seed)
    return np.array([assigned[g] for g in groups])


Decisions = dict[tuple[str, int], bool]  # (corpus, line) -> is a paraphrase


def decisions(model: Learned, turns: Turns, keep: np.ndarray) -> Decisions:
    held = turns.subset(keep)
    return dict(
        zip(
            ((turns.corpus, int(p)) for p in held.positions),
            (bool(d) for d in (model.scores(held) >= model.threshold) | held.restates),
            strict=True,
        )
    )


def refits(reflections: Turns, statements: Turns | None, folds: int, tuned: set[str]) -> tuple[Decisions, Decisions]:
    """(cv, unseen): every turn decided by a model that never saw its conversation. cv: fold k of
    both corpora held out together; unseen: fitted on the tuned AnnoMI conversations (and the first
    half of the Switchboard conversations), deciding the rest of AnnoMI."""
    fr = fold_of(reflections.groups, folds)
    fs = fold_of(statements.groups, folds) if statements is not None else None
    cv: Decisions = {}
    for k in range(folds):
        train_s = statements.subset(fs != k) if statements is not None and fs is not None else None
        model = fit_learned(reflections.subset(fr != k), train_s)
        cv |= decisions(model, reflections, fr == k)
        if statements is not None and fs is not None:
            cv |= decisions(model, statements, fs == k)
    in_tuned = np.isin(reflections.groups, list(tuned))
    first_half = None
    if statements is not None:
        order = list(dict.fromkeys(statements.groups.tolist()))
        first_half = statements.subset(np.isin(statements.groups, order[: len(order) // 2]))
    model = fit_learned(reflections.subset(in_tuned), first_half)
    return cv, decisions(model, reflections, ~in_tuned)


def load_turns(data: Path, with_statements: bool) -> tuple[Turns, Turns | None]:
    from bench.analyzer_accuracy import CORPORA, analyse_corpora

    names = ["annomi"] + (["swda"] if with_statements else [])
    analysed = analyse_corpora([CORPORA[n] for n in names], data, True, 2)
    reflections = turns_of("annomi", analysed["annomi"].extra["signs"], analysed["annomi"].rows)
    statements = turns_of("swda", analysed["swda"].extra["signs"], analysed["swda"].rows) if with_statements else None
    return reflections, statements


def write(model: Learned) -> None:
    target = ROOT / "analysis" / "patterns" / "paraphrase_weights.yaml"
    lines = [WEIGHTS_HEADER.rstrip(), f"bias: {model.bias:.3f}", f"threshold: {model.threshold:.2f}", "weights:"]
    lines += [f"  {n}: {v:.3f}" for n, v in model.signs.items()]
    lines += [
        "# The turn's words: word:<w> (anywhere in the turn), first:<w> (its first word after fillers).",
        "words:",
    ]
    lines += [
        f"  {json.dumps(n)}: {v:.3f}" for n, v in sorted(model.words.items(), key=lambda kv: (-abs(kv[1]), kv[0]))
    ]
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"\nwrote {target.relative_to(ROOT)} (threshold {model.threshold:.2f}, {len(model.words)} word weights)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data", help="folder of the dev files")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--no-statements", action="store_true", help="train without the Switchboard statements")
    parser.add_argument("--write", action="store_true", help="save the weights fitted on all conversations")
    parser.add_argument("--ablate", action="store_true", help="also refit the signs alone without each sign in turn")
    parser.add_argument("--repeats", type=int, default=3, help="with --ablate: shuffles of the conversations")
    args = parser.parse_args()
    if not (args.data / "annomi-dev.jsonl").is_file():
        raise SystemExit(f"fit_paraphrase: {args.data / 'annomi-dev.jsonl'} not found; pass --data DIR")

    from bench.analyzer_accuracy import CORPORA, conversation_order

    reflections, statements = load_turns(args.data, not args.no_statements)
    tuned = set(
        conversation_order([{"conversation_id": g} for g in reflections.groups])[
            : CORPORA["annomi"].tuned_conversations
        ]
    )
    cv, unseen = refits(reflections, statements, args.folds, tuned)
    rows = []
    for split, decided in (("5-fold cv", cv), ("unseen", unseen)):
        held = [i for i, p in enumerate(reflections.positions) if ("annomi", int(p)) in decided]
        got = np.array([decided[("annomi", int(reflections.positions[i]))] for i in held], dtype=float)
        p, r, f = f1_at(got, reflections.y[held], 0.5)
        flagged = [d for (c, _), d in decided.items() if c == "swda"]
        rows.append(
            [split, str(len(held)), f"{p:.3f}", f"{r:.3f}", f"{f:.3f}", f"{np.mean(flagged):.3f}" if flagged else ""]
        )
    print("Held-out paraphrase figures (AnnoMI, pooled over folds; Switchboard plain statements flagged):")
    print(table(["split", "turns", "precision", "recall", "F1", "statements flagged"], rows))

    if args.ablate:
        X, y, groups = reflections.X, reflections.y, reflections.groups
        names = SIGN_NAMES()
        mean = held_out_f1(X, y, groups, args)
        print()
        print(f"Signs alone, without one sign (held-out F1, mean of {args.repeats} shuffles; all signs: {mean:.3f}):")
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

    model = fit_learned(reflections, statements)
    print()
    print(
        table(["sign", "weight"], [[n, f"{v:+.2f}"] for n, v in model.signs.items()] + [["bias", f"{model.bias:+.2f}"]])
    )
    top = sorted(model.words.items(), key=lambda kv: -abs(kv[1]))[:20]
    print("largest word weights: " + ", ".join(f"{n} {v:+.2f}" for n, v in top))
    if args.write:
        write(model)


def SIGN_NAMES() -> tuple[str, ...]:
    from analysis.language.paraphrase import SIGNS

    return SIGNS


if __name__ == "__main__":
    main()
