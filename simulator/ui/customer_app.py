"""The customer's terminal as an app of its own (`spar team customer`): one screen, the call."""

from __future__ import annotations

from textual.app import App
from textual.binding import Binding

from simulator.domain.live import GONE_AFTER_SECONDS, POLL_SECONDS, LiveCall
from simulator.domain.scenario import Scenario
from simulator.storage import Store
from simulator.ui.screens.live_customer import CustomerScreen


class CustomerApp(App):
    CSS_PATH = ["app.tcss", "customer.tcss"]
    TITLE = "Sparring: you are the customer"
    BINDINGS = [Binding("ctrl+q", "quit", "Quit", priority=True)]

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

    def on_mount(self) -> None:
        self.push_screen(
            CustomerScreen(
                self.store, self.live, self.scenario, poll_seconds=self.poll_seconds, gone_after=self.gone_after
            )
        )
