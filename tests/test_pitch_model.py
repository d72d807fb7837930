"""The learned pitch model: its weights file, and what it decides on sales turns written for the purpose."""

from __future__ import annotations

import json
import re

import pytest

from analysis.language.pitch_model import MODEL_FILE, RulePitch, pitch_features, pitch_model
from analysis.language.rules import PATTERNS_DIR

PREVIOUS = "Fine."


def _turn(analyzer, text, previous=PREVIOUS, products=("RouteDesk",)):
    return analyzer.analyze_turn(text, previous, products).to_json()


def _model_view(result):
    return next(e for e in result["evidence"] if e.get("kind") == "model")


def test_the_weights_file_names_single_words_and_rule_findings_only():
    data = json.loads((PATTERNS_DIR / MODEL_FILE).read_text(encoding="utf-8"))
    assert {"bias", "threshold", "weights"} <= set(data)
    assert 0 < data["threshold"] < 1
    names = list(data["weights"])
    assert len(names) > 100
    for name in names:
        kind, _, value = name.partition(":")
        if kind in ("word", "first"):
            # One word, never a phrase or a sentence from the data it was trained on.
            assert re.fullmatch(r"[a-z][a-z'-]*", value), name
        else:
            assert kind in ("rule", "turn") and re.fullmatch(r"[a-z ]+", value), name


def test_the_analyzer_uses_the_shipped_weights(analyzer):
    text = "A small monthly fee makes a big difference to drivers and their families."
    result = _turn(analyzer, text)
    features = pitch_features(
        text,
        [],
        is_question=result["is_question"],
        is_needs_question=result["is_needs_question"],
        asks_decision=False,
        is_paraphrase=result["is_paraphrase"],
    )
    expected = pitch_model().probability(features)
    assert _model_view(result)["cue"].startswith(f"model: {expected:.2f}")


def test_features_name_what_the_rules_found():
    features = pitch_features(
        "We offer a free trial.",
        [RulePitch("offer", "'We offer'"), RulePitch("claim", "cites a figure ('3,000')")],
        is_question=False,
        is_needs_question=False,
        asks_decision=False,
        is_paraphrase=False,
    )
    assert {"rule:offer phrase", "rule:cites a figure", "rule:any pitch cue", "word:offer", "first:we"} <= set(features)
    assert "rule:question" not in features


@pytest.mark.parametrize(
    "text",
    [
        # No cue phrase, no claim of form: the model hears the appeal in the words.
        "It is a small cost for a big difference in the lives of drivers.",
        "A small monthly fee makes a big difference to drivers and their families.",
        "Think about what your drivers could do with an extra hour every morning.",
    ],
)
def test_the_model_finds_advocacy_no_rule_reaches(analyzer, text):
    result = _turn(analyzer, text)
    assert result["is_pitch"] is True
    assert not [e for e in result["evidence"] if e["label"] == "pitch"]  # no rule fired...
    view = _model_view(result)
    assert view["label"] == "pitch (model)" and "likely a pitch" in view["cue"]  # ...the model did


@pytest.mark.parametrize(
    "text",
    [
        "Our platform cuts costs by 30%.",
        "We offer a free trial and our customers love it.",
        "RouteDesk plans the routes automatically.",
    ],
)
def test_a_rule_cue_stays_a_pitch_and_shows_the_models_view(analyzer, text):
    """The model learned persuasion from charity appeals and barely knows an offer's own words; the
    rules do, so their cue decides, and the model's number is shown beside it."""
    result = _turn(analyzer, text)
    assert result["is_pitch"] is True
    assert [e for e in result["evidence"] if e["label"] == "pitch"]
    assert re.match(r"model: [01]\.\d\d, ", _model_view(result)["cue"])


@pytest.mark.parametrize(
    "text, products",
    [
        ("Hi Tom, this is Ana Ruiz from FlowSense. I'll be brief.", ("FlowSense",)),
        ("My name is Ana and I handle accounts in the north.", ()),
        ("Would it make sense to set up a meeting next week?", ()),
        ("What impact have those late deliveries had on your customers?", ()),
        ("What's the hardest part of planning that way?", ()),
        ("Thanks so much for your time today.", ()),
        ("I had a long weekend, my kids were sick.", ()),
        ("Sure, I can send you the contract tomorrow.", ()),
        ("It's been part of your life for 300 days now.", ()),
    ],
)
def test_introductions_questions_and_small_talk_are_not_pitches(analyzer, text, products):
    result = _turn(analyzer, text, products=products)
    assert result["is_pitch"] is False, result["evidence"]
    # No cue fired and the model said no: nothing to show.
    assert not [e for e in result["evidence"] if e.get("kind") == "model"]


def test_giving_the_customers_point_back_is_not_made_a_pitch_by_the_model(analyzer):
    """Words such as "every" and "around" lean towards a pitch in persuasion talk; a turn that
    restates the customer is listening, whatever the words."""
    result = _turn(
        analyzer,
        "So every morning Marcus moves drivers around in a spreadsheet by hand.",
        previous="Every morning Marcus moves drivers around by hand, and it takes him until nine.",
    )
    assert result["is_paraphrase"] is True
    assert result["is_pitch"] is False


@pytest.mark.parametrize(
    "text",
    [
        "How has it been when you've needed help from us?",  # "help", "needed", "from" lean to a pitch
        "What would it mean for your team if the reminders always went out?",
    ],
)
def test_a_needs_question_is_not_made_a_pitch_by_the_model(analyzer, text):
    """The model's threshold is low (most persuader turns are pitches); a question about the
    customer's world is discovery, whatever its words lean to (found by the clinic scenario's
    good path, where the customer objected to this question as a pitch)."""
    result = _turn(analyzer, text)
    assert result["is_needs_question"] is True
    assert result["is_pitch"] is False, result["evidence"]


def test_a_broken_weights_file_says_which_file_and_what_to_do(tmp_path):
    broken = tmp_path / "pitch_model.json"
    broken.write_text('{"bias": 0.1, "weights": ', encoding="utf-8")
    with pytest.raises(ValueError, match=r"pitch_model\.json: not valid JSON.*train_pitch"):
        pitch_model(broken)
    broken.write_text('{"bias": 0.1}', encoding="utf-8")
    with pytest.raises(ValueError, match="needs bias, threshold and weights"):
        pitch_model(broken)
