"""Trying a scenario: a good and a bad scripted call, generated from the scenario and played for real.

`spar scenarios try` and the library tests use this to show that a scenario can be won by what the
coaching teaches and lost by what it warns against:
- the good path asks about each need the objective needs (its problem, then its implication or
  payoff, with the scenario's own example questions), plays back once what the customer said
  ("So ..." with their words), and then proposes the objective with one of its keywords;
- the bad path pitches the product, again and again.

Both are played with the real analyzer and the real customer through `PracticeCall`, into a
database the caller gives (a temporary one), so what is tried is what a rep would meet.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from analysis.types import TurnAnalysis
from simulator.domain.matching import action_matches, names_a_price, proposes_next_step, topic_matches
from simulator.domain.scenario import Need, Scenario, trust_rank
from simulator.domain.understanding import Understanding

# Trust points the good path can count on (scripted.py's rules): a problem told, a need made
# explicit, a paraphrase that brings back the customer's words.
_SHARED, _EXPLICIT, _HEARD = 1, 1, 2

# From the customer's first person to the rep's second person, for the paraphrase.
_PERSON = {
    "i": "you", "me": "you", "my": "your", "mine": "yours", "myself": "yourself", "we": "you", "us": "you",
    "our": "your", "ours": "yours", "ourselves": "yourselves", "i'm": "you're", "we're": "you're",
    "i've": "you've", "we've": "you've", "i'd": "you'd", "we'd": "you'd", "i'll": "you'll", "we'll": "you'll",
    "am": "are", "was": "were",
}  # fmt: skip
# The analyzer takes a statement citing a figure for a pitch ("cites a figure"), even when the figure is
# the customer's own, so the paraphrase leaves clauses with numbers until last.
_FIGURE = re.compile(
    r"\d|\b(one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|fifty|sixty|"
    r"hundred|thousand|million|half|percent)\b",
    re.IGNORECASE,
)
# Words a customer opens with that a rep would not say back.
_OPENERS = {
    "and",
    "but",
    "honestly",
    "to",
    "be",
    "honest",
    "sure",
    "well",
    "look",
    "so",
    "yes",
    "no",
    "oh",
    "right",
    "okay",
    "between",
    "frankly",
}

PITCHES = (
    "{product} solves exactly this, and it is the best product on the market.",
    "Honestly, {product} is what you need. Our customers love it and it pays for itself.",
    "Let me tell you why {product} is better than anything else you could buy.",
    "{product} has every feature you could want, so you should switch to it.",
)


@dataclass(frozen=True)
class TrialOutcome:
    """How one scripted path went."""

    path: str  # "good" or "bad"
    won: bool
    end_reason: str  # objective_met, customer_ended, rep_ended
    ended_because: str  # in words
    turns: int  # rep turns played
    trust: int
    level: str
    explicit_needs: tuple[str, ...]
    needs_uncovered: tuple[str, ...]
    transcript: tuple[tuple[str, str, str], ...] = field(default=())  # (speaker, text, why)

    def to_json(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "won": self.won,
            "end_reason": self.end_reason,
            "ended_because": self.ended_because,
            "turns": self.turns,
            "trust": self.trust,
            "level": self.level,
            "explicit_needs": list(self.explicit_needs),
            "needs_uncovered": list(self.needs_uncovered),
            "transcript": [{"speaker": s, "text": t, "why": w} for s, t, w in self.transcript],
        }


def _order(scenario: Scenario) -> list[Need]:
    """The needs the good path develops: those with a deeper layer, the ones shared soonest first."""
    deep = [n for n in scenario.needs if n.implication is not None or n.payoff is not None]
    return sorted(deep, key=lambda n: trust_rank(n.min_trust))


def _safe(scenario: Scenario, text: str) -> bool:
    """A reply that will not be taken for something else: a proposal, a price, the product's name."""
    keywords = scenario.objective.keywords
    if proposes_next_step(text) and (topic_matches(keywords, text) or action_matches(keywords, text)):
        return False
    if names_a_price(text):
        return False
    return not (scenario.product and scenario.product.lower() in text.lower())


def _question(scenario: Scenario, asks: tuple[str, ...]) -> str | None:
    return next((a for a in asks if _safe(scenario, a)), asks[0] if asks else None)


