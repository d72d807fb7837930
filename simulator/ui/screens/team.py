"""Team mode: a facilitator sets up a hot seat, reps take the call in turn, then the group's table.

Each rep plays in the normal call screen and reflects in the normal debrief; leaving the debrief
comes back here, which hands the seat to the next rep. After the last rep the side-by-side table
opens (`TeamTableScreen`): the same figures for everyone with each figure's aim, the observers'
rubric scores below them, and a ranking only if the facilitator turned it on. Earlier groups
reopen from the list on the right, from the same data `spar team show` prints.
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Button, Checkbox, DataTable, Footer, Header, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from analysis.coaching.observers import HIGHEST_SCORE, LOWEST_SCORE
from analysis.coaching.progress import SideBySide, aim_text, cell_text
from simulator.domain.scenario import Scenario
from simulator.domain.team import TEAM_MODE, HotSeat, group_table, names_problem, new_group_id, rep_names
from simulator.storage import StoreError
from simulator.ui.app_status import sparring_app
from simulator.ui.text import literal


class TeamScreen(Screen):
    """Set up a hot seat (reps in order, a scenario, a group name, rankings on or off), then run it."""

    BINDINGS = [
        Binding("ctrl+s", "go", "Start / next rep", priority=True),
        Binding("ctrl+x", "stop", "End the hot seat here", priority=True),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.hot_seat: HotSeat | None = None
        self.shown: list[Scenario] = []

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="team"):
            with Vertical(id="team-left"):
                yield Label("Reps, in playing order")
                yield Input(placeholder="Ana, Ben, Chloe (commas between)", id="team-reps")
                yield Label("Group name (optional)")
                yield Input(placeholder="the scenario and the time", id="team-group")
                yield Checkbox("Rank the reps in the table", value=False, id="team-rank")
                yield Label("Scenario", id="team-scenario-label")
                yield OptionList(id="team-scenarios")
            with Vertical(id="team-right"):
                yield Static("", id="team-status")
                yield Button("Start the hot seat", id="team-go", variant="primary")
                yield Label("Earlier groups (Enter opens the table)", id="team-groups-label")
                yield OptionList(id="team-groups")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = "Team: hot seat"
        options = self.query_one("#team-scenarios", OptionList)
        self.shown = list(sparring_app(self).catalogue.scenarios)
        for s in self.shown:
            options.add_option(Option(Content(f"{'★' * s.difficulty:3} {s.title}"), id=s.id))
        if self.shown:
            options.highlighted = 0
        self._list_groups()
        self._show_status()
        self.query_one("#team-reps", Input).focus()

    def _list_groups(self) -> None:
        groups = self.query_one("#team-groups", OptionList)
        groups.clear_options()
        try:
            names = sparring_app(self).store.group_ids()
        except StoreError as exc:
            self.notify(literal(exc), severity="error", timeout=30)
            names = []
        for name in names:
            groups.add_option(Option(Content(name), id=name))
        self.query_one("#team-groups-label", Label).display = bool(names)
        groups.display = bool(names)

    def _show_status(self) -> None:
        seat = self.hot_seat
        go = self.query_one("#team-go", Button)
        status = self.query_one("#team-status", Static)
        if seat is None or seat.played == 0:
            go.label = "Start the hot seat"
            status.update(
                "Each rep takes the same call in turn and gets their own debrief. Then the group sees "
                "everyone's figures side by side, and observers score each rep."
            )
            return
        done = seat.reps[seat.played - 1]
        following = seat.next_rep or ""
        go.label = f"Start {following}'s call"
        status.update(
            f"[b]{literal(done)}'s call is done[/b] ({seat.played} of {len(seat.reps)}).\n"
            f"Hand over to [b]{literal(following)}[/b], then press Enter. "
            "(Ctrl+X ends the hot seat here.)"
        )

    def on_screen_suspend(self) -> None:
        self.returning = True

    def on_screen_resume(self) -> None:
        if not getattr(self, "returning", False):
            return
        seat = self.hot_seat
        if seat is not None and seat.finished:
            # The last rep has left their debrief: the group's table.
            self.hot_seat = None
            self._show_status()
            self._list_groups()
            self.app.push_screen(TeamTableScreen(seat.group_id, rank=seat.rank, scenario=seat.scenario))
            return
        self._list_groups()
        self._show_status()
        self.refresh_bindings()
        self.query_one("#team-go", Button).focus()

    def _selected(self) -> Scenario | None:
        options = self.query_one("#team-scenarios", OptionList)
        if options.highlighted is None or options.highlighted >= len(self.shown):
            return None
        return self.shown[options.highlighted]

    @on(Input.Submitted, "#team-reps")
    def _reps_entered(self) -> None:
        self.query_one("#team-group", Input).focus()

    @on(Input.Submitted, "#team-group")
    def _group_entered(self) -> None:
        self.query_one("#team-scenarios", OptionList).focus()

    @on(OptionList.OptionSelected, "#team-scenarios")
    @on(Button.Pressed, "#team-go")
    def _go(self) -> None:
        self.action_go()

    @on(OptionList.OptionSelected, "#team-groups")
    def _open_group(self, event: OptionList.OptionSelected) -> None:
        group = event.option.id
        if group is None:
            return
        rank = self.query_one("#team-rank", Checkbox).value
        self.app.push_screen(TeamTableScreen(group, rank=rank))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "stop":
            return self.hot_seat is not None and self.hot_seat.played > 0
        return True

    def action_stop(self) -> None:
        """A rep had to leave: the group's table with the calls played so far."""
        seat = self.hot_seat
        if seat is None or seat.played == 0:
            return
        self.hot_seat = None
        self._show_status()
        self._list_groups()
        self.refresh_bindings()
        self.app.push_screen(TeamTableScreen(seat.group_id, rank=seat.rank, scenario=seat.scenario))

    def action_go(self) -> None:
        if self.hot_seat is None and not self._set_up():
            return
        self._seat_next()

    def _set_up(self) -> bool:
        """The hot seat from the form, or False (with a notice saying what to fix)."""
        names = rep_names(self.query_one("#team-reps", Input).value)
        problem = names_problem(names)
        if problem:
            self.notify(f"Type the reps' names, in playing order: {problem}.", severity="warning")
            self.query_one("#team-reps", Input).focus()
            return False
        scenario = self._selected()
        if scenario is None:
            self.notify("Choose a scenario first.", severity="warning")
            return False
        app = sparring_app(self)
        group = " ".join(self.query_one("#team-group", Input).value.split())
        try:
            taken = app.store.group_ids()
        except StoreError as exc:
            self.notify(literal(exc), severity="error", timeout=30)
            return False
        if group in taken:
            self.notify(
                f"There is already a group called {literal(group)}: choose another name, or open it from the list.",
                severity="warning",
            )
            self.query_one("#team-group", Input).focus()
            return False
        rank = self.query_one("#team-rank", Checkbox).value
        self.hot_seat = HotSeat(scenario, names, group or new_group_id(scenario.id, taken), rank=rank)
        return True

    def _seat_next(self) -> None:
        """The next rep's call, in the normal call screen."""
        seat = self.hot_seat
        if seat is None or seat.next_rep is None:
            return
        from simulator.domain.session import PracticeCall
        from simulator.domain.understanding import customer_understanding
        from simulator.ui.screens.call import CallScreen

        app = sparring_app(self)
        try:
            call = PracticeCall(
                app.store,
                seat.scenario,
                seat.next_rep,
                understanding=customer_understanding(seat.scenario, app.wait_for_encoder),
                mode=TEAM_MODE,
                group_id=seat.group_id,
            )
            call.start()
        except StoreError as exc:
            self.notify(literal(exc), severity="error", timeout=30)
            return
        seat.played += 1
        self.app.push_screen(CallScreen(call))


