"""The scripted customer: turns each rep reply into the customer's next line, deterministically.

The engine does not read text itself beyond matching topic words; it acts on the analysis of the
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

from dataclasses import asdict, dataclass, field
from typing import Any

from simulator.domain.scenario import Scenario, topic_matches, trust_rank

END_OBJECTIVE = "objective_met"
END_CUSTOMER = "customer_ended"
END_REP = "rep_ended"
END_REASONS = {
    END_OBJECTIVE: "the customer agreed to the objective",
    END_CUSTOMER: "the customer ended the call",
    END_REP: "you ended the call",
}


@dataclass
class CustomerLine:
    """What the customer says, and why: kept with the turn so a coach can replay the logic."""

    text: str
    event: str
    trust_before: int
    trust_after: int
    level: str
    need_id: str | None = None
    objection_id: str | None = None
    ended: bool = False
    end_reason: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class CallState:
    trust: int
    rep_turns: int = 0
    needs_questions: int = 0
    revealed: list[dict[str, Any]] = field(default_factory=list)  # {"id", "title", "turn"}
    objections_raised: list[str] = field(default_factory=list)
    reply_counters: dict[str, int] = field(default_factory=dict)
    ended: bool = False
    end_reason: str | None = None
    objective_met: bool = False


class CallEngine:
    def __init__(self, scenario: Scenario, rep_name: str = ""):
        self.scenario = scenario
        self.rep_name = rep_name
        self.state = CallState(trust=scenario.trust.start)
        self.last_customer_line = ""

    # --- helpers -------------------------------------------------------------------------
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

    def _line(self, text: str, event: str, before: int, **extra: Any) -> CustomerLine:
        line = CustomerLine(self._say(text), event, before, self.state.trust, self.level, **extra)
        self.last_customer_line = line.text
        return line

    def _change_trust(self, delta: int) -> None:
        self.state.trust = min(self.scenario.trust.maximum, self.state.trust + delta)

    # --- the call ------------------------------------------------------------------------
    def opening(self) -> CustomerLine:
        return self._line(self.scenario.opening, "opening", self.state.trust)

    def respond(self, rep_text: str, analysis: dict[str, Any], turn_index: int) -> CustomerLine:
        """The customer's reaction to one rep turn; `turn_index` is that turn's place in the call."""
        if self.state.ended:
            raise RuntimeError("the call has already ended")
        s, sc = self.state, self.scenario
        s.rep_turns += 1
        before = s.trust
        asks = analysis.get("is_question", False)
        if analysis.get("is_needs_question"):
            s.needs_questions += 1

        heard = _heard(analysis)
        if heard:
            self._change_trust(2)

        line: CustomerLine | None = None
        objective = sc.objective
        # An open question that merely mentions a keyword ("what happens in your weekly meeting?")
        # is discovery, not a proposal.
        proposes = bool(topic_matches(objective.keywords, rep_text)) and (
            _proposal(rep_text) or (asks and analysis.get("question_type") == "closed"))
        if proposes:
            ready = (len(s.revealed) >= objective.needs_required
                     and trust_rank(self.level) >= trust_rank(objective.min_trust))
            if ready:
                s.objective_met = True
                line = self._end(objective.agree, END_OBJECTIVE, before, event="objective_agreed")
            else:
                line = self._line(objective.not_yet, "objective_not_yet", before)
        elif analysis.get("is_pitch") and s.needs_questions < sc.discovery_before_pitch:
            self._change_trust(-1)
            objection = sc.objections[len(s.objections_raised) % len(sc.objections)]
            s.objections_raised.append(objection.id)
            line = self._line(objection.line, "objection", before, objection_id=objection.id)
        elif asks:
            line = self._question_reply(rep_text, analysis, turn_index, before)
        elif heard:
            line = self._line(self._cycle("paraphrase"), "acknowledged_paraphrase", before)
        elif analysis.get("is_pitch"):
            line = self._line(self._cycle("pitch"), "heard_pitch", before)
        else:
            line = self._line(self._cycle("statement"), "statement", before)

        if not s.ended and s.trust < 0:
            return self._end(f"{line.text} {sc.closing['customer_ends']}", END_CUSTOMER, before, event=line.event,
                             objection_id=line.objection_id)
        if not s.ended and s.rep_turns >= sc.patience:
            return self._end(f"{line.text} {sc.closing['customer_ends']}", END_CUSTOMER, before, event=line.event,
                             need_id=line.need_id, objection_id=line.objection_id)
        return line

    def _question_reply(self, rep_text: str, analysis: dict[str, Any], turn_index: int, before: int) -> CustomerLine:
        s = self.state
        revealed_ids = {n["id"] for n in s.revealed}
        for need in self.scenario.needs:
            if need.id in revealed_ids or not topic_matches(need.topic, rep_text):
                continue
            if trust_rank(self.level) >= trust_rank(need.min_trust):
                self._change_trust(1)
                s.revealed.append({"id": need.id, "title": need.title, "turn": turn_index})
                return self._line(need.reveal, "need_revealed", before, need_id=need.id)
            return self._line(need.guarded, "guarded", before, need_id=need.id)
        if _heard(analysis):
            return self._line(self._cycle("paraphrase"), "acknowledged_paraphrase", before)
        if any(topic_matches(self.scenario.need(n).topic, rep_text) for n in revealed_ids):
            return self._line(self._cycle("repeat"), "repeat", before)
        kind = "open_question" if analysis.get("question_type") == "open" else "closed_question"
        return self._line(self._cycle(kind), kind, before)

    def end_by_rep(self) -> CustomerLine:
        return self._end(self.scenario.closing["rep_ends"], END_REP, self.state.trust, event="rep_ended")

    def _end(self, text: str, reason: str, before: int, *, event: str, **extra: Any) -> CustomerLine:
        self.state.ended = True
        self.state.end_reason = reason
        return self._line(text, event, before, ended=True, end_reason=reason, **extra)

    def snapshot(self) -> dict[str, Any]:
        """State shown beside the call (trust level, needs uncovered) and stored at the end."""
        return {
            "trust": self.state.trust,
            "level": self.level,
            "needs_uncovered": list(self.state.revealed),
            "needs_total": len(self.scenario.needs),
            "objections_raised": list(self.state.objections_raised),
            "ended": self.state.ended,
            "end_reason": self.state.end_reason,
            "objective_met": self.state.objective_met,
        }


def _heard(analysis: dict[str, Any]) -> bool:
    """The customer feels heard when their own words or feelings come back, not by form alone."""
    return bool(analysis.get("is_paraphrase") and analysis.get("paraphrase_grounded", True))


def _proposal(text: str) -> bool:
    """A proposal without a question mark: "let's set up a meeting", "I'd like to book a demo"."""
    lowered = text.lower()
    return any(cue in lowered for cue in ("let's", "let us", "i'd like to", "i would like to", "i suggest we",
                                          "how about", "what about", "why don't we", "we could", "shall we", "can we",
                                          "could we", "would you be open", "are you open", "would you like to"))
