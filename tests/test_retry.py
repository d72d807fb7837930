"""Retry a moment (#18) and assisted attempts in progress (#20), on real SQLite files: the review
screen's `t` (Pilot), `spar retry`, exports that keep retries through `spar import`, `spar progress`."""

from __future__ import annotations

import json
import re
import sqlite3
import wave
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner
from textual.widgets import Input, OptionList, Static

from analysis.coaching.retry import Retry, RetryReaction
from analysis.types import TurnAnalysis
from simulator.cli import cli
from simulator.cli.common import Parts
from simulator.domain.retry import RetryUnavailable, played_scenario_file
from simulator.domain.scenario_file import load_scenario
from simulator.domain.turn_audio import retry_audio
from simulator.locations import builtin_scenarios_dir
from simulator.storage import Store
from simulator.storage.store import PlayedScenario
from simulator.ui.app import create_app
from simulator.ui.screens.review import RetryDialog, ReviewScreen
from tests.review_helpers import PITCH_TURN, play, review_app

# At the pitch (turn 8), Dana has just said that one drop in eight is late: asking what that costs
# develops the need; the pitch in the call did not.
BETTER_ANSWER = "What does one late drop in eight cost you with the supermarkets?"


@pytest.fixture
def played(db_path, analyzer, freight) -> int:
    return play(db_path, analyzer, freight)


@pytest.fixture
def spar(analyzer):
    def invoke(*args: str):
        # No sentence model: the customer understands by topic words, as when the call was played.
        parts = Parts(analyzer=lambda: analyzer, encoder=lambda: None)
        return CliRunner().invoke(cli, list(args), catch_exceptions=False, obj=parts)

    return invoke


def _rows(db: Path) -> list[sqlite3.Row]:
    with sqlite3.connect(db) as conn:
        conn.row_factory = sqlite3.Row
        return conn.execute("select * from retries order by id").fetchall()


# --- the review screen ------------------------------------------------------------------------
async def test_a_coach_prompts_a_retry_in_review_and_it_is_stored_as_assisted_and_shown(db_path, analyzer, freight):
    session = play(db_path, analyzer, freight)
    app = review_app(db_path, analyzer, session)
    async with app.run_test(size=(160, 48)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ReviewScreen)
        turns = screen.query_one("#review-turns", OptionList)

        turns.highlighted = 0  # the customer's opening cannot be tried again
        await pilot.press("t")
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen)

        await pilot.press("p")  # the pitch
        assert turns.highlighted == PITCH_TURN - 1
        await pilot.press("t")
        await screen.workers.wait_for_complete()
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, RetryDialog)
        moment = str(dialog.query_one("#retry-moment", Static).render())
        assert "one drop in eight misses its window" in moment, "the customer's line the rep was answering"
        assert "RouteDesk plans routes automatically" in moment, "and what the rep said then"

        dialog.query_one("#how-prompt").value = True  # the coach gave a hint first: assisted
        dialog.query_one("#retry-author", Input).value = "Kim"
        dialog.query_one("#retry-text", Input).value = BETTER_ANSWER
        dialog.query_one("#retry-text", Input).focus()
        await pilot.press("enter")
        await pilot.pause()
        await screen.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen)

        detail = str(screen.query_one("#review-detail", Static).render())
        assert "in the call: pitch; the customer heard a pitch" in detail
        assert f"Try 1, with help (prompt, Kim): “{BETTER_ANSWER}”" in detail
        assert "needs: implication; the customer said what the need costs them (trust 5 → 6)" in detail
        assert "tried again ×1" in str(turns.get_option_at_index(PITCH_TURN - 1).prompt)

    [row] = _rows(db_path)  # read back from the file itself
    assert (row["session_id"], row["turn_idx"], row["text"]) == (session, PITCH_TURN - 1, BETTER_ANSWER)
    assert (row["assisted"], row["how"], row["author"], row["input_mode"]) == (1, "prompt", "Kim", "typed")
    assert row["is_needs_question"] == 1 and row["spin"] == "implication"
    reaction = json.loads(row["customer_json"])
    assert reaction["event"] == "need_developed" and reaction["need_id"] == "late-deliveries"
    # The call itself is as it was.
    store = Store(db_path)
    assert store.turns(session)[PITCH_TURN - 1].text.startswith("RouteDesk plans routes")


