"""Train the pitch model (analysis/patterns/pitch_model.json) and measure it on unseen dialogues.

A logistic regression (scikit-learn, needed here only: the analyzer applies the weights with a
dot product) over the features of `analysis/language/pitch_model.py`: what the pitch rules found,
the other rules' findings (question, needs question, asking for the decision, paraphrase) and the
turn's words. Training turns:
- PersuasionForGood (../shared/data/p4g-dev.jsonl): the persuader's labelled sentences, pitch or not;
- turns that never advocate, as negatives: AnnoMI reflections (a counsellor giving the client's
  view back) and Switchboard plain statements (sd, sv: two strangers telling their own story), so
  that talking about oneself or restating is not learned as pitching.
The features come from `spar analyze`'s own output (the rules' cues stay in its evidence whatever
the model decides), read from bench/analyzer_accuracy.py's cache, so what is trained on is what
the analyzer sees.

The decision threshold is chosen on out-of-fold predictions of the training dialogues (3 inner
folds by conversation): the best F1 with precision at least 0.85 on PersuasionForGood, since a
false pitch costs the rep the customer's trust.

Prints the figures on conversations the model was not trained on (5 folds by conversation, and the
unseen PersuasionForGood dialogues for a model trained on the first 90), next to the rules alone
and calling everything a pitch; `--write` fits on all the dialogues and saves the weights. Words
seen in fewer than MIN_WORD_COUNT training turns are left out, so the file names single common
words only, never a sentence.

    .venv/bin/python bench/train_pitch.py [--data ../shared/data] [--write]
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench._table import table  # noqa: E402

SEED = 0
MIN_PRECISION = 0.85
MIN_WORD_COUNT = 10  # training turns a word must appear in to become a feature
SMALLEST_WEIGHT = 0.05  # weights below this are left out of the file
C = 0.5  # inverse L2 strength
MODEL_PATH = ROOT / "analysis" / "patterns" / "pitch_model.json"
PLAIN_STATEMENTS = ("sd", "sv")


@dataclass
class Example:
    corpus: str
    conversation: str
    position: int  # line number in the corpus file
    gold: bool
    rules: bool  # the rules' decision (a cue fired)
    features: dict[str, float]


def rule_pitches(analysis: dict):
    from analysis.language.pitch_model import RulePitch

    return [
        RulePitch(e["kind"], e.get("cue") or "") for e in analysis["evidence"] if "kind" in e and e["kind"] != "model"
    ]


def features_of(row: dict) -> dict[str, float]:
    from analysis.language.pitch_model import pitch_features

    a = row["analysis"]
    return pitch_features(
        row["text"] or "",
        rule_pitches(a),
        is_question=a["is_question"],
        is_needs_question=a["is_needs_question"],
        asks_decision=any(e.get("label") == "asks for the decision" for e in a["evidence"]),
        is_paraphrase=a["is_paraphrase"],
    )


def never_a_pitch(corpus: str, row: dict) -> bool:
    """Turns that never advocate: a reflection that asks nothing, a plain statement."""
    if corpus == "annomi":
        labels = row.get("labels") or {}
        return row["speaker"] == "rep" and bool(labels.get("is_paraphrase")) and not labels.get("is_question")
    if corpus == "swda":
        return (row.get("source_label") or {}).get("damsl_collapsed") in PLAIN_STATEMENTS
    return False


def examples(corpus: str, rows: list[dict]) -> list[Example]:
    out = []
    for position, row in enumerate(rows):
        if corpus == "p4g":
            gold = (row.get("labels") or {}).get("is_pitch")
            if gold is None:
                continue
        elif never_a_pitch(corpus, row):
            gold = False
        else:
            continue
        out.append(
            Example(
                corpus,
                row["conversation_id"],
                position,
                bool(gold),
                len(rule_pitches(row["analysis"])) > 0,
                features_of(row),
            )
        )
    return out


def load_examples(data: Path) -> dict[str, list[Example]]:
    from bench.analyzer_accuracy import CORPORA, analyse_corpora

    analysed = analyse_corpora([CORPORA[c] for c in ("p4g", "annomi", "swda")], data, True, 2)
    return {name: examples(name, a.rows) for name, a in analysed.items()}


# ---------------------------------------------------------------------------------------------
# Fitting.


@dataclass
class Fitted:
    bias: float
    threshold: float
    weights: dict[str, float]

    def scores(self, items: list[Example]) -> np.ndarray:
        return np.array(
            [
                1 / (1 + math.exp(-(self.bias + sum(self.weights.get(k, 0.0) * v for k, v in e.features.items()))))
                for e in items
            ]
        )

    def decide(self, items: list[Example]) -> np.ndarray:
        """As the analyzer decides (analysis/language/pitch_model.py: decide)."""
        from analysis.language.pitch_model import RulePitch, decide

        return np.array(
            [
                decide(
                    p,
                    self.threshold,
                    [RulePitch("rule", "")] if e.rules else [],
                    "rule:paraphrase" in e.features,
                    "rule:needs question" in e.features,
                )
                for p, e in zip(self.scores(items), items, strict=True)
            ]
        )

    def alone(self, items: list[Example]) -> np.ndarray:
        """The model's own call, without the rules' cues deciding too (nor the paraphrase veto)."""
        return self.scores(items) >= self.threshold


def vocabulary(train: list[Example]) -> set[str]:
    counts = Counter(name for e in train for name in e.features)
    return {name for name, n in counts.items() if not name.startswith(("word:", "first:")) or n >= MIN_WORD_COUNT}


def fit_weights(train: list[Example]) -> tuple[float, dict[str, float]]:
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression

    keep = vocabulary(train)
    vectorizer = DictVectorizer()
    X = vectorizer.fit_transform([{k: v for k, v in e.features.items() if k in keep} for e in train]).tocsr()
    X.indices = X.indices.astype(np.int32)  # liblinear takes 32-bit indices only
    X.indptr = X.indptr.astype(np.int32)
    y = np.array([int(e.gold) for e in train])
    model = LogisticRegression(C=C, solver="liblinear", max_iter=2000)
    model.fit(X, y)
    weights = {
        name: round(float(w), 4)
        for name, w in zip(vectorizer.get_feature_names_out(), model.coef_[0], strict=True)
        if abs(w) >= SMALLEST_WEIGHT
    }
    return round(float(model.intercept_[0]), 4), weights


def best_threshold(
    scores: np.ndarray, gold: np.ndarray, rules: np.ndarray, restates: np.ndarray, min_precision: float = MIN_PRECISION
) -> float:
    """The threshold with the best F1 at precision >= min_precision (the most precise if none), for
    the decision the analyzer makes: the model's score over the threshold, or a rule's cue."""
    best, best_key = 0.5, (-1.0, -1.0)
    for t in np.arange(0.1, 0.95, 0.01):
        pred = ((scores >= t) & ~restates) | rules
        tp = float((pred & gold).sum())
        precision = tp / max(float(pred.sum()), 1.0)
        f1 = 2 * tp / max(float(pred.sum() + gold.sum()), 1.0)
        key = (1.0, f1) if precision >= min_precision else (0.0, precision)
        if key > best_key:
            best, best_key = round(float(t), 2), key
    return best


def fit(train: list[Example]) -> Fitted:
    """Weights from all of `train`; the threshold from inner out-of-fold scores on its pitch-labelled
    dialogues (the never-pitch turns train, they do not choose the threshold)."""
    from bench.analyzer_accuracy import assign_folds

    labelled = [e for e in train if e.corpus == "p4g"]
    folds = assign_folds(sorted({e.conversation for e in labelled}), 3, SEED + 1)
    scores = np.zeros(len(labelled))
    for k in range(3):
        inner = [e for e in train if e.corpus != "p4g" or folds[e.conversation] != k]
        held = [i for i, e in enumerate(labelled) if folds[e.conversation] == k]
        bias, weights = fit_weights(inner)
        scores[held] = Fitted(bias, 0.5, weights).scores([labelled[i] for i in held])
    threshold = best_threshold(
        scores,
        np.array([e.gold for e in labelled]),
        np.array([e.rules for e in labelled]),
        np.array(["rule:paraphrase" in e.features for e in labelled]),
    )
    bias, weights = fit_weights(train)
    return Fitted(bias, threshold, weights)


# ---------------------------------------------------------------------------------------------
# Honest figures: never scored on a conversation the weights or the threshold were fitted on.


def split_of(items: list[Example], n_folds: int) -> dict[str, int]:
    from bench.analyzer_accuracy import assign_folds

    return assign_folds(sorted({e.conversation for e in items}), n_folds, SEED)


Decisions = dict[tuple[str, int], tuple[bool, bool]]  # (corpus, line) -> (as shipped, model alone)


def held_decisions(model: Fitted, held: list[Example]) -> Decisions:
    return {
        (e.corpus, e.position): (bool(d), bool(a))
        for e, d, a in zip(held, model.decide(held), model.alone(held), strict=True)
    }


def cross_validated(sets: dict[str, list[Example]], n_folds: int = 5) -> Decisions:
    """(corpus, line) -> decision of a model that never saw the line's conversation: every corpus is
    cut into the same number of folds by conversation, and fold k of each is held out together."""
    folds = {name: split_of(items, n_folds) for name, items in sets.items()}
    out: Decisions = {}
    for k in range(n_folds):
        train = [e for name, items in sets.items() for e in items if folds[name][e.conversation] != k]
        model = fit(train)
        out.update(
            held_decisions(
                model, [e for name, items in sets.items() for e in items if folds[name][e.conversation] == k]
            )
        )
    return out


def unseen(sets: dict[str, list[Example]], tuned: dict[str, set[str]]) -> Decisions:
    """Decisions on the conversations outside `tuned` by a model fitted on those inside."""
    train = [e for name, items in sets.items() for e in items if e.conversation in tuned[name]]
    model = fit(train)
    held = [e for items in sets.values() for e in items if e.conversation not in tuned[items[0].corpus]]
    return held_decisions(model, held)


def tuned_parts(data: Path) -> dict[str, set[str]]:
    """The conversations the rules were read off (p4g, AnnoMI), and the first half of Switchboard."""
    from bench.analyzer_accuracy import CORPORA, conversation_order, load_rows

    out = {}
    for name in ("p4g", "annomi", "swda"):
        order = conversation_order(load_rows(data / CORPORA[name].file))
        out[name] = set(order[: CORPORA[name].tuned_conversations or len(order) // 2])
    return out


def scores(items: list[Example], decisions: list[bool], n_folds: int = 5) -> dict[str, tuple[float, float, float]]:
    folds = split_of(items, n_folds)
    per_fold = []
    for k in range(n_folds):
        pairs = [(e.gold, d) for e, d in zip(items, decisions, strict=True) if folds[e.conversation] == k]
        tp = sum(1 for g, d in pairs if g and d)
        fp = sum(1 for g, d in pairs if not g and d)
        fn = sum(1 for g, d in pairs if g and not d)
        per_fold.append(
            {
                "precision": tp / (tp + fp) if tp + fp else math.nan,
                "recall": tp / (tp + fn) if tp + fn else math.nan,
                "f1": 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else math.nan,
                "rate": (tp + fp) / len(pairs) if pairs else math.nan,
            }
        )
    out = {}
    for name in per_fold[0]:
        values = [s[name] for s in per_fold if not math.isnan(s[name])]
        out[name] = (float(np.mean(values)), min(values), max(values)) if values else (math.nan,) * 3
    return out


def cell(summary: tuple[float, float, float]) -> str:
    mean, low, high = summary
    return "" if math.isnan(mean) else f"{mean:.3f} ({low:.2f}-{high:.2f})"


def report(sets: dict[str, list[Example]], decisions: Decisions, split: str) -> list[list[str]]:
    rows = []
    for name, items in sets.items():
        held = [e for e in items if (name, e.position) in decisions]
        if not held:
            continue
        shipped = scores(held, [decisions[(name, e.position)][0] for e in held])
        alone = scores(held, [decisions[(name, e.position)][1] for e in held])
        rules = scores(held, [e.rules for e in held])
        if name == "p4g":
            everything = scores(held, [True] * len(held))

            def f1(s: dict) -> str:
                return f"{cell(s['f1'])} P {s['precision'][0]:.3f}"

            measure, cells = (
                "is_pitch F1, P",
                [f1(rules), f1(alone), f1(shipped), f"{everything['f1'][0]:.3f} (everything)"],
            )
        else:
            measure = f"{'reflections' if name == 'annomi' else 'plain statements'} flagged as pitch"
            cells = [cell(rules["rate"]), cell(alone["rate"]), cell(shipped["rate"]), ""]
        rows.append([split, name, measure, str(len(held)), *cells])
    return rows


def write(model: Fitted, n_train: Counter) -> None:
    ordered = dict(sorted(model.weights.items(), key=lambda kv: (-abs(kv[1]), kv[0])))
    payload = {
        "about": "Pitch model: logistic weights over named features (analysis/language/pitch_model.py). "
        "Written by bench/train_pitch.py; do not edit by hand, retrain.",
        "trained_on": {name: n for name, n in sorted(n_train.items())},
        "bias": model.bias,
        "threshold": model.threshold,
        "weights": ordered,
    }
    MODEL_PATH.write_text(json.dumps(payload, indent=1) + "\n", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--write", action="store_true", help="fit on every dialogue and save the weights")
    parser.add_argument("--top", type=int, default=25, help="largest weights shown")
    args = parser.parse_args()
    try:
        import sklearn  # noqa: F401
    except ImportError:
        raise SystemExit("train_pitch: needs scikit-learn (.venv/bin/pip install scikit-learn)") from None

    sets = load_examples(args.data)
    rows = report(sets, cross_validated(sets), "5-fold cv") + report(
        sets, unseen(sets, tuned_parts(args.data)), "unseen"
    )
    print("Held-out figures, mean over 5 conversation folds (min-max):")
    print(
        table(
            ["split", "corpus", "measure", "n", "rules alone", "model alone", "model or rule (shipped)", "trivial"],
            rows,
        )
    )
    model = fit([e for items in sets.values() for e in items])
    print(f"\nAll dialogues: threshold {model.threshold:.2f}, {len(model.weights)} weights; largest:")
    for name, w in sorted(model.weights.items(), key=lambda kv: -abs(kv[1]))[: args.top]:
        print(f"  {w:+.2f} {name}")
    if args.write:
        write(model, Counter(e.corpus for items in sets.values() for e in items))
        print(f"wrote {MODEL_PATH.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
