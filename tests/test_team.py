"""Team roleplay: the hot seat in the app, observers' rubric scores (app and `spar team observe`),
their place beside the analyzer's figures, in exports and reports; on real SQLite files."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from textual.widgets import DataTable, Input, OptionList, Static

from analysis.coaching.observers import DEFAULT_RUBRIC, ObserverScoring, ScoreError, check_scores, summarize
from analysis.coaching.report import to_html, to_markdown
from simulator.domain.review import build_report, load_review
from simulator.domain.scenario_file import load_scenario
from simulator.domain.session import PracticeCall, play_script
from simulator.domain.team import TEAM_MODE, group_table, rubric_for
from simulator.locations import builtin_scenarios_dir
from simulator.storage import Store
from simulator.ui.app import create_app
from simulator.ui.screens.call import CallScreen
from simulator.ui.screens.debrief import DebriefScreen
from simulator.ui.screens.observe import ObserveScreen
from simulator.ui.screens.team import TeamScreen, TeamTableScreen
from tests.conftest import GOOD_FREIGHT_CALL
from tests.test_progress import WEAK_FREIGHT_CALL
from tests.test_snapshots import InstantAnalyzer


# --- the rubric and the scores, as pure functions -------------------------------------------
def test_a_scenario_without_a_rubric_is_scored_on_the_default_one_from_the_coaching_skills(freight):
    old = load_scenario(Path(__file__).parent / "fixtures" / "freight-format1.yaml")
    assert old.rubric == ()
    assert rubric_for(old) == DEFAULT_RUBRIC
    assert [c.id for c in DEFAULT_RUBRIC] == ["discovery", "depth", "listening", "objections", "next-step"]
    assert DEFAULT_RUBRIC[2].title == "Show you listened"
    assert [c.id for c in rubric_for(freight)] == ["discovery", "depth", "listening", "next-step"]


def test_scores_off_the_rubric_or_the_scale_are_refused(freight):
    rubric = rubric_for(freight)
    assert check_scores(rubric, {"next-step": 2, "discovery": 5}) == (("discovery", 5), ("next-step", 2))
    with pytest.raises(ScoreError, match="'listen' is not on this scenario's rubric; score one of: discovery"):
        check_scores(rubric, {"listen": 3})
    for bad in (0, 6):
        with pytest.raises(ScoreError, match="scores go from 1 to 5"):
            check_scores(rubric, {"depth": bad})


def test_several_observers_give_a_mean_and_a_count_per_line():
    found = summarize(
        [ObserverScoring("Carla", (("depth", 4), ("listening", 2))), ObserverScoring("Dev", (("depth", 5),))]
    )
    assert (found["depth"].mean, found["depth"].count, found["depth"].text()) == (4.5, 2, "4.5 (2)")
    assert (found["listening"].mean, found["listening"].count, found["listening"].text()) == (2, 1, "2")


# --- a group on a real file -----------------------------------------------------------------
@pytest.fixture(scope="module")
def played_group(tmp_path_factory, analyzer, encoder) -> tuple[Path, list[int]]:
    """Ana's good call and Ben's weak one, played once as group "monday" into a file each test copies."""
    from simulator.domain.understanding import MeaningMatcher

    freight = load_scenario(builtin_scenarios_dir() / "freight-discovery.yaml")
    path = tmp_path_factory.mktemp("team") / "monday.db"
    store = Store(path)
    ids = []
    for rep, replies in (("Ana", GOOD_FREIGHT_CALL), ("Ben", WEAK_FREIGHT_CALL)):
        call = PracticeCall(
            store, freight, rep, understanding=MeaningMatcher(freight, encoder), mode=TEAM_MODE, group_id="monday"
        )
        play_script(call, replies, analyzer.analyze_turn)
        call.save_debrief({"next_step": ""})
        assert call.session_id is not None
        ids.append(call.session_id)
    store.close()
    return path, ids


@pytest.fixture
def group(db_path, played_group) -> list[int]:
    """The group's session ids, in a fresh copy of its database at `db_path`."""
    template, ids = played_group
    shutil.copy(template, db_path)
    return ids


