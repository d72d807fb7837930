"""The `spar_questions` component: whether each sentence asks, open or closed, and why."""

from __future__ import annotations

from typing import Any

from spacy.language import Language
from spacy.tokens import Doc, Span, Token

from analysis.language.findings import sentence_record
from analysis.language.rules import QuestionRules, question_rules
from analysis.language.spoken import (
    CLAUSE_WH,
    DEFINITE,
    QUOTES,
    SECOND_PERSON,
    SUBJECT_WORDS,
    breaks_clause,
    content_tokens,
    dashed,
    ends_with,
    quoted_indexes,
    reports_speech,
    said_words,
    spoken_word,
    starts_with,
    up_to_comma,
)

# Words said after a rising statement that show the rep went on talking rather than waiting.
TALKS_ON_WORDS = 3
MUSING_CUE = "asks without a question mark"
# Who an echo ("Do you?", "You did?") or a tag ("..., isn't it") can be about.
ECHO_SUBJECTS = {"i", "you", "we", "they", "he", "she", "it", "there", "that", "this", "y'all", "ya"}


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
    """ "when did you ...", "how many trucks do you ...": an auxiliary before the subject."""
    for i, tok in enumerate(rest[1:6], start=1):
        if tok.dep_.startswith("nsubj"):
            return False  # the subject before its verb: "when somebody has asthma, ..." is a clause
        if (
            tok.lower_ in rules.auxiliaries
            and i + 1 < len(rest)
            and (rest[i + 1].lower_ in SUBJECT_WORDS or rest[i + 1].pos_ in ("PRON", "NOUN", "PROPN", "DET"))
        ):
            return True
    return False


def _wh_is_interrogative(rest: list[Token], rules: QuestionRules, asks: bool) -> bool:
    """Is "what/how/which ..." asking, rather than a clause ("what I mean is", "which is why")?"""
    if len(rest) < 2:
        return False
    if _pseudo_cleft(rest[0]):
        return False
    if "'" in rest[0].text[1:]:
        return True  # the verb contracted onto the question word: "what'd you", "how's it"
    nxt = rest[1]
    if nxt.lower_ in {"i", "you", "we", "they", "he", "she"} and nxt.dep_.startswith("nsubj"):
        # "what you said is ..." is a clause; "how you doing" is the exception not worth chasing.
        return False
    inverted = _inverted(rest, rules)
    if not asks and rest[0].lower_ == "which" and nxt.pos_ in ("AUX", "VERB"):
        # "Which is why ...", "which was a big help.": without a question mark, "which" straight
        # before its verb goes on from the last sentence; "which do you ..." still asks.
        return len(rest) > 2 and rest[2].lower_ in SUBJECT_WORDS and rest[2].dep_.startswith("nsubj")
    if rest[0].lower_ in CLAUSE_WH and not asks:
        # Without a question mark, "which is why ..." and "when somebody has ..." are clauses;
        # only the inverted form ("when did you ...") asks. "Who plans it" asks either way.
        return inverted
    if nxt.pos_ in ("AUX", "VERB") or nxt.tag_ in ("MD", "VBZ", "VBD", "VBP"):
        return True
    if nxt.lower_ in {
        "many",
        "much",
        "long",
        "often",
        "kind",
        "sort",
        "type",
        "else",
        "about",
        "if",
        "exactly",
        "specifically",
        "other",
        "'s",
        "'re",
        "'d",
        "'ll",
    }:
        return True
    if asks and rest[0].lower_ in ("what", "which", "whose") and nxt.pos_ in ("NOUN", "PROPN"):
        return True  # "What impact have the delays had?", "Which depot is busiest?": a noun it asks about
    if asks and nxt.pos_ in ("ADP", "ADV", "PART", "ADJ"):
        return True  # a question word with its verb left out: "Where in particular?", "Why not?"
    return inverted


def _pseudo_cleft(wh: Token) -> bool:
    """ "What happens is ...", "What bothers me is the cost": the question word opens a clause
    that is the subject of a following "is" or "was", so it names a thing and asks nothing."""
    clause = wh if wh.dep_ == "csubj" else wh.head
    return clause.dep_ == "csubj" and clause.head.lemma_ == "be" and clause.head.i > clause.i


