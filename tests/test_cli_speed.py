"""``footchain --help`` and ``--version`` answer without importing the app (Typer, pydantic, Rich).

The console script starts in ``footchain._launch``; these tests check what it imports rather than
how long it takes (timings belong in ``benchmarks/cli_speed.py``), and that the top-level help it
stores is still the text the Typer app prints.
"""

from __future__ import annotations

import subprocess
import sys

import pytest
from typer.testing import CliRunner

from footchain._launch import HELP_FILE
from footchain.cli import app

PROBE = """
import sys
sys.argv = ["footchain", *{args!r}]
from footchain._launch import main
main()
heavy = sorted(m for m in ("typer", "click", "rich", "pydantic", "numpy", "footchain.cli") if m in sys.modules)
print("IMPORTED:", ",".join(heavy))
"""


@pytest.mark.parametrize("args", [["--help"], ["--version"]])
def test_help_and_version_import_nothing_heavy(args: list[str]) -> None:
    result = subprocess.run(
        [sys.executable, "-c", PROBE.format(args=args)], capture_output=True, text=True, check=True
    )
    assert result.stdout.rstrip().splitlines()[-1] == "IMPORTED:", result.stdout


def test_the_stored_help_is_what_the_app_prints() -> None:
    printed = CliRunner().invoke(app, ["--help"], prog_name="footchain", terminal_width=80)
    assert printed.exit_code == 0
    with open(HELP_FILE, encoding="utf-8") as stream:
        stored = stream.read()
    assert stored == printed.output, "the commands changed: run `python scripts/cli-help`"


def test_other_commands_still_reach_the_app() -> None:
    result = subprocess.run(
        [sys.executable, "-c", PROBE.format(args=["assess", "--help"])], capture_output=True, text=True
    )
    assert "--format" in result.stdout
