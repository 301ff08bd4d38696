"""The toe line of pressure prints (footchain.measure.footprint.toe_valley) on the vendor samples of the
R package pressuRe (Telfer et al., MIT), read in place from ``../shared/data/pressure``."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from footchain.measure.footprint.indices import measure_print
from footchain.measure.footprint.pressure import read_pressure_frame
from footchain.measure.footprint.segment import segment_pressure
from footchain.measure.footprint.toe_valley import cut_toes_at_valley
from tests.shared import DATA

PRESSURE = DATA / "pressure"


def _foot(values: np.ndarray) -> np.ndarray:
    """The contact of the one foot in a picture (the sensors above zero, all touching)."""
    return np.asarray(values > 0)


def test_the_footscan_hallux_joined_to_the_ball_is_cut_off_along_the_valley() -> None:
    """In the footscan peak picture the big toe touches the ball through a row of sensors at about
    a fifth of its peak; the toe line must run through that row, so the toes are found and the arch
    index is taken on the toe-less print (it read 0.252 when the big toe stayed on the ball)."""
    frame = read_pressure_frame(PRESSURE / "footscan_test.xls")
    foot = _foot(frame.values)
    kept = cut_toes_at_valley(foot, frame.values)
    cut = foot & ~kept
    assert 0 < cut.sum() <= 25  # lines of sensors, not a region
    # the big toe's peak (the picture's highest sensor) and the ball's (highest 15-20 rows behind the
    # tip) no longer touch, and the line lies a toe's length behind the tip
    tip = int(np.flatnonzero(foot.any(axis=1))[0])
    hallux = np.unravel_index(np.argmax(frame.values), foot.shape)
    ball_rows = frame.values[tip + 12 : tip + 20]
    ball = np.unravel_index(np.argmax(ball_rows), ball_rows.shape)
    _, parts = cv2.connectedComponents(kept.view(np.uint8), connectivity=8)
    assert parts[hallux] != parts[ball[0] + tip + 12, ball[1]]
    assert 7 <= np.flatnonzero(cut.any(axis=1)).max() - tip <= 10
    [mask] = segment_pressure(frame.values, threshold=0.0)
    measured = measure_print(mask, mm_per_px=frame.mm_per_px, kind="pressure")
    assert not any("toes not found" in w for w in measured.warnings)
    assert measured.side == "right"  # the file says "Right foot data"
    assert measured.arch_index is not None and 0.18 <= measured.arch_index <= 0.22


@pytest.mark.parametrize("name", ["footscan_test.xls", "emed_test.lst"])
def test_the_toe_line_does_not_depend_on_how_the_foot_lies_in_the_picture(name: str) -> None:
    values = read_pressure_frame(PRESSURE / name).values
    reference = cut_toes_at_valley(_foot(values), values)
    for turn in (1, 2, 3):
        turned = np.rot90(values, turn)
        assert np.array_equal(cut_toes_at_valley(_foot(turned), turned), np.rot90(reference, turn))
    mirrored = values[:, ::-1]
    assert np.array_equal(cut_toes_at_valley(_foot(mirrored), mirrored), reference[:, ::-1])


@pytest.mark.parametrize("name", ["footscan_test.xls", "emed_test.lst"])
@pytest.mark.parametrize("scale", [1e-30, 1e300])
def test_the_toe_line_does_not_depend_on_the_pressure_unit(
    name: str, scale: float, capfd: pytest.CaptureFixture[str]
) -> None:
    """Any unit, even one past float32's range (the fuzzer's 1e300s printed an overflow warning)."""
    values = read_pressure_frame(PRESSURE / name).values
    reference = cut_toes_at_valley(_foot(values), values)
    assert np.array_equal(cut_toes_at_valley(_foot(values), values * scale), reference)
    assert capfd.readouterr() == ("", "")


@pytest.mark.parametrize("name", ["footscan_test.xls", "emed_test.lst"])
def test_a_foot_whose_toes_left_no_print_is_left_alone(name: str) -> None:
    values = read_pressure_frame(PRESSURE / name).values.copy()
    rows = np.flatnonzero(values.any(axis=1))
    values[: rows[0] + round(0.2 * (rows[-1] - rows[0]))] = 0.0  # the toes (at the top) never touched
    foot = _foot(values)
    assert np.array_equal(cut_toes_at_valley(foot, values), foot)


def test_toes_already_apart_cost_nothing_to_cut() -> None:
    """The emed toes stand apart from the ball but for a sensor or two: the line runs through the gap."""
    values = read_pressure_frame(PRESSURE / "emed_test.lst").values
    foot = _foot(values)
    assert (foot & ~cut_toes_at_valley(foot, values)).sum() <= 3
