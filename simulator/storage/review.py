"""The Store's side of a coach's review: notes and corrections on turns, retries of a turn, the goal a
coach agrees with the rep, and the pair's debrief.
"""

from __future__ import annotations

import json
from typing import Any

from analysis.coaching.goals import GoalMeasure, PairAnswer, PairDebrief, answers_from_json, gap_from_json
from analysis.coaching.retry import Retry, RetryError, RetryReaction
from analysis.coaching.review import Correction, LabelValue, Note, NoteKind
from analysis.types import FigureKey, TurnAnalysis
from simulator.domain.customer import CallTurn, CustomerLine, RevealedNeed
from simulator.storage.records import CallFacts, Goal, NotInStore, PlayedScenario, _new_id, now
from simulator.storage.sessions import SessionsMixin


class ReviewMixin(SessionsMixin):
    """Notes, corrections, retries, goals agreed with a coach, and the pair's debrief."""

    # --- coach review: notes, corrections, goals (issue #18) ------------------------------
    def _require_turn(self, session_id: int, turn: int) -> dict[str, Any]:
        if not self.db.table("sessions").count_where("id = ?", [session_id]):
            raise NotInStore(f"{self.path}: no session {session_id}; `spar history` lists them")
        row = next(self.db.table("turns").rows_where("session_id = ? and idx = ?", [session_id, turn]), None)
        if row is None:
            count = self.db.table("turns").count_where("session_id = ?", [session_id])
            raise NotInStore(f"session {session_id} has no turn {turn + 1}; its turns are 1 to {count}")
        return row

    def add_note(self, session_id: int, turn: int, kind: NoteKind | str, text: str, author: str = "") -> Note:
        """A note on one turn (0-based), strategic or tactical: one write."""
        note = Note(turn, NoteKind(kind), text.strip(), " ".join(author.split()), now())
        if not note.text:
            raise ValueError("a note needs some text")
        with self._write("save the note"):
            self._require_turn(session_id, turn)
            self.db.table("notes").insert({"session_id": session_id, "turn_idx": turn} | _note_row(note))
        return note

    def add_correction(self, session_id: int, turn: int, label: str, value: LabelValue, author: str = "") -> Correction:
        """A coach's value for one label of one rep turn (0-based): one write; the latest per label wins."""
        correction = Correction.from_json(
            {"turn": turn, "label": label, "value": value, "author": " ".join(author.split()), "created_at": now()}
        )
        with self._write("save the correction"):
            row = self._require_turn(session_id, turn)
            if row["speaker"] != "rep" or not row["analysis_json"]:
                raise NotInStore(
                    f"turn {turn + 1} of session {session_id} is the customer's; only your turns have labels"
                )
            self.db.table("corrections").insert(
                {"session_id": session_id, "turn_idx": turn} | _correction_row(correction)
            )
        return correction

    def rep_turn(self, session_id: int, turn: int) -> CallTurn:
        """One rep turn (0-based) of a session; NotInStore for a missing session or turn, or the customer's."""
        with self._guard("read the turn"):
            row = self._require_turn(session_id, turn)
        if row["speaker"] != "rep" or not row["analysis_json"]:
            raise NotInStore(
                f"turn {turn + 1} of session {session_id} is the customer's; pick one of your turns to try again"
            )
        return CallTurn(
            row["idx"], row["speaker"], row["text"], TurnAnalysis.from_json(json.loads(row["analysis_json"])),
            None, row["audio_path"], row["input_mode"], row["started_at"],
        )  # fmt: skip

    def played_scenario(self, session_id: int) -> PlayedScenario:
        with self._guard("read the session"):
            row = next(
                self.db.query(
                    "select s.scenario_id, s.scenario_hash, s.customer_played_by, sc.path, sc.title "
                    "from sessions s left join scenarios sc on sc.id = s.scenario_id where s.id = ?",
                    [session_id],
                ),
                None,
            )
        if row is None:
            raise NotInStore(f"{self.path}: no session {session_id}; `spar history` lists them")
        return PlayedScenario(
            row["scenario_id"],
            row["scenario_hash"] or "",
            row["path"] or "",  # where the file was when last played here; its hash tells if it is the call's
            row["title"] or row["scenario_id"],
            row["customer_played_by"],
        )

    def add_retry(
        self,
        session_id: int,
        turn: int,
        text: str,
        analysis: TurnAnalysis,
        reaction: CustomerLine,
        *,
        assisted: bool,
        how: str = "",
        author: str = "",
        input_mode: str = "typed",
        audio_path: str | None = None,
    ) -> Retry:
        """A new attempt at one rep turn (0-based), kept beside the original: one write. AUDIO_PATH:
        the recording of a spoken retry, already written (the caller removes it if this fails)."""
        text = text.strip()
        if not text:
            raise RetryError("a retry needs some words")
        row: dict[str, Any] = {
            "session_id": session_id,
            "turn_idx": turn,
            "text": text,
            "input_mode": input_mode,
            **analysis.label_values(),
            "analysis_json": json.dumps(analysis.to_json()),
            "customer_event": str(reaction.event),
            "customer_json": json.dumps(reaction.to_json()),
            "assisted": int(assisted),
            "how": " ".join(how.split()),
            "author": " ".join(author.split()),
            "created_at": now(),
            "audio_path": audio_path,
        }
        with self._write("save the retry"):
            found = self._require_turn(session_id, turn)
            if found["speaker"] != "rep" or not found["analysis_json"]:
                raise NotInStore(
                    f"turn {turn + 1} of session {session_id} is the customer's; only your turns can be tried again"
                )
            retry_id = _new_id(self.db.table("retries").insert(row))
        return _retry(row | {"id": retry_id})

    def retries(self, session_id: int) -> list[Retry]:
        """The session's retries, oldest first."""
        return self.retries_of([session_id]).get(session_id, [])

    def retries_of(self, session_ids: list[int]) -> dict[int, list[Retry]]:
        """The retries of each of these sessions (those with none are left out), oldest first."""
        found: dict[int, list[Retry]] = {}
        if not session_ids:
            return found
        rows: list[dict[str, Any]] = []
        with self._guard("read the retries"):
            for start in range(0, len(session_ids), 500):  # SQLite caps the parameters of one query
                chunk = list(session_ids[start : start + 500])
                marks = ", ".join("?" for _ in chunk)
                rows += self.db.query(f"select * from retries where session_id in ({marks})", chunk)
        rows.sort(key=lambda r: (r["created_at"], r["id"]))
        for row in rows:
            found.setdefault(row["session_id"], []).append(_retry(row))
        return found

    def notes(self, session_id: int) -> list[Note]:
        with self._guard("read the notes"):
            rows = self.db.table("notes").rows_where("session_id = ?", [session_id], order_by="created_at, id")
            return [Note.from_json(_row_json(r)) for r in rows]

    def corrections(self, session_id: int | None = None) -> list[Correction]:
        """Oldest first, so the last one per turn and label is the one that wins."""
        with self._guard("read the corrections"):
            where, params = ("session_id = ?", [session_id]) if session_id is not None else (None, [])
            rows = self.db.table("corrections").rows_where(where, params, order_by="created_at, id")
            return [Correction.from_json(_row_json(r)) for r in rows]

    def corrected_turns(self) -> list[tuple[int, TurnAnalysis, list[Correction]]]:
        """Every rep turn a coach corrected: its session, the analyzer's analysis, its corrections."""
        with self._guard("read the corrections"):
            rows = list(
                self.db.query(
                    "select c.*, t.analysis_json from corrections c join turns t "
                    "on t.session_id = c.session_id and t.idx = c.turn_idx order by c.created_at, c.id"
                )
            )
        found: dict[tuple[int, int], tuple[TurnAnalysis, list[Correction]]] = {}
        for row in rows:
            key = (row["session_id"], row["turn_idx"])
            if key not in found:
                found[key] = (TurnAnalysis.from_json(json.loads(row["analysis_json"])), [])
            found[key][1].append(Correction.from_json(_row_json(row)))
        return [(session, analysis, corrections) for (session, _), (analysis, corrections) in found.items()]

    def call_facts(self, session_id: int) -> CallFacts:
        with self._guard("read the session"):
            if not self.db.table("sessions").count_where("id = ?", [session_id]):
                raise NotInStore(f"{self.path}: no session {session_id}; `spar history` lists them")
            row = self.db.table("sessions").get(session_id)
            debrief = next(self.db.table("debriefs").rows_where("session_id = ?", [session_id]), None)
        metrics = json.loads(row["metrics_json"]) if row["metrics_json"] else {}
        needs = json.loads(row["needs_uncovered_json"]) if row["needs_uncovered_json"] else []
        total = (metrics.get(str(FigureKey.NEEDS_UNCOVERED)) or {}).get("detail", {}).get("total", len(needs))
        required = (metrics.get(str(FigureKey.ASK_BEFORE_ADVOCATE)) or {}).get("detail", {}).get("required", 2)
        return CallFacts(
            needs_total=int(total),
            needs_uncovered=tuple(RevealedNeed(n["id"], n["title"], int(n["turn"])) for n in needs),
            discovery_before_pitch=int(required),
            debrief=json.loads(debrief["debrief_json"]) if debrief and debrief["debrief_json"] else None,
            mode=row["mode"] or "solo",
            customer_name=row.get("customer_name") or "",
            customer_played_by=row.get("customer_played_by") or "",
        )

    def session_goal(self, session_id: int) -> Goal | None:
        """The goal agreed at this session's debrief, if any."""
        with self._guard("read goals"):
            row = next(self.db.table("goals").rows_where("session_id = ?", [session_id], order_by="id desc"), None)
        return Goal.from_row(row) if row else None

    def agree_goal(
        self,
        session_id: int,
        *,
        measure: str,
        due_date: str,
        next_step: str | None = None,
        focus_skill: str | None = None,
        agreed_by: str = "",
        checkable: GoalMeasure | None = None,
    ) -> Goal:
        """The goal of this session's debrief, given a measure and a date (and, if given, a new next
        step or focus): one write. A session not yet debriefed gets its goal here.

        CHECKABLE is the measure as a figure, comparison and number; MEASURE, when empty, is then
        its words. Without CHECKABLE the measure is words only and any earlier checkable one goes."""
        measure = measure.strip() or (checkable.text() if checkable else "")
        with self._write("save the goal"):
            session = self.db.table("sessions").get(session_id) if self._has_session(session_id) else None
            if session is None:
                raise NotInStore(f"{self.path}: no session {session_id}; `spar history` lists them")
            row = next(self.db.table("goals").rows_where("session_id = ?", [session_id], order_by="id desc"), None)
            changes: dict[str, Any] = {
                "measure": measure,
                "due_date": due_date.strip(),
                "agreed_by": agreed_by,
                "measure_key": checkable.key if checkable else None,
                "measure_comparison": str(checkable.comparison) if checkable else None,
                "measure_target": checkable.target if checkable else None,
            }
            if next_step is not None:
                changes["next_step"] = next_step.strip()
            if focus_skill is not None:
                changes["focus_skill"] = focus_skill
            if row is None:
                table = self.db.table("goals")
                goal_id = _new_id(
                    table.insert({"rep_id": session["rep_id"], "session_id": session_id, "created_at": now()} | changes)
                )
            else:
                goal_id = row["id"]
                self.db.table("goals").update(goal_id, changes)
            return Goal.from_row(self.db.table("goals").get(goal_id))

    def save_pair_debrief(
        self,
        session_id: int,
        pair: PairDebrief,
        *,
        focus_skill: str,
        next_step: str,
        measure: str,
        due_date: str,
        checkable: GoalMeasure | None = None,
    ) -> Goal:
        """The pair's debrief of a call and the goal it agreed (focus skill, measure, next step,
        date): one write, so a goal never stands without the talk that set it, nor the talk
        without its goal. Saving again replaces both."""
        stamp = now()
        with self._write("save the pair's debrief"):
            goal = self.agree_goal(
                session_id,
                measure=measure,
                due_date=due_date,
                next_step=next_step,
                focus_skill=focus_skill,
                agreed_by=pair.coach,
                checkable=checkable,
            )
            existing = next(self.db.table("pair_debriefs").rows_where("session_id = ?", [session_id]), None)
            self.db.table("pair_debriefs").upsert(
                {
                    "session_id": session_id,
                    "coach": pair.coach,
                    "answers_json": json.dumps([a.to_json() for a in pair.answers]),
                    "gaps_json": json.dumps([g.to_json() for g in pair.gaps]),
                    "created_at": existing["created_at"] if existing else stamp,
                    "updated_at": stamp,
                },
                pk="session_id",
            )
        return goal

    def pair_debrief(self, session_id: int) -> PairDebrief | None:
        """The pair's debrief of this call, if the rep and a coach have held one."""
        with self._guard("read the pair's debrief"):
            row = next(self.db.table("pair_debriefs").rows_where("session_id = ?", [session_id]), None)
        if row is None:
            return None
        try:
            answers: tuple[PairAnswer, ...] = answers_from_json(json.loads(row["answers_json"] or "[]"))
            gaps = tuple(g for g in (gap_from_json(d) for d in json.loads(row["gaps_json"] or "[]")) if g)
        except (ValueError, TypeError, AttributeError):
            answers, gaps = (), ()  # a damaged copy: the goal itself is in the goals table
        return PairDebrief(answers, gaps, row["coach"] or "", row["updated_at"] or "")


