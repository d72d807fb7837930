"""Can wording tell a question from a reflection said with a rising voice ("So you're sick of this?")?

Runs the real `spar analyze` over ../shared/data/annomi-dev.jsonl, takes the turns whose only
questions are "rising" (a question mark, no question word, no inverted verb), and prints
1. how the expert coders labelled them, conversation by conversation;
2. what a logistic model over their wording gains on held-out conversations, against keeping
   them all as questions (the analyzer's choice); and the same with the customer's reply that
   follows (a bare "yes"/"no" answers a question; a reflection tends to draw more talk).

    .venv/bin/python bench/rising_questions.py [--data ../shared/data/annomi-dev.jsonl]
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench._table import table  # noqa: E402
from bench.analyzer_accuracy import run_analyze  # noqa: E402
from bench.fit_paraphrase import fit  # noqa: E402


def wording(row: dict, customer: str) -> list[float]:
    analysis = row["analysis"]
    last = [e for e in analysis["evidence"] if e["label"].endswith(" question")][-1]["text"].lower()
    words = re.findall(r"[a-z']+", last)
    has = lambda pattern, text=last: float(bool(re.search(pattern, text)))  # noqa: E731
    return [
        analysis["paraphrase_score"],
        float(analysis["is_paraphrase"]),
        len(words) / 20,
        analysis["sentences"] / 3,
        has(r"^\W*(so|and so|okay,? so)\b"),
        has(r"^\W*(and|but)\b"),
        has(r"\b(feel|feeling|sounds|seems|worried|hard|important|want)\b"),
        has(r"\byou|your\b"),
        has(r"\b(i|i'm|we)\b"),
        has(r"\b(not|n't|never)\b"),
        float(len(words) <= 4),
        has(r"\bor\W*$"),
        len(re.findall(r"[a-z']+", customer.lower())) / 20,
        float(customer.strip().endswith("?")),
    ]


def reply(text: str) -> list[float]:
    """The customer's next turn: how a conversation-analysis reading would tell that a question
    was heard as one."""
    words = re.findall(r"[a-z']+", text.lower())
    first = words[0] if words else ""
    return [
        float(first in ("yes", "yep", "no", "nope", "nah")),
        float(first == "yeah"),
        float(first in ("right", "exactly", "mm", "mhm", "hmm", "uh", "um")),
        min(len(words), 40) / 20,
        float(len(words) <= 2),
    ]


def held_out(X: np.ndarray, y: np.ndarray, groups: np.ndarray, seed: int) -> np.ndarray:
    conversations = np.array(sorted(set(groups)))
    np.random.default_rng(seed).shuffle(conversations)
    kept = np.zeros(len(y), dtype=bool)
    for k in range(5):
        test = np.isin(groups, conversations[k::5])
        w, b = fit(X[~test], y[~test])
        # Keep a turn as a question while its odds favour it: what maximises F1 when most are.
        kept[test] = 1 / (1 + np.exp(-(X[test] @ w + b))) >= 0.45
    return kept


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data" / "annomi-dev.jsonl")
    args = parser.parse_args()
    if not args.data.is_file():
        raise SystemExit(f"rising_questions: {args.data} not found; pass --data FILE")
    rows, _ = run_analyze(args.data, [])

    X, y, groups = [], [], []
    by_conversation: dict[str, Counter] = defaultdict(Counter)
    customer: dict[str, str] = {}
    for index, row in enumerate(rows):
        if row["speaker"] != "rep":
            customer[row["conversation_id"]] = row["text"] or ""
            continue
        questions = [e for e in row["analysis"]["evidence"] if e["label"].endswith(" question")]
        if not row.get("labels") or not questions or any(q["cue"] != "question mark" for q in questions):
            continue
        gold = row["labels"]
        by_conversation[row["conversation_id"]][
            "question" if gold["is_question"] else "reflection" if gold["is_paraphrase"] else "other"
        ] += 1
        after = rows[index + 1] if index + 1 < len(rows) else None
        answered = (
            (after["text"] or "")
            if after and after["conversation_id"] == row["conversation_id"] and after["speaker"] != "rep"
            else ""
        )
        X.append(wording(row, customer.get(row["conversation_id"], "")) + reply(answered))
        y.append(float(gold["is_question"]))
        groups.append(row["conversation_id"])

    print("How the coders labelled rising-voice turns, by conversation (most turns first):")
    busiest = sorted(by_conversation.items(), key=lambda kv: -sum(kv[1].values()))[:8]
    print(
        table(
            ["conversation", "question", "reflection", "other"],
            [[c, str(n["question"]), str(n["reflection"]), str(n["other"])] for c, n in busiest],
        )
    )

    X, y, groups = np.array(X), np.array(y), np.array(groups)
    out = []
    for name, columns in (("wording", slice(0, -5)), ("wording + customer's reply", slice(None))):
        for seed in range(3):
            kept = held_out(X[:, columns], y, groups, seed)
            out.append(
                [
                    f"model on {name}, shuffle {seed + 1}",
                    str(int((kept & (y == 1)).sum())),
                    str(int((kept & (y == 0)).sum())),
                    str(int((~kept & (y == 1)).sum())),
                ]
            )
    out.append(["all kept as questions", str(int(y.sum())), str(int((y == 0).sum())), "0"])
    print(f"\n{len(y)} rising-voice turns, {y.mean():.0%} coded as questions. Held-out conversations:")
    print(table(["decision", "questions kept", "non-questions kept", "questions dropped"], out))


if __name__ == "__main__":
    main()
