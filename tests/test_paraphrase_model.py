"""The paraphrase weights refitted with plain statements as turns that never restate: the rep's own
stories and remarks are not paraphrases, reflections still are. Sentences written for the purpose."""

from __future__ import annotations

import re

import pytest

from analysis.language.paraphrase import SIGNS, says_it_restates, weights

CUSTOMER = "We run forty trucks out of two depots, and the drivers hate the routing app."


def _turn(analyzer, text, previous=CUSTOMER):
    return analyzer.analyze_turn(text, previous).to_json()


def test_the_weights_file_holds_the_signs_and_single_words():
    model = weights()
    assert set(SIGNS) <= set(model["weights"])
    assert len(model["words"]) > 100
    for name in model["words"]:
        assert re.fullmatch(r"(word|first):[a-z][a-z'-]*", name), name


@pytest.mark.parametrize(
    "text",
    [
        # The rep's own story or a remark in passing, even with the customer's words in it.
        "And then my brother bought two trucks of his own.",
        "That happens with every app.",
        "That's the thing about drivers.",
        "It was the same when I drove trucks.",
        "The routing app we had crashed every week.",
    ],
)
def test_the_reps_own_story_is_not_a_paraphrase(analyzer, text):
    result = _turn(analyzer, text)
    assert result["is_paraphrase"] is False, result["paraphrase_score"]


@pytest.mark.parametrize(
    "text",
    [
        "So your drivers are fed up with the app.",
        "So you run forty trucks from two depots.",
        "You've got forty trucks and the drivers don't like the app.",
    ],
)
def test_giving_the_customers_point_back_is_still_a_paraphrase(analyzer, text):
    result = _turn(analyzer, text)
    assert result["is_paraphrase"] is True and result["paraphrase_grounded"] is True


def test_saying_it_restates_counts_whatever_the_weights():
    assert says_it_restates({"listening_phrase": 1.0}, "I'm hearing that mornings hurt.")
    assert says_it_restates({"continues_customer": 1.0}, "-especially the older drivers.")
    # "And then ..." continues a sentence too, but it is as often the speaker's own story.
    assert not says_it_restates({"continues_customer": 1.0}, "And then the drivers left.")
