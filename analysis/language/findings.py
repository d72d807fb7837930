"""Where the language components keep what they find, so every decision keeps its evidence.

Each component writes a Doc extension holding one record per sentence it found something in: the
sentence's text and character offsets, its index in the turn, and the cue that decided. The phrase
cues from `analysis/patterns/` are spans under `CUES_KEY`, labelled by the list they come from.
"""

from __future__ import annotations

from typing import Any

from spacy.tokens import Doc, Span

CUES_KEY = "spar_cues"

for _name in ("spar_questions", "spar_rising_statements", "spar_spin", "spar_closes", "spar_pitches"):
    if not Doc.has_extension(_name):
        Doc.set_extension(_name, default=None)


def sentence_record(sent: Span, **fields: Any) -> dict[str, Any]:
    return {"text": sent.text.strip(), "start": sent.start_char, "end": sent.end_char, **fields}


def cues_in(doc: Doc, sent: Span, prefix: str) -> list[Span]:
    return [
        s
        for s in doc.spans.get(CUES_KEY, [])
        if s.label_.startswith(prefix) and s.start >= sent.start and s.end <= sent.end
    ]
