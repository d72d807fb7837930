"""Prototype: would a small learned model over the rules' signals and the words beat the rules?

For each label where the coders judge (question, open/closed in the MI and the sales convention,
paraphrase, needs question, pitch) a logistic regression (scikit-learn) is trained over
- the rules' signals: the analyzer's labels, the cues named in its evidence (quoted words
  stripped, so "yes/no form 'do you'" and "yes/no form 'is it'" are one feature), the paraphrase
  score and, where computed, the paraphrase model's signs;
- words: the first three words after fillers (unigrams and bigrams), the last word, a trailing
  '?', and for pitch and needs the turn's words;
- context: whether the previous utterance was the same speaker's (Switchboard cuts a turn into
  pieces, so a piece opening with "and" continues the speaker's own story, not the other person's).
It never writes to analysis/: it reads the analyzer's outputs from the bench cache (run
bench/analyzer_accuracy.py first, or this runs it) and the text.

Evaluation is by whole conversations, as in bench/analyzer_accuracy.py: for AnnoMI and
PersuasionForGood the model is trained on the conversations the rules were read off and tested
on the unseen ones (optionally pooled with the other corpora); for Switchboard and Welivita,
5-fold cross-validation by conversation. The decision threshold is chosen on the training
conversations only (out-of-fold predictions of an inner 3-fold split), for F1, or for F1 at a
minimum precision where the target asks for one.

    .venv/bin/python bench/prototype_learned.py [--data ../shared/data] [--only LABEL] [--top 12]

Needs scikit-learn (`.venv/bin/pip install scikit-learn`); it is not a dependency of Sparring.
"""

from __future__ import annotations

import argparse
import gzip
import json
import math
import re
import sys
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench._table import table  # noqa: E402
from bench.analyzer_accuracy import (  # noqa: E402
    CHUNK_UTTERANCES,
    CORPORA,
    FILLERS,
    Analysed,
    analyse_corpora,
    assign_folds,
    cache_path,
    chunks_by_conversation,
    code_hash,
    conversation_order,
    floor_is_paraphrase,
    floor_is_question,
    floor_question_type,
    load_rows,
)

SEED = 0
FOLDS = 5
LARGE = 20_000  # training turns above which the threshold is chosen without an inner split

# ---------------------------------------------------------------------------------------------
# Paraphrase signs for every corpus that carries paraphrase labels (cached like the analyses).


def _signs_of_piece(path: str) -> dict:
    from bench.fit_paraphrase import turn_features

    X, _, _, names, positions = turn_features(Path(path), with_positions=True)
    return {"X": X.tolist(), "positions": positions.tolist(), "names": list(names)}


def paraphrase_signs(analysed: Analysed, data: Path, tmp: Path) -> dict[int, list[float]]:
    """Line number -> the paraphrase model's signs for the turn (labelled rep turns only)."""
    corpus = analysed.corpus
    cached = cache_path(corpus, data / corpus.file, code_hash(), "paraphrase-signs-all")
    if cached.is_file():
        with gzip.open(cached, "rt", encoding="utf-8") as f:
            return {int(k): v for k, v in json.load(f).items()}
    rows = load_rows(data / corpus.file)
    pieces, offsets, start = [], [], 0
    for n, piece in enumerate(chunks_by_conversation(rows, CHUNK_UTTERANCES)):
        path = tmp / f"{corpus.name}-signs-{n}.jsonl"
        path.write_text("".join(json.dumps(r) + "\n" for r in piece), encoding="utf-8")
        pieces.append(str(path))
        offsets.append(start)
        start += len(piece)
    with ProcessPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(_signs_of_piece, pieces))
    signs = {
        offset + p: x
        for offset, result in zip(offsets, results, strict=False)
        for p, x in zip(result["positions"], result["X"], strict=False)
    }
    with gzip.open(cached, "wt", encoding="utf-8") as f:
        json.dump(signs, f)
    return signs


# ---------------------------------------------------------------------------------------------
# Features.

QUOTED = re.compile(r"'[^']*'|\([^)]*\)")


