"""The first calls as a new rep meets them (issue 15, and the tiny terminal of issue 14), each
checked through the real app with Pilot."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import DataTable, Input, OptionList, Static

from simulator.ui.app import create_app
from simulator.ui.screens.call import CallScreen
from simulator.ui.screens.debrief import DebriefScreen
from simulator.ui.screens.history import HistoryScreen, TranscriptScreen
from simulator.ui.screens.start import StartScreen
from simulator.ui.screens.too_small import TooSmallScreen
from tests.conftest import GOOD_FREIGHT_CALL


def _text(widget) -> str:
    return str(widget.render())


async def _say(pilot, text: str) -> None:
    app = pilot.app
    app.screen.query_one("#reply", Input).value = text
    await pilot.press("enter")
    await app.workers.wait_for_complete()
    await pilot.pause()


async def _play(pilot, lines) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.press("ctrl+s")
    await pilot.pause()
    for line in lines:
        await _say(pilot, line)
        if pilot.app.screen.call.ended:
            break


async def _to_figures(pilot) -> None:
    """From the ended call to the debrief's second phase."""
    if isinstance(pilot.app.screen, CallScreen):
        if not pilot.app.screen.call.ended:
            await pilot.press("ctrl+e")
        await pilot.press("enter")
        await pilot.pause()
    await pilot.press("ctrl+n")
    await pilot.pause()


def _visible(screen, widget) -> bool:
    """The widget's region overlaps the part of the screen the rep can see."""
    region = widget.region
    return region.height > 0 and region.y >= 0 and region.bottom <= screen.size.height


@pytest.mark.parametrize("size", [(80, 24), (160, 48)])
async def test_1_every_part_of_the_debrief_can_be_reached_and_the_next_step_is_saved(store, analyzer, freight, size):
    app = create_app(store=store, rep="Ana", scenario=freight, analyzer_factory=lambda: analyzer)
    async with app.run_test(size=size) as pilot:
        await _play(pilot, GOOD_FREIGHT_CALL)
        await _to_figures(pilot)
        screen = app.screen
        assert isinstance(screen, DebriefScreen)
        await pilot.press("tab")  # from the figures to the next-step box
        await pilot.pause()
        step = screen.query_one("#next_step", Input)
        assert step.has_focus
        assert _visible(screen, step), "the focused next-step box scrolls into view"
        await pilot.press(*"Sum up before proposing")
        await pilot.press("enter")
        await pilot.pause(0.2)
        saved = screen.query_one("#saved", Static)
        assert "Saved" in _text(saved) and _visible(screen, saved)
        assert screen.query_one("#focus", Static).region.height > 0
    debrief = store.debrief(store.sessions()[0].id)
    assert debrief is not None and debrief.next_step == "Sum up before proposing"


async def test_3_the_customers_last_line_and_why_the_call_ended_show_before_the_debrief(store, analyzer, freight):
    app = create_app(store=store, rep="Ana", scenario=freight, analyzer_factory=lambda: analyzer)
    async with app.run_test(size=(100, 30)) as pilot:
        await _play(pilot, ["Our platform will save you hours every week, you should try it."])
        await pilot.press("ctrl+e")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, CallScreen), "the rep reads the ending before the debrief opens"
        assert "Talk soon" in _text(screen.query(".turn.customer").last())
        assert "You ended the call." in _text(screen.query_one("#call-ended", Static))
        assert screen.query_one("#reply", Input).disabled
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, DebriefScreen)


@pytest.mark.parametrize(
    "reply, why",
    [("Do you have trucks?", "ran out of patience"), ("Our platform will save you hours, try it.", "pushed too hard")],
)
async def test_3_a_customer_who_ends_the_call_says_why(store, analyzer, freight, reply, why):
    app = create_app(store=store, rep="Ana", scenario=freight, analyzer_factory=lambda: analyzer)
    async with app.run_test(size=(100, 30)) as pilot:
        await _play(pilot, [reply] * freight.patience)
        assert isinstance(app.screen, CallScreen) and app.screen.call.ended
        assert why in _text(app.screen.query_one("#call-ended", Static))


async def test_4_and_6_a_mastered_call_moves_the_focus_on_and_a_poor_one_is_not_praised(store, analyzer, freight):
    app = create_app(store=store, rep="Ana", scenario=freight, analyzer_factory=lambda: analyzer)
    async with app.run_test(size=(160, 48)) as pilot:
        await _play(pilot, GOOD_FREIGHT_CALL)
        await _to_figures(pilot)
        focus = _text(app.screen.query_one("#focus", Static))
        strengths = _text(app.screen.query_one("#strengths", Static))
        assert "Uncover the customer's needs" not in focus and "Take on a harder customer" in focus
        assert "Propose the next step" in strengths and "Also shown" in strengths

    app = create_app(store=store, rep="Bo", scenario=freight, analyzer_factory=lambda: analyzer)
    async with app.run_test(size=(160, 48)) as pilot:
        await _play(
            pilot,
            ["Do you use spreadsheets?", "Is it slow?", "Do you have many trucks?", "RouteDesk plans every route."],
        )
        await _to_figures(pilot)
        strengths = _text(app.screen.query_one("#strengths", Static))
        assert "Ask before you advocate" not in strengths
        assert "Ask before you advocate" in _text(app.screen.query_one("#focus", Static))