def _aux_question(rest: list[Token], rules: QuestionRules, asks: bool) -> bool:
    """ "Do you ...", "Is it ...", "Have they ...": a verb first, then its subject."""
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
    quoted = quoted_indexes(list(sent))
    text = sent.text.rstrip()
    if text.endswith(('"', "”")) and sum(text.count(q) for q in ('"', "“", "”")) % 2 == 1:
        return None  # the end of a quotation opened in an earlier sentence: reported speech
    tokens = [t for t in sent if not t.is_space and t.i not in quoted]
    if not tokens or all(t.is_punct for t in tokens):
        return None
    # The question mark must be the rep's own: in 'hard to think, "How will I cope?"' it ends a
    # quotation, the rep voicing the customer's thought.
    last_mark = next((t for t in reversed(sent) if t.text not in QUOTES and not t.is_space), None)
    asks = sent.text.rstrip().rstrip("\"')]”’").endswith("?") and last_mark is not None and last_mark.i not in quoted
    spoken = [t.lower_ for t in tokens if not t.is_punct]
    if tuple(spoken) in rules.short_replies:
        return _short_reply(sent, tuple(spoken), asks, rules)
    rest = content_tokens(tokens, rules)
    if not rest:
        return {"type": "closed", "cue": "question mark", "rising": True} if asks else None
    if len(rest) > 2 and rest[0].lower_ == "or" and rest[1].lower_ in rules.auxiliaries:
        rest = rest[1:]  # "or do you plan them by hand": the other half of an either-or question
    said = tuple(w for w in said_words(rest) if any(c.isalnum() for c in w))
    if said in rules.repair_requests:
        return None  # "Pardon?", "Sorry, what?": asks to hear it again, not about the listener's world
    words = said_words(rest)
    if _broken_off(sent, rest, words, asks, rules):
        return None
    rating = _rating_asked(tokens, rules)
    found = _by_form(rest, words, rules, asks, rating) or _after_a_break(rest, rules, asks, rating)
    if found is None and asks:
        found = _by_the_mark(words, rules)
    if found is None:
        found = _tag_without_mark(tokens, rules)
    if found is not None and _echo(said, rules):
        # "Do you?", "Is that right?" after the other person's news says "go on"; after the
        # speaker's own statement it turns the question round (see QuestionDetector).
        return {
            "type": "closed",
            "backchannel": "echo",
            "cue": f"echo '{sent.text.strip()}' turns the question back after a statement",
        }
    return found


def _echo(said: tuple[str, ...], rules: QuestionRules) -> bool:
    """ "Do you?", "You did?", "Is it.", "Is that right?": a verb and its subject said back with
    nothing new (see `echo_checks` in questions.yaml)."""
    if said in rules.echo_checks:
        return True
    core = [w for w in said if w not in ("n't", "not")]
    if len(core) == 3 and core[-1] in rules.echo_extras:
        core = core[:-1]
    if len(core) != 2:
        return False
    first, second = core
    return (first in rules.auxiliaries and second in ECHO_SUBJECTS) or (
        first in ECHO_SUBJECTS and second in rules.auxiliaries
    )


def _tag_without_mark(tokens: list[Token], rules: QuestionRules) -> dict[str, Any] | None:
    """ "There's a lot of waste, isn't there.", "We didn't lose them, did we": a statement with a
    question tag (after a comma, a verb and its subject to end the sentence) asks for agreement,
    whatever the punctuation."""
    said = [t for t in tokens if not t.is_space]
    while said and said[-1].text in (".", "!", "…", "..."):
        said.pop()
    words = [spoken_word(t.lower_) for t in said]
    if not words or not words[-1][:1].isalnum():
        return None  # trails off ("..., isn't it,"): not finished
    tag: list[str] = []
    if len(words) >= 4 and words[-1] in ECHO_SUBJECTS:
        # After the comma: the verb, "n't" if any, the subject ("..., isn't there", "..., did we").
        size = 3 if words[-2] == "n't" else 2
        if words[-size] in rules.auxiliaries and words[-size - 1] == ",":
            tag = words[-size:]
    before = [t for t in said[: len(said) - len(tag)] if t.is_alpha]
    if not tag or len(before) < 2 or not any(t.pos_ in ("VERB", "AUX", "NOUN", "PROPN", "ADJ") for t in before):
        return None
    return {"type": "closed", "cue": f"tag '{_said(tag)}' asks for agreement", "at": said[0].i}