def words_after_fillers(text: str) -> list[str]:
    words = re.findall(r"[a-z][a-z'-]*", (text or "").lower())
    start = next((i for i, w in enumerate(words) if w not in FILLERS), len(words))
    return words[start:]


def features(
    row: dict, previous: dict | None, signs: list[float] | None, sign_names: list[str], groups: set[str]
) -> dict[str, float]:
    a = row["analysis"]
    text = row["text"] or ""
    f: dict[str, float] = {}
    if "rules" in groups:
        f["rule:is_question"] = float(a["is_question"])
        f[f"rule:type={a['question_type']}"] = 1.0
        f["rule:is_needs_question"] = float(a["is_needs_question"])
        f[f"rule:spin={a['spin']}"] = 1.0
        f["rule:is_paraphrase"] = float(a["is_paraphrase"])
        f["rule:paraphrase_score"] = a["paraphrase_score"]
        f["rule:grounded"] = float(a["paraphrase_grounded"])
        f["rule:restates"] = min(len(a["restates"]), 4) / 4
        f["rule:is_pitch"] = float(a["is_pitch"])
        f["rule:log_words"] = math.log1p(a["words"]) / 4
        f["rule:sentences>1"] = float(a["sentences"] > 1)
        for e in a["evidence"]:
            for part in (e.get("cue") or "").split(";"):
                cue = QUOTED.sub("'...'", part).strip()
                f[f"cue:{e['label']}|{cue}"] = 1.0
            if e["label"] == "pitch":
                f[f"cue:pitch kind={e.get('kind')}"] = 1.0
        if signs is not None:
            for name, value in zip(sign_names, signs, strict=False):
                f[f"sign:{name}"] = value
    if "words" in groups:
        first = words_after_fillers(text)[:3]
        for i, w in enumerate(first):
            f[f"w{i}:{w}"] = 1.0
        for i in range(len(first) - 1):
            f[f"w{i}{i + 1}:{first[i]}_{first[i + 1]}"] = 1.0
        all_words = re.findall(r"[a-z][a-z'-]*", text.lower())
        if all_words:
            f[f"last:{all_words[-1]}"] = 1.0
        f["trailing ?"] = float(floor_is_question(text))
        f["? inside"] = float("?" in text.rstrip()[:-1])
        f["quoted"] = float('"' in text or "“" in text)
    if "bag" in groups:
        for w in set(re.findall(r"[a-z][a-z'-]*", text.lower())):
            f[f"bag:{w}"] = 1.0
    if "context" in groups:
        same = previous is not None and previous["speaker"] == row["speaker"]
        f["ctx:previous is own"] = float(same)
        if previous is not None and not same:
            prev_text = (previous["text"] or "").rstrip()
            f["ctx:other's turn ends open"] = float(not prev_text.endswith((".", "?", "!")))
            f["ctx:other said little"] = float(len(prev_text.split()) <= 3)
        if same and f.get("sign:continues_customer") is not None:
            f["ctx:own continuation"] = f["sign:continues_customer"]
    return f


# ---------------------------------------------------------------------------------------------
# The task definitions.


@dataclass(frozen=True)
class Task:
    name: str
    corpus: str
    gold: Callable[[dict], object]  # None: not labelled
    rules: Callable[[dict], object]  # the analyzer's decision
    floor: Callable[[dict], object]
    target: float | None
    groups: tuple[str, ...]
    pool: tuple[str, ...] = ()  # other corpora whose (whole) data may join the training set
    kind: str = "binary"  # or "type" (open/closed accuracy on gold questions)
    min_precision: float | None = None  # the target's floor on precision
    rep_only: bool = False
    measure_rows: Callable[[dict], bool] | None = None  # where a false-alarm rate is measured
    # Turns of other corpora that are never this label (AnnoMI reflections are never pitches): how
    # often the model trained here fires on them, against the rules.
    alarm_checks: tuple[tuple[str, str, Callable[[dict], bool]], ...] = ()


def label(name: str) -> Callable[[dict], object]:
    return lambda r: (r.get("labels") or {}).get(name)


