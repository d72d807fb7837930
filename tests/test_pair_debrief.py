"""Goals a next call can check, the pair's debrief from the command line, and what the next call's
debrief, `spar practice`, the exports and `spar progress` say about the goal. Real SQLite files."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from analysis.coaching.goals import (
    PAIR_PROMPTS,
    Comparison,
    GoalMeasure,
    MeasureCheck,
    MeasureError,
    RepFirst,
    check_measure,
    pair_answers,
    parse_measure,
    suggested_measure,
)
from analysis.coaching.report import reading_grade
from analysis.types import Figure, FigureKey
from simulator.cli import cli
from simulator.cli.common import Parts
from simulator.storage import Store
from tests.conftest import GOOD_FREIGHT_CALL
from tests.review_helpers import PITCH_TURN, play
from tests.test_report_html import _written_for_the_rep

MAX_GRADE = 10.0


@pytest.fixture
def spar(analyzer):
    def invoke(*args: str):
        return CliRunner().invoke(cli, list(args), catch_exceptions=False, obj=Parts(analyzer=lambda: analyzer))

    return invoke


@pytest.fixture
def played(db_path, analyzer, freight) -> int:
    return play(db_path, analyzer, freight)  # 2 needs questions before the first pitch


# --- the measure --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "spec, key, comparison, target, words",
    [
        ("questions_before_pitch>=4", "questions_before_pitch", ">=", 4, "at least 4 needs questions before the first pitch"),
        ("needs_questions_before_pitch >= 1", "questions_before_pitch", ">=", 1, "at least 1 needs question before the first pitch"),
        ("talk_share<=60%", "talk_share", "<=", 0.6, "you say at most 60% of the words"),
        ("talk_share<=0.6", "talk_share", "<=", 0.6, "you say at most 60% of the words"),
        ("open_share>50", "open_share", ">", 0.5, "more than 50% of your questions are open"),
        ("paraphrases=2", "paraphrases", "=", 2, "exactly 2 paraphrases"),
        ("deeper_questions<3", "deeper_questions", "<", 3, "fewer than 3 implication or need-payoff questions"),
        ("objective_met>=1", "objective_met", ">=", 1, "meet the call's objective"),
    ],
)  # fmt: skip
def test_a_measure_is_read_from_key_comparison_number(spec, key, comparison, target, words):
    measure = parse_measure(spec)
    assert (measure.key, str(measure.comparison), measure.target) == (key, comparison, target)
    assert measure.text() == words
    assert parse_measure(measure.spec()) == measure


@pytest.mark.parametrize(
    "spec, message",
    [
        ("hello", "KEY>=NUMBER"),
        ("smiles>=3", "unknown measure 'smiles'"),
        ("needs_questions>=50%", "a count, not a share"),
        ("talk_share<=160", "a share of the call"),
        ("needs_questions>=-1", "KEY>=NUMBER"),
    ],
)
def test_a_measure_that_cannot_be_read_says_why(spec, message):
    with pytest.raises(MeasureError, match=message):
        parse_measure(spec)


def test_the_measure_is_checked_against_the_number_the_call_shows():
    at_least_four = GoalMeasure("questions_before_pitch", Comparison.AT_LEAST, 4)
    assert [at_least_four.met_by(v) for v in (3, 4, 5, None)] == [False, True, True, None]
    at_most = GoalMeasure("talk_share", Comparison.AT_MOST, 0.6)
    assert (at_most.met_by(0.6), at_most.met_by(0.61)) == (True, False)
    assert GoalMeasure("paraphrases", Comparison.UNDER, 2).met_by(2) is False
    assert GoalMeasure("paraphrases", Comparison.EXACTLY, 2).met_by(2.0) is True

    def call(before_pitch: int, questions: int = 5) -> dict[FigureKey, Figure]:
        return {
            FigureKey.ASK_BEFORE_ADVOCATE: Figure(
                FigureKey.ASK_BEFORE_ADVOCATE,
                "",
                before_pitch,
                "",
                [],
                "",
                {"needs_questions_before_pitch": before_pitch},
            ),
            FigureKey.QUESTIONS: Figure(FigureKey.QUESTIONS, "", questions, ""),
            FigureKey.OPEN_QUESTIONS: Figure(FigureKey.OPEN_QUESTIONS, "", 1, "", [], "", {"share": 0.2}),
        }

    met = check_measure(at_least_four, call(5), objective_met=False, due_date="2027-01-15")
    assert (met.value, met.met) == (5, True)
    assert met.line() == "Goal: at least 4 needs questions before the first pitch. This call: 5. Met."
    missed = check_measure(at_least_four, call(1), objective_met=False, text="four questions first")
    assert missed.line() == "Goal: four questions first. This call: 1. Not met yet."
    # Too few questions say nothing about their openness: no number, so no verdict.
    openness = check_measure(parse_measure("open_share>=50%"), call(1, questions=2), objective_met=False)
    assert (openness.value, openness.met) == (None, None) and "not checked" in openness.line()
    assert MeasureCheck.from_json(met.to_json()) == met


def test_a_suggested_measure_aims_at_the_bar_or_one_better():
    assert suggested_measure("ask_before_advocating", now=1, aim=2) == parse_measure("questions_before_pitch>=2")
    assert suggested_measure("ask_before_advocating", now=3, aim=2) == parse_measure("questions_before_pitch>=4")
    assert suggested_measure("balanced_talk", now=0.7, aim=0.6) == parse_measure("talk_share<=60%")
    assert suggested_measure("handle_objections", now=None, aim=None) is None


def test_the_rep_answers_each_step_before_the_coach():
    answers = pair_answers({"what": "I rushed", "so_what": "pitching early"}, {"what": "You did"})
    assert [(a.key, a.rep, a.coach) for a in answers] == [
        ("what", "I rushed", "You did"),
        ("so_what", "pitching early", ""),
    ]
    with pytest.raises(RepFirst, match="the rep answers 'now_what' first"):
        pair_answers({"what": "I rushed"}, {"now_what": "Do this"})
    with pytest.raises(ValueError, match="unknown step"):
        pair_answers({"then_what": "x"}, {})


# --- the store: a re-saved debrief keeps what the coach agreed ------------------------------------
def test_saving_a_debrief_again_keeps_the_coachs_goal(db_path, played, analyzer, freight):
    store = Store(db_path)
    agreed = store.agree_goal(
        played,
        measure="",
        due_date="2027-01-15",
        agreed_by="Ana",
        next_step="Plan four questions.",
        checkable=parse_measure("questions_before_pitch>=4"),
    )
    second = play(db_path, analyzer, freight, replies=GOOD_FREIGHT_CALL[:2])
    assert store.session_goal(played).reviewed_session_id == second

    # The rep's debrief screen saves again on the way out (it did on every save, delete and insert).
    from simulator.domain.review import load_review

    shown = load_review(store, played).debrief
    from analysis.coaching.debrief import Debrief

    assert shown is not None
    store.save_debrief(played, {"what_happened": "edited", "next_step": "Ask two more"}, Debrief.from_json(shown))
    goal = store.session_goal(played)
    assert goal is not None and goal.id == agreed.id
    assert (goal.measure_text, goal.due_date, goal.agreed_by) == (
        "at least 4 needs questions before the first pitch",
        "2027-01-15",
        "Ana",
    )
    assert goal.checkable == parse_measure("questions_before_pitch>=4")
    assert goal.next_step == "Plan four questions."  # what the pair agreed, not the rep's first draft
    assert goal.reviewed_session_id == second  # still checked by the call that followed
    assert store.debrief(played).what_happened == "edited"
    assert store.db["goals"].count == 2


def test_a_rep_alone_can_still_change_their_next_step(db_path, played):
    store = Store(db_path)
    before = store.session_goal(played)
    from analysis.coaching.debrief import Debrief

    debrief = Debrief.from_json(store.call_facts(played).debrief or {})
    store.save_debrief(played, {"next_step": "Ask three more"}, debrief)
    after = store.session_goal(played)
    assert after.id == before.id and after.next_step == "Ask three more"


# --- the command line ---------------------------------------------------------------------------
def test_spar_goal_with_a_target_is_checked_at_the_next_call(spar, db_path, played, tmp_path):
    result = spar(
        "goal",
        str(played),
        "--target",
        "questions_before_pitch>=4",
        "--due",
        "2027-01-15",
        "--author",
        "Ana",
        "--db",
        str(db_path),
    )
    assert result.exit_code == 0, result.output
    assert (
        "measure: at least 4 needs questions before the first pitch (the next call checks questions_before_pitch>=4)"
        in result.output
    )

    replies = tmp_path / "replies.txt"
    replies.write_text("\n".join(GOOD_FREIGHT_CALL) + "\n", encoding="utf-8")
    out = spar(
        "practice", "freight-discovery", "--rep", "Sam Lee", "--replies", str(replies), "--db", str(db_path), "--json"
    )
    assert out.exit_code == 0, out.output
    check = json.loads(out.stdout)["debrief"]["goal_check"]
    assert (check["key"], check["comparison"], check["target"], check["value"], check["met"]) == (
        "questions_before_pitch",
        ">=",
        4,
        4,
        True,
    )
    assert check["due_date"] == "2027-01-15"
    assert check["line"] == "Goal: at least 4 needs questions before the first pitch. This call: 4. Met."
    second = json.loads(out.stdout)["session_id"]

    # The next call's reports carry the check; spar progress decides by the goal's own number.
    md = spar("export", str(second), "--format", "md", "--db", str(db_path)).stdout
    assert "## Last time's goal" in md and "This call: 4. Met." in md and "It was due by 2027-01-15." in md
    html = spar("export", str(second), "--format", "html", "--db", str(db_path)).stdout
    assert "This call: 4. Met." in html
    exported = json.loads(spar("export", str(second), "--format", "json", "--db", str(db_path)).stdout)
    assert json.loads(json.dumps(exported["debrief"]["debrief"]["goal_check"]))["met"] is True
    progress = json.loads(spar("progress", "--rep", "Sam Lee", "--json", "--db", str(db_path)).stdout)
    checked = progress["sessions"][1]["goal_checked"]
    assert (checked["measure"], checked["comparison"], checked["aim"], checked["value"], checked["met"]) == (
        "questions_before_pitch",
        ">=",
        4,
        4,
        True,
    )
    assert checked["decided_by"] == "goal_measure"
    text = spar("progress", "--rep", "Sam Lee", "--db", str(db_path)).stdout
    assert "at least 4 needs questions before the first pitch: 4, met" in text

    # The coach finds that one of those needs questions was not one: the goal is checked again.
    shown = json.loads(spar("show", str(second), "--json", "--db", str(db_path)).stdout)
    first_needs = next(t for t in shown["transcript"] if t["speaker"] == "rep" and t["analysis"]["is_needs_question"])
    corrected = spar(
        "correct", str(second), str(first_needs["turn"] + 1), "is_needs_question=false", "--db", str(db_path)
    )
    assert corrected.exit_code == 0, corrected.output
    md = spar("export", str(second), "--format", "md", "--db", str(db_path)).stdout
    assert (
        "Goal: at least 4 needs questions before the first pitch. This call: 3. Not met yet. "
        "(Before the coach's corrections: 4.)" in md
    )
    redone = json.loads(spar("export", str(second), "--format", "json", "--db", str(db_path)).stdout)
    check = redone["review"]["goal_check"]
    assert (check["value"], check["met"], check["value_before_corrections"]) == (3, False, 4)
    assert redone["debrief"]["debrief"]["goal_check"]["value"] == 4, "what the rep saw is stored as it was"


def test_spar_practice_text_says_whether_the_goal_was_met(spar, db_path, played, tmp_path):
    spar("goal", str(played), "--measure", "needs_questions>=6", "--due", "2027-01-15", "--db", str(db_path))
    replies = tmp_path / "replies.txt"
    replies.write_text("\n".join(GOOD_FREIGHT_CALL) + "\n", encoding="utf-8")
    out = spar("practice", "freight-discovery", "--rep", "Sam Lee", "--replies", str(replies), "--db", str(db_path))
    assert out.exit_code == 0, out.output
    assert "Goal: at least 6 needs questions. This call: 4. Not met yet." in out.stdout


def test_a_goal_in_words_only_stays_compatible(spar, db_path, played):
    result = spar(
        "goal", str(played), "--measure", "four needs questions, one open", "--due", "2027-01-15", "--db", str(db_path)
    )
    assert result.exit_code == 0, result.output
    goal = Store(db_path).session_goal(played)
    assert goal.measure == "four needs questions, one open" and goal.checkable is None


def test_the_pair_debrief_from_the_command_line_is_saved_with_its_goal(spar, db_path, played):
    spar("correct", str(played), str(PITCH_TURN), "is_pitch=false", "--db", str(db_path))
    result = spar(
        "goal", str(played), "--target", "questions_before_pitch>=4", "--due", "2027-01-15", "--author", "Ana",
        "--next-step", "Plan four questions.", "--focus", "ask_before_advocating",
        "--rep-answer", "what=I pitched after two questions", "--coach-answer", "what=Dana had more to say",
        "--rep-answer", "so_what=I stop listening once I hear a problem",
        "--rep-answer", "now-what=Four needs questions first", "--db", str(db_path),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    store = Store(db_path)
    pair = store.pair_debrief(played)
    assert pair is not None and pair.coach == "Ana"
    assert [(a.key, a.coach) for a in pair.answers] == [
        ("what", "Dana had more to say"),
        ("so_what", ""),
        ("now_what", ""),
    ]
    # The gaps as they stood, with the coach's correction: no pitch, so all three needs questions came first.
    gap = next(g for g in pair.gaps if g.skill == "ask_before_advocating")
    assert (gap.now, gap.aim) == (3, 2)
    md = spar("export", str(played), "--format", "md", "--db", str(db_path)).stdout
    assert "## The pair's debrief" in md and "- **Coach (Ana)**: Dana had more to say" in md
    assert "Sparring checks this number on your next call." in md
    # The report's own words around the pair's debrief (prompts, gaps, goal) stay plain.
    pair_part = md.split("## The pair's debrief")[1]
    assert reading_grade(_written_for_the_rep(pair_part)) <= MAX_GRADE
    # The JSON export round-trips the pair's debrief and the checkable goal.
    data = json.loads(spar("export", str(played), "--format", "json", "--db", str(db_path)).stdout)
    assert data["pair_debrief"]["coach"] == "Ana" and data["goals"][0]["measure_key"] == "questions_before_pitch"
    other = db_path.with_name("other.db")
    file = db_path.with_name("call.json")
    file.write_text(json.dumps(data), encoding="utf-8")
    new_id = int(spar("import", str(file), "--db", str(other)).stdout.strip())
    again = json.loads(spar("export", str(new_id), "--format", "json", "--db", str(other)).stdout)
    assert again == data


@pytest.mark.parametrize(
    "args, message",
    [
        (["--target", "smiles>=3"], "--target: unknown measure 'smiles'"),
        (["--measure", "needs_questions>=50%"], "a count, not a share"),
        (["--measure", "  "], "--measure needs some text"),
        ([], "--measure needs some text"),
        (["--target", "needs_questions>=4", "--coach-answer", "what=Do this"], "the rep answers 'what' first"),
        (["--target", "needs_questions>=4", "--rep-answer", "later=x"], "--rep-answer is STEP=TEXT"),
    ],
)
def test_a_bad_goal_is_one_line_and_exit_2(spar, db_path, played, args, message):
    result = spar("goal", str(played), "--due", "2027-01-15", *args, "--db", str(db_path))
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("spar: ") and message in result.stderr and result.stderr.count("\n") == 1
    assert Store(db_path).session_goal(played).measure == ""  # nothing stored


def test_a_pair_debrief_of_an_unknown_session_is_exit_2(spar, db_path, played):
    result = spar(
        "goal",
        "999",
        "--due",
        "2027-01-15",
        "--target",
        "needs_questions>=4",
        "--rep-answer",
        "what=x",
        "--db",
        str(db_path),
    )
    assert result.exit_code == 2 and "no session 999" in result.stderr


# --- plain words --------------------------------------------------------------------------------
def test_the_pair_prompts_and_goal_lines_read_at_a_10th_grade_level_or_simpler():
    texts = {f"rep {p.key}": p.rep for p in PAIR_PROMPTS} | {f"coach {p.key}": p.coach for p in PAIR_PROMPTS}
    for spec in (
        "questions_before_pitch>=4",
        "talk_share<=60%",
        "open_share>=50%",
        "deeper_questions>=1",
        "needs_uncovered>=2",
    ):
        measure = parse_measure(spec)
        texts[spec] = " ".join(
            [
                MeasureCheck(measure, 3, False).line(),
                MeasureCheck(measure, 0.7, True).line(),
                MeasureCheck(measure, None, None).line(),
            ]
        )
    texts["saved"] = "Sparring checks this number on your next call. It was due by 2027-01-15."
    grades = {name: round(reading_grade(text), 1) for name, text in texts.items()}
    assert all(grade <= MAX_GRADE for grade in grades.values()), grades
