"""Reading transcribed speech: where sentences and clauses break, restarts, stutters, fillers, quotes.

Transcripts of talk are untidy ("what would- what would you", "wh-what", "so, um, how ..."); these
helpers let the question, SPIN and pitch rules read through the marks to the words said.
"""

from __future__ import annotations

from spacy.tokens import Token

from analysis.language.rules import QuestionRules

SUBJECT_WORDS = {
    "i",
    "you",
    "we",
    "they",
    "he",
    "she",
    "it",
    "there",
    "that",
    "this",
    "anyone",
    "anything",
    "anybody",
    "everyone",
    "someone",
    "something",
    "ya",
    "u",
    "y'all",
}
CLAUSE_WH = {"which", "when", "where", "whose", "whom"}
DEFINITE = {"the", "that", "this", "these", "those", "any", "anyone", "anything", "someone", "something"}
SECOND_PERSON = {"you", "your", "yours", "yourself", "yourselves", "ya", "y'all", "u"}


TERMINAL = {".", "?", "!", "…", "..."}
CLOSERS = {'"', "”", "’", ")", "'"}
DASHES = {"-", "--", "—", "–"}
CLAUSE_BREAKS = {",", ";", ":"} | DASHES


def dashed(tok: Token) -> bool:
    """A dash, alone or carried by the word before it ("you--", "would-"): speech broken off."""
    return tok.text in DASHES or len(tok.text) > 1 and tok.text.endswith("-")


def breaks_clause(tok: Token) -> bool:
    """Where running speech breaks into clauses."""
    return tok.text in CLAUSE_BREAKS or dashed(tok)


def spoken_word(text: str) -> str:
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


def said_words(tokens: list[Token]) -> list[str]:
    """The words as said: restart dashes and stutters read through (see `spoken_word`)."""
    return [spoken_word(t.lower_) for t in tokens]


def starts_with(words: list[str], phrases: tuple[tuple[str, ...], ...]) -> tuple[str, ...] | None:
    for phrase in phrases:
        if tuple(words[: len(phrase)]) == phrase:
            return phrase
    return None


def ends_with(words: list[str], phrases: tuple[tuple[str, ...], ...]) -> tuple[str, ...] | None:
    for phrase in phrases:
        if len(words) > len(phrase) and tuple(words[-len(phrase) :]) == phrase:
            return phrase
    return None


def content_tokens(tokens: list[Token], rules: QuestionRules) -> list[Token]:
    """The tokens after leading fillers and punctuation ("so, um, what ..." -> "what ...")."""
    i = 0
    while i < len(tokens):
        if tokens[i].is_punct or tokens[i].is_space:
            i += 1
            continue
        if (
            i + 2 < len(tokens)
            and tokens[i + 1].text == "-"
            and tokens[i].is_alpha
            and tokens[i + 2].lower_.startswith(tokens[i].lower_)
        ):
            i += 2  # a stutter split by the tokenizer: "Wh - What" is "What"
            continue
        restart = restarted(tokens, i)
        if restart:
            i += restart  # "what would- what would you like": the speaker started again
            continue
        filler = starts_with(said_words(tokens[i:]), rules.fillers)
        # A filler is only skipped when something follows it: "Okay?" alone stays a question.
        if filler and i + len(filler) < len(tokens):
            i += len(filler)
            continue
        break
    return tokens[i:]


def restarted(tokens: list[Token], i: int) -> int:
    """How many tokens to skip when the words from i are said, broken off, and said again
    ("what would - what would", "what would- what would": the tokenizer may keep the dash)."""
    for size in (1, 2, 3):
        said = [t.lower_ for t in tokens[i : i + size]]
        if len(said) < size or not all(t.is_alpha or t.text.endswith("-") for t in tokens[i : i + size]):
            break
        skip = size
        if said[-1].endswith("-") and len(said[-1]) > 1:
            said[-1] = said[-1].rstrip("-")
        elif i + size < len(tokens) and tokens[i + size].text in DASHES:
            skip += 1
        else:
            continue
        again = [t.lower_ for t in tokens[i + skip : i + skip + size]]
        if said == again:
            return skip
    return 0


QUOTES = {'"', "“", "”", "'", "‘", "’", "``", "''"}


def quoted_indexes(tokens: list[Token]) -> set[int]:
    """Token indexes inside quotation marks: reported or imagined speech ("How will I cope?")."""
    inside: set[int] = set()
    marks = [t for t in tokens if t.text in QUOTES - {"'", "’"}]
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


def up_to_comma(tokens: list[Token]) -> list[Token]:
    """The words before the next comma or dash: one clause of running speech."""
    for i, tok in enumerate(tokens):
        if tok.text in CLAUSE_BREAKS:
            return tokens[:i]
    return tokens


QUOTATIVES = {"like", "said", "says", "saying", "thinking", "thought", "goes", "went", "asked", "asking"}


def reports_speech(before: list[Token]) -> bool:
    """Does the clause end in a quotative ("and I'm like, ...", "she said, ...")? What follows is
    someone's words or thoughts, voiced, not the speaker's own question."""
    spoken = [t for t in before if t.is_alpha]
    return bool(spoken) and spoken[-1].lower_ in QUOTATIVES
