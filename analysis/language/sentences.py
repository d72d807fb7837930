"""The `spar_sentences` component: sentence boundaries from the transcript's own punctuation."""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc

from analysis.language.spoken import CLOSERS, TERMINAL


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
