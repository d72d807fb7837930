"""spaCy components that mark what each sentence of an utterance does.

Pipeline order: `spar_sentences` (boundaries from the transcript's punctuation) -> the model's
parser (subjects, heads) -> `spar_cue_ruler` (a SpanRuler with
the phrase cues from `analysis/patterns/`, in doc.spans["spar_cues"]) -> `spar_questions` ->
`spar_spin` -> `spar_pitch`. Each component writes a Doc extension holding a list of plain
dicts, one per sentence it found something in (`spar_spin` also lists the questions that ask for
the decision, in `spar_closes`), so every decision keeps its evidence: the
sentence's character offsets, its text, and the cue that decided it.
"""

from __future__ import annotations

from typing import Any

from spacy.language import Language
from spacy.tokens import Doc, Span, Token

from analysis.language.rules import SPIN_KINDS, PitchRules, QuestionRules, commitment_words, pitch_rules, question_rules

CUES_KEY = "spar_cues"
SUBJECT_WORDS = {"i", "you", "we", "they", "he", "she", "it", "there", "that", "this", "anyone",
                 "anything", "anybody", "everyone", "someone", "something", "ya", "u", "y'all"}
CLAUSE_WH = {"which", "when", "where", "whose", "whom"}
DEFINITE = {"the", "that", "this", "these", "those", "any", "anyone", "anything", "someone", "something"}
SECOND_PERSON = {"you", "your", "yours", "yourself", "yourselves", "ya", "y'all", "u"}

for _name in ("spar_questions", "spar_rising_statements", "spar_spin", "spar_closes", "spar_pitches"):
    if not Doc.has_extension(_name):
        Doc.set_extension(_name, default=None)


TERMINAL = {".", "?", "!", "…", "..."}
CLOSERS = {'"', "”", "’", ")", "'"}
DASHES = {"-", "--", "—", "–"}
CLAUSE_BREAKS = {",", ";", ":"} | DASHES


def _dashed(tok: Token) -> bool:
    """A dash, alone or carried by the word before it ("you--", "would-"): speech broken off."""
    return tok.text in DASHES or len(tok.text) > 1 and tok.text.endswith("-")


def _breaks(tok: Token) -> bool:
    """Where running speech breaks into clauses."""
    return tok.text in CLAUSE_BREAKS or _dashed(tok)


@Language.component("spar_sentences")
def transcript_sentences(doc: Doc) -> Doc:
    """Sentence boundaries where the transcript puts them: after ".", "?" or "!".

    Runs before the parser, which keeps boundaries already set. Left to itself the parser splits
    long spoken questions at "and" ("When was a time you tried | and it turned out well?"), and
    the "?" then marks only the tail, so a question word at the start is lost.
    """
    for i, tok in enumerate(doc):
        if i == 0:
            tok.is_sent_start = True
            continue
        prev = doc[i - 1]
        if prev.text in CLOSERS and i >= 2 and doc[i - 2].text in TERMINAL and tok.text not in CLOSERS:
            tok.is_sent_start = True
        elif tok.is_punct or tok.is_space:
            tok.is_sent_start = False
        else:
            tok.is_sent_start = prev.text in TERMINAL or prev.text.endswith((".", "?", "!")) and prev.is_punct
    return doc


def _spoken_word(text: str) -> str:
    """The word a transcript's disfluency marks stand for: "me-" (a restart) and "wh-what"
    (a stutter) are "me" and "what"."""
    word = text.rstrip("-") if len(text) > 1 else text
    base, _, verb = word.partition("'")
    if base and verb in ("d", "s", "re", "ll", "ve"):
        return base  # "what'd" left whole by the tokenizer after a stutter is "what"
    if "-" in word:
        first, _, last = word.rpartition("-")
        if last and last.startswith(first.split("-")[0]):
            return last
    return word


def _words(tokens: list[Token]) -> list[str]:
    return [_spoken_word(t.lower_) for t in tokens]


def _starts_with(words: list[str], phrases: tuple[tuple[str, ...], ...]) -> tuple[str, ...] | None:
    for phrase in phrases:
        if tuple(words[: len(phrase)]) == phrase:
            return phrase
    return None


def _ends_with(words: list[str], phrases: tuple[tuple[str, ...], ...]) -> tuple[str, ...] | None:
    for phrase in phrases:
        if len(words) > len(phrase) and tuple(words[-len(phrase):]) == phrase:
            return phrase
    return None


