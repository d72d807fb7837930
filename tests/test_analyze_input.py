"""`spar analyze` on input written to break it: each bad line is one `FILE:LINE:` error with exit 2,
the lines before it are written whole, and the output is always valid JSON Lines."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis.language.analyzer import MAX_TURN_CHARS
from simulator.cli import cli
from simulator.cli.common import Parts
from simulator.storage import Store

GOOD = '{"speaker": "rep", "text": "How do you plan the routes today?", "conversation_id": "c1"}'


@pytest.fixture
def analyze(analyzer, tmp_path):
    """Run `spar analyze FILE` on raw bytes; returns (exit code, stdout lines, stderr)."""
    runner = CliRunner()

    def run(data: bytes):
        source = tmp_path / "in.jsonl"
        source.write_bytes(data)
        result = runner.invoke(cli, ["analyze", str(source)], obj=Parts(analyzer=lambda: analyzer))
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise result.exception
        return result.exit_code, result.stdout.splitlines(), result.stderr, source

    return run


def _valid_jsonl(lines: list[str]) -> list[dict]:
    """Every line parses as strict JSON: no NaN, no Infinity, no lone surrogates."""

    def refuse(constant: str):
        raise AssertionError(f"{constant} is not JSON")

    parsed = [json.loads(line, parse_constant=refuse) for line in lines]
    for line in lines:
        line.encode("utf-8")
    return parsed


BAD_LINES = {
    "lone surrogate": ('{"speaker": "rep", "text": "hi \\ud800 there"}', "surrogate"),
    "list as conversation_id": ('{"speaker": "rep", "text": "Hi.", "conversation_id": [1, 2]}', "conversation_id"),
    "object as conversation_id": ('{"speaker": "rep", "text": "Hi.", "conversation_id": {"a": 1}}', "conversation_id"),
    "deep nesting": ("[" * 200_000, "nested"),
    "5,000-digit number": ('{"speaker": "rep", "text": "Hi.", "n": 1' + "0" * 5000 + "}", "number"),
    "NaN": ('{"speaker": "rep", "text": "Hi.", "score": NaN}', "NaN"),
    "Infinity": ('{"speaker": "rep", "text": "Hi.", "score": -Infinity}', "Infinity"),
    "overflowing float": ('{"speaker": "rep", "text": "Hi.", "score": 1e999}', "number"),
    "text too long": (json.dumps({"speaker": "rep", "text": "Tell me more. " * (MAX_TURN_CHARS // 10)}), "characters"),
}


@pytest.mark.parametrize("name", list(BAD_LINES))
def test_a_bad_line_is_one_error_with_its_line_and_the_lines_before_it_are_written(analyze, name):
    bad, words = BAD_LINES[name]
    code, out, err, source = analyze((GOOD + "\n" + GOOD + "\n" + bad + "\n" + GOOD + "\n").encode("utf-8"))
    assert code == 2
    assert err.startswith(f"spar: {source}:3: ") and err.count("\n") == 1 and words in err, err
    assert len(err) < 400
    written = _valid_jsonl(out)
    assert len(written) == 2, "exactly the lines before the bad one, each complete"


def test_a_byte_order_mark_is_accepted(analyze):
    code, out, err, _ = analyze(b"\xef\xbb\xbf" + GOOD.encode() + b"\n" + GOOD.encode() + b"\n")
    assert code == 0, err
    assert [o["text"] for o in _valid_jsonl(out)] == ["How do you plan the routes today?"] * 2


def test_a_non_utf8_line_is_reported_with_its_number_after_the_lines_before_it(analyze):
    lines = [GOOD.encode()] * 300 + ['{"speaker": "rep", "text": "caf\xe9"}'.encode("latin-1")] + [GOOD.encode()]
    code, out, err, source = analyze(b"\n".join(lines) + b"\n")
    assert code == 2
    assert err.startswith(f"spar: {source}:301: ") and "UTF-8" in err and err.count("\n") == 1
    assert len(_valid_jsonl(out)) == 300


def test_numbers_and_ids_that_are_fine_come_back_unchanged(analyze):
    line = {"speaker": "customer", "text": "We plan by hand.", "conversation_id": 7, "n": 10**40, "x": 1.5}
    code, out, _, _ = analyze((json.dumps(line) + "\n").encode())
    assert code == 0
    [back] = _valid_jsonl(out)
    assert {k: back[k] for k in line} == line


def test_a_long_reply_in_practice_is_one_line_and_leaves_no_unfinished_session(analyzer, tmp_path):
    replies = tmp_path / "replies.txt"
    replies.write_text("How do you plan the routes?\n" + "Tell me more. " * (MAX_TURN_CHARS // 10) + "\n")
    db = tmp_path / "spar.db"
    runner = CliRunner()
    args = ["practice", "freight-discovery", "--rep", "Sam", "--replies", str(replies), "--db", str(db)]
    result = runner.invoke(cli, args, obj=Parts(analyzer=lambda: analyzer))
    assert result.exit_code == 1
    assert result.stderr.startswith(f"spar: {replies}:2: ") and result.stderr.count("\n") == 1
    assert all(s.status != "in_progress" for s in Store(db, read_only=True).sessions())


def test_a_long_reply_from_standard_input_ends_the_call_and_saves_it(analyzer, tmp_path):
    db = tmp_path / "spar.db"
    long_reply = "Tell me more. " * (MAX_TURN_CHARS // 10)
    result = CliRunner().invoke(
        cli,
        ["practice", "freight-discovery", "--rep", "Sam", "--replies", "-", "--db", str(db)],
        input="How do you plan the routes?\n" + long_reply + "\n",
        obj=Parts(analyzer=lambda: analyzer),
    )
    assert result.exit_code == 1
    assert "characters" in result.stderr and result.stderr.count("\n") == 1
    [session] = Store(db, read_only=True).sessions()
    assert session.status != "in_progress", "the call is ended and saved, not left unfinished"
    assert session.turn_count == 4


# --- fuzzing: whatever a line holds, the answer is JSON Lines or one FILE:LINE error ------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=8,
)
utterances = st.fixed_dictionaries(
    {"speaker": st.sampled_from(["rep", "customer", "coach"]), "text": st.text(max_size=60)},
    optional={"conversation_id": json_values, "extra": json_values},
)
raw_lines = st.one_of(
    utterances.map(lambda d: json.dumps(d, ensure_ascii=False)),
    utterances.map(json.dumps),
    st.text(max_size=40),
    st.binary(max_size=40).map(lambda b: b.decode("latin-1")),
    st.sampled_from(["[" * 3000, "\ufeff" + GOOD, '{"speaker": "rep", "text": "\\udfff"}', "1e999", "NaN", "{}"]),
)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(lines=st.lists(raw_lines, min_size=1, max_size=4))
def test_fuzzed_input_gives_json_lines_or_one_error(analyze, lines):
    data = "\n".join(lines).encode("utf-8", "surrogatepass")
    code, out, err, source = analyze(data)
    assert code in (0, 2), err
    _valid_jsonl(out)
    if code == 2:
        assert err.startswith(f"spar: {source}") and err.count("\n") == 1
