"""How often the analyzer agrees with coaches' corrections, per label, from a Sparring database.

A coach corrects a label they disagree with, but may also set one to what the analyzer already
said (confirming it); both count. For each turn and label the latest correction is the coach's
answer; the analyzer's label is the one stored with the turn.

    .venv/bin/python bench/corrections.py PATH/TO/sparring.db [--json]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from analysis.coaching.review import LABELS, label_value, latest_corrections, value_text
from bench._table import table
from simulator.storage import Store, StoreError


@dataclass
class LabelAgreement:
    corrected: int = 0  # turns whose label a coach set
    agree: int = 0  # of those, where the analyzer had said the same
    changes: Counter[str] = field(default_factory=Counter)  # "yes -> no": how coaches changed it

    def to_json(self) -> dict[str, object]:
        return {"corrected": self.corrected, "agree": self.agree, "changes": dict(self.changes)}


def agreement(db: Path) -> dict[str, LabelAgreement]:
    store = Store(db, read_only=True)
    try:
        turns = store.corrected_turns()
    finally:
        store.close()
    out = {label: LabelAgreement() for label in LABELS}
    for _session, analysis, corrections in turns:
        for label, correction in latest_corrections(corrections).get(corrections[0].turn, {}).items():
            row, said = out[label], label_value(analysis, label)
            row.corrected += 1
            if said == correction.value:
                row.agree += 1
            else:
                row.changes[f"{value_text(said)} -> {value_text(correction.value)}"] += 1
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("db", type=Path)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if not args.db.exists():
        sys.exit(f"{args.db}: no such database")
    try:
        result = agreement(args.db)
    except StoreError as exc:
        sys.exit(str(exc))
    if args.json:
        print(json.dumps({label: row.to_json() for label, row in result.items()}, indent=2))
        return
    rows: list[list[object]] = [
        [
            label,
            row.corrected,
            row.agree,
            f"{row.agree / row.corrected:.0%}" if row.corrected else "—",
            "; ".join(f"{change} ×{n}" for change, n in row.changes.most_common()),
        ]
        for label, row in result.items()
    ]
    print(table(["label", "corrected turns", "analyzer agreed", "agreement", "coaches changed"], rows))


if __name__ == "__main__":
    main()
