"""Text that comes from people (what the rep said or typed, names, notes, scenario files, error
messages) goes into Textual markup through `literal`."""

from __future__ import annotations


def literal(text: object) -> str:
    """`text` as it is inside markup: "[50%]", Whisper's "[BLANK_AUDIO]" or a typed "[/b]" would
    otherwise be read as style tags, vanish, or stop the screen with a markup error."""
    return str(text).replace("[", "\\[")
