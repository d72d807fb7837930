"""How often the analyzer agrees with expert labels on conversations it was not tuned on.

Runs the real `spar analyze` over every development file in ../shared/data (outside the repo:
AnnoMI, PersuasionForGood, Switchboard, Welivita) and prints, per corpus and label, precision,
recall and F1 (accuracy for open/closed) as the mean over conversation-level folds with the
spread across them, next to a trivial rule scored on the same folds, and the targets of issue #17.

Honesty:
- The rules were read off the first 40 AnnoMI conversations and the first 90 PersuasionForGood
  dialogues (in the order the files list them: the conversations added on 2026-12-01 were
  appended after them). The "unseen" rows score only the conversations added later; they are the
  figures the targets are judged on. The "cv" rows score every conversation, so for these two
  corpora they include the ones the rules were read from.
- The paraphrase weights are fitted on AnnoMI plus Switchboard's plain statements, so those rows
  never use the shipped weights: the "cv" rows refit them per fold (fold k of both held out
  together, as bench/fit_paraphrase.py does), the "unseen" row fits them on the tuned AnnoMI
  conversations (and half of Switchboard) only.
- Switchboard and Welivita were never used for tuning: all their conversations are unseen.
- The pitch model is trained on PersuasionForGood plus AnnoMI reflections and Switchboard
  statements (bench/train_pitch.py), so its rows never use the shipped weights either: the "cv"
  rows refit it per fold (fold k of every corpus held out together), the "unseen" rows fit it on
  the tuned conversations (and the first half of Switchboard). Needs scikit-learn.

The analyzer's outputs are cached per corpus in bench/.cache/, keyed by a hash of the analyzer's
code and patterns and of the data, so a rerun without changes takes seconds.

    .venv/bin/python bench/analyzer_accuracy.py [--data ../shared/data] [--folds 5] [--seed 0]
        [--json | --markdown] [--corpus swda ...] [--errors [CORPUS/]LABEL:fn|fp] [--no-cache]
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import math
import os
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench._table import table  # noqa: E402

CACHE_DIR = ROOT / "bench" / ".cache"
# The code whose behaviour the cached outputs depend on.
CODE_DIRS = ("analysis", "simulator")
# A chunk of a large corpus analysed by one process: small enough to keep both cores busy.
CHUNK_UTTERANCES = 16_000


@dataclass(frozen=True)
class Corpus:
    name: str
    file: str
    labels: tuple[str, ...]
    products: tuple[str, ...] = ()  # what is "sold", as a practice call's scenario names its product
    tuned_conversations: int = 0  # how many of the file's first conversations the rules were read off
    convention: str = "mi"  # how its coders call a question open or closed


CORPORA = {
    "annomi": Corpus(
        "annomi", "annomi-dev.jsonl", ("is_question", "open/closed", "is_paraphrase"), tuned_conversations=40
    ),
    "p4g": Corpus(
        "p4g",
        "p4g-dev.jsonl",
        ("is_question", "is_needs_question", "is_pitch"),
        products=("Save the Children",),
        tuned_conversations=90,
    ),
    "swda": Corpus("swda", "swda-dev.jsonl", ("is_question", "open/closed", "is_paraphrase"), convention="sales"),
    "welivita": Corpus("welivita", "welivita-dev.jsonl", ("is_question", "open/closed", "is_paraphrase")),
}
# Labels only the persuasion corpus carries: `--errors is_pitch:fn` looks there.
P4G_ONLY = {"is_needs_question", "is_pitch"}
STATEMENTS_AS_PARAPHRASE = "plain statements flagged as paraphrase"
REFLECTIONS_AS_PITCH = "reflections flagged as pitch"
STATEMENTS_AS_PITCH = "plain statements flagged as pitch"
# The pitch model is trained on these three together (bench/train_pitch.py): PersuasionForGood's
# labels and the never-pitch turns of the other two.
PITCH_TRAINING = ("p4g", "annomi", "swda")
# The paraphrase model: AnnoMI's labels and Switchboard's plain statements (bench/fit_paraphrase.py).
PARAPHRASE_TRAINING = ("annomi", "swda")
SIGNS_SPEAKERS = {"annomi": ("rep",), "swda": ("rep", "customer")}  # Switchboard labels both sides
OPEN_CLOSED_FOUND = "open/closed, found questions"


@dataclass(frozen=True)
class Target:
    corpus: str
    split: str
    label: str
    measure: str  # "f1", "accuracy" or "rate"
    bound: float
    at_most: bool = False  # a false-alarm rate: lower is better
    min_precision: float | None = None


# Issue #17, judged on conversations the rules were not tuned on.
TARGETS = (
    Target("annomi", "unseen", "is_question", "f1", 0.92),
    Target("annomi", "unseen", "is_paraphrase", "f1", 0.70),
    Target("annomi", "unseen", "open/closed", "accuracy", 0.80),
    Target("swda", "cv", "is_question", "f1", 0.85),
    Target("swda", "cv", "open/closed", "accuracy", 0.93),
    # The same bars on typing alone: a missed question is a detection error, counted above.
    Target("annomi", "unseen", OPEN_CLOSED_FOUND, "accuracy", 0.80),
    Target("swda", "cv", OPEN_CLOSED_FOUND, "accuracy", 0.93),
    Target("swda", "cv", STATEMENTS_AS_PARAPHRASE, "rate", 0.03, at_most=True),
    Target("welivita", "cv", "is_question", "f1", 0.92),
    Target("p4g", "unseen", "is_needs_question", "f1", 0.80),
    Target("p4g", "unseen", "is_pitch", "f1", 0.65, min_precision=0.85),
)

# ---------------------------------------------------------------------------------------------
# Trivial rules: what any figure must beat. Deliberately naive, and independent of the analyzer.

FILLERS = {
    "um",
    "umm",
    "uh",
    "uhh",
    "er",
    "erm",
    "ah",
    "hmm",
    "mm",
    "oh",
    "so",
    "okay",
    "ok",
    "well",
    "and",
    "but",
    "yeah",
    "now",
    "alright",
    "right",
    "like",
    "uh-huh",
    "mm-hmm",
    "hm",
}
WH_WORDS = {"what", "how", "why", "when", "where", "who", "which", "whose", "whom"}
LEAD_INS = (
    "so",
    "it sounds like",
    "sounds like",
    "you feel",
    "you're feeling",
    "it seems",
    "seems like",
    "you're saying",
    "what you're saying",
    "in other words",
    "i'm hearing",
    "what i'm hearing",
    "i hear",
)


def words_of(text: str) -> list[str]:
    return re.findall(r"[a-z][a-z'-]*", (text or "").lower())


def first_word_after_fillers(text: str) -> str:
    return next((w for w in words_of(text) if w not in FILLERS), "")


def floor_is_question(text: str) -> bool:
    return (text or "").rstrip().endswith("?")


def floor_question_type(text: str) -> str:
    return "open" if first_word_after_fillers(text) in WH_WORDS else "closed"


def floor_is_paraphrase(text: str) -> bool:
    opening = " ".join(w for w in words_of(text)[:6] if w not in FILLERS - {"so"})
    return any(opening == lead or opening.startswith(lead + " ") for lead in LEAD_INS)


FLOORS: dict[str, tuple[str, Callable[[str], object]]] = {
    "is_question": ("trailing '?'", floor_is_question),
    "open/closed": ("first word", floor_question_type),
    OPEN_CLOSED_FOUND: ("first word", floor_question_type),
    "is_paraphrase": ("lead-ins", floor_is_paraphrase),
    "is_needs_question": ("every question", lambda text: "?" in (text or "")),
    "is_pitch": ("everything", lambda text: True),
    STATEMENTS_AS_PARAPHRASE: ("lead-ins", floor_is_paraphrase),
}

# ---------------------------------------------------------------------------------------------
# Running the analyzer (cached).


def code_hash() -> str:
    digest = hashlib.sha256()
    for folder in CODE_DIRS:
        for path in sorted((ROOT / folder).rglob("*")):
            if path.suffix in (".py", ".yaml", ".yml", ".json") and "__pycache__" not in path.parts:
                digest.update(str(path.relative_to(ROOT)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()


def cache_path(corpus: Corpus, path: Path, code: str, kind: str) -> Path:
    digest = hashlib.sha256()
    digest.update(code.encode())
    digest.update(path.read_bytes())
    digest.update(json.dumps([corpus.products, corpus.convention, kind]).encode())
    return CACHE_DIR / f"{corpus.name}-{kind}-{digest.hexdigest()[:16]}.json.gz"


def load_rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.open(encoding="utf-8")]


def chunks_by_conversation(rows: list[dict], size: int) -> list[list[dict]]:
    """Consecutive pieces of about `size` utterances that never split a conversation (the analyzer
    reads a paraphrase against the conversation's earlier turns)."""
    pieces: list[list[dict]] = [[]]
    for i, row in enumerate(rows):
        if len(pieces[-1]) >= size and row["conversation_id"] != rows[i - 1]["conversation_id"]:
            pieces.append([])
        pieces[-1].append(row)
    return pieces


def analyze_supports_convention() -> bool:
    done = subprocess.run(
        [sys.executable, "-m", "simulator", "analyze", "--help"], capture_output=True, text=True, cwd=ROOT
    )
    return "--convention" in done.stdout


def run_analyze(
    path: Path, products: list[str] | tuple[str, ...], convention: str | None = None
) -> tuple[list[dict], float]:
    """The real `spar analyze` over a JSONL file: every line back with its `analysis`."""
    started = time.perf_counter()
    options = [arg for name in products for arg in ("--product", name)]
    if convention:
        options += ["--convention", convention]
    done = subprocess.run(
        [sys.executable, "-m", "simulator", "analyze", str(path), *options],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ},
    )
    if done.returncode:
        raise SystemExit(f"spar analyze failed on {path}: {done.stderr.strip()}")
    return [json.loads(line) for line in done.stdout.splitlines()], time.perf_counter() - started


