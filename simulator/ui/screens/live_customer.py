"""The customer's terminal (`spar team customer`): a person plays the customer from the scenario's card.

The card shows what only the customer knows (their world, hidden needs and objections, when they
would agree); the transcript grows as the rep's terminal saves the call. The person types each line
and marks what it does (a need told, an objection raised, agreement...) and how much they trust the
rep, so the rep's debrief counts the call as it counts a call with the scripted customer.

Everything goes through the database the rep's terminal also uses: this screen reads the turns
and sends its lines on a timer (`POLL_SECONDS`) and says it is still there (`HEARTBEAT_SECONDS`).
"""

from __future__ import annotations

import time

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, Header, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from simulator.domain.customer import CustomerEvent, CustomerLine, EndReason
from simulator.domain.live import (
    GONE_AFTER_SECONDS,
    HEARTBEAT_SECONDS,
    POLL_SECONDS,
    LiveCall,
    LiveReply,
    LiveStatus,
    Reaction,
    rep_gone,
)
from simulator.domain.scenario import TRUST_LEVELS, Need, Scenario, shorten
from simulator.storage import Store, StoreError
from simulator.ui.text import literal
from simulator.ui.widgets.transcript import CallTranscript


def customer_card(s: Scenario) -> str:
    """What the person playing the customer reads: who they are, what they know, what they hide."""
    p, objective = s.persona, s.objective
    needs_kind = "needs made clear (the problem and what it costs or is worth)" if objective.explicit else "needs told"
    # Headings on lines of their own: text run on after a bold heading loses its space.
    lines = [
        f"[b]You are {literal(p.name)}[/b]",
        literal(f"{p.role} at {p.company} ({p.mood})"),
        "",
        "[b]Situation[/b]",
        literal(" ".join(s.situation.split())),
        "",
        "[b]The rep wants[/b]",
        literal(objective.description),
        f"Agree only once you have {objective.needs_required} {needs_kind} and trust the rep at "
        f"{objective.min_trust} or better.",
        "",
        "[b]Your world[/b] [dim](tell it when asked)[/dim]",
    ]
    lines += [f"• {literal(f.about)}: {literal(' '.join(f.answer.split()))}" for f in s.world]
    lines += ["", "[b]Your hidden needs[/b] [dim](share one only when asked well)[/dim]"]
    for need in s.needs:
        lines.append(f"• {literal(need.title)} [dim](trust {need.min_trust} or more)[/dim]")
        lines.append(f"  The problem: {literal(' '.join(need.reveal.split()))}")
        for name in ("implication", "payoff"):
            layer = need.layer(name)
            if layer is not None:
                what = "What it costs" if name == "implication" else "What fixing it is worth"
                lines.append(f"  {what}: {literal(' '.join(layer.says.split()))}")
    lines += ["", "[b]Your objections[/b]"]
    raised_by = {"early_pitch": "if the rep pitches too early", "early_proposal": "if the rep asks too early",
                 "price": "if the rep brings up price"}  # fmt: skip
    for objection in s.objections:
        lines.append(
            f"• {literal(' '.join(objection.line.split()))} [dim]({raised_by.get(objection.raised_by, '')})[/dim]"
        )
    return "\n".join(lines)


# The reactions offered beside the line box, with the card item each is about.
def reaction_options(s: Scenario) -> list[tuple[str, str]]:
    """(option id, what it says): "answer", "need:ID", "objection:ID", and the plain reactions."""
    options = [("answer", "Just answer")]
    options += [(f"need:{n.id}", f"Tell a need: {n.title}") for n in s.needs]
    options += [(f"hold:{n.id}", f"Hold back on: {n.title}") for n in s.needs]
    options += [(f"objection:{o.id}", f"Object: {shorten(' '.join(o.line.split()), 50)}") for o in s.objections]
    options += [
        ("handled", "My objection is answered"),
        ("not_yet", "Not ready for that yet"),
        ("agree", "Agree to the rep's objective (ends the call)"),
        ("end", "End the call"),
    ]
    return options


NEXT_LAYER_WORDS = {"problem": "Tell a need", "implication": "What it costs", "payoff": "What fixing it is worth"}


def need_prompt(need: Need, told: list[str]) -> str:
    """The reaction for a need, by what the person has told of it so far (as the rep's terminal saved it)."""
    layer = next((name for name in need.layers if name not in told), None)
    return f"{NEXT_LAYER_WORDS[layer]}: {need.title}" if layer else f"Told all of: {need.title}"


