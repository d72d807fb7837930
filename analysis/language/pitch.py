"""The `spar_pitch` component: sentences that advocate the offer, and the cue or grammar that shows it."""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc, Span, Token

from analysis.language.findings import cues_in, sentence_record
from analysis.language.rules import PitchRules, pitch_rules
from analysis.language.spoken import SECOND_PERSON


@Language.factory("spar_pitch", assigns=["doc._.spar_pitches"], requires=["doc._.spar_questions"])
def make_pitch_detector(nlp: Language, name: str) -> PitchDetector:
    if "spar_cue_ruler" not in nlp.pipe_names:
        raise ValueError("spar_pitch needs 'spar_cue_ruler' earlier in the pipeline")
    return PitchDetector(pitch_rules())


# Who a claim is about when it advocates: the rep's side ("we") or the offer itself ("it", "they").
POINTING_SUBJECTS = {"it", "they", "this", "these"}
SUBJECT_DEPS = {"nsubj", "nsubjpass"}
OPINION_FRAMES = {"think", "believe", "know", "feel", "guess", "bet", "say", "mean"}


def _main_clauses(sent: Span) -> list[tuple[Token, Token]]:
    """(verb, subject) for the sentence's main verb and the verbs joined to it by "and"; a joined
    verb without a subject of its own shares the first one ("They feed and shelter children").
    Behind an opinion frame ("I think they help a lot") the clause it frames counts as main."""
    found = []
    root = sent.root
    subject = next((c for c in root.children if c.dep_ in SUBJECT_DEPS), None)
    verbs = [root] + [c for c in root.children if c.dep_ == "conj" and c.pos_ in ("VERB", "AUX")]
    if root.lemma_.lower() in OPINION_FRAMES and subject is not None and subject.lower_ in ("i", "we"):
        verbs += [c for c in root.children if c.dep_ == "ccomp"]
    for verb in verbs:
        own = next((c for c in verb.children if c.dep_ in SUBJECT_DEPS), None)
        who = own if own is not None else subject
        if who is not None:
            found.append((verb, who))
    return found


MIN_FIGURE_WORDS = 6
RATING_SCALE = {"scale", "rate", "rating"}
SCALE_WORDS = {
    "percent",
    "per",
    "%",
    "hundred",
    "hundreds",
    "thousand",
    "thousands",
    "million",
    "millions",
    "billion",
    "billions",
    "dozens",
}


def _statistic(tok: Token) -> bool:
    """A figure as evidence: "16,000", "43%", "two million"; small counts ("two worlds", "three
    drinks") are the talk's own detail."""
    if tok.lower_ in SCALE_WORDS:
        return True
    if not tok.like_num:
        return False
    digits = tok.text.replace(",", "").replace(".", "")
    if digits.isdigit() and int(digits) >= 100:
        return True
    return tok.i + 1 < len(tok.doc) and tok.nbor(1).lower_ in SCALE_WORDS


def _addressed(verb: Token) -> bool:
    """A verb said as a request to the listener ("Imagine ..."): no subject, no "to" before it."""
    return not any(c.dep_ in SUBJECT_DEPS or c.dep_ == "aux" for c in verb.children)


class PitchDetector:
    """Marks sentences that advocate the product; asking permission to pitch is not a pitch.

    Ways to advocate: a cue phrase from `patterns/pitch.yaml` ("we offer", "free trial", a benefit
    or a credential claimed, "Imagine ..."); a claim in plain words, where the subject is the offer
    and the main verb says what it does, is or has ("It plans every route overnight"); a figure
    put forward as evidence. Only an offer counts in a question."""

    def __init__(self, rules: PitchRules):
        self.rules = rules

    def __call__(self, doc: Doc) -> Doc:
        asked = {q["sentence"] for q in doc._.spar_questions or []}
        found = []
        for index, sent in enumerate(doc.sents):
            cues = [
                c
                for c in cues_in(doc, sent, "pitch")
                if c.label_ == "pitch"
                or index not in asked
                and (
                    c.label_ == "pitch_benefit"
                    or c.label_ == "pitch_credential"
                    and not self._personal(sent)
                    or c.label_ == "pitch_appeal"
                    and _addressed(c[0])
                )
            ]
            if not cues:
                ritual = any(c.start <= sent.start + 1 for c in cues_in(doc, sent, "pleasantry"))
                claim = None if index in asked or ritual else self._claim(sent) or self._figure(sent)
                if claim:
                    found.append(sentence_record(sent, sentence=index, cue=claim, kind="claim"))
                continue
            if index in asked and cues_in(doc, sent, "not_needs"):
                continue
            strong = [c for c in cues if c.label_ == "pitch"]
            cue = (strong or cues)[0]
            found.append(
                sentence_record(sent, sentence=index, cue=f"'{cue.text}'", kind="offer" if strong else "benefit claim")
            )
        doc._.spar_pitches = found
        return doc

    @staticmethod
    def _personal(sent: Span) -> bool:
        """About "I" or "you": "you're a credible witness" praises, it does not advocate."""
        return any(subject.lower_ in SECOND_PERSON | {"i"} for _, subject in _main_clauses(sent))

    def _offer_noun(self, tok: Token) -> bool:
        return tok.pos_ in ("NOUN", "PROPN") and (
            tok.lemma_.lower() in self.rules.offer_nouns or any(c.lower_ == "our" for c in tok.children)
        )

    def _figure(self, sent: Span) -> str | None:
        """A figure cited in a statement ("Every day, 16,000 children die before their fifth
        birthday"; "Most firms lose 12% of margin to late loads"): evidence put forward."""
        words = [t for t in sent if t.is_alpha or t.like_num]
        if len(words) < MIN_FIGURE_WORDS or self._personal(sent):
            return None
        if any(t.lower_ in SECOND_PERSON for t in sent):
            return None  # "It's been part of your life for 18 years" gives their story back
        if any(t.lower_ in RATING_SCALE or t.lower_ == "being" and t.i > 0 and t.nbor(-1).like_num for t in sent):
            return None  # "zero being not at all, 100 being totally": a scale to rate on, not evidence
        number = next((t for t in sent if _statistic(t)), None)
        if number is None:
            return None
        return f"cites a figure ('{number.text}')"

    def _claim(self, sent: Span) -> str | None:
        """The offer as the subject, and a verb that says what it does, what it has ("It has a
        dashboard for that") or what it is ("It's a booking platform for clinics")."""
        for verb, subject in _main_clauses(sent):
            lemma = verb.lemma_.lower()
            offer = next((c for c in verb.children if c.dep_ in ("dobj", "attr") and self._offer_noun(c)), None)
            if lemma in self.rules.offer_verbs:
                words, says = f"'{subject.text} ... {verb.text}'", "what {} does"
            elif lemma in ("have", "be") and offer is not None:
                words, says = f"'{subject.text} {verb.text} ... {offer.text}'", "what {} is or has"
            else:
                continue
            who = subject.lower_
            modal = any(c.dep_ == "aux" and c.tag_ == "MD" for c in verb.children)
            if who == "we" and not modal:
                # "We can work on that" plans the conversation; "we work with forty firms" advocates.
                return f"{words}: says {says.format('your side')}"
            if who in POINTING_SUBJECTS or who == "that" and offer is not None or self._offer_noun(subject):
                return f"{words}: says {says.format('the offer')}"
        return None