def plain_statement(row: dict) -> bool:
    return (row.get("source_label") or {}).get("damsl_collapsed") in ("sd", "sv")


def reflection(row: dict) -> bool:
    labels = row.get("labels") or {}
    return row["speaker"] == "rep" and bool(labels.get("is_paraphrase")) and not labels.get("is_question")


BASE = ("rules", "words", "context")
TASKS = [
    Task(
        "is_question",
        "annomi",
        label("is_question"),
        lambda r: r["analysis"]["is_question"],
        lambda r: floor_is_question(r["text"]),
        0.92,
        BASE,
        pool=("swda", "welivita"),
    ),
    Task(
        "is_question",
        "swda",
        label("is_question"),
        lambda r: r["analysis"]["is_question"],
        lambda r: floor_is_question(r["text"]),
        0.85,
        BASE,
        pool=("annomi", "welivita"),
    ),
    Task(
        "is_question",
        "welivita",
        label("is_question"),
        lambda r: r["analysis"]["is_question"],
        lambda r: floor_is_question(r["text"]),
        0.92,
        BASE,
        pool=("annomi", "swda"),
    ),
    Task(
        "open/closed (MI)",
        "annomi",
        label("question_type"),
        lambda r: r["analysis"]["question_type"],
        lambda r: floor_question_type(r["text"]),
        0.80,
        BASE,
        pool=("welivita",),
        kind="type",
    ),
    Task(
        "open/closed (sales)",
        "swda",
        label("question_type"),
        lambda r: r["analysis"]["question_type"],
        lambda r: floor_question_type(r["text"]),
        0.93,
        BASE,
        kind="type",
    ),
    Task(
        "is_paraphrase",
        "annomi",
        label("is_paraphrase"),
        lambda r: r["analysis"]["is_paraphrase"],
        lambda r: floor_is_paraphrase(r["text"]),
        0.70,
        BASE,
        pool=("swda",),
        rep_only=True,
    ),
    Task(
        "statements as paraphrase",
        "swda",
        label("is_paraphrase"),
        lambda r: r["analysis"]["is_paraphrase"],
        lambda r: floor_is_paraphrase(r["text"]),
        0.03,
        BASE,
        pool=("annomi",),
        rep_only=True,
        measure_rows=plain_statement,
    ),
    Task(
        "is_needs_question",
        "p4g",
        label("is_needs_question"),
        lambda r: r["analysis"]["is_needs_question"],
        lambda r: "?" in (r["text"] or ""),
        0.80,
        (*BASE, "bag"),
    ),
    Task(
        "is_pitch",
        "p4g",
        label("is_pitch"),
        lambda r: r["analysis"]["is_pitch"],
        lambda r: True,
        0.65,
        (*BASE, "bag"),
        min_precision=0.85,
        alarm_checks=(("annomi", "reflections", reflection), ("swda", "plain statements", plain_statement)),
    ),
]


# ---------------------------------------------------------------------------------------------
# Training and evaluation.


@dataclass
class Example:
    corpus: str
    conversation: str
    gold: object
    rules: object
    floor: object
    features: dict[str, float]
    measured: bool  # counts in a false-alarm rate


def examples_for(
    task: Task, corpus: str, analysed: dict[str, Analysed], signs: dict[str, dict], groups: tuple[str, ...]
) -> list[Example]:
    a = analysed[corpus]
    sign_names = list(signs.get("names", []))
    by_line = signs.get(corpus, {})
    out = []
    before = None
    for position, row in enumerate(a.rows):
        previous = before if before is not None and before["conversation_id"] == row["conversation_id"] else None
        before = row
        gold = task.gold(row)
        keep = gold is not None and not (task.rep_only and row["speaker"] != "rep")
        if keep and task.kind == "type":
            keep = gold in ("open", "closed")
        if keep:
            out.append(
                Example(
                    corpus,
                    row["conversation_id"],
                    gold,
                    task.rules(row),
                    task.floor(row),
                    features(row, previous, by_line.get(position), sign_names, set(groups)),
                    task.measure_rows(row) if task.measure_rows else True,
                )
            )
    return out


