"""How fast footchain reads an insole catalogue and matches it to an assessment.

Run: ``.venv/bin/python benchmarks/insole_matching_speed.py``. Writes a 5,000-product catalogue
(deterministic random: seed 7) to a temporary file, assesses the example runner once, then times
``read_catalogue`` (CSV → validated products), ``match_catalogue`` and the two together, each 30 times
after 3 warm-ups, and prints best and median against the 50 ms target for load + match. A benchmark
reports; it never fails the build: the exit code is always 0.
"""

from __future__ import annotations

import csv
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import get_args

from rich.console import Console
from rich.table import Table

from footchain import assess
from footchain.intake import load_intake
from footchain.shop.catalogue import COLUMNS, read_catalogue
from footchain.shop.matching import match_catalogue
from footchain.types import InsoleArch, SizeSystem

REPO = Path(__file__).resolve().parents[1]
PRODUCTS = 5_000
RUNS = 30
WARM_UPS = 3
TARGET_MS = 50.0
SIZE_RANGES = {
    "us_men": (5, 14),
    "us_women": (5, 13),
    "uk": (3, 13),
    "eu": (35, 48),
    "mondopoint": (220, 310),
}


def write_catalogue(path: Path, count: int, seed: int = 7) -> None:
    """A random but valid catalogue of ``count`` products (bands of 2-3 sizes, a fifth without covers)."""
    rng = random.Random(seed)
    with path.open("w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream)
        writer.writerow(COLUMNS)
        for n in range(count):
            system: SizeSystem = rng.choice(get_args(SizeSystem))
            low, high = SIZE_RANGES[system]
            step = 5 if system == "mondopoint" else 1
            size_min = rng.randrange(low, high, step)
            size_max = size_min + rng.choice((2, 3)) * step
            replaceable = rng.random() > 0.2
            writer.writerow(
                [
                    f"p{n:05d}",
                    f"Insole {n}",
                    rng.choice(get_args(InsoleArch)),
                    rng.choice(("firm", "medium", "soft")),
                    rng.choice(("low", "medium", "high")),
                    system,
                    size_min,
                    size_max,
                    rng.randint(230, 320),
                    "true" if replaceable else "false",
                    f"{rng.uniform(15, 80):.2f}",
                    f"{rng.uniform(5, 20):.2f}" if replaceable else "",
                    rng.choice((0, 6, 12, 24)),
                    rng.choice((0, 14, 30, 60, 90)),
                ]
            )


def timings_ms(task: Callable[[], object]) -> list[float]:
    for _ in range(WARM_UPS):
        task()
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        task()
        times.append((time.perf_counter() - start) * 1000)
    return times


def main() -> None:
    assessment = assess(load_intake(REPO / "examples" / "runner_flat_feet_knee.json"))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "catalogue.csv"
        write_catalogue(path, PRODUCTS)
        products = read_catalogue(path)
        offer = match_catalogue(assessment, products)
        rows = [
            ("read_catalogue", timings_ms(lambda: read_catalogue(path)), None),
            ("match_catalogue", timings_ms(lambda: match_catalogue(assessment, products)), None),
            (
                "load + match",
                timings_ms(lambda: match_catalogue(assessment, read_catalogue(path))),
                TARGET_MS,
            ),
        ]
    table = Table(title=f"Insole catalogue of {PRODUCTS:,} products ({RUNS} runs after {WARM_UPS} warm-ups)")
    for column in ("measure", "best ms", "median ms", "target ms", "pass/fail"):
        table.add_column(column, justify="left" if column == "measure" else "right")
    for name, times, target in rows:
        best, median = min(times), statistics.median(times)
        verdict = "" if target is None else ("pass" if median < target else "FAIL")
        table.add_row(
            name, f"{best:.1f}", f"{median:.1f}", "" if target is None else f"< {target:g}", verdict
        )
    console = Console()
    console.print(table)
    console.print(f"{len(offer.products)} offered, {len(offer.excluded)} excluded for the example runner.")


if __name__ == "__main__":
    main()
