"""The `spar_spin` component: which questions are needs questions, their SPIN kind, and which ask for the decision."""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc, Span, Token

from analysis.language.findings import cues_in, sentence_record
from analysis.language.rules import (
    SPIN_KINDS,
    QuestionRules,
    RequestVerbs,
    commitment_words,
    question_rules,
    request_verbs,
)
from analysis.language.spoken import SECOND_PERSON, content_tokens


@Language.factory("spar_spin", assigns=["doc._.spar_spin", "doc._.spar_closes"], requires=["doc._.spar_questions"])
def make_spin_classifier(nlp: Language, name: str) -> SpinClassifier:
    if "spar_cue_ruler" not in nlp.pipe_names or "spar_questions" not in nlp.pipe_names:
        raise ValueError("spar_spin needs 'spar_cue_ruler' and 'spar_questions' earlier in the pipeline")
    return SpinClassifier(question_rules(), commitment_words(), request_verbs())


# Words small talk may run on for and stay small talk ("How are you doing this morning?").
SMALL_TALK_TAIL = 3
# The auxiliaries that make "you ... donate/sign/buy" a choice put to the customer now.
COMMITTING_AUXILIARIES = {"would", "will", "'ll", "'d", "wo", "can", "ca", "could", "shall", "gon", "gonna"}
# The auxiliaries that open a request for a deed ("Would you take it?", "Could you run it by them?").
# "Can you ...?" and "Will you ...?" ask as often about what the customer is able or set to do ("Can
# you see the trucks live?", "Will you need more vans?"), so they count only with a commitment word.
REQUESTING_AUXILIARIES = {"would", "could", "'d"}
# Words before a deed that leave it the deed: "Would you mind sending ...", "Could you please ...".
PASS_THROUGH = {"mind", "please", "just", "maybe", "possibly", "even", "still", "also", "kindly"}
# "Give me a sense of ...", "help us understand ...": the customer is asked to tell, not to act.
TELLING_OBJECTS = {"me", "us"}
# Verbs of wanting: with someone else as the doer they ask what the customer wants for their world.
WISHING = {"like", "love", "want", "wish"}


