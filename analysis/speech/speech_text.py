"""Cutting a customer's line into what a voice engine says at a time: sentences, and the first
sentence's opening clause when it is long, so the first sound starts early."""

from __future__ import annotations

import re

# The first sound waits for the first chunk, so a long first sentence is cut at its clause breaks:
# the opening piece at most this many words, and each next piece at most GROWTH times the one
# before, which piper (~0.2 s of work per second of speech) finishes while the one before plays.
FIRST_CHUNK_MAX_WORDS = 6
CHUNK_GROWTH = 3


_ABBREVIATIONS = {"mr", "mrs", "ms", "dr", "st", "vs", "etc", "e.g", "i.e", "inc", "ltd", "co", "no", "approx"}
_SENTENCE_END = re.compile(r"[.!?…]+[\"')\]]*\s+")
# Words a spoken clause often starts with: a breath before them sounds natural.
_CLAUSE_STARTERS = {
    "and",
    "but",
    "so",
    "because",
    "which",
    "although",
    "though",
    "while",
    "when",
    "if",
    "or",
    "unless",
    "since",
    "whereas",
}


def split_sentences(text: str) -> list[str]:
    """Sentences as a reader would cut them; "Mr. Lee" and "3.5" stay whole."""
    text = " ".join(text.split())
    sentences: list[str] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        before = text[start : match.start()].split()
        last_word = before[-1].lower().rstrip(".") if before else ""
        if last_word in _ABBREVIATIONS or (len(last_word) == 1 and last_word.isalpha()):
            continue
        sentences.append(text[start : match.end()].strip())
        start = match.end()
    if text[start:].strip():
        sentences.append(text[start:].strip())
    return sentences


def speech_chunks(text: str) -> list[str]:
    """What is synthesised at a time: sentences, the first one cut at clause breaks when long.

    The first chunk decides when the customer starts speaking; later chunks are synthesised while
    earlier ones play, so only the first sentence needs cutting.
    """
    # A chunk with no word in it ("...", "-") gives piper nothing to say, and it then writes no file.
    sentences = [s for s in split_sentences(text) if re.search(r"\w", s)]
    if not sentences:
        return []
    return _cut_at_clauses(sentences[0]) + sentences[1:]


def _cut_at_clauses(sentence: str) -> list[str]:
    words = sentence.split()
    # A break before word i: after a word ending in , ; : or a dash (or a lone hyphen), or before a
    # clause starter.
    breaks = [
        i
        for i in range(1, len(words))
        if words[i - 1][-1] in ",;:\u2013\u2014" or words[i - 1] in ("-", "--") or words[i].lower() in _CLAUSE_STARTERS
    ]
    pieces: list[str] = []
    start, limit = 0, FIRST_CHUNK_MAX_WORDS
    while len(words) - start > limit:
        # The longest piece within the limit, else the shortest beyond it; never a lone last word.
        fitting = [b for b in breaks if start < b <= start + limit and len(words) - b >= 2]
        beyond = [b for b in breaks if b > start + limit and len(words) - b >= 2]
        if not fitting and not beyond:
            break
        cut = fitting[-1] if fitting else beyond[0]
        pieces.append(" ".join(words[start:cut]))
        limit = CHUNK_GROWTH * (cut - start)
        start = cut
    pieces.append(" ".join(words[start:]))
    return pieces
