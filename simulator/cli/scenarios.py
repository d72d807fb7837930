"""`spar scenarios`: list, check, write and try scenario files."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from simulator.cli import cli
from simulator.cli.common import BAD_REQUEST, fail, load_scenario, parts


@cli.group()
def scenarios() -> None:
    """List, check, write and try scenario files."""


@scenarios.command("list")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per scenario.")
def scenarios_list(as_json: bool) -> None:
    """The scenarios you can practise, easiest first."""
    from simulator.domain.catalogue import load_catalogue

    catalogue = load_catalogue()
    for s in catalogue.scenarios:
        if as_json:
            click.echo(
                json.dumps(
                    {
                        "id": s.id,
                        "title": s.title,
                        "call_type": s.call_type,
                        "difficulty": s.difficulty,
                        "customer": f"{s.persona.name}, {s.persona.role}, {s.persona.company}",
                        "objective": s.objective.description,
                        "needs": len(s.needs),
                        "path": str(s.path),
                    }
                )
            )
        else:
            click.echo(f"{s.id:24} {'*' * s.difficulty:3} {s.call_type:12} {s.title}")
    for broken in catalogue.broken:
        click.echo(f"spar: skipped {broken.problems[0]}", err=True)


@scenarios.command("validate")
@click.argument("paths", nargs=-1, required=True, type=click.Path())
def scenarios_validate(paths: tuple[str, ...]) -> None:
    """Check scenario files; prints file:line: problem for each, exits 1 if any is broken.

    Beyond each field: references, example questions that reach two places or read as a
    proposal, needs that can never be told, and an objective that can never be met (searched
    through the customer's rules). Warnings (file:line: warning: ...) do not fail the check.
    """
    from simulator.domain.scenario import ScenarioError
    from simulator.domain.scenario_file import load_scenario as load_file
    from simulator.domain.scenario_review import review_scenario

    failed = False
    for path in paths:
        try:
            scenario = load_file(path)
        except ScenarioError as exc:
            failed = True
            for problem in exc.problems:
                click.echo(str(problem))
            continue
        findings = review_scenario(scenario)
        for finding in findings:
            click.echo(str(finding))
        if any(f.error for f in findings):
            failed = True
            continue
        warnings = sum(1 for f in findings if not f.error)
        note = f", {warnings} warning{'s' if warnings != 1 else ''}" if warnings else ""
        click.echo(
            f"{path}: ok ({scenario.id}, {len(scenario.needs)} needs, {len(scenario.objections)} objections{note})"
        )
    sys.exit(1 if failed else 0)


@scenarios.command("new")
@click.argument("name")
@click.option(
    "--out",
    type=click.Path(dir_okay=False),
    help="File to write (default: NAME.yaml in your scenarios folder, where `spar` finds it).",
)
def scenarios_new(name: str, out: str | None) -> None:
    """Write a commented format-2 template for a new scenario; NAME becomes its id."""
    from simulator import locations
    from simulator.domain.scenario_template import slug, template

    scenario_id = slug(name)
    if not scenario_id:
        fail(f"'{name}' has no letters or digits to make an id from; try a name like 'hotel-renewal'", BAD_REQUEST)
    target = Path(out) if out else locations.user_scenarios_dir() / f"{scenario_id}.yaml"
    if target.exists():
        fail(f"{target}: already exists; choose another NAME or --out FILE (nothing was overwritten)", BAD_REQUEST)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with target.open("x", encoding="utf-8") as handle:
            handle.write(template(scenario_id))
    except FileExistsError:
        fail(f"{target}: already exists; choose another NAME or --out FILE (nothing was overwritten)", BAD_REQUEST)
    except OSError as exc:
        fail(f"{target}: cannot write the template ({exc.strerror or exc})")
    click.echo(f"Wrote {target}")
    click.echo(f"Edit it, then: spar scenarios validate {target} && spar scenarios try {target}")


@scenarios.command("schema")
def scenarios_schema() -> None:
    """Print a JSON Schema (draft 2020-12) of scenario format 2, for editor completion."""
    from simulator.domain.scenario_schema import format2_schema

    click.echo(json.dumps(format2_schema(), indent=2))


@scenarios.command("try")
@click.argument("scenario")
@click.option("--json", "as_json", is_flag=True, help="One JSON object with both outcomes and transcripts.")
def scenarios_try(scenario: str, as_json: bool) -> None:
    """Play a good and a bad scripted call on SCENARIO (an id or a file) and show how each ended.

    The good call asks about the needs the objective wants (problem, then what it costs or is
    worth), plays back what the customer said once and proposes the objective; the bad call pitches
    the product again and again. Both use the real analyzer and customer; nothing is saved.
    """
    import tempfile

    from simulator.domain.scenario_trial import try_scenario
    from simulator.domain.understanding import customer_understanding

    chosen = load_scenario(scenario)
    analyzer = parts().analyzer()
    encoder = parts().encoder
    with tempfile.TemporaryDirectory(prefix="spar-try-") as folder:
        outcomes = try_scenario(
            chosen, analyzer.analyze_turn, lambda: customer_understanding(chosen, encoder), Path(folder)
        )
    if as_json:
        click.echo(json.dumps({"scenario": chosen.id, "paths": [o.to_json() for o in outcomes]}, ensure_ascii=False))
        return
    click.echo(f"{chosen.id}: {chosen.title}")
    for outcome in outcomes:
        verdict = "WON" if outcome.won else "LOST"
        expected = outcome.won == (outcome.path == "good")
        click.echo("")
        click.echo(f"{outcome.path} path: {verdict} in {outcome.turns} turns; {outcome.ended_because}")
        explicit = ", ".join(outcome.explicit_needs) or "none"
        click.echo(f"  trust {outcome.trust} ({outcome.level}); needs made explicit: {explicit}")
        for speaker, text, why in outcome.transcript:
            who = "rep" if speaker == "rep" else chosen.persona.name.split()[0]
            click.echo(f"  {who}: {text}" + (f"  [{why}]" if why else ""))
        if not expected:
            hint = "the good path should win" if outcome.path == "good" else "the bad path should lose"
            click.echo(f"  note: {hint}; see docs/scenarios.md, 'Checking a scenario'")
