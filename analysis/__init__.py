"""Sparring's headless library: speech to text (`speech/`), what each turn does (`language/`), and the
figures and debrief a rep reads (`coaching/`); the records they exchange are in `types.py`.

Never imports Textual or `simulator`: the analysis runs the same from the app, the command
line and the benchmarks. spaCy loads only when an `Analyzer` is created.
"""

from pathlib import Path

# Cue words, examples and skills kept as data that a coach can read and extend.
PATTERNS_DIR = Path(__file__).resolve().parent / "patterns"
