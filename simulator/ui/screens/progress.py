"""Progress: a rep's figures across sessions as terminal plots, each with its aim drawn as a line.

The x axis is the rep's session number (1, 2, 3, ...), not the date, so the plots read the same
whenever they are opened. The skill the rep agreed to work on most recently is marked on its plot;
under the plots, each session's goal check and the gap per skill (started, now, aim).
"""

from __future__ import annotations

from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Horizontal
from textual.screen import Screen
from textual.widgets import Footer, Header, Select, Static
from textual_plotext import PlotextPlot

from analysis.coaching.progress import MEASURES, Measure, RepProgress, progress
from analysis.coaching.skills import skill
from simulator.ui.app_status import sparring_app
from simulator.ui.text import literal

VALUE_COLOR = "cyan"
AIM_COLOR = "red"
# Retries made in review, drawn on the plots of the figures they count: on the rep's own apart
# from with a coach's help (only an unassisted try shows what the rep can do alone).
UNASSISTED_COLOR = "green"
ASSISTED_COLOR = "yellow"
RETRY_COUNTS = {
    "needs_questions": "needs_questions",
    "deeper_questions": "deeper_questions",
    "paraphrases": "paraphrases",
}


class ProgressScreen(Screen):
    DEFAULT_CSS = """
    ProgressScreen #progress-top { height: 3; }
    ProgressScreen #progress-rep { width: 32; }
    ProgressScreen #progress-summary { padding: 1 1 0 1; width: 1fr; }
    ProgressScreen #progress-plots { grid-size: 4 2; grid-gutter: 0 1; height: 1fr; min-height: 16; }
    ProgressScreen #progress-gaps { height: auto; max-height: 12; padding: 0 1; }
    """
    BINDINGS = [Binding("r", "refresh", "Refresh")]

    def __init__(self) -> None:
        super().__init__()
        self.rep: str | None = None
        self.shown: RepProgress | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="progress-top"):
            yield Select[str]([], id="progress-rep", prompt="Rep", allow_blank=True)
            yield Static("", id="progress-summary")
        with Grid(id="progress-plots"):
            for measure in MEASURES:
                yield PlotextPlot(id=f"plot-{measure.key}")
        yield Static("", id="progress-gaps")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = "Progress"
        self.action_refresh()

    def on_screen_resume(self) -> None:
        self.action_refresh()

    def action_refresh(self) -> None:
        """Read the reps and the chosen rep's sessions again (another terminal may have played)."""
        app = sparring_app(self)
        names = app.store.rep_names()
        picker = self.query_one("#progress-rep", Select)
        if self.rep not in names:
            self.rep = app.initial_rep if app.initial_rep in names else (names[0] if names else None)
        with picker.prevent(Select.Changed):
            picker.set_options([(name, name) for name in names])
            if self.rep is not None:
                picker.value = self.rep
        self._show()

    @on(Select.Changed, "#progress-rep")
    def _pick(self, event: Select.Changed) -> None:
        if isinstance(event.value, str) and event.value != self.rep:
            self.rep = event.value
            self._show()

    def _show(self) -> None:
        store = sparring_app(self).store
        rep = self.rep
        if rep is None:
            self.shown = None
            self.query_one("#progress-summary", Static).update("No sessions yet: play a call first (F3).")
            self.query_one("#progress-gaps", Static).update("")
            for measure in MEASURES:
                self._plot(measure, None)
            return
        sessions = store.stored_sessions(rep_name=rep)
        retries = store.retries_of([s.id for s in sessions])
        self.shown = p = progress(rep, sessions, store.stored_goals(rep), retries)
        focus = f" · working on: {skill(p.focus_skill).title}" if p.focus_skill else ""
        self.query_one("#progress-summary", Static).update(
            f"[b]{literal(p.rep)}[/b] · {len(p.sessions)} session{'s' if len(p.sessions) != 1 else ''}{focus}"
        )
        for measure in MEASURES:
            self._plot(measure, p)
        self.query_one("#progress-gaps", Static).update(self._gap_text(p))

    def _plot(self, measure: Measure, p: RepProgress | None) -> None:
        widget = self.query_one(f"#plot-{measure.key}", PlotextPlot)
        plt = widget.plt
        plt.clear_data()
        plt.clear_figure()
        focus = p is not None and p.focus_measure == measure.key
        plt.title(("★ " if focus else "") + measure.title + (" (%)" if measure.percent else ""))
        if p is None or not p.sessions:
            widget.refresh()
            return
        scale = 100 if measure.percent else 1
        numbers = [s.number for s in p.sessions]
        pairs = [(n, v * scale) for n, v in zip(numbers, p.series(measure.key), strict=True) if v is not None]
        aims = [(n, a * scale) for n, a in zip(numbers, p.aim_series(measure.key), strict=True) if a is not None]
        if aims:
            plt.plot([n for n, _ in aims], [a for _, a in aims], color=AIM_COLOR, marker="dot", label="aim")
        if pairs:
            plt.plot([n for n, _ in pairs], [v for _, v in pairs], color=VALUE_COLOR, marker="dot")
            plt.scatter([n for n, _ in pairs], [v for _, v in pairs], color=VALUE_COLOR, marker="●")
        pairs += self._plot_retries(plt, measure, p)
        if measure.key == "objective_met":
            plt.ylim(-0.1, 1.1)
            plt.yticks([0.0, 1.0], ["no", "yes"])
        elif measure.percent:
            plt.ylim(0, 100)
            plt.yticks([0.0, 25.0, 50.0, 75.0, 100.0], ["0", "25", "50", "75", "100"])
        else:
            top = int(max([v for _, v in pairs] + [a for _, a in aims] + [1])) + 1
            plt.ylim(0, top)
            ticks = list(range(0, top + 1, max(1, (top + 4) // 5)))
            plt.yticks([float(t) for t in ticks], [str(t) for t in ticks])
        plt.xlim(0.5, max(numbers) + 0.5)
        plt.xticks([float(n) for n in numbers], [str(n) for n in numbers])
        plt.xlabel("session")
        widget.refresh()

    @staticmethod
    def _plot_retries(plt: Any, measure: Measure, p: RepProgress) -> list[tuple[int, float]]:
        """The measure in each session's retries, unassisted (◆) apart from assisted (◇); the points drawn."""
        count = RETRY_COUNTS.get(measure.key)
        tried = [s for s in p.sessions if s.retries.count] if count else []
        drawn: list[tuple[int, float]] = []
        for group, color, marker, label in (
            ("unassisted", UNASSISTED_COLOR, "◆", "retries, own"),
            ("assisted", ASSISTED_COLOR, "◇", "retries, helped"),
        ):
            points = [
                (s.number, float(getattr(getattr(s.retries, group), str(count))))
                for s in tried
                if getattr(s.retries, group).attempts
            ]
            if points:
                plt.scatter([n for n, _ in points], [v for _, v in points], color=color, marker=marker, label=label)
                drawn += points
        return drawn

    @staticmethod
    def _gap_text(p: RepProgress) -> str:
        checks = []
        for row in p.sessions:
            goal = row.goal_checked
            if goal and (goal.focus_skill or goal.by_goal_measure):
                checks.append(f"#{row.number}: {literal(goal.summary())}")
        lines = [
            "[b]Goals checked:[/b] " + ("; ".join(checks) if checks else "none yet"),
            "[b]Objective met:[/b] "
            + ", ".join(f"#{r.number} {'yes' if r.session.objective_met else 'no'}" for r in p.sessions),
        ]
        lines.extend(literal(gap.line()) for gap in p.gaps)
        tried = [r for r in p.sessions if r.retries.count]
        if tried:
            lines.append(
                "[b]Tried again in review[/b] (◆ on your own, ◇ with help): "
                + "; ".join(f"#{r.number} {literal(r.retries.line())}" for r in tried)
            )
        return "\n".join(lines)
