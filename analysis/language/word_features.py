"""The words of a turn as features for the learned models (pitch, paraphrase): each word once, and
the first word after fillers. Lower case, letters only: a figure is a rule's finding, not a word."""

from __future__ import annotations

import re

WORD = re.compile(r"[a-z][a-z'-]*")
# Sounds a turn opens with that say nothing about what it does.
FILLERS = frozenset(
    {"um", "umm", "uh", "er", "erm", "ah", "hmm", "mm", "oh", "well", "okay", "ok", "yeah", "so", "and", "but"}
)


def words_of(text: str) -> list[str]:
    return WORD.findall(text.lower())


def word_features(words: list[str]) -> dict[str, float]:
    """`word:<w>` for each word, `first:<w>` for the first word that is not a filler."""
    features = {f"word:{w}": 1.0 for w in words}
    first = next((w for w in words if w not in FILLERS), None)
    if first is not None:
        features[f"first:{first}"] = 1.0
    return features
