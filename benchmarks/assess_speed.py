"""How fast footchain assesses intakes and how fast its command line starts.

Run: ``.venv/bin/python benchmarks/assess_speed.py``. Prints a table (measure | value | target |
pass/fail) and, where a target is missed, where the time goes (``-X importtime`` for start-up,
cProfile for the engine). A benchmark reports; it never fails the build: the exit code is always 0.

Measures
- assessments per second on one core, knowledge loaded once: ``assess(intake)`` on ~200 varied,
  already validated intakes (the engine alone), and ``assess(parse_intake(document))`` (validation
  plus engine), each timed for at least three seconds after a warm-up;
- wall time of ``footchain --help`` and ``footchain --version`` as subprocesses: median of 15 runs
  after 2 warm-ups.
"""

from __future__ import annotations

import copy
import cProfile
import io
import json
import os
import pstats
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from footchain import assess
from footchain.intake import parse_intake
from footchain.knowledge import load_knowledge
from footchain.types import Health

REPO = Path(__file__).resolve().parents[1]
FOOTCHAIN = Path(sys.executable).with_name("footchain")

ASSESS_TARGET_PER_S = 2_000
STARTUP_TARGET_S = 0.3
MIN_SECONDS = 3.0
CLI_RUNS = 15
CLI_WARMUPS = 2

REGIONS = ["lower_back", "pelvis", "hip", "buttock", "thigh", "knee", "shin", "calf", "ankle", "heel", "arch",
           "forefoot", "toes"]  # fmt: skip
SIDES = ["left", "right", "both", "midline"]
TRIGGERS = ["first_steps_morning", "after_rest", "standing", "walking", "running", "stairs", "sitting", "night",
            "constant"]  # fmt: skip
ARCHES = ["flat", "low", "normal", "high", "unknown"]
WEAR = ["lateral_heel", "medial_heel", "medial_forefoot", "lateral_forefoot", "big_toe", "toe_tip", "even"]
SIZES = {"us_men": (6, 13), "us_women": (5, 12), "uk": (3, 12), "eu": (35, 47), "mondopoint": (220, 300)}
HEALTH = list(Health.model_fields)  # every screening question the intake knows


# ----------------------------------------------------------------------------------------------
# Intakes


def example_intakes() -> list[dict[str, Any]]:
    paths = sorted((REPO / "contracts" / "examples").glob("*.json")) + sorted(
        (REPO / "examples").glob("*.json")
    )
    return [json.loads(p.read_text(encoding="utf-8")) for p in paths]


def varied_intake(rng: random.Random) -> dict[str, Any]:
    """One hand-varied intake: pain, feet, shoe wear and health answers drawn at random."""
    pain = []
    for region in rng.sample(REGIONS, rng.randint(0, 4)):
        item: dict[str, Any] = {"region": region, "intensity": rng.randint(0, 10)}
        if rng.random() < 0.8:
            item["side"] = "midline" if region == "lower_back" else rng.choice(SIDES[:3])
        if rng.random() < 0.8:
            item["duration_weeks"] = rng.choice([1, 3, 6, 10, 14, 30])
        if rng.random() < 0.6:
            item["worst_with"] = rng.sample(TRIGGERS, rng.randint(1, 3))
        pain.append(item)

    feet: dict[str, Any] = {"self_reported_arch": rng.choice(ARCHES)}
    if rng.random() < 0.5:
        feet["arch_flattens_when_standing"] = rng.random() < 0.5
    if rng.random() < 0.4:
        feet["fpi6"] = {side: [rng.randint(-2, 2) for _ in range(6)] for side in ("left", "right")}
    if rng.random() < 0.3:
        feet["navicular_drop_mm"] = {
            "left": round(rng.uniform(2, 15), 1),
            "right": round(rng.uniform(2, 15), 1),
        }
    if rng.random() < 0.4:
        feet["footprint"] = {
            side: {
                "arch_index": round(rng.uniform(0.15, 0.32), 3),
                "chippaux_smirak_index": round(rng.uniform(10, 80), 1),
                "foot_length_mm": rng.randint(220, 290),
            }
            for side in ("left", "right")
        }

    system = rng.choice(sorted(SIZES))
    low, high = SIZES[system]
    person: dict[str, Any] = {
        "age_years": rng.randint(16, 85),
        "sex": rng.choice(["female", "male", "other"]),
        "height_cm": rng.randint(150, 200),
        "weight_kg": rng.randint(45, 130),
    }
    if rng.random() < 0.7:
        person["shoe_size"] = {"system": system, "value": rng.randint(low * 2, high * 2) / 2}

    document: dict[str, Any] = {
        "schema_version": 1,
        "person": person,
        "pain": pain,
        "activity": {
            "standing_hours_per_day": rng.randint(0, 12),
            "hard_surfaces": rng.random() < 0.5,
            "running_km_per_week": rng.choice([0, 0, 10, 30, 60]),
            "recent_load_increase": rng.random() < 0.3,
            "sports": rng.sample(["running", "football", "tennis", "dance", "hiking"], rng.randint(0, 2)),
        },
        "feet": feet,
        "health": {
            # mostly "no", sometimes unanswered, now and then a red flag
            name: rng.random() < 0.04
            for name in HEALTH
            if rng.random() < 0.85
        },
    }
    if rng.random() < 0.5:
        document["shoe_wear"] = {side: rng.sample(WEAR, rng.randint(1, 2)) for side in ("left", "right")}
    return document