@dataclass
class Analysed:
    corpus: Corpus
    rows: list[dict]  # the file's lines, each with the analyzer's `analysis`
    seconds: float | None  # analysis time, None when read from the cache
    extra: dict = field(default_factory=dict)


def analyse_corpora(corpora: list[Corpus], data: Path, use_cache: bool, jobs: int) -> dict[str, Analysed]:
    """Analyse every corpus (from the cache where possible), large ones in pieces in parallel."""
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    code = code_hash()
    results: dict[str, Analysed] = {}
    pending: list[tuple[Corpus, list[dict], Path]] = []
    for corpus in corpora:
        path = data / corpus.file
        rows = load_rows(path)
        cached = cache_path(corpus, path, code, "analysis")
        if use_cache and cached.is_file():
            with gzip.open(cached, "rt", encoding="utf-8") as f:
                analyses = json.load(f)
            results[corpus.name] = Analysed(
                corpus, [r | {"analysis": a} for r, a in zip(rows, analyses, strict=False)], None
            )
        else:
            pending.append((corpus, rows, cached))
    needs_signs = [c for c in corpora if c.name in PARAPHRASE_TRAINING]
    signs_pending = []
    for corpus in needs_signs:
        cached = cache_path(corpus, data / corpus.file, code, "paraphrase-signs")
        if use_cache and cached.is_file():
            with gzip.open(cached, "rt", encoding="utf-8") as f:
                results.setdefault(corpus.name, Analysed(corpus, [], None)).extra["signs"] = json.load(f)
        else:
            signs_pending.append((corpus, cached))

    if pending or signs_pending:
        convention = analyze_supports_convention() if pending else False
        with tempfile.TemporaryDirectory() as tmp, ThreadPoolExecutor(max_workers=jobs) as pool:
            work = []
            for corpus, rows, _ in pending:
                for n, piece in enumerate(chunks_by_conversation(rows, CHUNK_UTTERANCES)):
                    piece_path = Path(tmp) / f"{corpus.name}-{n}.jsonl"
                    piece_path.write_text("".join(json.dumps(r) + "\n" for r in piece), encoding="utf-8")
                    work.append((corpus.name, n, len(piece), piece_path, corpus))
            work.sort(key=lambda item: -item[2])  # largest first keeps the cores evenly busy
            futures = {
                (name, n): pool.submit(
                    run_analyze, piece_path, corpus.products, corpus.convention if convention else None
                )
                for name, n, _, piece_path, corpus in work
            }
            sign_futures = {
                corpus.name: pool.submit(_paraphrase_signs, data / corpus.file, SIGNS_SPEAKERS[corpus.name])
                for corpus, _ in signs_pending
            }
            for corpus, rows, cached in pending:
                parts = sorted((n, f.result()) for (name, n), f in futures.items() if name == corpus.name)
                analysed = [line for _, (lines, _) in parts for line in lines]
                seconds = sum(s for _, (_, s) in parts)
                analyses = [line["analysis"] for line in analysed]
                if len(analyses) != len(rows):
                    raise SystemExit(f"spar analyze returned {len(analyses)} lines for {len(rows)} in {corpus.file}")
                with gzip.open(cached, "wt", encoding="utf-8") as f:
                    json.dump(analyses, f)
                extra = results.get(corpus.name).extra if corpus.name in results else {}
                results[corpus.name] = Analysed(
                    corpus, [r | {"analysis": a} for r, a in zip(rows, analyses, strict=False)], seconds, extra=extra
                )
            for corpus, cached in signs_pending:
                signs = sign_futures[corpus.name].result()
                with gzip.open(cached, "wt", encoding="utf-8") as f:
                    json.dump(signs, f)
                results[corpus.name].extra["signs"] = signs
    return {c.name: results[c.name] for c in corpora}


