"""The scripted customer: turns each rep reply into the customer's next line, deterministically.

`ScriptedCustomer` implements the `Customer` protocol (customer.py). It does not read text itself
beyond matching topic words and proposal openers; it acts on the analysis of the
rep's turn (question? paraphrase? pitch?) so that the customer reacts to exactly what the
debrief will later show. Same scenario, same replies -> same call, every time.

Rules, in order of precedence for the customer's line (trust changes add up):
1. The rep asks for the objective (its keywords in a question or proposal): the customer agrees
   if enough needs are uncovered and trust is high enough, which ends the call; otherwise says
   "not yet".
2. A pitch before `discovery_before_pitch` needs questions draws the next objection (trust -1).
3. A question on an unrevealed need's topic reveals it (trust +1) when trust has reached the
   need's level; below that the customer answers guardedly.
4. A paraphrase that brings back the customer's words or feelings raises trust by 2 and is
   acknowledged.
5. Otherwise the customer answers in kind: open or closed question, pitch, or plain statement,
   cycling through the scenario's lines.
The customer ends the call when trust falls below zero or the rep has used up the scenario's
patience (its number of rep turns).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from analysis.types import QuestionType, TurnAnalysis
from simulator.domain.customer import CallSnapshot, CustomerEvent, CustomerLine, EndReason, RevealedNeed
from simulator.domain.matching import proposes_next_step, topic_matches
from simulator.domain.scenario import Scenario, trust_rank

# Trust points each reaction is worth.
TRUST_FOR_FEELING_HEARD = 2
TRUST_FOR_A_NEED_SHARED = 1
TRUST_LOST_TO_AN_EARLY_PITCH = -1


@dataclass
class CallState:
    trust: int
    rep_turns: int = 0
    needs_questions: int = 0
    revealed: list[RevealedNeed] = field(default_factory=list)
    objections_raised: list[str] = field(default_factory=list)
    reply_counters: dict[str, int] = field(default_factory=dict)
    ended: bool = False
    end_reason: EndReason | None = None
    objective_met: bool = False


class ScriptedCustomer:
    """The customer as a scenario file scripts it."""

    def __init__(self, scenario: Scenario, rep_name: str = ""):
        self.scenario = scenario
        self.rep_name = rep_name
        self.state = CallState(trust=scenario.trust.start)
        self.last_customer_line = ""

    # --- helpers -------------------------------------------------------------------------
    @property
    def ended(self) -> bool:
        return self.state.ended

    @property
    def level(self) -> str:
        return self.scenario.trust.level(self.state.trust)

    def _say(self, text: str) -> str:
        first = self.rep_name.split()[0] if self.rep_name.strip() else "there"
        return " ".join(text.replace("{rep}", first).split())

    def _cycle(self, kind: str) -> str:
        lines = self.scenario.replies[kind]
        n = self.state.reply_counters.get(kind, 0)
        self.state.reply_counters[kind] = n + 1
        return lines[n % len(lines)]

    def _line(
        self,
        text: str,
        event: CustomerEvent,
        before: int,
        *,
        need_id: str | None = None,
        objection_id: str | None = None,
        ended: bool = False,
        end_reason: EndReason | None = None,
    ) -> CustomerLine:
        line = CustomerLine(
            self._say(text),
            event,
            before,
            self.state.trust,
            self.level,
            need_id=need_id,
            objection_id=objection_id,
            ended=ended,
            end_reason=end_reason,
        )
        self.last_customer_line = line.text
        return line

    def _change_trust(self, delta: int) -> None:
        self.state.trust = min(self.scenario.trust.maximum, self.state.trust + delta)

    # --- the call ------------------------------------------------------------------------
    def opening(self) -> CustomerLine:
        return self._line(self.scenario.opening, CustomerEvent.OPENING, self.state.trust)

    def respond(self, rep_text: str, analysis: TurnAnalysis, turn_index: int) -> CustomerLine:
        """The customer's reaction to one rep turn; `turn_index` is that turn's place in the call."""
        if self.state.ended:
            raise RuntimeError("the call has already ended")
        s, sc = self.state, self.scenario
        s.rep_turns += 1
        before = s.trust
        asks = analysis.is_question
        if analysis.is_needs_question:
            s.needs_questions += 1

        heard = analysis.heard
        if heard:
            self._change_trust(TRUST_FOR_FEELING_HEARD)

        line: CustomerLine | None = None
        objective = sc.objective
        # An open question that merely mentions a keyword ("what happens in your weekly meeting?")
        # is discovery, not a proposal.
        proposes = bool(topic_matches(objective.keywords, rep_text)) and (
            proposes_next_step(rep_text) or (asks and analysis.question_type is QuestionType.CLOSED)
        )
        if proposes:
            ready = len(s.revealed) >= objective.needs_required and trust_rank(self.level) >= trust_rank(
                objective.min_trust
            )
            if ready:
                s.objective_met = True
                line = self._end(objective.agree, EndReason.OBJECTIVE_MET, before, event=CustomerEvent.OBJECTIVE_AGREED)
            else:
                line = self._line(objective.not_yet, CustomerEvent.OBJECTIVE_NOT_YET, before)
        elif analysis.is_pitch and s.needs_questions < sc.discovery_before_pitch:
            self._change_trust(TRUST_LOST_TO_AN_EARLY_PITCH)
            objection = sc.objections[len(s.objections_raised) % len(sc.objections)]
            s.objections_raised.append(objection.id)
            line = self._line(objection.line, CustomerEvent.OBJECTION, before, objection_id=objection.id)
        elif asks:
            line = self._question_reply(rep_text, analysis, turn_index, before)
        elif heard:
            line = self._line(self._cycle("paraphrase"), CustomerEvent.ACKNOWLEDGED_PARAPHRASE, before)
        elif analysis.is_pitch:
            line = self._line(self._cycle("pitch"), CustomerEvent.HEARD_PITCH, before)
        else:
            line = self._line(self._cycle("statement"), CustomerEvent.STATEMENT, before)

        if not s.ended and s.trust < 0:
            return self._end(
                f"{line.text} {sc.closing['customer_ends']}",
                EndReason.CUSTOMER_ENDED,
                before,
                event=line.event,
                objection_id=line.objection_id,
            )
        if not s.ended and s.rep_turns >= sc.patience:
            return self._end(
                f"{line.text} {sc.closing['customer_ends']}",
                EndReason.CUSTOMER_ENDED,
                before,
                event=line.event,
                need_id=line.need_id,
                objection_id=line.objection_id,
            )
        return line

    def _question_reply(self, rep_text: str, analysis: TurnAnalysis, turn_index: int, before: int) -> CustomerLine:
        s = self.state
        revealed_ids = {n.id for n in s.revealed}
        for need in self.scenario.needs:
            if need.id in revealed_ids or not topic_matches(need.topic, rep_text):
                continue
            if trust_rank(self.level) >= trust_rank(need.min_trust):
                self._change_trust(TRUST_FOR_A_NEED_SHARED)
                s.revealed.append(RevealedNeed(need.id, need.title, turn_index))
                return self._line(need.reveal, CustomerEvent.NEED_REVEALED, before, need_id=need.id)
            return self._line(need.guarded, CustomerEvent.GUARDED, before, need_id=need.id)
        if analysis.heard:
            return self._line(self._cycle("paraphrase"), CustomerEvent.ACKNOWLEDGED_PARAPHRASE, before)
        if any(topic_matches(self.scenario.need(n).topic, rep_text) for n in revealed_ids):
            return self._line(self._cycle("repeat"), CustomerEvent.REPEAT, before)
        event = (
            CustomerEvent.OPEN_QUESTION
            if analysis.question_type is QuestionType.OPEN
            else CustomerEvent.CLOSED_QUESTION
        )
        return self._line(self._cycle(str(event)), event, before)

    def end_by_rep(self) -> CustomerLine:
        return self._end(
            self.scenario.closing["rep_ends"], EndReason.REP_ENDED, self.state.trust, event=CustomerEvent.REP_ENDED
        )

    def _end(
        self,
        text: str,
        reason: EndReason,
        before: int,
        *,
        event: CustomerEvent,
        need_id: str | None = None,
        objection_id: str | None = None,
    ) -> CustomerLine:
        self.state.ended = True
        self.state.end_reason = reason
        return self._line(
            text, event, before, need_id=need_id, objection_id=objection_id, ended=True, end_reason=reason
        )

    def snapshot(self) -> CallSnapshot:
        """State shown beside the call (trust level, needs uncovered) and stored at the end."""
        return CallSnapshot(
            trust=self.state.trust,
            level=self.level,
            needs_uncovered=tuple(self.state.revealed),
            needs_total=len(self.scenario.needs),
            objections_raised=tuple(self.state.objections_raised),
            ended=self.state.ended,
            end_reason=self.state.end_reason,
            objective_met=self.state.objective_met,
            turns_left=max(0, self.scenario.patience - self.state.rep_turns),
        )
