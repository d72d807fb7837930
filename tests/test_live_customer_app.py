"""Two terminals on one database: the rep's app and the customer's app (`spar team customer`),
driven together by Pilot, a person's lines typed into the customer's app, to the rep's debrief and
the group's side-by-side table."""

from __future__ import annotations

from collections.abc import Callable

from click.testing import CliRunner
from textual.widgets import Input, OptionList, Static

from simulator.cli import cli
from simulator.storage import Store
from simulator.ui.app import create_app
from simulator.ui.customer_app import CustomerApp
from simulator.ui.screens.debrief import DebriefScreen
from simulator.ui.screens.live_call import LiveCallScreen
from simulator.ui.screens.live_customer import CustomerScreen
from simulator.ui.screens.start import StartScreen


def _no_speech():
    raise RuntimeError("no speech model in this test: replies are typed")


def _text(widget: Static) -> str:
    return str(widget.render())


async def _until(condition: Callable[[], bool], *pilots, seconds: float = 10.0) -> None:
    """Let both apps run (their timers and workers) until CONDITION holds."""
    for _ in range(int(seconds / 0.05)):
        if condition():
            return
        for pilot in pilots:
            await pilot.pause(0.025)
    raise AssertionError("timed out waiting for the other terminal")


def _reaction_prompts(app) -> str:
    options = app.screen.query_one("#reaction", OptionList)
    return " | ".join(str(options.get_option_at_index(i).prompt) for i in range(options.option_count))


def _rep_app(db_path, analyzer, freight, **live_options: float):
    app = create_app(store=Store(db_path), rep="Ana", scenario=freight, analyzer_factory=lambda: analyzer,
                     encoder_factory=lambda: None, transcriber_factory=_no_speech)  # fmt: skip
    app.initial_live = True
    app.team_group = "tuesday-live"
    app.live_options = {"poll_seconds": 0.25, **live_options}
    return app


async def _rep_says(pilot, app, text: str) -> None:
    reply = app.screen.query_one("#reply", Input)
    assert not reply.disabled
    reply.value = text
    await pilot.press("enter")


async def _customer_says(pilot, app, text: str, reaction: str = "answer", trust: str | None = None,
                         *, keys: bool = False) -> None:  # fmt: skip
    """The person picks what their line does and their trust (with the keyboard when KEYS: each key
    press costs a Pilot test a third of a second), then sends the line."""
    screen = app.screen

    async def pick(list_id: str, key: str, option_id: str) -> None:
        options = screen.query_one(list_id, OptionList)
        if keys:
            await pilot.press(key)
            assert options.has_focus
        options.highlighted = [options.get_option_at_index(i).id for i in range(options.option_count)].index(option_id)
        if keys:
            await pilot.press("enter")  # chosen: back to the line box

    if trust is not None:
        await pick("#trust", "ctrl+t", trust)
    await pick("#reaction", "ctrl+r", reaction)
    line = screen.query_one("#line", Input)
    assert line.has_focus
    line.value = text
    await pilot.press("enter")


