"""Prove that a refactor changed no behaviour: record what the commands print, then compare.

    python bench/behaviour_snapshot.py record DIR     # before the change
    python bench/behaviour_snapshot.py compare DIR    # after it: exit 1 on any difference

It runs the real `spar analyze` over every JSONL file in ../shared/data (the labelled dialogues
sit beside the checkout, not in it) and `spar practice --json` on every built-in scenario with a
few fixed reply scripts, and keeps their output byte for byte. Only what differs between two runs
of unchanged code is normalised: the session id and the path of the temporary database.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data"
SPAR = [sys.executable, "-c", "from simulator.cli import main; main()"]

# Reply scripts written for this check: a discovery-minded rep, a pushy one, and one who mixes
# listening with an early proposal. Every built-in scenario is played with each.
SCRIPTS: dict[str, list[str]] = {
    "curious": [
        "Hi, thanks for taking my call. How do you plan your routes at the moment?",
        "What happens when a driver calls in sick or a delivery slips?",
        "So it sounds like the manual planning eats your mornings and the late drops hurt you with customers.",
        "What would it mean for your team if planning took ten minutes instead of two hours?",
        "How are you handling the reminders and the cancellations today?",
        "What does a missed appointment cost you in a typical week?",
        "Would it make sense to set up a meeting next week with your team to look at this?",
    ],
    "pushy": [
        "Hi, I'm calling about our platform, it is the best on the market and saves 30 percent.",
        "Our product cuts costs and everyone who uses it loves it.",
        "You should really sign up today, the price goes up next month.",
        "Can we book a demo?",
    ],
    "mixed": [
        "Hello, this is Sam from the vendor. Do you have a minute?",
        "Are you happy with the current system?",
        "You feel the renewal is a big decision and you're worried about the cost.",
        "Our new version fixes the reminders problem.",
        "Tell me more about how decisions get made on your side.",
        "Shall we set up a demo next Tuesday?",
    ],
}


def _spar(args: list[str], env: dict[str, str], stdin: bytes | None = None) -> bytes:
    done = subprocess.run(SPAR + args, cwd=ROOT, env=env, input=stdin, capture_output=True, check=False)
    return done.stdout + b"\n--- stderr ---\n" + done.stderr + f"\n--- exit {done.returncode} ---\n".encode()


def _normalised_practice(output: bytes, db: Path) -> bytes:
    text = output.decode("utf-8", "replace").replace(str(db), "<DB>")
    head, sep, tail = text.partition("\n--- stderr ---\n")
    try:
        obj = json.loads(head)
    except json.JSONDecodeError:
        return text.encode()
    obj["session_id"] = "<ID>"
    return (json.dumps(obj, ensure_ascii=False, sort_keys=True, indent=1) + sep + tail).encode()


def capture(out: Path) -> dict[str, str]:
    out.mkdir(parents=True, exist_ok=True)
    digests: dict[str, str] = {}
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "SPAR_DATA_DIR": tmp, "PYTHONHASHSEED": "0"}
        for data in sorted(DATA.glob("*.jsonl")):
            result = _spar(["analyze", str(data)], env)
            name = f"analyze-{data.stem}.jsonl"
            (out / name).write_bytes(result)
            digests[name] = hashlib.sha256(result).hexdigest()
            print(f"{name}: {len(result):,} bytes", flush=True)
        scenarios = json.loads(
            "["
            + ",".join(_spar(["scenarios", "list", "--json"], env).split(b"\n--- stderr")[0].decode().split("\n")[:-1])
            + "]"
        )
        for scenario in scenarios:
            for script, replies in SCRIPTS.items():
                replies_file = Path(tmp) / f"{script}.txt"
                replies_file.write_text("\n".join(replies) + "\n", encoding="utf-8")
                db = Path(tmp) / f"{scenario['id']}-{script}.db"
                result = _normalised_practice(
                    _spar(
                        [
                            "practice",
                            scenario["id"],
                            "--rep",
                            "Ana Ruiz",
                            "--replies",
                            str(replies_file),
                            "--db",
                            str(db),
                            "--json",
                        ],
                        env,
                    ),
                    db,
                )
                name = f"practice-{scenario['id']}-{script}.json"
                (out / name).write_bytes(result)
                digests[name] = hashlib.sha256(result).hexdigest()
                print(f"{name}: {len(result):,} bytes", flush=True)
    return digests


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("action", choices=("record", "compare"))
    parser.add_argument("folder", type=Path)
    args = parser.parse_args()
    if not DATA.is_dir():
        print(f"behaviour_snapshot: {DATA} not found (the shared dialogues sit beside the checkout)", file=sys.stderr)
        return 2
    if args.action == "record":
        capture(args.folder)
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        capture(Path(tmp))
        differ = []
        for before in sorted(args.folder.iterdir()):
            after = Path(tmp) / before.name
            same = after.exists() and after.read_bytes() == before.read_bytes()
            print(f"{'same' if same else 'DIFFERENT':9}  {before.name}")
            if not same:
                differ.append(before.name)
    print(f"\n{len(differ)} of {len(list(args.folder.iterdir()))} outputs differ")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
