"""`spar history`: past sessions, newest first."""

from __future__ import annotations

import json

import click

from simulator.cli import cli
from simulator.cli.common import DB_HELP, fail, open_store


@cli.command()
@click.option("--rep", help="Only this rep's sessions.")
@click.option("--db", type=click.Path(dir_okay=False), help=DB_HELP)
@click.option("--json", "as_json", is_flag=True, help="Print JSON lines instead of a table.")
@click.option("--limit", default=50, show_default=True, help="How many sessions, newest first.")
def history(rep: str | None, db: str | None, as_json: bool, limit: int) -> None:
    """List past practice sessions, newest first."""
    from simulator.storage import StoreError

    store = open_store(db, read_only=True)
    try:
        sessions = store.sessions(rep, limit)
    except StoreError as exc:
        fail(str(exc))
    if as_json:
        for session in sessions:
            click.echo(json.dumps(session.to_json()))
        return
    if not sessions:
        click.echo("No sessions yet. Start one with: spar practice")
        return
    click.echo(
        f"{'id':>4}  {'when (UTC)':16}  {'rep':14}  {'scenario':26}  {'turns':>5}  {'spoken':>6}  "
        f"{'result':22}  focus next"
    )
    for s in sessions:
        click.echo(
            f"{s.id:>4}  {s.started_at[:16].replace('T', ' '):16}  {s.rep_name[:14]:14}  "
            f"{s.scenario_id[:26]:26}  {s.turn_count:>5}  {s.spoken_turns or '':>6}  "
            f"{s.result[:22]:22}  "
            f"{s.focus_skill or ''}"
        )
        if s.customer_played_by:  # a person played the customer from a second terminal
            click.echo(f"{'':>4}  customer played live by {s.customer_played_by}")