async def test_a_person_plays_the_customer_from_a_second_app(db_path, analyzer, freight):
    rep_app = _rep_app(db_path, analyzer, freight)
    async with rep_app.run_test(size=(140, 50)) as rep:
        await rep_app.workers.wait_for_complete()
        start = rep_app.screen
        assert isinstance(start, StartScreen)
        await rep.press("ctrl+s")  # "A person plays the customer" is ticked (--live)
        await rep.pause()
        screen = rep_app.screen
        assert isinstance(screen, LiveCallScreen)
        code = screen.person.live_call.code
        assert f"spar team customer {code}" in _text(screen.query_one("#live-banner", Static))
        assert screen.query_one("#reply", Input).disabled

        # The customer's terminal joins by the code, as `spar team customer CODE --name Kim` does.
        customer_store = Store(db_path)
        (waiting,) = customer_store.live_calls(code=code)
        live = customer_store.join_live_call(waiting.id, "Kim")
        customer_app = CustomerApp(customer_store, live, freight, poll_seconds=0.25)
        async with customer_app.run_test(size=(160, 50)) as customer:
            await customer.pause()
            card = _text(customer_app.screen.query_one("#card-text", Static))
            assert "Your hidden needs" in card and "Routes are planned by hand" in card
            await _until(lambda: "Kim has joined" in _text(screen.query_one("#live-banner", Static)), rep, customer)

            # The opening: the card's line is in the box; the person writes their own.
            line = customer_app.screen.query_one("#line", Input)
            assert "Dana" in line.value
            line.value = ""
            await customer.press(*"Dana. Go.", "enter")  # typed key by key
            await _until(lambda: screen.started and not screen.query_one("#reply", Input).disabled, rep, customer)
            assert "Dana. Go." in _text(screen.query(".turn.customer").first())

            exchanges = [
                ("How do you plan the routes today?", "Marcus does it by hand every morning.",
                 "need:manual-planning", "silver"),
                ("What does that cost you in overtime?", "Overtime eats the truck budget.",
                 "need:manual-planning", None),
                ("How do late deliveries affect your customers?", "Two big customers complain.",
                 "need:late-deliveries", None),
                ("What would it mean if they were on time?", "We would keep the contract.",
                 "need:late-deliveries", "gold"),
                ("Could we meet next week with Marcus?", "Yes, next week with Marcus.", "agree", None),
            ]  # fmt: skip
            for number, (rep_line, customer_line, reaction, trust) in enumerate(exchanges, start=1):
                await _rep_says(rep, rep_app, rep_line)
                await _until(
                    lambda: "Waiting for Kim to answer" in _text(screen.query_one("#live-banner", Static)), rep
                )
                # The rep's line reaches the customer's screen; it is now their turn.
                customer_screen = customer_app.screen
                assert isinstance(customer_screen, CustomerScreen)
                await _until(lambda: customer_screen.my_turn == 2 * number, rep, customer)  # noqa: B023
                assert rep_line in _text(customer_screen.query(".turn.rep").last())
                await _customer_says(customer, customer_app, customer_line, reaction, trust, keys=number == 1)
                await _until(lambda: len(screen.call.turns) == 2 * number + 1, rep, customer)  # noqa: B023
                assert customer_line in _text(screen.query(".turn.customer").last())
                if number == 1:  # the need's reaction now offers its next layer
                    await _until(lambda: "What it costs: Routes" in _reaction_prompts(customer_app), customer)

            # The customer agreed: the rep's call is over, and the customer's screen says so.
            assert screen.call.ended
            assert "Dana agreed to your objective" in _text(screen.query_one("#call-ended", Static))
            await _until(lambda: customer_app.screen.over, customer)
            assert "You agreed to Ana's objective" in _text(customer_app.screen.query_one("#live-status", Static))

        await rep.press("enter")
        await rep.pause()
        assert isinstance(rep_app.screen, DebriefScreen)
        await rep.press("ctrl+n")
        await rep.pause()
        await rep.press("ctrl+s")
        await rep.pause()

    store = Store(db_path)
    (session,) = store.sessions()
    assert session.status == "debriefed" and session.objective_met == 1
    row = store.db.table("sessions").get(session.id)
    assert row["customer_played_by"] == "Kim" and row["group_id"] == "tuesday-live" and row["mode"] == "team"
    turns = store.turns(session.id)
    assert [t.speaker for t in turns] == ["customer", "rep"] * 5 + ["customer"]
    assert turns[1].analysis is not None and turns[1].analysis.is_needs_question
    snapshot_needs = [n for n in store.db.query("select needs_uncovered_json from sessions")]
    assert "manual-planning" in snapshot_needs[0]["needs_uncovered_json"]
    # The live call sits in its group's side-by-side table like any other.
    shown = CliRunner().invoke(cli, ["team", "show", "tuesday-live", "--db", str(db_path)])
    assert shown.exit_code == 0, shown.output
    assert "Ana" in shown.output and "Needs uncovered" in shown.output
    assert store.live_call(live.id).status.value == "joined"


