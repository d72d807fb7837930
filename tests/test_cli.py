"""The command line, as scripts and other tools use it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from simulator.cli import cli
from simulator.cli.common import Parts
from simulator.locations import builtin_scenarios_dir
from simulator.storage import Store
from tests.conftest import GOOD_FREIGHT_CALL


@pytest.fixture
def run(analyzer):
    """Invoke `spar ...` in-process, sharing the session's loaded spaCy pipeline."""
    runner = CliRunner()

    def invoke(*args: str, input: str | None = None):
        return runner.invoke(cli, list(args), input=input, catch_exceptions=False, obj=Parts(analyzer=lambda: analyzer))

    return invoke


@pytest.fixture
def replies(tmp_path: Path) -> Path:
    path = tmp_path / "replies.txt"
    path.write_text("\n".join(GOOD_FREIGHT_CALL) + "\n\nThis line comes after the call has ended.\n", encoding="utf-8")
    return path


def test_practice_prints_a_debrief_that_names_its_turns(run, replies, db_path):
    result = run("practice", "freight-discovery", "--rep", "Sam Lee", "--replies", str(replies), "--db", str(db_path))
    assert result.exit_code == 0, result.output
    out = result.output
    assert "Dana Okafor: Hi, Dana here." in out
    assert "What happened on this call?" in out.split("What the call shows")[0], "reflection comes first"
    assert "Paraphrases: 1  [turn 4]" in out
    assert "turn 4: paraphrase" in out
    assert "One thing to work on next" in out
    assert "1 replies were not used" in out
    assert f"Saved as session 1 in {db_path}" in out
    assert Store(db_path).session(1).status == "debriefed"


def test_practice_json_has_session_and_figures_with_evidence(run, replies, db_path):
    result = run(
        "practice",
        "freight-discovery",
        "--rep",
        "Sam Lee",
        "--replies",
        str(replies),
        "--db",
        str(db_path),
        "--json",
        "--next-step",
        "Ask about overtime.",
    )
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert data["session_id"] == 1 and data["outcome"]["objective_met"] is True
    figures = data["figures"]
    assert figures["paraphrases"]["value"] == 1 and figures["paraphrases"]["turns"] == [3]
    assert figures["needs_questions"]["turns"], "each figure carries the turns behind it"
    rep_turns = [t for t in data["transcript"] if t["speaker"] == "rep"]
    assert rep_turns[0]["analysis"]["evidence"]
    goal = Store(db_path).latest_goal("Sam Lee")
    assert goal is not None and goal.next_step == "Ask about overtime."


def test_practice_reads_replies_from_stdin(run, db_path):
    result = run(
        "practice",
        "freight-discovery",
        "--rep",
        "Kim",
        "--replies",
        "-",
        "--db",
        str(db_path),
        "--json",
        input="How do you plan the routes today?\n",
    )
    data = json.loads(result.output)
    assert data["outcome"]["end_reason"] == "rep_ended"
    assert [t["speaker"] for t in data["transcript"]] == ["customer", "rep", "customer", "customer"]


@pytest.mark.parametrize(
    "args, code, fragment",
    [
        (["practice", "nope", "--rep", "Sam", "--replies", "REPLIES"], 2, "no scenario with id 'nope'"),
        (["practice", "freight-discovery", "--rep", "Sam", "--replies", "MISSING"], 1, "no such replies file"),
        (["practice", "freight-discovery", "--replies", "REPLIES"], 2, "name the scenario and the rep"),
        (["practice", "freight-discovery", "--rep", "Sam", "--replies", "EMPTY"], 1, "the replies file is empty"),
        (["practice", "LONG", "--rep", "Sam", "--replies", "REPLIES"], 2, "no scenario with id"),
        (["practice", "LONG.yaml", "--rep", "Sam", "--replies", "REPLIES"], 2, "File name too long"),
        (["practice", "BROKEN", "--rep", "Sam", "--replies", "REPLIES"], 2, "YAML tags"),
        (["practice", "BROKEN", "--rep", "Sam"], 2, "YAML tags"),
    ],
)
def test_practice_errors_are_one_line(run, replies, tmp_path, db_path, args, code, fragment):
    empty = tmp_path / "empty.txt"
    empty.write_text("\n\n")
    broken = tmp_path / "broken.yaml"
    broken.write_text("format: !!int 1\n")
    swap = {
        "REPLIES": str(replies),
        "MISSING": str(tmp_path / "missing.txt"),
        "EMPTY": str(empty),
        "LONG": "a" * 5000,
        "LONG.yaml": "a" * 5000 + ".yaml",
        "BROKEN": str(broken),
    }
    result = run(*[swap.get(a, a) for a in args], "--db", str(db_path))
    assert result.exit_code == code
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("spar: ") and fragment in lines[0]
    assert len(lines[0]) <= 320, "an error line stays readable however long the argument"


