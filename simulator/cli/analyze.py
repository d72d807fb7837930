"""`spar analyze`: label every utterance of a JSONL file, with the evidence for each decision.

Output streams: each line is written, whole, as soon as it is analysed. A malformed line stops the
reading there; the lines before it are still analysed and written, then the run ends with one
`FILE:LINE: what is wrong` (exit 2). So the output is always valid JSON Lines: exactly the input's
lines before the bad one, each with its analysis.
"""

from __future__ import annotations

import json
import sys
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import click

from simulator.cli import cli
from simulator.cli.common import BAD_REQUEST, fail, parts

if TYPE_CHECKING:
    from analysis.language.analyzer import Utterance

UTF8_BOM = b"\xef\xbb\xbf"
# Python refuses to turn longer digit strings into an int (a guard against slow conversions).
MAX_INT_DIGITS = 4300


class BadLine(ValueError):
    """What is wrong with one input line, in words for the user."""


def _refuse_constant(name: str) -> Any:
    raise BadLine(f"{name} is not JSON (JSON has no NaN or Infinity); write null or a string")


def _whole_number(digits: str) -> int:
    if len(digits.lstrip("-")) > MAX_INT_DIGITS:
        raise BadLine(f"a number of {len(digits):,} digits is too long to read (the limit is {MAX_INT_DIGITS:,})")
    return int(digits)


def _real_number(text: str) -> float:
    value = float(text)
    if value in (float("inf"), float("-inf")):
        raise BadLine("a number too large for JSON to carry (it would become Infinity); write it as a string")
    return value


def _has_lone_surrogate(value: Any) -> bool:
    """Whether any string in VALUE holds half of a UTF-16 pair (\\ud800-\\udfff alone), which is
    not a character and cannot be written back as UTF-8."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return True
        return False
    if isinstance(value, dict):
        return any(_has_lone_surrogate(k) or _has_lone_surrogate(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_lone_surrogate(v) for v in value)
    return False


def parse_line(raw: bytes, *, first: bool) -> dict[str, Any] | None:
    """One input line as an utterance object, None for a blank line; BadLine says what is wrong."""
    from analysis.language.analyzer import MAX_TURN_CHARS

    if first and raw.startswith(UTF8_BOM):
        raw = raw[len(UTF8_BOM) :]  # editors on Windows start files with one
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise BadLine("not UTF-8 text; save the file as UTF-8") from None
    if not text.strip():
        return None
    try:
        obj = json.loads(text, parse_constant=_refuse_constant, parse_int=_whole_number, parse_float=_real_number)
    except json.JSONDecodeError as exc:
        raise BadLine(f"not valid JSON ({exc.msg}); each line must be one JSON object") from None
    except RecursionError:
        raise BadLine("not valid JSON here: nested too deeply; each line must be one flat JSON object") from None
    if (
        not isinstance(obj, dict)
        or not isinstance(obj.get("text"), str)
        or obj.get("speaker") not in ("rep", "customer")
    ):
        raise BadLine('each line needs "speaker" ("rep" or "customer") and "text"')
    conversation = obj.get("conversation_id")
    if not isinstance(conversation, (str, int, float, type(None))):
        raise BadLine('"conversation_id" must be text, a number or null')
    if _has_lone_surrogate(obj):
        raise BadLine("holds a lone surrogate escape (such as \\ud800), which is not a character; fix the escape")
    if len(obj["text"]) > MAX_TURN_CHARS:
        raise BadLine(
            f'"text" has {len(obj["text"]):,} characters, more than a turn can have ({MAX_TURN_CHARS:,}); split it into turns'
        )
    return obj


@dataclass
class Stop:
    """Where reading stopped, and why."""

    line: int
    problem: str


class _Reader:
    """Utterances from JSONL, read as bytes and decoded a line at a time, so a bad line is
    reported with its number. Each parsed object is queued so its analysis is attached in order."""

    def __init__(self, name: str, handle: IO[bytes]):
        self.name = name
        self.handle = handle
        self.pending: deque[dict[str, Any]] = deque()
        self.stop: Stop | None = None

    def utterances(self) -> Iterator[Utterance]:
        from analysis.language.analyzer import Utterance

        for number, raw in enumerate(self.handle, start=1):
            try:
                obj = parse_line(raw, first=number == 1)
            except BadLine as bad:
                # Stop reading; what was read before is still analysed and written.
                self.stop = Stop(number, str(bad))
                return
            if obj is None:
                continue
            self.pending.append(obj)
            yield Utterance(obj["speaker"], obj["text"], obj.get("conversation_id"))


@cli.command()
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True))
@click.option(
    "--product",
    "products",
    multiple=True,
    help="A name of what the rep is selling; a statement naming it counts as a pitch. Repeatable.",
)
def analyze(file: str, products: tuple[str, ...]) -> None:
    """Analyse utterances in JSONL (one {"speaker", "text", "conversation_id"} a line; '-' for stdin).

    Writes each line back with an added "analysis" object.
    """
    path = None if file == "-" else Path(file)
    if path is not None and not path.is_file():
        fail(f"{path}: no such file; pass a JSONL file of utterances", BAD_REQUEST)
    analyzer = parts().analyzer()
    name = str(path) if path else "<stdin>"
    try:
        handle: IO[bytes] = sys.stdin.buffer if path is None else path.open("rb")
    except OSError as exc:
        fail(f"{name}: cannot read the file ({exc.strerror or exc})", BAD_REQUEST)
    reader = _Reader(name, handle)
    out = sys.stdout
    try:
        for result in analyzer.analyze(reader.utterances(), product_terms=products):
            obj = reader.pending.popleft()
            obj["analysis"] = result.to_json()
            # allow_nan=False: never write NaN or Infinity, which are not JSON (the input cannot hold them).
            out.write(json.dumps(obj, ensure_ascii=False, allow_nan=False) + "\n")
    finally:
        if path is not None:
            handle.close()
    if reader.stop is not None:
        out.flush()
        fail(f"{name}:{reader.stop.line}: {reader.stop.problem}", BAD_REQUEST)
