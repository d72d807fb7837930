"""Beside the call: the customer's trust and patience, the needs uncovered so far, the objective,
and a status line."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static

from simulator.domain.customer import CallSnapshot
from simulator.ui.text import literal

# Few turns left: the rep should propose now or lose the chance.
PATIENCE_WARNING = 2


def patience_line(turns_left: int | None, patience: int | None) -> str:
    """ "Patience  5 turns left" over a bar that empties as the turns are used, yellow near the end."""
    if turns_left is None:
        return ""
    words = f"{turns_left} turn{'' if turns_left == 1 else 's'} left"
    if turns_left <= PATIENCE_WARNING:
        words = f"[yellow]{words}[/yellow]"
    line = f"[b]Patience[/b]  {words}"
    if patience:
        left = min(turns_left, patience)
        line += "\n" + "■" * left + "[dim]" + "□" * (patience - left) + "[/dim]"
    return line


class CallSidebar(Vertical):
    def __init__(self, objective: str, patience: int | None = None, *, id: str | None = None):
        super().__init__(id=id)
        self.objective = objective
        self.patience = patience  # the customer's patience in rep turns, when the scenario sets it

    def compose(self) -> ComposeResult:
        yield Static("", id="trust")
        yield Static("", id="patience")
        yield Static("", id="needs")
        yield Static(f"[b]Objective[/b]\n{literal(self.objective)}", id="objective")
        goal = Static("", id="sidebar-goal")
        goal.display = False  # shown only when the rep has a goal from last time
        yield goal
        yield Static("", id="call-status")

    def show(self, snapshot: CallSnapshot) -> None:
        trust = self.query_one("#trust", Static)
        trust.update(f"[b]Trust[/b]  {snapshot.level.upper()}")
        trust.set_classes(f"trust-{snapshot.level}")
        self.query_one("#patience", Static).update(patience_line(snapshot.turns_left, self.patience))
        lines = [f"[b]Needs uncovered[/b]  {len(snapshot.needs_uncovered)} of {snapshot.needs_total}"]
        lines += [f"• {literal(n.title)}" for n in snapshot.needs_uncovered]
        self.query_one("#needs", Static).update("\n".join(lines))

    def goal(self, text: str) -> None:
        """The goal agreed last time, kept in view for the whole call (markup: callers escape)."""
        box = self.query_one("#sidebar-goal", Static)
        box.update(text)
        box.display = bool(text)

    def status(self, text: str) -> None:
        """A one-line note on what just happened (markup: callers escape people's text)."""
        self.query_one("#call-status", Static).update(text)
