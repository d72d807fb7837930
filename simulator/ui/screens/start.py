"""Pick who is practising and which call, see the brief and last time's goal, start."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Checkbox, Footer, Header, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from simulator.domain.customer import rep_display_name
from simulator.domain.scenario import Scenario
from simulator.ui.app_status import ModelStatus, sparring_app
from simulator.ui.text import literal


def scenario_brief(s: Scenario) -> str:
    p = s.persona
    needs = len(s.needs)
    return (
        f"[b]{literal(s.title)}[/b]\n"
        f"{s.call_type} · difficulty {'★' * s.difficulty}{'☆' * (3 - s.difficulty)}\n\n"
        f"[b]Customer[/b]  {literal(f'{p.name}, {p.role} at {p.company} ({p.mood})')}\n\n"
        f"[b]Situation[/b]  {literal(' '.join(s.situation.split()))}\n\n"
        f"[b]Your objective[/b]  {literal(s.objective.description)}\n"
        f"The customer has {needs} needs to uncover."
    )


def scenario_matches(scenario: Scenario, query: str) -> bool:
    """Does every word of the filter appear in the scenario's call type, industry, title or customer?
    A number or stars match the difficulty ("2", "★★")."""
    words = query.lower().split()
    text = " ".join((scenario.call_type, scenario.industry, scenario.title, scenario.persona.role,
                     scenario.persona.company, scenario.id)).lower()  # fmt: skip
    for word in words:
        if word.isdigit() or set(word) == {"★"}:
            if (int(word) if word.isdigit() else len(word)) != scenario.difficulty:
                return False
        elif word not in text:
            return False
    return True


class StartScreen(Screen):
    BINDINGS = [
        Binding("ctrl+s", "start", "Start call", priority=True),
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="start"):
            with Vertical(id="start-left"):
                yield Label("Your name", id="rep-label")
                yield Input(placeholder="Who is practising?", id="rep-name")
                yield Checkbox(
                    "A person is the customer",
                    id="live-customer",
                    tooltip="They join from another terminal: spar team customer CODE",
                )
                yield Label("Scenario (Enter to start)", id="scenario-label")
                yield Input(placeholder="Filter: call type, industry, ★★ or 2 …", id="scenario-filter")
                yield OptionList(id="scenario-list")
            with VerticalScroll(id="start-right"):
                # Above the brief, so last time's goal is in view before the call even at 80x24.
                yield Static("", id="goal")
                yield Static("", id="scenario-brief")
        yield Static("Loading the language model in the background…", id="model-status")
        yield Footer()

    def on_mount(self) -> None:
        app = sparring_app(self)
        names = app.store.rep_names()
        rep_input = self.query_one("#rep-name", Input)
        rep_input.value = app.initial_rep or (names[0] if names else "")
        self.query_one("#live-customer", Checkbox).value = app.initial_live
        options = self.query_one("#scenario-list", OptionList)
        self.shown: list[Scenario] = []
        self._list_scenarios("")
        for broken in app.catalogue.broken:
            self.notify(f"Skipped a broken scenario: {literal(broken.problems[0])}", severity="warning", timeout=15)
        if not app.catalogue.scenarios:
            self.query_one("#scenario-brief", Static).update(
                "No scenarios found. Check the scenario folders with `spar scenarios list`."
            )
        start_with = app.initial_scenario.id if app.initial_scenario else None
        index = next((i for i, s in enumerate(self.shown) if s.id == start_with), 0)
        if self.shown:
            options.highlighted = index
        self.watch(self.app, "language_status", lambda _: self._show_models(), init=False)
        self.watch(self.app, "speech_status", lambda _: self._show_models(), init=False)
        self.watch(self.app, "customer_status", lambda _: self._show_models(), init=False)
        self._show_models()
        if app.initial_rep:
            options.focus()  # named on the command line: straight to the scenarios
        else:
            # The last rep's name is a guess: a new rep at this machine types over it (it is
            # selected), the same rep presses Enter to keep it.
            rep_input.focus()
            if rep_input.value:
                self.query_one("#rep-label", Label).update("Your name (type yours, or Enter to keep it)")
                self.call_after_refresh(rep_input.action_select_all)
        self._show_goal(rep_input.value)

    def on_screen_suspend(self) -> None:
        self.returning = True

    def on_screen_resume(self) -> None:
        # Also called when the screen first shows; on_mount has chosen the focus then.
        if not getattr(self, "returning", False):
            return
        # Back from a debrief: the goal the rep just agreed is now the one to show, and the same rep
        # most likely plays again, so Enter and the arrow keys work on the scenarios at once.
        self._show_goal(self.query_one("#rep-name", Input).value)
        self.query_one("#scenario-list", OptionList).focus()

    def _selected(self) -> Scenario | None:
        options = self.query_one("#scenario-list", OptionList)
        if options.highlighted is None or options.highlighted >= len(self.shown):
            return None
        return self.shown[options.highlighted]

    def _list_scenarios(self, query: str) -> None:
        """The scenarios that match every word of the filter, easiest first."""
        every = sparring_app(self).catalogue.scenarios
        self.shown = [s for s in every if scenario_matches(s, query)]
        options = self.query_one("#scenario-list", OptionList)
        options.clear_options()
        for s in self.shown:
            options.add_option(Option(Content(f"{'★' * s.difficulty:3} {s.title}"), id=s.id))
        label = "Scenario (Enter to start)" if len(self.shown) == len(every) else (
            f"Scenario ({len(self.shown)} of {len(every)})")  # fmt: skip
        self.query_one("#scenario-label", Label).update(label)
        if self.shown:
            options.highlighted = 0

    @on(Input.Changed, "#scenario-filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self._list_scenarios(event.value)
        self._show_brief()

    @on(Input.Submitted, "#scenario-filter")
    def _filter_done(self) -> None:
        self.query_one("#scenario-list", OptionList).focus()

    @on(OptionList.OptionHighlighted, "#scenario-list")
    def _show_brief(self) -> None:
        scenario = self._selected()
        if scenario:
            self.query_one("#scenario-brief", Static).update(scenario_brief(scenario))

    @on(Input.Changed, "#rep-name")
    def _rep_changed(self, event: Input.Changed) -> None:
        self._show_goal(event.value)

    def _show_goal(self, name: str) -> None:
        goal = sparring_app(self).store.latest_goal(name) if name.strip() else None
        text = ""
        if goal:
            from analysis.coaching.skills import skill_title

            text = f"[b]Last time you chose to work on:[/b] {skill_title(goal.focus_skill)}" if goal.focus_skill else ""
            if goal.next_step:
                text += f"\n[b]Your next step:[/b] {literal(goal.next_step)}"
            if goal.measure_text:
                checked = " (this call checks it)" if goal.checkable else ""
                text += f"\n[b]Your goal:[/b] {literal(goal.measure_text)}{checked}"
            if goal.due_date:
                text += f"\n[b]Due by:[/b] {literal(goal.due_date)}"
            text = text.strip()
        shown = self.query_one("#goal", Static)
        shown.update(text)
        shown.set_class(not text, "-empty")  # no empty band above the brief for a first call

    @on(Input.Submitted, "#rep-name")
    def _name_entered(self) -> None:
        self.query_one("#scenario-list", OptionList).focus()

    @on(OptionList.OptionSelected, "#scenario-list")
    def _scenario_chosen(self) -> None:
        self.action_start()

    def action_start(self) -> None:
        name = rep_display_name(self.query_one("#rep-name", Input).value)
        if not name:
            self.notify("Type your name first: sessions and progress are kept per rep.", severity="warning")
            self.query_one("#rep-name", Input).focus()
            return
        scenario = self._selected()
        if scenario is None:
            self.notify("Choose a scenario first.", severity="warning")
            return
        from simulator.domain.session import PracticeCall
        from simulator.domain.understanding import customer_understanding
        from simulator.storage import StoreError
        from simulator.ui.screens.call import CallScreen

        app = sparring_app(self)
        if self.query_one("#live-customer", Checkbox).value:
            self._start_live(name, scenario)
            return
        try:
            call = PracticeCall(
                app.store,
                scenario,
                name,
                understanding=customer_understanding(scenario, app.wait_for_encoder),
                mode="team" if app.team_group else "solo",
                group_id=app.team_group,
            )
            call.start()
        except StoreError as exc:
            self.notify(literal(exc), severity="error", timeout=30)
            return
        self.app.push_screen(CallScreen(call))

    def _start_live(self, name: str, scenario: Scenario) -> None:
        """A call whose customer a person plays from another terminal: it waits for them to join."""
        from simulator.domain.live import LiveCustomer
        from simulator.domain.session import PracticeCall
        from simulator.storage import StoreError
        from simulator.ui.screens.live_call import LiveCallScreen

        app = sparring_app(self)
        try:
            live = app.store.open_live_call(scenario, name)
            customer = LiveCustomer(scenario, live, app.store.path, **app.live_options)
            call = PracticeCall(app.store, scenario, name, customer=customer, live_call_id=live.id,
                                mode="team" if app.team_group else "solo", group_id=app.team_group)  # fmt: skip
        except StoreError as exc:
            self.notify(literal(exc), severity="error", timeout=30)
            return
        self.app.push_screen(LiveCallScreen(call, customer))

    def _show_models(self) -> None:
        """One status line for the background models, whatever order they finish in."""
        language_status: ModelStatus = sparring_app(self).language_status
        customer_status: ModelStatus = sparring_app(self).customer_status
        speech_status: ModelStatus = sparring_app(self).speech_status
        if language_status.ready:
            language = "Language model ready."
        elif language_status.failed:
            language = f"[red]Language model failed:[/red] {literal(language_status.detail)}"
        else:
            language = "Loading the language model in the background…"
        if speech_status.ready:
            speech = f"Speech ready ({speech_status.detail})."
        elif speech_status.failed:
            speech = f"[yellow]Speech unavailable:[/yellow] {literal(speech_status.detail)} (you can type)."
        elif speech_status.state == "loading":
            speech = "Speech model loading…"
        else:
            speech = ""
        if customer_status.ready:
            customer = "Customer ready."
        elif customer_status.failed:
            customer = "[yellow]The customer understands topic words only[/yellow] (its model did not load)."
        elif customer_status.state == "loading":
            customer = "Customer loading…"
        else:
            customer = ""
        self.query_one("#model-status", Static).update(" ".join(p for p in (language, customer, speech) if p))
