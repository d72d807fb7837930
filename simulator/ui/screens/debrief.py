"""The debrief: the rep's own view first (What? So what? Now what?), then the figures.

The figures stay hidden until the rep has had the chance to reflect; every answer is saved as
soon as the rep moves on, and again on leaving, so nothing typed is lost.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Input, Label, Static

from analysis.coaching.debrief import NEXT_STEP_PROMPT, REFLECTION_PROMPTS
from analysis.coaching.figures import describe_turns
from analysis.coaching.render import evidence_reason, restated_words, strength_evidence
from simulator.domain.customer import CallTurn, CustomerEvent
from simulator.domain.session import PracticeCall
from simulator.domain.team import TEAM_MODE
from simulator.storage import StoreError
from simulator.ui.text import literal


def evidence_text(turns: Sequence[CallTurn], indexes: list[int], persona_name: str, rep_name: str) -> str:
    """The turns behind a figure, each with why it counted."""
    if not indexes:
        return "[dim]No single turn makes this figure; it is counted over the whole call.[/dim]"
    parts = []
    for i in indexes:
        if i >= len(turns):
            continue
        t = turns[i]
        name = persona_name if t.speaker == "customer" else rep_name
        parts.append(f"[b]Turn {i + 1} · {literal(name)}[/b]\n{literal(t.text)}")
        if t.customer and t.speaker == "customer":
            parts.append(
                f"  [dim]→ customer: {str(t.customer.event).replace('_', ' ')}, trust {t.customer.level}[/dim]"
            )
        for e in t.analysis.evidence if t.analysis else ():
            why = f"  [dim]→ {literal(evidence_reason(e))}[/dim]"
            if e.restates:
                why += f"\n  [dim]  restates: {literal(restated_words(e))}[/dim]"
            parts.append(why)
        if t.customer and t.customer.need_id and t.customer.event is CustomerEvent.NEED_REVEALED:
            parts.append("  [dim]→ customer revealed a need[/dim]")
    return "\n".join(parts)


# Below this width the figures and the turns behind them stack instead of sitting side by side.
WIDE = 120


class DebriefScreen(Screen):
    BINDINGS = [
        Binding("ctrl+n", "show_figures", "Show the figures", priority=True),
        Binding("ctrl+s", "save", "Save", priority=True),
        Binding("ctrl+b", "back", "Scenarios", priority=True),
    ]

    def __init__(self, call: PracticeCall):
        super().__init__()
        self.call = call
        self.debrief = call.debrief()
        self.figures_shown = False
        self.saved = False
        if call.mode == TEAM_MODE:  # a hot-seat call goes back to the Team screen, for the hand-over
            self._bindings.key_to_bindings["ctrl+b"] = [Binding("ctrl+b", "back", "Team", priority=True)]

    def compose(self) -> ComposeResult:
        outcome = self.debrief.outcome
        yield Header()
        if outcome is not None:
            yield Static(
                f"[b]Call ended:[/b] {literal(outcome.why_ended or outcome.end_reason_text)} "
                f"Objective: {literal(outcome.objective)} "
                f"({'met' if outcome.objective_met else 'not met this time'}).",
                id="outcome",
            )
        with VerticalScroll(id="debrief"):
            with Vertical(id="reflect"):
                yield Label("Before any numbers: your own view of the call.", classes="section")
                for key, prompt in REFLECTION_PROMPTS:
                    yield Label(prompt)
                    # Not selected on focus: Tab back into an answer and a key would replace it all.
                    yield Input(id=key, placeholder="Type, then Enter", select_on_focus=False)
            with Vertical(id="results"):
                yield Static("", id="previous-focus")
                yield Label("What the call shows (pick a row to see the turns behind it)", classes="section")
                with Horizontal(id="figures-row"):
                    yield DataTable(id="figures", cursor_type="row", zebra_stripes=True)
                    yield Static("", id="evidence")
                yield Static("", id="strengths")
                yield Static("", id="focus")
                yield Label(NEXT_STEP_PROMPT)
                yield Input(
                    id="next_step",
                    placeholder="e.g. Ask three needs questions before I mention the product",
                    select_on_focus=False,
                )
                yield Static("", id="saved")
        yield Footer()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "show_figures":
            return not self.figures_shown
        return True

    def on_mount(self) -> None:
        self.query_one("#results").display = False
        self.query_one("#previous-focus").display = bool(self.debrief.previous_focus or self.debrief.goal_check)
        self.query_one("#what_happened", Input).focus()
        self.sub_title = "Debrief"
        self._fit(self.size.width)

    def on_resize(self, event: events.Resize) -> None:
        self._fit(event.size.width)

    def _fit(self, width: int) -> None:
        """Side by side when wide, stacked when narrow; the table's columns share what is left."""
        self.set_class(width < WIDE, "narrow")
        if self.figures_shown:
            self._fill_table(width)

    def _fill_table(self, width: int) -> None:
        table = self.query_one("#figures", DataTable)
        row = table.cursor_row
        table.clear(columns=True)
        # The table's share of the screen, less the debrief's padding and the table's scrollbar;
        # each column has one cell of padding either side.
        inner = (width if width < WIDE else int(width * 0.6)) - 4 - 2 - 2
        figure = max(12, min(26, inner * 3 // 10))
        turns = max(8, min(16, inner // 5))
        value = max(10, inner - figure - turns - 6)
        table.add_column("Figure", width=figure, key="figure")
        table.add_column("Value", width=value, key="value")
        table.add_column("Turns", width=turns, key="turns")
        for fig in self.debrief.figures:
            # Text, not str: no markup in a figure's wording is meant as style. Rows grow to fit.
            table.add_row(
                Text(fig.label), Text(fig.display), Text(describe_turns(fig.turns)), key=str(fig.key), height=None
            )
        table.move_cursor(row=min(row, table.row_count - 1))

    # --- step 1: reflect -----------------------------------------------------------------
    @on(Input.Submitted)
    def _next_field(self, event: Input.Submitted) -> None:
        keys = [k for k, _ in REFLECTION_PROMPTS]
        if event.input.id in keys:
            position = keys.index(event.input.id)
            if position + 1 < len(keys):
                self.query_one(f"#{keys[position + 1]}", Input).focus()
            else:
                self.action_show_figures()
        elif event.input.id == "next_step":
            self.action_save()

    def answers(self) -> dict[str, str]:
        keys = [k for k, _ in REFLECTION_PROMPTS] + ["next_step"]
        return {k: self.query_one(f"#{k}", Input).value.strip() for k in keys}

    def _persist(self) -> bool:
        try:
            self.call.save_debrief(self.answers(), self.debrief)
        except StoreError as exc:
            self.notify(literal(exc), severity="error", timeout=30)
            return False
        return True

    # --- step 2: the figures -------------------------------------------------------------
    def action_show_figures(self) -> None:
        if self.figures_shown:
            return
        self.figures_shown = True
        self.refresh_bindings()
        self._persist()
        self.query_one("#results").display = True
        table = self.query_one("#figures", DataTable)
        self._fill_table(self.size.width)
        previous = self.debrief.previous_focus
        lines = []
        if previous:
            step = self.debrief.outcome.previous_next_step if self.debrief.outcome else ""
            lines.append(
                f"[b]Last time you chose:[/b] {previous.title}"
                + (f' — "{literal(step)}"' if step else "")
                + f". On this call: {previous.status}."
            )
        check = self.debrief.goal_check
        if check:
            verdict = {True: "green", False: "yellow", None: "dim"}[check.met]
            lines.append(f"[{verdict}]{literal(check.line())}[/{verdict}]")
        if lines:
            self.query_one("#previous-focus", Static).update("\n".join(lines))
        strengths = (
            "\n".join(
                f"[green]+[/green] [b]{s.title}[/b]: {s.text}"
                + (f" [dim]({literal(strength_evidence(s))})[/dim]" if strength_evidence(s) else "")
                for s in self.debrief.strengths
            )
            or "Every call is practice; the figures above are your starting point."
        )
        if self.debrief.also_shown:
            strengths += f"\n[dim]Also shown: {', '.join(self.debrief.also_shown)}.[/dim]"
        self.query_one("#strengths", Static).update(f"[b]What went well[/b]\n{strengths}")
        focus = self.debrief.focus
        self.query_one("#focus", Static).update(
            f"[b]One thing to work on next: {focus.title}[/b]\n"
            + (f"{focus.gap}\n" if focus.gap else "")
            + f"{focus.why}\n[i]Try this:[/i] {focus.try_next}"
        )
        table.focus()
        self._show_evidence(str(self.debrief.figures[0].key))
        # The rep has answered; bring the figures to the top of the view.
        self.call_after_refresh(self.query_one("#results").scroll_visible, top=True, animate=False)

    @on(DataTable.RowHighlighted, "#figures")
    def _figure_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.row_key and event.row_key.value:
            self._show_evidence(event.row_key.value)

    def _show_evidence(self, key: str) -> None:
        fig = self.debrief.figure(key)
        body = f"[b]{fig.label}[/b]: {fig.display}\n"
        if fig.note:
            body += f"[dim]{fig.note}[/dim]\n"
        body += "\n" + evidence_text(self.call.turns, fig.turns, self.call.scenario.persona.name, self.call.rep_name)
        self.query_one("#evidence", Static).update(body)

    # --- saving and leaving --------------------------------------------------------------
    def action_save(self) -> None:
        if not self.figures_shown:
            self.action_show_figures()
            return
        if self._persist():
            self.saved = True
            step = self.answers()["next_step"]
            saved = self.query_one("#saved", Static)
            saved.update(
                "[green]Saved.[/green] "
                + (f'Next time Sparring will ask how "{literal(step)}" went. ' if step else "")
                + "Ctrl+B: another call · F2: history · Ctrl+Q: quit"
            )
            self.call_after_refresh(saved.scroll_visible, animate=False)
            self.notify("Debrief saved.")

    def action_back(self) -> None:
        self._persist()
        self.app.pop_screen()

    def on_unmount(self) -> None:
        # Leaving by any route (quit included) keeps what the rep typed.
        try:
            self.call.save_debrief(self.answers(), self.debrief)
        except Exception:  # the app is closing; the error was already shown on the last explicit save
            return
