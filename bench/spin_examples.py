"""SPIN kind by the rules against SPIN kind by the nearest written example (issue #17, an experiment).

Both are scored on 40 sales questions written for this bench (10 per kind, labelled by the author
using Rackham's definitions); the examples the nearest-example method matches against are a
separate list, so no question is scored against itself. Needs the sentence model
(`analysis/language/meaning.py`).

    .venv/bin/python bench/spin_examples.py
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

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

# What is matched against: written separately, none of them is scored.
EXAMPLES = {
    "situation": [
        "How do you handle the planning today?",
        "How many people are involved in dispatch?",
        "What tools does the team use right now?",
        "Who is responsible for the schedule?",
        "How often do you change the routes?",
        "Where are your depots?",
        "How is the team organised?",
        "What does your current process look like?",
    ],
    "problem": [
        "What problems do you run into with the current process?",
        "What's the biggest challenge with the schedule?",
        "Where do things go wrong most often?",
        "What's frustrating about the way it works now?",
        "Are you satisfied with how the system performs?",
        "What slows the team down?",
        "Which part of the job is the most painful?",
        "What keeps you up at night about deliveries?",
    ],
    "implication": [
        "What effect does that have on your customers?",
        "How much is that costing you each month?",
        "What happens to the rest of the day when that goes wrong?",
        "How does that affect the team?",
        "What does that lead to further down the line?",
        "Has that ever lost you business?",
        "If nothing changes, what will that mean next year?",
        "How does that show up in your numbers?",
    ],
    "need_payoff": [
        "Would it help if that were automatic?",
        "What would it mean for you if that problem went away?",
        "How useful would it be to have that information live?",
        "What would you gain if you solved this?",
        "Why is it important to fix that now?",
        "How would your customers benefit if deliveries were on time?",
        "What could the team do with the time they saved?",
        "What would success look like for you?",
    ],
}
KINDS = ("situation", "problem", "implication", "need_payoff")


def by_rules() -> tuple[list[str | None], list[bool]]:
    """The rules' kind per question, and whether a cue word decided it (else the fallback: a
    question about "you" with no cue counts as situation)."""
    from analysis.language.analyzer import Analyzer
    from analysis.types import EvidenceKind

    analyzer = Analyzer()
    kinds, cued = [], []
    for question, _ in LABELLED:
        result = analyzer.analyze_turn(question, "We run forty trucks from two depots.")
        kinds.append(str(result.spin) if result.spin is not None else None)
        cues = [e.cue for e in result.evidence if e.kind == EvidenceKind.NEEDS_QUESTION]
        cued.append(any(c.startswith("'") for c in cues))
    return kinds, cued


def by_examples() -> tuple[list[str], list[float]]:
    from analysis.language.meaning import SentenceEncoder

    encoder = SentenceEncoder()
    names = [kind for kind in KINDS for _ in EXAMPLES[kind]]
    examples = encoder.encode([e for kind in KINDS for e in EXAMPLES[kind]])
    questions = encoder.encode([q for q, _ in LABELLED])
    similarity = questions @ examples.T
    best = similarity.argmax(axis=1)
    return [names[i] for i in best], [float(similarity[n, i]) for n, i in enumerate(best)]


def main() -> None:
    gold = [kind for _, kind in LABELLED]
    rules, cued = by_rules()
    examples, _ = by_examples()
    # The nearest example only where no cue word decided (a needs question with the fallback kind).
    fallback = [e if r is not None and not c else r for r, c, e in zip(rules, cued, examples, strict=True)]
    variants = (("rules", rules), ("nearest example", examples), ("rules, ex. if no cue", fallback))
    for name, got in variants:
        right = sum(g == k for g, k in zip(gold, got, strict=True))
        per_kind = {k: sum(g == p == k for g, p in zip(gold, got, strict=True)) for k in KINDS}
        missed = sum(p is None for p in got)
        print(f"{name:16} {right}/{len(gold)} right ({right / len(gold):.0%}); per kind {per_kind}; no kind {missed}")
        print("   confusions:", Counter((g, p) for g, p in zip(gold, got, strict=True) if g != p).most_common(5))
    agree = [r if r is not None else e for r, e in zip(rules, examples, strict=True)]
    right = sum(g == k for g, k in zip(gold, agree, strict=True))
    print(f"{'rules, else ex.':16} {right}/{len(gold)} right ({right / len(gold):.0%})")


if __name__ == "__main__":
    main()
