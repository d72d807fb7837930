"""The Store's reps, scenarios, sessions, turns and the rep's own debrief and goal, and reading them back."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from analysis.types import Figure, FigureKey, TurnAnalysis
from simulator.domain.customer import CallSnapshot, CallTurn, CustomerLine, rep_display_name
from simulator.storage.connection import StoreBase
from simulator.storage.records import (
    REAL_CALL_SCENARIO,
    REAL_CALL_TITLE,
    Goal,
    NotInStore,
    SavedDebrief,
    SessionSummary,
    _new_id,
    now,
)

if TYPE_CHECKING:
    from analysis.coaching.debrief import Debrief
    from simulator.domain.scenario import Scenario


class SessionsMixin(StoreBase):
    """Reps and scenarios, sessions and turns, the rep's debrief and goal, and reading them."""

    # --- reps and scenarios --------------------------------------------------------------
    def rep_id(self, name: str) -> int:
        name = rep_display_name(name)
        if not name:
            raise ValueError("a rep name is needed")
        with self._write("save the rep"):
            row = next(self.db.table("reps").rows_where("name = ?", [name]), None)
            if row:
                return row["id"]
            return _new_id(self.db.table("reps").insert({"name": name, "created_at": now()}))

    def rep_names(self) -> list[str]:
        with self._guard("read reps"):
            return [
                r["name"]
                for r in self.db.query(
                    "select r.name from reps r left join sessions s on s.rep_id = r.id "
                    "group by r.id order by max(coalesce(s.started_at, r.created_at)) desc"
                )
            ]

    def _record_scenario(self, scenario: Scenario) -> None:
        stamp = now()
        existing = (
            self.db.table("scenarios").get(scenario.id)
            if self.db.table("scenarios").count_where("id = ?", [scenario.id])
            else None
        )
        self.db.table("scenarios").upsert(
            {
                "id": scenario.id,
                "title": scenario.title,
                "call_type": scenario.call_type,
                "difficulty": scenario.difficulty,
                "format": scenario.version,
                "content_hash": scenario.content_hash,
                "path": str(scenario.path or ""),
                "first_played_at": existing["first_played_at"] if existing else stamp,
                "last_played_at": stamp,
            },
            pk="id",
        )

    # --- sessions and turns --------------------------------------------------------------
    def start_session(
        self,
        rep_name: str,
        scenario: Scenario,
        *,
        input_mode: str = "typed",
        mode: str = "solo",
        group_id: str | None = None,
        customer_played_by: str | None = None,
        live_call_id: int | None = None,
    ) -> int:
        """A new session, in progress. A call with a person as the customer names them
        (`customer_played_by`) and is tied to the live call they joined, in the same write."""
        rep = self.rep_id(rep_name)
        with self._write("start the session"):
            self._record_scenario(scenario)
            session_id = _new_id(
                self.db.table("sessions").insert(
                    {
                        "rep_id": rep,
                        "scenario_id": scenario.id,
                        "scenario_hash": scenario.content_hash,
                        "mode": mode,
                        "group_id": group_id,
                        "input_mode": input_mode,
                        "status": "in_progress",
                        "customer_played_by": customer_played_by,
                        "started_at": now(),
                    }
                )
            )
            if live_call_id is not None:
                self.db.table("live_calls").update(live_call_id, {"session_id": session_id})
            # The goal the rep set last time is checked at this session.
            goal = self._open_goal(rep)
            if goal and goal.reviewed_session_id is None:
                self.db.table("goals").update(goal.id, {"reviewed_session_id": session_id})
        return session_id

    def add_turn(self, session_id: int, turn: CallTurn, *, started_at: str | None = None) -> int:
        row: dict[str, Any] = {
            "session_id": session_id,
            "idx": turn.index,
            "speaker": turn.speaker,
            "text": turn.text,
            "started_at": started_at or now(),
            "ended_at": now(),
            "input_mode": turn.input_mode if turn.speaker == "rep" else None,
            "audio_path": turn.audio_path,
            "start_seconds": turn.start_seconds,
            "end_seconds": turn.end_seconds,
        }
        if turn.analysis is not None:
            row.update(turn.analysis.label_values())
            row["analysis_json"] = json.dumps(turn.analysis.to_json())
        if turn.customer is not None:
            row["customer_event"] = str(turn.customer.event)
            row["customer_json"] = json.dumps(turn.customer.to_json())
            row["trust_after"] = turn.customer.trust_after
        with self._write("save the turn"):
            return _new_id(self.db.table("turns").insert(row))

    def add_real_call(
        self,
        rep_name: str,
        scenario: Scenario | None,
        turns: list[CallTurn],
        figures: dict[FigureKey, Figure],
        *,
        input_mode: str,
        customer_name: str = "",
        source: str = "",
        uid: str | None = None,
        debrief: Debrief | None = None,
    ) -> int:
        """A real call brought in for review (`spar import-call`), whole, in one write: the session
        (mode "real", no scripted customer, already ended), every turn, the figures and the
        debrief the figures give (no reflection yet, and no new goal: the rep's goal stays the one
        agreed after practice). Without a scenario it is filed under REAL_CALL_SCENARIO, so every
        list that names a scenario has one."""
        with self._write("import the call"):
            rep = self.rep_id(rep_name)
            if scenario is not None:
                self._record_scenario(scenario)
                scenario_id, scenario_hash = scenario.id, scenario.content_hash
            else:
                scenario_id, scenario_hash = REAL_CALL_SCENARIO, None
                if not self.db.table("scenarios").count_where("id = ?", [scenario_id]):
                    self.db.table("scenarios").insert(
                        {"id": scenario_id, "title": REAL_CALL_TITLE, "call_type": "real call", "path": ""}
                    )
            stamp = now()
            session_id = _new_id(
                self.db.table("sessions").insert(
                    {
                        "rep_id": rep,
                        "scenario_id": scenario_id,
                        "scenario_hash": scenario_hash,
                        "mode": "real",
                        "input_mode": input_mode,
                        "status": "ended",
                        "started_at": stamp,
                        "ended_at": stamp,
                        "needs_uncovered_json": "[]",
                        "metrics_json": json.dumps({str(k): f.to_json() for k, f in figures.items()}),
                        "customer_name": customer_name,
                        "source": source,
                    }
                    | ({"uid": uid} if uid else {})
                )
            )
            for turn in turns:
                self.add_turn(session_id, turn, started_at=stamp)
            if debrief is not None:
                self.db.table("debriefs").insert(
                    {
                        "session_id": session_id,
                        "what_happened": "",
                        "went_well": "",
                        "do_differently": "",
                        "next_step": "",
                        "focus_skill": debrief.focus.skill,
                        "strengths_json": json.dumps([s.to_json() for s in debrief.strengths]),
                        "debrief_json": json.dumps(debrief.to_json()),
                        "created_at": stamp,
                        "updated_at": stamp,
                    }
                )
        return session_id

    def end_session(self, session_id: int, snapshot: CallSnapshot, figures: dict[FigureKey, Figure]) -> None:
        with self._write("save the end of the call"):
            self.db.table("sessions").update(
                session_id,
                {
                    "status": "ended",
                    "ended_at": now(),
                    "end_reason": None if snapshot.end_reason is None else str(snapshot.end_reason),
                    "objective_met": int(snapshot.objective_met),
                    "final_trust": snapshot.trust,
                    "final_level": snapshot.level,
                    "needs_uncovered_json": json.dumps([n.to_json() for n in snapshot.needs_uncovered]),
                    "metrics_json": json.dumps({str(k): f.to_json() for k, f in figures.items()}),
                },
            )

    def save_debrief(self, session_id: int, answers: dict[str, str], debrief: Debrief) -> None:
        """Reflection answers, strengths, focus skill and next step: one write, plus the new goal."""
        stamp = now()
        focus = debrief.focus.skill
        next_step = (answers.get("next_step") or "").strip()
        with self._write("save the debrief"):
            session = self.db.table("sessions").get(session_id)
            existing = self.db.table("debriefs").count_where("session_id = ?", [session_id])
            self.db.table("debriefs").upsert(
                {
                    "session_id": session_id,
                    "what_happened": answers.get("what_happened", ""),
                    "went_well": answers.get("went_well", ""),
                    "do_differently": answers.get("do_differently", ""),
                    "next_step": next_step,
                    "focus_skill": focus,
                    "strengths_json": json.dumps([s.to_json() for s in debrief.strengths]),
                    "debrief_json": json.dumps(debrief.to_json()),
                    "created_at": self.db.table("debriefs").get(session_id)["created_at"] if existing else stamp,
                    "updated_at": stamp,
                },
                pk="session_id",
            )
            self.db.table("sessions").update(session_id, {"status": "debriefed"})
            row = next(self.db.table("goals").rows_where("session_id = ?", [session_id], order_by="id desc"), None)
            if row is None:
                self.db.table("goals").insert(
                    {
                        "rep_id": session["rep_id"],
                        "session_id": session_id,
                        "focus_skill": focus,
                        "next_step": next_step,
                        "created_at": stamp,
                    }
                )
            elif not Goal.from_row(row).agreed_with_coach:
                # Updated in place: the session that checks it, and when it was set, stay as they are.
                self.db.table("goals").update(row["id"], {"focus_skill": focus, "next_step": next_step})
            # A goal agreed with a coach changes only through the review (or `spar goal`): a rep's
            # screen saving again on the way out must not undo what the pair agreed.

    # --- reading -------------------------------------------------------------------------
    def _open_goal(self, rep_id: int) -> Goal | None:
        """The rep's most recent goal (focus skill and next step), to be checked this session."""
        row = next(
            self.db.table("goals").rows_where("rep_id = ?", [rep_id], order_by="created_at desc, id desc", limit=1),
            None,
        )
        return Goal.from_row(row) if row else None

    def latest_goal(self, rep_name: str) -> Goal | None:
        with self._guard("read goals"):
            rep = next(self.db.table("reps").rows_where("name = ?", [rep_display_name(rep_name)]), None)
            return self._open_goal(rep["id"]) if rep else None

    def session(self, session_id: int) -> SessionSummary:
        found = self._summaries("where s.id = ?", [session_id], 1)
        if not found:
            raise NotInStore(f"{self.path}: no session {session_id}; `spar history` lists them")
        return found[0]

    def turns(self, session_id: int) -> list[CallTurn]:
        with self._guard("read the turns"):
            rows = list(self.db.table("turns").rows_where("session_id = ?", [session_id], order_by="idx"))
        return [
            CallTurn(
                index=r["idx"],
                speaker=r["speaker"],
                text=r["text"],
                analysis=TurnAnalysis.from_json(json.loads(r["analysis_json"])) if r["analysis_json"] else None,
                customer=CustomerLine.from_json(json.loads(r["customer_json"])) if r["customer_json"] else None,
                audio_path=r["audio_path"],
                input_mode=r["input_mode"],
                started_at=r["started_at"],
                start_seconds=r.get("start_seconds"),
                end_seconds=r.get("end_seconds"),
            )
            for r in rows
        ]

    def debrief(self, session_id: int) -> SavedDebrief | None:
        with self._guard("read the debrief"):
            if not self.db.table("debriefs").count_where("session_id = ?", [session_id]):
                return None
            row = self.db.table("debriefs").get(session_id)
        from analysis.coaching.debrief import Debrief

        shown = None
        if row.get("debrief_json"):
            try:
                shown = Debrief.from_json(json.loads(row["debrief_json"]))
            except (ValueError, TypeError, AttributeError):
                shown = None  # a damaged copy: the answers above still show
        return SavedDebrief(
            row["what_happened"] or "",
            row["went_well"] or "",
            row["do_differently"] or "",
            row["next_step"] or "",
            row["focus_skill"],
            shown,
        )

    def figures(self, session_id: int) -> list[Figure]:
        """The figures stored when the call ended (none for an unfinished call)."""
        with self._guard("read the figures"):
            row = self.db.table("sessions").get(session_id)
        try:
            stored = json.loads(row.get("metrics_json") or "{}")
        except ValueError:
            return []
        figures = []
        for item in stored.values() if isinstance(stored, dict) else []:
            try:
                figures.append(Figure.from_json(item))
            except (KeyError, ValueError, TypeError):
                continue
        return figures

    def sessions(self, rep_name: str | None = None, limit: int = 50) -> list[SessionSummary]:
        if rep_name:
            return self._summaries("where r.name = ?", [rep_display_name(rep_name)], limit)
        return self._summaries("", [], limit)

    def _summaries(self, where: str, params: list[Any], limit: int) -> list[SessionSummary]:
        with self._guard("read the history"):
            rows = self.db.query(
                "select s.id, s.started_at, s.ended_at, s.status, s.end_reason, s.objective_met, s.final_level, "
                "s.input_mode, r.name as rep_name, s.scenario_id, sc.title as scenario_title, "
                "d.focus_skill, d.next_step, s.customer_played_by, "
                "(select count(*) from turns t where t.session_id = s.id) as turn_count, "
                "(select count(*) from turns t where t.session_id = s.id and t.input_mode = 'spoken') as spoken_turns "
                f"from sessions s join reps r on r.id = s.rep_id left join scenarios sc on sc.id = s.scenario_id "
                f"left join debriefs d on d.session_id = s.id {where} order by s.started_at desc, s.id desc limit ?",
                params + [limit],
            )
            return [SessionSummary(**row) for row in rows]

    def _has_session(self, session_id: int) -> bool:
        return bool(self.db.table("sessions").count_where("id = ?", [session_id]))
