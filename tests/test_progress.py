"""Progress across sessions and the team hot seat, through the real command line on real SQLite files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from analysis.coaching.progress import StoredGoal, StoredSession, progress, side_by_side
from simulator.cli import cli
from simulator.cli.common import Parts
from simulator.storage import Store
from tests.conftest import GOOD_FREIGHT_CALL

# A call that pitches first and asks little: the figures a rep starts from.
WEAK_FREIGHT_CALL = [
    "Our platform RouteDesk plans routes automatically.",
    "How do you plan routes today?",
    "Could we set up a meeting next week?",
]


@pytest.fixture
def run(analyzer):
    runner = CliRunner()

    def invoke(*args: str):
        return runner.invoke(cli, list(args), catch_exceptions=False, obj=Parts(analyzer=lambda: analyzer))

    return invoke


def _replies(tmp_path: Path, name: str, lines: list[str]) -> Path:
    path = tmp_path / f"{name}.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_progress_json_has_each_session_in_order_with_goals_checked(run, tmp_path, db_path):
    weak = _replies(tmp_path, "weak", WEAK_FREIGHT_CALL)
    good = _replies(tmp_path, "good", GOOD_FREIGHT_CALL)
    for path, step in ((weak, "Ask three questions before RouteDesk."), (good, "Ask what the delays cost.")):
        result = run(
            "practice",
            "freight-discovery",
            "--rep",
            "Sam Lee",
            "--replies",
            str(path),
            "--db",
            str(db_path),
            "--next-step",
            step,
        )
        assert result.exit_code == 0, result.output
    result = run("progress", "--rep", "Sam Lee", "--json", "--db", str(db_path))
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["rep"] == "Sam Lee"
    first, second = data["sessions"]
    assert [first["number"], second["number"]] == [1, 2]
    assert first["figures"]["questions_before_pitch"] == 0 and first["objective_met"] is False
    assert second["figures"]["needs_questions"] == 4 and second["figures"]["deeper_questions"] == 2
    assert second["figures"]["objective_met"] == 1 and second["figures"]["talk_share"] < 0.6
    assert first["aims"]["questions_before_pitch"] == 2 and first["aims"]["needs_questions"] == 3
    # The goal agreed after the first call is the one the second call is checked against.
    assert first["goal_checked"] is None
    agreed = first["goal_set"]
    assert agreed["next_step"] == "Ask three questions before RouteDesk." and agreed["focus_skill"]
    checked = second["goal_checked"]
    assert checked["set_at_session"] == first["session_id"] and checked["focus_skill"] == agreed["focus_skill"]
    assert checked["met"] is True
    gaps = {g["skill"]: g for g in data["gaps"]}
    assert gaps["ask_before_advocating"] == {
        "skill": "ask_before_advocating",
        "title": "Ask before you advocate",
        "measure": "questions_before_pitch",
        "start": 0,
        "now": 4,
        "aim": 2,
        "met": True,
    }
    assert data["focus_skill"] == second["goal_set"]["focus_skill"]

    text = run("progress", "--db", str(db_path)).output
    assert text.startswith("Sam Lee: 2 sessions; working on:")
    assert "Ask before you advocate: started at 0, now 4; aim at least 2 (at the aim)." in text
    assert "after #1:" in text and "Ask three questions before RouteDesk." in text


def test_progress_on_a_missing_database_creates_nothing(run, tmp_path):
    missing = tmp_path / "none.db"
    result = run("progress", "--db", str(missing))
    assert result.exit_code == 0 and "No sessions yet" in result.output
    assert not missing.exists()


def _session(id: int, rep: str, needs_q: int, before: int, met: bool) -> StoredSession:
    # Turns as the figures name them: needs questions at turns 1, 3, 5, ..., all open, the pitch after them.
    asked = list(range(1, 2 * needs_q, 2))
    pitch = 2 * needs_q + 1
    figures = {
        "questions": {"value": needs_q, "detail": {}, "turns": asked},
        "open_questions": {"value": needs_q, "detail": {"share": 1.0}, "turns": asked},
        "needs_questions": {"value": needs_q, "detail": {"spin": {"implication": 1}}},
        "paraphrases": {"value": 0, "detail": {}},
        "pitches": {"value": 1, "detail": {}},
        "needs_uncovered": {"value": 1, "detail": {"total": 4}},
        "ask_before_advocate": {
            "value": before >= 2,
            "detail": {"needs_questions_before_pitch": before, "required": 2, "first_pitch_turn": pitch},
            "turns": asked[:before] + [pitch],
        },
        "talk_share": {"value": 0.5, "detail": {}},
        "longest_rep_turn": {"value": 10, "detail": {}},
    }
    return StoredSession(id, rep, "freight-discovery", f"2025-01-0{id}T10:00:00+00:00", met, figures)


def test_a_goal_is_checked_at_the_next_session_and_the_gap_runs_from_first_to_latest():
    sessions = [_session(2, "Ana", 3, 3, True), _session(1, "Ana", 1, 0, False)]
    goals = [StoredGoal("ask_before_advocating", "hold the pitch", set_at=1, checked_at=2)]
    p = progress("Ana", sessions, goals)
    assert [s.session.id for s in p.sessions] == [1, 2], "time order"
    assert p.sessions[1].goal_checked is not None and p.sessions[1].goal_checked.met is True
    assert p.sessions[1].goal_checked.value == 3 and p.sessions[1].goal_checked.aim == 2
    gap = next(g for g in p.gaps if g.skill == "ask_before_advocating")
    assert (gap.start, gap.now, gap.aim, gap.met) == (0, 3, 2, True)
    assert p.series("needs_questions") == [1, 3] and p.aim_series("needs_questions") == [3, 3]


def test_rankings_appear_only_when_asked_for():
    sessions = [_session(1, "Ana", 1, 0, False), _session(2, "Ben", 3, 3, True)]
    assert side_by_side(sessions).ranking is None
    assert "Ranking" not in side_by_side(sessions).text()
    assert side_by_side(sessions, rank=True).ranking == ["Ben", "Ana"]


def test_team_hotseat_plays_each_rep_saves_a_debrief_each_and_shows_them_side_by_side(run, tmp_path, db_path):
    ana = _replies(tmp_path, "ana", GOOD_FREIGHT_CALL)
    ben = _replies(tmp_path, "ben", WEAK_FREIGHT_CALL)
    args = ["team", "hotseat", "freight-discovery", "--rep", "Ana", "--replies", str(ana), "--rep", "Ben"]
    result = run(*args, "--replies", str(ben), "--group", "monday", "--db", str(db_path))
    assert result.exit_code == 0, result.output
    out = result.output
    assert out.index("=== Ana's call (1 of 2) ===") < out.index("=== Ben's call (2 of 2) ===")
    assert out.count("One thing to work on next") == 2, "each rep gets their own debrief"
    table = out.split("=== Group monday: side by side ===")[1]
    header = table.strip().splitlines()[0].split()
    assert header == ["Ana", "Ben", "aim"]
    assert "Objective met" in table and "Ranking" not in table

    store = Store(db_path)
    sessions = store.sessions()
    assert {s.rep_name for s in sessions} == {"Ana", "Ben"}
    assert all(s.status == "debriefed" for s in sessions)
    rows = list(store.db.query("select mode, group_id from sessions"))
    assert rows == [{"mode": "team", "group_id": "monday"}] * 2
    store.close()

    shown = run("team", "show", "monday", "--rank", "--db", str(db_path))
    assert shown.exit_code == 0
    assert "Needs questions " in shown.output and "1. Ana\n  2. Ben" in shown.output
    data = json.loads(run("team", "show", "monday", "--json", "--db", str(db_path)).output)
    by_rep = {r["rep"]: r["figures"] for r in data["side_by_side"]["reps"]}
    assert by_rep["Ana"]["objective_met"] == 1 and by_rep["Ben"]["objective_met"] == 0
    assert data["side_by_side"]["ranking"] is None
    assert run("team", "list", "--db", str(db_path)).output.strip() == "monday"


def test_team_hotseat_refuses_unpaired_reps_before_playing(run, tmp_path, db_path):
    ana = _replies(tmp_path, "ana", GOOD_FREIGHT_CALL)
    result = run(
        "team",
        "hotseat",
        "freight-discovery",
        "--rep",
        "Ana",
        "--rep",
        "Ben",
        "--replies",
        str(ana),
        "--db",
        str(db_path),
    )
    assert result.exit_code == 2 and "give each rep their replies file" in result.output
    assert not db_path.exists()