def _paraphrase_signs(path: Path, speakers: tuple[str, ...]) -> dict:
    from bench.fit_paraphrase import turn_features

    X, y, _, names, positions = turn_features(path, with_positions=True, speakers=speakers)
    return {"X": X.tolist(), "y": y.tolist(), "positions": positions.tolist(), "names": list(names)}


# ---------------------------------------------------------------------------------------------
# Folds and figures.


def conversation_order(rows: list[dict]) -> list[str]:
    return list(dict.fromkeys(r["conversation_id"] for r in rows))


def assign_folds(conversations: list[str], folds: int, seed: int) -> dict[str, int]:
    """Whole conversations to folds, shuffled with a fixed seed."""
    shuffled = np.array(sorted(conversations))
    np.random.default_rng(seed).shuffle(shuffled)
    return {c: k % folds for k, c in enumerate(shuffled)}


@dataclass
class Item:
    conversation: str
    gold: object
    got: object
    floor: object


def binary_scores(items: list[Item], attr: str) -> dict[str, float]:
    tp = sum(1 for i in items if i.gold and getattr(i, attr))
    fp = sum(1 for i in items if not i.gold and getattr(i, attr))
    fn = sum(1 for i in items if i.gold and not getattr(i, attr))
    precision = tp / (tp + fp) if tp + fp else math.nan
    recall = tp / (tp + fn) if tp + fn else math.nan
    f1 = 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else math.nan
    return {"precision": precision, "recall": recall, "f1": f1}


