"""Past sessions, and any one of them as an annotated transcript with its evidence."""

from __future__ import annotations

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.content import Content
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, OptionList, Static
from textual.widgets.option_list import Option

from analysis.coaching.render import evidence_reason, restated_words, turn_tags
from analysis.coaching.skills import skill_title
from simulator.storage.store import SessionSummary, local_time
from simulator.ui.app_status import sparring_app
from simulator.ui.text import literal

# From this width the history shows the turn counts too.
WIDE = 120


class HistoryScreen(Screen):
    BINDINGS = [Binding("r", "refresh", "Refresh"), Binding("v", "review", "Review with a coach")]

    def compose(self) -> ComposeResult:
        yield Header()
        yield DataTable(id="sessions", cursor_type="row", zebra_stripes=True)
        yield Static("Enter opens a session's transcript.", id="history-hint")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = "History"
        self.action_refresh()
        self.query_one("#sessions", DataTable).focus()

    def on_screen_resume(self) -> None:
        self.action_refresh()

    def on_resize(self, event: events.Resize) -> None:
        self.action_refresh()

    def action_refresh(self) -> None:
        table = self.query_one("#sessions", DataTable)
        row = table.cursor_row
        table.clear(columns=True)
        # Every column fits the screen: the long ones (scenario, focus) wrap, and a narrow screen
        # leaves out the counts, which the transcript shows anyway.
        wide = self.size.width >= WIDE
        long_column = max(12, (self.size.width - (70 if wide else 48)) // 2)
        table.add_column("When", key="when")
        table.add_column("Rep", key="rep")
        table.add_column("Scenario", width=long_column, key="scenario")
        if wide:
            table.add_column("Turns", key="turns")
            table.add_column("Spoken", key="spoken")
        table.add_column("Result", key="result")
        table.add_column("Focus next", width=long_column, key="focus")
        for s in sparring_app(self).store.sessions():
            # Text, not str: a DataTable reads a str cell as markup, and names are typed by people.
            counts = [str(s.turn_count), str(s.spoken_turns or "")] if wide else []
            table.add_row(
                local_time(s.started_at),
                Text(s.rep_name),
                Text(_scenario_cell(s)),
                *counts,
                s.result,
                Text(skill_title(s.focus_skill)),
                key=str(s.id),
                height=None,
            )
        if table.row_count:
            table.move_cursor(row=min(row, table.row_count - 1))

    def action_review(self) -> None:
        from simulator.ui.screens.review import ReviewScreen

        table = self.query_one("#sessions", DataTable)
        if table.row_count:
            key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
            if key is not None:
                self.app.push_screen(ReviewScreen(int(key)))

    @on(DataTable.RowSelected, "#sessions")
    def _open(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value is not None:
            self.app.push_screen(TranscriptScreen(int(event.row_key.value)))


class TranscriptScreen(Screen):
    """One session turn by turn; the highlighted turn's evidence shows beside it."""

    BINDINGS = [Binding("escape", "app.pop_screen", "Back")]

    def __init__(self, session_id: int):
        super().__init__()
        self.session_id = session_id

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="session-summary")
        with Horizontal(id="transcript-view"):
            yield OptionList(id="turns")
            yield Static("", id="turn-evidence")
        yield Footer()

    def on_mount(self) -> None:
        store = sparring_app(self).store
        session = store.session(self.session_id)
        self.turns = store.turns(self.session_id)
        debrief = store.debrief(self.session_id)
        self.sub_title = f"Session {self.session_id}"
        summary = (
            f"[b]{literal(session.rep_name)}[/b] · {literal(session.scenario_title or session.scenario_id)} · "
            f"{local_time(session.started_at)} · {session.result}"
        )
        if debrief:
            summary += f"\nFocus next: {skill_title(debrief.focus_skill) or '—'} · next step: {literal(debrief.next_step or '—')}"
        self.query_one("#session-summary", Static).update(summary)
        options = self.query_one("#turns", OptionList)
        for t in self.turns:
            who = "Customer" if t.speaker == "customer" else session.rep_name
            labels = turn_tags(t.analysis)
            options.add_option(
                Option(Content(f"{t.index + 1:>3} {who}: {t.text}" + (f"  [{labels}]" if labels else "")))
            )
        if self.turns:
            options.highlighted = 0
        options.focus()

    @on(OptionList.OptionHighlighted, "#turns")
    def _show(self, event: OptionList.OptionHighlighted) -> None:
        t = self.turns[event.option_index]
        lines = [f"[b]Turn {t.index + 1}[/b] ({t.speaker})"]
        for e in t.analysis.evidence if t.analysis else ():
            lines.append(f"• {literal(evidence_reason(e))}\n  “{literal(e.text)}”")
            if e.restates:
                lines.append(f"  restates: {literal(restated_words(e))}")
        if t.analysis and not t.analysis.evidence:
            lines.append("Not counted as a question, paraphrase or pitch.")
        if t.customer:
            c = t.customer
            lines.append(f"Customer's move: {str(c.event).replace('_', ' ')} · trust {c.level} ({c.trust_after})")
        self.query_one("#turn-evidence", Static).update("\n".join(lines))


def _scenario_cell(session: SessionSummary) -> str:
    """The scenario's title, and who played the customer when a person did."""
    title = session.scenario_title or session.scenario_id
    return f"{title} (customer: {session.customer_played_by})" if session.customer_played_by else title
