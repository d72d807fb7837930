"""`spar team`: practice together on one machine.

`spar team hotseat` plays several reps' calls on one scenario in turn, each saved with its own
debrief exactly as `spar practice --replies` saves a call, all under one group
(`sessions.mode = "team"`, `sessions.group_id`); then a side-by-side table of the same figures for
everyone. `spar team observe SESSION` stores an observer's rubric scores of one call; `spar team
show GROUP` prints the table again with the observers' scores beside the figures; `spar team list`
names the groups. Rankings are off unless the facilitator asks for them (`--rank`).
"""

from __future__ import annotations

import json
import sys

import click

from simulator.cli import cli
from simulator.cli.common import BAD_REQUEST, DB_HELP, DEFAULTS, fail, load_scenario, open_store
from simulator.config import Settings


@cli.group()
def team() -> None:
    """Team roleplay on one machine: a hot seat, then the figures side by side."""


@team.command()
@click.argument("scenario")
@click.option("--rep", "reps", multiple=True, required=True, help="A rep, in playing order (repeat for each).")
@click.option(
    "--replies",
    "replies_files",
    multiple=True,
    required=True,
    type=click.Path(dir_okay=False),
    help="That rep's replies file, one reply per line (repeat, in the same order as --rep).",
)
@click.option("--group", "group_id", help="Name the group (default: the scenario and the time).")
@click.option("--rank", is_flag=True, help="Also rank the reps (off by default).")
@click.option(
    "--next-step",
    "next_steps",
    multiple=True,
    help="The next step the group agreed, saved with every rep's debrief; or give one per rep, in --rep order.",
)
@click.option("--db", type=click.Path(dir_okay=False), help=DB_HELP)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object: every call and the table.")
def hotseat(
    scenario: str,
    reps: tuple[str, ...],
    replies_files: tuple[str, ...],
    group_id: str | None,
    rank: bool,
    next_steps: tuple[str, ...],
    db: str | None,
    as_json: bool,
) -> None:
    """Reps take SCENARIO's call in turn; each gets a debrief; then everyone's figures side by side."""
    from simulator.cli.practice import _read_replies, play_headless
    from simulator.domain.customer import rep_display_name
    from simulator.domain.team import TEAM_MODE, group_table, new_group_id
    from simulator.storage import StoreError

    if len(reps) != len(replies_files):
        fail(
            f"{len(reps)} --rep but {len(replies_files)} --replies; give each rep their replies file: "
            "--rep A --replies A.txt --rep B --replies B.txt",
            BAD_REQUEST,
        )
    names = [rep_display_name(r) for r in reps]
    if any(not n for n in names) or len({n.lower() for n in names}) != len(names):
        fail("each rep needs a name of their own (two --rep are the same, or one is blank)", BAD_REQUEST)
    if len(next_steps) not in (0, 1, len(reps)):
        fail(
            f"{len(next_steps)} --next-step for {len(reps)} reps; give one for the whole group, or one per rep in --rep order",
            BAD_REQUEST,
        )
    steps = [s.strip() for s in next_steps] * len(reps) if len(next_steps) == 1 else [s.strip() for s in next_steps]
    steps = steps or [""] * len(reps)
    if "-" in replies_files:
        fail("in a hot seat every rep's replies come from a file, not standard input", BAD_REQUEST)
    chosen = load_scenario(scenario)
    # Every file is read before the first call, so a missing one leaves no half-played group.
    scripts = [list(_read_replies(path)) for path in replies_files]
    store = open_store(db)
    try:
        group = group_id or new_group_id(chosen.id, store.group_ids())
        if group_id and group_id in store.group_ids():
            fail(f"group '{group_id}' already exists; choose another --group or see it with: spar team show {group_id}")
    except StoreError as exc:
        fail(str(exc))
    settings = Settings(engine=DEFAULTS.engine, model=DEFAULTS.model)
    played = []
    for number, (name, path, lines, step) in enumerate(zip(names, replies_files, scripts, steps, strict=True), start=1):
        if not as_json:
            click.echo(f"=== {name}'s call ({number} of {len(names)}) ===")
        call = play_headless(
            chosen,
            name,
            path,
            lines,
            store,
            settings,
            as_json=as_json,
            answers={"next_step": step},
            mode=TEAM_MODE,
            group_id=group,
        )
        played.append(call)
        if not as_json:
            click.echo("")
            click.echo(call.text())
            click.echo(f"\nSaved as session {call.call.session_id}\n")
    try:
        table = group_table(store, group, rank=rank, scenario=chosen)
    except StoreError as exc:
        fail(str(exc))
    if table is None:
        fail(f"no ended calls in group '{group}'")
    if as_json:
        click.echo(
            json.dumps(
                {
                    "group_id": group,
                    "scenario": chosen.id,
                    "calls": [c.to_json() for c in played],
                    "side_by_side": table.to_json(),
                },
                ensure_ascii=False,
            )
        )
        return
    click.echo(f"=== Group {group}: side by side ===")
    click.echo(table.text())
    click.echo(f"\nShow it again with: spar team show {group}")