# --- spar retry ---------------------------------------------------------------------------------
def test_spar_retry_prints_the_analysis_and_the_customers_reaction_and_stores_each_attempt(db_path, played, spar):
    first = spar(
        "retry", str(played), str(PITCH_TURN), "Tell me about your week.", "--unassisted", "--db", str(db_path)
    )
    assert first.exit_code == 0, first.output
    assert "tried again (on your own)" in first.stdout
    assert "In the call: RouteDesk plans routes automatically" in first.stdout
    assert "Saved: attempt 1 at turn 8." in first.stdout

    second = spar(
        "retry", str(played), str(PITCH_TURN), BETTER_ANSWER, "--assisted", "--how", "demonstrate",
        "--author", "Kim", "--json", "--db", str(db_path),
    )  # fmt: skip
    assert second.exit_code == 0, second.output
    data = json.loads(second.stdout)
    assert data["turn"] == PITCH_TURN and data["assisted"] is True and data["how"] == "demonstrate"
    assert data["analysis"]["is_needs_question"] is True and data["analysis"]["spin"] == "implication"
    assert data["customer"]["event"] == "need_developed" and data["customer"]["trust_after"] == 6
    assert data["original"]["analysis"]["is_pitch"] is True
    assert data["original"]["customer"]["event"] == "heard_pitch"
    assert data["customer_before"].startswith("Late deliveries are the big one.")
    assert data["replay_matched"] is True and data["warning"] is None

    rows = _rows(db_path)
    assert [(r["assisted"], r["how"]) for r in rows] == [(0, "release"), (1, "demonstrate")]
    assert [r.turn for r in Store(db_path).retries(played)] == [PITCH_TURN - 1, PITCH_TURN - 1]


def test_the_replayed_customer_is_as_it_was_at_that_moment(db_path, played, spar):
    """Turn 2 is the first reply: the customer has told nothing yet, so the same question reveals
    the same need at the same trust as in the call."""
    data = json.loads(
        spar(
            "retry",
            str(played),
            "2",
            "How do you plan the routes today?",
            "--unassisted",
            "--json",
            "--db",
            str(db_path),
        ).stdout  # fmt: skip
    )
    assert data["customer"]["event"] == "need_revealed"
    assert (data["customer"]["trust_before"], data["customer"]["trust_after"]) == (1, 2)
    assert data["customer"]["need_id"] == data["original"]["customer"]["need_id"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["{s}", "1", "Hello", "--unassisted"], "turn 1 of session {s} is the customer's"),
        (["{s}", "99", "Hello", "--unassisted"], "has no turn 99"),
        (["999", "2", "Hello", "--assisted"], "no session 999"),
        (["{s}", "2", "Hello"], "pass --assisted or --unassisted"),
        (["{s}", "2", "  ", "--assisted"], "a retry needs some words"),
        (["{s}", "2", "Hello", "--unassisted", "--how", "demonstrate"], "'demonstrate' makes a retry assisted"),
        (["{s}", "2", "Hello", "--assisted", "--how", "release"], "'release' makes a retry unassisted"),
    ],
)
def test_bad_retries_are_one_line_and_exit_2(db_path, played, spar, args, message):
    result = spar("retry", *[a.format(s=played) for a in args], "--db", str(db_path))
    assert result.exit_code == 2
    assert result.stderr.startswith("spar: ") and message.format(s=played) in result.stderr
    assert result.stderr.count("\n") == 1
    assert _rows(db_path) == []


