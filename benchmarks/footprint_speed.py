"""Footprint benchmark: speed against OpenCV's decode, peak memory, and accuracy on known geometry.

Run: ``.venv/bin/python benchmarks/footprint_speed.py [--photos N] [--scans N]``. Prints tables; the
exit code is always 0 (benchmarks report, tests gate). Targets from issue 3: a 12-megapixel phone
photo analysed in under 1.5 × the time ``cv2.imread`` needs to decode it; peak memory under 400 MB;
Arch Index within ±0.01, Chippaux-Smirak within ±3, length and width within ±2 mm, side always right.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np
from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.footprint.photo_cases import sheet_photo_case  # noqa: E402
from tests.footprint.synth import make_print, random_scene  # noqa: E402

from footchain.measure.footprint.analyze import analyze_footprint  # noqa: E402

PHOTO_SIZE = (4000, 3000)  # 12 megapixels
MEMORY_PROBE = """
import sys
from pathlib import Path
from footchain.measure.footprint.analyze import analyze_footprint
analyze_footprint(Path(sys.argv[1]))
print(next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM")) / 1024)
"""


def _median_seconds(action: object, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        action()  # type: ignore[operator]
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def speed_and_memory(folder: Path, console: Console) -> None:
    path, _ = sheet_photo_case(1, folder, image_size=PHOTO_SIZE)
    analyze_footprint(path)  # warm caches and imports
    decode = _median_seconds(lambda: cv2.imread(str(path)), 7)
    analyse = _median_seconds(lambda: analyze_footprint(path), 7)
    probe = subprocess.run(
        [sys.executable, "-c", MEMORY_PROBE, str(path)], capture_output=True, text=True, check=True
    )
    peak_mb = float(probe.stdout.strip())
    table = Table(title="12-megapixel phone photo on the calibration sheet (median of 7)")
    for column in ("measure", "value", "target", "pass/fail"):
        table.add_column(column)
    ratio = analyse / decode
    table.add_row("cv2.imread decode", f"{decode * 1000:.0f} ms", "", "")
    table.add_row("analyze_footprint (decode included)", f"{analyse * 1000:.0f} ms", "", "")
    table.add_row("ratio to decode", f"{ratio:.2f}", "< 1.5", "pass" if ratio < 1.5 else "FAIL")
    table.add_row(
        "peak memory of the whole process",
        f"{peak_mb:.0f} MB",
        "< 400 MB",
        "pass" if peak_mb < 400 else "FAIL",
    )
    console.print(table)


def _errors(measured: list[object], truths: list[object]) -> list[tuple[float, float, float, float, bool]]:
    rows = []
    for m, t in zip(measured, truths, strict=True):
        rows.append(
            (
                m.arch_index - t.arch_index,  # type: ignore[attr-defined]
                m.chippaux_smirak_index - t.chippaux_smirak_index,  # type: ignore[attr-defined]
                m.foot_length_mm - t.foot_length_mm,  # type: ignore[attr-defined]
                m.foot_width_mm - t.foot_width_mm,  # type: ignore[attr-defined]
                m.side == t.side,  # type: ignore[attr-defined]
            )
        )
    return rows


def accuracy(folder: Path, photos: int, scans: int, console: Console) -> None:
    rows: dict[str, list[tuple[float, float, float, float, bool]]] = {"sheet photos (12 MP)": [], "scans": []}
    for seed in range(9000, 9000 + photos):
        path, truth = sheet_photo_case(seed, folder, image_size=PHOTO_SIZE)
        rows["sheet photos (12 MP)"] += _errors(analyze_footprint(path).prints[:1], [truth])
        path.unlink()
    for seed in range(5000, 5000 + scans):
        synth = make_print(random_scene(seed))
        path = folder / "scan.png"
        cv2.imwrite(str(path), synth.gray)
        rows["scans"] += _errors(
            list(analyze_footprint(path, dpi=25.4 / synth.mm_per_px).prints), synth.truth
        )
    table = Table(title="Accuracy against the generator's truth (max | p95 absolute error)")
    for column in (
        "input",
        "prints",
        "Arch Index (±0.01)",
        "Chippaux-Smirak (±3)",
        "length mm (±2)",
        "width mm (±2)",
        "side right",
        "all within",
    ):
        table.add_column(column)
    limits = (0.01, 3.0, 2.0, 2.0)
    for name, errors in rows.items():
        if not errors:
            continue
        values = np.abs(np.array([e[:4] for e in errors]))
        cells = [f"{values[:, i].max():.3g} | {np.percentile(values[:, i], 95):.3g}" for i in range(4)]
        within = sum(
            all(v <= lim for v, lim in zip(row, limits, strict=True)) and e[4]
            for row, e in zip(values, errors, strict=True)
        )
        sides = sum(e[4] for e in errors)
        table.add_row(name, str(len(errors)), *cells, f"{sides}/{len(errors)}", f"{within}/{len(errors)}")
    console.print(table)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--photos", type=int, default=100)
    parser.add_argument("--scans", type=int, default=100)
    args = parser.parse_args()
    console = Console()
    with tempfile.TemporaryDirectory() as folder:
        speed_and_memory(Path(folder), console)
        accuracy(Path(folder), args.photos, args.scans, console)


if __name__ == "__main__":
    main()