def _short_reply(sent: Span, spoken: tuple[str, ...], asks: bool, rules: QuestionRules) -> dict[str, Any] | None:
    """ "Yeah?", "Okay?": the detector decides from its place in the turn (see QuestionDetector)."""
    if not asks:
        return None
    agreement = spoken in rules.agreement_checks
    return {
        "type": "closed",
        "backchannel": "agreement" if agreement else "continuer",
        "cue": f"asks for agreement ('{sent.text.strip()}')"
        if agreement
        else f"check '{sent.text.strip()}' after a statement",
    }


def _broken_off(sent: Span, rest: list[Token], words: list[str], asks: bool, rules: QuestionRules) -> bool:
    """ "So what's the-": broken off before it asked anything; "So what's the-- Say, if you get the
    job ...": abandoned for another sentence."""
    cut_off = sent.text.rstrip().endswith(("-", "—", "–")) and not asks
    if cut_off and len([t for t in rest if t.is_alpha]) < 5:
        return True
    return not asks and words[0] in rules.open_wh | rules.closed_wh and any(dashed(t) for t in rest[1:4])


def _rating_asked(tokens: list[Token], rules: QuestionRules) -> tuple[str, ...] | None:
    """The rating words in the sentence, if any ("on a scale of"): a wh-question then asks for a number."""
    said = [t.lower_ for t in tokens]
    return next(
        (r for r in rules.rating_words if any(tuple(said[i : i + len(r)]) == r for i in range(len(said)))), None
    )


def _by_form(
    rest: list[Token], words: list[str], rules: QuestionRules, asks: bool, rating: tuple[str, ...] | None
) -> dict[str, Any] | None:
    """A question by its form, with `at`: the token where the asking part starts."""
    found = _form(rest, words, rules, asks, rating)
    if found is not None:
        found["at"] = rest[0].i
    return found


def _form(
    rest: list[Token], words: list[str], rules: QuestionRules, asks: bool, rating: tuple[str, ...] | None
) -> dict[str, Any] | None:
    """A question by its form: musing, a request, a narrowing phrase, a question word, an
    invitation, or a leading auxiliary; None when the form does not ask."""
    musing = starts_with(words, rules.musing) if not asks else None
    if musing:
        return _musing(rest, words, musing, rules)
    request = starts_with(words, rules.open_requests)
    if request:
        return {"type": "open", "cue": f"request '{' '.join(request)}'"}
    if words[0] in rules.auxiliaries and len(words) > 2 and words[1] in SECOND_PERSON:
        request = starts_with(words[2:], rules.open_requests)
        if request:
            return {"type": "open", "cue": f"request '{' '.join(words[:2] + list(request))}'"}
    narrowed = starts_with(words, rules.closed_phrases)
    if narrowed and (asks or _wh_is_interrogative(rest, rules, asks)):
        return {"type": "closed", "cue": f"'{' '.join(narrowed)}' asks for a specific answer"}
    if words[0] in rules.open_wh | rules.closed_wh and _wh_is_interrogative(rest, rules, asks):
        if rating:
            return {"type": "closed", "cue": f"asks for a rating ('{' '.join(rating)}')"}
        kind = "open" if words[0] in rules.open_wh else "closed"
        return {"type": kind, "cue": f"question word '{words[0]}'"}
    if asks and starts_with(words, rules.invitations):
        # "Any other thoughts?", "Anything else?": a question with its verb left out that
        # leaves the answer to the listener.
        return {"type": "open", "cue": f"'{words[0]} ...' invites the listener to add more"}
    if _aux_question(rest, rules, asks):
        inviting = starts_with(words, rules.open_yes_no)
        if inviting:
            return {"type": "open", "cue": f"'{' '.join(inviting)}' invites the listener to elaborate"}
        return {"type": "closed", "cue": f"yes/no form '{' '.join(words[:2])}'"}
    return None


