"""The real app, driven by Pilot through whole calls, checked on screen and in the database."""

from __future__ import annotations

from textual.visual import visualize
from textual.widgets import DataTable, Input, OptionList, Static

from simulator.ui.app import create_app
from simulator.ui.screens.call import CallScreen
from simulator.ui.screens.debrief import DebriefScreen
from simulator.ui.screens.history import HistoryScreen, TranscriptScreen
from tests.conftest import GOOD_FREIGHT_CALL


async def _say(pilot, app, text: str) -> None:
    reply = app.screen.query_one("#reply", Input)
    reply.value = text
    await pilot.press("enter")
    await app.workers.wait_for_complete()
    await pilot.pause()


def _text(widget: Static) -> str:
    return str(widget.render())


async def test_whole_call_to_saved_debrief(store, analyzer, freight):
    app = create_app(store=store, analyzer_factory=lambda: analyzer)
    async with app.run_test(size=(140, 50)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        # Start screen: type a name, pick the scenario with the keyboard.
        name = app.screen.query_one("#rep-name", Input)
        name.focus()
        name.value = "Sam Lee"
        await pilot.press("enter")
        options = app.screen.query_one("#scenario-list", OptionList)
        assert options.has_focus
        ids = [options.get_option_at_index(i).id for i in range(options.option_count)]
        options.highlighted = ids.index("freight-discovery")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, CallScreen)
        assert "Dana here" in _text(app.screen.query(".turn.customer").first())

        for line in GOOD_FREIGHT_CALL:
            await _say(pilot, app, line)
            if app.screen.call.ended:
                break
        # The freight call meets its objective on the last line: the customer's agreement stays on
        # screen with why the call ended, and Enter opens the debrief.
        assert isinstance(app.screen, CallScreen)
        assert "let's do that" in _text(app.screen.query(".turn.customer").last())
        assert "Dana agreed to your objective" in _text(app.screen.query_one("#call-ended", Static))
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, DebriefScreen)
        results = app.screen.query_one("#results")
        assert results.display is False, "figures must wait until the rep has reflected"

        for key, answer in [
            ("what_happened", "Dana opened up about spreadsheets."),
            ("went_well", "I asked before pitching."),
            ("do_differently", "Ask about overtime."),
        ]:
            field = app.screen.query_one(f"#{key}", Input)
            field.focus()
            field.value = answer
            await pilot.press("enter")
        await pilot.pause()
        assert results.display is True
        table = app.screen.query_one("#figures", DataTable)
        assert table.row_count >= 8
        # Picking the paraphrases row shows the turn it came from, with the customer words it restates.
        table.move_cursor(row=[str(k.value) for k in table.rows].index("paraphrases"))
        await pilot.pause()
        evidence = _text(app.screen.query_one("#evidence", Static))
        assert "Turn 4" in evidence and "restates" in evidence

        step = app.screen.query_one("#next_step", Input)
        step.focus()
        step.value = "Ask about overtime before pitching."
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "Saved" in _text(app.screen.query_one("#saved", Static))

    sessions = store.sessions()
    assert len(sessions) == 1
    session = sessions[0]
    assert session.status == "debriefed" and session.objective_met == 1
    turns = store.turns(session.id)
    assert [t.speaker for t in turns[:3]] == ["customer", "rep", "customer"]
    assert turns[1].analysis is not None and turns[1].analysis.is_needs_question is True
    assert turns[3].analysis is not None and turns[3].analysis.is_paraphrase is True
    debrief = store.debrief(session.id)
    assert debrief is not None and debrief.what_happened == "Dana opened up about spreadsheets."
    assert debrief.next_step == "Ask about overtime before pitching."
    goal = store.latest_goal("Sam Lee")
    assert goal is not None and goal.next_step == "Ask about overtime before pitching."


async def test_rep_ends_call_early_and_goal_shows_next_time(store, analyzer, freight):
    app = create_app(store=store, rep="Ana", scenario=freight, analyzer_factory=lambda: analyzer)
    async with app.run_test(size=(140, 50)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.press("ctrl+s")  # start with the preselected rep and scenario
        await pilot.pause()
        assert isinstance(app.screen, CallScreen)
        await _say(pilot, app, "Our platform will save you hours every week, you should try it.")
        assert "selling me something" in _text(app.screen.query(".turn.customer").last())
        assert "pitch" in _text(app.screen.query(".turn.rep").last())
        await pilot.press("ctrl+e", "enter")
        await pilot.pause()
        assert isinstance(app.screen, DebriefScreen)
        await pilot.press("ctrl+n")
        await pilot.pause()
        focus = _text(app.screen.query_one("#focus", Static))
        assert "Ask before you advocate" in focus
        step = app.screen.query_one("#next_step", Input)
        step.value = "Two needs questions before any pitch."
        await pilot.press("ctrl+s")
        await pilot.press("ctrl+b")
        await pilot.pause()
        # Back on the start screen, the agreed next step is shown for this rep.
        assert "Two needs questions before any pitch." in _text(app.screen.query_one("#goal", Static))

    session = store.sessions()[0]
    assert session.end_reason == "rep_ended"
    reaction = store.turns(session.id)[2].customer
    assert reaction is not None and reaction.event == "objection"


async def test_history_and_transcript_show_evidence(store, analyzer, freight):
    from simulator.domain.session import PracticeCall, play_script

    call = PracticeCall(store, freight, "Kim")
    play_script(call, GOOD_FREIGHT_CALL[:3], lambda t, p, pr: analyzer.analyze_turn(t, p, pr))
    call.save_debrief({"next_step": "more paraphrases"})

    app = create_app(store=store, analyzer_factory=lambda: analyzer)
    async with app.run_test(size=(140, 50)) as pilot:
        await pilot.press("f2")
        await pilot.pause()
        assert isinstance(app.screen, HistoryScreen)
        table = app.screen.query_one("#sessions", DataTable)
        assert table.row_count == 1
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, TranscriptScreen)
        turns = app.screen.query_one("#turns", OptionList)
        turns.highlighted = 1
        await pilot.pause()
        evidence = _text(app.screen.query_one("#turn-evidence", Static))
        assert "needs question" in evidence and "open question" in evidence