# The table's first column: wide enough for the figures' names, and rubric lines wrap inside it.
LABEL_WIDTH = 36


class TeamTableScreen(Screen):
    """A group's figures side by side, the observers' scores below; pick a rep's cell to score them."""

    BINDINGS = [
        Binding("o", "observe", "Score this rep"),
        Binding("escape", "app.pop_screen", "Back"),
    ]

    def __init__(self, group_id: str, *, rank: bool = False, scenario: Scenario | None = None):
        super().__init__()
        self.group_id = group_id
        self.rank = rank
        self.scenario = scenario
        self.table: SideBySide | None = None
        self.last_observer = ""

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="team-table-title")
        yield DataTable(id="team-table", cursor_type="column", zebra_stripes=True)
        yield Static("", id="team-table-hint")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = "Team: side by side"
        self.refresh_table()
        self.query_one("#team-table", DataTable).focus()

    def refresh_table(self) -> None:
        app = sparring_app(self)
        try:
            sessions = app.store.stored_sessions(group_id=self.group_id)
            if self.scenario is None and sessions:
                self.scenario = app.catalogue.find(sessions[0].scenario_id)
            table = group_table(app.store, self.group_id, rank=self.rank, scenario=self.scenario)
        except StoreError as exc:
            self.notify(literal(exc), severity="error", timeout=30)
            return
        self.table = table
        title = self.query_one("#team-table-title", Static)
        grid = self.query_one("#team-table", DataTable)
        column = grid.cursor_column
        grid.clear(columns=True)
        if table is None:
            title.update(f"Group {literal(self.group_id)} has no ended call yet.")
            return
        scenario_title = self.scenario.title if self.scenario else table.sessions[0].scenario_id
        title.update(f"[b]Group {literal(self.group_id)}[/b] · {literal(scenario_title)}")
        grid.add_column("", width=LABEL_WIDTH, key="label")
        for i, rep in enumerate(table.reps):
            grid.add_column(Text(rep), width=max(7, len(rep)), key=f"rep-{i}")
        grid.add_column("aim", width=6, key="aim")
        for m, values, aim in table.rows:
            cells = [Text(cell_text(m, v)) for v in values]
            grid.add_row(Text(m.title), *cells, Text(aim_text(m, aim)), key=m.key)
        if table.rubric:
            heading = Text(f"Observers' scores ({LOWEST_SCORE} to {HIGHEST_SCORE})", style="bold")
            grid.add_row(heading, *[Text("") for _ in table.reps], Text(""), key="observers")
            for criterion, summaries in table.observer_rows():
                cells = [Text(s.text() if s else "—") for s in summaries]
                grid.add_row(Text(criterion.title), *cells, Text(""), key=f"rubric-{criterion.id}", height=None)
        grid.move_cursor(column=column if 0 < column <= len(table.reps) else 1)
        self._show_hint()

    def _show_hint(self) -> None:
        """How to score, what a bracket means, the ranking if asked for, and the picked rep's notes."""
        table = self.table
        if table is None:
            return
        lines = []
        index = self._picked_rep()
        if index is not None:
            notes = [f"{literal(s.observer)}: {literal(s.note)}" for s in table.scorings[index] if s.note]
            if notes:
                lines.append(f"[b]Notes on {literal(table.reps[index])}[/b] · " + " · ".join(notes))
        if table.ranking:
            lines.append("Ranking: " + ", ".join(f"{n}. {literal(r)}" for n, r in enumerate(table.ranking, 1)))
        if any(s.count > 1 for o in table.observed for s in o.values()):
            lines.append("4.5 (2): the mean of 2 observers' scores")
        lines.append(f"←/→ pick a rep, then o or Enter to score them ({LOWEST_SCORE} to {HIGHEST_SCORE}) · Esc: back")
        self.query_one("#team-table-hint", Static).update("\n".join(lines))

    @on(DataTable.ColumnHighlighted, "#team-table")
    def _column_moved(self) -> None:
        self._show_hint()

    def _picked_rep(self) -> int | None:
        if self.table is None:
            return None
        column = self.query_one("#team-table", DataTable).cursor_column - 1
        return column if 0 <= column < len(self.table.reps) else None

    @on(DataTable.ColumnSelected, "#team-table")
    def _column_chosen(self) -> None:
        self.action_observe()

    def action_observe(self) -> None:
        index = self._picked_rep()
        if self.table is None or index is None:
            self.notify("Move to a rep's column first (← →).", severity="warning")
            return
        if not self.table.rubric:
            self.notify("This group's scenario is not on this machine, so there is no rubric to score.")
            return
        from simulator.ui.screens.observe import ObserveScreen

        session = self.table.sessions[index]
        self.app.push_screen(
            ObserveScreen(session.id, self.table.reps[index], self.table.rubric, observer=self.last_observer),
            self._scored,
        )

    def _scored(self, observer: str | None) -> None:
        if observer:
            self.last_observer = observer
            self.refresh_table()
