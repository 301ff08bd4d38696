"""CPEI (Song et al. 1996, JAPMA 86:16) on synthetic feet whose answer is known by hand.

The foot is a 100 mm × 250 mm block of 5 mm cells (heel at y = 0, toes at y = 250); the 67 % level
lies at y = 167.5 mm where the foot is 100 mm wide, so CPEI = the COP's lateral offset there in mm.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from footchain.measure.gait.cpei import CPEI_CAVEAT, CPEI_LEVEL, CpeiUndefined, cpei_entry, stance_cpei
from footchain.measure.gait.recording import FloatArray, square_cells

CELL_MM = 5.0


def _block(width_mm: float = 100.0, length_mm: float = 250.0) -> FloatArray:
    xs = np.arange(-width_mm / 2 + CELL_MM / 2, width_mm / 2, CELL_MM)
    ys = np.arange(CELL_MM / 2, length_mm, CELL_MM)
    gx, gy = np.meshgrid(xs, ys)
    return np.column_stack((gx.ravel(), gy.ravel()))


def _path(*vertices: tuple[float, float], per_segment: int = 40) -> FloatArray:
    """A COP path through the vertices, sampled evenly, every vertex included."""
    parts = []
    for (x0, y0), (x1, y1) in itertools.pairwise(vertices):
        share = np.linspace(0.0, 1.0, per_segment, endpoint=False)
        parts.append(np.column_stack((x0 + share * (x1 - x0), y0 + share * (y1 - y0))))
    parts.append(np.array([vertices[-1]], dtype=np.float64))
    return np.concatenate(parts)


LEVEL_Y = CPEI_LEVEL * 250.0


def test_the_level_comes_from_the_knowledge_file() -> None:
    assert abs(CPEI_LEVEL - 0.67) < 1e-12
    assert "uncertain" in CPEI_CAVEAT


def test_a_straight_cop_gives_zero() -> None:
    result = stance_cpei(_path((0.0, 10.0), (0.0, 240.0)), _block(), "right", cell_size=CELL_MM)
    assert result.cpei_percent == pytest.approx(0.0, abs=1e-9)
    assert result.foot_length == pytest.approx(250.0)
    assert result.foot_width == pytest.approx(100.0)


@pytest.mark.parametrize("bow_mm", [5.0, 20.0, 30.0])
def test_a_lateral_bow_gives_its_offset_over_the_width(bow_mm: float) -> None:
    # right foot: lateral is +x; the COP passes the 67 % level bow_mm lateral of the heel-toe line
    cop = _path((0.0, 10.0), (bow_mm, LEVEL_Y), (0.0, 240.0))
    result = stance_cpei(cop, _block(), "right", cell_size=CELL_MM)
    assert result.cpei_percent == pytest.approx(bow_mm / 100.0 * 100.0, abs=1e-6)
    assert result.excursion == pytest.approx(bow_mm, abs=1e-6)
    assert result.cop_at_level == pytest.approx((bow_mm, LEVEL_Y))


def test_a_medial_bow_is_negative() -> None:
    cop = _path((0.0, 10.0), (-12.0, LEVEL_Y), (0.0, 240.0))  # right foot: -x is medial
    assert stance_cpei(cop, _block(), "right", cell_size=CELL_MM).cpei_percent == pytest.approx(-12.0)


def test_the_width_at_the_level_is_the_outlines_not_the_widest() -> None:
    # a foot narrower in front: 60 mm wide from y = 150 on, so CPEI = 15 / 60 × 100
    cells = _block()
    cells = cells[(cells[:, 1] < 150.0) | (np.abs(cells[:, 0]) < 30.0)]
    cop = _path((0.0, 10.0), (15.0, LEVEL_Y), (0.0, 240.0))
    result = stance_cpei(cop, cells, "right", cell_size=CELL_MM)
    assert result.foot_width == pytest.approx(60.0)
    assert result.cpei_percent == pytest.approx(25.0)


def test_a_slanted_construction_line() -> None:
    # the COP ends 20 mm medially (big toe): the line runs from (10, 10) to (-10, 240); at the
    # level the line is at x = 10 - 20 · (167.5 - 10) / 230; the COP is at x = 18
    cop = _path((10.0, 10.0), (18.0, LEVEL_Y), (-10.0, 240.0))
    line_x = 10.0 - 20.0 * (LEVEL_Y - 10.0) / 230.0
    angle = math.atan2(20.0, 230.0)
    expected = (18.0 - line_x) * math.cos(angle)  # perpendicular distance to the slanted line
    result = stance_cpei(cop, _block(), "right", cell_size=CELL_MM)
    assert result.excursion == pytest.approx(expected, rel=1e-9)
    assert result.cpei_percent == pytest.approx(expected / 100.0 * 100.0, rel=1e-9)


def test_left_is_the_mirror_of_right() -> None:
    cop = _path((0.0, 10.0), (20.0, LEVEL_Y), (-8.0, 240.0))
    right = stance_cpei(cop, _block(), "right", cell_size=CELL_MM)
    mirror = np.array([-1.0, 1.0])
    left = stance_cpei(cop * mirror, _block() * mirror, "left", cell_size=CELL_MM)
    assert left.cpei_percent == pytest.approx(right.cpei_percent, abs=1e-9)
    assert right.cpei_percent > 0  # lateral for the right foot ...
    # ... and the same path read as a left foot lies medially
    assert stance_cpei(cop, _block(), "left", cell_size=CELL_MM).cpei_percent == pytest.approx(
        -right.cpei_percent
    )


def _rotate(points: FloatArray, degrees: float, shift: tuple[float, float]) -> FloatArray:
    a = math.radians(degrees)
    turn = np.array([[math.cos(a), -math.sin(a)], [math.sin(a), math.cos(a)]])
    return np.asarray(points @ turn.T + np.asarray(shift), dtype=np.float64)


@pytest.mark.parametrize("degrees", [90.0, 180.0, -90.0])
def test_a_foot_turned_on_the_grid_gives_the_same_value(degrees: float) -> None:
    cop = _path((0.0, 10.0), (20.0, LEVEL_Y), (-8.0, 240.0))
    upright = stance_cpei(cop, _block(), "right", cell_size=CELL_MM)
    turned = stance_cpei(
        _rotate(cop, degrees, (400.0, 120.0)),
        _rotate(_block(), degrees, (400.0, 120.0)),
        "right",
        cell_size=CELL_MM,
    )
    assert turned.cpei_percent == pytest.approx(upright.cpei_percent, abs=1e-6)


@pytest.mark.parametrize("degrees", [17.0, 30.0, -25.0])
def test_a_foot_at_an_angle_on_the_grid_gives_about_the_same_value(degrees: float) -> None:
    # the sensor sees the turned foot as the grid cells whose centre lies on it (within a cell)
    cop = _path((0.0, 10.0), (20.0, LEVEL_Y), (-8.0, 240.0))
    upright = stance_cpei(cop, _block(), "right", cell_size=CELL_MM)
    grid = np.arange(-400.0, 400.0, CELL_MM) + CELL_MM / 2
    gx, gy = np.meshgrid(grid, grid)
    centres = np.column_stack((gx.ravel(), gy.ravel()))
    back = _rotate(centres, -degrees, (0.0, 0.0))  # into the foot's own frame
    on_foot = (np.abs(back[:, 0]) <= 50.0) & (back[:, 1] >= 0.0) & (back[:, 1] <= 250.0)
    turned = stance_cpei(_rotate(cop, degrees, (0.0, 0.0)), centres[on_foot], "right", cell_size=CELL_MM)
    assert turned.cpei_percent == pytest.approx(upright.cpei_percent, abs=1.5)
    assert turned.foot_length == pytest.approx(250.0, abs=2 * CELL_MM)


def test_nan_cop_samples_are_skipped() -> None:
    cop = _path((0.0, 10.0), (20.0, LEVEL_Y), (0.0, 240.0))
    holey = cop.copy()
    holey[[3, 17, 55], :] = np.nan
    result = stance_cpei(holey, _block(), "right", cell_size=CELL_MM)
    assert result.cpei_percent == pytest.approx(20.0)


@pytest.mark.parametrize(
    ("cop", "why"),
    [
        (_path((0.0, 10.0), (0.0, 30.0), per_segment=2), "centre-of-pressure points"),
        (_path((0.0, 10.0), (0.0, 120.0)), "never reaches 67%"),
        (_path((0.0, 200.0), (0.0, 245.0)), "does not travel from heel to toe"),
        (_path((0.0, 180.0), (0.0, 245.0), (0.0, 100.0), (0.0, 246.0)), "starts in front of 67%"),
    ],
)
def test_stances_without_a_cpei_say_why(cop: FloatArray, why: str) -> None:
    with pytest.raises(CpeiUndefined, match=why):
        stance_cpei(cop, _block(), "right", cell_size=CELL_MM)


def test_the_summary_entry_averages_stances_and_carries_the_caveat() -> None:
    block = _block()
    found = [
        stance_cpei(_path((0.0, 10.0), (bow, LEVEL_Y), (0.0, 240.0)), block, "right", cell_size=CELL_MM)
        for bow in (10.0, 20.0)
    ]
    entry = cpei_entry(found, ["the centre of pressure never reaches 67% of the foot length"], stances=3)
    assert entry["cpei_percent"] == 15.0
    assert entry["cpei_stances"] == 2
    assert entry["cpei_per_stance_percent"] == [10.0, 20.0]
    assert entry["cpei_caveat"] == CPEI_CAVEAT
    assert "1 of 3 stances" in entry["cpei_not_measured"]
    none = cpei_entry([], ["only 2 centre-of-pressure points in the stance"], stances=1)
    assert none["cpei_percent"] is None and none["cpei_stances"] == 0
    assert "only 2 centre-of-pressure points" in none["cpei_not_measured"]


def test_sensor_polygons_give_the_cells_result_and_turn_with_the_foot() -> None:
    """Outlines as polygons (pedar insoles): square polygons agree with square cells, and the same
    foot turned by 30° (COP and polygons) gives the same CPEI, width and length."""
    cop = _path((0.0, 10.0), (20.0, LEVEL_Y), (10.0, 240.0))
    cells = stance_cpei(cop, _block(), "right", cell_size=CELL_MM)
    polygons = square_cells(_block(), CELL_MM)
    assert stance_cpei(cop, polygons, "right").cpei_percent == pytest.approx(cells.cpei_percent)
    angle = np.radians(30.0)
    turn = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    turned = stance_cpei(cop @ turn.T, polygons @ turn.T, "right")
    assert turned.cpei_percent == pytest.approx(cells.cpei_percent, rel=1e-6)
    assert turned.foot_width == pytest.approx(100.0)
    assert turned.foot_length == pytest.approx(250.0)


def test_a_narrower_polygon_outline_at_the_level_raises_the_cpei() -> None:
    cop = _path((0.0, 10.0), (10.0, LEVEL_Y), (0.0, 240.0))
    wide = stance_cpei(cop, square_cells(_block(), CELL_MM), "right")
    narrow = stance_cpei(cop, square_cells(_block(width_mm=60.0), CELL_MM), "right")
    assert narrow.foot_width == pytest.approx(60.0)
    assert narrow.cpei_percent == pytest.approx(wide.cpei_percent * 100.0 / 60.0)
