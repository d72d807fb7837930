"""The scenario library: every shipped scenario loads, is varied enough, wins on its good path and
loses on its bad path with the real analyzer and customer; and the authoring commands work."""

from __future__ import annotations

import json
from typing import Any

import pytest
from click.testing import CliRunner

from simulator.cli import cli
from simulator.cli.common import Parts
from simulator.domain.catalogue import load_catalogue
from simulator.domain.scenario_file import load_scenario
from simulator.domain.scenario_review import fastest_win, review_scenario
from simulator.domain.scenario_trial import bad_path, good_path, play_path
from simulator.domain.understanding import MeaningMatcher
from simulator.locations import builtin_scenarios_dir

BUILTIN = builtin_scenarios_dir()
FILES = sorted(BUILTIN.glob("*.yaml"))
IDS = [f.stem for f in FILES]


def test_the_library_is_big_and_varied():
    catalogue = load_catalogue([BUILTIN])
    assert catalogue.broken == []
    scenarios = catalogue.scenarios
    assert len(scenarios) >= 12
    assert len({s.id for s in scenarios}) == len(scenarios)
    assert len({s.call_type for s in scenarios}) >= 6
    assert {s.difficulty for s in scenarios} == {1, 2, 3}
    assert len({s.industry for s in scenarios}) >= 8
    for s in scenarios:
        assert s.version == 2, f"{s.id} is still format 1"
        assert 3 <= len(s.world) <= 5 and 3 <= len(s.needs) <= 4, s.id
        assert s.rubric and s.objective.buying_signal, s.id
        assert all(len(lines) >= 2 for lines in s.replies.values()), s.id


def test_builtin_ids_and_need_ids_are_kept():
    """Other tools build on these: the ids of the three original scenarios and of their needs."""
    kept = {
        "freight-discovery": {"manual-planning", "late-deliveries", "contract-at-risk", "driver-overtime"},
        "clinic-renewal": {"reminder-failures", "slow-support", "staff-morale", "owner-pressure"},
        "plant-cfo-cold-call": {"unplanned-downtime", "recall-cost", "capex-freeze"},
    }
    for scenario_id, needs in kept.items():
        scenario = load_scenario(BUILTIN / f"{scenario_id}.yaml")
        assert scenario.id == scenario_id and {n.id for n in scenario.needs} == needs


@pytest.mark.parametrize("path", FILES, ids=IDS)
def test_every_scenario_passes_review(path):
    scenario = load_scenario(path)
    errors = [str(f) for f in review_scenario(scenario) if f.error]
    assert errors == []
    fastest = fastest_win(scenario)
    assert fastest is not None and fastest <= scenario.patience


@pytest.mark.slow
@pytest.mark.parametrize("path", FILES, ids=IDS)
def test_good_path_wins_and_bad_path_loses(path, analyzer, encoder, tmp_path):
    scenario = load_scenario(path)
    db = tmp_path / "trial.db"
    meaning = MeaningMatcher(scenario, encoder)  # it keeps nothing of a call, so both paths share it
    good = play_path(scenario, "good", good_path(scenario), analyzer.analyze_turn, meaning, db)
    assert good.won, good.transcript
    assert len(good.explicit_needs) >= scenario.objective.needs_required
    bad = play_path(scenario, "bad", bad_path(scenario), analyzer.analyze_turn, meaning, db)
    assert not bad.won and bad.end_reason == "customer_ended", bad.transcript


