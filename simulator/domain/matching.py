"""Matching the rep's words against a scenario's topic words, and spotting a proposal of the next step."""

from __future__ import annotations

import re


def topic_matches(terms: tuple[str, ...], text: str) -> list[str]:
    """The topic terms that occur in text, as words or with a common ending (schedule -> scheduling)."""
    lowered = text.lower()
    hits = []
    for term in terms:
        stem = re.escape(term.rstrip("e")) if len(term) > 4 and term.endswith("e") else re.escape(term)
        if re.search(rf"\b{stem}(?:e|s|es|ed|d|ing|er|ers)?\b", lowered):
            hits.append(term)
    return hits


# Openers that make a statement a proposal ("let's set up a meeting", "I'd like to book a demo"), so a
# reply without a question mark can still propose the objective.
PROPOSAL_OPENERS = (
    "let's",
    "let us",
    "i'd like to",
    "i would like to",
    "i suggest we",
    "how about",
    "what about",
    "why don't we",
    "we could",
    "shall we",
    "can we",
    "could we",
    "would you be open",
    "are you open",
    "would you like to",
)


def proposes_next_step(text: str) -> bool:
    """Does the reply put a next step forward, with or without a question mark?"""
    lowered = text.lower()
    return any(opener in lowered for opener in PROPOSAL_OPENERS)
