"""Retry a moment of a stored call: replay it to a rep turn, then let the rep answer again.

The customer is a fresh scripted customer on the same scenario, fed the rep's stored turns before
that moment with their stored analyses (the labels the customer reacted to in the call), so its
trust, the needs it has told and any open objection are what they were then. The rep's new answer
is analysed like any turn and the customer reacts to it; the attempt is stored beside the original
(`Store.add_retry`), marked assisted or unassisted. Nothing of the call itself changes.

A replay needs the scenario exactly as it was played: a file whose text has changed since (another
hash) or that is gone gives a `RetryUnavailable` with one line saying so, never a different call.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from analysis.types import TurnAnalysis
from simulator.domain.customer import CallTurn, CustomerLine
from simulator.domain.scenario import Scenario, ScenarioError
from simulator.domain.scenario_file import load_scenario
from simulator.domain.scripted import ScriptedCustomer
from simulator.domain.understanding import TopicWords, Understanding
from simulator.storage.store import NotInStore, PlayedScenario, Store


class RetryUnavailable(NotInStore):
    """This moment cannot be replayed (its scenario changed or is gone, a person played the customer):
    a bad request, worded in one line for the coach."""


@dataclass
class Moment:
    """A call replayed up to one rep turn: the customer as it was then, ready for a new answer."""

    session_id: int
    turn: CallTurn  # the rep turn being tried again, as said in the call
    scenario: Scenario
    rep_name: str
    customer: ScriptedCustomer
    customer_before: str  # the customer's line the rep was answering
    original_reaction: CustomerLine | None  # how the customer answered the original turn
    # The first turn (0-based) where the replayed customer said something else than in the call
    # (None when the replay matched): the customer may understand differently now.
    drift: int | None = None

    @property
    def product_terms(self) -> tuple[str, ...]:
        return (self.scenario.product,) if self.scenario.product else ()

    def try_again(self, text: str, analyze: Callable[[str, str, tuple[str, ...]], TurnAnalysis]) -> Attempt:
        """The new answer analysed (`analyze(text, customer_before, product_terms)`, as in the call)
        and the customer's reaction to it. Once per moment: the customer has moved on after it.
        Slow: run it in a worker thread in the app."""
        if self.customer.state.rep_turns > self._turns_before:
            raise RuntimeError("this moment has been answered already; replay it again for another try")
        analysis = analyze(text, self.customer_before, self.product_terms)
        self.customer.prepare(text)
        return Attempt(text, analysis, self.customer.respond(text, analysis, self.turn.index))

    def __post_init__(self) -> None:
        self._turns_before = self.customer.state.rep_turns


@dataclass(frozen=True)
class Attempt:
    """A new answer at a moment, before it is stored: the words, their analysis, the customer's reaction."""

    text: str
    analysis: TurnAnalysis
    reaction: CustomerLine


def played_scenario_file(played: PlayedScenario, candidates: Iterable[Scenario] = ()) -> Scenario:
    """The scenario as the session played it: the file it was played from, or one of CANDIDATES
    (the scenario folders) with the same id, if its text is unchanged (the same hash)."""
    if played.customer_played_by:
        raise RetryUnavailable(
            f"a person ({played.customer_played_by}) played the customer in this call, so it cannot be replayed"
        )
    if not played.content_hash:
        raise RetryUnavailable(
            f"this call's scenario '{played.id}' has no recorded version (it was not played on a scenario file, "
            "say an imported real call), so it cannot be replayed"
        )
    found: list[Scenario] = []
    if played.path and Path(played.path).is_file():
        try:
            found.append(load_scenario(Path(played.path)))
        except ScenarioError:
            pass  # broken now: the candidates may still hold the scenario as it was
    found += [s for s in candidates if s.id == played.id]
    same = next((s for s in found if s.content_hash == played.content_hash), None)
    if same is not None:
        return same
    if any(s.id == played.id for s in found):
        where = f" ({played.path})" if played.path else ""
        raise RetryUnavailable(
            f"scenario '{played.id}'{where} has changed since this call was played, so the call cannot be "
            "replayed as it was; retries need the scenario file as it was then"
        )
    raise RetryUnavailable(
        f"scenario '{played.id}' is not found on this machine (not in the scenario folders"
        f"{', nor at ' + played.path if played.path else ''}), so the call cannot be replayed; "
        "put its file in your scenarios folder to try a moment again"
    )


def replay_to(
    store: Store,
    session_id: int,
    turn: int,
    *,
    candidates: Iterable[Scenario] = (),
    understanding: Callable[[Scenario], Understanding] | None = None,
) -> Moment:
    """The call of SESSION_ID replayed up to its rep turn TURN (0-based).

    Raises NotInStore for a missing session or turn, or a customer's turn, and RetryUnavailable
    when the scenario cannot be had as it was played. Slow (the customer understands each earlier
    turn again): run it in a worker thread in the app."""
    original = store.rep_turn(session_id, turn)
    scenario = played_scenario_file(store.played_scenario(session_id), candidates)
    session = store.session(session_id)
    turns = store.turns(session_id)
    customer = ScriptedCustomer(
        scenario, session.rep_name, understanding(scenario) if understanding else TopicWords(scenario)
    )
    drift: int | None = None

    def compare(replayed: CustomerLine, stored: CallTurn | None) -> None:
        nonlocal drift
        said = stored.customer if stored is not None else None
        if (
            drift is None
            and said is not None
            and (replayed.event, replayed.trust_after) != (said.event, said.trust_after)
        ):
            drift = stored.index if stored is not None else None

    by_index = {t.index: t for t in turns}
    compare(customer.opening(), by_index.get(0))
    for t in turns:
        if t.index >= turn:
            break
        if t.speaker != "rep" or t.analysis is None:
            continue
        if customer.ended:
            raise RetryUnavailable(
                f"replayed, the customer ended the call before turn {turn + 1} (they understand the rep "
                "differently now), so this moment cannot be tried again"
            )
        customer.prepare(t.text)
        compare(customer.respond(t.text, t.analysis, t.index), by_index.get(t.index + 1))
    before = next((t.text for t in reversed(turns) if t.index < turn and t.speaker == "customer"), "")
    after = by_index.get(turn + 1)
    return Moment(
        session_id=session_id,
        turn=original,
        scenario=scenario,
        rep_name=session.rep_name,
        customer=customer,
        customer_before=before,
        original_reaction=after.customer if after is not None and after.speaker == "customer" else None,
        drift=drift,
    )


def drift_warning(moment: Moment) -> str:
    """A line for the coach when the replay did not match the call, else empty."""
    if moment.drift is None:
        return ""
    return (
        f"Note: replayed, the customer reacted differently from turn {moment.drift + 1} on "
        "(the customer's sentence model may not have loaded), so this retry's reaction may differ from the call's."
    )