def content_tokens(tokens: list[Token], rules: QuestionRules) -> list[Token]:
    """The tokens after leading fillers and punctuation ("so, um, what ..." -> "what ...")."""
    i = 0
    while i < len(tokens):
        if tokens[i].is_punct or tokens[i].is_space:
            i += 1
            continue
        if (i + 2 < len(tokens) and tokens[i + 1].text == "-" and tokens[i].is_alpha
                and tokens[i + 2].lower_.startswith(tokens[i].lower_)):
            i += 2  # a stutter split by the tokenizer: "Wh - What" is "What"
            continue
        restart = _restarted(tokens, i)
        if restart:
            i += restart  # "what would- what would you like": the speaker started again
            continue
        filler = _starts_with(_words(tokens[i:]), rules.fillers)
        # A filler is only skipped when something follows it: "Okay?" alone stays a question.
        if filler and i + len(filler) < len(tokens):
            i += len(filler)
            continue
        break
    return tokens[i:]


# Words said after a rising statement that show the rep went on talking rather than waiting.
TALKS_ON_WORDS = 3
MUSING_CUE = "asks without a question mark"


def _restarted(tokens: list[Token], i: int) -> int:
    """How many tokens to skip when the words from i are said, broken off, and said again
    ("what would - what would", "what would- what would": the tokenizer may keep the dash)."""
    for size in (1, 2, 3):
        said = [t.lower_ for t in tokens[i:i + size]]
        if len(said) < size or not all(t.is_alpha or t.text.endswith("-") for t in tokens[i:i + size]):
            break
        skip = size
        if said[-1].endswith("-") and len(said[-1]) > 1:
            said[-1] = said[-1].rstrip("-")
        elif i + size < len(tokens) and tokens[i + size].text in DASHES:
            skip += 1
        else:
            continue
        again = [t.lower_ for t in tokens[i + skip:i + skip + size]]
        if said == again:
            return skip
    return 0


QUOTES = {'"', "“", "”", "'", "‘", "’", "``", "''"}


def _quoted(tokens: list[Token]) -> set[int]:
    """Token indexes inside quotation marks: reported or imagined speech ("How will I cope?")."""
    inside, marks = set(), [t for t in tokens if t.text in QUOTES - {"'", "’"}]
    if not marks:
        return inside
    open_ = False
    for tok in tokens:
        if tok.text in QUOTES - {"'", "’"}:
            open_ = not open_
            continue
        if open_:
            inside.add(tok.i)
    return inside


def _up_to_comma(tokens: list[Token]) -> list[Token]:
    """The words before the next comma or dash: one clause of running speech."""
    for i, tok in enumerate(tokens):
        if tok.text in CLAUSE_BREAKS:
            return tokens[:i]
    return tokens


QUOTATIVES = {"like", "said", "says", "saying", "thinking", "thought", "goes", "went", "asked", "asking"}


def _reports_speech(before: list[Token]) -> bool:
    """Does the clause end in a quotative ("and I'm like, ...", "she said, ...")? What follows is
    someone's words or thoughts, voiced, not the speaker's own question."""
    spoken = [t for t in before if t.is_alpha]
    return bool(spoken) and spoken[-1].lower_ in QUOTATIVES


def _modal(tokens: list[Token]) -> str:
    modal = next((t.lower_ for t in tokens if t.tag_ == "MD"), "")
    return {"'d": "would", "'ll": "will"}.get(modal, modal)


def _asks_by_form(rest: list[Token], rules: QuestionRules) -> bool:
    """A wh-question that shows it asks without a question mark: the verb before its subject
    ("what have you been thinking about") or the question word as the subject of the sentence's
    main verb ("..., what sounds like a good next step"). An embedded clause does neither
    ("it's important to know what works": "works" hangs off "know")."""
    if len(rest) < 2:
        return False
    if _inverted(rest, rules):
        return True
    head = rest[0].head
    return rest[0].dep_ in ("nsubj", "nsubjpass") and head.dep_ == "ROOT" and head.pos_ in ("VERB", "AUX")