def test_practice_on_a_corrupt_database_says_which_file(run, replies, tmp_path):
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"garbage" * 500)
    result = run("practice", "freight-discovery", "--rep", "Sam", "--replies", str(replies), "--db", str(bad))
    assert result.exit_code == 1 and str(bad) in result.output


def test_history_lists_sessions(run, replies, db_path):
    run("practice", "freight-discovery", "--rep", "Sam Lee", "--replies", str(replies), "--db", str(db_path))
    result = run("history", "--db", str(db_path))
    assert "freight-discovery" in result.output and "objective met" in result.output
    rows = [json.loads(line) for line in run("history", "--db", str(db_path), "--json").output.splitlines()]
    assert rows[0]["rep_name"] == "Sam Lee" and rows[0]["turn_count"] == 15


def test_analyze_adds_analysis_to_each_line_in_order(run, tmp_path):
    lines = [
        {
            "speaker": "customer",
            "text": "We plan every route by hand in a spreadsheet.",
            "conversation_id": "c1",
            "id": 7,
        },
        {"speaker": "rep", "text": "So you plan the routes by hand.", "conversation_id": "c1"},
        {"speaker": "rep", "text": "how do you decide who drives where", "conversation_id": "c2"},
        {"speaker": "rep", "text": "Our product saves you time."},
    ]
    source = tmp_path / "in.jsonl"
    source.write_text("\n".join(json.dumps(x) for x in lines) + "\n\n", encoding="utf-8")
    result = run("analyze", str(source))
    out = [json.loads(line) for line in result.output.splitlines()]
    assert [o["text"] for o in out] == [x["text"] for x in lines]
    assert out[0]["id"] == 7, "fields the caller sent come back untouched"
    for o in out:
        assert {"is_question", "question_type", "is_paraphrase", "spin", "is_pitch", "evidence"} <= set(o["analysis"])
    assert out[1]["analysis"]["is_paraphrase"] is True
    assert out[2]["analysis"]["question_type"] == "open"
    assert out[3]["analysis"]["is_pitch"] is True


def test_analyze_reports_the_bad_line(run, tmp_path):
    source = tmp_path / "in.jsonl"
    source.write_text('{"speaker": "rep", "text": "Hi."}\n{"speaker": "rep", "text": \n', encoding="utf-8")
    result = run("analyze", str(source))
    assert result.exit_code == 2 and f"{source}:2: not valid JSON" in result.output
    source.write_text('{"speaker": "coach", "text": "Hi."}\n', encoding="utf-8")
    assert f"{source}:1:" in run("analyze", str(source)).output
    assert "no such file" in run("analyze", str(tmp_path / "none.jsonl")).output


def test_scenarios_list_and_validate(run, tmp_path):
    listed = run("scenarios", "list")
    assert "freight-discovery" in listed.output and "plant-cfo-cold-call" in listed.output
    as_json = [json.loads(line) for line in run("scenarios", "list", "--json").output.splitlines()]
    assert {"id", "title", "difficulty", "objective", "needs", "path"} <= set(as_json[0])

    good = builtin_scenarios_dir() / "clinic-renewal.yaml"
    ok = run("scenarios", "validate", str(good))
    assert ok.exit_code == 0 and "ok" in ok.output
    bad = tmp_path / "bad.yaml"
    bad.write_text(good.read_text(encoding="utf-8").replace("difficulty: 2", "difficulty: 9"), encoding="utf-8")
    failed = run("scenarios", "validate", str(good), str(bad))
    assert failed.exit_code == 1
    assert any(line.startswith(f"{bad}:") and "difficulty" in line for line in failed.output.splitlines())


