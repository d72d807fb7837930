"""The call screen's customer voice: opened when the call screen mounts, its failures as messages.

The voice itself (choosing it, speaking, muting, the echo gate's view of it) is
`simulator.audio.customer_voice`; the app gets it from `customer_voice_factory`, which tests
replace (a sink that keeps the samples, no device needed).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual.message import Message

from simulator.audio.customer_voice import CustomerVoice
from simulator.ui.app_status import sparring_app

if TYPE_CHECKING:
    from simulator.ui.screens.call import CallScreen

__all__ = ["CustomerVoice", "VoiceStatus", "open_customer_voice"]


@dataclass
class VoiceStatus(Message):
    """One line about the customer's voice (it is off, and why), for the call's status."""

    line: str


def open_customer_voice(screen: CallScreen) -> CustomerVoice | None:
    """Starts the customer's voice for this call and speaks the line on screen; None if it cannot be made."""
    from simulator.audio.customer_voice import scripted_lines

    app = sparring_app(screen)

    def status(line: str) -> None:  # any thread
        screen.post_message(VoiceStatus(line))

    try:
        voice = app.customer_voice_factory(screen.scenario, app.settings, status)
    except Exception as exc:  # a bad voice name in the settings: the call goes on in text
        status(f"The customer's voice is off: {exc}")
        return None
    voice.start()  # no output device: one line through `status`
    if voice.available:
        voice.speak(screen.call.last_customer_text)
        voice.warm(scripted_lines(screen.scenario, screen.rep_name))
    return voice