async def test_5_tabbing_back_into_an_answer_does_not_select_it(store, analyzer, freight):
    app = create_app(store=store, rep="Ana", scenario=freight, analyzer_factory=lambda: analyzer)
    async with app.run_test(size=(100, 30)) as pilot:
        await _play(pilot, GOOD_FREIGHT_CALL[:1])
        await pilot.press("ctrl+e", "enter")
        await pilot.pause()
        await pilot.press(*"Dana opened up", "enter")
        await pilot.press(*"I asked first")
        await pilot.press("shift+tab")
        await pilot.pause()
        first = app.screen.query_one("#what_happened", Input)
        assert first.has_focus
        await pilot.press("x")
        assert first.value == "Dana opened upx", "the next key adds to the answer, it does not replace it"
        assert app.screen.query_one("#went_well", Input).value == "I asked first"


async def test_7_patience_shows_the_turns_left(store, analyzer, freight):
    app = create_app(store=store, rep="Ana", scenario=freight, analyzer_factory=lambda: analyzer)
    async with app.run_test(size=(100, 30)) as pilot:
        await _play(pilot, [])
        patience = app.screen.query_one("#patience", Static)
        assert f"{freight.patience} turns left" in _text(patience)
        await _say(pilot, "How do you plan the routes today?")
        assert f"{freight.patience - 1} turns left" in _text(patience)
        assert "■" * (freight.patience - 1) + "□" in _text(patience)


async def test_8_start_screen_focus_for_a_new_rep_and_after_a_call(store, analyzer, freight):
    from simulator.domain.session import PracticeCall

    PracticeCall(store, freight, "Previous Rep").start()
    app = create_app(store=store, analyzer_factory=lambda: analyzer)
    async with app.run_test(size=(100, 30)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        name = app.screen.query_one("#rep-name", Input)
        assert name.has_focus and name.value == "Previous Rep"
        await pilot.press(*"Nia")
        assert name.value == "Nia", "a new rep types over the last rep's name"
        await pilot.press("enter")
        options = app.screen.query_one("#scenario-list", OptionList)
        assert options.has_focus
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, CallScreen) and app.screen.call.rep_name == "Nia"
        await pilot.press("ctrl+e", "enter")
        await pilot.pause()
        await pilot.press("ctrl+b")
        await pilot.pause()
        assert isinstance(app.screen, StartScreen)
        options = app.screen.query_one("#scenario-list", OptionList)
        assert options.has_focus, "Enter and the arrows work at once after a call"
        before = options.highlighted
        await pilot.press("down")
        assert options.highlighted == (before or 0) + 1
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, CallScreen)


async def test_9_names_apart_figures_whole_history_in_words(store, analyzer, freight, monkeypatch):
    import time

    monkeypatch.setenv("TZ", "Europe/Stockholm")
    time.tzset()
    try:
        app = create_app(store=store, rep="Ana", scenario=freight, analyzer_factory=lambda: analyzer)
        async with app.run_test(size=(80, 24)) as pilot:
            await _play(pilot, GOOD_FREIGHT_CALL)
            assert "Dana Okafor\nHi, Dana here" in _text(app.screen.query(".turn.customer").first())
            await _to_figures(pilot)
            table = app.screen.query_one("#figures", DataTable)
            row = [str(k.value) for k in table.rows].index("ask_before_advocate")
            cells = [str(c) for c in table.get_row_at(row)]
            assert cells[1].startswith("yes: no pitch") or "before the first pitch" in cells[1]
            assert cells[2].startswith("turns"), "the Turns column is there at 80 columns"
            value_width = table.columns[table.ordered_columns[1].key].width
            assert value_width >= 20
            await pilot.press("ctrl+s", "ctrl+b", "f2")
            await pilot.pause()
            assert isinstance(app.screen, HistoryScreen)
            sessions = app.screen.query_one("#sessions", DataTable)
            when, *_rest, focus = [str(c) for c in sessions.get_row_at(0)]
            assert focus == "Take on a harder customer" and "_" not in focus
            session = store.sessions()[0]
            from simulator.storage.store import local_time

            assert when == local_time(session.started_at) != session.started_at[:16].replace("T", " ")
            await pilot.press("enter")
            await pilot.pause()
            assert isinstance(app.screen, TranscriptScreen)
            assert "Focus next: Take on a harder customer" in _text(app.screen.query_one("#session-summary", Static))
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()


