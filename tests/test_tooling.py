"""Lint, format, types and layering, checked as part of the test run so CI and the README's test command hold them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
CODE = ["analysis", "simulator", "tests", "bench"]


def _run(*command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)


@pytest.mark.parametrize(
    "command",
    [
        pytest.param([sys.executable, "-m", "ruff", "check", *CODE], id="ruff-check"),
        pytest.param([sys.executable, "-m", "ruff", "format", "--check", *CODE], id="ruff-format"),
        pytest.param([sys.executable, "-m", "mypy"], id="mypy"),
        pytest.param([str(BIN / "lint-imports"), "--no-cache"], id="import-contracts"),
    ],
)
def test_code_is_clean(command: list[str]) -> None:
    done = _run(*command)
    assert done.returncode == 0, f"{' '.join(command[-3:])} found problems:\n{done.stdout}\n{done.stderr}"