def fit_predict(train: list[Example], test: list[Example], task: Task):
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression

    vectorizer = DictVectorizer()
    X = small_indices(vectorizer.fit_transform([e.features for e in train]))
    y = np.array([target_value(e, task) for e in train])
    model = LogisticRegression(C=0.5, solver="liblinear", max_iter=2000)
    model.fit(X, y)
    return model.predict_proba(small_indices(vectorizer.transform([e.features for e in test])))[:, 1], model, vectorizer


def small_indices(X):
    """liblinear (much faster than lbfgs here) takes only 32-bit sparse indices."""
    X = X.tocsr()
    X.indices = X.indices.astype(np.int32)
    X.indptr = X.indptr.astype(np.int32)
    return X


def target_value(e: Example, task: Task) -> int:
    return int(e.gold == "open") if task.kind == "type" else int(bool(e.gold))


def choose_threshold(train: list[Example], task: Task) -> float:
    """From out-of-fold predictions on the training conversations only."""
    if task.kind == "type":
        return 0.5
    y = np.array([target_value(e, task) for e in train])
    if len(train) > LARGE:
        # With tens of thousands of turns a linear model hardly overfits: its own predictions on
        # the training conversations choose the threshold, at a quarter of the cost.
        scores, _, _ = fit_predict(train, train, task)
        return best_threshold(scores, y, task)
    conversations = sorted({e.conversation for e in train})
    folds = assign_folds(conversations, 3, SEED + 1)
    scores = np.zeros(len(train))
    for k in range(3):
        inner_test = [i for i, e in enumerate(train) if folds[e.conversation] == k]
        inner_train = [e for e in train if folds[e.conversation] != k]
        p, _, _ = fit_predict(inner_train, [train[i] for i in inner_test], task)
        scores[inner_test] = p
    return best_threshold(scores, y, task)


def best_threshold(scores: np.ndarray, y: np.ndarray, task: Task) -> float:
    best, best_value = 0.5, -1.0
    for t in np.arange(0.1, 0.9, 0.02):
        pred = scores >= t
        tp = float((pred & (y == 1)).sum())
        precision = tp / max(pred.sum(), 1)
        f1 = 2 * tp / max(pred.sum() + (y == 1).sum(), 1)
        if task.min_precision is not None and precision < task.min_precision:
            continue
        if f1 > best_value:
            best, best_value = float(t), f1
    return best


def scores_of(examples: list[Example], decisions: list, task: Task) -> dict[str, float]:
    if task.kind == "type":
        right = sum(1 for e, d in zip(examples, decisions, strict=False) if d == e.gold)
        return {"accuracy": right / len(examples) if examples else math.nan}
    if task.measure_rows is not None:
        measured = [(e, d) for e, d in zip(examples, decisions, strict=False) if e.measured]
        return {"rate": sum(1 for _, d in measured if d) / len(measured) if measured else math.nan}
    tp = sum(1 for e, d in zip(examples, decisions, strict=False) if e.gold and d)
    fp = sum(1 for e, d in zip(examples, decisions, strict=False) if not e.gold and d)
    fn = sum(1 for e, d in zip(examples, decisions, strict=False) if e.gold and not d)
    return {
        "precision": tp / (tp + fp) if tp + fp else math.nan,
        "recall": tp / (tp + fn) if tp + fn else math.nan,
        "f1": 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else math.nan,
    }


def over_folds(examples: list[Example], decisions: list, task: Task) -> dict[str, tuple[float, float, float]]:
    """Mean, min and max over the conversation folds of the examples."""
    folds = assign_folds(sorted({e.conversation for e in examples}), FOLDS, SEED)
    per_fold = []
    for k in range(FOLDS):
        idx = [i for i, e in enumerate(examples) if folds[e.conversation] == k]
        per_fold.append(scores_of([examples[i] for i in idx], [decisions[i] for i in idx], task))
    out = {}
    for name in per_fold[0]:
        values = [s[name] for s in per_fold if not math.isnan(s[name])]
        out[name] = (float(np.mean(values)), min(values), max(values)) if values else (math.nan,) * 3
    return out