def _musing(
    rest: list[Token], words: list[str], musing: tuple[str, ...], rules: QuestionRules
) -> dict[str, Any] | None:
    """ "I'm wondering what else is on that list" asks for an answer, as coding manuals count it;
    "I'm wondering if she knows" shares a thought unless said as a question."""
    nxt = words[len(musing)] if len(words) > len(musing) else ""
    clause = up_to_comma(rest[len(musing) + 1 :])
    if nxt in rules.open_wh | rules.closed_wh and any(t.pos_ in ("VERB", "AUX") for t in clause):
        # "I'm wondering what the- the thinking, 'cause ..." never got to its verb: no question.
        kind = "open" if nxt in rules.open_wh else "closed"
        return {"type": kind, "cue": f"'{' '.join(words[: len(musing) + 1])}' {MUSING_CUE}"}
    if nxt in ("if", "whether") and any(t.tag_ == "MD" for t in clause):
        # "I'm wondering if you'd be open to a pilot" asks, tentatively; "I wonder if
        # that's part of it" guesses aloud, which coders count as a reflection.
        said = rest[0].doc[rest[0].i : rest[len(musing)].i + 1].text
        return {"type": "closed", "cue": f"'{said} ... {_modal(clause)}' {MUSING_CUE}"}
    return None


def _after_a_break(
    rest: list[Token], rules: QuestionRules, asks: bool, rating: tuple[str, ...] | None
) -> dict[str, Any] | None:
    """ "Given all that, what would you change?": the question can start after a comma. Without a
    question mark only a request counts there ("..., tell me about ..."), "I'm wondering how ...",
    or a question word whose form asks ("after last week, what have you been thinking about"): a
    question word inside a running statement ("it's important to know what works") asks nothing."""
    for i in range(len(rest) - 1, 0, -1):
        if not (breaks_clause(rest[i]) and i + 1 < len(rest)):
            continue
        tail = content_tokens(rest[i + 1 :], rules)
        if not tail:
            continue
        found = _by_form(tail, said_words(tail), rules, asks, rating)
        if (
            found
            and not asks
            and not found["cue"].startswith("request")
            and MUSING_CUE not in found["cue"]
            and not (
                found["cue"].startswith("question word")
                and _asks_by_form(tail, rules)
                and not reports_speech([t for t in rest if t.i < tail[0].i])
            )
        ):
            found = None
        if found:
            return found
    return None


def _by_the_mark(words: list[str], rules: QuestionRules) -> dict[str, Any] | None:
    """Only the question mark says it asks: a tag ("..., right?") or a rising voice."""
    spoken_rest = [w for w in words if w not in ("?", ".", "!", ",")]
    if ends_with(spoken_rest, rules.discourse_tags):
        return None  # "..., you know what I mean?" checks the listener is following
    tag = ends_with(spoken_rest, rules.tag_endings)
    cue = f"tag '{' '.join(tag)}?'" if tag else "question mark"
    return {"type": "closed", "cue": cue, "rising": not tag}


# The sales convention: closed when the question can be answered yes or no or by picking one of
# the options it offers, open otherwise (see `wrappers` in questions.yaml).
SALES_NOTE = "(sales convention)"
# After "do you ...", "can you ...": verbs that wrap a question ("do you know where ...").
WRAPPING_WORDS = {"know", "remember", "recall", "tell", "me", "us", "ask", "explain", "describe", "say", "share"}


def sales_decision(sent: Span, found: dict[str, Any], rules: QuestionRules) -> tuple[str, str]:
    """Open or closed by the sales convention, and why, for a sentence `classify_question` found."""
    quoted = quoted_indexes(list(sent))
    at = found.get("at", sent.start)
    tokens = [t for t in sent if not t.is_space and t.i not in quoted and t.i >= at]
    words = [w for w in said_words(content_tokens(tokens, rules)) if any(c.isalnum() for c in w)]
    kind, why = _sales(words, found, rules)
    return kind, f"{why} {SALES_NOTE}"


def _sales(words: list[str], found: dict[str, Any], rules: QuestionRules) -> tuple[str, str]:
    wh = rules.open_wh | rules.closed_wh
    if not words:
        return "closed", "can be answered yes or no"
    if found["cue"].startswith("asks for a rating"):
        return "closed", "asks for a point on a scale"
    if found["cue"].startswith("tag "):
        return "closed", found["cue"]  # "..., don't you.": a yes or a no answers it
    wrapper = starts_with(words, rules.wrappers)
    inner = words[len(wrapper) :] if wrapper else []
    if words[0] in rules.auxiliaries and not wrapper:
        # "Do you know where ...", "Could you tell me how ...": the question behind the wrapper decides.
        j = next((j for j in range(2, min(len(words), 6)) if words[j] in wh | {"if", "whether"}), None)
        if j is not None and words[j - 1] in WRAPPING_WORDS:
            wrapper, inner = tuple(words[:j]), words[j:]
    if wrapper and inner:
        lead = f"'{_said(wrapper)}' lets the question behind it decide: "
        if inner[0] in wh:
            kind, why = _sales_wh(inner, rules)
            return kind, lead + why
        if inner[0] in ("if", "whether"):
            return "closed", lead + f"'{inner[0]} ...' can be answered yes or no"
    if words[0] in wh:
        return _sales_wh(words, rules)
    if found["cue"].startswith("request"):
        return "open", found["cue"]  # "Tell me about ...", "Walk me through ...": no yes or no to give
    if _offers_options(words, rules):
        return "closed", "offers options to pick from ('... or ...')"
    return "closed", "can be answered yes or no"