@team.command()
@click.argument("group")
@click.option("--rank", is_flag=True, help="Also rank the reps (off by default).")
@click.option("--db", type=click.Path(dir_okay=False), help=DB_HELP)
@click.option("--json", "as_json", is_flag=True, help="Print the table as JSON.")
def show(group: str, rank: bool, db: str | None, as_json: bool) -> None:
    """The side-by-side table of a group's calls, with the observers' scores."""
    from simulator.domain.catalogue import load_catalogue
    from simulator.domain.team import group_table
    from simulator.storage import StoreError

    store = open_store(db, read_only=True)
    try:
        sessions = store.stored_sessions(group_id=group)
        scenario = load_catalogue().find(sessions[0].scenario_id) if sessions else None
        table = group_table(store, group, rank=rank, scenario=scenario)
    except StoreError as exc:
        fail(str(exc))
    if table is None:
        fail(f"no ended calls in group '{group}'; `spar team list` names the groups", BAD_REQUEST)
    if as_json:
        click.echo(json.dumps({"group_id": group, "side_by_side": table.to_json()}, ensure_ascii=False))
        return
    click.echo(f"Group {group} ({table.sessions[0].scenario_id})")
    for rep, session in zip(table.reps, table.sessions, strict=True):
        click.echo(f"  {rep}: session {session.id}")
    click.echo(table.text())


def _parse_scores(given: tuple[str, ...]) -> dict[str, int]:
    scores: dict[str, int] = {}
    for item in given:
        criterion, sep, value = item.partition("=")
        criterion = criterion.strip()
        if not sep or not criterion or not value.strip().lstrip("-").isdigit():
            fail(f"--score {item!r}: write it as CRITERION=N, e.g. --score listening=4", BAD_REQUEST)
        if criterion in scores:
            fail(f"--score {criterion} is given twice; give each rubric line once", BAD_REQUEST)
        scores[criterion] = int(value)
    return scores


@team.command()
@click.argument("session", type=int)
@click.option("--observer", required=True, help="Who is scoring (scoring the same call again replaces your scores).")
@click.option(
    "--score",
    "scores",
    multiple=True,
    required=True,
    metavar="CRITERION=N",
    help="A rubric line's id and a score from 1 to 5 (repeat for each line; `spar team show` lists the lines).",
)
@click.option("--note", default="", help="A short note for the group discussion.")
@click.option("--db", type=click.Path(dir_okay=False), help=DB_HELP)
def observe(session: int, observer: str, scores: tuple[str, ...], note: str, db: str | None) -> None:
    """Score SESSION's rep on the scenario's rubric, 1 (not seen) to 5 (done very well)."""
    from analysis.coaching.observers import ObserverScoring, ScoreError, check_scores
    from simulator.domain.catalogue import load_catalogue
    from simulator.domain.team import rubric_for
    from simulator.storage import NotInStore, StoreError

    given = _parse_scores(scores)
    if not " ".join(observer.split()):
        fail("--observer needs a name", BAD_REQUEST)
    store = open_store(db)
    try:
        summary = store.session(session)
    except NotInStore:
        fail(f"no session {session} in {store.path}; `spar team show GROUP` lists a group's sessions", BAD_REQUEST)
    except StoreError as exc:
        fail(str(exc))
    scenario = load_catalogue().find(summary.scenario_id)
    if scenario is None:
        fail(
            f"session {session} was played on scenario '{summary.scenario_id}', which is not in your scenario "
            "folders; its rubric is needed to score it (`spar scenarios list` shows the folders)",
            BAD_REQUEST,
        )
    rubric = rubric_for(scenario)
    try:
        checked = check_scores(rubric, given)
    except ScoreError as exc:
        fail(str(exc), BAD_REQUEST)
    try:
        saved = store.save_observer_scores(
            session, ObserverScoring(observer, checked, note), {c.id: c.title for c in rubric}
        )
    except StoreError as exc:
        fail(str(exc))
    titles = {c.id: c.title for c in rubric}
    click.echo(f"Saved {saved.observer}'s scores of {summary.rep_name}'s call (session {session}):")
    for criterion, value in saved.scores:
        click.echo(f"  {value}  {titles[criterion]}")
    group = store.session_group(session)
    if group:
        click.echo(f"See them beside the figures with: spar team show {group}")


