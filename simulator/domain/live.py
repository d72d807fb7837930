"""A person plays the customer from a second terminal (`spar team customer`), through the database.

The rep's terminal opens a `LiveCall` with a short join code; the person joins it by that code and
reads the scenario's card (persona, world of facts, hidden needs and objections). Each line they
send is a `LiveReply`: the words, the reaction they mark (a need told, an objection raised,
agreement...) and their trust in the rep. `LiveCustomer` is the `Customer` the rep's session talks
to: it waits for the person's line (polling the database on a connection of its own, so it can wait
in a worker thread) and turns the marked reaction into the same `CustomerLine` the scripted
customer gives, so the transcript, the figures and the debrief read it as they read any call.

Only the rep's terminal writes the call's turns; the customer's terminal writes its join, its
heartbeat (`seen_at`, so the rep learns when that terminal is gone) and its lines.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

from analysis.types import TextEnum, TurnAnalysis
from simulator.domain.customer import CallSnapshot, CustomerEvent, CustomerLine, EndReason, RevealedNeed
from simulator.domain.scenario import TRUST_LEVELS, Scenario, trust_rank

if TYPE_CHECKING:
    from simulator.storage import Store

# How often each side looks at the database, and how often the customer's terminal says it is there.
POLL_SECONDS = 0.2
HEARTBEAT_SECONDS = 2.0
# No heartbeat for this long: the customer's terminal is taken to be gone (closed or killed).
GONE_AFTER_SECONDS = 12.0


class LiveStatus(TextEnum):
    WAITING = "waiting"  # opened by the rep; no one has joined yet
    JOINED = "joined"
    LEFT = "left"  # the customer's terminal closed
    CANCELLED = "cancelled"  # the rep gave up before the call began


class Reaction(TextEnum):
    """What the person playing the customer says their line does."""

    ANSWER = "answer"
    TELL_NEED = "tell_need"  # a need of the card: the problem first, then what it costs, then its worth
    HOLD_BACK = "hold_back"
    RAISE_OBJECTION = "raise_objection"
    OBJECTION_HANDLED = "objection_handled"
    NOT_YET = "not_yet"
    AGREE = "agree"  # agree to the rep's objective: ends the call
    END_CALL = "end_call"


@dataclass(frozen=True)
class LiveCall:
    """A call the rep opened for a person to play the customer."""

    id: int
    code: str
    scenario_id: str
    rep_name: str
    status: LiveStatus
    customer_name: str = ""
    session_id: int | None = None
    seen_at: str | None = None  # the customer terminal's last heartbeat (ISO, UTC)
    rep_seen_at: str | None = None  # the rep terminal's


@dataclass(frozen=True)
class LiveReply:
    """One line the person sent: `index` is the turn it becomes (0 is the opening)."""

    index: int
    text: str
    reaction: Reaction = Reaction.ANSWER
    need_id: str | None = None
    objection_id: str | None = None
    level: str = ""  # their trust in the rep (bronze, silver, gold); empty: unchanged


class CustomerLeft(Exception):
    """The person playing the customer has left the call; the message says how, for the rep."""


class WaitCancelled(Exception):
    """The rep stopped waiting for the customer (ended or cancelled the call)."""


def seconds_since(stamp: str | None, now: datetime | None = None) -> float:
    if not stamp:
        return float("inf")
    moment = datetime.fromisoformat(stamp)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return ((now or datetime.now(timezone.utc)) - moment).total_seconds()


def rep_gone(call: LiveCall, gone_after: float = GONE_AFTER_SECONDS) -> bool:
    """The rep's terminal has said nothing for GONE_AFTER seconds: it seems to be closed."""
    return seconds_since(call.rep_seen_at) > gone_after


def gone_reason(call: LiveCall, gone_after: float = GONE_AFTER_SECONDS) -> str | None:
    """Why the customer is no longer there, or None while they are (or have not joined yet)."""
    name = call.customer_name or "The customer"
    if call.status is LiveStatus.LEFT:
        return f"{name} left the call (their terminal closed)."
    if call.status is LiveStatus.JOINED and seconds_since(call.seen_at) > gone_after:
        return f"{name} stopped answering: their terminal seems to be closed."
    return None


