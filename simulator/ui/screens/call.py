"""The call: the customer's lines, the rep's replies (spoken or typed), trust and needs beside them.

The screen wires its widgets (transcript, sidebar, recorder, reply box) to the `PracticeCall`: a
reply is analysed in a worker and applied on the main thread, which alone writes to the database.
"""

from __future__ import annotations

import time

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Header, Input, Static

from analysis.coaching.render import turn_tags
from analysis.types import SpeechTiming, TurnAnalysis
from simulator.audio.recording import seconds_before_answer
from simulator.domain.customer import CustomerEvent
from simulator.domain.session import PracticeCall, TurnNotSaved
from simulator.storage.store import now
from simulator.ui.app_status import sparring_app
from simulator.ui.call_voice import CustomerVoice, VoiceStatus, open_customer_voice
from simulator.ui.text import literal
from simulator.ui.widgets.recorder import Recorder
from simulator.ui.widgets.sidebar import CallSidebar
from simulator.ui.widgets.transcript import CallTranscript


class ReplyAnalysed(Message):
    """One rep reply with its analysis, ready for the customer and the store."""

    def __init__(
        self, text: str, analysis: TurnAnalysis, started_at: str, audio_path: str | None, speech: SpeechTiming | None
    ):
        super().__init__()
        self.text = text
        self.analysis = analysis
        self.started_at = started_at
        self.audio_path = audio_path
        self.speech = speech


class ReplyFailed(Message):
    """Analysing a reply failed; the reply text comes back so it is not lost."""

    def __init__(self, text: str, error: str):
        super().__init__()
        self.text = text
        self.error = error


# A nudge about what just happened, worded as information, never as a verdict.
EVENT_HINTS = {
    CustomerEvent.NEED_REVEALED: "The customer shared a need.",
    CustomerEvent.GUARDED: "The customer held back: more trust may open this up.",
    CustomerEvent.OBJECTION: "The customer pushed back on the pitch.",
    CustomerEvent.ACKNOWLEDGED_PARAPHRASE: "The customer felt heard.",
    CustomerEvent.OBJECTIVE_NOT_YET: "The customer is not ready for that yet.",
}


