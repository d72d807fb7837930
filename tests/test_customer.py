"""The scripted customer of format 2: understands questions by meaning, unfolds needs by SPIN layer,
handles objections, signals when ready, never repeats itself. Analyses are written by hand (no spaCy);
the sentence model is the real one."""

from __future__ import annotations

import socket

import pytest
from click.testing import CliRunner

from analysis.types import QuestionType, SpinKind, TurnAnalysis
from simulator.cli import cli
from simulator.cli.common import Parts
from simulator.domain.catalogue import resolve_scenario
from simulator.domain.customer import CustomerEvent, EndReason
from simulator.domain.scripted import ScriptedCustomer
from simulator.domain.understanding import MeaningMatcher

OPEN = TurnAnalysis(is_question=True, question_type=QuestionType.OPEN, is_needs_question=True,
                    spin=SpinKind.SITUATION)  # fmt: skip
CLOSED = TurnAnalysis(is_question=True, question_type=QuestionType.CLOSED, is_needs_question=True,
                      spin=SpinKind.SITUATION)  # fmt: skip
IMPLICATION = TurnAnalysis(is_question=True, question_type=QuestionType.OPEN, is_needs_question=True,
                           spin=SpinKind.IMPLICATION)  # fmt: skip
PAYOFF = TurnAnalysis(is_question=True, question_type=QuestionType.OPEN, is_needs_question=True,
                      spin=SpinKind.NEED_PAYOFF)  # fmt: skip
PITCH = TurnAnalysis(is_pitch=True)
PARAPHRASE = TurnAnalysis(is_paraphrase=True, paraphrase_grounded=True)
PLAIN = TurnAnalysis()
ACKNOWLEDGE_AND_ASK = TurnAnalysis(is_question=True, question_type=QuestionType.OPEN)


@pytest.fixture
def customer(freight, encoder):
    def make(scenario=freight):
        return ScriptedCustomer(scenario, "Sam Lee", MeaningMatcher(scenario, encoder))

    return make


def _play(customer, script):
    return [customer.respond(text, analysis, 1 + 2 * i) for i, (text, analysis) in enumerate(script)]


# Questions written for this test, each aimed at one need of the freight scenario and worded away
# from its topic words and from the scenario's own example questions.
AIMED_QUESTIONS = [
    ("Talk me through how the daily schedule gets put together.", "manual-planning"),
    ("Who decides which van takes which stops?", "manual-planning"),
    ("How punctual are your drops these days?", "late-deliveries"),
    ("Which big accounts come up for renegotiation soon?", "contract-at-risk"),
    ("How are your drivers' shifts running compared with what they're paid for?", "driver-overtime"),
    ("What's happening with pay now that people are on the road longer?", "driver-overtime"),
]


@pytest.mark.parametrize("question, need", AIMED_QUESTIONS)
def test_a_question_reaches_its_need_by_meaning(customer, question, need):
    dana = customer()
    _play(dana, [("So the mornings are hectic for you.", PARAPHRASE)])  # trust for the guarded needs
    line = dana.respond(question, OPEN, 3)
    assert line.event is CustomerEvent.NEED_REVEALED and line.need_id == need, line
    assert line.match and line.match["method"] == "meaning" and line.match["score"] >= 0.42
    assert line.why, "the customer's reason is kept for the coach"


def test_small_talk_and_a_proposal_reach_no_need(customer):
    dana = customer()
    for text in ("How are you today?", "Great, thanks for your time."):
        line = dana.respond(text, CLOSED, 1)
        assert line.event in (CustomerEvent.CLOSED_QUESTION, CustomerEvent.OPEN_QUESTION), (text, line)


def test_a_need_unfolds_layer_by_layer_and_becomes_explicit(customer):
    dana = customer()
    # An implication question before the problem is known: the customer tells the problem first.
    first = dana.respond("What does the way you plan the day cost you?", IMPLICATION, 1)
    assert (first.event, first.layer) == (CustomerEvent.NEED_REVEALED, "problem")
    assert dana.snapshot().needs_explicit == ()
    deeper = dana.respond("And what does that late start lead to for the team?", IMPLICATION, 3)
    assert (deeper.event, deeper.layer, deeper.need_id) == (
        CustomerEvent.NEED_DEVELOPED,
        "implication",
        "manual-planning",
    )
    assert [n.id for n in dana.snapshot().needs_explicit] == ["manual-planning"]
    worth = dana.respond("If the plan were ready at seven, what would that be worth?", PAYOFF, 5)
    assert worth.layer == "payoff" and "seven" in worth.text
    done = dana.respond("How does the planning work again?", OPEN, 7)
    assert done.event is CustomerEvent.REPEAT, "asked again about what was told in full"


