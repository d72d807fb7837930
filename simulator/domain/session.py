"""One practice call from first line to saved debrief, shared by the app and `spar practice`.

`PracticeCall` owns the customer, the transcript and the store writes; it never analyses text
itself (the caller passes the analysis in), so the app can run spaCy in a worker thread and
hand the result to the main thread, which alone writes to the database.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from analysis.coaching.debrief import CallOutcome, Debrief, build_debrief
from analysis.coaching.figures import CustomerMove, MoveKind, NeedUncovered, call_metrics
from analysis.types import Figure, FigureKey, SpeechTiming, TurnAnalysis
from simulator.domain.customer import CallTurn, Customer, CustomerEvent, CustomerLine, EndReason, rep_display_name
from simulator.domain.scenario import TRUST_LEVELS, Scenario, trust_rank
from simulator.domain.scripted import ScriptedCustomer
from simulator.domain.understanding import Understanding
from simulator.storage import Store, StoreError
from simulator.storage.store import Goal, now


class TurnNotSaved(StoreError):
    """A turn could not be written. `reply_saved` says whether the rep's reply made it (and only the
    customer's answer was lost) or not (so the reply can be given back to try again)."""

    def __init__(self, message: str, *, reply_saved: bool):
        super().__init__(message)
        self.reply_saved = reply_saved


# The customer's reactions the coaching reads, by the event that carries them.
MOVES = {
    CustomerEvent.OBJECTION: MoveKind.OBJECTION,
    CustomerEvent.OBJECTIVE_NOT_YET: MoveKind.NOT_YET,
    CustomerEvent.OBJECTIVE_AGREED: MoveKind.AGREED,
}


def customer_moves(turns: list[CallTurn]) -> list[CustomerMove]:
    """Each objection, "not yet" and agreement, with the rep turn it answered. An objection that a
    proposal raised ("You're asking for my time before asking what happened") is a "not yet" too."""
    moves = []
    for turn in turns:
        line = turn.customer
        if line is None or line.event not in MOVES or turn.index == 0:
            continue
        moves.append(CustomerMove(turn.index - 1, MOVES[line.event]))
        if line.event is CustomerEvent.OBJECTION and line.answers_proposal:
            moves.append(CustomerMove(turn.index - 1, MoveKind.NOT_YET))
    return moves


def ready_after(turns: list[CallTurn], scenario: Scenario) -> int | None:
    """The customer's line (0-based) after which they would have agreed to the objective, by the
    scenario's rule (enough needs told, enough trust), or None if that moment never came while the
    rep could still ask (ending the call yourself counts as a chance not taken)."""
    told = [t.index for t in turns if t.customer is not None and t.customer.ready]
    if told or scenario.version >= 2:
        # The customer says when they are ready (format 2 needs explicit needs, which only it knows).
        return told[0] if told else None
    objective = scenario.objective
    needs = 0
    last_line: int | None = None
    for turn in turns:
        line = turn.customer
        if line is None:
            continue
        if line.event is CustomerEvent.OBJECTIVE_AGREED:
            return last_line if last_line is not None else turn.index
        if line.event is CustomerEvent.NEED_REVEALED:
            needs += 1
        trusted = line.level in TRUST_LEVELS and trust_rank(line.level) >= trust_rank(objective.min_trust)
        if (
            needs >= objective.needs_required
            and trusted
            and not (line.ended and line.event is not CustomerEvent.REP_ENDED)
        ):
            return turn.index
        last_line = turn.index
    return None


