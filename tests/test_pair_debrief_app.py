"""A coach and a rep debrief a call together in the real app (Pilot), then the rep's next call
shows the goal before it starts and its debrief checks it, with the number."""

from __future__ import annotations

from textual.widgets import Input, OptionList, Static

from simulator.storage import Store
from simulator.ui.app import create_app
from simulator.ui.screens.call import CallScreen
from simulator.ui.screens.debrief import DebriefScreen
from simulator.ui.screens.pair_debrief import PairDebriefScreen
from simulator.ui.screens.review import CorrectDialog, NoteDialog, ReviewScreen
from simulator.ui.screens.start import StartScreen
from tests.conftest import GOOD_FREIGHT_CALL
from tests.review_helpers import PITCH_TURN, play, review_app


def _text(screen, selector: str) -> str:
    return str(screen.query_one(selector, Static).render())


async def _type(pilot, screen, selector: str, text: str) -> None:
    field = screen.query_one(selector, Input)
    field.focus()
    field.value = text
    await pilot.press("enter")
    await pilot.pause()


async def test_a_coach_and_rep_agree_a_goal_that_the_next_call_shows_and_checks(db_path, analyzer, freight):
    first = play(db_path, analyzer, freight)  # two needs questions before the first pitch
    store = Store(db_path)
    app = review_app(store, analyzer, first)
    async with app.run_test(size=(160, 48)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        review = app.screen
        assert isinstance(review, ReviewScreen)

        # A note on the pitch, then a correction that moves a figure: it was no pitch.
        await pilot.press("p", "n")
        assert isinstance(app.screen, NoteDialog)
        app.screen.query_one("#note-text", Input).value = "One more needs question before this"
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("c")
        assert isinstance(app.screen, CorrectDialog)
        await pilot.press(*["down"] * 5, "enter", "down", "enter")  # is_pitch: no
        await pilot.pause()
        assert "Pitches: 0  (analyzer: 1)" in _text(review, "#review-figures")

        # The pair's debrief: the rep answers first; the coach's prompt waits for the rep's answer.
        await pilot.press("d")
        await pilot.pause()
        pair = app.screen
        assert isinstance(pair, PairDebriefScreen)
        assert pair.query_one("#coach-box-what").display is False
        assert pair.query_one("#step-so_what").display is False
        await _type(pilot, pair, "#rep-what", "")  # nothing said yet: the coach still waits
        assert pair.query_one("#coach-box-what").display is False
        await _type(pilot, pair, "#rep-what", "Dana told me about the spreadsheet and I jumped in.")
        assert pair.query_one("#coach-box-what").display is True
        assert "Coach: ask what the customer said" in str(pair.query_one("#coach-box-what .coach-prompt").render())
        await _type(pilot, pair, "#coach-what", "You heard the cost; the pitch came one question early.")
        # So what? shows the gaps: the corrected call has every needs question before any pitch.
        assert pair.query_one("#step-so_what").display is True
        gaps = _text(pair, "#pair-gaps")
        assert "Ask before you advocate: started at 3, now 3" in gaps
        await _type(pilot, pair, "#rep-so_what", "Asking before pitching matters most.")
        await _type(pilot, pair, "#coach-so_what", "")
        await _type(pilot, pair, "#rep-now_what", "Ask four needs questions before any pitch.")
        await _type(pilot, pair, "#coach-now_what", "Agreed: four, and one of them open.")
        assert pair.query_one("#pair-goal").display is True

        skills = pair.query_one("#pair-skill", OptionList)
        skills.highlighted = pair.skill_ids.index("ask_before_advocating")
        await pilot.pause()
        measure = pair.query_one("#pair-measure", Input)
        # The skill's own figure is suggested, one better than this call (which met the bar).
        assert measure.value == "questions_before_pitch>=4"
        measure.value = "questions_before_pitch>=5%"
        await pilot.pause()
        assert "a count, not a share" in _text(pair, "#pair-measure-reads")
        await pilot.press("ctrl+s")  # refused: nothing saved, nothing typed lost
        await pilot.pause()
        assert store.pair_debrief(first) is None
        measure.value = "questions_before_pitch>=4"
        await pilot.pause()
        assert "Reads: at least 4 needs questions before the first pitch" in _text(pair, "#pair-measure-reads")
        pair.query_one("#pair-next-step", Input).value = "Plan four needs questions before the call."
        pair.query_one("#pair-due", Input).value = "2027-01-15"
        pair.query_one("#pair-coach", Input).value = "Ana"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "Saved." in _text(pair, "#pair-saved")

        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen)
        assert "Goal agreed: at least 4 needs questions before the first pitch, by 2027-01-15" in _text(
            app.screen, "#review-summary"
        )

        # The rep's next session: the goal is on the start screen, and beside the call.
        await pilot.press("escape")
        await pilot.pause()
        start = app.screen
        assert isinstance(start, StartScreen)
        shown = _text(start, "#goal")
        assert "Your goal: at least 4 needs questions before the first pitch (this call checks it)" in shown
        assert "Due by: 2027-01-15" in shown
        options = start.query_one("#scenario-list", OptionList)
        options.highlighted = [options.get_option_at_index(i).id for i in range(options.option_count)].index(
            "freight-discovery"
        )
        await pilot.press("ctrl+s")
        await pilot.pause()
        call = app.screen
        assert isinstance(call, CallScreen)
        sidebar_goal = _text(call, "#sidebar-goal")
        assert "Plan four needs questions" in sidebar_goal and "Due by 2027-01-15" in sidebar_goal
        for line in GOOD_FREIGHT_CALL:
            if call.call.ended:
                break
            call.query_one("#reply", Input).value = line
            await pilot.press("enter")
            await app.workers.wait_for_complete()
            await pilot.pause()
        if not call.call.ended:
            await pilot.press("ctrl+e")
            await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        debrief = app.screen
        assert isinstance(debrief, DebriefScreen)
        await pilot.press("ctrl+n")
        await pilot.pause()
        checked = _text(debrief, "#previous-focus")
        assert "Goal: at least 4 needs questions before the first pitch. This call: 4. Met." in checked
        await pilot.press("ctrl+s")
        await pilot.pause()

    second = store.sessions()[0].id
    assert second != first
    pair_saved = store.pair_debrief(first)
    assert pair_saved is not None and pair_saved.coach == "Ana"
    assert [(a.key, bool(a.coach)) for a in pair_saved.answers] == [
        ("what", True),
        ("so_what", False),
        ("now_what", True),
    ]
    goal = store.session_goal(first)
    assert goal is not None and goal.checkable is not None and goal.checkable.spec() == "questions_before_pitch>=4"
    assert (goal.agreed_by, goal.due_date, goal.reviewed_session_id) == ("Ana", "2027-01-15", second)
    saved = store.call_facts(second).debrief
    assert saved is not None and saved["goal_check"]["value"] == 4 and saved["goal_check"]["met"] is True
    [note] = store.notes(first)
    assert note.turn == PITCH_TURN - 1


