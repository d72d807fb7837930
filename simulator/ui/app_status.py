"""Where the app's background models stand, as the screens show it, and the app itself, typed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

if TYPE_CHECKING:
    from textual.dom import DOMNode

    from simulator.ui.app import SparringApp


@dataclass(frozen=True)
class ModelStatus:
    """A background model: waiting its turn, loading, ready (`detail` says which) or failed (`detail`
    says what to do)."""

    state: str = "loading"
    detail: str = ""

    @property
    def ready(self) -> bool:
        return self.state == "ready"

    @property
    def failed(self) -> bool:
        return self.state == "failed"


def sparring_app(node: DOMNode) -> SparringApp:
    """The running app with its own attributes typed (Textual types `node.app` as a plain `App`)."""
    return cast("SparringApp", node.app)
