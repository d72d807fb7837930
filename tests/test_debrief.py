"""The debrief: reflection first, one focus skill, and the gap between this call and the aim."""

from __future__ import annotations

from analysis.coaching.debrief import REFLECTION_PROMPTS, build_debrief
from analysis.coaching.figures import CustomerMove, MoveKind, NeedUncovered, call_metrics
from analysis.coaching.skills import STRETCH_SKILL, skills, where_you_are
from tests.test_metrics import CALL, _customer, _rep


def test_reflection_asks_what_so_what_now_what():
    prompts = " ".join(p for _, p in REFLECTION_PROMPTS)
    assert [k for k, _ in REFLECTION_PROMPTS] == ["what_happened", "went_well", "do_differently"]
    assert "What" in prompts and "So what" in prompts and "Now what" in prompts


def test_every_skill_states_the_gap():
    figures = call_metrics(
        CALL, needs_total=4, discovery_before_pitch=2, moves=[CustomerMove(6, MoveKind.OBJECTION)], ready_after=4
    )
    for skill in skills():
        if skill.id != STRETCH_SKILL:
            assert where_you_are(skill.id, figures, 2).startswith("This call:"), skill.id


def test_one_focus_with_its_gap_and_strengths_with_turns():
    figures = call_metrics(CALL, needs_total=4, discovery_before_pitch=3)
    debrief = build_debrief(figures, discovery_before_pitch=3, previous_focus="active_listening")
    assert debrief.focus.skill == "ask_before_advocating"  # pitched after 2 needs questions of 3
    assert debrief.focus.gap == (
        "This call: 2 needs questions before the first pitch, 2 of them open; aim for 3 before any pitch, one of them open."
    )
    assert len(debrief.strengths) <= 3 and all(s.turns or s.evidence for s in debrief.strengths)
    assert debrief.previous_focus is not None
    assert debrief.previous_focus.skill == "active_listening" and debrief.previous_focus.shown is False


def _asks(index, text, spin="situation", kind="open"):
    return _rep(index, text, is_question=True, question_type=kind, is_needs_question=True, spin=spin)


# A call that shows every basic: open needs questions before a late pitch, a paraphrase, an
# implication question, the customer doing most of the talking, and a proposal they agree to.
MASTERED = [
    _customer(0, "Hi, Dana here, go ahead."),
    _asks(1, "How do you plan the routes today?"),
    _customer(2, "By hand, in a spreadsheet, every single morning, and it takes Marcus until nine o'clock."),
    _rep(3, "So Marcus is stuck in a spreadsheet until nine.", is_paraphrase=True),
    _customer(4, "Exactly, and that means the trucks leave late and the drivers are annoyed all day long."),
    _asks(5, "What problems does that cause for deliveries?", spin="problem"),
    _customer(6, "One drop in eight misses its window, and our two biggest retail customers have noticed it."),
    _asks(7, "What would losing one of them mean for you?", spin="implication"),
    _customer(8, "About a fifth of our revenue, honestly, and the renewal for the biggest one comes up in March."),
    _rep(9, "Could we meet next week with Marcus?", is_question=True, question_type="closed"),
    _customer(10, "Yes, let's do that."),
]


def test_when_the_basics_show_the_focus_moves_on_and_they_are_named_as_strengths():
    figures = call_metrics(
        MASTERED,
        needs_total=3,
        needs_uncovered=[NeedUncovered("a", "A", 1), NeedUncovered("b", "B", 5), NeedUncovered("c", "C", 7)],
        moves=[CustomerMove(9, MoveKind.AGREED)],
        ready_after=8,
    )
    debrief = build_debrief(figures, discovery_before_pitch=2)
    assert debrief.focus.skill == STRETCH_SKILL, "every skill showed: the focus is a harder call, not a basic"
    assert debrief.focus.gap == ""
    named = [s.skill for s in debrief.strengths]
    assert named[0] == "implication_questions" and "propose_next_step" in named
    assert len(debrief.strengths) + len(debrief.also_shown) >= 7, "every skill shown is named"
    assert figures["proposal"].display == "yes: agreed at turn 10"


def test_a_customer_ready_to_agree_and_never_asked_makes_proposing_the_focus():
    figures = call_metrics(MASTERED[:9], needs_total=4, discovery_before_pitch=2, ready_after=4)
    assert figures["proposal"].display == "no: the customer was ready after turn 5"
    debrief = build_debrief(figures, discovery_before_pitch=2)
    assert debrief.focus.skill == "propose_next_step"
    assert "the customer was ready after turn 5" in debrief.focus.gap


def test_an_objection_explored_is_handled_and_one_pitched_over_is_not():
    call = [
        _customer(0, "Go ahead."),
        _rep(1, "Our tool fixes late trucks.", is_pitch=True),
        _customer(2, "You're already selling me something."),
        _asks(3, "Fair enough. How do you plan routes today?"),
        _customer(4, "By hand."),
        _rep(5, "Our tool plans them for you.", is_pitch=True),
        _customer(6, "I said I'm not buying."),
        _rep(7, "It really is the best tool.", is_pitch=True),
        _customer(8, "Goodbye."),
    ]
    moves = [CustomerMove(1, MoveKind.OBJECTION), CustomerMove(5, MoveKind.OBJECTION)]
    figures = call_metrics(call, moves=moves)
    assert figures["objections"].display == "1 of 2 handled"
    assert figures["objections"].detail["handled"] == [3] and figures["objections"].detail["not_handled"] == [7]
    debrief = build_debrief(figures)
    assert "handle_objections" not in [s.skill for s in debrief.strengths]


def test_a_skill_the_call_gave_no_chance_to_show_is_neither_praised_nor_the_focus():
    figures = call_metrics(MASTERED, needs_total=3)  # no objection raised
    debrief = build_debrief(figures, discovery_before_pitch=2)
    assert "handle_objections" not in [s.skill for s in debrief.strengths] + [debrief.focus.skill]


def test_a_poor_rep_is_not_praised_without_evidence():
    """Three yes/no questions then a pitch is not asking before advocating; one long pitch says
    nothing about the balance of a conversation."""
    yes_no = [
        _customer(0, "Go ahead."),
        _asks(1, "Do you use spreadsheets?", kind="closed"),
        _customer(2, "Yes."),
        _asks(3, "Is it slow?", spin="problem", kind="closed"),
        _customer(4, "Yes."),
        _asks(5, "Do you have many trucks?", kind="closed"),
        _customer(6, "No."),
        _rep(7, "Our platform plans every route overnight.", is_pitch=True),
    ]
    debrief = build_debrief(call_metrics(yes_no, needs_total=4), discovery_before_pitch=2)
    assert "ask_before_advocating" not in [s.skill for s in debrief.strengths]
    assert debrief.focus.skill == "ask_before_advocating"

    pitch = " ".join(["Our platform plans every route overnight and saves your dispatcher hours."] * 5)
    one_pitch = [
        _customer(0, "Hi, Dana here. Go ahead, I have a few minutes for you today."),
        _rep(1, pitch, is_pitch=True),
    ]
    debrief = build_debrief(call_metrics(one_pitch, needs_total=4), discovery_before_pitch=2)
    assert "balanced_talk" not in [s.skill for s in debrief.strengths]
    assert debrief.strengths == []
