"""Command-line start-up and short-command speed, next to Python's own start (``python -c pass``).

Run: ``.venv/bin/python benchmarks/cli_speed.py [--runs 15] [--warmups 2]``

Each command runs ``--warmups`` times unmeasured (file cache, .pyc), then ``--runs`` times; the table
shows the median wall time and the median CPU time (user + system of the child, which a busy machine
inflates less than wall time), with the issue's targets: ``--help`` and ``--version`` <= 0.12 s,
``assess`` on an example intake <= 0.25 s, ``gait`` on a gaitpdb trial <= 0.4 s (median wall). The
gaitpdb trial (PhysioNet gaitpdb, Hausdorff et al., ODC-By 1.0) is found by ``footchain.data``
(``FOOTCHAIN_DATA``, ``../shared/data`` or the download cache). The load average is printed because
on a shared 2-core machine other work shifts every number. The commands run without
``PYTHONDONTWRITEBYTECODE`` (as on a normal installation, where pip compiles the wheel's modules), so
the warm-ups leave compiled modules behind, as any first run on a user's machine does.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
FOOTCHAIN = BIN / "footchain"


def _gait_trial() -> Path:
    from footchain.data import fetch

    return fetch("gaitpdb/GaCo01_01.txt", extra=[REPO.parent / "shared" / "data"])


ENV = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}


def _time(command: list[str]) -> tuple[float, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True, cwd=REPO, env=ENV
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--warmups", type=int, default=2)
    options = parser.parse_args()
    example = REPO / "examples" / "runner_flat_feet_knee.json"
    rows: list[tuple[str, list[str], float | None]] = [
        ("python -c pass", [sys.executable, "-c", "pass"], None),
        ("footchain --version", [str(FOOTCHAIN), "--version"], 0.12),
        ("footchain --help", [str(FOOTCHAIN), "--help"], 0.12),
        ("footchain assess (example intake)", [str(FOOTCHAIN), "assess", str(example)], 0.25),
        ("footchain gait (gaitpdb trial)", [str(FOOTCHAIN), "gait", str(_gait_trial())], 0.40),
    ]
    print(
        f"{options.runs} runs after {options.warmups} warm-ups; load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores"
    )
    print(f"{'command':36} {'median wall s':>13} {'min wall s':>10} {'median CPU s':>12} {'target s':>8}  ")
    for label, command, target in rows:
        for _ in range(options.warmups):
            _time(command)
        walls, cpus = zip(*(_time(command) for _ in range(options.runs)), strict=True)
        median = statistics.median(walls)
        verdict = "" if target is None else ("ok" if median <= target else "over")
        shown = "" if target is None else f"{target:.2f}"
        print(
            f"{label:36} {median:13.3f} {min(walls):10.3f} {statistics.median(cpus):12.3f} {shown:>8}  {verdict}"
        )


if __name__ == "__main__":
    main()
