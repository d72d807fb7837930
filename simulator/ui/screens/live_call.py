"""The rep's call when a person plays the customer from another terminal (`spar team customer CODE`).

The same call screen, recorded and analysed as usual; only the customer's answers come from the
person, through the database. Waiting for them happens in a worker (`LiveCustomer.wait_for_reply`
on a connection of its own), so the screen stays responsive; the main thread alone writes the call.
If the customer's terminal closes, the rep is told and can end the call for the usual debrief.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual import events, work
from textual.message import Message
from textual.widgets import Input, Static
from textual.worker import get_current_worker

from simulator.domain.live import HEARTBEAT_SECONDS, CustomerLeft, LiveCustomer, LiveStatus, WaitCancelled
from simulator.domain.session import PracticeCall, TurnNotSaved
from simulator.storage import StoreError
from simulator.ui.screens.call import EVENT_HINTS, CallScreen, ReplyAnalysed
from simulator.ui.text import literal


@dataclass
class CustomerJoined(Message):
    name: str


@dataclass
class CustomerAnswered(Message):
    """The person's line for turn `index` is in."""

    index: int


@dataclass
class CustomerGone(Message):
    """The customer's terminal has gone, or the database cannot be read: `reason` says which."""

    reason: str


class LiveCallScreen(CallScreen):
    def __init__(self, call: PracticeCall, person: LiveCustomer):
        super().__init__(call)
        self.person = person  # the customer, as the person in the other terminal plays it
        self.started = False
        self.gone: str | None = None

    @property
    def reply_box(self) -> Input:
        return self.query_one("#reply", Input)

    def banner(self, text: str) -> None:
        """Where the customer is, above the reply box (markup: callers escape people's text); empty hides it."""
        banner = self.query_one("#live-banner", Static)
        banner.update(text)
        banner.display = bool(text)

    def on_mount(self, event: events.Mount | None = None) -> None:
        # Textual would call CallScreen.on_mount after this one too: once, here, is enough.
        if event is not None:
            event.prevent_default()
        self.waiting = True  # until the customer's first line
        super().on_mount()
        self.mount(Static("", id="live-banner"), before=self.reply_box)
        self.reply_box.disabled = True
        self.banner(
            f"[b]Waiting for the customer to join.[/b] On another terminal they run: "
            f"[b]spar team customer {self.person.live_call.code}[/b]   (Ctrl+E cancels.)"
        )
        self.await_line(0)
        self.set_interval(HEARTBEAT_SECONDS, self._heartbeat)

    def on_unmount(self) -> None:
        # The app closed before anyone joined: the code must not stay open for a call no one will take.
        if not self.started:
            try:
                self.call.store.close_live_call(self.person.live_call.id, LiveStatus.CANCELLED)
            except StoreError as exc:  # the rep's heartbeat stops too: a person who joins is told
                self.log.warning(f"could not cancel the live call: {exc}")

    def _heartbeat(self) -> None:
        """Tell the customer's terminal that this one is still here (it warns the person otherwise)."""
        if self.call.ended:
            return
        try:
            self.call.store.live_heartbeat(self.person.live_call.id, rep=True)
        except StoreError as exc:  # the next write of the call would fail the same way: say it now
            self.sidebar.status(f"[red]{literal(exc)}[/red]")

    def _goal_line(self) -> str:
        return "" if not self.started else super()._goal_line()

    @work(thread=True, exclusive=True, exit_on_error=False, group="live")
    def await_line(self, index: int) -> None:
        worker = get_current_worker()

        def joined(name: str) -> None:
            self.post_message(CustomerJoined(name))

        try:
            self.person.wait_for_reply(index, cancelled=lambda: worker.is_cancelled, on_joined=joined)
        except WaitCancelled:
            return
        except (CustomerLeft, StoreError) as exc:
            self.post_message(CustomerGone(str(exc)))
            return
        self.post_message(CustomerAnswered(index))

    def on_customer_joined(self, message: CustomerJoined) -> None:
        self.banner(f"{literal(message.name)} has joined as the customer and is about to speak…")

    def on_customer_answered(self, message: CustomerAnswered) -> None:
        if self.call.ended:
            return
        try:
            if message.index == 0:
                self.call.customer_played_by = self.person.played_by
                line = self.call.start()
                self.started = True
            else:
                line = self.call.answer_reply()
        except (StoreError, TurnNotSaved) as exc:
            self.notify(literal(exc), severity="error", timeout=30)
            self.sidebar.status("[red]The customer's line was not saved.[/red] Fix the database, then end the call.")
            return
        self.waiting = False
        self.banner("")
        self._add_turn("customer", line.text)
        self.sidebar.show(self.call.customer.snapshot())
        if line.ended:
            self._call_over()
            return
        self.sidebar.status(EVENT_HINTS.get(line.event, "") or "Your turn.")
        self.reply_box.disabled = False
        self.reply_box.focus()

    def on_customer_gone(self, message: CustomerGone) -> None:
        self.gone = message.reason
        self.waiting = True  # no more replies: nobody is there to answer them
        self.reply_box.disabled = True
        self.banner(f"[red]{literal(message.reason)}[/red] Press [b]Ctrl+E[/b] to end the call and see your debrief.")

    # --- a reply: saved at once, so the person reads it; their answer comes in a worker --
    def on_reply_analysed(self, message: ReplyAnalysed) -> None:
        message.prevent_default()  # CallScreen's handler would wait for the answer on the main thread
        if self.call.ended or self.gone:
            return
        try:
            self.call.save_reply(
                message.text,
                message.analysis,
                started_at=message.started_at,
                audio_path=message.audio_path,
                speech=message.speech,
            )
        except TurnNotSaved as exc:
            self.waiting = False
            self.notify(literal(exc), severity="error", timeout=30)
            self.transcript.take_back_last_rep_turn()
            self.reply_box.value = message.text
            self.sidebar.status("[red]Not saved.[/red] Your reply is back in the box: press Enter to try again.")
            return
        from analysis.coaching.render import turn_tags

        self.transcript.tag_last_rep_turn(self.rep_name, message.text, turn_tags(message.analysis))
        self.sidebar.status("")
        self.banner(f"Waiting for {literal(self.person.played_by or 'the customer')} to answer…")
        self.await_line(len(self.call.turns))

    # --- ending: any time, even while waiting or after the customer has gone --------------
    def action_end_call(self) -> None:
        if self.call.ended:
            return
        self.workers.cancel_group(self, "live")
        if not self.started:
            try:
                self.call.store.close_live_call(self.person.live_call.id, LiveStatus.CANCELLED)
            except StoreError as exc:
                self.notify(literal(exc), severity="error", timeout=30)
            self.app.pop_screen()
            return
        self.waiting = False
        try:
            line = self.call.end_by_rep()
        except StoreError as exc:
            self.notify(literal(exc), severity="error", timeout=30)
            return
        self.banner("")
        self._add_turn("customer", line.text)
        self.sidebar.show(self.call.customer.snapshot())
        self._call_over()
