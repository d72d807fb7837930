"""The call: the customer's lines, the rep's replies (spoken or typed), trust and needs beside them."""

from __future__ import annotations

import threading
import time

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, Input, Static

from simulator.ui.messages import (AnalyzerFailed, CaptionChanged, LevelChanged, RecordingFailed, ReplyAnalysed,
                                ReplyFailed, SpokenReply)
from simulator.domain.scenario import Scenario
from simulator.ui.screens import literal
from simulator.domain.session import PracticeCall
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
        super().__init__(self.markup(name, text, labels), classes=f"turn {speaker}")

    @staticmethod
    def markup(name: str, text: str, labels: str = "") -> str:
        body = f"[b]{literal(name)}[/b]  {literal(text)}"
        return body + f"\n[dim]{labels}[/dim]" if labels else body


class CallScreen(Screen):
    BINDINGS = [
        Binding("ctrl+t", "talk", "Talk / stop", priority=True),
        Binding("ctrl+g", "hands_free", "Hands-free on/off", priority=True),
        Binding("ctrl+e", "end_call", "End call", priority=True),
        Binding("escape", "focus_reply", "Reply", show=False),
    ]

    def __init__(self, scenario: Scenario, rep_name: str):
        super().__init__()
        self.scenario = scenario
        self.rep_name = rep_name
        self.call: PracticeCall | None = None
        self.waiting = False
        self.recording: threading.Event | None = None  # set() stops the recording in progress
        self.recording_started_at = 0.0
        self.customer_done_at = 0.0

    def compose(self) -> ComposeResult:
        p = self.scenario.persona
        yield Header()
        yield Static(f"[b]{literal(p.name)}[/b] · " + literal(f"{p.role}, {p.company} · {p.mood}"), id="persona")
        with Horizontal(id="call"):
            yield VerticalScroll(id="transcript")
            with Vertical(id="sidebar"):
                yield Static("", id="trust")
                yield Static("", id="needs")
                yield Static(f"[b]Objective[/b]\n{literal(self.scenario.objective.description)}", id="objective")
                yield Static("", id="call-status")
        yield Static("", id="mic")
        yield Input(placeholder="Type your reply and press Enter (Ctrl+E ends the call)", id="reply")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = self.scenario.title
        try:
            self.call = PracticeCall(self.app.store, self.scenario, self.rep_name)
            opening = self.call.start()
        except StoreError as exc:
            self.notify(literal(exc), severity="error", timeout=30)
            self.app.pop_screen()
            return
        self._add_turn("customer", opening.text)
        self._update_sidebar()
        if self.call.goal and self.call.goal.get("next_step"):
            self._status(f"Your goal from last time: {literal(self.call.goal['next_step'])}")
        if self.app.analyzer is None and self.app.analyzer_error is None:
            self._status("Loading the language model… you can start typing.")
        self._show_mic()
        self.query_one("#reply", Input).focus()

    # --- transcript and sidebar ----------------------------------------------------------
    def _add_turn(self, speaker: str, text: str, labels: str = "") -> None:
        if speaker == "customer":
            # When the customer's line is on screen; the rep's response time counts from here.
            self.customer_done_at = time.monotonic()
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
        lines += [f"• {literal(n['title'])}" for n in snap["needs_uncovered"]]
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
            self.notify(f"Replies cannot be analysed: {literal(self.app.analyzer_error)}", severity="error")
            return
        event.input.value = ""
        self.waiting = True
        self._add_turn("rep", text)
        self._status("…")
        self.analyse(text, self.call.last_customer_text, self.call.product_terms, now())

    @work(thread=True, exclusive=True, exit_on_error=False, group="reply")
    def analyse(self, text: str, previous: str, products: tuple[str, ...], started_at: str,
                speech: dict | None = None, audio_path: str | None = None) -> None:
        try:
            analyzer = self.app.wait_for_analyzer()
            analysis = analyzer.analyze_turn(text, previous, products)
        except Exception as exc:  # reported with the reply text, so the reply is not lost
            self.post_message(ReplyFailed(text, str(exc)))
            return
        if speech is not None:
            analysis["speech"] = speech
        self.post_message(ReplyAnalysed(text, analysis, started_at, audio_path))

    # --- speaking: recorded in a worker, transcribed while the rep talks -----------------
    def _show_mic(self, level: float | None = None) -> None:
        voice = self.app.voice
        mode = f"hands-free, ends after {voice.end_pause:.1f} s of silence" if voice.hands_free else "push to talk"
        if self.recording is not None and level is not None:
            from simulator.audio.recording import meter

            text = f"[red]● recording[/red] {meter(level)}  Ctrl+T to stop · {mode}"
        elif self.recording is not None:
            text = f"[red]● recording[/red]  Ctrl+T to stop · {mode}"
        elif self.app.transcriber is not None:
            text = f"Ctrl+T to speak your reply ({mode}) · or type below"
        elif self.app.transcriber_error:
            text = f"[yellow]Speech unavailable:[/yellow] {literal(self.app.transcriber_error)}. Type your replies."
        else:
            text = "Speech model loading… type your replies meanwhile."
        self.query_one("#mic", Static).update(text)

    def on_transcriber_ready(self) -> None:
        self._show_mic()

    def on_transcriber_failed(self) -> None:
        self._show_mic()

    def action_hands_free(self) -> None:
        self.app.voice.hands_free = not self.app.voice.hands_free
        self._show_mic()

    def action_talk(self) -> None:
        if self.recording is not None:
            self.recording.set()  # push-to-talk: the second press ends the turn
            self._status("Finishing the transcript…")
            return
        if self.call is None or self.call.ended or self.waiting:
            return
        if self.app.transcriber is None:
            self.notify(literal(self.app.transcriber_error or "The speech model is still loading; type for now."),
                        severity="warning")
            return
        try:
            source = self.app.audio_source_factory()
        except Exception as exc:  # no microphone: say so, keep the call going with typing
            self.notify(literal(exc), severity="error", timeout=20)
            self._status("Typing your replies: no microphone.")
            return
        self.recording = threading.Event()
        self.recording_started_at = time.monotonic()
        self._show_mic()
        self.record(source, self.recording)

    @work(thread=True, exclusive=True, exit_on_error=False, group="recording")
    def record(self, source, stop: threading.Event) -> None:
        from simulator.audio.recording import record_turn

        voice = self.app.voice
        last = 0.0

        def level(dbfs: float) -> None:
            nonlocal last
            if time.monotonic() - last >= 0.1:  # the meter needs ten updates a second, not more
                last = time.monotonic()
                self.post_message(LevelChanged(dbfs))

        try:
            turn = record_turn(source, self.app.transcriber, stop=stop, hands_free=voice.hands_free,
                               end_pause=voice.end_pause, on_level=level,
                               on_caption=lambda text: self.post_message(CaptionChanged(text)))
        except Exception as exc:  # the microphone failed mid-turn: typing takes over
            self.post_message(RecordingFailed(str(exc)))
            return
        self.post_message(SpokenReply(turn.transcript, turn.audio, turn.ended_by))

    def on_level_changed(self, message: LevelChanged) -> None:
        if self.recording is not None:
            self._show_mic(message.dbfs)

    def on_caption_changed(self, message: CaptionChanged) -> None:
        if self.recording is not None and message.text:
            self._status(f"[dim]Heard so far:[/dim] {literal(message.text)}")

    def on_recording_failed(self, message: RecordingFailed) -> None:
        self.recording = None
        self._show_mic()
        self.notify(literal(message.error), severity="error", timeout=20)
        self._status("Type your reply below.")
        self.query_one("#reply", Input).focus()

    def on_spoken_reply(self, message: SpokenReply) -> None:
        self.recording = None
        self._show_mic()
        transcript = message.transcript
        if self.call is None or self.call.ended:
            return
        if not transcript.text:
            self._status("No speech heard. Press Ctrl+T and try again, or type.")
            return
        from simulator.audio.recording import save_wav

        audio_path = None
        try:
            folder = self.app.store.path.parent / "audio" / f"session-{self.call.session_id}"
            audio_path = str(save_wav(folder / f"turn-{len(self.call.turns):03d}.wav", message.audio))
        except OSError as exc:  # the reply still counts; only its recording is lost
            self.notify(f"Could not keep the recording ({literal(exc)}); the transcript is saved.", severity="warning")
        speech = transcript.speech_summary()
        if transcript.words:
            # From the customer's line appearing to the rep's first word.
            speech["response_time"] = round(self.recording_started_at - self.customer_done_at
                                            + transcript.words[0]["start"], 2)
        self.waiting = True
        self._add_turn("rep", transcript.text)
        self._status("…")
        self.analyse(transcript.text, self.call.last_customer_text, self.call.product_terms, now(),
                     speech, audio_path)

    def on_reply_analysed(self, message: ReplyAnalysed) -> None:
        assert self.call is not None
        self.waiting = False
        saved_before = len(self.call.turns)
        try:
            line = self.call.rep_turn(message.text, message.analysis, started_at=message.started_at,
                                      audio_path=message.audio_path)
        except StoreError as exc:
            self.notify(literal(exc), severity="error", timeout=30)
            if len(self.call.turns) == saved_before:
                # The reply itself was not saved and the customer has not reacted: give it back.
                self.query(".turn.rep").last().remove()
                self.query_one("#reply", Input).value = message.text
                self._status("[red]Not saved.[/red] Your reply is back in the box: press Enter to try again.")
            else:
                self._status("[red]The customer's answer was not saved.[/red] Fix the database, then end the call.")
            return
        # Replace the placeholder turn's tag line now that the analysis is in.
        turns = self.query(".turn.rep")
        if turns:
            turns.last().update(Turn.markup(self.rep_name, message.text, turn_labels(message.analysis)))
        self._add_turn("customer", line.text)
        self._update_sidebar()
        self._status(_event_hint(line.event))
        if line.ended:
            self._to_debrief()

    def on_reply_failed(self, message: ReplyFailed) -> None:
        self.waiting = False
        self.query(".turn.rep").last().remove()
        self.query_one("#reply", Input).value = message.text
        self.notify(f"That reply could not be analysed: {literal(message.error)}", severity="error", timeout=20)

    def on_analyzer_failed(self, message: AnalyzerFailed) -> None:
        self._status(f"[red]Language model failed:[/red] {literal(message.error)}")

    def on_analyzer_ready(self) -> None:
        if self.call and not self.waiting:
            self._status("")

    def action_end_call(self) -> None:
        if self.call is None or self.call.ended:
            return
        if self.waiting:
            self.notify("One moment: your last reply is still being answered.")
            return
        if self.recording is not None:
            self.recording.set()
        line = self.call.end_by_rep()
        self._add_turn("customer", line.text)
        self._to_debrief()

    def on_unmount(self) -> None:
        # Quitting mid-recording: stop the microphone thread rather than leave it running.
        if self.recording is not None:
            self.recording.set()

    def _to_debrief(self) -> None:
        from simulator.ui.screens.debrief import DebriefScreen

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
