"""SPIN kind by the written examples, where no cue word decides it (analysis/language/spin_examples.py).

The questions here are written for these tests; none of them is among the examples."""

from __future__ import annotations

import pytest

from analysis.language import meaning
from analysis.language.analyzer import Analyzer
from analysis.language.spin_examples import SpinExamples, default_spin_examples, spin_examples
from analysis.types import EvidenceKind, SpinKind

CUSTOMER = "We run about forty trucks out of two depots."


def _needs_evidence(result):
    return [e for e in result.evidence if e.kind == EvidenceKind.NEEDS_QUESTION]


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Where do you keep your customer records?", SpinKind.SITUATION),
        ("Is anything about the current setup getting in your way?", SpinKind.PROBLEM),
        ("Do you ever lose a client because of it?", SpinKind.IMPLICATION),
        ("If the reports were ready every Monday, what would you do with that time?", SpinKind.NEED_PAYOFF),
    ],
)
def test_a_question_with_no_cue_word_takes_the_kind_of_its_closest_examples(analyzer, text, kind):
    result = analyzer.analyze_turn(text, CUSTOMER)
    assert result.is_needs_question and result.spin is kind
    [evidence] = _needs_evidence(result)
    assert "kind from the closest written example: '" in evidence.cue
    example = evidence.cue.split("example: '", 1)[1].rsplit("'", 1)[0]
    assert (kind, example) in spin_examples(), "the evidence names an example of the kind it gave"


def test_without_the_examples_such_a_question_counts_as_situation(analyzer):
    rules_only = Analyzer(nlp=analyzer.nlp, spin_by_example=False)
    result = rules_only.analyze_turn("Do you ever lose a client because of it?", CUSTOMER)
    assert result.spin is SpinKind.SITUATION
    assert [e.cue for e in _needs_evidence(result)] == ["asks about the customer ('you/your')"]


def test_a_cue_word_still_decides_and_the_examples_are_not_asked(analyzer):
    result = analyzer.analyze_turn("What's the hardest part of planning that way?", CUSTOMER)
    assert result.spin is SpinKind.PROBLEM
    assert all("example" not in e.cue for e in _needs_evidence(result))


def test_when_the_sentence_model_cannot_load_the_rules_decide(analyzer, monkeypatch):
    monkeypatch.setattr(meaning, "_shared", None)
    monkeypatch.setattr(meaning, "_shared_problem", "/nowhere/model.safetensors: cannot read the sentence model")
    assert default_spin_examples() is None
    fresh = Analyzer(nlp=analyzer.nlp)
    result = fresh.analyze_turn("Do you ever lose a client because of it?", CUSTOMER)
    assert result.is_needs_question and result.spin is SpinKind.SITUATION


def test_the_examples_vectors_are_cached_and_a_damaged_cache_is_encoded_again(tmp_path):
    encoder = meaning.shared_encoder()
    first = SpinExamples(encoder, cache=tmp_path)
    [stored] = tmp_path.glob("spin-*.npy")
    again = SpinExamples(encoder, cache=tmp_path)
    assert (again._vectors == first._vectors).all()
    stored.write_bytes(b"not an array")
    repaired = SpinExamples(encoder, cache=tmp_path)
    assert (repaired._vectors == first._vectors).all()
    assert [m.kind for m in repaired.nearest(["How many people work on the night shift?"])] == [SpinKind.SITUATION]


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("situation: [a]\n", "needs one list of example questions for each of"),
        ("situation: []\nproblem: [a]\nimplication: [a]\nneed_payoff: [a]\n", "'situation' must be a list"),
        ("situation: [a\n", "cannot read the SPIN examples"),
    ],
)
def test_a_broken_examples_file_is_one_line_naming_it(tmp_path, content, problem):
    path = tmp_path / "spin_examples.yaml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ValueError, match=problem) as error:
        spin_examples(path)
    assert str(path) in str(error.value) and "\n" not in str(error.value)
