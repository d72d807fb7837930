"""The Store's side of team roleplay (issue #20): observers' rubric scores, and live calls where a person
plays the customer from another terminal.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from analysis.coaching.observers import ObserverScoring
from simulator.domain.customer import rep_display_name
from simulator.domain.live import LiveCall, LiveReply, LiveStatus, Reaction
from simulator.storage.records import NotInStore, _new_id, now
from simulator.storage.sessions import SessionsMixin

if TYPE_CHECKING:
    from simulator.domain.scenario import Scenario


class TeamMixin(SessionsMixin):
    """Observers' scores of a group's calls, and live calls with a person as the customer."""

    # --- team roleplay: observers' rubric scores (issue #20) ---------------------------------
    def save_observer_scores(
        self, session_id: int, scoring: ObserverScoring, titles: Mapping[str, str]
    ) -> ObserverScoring:
        """One observer's scores of one call (TITLES: each criterion's wording): one write. The same
        observer (by name, any case) scoring the call again replaces their earlier scores."""
        observer = " ".join(scoring.observer.split())
        if not observer:
            raise ValueError("an observer needs a name")
        if not scoring.scores:
            raise ValueError("a scoring needs at least one score")
        saved = ObserverScoring(observer, scoring.scores, " ".join(scoring.note.split()), now())
        with self._write("save the observer's scores"):
            if not self._has_session(session_id):
                raise NotInStore(
                    f"{self.path}: no session {session_id}; `spar team show GROUP` names a group's sessions"
                )
            table = self.db.table("observer_scores")
            table.delete_where("session_id = ? and lower(observer) = lower(?)", [session_id, observer])
            table.insert_all(_observer_rows(session_id, saved, titles))
        return saved

    def observer_scorings(self, session_ids: Sequence[int]) -> dict[int, list[ObserverScoring]]:
        """Every observer's scoring of each of these calls, oldest first."""
        found: dict[int, dict[str, ObserverScoring]] = {i: {} for i in session_ids}
        if not session_ids:
            return {}
        marks = ", ".join("?" for _ in session_ids)
        with self._guard("read the observers' scores"):
            rows = list(
                self.db.query(
                    f"select * from observer_scores where session_id in ({marks}) order by created_at, id",
                    list(session_ids),
                )
            )
        for row in rows:
            by_observer = found[row["session_id"]]
            earlier = by_observer.get(row["observer"])
            scores = (earlier.scores if earlier else ()) + ((row["criterion"], row["score"]),)
            by_observer[row["observer"]] = ObserverScoring(
                row["observer"], scores, row["note"] or "", row["created_at"]
            )
        return {i: list(by_observer.values()) for i, by_observer in found.items()}

    def session_group(self, session_id: int) -> str | None:
        """The team group a session was played in, if any."""
        with self._guard("read the session"):
            row = next(self.db.query("select group_id from sessions where id = ?", [session_id]), None)
        return row["group_id"] if row else None

    def scored_titles(self, session_ids: Sequence[int]) -> dict[str, str]:
        """The wording of every criterion scored on these calls, as the observers saw it."""
        if not session_ids:
            return {}
        marks = ", ".join("?" for _ in session_ids)
        with self._guard("read the observers' scores"):
            rows = self.db.query(
                f"select criterion, title from observer_scores where session_id in ({marks}) order by id",
                list(session_ids),
            )
            return {r["criterion"]: r["title"] or r["criterion"] for r in rows}

    # --- a person playing the customer from another terminal (issue #20) -----------------
    def open_live_call(self, scenario: Scenario, rep_name: str) -> LiveCall:
        """A call waiting for a person to join as the customer, with a join code no open call uses.
        The scenario is recorded with its file, so the customer's terminal reads the same card."""
        with self._write("open the call for a live customer"):
            self._record_scenario(scenario)
            taken = {
                r["code"]
                for r in self.db.query(
                    "select l.code from live_calls l left join sessions s on s.id = l.session_id "
                    "where l.status = 'waiting' or (l.status = 'joined' and coalesce(s.status, 'in_progress') "
                    "= 'in_progress')"
                )
            }
            code = f"{random.randrange(1000, 10000)}"
            while code in taken:  # four digits: easy to read out across the room
                code = f"{random.randrange(1000, 10000)}"
            live_id = _new_id(
                self.db.table("live_calls").insert(
                    {
                        "code": code,
                        "scenario_id": scenario.id,
                        "rep_name": rep_display_name(rep_name),
                        "status": str(LiveStatus.WAITING),
                        "created_at": now(),
                        "rep_seen_at": now(),
                    }
                )
            )
        return self.live_call(live_id)

    def scenario_path(self, scenario_id: str) -> str | None:
        """The file a scenario was last played from, as recorded (None if unknown)."""
        with self._guard("read the scenario"):
            row = next(self.db.table("scenarios").rows_where("id = ?", [scenario_id]), None)
        return (row["path"] or None) if row else None

    def live_call(self, live_id: int) -> LiveCall:
        with self._guard("read the live call"):
            row = next(self.db.table("live_calls").rows_where("id = ?", [live_id]), None)
        if row is None:
            raise NotInStore(f"{self.path}: no live call {live_id}")
        return _live_call(row)

    def live_calls(self, *, code: str | None = None, session_id: int | None = None) -> list[LiveCall]:
        """Live calls, newest first: all, those with a join code, or the one of a session."""
        where: list[str] = []
        params: list[Any] = []
        if code is not None:
            where.append("code = ?")
            params.append(code)
        if session_id is not None:
            where.append("session_id = ?")
            params.append(session_id)
        with self._guard("read the live calls"):
            rows = self.db.table("live_calls").rows_where(" and ".join(where) or None, params, order_by="id desc")
            return [_live_call(r) for r in rows]

    def join_live_call(self, live_id: int, customer_name: str) -> LiveCall:
        """The person joins as the customer: one write, refused unless the call is still waiting."""
        name = rep_display_name(customer_name)
        if not name:
            raise ValueError("a name is needed")
        with self._write("join the call"):
            call = self.live_call(live_id)
            if call.status is not LiveStatus.WAITING:
                why = {
                    LiveStatus.JOINED: f"{call.customer_name} has already joined it",
                    LiveStatus.LEFT: f"{call.customer_name} played it and left",
                    LiveStatus.CANCELLED: f"{call.rep_name} cancelled it",
                }[call.status]
                raise NotInStore(f"call {call.code} cannot be joined: {why}; ask the rep to start a new one")
            stamp = now()
            self.db.table("live_calls").update(
                live_id,
                {"status": str(LiveStatus.JOINED), "customer_name": name, "joined_at": stamp, "seen_at": stamp},
            )
        return self.live_call(live_id)

    def live_heartbeat(self, live_id: int, *, rep: bool = False) -> None:
        """The customer's terminal (or with REP, the rep's) is still there."""
        with self._write("say this terminal is still there"):
            self.db.table("live_calls").update(live_id, {"rep_seen_at" if rep else "seen_at": now()})

    def close_live_call(self, live_id: int, status: LiveStatus) -> None:
        """The customer left, or the rep cancelled: only a call still waiting or joined changes."""
        with self._write("close the live call"):
            self.db.execute(
                "update live_calls set status = ?, ended_at = ? where id = ? and status in ('waiting', 'joined')",
                [str(status), now(), live_id],
            )

    def add_live_reply(self, live_id: int, reply: LiveReply) -> bool:
        """The customer's line for a turn: one write; False if a line for that turn is already in."""
        with self._write("send your line"):
            if self.db.table("live_replies").count_where("live_call_id = ? and idx = ?", [live_id, reply.index]):
                return False
            self.db.table("live_replies").insert(
                {
                    "live_call_id": live_id,
                    "idx": reply.index,
                    "text": reply.text,
                    "reaction": str(reply.reaction),
                    "need_id": reply.need_id,
                    "objection_id": reply.objection_id,
                    "level": reply.level,
                    "created_at": now(),
                }
            )
        return True

    def live_reply(self, live_id: int, index: int) -> LiveReply | None:
        with self._guard("read the customer's line"):
            row = next(self.db.table("live_replies").rows_where("live_call_id = ? and idx = ?", [live_id, index]), None)
        if row is None:
            return None
        return LiveReply(
            row["idx"], row["text"], Reaction(row["reaction"]), row["need_id"], row["objection_id"], row["level"] or ""
        )


