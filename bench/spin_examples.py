"""SPIN kind by the rules alone against the rules with the written examples (issue #17).

The analyzer gives a needs question that no cue word types the kind of its closest examples in
`analysis/patterns/spin_examples.yaml` (analysis/language/spin_examples.py). Scored on two sets of
sales questions, each labelled with Rackham's definitions, neither matched against itself:
- "blind" (bench/data/spin_questions_blind.jsonl): 120 questions, 30 per kind, over ten
  industries, written by an author who saw neither the rules nor the examples, and labelled a
  second time, blind, by another (the label agreement is printed);
- "first" (LABELLED below): 40 questions by the author of the first eight examples of each kind.
The examples matched against are fixed (the file); only NEAREST was chosen beforehand (3), and
1 and 5 are printed beside it. Needs the sentence model (`analysis/language/meaning.py`).

    .venv/bin/python bench/spin_examples.py
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench._table import table  # noqa: E402

BLIND = ROOT / "bench" / "data" / "spin_questions_blind.jsonl"

# What is scored: (question, kind).
LABELLED = [
    ("How many trucks go out from each depot on a normal day?", "situation"),
    ("Who builds the route plan at the moment?", "situation"),
    ("What system do you book the collections in?", "situation"),
    ("How long have you worked with the current carrier?", "situation"),
    ("Which regions do you deliver to?", "situation"),
    ("Roughly how big is the planning team?", "situation"),
    ("When does the first van usually leave?", "situation"),
    ("Do you plan the week ahead or day by day?", "situation"),
    ("Who has the final say on a new tool?", "situation"),
    ("What does a typical Monday look like for dispatch?", "situation"),
    ("What's the hardest part of planning that way?", "problem"),
    ("Where do the plans usually fall apart?", "problem"),
    ("Are you happy with how long the planning takes?", "problem"),
    ("What goes wrong when a driver calls in sick?", "problem"),
    ("Is it difficult to keep the customers updated?", "problem"),
    ("What frustrates the drivers most about the schedule?", "problem"),
    ("Do the delivery windows get missed often?", "problem"),
    ("Which part of the process eats the most time?", "problem"),
    ("What do the customers complain about?", "problem"),
    ("Is there anything about the current carrier that worries you?", "problem"),
    ("What impact have those late deliveries had on your customers?", "implication"),
    ("When a truck leaves an hour late, what does that do to the rest of the day?", "implication"),
    ("How much overtime does the late planning cost you a month?", "implication"),
    ("Has a missed window ever cost you a contract?", "implication"),
    ("What happens to the drivers' morale when the plan changes three times?", "implication"),
    ("If this carries on through peak season, where does that leave you?", "implication"),
    ("How does the manual planning affect your plans to grow?", "implication"),
    ("What knock-on effect does that have on the warehouse?", "implication"),
    ("Does the extra mileage show up in your fuel bill?", "implication"),
    ("How are your customers reacting to the late drops?", "implication"),
    ("How would it help if the plan were ready the night before?", "need_payoff"),
    ("What would it mean for Marcus to get those two hours back?", "need_payoff"),
    ("Would it be useful to see every driver's position on one screen?", "need_payoff"),
    ("If the trucks left at seven, what could you do with the extra hours?", "need_payoff"),
    ("How much would it be worth to cut the late drops in half?", "need_payoff"),
    ("Why would it matter to your team to stop replanning every morning?", "need_payoff"),
    ("What difference would on-time deliveries make to your renewals?", "need_payoff"),
    ("Who else would benefit if the planning took minutes?", "need_payoff"),
    ("How important is it to you to solve this before peak?", "need_payoff"),
    ("What would you do with the time you saved?", "need_payoff"),
]

KINDS = ("situation", "problem", "implication", "need_payoff")


def by_rules(questions: list[str]) -> tuple[list[str | None], list[bool]]:
    """The rules' kind per question without the examples, and whether a cue word decided it."""
    from analysis.language.analyzer import Analyzer

    analyzer = Analyzer(spin_by_example=False)
    kinds, cued = [], []
    for question in questions:
        result = analyzer.analyze_turn(question, "We run forty trucks from two depots.")
        kinds.append(str(result.spin) if result.spin is not None else None)
        doc = analyzer.nlp(question)
        cued.append(any(s.get("kind_by_cue") for s in doc._.spar_spin or []))
    return kinds, cued


def by_examples(questions: list[str], nearest: int) -> list[str]:
    """The kind of each question's closest examples (as the analyzer picks it, NEAREST votes)."""
    from analysis.language import spin_examples
    from analysis.language.meaning import SentenceEncoder

    spin_examples.NEAREST = nearest
    matcher = spin_examples.SpinExamples(SentenceEncoder())
    return [str(m.kind) for m in matcher.nearest(questions)]


def blind_set() -> tuple[list[str], list[str], list[str]]:
    rows = [json.loads(line) for line in BLIND.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [r["question"] for r in rows], [r["kind"] for r in rows], [r["second_label"] for r in rows]


def score(
    name: str, gold: list[str], rules: list[str | None], cued: list[bool], questions: list[str]
) -> list[list[str]]:
    rows = []
    right = sum(g == r for g, r in zip(gold, rules, strict=True))
    rows.append([name, "rules alone", f"{right}/{len(gold)} ({right / len(gold):.0%})", "", ""])
    for nearest in (1, 3, 5):
        examples = by_examples(questions, nearest)
        both = [e if r is not None and not c else r for r, c, e in zip(rules, cued, examples, strict=True)]
        right = sum(g == k for g, k in zip(gold, both, strict=True))
        wins = sum(g == k != r for g, k, r in zip(gold, both, rules, strict=True))
        losses = sum(g == r != k for g, k, r in zip(gold, both, rules, strict=True))
        alone = sum(g == e for g, e in zip(gold, examples, strict=True))
        shipped = " (shipped)" if nearest == 3 else ""
        rows.append(
            [
                name,
                f"rules, examples where no cue word, {nearest} nearest{shipped}",
                f"{right}/{len(gold)} ({right / len(gold):.0%})",
                f"+{wins} / -{losses}",
                f"{alone}/{len(gold)} ({alone / len(gold):.0%})",
            ]
        )
    return rows


def main() -> None:
    questions, gold, second = blind_set()
    agree = sum(a == b for a, b in zip(gold, second, strict=True))
    print(
        f"blind set: {len(gold)} questions, {Counter(gold)}; the two labellers agree on {agree} ({agree / len(gold):.0%})"
    )
    rows = []
    for name, qs, labels in (("blind", questions, gold), ("first", [q for q, _ in LABELLED], [k for _, k in LABELLED])):
        rules, cued = by_rules(qs)
        rows += score(name, labels, rules, cued, qs)
        confusions = Counter((g, r) for g, r in zip(labels, rules, strict=True) if g != r).most_common(4)
        print(f"{name}: the rules' commonest errors (gold, rules): {confusions}")
    print()
    print(table(["set", "method", "right", "vs rules", "nearest examples alone"], rows))


if __name__ == "__main__":
    main()