def test_a_scenario_changed_or_gone_since_the_call_gives_one_line_not_a_retry(tmp_path, db_path, analyzer, spar):
    text = (builtin_scenarios_dir() / "freight-discovery.yaml").read_text(encoding="utf-8")
    own = tmp_path / "own-freight.yaml"
    own.write_text(text.replace("id: freight-discovery", "id: own-freight", 1), encoding="utf-8")
    session = play(db_path, analyzer, load_scenario(own))
    assert (
        spar("retry", str(session), "2", "How do you plan routes?", "--unassisted", "--db", str(db_path)).exit_code == 0
    )

    own.write_text(own.read_text(encoding="utf-8").replace("fifteen minutes", "ten minutes"), encoding="utf-8")
    changed = spar("retry", str(session), "2", "How do you plan routes?", "--unassisted", "--db", str(db_path))
    assert changed.exit_code == 2
    assert changed.stderr.count("\n") == 1
    assert "scenario 'own-freight'" in changed.stderr and "has changed since this call was played" in changed.stderr

    own.unlink()
    gone = spar("retry", str(session), "2", "How do you plan routes?", "--unassisted", "--db", str(db_path))
    assert gone.exit_code == 2 and gone.stderr.count("\n") == 1
    assert "scenario 'own-freight' is not found on this machine" in gone.stderr
    assert len(_rows(db_path)) == 1


# --- exports ------------------------------------------------------------------------------------
def test_exports_hold_the_retries_and_json_round_trips_through_import(
    tmp_path, db_path, played, spar, analyzer, freight
):
    spar("retry", str(played), str(PITCH_TURN), BETTER_ANSWER, "--assisted", "--how", "prompt", "--author", "Kim",
         "--db", str(db_path))  # fmt: skip
    spar("retry", str(played), str(PITCH_TURN), "Tell me more.", "--unassisted", "--db", str(db_path))

    md = spar("export", str(played), "--format", "md", "--db", str(db_path)).stdout
    assert "Tried again in review. In the call: pitch; the customer heard a pitch" in md
    assert f'Try 1, with help (prompt, Kim): "{BETTER_ANSWER}"' in md
    assert 'Try 2, on your own: "Tell me more."' in md
    html = spar("export", str(played), "--format", "html", "--db", str(db_path)).stdout
    assert '<li class="retry">Try 1, with help (prompt, Kim)' in html
    shown = spar("show", str(played), "--db", str(db_path)).stdout
    assert f'tried again in review, try 1 with help (prompt, Kim): "{BETTER_ANSWER}"' in shown
    assert 'tried again in review, try 2 on your own: "Tell me more."' in shown
    shown_json = json.loads(spar("show", str(played), "--json", "--db", str(db_path)).stdout)
    assert [(r["turn"], r["assisted"], r["text"]) for r in shown_json["retries"]] == [
        (PITCH_TURN - 1, True, BETTER_ANSWER),
        (PITCH_TURN - 1, False, "Tell me more."),
    ]
    assert shown_json["retries"][0]["customer"]["event"] == "need_developed"

    file = tmp_path / "call.json"
    assert spar("export", str(played), "--format", "json", "--out", str(file), "--db", str(db_path)).exit_code == 0
    original = json.loads(file.read_text(encoding="utf-8"))
    assert [(r["turn_idx"], r["assisted"], r["how"]) for r in original["retries"]] == [
        (PITCH_TURN - 1, 1, "prompt"),
        (PITCH_TURN - 1, 0, "release"),
    ]
    other = tmp_path / "coach.db"
    play(other, analyzer, freight, rep="Someone Else")
    imported = spar("import", str(file), "--db", str(other))
    assert imported.exit_code == 0, imported.output
    new_id = int(imported.stdout.strip())
    again = json.loads(spar("export", str(new_id), "--format", "json", "--db", str(other)).stdout)
    assert again == original
    [helped, alone] = Store(other).retries(new_id)
    assert (helped.assisted, helped.author, helped.reaction.event) == (True, "Kim", "need_developed")
    assert (alone.assisted, alone.how) == (False, "release")


