"""Beside the call: the customer's trust, the needs uncovered so far, the objective, and a status line."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static

from simulator.domain.customer import CallSnapshot
from simulator.ui.text import literal


class CallSidebar(Vertical):
    def __init__(self, objective: str, *, id: str | None = None):
        super().__init__(id=id)
        self.objective = objective

    def compose(self) -> ComposeResult:
        yield Static("", id="trust")
        yield Static("", id="needs")
        yield Static(f"[b]Objective[/b]\n{literal(self.objective)}", id="objective")
        yield Static("", id="call-status")

    def show(self, snapshot: CallSnapshot) -> None:
        trust = self.query_one("#trust", Static)
        trust.update(f"[b]Trust[/b]  {snapshot.level.upper()}")
        trust.set_classes(f"trust-{snapshot.level}")
        lines = [f"[b]Needs uncovered[/b]  {len(snapshot.needs_uncovered)} of {snapshot.needs_total}"]
        lines += [f"• {literal(n.title)}" for n in snapshot.needs_uncovered]
        self.query_one("#needs", Static).update("\n".join(lines))

    def status(self, text: str) -> None:
        """A one-line note on what just happened (markup: callers escape people's text)."""
        self.query_one("#call-status", Static).update(text)