def test_a_follow_up_goes_one_layer_deeper_on_the_last_topic(customer):
    dana = customer()
    dana.respond("How punctual are your drops these days?", OPEN, 1)
    more = dana.respond("Tell me more about that.", OPEN, 3)
    assert (more.event, more.need_id, more.layer) == (CustomerEvent.NEED_DEVELOPED, "late-deliveries", "implication")
    more = dana.respond("How so?", OPEN, 5)
    assert more.layer == "payoff"
    nothing = dana.respond("Go on, what else?", OPEN, 7)
    assert nothing.event is CustomerEvent.NOTHING_MORE and "already told you" not in nothing.text.lower()


def test_facts_of_the_world_answer_situation_questions(customer):
    dana = customer()
    fleet = dana.respond("How many vehicles are on the road?", OPEN, 1)
    assert fleet.event is CustomerEvent.FACT_SHARED and fleet.fact_id == "fleet" and "Forty-two" in fleet.text
    again = dana.respond("Sorry, how big was the fleet?", OPEN, 3)
    assert again.fact_id == "fleet" and again.text.startswith("As I said")


def test_an_objection_is_handled_by_acknowledging_and_asking(customer):
    dana = customer()
    raised = dana.respond("RouteDesk will fix all of this for you.", PITCH, 1)
    assert raised.event is CustomerEvent.OBJECTION and raised.trust_after == raised.trust_before - 1
    assert dana.snapshot().open_objection == raised.objection_id
    handled = dana.respond("That's fair, I jumped ahead. How do your mornings actually run?", ACKNOWLEDGE_AND_ASK, 3)
    assert handled.event is CustomerEvent.OBJECTION_HANDLED and handled.trust_after == handled.trust_before + 1
    assert dana.snapshot().open_objection is None


def test_pitching_through_an_objection_escalates_and_repeated_pushing_ends_the_call(customer):
    dana = customer()
    raised = dana.respond("RouteDesk will fix all of this for you.", PITCH, 1)
    assert not raised.ended
    pushed = dana.respond("It really is the best routing tool on the market.", PITCH, 3)
    assert pushed.event is CustomerEvent.OBJECTION_PUSHED and pushed.ended
    assert pushed.end_reason is EndReason.CUSTOMER_ENDED and "pushed" in pushed.why


def test_a_price_named_draws_the_price_objection(customer):
    dana = customer()
    _play(dana, [("How do you plan the routes today?", OPEN), ("How punctual are your drops?", OPEN)])
    line = dana.respond("It's only 400 pounds per month for the whole fleet.", PLAIN, 5)
    assert line.event is CustomerEvent.OBJECTION and line.objection_id == "price"


def test_the_renewal_customer_objects_before_hanging_up(encoder):
    """Trust starts at zero on the renewal call: one pitch draws an objection, not the end of the call."""
    clinic = resolve_scenario("clinic-renewal")
    customer = ScriptedCustomer(clinic, "Sam", MeaningMatcher(clinic, encoder))
    first = customer.respond("Our new version is much better, you should upgrade today.", PITCH, 1)
    assert first.event is CustomerEvent.OBJECTION and not first.ended
    second = customer.respond("Honestly it's the best product out there, just sign.", PITCH, 3)
    assert second.ended and second.end_reason is EndReason.CUSTOMER_ENDED


# Discovery that leaves Dana ready to agree: two needs told and explored, trust earned.
UNTIL_READY = [
    ("How do you plan the routes today?", OPEN),
    ("So Marcus sorts it all by hand and the trucks wait until nine.", PARAPHRASE),
    ("What does the late start cost you?", IMPLICATION),
    ("How punctual are your drops these days?", OPEN),
    ("What does a missed window cost you with the supermarkets?", IMPLICATION),
]


def test_buying_signal_once_ready_then_agreement(customer):
    dana = customer()
    lines = _play(dana, UNTIL_READY)
    signals = [line for line in lines if line.buying_signal]
    assert len(signals) == 1 and signals[0] is lines[-1]
    assert "How would we take it further" in lines[-1].text
    agreed = dana.respond("Could we set up a meeting next week with Marcus?", CLOSED, 11)
    assert agreed.event is CustomerEvent.OBJECTIVE_AGREED and agreed.ended


def test_a_proposal_before_enough_value_is_not_yet_with_the_reason(customer):
    dana = customer()
    line = dana.respond("Could we set up a meeting next week?", CLOSED, 1)
    assert line.event is CustomerEvent.OBJECTIVE_NOT_YET and "0 of 2 explicit needs" in line.why


