"""A learned second opinion on pitches: a logistic model over the pitch rules' signals and the words.

The rules in `pitch.py` find advocacy by its form (a cue phrase, the offer as the subject of a
claim, a figure put forward) and are precise, but they miss what coders also call advocacy:
stories, appeals and the need put in plain words. A small logistic model, fitted by
`bench/train_pitch.py` on labelled persuasion dialogues plus turns that never advocate (counselling
reflections, plain telephone statements), reads the rules' findings as features together with the
turn's words and weighs them. Its weights are data, `patterns/pitch_model.json`: one weight per
named feature (a rule's finding, or a single common word), so a coach can read what counts.

At run time this is a dot product: no learning library is needed. The rules' cues stay in the
evidence whatever the model decides, and the model's decision is recorded next to them.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from analysis.language.rules import PATTERNS_DIR
from analysis.language.word_features import word_features, words_of

if TYPE_CHECKING:  # spaCy loads in the background; importing the analyzer's constants must not wait for it
    from spacy.tokens import Doc

MODEL_FILE = "pitch_model.json"
LONG_TURN_WORDS = 25
# Features that weigh less than this are not named in the evidence ("the", "a" say nothing to a coach).
NOTABLE_WEIGHT = 0.3


@dataclass(frozen=True)
class RulePitch:
    """One pitch the rules found: its kind ("offer", "benefit claim", "claim") and cue."""

    kind: str
    cue: str


def rule_signal(pitch: RulePitch) -> str:
    """The family of a rule's finding, as the model's feature names it."""
    if pitch.kind == "offer":
        return "rule:names the product" if pitch.cue.startswith("names the product") else "rule:offer phrase"
    if pitch.kind == "benefit claim":
        return "rule:benefit claim"
    if pitch.cue.startswith("cites a figure"):
        return "rule:cites a figure"
    if "your side" in pitch.cue:
        return "rule:says what our side does"
    return "rule:says what the offer does or is"


def pitch_features(
    text: str,
    rule_pitches: Iterable[RulePitch],
    *,
    is_question: bool,
    is_needs_question: bool,
    asks_decision: bool,
    is_paraphrase: bool,
) -> dict[str, float]:
    """The named features of a turn (all 0/1): what the rules found, and which words it holds."""
    features = {rule_signal(p): 1.0 for p in rule_pitches}
    if features:
        features["rule:any pitch cue"] = 1.0
    for name, on in (
        ("rule:question", is_question),
        ("rule:needs question", is_needs_question),
        ("rule:asks for the decision", asks_decision),
        ("rule:paraphrase", is_paraphrase),
    ):
        if on:
            features[name] = 1.0
    words = words_of(text)
    if len(words) > LONG_TURN_WORDS:
        features["turn:long"] = 1.0
    elif len(words) <= 4:
        features["turn:short"] = 1.0
    features.update(word_features(words))
    return features


@dataclass(frozen=True)
class PitchModel:
    bias: float
    threshold: float
    weights: dict[str, float]

    def probability(self, features: dict[str, float]) -> float:
        z = self.bias + sum(self.weights.get(name, 0.0) * value for name, value in features.items())
        return 1 / (1 + math.exp(-z))

    def strongest(self, features: dict[str, float], n: int = 3) -> list[str]:
        """The features that pushed hardest towards the decision's side, by name without prefix."""
        p = self.probability(features)
        sign = 1 if p >= self.threshold else -1
        pushing = sorted(
            (name for name in features if sign * self.weights.get(name, 0.0) >= NOTABLE_WEIGHT),
            key=lambda name: -abs(self.weights[name]),
        )
        return pushing[:n]


@lru_cache(maxsize=2)
def pitch_model(path: Path | None = None) -> PitchModel:
    path = path or PATTERNS_DIR / MODEL_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise ValueError(f"{path}: not valid JSON ({error}); retrain it with bench/train_pitch.py --write") from None
    if (
        not isinstance(data, dict)
        or not isinstance(data.get("weights"), dict)
        or "bias" not in data
        or "threshold" not in data
    ):
        raise ValueError(f"{path}: needs bias, threshold and weights (written by bench/train_pitch.py)")
    return PitchModel(float(data["bias"]), float(data["threshold"]), {k: float(v) for k, v in data["weights"].items()})


