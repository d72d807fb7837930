"""A stored call as a coach reviews it: turns with the analyzer's and the coach's labels, notes,
missed chances, and the figures recomputed with the corrections. The review screen, `spar export`
and the benchmark read a call through here, so they all show the same corrected figures."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from analysis.coaching.figures import NeedUncovered, call_metrics
from analysis.coaching.goals import MeasureCheck, PairDebrief, check_measure
from analysis.coaching.observers import Criterion, ObserverScoring
from analysis.coaching.progress import Gap, progress
from analysis.coaching.report import Report, ReportGoal, ReportReaction, ReportTurn
from analysis.coaching.retry import Retry, RetryReaction, answer_words
from analysis.coaching.review import Correction, Note, corrected, latest_corrections, missed_chances
from analysis.types import Figure, FigureKey, TurnAnalysis
from simulator.domain.customer import CallTurn, CustomerEvent
from simulator.domain.real_call import without_customer_figures
from simulator.storage.store import Goal, SavedDebrief, SessionSummary, Store

# Customer lines that tell the rep a need or problem: a rep who hears one should ask about it.
REVEALING = (CustomerEvent.NEED_REVEALED, CustomerEvent.NEED_DEVELOPED)

# What to jump to in a review, and how a turn qualifies.
JUMPS = ("question", "paraphrase", "pitch", "missed")


@dataclass
class ReviewTurn:
    """One turn: as said, as the analyzer labelled it, and as labelled once the coach's corrections apply."""

    turn: CallTurn
    corrected: TurnAnalysis | None
    corrections: dict[str, Correction] = field(default_factory=dict)
    notes: list[Note] = field(default_factory=list)
    missed_chance: bool = False
    retries: list[Retry] = field(default_factory=list)  # new attempts at this rep turn, oldest first

    @property
    def index(self) -> int:
        return self.turn.index

    def shows(self, jump: str) -> bool:
        a = self.corrected
        if jump == "missed":
            return self.missed_chance
        if a is None:
            return False
        return {"question": a.is_question, "paraphrase": a.is_paraphrase, "pitch": a.is_pitch}[jump]


@dataclass
class CallReview:
    session: SessionSummary
    turns: list[ReviewTurn]
    notes: list[Note]
    corrections: list[Correction]
    figures: dict[FigureKey, Figure]  # with the coach's corrections
    analyzer_figures: dict[FigureKey, Figure]  # from the analyzer's labels alone
    debrief: dict[str, Any] | None  # the debrief as the rep saw it
    answers: SavedDebrief | None
    goal: Goal | None
    pair: PairDebrief | None = None  # the pair's debrief, once the rep and a coach have held it
    mode: str = "solo"  # "real" for a recorded call brought in with `spar import-call`
    customer_name: str = ""  # a real call's customer, when named

    @property
    def real_call(self) -> bool:
        return self.mode == "real"

    retries: list[Retry] = field(default_factory=list)
    # Observers' rubric scores (team roleplay), and the rubric lines they scored, as worded then.
    scorings: list[ObserverScoring] = field(default_factory=list)
    rubric: tuple[Criterion, ...] = ()

    def next_turn(self, jump: str, after: int) -> int | None:
        """The position of the next turn after position AFTER that shows JUMP, wrapping around."""
        count = len(self.turns)
        for step in range(1, count + 1):
            position = (after + step) % count
            if self.turns[position].shows(jump):
                return position
        return None

    def original_answer(self, turn: ReviewTurn) -> str:
        """A rep turn as said in the call, in the words the retries are set beside: its labels (with
        the coach's corrections) and how the customer answered it."""
        following = next((t for t in self.turns if t.index == turn.index + 1), None)
        line = following.turn.customer if following is not None else None
        return answer_words(turn.corrected, RetryReaction.from_json(line.to_json()) if line else None)

    @property
    def missed(self) -> list[int]:
        return [t.index for t in self.turns if t.missed_chance]

    @property
    def goal_check(self) -> MeasureCheck | None:
        """The rep's last goal as this call checked it, redone on the figures with the coach's
        corrections: a coach who finds a needs question the analyzer missed moves the number."""
        stored = (self.debrief or {}).get("goal_check")
        check = MeasureCheck.from_json(stored) if stored else None
        if check is None or not self.corrections:
            return check
        return check_measure(
            check.measure,
            self.figures,
            objective_met=bool(self.session.objective_met),
            text=check.text,
            due_date=check.due_date,
        )

    def debrief_with_checked_goal(self) -> dict[str, Any] | None:
        """The stored debrief, its goal check redone with the corrections; the number the rep saw
        at the end of the call is kept beside it when the corrections changed it."""
        check = self.goal_check
        if self.debrief is None or check is None or not self.debrief.get("goal_check"):
            return self.debrief
        seen = self.debrief["goal_check"].get("value")
        redone = check.to_json()
        if seen != redone["value"]:
            redone |= {"value_before_corrections": seen, "line": f"{redone['line']} {_as_seen(check, seen)}"}
        return self.debrief | {"goal_check": redone}


