"""Matching the rep's words against a scenario's topic words, and the cues the customer listens for
(`customer_cues.yaml`): a proposal of the next step, a follow-up, an acknowledgement, a price."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import yaml


def topic_matches(terms: tuple[str, ...], text: str) -> list[str]:
    """The topic terms that occur in text, as words or with a common ending (schedule -> scheduling)."""
    lowered = text.lower()
    hits = []
    for term in terms:
        stem = re.escape(term.rstrip("e")) if len(term) > 4 and term.endswith("e") else re.escape(term)
        if re.search(rf"\b{stem}(?:e|s|es|ed|d|ing|er|ers)?\b", lowered):
            hits.append(term)
    return hits


def action_matches(terms: tuple[str, ...], text: str) -> list[str]:
    """The topic terms named by their verb: "meet" for "meeting", "book" for "booking". Only a
    reply that also opens a proposal should count it ("Could we meet on Tuesday?"), since the bare
    verb is common in discovery too ("Does the system meet your needs?")."""
    lowered = text.lower()
    hits = []
    for term in terms:
        if len(term) > 5 and term.endswith("ing") and " " not in term:
            if re.search(rf"\b{re.escape(term[:-3])}s?\b", lowered):
                hits.append(term)
    return hits


CUES_FILE = Path(__file__).with_name("customer_cues.yaml")


@lru_cache(maxsize=1)
def _cues() -> dict[str, tuple[str, ...]]:
    with CUES_FILE.open(encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    return {name: tuple(str(cue).lower() for cue in cues) for name, cues in data.items()}


def _says_any(text: str, cues: str) -> bool:
    lowered = " ".join(text.lower().split())
    return any(cue in lowered for cue in _cues()[cues])


def proposes_next_step(text: str) -> bool:
    """Does the reply put a next step forward, with or without a question mark?"""
    return _says_any(text, "proposal_openers")


def asks_a_follow_up(text: str) -> bool:
    """ "Tell me more", "how so": the rep asks the customer to go on about what they just said."""
    return _says_any(text, "follow_ups")


def acknowledges(text: str) -> bool:
    """ "I understand", "that's fair": the rep takes a concern seriously."""
    return _says_any(text, "acknowledgements")


def names_a_price(text: str) -> bool:
    return _says_any(text, "price_words")