@dataclass(frozen=True)
class PitchJudgement:
    is_pitch: bool
    probability: float
    record: dict[str, Any] | None  # the model's evidence: the sentence it leans on, and why
    model_says_pitch: bool = False  # the model's own call (a rule's cue may decide without it)


def decide(
    probability: float,
    threshold: float,
    rule_pitches: Iterable[RulePitch],
    is_paraphrase: bool,
    is_needs_question: bool = False,
) -> bool:
    """A pitch when a rule's cue fired, or when the model says so of a turn that is not a paraphrase.

    The model is trained on persuasion dialogues, where advocacy is mostly stories and appeals; on
    sales turns it does not know the offer's own words ("We offer a free trial", the product's
    name), which the rules do, precisely. So the rules keep their pitches and the model adds the
    ones no rule of form reaches (bench/train_pitch.py measures both ways). A turn that gives the
    customer's point back is listening: the model's word-level hunch does not make it a pitch (a
    rule's cue after the restating sentence still does). A needs question asks about the
    customer's world, so the hunch does not make it a pitch either: its threshold is low (most
    persuader turns are pitches), and on practice calls it read open questions such as "How has it
    been when you've needed help from us?" as pitches, so the customer objected to discovery."""
    hunch = probability >= threshold and not is_paraphrase and not is_needs_question
    return any(True for _ in rule_pitches) or hunch


def judge_pitch(
    doc: Doc,
    pitches: list[dict[str, Any]],
    *,
    is_question: bool,
    is_needs_question: bool,
    asks_decision: bool,
    is_paraphrase: bool,
) -> PitchJudgement:
    """The model's decision on a turn, given the rules' pitch records (`spar_pitches` after the
    analyzer's own changes) and the other rules' findings. Evidence is kept when the model calls
    it a pitch, or when a rule's cue fired (so an overruled cue shows why)."""
    model = pitch_model()
    rules = [RulePitch(p["kind"], p["cue"]) for p in pitches]
    features = pitch_features(
        doc.text,
        rules,
        is_question=is_question,
        is_needs_question=is_needs_question,
        asks_decision=asks_decision,
        is_paraphrase=is_paraphrase,
    )
    probability = model.probability(features)
    is_pitch = decide(probability, model.threshold, rules, is_paraphrase, is_needs_question)
    if not is_pitch and not pitches:
        return PitchJudgement(False, probability, None)
    says_pitch = probability >= model.threshold and not is_paraphrase and not is_needs_question
    if says_pitch or not pitches:
        verdict = "likely a pitch"
    elif probability >= model.threshold and is_paraphrase:
        verdict = "likely a pitch, but the turn restates the customer; the cue decides"
    elif probability >= model.threshold:
        verdict = "likely a pitch, but the turn asks about the customer; the cue decides"
    else:
        verdict = "on its own, likely not a pitch; the cue decides"
    leans = ", ".join(f"'{name.split(':', 1)[1]}'" for name in model.strongest(features))
    cue = f"model: {probability:.2f}, {verdict}" + (f"; leans on {leans}" if leans else "")
    if pitches:
        where = min(pitches, key=lambda p: p["sentence"])
        record = {k: where[k] for k in ("text", "start", "end", "sentence")}
    else:
        record = _leaning_sentence(doc, model)
    return PitchJudgement(is_pitch, probability, record | {"cue": cue, "kind": "model"}, says_pitch)


def _leaning_sentence(doc: Doc, model: PitchModel) -> dict[str, Any]:
    """The sentence whose words weigh most towards a pitch: where the model's evidence points."""
    best, best_weight = None, -math.inf
    for index, sent in enumerate(doc.sents):
        weight = sum(model.weights.get(f"word:{w}", 0.0) for w in set(words_of(sent.text)))
        if weight > best_weight:
            best, best_weight = (index, sent), weight
    if best is None:
        return {"text": doc.text.strip(), "start": 0, "end": len(doc.text), "sentence": 0}
    index, sent = best
    return {"text": sent.text.strip(), "start": sent.start_char, "end": sent.end_char, "sentence": index}