@pytest.mark.slow
def test_renewal_at_trust_zero_survives_one_early_pitch_but_not_pushing(analyzer, encoder, tmp_path):
    scenario = load_scenario(BUILTIN / "clinic-renewal.yaml")
    assert scenario.trust.start == 0
    pitch = "ChairTime has a brand new reminder engine, it's much better now."
    handle = "I understand, that's fair. What happened with the reminders?"
    one = play_path(scenario, "one", [pitch, handle], analyzer.analyze_turn, MeaningMatcher(scenario, encoder),
                    tmp_path / "a.db")  # fmt: skip
    assert one.transcript[2][2] == "a pitch before enough discovery"  # an objection, and the call goes on
    assert one.end_reason == "rep_ended" and one.turns == 2
    assert one.transcript[4][2] == "acknowledged the concern and asked about it"
    pushing = play_path(scenario, "push", [pitch] * 4, analyzer.analyze_turn, MeaningMatcher(scenario, encoder),
                        tmp_path / "b.db")  # fmt: skip
    assert pushing.end_reason == "customer_ended" and pushing.turns == 2


def test_good_path_is_built_from_the_scenario():
    scenario = load_scenario(BUILTIN / "freight-discovery.yaml")
    replies = good_path(scenario)
    assert replies[0] in scenario.needs[0].asks
    assert replies[1].startswith("So ")  # played back right after the customer told the problem
    assert any(r in (scenario.needs[0].implication.asks if scenario.needs[0].implication else ()) for r in replies)
    assert "meeting" in replies[-1]
    assert all(scenario.product in r for r in bad_path(scenario))


# --- the authoring commands ------------------------------------------------------------------


@pytest.fixture
def run():
    def invoke(*args: str, parts: Parts | None = None):
        return CliRunner().invoke(cli, list(args), obj=parts or Parts())

    return invoke


def test_new_writes_a_template_that_validates_and_refuses_to_overwrite(run, tmp_path):
    out = tmp_path / "mine.yaml"
    written = run("scenarios", "new", "Hotel Renewal", "--out", str(out))
    assert written.exit_code == 0, written.output
    assert load_scenario(out).id == "hotel-renewal"
    assert "#" in out.read_text(encoding="utf-8")
    checked = run("scenarios", "validate", str(out))
    assert checked.exit_code == 0 and "ok" in checked.output and "warning" not in checked.output
    before = out.read_text(encoding="utf-8")
    again = run("scenarios", "new", "Hotel Renewal", "--out", str(out))
    assert again.exit_code == 2 and "already exists" in again.output
    assert len(again.output.strip().splitlines()) == 1 and again.output.startswith("spar:")
    assert out.read_text(encoding="utf-8") == before


def test_new_defaults_to_the_users_scenario_folder(run, isolated_data):
    result = run("scenarios", "new", "my-first")
    assert result.exit_code == 0
    assert (isolated_data / "scenarios" / "my-first.yaml").is_file()
    assert "my-first" in run("scenarios", "list").output


def test_validate_finds_an_objective_that_can_never_be_met(run, tmp_path):
    text = (BUILTIN / "plant-cfo-cold-call.yaml").read_text(encoding="utf-8")
    broken = tmp_path / "never.yaml"
    broken.write_text(text.replace("patience: 8", "patience: 4"), encoding="utf-8")
    result = run("scenarios", "validate", str(broken))
    assert result.exit_code == 1 and "can never be met" in result.output
    # Gold (5 points) from a start of 0 takes at least three turns: out of reach for a customer with patience 3.
    short = tmp_path / "short.yaml"
    short.write_text(text.replace("patience: 8", "patience: 3").replace("explicit_needs: 2", "explicit_needs: 1"),
                     encoding="utf-8")  # fmt: skip
    result = run("scenarios", "validate", str(short))
    assert result.exit_code == 1
    assert "needs[2].problem ('capex-freeze') can never be reached" in result.output


def test_validate_finds_a_question_that_reads_as_a_proposal(run, tmp_path):
    text = (BUILTIN / "hotel-inbound-lead.yaml").read_text(encoding="utf-8")
    broken = tmp_path / "proposal.yaml"
    broken.write_text(text.replace("- What made you fill in the form last night?",
                                   "- Could we arrange a visit to see the linen store?"), encoding="utf-8")  # fmt: skip
    result = run("scenarios", "validate", str(broken))
    assert result.exit_code == 1
    assert any(line.startswith(f"{broken}:") and "reads as a proposal" in line for line in result.output.splitlines())