def _inverted(rest: list[Token], rules: QuestionRules) -> bool:
    """"when did you ...", "how many trucks do you ...": an auxiliary before the subject."""
    for i, tok in enumerate(rest[1:6], start=1):
        if tok.dep_.startswith("nsubj"):
            return False  # the subject before its verb: "when somebody has asthma, ..." is a clause
        if (tok.lower_ in rules.auxiliaries and i + 1 < len(rest)
                and (rest[i + 1].lower_ in SUBJECT_WORDS or rest[i + 1].pos_ in ("PRON", "NOUN", "PROPN", "DET"))):
            return True
    return False


def _wh_is_interrogative(rest: list[Token], rules: QuestionRules, asks: bool) -> bool:
    """Is "what/how/which ..." asking, rather than a clause ("what I mean is", "which is why")?"""
    if len(rest) < 2:
        return False
    if "'" in rest[0].text[1:]:
        return True  # the verb contracted onto the question word: "what'd you", "how's it"
    nxt = rest[1]
    if nxt.lower_ in {"i", "you", "we", "they", "he", "she"} and nxt.dep_.startswith("nsubj"):
        # "what you said is ..." is a clause; "how you doing" is the exception not worth chasing.
        return False
    inverted = _inverted(rest, rules)
    if rest[0].lower_ in CLAUSE_WH and not asks:
        # Without a question mark, "which is why ..." and "when somebody has ..." are clauses;
        # only the inverted form ("when did you ...") asks. "Who plans it" asks either way.
        return inverted
    if nxt.pos_ in ("AUX", "VERB") or nxt.tag_ in ("MD", "VBZ", "VBD", "VBP"):
        return True
    if nxt.lower_ in {"many", "much", "long", "often", "kind", "sort", "type", "else", "about", "if",
                      "exactly", "specifically", "other", "'s", "'re", "'d", "'ll"}:
        return True
    if asks and nxt.pos_ in ("ADP", "ADV", "PART", "ADJ"):
        return True  # a question word with its verb left out: "Where in particular?", "Why not?"
    return inverted


def _aux_question(rest: list[Token], rules: QuestionRules, asks: bool) -> bool:
    """"Do you ...", "Is it ...", "Have they ...": a verb first, then its subject."""
    if len(rest) < 2 or rest[0].lower_ not in rules.auxiliaries:
        return False
    second = rest[1]
    if second.lower_ == "n't" and len(rest) > 2:
        second = rest[2]
    if second.lower_ in ("be", "have") or second.pos_ == "VERB" and second.lower_ not in SUBJECT_WORDS:
        return False
    if not asks:
        if rest[0].dep_ == "ROOT" and rest[0].pos_ == "VERB":
            return False  # "have those feelings come up", "do the planning": the verb itself, not asking
        # Unpunctuated speech: only a pronoun subject makes it a question ("do you ...");
        # "do your homework" and "have a drink" are instructions.
        return second.lower_ in SUBJECT_WORDS or second.pos_ == "PROPN" or second.lower_ in DEFINITE
    return second.lower_ in SUBJECT_WORDS or second.pos_ in ("PRON", "NOUN", "PROPN", "DET", "NUM")


