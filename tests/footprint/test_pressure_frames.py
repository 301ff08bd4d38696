"""The frame stack that multi-frame pressure readers keep beside the peak picture.

Real files are read in place from ``../shared/data/pressure`` (vendor examples of the R package
pressuRe, Telfer et al., MIT); edited copies go to ``tmp_path``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from footchain.measure.footprint.pressure import read_pressure_frame
from footchain.measure.footprint.pressure._common import resample_square
from tests.shared import DATA

PRESSURE = DATA / "pressure"

# sample → (frames, frame interval in s, the file's own foot labels)
MULTI_FRAME: dict[str, tuple[int, float, tuple[str, ...]]] = {
    "emed_test.lst": (106, 0.01, ()),
    "footscan_test.xls": (329, 0.002, ("right",)),
    "fscan_testL.asf": (205, 0.032, ()),
    "iscan_test.csv": (309, 0.1, ()),
    "pliance_test.asc": (281, 0.04167, ()),
    "xsensor_data.csv": (101, 0.013, ("left", "right")),
}


@pytest.mark.parametrize("name", sorted(MULTI_FRAME))
def test_multi_frame_readers_keep_the_frames_in_the_pictures_layout(name: str) -> None:
    frame = read_pressure_frame(PRESSURE / name)
    n_frames, interval_s, labels = MULTI_FRAME[name]
    assert frame.frames is not None
    assert frame.frames.dtype == np.float64
    assert frame.frames.shape == (n_frames, *frame.values.shape)
    # same orientation, square pixels and unit: the peak picture is the frames' per-cell maximum
    np.testing.assert_array_equal(frame.frames.max(axis=0), frame.values)
    assert frame.frame_interval_s == pytest.approx(interval_s, rel=1e-3)
    assert frame.side_labels == labels


def test_a_static_picture_has_no_frames(tmp_path: Path) -> None:
    path = tmp_path / "static.csv"
    path.write_text("\n".join(",".join(["0", "1", "2", "1"]) for _ in range(6)) + "\n")
    frame = read_pressure_frame(path, mm_per_px=5.0)
    assert frame.frames is None and frame.frame_interval_s is None and frame.side_labels == ()


def test_resampled_frames_follow_the_picture() -> None:
    # footscan's 7.62 × 5.08 mm sensors are resampled to square pixels: frames the same way
    frame = read_pressure_frame(PRESSURE / "footscan_test.xls")
    assert frame.frames is not None
    busiest = int(np.argmax(frame.frames.sum(axis=(1, 2))))
    assert frame.mm_per_px == pytest.approx(5.08)
    assert frame.frames[busiest].shape == frame.values.shape
    again, _ = resample_square(frame.frames[busiest], 5.08, 5.08)  # already square: unchanged
    np.testing.assert_array_equal(again, frame.frames[busiest])


def test_emed_summary_pages_are_not_frames(tmp_path: Path) -> None:
    text = (PRESSURE / "emed_test.lst").read_bytes().decode("latin-1")
    # relabel the last page as a maximum picture (MPP), as the novel software writes summaries
    assert "Pict-No.: 106 " in text
    path = tmp_path / "with_summary.lst"
    path.write_bytes(text.replace("Pict-No.: 106 ", "MPP ").encode("latin-1"))
    frame = read_pressure_frame(path)
    assert frame.frames is not None and frame.frames.shape[0] == 105