def accuracy(items: list[Item], attr: str) -> dict[str, float]:
    return {"accuracy": sum(1 for i in items if getattr(i, attr) == i.gold) / len(items) if items else math.nan}


def rate(items: list[Item], attr: str) -> dict[str, float]:
    return {"rate": sum(1 for i in items if getattr(i, attr)) / len(items) if items else math.nan}


MEASURES = {"binary": binary_scores, "accuracy": accuracy, "rate": rate}


def summarise(values: list[float]) -> dict[str, float]:
    finite = [v for v in values if not math.isnan(v)]
    if not finite:
        return {"mean": math.nan, "sd": math.nan, "min": math.nan, "max": math.nan}
    return {"mean": float(np.mean(finite)), "sd": float(np.std(finite)), "min": min(finite), "max": max(finite)}


@dataclass
class Row:
    corpus: str
    split: str
    label: str
    kind: str  # binary, accuracy or rate
    n: int
    positives: int
    scores: dict[str, dict[str, float]]  # measure -> mean/sd/min/max over folds, plus "pooled"
    floor: dict[str, dict[str, float]]
    floor_name: str
    note: str = ""


def score_row(
    corpus: str,
    split: str,
    label: str,
    kind: str,
    items: list[Item],
    folds: dict[str, int],
    n_folds: int,
    note: str = "",
) -> Row:
    measure = MEASURES[kind]
    per_fold = [[i for i in items if folds[i.conversation] == k] for k in range(n_folds)]

    def over_folds(attr: str) -> dict[str, dict[str, float]]:
        fold_scores = [measure(part, attr) for part in per_fold if part]
        out = {name: summarise([s[name] for s in fold_scores]) for name in fold_scores[0]} if fold_scores else {}
        for name, value in measure(items, attr).items():
            out.setdefault(name, {})["pooled"] = value
        return out

    return Row(
        corpus,
        split,
        label,
        kind,
        len(items),
        sum(1 for i in items if i.gold is True),
        over_folds("got"),
        over_folds("floor"),
        FLOORS.get(label, ("", None))[0],
        note,
    )