@pytest.fixture
def team_store(db_path, group):
    store = Store(db_path)
    yield store
    store.close()


def test_rescoring_replaces_that_observers_scores_and_keeps_the_others(team_store, group, freight):
    ben = group[1]
    titles = {c.id: c.title for c in rubric_for(freight)}
    team_store.save_observer_scores(
        ben, ObserverScoring("Carla", (("depth", 2), ("listening", 4)), "kept calm"), titles
    )
    team_store.save_observer_scores(ben, ObserverScoring("Dev", (("listening", 5),)), titles)
    team_store.save_observer_scores(ben, ObserverScoring("  carla ", (("listening", 3),)), titles)
    scorings = team_store.observer_scorings([ben])[ben]
    assert [(s.observer, s.scores, s.note) for s in scorings] == [
        ("Dev", (("listening", 5),), ""),
        ("carla", (("listening", 3),), ""),
    ]
    rows = list(team_store.db.query("select criterion, title from observer_scores where session_id = ?", [ben]))
    assert {r["title"] for r in rows} == {"Played back what Dana said in her own terms"}
    table = group_table(team_store, "monday", scenario=freight)
    assert table is not None
    listening = dict((c.id, s) for c, s in table.observer_rows())["listening"]
    assert listening[0] is None and (listening[1].mean, listening[1].count) == (4, 2)
    data = table.to_json()
    assert data["reps"][1]["observer_scores"] == {"listening": {"mean": 4.0, "count": 2}}
    assert data["ranking"] is None and data["rubric"][0]["id"] == "discovery"


def test_observer_scores_survive_export_and_import_and_show_in_the_report(tmp_path, team_store, group, freight):
    ben = group[1]
    titles = {c.id: c.title for c in rubric_for(freight)}
    team_store.save_observer_scores(
        ben, ObserverScoring("Carla", (("depth", 2), ("listening", 4)), "Good pause"), titles
    )
    team_store.save_observer_scores(ben, ObserverScoring("Dev", (("listening", 5),)), titles)
    exported = team_store.export_session(ben)
    assert [o["observer"] for o in exported["observer_scores"]] == ["Carla", "Dev"]

    other = Store(tmp_path / "other.db")
    copied, new = other.import_session(json.loads(json.dumps(exported)))
    assert new and other.import_session(exported) == (copied, False)
    assert other.observer_scorings([copied])[copied] == team_store.observer_scorings([ben])[ben]
    # A machine without the scenario still shows the lines that were scored, as worded then.
    table = group_table(other, "monday")
    assert table is not None and [c.id for c in table.rubric] == ["depth", "listening"]

    report = build_report(load_review(other, copied))
    markdown, page = to_markdown(report), to_html(report)
    assert "## What observers scored" in markdown
    assert "- Played back what Dana said in her own terms: 4.5 out of 5 (mean of 2 observers)" in markdown
    assert "- Note from Carla: Good pause" in markdown
    assert "<h2>What observers scored</h2>" in page and "2 out of 5 (1 observer)" in page
    other.close()


# --- the command line -----------------------------------------------------------------------
@pytest.fixture
def run(analyzer, encoder):
    from click.testing import CliRunner

    from simulator.cli import cli
    from simulator.cli.common import Parts

    def invoke(*args: str):
        return CliRunner().invoke(cli, list(args), obj=Parts(analyzer=lambda: analyzer, encoder=lambda: encoder))

    return invoke