class LiveCustomer:
    """The customer as a person plays it, from the replies they send through the database."""

    def __init__(
        self,
        scenario: Scenario,
        live: LiveCall,
        store_path: Path | str,
        *,
        poll_seconds: float = POLL_SECONDS,
        gone_after: float = GONE_AFTER_SECONDS,
    ):
        self.scenario = scenario
        self.live_call = live
        self.store_path = Path(store_path)
        self.poll_seconds = poll_seconds
        self.gone_after = gone_after
        self.played_by = live.customer_name
        self.gone: str | None = None  # why the customer left, once they have
        self.trust = scenario.trust.start
        self.told: dict[str, list[str]] = {}  # need id -> layers told, in order
        self.need_turns: dict[str, int] = {}  # need id -> the rep turn that drew it out
        self.objections_raised: list[str] = []
        self.open_objection: str | None = None
        self._ended = False
        self.end_reason: EndReason | None = None
        self.objective_met = False
        self._received: dict[int, LiveReply] = {}

    # --- waiting for the person ----------------------------------------------------------
    def _open_store(self) -> Store:
        # A connection of this thread's own: the wait may run in a worker thread.
        from simulator.storage import Store

        return Store(self.store_path)

    def wait_for_reply(
        self,
        index: int,
        *,
        cancelled: Callable[[], bool] = lambda: False,
        on_joined: Callable[[str], None] | None = None,
    ) -> LiveReply:
        """Block until the person's line for turn INDEX is in; raises `CustomerLeft` when their
        terminal has gone, `WaitCancelled` when CANCELLED() turns true. ON_JOINED(name) is called
        once, when someone has joined."""
        if index in self._received:
            return self._received[index]
        store = self._open_store()
        beat = 0.0
        try:
            while True:
                if time.monotonic() - beat >= HEARTBEAT_SECONDS:  # the customer's screen watches for it
                    store.live_heartbeat(self.live_call.id, rep=True)
                    beat = time.monotonic()
                call = store.live_call(self.live_call.id)
                if call.customer_name and not self.played_by:
                    self.played_by = call.customer_name
                    if on_joined is not None:
                        on_joined(call.customer_name)
                reply = store.live_reply(self.live_call.id, index)
                if reply is not None:
                    self._received[index] = reply
                    return reply
                reason = gone_reason(call, self.gone_after)
                if reason is not None:
                    self.gone = reason
                    raise CustomerLeft(reason)
                if cancelled():
                    raise WaitCancelled()
                time.sleep(self.poll_seconds)
        finally:
            store.close()

    def has_reply(self, index: int) -> bool:
        return index in self._received

    # --- the Customer protocol -----------------------------------------------------------
    @property
    def ended(self) -> bool:
        return self._ended

    @property
    def level(self) -> str:
        return self.scenario.trust.level(self.trust)

    def prepare(self, rep_text: str) -> None:
        """Nothing to prepare: the person reads the rep's words once they are saved."""

    def opening(self) -> CustomerLine:
        reply = self.wait_for_reply(0)
        return CustomerLine(reply.text, CustomerEvent.OPENING, self.trust, self.trust, self.level,
                            why=self._why(reply))  # fmt: skip

    def respond(self, rep_text: str, analysis: TurnAnalysis, turn_index: int) -> CustomerLine:
        if self._ended:
            raise RuntimeError("the call has already ended")
        return self._line(self.wait_for_reply(turn_index + 1), turn_index)

    def end_by_rep(self) -> CustomerLine:
        self._ended = True
        self.end_reason = EndReason.REP_ENDED
        text = "(The customer had left the call.)" if self.gone else "(The rep ended the call.)"
        return CustomerLine(text, CustomerEvent.REP_ENDED, self.trust, self.trust, self.level, ended=True,
                            end_reason=EndReason.REP_ENDED, why=self.gone or "")  # fmt: skip

    def snapshot(self) -> CallSnapshot:
        return CallSnapshot(
            trust=self.trust,
            level=self.level,
            needs_uncovered=tuple(self._needs(lambda told: bool(told))),
            needs_total=len(self.scenario.needs),
            objections_raised=tuple(self.objections_raised),
            needs_explicit=tuple(self._needs(lambda told: "problem" in told and len(told) > 1)),
            open_objection=self.open_objection,
            ended=self._ended,
            end_reason=self.end_reason,
            objective_met=self.objective_met,
            turns_left=None,  # a person decides when they have had enough
        )

    # --- a marked reaction, as the scripted customer would have reported it ---------------
    def _needs(self, keep: Callable[[list[str]], bool]) -> list[RevealedNeed]:
        return [
            RevealedNeed(need_id, self.scenario.need(need_id).title, self.need_turns.get(need_id, -1))
            for need_id, told in self.told.items()
            if keep(told)
        ]

    def _points(self, level: str) -> int:
        """Trust points for the level the person marked (their own points when it is unchanged)."""
        if level not in TRUST_LEVELS or level == self.level:
            return self.trust
        rules = self.scenario.trust
        return {"bronze": min(rules.start, rules.silver - 1), "silver": rules.silver, "gold": rules.gold}[level]

    def ready(self) -> bool:
        """The scenario's rule for agreeing to the objective, as the scripted customer applies it."""
        objective = self.scenario.objective
        needs = self.snapshot().needs_explicit if objective.explicit else self.snapshot().needs_uncovered
        return (
            len(needs) >= objective.needs_required
            and trust_rank(self.level) >= trust_rank(objective.min_trust)
            and self.open_objection is None
        )

    def _why(self, reply: LiveReply) -> str:
        return (
            f"marked by {self.played_by or 'the person playing the customer'}: {str(reply.reaction).replace('_', ' ')}"
        )

    def _line(self, reply: LiveReply, rep_turn: int) -> CustomerLine:
        before = self.trust
        self.trust = self._points(reply.level)
        event, details = self._react(reply, rep_turn)
        ended = reply.reaction in (Reaction.AGREE, Reaction.END_CALL)
        if ended:
            self._ended = True
            self.objective_met = reply.reaction is Reaction.AGREE
            self.end_reason = EndReason.OBJECTIVE_MET if self.objective_met else EndReason.CUSTOMER_ENDED
        return CustomerLine(
            reply.text,
            event,
            before,
            self.trust,
            self.level,
            ended=ended,
            end_reason=self.end_reason if ended else None,
            ready=not ended and self.ready(),
            why=self._why(reply),
            **details,
        )

    def _react(self, reply: LiveReply, rep_turn: int) -> tuple[CustomerEvent, dict]:
        reaction = reply.reaction
        known_needs = {n.id for n in self.scenario.needs}
        known_objections = {o.id for o in self.scenario.objections}
        if reaction is Reaction.TELL_NEED and reply.need_id in known_needs:
            need = self.scenario.need(reply.need_id or "")
            told = self.told.setdefault(need.id, [])
            layer = next((name for name in need.layers if name not in told), None)
            if layer is None:
                return CustomerEvent.REPEAT, {"need_id": need.id}
            told.append(layer)
            if layer == "problem":
                self.need_turns[need.id] = rep_turn
                return CustomerEvent.NEED_REVEALED, {"need_id": need.id, "layer": layer}
            return CustomerEvent.NEED_DEVELOPED, {"need_id": need.id, "layer": layer}
        if reaction is Reaction.RAISE_OBJECTION and reply.objection_id in known_objections:
            self.objections_raised.append(reply.objection_id or "")
            self.open_objection = reply.objection_id
            return CustomerEvent.OBJECTION, {"objection_id": reply.objection_id}
        if reaction is Reaction.OBJECTION_HANDLED and self.open_objection is not None:
            handled, self.open_objection = self.open_objection, None
            return CustomerEvent.OBJECTION_HANDLED, {"objection_id": handled}
        if reaction is Reaction.HOLD_BACK:
            return CustomerEvent.GUARDED, {"need_id": reply.need_id if reply.need_id in known_needs else None}
        if reaction is Reaction.NOT_YET:
            return CustomerEvent.OBJECTIVE_NOT_YET, {}
        if reaction is Reaction.AGREE:
            return CustomerEvent.OBJECTIVE_AGREED, {}
        return CustomerEvent.STATEMENT, {}