def build_intakes(count: int = 200, seed: int = 20240601) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    documents = example_intakes()
    while len(documents) < count:
        documents.append(varied_intake(rng))
    return documents


# ----------------------------------------------------------------------------------------------
# Timing


def rate(step: Callable[[Any], object], inputs: list[Any], min_seconds: float = MIN_SECONDS) -> float:
    """Calls per second of ``step`` over ``inputs``, cycling through them for at least ``min_seconds``."""
    calls = 0
    started = time.perf_counter()
    elapsed = 0.0
    while elapsed < min_seconds:
        for item in inputs:
            step(item)
        calls += len(inputs)
        elapsed = time.perf_counter() - started
    return calls / elapsed


def pin_to_one_core() -> str:
    if hasattr(os, "sched_setaffinity"):
        core = min(os.sched_getaffinity(0))
        os.sched_setaffinity(0, {core})
        return f"core {core}"
    return "not pinned"


def cli_seconds(*args: str) -> float:
    """Median wall time of ``footchain ARGS`` as a subprocess."""
    env = {**os.environ, "NO_COLOR": "1"}
    times = []
    for run in range(CLI_WARMUPS + CLI_RUNS):
        started = time.perf_counter()
        result = subprocess.run([str(FOOTCHAIN), *args], capture_output=True, env=env, check=False)
        took = time.perf_counter() - started
        if result.returncode != 0:
            raise SystemExit(f"footchain {' '.join(args)} failed: {result.stderr.decode()}")
        if run >= CLI_WARMUPS:
            times.append(took)
    return statistics.median(times)


def import_times(*args: str, top: int = 10) -> list[tuple[str, int, int]]:
    """The ``top`` modules by cumulative import time (µs) when running ``footchain ARGS``."""
    result = subprocess.run(
        [sys.executable, "-X", "importtime", str(FOOTCHAIN), *args],
        capture_output=True,
        text=True,
        check=False,
    )
    rows = []
    for line in result.stderr.splitlines():
        if not line.startswith("import time:") or "imported package" in line:
            continue
        self_us, cumulative_us, name = line.removeprefix("import time:").split("|")
        rows.append((name.rstrip(), int(self_us), int(cumulative_us)))
    rows.sort(key=lambda row: row[2], reverse=True)
    return rows[:top]


def profile(step: Callable[[Any], object], inputs: list[Any], top: int = 15) -> str:
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(5):
        for item in inputs:
            step(item)
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(top)
    return out.getvalue()


# ----------------------------------------------------------------------------------------------


def main() -> int:
    console = Console()
    core = pin_to_one_core()
    documents = build_intakes()
    intakes = [parse_intake(copy.deepcopy(document)) for document in documents]  # all must validate
    urgencies: dict[str, int] = {}
    load_knowledge()
    for intake in intakes:  # warm up (and check that every intake assesses)
        urgency = assess(intake).referral.urgency
        urgencies[urgency] = urgencies.get(urgency, 0) + 1
    for document in documents:
        assess(parse_intake(document))
    console.print(
        f"{len(intakes)} intakes ({len(example_intakes())} examples), referrals {dict(sorted(urgencies.items()))}; "
        f"timing on {core}, ≥ {MIN_SECONDS:g} s each"
    )

    engine_rate = rate(assess, intakes)
    full_rate = rate(lambda document: assess(parse_intake(document)), documents)
    help_s = cli_seconds("--help")
    version_s = cli_seconds("--version")

    table = Table(title="footchain speed")
    table.add_column("measure")
    table.add_column("value", justify="right")
    table.add_column("target", justify="right")
    table.add_column("pass/fail")

    def row(measure: str, value: str, target: str, ok: bool) -> None:
        table.add_row(measure, value, target, "[green]pass[/]" if ok else "[red]fail[/]")

    row(
        "assess(intake) per second",
        f"{engine_rate:,.0f}",
        f"≥ {ASSESS_TARGET_PER_S:,}",
        engine_rate >= ASSESS_TARGET_PER_S,
    )
    row(
        "assess(parse_intake(dict)) per second",
        f"{full_rate:,.0f}",
        f"≥ {ASSESS_TARGET_PER_S:,}",
        full_rate >= ASSESS_TARGET_PER_S,
    )
    row(
        "footchain --help (median of 15)",
        f"{help_s:.3f} s",
        f"< {STARTUP_TARGET_S} s",
        help_s < STARTUP_TARGET_S,
    )
    row(
        "footchain --version (median of 15)",
        f"{version_s:.3f} s",
        f"< {STARTUP_TARGET_S} s",
        version_s < STARTUP_TARGET_S,
    )
    console.print(table)

    if help_s >= STARTUP_TARGET_S:
        imports = Table(title="python -X importtime footchain --help: top 10 by cumulative time")
        for column in ("module", "self (ms)", "cumulative (ms)"):
            imports.add_column(column, justify="left" if column == "module" else "right")
        for name, self_us, cumulative_us in import_times("--help"):
            imports.add_row(name, f"{self_us / 1000:.1f}", f"{cumulative_us / 1000:.1f}")
        console.print(imports)

    if engine_rate < ASSESS_TARGET_PER_S:
        console.print("cProfile of assess(intake), top 15 by own time:")
        console.print(profile(assess, intakes), markup=False, highlight=False)
    elif full_rate < ASSESS_TARGET_PER_S:
        console.print("cProfile of assess(parse_intake(dict)), top 15 by own time:")
        console.print(
            profile(lambda document: assess(parse_intake(document)), documents), markup=False, highlight=False
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
