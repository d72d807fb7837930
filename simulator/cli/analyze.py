"""`spar analyze`: label every utterance of a JSONL file, with the evidence for each decision."""

from __future__ import annotations

import json
import sys
from collections import deque
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from simulator.cli import cli
from simulator.cli.common import BAD_REQUEST, DEFAULTS, fail, parts

if TYPE_CHECKING:
    from analysis.language.analyzer import Utterance


def _read_jsonl(file: Path | None, pending: deque) -> Iterator[Utterance]:
    """Utterances from JSONL; each parsed line is queued so its analysis can be attached in order."""
    from analysis.language.analyzer import Utterance

    name = str(file) if file else "<stdin>"
    handle = sys.stdin if file is None else file.open(encoding="utf-8")
    try:
        for number, raw in enumerate(handle, start=1):
            if not raw.strip():
                continue
            try:
                obj = json.loads(raw)
            except json.JSONDecodeError as exc:
                fail(f"{name}:{number}: not valid JSON ({exc.msg}); each line must be one JSON object", BAD_REQUEST)
            if (
                not isinstance(obj, dict)
                or not isinstance(obj.get("text"), str)
                or obj.get("speaker") not in ("rep", "customer")
            ):
                fail(f'{name}:{number}: each line needs "speaker" ("rep" or "customer") and "text"', BAD_REQUEST)
            pending.append(obj)
            yield Utterance(obj["speaker"], obj["text"], obj.get("conversation_id"))
    except UnicodeDecodeError:
        fail(f"{name}: not UTF-8 text", BAD_REQUEST)
    finally:
        if file is not None:
            handle.close()


@cli.command()
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True))
@click.option(
    "--product",
    "products",
    multiple=True,
    help="A name of what the rep is selling; a statement naming it counts as a pitch. Repeatable.",
)
@click.option(
    "--convention",
    type=click.Choice(["sales", "mi"]),
    default=DEFAULTS.question_convention,
    show_default=True,
    help="How a question is called open or closed: sales (closed when it can be answered yes/no or by a pick "
    "from options) or mi (what the question invites, as motivational-interviewing coders judge it).",
)
def analyze(file: str, products: tuple[str, ...], convention: str) -> None:
    """Analyse utterances in JSONL (one {"speaker", "text", "conversation_id"} a line; '-' for stdin).

    Writes each line back with an added "analysis" object.
    """
    path = None if file == "-" else Path(file)
    if path is not None and not path.is_file():
        fail(f"{path}: no such file; pass a JSONL file of utterances", BAD_REQUEST)
    analyzer = parts().analyzer()
    pending: deque[dict[str, Any]] = deque()
    out = sys.stdout
    for result in analyzer.analyze(_read_jsonl(path, pending), product_terms=products, convention=convention):
        obj = pending.popleft()
        obj["analysis"] = result.to_json()
        out.write(json.dumps(obj, ensure_ascii=False) + "\n")