def run_task(
    task: Task, analysed: dict[str, Analysed], signs: dict, groups: tuple[str, ...], pooled: str, top: int
) -> tuple[dict, list, list[str]]:
    corpus = CORPORA[task.corpus]
    examples = examples_for(task, task.corpus, analysed, signs, groups)
    extra: list[Example] = [
        e
        for c in (task.pool if pooled != "no" else ())
        if c in analysed
        for e in examples_for(task, c, analysed, signs, groups)
    ]
    own = "no" if pooled == "only" else "yes"  # "only": the pooled corpora alone, none of this one
    if pooled == "negatives":
        # Turns of other corpora that are never the label, from their training halves only: the
        # alarm checks below read the other halves.
        for corpus_name, _, chosen in task.alarm_checks:
            train_part = set(negatives_split(analysed[corpus_name])[0])
            probe = examples_for(never_the_label(task, corpus_name, groups), corpus_name, analysed, signs, groups)
            extra += [
                e
                for e, r in zip(probe, analysed[corpus_name].rows, strict=False)
                if chosen(r) and r["conversation_id"] in train_part
            ]
    order = conversation_order(analysed[task.corpus].rows)
    probabilities: dict[int, float] = {}
    decisions: list = [None] * len(examples)
    weights = None
    alarms: list[list[str]] = []
    if corpus.tuned_conversations:
        tuned = set(order[: corpus.tuned_conversations])
        train = [e for e in examples if e.conversation in tuned and own == "yes"] + extra
        test_idx = [i for i, e in enumerate(examples) if e.conversation not in tuned]
        plans = [(train, test_idx)]
    else:
        folds = assign_folds(order, FOLDS, SEED)
        plans = []
        for k in range(FOLDS):
            test_idx = [i for i, e in enumerate(examples) if folds[e.conversation] == k]
            train = [e for e in examples if folds[e.conversation] != k and own == "yes"] + extra
            plans.append((train, test_idx))
    for train, test_idx in plans:
        threshold = choose_threshold(train, task)
        p, model, vectorizer = fit_predict(train, [examples[i] for i in test_idx], task)
        for i, value in zip(test_idx, p, strict=False):
            probabilities[i] = value
            decisions[i] = ("open" if value >= 0.5 else "closed") if task.kind == "type" else bool(value >= threshold)
        if weights is None:
            for corpus_name, what, chosen in task.alarm_checks:
                held_out = set(negatives_split(analysed[corpus_name])[1])
                rows = [
                    (i, r)
                    for i, r in enumerate(analysed[corpus_name].rows)
                    if chosen(r) and r["conversation_id"] in held_out
                ]
                probe = examples_for(never_the_label(task, corpus_name, groups), corpus_name, analysed, signs, groups)
                keep = {id(r) for _, r in rows}
                probe = [e for e, r in zip(probe, analysed[corpus_name].rows, strict=False) if id(r) in keep]
                fired = fit_and_flag(train, probe, task, threshold)
                alarms.append(
                    [
                        task.name,
                        corpus_name,
                        what,
                        str(len(probe)),
                        f"{np.mean([bool(e.rules) for e in probe]):.3f}",
                        f"{np.mean(fired):.3f}",
                    ]
                )
            names = vectorizer.get_feature_names_out()
            order_w = np.argsort(-np.abs(model.coef_[0]))[:top]
            weights = [f"{names[j]} {model.coef_[0][j]:+.2f}" for j in order_w]
    tested = sorted(probabilities)
    held = [examples[i] for i in tested]
    result = {
        "rules": over_folds(held, [e.rules for e in held], task),
        "floor": over_folds(held, [e.floor for e in held], task),
        "learned": over_folds(held, [decisions[i] for i in tested], task),
        "n": len(held),
    }
    if task.kind == "type":
        found = [i for i in tested if examples[i].rules is not None]
        held_found = [examples[i] for i in found]
        result["rules, found questions"] = over_folds(held_found, [e.rules for e in held_found], task)
        result["learned, found questions"] = over_folds(held_found, [decisions[i] for i in found], task)
    result["alarms"] = alarms
    return result, weights or [], [e.corpus for e in extra]


