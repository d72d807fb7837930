"""Export and import of sessions (`spar export`, `spar import`): one session as JSON, and back."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from analysis.coaching.review import Correction, Note
from simulator.storage.records import EXPORT_FORMAT, EXPORT_VERSION, NotAnExport, NotInStore, _new_id
from simulator.storage.review import ReviewMixin, _correction_row, _note_row, _retry
from simulator.storage.team import TeamMixin, _observer_rows, _scoring_from_json


class ExchangeMixin(ReviewMixin, TeamMixin):
    """A session, everything stored about it, as export JSON; and that JSON restored."""

    # --- export and import (issue #18) ---------------------------------------------------
    def session_ids(self, since: str | None = None) -> list[int]:
        """Every session, oldest first; with SINCE (a date or time, as stored), those started then or later."""
        with self._guard("read the history"):
            where, params = ("started_at >= ?", [since]) if since else (None, [])
            return [r["id"] for r in self.db.table("sessions").rows_where(where, params, order_by="started_at, id")]

    def export_session(self, session_id: int) -> dict[str, Any]:
        """Everything stored about one session, as JSON that `import_session` restores."""
        with self._guard("read the session"):
            if not self._has_session(session_id):
                raise NotInStore(f"{self.path}: no session {session_id}; `spar history` lists them")
            session = self.db.table("sessions").get(session_id)
            rep = self.db.table("reps").get(session["rep_id"])
            scenario = next(self.db.table("scenarios").rows_where("id = ?", [session["scenario_id"]]), None)
            turns = list(self.db.table("turns").rows_where("session_id = ?", [session_id], order_by="idx"))
            debrief = next(self.db.table("debriefs").rows_where("session_id = ?", [session_id]), None)
            retries = list(
                self.db.table("retries").rows_where("session_id = ?", [session_id], order_by="created_at, id")
            )
            pair = next(self.db.table("pair_debriefs").rows_where("session_id = ?", [session_id]), None)
            goals = list(
                self.db.query(
                    "select g.*, s.uid as reviewed_session_uid from goals g left join sessions s "
                    "on s.id = g.reviewed_session_id where g.session_id = ? order by g.created_at, g.id",
                    [session_id],
                )
            )
        return {
            "format": EXPORT_FORMAT,
            "version": EXPORT_VERSION,
            "uid": session["uid"],
            "rep": rep["name"],
            # The scenario as the session knows it; when and where this machine played it stay here.
            "scenario": _unpack(scenario, ("path", "first_played_at", "last_played_at")) if scenario else None,
            "session": _unpack(session, ("id", "rep_id", "uid")),
            "turns": [_unpack(t, ("id", "session_id")) for t in turns],
            "debrief": _unpack(debrief, ("session_id",)) if debrief else None,
            "pair_debrief": _unpack(pair, ("session_id",)) if pair else None,
            "goals": [_unpack(g, ("id", "rep_id", "session_id", "reviewed_session_id")) for g in goals],
            "notes": [n.to_json() for n in self.notes(session_id)],
            "corrections": [c.to_json() for c in self.corrections(session_id)],
            # Added with retries (still export version 1: an older export simply has none).
            "retries": [_unpack(r, ("id", "session_id")) for r in retries],
            "observer_scores": [
                scoring.to_json() | {"titles": self.scored_titles([session_id])}
                for scoring in self.observer_scorings([session_id])[session_id]
            ],
        }

    def find_session(self, uid: str) -> int | None:
        with self._guard("read the history"):
            row = next(self.db.table("sessions").rows_where("uid = ?", [uid]), None)
        return row["id"] if row else None

    def import_session(self, data: dict[str, Any]) -> tuple[int, bool]:
        """Restore an exported session: one write. Returns its id here and whether it is new: a
        session already here (the same uid) is left as it is and nothing is added."""
        if not isinstance(data, dict) or data.get("format") != EXPORT_FORMAT:
            raise NotAnExport(f'not a Sparring session export (no "format": "{EXPORT_FORMAT}")')
        if data.get("version") != EXPORT_VERSION:
            raise NotAnExport(f"export version {data.get('version')!r}; this Sparring reads version {EXPORT_VERSION}")
        uid, rep_name, session = data.get("uid"), data.get("rep"), data.get("session")
        if not isinstance(uid, str) or not uid or not isinstance(rep_name, str) or not isinstance(session, dict):
            raise NotAnExport("an export needs its uid, rep and session")
        turns, goals, retries = data.get("turns") or [], data.get("goals") or [], data.get("retries") or []
        if not isinstance(turns, list) or not isinstance(goals, list) or not isinstance(retries, list):
            raise NotAnExport("turns, goals and retries are lists")
        try:
            notes = [Note.from_json(n) for n in data.get("notes") or []]
            corrections = [Correction.from_json(c) for c in data.get("corrections") or []]
            for retry in retries:
                _retry(_pack(retry, {"text": str, "turn_idx": int, "analysis_json": str, "customer_json": str,
                                     "assisted": int, "how": str, "author": str, "created_at": str}) | {"id": 0})  # fmt: skip
            scorings = [_scoring_from_json(o) for o in data.get("observer_scores") or []]
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise NotAnExport(f"a note, correction, retry or observer's score cannot be read ({exc})") from None
        with self._write("import the session"):
            try:
                existing = self.find_session(uid)
                if existing is not None:
                    return existing, False
                rep = self.rep_id(rep_name)
                scenario_id = session.get("scenario_id")
                if not isinstance(scenario_id, str) or not scenario_id:
                    raise NotAnExport("the session names no scenario")
                if not self.db.table("scenarios").count_where("id = ?", [scenario_id]):
                    scenario = _pack(data.get("scenario") or {}, self.db.table("scenarios").columns_dict)
                    self.db.table("scenarios").insert(scenario | {"id": scenario_id})
                row = _pack(session, self.db.table("sessions").columns_dict, ("id", "rep_id", "uid"))
                session_id = _new_id(self.db.table("sessions").insert(row | {"rep_id": rep, "uid": uid}))
                turn_columns = self.db.table("turns").columns_dict
                for turn in turns:
                    self.db.table("turns").insert(_pack(turn, turn_columns, ("id",)) | {"session_id": session_id})
                if data.get("debrief"):
                    debrief = _pack(data["debrief"], self.db.table("debriefs").columns_dict)
                    self.db.table("debriefs").insert(debrief | {"session_id": session_id})
                if data.get("pair_debrief"):
                    pair = _pack(data["pair_debrief"], self.db.table("pair_debriefs").columns_dict)
                    self.db.table("pair_debriefs").insert(pair | {"session_id": session_id})
                goal_columns = self.db.table("goals").columns_dict
                for goal in goals:
                    reviewed = goal.get("reviewed_session_uid") if isinstance(goal, dict) else None
                    row = _pack(goal, goal_columns, ("id", "rep_id", "session_id", "reviewed_session_id"))
                    row["reviewed_session_id"] = self.find_session(reviewed) if isinstance(reviewed, str) else None
                    self.db.table("goals").insert(row | {"rep_id": rep, "session_id": session_id})
                for note in notes:
                    self.db.table("notes").insert({"session_id": session_id, "turn_idx": note.turn} | _note_row(note))
                for correction in corrections:
                    self.db.table("corrections").insert(
                        {"session_id": session_id, "turn_idx": correction.turn} | _correction_row(correction)
                    )
                retry_columns = self.db.table("retries").columns_dict
                for retry in retries:
                    self.db.table("retries").insert(_pack(retry, retry_columns, ("id",)) | {"session_id": session_id})
                for scoring, titles in scorings:
                    self.db.table("observer_scores").insert_all(_observer_rows(session_id, scoring, titles))
            except (sqlite3.IntegrityError, TypeError, AttributeError) as exc:
                raise NotAnExport(f"a part of the session cannot be stored ({exc})") from None
        return session_id, True


def _unpack(row: dict[str, Any], drop: tuple[str, ...] = ()) -> dict[str, Any]:
    """A row as export JSON: `X_json` columns become `X`, parsed; DROP columns are left out."""
    out: dict[str, Any] = {}
    for key, value in row.items():
        if key in drop:
            continue
        if key.endswith("_json"):
            out[key[: -len("_json")]] = json.loads(value) if value is not None else None
        else:
            out[key] = value
    return out


def _pack(data: dict[str, Any], columns: dict[str, Any], drop: tuple[str, ...] = ()) -> dict[str, Any]:
    """Export JSON back as a row of a table with COLUMNS; keys that are not its columns are ignored."""
    if not isinstance(data, dict):
        raise NotAnExport(f"expected an object, found {type(data).__name__}")
    row: dict[str, Any] = {}
    for column in columns:
        if column in drop:
            continue
        if column.endswith("_json"):
            key = column[: -len("_json")]
            if key in data:
                row[column] = None if data[key] is None else json.dumps(data[key])
        elif column in data:
            value = data[column]
            if isinstance(value, (dict, list)):
                raise NotAnExport(f"'{column}' should be a single value")
            row[column] = value
    return row