def classify_question(sent: Span, rules: QuestionRules) -> dict[str, Any] | None:
    """Whether a sentence asks something, open or closed, and why; None when it does not.

    A sentence that only has a question mark (no question word, no inverted verb, no request) is
    marked `rising`: said with a rising voice, it may be a question or a reflection, and the
    paraphrase check decides.
    """
    quoted = _quoted(list(sent))
    text = sent.text.rstrip()
    if text.endswith(("\"", "”")) and sum(text.count(q) for q in ('"', "“", "”")) % 2 == 1:
        return None  # the end of a quotation opened in an earlier sentence: reported speech
    tokens = [t for t in sent if not t.is_space and t.i not in quoted]
    if not tokens or all(t.is_punct for t in tokens):
        return None
    # The question mark must be the rep's own: in 'hard to think, "How will I cope?"' it ends a
    # quotation, the rep voicing the customer's thought.
    last_mark = next((t for t in reversed(sent) if t.text not in QUOTES and not t.is_space), None)
    asks = (sent.text.rstrip().rstrip("\"')]”’").endswith("?")
            and last_mark is not None and last_mark.i not in quoted)
    spoken = [t.lower_ for t in tokens if not t.is_punct]
    if tuple(spoken) in rules.short_replies:
        # "Yeah?", "Okay?": the detector decides from its place in the turn (see QuestionDetector).
        if not asks:
            return None
        agreement = tuple(spoken) in rules.agreement_checks
        return {"type": "closed", "backchannel": "agreement" if agreement else "continuer",
                "cue": f"asks for agreement ('{sent.text.strip()}')" if agreement
                else f"check '{sent.text.strip()}' after a statement"}
    rest = content_tokens(tokens, rules)
    if not rest:
        return {"type": "closed", "cue": "question mark", "rising": True} if asks else None
    words = _words(rest)

    def decide(rest: list[Token], words: list[str]) -> dict[str, Any] | None:
        musing = _starts_with(words, rules.musing) if not asks else None
        if musing:
            # "I'm wondering what else is on that list" asks for an answer, as coding manuals
            # count it; "I'm wondering if she knows" shares a thought unless said as a question.
            nxt = words[len(musing)] if len(words) > len(musing) else ""
            clause = _up_to_comma(rest[len(musing) + 1:])
            if nxt in rules.open_wh | rules.closed_wh and any(t.pos_ in ("VERB", "AUX") for t in clause):
                # "I'm wondering what the- the thinking, 'cause ..." never got to its verb: no question.
                kind = "open" if nxt in rules.open_wh else "closed"
                return {"type": kind, "cue": f"'{' '.join(words[:len(musing) + 1])}' {MUSING_CUE}"}
            if nxt in ("if", "whether") and any(t.tag_ == "MD" for t in clause):
                # "I'm wondering if you'd be open to a pilot" asks, tentatively; "I wonder if
                # that's part of it" guesses aloud, which coders count as a reflection.
                said = rest[0].doc[rest[0].i:rest[len(musing)].i + 1].text
                return {"type": "closed", "cue": f"'{said} ... {_modal(clause)}' {MUSING_CUE}"}
            return None
        request = _starts_with(words, rules.open_requests)
        if request:
            return {"type": "open", "cue": f"request '{' '.join(request)}'"}
        if words[0] in rules.auxiliaries and len(words) > 2 and words[1] in SECOND_PERSON:
            request = _starts_with(words[2:], rules.open_requests)
            if request:
                return {"type": "open", "cue": f"request '{' '.join(words[:2] + list(request))}'"}
        narrowed = _starts_with(words, rules.closed_phrases)
        if narrowed and (asks or _wh_is_interrogative(rest, rules, asks)):
            return {"type": "closed", "cue": f"'{' '.join(narrowed)}' asks for a specific answer"}
        if words[0] in rules.open_wh | rules.closed_wh and _wh_is_interrogative(rest, rules, asks):
            if rating:
                return {"type": "closed", "cue": f"asks for a rating ('{' '.join(rating)}')"}
            kind = "open" if words[0] in rules.open_wh else "closed"
            return {"type": kind, "cue": f"question word '{words[0]}'"}
        if asks and _starts_with(words, rules.invitations):
            # "Any other thoughts?", "Anything else?": a question with its verb left out that
            # leaves the answer to the listener.
            return {"type": "open", "cue": f"'{words[0]} ...' invites the listener to add more"}
        if _aux_question(rest, rules, asks):
            inviting = _starts_with(words, rules.open_yes_no)
            if inviting:
                return {"type": "open", "cue": f"'{' '.join(inviting)}' invites the listener to elaborate"}
            return {"type": "closed", "cue": f"yes/no form '{' '.join(words[:2])}'"}
        return None

    spoken_words = [t.lower_ for t in tokens]
    rating = next((r for r in rules.rating_words
                   if any(tuple(spoken_words[i:i + len(r)]) == r for i in range(len(spoken_words)))), None)

    cut_off = sent.text.rstrip().endswith(("-", "—", "–")) and not asks
    if cut_off and len([t for t in rest if t.is_alpha]) < 5:
        return None  # "So what's the-": broken off before it asked anything
    if not asks and words[0] in rules.open_wh | rules.closed_wh and any(_dashed(t) for t in rest[1:4]):
        return None  # "So what's the-- Say, if you get the job ...": abandoned for another sentence
    found = decide(rest, words)
    if found is None:
        # "Given all that, what would you change?": the question can start after a comma. Without
        # a question mark only a request counts there ("..., tell me about ..."): a question
        # word inside a running statement ("it's important to know what works") asks nothing.
        for i in range(len(rest) - 1, 0, -1):
            if _breaks(rest[i]) and i + 1 < len(rest):
                tail = content_tokens(rest[i + 1:], rules)
                if tail:
                    found = decide(tail, _words(tail))
                    # ... and "In terms of all that, I'm wondering how ...", and a question word
                    # whose form asks ("after last week, what have you been thinking about").
                    if (found and not asks and not found["cue"].startswith("request")
                            and MUSING_CUE not in found["cue"]
                            and not (found["cue"].startswith("question word") and _asks_by_form(tail, rules)
                                     and not _reports_speech([t for t in rest if t.i < tail[0].i]))):
                        found = None
                    if found:
                        break
    if found is None and asks:
        spoken_rest = [w for w in words if w not in ("?", ".", "!", ",")]
        if _ends_with(spoken_rest, rules.discourse_tags):
            return None  # "..., you know what I mean?" checks the listener is following
        tag = _ends_with(spoken_rest, rules.tag_endings)
        cue = f"tag '{' '.join(tag)}?'" if tag else "question mark"
        found = {"type": "closed", "cue": cue, "rising": not tag}
    return found