def _as_seen(check: MeasureCheck, seen: float | None) -> str:
    """What the debrief said before the coach's corrections: "(Before the coach's corrections: 3.)" """
    shown = "no number" if seen is None else check.measure.show(float(seen))
    return f"(Before the coach's corrections: {shown}.)"


def load_review(store: Store, session_id: int) -> CallReview:
    session = store.session(session_id)
    turns = store.turns(session_id)
    facts = store.call_facts(session_id)
    notes = store.notes(session_id)
    corrections = store.corrections(session_id)
    retries = store.retries(session_id)
    latest = latest_corrections(corrections)
    reviewed: list[ReviewTurn] = []
    for turn in turns:
        own = latest.get(turn.index, {})
        fixed = corrected(turn.analysis, own) if turn.analysis is not None else None
        reviewed.append(
            ReviewTurn(
                turn,
                fixed,
                own,
                [n for n in notes if n.turn == turn.index],
                retries=[r for r in retries if r.turn == turn.index],
            )
        )
    as_corrected = [_with_analysis(t.turn, t.corrected) for t in reviewed]
    revealing = [t.index for t in turns if t.customer is not None and t.customer.event in REVEALING]
    for index in missed_chances(as_corrected, revealing):
        reviewed[index].missed_chance = True
    needs = [NeedUncovered(n.id, n.title, n.turn) for n in facts.needs_uncovered]

    def figures(of: list[CallTurn]) -> dict[FigureKey, Figure]:
        found = call_metrics(
            of,
            needs_total=facts.needs_total,
            needs_uncovered=needs,
            discovery_before_pitch=facts.discovery_before_pitch,
        )
        # A real call has no scripted customer whose reactions these figures count.
        return without_customer_figures(found) if facts.mode == "real" else found

    return CallReview(
        session=session,
        turns=reviewed,
        notes=notes,
        corrections=corrections,
        figures=figures(as_corrected),
        analyzer_figures=figures(turns),
        debrief=facts.debrief,
        answers=store.debrief(session_id),
        goal=store.session_goal(session_id),
        pair=store.pair_debrief(session_id),
        mode=facts.mode,
        customer_name=facts.customer_name,
        retries=retries,
        scorings=store.observer_scorings([session_id])[session_id],
        rubric=tuple(Criterion(c, t) for c, t in store.scored_titles([session_id]).items()),
    )


# The figures `progress.measures` reads; the coach's corrections move them.
MEASURED_FIGURES = (
    FigureKey.QUESTIONS,
    FigureKey.OPEN_QUESTIONS,
    FigureKey.NEEDS_QUESTIONS,
    FigureKey.ASK_BEFORE_ADVOCATE,
    FigureKey.PARAPHRASES,
    FigureKey.TALK_SHARE,
    FigureKey.NEEDS_UNCOVERED,
)


