"""Where the app's background models stand, as the screens show it."""

from __future__ import annotations

from dataclasses import dataclass


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