def reply_for(option_id: str, index: int, text: str, level: str) -> LiveReply:
    kind, _, item = option_id.partition(":")
    if kind == "need":
        return LiveReply(index, text, Reaction.TELL_NEED, need_id=item, level=level)
    if kind == "hold":
        return LiveReply(index, text, Reaction.HOLD_BACK, need_id=item, level=level)
    if kind == "objection":
        return LiveReply(index, text, Reaction.RAISE_OBJECTION, objection_id=item, level=level)
    reaction = {"handled": Reaction.OBJECTION_HANDLED, "not_yet": Reaction.NOT_YET, "agree": Reaction.AGREE,
                "end": Reaction.END_CALL}.get(kind, Reaction.ANSWER)  # fmt: skip
    return LiveReply(index, text, reaction, level=level)


class CustomerScreen(Screen):
    BINDINGS = [
        Binding("ctrl+r", "focus_reaction", "Reaction", priority=True),
        Binding("ctrl+t", "focus_trust", "Trust", priority=True),
        Binding("escape", "focus_line", "Your line", show=False),
    ]

    def __init__(
        self,
        store: Store,
        live: LiveCall,
        scenario: Scenario,
        *,
        poll_seconds: float = POLL_SECONDS,
        gone_after: float = GONE_AFTER_SECONDS,
    ):
        super().__init__()
        self.store = store
        self.live = live
        self.scenario = scenario
        self.poll_seconds = poll_seconds
        self.gone_after = gone_after
        self.shown: set[int] = set()  # turn indexes in the transcript
        self.sent: set[int] = set()  # turn indexes this terminal has sent a line for
        self.over = False
        self.last_heartbeat = 0.0
        self.my_turn: int | None = None  # the turn the person is to say next, when it is theirs
        self.status_text = ""
        self.turns_read = 0  # turns of the call read from the database so far

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="customer"):
            with VerticalScroll(id="card"):
                yield Static(customer_card(self.scenario), id="card-text")
            with Vertical(id="customer-call"):
                yield CallTranscript(id="transcript")
                yield Static("", id="live-status")
                yield Input(placeholder="Your line as the customer, then Enter", id="line")
            with Vertical(id="customer-side"):
                yield Label("What your line does (Ctrl+R)")
                yield OptionList(*[Option(Content(t), id=i) for i, t in reaction_options(self.scenario)],
                                 id="reaction")  # fmt: skip
                yield Label("Your trust in the rep (Ctrl+T)")
                yield OptionList(*[Option(level.capitalize(), id=level) for level in TRUST_LEVELS], id="trust")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = f"playing {self.scenario.persona.name} for {self.live.rep_name}"
        self.query_one("#reaction", OptionList).highlighted = 0
        start = self.scenario.trust.level(self.scenario.trust.start)
        self.query_one("#trust", OptionList).highlighted = TRUST_LEVELS.index(start)
        line = self.query_one("#line", Input)
        line.value = " ".join(self.scenario.opening.split())  # the card's opening; change it at will
        line.focus()
        self.poll()
        self.set_interval(self.poll_seconds, self.poll)

    # --- keys ----------------------------------------------------------------------------
    def action_focus_reaction(self) -> None:
        self.query_one("#reaction", OptionList).focus()

    def action_focus_trust(self) -> None:
        self.query_one("#trust", OptionList).focus()

    def action_focus_line(self) -> None:
        self.query_one("#line", Input).focus()

    @on(OptionList.OptionSelected)
    def _chosen(self) -> None:
        self.action_focus_line()

    # --- the call as the database has it --------------------------------------------------
    def _status(self, text: str) -> None:
        if text != self.status_text:  # the poll repeats it: repaint only on a change
            self.status_text = text
            self.query_one("#live-status", Static).update(text)

    def poll(self) -> None:
        if self.over:
            return
        try:
            live = self.store.live_call(self.live.id)
            session = self.store.session(live.session_id) if live.session_id is not None else None
            ended = session is not None and session.status != "in_progress"
            count = session.turn_count if session is not None else 0
            # The turns are read only when there are new ones: the poll stays light.
            fresh = session is not None and (count > self.turns_read or ended)
            turns = self.store.turns(live.session_id) if fresh and live.session_id is not None else []
            if time.monotonic() - self.last_heartbeat >= HEARTBEAT_SECONDS:
                self.store.live_heartbeat(self.live.id)
                self.last_heartbeat = time.monotonic()
        except StoreError as exc:
            self._status(f"[red]Cannot read the call:[/red] {literal(exc)}")
            return
        self.live = live
        self.turns_read = max(self.turns_read, len(turns))
        for turn in turns:
            if turn.index not in self.shown:
                self._show(turn.index, turn.speaker, turn.text)
        if turns:
            self._show_needs_told([t.customer for t in turns if t.customer is not None])
        if live.status is LiveStatus.CANCELLED:
            self._end(f"{literal(live.rep_name)} cancelled the call before it began.")
        elif ended:
            last = next((t.customer for t in reversed(turns) if t.customer is not None), None)
            reason = last.end_reason if last is not None else None
            rep = literal(live.rep_name)
            how = (
                {
                    EndReason.OBJECTIVE_MET: f"You agreed to {rep}'s objective.",
                    EndReason.CUSTOMER_ENDED: "You ended the call.",
                    EndReason.REP_ENDED: f"{rep} ended the call.",
                }.get(reason, "The call has ended.")
                if reason is not None
                else "The call has ended."
            )
            self._end(f"{how} Thank you for playing the customer.")
        else:
            self._whose_turn(count)

    def _show_needs_told(self, lines: list[CustomerLine]) -> None:
        """Each need's reaction names its next layer: telling a need again goes one layer deeper."""
        told: dict[str, list[str]] = {}
        for line in lines:
            if (
                line.need_id
                and line.layer
                and line.event in (CustomerEvent.NEED_REVEALED, CustomerEvent.NEED_DEVELOPED)
            ):
                told.setdefault(line.need_id, []).append(line.layer)
        options = self.query_one("#reaction", OptionList)
        for need in self.scenario.needs:
            options.replace_option_prompt(f"need:{need.id}", Content(need_prompt(need, told.get(need.id, []))))

    def _whose_turn(self, count: int) -> None:
        """The person's turn when the rep has just spoken (or nothing has been said yet)."""
        index = 0 if count == 0 else count if count % 2 == 0 else None
        # The line box stays open between turns (the person may write ahead); Enter waits for the rep.
        if index is not None and index not in self.sent:
            self.my_turn = index
            self._status(
                "Say your opening line: Enter sends the card's line, or type your own."
                if index == 0
                else "Your turn: answer the rep. Mark what your line does first (Ctrl+R)."
            )
        else:
            self.my_turn = None
            rep = literal(self.live.rep_name)
            if rep_gone(self.live, self.gone_after):
                self._status(
                    f"[red]{rep}'s terminal seems to be closed:[/red] the call cannot go on. Ctrl+Q closes this one."
                )
            else:
                self._status(f"Waiting for {rep}…")

    def _show(self, index: int, speaker: str, text: str) -> None:
        self.shown.add(index)
        name = self.scenario.persona.name if speaker == "customer" else self.live.rep_name
        self.query_one(CallTranscript).add_turn(speaker, name, text)

    def _end(self, text: str) -> None:
        self.over = True
        self.my_turn = None
        line = self.query_one("#line", Input)
        line.disabled = True
        self._status(f"[b]{text}[/b] Press Ctrl+Q to close.")

    # --- the person's line ---------------------------------------------------------------
    @on(Input.Submitted, "#line")
    def _send(self, event: Input.Submitted) -> None:
        text = " ".join(event.value.split())
        if not text or self.over:
            return
        if self.my_turn is None:
            self.notify(f"Wait for {literal(self.live.rep_name)} to speak first; your line stays in the box.")
            return
        index = self.my_turn
        reaction = self.query_one("#reaction", OptionList)
        trust = self.query_one("#trust", OptionList)
        option = reaction.get_option_at_index(reaction.highlighted or 0).id or "answer"
        level = TRUST_LEVELS[trust.highlighted or 0]
        reply = reply_for("answer" if index == 0 else option, index, text, level)
        try:
            self.store.add_live_reply(self.live.id, reply)
        except StoreError as exc:  # the line stays in the box to send again
            self.notify(literal(exc), severity="error", timeout=20)
            return
        self.sent.add(index)
        event.input.value = ""
        reaction.highlighted = 0  # each line's reaction is chosen afresh
        if index not in self.shown:
            self._show(index, "customer", text)
        self._whose_turn(index + 1)

    def on_unmount(self) -> None:
        # The rep's terminal learns at once that the customer has gone (not only when the heartbeat stops).
        if not self.over:
            try:
                self.store.close_live_call(self.live.id, LiveStatus.LEFT)
            except StoreError:
                pass  # the missing heartbeat tells the rep instead