def test_spar_team_observe_stores_scores_that_team_show_prints_beside_the_figures(run, team_store, group, db_path):
    ben = str(group[1])
    common = ["--db", str(db_path)]
    first = run("team", "observe", ben, "--observer", "Carla", "--score", "listening=4", "--score", "depth=2",
                "--note", "Good pause after the price", *common)  # fmt: skip
    assert first.exit_code == 0, first.output
    assert "Saved Carla's scores of Ben's call" in first.output
    assert "4  Played back what Dana said in her own terms" in first.output
    assert "spar team show monday" in first.output
    assert run("team", "observe", ben, "--observer", "Dev", "--score", "listening=5", *common).exit_code == 0

    shown = run("team", "show", "monday", *common)
    assert shown.exit_code == 0
    out = shown.output
    assert f"Ben: session {ben}" in out and "Ranking" not in out
    listening = next(line for line in out.splitlines() if line.startswith("listening "))
    assert listening.split()[:3] == ["listening", "—", "4.5"] and "(2)" in listening
    assert "Ben, from Carla: Good pause after the price" in out
    data = json.loads(run("team", "show", "monday", "--json", *common).output)
    ben_row = data["side_by_side"]["reps"][1]
    assert ben_row["observer_scores"]["listening"] == {"mean": 4.5, "count": 2}
    assert set(ben_row["figures"]) >= {"needs_questions", "objective_met"}  # the existing keys stay
    assert [o["observer"] for o in ben_row["observers"]] == ["Carla", "Dev"]


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--score", "listen=4"], "'listen' is not on this scenario's rubric; score one of: discovery, depth"),
        (["--score", "depth=6"], "depth=6: scores go from 1 to 5"),
        (["--score", "depth=0"], "depth=0: scores go from 1 to 5"),
        (["--score", "depth"], "write it as CRITERION=N"),
        (["--score", "depth=2", "--score", "depth=3"], "given twice"),
    ],
)
def test_spar_team_observe_refuses_a_bad_score_in_one_line(run, team_store, group, db_path, args, says):
    result = run("team", "observe", str(group[1]), "--observer", "Carla", *args, "--db", str(db_path))
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("spar: ") and says in lines[0]
    assert team_store.observer_scorings([group[1]])[group[1]] == []


def test_spar_team_observe_names_an_unknown_session(run, team_store, group, db_path):
    result = run("team", "observe", "99", "--observer", "Carla", "--score", "depth=3", "--db", str(db_path))
    assert result.exit_code == 2
    assert result.output.strip() == f"spar: no session 99 in {db_path}; `spar team show GROUP` lists a group's sessions"


def test_hotseat_next_step_is_saved_for_each_rep(run, tmp_path, db_path):
    files = []
    for name, replies in (("ana", GOOD_FREIGHT_CALL), ("ben", WEAK_FREIGHT_CALL)):
        path = tmp_path / f"{name}.txt"
        path.write_text("\n".join(replies) + "\n", encoding="utf-8")
        files.append(str(path))
    base = ["team", "hotseat", "freight-discovery", "--rep", "Ana", "--replies", files[0], "--rep", "Ben",
            "--replies", files[1], "--db", str(db_path)]  # fmt: skip
    wrong = run(*base, "--next-step", "a", "--next-step", "b", "--next-step", "c")
    assert wrong.exit_code == 2 and "3 --next-step for 2 reps" in wrong.output
    assert not db_path.exists()
    played = run(*base, "--group", "g1", "--next-step", "Ask what the delays cost")
    assert played.exit_code == 0, played.output
    store = Store(db_path)
    assert store.latest_goal("Ana").next_step == store.latest_goal("Ben").next_step == "Ask what the delays cost"
    assert run(*base, "--group", "g2", "--next-step", "Pause more", "--next-step", "Pitch later").exit_code == 0
    assert (store.latest_goal("Ana").next_step, store.latest_goal("Ben").next_step) == ("Pause more", "Pitch later")
    store.close()


# --- the app ---------------------------------------------------------------------------------
def _text(widget: Static) -> str:
    return str(widget.render())


async def _say(pilot, app, text: str) -> None:
    reply = app.screen.query_one("#reply", Input)
    reply.value = text
    await pilot.press("enter")
    await app.workers.wait_for_complete()
    await pilot.pause()


