"""Coach review from the command line: `spar review`, `spar note`, `spar correct`, `spar goal`,
`spar export` and `spar import`."""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from simulator.cli import cli
from simulator.cli.common import BAD_REQUEST, DB_HELP, fail, open_store

if TYPE_CHECKING:
    from simulator.storage import Store

AUTHOR_HELP = "Who is writing (a coach's or the rep's name); kept with the note or correction."


def _store_call(action: Any) -> Any:
    """Run a Store call; a missing session or turn is a bad request (exit 2), other problems exit 1."""
    from simulator.storage import NotInStore, StoreError

    try:
        return action()
    except NotInStore as exc:
        fail(str(exc), BAD_REQUEST)
    except StoreError as exc:
        fail(str(exc))


@cli.command()
@click.argument("session", type=int)
@click.option("--db", type=click.Path(dir_okay=False), help=DB_HELP)
def review(session: int, db: str | None) -> None:
    """Open the app on SESSION, turn by turn, to review it with a coach."""
    store = open_store(db)
    _store_call(lambda: store.session(session))
    from simulator.ui.app import create_app

    app = create_app(store=store)
    app.review_session = session
    app.run()
    if app.return_code:
        sys.exit(app.return_code)


@cli.command()
@click.argument("session", type=int)
@click.argument("turn", type=click.IntRange(min=1))
@click.argument("text")
@click.option(
    "--kind",
    type=click.Choice(["strategic", "tactical"]),
    required=True,
    help="About the whole call's plan (strategic) or this moment (tactical).",
)
@click.option("--author", default="", help=AUTHOR_HELP)
@click.option("--db", type=click.Path(dir_okay=False), help=DB_HELP)
def note(session: int, turn: int, text: str, kind: str, author: str, db: str | None) -> None:
    """Add a note to TURN (as numbered in the transcript) of SESSION."""
    if not text.strip():
        fail("a note needs some text", BAD_REQUEST)
    store = open_store(db)
    _store_call(lambda: store.add_note(session, turn - 1, kind, text, author))
    click.echo(f"Noted on turn {turn} of session {session} ({kind}).")


@cli.command()
@click.argument("session", type=int)
@click.argument("turn", type=click.IntRange(min=1))
@click.argument("correction", metavar="LABEL=VALUE")
@click.option("--author", default="", help=AUTHOR_HELP)
@click.option("--db", type=click.Path(dir_okay=False), help=DB_HELP)
def correct(session: int, turn: int, correction: str, author: str, db: str | None) -> None:
    """Correct one label of TURN of SESSION, for example is_paraphrase=true or spin=problem.

    Labels: is_question, question_type (open, closed, none), is_needs_question, spin (situation,
    problem, implication, need_payoff, none), is_paraphrase, is_pitch (true or false). The call's
    figures use the correction from then on; the analyzer's label is kept beside it."""
    from analysis.coaching.review import CorrectionError, parse_correction, value_text

    try:
        label, value = parse_correction(correction)
    except CorrectionError as exc:
        fail(str(exc), BAD_REQUEST)
    store = open_store(db)
    _store_call(lambda: store.add_correction(session, turn - 1, label, value, author))
    click.echo(f"Corrected turn {turn} of session {session}: {label} is {value_text(value)}.")


def _step_answers(pairs: tuple[str, ...], option: str) -> dict[str, str]:
    """--rep-answer / --coach-answer values, STEP=TEXT each, as a dict by step."""
    from analysis.coaching.goals import PAIR_KEYS

    found: dict[str, str] = {}
    for pair in pairs:
        step, sep, text = pair.partition("=")
        step = step.strip().replace("-", "_")
        if not sep or step not in PAIR_KEYS:
            fail(f"{option} is STEP=TEXT with STEP one of {', '.join(PAIR_KEYS)}, not '{pair}'", BAD_REQUEST)
        found[step] = text
    return found