async def test_9_the_palette_screenshot_saves_beside_the_database(store, analyzer):
    app = create_app(store=store, analyzer_factory=lambda: analyzer)
    async with app.run_test(size=(80, 24)) as pilot:
        commands = [c.title for c in app.get_system_commands(app.screen)]
        assert commands.count("Screenshot") == 1
        app.save_picture()
        await pilot.pause()
    saved = list((Path(store.path).parent / "screenshots").glob("*.svg"))
    assert len(saved) == 1


def test_9_time_before_you_answer_on_a_spoken_call_says_it_was_not_measured():
    from analysis.coaching.figures import NEEDS_AUDIO, call_metrics
    from analysis.types import SpeechTiming, TimedWord, TurnAnalysis
    from tests.test_metrics import Turn

    words = tuple(TimedWord(f"w{i}", i * 0.3, i * 0.3 + 0.25) for i in range(5))
    spoken = TurnAnalysis(words=5).with_speech(SpeechTiming(2.0, words))  # no waiting time measured
    figure = call_metrics([Turn(0, "customer", "Go ahead."), Turn(1, "rep", "w w w w w", spoken)])["response_time"]
    assert figure.value is None and figure.note != NEEDS_AUDIO and "not measured" in figure.note


async def test_14_4_any_terminal_size_and_the_typed_reply_is_kept(store, analyzer, freight):
    app = create_app(store=store, rep="Ana", scenario=freight, analyzer_factory=lambda: analyzer)
    async with app.run_test(size=(80, 24)) as pilot:
        await _play(pilot, [])
        reply = app.screen.query_one("#reply", Input)
        reply.value = "How do you plan"
        reply.cursor_position = len(reply.value)
        await pilot.resize_terminal(20, 8)
        await pilot.pause(0.1)
        assert isinstance(app.screen, TooSmallScreen)
        await pilot.press(*" routes", "enter", "f2")
        await pilot.pause()
        assert isinstance(app.screen, TooSmallScreen), "F2 does not open a screen the terminal cannot hold"
        for size in [(1, 1), (5, 3), (30, 10), (59, 30)]:
            await pilot.resize_terminal(*size)
            await pilot.pause(0.05)
        await pilot.resize_terminal(80, 24)
        await pilot.pause(0.1)
        assert isinstance(app.screen, CallScreen)
        assert reply.value == "How do you plan routes", "the reply typed is kept, and Enter waited"
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert len(app.screen.query(".turn.rep")) == 1


@pytest.mark.parametrize("screen", ["start", "debrief", "history"])
async def test_14_4_every_screen_survives_a_tiny_terminal(store, analyzer, freight, screen):
    from simulator.domain.session import PracticeCall, play_script

    call = PracticeCall(store, freight, "Kim")
    play_script(call, GOOD_FREIGHT_CALL[:3], analyzer.analyze_turn)
    call.save_debrief({})
    app = create_app(store=store, rep="Ana", scenario=freight, analyzer_factory=lambda: analyzer)
    async with app.run_test(size=(20, 8)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, TooSmallScreen), "a terminal too small from the start gets the notice"
        await pilot.resize_terminal(80, 24)
        await pilot.pause(0.1)
        if screen == "debrief":
            await _play(pilot, GOOD_FREIGHT_CALL[:2])
            await _to_figures(pilot)
        elif screen == "history":
            await pilot.press("f2", "enter")
            await pilot.pause()
        for size in [(1, 1), (3, 2), (20, 8), (40, 12), (80, 24)]:
            await pilot.resize_terminal(*size)
            await pilot.pause(0.05)
        assert not isinstance(app.screen, TooSmallScreen)


async def test_the_start_screen_filters_scenarios_by_call_type_industry_and_difficulty(store):
    """Every scenario is listed; typing in the filter narrows the list by call type, industry or
    difficulty, and Enter there moves to the list."""
    from textual.widgets import Input, OptionList

    from simulator.ui.app import create_app

    app = create_app(store=store, rep="Ana", analyzer_factory=object, encoder_factory=lambda: None,
                     transcriber_factory=lambda: object())  # fmt: skip
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        options = app.screen.query_one("#scenario-list", OptionList)
        every = len(app.catalogue.scenarios)
        assert options.option_count == every >= 12
        box = app.screen.query_one("#scenario-filter", Input)
        box.focus()
        for query, check in [
            ("cold", lambda s: "cold" in s.call_type),
            ("3", lambda s: s.difficulty == 3),
            ("★★ renewal", lambda s: s.difficulty == 2 and "renewal" in s.call_type),
            ("logistics", lambda s: s.industry == "logistics"),
        ]:
            box.value = query
            await pilot.pause()
            expected = [s.id for s in app.catalogue.scenarios if check(s)]
            shown = [options.get_option_at_index(i).id for i in range(options.option_count)]
            assert shown == expected and expected, query
        await pilot.press("enter")
        assert options.has_focus
        box.value = ""
        await pilot.pause()
        assert options.option_count == every
