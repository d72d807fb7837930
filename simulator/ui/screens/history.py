"""Past sessions, and any one of them as an annotated transcript with its evidence."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.content import Content
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, OptionList, Static
from textual.widgets.option_list import Option

from analysis.coaching.render import evidence_reason, restated_words, turn_tags
from simulator.ui.app_status import sparring_app
from simulator.ui.text import literal


class HistoryScreen(Screen):
    BINDINGS = [Binding("r", "refresh", "Refresh"), Binding("v", "review", "Review with a coach")]

    def compose(self) -> ComposeResult:
        yield Header()
        yield DataTable(id="sessions", cursor_type="row", zebra_stripes=True)
        yield Static("Enter opens a session's transcript.", id="history-hint")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = "History"
        table = self.query_one("#sessions", DataTable)
        table.add_columns("When (UTC)", "Rep", "Scenario", "Turns", "Spoken", "Result", "Focus next")
        self.action_refresh()
        table.focus()

    def on_screen_resume(self) -> None:
        self.action_refresh()

    def action_refresh(self) -> None:
        table = self.query_one("#sessions", DataTable)
        table.clear()
        for s in sparring_app(self).store.sessions():
            # Text, not str: a DataTable reads a str cell as markup, and names are typed by people.
            table.add_row(
                s.started_at[:16].replace("T", " "),
                Text(s.rep_name),
                Text(s.scenario_title or s.scenario_id),
                str(s.turn_count),
                str(s.spoken_turns or ""),
                s.result,
                s.focus_skill or "",
                key=str(s.id),
            )

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
            f"{session.started_at[:16]}"
        )
        if debrief:
            summary += f"\nFocus next: {debrief.focus_skill} · next step: {literal(debrief.next_step or '—')}"
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