def paraphrase_refits(analysed: dict[str, Analysed]) -> dict[str, dict[tuple[str, int], bool]]:
    """Split ("cv", "unseen") -> (corpus, line) -> paraphrase decision of a model (weights and
    threshold) fitted without the line's conversation, as bench/fit_paraphrase.py fits the shipped one."""
    if not all(name in analysed for name in PARAPHRASE_TRAINING):
        return {}
    from bench import fit_paraphrase

    annomi, swda = analysed["annomi"], analysed["swda"]
    reflections = fit_paraphrase.turns_of("annomi", annomi.extra["signs"], annomi.rows)
    statements = fit_paraphrase.turns_of("swda", swda.extra["signs"], swda.rows)
    tuned = set(conversation_order(annomi.rows)[: annomi.corpus.tuned_conversations])
    cv, unseen = fit_paraphrase.refits(reflections, statements, 5, tuned)
    return {"cv": cv, "unseen": unseen}


def gold_of(row: dict, label: str):
    labels = row.get("labels") or {}
    return labels.get("question_type") if label == "open/closed" else labels.get(label)


def got_of(analysis: dict, label: str):
    return analysis["question_type"] if label == "open/closed" else bool(analysis[label])


def pitch_refits(analysed: dict[str, Analysed], data: Path) -> dict[str, dict[tuple[str, int], bool]]:
    """Split ("cv", "unseen") -> (corpus, line) -> pitch decision of a model that never saw the line's
    conversation (weights and threshold both fitted without it)."""
    if not all(name in analysed for name in PITCH_TRAINING):
        return {}
    from bench import train_pitch

    sets = {name: train_pitch.examples(name, analysed[name].rows) for name in PITCH_TRAINING}
    cv = train_pitch.cross_validated(sets)
    unseen = train_pitch.unseen(sets, train_pitch.tuned_parts(data))
    return {"cv": {k: v[0] for k, v in cv.items()}, "unseen": {k: v[0] for k, v in unseen.items()}}


def evaluate(
    analysed: Analysed,
    n_folds: int,
    seed: int,
    pitch: dict[str, dict[tuple[str, int], bool]] | None = None,
    paraphrase: dict[str, dict[tuple[str, int], bool]] | None = None,
) -> list[Row]:
    corpus = analysed.corpus
    rows = analysed.rows
    conversations = conversation_order(rows)
    tuned = set(conversations[: corpus.tuned_conversations])
    splits = {"cv": set(conversations)}
    if tuned:
        splits["unseen"] = set(conversations) - tuned
    refitted = (paraphrase or {}) if corpus.name in PARAPHRASE_TRAINING else {}

    out = []
    for split, members in splits.items():
        folds = assign_folds(sorted(members), n_folds, seed)
        chosen = [(i, r) for i, r in enumerate(rows) if r["conversation_id"] in members]
        for label in corpus.labels:
            floor = FLOORS[label][1]
            items = []
            for position, r in chosen:
                gold = gold_of(r, label)
                if gold is None:
                    continue
                got = got_of(r["analysis"], label)
                if label == "is_paraphrase" and refitted:
                    # Refitted where the turn could have been training data; elsewhere (Switchboard
                    # turns other than plain statements) the shipped weights never saw it.
                    got = refitted[split].get((corpus.name, position), got)
                if label == "is_pitch" and pitch:
                    got = pitch[split][(corpus.name, position)]
                items.append(Item(r["conversation_id"], gold, got, floor(r["text"])))
            if not items:
                continue
            kind = "accuracy" if label == "open/closed" else "binary"
            note = ""
            if label == "is_paraphrase" and refitted and corpus.name == "annomi":
                note = "weights refitted per fold" if split == "cv" else "weights fitted on the tuned part"
            if label == "is_paraphrase" and corpus.name == "welivita":
                note = "single sentences: nothing to restate"
            if label == "is_paraphrase" and corpus.name == "swda":
                note = "bf acts only (0.5%)"
            if label == "is_pitch" and pitch:
                note = "model refitted per fold" if split == "cv" else "model fitted on the tuned part"
            if corpus.name == "p4g" and label == "is_question":
                note = "labels mark questions only: recall is the figure"
            out.append(score_row(corpus.name, split, label, kind, items, folds, n_folds, note))
            if label == "open/closed":
                # The figure above counts a missed question as wrongly typed; this one separates typing
                # from finding: only the gold questions the analyzer also found.
                found = [
                    i
                    for i, (_, r) in zip(items, (c for c in chosen if gold_of(c[1], label) is not None), strict=False)
                    if r["analysis"]["is_question"]
                ]
                out.append(
                    score_row(
                        corpus.name, split, OPEN_CLOSED_FOUND, kind, found, folds, n_folds, "gold questions it found"
                    )
                )
        out += false_alarm_rows(analysed, split, members, folds, n_folds, (pitch or {}).get(split), refitted.get(split))
    return out


