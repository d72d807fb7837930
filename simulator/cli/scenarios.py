"""`spar scenarios`: list and check scenario files."""

from __future__ import annotations

import json
import sys

import click

from simulator.cli import cli


@cli.group()
def scenarios() -> None:
    """List and check scenario files."""


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
    """Check scenario files; prints file:line: problem for each, exits 1 if any is broken."""
    from simulator.domain.scenario import ScenarioError
    from simulator.domain.scenario_file import load_scenario

    failed = False
    for path in paths:
        try:
            scenario = load_scenario(path)
        except ScenarioError as exc:
            failed = True
            for problem in exc.problems:
                click.echo(str(problem))
            continue
        click.echo(f"{path}: ok ({scenario.id}, {len(scenario.needs)} needs, {len(scenario.objections)} objections)")
    sys.exit(1 if failed else 0)
