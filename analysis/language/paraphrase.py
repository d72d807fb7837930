"""Is a turn a paraphrase of what the other speaker said?

A lead-in ("it sounds like") alone proves little, and a good reflection often has none. Studies
that code counselling talk automatically (e.g. Can et al., 2015, on motivational interviewing)
combine the wording of the turn with how it relates to what the client said in the turns before.
Sparring does the same with a handful of named signs per sentence, each kept as evidence:
- shared content: nouns, verbs, adjectives of the customer's recent turns that come back (by
  lemma), and two words in a row from their last turn;
- the person shift: the customer spoke of "I/we", the rep says "you/your";
- a named feeling or want ("you're worried", "it matters to you");
- a phrase that says it restates ("it sounds like", "I'm hearing"), a weaker lead-in ("so
  you're") or a summarising "so";
- finishing the customer's sentence, voicing their thought in the first person, a short statement;
- and signs against: the rep talking about themselves, asking with a question word, advising,
  a long turn. A pitch, or information about people in general, never restates.
Each sign takes its strongest value in the turn (the labels it is fitted on are per turn); the
sentence that restates most is the evidence. The signs, and the turn's words, are weighed by
`patterns/paraphrase_weights.yaml` (a logistic model: a coach can read which sign or word counts
how much); `bench/fit_paraphrase.py` refits the weights on labelled counselling dialogues, with
plain statements of telephone talk as turns that never restate (so that telling one's own story
is not learned as reflecting), cross-validated by conversation.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from spacy.tokens import Doc, Span, Token

from analysis.language.findings import cues_in
from analysis.language.rules import PATTERNS_DIR, question_rules
from analysis.language.spoken import SECOND_PERSON, content_tokens
from analysis.language.word_features import word_features, words_of

CONTENT_POS = {"NOUN", "PROPN", "VERB", "ADJ", "NUM", "ADV"}
FIRST_PERSON = {"i", "me", "my", "mine", "myself", "we", "us", "our", "ours", "ourselves"}
# Verbs too common to count as shared content.
LIGHT_LEMMAS = {
    "be",
    "have",
    "do",
    "get",
    "go",
    "say",
    "know",
    "think",
    "mean",
    "make",
    "want",
    "like",
    "just",
    "really",
    "very",
    "so",
    "well",
    "also",
    "then",
    "now",
    "here",
    "there",
    "not",
    "yeah",
    "okay",
    "right",
    "thing",
    "lot",
    "kind",
    "sort",
    "way",
    "bit",
    "much",
    "even",
    "still",
    "actually",
    "maybe",
    "probably",
    "sure",
    "gonna",
    "would",
    "could",
    "will",
}
# The signs, in the order the weights file lists them.
SIGNS = (
    "shared_words",
    "shared_share",
    "you_subject",
    "you_mention",
    "person_shift",
    "feeling",
    "lead_in",
    "summary_so",
    "self_subject",
    "asks_with_question_word",
    "rising_voice",
    "advice",
    "customer_said_little",
    "long_turn",
    "statement_about_you",
    "it_that_subject",
    "shared_with_last_turn",
    "turn_asks_openly",
    "listening_phrase",
    "echo",
    "repeats_phrase",
    "inner_voice",
    "continues_customer",
    "short_statement",
)
# How each sign reads in the evidence when it helped.
SIGN_TEXT = {
    "you_subject": "speaks about the customer ('you ...')",
    "person_shift": "turns the customer's 'I' into 'you'",
    "summary_so": "sums up with 'so'",
    "inner_voice": "puts the customer's thought in their own words ('I ...')",
    "continues_customer": "finishes the customer's sentence",
}
CONJUNCTIONS = {"and", "but", "or", "especially", "because", "like", "cause", "'cause"}


@lru_cache(maxsize=2)
def weights(path: Path | None = None) -> dict[str, Any]:
    path = path or PATTERNS_DIR / "paraphrase_weights.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    missing = [s for s in SIGNS if s not in data.get("weights", {})]
    data.setdefault("words", {})  # `word:<w>` and `first:<w>` weights; none in older files
    if missing or "bias" not in data or "threshold" not in data or not isinstance(data["words"], dict):
        raise ValueError(
            f"{path}: needs bias, threshold and a weight for each of {', '.join(SIGNS)} "
            f"(missing: {', '.join(missing) or 'bias/threshold'})"
        )
    return data


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
    signs: dict[str, float] | None = None

    @property
    def grounded(self) -> bool:
        """Something the customer said comes back: their words or a feeling. Coders count the form
        of a reflection; the scripted customer only feels heard when it is grounded."""
        return self.is_paraphrase and (bool(self.restates) or any(c.startswith("names a feeling") for c in self.cues))


def _you_statement(sent: Span, rest: list[Token]) -> bool:
    """A statement about the other person: "you/your ..." as subject."""
    for tok in sent:
        if tok.dep_ in ("nsubj", "nsubjpass") and (
            tok.lower_ in SECOND_PERSON or any(c.lower_ in ("your", "yours") for c in tok.children)
        ):
            return True
    words = [t.lower_ for t in rest[:2]]
    return bool(words) and words[0] in ("your", "you")


# Kept narrow, because it vetoes a sentence: "they" or "the drivers" may well be the customer's
# people, restated.
GENERAL_SUBJECTS = {"people", "research", "studies", "study", "others", "everyone", "everybody", "most", "many"}
GENERAL_QUANTIFIERS = {"most", "many", "some", "few", "other", "all", "typical", "average"}


def _speaks_generally(sent: Span) -> bool:
    """Information about people in general ("most teams our size ...", "studies show ...")."""
    words = [t for t in sent if t.is_alpha]
    if len(words) > 1 and words[0].lower_ in GENERAL_QUANTIFIERS and words[1].pos_ == "NOUN":
        return True  # "Most fleets ...", whatever the parser made of the rest
    for tok in sent:
        if tok.dep_ in ("nsubj", "nsubjpass"):
            if tok.lower_ in GENERAL_SUBJECTS or any(c.lower_ in GENERAL_QUANTIFIERS for c in tok.children):
                return True
    return any(t.lower_ in ("percent", "%", "average", "statistics") for t in sent)


def _voices_customer(sent: Span) -> bool:
    """A quotation in the first person inside the rep's sentence: the customer's imagined words."""
    quoted, inside = [], False
    for tok in sent:
        if tok.text in ('"', "“", "”"):
            inside = not inside
        elif inside:
            quoted.append(tok.lower_)
    return bool(set(quoted) & {"i", "i'm", "me", "my"})


@dataclass(frozen=True)
class HeardTurn:
    """What the rep could give back from one customer turn."""

    lemmas: dict[str, Token]
    words: tuple[str, ...]
    bigrams: frozenset[tuple[str, str]]
    first_person: bool


def _heard(turn: Doc) -> HeardTurn:
    # A customer turn is context for several rep turns: it is read once, and kept on the Doc.
    if "spar_heard" not in turn.user_data:
        words = tuple(t.lower_ for t in turn if t.is_alpha)
        turn.user_data["spar_heard"] = HeardTurn(
            content_lemmas(turn),
            words,
            frozenset(zip(words, words[1:], strict=False)),
            any(w in FIRST_PERSON for w in words),
        )
    return turn.user_data["spar_heard"]


@dataclass
class SentenceSigns:
    index: int
    sent: Span
    signs: dict[str, float]
    shared: list[str]
    feeling: Span | None
    lead_in: Span | None


def sentence_signs(
    doc: Doc,
    context: list[Doc],
    questions: dict[int, dict[str, Any]],
    offers: frozenset[int] = frozenset(),
    follows_customer: bool = True,
) -> tuple[list[SentenceSigns], dict[str, Token]]:
    """The signs for every sentence of `doc` that could restate `context` (the other speaker's
    recent turns, most recent first); `questions` maps sentence index to its question record;
    `offers` are the sentences that present the product, which never restate; `follows_customer`
    says whether the customer spoke just before (else the rep goes on with their own turn)."""
    rules = question_rules()
    heard: dict[str, Token] = {}
    facts = [_heard(turn) for turn in context]
    for fact in facts:
        for lemma, tok in fact.lemmas.items():
            heard.setdefault(lemma, tok)
    if not context:
        return [], heard
    heard_first_person = any(fact.first_person for fact in facts)
    customer_said_little = len(facts[0].words) <= 3
    long_turn = sum(1 for t in doc if t.is_alpha) > 25
    last_turn = facts[0].lemmas
    turn_asks_openly = any(q.get("type") == "open" and not q.get("rising") for q in questions.values())
    sentences = list(doc.sents)
    cues_by_sentence: dict[int, list[Span]] = {i: cues_in(doc, sent) for i, sent in enumerate(sentences)}

    last_bigrams = facts[0].bigrams
    found = []
    for i, sent in enumerate(sentences):
        tokens = [t for t in sent if not t.is_space]
        rest = content_tokens(tokens, rules)
        said = content_lemmas(rest)
        shared = [lemma for lemma in said if lemma in heard]
        alpha = [t for t in rest if t.is_alpha]
        # "Security." after "... and security": one word can echo, when it is the customer's word.
        echo = 0 < len(alpha) <= 4 and bool(said) and len(shared) == len(said)
        if len(alpha) < 2 and not echo:
            continue
        labels = {s.label_: s for s in cues_by_sentence.get(i, [])}
        mentions_you = any(t.lower_ in SECOND_PERSON for t in sent)
        if i in offers or "pitch" in labels or (not mentions_you and _speaks_generally(sent)):
            continue  # advocacy, or information about people in general: neither restates
        pleasantry = min((s.start for s in cues_by_sentence.get(i, []) if s.label_ == "pleasantry"), default=None)
        if pleasantry is not None and pleasantry <= rest[0].i + 1:
            continue  # "Nice to meet you, too.": ritual, however much it echoes
        words = [t.lower_ for t in sent if t.is_alpha]
        voices = _voices_customer(sent)
        you = _you_statement(sent, rest)
        # "It sounds like ...", "So, again, I hear ...": said near the start of the sentence.
        listening = labels.get("listening")
        listens = listening is not None and listening.start <= rest[0].i + 4
        lead_in = listening if listens else labels.get("lead_in")
        leads = lead_in is not None and lead_in.start <= rest[0].i + 2 or listens
        question = questions.get(i)
        first_words = [t.lower_ for t in tokens[:4]]
        subjects = {t.lower_ for t in sent if t.dep_ in ("nsubj", "nsubjpass")}
        feeling = labels.get("feeling") if (you or mentions_you) else None
        signs = {
            "shared_words": min(len(shared), 6) / 6,
            "shared_share": len(shared) / max(len(said), 1),
            "you_subject": float(you),
            "you_mention": float(mentions_you),
            "person_shift": float(you and heard_first_person),
            "feeling": float(feeling is not None),
            "lead_in": float(leads and not listens),
            "listening_phrase": float(listens),
            "summary_so": float("so" in first_words),
            "self_subject": float(
                (bool(subjects & {"i", "we"}) or any(t.lower_ in FIRST_PERSON for t in sent))
                and not leads
                and not voices
            ),
            "asks_with_question_word": float(bool(question) and rest[0].lower_ in rules.open_wh | rules.closed_wh),
            "rising_voice": float(bool(question and question.get("rising"))),
            "advice": float("advice" in labels and labels["advice"].start <= rest[0].i + 1),
            "customer_said_little": float(customer_said_little),
            "long_turn": float(long_turn),
            # A statement (not a question) about the customer is what a reflection usually is.
            "statement_about_you": float(mentions_you and question is None and not subjects & {"i", "we"}),
            "it_that_subject": float(bool(subjects & {"it", "that", "this", "'s"})),
            "shared_with_last_turn": float(any(lemma in last_turn for lemma in shared)),
            "turn_asks_openly": float(turn_asks_openly),
            "echo": float(echo),
            # Two words in a row from the customer's last turn ("a good mum", "stand up for").
            "repeats_phrase": float(bool(set(zip(words, words[1:], strict=False)) & last_bigrams)),
            # 'a part of you says, "I want ..."': the rep voices the customer's own thought.
            "inner_voice": float(voices),
            # "-and into a take care of everyone else thing", "Especially in the church.": the rep
            # finishes the customer's sentence. Only right after the customer spoke: after the rep's
            # own last piece, "and ..." or "because ..." goes on with the rep's own story.
            "continues_customer": float(
                follows_customer
                and i == 0
                and (sent.text.lstrip().startswith(("-", "—", "–")) or (bool(words) and words[0] in CONJUNCTIONS))
            ),
            "short_statement": float(question is None and 3 <= len(alpha) <= 15 and not subjects & {"i", "we"}),
        }
        found.append(SentenceSigns(i, sent, signs, shared, feeling, lead_in if leads else None))
    return found, heard


def turn_signs(candidates: list[SentenceSigns]) -> dict[str, float]:
    """The turn's strongest value of each sign: the model is fitted on turn labels, and a sign
    against (a question word, advice) counts wherever in the turn it stands."""
    return {name: max((c.signs[name] for c in candidates), default=0.0) for name in SIGNS}


DASHES = ("-", "—", "–")


def says_it_restates(signs: dict[str, float], text: str) -> bool:
    """Forms that are a paraphrase whatever the weights: a phrase that says it restates ("I'm
    hearing ...", "it sounds like ..."), or finishing the customer's sentence from a dash. The
    weights, fitted with telephone statements as negatives, grew wary of every word such turns
    share with plain talk; these two forms are rare outside reflections (bench/fit_paraphrase.py
    measures them with the model)."""
    finishes = signs.get("continues_customer", 0) > 0 and text.lstrip().startswith(DASHES)
    return signs.get("listening_phrase", 0) > 0 or finishes


def logit(signs: dict[str, float], model: dict[str, Any] | None = None, words: dict[str, float] | None = None) -> float:
    """The model's log-odds for a sentence's (or a turn's) signs, plus the turn's word features."""
    model = model or weights()
    said = sum(model["words"].get(name, 0.0) * value for name, value in (words or {}).items())
    return model["bias"] + said + sum(model["weights"][name] * value for name, value in signs.items())


def find_paraphrase(
    doc: Doc,
    context: list[Doc],
    *,
    offers: frozenset[int],
    questions: dict[int, dict[str, Any]],
    follows_customer: bool = True,
) -> ParaphraseFinding:
    """The sentence of `doc` most likely to restate `context`, scored by the weighted signs."""
    model = weights()
    candidates, heard = sentence_signs(doc, context, questions, offers, follows_customer)
    if not candidates:
        return ParaphraseFinding(False, 0.0, None, [], [], None)
    # The sentence shown as evidence is the one that restates most; the turn as a whole is scored.
    best = max(candidates, key=lambda c: logit(c.signs, model))
    cues = []
    if best.shared:
        cues.append(f"repeats the customer's words ({', '.join(best.shared[:4])})")
    cues += [text for name, text in SIGN_TEXT.items() if best.signs[name] and model["weights"][name] > 0]
    if best.feeling is not None:
        cues.append(f"names a feeling or want ('{best.feeling.text}')")
    if best.lead_in is not None:
        kind = "says it is restating" if best.signs["listening_phrase"] else "lead-in"
        cues.append(f"{kind} '{best.lead_in.text}'")
    words = word_features(words_of(doc.text))
    signs = turn_signs(candidates)
    score = 1 / (1 + math.exp(-logit(signs, model, words)))
    record = {
        "text": best.sent.text.strip(),
        "start": best.sent.start_char,
        "end": best.sent.end_char,
        "sentence": best.index,
    }
    return ParaphraseFinding(
        score >= model["threshold"] or says_it_restates(signs, doc.text),
        round(score, 3),
        record,
        [heard[lemma].text for lemma in best.shared],
        cues,
        best.signs,
    )