def never_the_label(task: Task, corpus: str, groups: tuple[str, ...]) -> Task:
    """The task read on another corpus whose chosen turns are never the label (gold False everywhere)."""
    return Task(task.name, corpus, lambda r: False, task.rules, task.floor, None, groups)


def negatives_split(analysed: Analysed) -> tuple[list[str], list[str]]:
    """(training, held-out) conversations of a corpus used for negatives and false-alarm checks:
    the tuned part and the unseen part where there is one, else the two halves."""
    order = conversation_order(analysed.rows)
    cut = analysed.corpus.tuned_conversations or len(order) // 2
    return order[:cut], order[cut:]


def fit_and_flag(train: list[Example], probe: list[Example], task: Task, threshold: float) -> list[bool]:
    p, _, _ = fit_predict(train, probe, task)
    return [bool(v >= threshold) for v in p]


def paraphrase_rule_variants(analysed: dict[str, Analysed], signs: dict) -> list[list[str]]:
    """Two rule changes scored with the shipped weights (fitted on the tuned AnnoMI conversations):
    'finishes the customer's sentence' only right after the customer spoke (in Switchboard a turn
    comes in pieces, and "and then ..." continues the speaker's own story), and a paraphrase only
    when something of the customer's comes back (their words or a feeling)."""
    from analysis.language.paraphrase import SIGNS, weights

    model = weights()
    w = np.array([model["weights"][name] for name in SIGNS])
    cont = SIGNS.index("continues_customer")

    def decide(corpus: str, after_other_only: bool, grounded_only: bool) -> dict[int, bool]:
        rows = analysed[corpus].rows
        out = {}
        for position, x in signs[corpus].items():
            x = np.array(x)
            row, before = rows[position], rows[position - 1] if position else None
            own_piece = (
                before is not None
                and before["conversation_id"] == row["conversation_id"]
                and before["speaker"] == row["speaker"]
            )
            if after_other_only and own_piece:
                x[cont] = 0.0
            score = 1 / (1 + math.exp(-(model["bias"] + float(w @ x))))
            grounded = row["analysis"]["paraphrase_grounded"]
            out[position] = score >= model["threshold"] and (grounded or not grounded_only)
        return out

    unseen = set(conversation_order(analysed["annomi"].rows)[CORPORA["annomi"].tuned_conversations :])
    table_rows = []
    for name, after_other_only, grounded_only in [
        ("as shipped", False, False),
        ("finishing a sentence only after the customer", True, False),
        ("grounded only", False, True),
        ("both", True, True),
    ]:
        annomi = decide("annomi", after_other_only, grounded_only)
        pairs = [
            (bool(analysed["annomi"].rows[p]["labels"]["is_paraphrase"]), d)
            for p, d in annomi.items()
            if analysed["annomi"].rows[p]["conversation_id"] in unseen
        ]
        tp = sum(1 for g, d in pairs if g and d)
        fp = sum(1 for g, d in pairs if not g and d)
        fn = sum(1 for g, d in pairs if g and not d)
        swda = decide("swda", after_other_only, grounded_only)
        statements = [d for p, d in swda.items() if plain_statement(analysed["swda"].rows[p])]
        table_rows.append(
            [
                name,
                f"{2 * tp / (2 * tp + fp + fn):.3f}",
                f"{tp / max(tp + fp, 1):.3f}",
                f"{tp / max(tp + fn, 1):.3f}",
                f"{np.mean(statements):.3f}",
            ]
        )
    return table_rows


def main_measure(task: Task) -> str:
    return "accuracy" if task.kind == "type" else "rate" if task.measure_rows else "f1"


