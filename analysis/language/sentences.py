"""The `spar_sentences` component: sentence boundaries from the transcript's own punctuation."""

from __future__ import annotations

from typing import cast

import numpy
from spacy.attrs import SENT_START
from spacy.language import Language
from spacy.tokens import Doc, Token
from thinc.types import Ints2d

from analysis.language.spoken import CLOSERS, TERMINAL


@Language.component("spar_sentences")
def transcript_sentences(doc: Doc) -> Doc:
    """Sentence boundaries where the transcript puts them: after ".", "?" or "!".

    Runs before the parser, which keeps boundaries already set. Left to itself the parser splits
    long spoken questions at "and" ("When was a time you tried | and it turned out well?"), and
    the "?" then marks only the tail, so a question word at the start is lost.
    """
    # Written in one go: setting `Token.is_sent_start` checks the whole doc for a parse each time,
    # which made a long turn quadratic.
    starts = [SENT_START_VALUE[_starts_sentence(doc, i, tok)] for i, tok in enumerate(doc)]
    if starts:
        doc.from_array([SENT_START], cast(Ints2d, numpy.array(starts, dtype="uint64").reshape(-1, 1)))
    return doc


# Token.sent_start as Doc.from_array reads it: 1 starts a sentence, -1 does not (as uint64).
SENT_START_VALUE = {True: 1, False: 2**64 - 1}


def _starts_sentence(doc: Doc, i: int, tok: Token) -> bool:
    if i == 0:
        return True
    prev = doc[i - 1]
    if prev.text in CLOSERS and i >= 2 and doc[i - 2].text in TERMINAL and tok.text not in CLOSERS:
        return True
    if tok.is_punct or tok.is_space:
        return False
    return prev.text in TERMINAL or prev.text.endswith((".", "?", "!")) and prev.is_punct