def _live_call(row: dict[str, Any]) -> LiveCall:
    return LiveCall(
        id=row["id"],
        code=row["code"],
        scenario_id=row["scenario_id"],
        rep_name=row["rep_name"],
        status=LiveStatus(row["status"]),
        customer_name=row["customer_name"] or "",
        session_id=row["session_id"],
        seen_at=row["seen_at"],
        rep_seen_at=row["rep_seen_at"],
    )


def _observer_rows(session_id: int, scoring: ObserverScoring, titles: Mapping[str, str]) -> list[dict[str, Any]]:
    """An observer's scoring as rows, one per rubric line (the note and time on each)."""
    return [
        {
            "session_id": session_id,
            "observer": scoring.observer,
            "criterion": criterion,
            "title": titles.get(criterion, criterion),
            "score": score,
            "note": scoring.note,
            "created_at": scoring.created_at,
        }
        for criterion, score in scoring.scores
    ]


def _scoring_from_json(data: dict[str, Any]) -> tuple[ObserverScoring, dict[str, str]]:
    """An exported scoring back, with its criteria's titles."""
    observer = " ".join(str(data["observer"]).split())
    scores = tuple((str(c), int(v)) for c, v in dict(data["scores"]).items())
    if not observer or not scores or not isinstance(data.get("created_at"), str):
        raise ValueError("an observer's scoring needs the observer, scores and when")
    titles = {str(c): str(t) for c, t in dict(data.get("titles") or {}).items()}
    return ObserverScoring(observer, scores, str(data.get("note") or ""), data["created_at"]), titles
