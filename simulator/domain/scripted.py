"""The scripted customer: turns each analysed rep turn into the customer's next line, deterministically.

`ScriptedCustomer` implements the `Customer` protocol (customer.py). It acts on the analysis of the
rep's turn (question? which SPIN kind? paraphrase? pitch?) so that the customer reacts to exactly
what the debrief will later show, and on what the rep's words reach in the scenario, judged by
meaning (`understanding.py`). Same scenario, same replies -> same call, every time.

Rules, in order of precedence (trust changes add up; README "How the customer reacts" has them as
a table):
1. A proposal of the objective (its keywords in a proposal or a closed question): agreed when the
   customer is ready (enough needs made explicit, enough trust, no objection left open), which ends
   the call; before that an `early_proposal` objection if the scenario has one, else "not yet".
2. An objection left open: acknowledging it and asking about it handles it (trust +1); pitching
   through it pushes (trust -1).
3. A pitch before `discovery_before_pitch` needs questions draws an `early_pitch` objection
   (trust -1); naming a price draws the `price` objection.
4. A question reaches a need or a fact of the customer's world by meaning. A need unfolds one SPIN
   layer a question: the problem first (trust +1; guarded while trust is below the need's level),
   then its implication and payoff when asked what it costs or would be worth (trust +1 the first
   time it becomes explicit). A follow-up ("tell me more", "how so") goes one layer deeper on the
   last topic. A fact of their world is told as it is.
5. A paraphrase that brings back the customer's words or feelings: trust +2, acknowledged.
6. Otherwise the customer answers in kind, never with the line just said.
When ready for the objective the customer gives a buying signal, once. The customer ends the call
after `pushes_before_hang_up` pushes with trust below zero, or when the rep uses up their patience.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from analysis.types import QuestionType, SpinKind, TurnAnalysis
from simulator.domain.customer import CallSnapshot, CustomerEvent, CustomerLine, EndReason, RevealedNeed
from simulator.domain.matching import (
    acknowledges,
    action_matches,
    asks_a_follow_up,
    names_a_price,
    proposes_next_step,
    topic_matches,
)
from simulator.domain.scenario import LAYERS, Need, Objection, Scenario, trust_rank
from simulator.domain.understanding import Match, TopicWords, Understanding

# Trust points each reaction is worth.
TRUST_FOR_FEELING_HEARD = 2
TRUST_FOR_A_NEED_SHARED = 1
TRUST_FOR_AN_EXPLICIT_NEED = 1
TRUST_FOR_A_HANDLED_OBJECTION = 1
TRUST_LOST_TO_A_PUSH = -1
# SPIN kinds that aim a question below the problem, whatever phrase it came closest to.
AIMS_AT = {SpinKind.IMPLICATION: "implication", SpinKind.NEED_PAYOFF: "payoff"}


@dataclass
class NeedProgress:
    need: Need
    told: list[str] = field(default_factory=list)  # layers told, in order
    turn: int = -1  # the rep turn that uncovered it

    @property
    def explicit(self) -> bool:
        return "problem" in self.told and len(self.told) > 1

    def next_layer(self) -> str | None:
        return next((name for name in self.need.layers if name not in self.told), None)


@dataclass
class CallState:
    trust: int
    rep_turns: int = 0
    needs_questions: int = 0
    progress: dict[str, NeedProgress] = field(default_factory=dict)
    facts_told: set[str] = field(default_factory=set)
    objections_raised: list[str] = field(default_factory=list)
    open_objection: Objection | None = None
    pushes: int = 0
    reply_counters: dict[str, int] = field(default_factory=dict)
    last_topic: str | None = None  # the need last talked about, for follow-ups
    signalled: bool = False
    ended: bool = False
    end_reason: EndReason | None = None
    objective_met: bool = False

    @property
    def revealed(self) -> list[RevealedNeed]:
        return [RevealedNeed(p.need.id, p.need.title, p.turn) for p in self.progress.values() if p.told]

    @property
    def explicit(self) -> list[RevealedNeed]:
        return [RevealedNeed(p.need.id, p.need.title, p.turn) for p in self.progress.values() if p.explicit]


class ScriptedCustomer:
    """The customer as a scenario file scripts it."""

    def __init__(self, scenario: Scenario, rep_name: str = "", understanding: Understanding | None = None):
        self.scenario = scenario
        self.rep_name = rep_name
        self.understanding: Understanding = understanding or TopicWords(scenario)
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

    def _variant(self, kind: str) -> str:
        """The next line of a kind, never the line the customer has just said."""
        lines = self.scenario.replies.get(kind) or self.scenario.replies["statement"]
        for _ in range(len(lines)):
            n = self.state.reply_counters.get(kind, 0)
            self.state.reply_counters[kind] = n + 1
            line = lines[n % len(lines)]
            if self._say(line) != self.last_customer_line:
                return line
        return line

    def _line(self, text: str, event: CustomerEvent, before: int, **details) -> CustomerLine:
        line = CustomerLine(self._say(text), event, before, self.state.trust, self.level, **details)
        self.last_customer_line = line.text
        return line

    def _change_trust(self, delta: int) -> None:
        self.state.trust = min(self.scenario.trust.maximum, self.state.trust + delta)

    def _progress(self, need: Need) -> NeedProgress:
        return self.state.progress.setdefault(need.id, NeedProgress(need))

    def ready(self) -> bool:
        """Ready to agree to the objective: enough needs made explicit, enough trust, no open objection."""
        objective = self.scenario.objective
        uncovered = self.state.explicit if objective.explicit else self.state.revealed
        return (
            len(uncovered) >= objective.needs_required
            and trust_rank(self.level) >= trust_rank(objective.min_trust)
            and self.state.open_objection is None
        )

    # --- the call ------------------------------------------------------------------------
    def opening(self) -> CustomerLine:
        return self._line(self.scenario.opening, CustomerEvent.OPENING, self.state.trust)

    def prepare(self, rep_text: str) -> None:
        self.understanding.prepare([rep_text])

    def respond(self, rep_text: str, analysis: TurnAnalysis, turn_index: int) -> CustomerLine:
        """The customer's reaction to one rep turn; `turn_index` is that turn's place in the call."""
        if self.state.ended:
            raise RuntimeError("the call has already ended")
        s, sc = self.state, self.scenario
        s.rep_turns += 1
        before = s.trust
        if analysis.is_needs_question:
            s.needs_questions += 1
        if analysis.heard:
            self._change_trust(TRUST_FOR_FEELING_HEARD)

        line = self._react(rep_text, analysis, turn_index, before)
        if not s.ended and not s.signalled and sc.objective.buying_signal and self.ready():
            s.signalled = True
            line = self._line(f"{line.text} {sc.objective.buying_signal}", line.event, before,
                              **_details(line), buying_signal=True)  # fmt: skip
        if not s.ended and self.ready():
            line = replace(line, ready=True)
        if not s.ended and s.trust < 0 and s.pushes >= sc.pushes_before_hang_up:
            return self._end(f"{line.text} {sc.closing['customer_ends']}", EndReason.CUSTOMER_ENDED, before,
                             event=line.event, objection_id=line.objection_id,
                             why=f"pushed {s.pushes} times with trust below zero")  # fmt: skip
        if not s.ended and s.rep_turns >= sc.patience:
            return self._end(f"{line.text} {sc.closing['customer_ends']}", EndReason.CUSTOMER_ENDED, before,
                             event=line.event, need_id=line.need_id, objection_id=line.objection_id,
                             why=f"out of patience after {sc.patience} turns")  # fmt: skip
        return line

    def _react(self, rep_text: str, analysis: TurnAnalysis, turn_index: int, before: int) -> CustomerLine:
        s, sc = self.state, self.scenario
        asks = analysis.is_question
        objective = sc.objective
        # An open question that merely mentions a keyword ("what happens in your weekly meeting?")
        # is discovery, not a proposal.
        opens_proposal = proposes_next_step(rep_text)
        proposes = bool(topic_matches(objective.keywords, rep_text)) and (
            opens_proposal or (asks and analysis.question_type is QuestionType.CLOSED)
        )
        # "Could we meet on Tuesday?" names the meeting by its verb: a proposal all the same.
        proposes = proposes or (opens_proposal and bool(action_matches(objective.keywords, rep_text)))
        if proposes:
            return self._proposal(before)
        if s.open_objection is not None:
            reply = self._answer_objection(s.open_objection, rep_text, analysis, before)
            if reply is not None:
                return reply
        if analysis.is_pitch and s.needs_questions < sc.discovery_before_pitch:
            return self._raise("early_pitch", before, push=True) or self._line(
                self._variant("pitch"), CustomerEvent.HEARD_PITCH, before
            )
        if not asks and names_a_price(rep_text):
            raised = self._raise("price", before)
            if raised is not None:
                return raised
        if asks:
            return self._question_reply(rep_text, analysis, turn_index, before)
        if analysis.heard:
            return self._line(self._variant("paraphrase"), CustomerEvent.ACKNOWLEDGED_PARAPHRASE, before)
        if analysis.is_pitch:
            return self._line(self._variant("pitch"), CustomerEvent.HEARD_PITCH, before)
        return self._line(self._variant("statement"), CustomerEvent.STATEMENT, before)

    # --- the objective and objections ----------------------------------------------------
    def _proposal(self, before: int) -> CustomerLine:
        objective = self.scenario.objective
        if self.ready():
            self.state.objective_met = True
            return self._end(objective.agree, EndReason.OBJECTIVE_MET, before, event=CustomerEvent.OBJECTIVE_AGREED,
                             why="ready: enough needs explicit and enough trust")  # fmt: skip
        raised = self._raise("early_proposal", before)
        return raised or self._line(objective.not_yet, CustomerEvent.OBJECTIVE_NOT_YET, before,
                                    why="not ready yet: " + self._missing())  # fmt: skip

    def _missing(self) -> str:
        objective = self.scenario.objective
        have = len(self.state.explicit if objective.explicit else self.state.revealed)
        gaps = []
        if have < objective.needs_required:
            kind = "explicit needs" if objective.explicit else "needs"
            gaps.append(f"{have} of {objective.needs_required} {kind}")
        if trust_rank(self.level) < trust_rank(objective.min_trust):
            gaps.append(f"trust {self.level}, needs {objective.min_trust}")
        if self.state.open_objection is not None:
            gaps.append(f"objection '{self.state.open_objection.id}' still open")
        return "; ".join(gaps)

    def _raise(self, trigger: str, before: int, *, push: bool = False) -> CustomerLine | None:
        """The next objection this trigger raises (in the scenario's order), or None if it has none."""
        s = self.state
        candidates = [o for o in self.scenario.objections if o.raised_by == trigger]
        if not candidates:
            return None
        if trigger == "early_pitch":
            # Pitching too soon again brings the next of these objections, in the scenario's order.
            ids = {o.id for o in candidates}
            objection = candidates[sum(1 for raised in s.objections_raised if raised in ids) % len(candidates)]
        else:
            fresh = [o for o in candidates if o.id not in s.objections_raised]
            if not fresh:
                return None  # a price or proposal objection is raised once
            objection = fresh[0]
        s.objections_raised.append(objection.id)
        s.open_objection = objection
        if push:
            s.pushes += 1
            self._change_trust(TRUST_LOST_TO_A_PUSH)
        why = {"early_pitch": "a pitch before enough discovery", "early_proposal": "a proposal before enough value",
               "price": "the rep named a price"}[trigger]  # fmt: skip
        return self._line(objection.line, CustomerEvent.OBJECTION, before, objection_id=objection.id, why=why,
                          answers_proposal=trigger == "early_proposal")  # fmt: skip

    def _answer_objection(self, objection: Objection, rep_text: str, analysis: TurnAnalysis,
                          before: int) -> CustomerLine | None:  # fmt: skip
        s = self.state
        if analysis.is_pitch and not analysis.is_question:
            s.pushes += 1
            self._change_trust(TRUST_LOST_TO_A_PUSH)
            return self._line(objection.pushed or objection.line, CustomerEvent.OBJECTION_PUSHED, before,
                              objection_id=objection.id, why="pitched through the objection")  # fmt: skip
        if analysis.is_question and (acknowledges(rep_text) or analysis.is_paraphrase):
            s.open_objection = None
            self._change_trust(TRUST_FOR_A_HANDLED_OBJECTION)
            line = objection.handled or self._variant("paraphrase")
            return self._line(line, CustomerEvent.OBJECTION_HANDLED, before, objection_id=objection.id,
                              why="acknowledged the concern and asked about it")  # fmt: skip
        return None

    # --- questions -----------------------------------------------------------------------
    def _question_reply(self, rep_text: str, analysis: TurnAnalysis, turn_index: int, before: int) -> CustomerLine:
        s = self.state
        matches = self.understanding.matches(rep_text)
        best = matches[0] if matches else None
        # "Tell me more", or a question about what it costs or would be worth that names no topic of
        # its own ("And what does that mean for you?"): both go on about the last topic.
        deeper_on_its_own = best is None and analysis.spin in AIMS_AT
        if (asks_a_follow_up(rep_text) and (best is None or best.kind != "need")) or deeper_on_its_own:
            topic = s.last_topic
            if topic is not None:
                return self._deeper(self.scenario.need(topic), None, analysis, turn_index, before, follow_up=True)
        if best is not None and best.kind == "fact":
            return self._fact(best, before)
        if best is not None and best.kind == "need":
            return self._deeper(self.scenario.need(best.id), best, analysis, turn_index, before,
                                follow_up=asks_a_follow_up(rep_text))  # fmt: skip
        if analysis.heard:
            return self._line(self._variant("paraphrase"), CustomerEvent.ACKNOWLEDGED_PARAPHRASE, before)
        if analysis.question_type is QuestionType.OPEN:
            return self._line(self._variant("open_question"), CustomerEvent.OPEN_QUESTION, before,
                              why="an open question on nothing the customer has in mind")  # fmt: skip
        return self._line(self._variant("closed_question"), CustomerEvent.CLOSED_QUESTION, before)

    def _fact(self, match: Match, before: int) -> CustomerLine:
        fact = self.scenario.fact(match.id)
        again = fact.id in self.state.facts_told
        self.state.facts_told.add(fact.id)
        text = f"As I said, {fact.answer[0].lower()}{fact.answer[1:]}" if again else fact.answer
        return self._line(text, CustomerEvent.FACT_SHARED, before, fact_id=fact.id, match=match.to_json(),
                          why=f"asked about {fact.about}")  # fmt: skip

    def _deeper(self, need: Need, match: Match | None, analysis: TurnAnalysis, turn_index: int, before: int,
                *, follow_up: bool) -> CustomerLine:  # fmt: skip
        """One layer of a need: the problem first, then what the question aims at, one step at a time."""
        s = self.state
        progress = self._progress(need)
        s.last_topic = need.id
        evidence = match.to_json() if match else None
        nxt = progress.next_layer()
        if nxt is None:
            kind = "nothing_more" if follow_up else "repeat"
            return self._line(self._variant(kind), CustomerEvent.NOTHING_MORE if follow_up else CustomerEvent.REPEAT,
                              before, need_id=need.id, match=evidence, why=f"already told all about '{need.title}'")  # fmt: skip
        if nxt == "problem":
            if trust_rank(self.level) < trust_rank(need.min_trust):
                return self._line(need.guarded, CustomerEvent.GUARDED, before, need_id=need.id, layer="problem",
                                  match=evidence, why=f"not enough trust yet to share '{need.title}'")  # fmt: skip
            self._change_trust(TRUST_FOR_A_NEED_SHARED)
            progress.told.append("problem")
            progress.turn = turn_index
            return self._line(need.reveal, CustomerEvent.NEED_REVEALED, before, need_id=need.id, layer="problem",
                              match=evidence, why=f"asked about '{need.title}'")  # fmt: skip
        aimed = AIMS_AT.get(analysis.spin) if analysis.spin else None
        aimed = aimed or (match.layer if match else None)
        if not follow_up and (aimed is None or LAYERS.index(aimed) < LAYERS.index(nxt)):
            # Asked again about what they already told: no new layer without a question that goes deeper.
            return self._line(self._variant("repeat"), CustomerEvent.REPEAT, before, need_id=need.id, match=evidence,
                              why=f"already told the {progress.told[-1]} of '{need.title}'")  # fmt: skip
        layer = need.layer(nxt)
        assert layer is not None
        was_explicit = progress.explicit
        progress.told.append(nxt)
        if not was_explicit:
            self._change_trust(TRUST_FOR_AN_EXPLICIT_NEED)
        return self._line(layer.says, CustomerEvent.NEED_DEVELOPED, before, need_id=need.id, layer=nxt,
                          match=evidence, why=f"asked about the {nxt} of '{need.title}'")  # fmt: skip

    # --- ending ----------------------------------------------------------------------------
    def end_by_rep(self) -> CustomerLine:
        return self._end(self.scenario.closing["rep_ends"], EndReason.REP_ENDED, self.state.trust,
                         event=CustomerEvent.REP_ENDED)  # fmt: skip

    def _end(self, text: str, reason: EndReason, before: int, *, event: CustomerEvent, **details) -> CustomerLine:
        self.state.ended = True
        self.state.end_reason = reason
        return self._line(text, event, before, ended=True, end_reason=reason, **details)

    def snapshot(self) -> CallSnapshot:
        """State shown beside the call (trust level, needs uncovered) and stored at the end."""
        s = self.state
        return CallSnapshot(
            trust=s.trust,
            level=self.level,
            needs_uncovered=tuple(s.revealed),
            needs_total=len(self.scenario.needs),
            objections_raised=tuple(s.objections_raised),
            needs_explicit=tuple(s.explicit),
            open_objection=s.open_objection.id if s.open_objection else None,
            ended=s.ended,
            end_reason=s.end_reason,
            objective_met=s.objective_met,
            turns_left=max(0, self.scenario.patience - s.rep_turns),
        )


def _details(line: CustomerLine) -> dict:
    """A line's details, to say it again with something added."""
    return {"need_id": line.need_id, "objection_id": line.objection_id, "layer": line.layer,
            "fact_id": line.fact_id, "why": line.why, "match": line.match}  # fmt: skip