async def _take_the_seat(pilot, app, rep: str, replies: list[str], step: str) -> None:
    """One rep's call in the normal call screen, then their own debrief, then back to Team."""
    assert isinstance(app.screen, CallScreen) and app.screen.call.rep_name == rep
    for line in replies:
        await _say(pilot, app, line)
        if app.screen.call.ended:
            break
    if not app.screen.call.ended:
        await pilot.press("ctrl+e")
    await pilot.press("enter")
    await pilot.pause()
    assert isinstance(app.screen, DebriefScreen) and app.screen.call.rep_name == rep
    back = [b for b in app.screen.active_bindings.values() if b.binding.key == "ctrl+b"]
    assert [b.binding.description for b in back] == ["Team"], "Ctrl+B leads back to the Team screen"
    await pilot.press("ctrl+n")  # the figures, after the reflection prompts
    await pilot.pause()
    assert app.screen.query_one("#results").display is True
    assert "One thing to work on next" in _text(app.screen.query_one("#focus", Static))
    app.screen.query_one("#next_step", Input).value = step
    await pilot.press("ctrl+s")
    await pilot.press("ctrl+b")
    await pilot.pause()


async def test_a_two_rep_hot_seat_in_the_app_ends_in_the_table_where_an_observer_scores(store, analyzer, encoder):
    app = create_app(store=store, analyzer_factory=lambda: analyzer, encoder_factory=lambda: encoder,
                     transcriber_factory=lambda: object())  # fmt: skip
    async with app.run_test(size=(120, 40)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.press("f5")
        await pilot.pause()
        assert isinstance(app.screen, TeamScreen)
        app.screen.query_one("#team-reps", Input).value = "Ana, Ben"
        app.screen.query_one("#team-group", Input).value = "monday"
        scenarios = app.screen.query_one("#team-scenarios", OptionList)
        ids = [scenarios.get_option_at_index(i).id for i in range(scenarios.option_count)]
        scenarios.highlighted = ids.index("freight-discovery")
        await pilot.press("ctrl+s")
        await pilot.pause()

        await _take_the_seat(pilot, app, "Ana", GOOD_FREIGHT_CALL, "Paraphrase once more")
        assert isinstance(app.screen, TeamScreen)
        status = _text(app.screen.query_one("#team-status", Static))
        assert "Ana's call is done" in status and "Hand over to Ben" in status
        await pilot.press("ctrl+s")
        await pilot.pause()
        await _take_the_seat(pilot, app, "Ben", WEAK_FREIGHT_CALL, "Ask before I pitch")

        # After the last rep: everyone's figures side by side, with each figure's aim, no ranking.
        assert isinstance(app.screen, TeamTableScreen)
        grid = app.screen.query_one("#team-table", DataTable)
        assert [str(c.label) for c in grid.columns.values()] == ["", "Ana", "Ben", "aim"]
        assert [str(c) for c in grid.get_row("objective_met")] == ["Objective met", "yes", "no", "yes"]
        assert str(grid.get_row("needs_questions")[3]) == "≥ 3"
        assert "Ranking" not in _text(app.screen.query_one("#team-table-hint", Static))
        assert [str(c) for c in grid.get_row("rubric-listening")][1:3] == ["—", "—"]

        # An observer picks Ben's column and scores two rubric lines.
        await pilot.press("right")
        await pilot.press("o")
        await pilot.pause()
        assert isinstance(app.screen, ObserveScreen) and app.screen.rep == "Ben"
        await pilot.press(*"Carla", "enter")  # name, then one digit per line (a blank line is skipped)
        await pilot.press("2", "tab", "4")
        app.screen.query_one("#observe-note", Input).value = "Pitched in the first line"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, TeamTableScreen)
        grid = app.screen.query_one("#team-table", DataTable)
        assert [str(c) for c in grid.get_row("rubric-discovery")][1:3] == ["—", "2"]
        assert [str(c) for c in grid.get_row("rubric-listening")][1:3] == ["—", "4"]
        hint = _text(app.screen.query_one("#team-table-hint", Static))
        assert "Notes on Ben · Carla: Pitched in the first line" in hint
        # Scoring again: the same observer starts from their earlier scores.
        await pilot.press("o")
        await pilot.pause()
        assert isinstance(app.screen, ObserveScreen)
        assert [app.screen.query_one(f"#score-{i}", Input).value for i in range(4)] == ["2", "", "4", ""]
        assert app.screen.query_one("#score-0", Input).has_focus
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, TeamTableScreen)

    rows = list(store.db.query("select s.group_id, s.mode, r.name from sessions s join reps r on r.id = s.rep_id"))
    assert rows == [
        {"group_id": "monday", "mode": "team", "name": "Ana"},
        {"group_id": "monday", "mode": "team", "name": "Ben"},
    ]
    assert store.latest_goal("Ben").next_step == "Ask before I pitch"
    ben = store.stored_sessions(rep_name="Ben")[0].id
    scorings = store.observer_scorings([ben])[ben]
    assert [(s.observer, s.scores, s.note) for s in scorings] == [
        ("Carla", (("discovery", 2), ("listening", 4)), "Pitched in the first line")
    ]