def _said(words: tuple[str, ...] | list[str]) -> str:
    return " ".join(words).replace(" '", "'").replace(" n't", "n't")


def _sales_wh(words: list[str], rules: QuestionRules) -> tuple[str, str]:
    if len(words) > 2 and words[0] in ("how", "what") and words[1] == "about":
        if words[2] in rules.proposal_openers:
            return "closed", f"'{words[0]} about {words[2]} ...' puts forward one option to accept"
        return "open", f"'{words[0]} about ...' turns the topic over to the listener"
    if _offers_options(words, rules):
        return "closed", f"'{words[0]} ...' with options to pick from ('... or ...')"
    return "open", f"question word '{words[0]}'"


def _offers_options(words: list[str], rules: QuestionRules) -> bool:
    return any(
        w == "or" and 0 < i < len(words) - 1 and not starts_with(words[i:], rules.vague_or) for i, w in enumerate(words)
    )


@Language.factory(
    "spar_questions",
    assigns=["doc._.spar_questions", "doc._.spar_rising_statements", "doc._.spar_echoes"],
    requires=["token.dep"],
)
def make_question_detector(nlp: Language, name: str) -> QuestionDetector:
    return QuestionDetector(question_rules())


class QuestionDetector:
    def __init__(self, rules: QuestionRules):
        self.rules = rules

    def __call__(self, doc: Doc) -> Doc:
        found: list[dict[str, Any]] = []
        echoes: list[dict[str, Any]] = []
        sentences = list(doc.sents)
        said_something = False  # a sentence before this one that is more than "Mm." or "Okay."
        for index, sent in enumerate(sentences):
            decision = classify_question(sent, self.rules)
            kind = decision.pop("backchannel", None) if decision else None
            if decision and kind:
                # Only a check that closes a turn after something was said asks for an answer
                # ("That's the plan. Okay?"); so does "Okay?" said alone. "Yeah?" alone or after
                # "Mm.", and any check before the rep's own point, keep the customer talking.
                closes = index == len(sentences) - 1 and (index - 1) not in {f["sentence"] for f in found}
                alone = len(sentences) == 1 and kind == "agreement"
                if not (closes and said_something or alone):
                    if kind == "echo" and not said_something:
                        # "Do you?" opening an utterance: it asks only if the speaker was already
                        # talking (the analyzer knows who spoke before).
                        decision["sales_type"], decision["sales_cue"] = sales_decision(sent, decision, self.rules)
                        echoes.append(sentence_record(sent, sentence=index, **decision))
                    continue
            said_something = said_something or not self._only_backchannel(sent)
            if decision:
                decision["sales_type"], decision["sales_cue"] = sales_decision(sent, decision, self.rules)
                found.append(sentence_record(sent, sentence=index, **decision))
        # A statement said with a rising voice, then the rep's own point ("So you cut it by three?
        # That's a real change."): the rep did not wait for an answer, so it was not asked.
        talked_on = [f for f in found if f.get("rising") and self._talks_on(sentences, f["sentence"])]
        doc._.spar_questions = [f for f in found if f not in talked_on]
        # Kept apart for the paraphrase check, for which a rising voice is still a sign.
        doc._.spar_rising_statements = talked_on
        # An echo said first ("Do you?") asks only when it goes on from the speaker's own statement.
        doc._.spar_echoes = echoes if len(sentences) == 1 else []
        return doc

    def _talks_on(self, sentences: list[Span], index: int) -> bool:
        after = [t for sent in sentences[index + 1 :] for t in sent if t.is_alpha]
        return len(after) >= TALKS_ON_WORDS

    def _only_backchannel(self, sent: Span) -> bool:
        spoken = tuple(t.lower_ for t in sent if not t.is_punct and not t.is_space)
        return not spoken or spoken in self.rules.short_replies
