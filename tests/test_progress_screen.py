"""The progress screen: plots of a rep's figures across several real sessions, checked by snapshot."""

from __future__ import annotations

import pytest
from textual_plotext import PlotextPlot

from simulator.domain.session import PracticeCall, play_script
from simulator.domain.understanding import MeaningMatcher
from simulator.ui.app import create_app
from simulator.ui.screens.progress import ProgressScreen
from tests.conftest import GOOD_FREIGHT_CALL
from tests.test_progress import WEAK_FREIGHT_CALL
from tests.test_snapshots import InstantAnalyzer

# Three calls getting better, each with a debrief and a next step, so goals are agreed and checked.
MIDDLE_FREIGHT_CALL = [
    "How do you plan the routes today?",
    "What problems does that cause for your deliveries?",
    "RouteDesk plans routes automatically.",
    "Could we set up a meeting next week?",
]


@pytest.fixture
def progress_store(store, freight, analyzer, encoder):
    """A real SQLite file with Sam's three calls and a single call by Ana."""
    for rep, replies, step in (
        ("Sam Lee", WEAK_FREIGHT_CALL, "Ask before I pitch."),
        ("Sam Lee", MIDDLE_FREIGHT_CALL, "Ask what the delays cost."),
        ("Sam Lee", GOOD_FREIGHT_CALL, "Paraphrase once more."),
        ("Ana Ruiz", GOOD_FREIGHT_CALL, ""),
    ):
        call = PracticeCall(store, freight, rep, understanding=MeaningMatcher(freight, encoder))
        play_script(call, replies, analyzer.analyze_turn)
        call.save_debrief({"next_step": step})
    return store


def _app(store, rep="Sam Lee"):
    return create_app(
        store=store,
        rep=rep,
        analyzer_factory=InstantAnalyzer,
        encoder_factory=lambda: None,
        transcriber_factory=lambda: object(),
    )


async def _to_progress(pilot) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.press("f4")
    await pilot.pause()
    await pilot.pause()


def test_progress_screen_plots_a_rep_with_several_sessions(snap_compare, progress_store):
    assert snap_compare(_app(progress_store), terminal_size=(160, 50), run_before=_to_progress)


async def test_progress_screen_picks_a_rep_and_plots_their_sessions(progress_store):
    app = _app(progress_store)
    async with app.run_test(size=(160, 50)) as pilot:
        await _to_progress(pilot)
        screen = app.screen
        assert isinstance(screen, ProgressScreen)
        assert screen.shown is not None and screen.shown.rep == "Sam Lee" and len(screen.shown.sessions) == 3
        assert len(screen.query(PlotextPlot)) == 8
        screen.query_one("#progress-rep").value = "Ana Ruiz"
        await pilot.pause()
        assert screen.shown.rep == "Ana Ruiz" and len(screen.shown.sessions) == 1
        await pilot.press("f3")
        assert not isinstance(app.screen, ProgressScreen)