class PracticeCall:
    def __init__(
        self,
        store: Store,
        scenario: Scenario,
        rep_name: str,
        *,
        input_mode: str = "typed",
        customer: Customer | None = None,
        understanding: Understanding | None = None,
        on_customer_line: Callable[[int, str], str | None] | None = None,
        mode: str = "solo",
        group_id: str | None = None,
        customer_played_by: str | None = None,
        live_call_id: int | None = None,
    ):
        self.store = store
        # A person playing the customer (simulator/domain/live.py): their name, and the live call they joined.
        self.customer_played_by = customer_played_by
        self.live_call_id = live_call_id
        self.mode = mode
        self.group_id = group_id
        self.scenario = scenario
        self.rep_name = rep_display_name(rep_name)
        self.input_mode = input_mode
        self.customer: Customer = customer or ScriptedCustomer(scenario, self.rep_name, understanding)
        self.turns: list[CallTurn] = []
        self.session_id: int | None = None
        self._figures: dict[FigureKey, Figure] | None = None
        # The goal agreed at the rep's previous debrief; this call checks it.
        self.goal: Goal | None = store.latest_goal(self.rep_name)
        # Called with each customer line (turn index, text) before it is saved; returns the path
        # of the line's audio, stored with the turn (`spar practice --customer-audio`).
        self.on_customer_line = on_customer_line

    @property
    def ended(self) -> bool:
        return self.customer.ended

    @property
    def last_customer_text(self) -> str:
        return next((t.text for t in reversed(self.turns) if t.speaker == "customer"), "")

    @property
    def product_terms(self) -> tuple[str, ...]:
        return (self.scenario.product,) if self.scenario.product else ()

    def start(self) -> CustomerLine:
        self.session_id = self.store.start_session(
            self.rep_name,
            self.scenario,
            input_mode=self.input_mode,
            mode=self.mode,
            group_id=self.group_id,
            customer_played_by=self.customer_played_by,
            live_call_id=self.live_call_id,
        )
        line = self.customer.opening()
        self._record(CallTurn(len(self.turns), "customer", line.text, customer=line))
        return line

    def rep_turn(
        self,
        text: str,
        analysis: TurnAnalysis,
        *,
        started_at: str | None = None,
        audio_path: str | None = None,
        speech: SpeechTiming | None = None,
    ) -> CustomerLine:
        """Save the rep's turn, then the customer's answer; each is its own transaction.

        Raises `TurnNotSaved` when the database refuses a write, saying which of the two was kept.
        """
        self.save_reply(text, analysis, started_at=started_at, audio_path=audio_path, speech=speech)
        return self.answer_reply()

    def save_reply(
        self,
        text: str,
        analysis: TurnAnalysis,
        *,
        started_at: str | None = None,
        audio_path: str | None = None,
        speech: SpeechTiming | None = None,
    ) -> CallTurn:
        """The first half of `rep_turn`: the rep's turn saved (a person playing the customer reads it
        from the database before answering). Raises `TurnNotSaved(reply_saved=False)`."""
        index = len(self.turns)
        if speech is not None:
            analysis = analysis.with_speech(speech)
        spoken = audio_path is not None or analysis.speech is not None
        turn = CallTurn(
            index,
            "rep",
            text,
            analysis=analysis,
            audio_path=audio_path,
            input_mode="spoken" if spoken else self.input_mode,
        )
        try:
            self._record(turn, started_at=started_at)
        except StoreError as exc:
            raise TurnNotSaved(str(exc), reply_saved=False) from None
        return turn

    def answer_reply(self) -> CustomerLine:
        """The second half of `rep_turn`: the customer's answer to the rep's last turn, saved.
        Raises `TurnNotSaved(reply_saved=True)`."""
        rep = self.turns[-1]
        assert rep.speaker == "rep" and rep.analysis is not None, "save_reply() first"
        line = self.customer.respond(rep.text, rep.analysis, rep.index)
        try:
            self._record(CallTurn(len(self.turns), "customer", line.text, customer=line))
            if line.ended:
                self._finish()
        except StoreError as exc:
            raise TurnNotSaved(str(exc), reply_saved=True) from None
        return line

    def end_by_rep(self) -> CustomerLine:
        line = self.customer.end_by_rep()
        self._record(CallTurn(len(self.turns), "customer", line.text, customer=line))
        self._finish()
        return line

    def _record(self, turn: CallTurn, *, started_at: str | None = None) -> None:
        assert self.session_id is not None, "start() the call first"
        if turn.speaker == "customer" and self.on_customer_line is not None:
            turn.audio_path = self.on_customer_line(turn.index, turn.text)
        self.store.add_turn(self.session_id, turn, started_at=started_at)
        self.turns.append(turn)

    def figures(self) -> dict[FigureKey, Figure]:
        """The call's figures; computed once the call has ended, since they no longer change."""
        if self._figures is not None:
            return self._figures
        snap = self.customer.snapshot()
        figures = call_metrics(
            self.turns,
            needs_total=snap.needs_total,
            needs_uncovered=[NeedUncovered(n.id, n.title, n.turn) for n in snap.needs_uncovered],
            discovery_before_pitch=self.scenario.discovery_before_pitch,
            moves=customer_moves(self.turns),
            ready_after=ready_after(self.turns, self.scenario),
        )
        if self.ended:
            self._figures = figures
        return figures

    def _finish(self) -> None:
        assert self.session_id is not None
        self.store.end_session(self.session_id, self.customer.snapshot(), self.figures())

    def debrief(self) -> Debrief:
        snap = self.customer.snapshot()
        return build_debrief(
            self.figures(),
            discovery_before_pitch=self.scenario.discovery_before_pitch,
            previous_focus=self.goal.focus_skill if self.goal else None,
            outcome=CallOutcome(
                end_reason=None if snap.end_reason is None else str(snap.end_reason),
                end_reason_text=snap.end_reason.text if snap.end_reason else "",
                objective=self.scenario.objective.description,
                objective_met=snap.objective_met,
                trust_level=snap.level,
                needs_total=snap.needs_total,
                previous_next_step=(self.goal.next_step if self.goal else "") or "",
                why_ended=self.why_ended(),
                last_line=self.last_customer_text if self.ended else "",
            ),
            goal_measure=self.goal.checkable if self.goal else None,
            goal_text=self.goal.measure_text if self.goal else "",
            goal_due=self.goal.due_date if self.goal else "",
        )

    def why_ended(self) -> str:
        """How and why the call ended, as the rep reads it: "Tom ran out of patience after 8 turns"."""
        snap = self.customer.snapshot()
        name = self.scenario.persona.name.split()[0] if self.scenario.persona.name.strip() else "The customer"
        if snap.end_reason is EndReason.OBJECTIVE_MET:
            return f"{name} agreed to your objective."
        if snap.end_reason is EndReason.REP_ENDED:
            return "You ended the call."
        if snap.end_reason is EndReason.CUSTOMER_ENDED:
            rep_turns = sum(1 for t in self.turns if t.speaker == "rep")
            if snap.trust < 0:
                return f"{name} ended the call: you pushed too hard and lost their trust."
            if snap.turns_left == 0:
                return f"{name} ended the call: they ran out of patience after {rep_turns} turns."
            return f"{name} ended the call."
        return ""

    def save_debrief(self, answers: dict[str, str], debrief: Debrief | None = None) -> Debrief:
        assert self.session_id is not None
        debrief = debrief or self.debrief()
        self.store.save_debrief(self.session_id, answers, debrief)
        return debrief


