"""The Store's reads for progress over many sessions (stored figures and goals) and team groups."""

from __future__ import annotations

import json

from analysis.coaching.progress import StoredGoal, StoredSession
from simulator.domain.customer import rep_display_name
from simulator.storage.connection import StoreBase
from simulator.storage.records import Goal


class ProgressMixin(StoreBase):
    """Ended sessions with their figures, a rep's goals in order, and the team groups."""

    # --- progress and groups -------------------------------------------------------------
    def stored_sessions(self, *, rep_name: str | None = None, group_id: str | None = None) -> list[StoredSession]:
        """Ended sessions with their stored figures (a rep's, a group's, or all), oldest first."""
        where, params = ["s.metrics_json is not null"], []
        if rep_name is not None:
            where.append("r.name = ?")
            params.append(rep_display_name(rep_name))
        if group_id is not None:
            where.append("s.group_id = ?")
            params.append(group_id)
        with self._guard("read the sessions"):
            rows = list(
                self.db.query(
                    "select s.id, r.name as rep, s.scenario_id, s.started_at, s.objective_met, s.metrics_json, "
                    "s.mode, s.group_id, s.input_mode, d.focus_skill, d.next_step "
                    "from sessions s join reps r on r.id = s.rep_id left join debriefs d on d.session_id = s.id "
                    f"where {' and '.join(where)} order by s.started_at, s.id",
                    params,
                )
            )
        return [
            StoredSession(
                id=r["id"],
                rep=r["rep"],
                scenario_id=r["scenario_id"],
                started_at=r["started_at"],
                objective_met=bool(r["objective_met"]),
                figures=json.loads(r["metrics_json"]),
                mode=r["mode"] or "solo",
                group_id=r["group_id"],
                input_mode=r["input_mode"],
                focus_skill=r["focus_skill"],
                next_step=r["next_step"],
            )
            for r in rows
        ]

    def stored_goals(self, rep_name: str) -> list[StoredGoal]:
        """The goals a rep agreed, in the order they were set, with the session that checked each."""
        with self._guard("read goals"):
            rows = self.db.query(
                "select g.* from goals g join reps r on r.id = g.rep_id where r.name = ? order by g.created_at, g.id",
                [rep_display_name(rep_name)],
            )
            goals = [Goal.from_row(r) for r in rows]
        return [
            StoredGoal(
                g.focus_skill,
                g.next_step,
                g.session_id,
                g.reviewed_session_id,
                measure=g.checkable,
                measure_text=g.measure_text,
            )
            for g in goals
        ]

    def group_ids(self) -> list[str]:
        """Team groups, newest first."""
        with self._guard("read the groups"):
            return [
                r["group_id"]
                for r in self.db.query(
                    "select group_id from sessions where group_id is not null group by group_id "
                    "order by max(started_at) desc"
                )
            ]
