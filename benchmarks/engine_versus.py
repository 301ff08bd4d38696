"""The engine's speed next to an earlier commit's, measured in one run on this machine.

Run: ``.venv/bin/python benchmarks/engine_versus.py --against 3607ec3 [--rounds 5] [--instructions]``

The earlier commit is unpacked with ``git archive`` into a temporary folder; each side then runs in its
own child process on one core, importing footchain from its own ``src`` and drawing its intakes from its
own ``benchmarks/assess_speed.py`` (so each assesses the ~200 varied intakes its own schema knows). The
two sides alternate for ``--rounds`` rounds and the best round of each is kept, since on a shared
machine other work only ever slows a round down. Measured: ``assess(intake)`` and
``assess(parse_intake(dict))`` per second of CPU time.

``--instructions`` also counts the machine instructions per assessment under valgrind's callgrind
(Debian package valgrind), which other work on the machine does not change: the same count twice.

A benchmark reports; it never fails the build: the exit code is 0 unless the comparison cannot run.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

# Runs in a child process: sys.argv = [tree, seconds, mode]; prints one JSON object.
CHILD = r"""
import importlib.util, json, os, subprocess, sys, time
tree, seconds, mode = sys.argv[1], float(sys.argv[2]), sys.argv[3]
sys.path.insert(0, os.path.join(tree, "src"))
spec = importlib.util.spec_from_file_location("speed", os.path.join(tree, "benchmarks", "assess_speed.py"))
speed = importlib.util.module_from_spec(spec)
spec.loader.exec_module(speed)
import footchain
from footchain import assess
from footchain.intake import parse_intake
assert footchain.__file__.startswith(tree), footchain.__file__
documents = speed.build_intakes()
intakes = [parse_intake(document) for document in documents]
def full(document):
    return assess(parse_intake(document))
for intake in intakes:
    assess(intake)
if mode == "instructions":
    def counted(step, inputs):
        control = ["callgrind_control", "-i"]
        subprocess.run([*control, "on", str(os.getpid())], capture_output=True, check=True)
        for item in inputs:
            step(item)
        subprocess.run([*control, "off", str(os.getpid())], capture_output=True, check=True)
    counted(assess, intakes)
    print(json.dumps({"calls": len(intakes)}))
    sys.exit(0)
if mode == "full-instructions":
    subprocess.run(["callgrind_control", "-i", "on", str(os.getpid())], capture_output=True, check=True)
    for document in documents:
        full(document)
    subprocess.run(["callgrind_control", "-i", "off", str(os.getpid())], capture_output=True, check=True)
    print(json.dumps({"calls": len(documents)}))
    sys.exit(0)
def rate(step, inputs):
    calls, started = 0, time.process_time()
    while time.process_time() - started < seconds:
        for item in inputs:
            step(item)
        calls += len(inputs)
    return calls / (time.process_time() - started)
print(json.dumps({"engine": rate(assess, intakes), "full": rate(full, documents)}))
"""


def unpack(revision: str, into: Path) -> Path:
    """The tree of ``revision`` (its src and benchmarks) unpacked under ``into``."""
    tree = into / "tree"
    tree.mkdir()
    archive = subprocess.run(
        ["git", "-C", str(REPO), "archive", revision, "src", "benchmarks"],
        capture_output=True,
        check=False,
    )
    if archive.returncode != 0:
        raise SystemExit(f"git archive {revision} failed: {archive.stderr.decode().strip()}")
    subprocess.run(["tar", "-x", "-C", str(tree)], input=archive.stdout, check=True)
    return tree


def one_core() -> list[str]:
    """A taskset prefix pinning a child to one core (none where taskset is missing)."""
    core = min(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None
    return ["taskset", "-c", str(core)] if core is not None and _has("taskset") else []


def _has(program: str) -> bool:
    return subprocess.run(["sh", "-c", f"command -v {program}"], capture_output=True).returncode == 0


def rates(tree: Path, seconds: float) -> dict[str, float]:
    result = subprocess.run(
        [*one_core(), sys.executable, "-c", CHILD, str(tree), str(seconds), "rate"],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise SystemExit(f"timing {tree} failed:\n{result.stderr}")
    return dict(json.loads(result.stdout))


def instructions(tree: Path, mode: str) -> float:
    """Machine instructions per call, counted by callgrind with counting on only around the calls."""
    with tempfile.TemporaryDirectory() as scratch:
        out = Path(scratch) / "callgrind.out"
        result = subprocess.run(
            ["valgrind", "--tool=callgrind", "--instr-atstart=no", f"--callgrind-out-file={out}",
             sys.executable, "-c", CHILD, str(tree), "0", mode],
            capture_output=True,
            text=True,
            check=False,
        )  # fmt: skip
        if result.returncode != 0:
            raise SystemExit(f"callgrind on {tree} failed:\n{result.stderr[-2000:]}")
        calls = json.loads(result.stdout)["calls"]
        totals = [line for line in out.read_text().splitlines() if line.startswith("totals:")]
        return int(totals[0].split()[1]) / calls


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--against", required=True, help="the earlier commit (any git revision)")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=2.0, help="timing per measure and round")
    parser.add_argument("--instructions", action="store_true", help="also count instructions (valgrind)")
    args = parser.parse_args()

    from rich.console import Console
    from rich.table import Table

    with tempfile.TemporaryDirectory() as scratch:
        sides = {args.against: unpack(args.against, Path(scratch)), "this tree": REPO}
        best: dict[str, dict[str, float]] = {name: {"engine": 0.0, "full": 0.0} for name in sides}
        for _ in range(args.rounds):
            for name, tree in sides.items():
                for measure, value in rates(tree, args.seconds).items():
                    best[name][measure] = max(best[name][measure], value)
        counted: dict[str, dict[str, float]] = {}
        if args.instructions:
            counted = {
                name: {
                    "engine": instructions(tree, "instructions"),
                    "full": instructions(tree, "full-instructions"),
                }
                for name, tree in sides.items()
            }

    old, new = best[args.against], best["this tree"]
    table = Table(title=f"footchain engine: this tree against {args.against} (best of {args.rounds} rounds)")
    for column in ("measure", args.against, "this tree", "this / earlier"):
        table.add_column(column, justify="left" if column == "measure" else "right")
    for measure, label in (("engine", "assess(intake) per s"), ("full", "assess(parse_intake(dict)) per s")):
        table.add_row(
            label, f"{old[measure]:,.0f}", f"{new[measure]:,.0f}", f"{new[measure] / old[measure]:.3f}"
        )
    for measure, label in (
        ("engine", "instructions per assess(intake)"),
        ("full", "instructions per assess(parse_intake(dict))"),
    ):
        if counted:
            before, after = counted[args.against][measure], counted["this tree"][measure]
            table.add_row(label, f"{before:,.0f}", f"{after:,.0f}", f"{after / before:.3f}")
    Console().print(table)
    print(f"load average {os.getloadavg()[0]:.2f} (2 cores here; other work slows rounds down)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
