"""Scenario files written to hurt: every one is refused as `FILE:LINE: problem`, quickly, without
echoing the file, and one bad file in the scenario folder never stops the others loading."""

from __future__ import annotations

import resource
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simulator.cli import cli
from simulator.domain.catalogue import load_catalogue, resolve_scenario
from simulator.domain.scenario import MAX_PROBLEM_CHARS, ScenarioError
from simulator.domain.scenario_file import load_scenario, parse_scenario
from simulator.locations import builtin_scenarios_dir

FREIGHT = (builtin_scenarios_dir() / "freight-discovery.yaml").read_text(encoding="utf-8")

BILLION_LAUGHS = """\
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
"""

# (file text, the line the problem is on, words the problem says)
HOSTILE = {
    "python tag": ("format: 1\nid: !!python/object/apply:os.system ['echo owned']\n", 2, "tag"),
    "int tag on text": ("format: 1\ndifficulty: !!int abc\n", 2, "tag"),
    "binary tag": ("format: 1\nopening: !!binary '@@@'\n", 2, "tag"),
    "local tag": ("format: 1\ntitle: !mine hello\n", 2, "tag"),
    "complex key": ("format: 1\n? [a, b]\n: value\n", 2, "key"),
    "self-referencing anchor": ("format: 1\npersona: &p {name: *p}\n", 2, "refers to itself"),
    "duplicate key": ("format: 1\nid: one\ntitle: x\nid: two\n", 4, "twice"),
    "deep nesting": ("format: 1\nneeds: " + "[" * 5000 + "]" * 5000 + "\n", 2, "deep"),
    "deep block nesting": ("format: 1\nneeds:\n" + "".join("  " * i + "- \n" for i in range(80)), 52, "deep"),
    "huge integer": ("format: 1\ndifficulty: 1" + "0" * 5000 + "\n", 2, "cannot read"),
    "merge key": ("format: 1\nbase: &b {x: 1}\npersona:\n  <<: *b\n", 4, ""),
    "null byte": ("format: 1\nid: a\x00b\n", 2, "not valid YAML"),
    "undefined alias": ("format: 1\nid: *nowhere\n", 2, "not valid YAML"),
}


def _problems(text: str, tmp_path: Path) -> list[str]:
    path = tmp_path / "hostile.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    return [str(p) for p in caught.value.problems]


def test_billion_laughs_fails_fast_without_growing_memory(tmp_path):
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.monotonic()
    problems = _problems(BILLION_LAUGHS, tmp_path)
    assert time.monotonic() - started < 1.0
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert grown_mb < 50
    assert any("alias" in p for p in problems), problems
    assert all(p.startswith(f"{tmp_path / 'hostile.yaml'}:") for p in problems)


@pytest.mark.parametrize("name", list(HOSTILE))
def test_hostile_yaml_is_one_problem_line_with_its_line_number(tmp_path, name):
    text, line, words = HOSTILE[name]
    started = time.monotonic()
    problems = _problems(text, tmp_path)
    assert time.monotonic() - started < 1.0
    path = tmp_path / "hostile.yaml"
    assert any(p.startswith(f"{path}:{line}: ") and words in p for p in problems), problems
    for problem in problems:
        assert "\n" not in problem and len(problem) <= MAX_PROBLEM_CHARS


def test_an_impossible_date_is_read_as_text(tmp_path):
    path = tmp_path / "dated.yaml"
    path.write_text(FREIGHT + "\nauthor: 2024-02-30\n", encoding="utf-8")
    assert load_scenario(path).extra["author"] == "2024-02-30"


def test_a_file_over_the_size_limit_is_refused_before_it_is_parsed(tmp_path):
    path = tmp_path / "big.yaml"
    path.write_text(FREIGHT + "\ndescription: " + "x" * 1_100_000 + "\n", encoding="utf-8")
    started = time.monotonic()
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    assert time.monotonic() - started < 1.0
    assert "too large" in str(caught.value)


def test_aliases_within_the_budget_still_work(tmp_path):
    text = FREIGHT.replace("  statement:", "  statement: &said\n    - Fine.\n  ignored:", 1)
    assert "&said" in text
    path = tmp_path / "aliases.yaml"
    reuse = text.replace("  ignored:", "  repeat: *said\n  ignored:", 1)
    path.write_text(reuse, encoding="utf-8")
    # 'ignored' is an unknown key (reported), but the alias itself is accepted.
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    assert [p.message for p in caught.value.problems if "alias" in p.message] == []