def _check(schema: dict[str, Any], value: Any, where: str = "") -> list[str]:
    """A hand-written check for the JSON Schema keywords `scenarios schema` uses, if jsonschema is absent."""
    import re

    problems: list[str] = []
    if "oneOf" in schema:
        if sum(1 for option in schema["oneOf"] if not _check(option, value, where)) != 1:
            problems.append(f"{where}: matches not exactly one of oneOf")
        return problems
    kind = schema.get("type")
    types = {"object": dict, "array": list, "string": str, "integer": int}
    if kind and (not isinstance(value, types[kind]) or (kind == "integer" and isinstance(value, bool))):
        return [f"{where}: not {kind}"]
    if "const" in schema and value != schema["const"]:
        problems.append(f"{where}: not {schema['const']}")
    if "enum" in schema and value not in schema["enum"]:
        problems.append(f"{where}: not in enum")
    if isinstance(value, str):
        if len(value) < schema.get("minLength", 0) or ("pattern" in schema and not re.search(schema["pattern"], value)):
            problems.append(f"{where}: bad text")
    if isinstance(value, int) and not (schema.get("minimum", value) <= value <= schema.get("maximum", value)):
        problems.append(f"{where}: out of range")
    if isinstance(value, list):
        if len(value) < schema.get("minItems", 0):
            problems.append(f"{where}: too few items")
        for i, item in enumerate(value):
            problems += _check(schema.get("items", {}), item, f"{where}[{i}]")
    if isinstance(value, dict):
        props = schema.get("properties", {})
        problems += [f"{where}: missing {k}" for k in schema.get("required", []) if k not in value]
        if schema.get("additionalProperties") is False:
            problems += [f"{where}: unknown {k}" for k in value if k not in props]
        for k, v in value.items():
            if k in props:
                problems += _check(props[k], v, f"{where}.{k}")
    return problems


def _schema_errors(schema: dict[str, Any], data: Any) -> list[str]:
    try:
        import jsonschema
    except ImportError:
        return _check(schema, data)
    jsonschema.Draft202012Validator.check_schema(schema)
    return [e.message for e in jsonschema.Draft202012Validator(schema).iter_errors(data)]


def test_schema_is_json_and_accepts_every_shipped_scenario(run, tmp_path):
    import yaml

    result = run("scenarios", "schema")
    assert result.exit_code == 0
    schema = json.loads(result.output)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    for path in FILES:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert _schema_errors(schema, data) == [], path.name
    template = tmp_path / "t.yaml"
    run("scenarios", "new", "t", "--out", str(template))
    assert _schema_errors(schema, yaml.safe_load(template.read_text(encoding="utf-8"))) == []
    wrong = yaml.safe_load((BUILTIN / "freight-discovery.yaml").read_text(encoding="utf-8"))
    wrong["objections"][0]["kind"] = "weather"
    wrong["needs"][0]["problem"]["said"] = "typo"
    assert len(_schema_errors(schema, wrong)) >= 2


@pytest.mark.slow
def test_try_prints_both_outcomes(run, analyzer, encoder):
    parts = Parts(analyzer=lambda: analyzer, encoder=lambda: encoder)
    result = run("scenarios", "try", "school-gatekeeper", parts=parts)
    assert result.exit_code == 0, result.output
    assert "good path: WON" in result.output and "bad path: LOST" in result.output
    assert "needs made explicit: stuffy-classrooms, windows-and-heating" in result.output
    as_json = json.loads(
        run("scenarios", "try", str(BUILTIN / "hotel-inbound-lead.yaml"), "--json", parts=parts).output
    )
    assert [(p["path"], p["won"]) for p in as_json["paths"]] == [("good", True), ("bad", False)]
    assert as_json["paths"][1]["end_reason"] == "customer_ended"
