"""What a review plays for one turn: the recording kept with it (a spoken reply, a customer line
written with --customer-audio, a slice of an imported call), or else, for a practice call's
customer line, the line spoken again in the customer's voice; otherwise why there is nothing."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from analysis.coaching.retry import Retry
from simulator.domain.customer import CallTurn


@dataclass(frozen=True)
class TurnAudio:
    """One turn's sound: a `recording` to play, or a `line` to speak in the customer's voice, or
    `missing`, one line saying why there is nothing to play."""

    turn_number: int  # as the transcript numbers it (1 is the first turn)
    recording: Path | None = None
    line: str | None = None
    missing: str = ""

    @property
    def playable(self) -> bool:
        return self.recording is not None or self.line is not None


def turn_audio(turn: CallTurn, *, real_call: bool, db_folder: Path) -> TurnAudio:
    """The sound of TURN. A stored path that is relative is looked for where the command that
    stored it ran, then beside the database."""
    number = turn.index + 1
    if turn.audio_path:
        stored = Path(turn.audio_path)
        for candidate in (stored, db_folder / stored):
            if candidate.is_file():
                return TurnAudio(number, recording=candidate)
        return TurnAudio(
            number, missing=f"The recording of turn {number} is gone ({turn.audio_path}); it was moved or deleted."
        )
    if turn.speaker == "customer" and not real_call:
        return TurnAudio(number, line=turn.text)
    if real_call:
        return TurnAudio(number, missing=f"Turn {number} has no recording: this call came from a transcript.")
    return TurnAudio(number, missing=f"Turn {number} was typed, so there is no recording of it.")


def retry_audio(retries: list[Retry], index: int, *, db_folder: Path) -> TurnAudio:
    """The recording of the latest spoken try at the turn at INDEX (0-based), or why there is none."""
    number = index + 1
    spoken = [r for r in retries if r.audio_path]
    if not spoken:
        why = "has not been tried again" if not retries else "was only tried again in writing"
        return TurnAudio(number, missing=f"Turn {number} {why}, so there is no try to play.")
    stored = Path(spoken[-1].audio_path)
    for candidate in (stored, db_folder / stored):
        if candidate.is_file():
            return TurnAudio(number, recording=candidate)
    return TurnAudio(
        number, missing=f"The recording of the try at turn {number} is gone ({stored}); it was moved or deleted."
    )
