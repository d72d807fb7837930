"""`spar team`: practice together on one machine.

`spar team hotseat` plays several reps' calls on one scenario in turn, each saved with its own
debrief exactly as `spar practice --replies` saves a call, all under one group
(`sessions.mode = "team"`, `sessions.group_id`); then a side-by-side table of the same figures for
everyone. `spar team show GROUP` prints that table again; `spar team list` names the groups.
Rankings are off unless the facilitator asks for them (`--rank`).
"""

from __future__ import annotations

import json
import sys
from datetime import datetime, timezone

import click

from simulator.cli import cli
from simulator.cli.common import BAD_REQUEST, DB_HELP, DEFAULTS, fail, load_scenario, open_store
from simulator.config import Settings

TEAM_MODE = "team"


@cli.group()
def team() -> None:
    """Team roleplay on one machine: a hot seat, then the figures side by side."""


def _new_group_id(scenario_id: str, taken: list[str]) -> str:
    base = f"{scenario_id}-{datetime.now(timezone.utc):%Y%m%d-%H%M%S}"
    group, n = base, 1
    while group in taken:
        n += 1
        group = f"{base}-{n}"
    return group


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
@click.option("--db", type=click.Path(dir_okay=False), help=DB_HELP)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object: every call and the table.")
def hotseat(
    scenario: str,
    reps: tuple[str, ...],
    replies_files: tuple[str, ...],
    group_id: str | None,
    rank: bool,
    db: str | None,
    as_json: bool,
) -> None:
    """Reps take SCENARIO's call in turn; each gets a debrief; then everyone's figures side by side."""
    from analysis.coaching.progress import side_by_side
    from simulator.cli.practice import _read_replies, play_headless
    from simulator.domain.customer import rep_display_name
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
    if "-" in replies_files:
        fail("in a hot seat every rep's replies come from a file, not standard input", BAD_REQUEST)
    chosen = load_scenario(scenario)
    # Every file is read before the first call, so a missing one leaves no half-played group.
    scripts = [list(_read_replies(path)) for path in replies_files]
    store = open_store(db)
    try:
        group = group_id or _new_group_id(chosen.id, store.group_ids())
        if group_id and group_id in store.group_ids():
            fail(f"group '{group_id}' already exists; choose another --group or see it with: spar team show {group_id}")
    except StoreError as exc:
        fail(str(exc))
    settings = Settings(engine=DEFAULTS.engine, model=DEFAULTS.model)
    played = []
    for number, (name, path, lines) in enumerate(zip(names, replies_files, scripts, strict=True), start=1):
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
            answers={"next_step": ""},
            mode=TEAM_MODE,
            group_id=group,
        )
        played.append(call)
        if not as_json:
            click.echo("")
            click.echo(call.text())
            click.echo(f"\nSaved as session {call.call.session_id}\n")
    try:
        table = side_by_side(store.stored_sessions(group_id=group), rank=rank)
    except StoreError as exc:
        fail(str(exc))
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
    """The side-by-side table of a group's calls."""
    from analysis.coaching.progress import side_by_side
    from simulator.storage import StoreError

    store = open_store(db, read_only=True)
    try:
        sessions = store.stored_sessions(group_id=group)
    except StoreError as exc:
        fail(str(exc))
    if not sessions:
        fail(f"no ended calls in group '{group}'; `spar team list` names the groups", BAD_REQUEST)
    table = side_by_side(sessions, rank=rank)
    if as_json:
        click.echo(json.dumps({"group_id": group, "side_by_side": table.to_json()}, ensure_ascii=False))
        return
    click.echo(f"Group {group} ({sessions[0].scenario_id})")
    click.echo(table.text())


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
