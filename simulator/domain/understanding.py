"""How the scripted customer understands a rep's question: by meaning, with topic words as the fallback.

Every way into the scenario (each need's SPIN layers with their example questions and what the
customer says there, each fact of the customer's world) is a phrase with a vector from the
sentence model (`analysis/language/meaning.py`). A question reaches the phrase it is closest to in
meaning, if it is close enough; the `Match` keeps which phrase, how close, and by which method, so
a coach can see why the customer answered as they did.

The same words always give the same vectors, so the same replies still give the same call.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from simulator.domain.matching import topic_matches
from simulator.domain.scenario import LAYERS, Scenario

if TYPE_CHECKING:
    import numpy as np

    from analysis.language.meaning import SentenceEncoder

# How close in meaning (cosine similarity of sentence vectors) a question must come to a phrase of
# the scenario to reach it. Measured on questions written for the freight scenario: questions aimed
# at a need score 0.45 to 0.9 against its phrases; small talk and proposals score under 0.3.
MIN_SIMILARITY = 0.42
# A question close to two things reaches the closer; within this margin a need beats a world fact,
# since uncovering needs is what the call is for.
NEED_PREFERENCE = 0.03


@dataclass(frozen=True)
class Match:
    """What a question reached, and why."""

    kind: str  # "need" or "fact"
    id: str
    layer: str | None  # for a need: "problem", "implication" or "payoff"
    phrase: str  # the scenario's phrase it came closest to (or the topic word that matched)
    score: float  # cosine similarity, 1.0 for topic words
    method: str  # "meaning" or "topic words"

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "id": self.id, "layer": self.layer, "phrase": self.phrase,
                "score": round(self.score, 3), "method": self.method}  # fmt: skip


class Understanding(Protocol):
    def prepare(self, texts: list[str]) -> None:
        """Do the slow part (encoding) ahead, off the main thread."""
        ...

    def matches(self, text: str) -> list[Match]:
        """What the text reaches, closest first; empty when nothing is close enough."""
        ...


class TopicWords:
    """Format 1's rule: a question reaches a need when it uses one of the need's topic words."""

    def __init__(self, scenario: Scenario):
        self.scenario = scenario

    def prepare(self, texts: list[str]) -> None:
        return None

    def matches(self, text: str) -> list[Match]:
        found = []
        for need in self.scenario.needs:
            hits = topic_matches(need.topic, text)
            if hits:
                found.append(Match("need", need.id, None, hits[0], 1.0, "topic words"))
        return found


@dataclass(frozen=True)
class _Phrase:
    kind: str
    id: str
    layer: str | None
    text: str


def scenario_phrases(scenario: Scenario) -> list[_Phrase]:
    """Every phrase a question can reach: each layer's example questions and what is said there."""
    phrases = []
    for need in scenario.needs:
        for name in LAYERS:
            layer = need.layer(name)
            if layer is None:
                continue
            texts = list(layer.asks) + [layer.says] + ([need.title] if name == "problem" else [])
            phrases += [_Phrase("need", need.id, name, t) for t in texts if t]
    for fact in scenario.world:
        phrases += [_Phrase("fact", fact.id, None, t) for t in (fact.about, *fact.asks, fact.answer) if t]
    return phrases


class MeaningMatcher:
    """Questions matched to the scenario by meaning; topic words still count when meaning finds nothing."""

    def __init__(self, scenario: Scenario, encoder: SentenceEncoder, cache: Path | None = None):
        self.scenario = scenario
        self.encoder = encoder
        self.cache = cache
        self.phrases = scenario_phrases(scenario)
        self.fallback = TopicWords(scenario)
        self._vectors: np.ndarray | None = None
        self._seen: dict[str, np.ndarray] = {}
        self._lock = threading.Lock()

    def _phrase_vectors(self) -> np.ndarray:
        import numpy as np

        if self._vectors is not None:
            return self._vectors
        key = hashlib.sha256("\n".join(p.text for p in self.phrases).encode()).hexdigest()[:20]
        stored = self.cache / f"{key}.npy" if self.cache else None
        if stored is not None and stored.is_file():
            self._vectors = np.load(stored)
        else:
            self._vectors = self.encoder.encode([p.text for p in self.phrases])
            if stored is not None:
                try:
                    stored.parent.mkdir(parents=True, exist_ok=True)
                    np.save(stored, self._vectors)
                except OSError:
                    pass  # a read-only cache costs a second of encoding next time, nothing else
        return self._vectors

    def prepare(self, texts: list[str]) -> None:
        with self._lock:
            self._phrase_vectors()
            new = [t for t in texts if t not in self._seen]
            if new:
                for text, vector in zip(new, self.encoder.encode(new), strict=True):
                    self._seen[text] = vector

    def matches(self, text: str) -> list[Match]:
        self.prepare([text])
        scores = self._phrase_vectors() @ self._seen[text]
        best: dict[tuple[str, str, str | None], Match] = {}
        for phrase, score in zip(self.phrases, scores.tolist(), strict=True):
            if score < MIN_SIMILARITY:
                continue
            key = (phrase.kind, phrase.id, phrase.layer)
            if key not in best or score > best[key].score:
                best[key] = Match(phrase.kind, phrase.id, phrase.layer, phrase.text, score, "meaning")
        if not best:
            return self.fallback.matches(text)

        def rank(match: Match) -> float:
            return match.score + (NEED_PREFERENCE if match.kind == "need" else 0.0)

        return sorted(best.values(), key=rank, reverse=True)


class WhenReady:
    """Meaning once the sentence model has loaded (it loads in the background); topic words until then,
    or for good if it cannot load. `prepare` may wait for the model: call it from a worker thread."""

    def __init__(self, scenario: Scenario, encoder: Callable[[], SentenceEncoder | None], cache: Path | None = None):
        self.scenario = scenario
        self.encoder = encoder
        self.cache = cache
        self.meaning: MeaningMatcher | None = None
        self.fallback = TopicWords(scenario)
        # Asked once: a model that could not load is not tried again at every turn (each try
        # costs a load and, on the command line, printed the same failure line again).
        self.gave_up = False

    @property
    def method(self) -> str:
        return "meaning" if self.meaning is not None else "topic words"

    def prepare(self, texts: list[str]) -> None:
        if self.meaning is None:
            if self.gave_up:
                return
            encoder = self.encoder()
            if encoder is None:
                self.gave_up = True
                return
            self.meaning = MeaningMatcher(self.scenario, encoder, self.cache)
        self.meaning.prepare(texts)

    def matches(self, text: str) -> list[Match]:
        return self.meaning.matches(text) if self.meaning is not None else self.fallback.matches(text)


def customer_understanding(scenario: Scenario, encoder: Callable[[], SentenceEncoder | None]) -> Understanding:
    """How a scripted customer understands the rep: by meaning for format 2 scenarios (written with example
    questions for it), by topic words for format 1; phrase vectors are kept in the cache folder."""
    if scenario.version < 2:
        return TopicWords(scenario)
    from analysis.speech.models import cache_dir

    return WhenReady(scenario, encoder, cache_dir() / "meaning")
