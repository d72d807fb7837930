"""An observer scores one rep's call on the scenario's rubric, 1 to 5 a line, with a short note.

A box per rubric line takes one digit; a line left blank is not scored. Scoring the same call
again under the same name replaces that observer's earlier scores (they are shown to start from).
The screen saves on the main thread and closes with the observer's name; a failed save keeps it
open with everything typed.
"""

from __future__ import annotations

from collections.abc import Sequence

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Footer, Input, Label, Static

from analysis.coaching.observers import (
    HIGHEST_SCORE,
    LOWEST_SCORE,
    Criterion,
    ObserverScoring,
    ScoreError,
    check_scores,
)
from simulator.storage import StoreError
from simulator.ui.app_status import sparring_app
from simulator.ui.text import literal


class ObserveScreen(ModalScreen[str | None]):
    """Returns the observer's name once their scores are saved, None if they cancel."""

    BINDINGS = [
        Binding("ctrl+s", "save", "Save scores", priority=True),
        Binding("escape", "cancel", "Cancel"),
    ]

    def __init__(self, session_id: int, rep: str, rubric: Sequence[Criterion], *, observer: str = ""):
        super().__init__()
        self.session_id = session_id
        self.rep = rep
        self.rubric = tuple(rubric)
        self.observer = observer
        # Scores put in the boxes from an earlier scoring: their change events do not move the focus.
        self._filled: dict[str, str] = {}

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="observe-box"):
            yield Static(
                f"[b]Score {literal(self.rep)}'s call[/b]: {LOWEST_SCORE} (not seen) to {HIGHEST_SCORE} "
                "(done very well); leave a line blank to skip it.",
                id="observe-title",
            )
            with Horizontal(classes="observe-line"):
                yield Label("Your name", classes="observe-label")
                yield Input(self.observer, placeholder="Who is scoring?", id="observer", compact=True)
            for i, criterion in enumerate(self.rubric):
                with Horizontal(classes="observe-line"):
                    yield Input(
                        id=f"score-{i}",
                        restrict=f"[{LOWEST_SCORE}-{HIGHEST_SCORE}]?",
                        max_length=1,
                        compact=True,
                        classes="observe-score",
                    )
                    yield Label(literal(criterion.title), classes="observe-criterion")
            with Horizontal(classes="observe-line"):
                yield Label("Note", classes="observe-label")
                yield Input(
                    placeholder="Something for the group to talk about (optional)", id="observe-note", compact=True
                )
        yield Footer()

    def on_mount(self) -> None:
        if self.observer:
            self._fill_earlier(self.observer)
            self.query_one("#score-0", Input).focus()
        else:
            self.query_one("#observer", Input).focus()

    def _fill_earlier(self, observer: str) -> None:
        """This observer's earlier scores of the call, to change rather than retype."""
        try:
            scorings = sparring_app(self).store.observer_scorings([self.session_id])[self.session_id]
        except StoreError as exc:
            self.notify(literal(exc), severity="error", timeout=30)
            return
        name = " ".join(observer.split()).lower()
        earlier = next((s for s in scorings if s.observer.lower() == name), None)
        if earlier is None:
            return
        for i, criterion in enumerate(self.rubric):
            score = earlier.score(criterion.id)
            box = self.query_one(f"#score-{i}", Input)
            value = "" if score is None else str(score)
            if box.value != value:
                self._filled[f"score-{i}"] = value
                box.value = value
        self.query_one("#observe-note", Input).value = earlier.note

    @on(Input.Submitted)
    def _next_box(self, event: Input.Submitted) -> None:
        if event.input.id == "observer":
            self._fill_earlier(event.value)
        if event.input.id == "observe-note":
            self.action_save()
        else:
            self.focus_next()

    @on(Input.Changed, ".observe-score")
    def _typed_score(self, event: Input.Changed) -> None:
        # One digit per line: move on as soon as it is typed.
        if self._filled.pop(event.input.id or "", None) == event.value:
            return
        if event.value:
            self.focus_next()

    def action_save(self) -> None:
        observer = " ".join(self.query_one("#observer", Input).value.split())
        if not observer:
            self.notify("Type your name first: each observer's scores are kept apart.", severity="warning")
            self.query_one("#observer", Input).focus()
            return
        given = {
            c.id: int(value)
            for i, c in enumerate(self.rubric)
            if (value := self.query_one(f"#score-{i}", Input).value.strip())
        }
        if not given:
            self.notify(f"Score at least one line, {LOWEST_SCORE} to {HIGHEST_SCORE}.", severity="warning")
            self.query_one("#score-0", Input).focus()
            return
        try:
            scores = check_scores(self.rubric, given)
            sparring_app(self).store.save_observer_scores(
                self.session_id,
                ObserverScoring(observer, scores, self.query_one("#observe-note", Input).value),
                {c.id: c.title for c in self.rubric},
            )
        except (ScoreError, StoreError) as exc:
            self.notify(literal(exc), severity="error", timeout=30)
            return
        self.notify(f"Saved {literal(observer)}'s scores of {literal(self.rep)}'s call.")
        self.dismiss(observer)

    def action_cancel(self) -> None:
        self.dismiss(None)
