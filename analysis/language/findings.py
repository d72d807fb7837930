"""Where the language components keep what they find, so every decision keeps its evidence.

Each component writes a Doc extension holding one record per sentence it found something in: the
sentence's text and character offsets, its index in the turn, and the cue that decided. The phrase
cues from `analysis/patterns/` are spans under `CUES_KEY`, labelled by the list they come from.
"""

from __future__ import annotations

from typing import Any

from spacy.tokens import Doc, Span

CUES_KEY = "spar_cues"

for _name in ("spar_questions", "spar_rising_statements", "spar_echoes", "spar_spin", "spar_closes", "spar_pitches"):
    if not Doc.has_extension(_name):
        Doc.set_extension(_name, default=None)


def sentence_record(sent: Span, **fields: Any) -> dict[str, Any]:
    return {"text": sent.text.strip(), "start": sent.start_char, "end": sent.end_char, **fields}


def cues_in(doc: Doc, sent: Span, prefix: str = "") -> list[Span]:
    """The doc's phrase cues inside `sent` whose label starts with `prefix`, in the span group's order."""
    by_start = _cues_by_start(doc)
    found = [
        cue
        for start in range(sent.start, sent.end)
        for cue in by_start.get(start, ())
        if cue[1].end <= sent.end and cue[1].label_.startswith(prefix)
    ]
    return [span for _, span in sorted(found, key=lambda cue: cue[0])]


# The cues of the doc read last, by the token they start at. Every component asks once or more per
# sentence; going through the whole span group each time made a long turn quadratic (a 20,000
# character turn spent most of its time making the same Span objects again).
_indexed: tuple[Doc, Any, int, dict[int, list[tuple[int, Span]]]] | None = None


def _cues_by_start(doc: Doc) -> dict[int, list[tuple[int, Span]]]:
    global _indexed
    group = doc.spans.get(CUES_KEY)
    size = len(group) if group is not None else 0
    cached = _indexed  # read once: a worker thread analysing another turn may replace it meanwhile
    if cached is not None and cached[0] is doc and cached[1] is group and cached[2] == size:
        return cached[3]
    by_start: dict[int, list[tuple[int, Span]]] = {}
    for order, span in enumerate(group if group is not None else ()):
        by_start.setdefault(span.start, []).append((order, span))
    _indexed = (doc, group, size, by_start)
    return by_start
