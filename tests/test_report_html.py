"""The HTML report renders in a real headless browser (Debian's chromium), loads nothing from
anywhere, and the words written for the rep read at about a 10th-grade level or simpler."""

from __future__ import annotations

import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from analysis.coaching.debrief import NEXT_STEP_PROMPT, REFLECTION_PROMPTS
from analysis.coaching.report import GUIDE, reading_grade
from analysis.coaching.skills import skills
from simulator.cli import cli
from simulator.cli.common import Parts
from tests.review_helpers import PITCH_TURN, play

MAX_GRADE = 10.0


def spar(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False, obj=Parts())


@pytest.fixture
def report(tmp_path, db_path, analyzer, freight) -> Path:
    session = str(play(db_path, analyzer, freight))
    spar("correct", session, str(PITCH_TURN), "is_pitch=false", "--author", "Ana", "--db", str(db_path))
    spar("note", session, "4", "Her own words came back <b>here</b>", "--kind", "tactical", "--db", str(db_path))
    spar(
        "goal",
        session,
        "--measure",
        "4 needs questions before the first pitch",
        "--due",
        "2027-01-15",
        "--db",
        str(db_path),
    )
    out = tmp_path / "report.html"
    result = spar("export", session, "--format", "html", "--out", str(out), "--db", str(db_path))
    assert result.exit_code == 0, result.output
    return out


class _Resources(HTMLParser):
    """Every place an HTML page could load something from."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        for name, value in attrs:
            if name in ("src", "href", "srcset", "data", "poster", "action", "background") and value:
                self.found.append(f"{tag} {name}={value}")
            if name == "style" and value and "url(" in value:
                self.found.append(f"{tag} style")
        if tag in ("script", "iframe", "object", "embed", "link", "img", "video", "audio", "base"):
            self.found.append(tag)

    def handle_data(self, data: str) -> None:
        if self.tags and self.tags[-1] == "style" and ("url(" in data or "@import" in data):
            self.found.append("url() or @import in the style")


def test_the_html_report_is_one_self_contained_file(report):
    page = report.read_text(encoding="utf-8")
    parser = _Resources()
    parser.feed(page)
    assert parser.found == []
    assert "<style>" in page and "Call review" in page
    # What people typed is text, never markup.
    assert "&lt;b&gt;here&lt;/b&gt;" in page and "<b>here</b>" not in page
    assert "pitch: no (set by Ana; the analyzer said yes)" in page
    assert "How you will know: 4 needs questions before the first pitch" in page


def test_a_real_browser_renders_the_report(tmp_path, report):
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    assert chromium, "chromium is needed for this test: bash setup.sh --test installs it (Debian package chromium)"
    shot = tmp_path / "report.png"
    subprocess.run(
        [
            chromium,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            f"--user-data-dir={tmp_path / 'profile'}",
            f"--screenshot={shot}",
            "--window-size=1000,1400",
            report.resolve().as_uri(),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    assert shot.exists() and shot.stat().st_size > 0
    # ffmpeg (which Sparring needs for audio anyway) turns the PNG into grey pixels.
    raw = subprocess.run(
        ["ffmpeg", "-v", "error", "-i", str(shot), "-f", "rawvideo", "-pix_fmt", "gray", "-"],
        check=True,
        capture_output=True,
        timeout=60,
    ).stdout
    pixels = np.frombuffer(raw, dtype=np.uint8).reshape(1400, 1000)
    assert pixels.std() > 10, "the screenshot is blank"
    dark = pixels < 100  # text
    assert dark.mean() > 0.005
    # Text runs down the page: the top and the lower half both have some.
    assert dark[:300].any() and dark[700:].any()


def _written_for_the_rep(markdown: str) -> str:
    """The report's own words: what was said in the call (quoted), the rep's answers and the
    figures table are not Sparring's wording."""
    keep = []
    for line in markdown.splitlines():
        if line.startswith(("> ", "|", "#")) or line.startswith("- Why:") or "brings back the customer's words" in line:
            continue
        if line.startswith("- **") or line.startswith("- Note ("):
            continue
        keep.append(line.removeprefix("- "))
    return "\n".join(line if line.endswith((".", "?", "!")) else line + "." for line in keep if line.strip())


def test_the_report_and_debrief_read_at_a_10th_grade_level_or_simpler(db_path, analyzer, freight):
    session = str(play(db_path, analyzer, freight))
    spar(
        "goal",
        session,
        "--measure",
        "4 needs questions before the first pitch",
        "--due",
        "2027-01-15",
        "--db",
        str(db_path),
    )
    markdown = spar("export", session, "--format", "md", "--db", str(db_path)).stdout
    texts = {
        "report": _written_for_the_rep(markdown),
        "guide": GUIDE,
        "prompts": " ".join([p for _, p in REFLECTION_PROMPTS] + [NEXT_STEP_PROMPT]),
    }
    for s in skills():
        texts[s.id] = " ".join([s.shown, s.why, s.try_next])
    grades = {name: round(reading_grade(text), 1) for name, text in texts.items()}
    assert all(grade <= MAX_GRADE for grade in grades.values()), grades


def test_the_grade_formula_tells_easy_text_from_hard():
    assert reading_grade("The cat sat on the mat. It was warm.") < 3
    hard = (
        "Organisational transformation necessitates comprehensive stakeholder consultation, "
        "institutional accountability and unprecedented interdepartmental coordination."
    )
    assert reading_grade(hard) > 16
