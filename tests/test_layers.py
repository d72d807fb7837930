"""The layering the design relies on: analysis/ is a library the app uses, never the reverse."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_analysis_never_imports_the_app_or_textual():
    for path in sorted((ROOT / "analysis").rglob("*.py")):
        bad = _imports(path) & {"textual", "simulator", "rich"}
        assert not bad, f"{path.relative_to(ROOT)} imports {sorted(bad)}"


def test_heavy_libraries_are_imported_inside_functions_only():
    """spaCy, torch and Whisper load lazily so `spar --help` and the first screen appear at once."""
    heavy = {"spacy", "torch", "whisper", "faster_whisper", "ctranslate2", "sounddevice", "thinc"}
    for folder in ("simulator", "analysis"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            top = set()
            for node in tree.body:
                if isinstance(node, ast.Import):
                    top.update(a.name.split(".")[0] for a in node.names)
                elif isinstance(node, ast.ImportFrom) and node.module:
                    top.add(node.module.split(".")[0])
            allowed_eager = {
                f"analysis/language/{name}.py"
                for name in ("findings", "spoken", "sentences", "questions", "spin", "pitch", "paraphrase")
            }
            rel = str(path.relative_to(ROOT))
            if rel in allowed_eager:
                continue  # spaCy component modules, themselves imported only when the pipeline loads
            assert not (top & heavy), f"{rel} imports {sorted(top & heavy)} at module level"
