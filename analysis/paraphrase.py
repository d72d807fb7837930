"""Is a turn a paraphrase of what the other speaker just said?

A lead-in ("it sounds like") alone proves little, and a good reflection often has none. The
decision weighs four signs, each kept as evidence:
- shared content: nouns, verbs, adjectives of the customer's last turn that come back (by lemma);
- the person shift: the customer spoke of "I/we/my", the rep restates it as "you/your";
- a restated feeling or want ("you're worried", "you want"), even in new words;
- a lead-in phrase from `patterns/paraphrase.yaml`.
Advice ("you should ...") and pitches are not paraphrases.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from spacy.tokens import Doc, Span, Token

from analysis.components import CUES_KEY, SECOND_PERSON, content_tokens
from analysis.rules import question_rules

CONTENT_POS = {"NOUN", "PROPN", "VERB", "ADJ", "NUM", "ADV"}
FIRST_PERSON = {"i", "me", "my", "mine", "myself", "we", "us", "our", "ours", "ourselves"}
# Verbs too common to count as shared content.
LIGHT_LEMMAS = {"be", "have", "do", "get", "go", "say", "know", "think", "mean", "make", "want", "like",
                "just", "really", "very", "so", "well", "also", "then", "now", "here", "there", "not",
                "yeah", "okay", "right", "thing", "lot", "kind", "sort", "way", "bit", "much", "even",
                "still", "actually", "maybe", "probably", "sure", "gonna", "would", "could", "will"}


def content_lemmas(tokens: list[Token] | Span | Doc) -> dict[str, Token]:
    lemmas: dict[str, Token] = {}
    for tok in tokens:
        if tok.pos_ in CONTENT_POS and not tok.is_stop and tok.is_alpha:
            lemma = tok.lemma_.lower()
            if lemma not in LIGHT_LEMMAS and len(lemma) > 1:
                lemmas.setdefault(lemma, tok)
    return lemmas


@dataclass
class ParaphraseFinding:
    is_paraphrase: bool
    score: float
    sentence: dict[str, Any] | None
    restates: list[str]
    cues: list[str]

    def evidence(self) -> dict[str, Any] | None:
        if not self.is_paraphrase or self.sentence is None:
            return None
        return {**self.sentence, "label": "paraphrase", "restates": self.restates, "cue": "; ".join(self.cues)}


def _you_statement(sent: Span, rest: list[Token]) -> bool:
    """A statement about the other person: "you/your ..." as subject, not advice."""
    for tok in sent:
        if tok.dep_ in ("nsubj", "nsubjpass") and (
            tok.lower_ in SECOND_PERSON or any(c.lower_ in ("your", "yours") for c in tok.children)
        ):
            return True
    words = [t.lower_ for t in rest[:2]]
    return bool(words) and words[0] in ("your", "you")


def find_paraphrase(doc: Doc, previous: Doc | None, *, is_pitch: bool, question_sentences: set[int]) -> ParaphraseFinding:
    rules = question_rules()
    heard = content_lemmas(previous) if previous is not None else {}
    heard_first_person = previous is not None and any(t.lower_ in FIRST_PERSON for t in previous)
    cues_by_sentence: dict[int, list[Span]] = {}
    sentences = list(doc.sents)
    for span in doc.spans.get(CUES_KEY, []):
        for i, sent in enumerate(sentences):
            if span.start >= sent.start and span.end <= sent.end:
                cues_by_sentence.setdefault(i, []).append(span)

    best = ParaphraseFinding(False, 0.0, None, [], [])
    for i, sent in enumerate(sentences):
        tokens = [t for t in sent if not t.is_space]
        rest = content_tokens(tokens, rules)
        if len([t for t in rest if t.is_alpha]) < 2:
            continue
        labels = {s.label_: s for s in cues_by_sentence.get(i, [])}
        # Advice only counts at the start of the sentence ("you should ..."), not inside a restatement.
        if "advice" in labels and labels["advice"].start <= rest[0].i + 1:
            continue
        if "pitch" in labels:
            continue
        said = content_lemmas(rest)
        shared = [lemma for lemma in said if lemma in heard]
        you = _you_statement(sent, rest)
        lead_in = labels.get("lead_in")
        leads = lead_in is not None and lead_in.start <= (rest[0].i + 2 if rest else 0)
        feeling = "feeling" in labels and you
        open_question = i in question_sentences and rest[0].lower_ in rules.open_wh | rules.closed_wh

        score = 0.0
        cues: list[str] = []
        if shared:
            share = len(shared) / max(len(said), 1)
            score += min(0.5, 0.15 * len(shared) + 0.3 * share)
            cues.append(f"repeats the customer's words ({', '.join(shared[:4])})")
        if you and heard_first_person:
            score += 0.25
            cues.append("turns the customer's 'I' into 'you'")
        elif you:
            score += 0.1
        if feeling:
            score += 0.2
            cues.append(f"names a feeling or want ('{labels['feeling'].text}')")
        if leads and lead_in is not None:
            score += 0.3
            cues.append(f"lead-in '{lead_in.text}'")
        if open_question:
            score -= 0.4  # "what do you want?" asks; it does not restate.
        if score > best.score:
            restated = [heard[lemma].text for lemma in shared]
            record = {"text": sent.text.strip(), "start": sent.start_char, "end": sent.end_char, "sentence": i}
            best = ParaphraseFinding(False, round(score, 3), record, restated, cues)
    # Without any customer word or feeling restated, a "you ..." sentence is a claim, not a paraphrase.
    restates_something = bool(best.restates) or any(c.startswith("names a feeling") for c in best.cues)
    best.is_paraphrase = best.score >= 0.5 and restates_something and not is_pitch
    return best
