"""The `spar_spin` component: which questions are needs questions, their SPIN kind, and which ask for the decision."""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc, Span, Token

from analysis.language.findings import cues_in, sentence_record
from analysis.language.rules import (
    SPIN_KINDS,
    QuestionRules,
    commitment_words,
    question_rules,
)
from analysis.language.spoken import SECOND_PERSON, content_tokens


@Language.factory("spar_spin", assigns=["doc._.spar_spin", "doc._.spar_closes"], requires=["doc._.spar_questions"])
def make_spin_classifier(nlp: Language, name: str) -> SpinClassifier:
    if "spar_cue_ruler" not in nlp.pipe_names or "spar_questions" not in nlp.pipe_names:
        raise ValueError("spar_spin needs 'spar_cue_ruler' and 'spar_questions' earlier in the pipeline")
    return SpinClassifier(question_rules(), commitment_words())


# Words small talk may run on for and stay small talk ("How are you doing this morning?").
SMALL_TALK_TAIL = 3
# The auxiliaries that make "you ... donate/sign/buy" a choice put to the customer now.
COMMITTING_AUXILIARIES = {"would", "will", "'ll", "'d", "wo", "can", "ca", "could", "shall", "gon", "gonna"}


class SpinClassifier:
    """Marks each needs question with its SPIN kind and the cue that decided it, and each
    question that asks for the decision instead (`spar_closes`), so the app can say why it was
    not counted."""

    def __init__(self, rules: QuestionRules, commitment: frozenset[str]):
        self.rules = rules
        self.commitment = commitment

    def __call__(self, doc: Doc) -> Doc:
        sentences = list(doc.sents)
        found, closes = [], []
        for question in doc._.spar_questions or []:
            sent = sentences[question["sentence"]]
            rest = content_tokens(list(sent), self.rules)  # the words after leading fillers
            if self._about_the_call(doc, sent) or self._informs(doc, sent, rest):
                continue
            close = self._asks_for_commitment(doc, sent, rest)
            if close:
                closes.append(sentence_record(sent, sentence=question["sentence"], cue=close))
                continue
            kinds = {s.label_.split(":", 1)[1]: s for s in cues_in(doc, sent, "spin:")}
            kind = next((k for k in reversed(SPIN_KINDS) if k in kinds), None)
            if kind:
                cue = f"'{kinds[kind].text}'"
            elif question["cue"].startswith("request"):
                kind, cue = "situation", f"invites the customer to talk ({question['cue']})"
            elif any(t.lower_ in SECOND_PERSON for t in sent):
                kind, cue = "situation", "asks about the customer ('you/your')"
            else:
                continue
            # Without a cue word the kind is only a default: the analyzer asks the written examples
            # (spin_examples.py) when the sentence model is there.
            found.append(
                sentence_record(sent, sentence=question["sentence"], spin=kind, cue=cue, kind_by_cue=kind in kinds)
            )
        doc._.spar_spin = found
        doc._.spar_closes = closes
        return doc

    @staticmethod
    def _about_the_call(doc: Doc, sent: Span) -> bool:
        """ "Is now a good time?", "How are you doing today?": about the call, not the customer's
        world. Asking leave to ask lets the question after it decide ("Can I ask how many depots
        you run?"), and small talk counts only as (nearly) the whole question ("How are you
        planning the routes?" asks)."""
        leave = cues_in(doc, sent, "asking_leave")
        if any(
            not any(f.start >= ask.start and f.end <= ask.end for ask in leave) for f in cues_in(doc, sent, "not_needs")
        ):
            return True
        return any(
            sum(1 for t in doc[talk.end : sent.end] if t.is_alpha) <= SMALL_TALK_TAIL
            for talk in cues_in(doc, sent, "small_talk")
        )

    @staticmethod
    def _informs(doc: Doc, sent: Span, rest: list[Token]) -> bool:
        """ "Did you know ...?" at the start puts information forward; it does not ask."""
        return bool(rest) and any(c.start == rest[0].i for c in cues_in(doc, sent, "informs"))

    def _asks_for_commitment(self, doc: Doc, sent: Span, rest: list[Token]) -> str | None:
        """Asking for the decision, not about the customer: "Would you like to sign up today?",
        "Will you renew?". "Do you buy from one supplier?" asks how things are, and "Why would you
        switch?" or "When will you renew?" ask about their decision: both stay needs questions."""
        # A question word asks about their decision; "how much/many" asks for it.
        question_word = len(rest) > 1 and rest[0].lower_ in self.rules.open_wh | self.rules.closed_wh
        if question_word and rest[1].lower_ not in ("much", "many"):
            return None
        proposal = cues_in(doc, sent, "proposal")
        if proposal:
            return f"'{proposal[0].text}' proposes the next step"
        asks = cues_in(doc, sent, "commitment_ask")
        committing = [t for t in sent if t.lemma_.lower() in self.commitment or t.lower_ in self.commitment]
        if asks:
            ask = min(asks, key=lambda c: c.start)
            word = next((t for t in committing if t.i >= ask.end), None)
            if word is not None:
                return f"'{ask.text} ... {word.text}' asks the customer to commit"
        for verb in committing:
            helper = self._you_would(verb) if verb.pos_ in ("VERB", "AUX") else None
            if helper is not None:
                return f"'{helper.text} ... {verb.text}' puts the decision to the customer"
        return None

    @staticmethod
    def _you_would(verb: Token) -> Token | None:
        """The word that makes "you ... `verb`" a choice put now: would/will/can you ...,
        you're going to ..."""
        for node in (verb, *verb.ancestors):
            children = list(node.children)
            if any(c.dep_ == "nsubj" and c.lower_ in ("you", "ya", "u") for c in children):
                helper = next((c for c in children if c.dep_ == "aux" and c.lower_ in COMMITTING_AUXILIARIES), None)
                if helper is None and node.lemma_.lower() in ("go", "want", "wanna", "plan", "intend"):
                    helper = node
                return helper
            if node.dep_ not in ("xcomp", "conj", "advcl"):
                return None
        return None