@cli.command()
@click.argument("session", type=int)
@click.option(
    "--measure",
    default=None,
    help='How the next call shows progress, in words ("4 needs questions before the first pitch") '
    "or as KEY>=NUMBER, which the next call checks.",
)
@click.option(
    "--target",
    default=None,
    metavar="KEY>=NUMBER",
    help="The measure the next call checks: a figure, a comparison (>=, <=, >, <, =) and a number, "
    "for example questions_before_pitch>=4 or talk_share<=60%.",
)
@click.option("--due", required=True, help="When the next step is due: YYYY-MM-DD.")
@click.option("--next-step", default=None, help="The next step, if it changes what the rep wrote.")
@click.option("--focus", default=None, help="The agreed focus skill (an id from the debrief), if it changes.")
@click.option("--author", default="", help="Who agreed it with the rep.")
@click.option(
    "--rep-answer",
    multiple=True,
    metavar="STEP=TEXT",
    help="The rep's answer at a step of the pair's debrief (what, so_what, now_what); repeatable.",
)
@click.option(
    "--coach-answer",
    multiple=True,
    metavar="STEP=TEXT",
    help="The coach's view at a step, after the rep's own answer to it; repeatable.",
)
@click.option("--db", type=click.Path(dir_okay=False), help=DB_HELP)
def goal(
    session: int,
    measure: str | None,
    target: str | None,
    due: str,
    next_step: str | None,
    focus: str | None,
    author: str,
    rep_answer: tuple[str, ...],
    coach_answer: tuple[str, ...],
    db: str | None,
) -> None:
    """Agree the goal of SESSION's debrief: a measure and a date for the next step.

    With --target (or a --measure written KEY>=NUMBER) the rep's next call checks the goal by
    that figure and says whether it was met, with the number. With --rep-answer (and
    --coach-answer) the pair's debrief is saved too, in the same write."""
    from analysis.coaching.goals import MeasureError, RepFirst, looks_like_measure, pair_answers, parse_measure
    from analysis.coaching.skills import skills

    try:
        date.fromisoformat(due)
    except ValueError:
        fail(f"--due is a date written YYYY-MM-DD, not '{due}'", BAD_REQUEST)
    known = [s.id for s in skills()]
    if focus is not None and focus not in known:
        fail(f"unknown focus skill '{focus}'; use one of {', '.join(known)}", BAD_REQUEST)
    if target is None and measure is not None and looks_like_measure(measure):
        target, measure = measure, ""
    checkable = None
    if target is not None:
        try:
            checkable = parse_measure(target)
        except MeasureError as exc:
            fail(f"--target: {exc}", BAD_REQUEST)
    if not (measure or "").strip() and checkable is None:
        fail("--measure needs some text (or give --target KEY>=NUMBER)", BAD_REQUEST)
    try:
        answers = pair_answers(_step_answers(rep_answer, "--rep-answer"), _step_answers(coach_answer, "--coach-answer"))
    except RepFirst as exc:
        fail(str(exc), BAD_REQUEST)
    store = open_store(db)
    if answers:
        agreed = _store_call(
            lambda: _save_pair(store, session, answers, author, measure or "", due, next_step, focus, checkable)
        )
    else:
        agreed = _store_call(
            lambda: store.agree_goal(
                session,
                measure=measure or "",
                due_date=due,
                next_step=next_step,
                focus_skill=focus,
                agreed_by=author,
                checkable=checkable,
            )
        )
    checked = f" (the next call checks {checkable.spec()})" if checkable else ""
    click.echo(
        f"Goal for session {session}: {agreed.next_step or '(no next step yet)'}; "
        f"measure: {agreed.measure_text}{checked}; by {agreed.due_date}."
    )


def _save_pair(
    store: Store,
    session: int,
    answers: Any,
    coach: str,
    measure: str,
    due: str,
    next_step: str | None,
    focus: str | None,
    checkable: Any,
) -> Any:
    """The pair's debrief and its goal in one write; the gaps as they stand on this call."""
    from analysis.coaching.goals import PairDebrief
    from simulator.domain.review import gap_analysis, load_review

    review = load_review(store, session)
    current = review.goal
    return store.save_pair_debrief(
        session,
        PairDebrief(answers, tuple(gap_analysis(store, review)), coach),
        focus_skill=focus if focus is not None else (current.focus_skill if current else None) or "",
        next_step=next_step if next_step is not None else (current.next_step if current else ""),
        measure=measure,
        due_date=due,
        checkable=checkable,
    )


