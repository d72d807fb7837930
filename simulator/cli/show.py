"""`spar show`: one past call, turn by turn with what each turn counted as and why, the customer's
reactions, and the debrief as it was saved."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING

import click

from simulator.cli import cli
from simulator.cli.common import BAD_REQUEST, DB_HELP, fail, open_store, transcript_json

if TYPE_CHECKING:
    from analysis.coaching.retry import Retry
    from simulator.domain.customer import CallTurn
    from simulator.storage.store import SavedDebrief, SessionSummary


def _customer_name(scenario_id: str) -> str:
    """The customer's name from the scenario, when it can still be found; "Customer" otherwise."""
    from simulator.domain.catalogue import resolve_scenario
    from simulator.domain.scenario import ScenarioError

    try:
        return resolve_scenario(scenario_id).persona.name or "Customer"
    except (ScenarioError, OSError):
        return "Customer"


def _reaction(turn: CallTurn) -> str:
    line = turn.customer
    if line is None:
        return ""
    what = str(line.event).replace("_", " ")
    trust = f"trust {line.level} ({line.trust_before} → {line.trust_after})"
    ended = f"; ended the call: {str(line.end_reason).replace('_', ' ')}" if line.ended and line.end_reason else ""
    return f"{what}, {trust}{ended}"


def render_session(
    session: SessionSummary,
    turns: list[CallTurn],
    saved: SavedDebrief | None,
    customer: str,
    figures_text: str,
    retries: Sequence[Retry] = (),
) -> str:
    from analysis.coaching.render import evidence_reason, render_text, restated_words, turn_tags
    from analysis.coaching.retry import answer_words, retry_help
    from analysis.coaching.skills import skill_title
    from simulator.storage.store import local_time

    lines = [
        f"Session {session.id} · {session.rep_name} · {session.scenario_title or session.scenario_id}",
        f"Played {local_time(session.started_at)} · {session.result}"
        + (f" · {session.spoken_turns} spoken turns" if session.spoken_turns else ""),
        "",
        "Transcript:",
    ]
    for t in turns:
        name = customer if t.speaker == "customer" else session.rep_name
        lines.append(f"  {t.index + 1:>3}  {name}: {t.text}")
        if t.speaker == "rep" and t.analysis is not None:
            lines.append(f"       counted as: {turn_tags(t.analysis) or 'none of a question, paraphrase or pitch'}")
            for e in t.analysis.evidence:
                lines.append(f'       - {evidence_reason(e)}: "{e.text}"')
                if e.restates:
                    lines.append(f"         restates: {restated_words(e)}")
        if t.customer is not None:
            lines.append(f"       customer: {_reaction(t)}")
        for number, retry in enumerate((r for r in retries if r.turn == t.index), start=1):
            lines.append(
                f"       tried again in review, try {number} {retry_help(retry.assisted, retry.how, retry.author)}: "
                f'"{retry.text}" ({answer_words(retry.analysis, retry.reaction)})'
            )
    lines.append("")
    if saved is not None and saved.shown is not None:
        lines.append(render_text(saved.shown, turns, saved.answers()))
    elif saved is not None:
        lines.append(f"Focus next: {skill_title(saved.focus_skill) or '—'}; next step: {saved.next_step or '—'}")
    elif figures_text:
        lines.append("No debrief was saved for this call. Its figures:")
        lines.append(figures_text)
    else:
        lines.append("The call did not finish, so there is no debrief.")
    return "\n".join(lines)


@cli.command()
@click.argument("session_id", metavar="SESSION", type=int)
@click.option("--db", type=click.Path(dir_okay=False), help=DB_HELP)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of text.")
def show(session_id: int, db: str | None, as_json: bool) -> None:
    """Show a past call: the transcript, what each turn counted as and why, the customer's
    reactions, and the debrief. SESSION is an id from `spar history`."""
    from simulator.storage import StoreError

    store = open_store(db)
    try:
        session = store.session(session_id)
    except StoreError as exc:
        fail(str(exc), BAD_REQUEST)
    try:
        turns = store.turns(session_id)
        saved = store.debrief(session_id)
        figures = store.figures(session_id)
        retries = store.retries(session_id)
    except StoreError as exc:
        fail(str(exc))
    if as_json:
        shown = saved.shown if saved else None
        click.echo(
            json.dumps(
                {
                    "session": session.to_json(),
                    "transcript": transcript_json(turns),
                    "figures": {str(f.key): f.to_json() for f in figures},
                    "reflection": saved.answers() if saved else None,
                    "debrief": shown.to_json() if shown else None,
                    "retries": [r.to_json() for r in retries],
                },
                ensure_ascii=False,
            )
        )
        return
    figures_text = "\n".join(f"  {f.label}: {f.display}" for f in figures)
    try:
        facts = store.call_facts(session_id)
    except StoreError as exc:
        fail(str(exc))
    customer = facts.customer_name or _customer_name(session.scenario_id)
    if facts.customer_played_by:  # a person played the customer from a second terminal
        customer = f"{customer} (played by {facts.customer_played_by})"
    click.echo(render_session(session, turns, saved, customer, figures_text, retries))