def _sentence_record(sent: Span, **fields: Any) -> dict[str, Any]:
    return {"text": sent.text.strip(), "start": sent.start_char, "end": sent.end_char, **fields}


def _cues_in(doc: Doc, sent: Span, prefix: str) -> list[Span]:
    return [s for s in doc.spans.get(CUES_KEY, []) if s.label_.startswith(prefix)
            and s.start >= sent.start and s.end <= sent.end]


@Language.factory("spar_questions", assigns=["doc._.spar_questions", "doc._.spar_rising_statements"],
                  requires=["token.dep"])
def make_question_detector(nlp: Language, name: str) -> "QuestionDetector":
    return QuestionDetector(question_rules())


class QuestionDetector:
    def __init__(self, rules: QuestionRules):
        self.rules = rules

    def __call__(self, doc: Doc) -> Doc:
        found = []
        sentences = list(doc.sents)
        said_something = False  # a sentence before this one that is more than "Mm." or "Okay."
        for index, sent in enumerate(sentences):
            decision = classify_question(sent, self.rules)
            kind = decision.pop("backchannel", None) if decision else None
            if kind:
                # Only a check that closes a turn after something was said asks for an answer
                # ("That's the plan. Okay?"); so does "Okay?" said alone. "Yeah?" alone or after
                # "Mm.", and any check before the rep's own point, keep the customer talking.
                closes = index == len(sentences) - 1 and (index - 1) not in {f["sentence"] for f in found}
                alone = len(sentences) == 1 and kind == "agreement"
                if not (closes and said_something or alone):
                    continue
            said_something = said_something or not self._only_backchannel(sent)
            if decision:
                found.append(_sentence_record(sent, sentence=index, **decision))
        # A statement said with a rising voice, then the rep's own point ("So you cut it by three?
        # That's a real change."): the rep did not wait for an answer, so it was not asked.
        talked_on = [f for f in found if f.get("rising") and self._talks_on(sentences, f["sentence"])]
        doc._.spar_questions = [f for f in found if f not in talked_on]
        # Kept apart for the paraphrase check, for which a rising voice is still a sign.
        doc._.spar_rising_statements = talked_on
        return doc

    def _talks_on(self, sentences: list[Span], index: int) -> bool:
        after = [t for sent in sentences[index + 1:] for t in sent if t.is_alpha]
        return len(after) >= TALKS_ON_WORDS

    def _only_backchannel(self, sent: Span) -> bool:
        spoken = tuple(t.lower_ for t in sent if not t.is_punct and not t.is_space)
        return not spoken or spoken in self.rules.short_replies


