"""The scripted customer's rules for format 1 scenarios (topic words), on analysis results written by hand."""

from __future__ import annotations

from pathlib import Path

import pytest

from analysis.types import QuestionType, TurnAnalysis
from simulator.domain.customer import EndReason, RevealedNeed
from simulator.domain.scenario_file import load_scenario
from simulator.domain.scripted import ScriptedCustomer as CallEngine

OPEN = TurnAnalysis(is_question=True, question_type=QuestionType.OPEN, is_needs_question=True)
CLOSED = TurnAnalysis(is_question=True, question_type=QuestionType.CLOSED, is_needs_question=True)
PITCH = TurnAnalysis(is_pitch=True)
PARAPHRASE = TurnAnalysis(is_paraphrase=True, paraphrase_grounded=True)
PLAIN = TurnAnalysis()
END_OBJECTIVE, END_CUSTOMER = EndReason.OBJECTIVE_MET, EndReason.CUSTOMER_ENDED


@pytest.fixture
def freight():
    """The freight scenario as format 1 wrote it: needs reached by topic words, objective by a count."""
    return load_scenario(Path(__file__).parent / "fixtures" / "freight-format1.yaml")


def _play(engine: CallEngine, script):
    return [engine.respond(text, analysis, 1 + 2 * i) for i, (text, analysis) in enumerate(script)]


def test_question_on_a_need_topic_reveals_it_once(freight):
    engine = CallEngine(freight, "Sam Lee")
    first, again = _play(
        engine, [("How do you plan the routes today?", OPEN), ("And the planning, how does that go?", OPEN)]
    )
    assert first.event == "need_revealed" and first.need_id == "manual-planning"
    assert "spreadsheet" in first.text
    assert first.trust_after == first.trust_before + 1
    assert again.event == "repeat"
    assert engine.snapshot().needs_uncovered == (
        RevealedNeed("manual-planning", freight.need("manual-planning").title, 1),
    )


def test_question_without_a_topic_gets_a_generic_answer_in_kind(freight):
    engine = CallEngine(freight)
    open_line, closed_line = _play(engine, [("How are things?", OPEN), ("Is it busy?", CLOSED)])
    assert open_line.event == "open_question" and closed_line.event == "closed_question"
    assert open_line.text == " ".join(freight.replies["open_question"][0].split())


def test_early_pitch_draws_objection_and_costs_trust(freight):
    engine = CallEngine(freight)
    line = engine.respond("RouteDesk will fix your routing.", PITCH, 1)
    assert line.event == "objection" and line.objection_id == freight.objections[0].id
    assert line.trust_after == line.trust_before - 1


def test_pitch_after_enough_discovery_is_heard(freight):
    engine = CallEngine(freight)
    _play(engine, [("How do you plan routes?", OPEN), ("What problems come from late trucks?", OPEN)])
    line = engine.respond("RouteDesk plans routes for you.", PITCH, 5)
    assert line.event == "heard_pitch"


def test_paraphrase_raises_trust_by_two_and_unlocks_guarded_need(freight):
    engine = CallEngine(freight)
    guarded = engine.respond("How is overtime for your drivers?", OPEN, 1)
    assert guarded.event == "guarded" and engine.level == "bronze"
    ack = engine.respond("So the spreadsheet takes until nine.", PARAPHRASE, 3)
    assert ack.event == "acknowledged_paraphrase" and ack.trust_after == ack.trust_before + 2
    assert engine.level == "silver"
    revealed = engine.respond("How is overtime for your drivers?", OPEN, 5)
    assert revealed.event == "need_revealed" and revealed.need_id == "driver-overtime"


def test_objective_needs_discovery_and_trust(freight):
    engine = CallEngine(freight)
    early = engine.respond("Could we set up a meeting next week?", CLOSED, 1)
    assert early.event == "objective_not_yet" and not early.ended
    _play(engine, [("How do you plan routes today?", OPEN), ("What problems do late drops cause?", OPEN)])
    assert engine.level == "silver"
    done = engine.respond("Could we set up a meeting next week?", CLOSED, 7)
    assert done.ended and done.end_reason == END_OBJECTIVE
    assert engine.snapshot().objective_met is True


def test_open_question_mentioning_objective_word_is_discovery_not_proposal(freight):
    engine = CallEngine(freight)
    line = engine.respond("What usually happens in your weekly dispatch meeting?", OPEN, 1)
    assert line.event != "objective_not_yet"


def test_customer_ends_call_when_trust_falls_below_zero(freight):
    engine = CallEngine(freight)
    lines = _play(engine, [("Buy RouteDesk.", PITCH), ("It is great.", PITCH)])
    assert lines[-1].ended and lines[-1].end_reason == END_CUSTOMER
    assert freight.closing["customer_ends"].split()[0] in lines[-1].text


def test_customer_ends_call_when_patience_runs_out(freight):
    engine = CallEngine(freight)
    lines = _play(engine, [("Okay.", PLAIN)] * freight.patience)
    assert [line.ended for line in lines] == [False] * (freight.patience - 1) + [True]


def test_same_replies_give_the_same_call(freight):
    script = [
        ("How do you plan routes?", OPEN),
        ("RouteDesk is great.", PITCH),
        ("So it is slow.", PARAPHRASE),
        ("Okay.", PLAIN),
        ("Is that a problem?", CLOSED),
    ]
    runs = [[line.to_json() for line in _play(CallEngine(freight, "Sam"), script)] for _ in range(2)]
    assert runs[0] == runs[1]


def test_rep_name_is_filled_into_lines(freight):
    engine = CallEngine(freight, "Sam Lee")
    assert "{rep}" not in engine.opening().text
    assert engine.end_by_rep().end_reason == "rep_ended"


def test_paraphrase_that_restates_nothing_does_not_raise_trust(freight):
    engine = CallEngine(freight)
    line = engine.respond("So you're in retail.", TurnAnalysis(is_paraphrase=True, paraphrase_grounded=False), 1)
    assert line.trust_after == line.trust_before and line.event == "statement"
