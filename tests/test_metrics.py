"""Call figures from transcripts written for the purpose: each figure names its turns."""

from __future__ import annotations

from dataclasses import dataclass

from analysis.coaching.figures import call_metrics
from analysis.types import SpeechTiming, TurnAnalysis


@dataclass
class Turn:
    index: int
    speaker: str
    text: str
    analysis: TurnAnalysis | None = None
    speech: SpeechTiming | None = None


def _rep(index, text, speech=None, **flags):
    analysis = {"words": len(text.split()), **flags}
    if speech:
        analysis["speech"] = speech
    return Turn(index, "rep", text, TurnAnalysis.from_json(analysis))


def _customer(index, text, duration=None):
    return Turn(index, "customer", text, speech=SpeechTiming(duration) if duration is not None else None)


def _timed(words: int, start: float, seconds: float):
    step = seconds / words
    return [{"word": f"w{i}", "start": start + i * step, "end": start + (i + 1) * step} for i in range(words)]


CALL = [
    _customer(0, "Hello there, go ahead."),
    _rep(
        1,
        "Um, how do you plan routes today?",
        is_question=True,
        question_type="open",
        is_needs_question=True,
        spin="situation",
    ),
    _customer(2, "By hand, in a spreadsheet, every single morning."),
    _rep(
        3,
        "What problems does that cause?",
        is_question=True,
        question_type="open",
        is_needs_question=True,
        spin="problem",
    ),
    _customer(4, "Late trucks."),
    _customer(5, "And angry customers, honestly, which is the part that worries me most."),
    _rep(6, "Our tool fixes that.", is_pitch=True),
    _rep(7, "Uh, it plans everything for you automatically, every morning, in seconds.", is_pitch=True),
]


def test_spin_map_marks_each_rep_turn_in_order():
    figures = call_metrics(CALL, needs_total=3)
    assert figures["spin_map"].value == "SP··"
    assert figures["spin_map"].turns == [1, 3]


def test_monologues_join_turns_nobody_interrupted():
    figures = call_metrics(CALL)
    assert figures["longest_rep_turn"].turns == [6, 7]
    assert figures["longest_rep_turn"].value == 4 + 11
    assert figures["longest_customer_turn"].turns == [4, 5]


def test_fillers_are_counted_per_turn_and_marked_as_typed():
    fig = call_metrics(CALL)["fillers"]
    assert fig.value == 2 and fig.turns == [1, 7]
    assert fig.detail["lower_bound"] is False


def test_ask_before_advocate_points_at_the_questions_and_first_pitch():
    fig = call_metrics(CALL, discovery_before_pitch=2)["ask_before_advocate"]
    assert fig.value is True and fig.turns == [1, 3, 6]
    fig = call_metrics(CALL, discovery_before_pitch=3)["ask_before_advocate"]
    assert fig.value is False


def test_time_figures_wait_for_a_spoken_call():
    figures = call_metrics(CALL)
    assert figures["pace"].value is None and "spoken" in figures["pace"].note
    assert figures["response_time"].value is None
    assert "share_by_time" not in figures["talk_share"].detail


def test_pace_response_time_and_talk_share_by_time_from_word_timings():
    spoken = [
        _customer(0, "Hello there, go ahead.", duration=2.0),
        _rep(
            1,
            "one two three four five six",
            speech={"duration": 3.0, "words": _timed(6, 0.2, 2.4), "response_time": 0.8},
        ),
        _customer(2, "Fine.", duration=1.0),
        _rep(3, "um one two three", speech={"duration": 2.0, "words": _timed(3, 0.1, 1.2), "response_time": 1.2}),
    ]
    figures = call_metrics(spoken)
    assert figures["pace"].detail["per_turn"] == {1: 150, 3: 150}
    assert figures["response_time"].value == 1.0 and figures["response_time"].turns == [1, 3]
    assert figures["talk_share"].detail["share_by_time"] == round(5 / 8, 3)
    assert figures["fillers"].detail["lower_bound"] is True
    assert figures["pauses"].value == 0.0 and figures["pauses"].turns == []
    assert "s" in figures["longest_rep_turn"].display


def test_talk_share_names_its_source():
    fig = call_metrics(CALL)["talk_share"]
    assert "Gong" in fig.note and fig.detail["benchmark"] == 0.43


def test_a_stage_direction_is_no_talking():
    """A live call ends with a line saying what happened ("(The rep ended the call.)"): nobody spoke
    it, so it adds no words to the customer's side of the talk share or their longest stretch."""
    call = [
        _customer(0, "Dana here."),
        _rep(1, "How do you plan routes today?"),
        _customer(2, "By hand."),
        _customer(3, "(The rep ended the call.)"),
    ]
    figures = call_metrics(call)
    assert figures["talk_share"].detail["customer_words"] == 4
    assert figures["talk_share"].detail["rep_words"] == 6
    spoken_aside = call_metrics([*call[:3], _customer(3, "(laughs) Fine, fine.")])
    assert spoken_aside["talk_share"].detail["customer_words"] == 7, "words said around an aside still count"


def test_long_pauses_inside_a_spoken_turn():
    words = [
        {"word": "so", "start": 0.0, "end": 0.3},
        {"word": "what", "start": 1.8, "end": 2.0},
        {"word": "matters", "start": 2.1, "end": 2.5},
    ]
    spoken = [_customer(0, "Go ahead."), _rep(1, "so what matters", speech={"duration": 3.0, "words": words})]
    fig = call_metrics(spoken)["pauses"]
    assert fig.value == 1.5 and fig.turns == [1]
    assert call_metrics(CALL)["pauses"].value is None