def gap_analysis(store: Store, review: CallReview) -> list[Gap]:
    """Per skill, where the rep stood on its measure at their first call, where they stand on this
    one (with the coach's corrections), and the aim: the gaps a pair's debrief talks about.
    Calls after this one are left out: the gap is the one the pair had in front of them."""
    session = review.session
    sessions = [
        s
        for s in store.stored_sessions(rep_name=session.rep_name)
        if (s.started_at, s.id) <= (session.started_at, session.id)
    ]
    corrected = {str(k): review.figures[k].to_json() for k in MEASURED_FIGURES if k in review.figures}
    sessions = [replace(s, figures=s.figures | corrected) if s.id == session.id else s for s in sessions]
    return progress(session.rep_name, sessions, []).gaps


def _with_analysis(turn: CallTurn, analysis: TurnAnalysis | None) -> CallTurn:
    return CallTurn(
        turn.index, turn.speaker, turn.text, analysis, turn.customer, turn.audio_path, turn.input_mode, turn.started_at
    )


def build_report(review: CallReview, customer_name: str = "Customer") -> Report:
    """The review as a report to keep: what `spar export --format md|html` writes."""
    s = review.session
    turns = []
    for t in review.turns:
        c = t.turn.customer
        reaction = None
        if c is not None:
            reaction = ReportReaction(
                event=str(c.event).replace("_", " "),
                why=c.why,
                trust_before=c.trust_before,
                trust_after=c.trust_after,
                level=c.level,
                buying_signal=c.buying_signal,
            )
        turns.append(
            ReportTurn(
                index=t.index,
                speaker=t.turn.speaker,
                name=s.rep_name if t.turn.speaker == "rep" else (review.customer_name or customer_name),
                text=t.turn.text,
                analysis=t.turn.analysis,
                corrected=t.corrected,
                corrections=tuple(t.corrections.values()),
                notes=tuple(t.notes),
                reaction=reaction,
                missed_chance=t.missed_chance,
                retries=tuple(t.retries),
                original_answer=review.original_answer(t) if t.retries else "",
            )
        )
    answers = review.answers
    goal = review.goal
    return Report(
        session_id=s.id,
        rep=s.rep_name,
        scenario=s.scenario_title or s.scenario_id,
        started_at=s.started_at,
        result=s.result,
        turns=tuple(turns),
        figures=list(review.figures.values()),
        analyzer_figures=review.analyzer_figures,
        reflection=(
            ()
            if answers is None
            else (
                ("What happened", answers.what_happened),
                ("What went well", answers.went_well),
                ("What to do differently", answers.do_differently),
            )
        ),
        debrief=review.debrief_with_checked_goal(),
        goal=(
            None
            if goal is None
            else ReportGoal(
                goal.focus_skill or "",
                goal.next_step,
                goal.measure_text,
                goal.due_date,
                goal.agreed_by,
                checkable=goal.checkable is not None,
            )
        ),
        pair=review.pair,
        rubric=review.rubric,
        scorings=tuple(review.scorings),
    )


def export_json(store: Store, session_id: int) -> dict[str, Any]:
    """The JSON export: everything stored (which `spar import` restores) and, under "review", what
    the review shows from it (corrected figures, the analyzer's figures, labels, missed chances)."""
    data = store.export_session(session_id)
    review = load_review(store, session_id)
    data["review"] = {
        "figures": {str(k): f.to_json() for k, f in review.figures.items()},
        "analyzer_figures": {str(k): f.to_json() for k, f in review.analyzer_figures.items()},
        "missed_chances": review.missed,
        # The last goal as this call checked it, with the corrections (null when there was none).
        "goal_check": (review.debrief_with_checked_goal() or {}).get("goal_check"),
        "turns": [
            {
                "turn": t.index,
                "labels": t.corrected.label_values() if t.corrected else None,
                "analyzer_labels": t.turn.analysis.label_values() if t.turn.analysis else None,
                "corrected_by": {label: c.author for label, c in t.corrections.items()},
            }
            for t in review.turns
        ],
    }
    return data