def cell(summary: dict[str, tuple[float, float, float]], measure: str) -> str:
    mean, low, high = summary[measure]
    return "" if math.isnan(mean) else f"{mean:.3f} ({low:.2f}-{high:.2f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--only", help="one task name, e.g. is_pitch")
    parser.add_argument("--top", type=int, default=12, help="weights shown per model")
    args = parser.parse_args()
    try:
        import sklearn  # noqa: F401
    except ImportError:
        raise SystemExit("prototype_learned: needs scikit-learn (.venv/bin/pip install scikit-learn)") from None

    analysed = analyse_corpora(list(CORPORA.values()), args.data, True, 2)
    import tempfile

    signs: dict = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name in ("annomi", "swda", "welivita"):
            signs[name] = paraphrase_signs(analysed[name], args.data, Path(tmp))
    from analysis.language.paraphrase import SIGNS

    signs["names"] = list(SIGNS)

    variants = [
        ("rules signals only", ("rules",), "no"),
        ("rules + words + context", None, "no"),
        ("same, pooled corpora", None, "yes"),
        ("same, trained on the other corpora only", None, "only"),
        ("same, plus never-pitch turns of other corpora as negatives", None, "negatives"),
    ]
    rows, notes, alarms = [], [], []
    for task in TASKS:
        if args.only and task.name != args.only:
            continue
        measure = main_measure(task)
        split = "unseen" if CORPORA[task.corpus].tuned_conversations else "5-fold cv"
        baseline = None
        for variant, groups, pooled in variants:
            if pooled in ("yes", "only") and not task.pool or pooled == "only" and task.measure_rows is None:
                continue
            if pooled == "negatives" and not task.alarm_checks:
                continue
            result, weights, _ = run_task(task, analysed, signs, groups or task.groups, pooled, args.top)
            if baseline is None:
                baseline = result
                rows.append([task.corpus, task.name, split, "trivial rule", cell(result["floor"], measure), "", ""])
                rows.append(
                    [
                        task.corpus,
                        task.name,
                        split,
                        "rules (analyzer)",
                        cell(result["rules"], measure),
                        cell(result["rules"], "precision") if measure == "f1" else "",
                        cell(result["rules"], "recall") if measure == "f1" else "",
                    ]
                )
                if "rules, found questions" in result:
                    rows.append(
                        [
                            task.corpus,
                            task.name,
                            split,
                            "rules, on questions it found",
                            cell(result["rules, found questions"], measure),
                            "",
                            "",
                        ]
                    )
            rows.append(
                [
                    task.corpus,
                    task.name,
                    split,
                    f"learned: {variant}",
                    cell(result["learned"], measure),
                    cell(result["learned"], "precision") if measure == "f1" else "",
                    cell(result["learned"], "recall") if measure == "f1" else "",
                ]
            )
            if "learned, found questions" in result:
                rows.append(
                    [
                        task.corpus,
                        task.name,
                        split,
                        f"learned: {variant}, on questions it found",
                        cell(result["learned, found questions"], measure),
                        "",
                        "",
                    ]
                )
            alarms += [[*a[:1], variant, *a[1:]] for a in result["alarms"]]
            if variant == "rules + words + context" or pooled == "negatives":
                notes.append(f"{task.corpus} {task.name}, {variant}: " + "; ".join(weights))
        print(f"{task.corpus} {task.name} done", file=sys.stderr)
    print("Rules vs learned, mean over 5 conversation folds of the held-out conversations (min-max):")
    print(table(["corpus", "label", "judged on", "model", "F1 / acc / rate", "precision", "recall"], rows))
    if alarms:
        print("\nFalse alarms elsewhere (models trained on the tuned part; these turns are never the label):")
        print(table(["label", "model", "corpus", "turns", "n", "rules rate", "learned rate"], alarms))
    if not args.only or args.only in ("is_paraphrase", "statements as paraphrase"):
        print("\nParaphrase rule changes, shipped weights (AnnoMI unseen, pooled; Switchboard speaker A statements):")
        print(
            table(
                ["rule", "AnnoMI F1", "precision", "recall", "Switchboard statements flagged"],
                paraphrase_rule_variants(analysed, signs),
            )
        )
    print("\nLargest weights (first fit of each model):")
    for note in notes:
        print(f"- {note}")


if __name__ == "__main__":
    main()