def false_alarm_rows(
    analysed: Analysed,
    split: str,
    members: set[str],
    folds: dict[str, int],
    n_folds: int,
    pitch: dict[tuple[str, int], bool] | None = None,
    paraphrase: dict[tuple[str, int], bool] | None = None,
) -> list[Row]:
    """Where a flag is wrong by construction, the share of such turns it fires on. Pitch and
    paraphrase decisions come from `pitch` and `paraphrase` (refitted without the turn's
    conversation) where given."""
    name = analysed.corpus.name
    rows = [(i, r) for i, r in enumerate(analysed.rows) if r["conversation_id"] in members]

    def pitched(position: int, r: dict) -> bool:
        return pitch[(name, position)] if pitch else r["analysis"]["is_pitch"]

    note = "model refitted without the turn's conversation" if pitch else ""
    if name == "swda":
        # Plain statements (sd: opinion-free, sv: opinion) are not paraphrases; in a sales call each
        # false paraphrase gives the rep unearned trust. Nor are they pitches.
        statements = [(i, r) for i, r in rows if (r.get("source_label") or {}).get("damsl_collapsed") in ("sd", "sv")]
        items = [
            Item(
                r["conversation_id"],
                False,
                paraphrase.get((name, i), r["analysis"]["is_paraphrase"])
                if paraphrase
                else r["analysis"]["is_paraphrase"],
                floor_is_paraphrase(r["text"]),
            )
            for i, r in statements
        ]
        as_pitch = [Item(r["conversation_id"], False, pitched(i, r), None) for i, r in statements]
        return [
            score_row(
                name,
                split,
                STATEMENTS_AS_PARAPHRASE,
                "rate",
                items,
                folds,
                n_folds,
                "sd, sv acts" + ("; weights refitted without the turn's conversation" if paraphrase else ""),
            ),
            score_row(name, split, STATEMENTS_AS_PITCH, "rate", as_pitch, folds, n_folds, note),
        ]
    if name == "annomi":
        # A reflection (a paraphrase that asks nothing) never advocates.
        items = [
            Item(r["conversation_id"], False, pitched(i, r), None)
            for i, r in rows
            if r.get("labels") and r["labels"]["is_paraphrase"] and not r["labels"]["is_question"]
        ]
        return [score_row(name, split, REFLECTIONS_AS_PITCH, "rate", items, folds, n_folds, note)]
    return []


# ---------------------------------------------------------------------------------------------
# Targets and output.


def main_measure(row: Row) -> str:
    return {"binary": "f1", "accuracy": "accuracy", "rate": "rate"}[row.kind]


def target_for(row: Row) -> Target | None:
    return next((t for t in TARGETS if (t.corpus, t.split, t.label) == (row.corpus, row.split, row.label)), None)


def verdict(target: Target, row: Row) -> dict:
    value = row.scores[target.measure]["mean"]
    worst = row.scores[target.measure]["max" if target.at_most else "min"]
    margin = (target.bound - value) if target.at_most else (value - target.bound)
    met = margin >= 0
    precision = None
    if target.min_precision is not None:
        precision = row.scores["precision"]["mean"]
        met = met and precision >= target.min_precision
    return {
        "corpus": target.corpus,
        "split": target.split,
        "label": target.label,
        "measure": target.measure,
        "target": f"{'<=' if target.at_most else '>='} {target.bound:.2f}"
        + (f" at precision >= {target.min_precision:.2f}" if target.min_precision else ""),
        "value": value,
        "worst_fold": worst,
        "margin": margin,
        "precision": precision,
        "met": met,
        "worst_fold_met": (worst <= target.bound) if target.at_most else (worst >= target.bound),
    }