def test_an_export_with_a_broken_retry_adds_nothing(tmp_path, db_path, played, spar):
    spar("retry", str(played), str(PITCH_TURN), BETTER_ANSWER, "--assisted", "--db", str(db_path))
    data = json.loads(spar("export", str(played), "--format", "json", "--db", str(db_path)).stdout)
    del data["retries"][0]["analysis"]
    file = tmp_path / "broken.json"
    file.write_text(json.dumps(data), encoding="utf-8")
    other = tmp_path / "other.db"
    result = spar("import", str(file), "--db", str(other))
    assert result.exit_code == 2 and "cannot be read" in result.stderr and "retry" in result.stderr
    assert Store(other).session_ids() == []


# --- progress -----------------------------------------------------------------------------------
def test_progress_tells_unassisted_retries_apart_from_assisted_ones(db_path, played, spar):
    assisted = ("--assisted", "--how", "prompt")
    for answer, how in (
        (BETTER_ANSWER, assisted),  # a needs question; the customer says what it costs
        ("What else happens when a drop is late?", assisted),
        ("RouteDesk would fix that.", ("--unassisted",)),  # on their own, the rep pitched again
    ):
        assert spar("retry", str(played), str(PITCH_TURN), answer, *how, "--db", str(db_path)).exit_code == 0

    result = spar("progress", "--rep", "Sam Lee", "--json", "--db", str(db_path))
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    [session] = data["sessions"]
    assert set(session) >= {"number", "session_id", "figures", "aims", "goal_checked", "goal_set"}, "keys kept"
    retries = session["retries"]
    assert retries["count"] == 3
    assert retries["assisted"]["attempts"] == 2 and retries["assisted"]["needs_questions"] == 2
    assert retries["assisted"]["needs_told"] >= 1
    assert retries["unassisted"] == {
        "attempts": 1, "needs_questions": 0, "deeper_questions": 0, "open_questions": 0, "paraphrases": 0,
        "pitches": 1, "needs_told": 0,
    }  # fmt: skip
    assert data["retries"] == retries, "the rep's total over their sessions"

    text = spar("progress", "--rep", "Sam Lee", "--db", str(db_path)).stdout
    assert "Tried again in review (on your own apart from with a coach's help):" in text
    assert "#1 (id 1): on your own: 1 try: 0 needs questions" in text
    assert "with help: 2 tries: 2 needs questions" in text


def test_progress_without_retries_says_nothing_of_them(db_path, played, spar):
    data = json.loads(spar("progress", "--json", "--db", str(db_path)).stdout)
    assert data["sessions"][0]["retries"]["count"] == 0
    assert "Tried again" not in spar("progress", "--db", str(db_path)).stdout


async def test_the_progress_screen_shows_retries_with_and_without_help(db_path, played, spar, analyzer):
    spar("retry", str(played), str(PITCH_TURN), BETTER_ANSWER, "--assisted", "--db", str(db_path))
    spar("retry", str(played), str(PITCH_TURN), "RouteDesk would fix that.", "--unassisted", "--db", str(db_path))
    app = create_app(
        store=Store(db_path),
        rep="Sam Lee",
        analyzer_factory=lambda: analyzer,
        encoder_factory=lambda: None,
        transcriber_factory=lambda: None,
    )
    async with app.run_test(size=(160, 50)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.press("f4")
        await pilot.pause()
        gaps = str(app.screen.query_one("#progress-gaps", Static).render())
        assert "Tried again in review (◆ on your own, ◇ with help)" in gaps
        assert "on your own: 1 try: 0 needs questions" in gaps and "with help: 1 try: 1 needs question," in gaps


async def test_a_retry_can_be_spoken(db_path, analyzer, freight, voices, fast_transcriber):
    """Ctrl+T in the retry dialog records the answer (a WAV played as the microphone here); the words
    heard go into the box to be read before Enter saves them."""
    from simulator.audio.playback import MemorySink
    from simulator.audio.recording import FileSource

    session = play(db_path, analyzer, freight)
    sink = MemorySink()
    app = review_app(
        db_path,
        analyzer,
        session,
        transcriber_factory=lambda: fast_transcriber,
        audio_source_factory=lambda: FileSource(voices["problems"], realtime=False),
        output_sink_factory=lambda: sink,
    )
    async with app.run_test(size=(160, 48)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        screen = app.screen
        await pilot.press("p", "t")
        await screen.workers.wait_for_complete()
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, RetryDialog)
        await pilot.press("ctrl+t")
        await dialog.workers.wait_for_complete()
        await pilot.pause()
        heard = dialog.query_one("#retry-text", Input).value
        assert "problems" in heard.lower() and "deliveries" in heard.lower()
        await pilot.press("enter")
        await pilot.pause()
        await screen.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen)
        # The try's recording is kept beside the database; shift+A plays it back.
        [row] = _rows(db_path)
        kept = Path(row["audio_path"])
        assert kept.is_file() and kept.parent == db_path.parent / "audio" / f"session-{session}"
        with wave.open(str(kept)) as recorded:
            frames = recorded.getnframes()
        assert frames > 16000, "a second or more of speech"
        await pilot.press("A")
        await app.workers.wait_for_complete()
        assert len(sink.samples) == frames
    assert (row["text"], row["input_mode"], row["assisted"], row["how"]) == (heard, "spoken", 0, "release")