async def test_broken_language_model_is_reported_and_reply_kept(store, freight):
    def broken():
        raise RuntimeError("model missing: run bash setup.sh")

    app = create_app(store=store, rep="Lee", scenario=freight, analyzer_factory=broken)
    async with app.run_test(size=(140, 50)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "model missing" in _text(app.screen.query_one("#model-status", Static))
        await pilot.press("ctrl+s")
        await pilot.pause()
        reply = app.screen.query_one("#reply", Input)
        reply.value = "How do you plan routes today?"
        await pilot.press("enter")
        await pilot.pause()
        assert reply.value == "How do you plan routes today?", "the typed reply must not be lost"


async def test_locked_database_gives_the_reply_back(db_path, analyzer):
    """Another program holds the database: the reply is not lost, and Enter retries it."""
    import sqlite3

    from simulator.storage import Store

    store = Store(db_path, timeout=0.2)
    app = create_app(store=store, rep="Lee", analyzer_factory=lambda: analyzer)
    async with app.run_test(size=(140, 50)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, CallScreen)
        blocker = sqlite3.connect(db_path)
        blocker.execute("begin exclusive")
        reply = app.screen.query_one("#reply", Input)
        reply.value = "How do you plan routes today?"
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert reply.value == "How do you plan routes today?"
        assert "Not saved" in _text(app.screen.query_one("#call-status", Static))
        assert len(app.screen.query(".turn.rep")) == 0
        blocker.rollback()
        blocker.close()
        reply.focus()
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert len(app.screen.query(".turn.rep")) == 1
    [session] = store.sessions()
    assert [t.speaker for t in store.turns(session.id)] == ["customer", "rep", "customer"]
    store.close()


async def test_brackets_in_names_and_replies_show_as_typed(store, analyzer, freight):
    """Text in square brackets ("[50%]", Whisper's "[BLANK_AUDIO]", even "[/b]") is what the rep
    said or typed: every screen shows it as it is, and none of them breaks on it."""
    rep, reply = "Jo [team B]", "How do you plan routes today, [BLANK_AUDIO] with [/b] a spreadsheet?"
    app = create_app(store=store, rep=rep, scenario=freight, analyzer_factory=lambda: analyzer)
    async with app.run_test(size=(160, 50)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.press("ctrl+s")
        await pilot.pause()
        await _say(pilot, app, reply)
        assert f"{rep}\n{reply}" in _text(app.screen.query(".turn.rep").last())
        await _say(pilot, app, "RouteDesk plans every route overnight.")
        await pilot.press("ctrl+e", "enter")
        await pilot.pause()
        assert isinstance(app.screen, DebriefScreen)
        await pilot.press("ctrl+n")
        await pilot.pause()
        table = app.screen.query_one("#figures", DataTable)
        table.move_cursor(row=[str(k.value) for k in table.rows].index("questions"))
        await pilot.pause()
        assert reply in _text(app.screen.query_one("#evidence", Static))
        await pilot.press("ctrl+b")
        await pilot.pause()
        await pilot.press("f2")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, TranscriptScreen)
        assert rep in _text(app.screen.query_one("#session-summary", Static))
        turns = app.screen.query_one("#turns", OptionList)
        shown = [visualize(turns, turns.get_option_at_index(i).prompt).plain for i in (1, 3)]
        assert reply in shown[0] and shown[0].endswith("[open question · needs: situation]")
        assert shown[1].endswith("overnight.  [pitch]")
        turns.highlighted = 1
        await pilot.pause()
        assert reply in _text(app.screen.query_one("#turn-evidence", Static))


async def test_start_screen_status_follows_a_model_that_loads_during_a_call(store, analyzer, freight):
    """The language model finishes loading while a call is open: back on the start screen, the
    status says it is ready (it used to keep saying "Loading the language model…")."""
    import threading

    loaded = threading.Event()

    def slow_analyzer():
        assert loaded.wait(30), "the test never let the model load"
        return analyzer

    app = create_app(
        store=store, rep="Ana", scenario=freight, analyzer_factory=slow_analyzer, transcriber_factory=lambda: object()
    )
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        status = app.screen.query_one("#model-status", Static)
        assert "Loading the language model" in _text(status)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, CallScreen)
        assert "Loading the language model" in _text(app.screen.query_one("#call-status", Static))
        loaded.set()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "Loading" not in _text(app.screen.query_one("#call-status", Static))
        await pilot.press("ctrl+e", "enter")
        await pilot.pause()
        assert isinstance(app.screen, DebriefScreen)
        await pilot.press("ctrl+b")
        await pilot.pause()
        assert "Language model ready" in _text(app.screen.query_one("#model-status", Static))
