"""The debrief: the rep's own view first (What? So what? Now what?), then the figures.

The figures stay hidden until the rep has had the chance to reflect; every answer is saved as
soon as the rep moves on, and again on leaving, so nothing typed is lost.
"""

from __future__ import annotations

from collections.abc import Sequence

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Input, Label, Static

from analysis.coaching.debrief import NEXT_STEP_PROMPT, REFLECTION_PROMPTS
from analysis.coaching.figures import describe_turns
from analysis.coaching.render import evidence_reason, restated_words
from simulator.domain.customer import CallTurn, CustomerEvent
from simulator.domain.session import PracticeCall
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
        for e in t.analysis.evidence if t.analysis else ():
            why = f"  [dim]→ {literal(evidence_reason(e))}[/dim]"
            if e.restates:
                why += f"\n  [dim]  restates: {literal(restated_words(e))}[/dim]"
            parts.append(why)
        if t.customer and t.customer.need_id and t.customer.event is CustomerEvent.NEED_REVEALED:
            parts.append("  [dim]→ customer revealed a need[/dim]")
    return "\n".join(parts)


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

    def compose(self) -> ComposeResult:
        outcome = self.debrief.outcome
        yield Header()
        if outcome is not None:
            yield Static(
                f"[b]Call ended:[/b] {literal(outcome.end_reason_text)}. "
                f"Objective: {literal(outcome.objective)} "
                f"({'met' if outcome.objective_met else 'not met this time'}).",
                id="outcome",
            )
        with VerticalScroll(id="debrief"):
            with Vertical(id="reflect"):
                yield Label("Before any numbers: your own view of the call.", classes="section")
                for key, prompt in REFLECTION_PROMPTS:
                    yield Label(prompt)
                    yield Input(id=key, placeholder="Type, then Enter")
            with Vertical(id="results"):
                yield Static("", id="previous-focus")
                yield Label("What the call shows (pick a row to see the turns behind it)", classes="section")
                with Horizontal(id="figures-row"):
                    yield DataTable(id="figures", cursor_type="row", zebra_stripes=True)
                    yield Static("", id="evidence")
                yield Static("", id="strengths")
                yield Static("", id="focus")
                yield Label(NEXT_STEP_PROMPT)
                yield Input(id="next_step", placeholder="e.g. Ask three needs questions before I mention the product")
                yield Static("", id="saved")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#results").display = False
        self.query_one("#what_happened", Input).focus()
        self.sub_title = "Debrief"

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
        self._persist()
        self.query_one("#results").display = True
        table = self.query_one("#figures", DataTable)
        table.add_columns("Figure", "Value", "Turns")
        for fig in self.debrief.figures:
            table.add_row(fig.label, fig.display, describe_turns(fig.turns), key=str(fig.key))
        previous = self.debrief.previous_focus
        if previous:
            shown = (
                f"yes ({previous.where})"
                if previous.shown and previous.where
                else ("yes" if previous.shown else "not yet this time")
            )
            step = self.debrief.outcome.previous_next_step if self.debrief.outcome else ""
            self.query_one("#previous-focus", Static).update(
                f"[b]Last time you chose:[/b] {previous.title}"
                + (f' — "{literal(step)}"' if step else "")
                + f". On this call: {shown}."
            )
        strengths = (
            "\n".join(
                f"[green]+[/green] [b]{s.title}[/b]: {s.text}" + (f" [dim]({s.where})[/dim]" if s.where else "")
                for s in self.debrief.strengths
            )
            or "Every call is practice; the figures above are your starting point."
        )
        self.query_one("#strengths", Static).update(f"[b]What went well[/b]\n{strengths}")
        focus = self.debrief.focus
        self.query_one("#focus", Static).update(
            f"[b]One thing to work on next: {focus.title}[/b]\n"
            + (f"{focus.gap}\n" if focus.gap else "")
            + f"{focus.why}\n[i]Try this:[/i] {focus.try_next}"
        )
        table.focus()
        self._show_evidence(str(self.debrief.figures[0].key))

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
            self.query_one("#saved", Static).update(
                "[green]Saved.[/green] "
                + (f'Next time Sparring will ask how "{step}" went. ' if step else "")
                + "Ctrl+B: another call · F2: history · Ctrl+Q: quit"
            )
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