def test_help_does_not_import_heavy_modules():
    code = (
        "import sys; from simulator.cli import main; sys.argv = ['spar', '--help']\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "heavy = [m for m in ('spacy', 'torch', 'whisper', 'textual', 'thinc') if m in sys.modules]\n"
        "print('HEAVY', heavy)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60).stdout
    assert "Rehearse customer calls" in out
    assert "HEAVY []" in out


def test_console_script_is_installed():
    spar = Path(sys.executable).with_name("spar")
    result = subprocess.run([str(spar), "scenarios", "list"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and "freight-discovery" in result.stdout


@pytest.mark.parametrize(
    "option, fragment",
    [(["--engine", "vosk"], "unknown engine 'vosk'"), (["--model", "huge"], "unknown Whisper model 'huge'")],
)
def test_practice_app_refuses_unknown_engine_or_model_before_starting(run, db_path, option, fragment):
    result = run("practice", "freight-discovery", *option, "--db", str(db_path))
    assert result.exit_code == 2
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and fragment in lines[0]


COLD_CALL = [
    "Hi Tom, this is Ana Ruiz from FlowSense. I'll be brief.",
    "What keeps your production lines from running smoothly?",
    "So line two stopped four times without warning.",
]


def test_cold_call_introduction_is_not_a_pitch_and_the_call_goes_on(run, tmp_path, db_path):
    """The three-star cold call opens with "Who is this?": saying who you are does not end it."""
    path = tmp_path / "cold.txt"
    path.write_text("\n".join(COLD_CALL) + "\n", encoding="utf-8")
    result = run(
        "practice", "plant-cfo-cold-call", "--rep", "Ana Ruiz", "--replies", str(path), "--db", str(db_path), "--json"
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    introduction = data["transcript"][1]
    assert introduction["speaker"] == "rep" and introduction["analysis"]["is_pitch"] is False
    assert data["transcript"][2]["customer"]["ended"] is False, "the call goes on past the first turn"
    assert sum(1 for t in data["transcript"] if t["speaker"] == "rep") == len(COLD_CALL)
    assert data["figures"]["pitches"]["value"] == 0


def test_reflection_file_saves_the_answers_with_the_call(run, replies, tmp_path, db_path):
    answers = tmp_path / "reflection.txt"
    answers.write_text("Dana opened up.\nI asked first.\nAsk about overtime.\n", encoding="utf-8")
    result = run(
        "practice", "freight-discovery", "--rep", "Sam", "--replies", str(replies),
        "--reflection", str(answers), "--next-step", "Paraphrase twice", "--db", str(db_path), "--json",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["reflection"] == {
        "what_happened": "Dana opened up.",
        "went_well": "I asked first.",
        "do_differently": "Ask about overtime.",
    }
    assert {"session_id", "outcome", "figures", "debrief", "transcript", "unused_replies"} <= set(data)
    saved = Store(db_path).debrief(data["session_id"])
    assert saved is not None and saved.went_well == "I asked first." and saved.next_step == "Paraphrase twice"

    text = run("practice", "freight-discovery", "--rep", "Sam", "--replies", str(replies), "--reflection",
               str(answers), "--db", str(db_path))  # fmt: skip
    assert "you said: I asked first." in text.output

    too_many = tmp_path / "four.txt"
    too_many.write_text("a\nb\nc\nd\n", encoding="utf-8")
    bad = run("practice", "freight-discovery", "--rep", "Sam", "--replies", str(replies), "--reflection",
              str(too_many), "--db", str(db_path))  # fmt: skip
    assert bad.exit_code == 1 and "one answer a line" in bad.output


def test_show_prints_a_past_call_with_evidence_reactions_and_debrief(run, replies, tmp_path, db_path):
    answers = tmp_path / "reflection.txt"
    answers.write_text("Dana opened up.\n\nAsk about overtime.\n", encoding="utf-8")
    played = run("practice", "freight-discovery", "--rep", "Sam", "--replies", str(replies), "--reflection",
                 str(answers), "--db", str(db_path), "--json")  # fmt: skip
    session = json.loads(played.output)["session_id"]

    out = run("show", str(session), "--db", str(db_path))
    assert out.exit_code == 0, out.output
    text = out.output
    assert "Dana Okafor: Hi, Dana here." in text
    assert "counted as: paraphrase" in text and "restates:" in text
    assert "customer: need revealed" in text
    assert "you said: Dana opened up." in text and "you said: Ask about overtime." in text
    assert "One thing to work on next" in text

    data = json.loads(run("show", str(session), "--db", str(db_path), "--json").output)
    assert data["session"]["id"] == session
    assert data["transcript"] == json.loads(played.output)["transcript"], "the same shape as spar practice --json"
    assert data["reflection"]["what_happened"] == "Dana opened up." and data["reflection"]["went_well"] == ""
    assert data["debrief"]["focus"]["skill"] and "paraphrases" in data["figures"]

    missing = run("show", "99", "--db", str(db_path))
    assert missing.exit_code == 2 and "no session 99" in missing.output


def test_a_sentence_model_that_cannot_load_is_reported_once_not_at_every_turn(
    run, replies, db_path, tmp_path, monkeypatch
):
    import analysis.language.meaning as meaning

    monkeypatch.setattr(meaning, "model_dir", lambda: tmp_path / "no-model-here")
    # As in a fresh process: the one shared sentence model is not loaded yet.
    monkeypatch.setattr(meaning, "_shared", None)
    monkeypatch.setattr(meaning, "_shared_problem", None)
    result = run("practice", "freight-discovery", "--rep", "Sam Lee", "--replies", str(replies), "--db", str(db_path))
    assert result.exit_code == 0, result.output
    assert result.stderr.count("the customer will match questions by topic words only") == 1, result.stderr
    assert "no-model-here" in result.stderr
