"""Review a call with a coach: every turn with its labels and the customer's reaction, jumps to the
next question, paraphrase, pitch or missed chance, and notes and corrections stored at once."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.screen import ModalScreen, Screen
from textual.widgets import Footer, Header, Input, OptionList, RadioButton, RadioSet, Static
from textual.widgets.option_list import Option

from analysis.coaching.render import evidence_reason, restated_words, turn_tags
from analysis.coaching.retry import RetryHow, answer_words, retry_help
from analysis.coaching.review import (
    LABEL_WORDS,
    LABELS,
    LabelValue,
    NoteKind,
    label_choices,
    label_value,
    value_text,
)
from simulator.audio.playback import PlaybackError
from simulator.audio.turn_player import TurnPlayer
from simulator.domain.review import CallReview, ReviewTurn, load_review
from simulator.domain.turn_audio import TurnAudio, retry_audio, turn_audio
from simulator.storage import StoreError
from simulator.ui.app_status import sparring_app
from simulator.ui.text import literal
from simulator.ui.widgets.recorder import Recorder

if TYPE_CHECKING:
    from simulator.domain.retry import Attempt, Moment

# The figures a correction can move, shown beside the transcript.
SHOWN_FIGURES = ("questions", "open_questions", "needs_questions", "paraphrases", "pitches", "ask_before_advocate")
DEFAULT_AUTHOR = "coach"


DIALOG_CSS = """
.dialog { width: 70; height: auto; padding: 1 2; background: $panel; border: thick $primary; }
"""


class NoteDialog(ModalScreen[tuple[str, str, str] | None]):
    """A note on one turn: its text, strategic or tactical, and who wrote it."""

    DEFAULT_CSS = "NoteDialog { align: center middle; }" + DIALOG_CSS

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, turn_number: int, author: str):
        super().__init__()
        self.turn_number = turn_number
        self.author = author

    def compose(self) -> ComposeResult:
        with Vertical(id="note-dialog", classes="dialog"):
            yield Static(f"Note on turn {self.turn_number}. Enter saves it; Escape cancels.")
            with RadioSet(id="note-kind"):
                yield RadioButton("tactical: about this moment", value=True, id="tactical")
                yield RadioButton("strategic: about the call's plan", id="strategic")
            yield Input(placeholder="Your note", id="note-text")
            yield Input(value=self.author, placeholder="Your name", id="note-author")

    def on_mount(self) -> None:
        self.query_one("#note-text", Input).focus()

    @on(Input.Submitted)
    def _save(self) -> None:
        text = self.query_one("#note-text", Input).value.strip()
        if not text:
            self.query_one("#note-text", Input).focus()
            return
        pressed = self.query_one("#note-kind", RadioSet).pressed_button
        kind = NoteKind.STRATEGIC if pressed is not None and pressed.id == "strategic" else NoteKind.TACTICAL
        self.dismiss((str(kind), text, self.query_one("#note-author", Input).value.strip()))

    def action_cancel(self) -> None:
        self.dismiss(None)


class CorrectDialog(ModalScreen[tuple[str, LabelValue] | None]):
    """Pick a label of a rep turn, then its right value."""

    DEFAULT_CSS = (
        "CorrectDialog { align: center middle; } #correct-options { height: auto; max-height: 12; }" + DIALOG_CSS
    )

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, turn: ReviewTurn):
        super().__init__()
        self.turn = turn
        self.label: str | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="correct-dialog", classes="dialog"):
            yield Static(
                f"Correct a label of turn {self.turn.index + 1}: pick the label, then its value.", id="correct-prompt"
            )
            yield OptionList(id="correct-options")

    def on_mount(self) -> None:
        options = self.query_one("#correct-options", OptionList)
        analysis = self.turn.corrected
        assert analysis is not None
        for label in LABELS:
            options.add_option(
                Option(f"{LABEL_WORDS[label]} ({label}): now {value_text(label_value(analysis, label))}", id=label)
            )
        options.highlighted = 0
        options.focus()

    @on(OptionList.OptionSelected, "#correct-options")
    def _pick(self, event: OptionList.OptionSelected) -> None:
        options = self.query_one("#correct-options", OptionList)
        if self.label is None:
            self.label = event.option.id
            assert self.label is not None
            self.query_one("#correct-prompt", Static).update(
                f"{LABEL_WORDS[self.label]} of turn {self.turn.index + 1} is:"
            )
            options.clear_options()
            for value in label_choices(self.label):
                options.add_option(Option(value_text(value)))
            options.highlighted = 0
            return
        self.dismiss((self.label, label_choices(self.label)[event.option_index]))

    def action_cancel(self) -> None:
        self.dismiss(None)


@dataclass(frozen=True)
class RetryRequest:
    """What the coach and rep chose in the retry dialog: how the coach helped, the new answer, who coached."""

    text: str
    how: RetryHow
    author: str
    input_mode: str  # typed or spoken
    audio: Any = None  # the spoken answer's samples (16 kHz mono), kept with the retry


class RetryDialog(ModalScreen[RetryRequest | None]):
    """Answer a customer's line again: first how the coach helped, then the new answer (typed, or
    spoken with Ctrl+T)."""

    DEFAULT_CSS = (
        "RetryDialog { align: center middle; }"
        + DIALOG_CSS
        + "RetryDialog .dialog { width: 100%; max-width: 90; max-height: 100%; }"
        + "#retry-coach { height: auto; } #retry-coach-label { width: auto; padding: 1 1 0 0; } #retry-author { width: 1fr; }"
    )

    BINDINGS = [Binding("escape", "cancel", "Cancel"), Binding("ctrl+t", "talk", "Speak", priority=True)]

    def __init__(self, moment: Moment, author: str, customer_name: str):
        super().__init__()
        self.moment = moment
        self.author = author
        self.customer_name = customer_name
        self.spoken = False
        self.audio: Any = None  # the samples of the last spoken answer

    def compose(self) -> ComposeResult:
        m = self.moment
        # Scrolls when a long customer line and the form do not fit the terminal (80x24 and up).
        with VerticalScroll(id="retry-dialog", classes="dialog"):
            yield Static(
                f"[b]Try turn {m.turn.index + 1} again.[/b] {literal(self.customer_name)} said:\n"
                f"“{literal(m.customer_before)}”\n"
                f"In the call: “{literal(m.turn.text)}”",
                id="retry-moment",
            )
            yield Static("First, how did the coach help?")
            with RadioSet(id="retry-how"):
                for how in RetryHow:
                    yield RadioButton(how.words, value=how is RetryHow.RELEASE, id=f"how-{how}")
            yield Recorder(sparring_app(self).settings, sparring_app(self).audio_source_factory, id="retry-mic")
            yield Input(placeholder="The new answer; Enter saves it, Escape cancels", id="retry-text")
            with Horizontal(id="retry-coach"):
                yield Static("Coach:", id="retry-coach-label")
                yield Input(value=self.author, placeholder="Coach's name", id="retry-author")

    def on_mount(self) -> None:
        self.query_one("#retry-text", Input).focus()

    @property
    def how(self) -> RetryHow:
        pressed = self.query_one("#retry-how", RadioSet).pressed_button
        return RetryHow(pressed.id.removeprefix("how-")) if pressed is not None and pressed.id else RetryHow.RELEASE

    @on(Input.Submitted)
    def _save(self) -> None:
        text = self.query_one("#retry-text", Input).value.strip()
        if not text:
            self.query_one("#retry-text", Input).focus()
            return
        author = self.query_one("#retry-author", Input).value.strip()
        spoken = "spoken" if self.spoken else "typed"
        self.dismiss(RetryRequest(text, self.how, author, spoken, self.audio if self.spoken else None))

    def action_talk(self) -> None:
        recorder = self.query_one(Recorder)
        if recorder.recording:
            recorder.stop()
            return
        app = sparring_app(self)
        if app.transcriber is None:
            status = app.speech_status
            self.notify(literal(status.detail if status.failed else "The speech model is still loading; type for now."))
            return
        error = recorder.start(app.transcriber)
        if error is not None:
            self.notify(literal(error), severity="error", timeout=20)

    def on_recorder_heard(self, message: Recorder.Heard) -> None:
        if message.transcript.text:
            # The words go into the box, to be read (and fixed) before Enter saves them.
            self.query_one("#retry-text", Input).value = message.transcript.text
            self.spoken = True
            self.audio = message.audio
        else:
            self.notify("No speech heard. Press Ctrl+T and try again, or type.")
        self.query_one("#retry-text", Input).focus()

    def on_recorder_failed(self, message: Recorder.Failed) -> None:
        self.notify(literal(message.error), severity="error", timeout=20)

    def action_cancel(self) -> None:
        self.query_one(Recorder).stop()
        self.dismiss(None)


class ReviewScreen(Screen):
    DEFAULT_CSS = """
    #review-summary { height: auto; padding: 0 2; background: $boost; }
    #review-view { height: 1fr; }
    #review-turns { width: 55%; }
    #review-side { width: 1fr; padding: 0 1; border-left: solid $primary-darken-2; }
    #review-detail { height: auto; }
    #review-figures { height: auto; margin-top: 1; }
    """
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back"),
        Binding("q", "jump('question')", "Next question"),
        Binding("r", "jump('paraphrase')", "Next paraphrase"),
        Binding("p", "jump('pitch')", "Next pitch"),
        Binding("m", "jump('missed')", "Next missed chance"),
        Binding("n", "note", "Note"),
        Binding("c", "correct", "Correct a label"),
        Binding("a", "play_turn", "Play audio"),
        Binding("space", "play_turn", "Play audio", show=False),
        Binding("A", "play_try", "Play the last try", show=False),
        Binding("t", "retry", "Try again"),
        Binding("d", "pair_debrief", "Debrief together"),
    ]

    @dataclass
    class Replayed(Message):
        """The call replayed to a rep turn: the moment to answer again."""

        moment: Any  # a simulator.domain.retry.Moment

    @dataclass
    class Answered(Message):
        """A new answer analysed, and the customer's reaction to it: to be stored."""

        moment: Any
        request: RetryRequest
        attempt: Any  # a simulator.domain.retry.Attempt

    @dataclass
    class RetryFailed(Message):
        """The moment cannot be replayed or the answer analysed; `error` says why in one line."""

        error: str
        request: RetryRequest | None = None

    def __init__(self, session_id: int):
        super().__init__()
        self.session_id = session_id
        self.author = DEFAULT_AUTHOR
        self.review: CallReview | None = None
        self.turn_player: TurnPlayer | None = None  # made on the first `a`

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="review-summary")
        with Horizontal(id="review-view"):
            yield OptionList(id="review-turns")
            with VerticalScroll(id="review-side"):  # a long turn with its tries scrolls at 80x24
                yield Static("", id="review-detail")
                yield Static("", id="review-figures")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = f"Review of session {self.session_id}"
        self.reload()
        self.query_one("#review-turns", OptionList).focus()

    def on_screen_resume(self) -> None:
        # Back from the pair's debrief: the goal it agreed shows in the summary.
        if self.review is not None:
            self.reload()

    @property
    def position(self) -> int:
        highlighted = self.query_one("#review-turns", OptionList).highlighted
        return highlighted or 0

    def reload(self) -> None:
        """Read the call again (after a note or a correction) and show it, keeping the place."""
        keep = self.position if self.review else 0
        try:
            self.review = load_review(sparring_app(self).store, self.session_id)
        except StoreError as exc:
            self.notify(literal(exc), severity="error", timeout=30)
            return
        s = self.review.session
        missed = len(self.review.missed)
        # A real call has no scripted customer to say when a need came up, so none are counted.
        how = (
            f"a real call with {literal(self.review.customer_name or 'a customer')}"
            if self.review.real_call
            else f"{s.result} · {missed} missed chance{'s' if missed != 1 else ''}"
        )
        self.query_one("#review-summary", Static).update(
            f"[b]{literal(s.rep_name)}[/b] · {literal(s.scenario_title or s.scenario_id)} · {s.started_at[:16]} · {how}"
            + self._goal_summary()
        )
        options = self.query_one("#review-turns", OptionList)
        options.clear_options()
        for t in self.review.turns:
            options.add_option(Option(Content(self._turn_line(t))))
        if self.review.turns:
            options.highlighted = min(keep, len(self.review.turns) - 1)
        self._show_figures()
        self._show_detail()

    def _goal_summary(self) -> str:
        goal = self.review.goal if self.review else None
        if goal is None or not (goal.measure_text or goal.due_date):
            return ""
        return f"\n[b]Goal agreed:[/b] {literal(goal.measure_text or goal.next_step)}" + (
            f", by {literal(goal.due_date)}" if goal.due_date else ""
        )

    def _turn_line(self, t: ReviewTurn) -> str:
        assert self.review is not None
        who = self.review.session.rep_name if t.turn.speaker == "rep" else (self.review.customer_name or "Customer")
        marks = []
        tags = turn_tags(t.corrected)
        if tags:
            marks.append(tags)
        if t.corrections:
            marks.append("corrected")
        if t.missed_chance:
            marks.append("MISSED CHANCE")
        if t.notes:
            marks.append(f"{len(t.notes)} note{'s' if len(t.notes) > 1 else ''}")
        if t.retries:
            marks.append(f"tried again ×{len(t.retries)}")
        return f"{t.index + 1:>3} {who}: {t.turn.text}" + (f"  [{' · '.join(marks)}]" if marks else "")

    def _show_figures(self) -> None:
        assert self.review is not None
        lines = ["[b]Figures[/b] (with the corrections)"]
        for key, fig in self.review.figures.items():
            if str(key) not in SHOWN_FIGURES:
                continue
            before = self.review.analyzer_figures[key].display
            changed = f"  (analyzer: {literal(before)})" if before != fig.display else ""
            lines.append(f"{literal(fig.label)}: {literal(fig.display)}{changed}")
        self.query_one("#review-figures", Static).update("\n".join(lines))

    def _show_detail(self) -> None:
        if not self.review or not self.review.turns:
            return
        t = self.review.turns[self.position]
        lines = [f"[b]Turn {t.index + 1}[/b] ({t.turn.speaker})"]
        if t.corrected is not None:
            lines.append(f"Heard as: {literal(turn_tags(t.corrected) or 'a statement')}")
            for label, fix in t.corrections.items():
                said = value_text(label_value(t.turn.analysis, label)) if t.turn.analysis else "none"
                lines.append(
                    f"[b]{LABEL_WORDS[label]}: {value_text(fix.value)}[/b] "
                    f"(by {literal(fix.author or 'a coach')}; analyzer: {said})"
                )
            analysis = t.turn.analysis
            for e in analysis.evidence if analysis else ():
                lines.append(f"• {literal(evidence_reason(e))}\n  “{literal(e.text)}”")
                if e.restates:
                    lines.append(f"  restates: {literal(restated_words(e))}")
            if analysis and analysis.speech is not None:
                lines.append(f"Spoken, {analysis.speech.duration:.1f} s")
        if t.turn.customer:
            c = t.turn.customer
            lines.append(
                f"Customer's move: {str(c.event).replace('_', ' ')} · trust {c.trust_before} → {c.trust_after} ({c.level})"
            )
            if c.why:
                lines.append(f"Why: {literal(c.why)}")
        if t.missed_chance:
            lines.append("[b]Missed chance[/b]: a need came up here and the next turn asked nothing about it.")
        for n in t.notes:
            lines.append(f"Note ({n.kind}, {literal(n.author or 'no name')}): {literal(n.text)}")
        if t.retries and self.review is not None:
            lines.append(f"[b]Tried again[/b] · in the call: {literal(self.review.original_answer(t))}")
            for number, r in enumerate(t.retries, start=1):
                lines.append(
                    f"Try {number}, {literal(retry_help(r.assisted, r.how, r.author))}: “{literal(r.text)}”\n"
                    f"  → {literal(answer_words(r.analysis, r.reaction))}"
                )
        self.query_one("#review-detail", Static).update("\n".join(lines))

    @on(OptionList.OptionHighlighted, "#review-turns")
    def _highlighted(self) -> None:
        self._show_detail()

    def action_jump(self, what: str) -> None:
        if not self.review:
            return
        found = self.review.next_turn(what, self.position)
        if found is None and what == "missed" and self.review.real_call:
            self.notify("Missed chances come from the practice customer's reactions; a real call has none.")
            return
        if found is None:
            self.notify(f"No {'missed chance' if what == 'missed' else what} in this call.")
            return
        self.query_one("#review-turns", OptionList).highlighted = found

    def action_note(self) -> None:
        if not self.review or not self.review.turns:
            return
        turn = self.review.turns[self.position]

        def save(result: tuple[str, str, str] | None) -> None:
            if result is None:
                return
            kind, text, author = result
            self.author = author or self.author
            try:
                sparring_app(self).store.add_note(self.session_id, turn.index, kind, text, author)
            except (StoreError, ValueError) as exc:
                self.notify(literal(exc), severity="error", timeout=30)
                return
            self.notify(f"Note saved on turn {turn.index + 1}.")
            self.reload()

        self.app.push_screen(NoteDialog(turn.index + 1, self.author), save)

    def action_correct(self) -> None:
        if not self.review or not self.review.turns:
            return
        turn = self.review.turns[self.position]
        if turn.corrected is None:
            self.notify("Only your turns have labels to correct.")
            return

        def save(result: tuple[str, LabelValue] | None) -> None:
            if result is None:
                return
            label, value = result
            try:
                sparring_app(self).store.add_correction(self.session_id, turn.index, label, value, self.author)
            except (StoreError, ValueError) as exc:
                self.notify(literal(exc), severity="error", timeout=30)
                return
            self.notify(f"Turn {turn.index + 1}: {LABEL_WORDS[label]} is now {value_text(value)}.")
            self.reload()

        self.app.push_screen(CorrectDialog(turn), save)

    # --- hearing a turn ------------------------------------------------------------------------
    def action_play_turn(self) -> None:
        if not self.review or not self.review.turns:
            return
        turn = self.review.turns[self.position].turn
        self._play(turn_audio(turn, real_call=self.review.real_call, db_folder=sparring_app(self).store.path.parent))

    def _play(self, sound: TurnAudio) -> None:
        """Plays SOUND, after stopping whatever plays; or says why there is nothing to play."""
        if not sound.playable:
            self.notify(sound.missing)
            return
        if self.turn_player is None:
            self.turn_player = TurnPlayer(sparring_app(self).output_sink_factory)
        self.turn_player.stop()
        self.play_turn(sound)

    @work(thread=True, exclusive=True, exit_on_error=False, group="turn-audio")
    def play_turn(self, sound: TurnAudio) -> None:
        """Plays the turn to its end (a worker: reading, synthesising and playing take time)."""
        assert self.turn_player is not None
        try:
            self.turn_player.open()
            how = " in the customer's voice" if sound.line is not None else ""
            self.app.call_from_thread(self.notify, f"Playing turn {sound.turn_number}{how}.")
            if sound.recording is not None:
                self.turn_player.play_recording(sound.recording, sound.turn_number)
            elif sound.line is not None:
                self.turn_player.play_line(sound.line, self._customer_voice())
        except PlaybackError as exc:
            self.app.call_from_thread(self.notify, literal(" ".join(str(exc).split())), severity="warning")

    def _customer_voice(self):
        """The voice the customer spoke in: the settings' choice, else the scenario persona's (a worker thread)."""
        from analysis.speech.tts import VoiceSpecError
        from simulator.audio.customer_voice import resolve_voice
        from simulator.domain.catalogue import resolve_scenario
        from simulator.domain.scenario import ScenarioError

        assert self.review is not None
        persona = ""
        try:
            persona = resolve_scenario(self.review.session.scenario_id).persona.voice
        except (ScenarioError, OSError):
            pass  # the scenario is gone: the default voice
        try:
            voice, _ = resolve_voice(sparring_app(self).settings.voice, persona)
        except VoiceSpecError as exc:
            raise PlaybackError(f"The customer's voice cannot speak here: {exc}.") from None
        return voice

    def on_unmount(self) -> None:
        if self.turn_player is not None:
            self.turn_player.close()

    # --- retry a moment: replay in a worker, answer in a dialog, analyse in a worker, store here ---
    def action_retry(self) -> None:
        if not self.review or not self.review.turns:
            return
        turn = self.review.turns[self.position]
        if turn.turn.speaker != "rep" or turn.turn.analysis is None:
            self.notify("Pick one of your turns to try it again.")
            return
        self.notify(f"Replaying the call to turn {turn.index + 1}…", timeout=3)
        self._replay(turn.index)

    @work(thread=True, exclusive=True, exit_on_error=False, group="retry")
    def _replay(self, turn: int) -> None:
        from simulator.domain.retry import replay_to
        from simulator.domain.understanding import customer_understanding
        from simulator.storage import Store

        app = sparring_app(self)
        try:
            # A connection belongs to the thread that opened it: this worker reads through its own.
            store = Store(app.store.path, read_only=True)
            try:
                moment = replay_to(
                    store,
                    self.session_id,
                    turn,
                    candidates=app.catalogue.scenarios,
                    understanding=lambda scenario: customer_understanding(scenario, app.wait_for_encoder),
                )
            finally:
                store.close()
        except StoreError as exc:  # the scenario changed or is gone, a person played the customer
            self.post_message(self.RetryFailed(str(exc)))
            return
        self.post_message(self.Replayed(moment))

    def on_review_screen_replayed(self, message: Replayed) -> None:
        from simulator.domain.retry import drift_warning

        moment = message.moment
        warning = drift_warning(moment)
        if warning:
            self.notify(literal(warning), severity="warning", timeout=15)
        name = moment.scenario.persona.name.split()[0] if moment.scenario.persona.name.strip() else "The customer"

        def answer(request: RetryRequest | None) -> None:
            if request is None:
                return
            self.author = request.author or self.author
            self._answer(moment, request)

        self.app.push_screen(RetryDialog(moment, self.author, name), answer)

    @work(thread=True, exclusive=True, exit_on_error=False, group="retry")
    def _answer(self, moment: Moment, request: RetryRequest) -> None:
        try:
            analyzer = sparring_app(self).wait_for_analyzer()
            attempt = moment.try_again(request.text, analyzer.analyze_turn)
        except Exception as exc:  # reported with the answer, so nothing typed is lost
            self.post_message(self.RetryFailed(f"the answer could not be analysed: {exc}", request))
            return
        self.post_message(self.Answered(moment, request, attempt))

    def on_review_screen_answered(self, message: Answered) -> None:
        attempt: Attempt = message.attempt
        request = message.request
        turn = message.moment.turn.index
        store = sparring_app(self).store
        audio_path = self._keep_recording(turn, request)
        try:
            saved = store.add_retry(
                self.session_id, turn, attempt.text, attempt.analysis, attempt.reaction,
                assisted=request.how.assisted, how=str(request.how), author=request.author,
                input_mode=request.input_mode, audio_path=str(audio_path) if audio_path else None,
            )  # fmt: skip
        except (StoreError, ValueError) as exc:
            if audio_path is not None:
                audio_path.unlink(missing_ok=True)  # no retry row points at it
            self.notify(
                f"Not saved: {literal(exc)}. Your answer was: {literal(request.text)}", severity="error", timeout=30
            )
            return
        self.notify(f"Turn {turn + 1} tried again: {literal(answer_words(saved.analysis, saved.reaction))}.")
        self.reload()

    def _keep_recording(self, turn: int, request: RetryRequest) -> Path | None:
        """The spoken retry's WAV beside the database, where the call's own recordings are; None
        when it was typed, or when the file cannot be written (the retry still counts)."""
        if request.audio is None:
            return None
        from simulator.audio.recording import save_wav

        folder = sparring_app(self).store.path.parent / "audio" / f"session-{self.session_id}"
        stamp = time.strftime("%Y%m%d-%H%M%S")
        try:
            return save_wav(folder / f"retry-turn-{turn + 1:03d}-{stamp}.wav", request.audio)
        except OSError as exc:
            self.notify(f"Could not keep the recording ({literal(exc)}); the try is saved.", severity="warning")
            return None

    def action_play_try(self) -> None:
        """Plays the latest spoken try of this turn, from review's side-by-side."""
        if not self.review or not self.review.turns:
            return
        turn = self.review.turns[self.position]
        self._play(retry_audio(turn.retries, turn.index, db_folder=sparring_app(self).store.path.parent))

    def on_review_screen_retry_failed(self, message: RetryFailed) -> None:
        kept = f" Your answer was: {literal(message.request.text)}" if message.request else ""
        self.notify(literal(message.error) + kept, severity="error", timeout=30)

    def action_pair_debrief(self) -> None:
        """What? So what? Now what? with the rep answering first, the gaps, and one agreed goal."""
        if not self.review:
            return
        from simulator.ui.screens.pair_debrief import PairDebriefScreen

        self.app.push_screen(PairDebriefScreen(self.review, self.author))
