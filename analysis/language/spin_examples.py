"""SPIN kind by example, where no cue word decides it.

The `spar_spin` component finds the SPIN kind of a needs question from cue words
(`patterns/spin.yaml`: "what happens when" is an implication, "how would it help" a need-payoff).
A question without one ("How would faster approvals change things for the agency?") used to count
as a situation question because it asks about the customer. Here it takes the kind that its
NEAREST closest examples in `patterns/spin_examples.yaml` share most, by sentence meaning
(all-MiniLM-L6-v2, `meaning.py`), and the evidence names the closest example and how close it is.

Measured on 120 sales questions written blind to both the rules and the examples
(bench/spin_examples.py): the rules alone 65% right, with this 72%, 8 questions better, none worse.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from analysis import PATTERNS_DIR
from analysis.types import SpinKind

if TYPE_CHECKING:
    from analysis.language.meaning import SentenceEncoder

EXAMPLES_FILE = "spin_examples.yaml"
# How many of the closest examples vote on the kind (ties go to the closest). Fixed before the
# measurement; 1 and 5 were measured too and are in the README.
NEAREST = 3


@dataclass(frozen=True)
class SpinExampleMatch:
    """The kind a question's closest examples share, and the closest example of that kind."""

    kind: SpinKind
    example: str
    similarity: float

    @property
    def cue(self) -> str:
        return f"closest written example: '{self.example}' ({self.similarity:.2f})"


@lru_cache(maxsize=2)
def spin_examples(path: Path | None = None) -> tuple[tuple[SpinKind, str], ...]:
    """The examples as (kind, question) pairs; a broken file is one line naming it."""
    path = path or PATTERNS_DIR / EXAMPLES_FILE
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        # A YAML error spans lines (the line and a caret): one line for the user.
        raise ValueError(f"{path}: cannot read the SPIN examples ({' '.join(str(exc).split())})") from None
    kinds = {str(kind) for kind in SpinKind}
    if not isinstance(data, dict) or set(data) != kinds:
        raise ValueError(f"{path}: needs one list of example questions for each of {', '.join(sorted(kinds))}")
    pairs = []
    for kind, questions in data.items():
        if (
            not isinstance(questions, list)
            or not questions
            or not all(isinstance(q, str) and q.strip() for q in questions)
        ):
            raise ValueError(f"{path}: '{kind}' must be a list of example questions")
        pairs += [(SpinKind(kind), q.strip()) for q in questions]
    return tuple(pairs)


class SpinExamples:
    """Matches questions to the written examples. Thread-safe (the encoder is)."""

    def __init__(self, encoder: SentenceEncoder, path: Path | None = None, cache: Path | None = None):
        self.encoder = encoder
        self.examples = spin_examples(path)
        self._vectors = self._example_vectors(cache)

    def _example_vectors(self, cache: Path | None):
        import numpy as np

        texts = [text for _, text in self.examples]
        key = hashlib.sha256("\n".join(f"{kind}\t{text}" for kind, text in self.examples).encode()).hexdigest()[:20]
        stored = cache / f"spin-{key}.npy" if cache is not None else None
        if stored is not None and stored.is_file():
            try:
                vectors = np.load(stored)
                if vectors.shape == (len(texts), 384):
                    return vectors
            except (OSError, ValueError):
                pass  # a damaged cache file is encoded again
        vectors = self.encoder.encode(texts)
        if stored is not None:
            try:
                stored.parent.mkdir(parents=True, exist_ok=True)
                np.save(stored, vectors)
            except OSError:
                pass  # a read-only cache costs a few seconds of encoding next time, nothing else
        return vectors

    def nearest(self, questions: Sequence[str]) -> list[SpinExampleMatch]:
        import numpy as np

        if not questions:
            return []
        similarity = self.encoder.encode(list(questions)) @ self._vectors.T
        matches = []
        for row in similarity:
            closest = np.argsort(-row, kind="stable")[:NEAREST]
            votes = Counter(self.examples[i][0] for i in closest)
            most = max(votes.values())
            # The closest example whose kind has the most votes: a tie goes to the closest.
            best = next(i for i in closest if votes[self.examples[i][0]] == most)
            kind, example = self.examples[best]
            matches.append(SpinExampleMatch(kind, example, float(row[best])))
        return matches


def default_spin_examples() -> SpinExamples | None:
    """Examples matched with the process's shared sentence model; None when it cannot load (the
    cue words and the old rule decide then: a question about the customer counts as situation)."""
    from analysis.language.meaning import MeaningModelError, shared_encoder
    from analysis.speech.models import cache_dir

    try:
        return _default(shared_encoder(), cache_dir() / "meaning")
    except MeaningModelError:
        return None


@lru_cache(maxsize=1)
def _default(encoder: SentenceEncoder, cache: Path) -> SpinExamples:
    return SpinExamples(encoder, cache=cache)
