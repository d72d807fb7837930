"""One practice call from first line to saved debrief, shared by the app and `spar practice`.

`PracticeCall` owns the engine, the transcript and the store writes; it never analyses text
itself (the caller passes the analysis in), so the app can run spaCy in a worker thread and
hand the result to the main thread, which alone writes to the database.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from analysis.coaching.debrief import Debrief, build_debrief
from analysis.coaching.figures import call_metrics
from simulator.domain.scripted import END_REASONS, CallEngine, CustomerLine
from simulator.domain.scenario import Scenario
from simulator.storage import Store
from simulator.storage.store import now


class PracticeCall:
    def __init__(self, store: Store, scenario: Scenario, rep_name: str, *, input_mode: str = "typed"):
        self.store = store
        self.scenario = scenario
        self.rep_name = " ".join(rep_name.split())
        self.input_mode = input_mode
        self.engine = CallEngine(scenario, self.rep_name)
        self.turns: list[dict[str, Any]] = []
        self.session_id: int | None = None
        # The goal agreed at the rep's previous debrief; this call checks it.
        self.goal = store.latest_goal(self.rep_name)

    @property
    def ended(self) -> bool:
        return self.engine.state.ended

    @property
    def last_customer_text(self) -> str:
        return next((t["text"] for t in reversed(self.turns) if t["speaker"] == "customer"), "")

    @property
    def product_terms(self) -> tuple[str, ...]:
        return (self.scenario.product,) if self.scenario.product else ()

    def start(self) -> CustomerLine:
        self.session_id = self.store.start_session(self.rep_name, self.scenario, input_mode=self.input_mode)
        line = self.engine.opening()
        self._record("customer", line.text, customer=line.to_dict())
        return line

    def rep_turn(self, text: str, analysis: dict[str, Any], *, started_at: str | None = None,
                 audio_path: str | None = None) -> CustomerLine:
        """Save the rep's turn, then the customer's answer; each is its own transaction."""
        index = len(self.turns)
        spoken = audio_path is not None or "speech" in analysis
        self._record("rep", text, analysis=analysis, started_at=started_at, audio_path=audio_path,
                     input_mode="spoken" if spoken else self.input_mode)
        line = self.engine.respond(text, analysis, index)
        self._record("customer", line.text, customer=line.to_dict())
        if line.ended:
            self._finish()
        return line

    def end_by_rep(self) -> CustomerLine:
        line = self.engine.end_by_rep()
        self._record("customer", line.text, customer=line.to_dict())
        self._finish()
        return line

    def _record(self, speaker: str, text: str, **fields: Any) -> None:
        assert self.session_id is not None, "start() the call first"
        index = len(self.turns)
        if speaker == "rep":
            fields.setdefault("input_mode", self.input_mode)
        self.store.add_turn(self.session_id, index, speaker, text, **fields)
        self.turns.append({"index": index, "speaker": speaker, "text": text, "analysis": fields.get("analysis"),
                           "customer": fields.get("customer")})

    def metrics(self) -> dict[str, Any]:
        snap = self.engine.snapshot()
        return call_metrics(self.turns, needs_total=snap["needs_total"], needs_uncovered=snap["needs_uncovered"],
                            discovery_before_pitch=self.scenario.discovery_before_pitch)

    def _finish(self) -> None:
        assert self.session_id is not None
        figures = self.metrics()
        self.store.end_session(self.session_id, self.engine.snapshot(),
                               {k: f.to_dict() for k, f in figures.items()})

    def debrief(self) -> Debrief:
        snap = self.engine.snapshot()
        return build_debrief(
            self.metrics(),
            discovery_before_pitch=self.scenario.discovery_before_pitch,
            previous_focus=(self.goal or {}).get("focus_skill"),
            outcome={"end_reason": snap["end_reason"], "end_reason_text": END_REASONS.get(snap["end_reason"] or "", ""),
                     "objective": self.scenario.objective.description, "objective_met": snap["objective_met"],
                     "trust_level": snap["level"], "needs_total": snap["needs_total"],
                     "previous_next_step": (self.goal or {}).get("next_step") or ""},
        )

    def save_debrief(self, answers: dict[str, str], debrief: Debrief | None = None) -> Debrief:
        assert self.session_id is not None
        debrief = debrief or self.debrief()
        self.store.save_debrief(self.session_id, answers, debrief.to_dict())
        return debrief


@dataclass
class ScriptResult:
    call: PracticeCall
    unused_replies: int


def play_script(
    call: PracticeCall,
    replies: Iterable[str],
    analyze: Callable[[str, str, tuple[str, ...]], dict[str, Any]],
    on_line: Callable[[str, str], None] | None = None,
    hear: Callable[[str], tuple[str, dict[str, Any] | None, str | None]] | None = None,
) -> ScriptResult:
    """Play a call from prepared replies; `analyze(text, previous_customer_text, product_terms)`.

    `hear(line)` turns a line into (text, speech timings or None, audio path or None): it is how
    spoken replies are transcribed. Blank lines are skipped. When the replies run out before the
    call ends, the rep ends it.
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
        text, speech, audio_path = hear(reply) if hear else (reply, None, None)
        analysis = analyze(text, call.last_customer_text, call.product_terms)
        if speech is not None:
            analysis["speech"] = speech
        if on_line:
            on_line("rep", text)
        line = call.rep_turn(text, analysis, started_at=started, audio_path=audio_path)
        if on_line:
            on_line("customer", line.text)
    if not call.ended:
        line = call.end_by_rep()
        if on_line:
            on_line("customer", line.text)
    return ScriptResult(call, unused)
