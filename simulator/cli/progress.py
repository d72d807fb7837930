"""`spar progress`: per rep, the figures that matter across sessions, the goals agreed, the gaps."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import click

from simulator.cli import cli
from simulator.cli.common import DB_HELP, fail, open_store

if TYPE_CHECKING:
    from analysis.coaching.progress import RepProgress
    from simulator.storage import Store

# Short column heads for the text table, in the order of `MEASURES`.
COLUMN_HEADS = {
    "needs_questions": "needs q",
    "deeper_questions": "impl+np",
    "questions_before_pitch": "before pitch",
    "paraphrases": "paraphr",
    "talk_share": "talk",
    "needs_uncovered": "needs",
    "open_share": "open",
    "objective_met": "objective",
}


def rep_progress(store: Store, rep: str | None) -> list[RepProgress]:
    """Every rep's progress (or one rep's), reps in name order."""
    from analysis.coaching.progress import progress

    sessions = store.stored_sessions(rep_name=rep)
    names = [rep] if rep else sorted({s.rep for s in sessions}, key=str.lower)
    found = []
    retries = store.retries_of([s.id for s in sessions])
    for name in names:
        own = [s for s in sessions if rep or s.rep == name]
        found.append(progress(own[0].rep if own else name, own, store.stored_goals(name), retries))
    return found


def progress_text(p: RepProgress) -> str:
    from analysis.coaching.progress import MEASURES
    from analysis.coaching.skills import skill

    if not p.sessions:
        return f"{p.rep}: no ended sessions yet. Play one with: spar practice"
    lines = [f"{p.rep}: {len(p.sessions)} session{'s' if len(p.sessions) != 1 else ''}"]
    if p.focus_skill:
        lines[0] += f"; working on: {skill(p.focus_skill).title}"
    heads = [COLUMN_HEADS[m.key] for m in MEASURES]
    lines.append(
        f"{'#':>3}  {'id':>4}  {'scenario':20}  "
        + "  ".join(f"{h:>{max(len(h), 4)}}" for h in heads)
        + "  goal checked"
    )
    for row in p.sessions:
        cells = []
        for m, head in zip(MEASURES, heads, strict=True):
            value = row.values.get(m.key)
            text = ("yes" if value else "no") if m.key == "objective_met" else m.show(value)
            cells.append(f"{text:>{max(len(head), 4)}}")
        goal = row.goal_checked
        if goal is None:
            checked = ""
        elif goal.by_goal_measure:
            checked = goal.summary()
        elif goal.focus_skill is None:
            checked = "next step only"
        else:
            verdict = {True: "met", False: "not met", None: "?"}[goal.met]
            checked = f"{goal.focus_skill}: {verdict}"
        lines.append(
            f"{row.number:>3}  {row.session.id:>4}  {row.session.scenario_id[:20]:20}  "
            + "  ".join(cells)
            + f"  {checked}"
        )
    agreed = [
        (r.number, r.goal_set) for r in p.sessions if r.goal_set and (r.goal_set.focus_skill or r.goal_set.next_step)
    ]
    if agreed:
        lines.append("Goals agreed:")
        for number, agreed_goal in agreed:
            assert agreed_goal is not None
            text = skill(agreed_goal.focus_skill).title if agreed_goal.focus_skill else "no focus skill"
            step = f"; next step: {agreed_goal.next_step}" if agreed_goal.next_step else ""
            lines.append(f"  after #{number}: {text}{step}")
    lines.append("Gaps:")
    lines.extend(f"  {gap.line()}" for gap in p.gaps)
    lines.extend(retries_text(p))
    return "\n".join(lines)


def retries_text(p: RepProgress) -> list[str]:
    """Moments tried again in review, per session: on the rep's own (unassisted) apart from with help."""
    tried = [r for r in p.sessions if r.retries.count]
    if not tried:
        return []
    lines = ["Tried again in review (on your own apart from with a coach's help):"]
    for row in tried:
        lines.append(f"  #{row.number} (id {row.session.id}): {row.retries.line()}")
    if len(tried) > 1:
        lines.append(f"  all: {p.retries.line()}")
    return lines


@cli.command()
@click.option("--rep", help="Only this rep.")
@click.option("--db", type=click.Path(dir_okay=False), help=DB_HELP)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per rep: the per-session figures and goals.")
def progress(rep: str | None, db: str | None, as_json: bool) -> None:
    """Progress across sessions: the figures that matter, the goals agreed, the gap per skill."""
    from simulator.storage import StoreError

    store = open_store(db, read_only=True)
    try:
        found = rep_progress(store, rep)
    except StoreError as exc:
        fail(str(exc))
    if as_json:
        for p in found:
            click.echo(json.dumps(p.to_json(), ensure_ascii=False))
        return
    if not found:
        click.echo("No sessions yet. Start one with: spar practice")
        return
    click.echo("\n\n".join(progress_text(p) for p in found))