async def test_an_earlier_group_reopens_from_the_team_screen_with_a_ranking_if_asked(team_store, group):
    app = create_app(store=team_store, analyzer_factory=InstantAnalyzer, encoder_factory=lambda: None,
                     transcriber_factory=lambda: object())  # fmt: skip
    async with app.run_test(size=(120, 40)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.press("f5")
        await pilot.pause()
        app.screen.query_one("#team-rank").value = True
        groups = app.screen.query_one("#team-groups", OptionList)
        groups.focus()
        groups.highlighted = 0
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, TeamTableScreen) and app.screen.group_id == "monday"
        assert "Ranking: 1. Ana, 2. Ben" in _text(app.screen.query_one("#team-table-hint", Static))


async def test_the_facilitator_can_end_a_hot_seat_early_and_see_the_calls_played(store):
    app = create_app(store=store, analyzer_factory=InstantAnalyzer, encoder_factory=lambda: None,
                     transcriber_factory=lambda: object())  # fmt: skip
    async with app.run_test(size=(100, 30)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.press("f5")
        await pilot.pause()
        assert app.screen.check_action("stop", ()) is False, "nothing to end before the first call"
        app.screen.query_one("#team-reps", Input).value = "Ana, Ben, Chloe"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, CallScreen) and app.screen.call.rep_name == "Ana"
        await pilot.press("ctrl+e", "enter")
        await pilot.pause()
        assert isinstance(app.screen, DebriefScreen)
        await pilot.press("ctrl+b")
        await pilot.pause()
        assert isinstance(app.screen, TeamScreen)
        assert "Hand over to Ben" in _text(app.screen.query_one("#team-status", Static))
        await pilot.press("ctrl+x")
        await pilot.pause()
        assert isinstance(app.screen, TeamTableScreen)
        grid = app.screen.query_one("#team-table", DataTable)
        assert [str(c.label) for c in grid.columns.values()] == ["", "Ana", "aim"]
    assert [s.rep_name for s in store.sessions()] == ["Ana"]


# --- what the table looks like ---------------------------------------------------------------
@pytest.fixture
def scored_group(team_store, group, freight):
    titles = {c.id: c.title for c in rubric_for(freight)}
    team_store.save_observer_scores(
        group[0],
        ObserverScoring("Carla", (("discovery", 5), ("depth", 4), ("listening", 4)), "Waited for the answers"),
        titles,
    )
    team_store.save_observer_scores(group[1], ObserverScoring("Carla", (("discovery", 1), ("listening", 3))), titles)
    team_store.save_observer_scores(group[1], ObserverScoring("Dev", (("discovery", 2), ("next-step", 3))), titles)
    return team_store


async def _open_monday(pilot) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.press("f5")
    await pilot.pause()
    groups = pilot.app.screen.query_one("#team-groups", OptionList)
    groups.focus()
    groups.highlighted = 0
    await pilot.press("enter")
    await pilot.pause()
    await pilot.pause()


def test_team_table_screen(snap_compare, scored_group):
    app = create_app(store=scored_group, analyzer_factory=InstantAnalyzer, encoder_factory=lambda: None,
                     transcriber_factory=lambda: object())  # fmt: skip
    assert snap_compare(app, terminal_size=(80, 24), run_before=_open_monday)
