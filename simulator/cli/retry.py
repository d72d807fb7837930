"""`spar retry`: answer a customer's line of a stored call again, as in the review screen's `t`."""

from __future__ import annotations

import functools
import json
from typing import TYPE_CHECKING

import click

from simulator.cli import cli
from simulator.cli.common import BAD_REQUEST, DB_HELP, fail, open_store, parts
from simulator.cli.review import _store_call

if TYPE_CHECKING:
    from analysis.coaching.retry import Retry
    from simulator.domain.retry import Attempt, Moment


@cli.command()
@click.argument("session", type=int)
@click.argument("turn", type=click.IntRange(min=1))
@click.argument("text")
@click.option(
    "--assisted/--unassisted",
    "assisted",
    default=None,
    help="Assisted: a coach showed how or gave a hint first. Unassisted: the rep tried on their own.",
)
@click.option(
    "--how",
    default="",
    help="demonstrate or prompt (assisted), release (unassisted), or a short note in your words.",
)
@click.option("--author", default="", help="Who coached the retry (kept with it).")
@click.option("--db", type=click.Path(dir_okay=False), help=DB_HELP)
@click.option(
    "--json", "as_json", is_flag=True, help="Print one JSON object: the analysis and the customer's reaction."
)
def retry(
    session: int, turn: int, text: str, assisted: bool | None, how: str, author: str, db: str | None, as_json: bool
) -> None:
    """Answer TURN of SESSION again (a turn of yours, as numbered in the transcript) with TEXT.

    The call is replayed to that turn with a fresh customer, so the customer is as they were then;
    the new answer is analysed, the customer reacts, and the attempt is stored beside the original,
    marked assisted or unassisted."""
    from analysis.coaching.retry import RetryError, check_how
    from analysis.language.analyzer import MAX_TURN_CHARS, TurnTooLong
    from simulator.domain.catalogue import load_catalogue
    from simulator.domain.retry import replay_to
    from simulator.domain.understanding import customer_understanding
    from simulator.storage import NotInStore, StoreError

    if assisted is None:
        fail("say whether a coach helped: pass --assisted or --unassisted", BAD_REQUEST)
    if not text.strip():
        fail("a retry needs some words: pass what the rep says now as TEXT", BAD_REQUEST)
    if len(text) > MAX_TURN_CHARS:
        fail(str(TurnTooLong(len(text))), BAD_REQUEST)
    try:
        how = check_how(assisted, how)
    except RetryError as exc:
        fail(str(exc), BAD_REQUEST)
    store = open_store(db)
    # Made once: the customer asks for the sentence model at each earlier turn it understands again.
    encoder = functools.cache(parts().encoder)
    try:
        moment = replay_to(
            store,
            session,
            turn - 1,
            candidates=load_catalogue().scenarios,
            understanding=lambda scenario: customer_understanding(scenario, encoder),
        )
        attempt = moment.try_again(text, parts().analyzer().analyze_turn)
        saved = store.add_retry(
            session, turn - 1, attempt.text, attempt.analysis, attempt.reaction, assisted=assisted, how=how,
            author=author,
        )  # fmt: skip
    except NotInStore as exc:
        fail(str(exc), BAD_REQUEST)
    except StoreError as exc:
        fail(str(exc))
    if as_json:
        click.echo(json.dumps(retry_json(moment, attempt, saved), ensure_ascii=False))
        return
    attempts = _store_call(lambda: [r for r in store.retries(session) if r.turn == turn - 1])
    click.echo(retry_text(moment, attempt, saved, len(attempts)))


def retry_json(moment: Moment, attempt: Attempt, saved: Retry) -> dict:
    """The stable JSON of `spar retry --json` (README "Coach review")."""
    from simulator.domain.retry import drift_warning

    original = moment.turn
    assert original.analysis is not None
    return {
        "session_id": moment.session_id,
        "turn": original.index + 1,
        "retry_id": saved.id,
        "text": attempt.text,
        "assisted": saved.assisted,
        "how": saved.how,
        "author": saved.author,
        "created_at": saved.created_at,
        "customer_before": moment.customer_before,
        "analysis": attempt.analysis.to_json(),
        "customer": attempt.reaction.to_json(),
        "original": {
            "text": original.text,
            "analysis": original.analysis.to_json(),
            "customer": moment.original_reaction.to_json() if moment.original_reaction else None,
        },
        "replay_matched": moment.drift is None,
        "warning": drift_warning(moment) or None,
    }


def retry_text(moment: Moment, attempt: Attempt, saved: Retry, attempt_number: int) -> str:
    from analysis.coaching.retry import RetryReaction, answer_words
    from simulator.domain.retry import drift_warning

    name = moment.scenario.persona.name.split()[0] if moment.scenario.persona.name.strip() else "Customer"
    original = moment.turn
    before = RetryReaction.from_json(moment.original_reaction.to_json()) if moment.original_reaction else None
    help_given = (
        f"assisted, {saved.how}" if saved.assisted and saved.how else ("assisted" if saved.assisted else "on your own")
    )
    lines = [
        f"Turn {original.index + 1} of session {moment.session_id}, tried again ({help_given}"
        + (f", with {saved.author}" if saved.author else "")
        + ").",
        f"{name}: {moment.customer_before}",
        f"In the call: {original.text}",
        f"  {answer_words(original.analysis, before)}",
        f"Now: {attempt.text}",
        f"  {answer_words(attempt.analysis, saved.reaction)}",
        f"{name}: {attempt.reaction.text}",
    ]
    if attempt.reaction.why:
        lines.append(f"Why: {attempt.reaction.why}")
    warning = drift_warning(moment)
    if warning:
        lines.append(warning)
    lines.append(f"Saved: attempt {attempt_number} at turn {original.index + 1}.")
    return "\n".join(lines)