@team.command("list")
@click.option("--db", type=click.Path(dir_okay=False), help=DB_HELP)
def list_groups(db: str | None) -> None:
    """Team groups, newest first."""
    from simulator.storage import StoreError

    store = open_store(db, read_only=True)
    try:
        groups = store.group_ids()
    except StoreError as exc:
        fail(str(exc))
    click.echo("\n".join(groups) if groups else "No team groups yet. Start one with: spar team hotseat")


@team.command()
@click.argument("code", required=False)
@click.option("--name", help="Your name, kept with the call as who played the customer (asked if left out).")
@click.option("--db", type=click.Path(dir_okay=False), help=DB_HELP + " Use the same file as the rep's terminal.")
def customer(code: str | None, name: str | None, db: str | None) -> None:
    """Play the customer of a rep's call from this terminal, from the scenario's card.

    CODE is the join code on the rep's screen; leave it out to join the only call waiting for a
    customer. The rep starts such a call in the app (tick "A person plays the customer") or with
    `spar practice SCENARIO --live`.
    """
    from simulator.cli.common import db_path
    from simulator.domain.customer import rep_display_name
    from simulator.storage import StoreError

    path = db_path(db)
    if not path.is_file():
        fail(f"{path}: no database here; use the same --db as the rep's terminal", BAD_REQUEST)
    store = open_store(db)
    try:
        live = _call_to_join(store, code)
        if name is None:
            name = click.prompt("Your name (you play the customer)", default="", show_default=False)
        name = rep_display_name(name)
        if not name:
            fail("a name is needed: --name NAME (it is kept with the call as who played the customer)", BAD_REQUEST)
        scenario = load_scenario(store.scenario_path(live.scenario_id) or live.scenario_id)
        live = store.join_live_call(live.id, name)
    except StoreError as exc:
        fail(str(exc), BAD_REQUEST)
    from simulator.ui.customer_app import CustomerApp

    app = CustomerApp(store, live, scenario)
    app.run()
    if app.return_code:
        sys.exit(app.return_code)


def _call_to_join(store, code: str | None):
    """The live call CODE names, or the only one waiting; one `spar:` line otherwise."""
    from simulator.domain.live import LiveStatus

    if code is not None:
        found = store.live_calls(code=code.strip())
        if not found:
            fail(
                f"no call with join code '{code}' in {store.path}; check the code on the rep's screen, "
                "and that both terminals use the same --db",
                BAD_REQUEST,
            )
        waiting = [c for c in found if c.status is LiveStatus.WAITING]
        return waiting[0] if waiting else found[0]
    waiting = [c for c in store.live_calls() if c.status is LiveStatus.WAITING]
    if not waiting:
        fail(
            f"no call is waiting for a customer in {store.path}; the rep starts one first (in the app: "
            "'A person plays the customer', or spar practice SCENARIO --live)",
            BAD_REQUEST,
        )
    if len(waiting) > 1:
        codes = ", ".join(f"{c.code} ({c.rep_name})" for c in waiting)
        fail(
            f"{len(waiting)} calls are waiting for a customer: {codes}; name one: spar team customer CODE", BAD_REQUEST
        )
    return waiting[0]
