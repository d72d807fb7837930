"""The call: the customer's lines, the rep's typed replies, trust and needs beside them."""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, Input, Static

from simulator.messages import AnalyzerFailed, ReplyAnalysed, ReplyFailed
from simulator.scenario import Scenario
from simulator.session import PracticeCall
from simulator.storage import StoreError
from simulator.storage.store import now


def turn_labels(analysis: dict | None) -> str:
    """A short tag line under a rep turn: what the analyzer counted it as."""
    if not analysis:
        return ""
    tags = []
    if analysis.get("is_question"):
        tags.append(f"{analysis['question_type']} question")
    if analysis.get("is_needs_question"):
        tags.append(f"needs: {analysis['spin'].replace('_', '-')}")
    if analysis.get("is_paraphrase"):
        tags.append("paraphrase")
    if analysis.get("is_pitch"):
        tags.append("pitch")
    return " · ".join(tags)


class Turn(Static):
    """One line of the transcript."""

    def __init__(self, speaker: str, name: str, text: str, labels: str = ""):
        body = f"[b]{name}[/b]  {text}"
        if labels:
            body += f"\n[dim]{labels}[/dim]"
        super().__init__(body, classes=f"turn {speaker}")


class CallScreen(Screen):
    BINDINGS = [
        Binding("ctrl+e", "end_call", "End call", priority=True),
        Binding("escape", "focus_reply", "Reply", show=False),
    ]

    def __init__(self, scenario: Scenario, rep_name: str):
        super().__init__()
        self.scenario = scenario
        self.rep_name = rep_name
        self.call: PracticeCall | None = None
        self.waiting = False

    def compose(self) -> ComposeResult:
        p = self.scenario.persona
        yield Header()
        yield Static(f"[b]{p.name}[/b] · {p.role}, {p.company} · {p.mood}", id="persona")
        with Horizontal(id="call"):
            yield VerticalScroll(id="transcript")
            with Vertical(id="sidebar"):
                yield Static("", id="trust")
                yield Static("", id="needs")
                yield Static(f"[b]Objective[/b]\n{self.scenario.objective.description}", id="objective")
                yield Static("", id="call-status")
        yield Input(placeholder="Type your reply and press Enter (Ctrl+E ends the call)", id="reply")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = self.scenario.title
        try:
            self.call = PracticeCall(self.app.store, self.scenario, self.rep_name)
            opening = self.call.start()
        except StoreError as exc:
            self.notify(str(exc), severity="error", timeout=30)
            self.app.pop_screen()
            return
        self._add_turn("customer", opening.text)
        self._update_sidebar()
        if self.call.goal and self.call.goal.get("next_step"):
            self._status(f"Your goal from last time: {self.call.goal['next_step']}")
        if self.app.analyzer is None and self.app.analyzer_error is None:
            self._status("Loading the language model… you can start typing.")
        self.query_one("#reply", Input).focus()

    # --- transcript and sidebar ----------------------------------------------------------
    def _add_turn(self, speaker: str, text: str, labels: str = "") -> None:
        name = self.scenario.persona.name if speaker == "customer" else self.rep_name
        transcript = self.query_one("#transcript", VerticalScroll)
        transcript.mount(Turn(speaker, name, text, labels))
        transcript.scroll_end(animate=False)

    def _update_sidebar(self) -> None:
        assert self.call is not None
        snap = self.call.engine.snapshot()
        level = snap["level"]
        trust = self.query_one("#trust", Static)
        trust.update(f"[b]Trust[/b]  {level.upper()}")
        trust.set_classes(f"trust-{level}")
        lines = [f"[b]Needs uncovered[/b]  {len(snap['needs_uncovered'])} of {snap['needs_total']}"]
        lines += [f"• {n['title']}" for n in snap["needs_uncovered"]]
        self.query_one("#needs", Static).update("\n".join(lines))

    def _status(self, text: str) -> None:
        self.query_one("#call-status", Static).update(text)

    def action_focus_reply(self) -> None:
        self.query_one("#reply", Input).focus()

    # --- a reply: analysed in a worker, applied on the main thread -----------------------
    @on(Input.Submitted, "#reply")
    def _reply(self, event: Input.Submitted) -> None:
        text = event.value.strip()
        if not text or self.call is None or self.call.ended:
            return
        if self.waiting:
            self.notify("One moment: the customer is still answering your last reply.")
            return
        if self.app.analyzer_error:
            self.notify(f"Replies cannot be analysed: {self.app.analyzer_error}", severity="error")
            return
        event.input.value = ""
        self.waiting = True
        self._add_turn("rep", text)
        self._status("…")
        self.analyse(text, self.call.last_customer_text, self.call.product_terms, now())

    @work(thread=True, exclusive=True, exit_on_error=False, group="reply")
    def analyse(self, text: str, previous: str, products: tuple[str, ...], started_at: str) -> None:
        try:
            analyzer = self.app.wait_for_analyzer()
            analysis = analyzer.analyze_turn(text, previous, products)
        except Exception as exc:  # reported with the reply text, so the reply is not lost
            self.post_message(ReplyFailed(text, str(exc)))
            return
        self.post_message(ReplyAnalysed(text, analysis, started_at))

    def on_reply_analysed(self, message: ReplyAnalysed) -> None:
        assert self.call is not None
        self.waiting = False
        try:
            line = self.call.rep_turn(message.text, message.analysis, started_at=message.started_at)
        except StoreError as exc:
            self.notify(str(exc), severity="error", timeout=30)
            self._status("[red]Not saved.[/red] Fix the database problem, then end the call.")
            return
        # Replace the placeholder turn's tag line now that the analysis is in.
        turns = self.query(".turn.rep")
        if turns:
            turns.last().update(f"[b]{self.rep_name}[/b]  {message.text}\n[dim]{turn_labels(message.analysis)}[/dim]")
        self._add_turn("customer", line.text)
        self._update_sidebar()
        self._status(_event_hint(line.event))
        if line.ended:
            self._to_debrief()

    def on_reply_failed(self, message: ReplyFailed) -> None:
        self.waiting = False
        self.query(".turn.rep").last().remove()
        self.query_one("#reply", Input).value = message.text
        self.notify(f"That reply could not be analysed: {message.error}", severity="error", timeout=20)

    def on_analyzer_failed(self, message: AnalyzerFailed) -> None:
        self._status(f"[red]Language model failed:[/red] {message.error}")

    def on_analyzer_ready(self) -> None:
        if self.call and not self.waiting:
            self._status("")

    def action_end_call(self) -> None:
        if self.call is None or self.call.ended:
            return
        if self.waiting:
            self.notify("One moment: your last reply is still being answered.")
            return
        line = self.call.end_by_rep()
        self._add_turn("customer", line.text)
        self._to_debrief()

    def _to_debrief(self) -> None:
        from simulator.screens.debrief import DebriefScreen

        self.query_one("#reply", Input).disabled = True
        self.app.switch_screen(DebriefScreen(self.call))


def _event_hint(event: str) -> str:
    """A nudge about what just happened, worded as information, never as a verdict."""
    return {
        "need_revealed": "The customer shared a need.",
        "guarded": "The customer held back: more trust may open this up.",
        "objection": "The customer pushed back on the pitch.",
        "acknowledged_paraphrase": "The customer felt heard.",
        "objective_not_yet": "The customer is not ready for that yet.",
    }.get(event, "")