def test_a_typed_or_untried_turn_has_no_try_to_play(tmp_path):
    assert "has not been tried again" in retry_audio([], 3, db_folder=tmp_path).missing
    typed = Retry(1, 3, "How?", TurnAnalysis.from_json({}), RetryReaction("Fine.", "answered", 1, 1, "neutral"),
                  False, "release", "", "2026-12-02")  # fmt: skip
    assert "only tried again in writing" in retry_audio([typed], 3, db_folder=tmp_path).missing
    gone = retry_audio([replace(typed, audio_path="gone.wav")], 3, db_folder=tmp_path)
    assert not gone.playable and "try at turn 4 is gone" in gone.missing


@pytest.mark.parametrize(
    ("played", "message"),
    [
        (PlayedScenario("real-call", "", "", "A real call", None), "has no recorded version"),
        (
            PlayedScenario("freight-discovery", "abc", "", "Freight", "Ana Ruiz"),
            "a person (Ana Ruiz) played the customer",
        ),
    ],
)
def test_calls_that_a_scripted_customer_cannot_replay_are_refused_in_one_line(played, message, freight):
    with pytest.raises(RetryUnavailable, match=re.escape(message)) as refused:
        played_scenario_file(played, [freight])
    assert "\n" not in str(refused.value)


def test_the_scenario_as_played_is_found_by_its_hash_among_the_scenario_folders(freight):
    played = PlayedScenario(freight.id, freight.content_hash, "/nowhere/freight.yaml", freight.title, None)
    assert played_scenario_file(played, [freight]) is freight


def test_a_replay_that_differs_from_the_call_still_retries_and_says_from_where(db_path, analyzer, freight, encoder):
    """Played with the sentence model, replayed by topic words (as when the model fails to load):
    the customer understands an earlier turn differently, and the retry says so."""
    from simulator.domain.session import PracticeCall, play_script
    from simulator.domain.understanding import MeaningMatcher
    from tests.conftest import GOOD_FREIGHT_CALL

    store = Store(db_path)
    call = PracticeCall(store, freight, "Sam Lee", understanding=MeaningMatcher(freight, encoder))
    play_script(call, GOOD_FREIGHT_CALL, analyzer.analyze_turn)
    store.close()
    args = ["retry", str(call.session_id), "12", "What does that cost you each month?", "--unassisted", "--db"]
    by_meaning = CliRunner().invoke(
        cli, [*args, str(db_path), "--json"], obj=Parts(analyzer=lambda: analyzer, encoder=lambda: encoder)
    )
    assert json.loads(by_meaning.stdout)["replay_matched"] is True
    by_words = CliRunner().invoke(
        cli, [*args, str(db_path)], obj=Parts(analyzer=lambda: analyzer, encoder=lambda: None)
    )
    assert by_words.exit_code == 0, by_words.output
    assert "Note: replayed, the customer reacted differently from turn 7 on" in by_words.stdout
    assert len(_rows(db_path)) == 2