def fmt(summary: dict[str, float], digits: int = 3) -> str:
    if not summary or math.isnan(summary.get("mean", math.nan)):
        return ""
    return f"{summary['mean']:.{digits}f} ({summary['min']:.2f}-{summary['max']:.2f})"


def measure_cells(row: Row, scores: dict[str, dict[str, float]]) -> list[str]:
    if row.kind == "binary":
        return [fmt(scores["precision"]), fmt(scores["recall"]), fmt(scores["f1"])]
    if row.kind == "accuracy":
        return ["", "", fmt(scores["accuracy"]) + " acc"]
    return ["", "", fmt(scores["rate"]) + " rate"]


def floor_cell(row: Row) -> str:
    if not row.floor_name or row.floor[main_measure(row)].get("mean") is None:
        return ""
    return f"{row.floor[main_measure(row)]['mean']:.3f} ({row.floor_name})"


def target_cell(row: Row) -> str:
    target = target_for(row)
    if target is None:
        return ""
    v = verdict(target, row)
    return f"{v['target']}: {'met' if v['met'] else 'NOT met'} ({v['margin']:+.3f})"


def print_table(rows: list[Row], n_folds: int, seed: int) -> None:
    print(
        f"Mean over {n_folds} conversation-level folds (seed {seed}), min-max across folds in brackets; "
        "'unseen' = conversations the rules were not read from."
    )
    print(
        table(
            [
                "corpus",
                "split",
                "label",
                "n",
                "precision",
                "recall",
                "F1 / acc / rate",
                "trivial floor (same folds)",
                "target (#17)",
                "note",
            ],
            [
                [
                    r.corpus,
                    r.split,
                    r.label,
                    str(r.n),
                    *measure_cells(r, r.scores),
                    floor_cell(r),
                    target_cell(r),
                    r.note,
                ]
                for r in rows
            ],
        )
    )


def print_markdown(rows: list[Row], n_folds: int) -> None:
    print("| corpus | label | conversations | precision | recall | F1 / accuracy | trivial rule | target |")
    print("|---|---|---|---|---|---|---|---|")
    for r in rows:
        split = (
            "unseen"
            if r.split == "unseen"
            else (
                "all, cross-validated"
                # Switchboard's statements train the learned models, refitted per fold.
                if any(c.name == r.corpus and c.tuned_conversations for c in CORPORA.values())
                or r.corpus in PITCH_TRAINING
                else "all (none tuned on)"
            )
        )
        cells = measure_cells(r, r.scores)
        print(
            f"| {r.corpus} | {r.label} | {split} | {cells[0]} | {cells[1]} | {cells[2]} | {floor_cell(r)} | "
            f"{target_cell(r)} |"
        )
    print(f"\nFigures: mean of {n_folds} conversation-level folds (min-max across folds).")


def print_targets(rows: list[Row]) -> list[dict]:
    verdicts = []
    for target in TARGETS:
        row = next(
            (r for r in rows if (r.corpus, r.split, r.label) == (target.corpus, target.split, target.label)), None
        )
        if row is not None:
            verdicts.append(verdict(target, row))
    print(
        table(
            ["corpus", "label", "judged on", "target", "mean", "worst fold", "margin", "met", "every fold"],
            [
                [
                    v["corpus"],
                    v["label"],
                    v["split"],
                    v["target"],
                    f"{v['value']:.3f}" + (f" (P {v['precision']:.3f})" if v["precision"] is not None else ""),
                    f"{v['worst_fold']:.3f}",
                    f"{v['margin']:+.3f}",
                    "yes" if v["met"] else "NO",
                    "yes" if v["worst_fold_met"] else "no",
                ]
                for v in verdicts
            ],
        )
    )
    return verdicts


SHOWN = ("is_question", "question_type", "is_paraphrase", "paraphrase_score", "is_needs_question", "spin", "is_pitch")


