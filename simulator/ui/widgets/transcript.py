"""The call's transcript: the customer's lines and the rep's, each rep turn tagged with what it counted as."""

from __future__ import annotations

from textual.containers import VerticalScroll
from textual.widgets import Static

from simulator.ui.text import literal


class TurnView(Static):
    """One line of the transcript."""

    def __init__(self, speaker: str, name: str, text: str, tags: str = ""):
        super().__init__(self.markup(name, text, tags), classes=f"turn {speaker}")

    @staticmethod
    def markup(name: str, text: str, tags: str = "") -> str:
        # The name on a line of its own: run together, "Dana OkaforHi, Dana here" reads as one word.
        body = f"[b]{literal(name)}[/b]\n{literal(text)}"
        return body + f"\n[dim]{tags}[/dim]" if tags else body


class CallTranscript(VerticalScroll):
    """Turns in the order they were said, kept scrolled to the newest."""

    def add_turn(self, speaker: str, name: str, text: str, tags: str = "") -> None:
        self.mount(TurnView(speaker, name, text, tags))
        self.scroll_end(animate=False)

    def tag_last_rep_turn(self, name: str, text: str, tags: str) -> None:
        """The rep's turn shows at once; its tags follow when the analysis is in."""
        turns = self.query(".turn.rep")
        if turns:
            turns.last(TurnView).update(TurnView.markup(name, text, tags))

    def take_back_last_rep_turn(self) -> None:
        """A reply that was not saved leaves the transcript (it goes back into the reply box)."""
        turns = self.query(".turn.rep")
        if turns:
            turns.last().remove()