def paraphrase_of(scenario: Scenario, said: str) -> str | None:
    """ "So ..." restating a few of the customer's words, in the second person; None if nothing fits.

    Takes the longest clause of what they said (cut at sentence ends and commas) that has four to
    sixteen words, preferring one without figures, drops a leading "honestly" or "well", and turns "I"/"we" into "you"."""
    clauses = [c.strip() for c in re.split(r"[.!?;:,]+(?:\s+|$)|\s+-+\s+", said) if c.strip()]
    for clause in sorted(clauses, key=lambda c: (bool(_FIGURE.search(c)), -min(len(c.split()), 16))):
        words = clause.split()
        while words and words[0].lower() in _OPENERS:
            words = words[1:]
        if not 4 <= len(words) <= 16:
            continue
        swapped = [_PERSON.get(w.lower(), w) for w in words]
        if swapped[0] not in ("I",) and not swapped[0][:2].isupper():
            swapped[0] = swapped[0][0].lower() + swapped[0][1:]
        text = "So " + " ".join(swapped) + "."
        if _safe(scenario, text):
            return text
    return None


def good_path(scenario: Scenario) -> list[str]:
    """Problem, then implication or payoff, for each need the objective asks for; one paraphrase; the proposal."""
    replies: list[str] = []
    needs = _order(scenario)[: max(scenario.objective.needs_required, 1)]
    trust = scenario.trust.start
    paraphrased = False
    last_said = ""
    for need in needs:
        # A need that wants more trust than earned so far: play back what was just said first.
        if not paraphrased and last_said and trust_rank(scenario.trust.level(trust)) < trust_rank(need.min_trust):
            paraphrased = _add_paraphrase(scenario, replies, last_said)
            trust += _HEARD if paraphrased else 0
        problem = _question(scenario, need.asks)
        if problem is None:
            continue
        replies.append(problem)
        trust += _SHARED
        if not paraphrased:
            paraphrased = _add_paraphrase(scenario, replies, need.reveal)
            trust += _HEARD if paraphrased else 0
        last_said = need.reveal
        deeper = need.implication or need.payoff
        if deeper is not None:
            ask = _question(scenario, deeper.asks)
            if ask is not None:
                replies.append(ask)
                trust += _EXPLICIT
                last_said = deeper.says
    keyword = scenario.objective.keywords[0] if scenario.objective.keywords else "meeting"
    replies.append(f"Could we set up a {keyword} next week?")
    return replies


def _add_paraphrase(scenario: Scenario, replies: list[str], said: str) -> bool:
    text = paraphrase_of(scenario, said)
    if text is None:
        return False
    replies.append(text)
    return True


def bad_path(scenario: Scenario) -> list[str]:
    """Pitching the product from the first turn on, until the customer has had enough."""
    product = scenario.product or "our product"
    return [PITCHES[i % len(PITCHES)].format(product=product) for i in range(scenario.patience)]


def play_path(
    scenario: Scenario,
    name: str,
    replies: list[str],
    analyze: Callable[[str, str, tuple[str, ...]], TurnAnalysis],
    understanding: Understanding,
    db_path: Path,
    rep: str = "Trial",
) -> TrialOutcome:
    """Play one path with the real customer into the database at `db_path`."""
    from simulator.domain.session import PracticeCall, play_script
    from simulator.storage import Store

    store = Store(db_path)
    try:
        call = PracticeCall(store, scenario, rep, input_mode="script", understanding=understanding)
        play_script(call, replies, analyze)
    finally:
        store.close()
    snap = call.customer.snapshot()
    last = call.turns[-1].customer if call.turns else None
    reason = snap.end_reason.value if snap.end_reason else ""
    because = snap.end_reason.text if snap.end_reason else ""
    if last is not None and last.why:
        because = f"{because} ({last.why})"
    return TrialOutcome(
        path=name,
        won=snap.objective_met,
        end_reason=reason,
        ended_because=because,
        turns=sum(1 for t in call.turns if t.speaker == "rep"),
        trust=snap.trust,
        level=snap.level,
        explicit_needs=tuple(n.id for n in snap.needs_explicit),
        needs_uncovered=tuple(n.id for n in snap.needs_uncovered),
        transcript=tuple((t.speaker, t.text, t.customer.why if t.customer else "") for t in call.turns),
    )


def try_scenario(
    scenario: Scenario,
    analyze: Callable[[str, str, tuple[str, ...]], TurnAnalysis],
    understanding: Callable[[], Understanding],
    folder: Path,
) -> list[TrialOutcome]:
    """The good and the bad path, each with a fresh customer, saved in `folder/trial.db`."""
    db = folder / "trial.db"
    return [
        play_path(scenario, "good", good_path(scenario), analyze, understanding(), db),
        play_path(scenario, "bad", bad_path(scenario), analyze, understanding(), db),
    ]