class SpinClassifier:
    """Marks each needs question with its SPIN kind and the cue that decided it, and each
    question that asks for the decision instead (`spar_closes`), so the app can say why it was
    not counted."""

    def __init__(self, rules: QuestionRules, commitment: frozenset[str], verbs: RequestVerbs | None = None):
        self.rules = rules
        self.commitment = commitment
        self.verbs = verbs or RequestVerbs(frozenset(), frozenset())

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
        """Asking for the decision or for a deed, not about the customer: "Would you like to sign up
        today?", "Will you renew?", "Would you be willing to run it past your team?", "Could we meet
        on Tuesday?". "Do you buy from one supplier?" asks how things are, and "Why would you
        switch?" or "When will you renew?" ask about their decision: both stay needs questions, and
        so does a request to tell us about their world ("Could you walk me through a typical day?")."""
        opening = rest[0].i if rest else -1
        requests = cues_in(doc, sent, "request")
        # A question word asks about their decision; "how much/many" asks for it, and "Why don't
        # we ...?" proposes.
        question_word = len(rest) > 1 and rest[0].lower_ in self.rules.open_wh | self.rules.closed_wh
        amount = any(c.start == opening for c in cues_in(doc, sent, "asks_amount"))
        puts = any(c.start == opening for c in cues_in(doc, sent, "option_opening"))
        if question_word and not amount and not puts and not any(r.start == opening for r in requests):
            return None
        proposal = cues_in(doc, sent, "proposal")
        if proposal:
            return f"'{proposal[0].text}' proposes the next step"
        option = self._option_put_forward(doc, sent)
        if option:
            return option
        asks = cues_in(doc, sent, "commitment_ask")
        committing = [t for t in sent if t.lemma_.lower() in self.commitment or t.lower_ in self.commitment]
        if asks:
            ask = min(asks, key=lambda c: c.start)
            word = next((t for t in committing if t.i >= ask.end and not self._tells(t)), None)
            if word is not None:
                return f"'{ask.text} ... {word.text}' asks the customer to commit"
        for request in sorted(requests, key=lambda c: c.start):
            deed = next((t for t in doc[request.end : sent.end] if t.pos_ == "VERB"), None)
            if deed is None:
                return f"'{request.text}' asks the customer to do something"
            deed = self._deed(deed, talk_only=True)
            if deed is None:
                return None  # "Would you be willing to walk me through it?" invites them to talk
            return f"'{request.text} ... {deed.text}' asks the customer to do something"
        for verb in committing:
            helper = self._you_would(verb) if verb.pos_ in ("VERB", "AUX") and not self._tells(verb) else None
            if helper is not None:
                return f"'{helper.text} ... {verb.text}' puts the decision to the customer"
        if not question_word:
            return self._asks_a_deed(rest)
        return None

    def _option_put_forward(self, doc: Doc, sent: Span) -> str | None:
        """ "How about $20 a month?", "What about just the one depot?": an option to accept."""
        for opening in cues_in(doc, sent, "option_opening"):
            if opening.end >= sent.end:
                continue
            word = doc[opening.end]
            lowered = word.lower_
            if (
                word.like_num
                or word.is_currency
                or lowered in self.verbs.options
                or lowered in self.rules.proposal_openers
            ):
                shown = doc[opening.start : min(word.i + 2 if word.is_currency else word.i + 1, sent.end)]
                return f"'{shown.text}' puts an option forward to accept"
        return None

    def _asks_a_deed(self, rest: list[Token]) -> str | None:
        """ "Would you take it?", "Could you run it by your manager?": an opening "would/could you"
        and a verb that is a deed, not telling or thinking ("Would you say ...", "Could you
        describe ..." stay needs questions)."""
        if len(rest) < 3 or rest[0].lower_ not in REQUESTING_AUXILIARIES or rest[1].lower_ not in ("you", "u", "ya"):
            return None
        verb = rest[0].head
        if verb.pos_ != "VERB" or verb.i < rest[1].i or not any(c.i == rest[1].i for c in verb.children):
            return None
        deed = self._deed(verb)
        return (
            None
            if deed is None
            else f"'{rest[0].text} {rest[1].text} ... {deed.text}' asks the customer to do something"
        )

    def _deed(self, verb: Token, talk_only: bool = False) -> Token | None:
        """The verb itself when it asks the customer to act; None when it asks them to tell us
        ("walk me through") or, unless `talk_only`, to think about their world ("would you say",
        "would you rather", "would you like your drivers to ...")."""
        for _ in range(3):
            lemma = verb.lemma_.lower()
            if lemma in PASS_THROUGH:
                nxt = next((c for c in verb.children if c.dep_ in ("xcomp", "ccomp") and c.pos_ == "VERB"), None)
                if nxt is None:
                    return verb
                verb = nxt
                continue
            if self._tells(verb):
                return None
            if talk_only:
                return verb
            if lemma in self.verbs.world or any(c.lower_ == "rather" for c in verb.children):
                return None
            if lemma in WISHING and self._wish_for_others(verb):
                return None
            return verb
        return verb

    @staticmethod
    def _wish_for_others(verb: Token) -> bool:
        """ "Would you like your drivers to get the plan at five?": a wish about their world, not a
        deed (while "Would you like a demo?" takes an offer)."""
        children = list(verb.children)
        wished = [c for c in children if c.dep_ in ("xcomp", "ccomp")]
        if wished and any(c.dep_ == "dobj" for c in children):
            return True
        return any(
            g.dep_ in ("nsubj", "nsubjpass") and g.lower_ not in ("you", "u") for c in wished for g in c.children
        )

    def _tells(self, verb: Token) -> bool:
        """The verb asks the customer to tell: a talk verb, or "give me / help us understand ..."
        ("Can you give me a sense of the volumes?", "Could you help me see how routes are planned?")."""
        if verb.lemma_.lower() in self.verbs.talk or verb.lower_ in self.verbs.talk:
            return True
        after = verb.doc[verb.i + 1 : verb.i + 3]
        if not after or after[0].lower_ not in TELLING_OBJECTS:
            return False
        return verb.lemma_.lower() == "give" or (len(after) > 1 and after[1].lemma_.lower() in self.verbs.world)

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
