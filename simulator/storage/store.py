"""The Store: every read and write of Sparring's SQLite database.

One logical write is one transaction (`db.atomic()`): a turn is on disk the moment it is said,
so a crash or a killed process mid-call keeps every earlier turn. A connection belongs to the
thread that opened it; the app writes from its main thread only.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import sqlite_utils

from simulator.storage.migrations import migrations

ANALYSIS_COLUMNS = ("is_question", "question_type", "is_needs_question", "spin", "is_paraphrase", "is_pitch")


class StoreError(Exception):
    """A database problem, worded for the user: which file, what happened, what to do."""


def session_result(row: dict[str, Any]) -> str:
    """How a session ended, in a few words, for lists."""
    if row["status"] == "in_progress":
        return "unfinished"
    if row["objective_met"]:
        return "objective met"
    return {"customer_ended": "customer ended", "rep_ended": "you ended"}.get(row["end_reason"] or "", row["status"])


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


class Store:
    def __init__(self, path: Path | str, *, timeout: float = 5.0):
        self.path = Path(path)
        with self._guard("open"):
            if str(self.path) != ":memory:":
                self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(str(self.path), timeout=timeout)
            self.db = sqlite_utils.Database(conn)
            # WAL: readers (spar history in another terminal) never block the call being written.
            self.db.execute("PRAGMA journal_mode=WAL").fetchall()
            self.db.execute("PRAGMA foreign_keys=ON")
            migrations.apply(self.db)

    def close(self) -> None:
        self.db.conn.close()

    @contextmanager
    def _guard(self, action: str) -> Iterator[None]:
        try:
            yield
        except sqlite3.OperationalError as exc:
            message = str(exc)
            if "locked" in message or "busy" in message:
                raise StoreError(f"{self.path}: the database is locked by another program (another spar?); "
                                 "close it and try again") from None
            if "unable to open" in message or "readonly" in message:
                raise StoreError(f"{self.path}: cannot {action} the database ({message}); check that the folder "
                                 "exists and is writable, or choose another file with --db PATH") from None
            raise StoreError(f"{self.path}: database error while trying to {action}: {message}") from None
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.path}: not a Sparring database or damaged ({exc}); move it aside or choose "
                             "another file with --db PATH") from None
        except OSError as exc:
            raise StoreError(f"{self.path}: cannot {action} the database ({exc.strerror or exc}); choose another "
                             "location with --db PATH") from None

    # --- reps and scenarios --------------------------------------------------------------
    def rep_id(self, name: str) -> int:
        name = " ".join(name.split())
        if not name:
            raise ValueError("a rep name is needed")
        with self._guard("save the rep"), self.db.atomic():
            row = next(self.db["reps"].rows_where("name = ?", [name]), None)
            if row:
                return row["id"]
            return self.db["reps"].insert({"name": name, "created_at": now()}).last_pk

    def rep_names(self) -> list[str]:
        with self._guard("read reps"):
            return [r["name"] for r in self.db.query(
                "select r.name from reps r left join sessions s on s.rep_id = r.id "
                "group by r.id order by max(coalesce(s.started_at, r.created_at)) desc")]

    def _record_scenario(self, scenario: Any) -> None:
        stamp = now()
        existing = self.db["scenarios"].get(scenario.id) if self.db["scenarios"].count_where("id = ?", [scenario.id]) else None
        self.db["scenarios"].upsert({
            "id": scenario.id, "title": scenario.title, "call_type": scenario.call_type,
            "difficulty": scenario.difficulty, "format": scenario.version, "content_hash": scenario.content_hash,
            "path": str(scenario.path or ""), "first_played_at": existing["first_played_at"] if existing else stamp,
            "last_played_at": stamp,
        }, pk="id")

    # --- sessions and turns --------------------------------------------------------------
    def start_session(self, rep_name: str, scenario: Any, *, input_mode: str = "typed", mode: str = "solo") -> int:
        rep = self.rep_id(rep_name)
        with self._guard("start the session"), self.db.atomic():
            self._record_scenario(scenario)
            session_id = self.db["sessions"].insert({
                "rep_id": rep, "scenario_id": scenario.id, "scenario_hash": scenario.content_hash,
                "mode": mode, "input_mode": input_mode, "status": "in_progress", "started_at": now(),
            }).last_pk
            # The goal the rep set last time is checked at this session.
            goal = self.open_goal(rep)
            if goal and goal["reviewed_session_id"] is None:
                self.db["goals"].update(goal["id"], {"reviewed_session_id": session_id})
        return session_id

    def add_turn(
        self,
        session_id: int,
        index: int,
        speaker: str,
        text: str,
        *,
        started_at: str | None = None,
        analysis: dict[str, Any] | None = None,
        customer: dict[str, Any] | None = None,
        input_mode: str | None = None,
        audio_path: str | None = None,
    ) -> int:
        row: dict[str, Any] = {
            "session_id": session_id, "idx": index, "speaker": speaker, "text": text,
            "started_at": started_at or now(), "ended_at": now(), "input_mode": input_mode, "audio_path": audio_path,
        }
        if analysis is not None:
            row.update({c: analysis.get(c) for c in ANALYSIS_COLUMNS})
            row["analysis_json"] = json.dumps(analysis)
        if customer is not None:
            row["customer_event"] = customer.get("event")
            row["customer_json"] = json.dumps(customer)
            row["trust_after"] = customer.get("trust_after")
        with self._guard("save the turn"), self.db.atomic():
            return self.db["turns"].insert(row).last_pk

    def end_session(self, session_id: int, snapshot: dict[str, Any], metrics: dict[str, Any]) -> None:
        with self._guard("save the end of the call"), self.db.atomic():
            self.db["sessions"].update(session_id, {
                "status": "ended", "ended_at": now(), "end_reason": snapshot.get("end_reason"),
                "objective_met": int(bool(snapshot.get("objective_met"))), "final_trust": snapshot.get("trust"),
                "final_level": snapshot.get("level"),
                "needs_uncovered_json": json.dumps(snapshot.get("needs_uncovered", [])),
                "metrics_json": json.dumps(metrics),
            })

    def save_debrief(self, session_id: int, answers: dict[str, str], debrief: dict[str, Any]) -> None:
        """Reflection answers, strengths, focus skill and next step: one write, plus the new goal."""
        stamp = now()
        focus = debrief.get("focus", {}).get("skill")
        next_step = (answers.get("next_step") or "").strip()
        with self._guard("save the debrief"), self.db.atomic():
            session = self.db["sessions"].get(session_id)
            existing = self.db["debriefs"].count_where("session_id = ?", [session_id])
            self.db["debriefs"].upsert({
                "session_id": session_id,
                "what_happened": answers.get("what_happened", ""), "went_well": answers.get("went_well", ""),
                "do_differently": answers.get("do_differently", ""), "next_step": next_step,
                "focus_skill": focus, "strengths_json": json.dumps(debrief.get("strengths", [])),
                "debrief_json": json.dumps(debrief),
                "created_at": self.db["debriefs"].get(session_id)["created_at"] if existing else stamp,
                "updated_at": stamp,
            }, pk="session_id")
            self.db["sessions"].update(session_id, {"status": "debriefed"})
            self.db.execute("delete from goals where session_id = ?", [session_id])
            self.db["goals"].insert({"rep_id": session["rep_id"], "session_id": session_id, "focus_skill": focus,
                                     "next_step": next_step, "created_at": stamp})

    # --- reading -------------------------------------------------------------------------
    def open_goal(self, rep_id: int) -> dict[str, Any] | None:
        """The rep's most recent goal (focus skill and next step), to be checked this session."""
        return next(self.db["goals"].rows_where("rep_id = ?", [rep_id], order_by="created_at desc, id desc", limit=1), None)

    def latest_goal(self, rep_name: str) -> dict[str, Any] | None:
        with self._guard("read goals"):
            rep = next(self.db["reps"].rows_where("name = ?", [" ".join(rep_name.split())]), None)
            return self.open_goal(rep["id"]) if rep else None

    def session(self, session_id: int) -> dict[str, Any]:
        with self._guard("read the session"):
            rows = list(self.db.query(
                "select s.*, r.name as rep_name, sc.title as scenario_title from sessions s "
                "join reps r on r.id = s.rep_id left join scenarios sc on sc.id = s.scenario_id where s.id = ?",
                [session_id]))
        if not rows:
            raise StoreError(f"{self.path}: no session {session_id}; `spar history` lists them")
        return rows[0]

    def turns(self, session_id: int) -> list[dict[str, Any]]:
        with self._guard("read the turns"):
            rows = list(self.db["turns"].rows_where("session_id = ?", [session_id], order_by="idx"))
        return [{**r, "index": r["idx"], "analysis": json.loads(r["analysis_json"]) if r["analysis_json"] else None,
                 "customer": json.loads(r["customer_json"]) if r["customer_json"] else None} for r in rows]

    def debrief(self, session_id: int) -> dict[str, Any] | None:
        with self._guard("read the debrief"):
            if not self.db["debriefs"].count_where("session_id = ?", [session_id]):
                return None
            return self.db["debriefs"].get(session_id)

    def sessions(self, rep_name: str | None = None, limit: int = 50) -> list[dict[str, Any]]:
        where, params = "", []
        if rep_name:
            where, params = "where r.name = ?", [" ".join(rep_name.split())]
        with self._guard("read the history"):
            return list(self.db.query(
                "select s.id, s.started_at, s.ended_at, s.status, s.end_reason, s.objective_met, s.final_level, "
                "s.input_mode, s.metrics_json, r.name as rep_name, s.scenario_id, sc.title as scenario_title, "
                "d.focus_skill, d.next_step, "
                "(select count(*) from turns t where t.session_id = s.id) as turn_count, "
                "(select count(*) from turns t where t.session_id = s.id and t.input_mode = 'spoken') as spoken_turns "
                f"from sessions s join reps r on r.id = s.rep_id left join scenarios sc on sc.id = s.scenario_id "
                f"left join debriefs d on d.session_id = s.id {where} order by s.started_at desc, s.id desc limit ?",
                params + [limit]))