@Language.factory("spar_spin", assigns=["doc._.spar_spin", "doc._.spar_closes"], requires=["doc._.spar_questions"])
def make_spin_classifier(nlp: Language, name: str) -> "SpinClassifier":
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
                closes.append(_sentence_record(sent, sentence=question["sentence"], cue=close))
                continue
            kinds = {s.label_.split(":", 1)[1]: s for s in _cues_in(doc, sent, "spin:")}
            kind = next((k for k in reversed(SPIN_KINDS) if k in kinds), None)
            if kind:
                cue = f"'{kinds[kind].text}'"
            elif question["cue"].startswith("request"):
                kind, cue = "situation", f"invites the customer to talk ({question['cue']})"
            elif any(t.lower_ in SECOND_PERSON for t in sent):
                kind, cue = "situation", "asks about the customer ('you/your')"
            else:
                continue
            found.append(_sentence_record(sent, sentence=question["sentence"], spin=kind, cue=cue))
        doc._.spar_spin = found
        doc._.spar_closes = closes
        return doc

    @staticmethod
    def _about_the_call(doc: Doc, sent: Span) -> bool:
        """ "Is now a good time?", "How are you doing today?": about the call, not the customer's
        world. Asking leave to ask lets the question after it decide ("Can I ask how many depots
        you run?"), and small talk counts only as (nearly) the whole question ("How are you
        planning the routes?" asks)."""
        leave = _cues_in(doc, sent, "asking_leave")
        if any(not any(f.start >= ask.start and f.end <= ask.end for ask in leave)
               for f in _cues_in(doc, sent, "not_needs")):
            return True
        return any(sum(1 for t in doc[talk.end:sent.end] if t.is_alpha) <= SMALL_TALK_TAIL
                   for talk in _cues_in(doc, sent, "small_talk"))

    @staticmethod
    def _informs(doc: Doc, sent: Span, rest: list[Token]) -> bool:
        """ "Did you know ...?" at the start puts information forward; it does not ask."""
        return bool(rest) and any(c.start == rest[0].i for c in _cues_in(doc, sent, "informs"))

    def _asks_for_commitment(self, doc: Doc, sent: Span, rest: list[Token]) -> str | None:
        """Asking for the decision, not about the customer: "Would you like to sign up today?",
        "Will you renew?". "Do you buy from one supplier?" asks how things are, and "Why would you
        switch?" or "When will you renew?" ask about their decision: both stay needs questions."""
        # A question word asks about their decision; "how much/many" asks for it.
        question_word = len(rest) > 1 and rest[0].lower_ in self.rules.open_wh | self.rules.closed_wh
        if question_word and rest[1].lower_ not in ("much", "many"):
            return None
        asks = _cues_in(doc, sent, "commitment_ask")
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


@Language.factory("spar_pitch", assigns=["doc._.spar_pitches"], requires=["doc._.spar_questions"])
def make_pitch_detector(nlp: Language, name: str) -> "PitchDetector":
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
        if own is not None or subject is not None:
            found.append((verb, own if own is not None else subject))
    return found


MIN_FIGURE_WORDS = 6
RATING_SCALE = {"scale", "rate", "rating"}
SCALE_WORDS = {"percent", "per", "%", "hundred", "hundreds", "thousand", "thousands", "million", "millions",
               "billion", "billions", "dozens"}


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
            cues = [c for c in _cues_in(doc, sent, "pitch") if c.label_ == "pitch" or index not in asked and (
                c.label_ == "pitch_benefit"
                or c.label_ == "pitch_credential" and not self._personal(sent)
                or c.label_ == "pitch_appeal" and _addressed(c[0]))]
            if not cues:
                ritual = any(c.start <= sent.start + 1 for c in _cues_in(doc, sent, "pleasantry"))
                claim = None if index in asked or ritual else self._claim(sent) or self._figure(sent)
                if claim:
                    found.append(_sentence_record(sent, sentence=index, cue=claim, kind="claim"))
                continue
            if index in asked and _cues_in(doc, sent, "not_needs"):
                continue
            strong = [c for c in cues if c.label_ == "pitch"]
            cue = (strong or cues)[0]
            found.append(_sentence_record(sent, sentence=index, cue=f"'{cue.text}'",
                                          kind="offer" if strong else "benefit claim"))
        doc._.spar_pitches = found
        return doc

    @staticmethod
    def _personal(sent: Span) -> bool:
        """About "I" or "you": "you're a credible witness" praises, it does not advocate."""
        return any(subject.lower_ in SECOND_PERSON | {"i"} for _, subject in _main_clauses(sent))

    def _offer_noun(self, tok: Token) -> bool:
        return tok.pos_ in ("NOUN", "PROPN") and (
            tok.lemma_.lower() in self.rules.offer_nouns or any(c.lower_ == "our" for c in tok.children))

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
