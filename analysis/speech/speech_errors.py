"""The errors of the customer's voice: one line for the user naming the engine or voice and what to do."""

from __future__ import annotations


class TTSError(Exception):
    """One line for the user: which engine or voice, what went wrong, what to do."""


class VoiceSpecError(TTSError):
    """The voice asked for does not exist or is malformed (a bad request, not a broken install)."""