def _retry(row: dict[str, Any]) -> Retry:
    analysis = row["analysis_json"]
    reaction = row["customer_json"]
    return Retry(
        id=row["id"],
        turn=row["turn_idx"],
        text=row["text"],
        analysis=TurnAnalysis.from_json(json.loads(analysis) if isinstance(analysis, str) else analysis),
        reaction=RetryReaction.from_json(json.loads(reaction) if isinstance(reaction, str) else reaction),
        assisted=bool(row["assisted"]),
        how=row["how"] or "",
        author=row["author"] or "",
        created_at=row["created_at"],
        audio_path=row.get("audio_path") or "",
    )


def _note_row(note: Note) -> dict[str, Any]:
    return {"kind": str(note.kind), "text": note.text, "author": note.author, "created_at": note.created_at}


def _correction_row(correction: Correction) -> dict[str, Any]:
    return {
        "label": correction.label,
        "value_json": json.dumps(correction.value),
        "author": correction.author,
        "created_at": correction.created_at,
    }


def _row_json(row: dict[str, Any]) -> dict[str, Any]:
    """A notes or corrections row as its record's JSON."""
    out = {"turn": row["turn_idx"], "author": row["author"], "created_at": row["created_at"]}
    if "value_json" in row:
        return out | {"label": row["label"], "value": json.loads(row["value_json"])}
    return out | {"kind": row["kind"], "text": row["text"]}