@dataclass(frozen=True)
class HeardReply:
    """A line of a replies file as the rep said it: the text, and for a spoken reply its timings and audio."""

    text: str
    speech: SpeechTiming | None = None
    audio_path: str | None = None


@dataclass
class ScriptResult:
    call: PracticeCall
    unused_replies: int


def play_script(
    call: PracticeCall,
    replies: Iterable[str],
    analyze: Callable[[str, str, tuple[str, ...]], TurnAnalysis],
    on_line: Callable[[str, str], None] | None = None,
    hear: Callable[[str], HeardReply] | None = None,
) -> ScriptResult:
    """Play a call from prepared replies; `analyze(text, previous_customer_text, product_terms)`.

    `hear(line)` turns a line into what the rep said: it is how spoken replies are transcribed.
    Blank lines are skipped. When the replies run out before the call ends, the rep ends it.
    """
    opening = call.start()
    if on_line:
        on_line("customer", opening.text)
    unused = 0
    for reply in replies:
        reply = reply.strip()
        if not reply:
            continue
        if call.ended:
            unused += 1
            continue
        started = now()
        heard = hear(reply) if hear else HeardReply(reply)
        analysis = analyze(heard.text, call.last_customer_text, call.product_terms)
        call.customer.prepare(heard.text)
        if on_line:
            on_line("rep", heard.text)
        line = call.rep_turn(heard.text, analysis, started_at=started, audio_path=heard.audio_path, speech=heard.speech)
        if on_line:
            on_line("customer", line.text)
    if not call.ended:
        line = call.end_by_rep()
        if on_line:
            on_line("customer", line.text)
    return ScriptResult(call, unused)
