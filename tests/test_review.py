"""Coach review on real SQLite files: notes, corrections that move figures, goals, exports that
round-trip through `spar import`, and merging exports from several machines without duplicates."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from analysis.coaching.review import Correction, corrected, missed_chances, parse_correction
from analysis.types import QuestionType, SpinKind, TurnAnalysis
from simulator.cli import cli
from simulator.cli.common import Parts
from simulator.domain.customer import CallTurn
from simulator.storage import Store
from tests.review_helpers import PITCH_TURN, play


def spar(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False, obj=Parts())


def export_json(db: Path, session: int) -> dict:
    result = spar("export", str(session), "--format", "json", "--db", str(db))
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.fixture
def played(db_path, analyzer, freight) -> int:
    return play(db_path, analyzer, freight)


def test_a_correction_changes_the_figure_and_keeps_the_analyzers_label(db_path, played):
    before = export_json(db_path, played)["review"]
    assert before["figures"]["pitches"]["value"] == 1
    result = spar("correct", str(played), str(PITCH_TURN), "is_pitch=false", "--author", "Ana", "--db", str(db_path))
    assert result.exit_code == 0, result.output
    data = export_json(db_path, played)
    review = data["review"]
    assert review["figures"]["pitches"]["value"] == 0
    assert review["analyzer_figures"]["pitches"]["value"] == 1
    turn = review["turns"][PITCH_TURN - 1]
    assert turn["labels"]["is_pitch"] is False and turn["analyzer_labels"]["is_pitch"] is True
    assert turn["corrected_by"] == {"is_pitch": "Ana"}
    assert data["corrections"] == [
        {
            "turn": PITCH_TURN - 1,
            "label": "is_pitch",
            "value": False,
            "author": "Ana",
            "created_at": data["corrections"][0]["created_at"],
        }
    ]
    # The Markdown report shows the corrected figure beside the analyzer's.
    md = spar("export", str(played), "--format", "md", "--db", str(db_path)).stdout
    assert "| Pitches | 0 | 1 |" in md
    assert "pitch: no (set by Ana; the analyzer said yes)" in md


def test_the_latest_correction_of_a_label_wins(db_path, played):
    for value in ("false", "true", "false"):
        assert spar("correct", str(played), str(PITCH_TURN), f"is_pitch={value}", "--db", str(db_path)).exit_code == 0
    assert export_json(db_path, played)["review"]["figures"]["pitches"]["value"] == 0
    assert len(Store(db_path).corrections(played)) == 3


def test_notes_are_stored_on_their_turn_and_exported(db_path, played):
    result = spar(
        "note",
        str(played),
        "4",
        "Good paraphrase: her words came back",
        "--kind",
        "tactical",
        "--author",
        "Ana",
        "--db",
        str(db_path),
    )
    assert result.exit_code == 0, result.output
    spar("note", str(played), "2", "Plan the questions before the call", "--kind", "strategic", "--db", str(db_path))
    notes = export_json(db_path, played)["notes"]
    assert [(n["turn"], n["kind"], n["author"]) for n in notes] == [(3, "tactical", "Ana"), (1, "strategic", "")]
    html = spar("export", str(played), "--format", "html", "--db", str(db_path)).stdout
    assert "Good paraphrase: her words came back" in html


@pytest.mark.parametrize(
    "args, message",
    [
        (["correct", "{s}", "2", "bogus=1"], "unknown label 'bogus'"),
        (["correct", "{s}", "2", "is_pitch=maybe"], "is_pitch is true or false"),
        (["correct", "{s}", "2", "spin=sideways"], "spin is one of"),
        (["correct", "{s}", "2", "is_pitch"], "LABEL=VALUE"),
        (["correct", "{s}", "1", "is_pitch=true"], "only your turns have labels"),
        (["correct", "999", "2", "is_pitch=true"], "no session 999"),
        (["note", "{s}", "99", "x", "--kind", "tactical"], "has no turn 99"),
        (["note", "{s}", "2", "  ", "--kind", "tactical"], "a note needs some text"),
        (["goal", "{s}", "--measure", "4 needs questions", "--due", "next week"], "YYYY-MM-DD"),
        (["export", "{s}", "--all", "--format", "jsonl"], "name one SESSION, or pass --all"),
        (["export", "--all", "--format", "html"], "--all writes JSON lines"),
    ],
)
def test_bad_requests_are_one_line_and_exit_2(db_path, played, args, message):
    result = spar(*[a.format(s=played) for a in args], "--db", str(db_path))
    assert result.exit_code == 2
    assert result.stderr.startswith("spar: ") and message in result.stderr
    assert result.stderr.count("\n") == 1


def test_a_goal_gets_a_measure_and_a_date(db_path, played):
    result = spar(
        "goal",
        str(played),
        "--measure",
        "at least four needs questions before the first pitch",
        "--due",
        "2027-01-15",
        "--author",
        "Ana",
        "--db",
        str(db_path),
    )
    assert result.exit_code == 0, result.output
    goals = export_json(db_path, played)["goals"]
    assert goals[0]["measure"] == "at least four needs questions before the first pitch"
    assert goals[0]["due_date"] == "2027-01-15" and goals[0]["next_step"] == "Ask two more"
    assert (
        "How you will know: at least four needs questions" in spar("export", str(played), "--db", str(db_path)).stdout
    )


def test_the_json_export_round_trips_through_import_with_nothing_lost(tmp_path, db_path, played, analyzer, freight):
    spar("correct", str(played), str(PITCH_TURN), "is_pitch=false", "--author", "Ana", "--db", str(db_path))
    spar("note", str(played), "4", "Nice", "--kind", "tactical", "--db", str(db_path))
    spar("goal", str(played), "--measure", "4 needs questions", "--due", "2027-01-15", "--db", str(db_path))
    original = export_json(db_path, played)
    file = tmp_path / "call.json"
    assert spar("export", str(played), "--format", "json", "--out", str(file), "--db", str(db_path)).exit_code == 0

    other = tmp_path / "coach.db"
    play(other, analyzer, freight, rep="Someone Else")  # the coach's database has a session of its own
    result = spar("import", str(file), "--db", str(other))
    assert result.exit_code == 0, result.output
    new_id = int(result.stdout.strip())
    assert new_id != played
    assert export_json(other, new_id) == original
    # Importing it again adds nothing and names the same session.
    again = spar("import", str(file), "--db", str(other))
    assert again.stdout.strip() == str(new_id) and "0 sessions added, 1 already here" in again.stderr
    assert len(Store(other).session_ids()) == 2


def test_exports_from_several_machines_merge_without_duplicates(tmp_path, analyzer, freight):
    laptop, desktop, team = tmp_path / "laptop.db", tmp_path / "desktop.db", tmp_path / "team.db"
    play(laptop, analyzer, freight, rep="Sam Lee")
    play(laptop, analyzer, freight, rep="Sam Lee", replies=["How do you plan the routes today?"])
    play(desktop, analyzer, freight, rep="Kim Ode")
    files = []
    for db in (laptop, desktop):
        out = tmp_path / f"{db.stem}.jsonl"
        assert spar("export", "--all", "--format", "jsonl", "--out", str(out), "--db", str(db)).exit_code == 0
        files.append(out)
    assert len(files[0].read_text().splitlines()) == 2
    for _ in range(2):
        for file in files:
            assert spar("import", str(file), "--db", str(team)).exit_code == 0
    store = Store(team)
    assert len(store.session_ids()) == 3
    assert sorted(s.rep_name for s in store.sessions()) == ["Kim Ode", "Sam Lee", "Sam Lee"]
    # Exporting the team's database gives the same sessions back, each once.
    merged = spar("export", "--all", "--format", "jsonl", "--db", str(team)).stdout.splitlines()
    uids = sorted(json.loads(line)["uid"] for line in merged)
    assert uids == sorted(json.loads(line)["uid"] for f in files for line in f.read_text().splitlines())
    # --since keeps sessions started on or after a date.
    assert spar("export", "--all", "--format", "jsonl", "--since", "2999-01-01", "--db", str(team)).stdout == ""


@pytest.mark.parametrize(
    "content, where",
    [
        ("not json at all", "bad:1: not JSON"),
        ('{"format": "sparring-session", "version": 1}\n{"oops"\n', "bad:2: not a JSON line"),
        ('{"a": 1}', "not a Sparring session export"),
        ('{"format": "sparring-session", "version": 7}', "export version 7"),
    ],
)
def test_a_file_that_is_not_an_export_is_one_line(tmp_path, content, where):
    bad = tmp_path / "bad"
    bad.write_text(content)
    db = tmp_path / "x.db"
    result = spar("import", str(bad), "--db", str(db))
    assert result.exit_code == 2
    assert where in result.stderr and result.stderr.count("\n") == 1


def test_a_broken_session_in_an_export_adds_nothing(tmp_path, db_path, played):
    data = export_json(db_path, played)
    data["uid"] = "another"
    data["turns"][3]["text"] = None  # a turn must have its text
    bad = tmp_path / "broken.json"
    bad.write_text(json.dumps(data))
    other = tmp_path / "other.db"
    result = spar("import", str(bad), "--db", str(other))
    assert result.exit_code == 2 and "cannot be stored" in result.stderr
    assert Store(other).session_ids() == []


def test_corrections_imply_what_follows_from_them():
    asked = TurnAnalysis(
        is_question=True, question_type=QuestionType.OPEN, is_needs_question=True, spin=SpinKind.PROBLEM
    )

    def fix(*pairs: str) -> TurnAnalysis:
        found = {}
        for text in pairs:
            label, value = parse_correction(text)
            found[label] = Correction(1, label, value, "", "")
        return corrected(asked, found)

    not_a_question = fix("is_question=false")
    assert (not_a_question.question_type, not_a_question.is_needs_question, not_a_question.spin) == (None, False, None)
    assert fix("is_needs_question=no").spin is None and fix("is_needs_question=no").is_question
    assert fix("spin=need-payoff").spin is SpinKind.NEED_PAYOFF
    statement = TurnAnalysis()
    made = corrected(statement, {"spin": Correction(1, "spin", "situation", "", "")})
    assert made.is_question and made.is_needs_question
    # A label the coach set explicitly is never overridden by what another implies.
    both = fix("is_question=false", "question_type=closed")
    assert both.is_question is False and both.question_type is QuestionType.CLOSED


def test_a_missed_chance_is_a_need_told_and_no_question_next():
    turns = [
        CallTurn(0, "customer", "Our routes are planned by hand."),
        CallTurn(1, "rep", "RouteDesk fixes that.", analysis=TurnAnalysis(is_pitch=True)),
        CallTurn(2, "customer", "It costs us overtime."),
        CallTurn(3, "rep", "What does that overtime cost?", analysis=TurnAnalysis(is_question=True)),
        CallTurn(4, "customer", "And drops are late."),
    ]
    assert missed_chances(turns, [0, 2, 4]) == [0]


def test_the_corrections_benchmark_counts_agreement_per_label(db_path, played):
    from bench.corrections import agreement

    spar("correct", str(played), str(PITCH_TURN), "is_pitch=false", "--db", str(db_path))
    spar("correct", str(played), "4", "is_paraphrase=true", "--db", str(db_path))
    result = agreement(db_path)
    assert (result["is_pitch"].corrected, result["is_pitch"].agree) == (1, 0)
    assert result["is_pitch"].changes == {"yes -> no": 1}
    assert (result["is_paraphrase"].corrected, result["is_paraphrase"].agree) == (1, 1)
    assert result["spin"].corrected == 0
