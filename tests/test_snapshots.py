"""What the screens look like, compared with reviewed SVG snapshots (pytest-textual-snapshot).

Sizes, data and model loading are fixed so a snapshot changes only when a screen does: the models
are stand-ins that load at once, the database is empty, and the input cursor does not blink.
Update after a deliberate change with `pytest tests/test_snapshots.py --snapshot-update` and look
at the report before committing the new SVGs.
"""

from __future__ import annotations

import pytest

from simulator.ui.app import create_app


class InstantAnalyzer:
    """Stands in for spaCy on screens that never analyse a reply."""


@pytest.fixture
def start_app(store):
    app = create_app(
        store=store,
        analyzer_factory=InstantAnalyzer,
        encoder_factory=lambda: None,
        transcriber_factory=lambda: object(),
    )
    return app


async def _settled(pilot) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    for widget in pilot.app.screen.query("Input"):
        widget.cursor_blink = False
    await pilot.pause()


@pytest.mark.parametrize("size", [(80, 24), (160, 48)], ids=["80x24", "160x48"])
def test_start_screen(snap_compare, start_app, size):
    assert snap_compare(start_app, terminal_size=size, run_before=_settled)


SIZES = [(80, 24), (160, 48)]
SIZE_IDS = ["80x24", "160x48"]
# A short call that shows a little of everything: a question, a paraphrase, a pitch.
CALL = [
    "Thanks for making time, Dana. How do you plan the routes today?",
    "So every morning Marcus moves drivers around in a spreadsheet by hand.",
    "RouteDesk plans every route overnight.",
]


@pytest.fixture
def utc(monkeypatch):
    """Times on screen are local: fix the zone so the history reads the same everywhere."""
    import time

    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.delenv("TZ")
    time.tzset()


def _call_app(store, analyzer, freight):
    return create_app(
        store=store,
        rep="Ana Ruiz",
        scenario=freight,
        analyzer_factory=lambda: analyzer,
        transcriber_factory=lambda: object(),
    )


async def _play(pilot) -> None:
    await _settled(pilot)
    await pilot.press("ctrl+s")
    await pilot.pause()
    for line in CALL:
        pilot.app.screen.query_one("#reply").value = line
        await pilot.press("enter")
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
    await _settled(pilot)


async def _debrief(pilot) -> None:
    await _play(pilot)
    await pilot.press("ctrl+e", "enter")
    await pilot.pause()
    for answer in ("Dana told me how routes are planned.", "The paraphrase landed.", "Ask about late deliveries."):
        await pilot.press(*answer, "enter")
    await _settled(pilot)


@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
def test_call_screen(snap_compare, store, analyzer, freight, size):
    assert snap_compare(_call_app(store, analyzer, freight), terminal_size=size, run_before=_play)


@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
def test_call_ended(snap_compare, store, analyzer, freight, size):
    async def ended(pilot):
        await _play(pilot)
        await pilot.press("ctrl+e")
        await _settled(pilot)

    assert snap_compare(_call_app(store, analyzer, freight), terminal_size=size, run_before=ended)


@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
def test_debrief_reflection(snap_compare, store, analyzer, freight, size):
    async def reflecting(pilot):
        await _play(pilot)
        await pilot.press("ctrl+e", "enter")
        await pilot.pause()
        await pilot.press(*"Dana told me how routes are planned.", "enter")
        await _settled(pilot)

    assert snap_compare(_call_app(store, analyzer, freight), terminal_size=size, run_before=reflecting)


@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
def test_debrief_figures(snap_compare, store, analyzer, freight, size):
    assert snap_compare(_call_app(store, analyzer, freight), terminal_size=size, run_before=_debrief)


@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
def test_history(snap_compare, store, analyzer, freight, utc, size):
    from simulator.domain.session import PracticeCall, play_script

    for rep, lines in [("Ana Ruiz", CALL), ("Sam Lee", CALL[:1])]:
        call = PracticeCall(store, freight, rep)
        play_script(call, lines, analyzer.analyze_turn)
        call.save_debrief({"next_step": "Ask two needs questions first"})
    # Fixed times, so the snapshot does not change with the clock.
    store.db.execute("update sessions set started_at = '2025-03-04T09:0' || id || ':00.000+00:00'")
    store.db.conn.commit()
    app = create_app(store=store, analyzer_factory=InstantAnalyzer, transcriber_factory=lambda: object())
    assert snap_compare(app, terminal_size=size, press=["f2"], run_before=_settled)


@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
def test_too_small_notice(snap_compare, start_app, size):
    assert snap_compare(start_app, terminal_size=(size[0] // 4, size[1] // 3), run_before=_settled)
