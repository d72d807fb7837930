"""The debrief: reflection first, one focus skill, and the gap between this call and the aim."""

from __future__ import annotations

from analysis.coaching.debrief import REFLECTION_PROMPTS, build_debrief
from analysis.coaching.figures import call_metrics
from analysis.coaching.skills import skills, where_you_are
from tests.test_metrics import CALL


def test_reflection_asks_what_so_what_now_what():
    prompts = " ".join(p for _, p in REFLECTION_PROMPTS)
    assert [k for k, _ in REFLECTION_PROMPTS] == ["what_happened", "went_well", "do_differently"]
    assert "What" in prompts and "So what" in prompts and "Now what" in prompts


def test_every_skill_states_the_gap():
    figures = call_metrics(CALL, needs_total=4, discovery_before_pitch=2)
    for skill in skills():
        assert where_you_are(skill.id, figures, 2).startswith("This call:"), skill.id


def test_one_focus_with_its_gap_and_strengths_with_turns():
    figures = call_metrics(CALL, needs_total=4, discovery_before_pitch=3)
    debrief = build_debrief(figures, discovery_before_pitch=3, previous_focus="active_listening")
    assert debrief.focus.skill == "ask_before_advocating"  # pitched after 2 needs questions of 3
    assert debrief.focus.gap == "This call: 2 needs questions before the first pitch; aim for 3."
    assert 1 <= len(debrief.strengths) <= 2 and all(s.turns for s in debrief.strengths)
    assert debrief.previous_focus is not None
    assert debrief.previous_focus.skill == "active_listening" and debrief.previous_focus.shown is False
