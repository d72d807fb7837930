"""What the screens look like, compared with reviewed SVG snapshots (pytest-textual-snapshot).

Sizes, data and model loading are fixed so a snapshot changes only when a screen does: the models
are stand-ins that load at once, the database is empty, and the input cursor does not blink.
Update after a deliberate change with `pytest tests/test_snapshots.py --snapshot-update` and look
at the report before committing the new SVGs.
"""

from __future__ import annotations

import pytest

from simulator.ui.app import create_app


class InstantAnalyzer:
    """Stands in for spaCy on screens that never analyse a reply."""


@pytest.fixture
def start_app(store):
    app = create_app(
        store=store,
        analyzer_factory=InstantAnalyzer,
        encoder_factory=lambda: None,
        transcriber_factory=lambda: object(),
    )
    return app


async def _settled(pilot) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    for widget in pilot.app.screen.query("Input"):
        widget.cursor_blink = False
    await pilot.pause()


@pytest.mark.parametrize("size", [(80, 24), (160, 48)], ids=["80x24", "160x48"])
def test_start_screen(snap_compare, start_app, size):
    assert snap_compare(start_app, terminal_size=size, run_before=_settled)
