"""Real-like footprint photos (tests/footprint/real_like.py) read end to end: forms, grid ink, wet prints.

A small regression guard; the full development and held-out sets (200 images each) are measured by
benchmarks/validation/footprints_section.py.
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from PIL import Image

from footchain.measure.footprint.analyze import analyze_footprint
from footchain.measure.footprint.result import PrintMeasurement
from tests.footprint.real_like import Case, FootTruth, render_case

HELD_OUT_CASES = range(100, 110)


def _read(case: Case) -> tuple[int, list[tuple[FootTruth, PrintMeasurement]]]:
    """How many prints were found, and each drawn foot with the print nearest to it."""
    prints = analyze_footprint(case.path, mm_per_px=case.mm_per_px).prints
    with Image.open(case.path) as im:
        pixels = im.size[0] * im.size[1]
    reduce = 2.0 if case.path.suffix == ".jpg" and pixels > 6_000_000 else 1.0  # analysed at half size

    def distance(truth: FootTruth, p: PrintMeasurement) -> float:
        assert p.geometry is not None
        xs = [q[0] for q in p.geometry.outline]
        ys = [q[1] for q in p.geometry.outline]
        cx, cy = reduce * (min(xs) + max(xs)) / 2, reduce * (min(ys) + max(ys)) / 2
        return math.hypot(cx - truth.centre_px[0], cy - truth.centre_px[1])

    return len(prints), [(t, min(prints, key=lambda p: distance(t, p))) for t in case.feet]


def test_held_out_real_like_photos_read_right(tmp_path: Path) -> None:
    found = sides = within = feet = 0
    for seed in HELD_OUT_CASES:
        case = render_case(seed, tmp_path, held_out=True)
        count, pairs = _read(case)
        found += count == len(case.feet)
        for truth, measured in pairs:
            assert measured.arch_index is not None
            sides += measured.side == truth.side
            within += abs(measured.arch_index - truth.arch_index) <= 0.02
            feet += 1
        case.path.unlink()
    assert found >= len(HELD_OUT_CASES) - 1
    assert sides >= feet - 1
    assert within >= 0.8 * feet


@pytest.mark.parametrize("seed", [3, 11])
def test_two_foot_form_gives_both_feet_left_foot_left(seed: int, tmp_path: Path) -> None:
    """Grid ink, frames, blue title bands, logo, remarks line, pen strokes at toe tip and heel."""
    case = render_case(seed, tmp_path)
    assert "grid-form" in case.conditions and len(case.feet) == 2
    count, pairs = _read(case)
    assert count == 2
    for truth, measured in pairs:
        assert measured.side == truth.side
        assert measured.arch_index == pytest.approx(truth.arch_index, abs=0.02)


@pytest.mark.parametrize("seed", [10, 122])
def test_wet_prints_under_a_shadow_reaching_the_sheets_edge(seed: int, tmp_path: Path) -> None:
    """The shadow's band of darker paper is neither read as ink nor joined to the prints."""
    case = render_case(seed, tmp_path)
    assert case.kind.startswith("wet") and "shadow" in case.conditions and len(case.feet) == 2
    count, pairs = _read(case)
    assert count == 2
    for truth, measured in pairs:
        assert measured.side == truth.side
        assert measured.arch_index == pytest.approx(truth.arch_index, abs=0.02)


def test_pen_stroke_running_off_the_sheet_leaves_the_print_it_touches(tmp_path: Path) -> None:
    """A heel stroke drawn past the sheet's edge must not make the heel part of the table."""
    case = render_case(135, tmp_path)
    assert "pen" in case.conditions and len(case.feet) == 2
    count, pairs = _read(case)
    assert count == 2
    assert all(measured.side == truth.side for truth, measured in pairs)