def test_no_line_twice_in_a_row(customer):
    dana = customer()
    lines = _play(dana, [("Okay.", PLAIN)] * 11)
    said = [line.text for line in lines]
    assert all(a != b for a, b in zip(said, said[1:], strict=False)), said


def test_same_replies_give_the_same_call(customer):
    script = [("How punctual are your drops these days?", OPEN), ("Tell me more.", OPEN),
              ("RouteDesk is great.", PITCH), ("That's fair. What worries you?", ACKNOWLEDGE_AND_ASK),
              ("Okay.", PLAIN)]  # fmt: skip
    runs = [[line.to_json() for line in _play(customer(), script)] for _ in range(2)]
    assert runs[0] == runs[1]


def test_a_call_opens_no_socket(analyzer, encoder, tmp_path, monkeypatch):
    """Nothing reaches for the network while a call is played: any connection attempt fails the test."""
    attempts = []

    def refuse(self, address, *args, **kwargs):
        attempts.append(address)
        raise OSError(f"test: no network allowed (tried {address})")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    replies = tmp_path / "replies.txt"
    replies.write_text("How punctual are your drops these days?\nTell me more about that.\n", encoding="utf-8")
    from analysis.language.meaning import SentenceEncoder

    parts = Parts(analyzer=lambda: analyzer, encoder=SentenceEncoder)  # loads inside the no-network check
    result = CliRunner().invoke(
        cli,
        ["practice", "freight-discovery", "--rep", "Sam", "--replies", str(replies), "--db", str(tmp_path / "s.db"),
         "--json"],
        obj=parts,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert attempts == []
    assert '"need_developed"' in result.output


def test_an_implication_question_naming_no_topic_goes_on_about_the_last_one(customer):
    """'And what does that mean for you?' matches no phrase of the scenario, but asks what the
    problem just told costs: the customer goes one layer deeper on it, not a generic line."""
    dana = customer()
    dana.respond("How punctual are your drops these days?", OPEN, 1)
    line = dana.respond("And what does a second one like that mean for you?", IMPLICATION, 3)
    assert (line.event, line.need_id, line.layer) == (CustomerEvent.NEED_DEVELOPED, "late-deliveries", "implication")


def test_a_proposal_naming_the_meeting_by_its_verb_is_agreed_once_ready(customer):
    """ "Could we meet next Tuesday ...?" proposes the meeting though it never says "meeting" or
    "next week" (found in a new user's call: Dana answered it as a paraphrase and waited)."""
    dana = customer()
    lines = _play(dana, UNTIL_READY)
    assert lines[-1].buying_signal
    summary_and_ask = "So you plan by hand and one drop in eight is late. Could we meet next Tuesday with Marcus?"
    agreed = dana.respond(summary_and_ask, CLOSED, 11)
    assert agreed.event is CustomerEvent.OBJECTIVE_AGREED and agreed.ended


def test_the_verb_alone_in_a_discovery_question_is_no_proposal(customer):
    dana = customer()
    line = dana.respond("Does the way you plan today meet what the supermarkets need?", CLOSED, 1)
    assert line.event not in (CustomerEvent.OBJECTIVE_NOT_YET, CustomerEvent.OBJECTIVE_AGREED)


def test_a_proposal_that_draws_an_objection_counts_as_a_try_too_early(db_path, analyzer, encoder):
    """On the clinic call, asking for the meeting too soon brings Priya's objection instead of a
    plain "not yet": the debrief still counts the proposal, as an objection and as a try too early."""
    from analysis.types import FigureKey
    from simulator.domain.session import PracticeCall, play_script
    from simulator.storage import Store

    clinic = resolve_scenario("clinic-renewal")
    store = Store(db_path)
    call = PracticeCall(store, clinic, "Sam", understanding=MeaningMatcher(clinic, encoder), input_mode="script")
    play_script(
        call,
        [
            "Hi Priya, I'm the new account manager. How has it been when you've needed help from us?",
            "Would it make sense to meet next week for a review before you decide on the renewal?",
        ],
        analyzer.analyze_turn,
    )
    proposal_line = next(t.customer for t in call.turns if t.index == 4)  # the answer to turn 3, the proposal
    assert proposal_line.event is CustomerEvent.OBJECTION and proposal_line.answers_proposal
    figures = call.figures()
    assert figures[FigureKey.PROPOSAL].display.startswith("not agreed: 1 try, too early")
    assert figures[FigureKey.PROPOSAL].detail["too_early"] == [3]
    assert figures[FigureKey.OBJECTIONS].display == "raised as the call ended", "still counted as an objection"
    store.close()