def test_errors_never_echo_the_file_and_are_capped(tmp_path):
    secret = "root:$6$Zq9sEcReTsAlT$kL0ngHashValueThatMustNeverBePrinted:20228:0:99999:7:::"
    path = tmp_path / "shadow"
    path.write_text("\n".join([secret, "daemon:*:20228:0:99999:7:::", "x" * 5000 + ":", "- " + "y" * 500]) + "\n")
    for text in (path.read_text(), secret + "\n", "persona: " + "z" * 5000 + "\n", "id: " + secret + "\n"):
        path.write_text(text)
        with pytest.raises(ScenarioError) as caught:
            load_scenario(path)
        for problem in caught.value.problems:
            line = str(problem)
            assert len(line) <= MAX_PROBLEM_CHARS and "\n" not in line
            assert "$6$" not in line and "xxxxxxxxxx" not in line and "zzzzzzzzzz" not in line, line


def test_spar_practice_on_a_non_scenario_file_never_prints_it(tmp_path):
    secret = "root:$6$Zq9sEcReTsAlT$kL0ngHash:20228:0:99999:7:::"
    path = tmp_path / "shadow"
    path.write_text(secret + "\nbin:*:20228:0:99999:7:::\n")
    replies = tmp_path / "r.txt"
    replies.write_text("Hello.\n")
    result = CliRunner().invoke(cli, ["practice", str(path), "--rep", "Sam", "--replies", str(replies)])
    assert result.exit_code == 2
    assert "$6$" not in result.output and "Zq9s" not in result.output
    [line] = result.output.splitlines()
    assert line.startswith(f"spar: {path}:1: not a scenario file")


def test_a_broken_user_scenario_is_skipped_and_the_rest_still_play(tmp_path, monkeypatch, isolated_data):
    folder = isolated_data / "scenarios"
    folder.mkdir(parents=True)
    (folder / "laughs.yaml").write_text(BILLION_LAUGHS, encoding="utf-8")
    (folder / "tagged.yaml").write_text(HOSTILE["python tag"][0], encoding="utf-8")
    (folder / "deep.yaml").write_text(HOSTILE["deep nesting"][0], encoding="utf-8")
    (folder / "mine.yaml").write_text(FREIGHT.replace("id: freight-discovery", "id: my-freight"), encoding="utf-8")
    started = time.monotonic()
    catalogue = load_catalogue()
    assert time.monotonic() - started < 3.0
    assert {"my-freight", "freight-discovery", "clinic-renewal"} <= {s.id for s in catalogue.scenarios}
    assert len(catalogue.broken) == 3
    assert resolve_scenario("freight-discovery").id == "freight-discovery"
    listed = CliRunner().invoke(cli, ["scenarios", "list"])
    assert listed.exit_code == 0 and "freight-discovery" in listed.stdout
    assert listed.stderr.count("spar: skipped") == 3


# --- fuzzing: whatever the bytes, the loader answers with ScenarioError or a Scenario ---------

YAML_PIECES = st.sampled_from(
    [
        "format: 1\n",
        "id: x\n",
        "id: x\n",
        "needs:\n",
        "  - ",
        "- ",
        "? ",
        ": ",
        "&a ",
        "*a ",
        "*b ",
        "&b ",
        "!!python/name:os.system ",
        "!!int ",
        "!!binary ",
        "!x ",
        "[",
        "]",
        "{",
        "}",
        ", ",
        "<<: ",
        "'",
        '"',
        "|\n",
        ">\n",
        "---\n",
        "...\n",
        "%YAML 1.1\n",
        "\t",
        "#",
        "1e999",
        "0x",
        "2024-02-30",
        "~",
        "\x00",
        "\ufeff",
        "\n",
        "  ",
        "persona: {name: a}\n",
        "difficulty: 9\n",
    ]
)

yaml_like = st.lists(st.one_of(YAML_PIECES, st.text(max_size=8)), max_size=40).map("".join)


@settings(max_examples=1000, deadline=2000, suppress_health_check=[HealthCheck.too_slow])
@given(text=st.one_of(yaml_like, st.text(max_size=200)))
def test_fuzzed_scenario_text_gives_only_scenario_errors(text):
    try:
        parse_scenario(text, Path("fuzz.yaml"))
    except ScenarioError as exc:
        for problem in exc.problems:
            assert len(str(problem)) <= MAX_PROBLEM_CHARS and "\n" not in str(problem)


@settings(max_examples=400, deadline=2000, suppress_health_check=[HealthCheck.too_slow])
@given(cut=st.integers(0, len(FREIGHT)), junk=st.one_of(YAML_PIECES, st.text(max_size=5)))
def test_fuzzed_edits_of_a_real_scenario_give_only_scenario_errors(cut, junk):
    try:
        parse_scenario(FREIGHT[:cut] + junk + FREIGHT[cut:], Path("fuzz.yaml"))
    except ScenarioError as exc:
        assert exc.problems, "a refusal always says why"