class CallScreen(Screen):
    BINDINGS = [
        Binding("ctrl+t", "talk", "Talk / stop", priority=True),
        Binding("ctrl+g", "hands_free", "Hands-free on/off", priority=True),
        Binding("ctrl+e", "end_call", "End call", priority=True),
        Binding("ctrl+o", "mute", "Mute/unmute customer", priority=True),
        Binding("escape", "focus_reply", "Reply", show=False),
        # Once the call has ended the rep reads the customer's last line, then opens the debrief.
        Binding("enter", "open_debrief", "Your debrief"),
        Binding("ctrl+n", "open_debrief", "Your debrief", show=False, priority=True),
    ]

    def __init__(self, call: PracticeCall):
        super().__init__()
        self.call = call
        self.scenario = call.scenario
        self.rep_name = call.rep_name
        self.waiting = False
        self.customer_done_at = 0.0  # when the customer's last line appeared (time.monotonic())
        self.voice: CustomerVoice | None = None  # the customer's voice (simulator/ui/call_voice.py), once mounted

    def compose(self) -> ComposeResult:
        p = self.scenario.persona
        yield Header()
        yield Static(f"[b]{literal(p.name)}[/b] · " + literal(f"{p.role}, {p.company} · {p.mood}"), id="persona")
        with Horizontal(id="call"):
            yield CallTranscript(id="transcript")
            yield CallSidebar(self.scenario.objective.description, self.scenario.patience, id="sidebar")
        yield Static("", id="call-ended")
        yield Recorder(sparring_app(self).settings, sparring_app(self).audio_source_factory, id="mic")
        yield Input(placeholder="Type your reply and press Enter (Ctrl+E ends the call)", id="reply")
        yield Footer()

    @property
    def transcript(self) -> CallTranscript:
        return self.query_one(CallTranscript)

    @property
    def sidebar(self) -> CallSidebar:
        return self.query_one(CallSidebar)

    @property
    def recorder(self) -> Recorder:
        return self.query_one(Recorder)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        ended = self.call.ended
        if action == "open_debrief":
            return ended
        if action in ("talk", "hands_free", "end_call"):
            return not ended
        return True

    def on_mount(self) -> None:
        self.query_one("#call-ended").display = False
        self.sub_title = self.scenario.title
        for turn in self.call.turns:
            self._add_turn(turn.speaker, turn.text)
        self.sidebar.show(self.call.customer.snapshot())
        self.sidebar.goal(self._goal_line())
        self.watch(self.app, "language_status", self._language_status_changed, init=True)
        self.query_one("#reply", Input).focus()
        self.voice = open_customer_voice(self)

    def on_voice_status(self, message: VoiceStatus) -> None:
        if sparring_app(self).language_status.state == "loading":  # that line stays until the model is ready
            self.notify(literal(message.line), severity="warning", timeout=15)
        else:
            self.sidebar.status(literal(message.line))

    def action_mute(self) -> None:
        if self.voice is not None:
            self.sidebar.status(literal(self.voice.set_muted(not self.voice.muted)))

    def on_unmount(self) -> None:
        if self.voice is not None:
            self.voice.close_after_line()  # the customer's last words are heard to the end

    def _goal_line(self) -> str:
        goal = self.call.goal
        if goal is None:
            return ""
        parts = ["[b]Your goal from last time[/b]"]
        if goal.next_step:
            parts.append(literal(goal.next_step))
        if goal.measure_text:
            parts.append(f"Check: {literal(goal.measure_text)}")
        if goal.due_date:
            parts.append(f"Due by {literal(goal.due_date)}")
        return "\n".join(parts) if len(parts) > 1 else ""

    def _language_status_changed(self, status) -> None:
        if status.failed:
            self.sidebar.status(f"[red]Language model failed:[/red] {literal(status.detail)}")
        elif status.ready:
            if not self.waiting:
                self.sidebar.status("")
        else:
            self.sidebar.status("Loading the language model… you can start typing.")

    # --- transcript ----------------------------------------------------------------------
    def _add_turn(self, speaker: str, text: str, tags: str = "") -> None:
        if speaker == "customer":
            # When the customer's line is on screen; the rep's response time counts from here.
            self.customer_done_at = time.monotonic()
            if self.voice is not None:
                self.voice.speak(text)  # the response time then counts from the end of playback
        name = self.scenario.persona.name if speaker == "customer" else self.rep_name
        self.transcript.add_turn(speaker, name, text, tags)

    def action_focus_reply(self) -> None:
        self.query_one("#reply", Input).focus()

    # --- a reply: analysed in a worker, applied on the main thread -----------------------
    @on(Input.Submitted, "#reply")
    def _reply(self, event: Input.Submitted) -> None:
        text = event.value.strip()
        if not text or self.call.ended:
            return
        if self.waiting:
            self.notify("One moment: the customer is still answering your last reply.")
            return
        status = sparring_app(self).language_status
        if status.failed:
            self.notify(f"Replies cannot be analysed: {literal(status.detail)}", severity="error")
            return
        event.input.value = ""
        self._send(text, None, None)

    def _send(self, text: str, speech: SpeechTiming | None, audio_path: str | None) -> None:
        self.waiting = True
        self._add_turn("rep", text)
        self.sidebar.status("…")
        self.analyse(text, self.call.last_customer_text, self.call.product_terms, now(), speech, audio_path)

    @work(thread=True, exclusive=True, exit_on_error=False, group="reply")
    def analyse(
        self,
        text: str,
        previous: str,
        products: tuple[str, ...],
        started_at: str,
        speech: SpeechTiming | None = None,
        audio_path: str | None = None,
    ) -> None:
        try:
            analyzer = sparring_app(self).wait_for_analyzer()
            analysis = analyzer.analyze_turn(text, previous, products)
            self.call.customer.prepare(text)  # understanding the words is slow work too
        except Exception as exc:  # reported with the reply text, so the reply is not lost
            self.post_message(ReplyFailed(text, str(exc)))
            return
        self.post_message(ReplyAnalysed(text, analysis, started_at, audio_path, speech))

    def on_reply_analysed(self, message: ReplyAnalysed) -> None:
        self.waiting = False
        try:
            line = self.call.rep_turn(
                message.text,
                message.analysis,
                started_at=message.started_at,
                audio_path=message.audio_path,
                speech=message.speech,
            )
        except TurnNotSaved as exc:
            self.notify(literal(exc), severity="error", timeout=30)
            if not exc.reply_saved:
                # The reply itself was not saved and the customer has not reacted: give it back.
                self.transcript.take_back_last_rep_turn()
                self.query_one("#reply", Input).value = message.text
                self.sidebar.status("[red]Not saved.[/red] Your reply is back in the box: press Enter to try again.")
            else:
                self.sidebar.status(
                    "[red]The customer's answer was not saved.[/red] Fix the database, then end the call."
                )
            return
        self.transcript.tag_last_rep_turn(self.rep_name, message.text, turn_tags(message.analysis))
        self._add_turn("customer", line.text)
        self.sidebar.show(self.call.customer.snapshot())
        self.sidebar.status(EVENT_HINTS.get(line.event, ""))
        if line.ended:
            self._call_over()

    def on_reply_failed(self, message: ReplyFailed) -> None:
        self.waiting = False
        self.transcript.take_back_last_rep_turn()
        self.query_one("#reply", Input).value = message.text
        self.notify(f"That reply could not be analysed: {literal(message.error)}", severity="error", timeout=20)

    # --- speaking: recorded by the Recorder, transcribed while the rep talks -------------
    def action_hands_free(self) -> None:
        self.recorder.toggle_hands_free()

    def action_talk(self) -> None:
        if self.recorder.recording:
            self.recorder.stop()
            self.sidebar.status("Finishing the transcript…")
            return
        if self.call.ended or self.waiting:
            return
        transcriber = sparring_app(self).transcriber
        if transcriber is None:
            status = sparring_app(self).speech_status
            self.notify(
                literal(status.detail if status.failed else "The speech model is still loading; type for now."),
                severity="warning",
            )
            return
        error = self.recorder.start(transcriber, self.voice)
        if error is not None:  # no microphone: say so, keep the call going with typing
            self.notify(literal(error), severity="error", timeout=20)
            self.sidebar.status("Typing your replies: no microphone.")

    def on_recorder_caption(self, message: Recorder.Caption) -> None:
        if self.recorder.recording and message.text:
            self.sidebar.status(f"[dim]Heard so far:[/dim] {literal(message.text)}")

    def on_recorder_failed(self, message: Recorder.Failed) -> None:
        self.notify(literal(message.error), severity="error", timeout=20)
        self.sidebar.status("Type your reply below.")
        self.query_one("#reply", Input).focus()

    def on_recorder_heard(self, message: Recorder.Heard) -> None:
        transcript = message.transcript
        if self.call.ended:
            return
        if not transcript.text:
            self.sidebar.status("No speech heard. Press Ctrl+T and try again, or type.")
            return
        from simulator.audio.recording import save_wav

        audio_path = None
        try:
            folder = self.call.store.path.parent / "audio" / f"session-{self.call.session_id}"
            audio_path = str(save_wav(folder / f"turn-{len(self.call.turns):03d}.wav", message.audio))
        except OSError as exc:  # the reply still counts; only its recording is lost
            self.notify(f"Could not keep the recording ({literal(exc)}); the transcript is saved.", severity="warning")
        speech = transcript.timing()
        if transcript.words:
            speech = speech.with_response_time(
                seconds_before_answer(
                    self.voice.response_clock(self.customer_done_at) if self.voice else self.customer_done_at,
                    message.started_at,
                    transcript.words[0]["start"],
                )
            )
        self._send(transcript.text, speech, audio_path)

    # --- ending --------------------------------------------------------------------------
    def action_end_call(self) -> None:
        if self.call.ended:
            return
        if self.waiting:
            self.notify("One moment: your last reply is still being answered.")
            return
        self.recorder.stop()
        line = self.call.end_by_rep()
        self._add_turn("customer", line.text)
        self.sidebar.show(self.call.customer.snapshot())
        self._call_over()

    def _call_over(self) -> None:
        """The customer's last line stays on screen with why the call ended; a key opens the debrief."""
        self.recorder.stop()
        reply = self.query_one("#reply", Input)
        reply.disabled = True
        reply.display = False
        ended = self.query_one("#call-ended", Static)
        ended.update(
            f"[b]The call has ended.[/b] {literal(self.call.why_ended())}\nPress [b]Enter[/b] for your debrief."
        )
        ended.display = True
        self.recorder.display = False
        self.sidebar.status("")
        self.transcript.focus()
        self.refresh_bindings()

    def action_open_debrief(self) -> None:
        if not self.call.ended:
            return
        from simulator.ui.screens.debrief import DebriefScreen

        self.app.switch_screen(DebriefScreen(self.call))
