"""The site's validation page is what ``benchmarks/validation/make_report.py`` makes from its sections.

The sections measure footchain on the shared data (IPOL foot-IMU trials, Moticon insoles, pressure
plates: ../shared/data, sources on the data page), so this also runs every validation script.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "benchmarks" / "validation" / "make_report.py"


def test_the_committed_validation_page_is_current() -> None:
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--check"], capture_output=True, text=True, timeout=600, cwd=ROOT
    )
    assert done.returncode == 0, done.stderr + done.stdout
    assert "is up to date" in done.stdout


def test_the_page_links_its_figures_and_they_exist() -> None:
    page = (ROOT / "docs" / "reference" / "validation.md").read_text(encoding="utf-8")
    assert "## Foot IMUs against the IPOL reference events" in page
    assert "## Pressure-plate arch index against pressuRe" in page
    for line in page.splitlines():
        if line.startswith("![") and "](img/" in line:
            name = line.split("](", 1)[1].rstrip(")")
            assert (ROOT / "docs" / "reference" / name).is_file(), name
