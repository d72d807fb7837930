"""A call played into a real database, for the coach-review tests."""

from __future__ import annotations

from pathlib import Path

from simulator.domain.session import PracticeCall, play_script
from simulator.storage import Store
from simulator.ui.app import SparringApp, create_app

# Asks, paraphrases, then pitches after one needs question too few, and proposes the objective.
REVIEW_CALL = [
    "Thanks for making time, Dana. Before I say anything about us, how do you plan the routes today?",
    "So every morning Marcus moves drivers around in a spreadsheet by hand, and the trucks can't leave until nine.",
    "What does the late start cost you?",
    "RouteDesk plans routes automatically, so Marcus could be done by seven.",
    "What impact do the late drops have on your customers?",
    "Could we set up a meeting next week with you and Marcus?",
]
PITCH_TURN = 8  # as numbered in the transcript (1-based): the fourth reply


def play(db: Path, analyzer, scenario, rep: str = "Sam Lee", replies=REVIEW_CALL) -> int:
    store = Store(db)
    try:
        call = PracticeCall(store, scenario, rep, input_mode="script")
        play_script(call, replies, analyzer.analyze_turn)
        call.save_debrief({"what_happened": "Dana told me about the spreadsheet.", "next_step": "Ask two more"})
        assert call.session_id is not None
        return call.session_id
    finally:
        store.close()


def review_app(db: Path | Store, analyzer, session: int | None = None, **parts) -> SparringApp:
    """The app on the review of SESSION (the history when None), with the test's analyzer and
    no sentence or speech model unless PARTS gives them."""
    options = {"encoder_factory": lambda: None, "transcriber_factory": lambda: None} | parts
    app = create_app(store=db if isinstance(db, Store) else Store(db), analyzer_factory=lambda: analyzer, **options)
    app.review_session = session
    return app
