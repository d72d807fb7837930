"""Shown instead of the app while the terminal is smaller than the screens can be drawn in.

It covers whatever screen is open, so nothing beneath acts on a key: a reply half typed in the call
stays in its box, letters typed meanwhile still go into that box, and Enter waits until the terminal
is big enough to show what it would do.
"""

from __future__ import annotations

from textual import events
from textual.app import ComposeResult
from textual.containers import Center, Middle
from textual.screen import Screen
from textual.widgets import Input, Static

MIN_WIDTH = 60
MIN_HEIGHT = 16


def too_small(width: int, height: int) -> bool:
    return width < MIN_WIDTH or height < MIN_HEIGHT


class TooSmallScreen(Screen):
    DEFAULT_CSS = """
    TooSmallScreen { align: center middle; }
    TooSmallScreen Static { width: auto; max-width: 100%; text-align: center; }
    """

    def compose(self) -> ComposeResult:
        with Middle(), Center():
            yield Static("", id="too-small")

    def on_mount(self) -> None:
        self.show_size(self.app.size.width, self.app.size.height)

    def show_size(self, width: int, height: int) -> None:
        self.query_one("#too-small", Static).update(
            f"Make the window bigger: at least {MIN_WIDTH}×{MIN_HEIGHT} (now {width}×{height}). "
            "Your call is kept; what you type still goes in."
        )

    def on_key(self, event: events.Key) -> None:
        """Letters go on into the text box underneath (the rep keeps typing); nothing else does."""
        stack = self.app.screen_stack
        below = stack[-2].focused if len(stack) > 1 else None
        if not isinstance(below, Input) or below.disabled:
            return
        if event.is_printable and event.character:
            below.insert_text_at_cursor(event.character)
            event.stop()
        elif event.key == "backspace":
            below.action_delete_left()
            event.stop()