def show_errors(rows: list[dict], spec: str, limit: int, split_members: set[str] | None = None) -> None:
    """Print mistakes for one label ("is_paraphrase:fn" = missed ones) to study the method, not the lines."""
    label, kind = spec.rsplit(":", 1)
    previous: dict[str, str] = {}
    shown = 0
    for r in rows:
        other = previous.get(r["conversation_id"], "")
        previous[r["conversation_id"]] = r["text"] or ""
        if split_members is not None and r["conversation_id"] not in split_members:
            continue
        gold = gold_of(r, label)
        if gold is None:
            continue
        got = got_of(r["analysis"], label)
        if label == "open/closed":
            if got == gold:
                continue
        elif (kind == "fn" and not (gold and not got)) or (kind == "fp" and not (got and not gold)):
            continue
        print(
            f"- BEFORE: {other[:200]}\n  TURN: {(r['text'] or '')[:300]}\n"
            f"  gold={r['labels']} got={ {k: r['analysis'][k] for k in SHOWN if k in r['analysis']} }\n"
            f"  evidence={[(e['label'], e.get('cue')) for e in r['analysis']['evidence']]}"
        )
        shown += 1
        if shown >= limit:
            break


def json_ready(value):
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, dict):
        return {k: json_ready(v) for k, v in value.items()}
    if isinstance(value, list):
        return [json_ready(v) for v in value]
    return value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--data",
        type=Path,
        default=ROOT.parent / "shared" / "data",
        help="folder with the *-dev.jsonl files (default ../shared/data)",
    )
    parser.add_argument("--corpus", action="append", choices=sorted(CORPORA), help="only these (repeatable)")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--markdown", action="store_true", help="print the README table")
    parser.add_argument(
        "--errors",
        help="print mistakes, e.g. is_paraphrase:fn, swda/is_question:fp, open/closed:x "
        "(is_pitch and is_needs_question default to p4g, the rest to annomi)",
    )
    parser.add_argument("--errors-unseen", action="store_true", help="with --errors: only unseen conversations")
    parser.add_argument("--limit", type=int, default=40)
    parser.add_argument("--no-cache", action="store_true", help="analyse again even if the cache is fresh")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="analyzer processes at once")
    args = parser.parse_args()

    corpora = [CORPORA[name] for name in (args.corpus or CORPORA)]
    missing = [str(args.data / c.file) for c in corpora if not (args.data / c.file).is_file()]
    if missing:
        raise SystemExit(f"analyzer_accuracy: {', '.join(missing)} not found; pass --data DIR")
    started = time.perf_counter()
    # The pitch model learns from three corpora at once: asking for any of them analyses all three.
    wanted = {c.name for c in corpora}
    if wanted & set(PITCH_TRAINING):
        corpora += [CORPORA[name] for name in PITCH_TRAINING if name not in wanted]
    analysed = analyse_corpora(corpora, args.data, not args.no_cache, max(1, args.jobs))
    pitch = pitch_refits(analysed, args.data)
    paraphrase = paraphrase_refits(analysed)
    analysed = {name: a for name, a in analysed.items() if name in wanted}
    rows = [row for a in analysed.values() for row in evaluate(a, args.folds, args.seed, pitch, paraphrase)]

    if args.errors:
        where, _, spec = args.errors.rpartition("/")
        where = where or ("p4g" if spec.split(":")[0] in P4G_ONLY else "annomi")
        if where not in analysed:
            raise SystemExit(f"analyzer_accuracy: --errors needs corpus {where}; add --corpus {where}")
        chosen = analysed[where]
        members = None
        if args.errors_unseen:
            members = set(conversation_order(chosen.rows)[chosen.corpus.tuned_conversations :])
        show_errors(chosen.rows, spec, args.limit, members)
        print()

    if args.json:
        verdicts = [
            verdict(t, r) for t in TARGETS for r in rows if (r.corpus, r.split, r.label) == (t.corpus, t.split, t.label)
        ]
        print(
            json.dumps(
                json_ready(
                    {"folds": args.folds, "seed": args.seed, "rows": [r.__dict__ for r in rows], "targets": verdicts}
                ),
                indent=1,
            )
        )
        return
    if args.markdown:
        print_markdown(rows, args.folds)
        return
    print_table(rows, args.folds, args.seed)
    print()
    print(
        "Targets of issue #17 (judged on unseen conversations; margin = mean minus target, or target minus "
        "rate for false alarms):"
    )
    print_targets(rows)
    print()
    print(
        table(
            ["corpus", "utterances", "spar analyze s (summed over processes)", "utterances/s"],
            [
                [
                    a.corpus.name,
                    str(len(a.rows)),
                    "cached" if a.seconds is None else f"{a.seconds:.1f}",
                    "" if a.seconds is None else f"{len(a.rows) / a.seconds:,.0f}",
                ]
                for a in analysed.values()
            ],
        )
    )
    print(f"\nbench run: {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
