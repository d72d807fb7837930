"""`spar team customer` refuses every bad request with one line and exit 2, and joins a good one;
`spar practice --live --replies` plays a call whose customer a person types in another terminal."""

from __future__ import annotations

import json
import threading

import pytest
from click.testing import CliRunner

from simulator.cli import cli
from simulator.cli.common import Parts
from simulator.domain.live import LiveReply, LiveStatus, Reaction
from simulator.storage import Store


@pytest.fixture
def run(analyzer):
    runner = CliRunner()

    def invoke(*args: str, input: str | None = None):
        return runner.invoke(cli, list(args), input=input, catch_exceptions=False, obj=Parts(analyzer=lambda: analyzer))

    return invoke


def _one_line(result, *words: str) -> None:
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("spar: "), result.output
    for word in words:
        assert word in lines[0], lines[0]


@pytest.fixture
def no_app(monkeypatch):
    """The customer's app is not drawn in these tests; what it was opened on is kept."""
    opened = []
    monkeypatch.setattr("simulator.ui.customer_app.CustomerApp.run", lambda app: opened.append(app))
    return opened


def test_bad_requests_each_get_one_line(run, db_path, store, freight, tmp_path, no_app):
    _one_line(run("team", "customer", "--db", str(tmp_path / "nowhere.db"), "--name", "Kim"), "nowhere.db",
              "same --db")  # fmt: skip
    _one_line(run("team", "customer", "--db", str(db_path), "--name", "Kim"), "no call is waiting", "--live")
    first = store.open_live_call(freight, "Ana")
    second = store.open_live_call(freight, "Ben")
    _one_line(run("team", "customer", "--db", str(db_path), "--name", "Kim"), "2 calls", first.code, second.code)
    _one_line(run("team", "customer", "0000", "--db", str(db_path), "--name", "Kim"), "no call with join code '0000'")
    _one_line(run("team", "customer", first.code, "--db", str(db_path), "--name", "   "), "a name is needed")
    _one_line(run("team", "customer", first.code, "--db", str(db_path), input="\n"), "a name is needed")
    assert store.live_call(first.id).status is LiveStatus.WAITING, "nothing joined by a refused request"
    assert no_app == []

    joined = run("team", "customer", first.code, "--db", str(db_path), "--name", " Kim  Lee ")
    assert joined.exit_code == 0, joined.output
    assert [app.live.customer_name for app in no_app] == ["Kim Lee"]
    assert no_app[0].scenario.id == freight.id
    _one_line(run("team", "customer", first.code, "--db", str(db_path), "--name", "Jo"), "Kim Lee has already joined")
    store.close_live_call(second.id, LiveStatus.CANCELLED)
    _one_line(run("team", "customer", second.code, "--db", str(db_path), "--name", "Jo"), "Ben cancelled it")
    _one_line(run("team", "customer", "--db", str(db_path), "--name", "Jo"), "no call is waiting")


def test_asked_for_a_name_when_none_is_given(run, db_path, store, freight, no_app):
    store.open_live_call(freight, "Ana")
    result = run("team", "customer", "--db", str(db_path), input="Kim\n")
    assert result.exit_code == 0, result.output
    assert no_app[0].live.customer_name == "Kim"


def test_practice_live_from_a_replies_file_with_a_person_typing_the_customer(run, db_path, store, tmp_path):
    replies = tmp_path / "replies.txt"
    replies.write_text("How do you plan the routes today?\nCould we meet next week?\n", encoding="utf-8")

    def person() -> None:  # the other terminal: joins the call once it waits, answers each rep line
        other = Store(db_path)
        while not other.live_calls():
            threading.Event().wait(0.05)
        live = other.join_live_call(other.live_calls()[0].id, "Kim")
        lines = [LiveReply(0, "Dana here."), LiveReply(2, "Marcus plans by hand.", Reaction.TELL_NEED, "manual-planning"),
                 LiveReply(4, "Not yet, tell me more first.", Reaction.NOT_YET)]  # fmt: skip
        for line in lines:
            while line.index and len(other.turns(other.live_call(live.id).session_id or 0)) < line.index:
                threading.Event().wait(0.05)
            other.add_live_reply(live.id, line)
        other.close()

    thread = threading.Thread(target=person, daemon=True)
    thread.start()
    result = run("practice", "freight-discovery", "--live", "--rep", "Ana", "--replies", str(replies),
                 "--group", "live-team", "--json", "--db", str(db_path))  # fmt: skip
    thread.join(5)
    assert result.exit_code == 0, result.output
    assert "spar team customer" in result.stderr
    data = json.loads(result.stdout)
    assert [t["text"] for t in data["transcript"] if t["speaker"] == "customer"] == [
        "Dana here.",
        "Marcus plans by hand.",
        "Not yet, tell me more first.",
        "(The rep ended the call.)",
    ]
    assert data["figures"]["needs_uncovered"]["value"] == 1
    row = store.db.table("sessions").get(data["session_id"])
    assert row["customer_played_by"] == "Kim" and row["group_id"] == "live-team"
    shown = run("show", str(data["session_id"]), "--db", str(db_path))
    assert "Dana Okafor (played by Kim): Marcus plans by hand." in shown.output
    listed = run("history", "--db", str(db_path))
    assert "customer played live by Kim" in listed.output
    (summary,) = [json.loads(line) for line in run("history", "--json", "--db", str(db_path)).output.splitlines()]
    assert summary["customer_played_by"] == "Kim"


def test_practice_live_when_the_person_leaves_mid_call_still_saves_a_debriefed_call(run, db_path, store, tmp_path):
    replies = tmp_path / "replies.txt"
    replies.write_text("How do you plan the routes today?\nWhat does it cost you?\n", encoding="utf-8")

    def person() -> None:  # joins, opens, then closes their terminal without answering
        other = Store(db_path)
        while not other.live_calls():
            threading.Event().wait(0.05)
        live = other.join_live_call(other.live_calls()[0].id, "Kim")
        other.add_live_reply(live.id, LiveReply(0, "Dana here."))
        while len(other.turns(other.live_call(live.id).session_id or 0)) < 2:
            threading.Event().wait(0.05)
        other.close_live_call(live.id, LiveStatus.LEFT)
        other.close()

    thread = threading.Thread(target=person, daemon=True)
    thread.start()
    result = run("practice", "freight-discovery", "--live", "--rep", "Ana", "--replies", str(replies), "--json",
                 "--db", str(db_path))  # fmt: skip
    thread.join(5)
    assert result.exit_code == 0, result.output
    assert "Kim left the call" in result.stderr
    data = json.loads(result.stdout)
    assert [t["speaker"] for t in data["transcript"]] == ["customer", "rep", "customer"]
    assert data["transcript"][-1]["text"] == "(The customer had left the call.)" and data["unused_replies"] == 1
    assert store.session(data["session_id"]).status == "debriefed"