async def test_the_customer_closing_their_terminal_leaves_the_rep_a_debrief(db_path, analyzer, freight):
    rep_app = _rep_app(db_path, analyzer, freight)
    async with rep_app.run_test(size=(140, 50)) as rep:
        await rep_app.workers.wait_for_complete()
        await rep.press("ctrl+s")
        await rep.pause()
        screen = rep_app.screen
        assert isinstance(screen, LiveCallScreen)
        customer_store = Store(db_path)
        live = customer_store.join_live_call(customer_store.live_calls(code=screen.person.live_call.code)[0].id, "Kim")
        customer_app = CustomerApp(customer_store, live, freight, poll_seconds=0.25)
        async with customer_app.run_test(size=(160, 50)) as customer:
            await customer.press("enter")  # the card's opening line
            await _until(lambda: screen.started, rep, customer)
            # Written ahead, before the rep has spoken: Enter keeps it in the box, nothing is sent.
            early = customer_app.screen.query_one("#line", Input)
            early.value = "Too soon."
            await customer.press("enter")
            assert early.value == "Too soon." and customer_store.live_reply(live.id, 2) is None
            await _rep_says(rep, rep_app, "How do you plan the routes today?")
            await _until(lambda: customer_app.screen.my_turn == 2, rep, customer)
        # The customer's app has closed mid-call, their line unsaid.
        await _until(lambda: screen.gone is not None, rep)
        status = _text(screen.query_one("#live-banner", Static))
        assert "Kim left the call" in status and "Ctrl+E" in status
        await rep.press("ctrl+e")
        await rep.pause()
        assert "(The customer had left the call.)" in _text(screen.query(".turn.customer").last())
        await rep.press("enter")
        await rep.pause()
        assert isinstance(rep_app.screen, DebriefScreen)

    store = Store(db_path)
    (session,) = store.sessions()
    assert session.status == "ended" and session.end_reason == "rep_ended"
    assert [t.speaker for t in store.turns(session.id)] == ["customer", "rep", "customer"]


async def test_the_rep_can_cancel_before_anyone_joins(db_path, analyzer, freight):
    rep_app = _rep_app(db_path, analyzer, freight)
    async with rep_app.run_test(size=(140, 50)) as rep:
        await rep_app.workers.wait_for_complete()
        await rep.press("ctrl+s")
        await rep.pause()
        screen = rep_app.screen
        assert isinstance(screen, LiveCallScreen)
        await rep.press("ctrl+e")
        await rep.pause()
        assert isinstance(rep_app.screen, StartScreen)
    store = Store(db_path)
    assert store.sessions() == []
    assert store.live_call(screen.person.live_call.id).status.value == "cancelled"


async def test_the_customer_is_told_when_the_reps_terminal_has_gone(db_path, freight):
    store = Store(db_path)
    opened = store.open_live_call(freight, "Ana")  # the rep's terminal then closes: no heartbeat after this
    live = store.join_live_call(opened.id, "Kim")
    app = CustomerApp(store, live, freight, poll_seconds=0.1, gone_after=0.5)
    async with app.run_test(size=(160, 50)) as customer:
        await customer.press("enter")  # the opening: now the person waits for the rep
        assert store.live_reply(live.id, 0) is not None
        status = app.screen.query_one("#live-status", Static)
        store.live_heartbeat(live.id, rep=True)  # the rep's last sign of life
        app.screen.poll()
        assert "Waiting for Ana" in _text(status)
        await _until(lambda: "terminal seems to be closed" in _text(status), customer)
        assert "Ana's terminal" in _text(status) and "Ctrl+Q" in _text(status)
    # Closing the customer's app mid-call tells a rep who comes back that the customer left.
    assert store.live_call(live.id).status.value == "left"


async def test_quitting_before_anyone_joins_closes_the_code(db_path, analyzer, freight):
    rep_app = _rep_app(db_path, analyzer, freight)
    async with rep_app.run_test(size=(140, 50)) as rep:
        await rep_app.workers.wait_for_complete()
        await rep.press("ctrl+s")
        await rep.pause()
        live_id = rep_app.screen.person.live_call.id
        await rep.press("ctrl+q")
    assert Store(db_path).live_call(live_id).status.value == "cancelled"
