"""Scenario files: the built-ins load, broken files are reported with file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from simulator.domain.catalogue import load_catalogue, resolve_scenario
from simulator.domain.matching import topic_matches
from simulator.domain.scenario import ScenarioError
from simulator.domain.scenario_file import load_scenario
from simulator.locations import builtin_scenarios_dir

BUILTIN = builtin_scenarios_dir()


def test_at_least_three_builtin_scenarios_of_different_types_and_difficulty():
    catalogue = load_catalogue([BUILTIN])
    assert catalogue.broken == []
    assert len(catalogue.scenarios) >= 3
    assert len({s.call_type for s in catalogue.scenarios}) >= 2
    assert {s.difficulty for s in catalogue.scenarios} >= {1, 2, 3}
    for s in catalogue.scenarios:
        assert s.needs and s.objections and s.opening and s.objective.keywords
        # A need that asks for more trust must have something to say before it is trusted.
        assert all(n.guarded for n in s.needs if n.min_trust != "bronze")


def _write(tmp_path: Path, text: str, name: str = "broken.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _freight_text() -> str:
    return (BUILTIN / "freight-discovery.yaml").read_text(encoding="utf-8")


def _line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), start=1) if needle in line)


def test_wrong_type_is_reported_at_its_line(tmp_path):
    text = _freight_text().replace("difficulty: 1", "difficulty: easy")
    path = _write(tmp_path, text)
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    message = str(caught.value)
    assert f"{path}:{_line_of(text, 'difficulty: easy')}:" in message
    assert "difficulty" in message


def test_missing_key_and_unknown_key_are_both_reported(tmp_path):
    text = _freight_text().replace("      says: >\n        Late deliveries", "      said: >\n        Late deliveries")
    path = _write(tmp_path, text)
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    problems = [str(p) for p in caught.value.problems]
    assert any("unknown key 'said'" in p for p in problems), problems
    assert any("missing 'says'" in p for p in problems), problems
    assert all(p.startswith(f"{path}:") for p in problems)


def test_yaml_syntax_error_names_line(tmp_path):
    text = _freight_text().replace("mood: busy but curious", "mood: [busy but curious")
    path = _write(tmp_path, text)
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    problem = caught.value.problems[0]
    assert problem.path == path and problem.line >= _line_of(text, "mood: [busy")
    assert "not valid YAML" in problem.message


def test_empty_file_and_missing_file(tmp_path):
    with pytest.raises(ScenarioError, match="empty"):
        load_scenario(_write(tmp_path, ""))
    with pytest.raises(ScenarioError, match="no such file"):
        load_scenario(tmp_path / "nope.yaml")


def test_unknown_format_version_is_refused(tmp_path):
    text = _freight_text().replace("format: 2", "format: 7")
    with pytest.raises(ScenarioError, match="format must be 1"):
        load_scenario(_write(tmp_path, text))


def test_duplicate_need_ids_and_non_rising_trust(tmp_path):
    text = _freight_text().replace("id: late-deliveries", "id: manual-planning").replace("silver: 3", "silver: 9")
    with pytest.raises(ScenarioError) as caught:
        load_scenario(_write(tmp_path, text))
    message = str(caught.value)
    assert "used twice" in message and "thresholds must rise" in message


def test_catalogue_skips_broken_file_and_keeps_the_rest(tmp_path):
    _write(tmp_path, "format: 1\nid: half\n", "half.yaml")
    _write(tmp_path, _freight_text().replace("id: freight-discovery", "id: my-freight"), "mine.yaml")
    catalogue = load_catalogue([tmp_path, BUILTIN])
    assert "my-freight" in {s.id for s in catalogue.scenarios}
    assert len(catalogue.broken) == 1 and "half.yaml" in str(catalogue.broken[0])


def test_resolve_by_id_or_path_and_unknown_id(tmp_path):
    assert resolve_scenario("clinic-renewal", [BUILTIN]).persona.name
    assert resolve_scenario(str(BUILTIN / "freight-discovery.yaml")).id == "freight-discovery"
    with pytest.raises(ScenarioError, match="no scenario with id 'nope'.*freight-discovery"):
        resolve_scenario("nope", [BUILTIN])


def test_topic_matching_takes_common_endings_but_not_substrings():
    assert topic_matches(("schedule",), "How do you do the scheduling?") == ["schedule"]
    assert topic_matches(("route",), "Tell me about your routes") == ["route"]
    assert topic_matches(("late",), "We relate well") == []
