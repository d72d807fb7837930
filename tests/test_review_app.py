"""A coach reviews a call in the real app (Pilot): jumps, a note, a correction that moves a figure."""

from __future__ import annotations

from textual.widgets import DataTable, Input, OptionList, Static

from simulator.storage import Store
from simulator.ui.screens.review import CorrectDialog, NoteDialog, ReviewScreen
from tests.review_helpers import PITCH_TURN, play, review_app


def _app(db_path, analyzer, session: int | None = None):
    return review_app(db_path, analyzer, session)


def _text(screen, selector: str) -> str:
    return str(screen.query_one(selector, Static).render())


async def test_a_coach_adds_a_note_corrects_a_label_and_sees_the_figure_change(db_path, analyzer, freight):
    session = play(db_path, analyzer, freight)
    app = _app(db_path, analyzer, session)
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ReviewScreen)
        turns = screen.query_one("#review-turns", OptionList)
        assert "Pitches: 1" in _text(screen, "#review-figures")

        await pilot.press("p")  # the next pitch
        assert turns.highlighted == PITCH_TURN - 1
        await pilot.press("m")  # a missed chance: the need told at turn 3 got a paraphrase, not a question
        assert screen.review is not None and screen.review.turns[turns.highlighted].missed_chance
        await pilot.press("q")
        assert screen.review.turns[turns.highlighted].corrected.is_question
        await pilot.press("r")
        assert screen.review.turns[turns.highlighted].corrected.is_paraphrase

        await pilot.press("p")
        await pilot.press("n")
        assert isinstance(app.screen, NoteDialog)
        app.screen.query_one("#note-text", Input).value = "Too early: one more needs question first"
        app.screen.query_one("#strategic").value = True
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen)

        await pilot.press("c")
        assert isinstance(app.screen, CorrectDialog)
        for _ in range(5):  # is_question, question_type, is_needs_question, spin, is_paraphrase, is_pitch
            await pilot.press("down")
        await pilot.press("enter")
        await pilot.press("down", "enter")  # yes, no: no
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen)
        figures = _text(screen, "#review-figures")
        assert "Pitches: 0  (analyzer: 1)" in figures
        detail = _text(screen, "#review-detail")
        assert "pitch: no" in detail and "analyzer: yes" in detail
        assert "Too early" in detail

    store = Store(db_path)
    [note] = store.notes(session)
    assert (note.turn, str(note.kind), note.author) == (PITCH_TURN - 1, "strategic", "coach")
    [correction] = store.corrections(session)
    assert (correction.turn, correction.label, correction.value) == (PITCH_TURN - 1, "is_pitch", False)


async def test_history_opens_a_session_for_review(db_path, analyzer, freight):
    play(db_path, analyzer, freight)
    app = _app(db_path, analyzer)
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.press("f2")
        await pilot.pause()
        assert app.screen.query_one("#sessions", DataTable).row_count == 1
        await pilot.press("v")
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen)
        assert "Sam Lee" in _text(app.screen, "#review-summary")
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, ReviewScreen)


async def test_the_turn_details_scroll_when_they_do_not_fit_at_80x24(db_path, analyzer, freight):
    """A turn's evidence, tries and the figures are longer than the side panel at 80x24: the
    panel scrolls to show all of it rather than cutting the bottom off."""
    from click.testing import CliRunner

    from simulator.cli import cli
    from simulator.cli.common import Parts

    session = play(db_path, analyzer, freight)
    parts = Parts(analyzer=lambda: analyzer, encoder=lambda: None)
    for how in ("--assisted", "--unassisted"):  # two tries of the pitch make its details long
        answer = "What does one late drop in eight cost you with the supermarkets each month?"
        args = ["retry", str(session), str(PITCH_TURN), answer, how, "--db", str(db_path)]
        assert CliRunner().invoke(cli, args, obj=parts).exit_code == 0
    app = _app(db_path, analyzer, session)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ReviewScreen)
        await pilot.press("p")  # the pitch: labels, evidence and the customer's reaction
        await pilot.pause()
        side = screen.query_one("#review-side")
        assert side.max_scroll_y > 0, "the details are taller than the panel here"
        side.scroll_end(animate=False)
        await pilot.pause()
        figures = screen.query_one("#review-figures")
        assert figures.region.bottom <= side.region.bottom, "the last of the figures can be scrolled into view"