@cli.command()
@click.argument("session", type=int, required=False)
@click.option("--all", "every", is_flag=True, help="Every session, one JSON line each (with --format jsonl).")
@click.option("--format", "fmt", type=click.Choice(["md", "html", "json", "jsonl"]), default="md", show_default=True)
@click.option("--out", type=click.Path(dir_okay=False), help="Write to this file instead of the screen.")
@click.option("--since", help="With --all: only sessions started on or after this date (YYYY-MM-DD).")
@click.option("--db", type=click.Path(dir_okay=False), help=DB_HELP)
def export(session: int | None, every: bool, fmt: str, out: str | None, since: str | None, db: str | None) -> None:
    """Write SESSION as a report (md, html) or as JSON that `spar import` restores.

    `spar export --all --format jsonl` writes every session, one a line, for merging into another
    database."""
    if every == (session is not None):
        fail("name one SESSION, or pass --all (with --format jsonl)", BAD_REQUEST)
    if every and fmt != "jsonl":
        fail("--all writes JSON lines: pass --format jsonl", BAD_REQUEST)
    if since is not None:
        if not every:
            fail("--since goes with --all", BAD_REQUEST)
        try:
            date.fromisoformat(since[:10])
        except ValueError:
            fail(f"--since is a date written YYYY-MM-DD, not '{since}'", BAD_REQUEST)
    store = open_store(db, read_only=True)
    text = _store_call(lambda: _export_text(store, session, every, fmt, since))
    if out is None:
        click.echo(text, nl=False)
        return
    try:
        Path(out).write_text(text, encoding="utf-8")
    except OSError as exc:
        fail(f"{out}: cannot write the export ({exc.strerror or exc}); check the folder exists and is writable")
    click.echo(f"Wrote {out}", err=True)


def _export_text(store: Store, session: int | None, every: bool, fmt: str, since: str | None) -> str:
    from analysis.coaching.report import to_html, to_markdown
    from simulator.domain.review import build_report, export_json, load_review

    if every:
        ids = store.session_ids(since)
        return "".join(json.dumps(export_json(store, sid), ensure_ascii=False) + "\n" for sid in ids)
    assert session is not None
    if fmt in ("json", "jsonl"):
        data = export_json(store, session)
        if fmt == "jsonl":
            return json.dumps(data, ensure_ascii=False) + "\n"
        return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    report = build_report(load_review(store, session))
    return to_html(report) if fmt == "html" else to_markdown(report)


@cli.command("import")
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--db", type=click.Path(dir_okay=False), help=DB_HELP)
def import_(file: str, db: str | None) -> None:
    """Restore sessions from FILE, written by `spar export --format json` (one session) or
    `--all --format jsonl` (many). Prints each session's id here; a session already here (from an
    earlier import, or this machine's own) is not added twice."""
    from simulator.storage import NotAnExport

    sessions = _read_exports(file)
    store = open_store(db)
    added = 0
    for line, data in sessions:
        where = f"{file}:{line}" if line else file
        try:
            session_id, new = _store_call(lambda data=data: store.import_session(data))
        except (NotAnExport, ValueError) as exc:
            fail(f"{where}: {exc}", BAD_REQUEST)
        added += int(new)
        click.echo(str(session_id))
    click.echo(f"{added} session{'s' if added != 1 else ''} added, {len(sessions) - added} already here", err=True)


def _read_exports(file: str) -> list[tuple[int, Any]]:
    """The sessions in FILE with their line numbers (0 for a file that is one JSON document)."""
    try:
        text = sys.stdin.read() if file == "-" else Path(file).read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        fail(f"{file}: no such file; pass a file written by spar export", BAD_REQUEST)
    except UnicodeDecodeError:
        fail(f"{file}: not UTF-8 text, so not a file written by spar export", BAD_REQUEST)
    except OSError as exc:
        fail(f"{file}: cannot read it ({exc.strerror or exc})")
    try:
        return [(0, json.loads(text))]
    except json.JSONDecodeError as exc:
        if "Extra data" not in exc.msg:
            fail(f"{file}:{exc.lineno}: not JSON ({exc.msg}), so not a file written by spar export", BAD_REQUEST)
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            found.append((number, json.loads(line)))
        except json.JSONDecodeError as exc:
            fail(f"{file}:{number}: not a JSON line ({exc.msg}), so not a file written by spar export", BAD_REQUEST)
    return found