async def test_the_coachs_prompt_wraps_at_80_columns(db_path, analyzer, freight):
    """The prompts are longer than an 80-column line: they wrap onto a second line, not cut off."""
    first = play(db_path, analyzer, freight)
    app = review_app(db_path, analyzer, first)
    async with app.run_test(size=(80, 24)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("d")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, PairDebriefScreen)
        await _type(pilot, screen, "#rep-what", "I asked a lot and did not pitch")
        prompt = screen.query_one("#coach-box-what .coach-prompt")
        text = str(prompt.render())
        assert len(text) > 76, "the prompt is longer than one line at 80 columns"
        assert prompt.size.width <= 76 and prompt.size.height >= 2, "it wraps within the screen"


async def test_last_times_goal_is_in_view_on_the_start_screen_at_80x24(db_path, analyzer, freight):
    """The goal sits above the scenario's brief, so a rep on a small terminal sees it before the call."""
    first = play(db_path, analyzer, freight)
    store = Store(db_path)
    store.agree_goal(first, measure="at least 4 needs questions before the first pitch", due_date="2027-01-15")
    app = create_app(
        store=store,
        analyzer_factory=lambda: analyzer,
        encoder_factory=lambda: None,
        transcriber_factory=lambda: None,
    )
    app.initial_rep = "Sam Lee"
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        start = app.screen
        assert isinstance(start, StartScreen)
        goal = start.query_one("#goal", Static)
        assert "Due by: 2027-01-15" in _text(start, "#goal")
        visible = goal.region.intersection(start.region)
        assert visible == goal.region and goal.region.height >= 3, "the whole goal is on screen"
