"""Centre of pressure (COP) under each foot during stance, from sensor positions or a device's export.

The COP is the load-weighted mean of the sensor positions. Over each stance it should travel from
the heel towards the toes; the summary gives its mean start and end along the foot, its
medio-lateral range, and how often the rearmost sensor loads before the foremost one (a check of
the sensor layout and of heel-first walking).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from footchain.measure.gait._stats import mean
from footchain.measure.gait._windows import IntArray, WindowIndex, first_at_least, window_max, window_min
from footchain.measure.gait.contacts import Contact, contact_columns
from footchain.measure.gait.cpei import cpei_entry, stances_cpei
from footchain.measure.gait.recording import FloatArray, Recording, Side

_MIN_STANCE_S = 0.2
_MAX_STANCE_S = 2.0


def _cop_xy(sensors: FloatArray, positions: FloatArray) -> tuple[FloatArray, FloatArray]:
    """COP per sample as two contiguous arrays (x, y); NaN where no sensor is loaded or one is missing."""
    # negative readings count as no load; most recordings have none, and then no copy is needed
    load = np.maximum(sensors, 0.0) if (sensors < 0.0).any() else sensors  # NaN stays NaN
    # (sensors, samples) rows: a reader that keeps each sensor's samples contiguous gives them
    # without a copy, and the sums and the product then run along contiguous rows
    rows = load.T
    total = rows.sum(axis=0)
    total[~(total > 0)] = np.nan  # no load, or a missing reading: no COP
    xy = positions.T @ rows
    xy /= total
    return xy[0], xy[1]


def centre_of_pressure(sensors: FloatArray, positions: FloatArray) -> FloatArray:
    """COP per sample: the sensor positions weighted by their (non-negative) load.

    Parameters
    ----------
    sensors : ndarray, shape (n_samples, n_sensors)
        Load (force or pressure) per sensor.
    positions : ndarray, shape (n_sensors, 2)
        Sensor centres (x medio-lateral, y heel to toe).

    Returns
    -------
    ndarray, shape (n_samples, 2)
        NaN where no sensor is loaded or a reading is missing.
    """
    x, y = _cop_xy(sensors, positions)
    return np.column_stack((x, y))


def heel_first_share(
    sensors: FloatArray, positions: FloatArray, time_s: FloatArray, contacts: Sequence[Contact]
) -> tuple[int, int]:
    """In how many complete stances the rearmost sensor loads before the foremost one.

    A sensor "loads" when it first reaches 10% of its peak in that stance.

    Returns
    -------
    (heel first, stances compared)
    """
    return _heel_first(sensors, positions, _stance_windows(time_s, contacts))


def _heel_first(sensors: FloatArray, positions: FloatArray, windows: IntArray) -> tuple[int, int]:
    if windows.shape[0] == 0:
        return 0, 0
    heel = np.ascontiguousarray(sensors[:, int(np.argmin(positions[:, 1]))])
    toe = np.ascontiguousarray(sensors[:, int(np.argmax(positions[:, 1]))])
    lo = np.maximum(windows[:, 0] - 1, 0)
    hi = np.minimum(windows[:, 1] + 1, sensors.shape[0])
    hi[:-1] = np.minimum(hi[:-1], lo[1:])  # keep the windows disjoint
    keep = hi > lo
    lo, hi = lo[keep], hi[keep]
    index = WindowIndex(lo, hi)
    heel_peak, toe_peak = window_max(heel, lo, hi), window_max(toe, lo, hi)
    valid = (heel_peak > 0) & (toe_peak > 0)
    heel_on = first_at_least(heel, lo, hi, 0.1 * heel_peak, index=index)
    toe_on = first_at_least(toe, lo, hi, 0.1 * toe_peak, index=index)
    return int((heel_on[valid] < toe_on[valid]).sum()), int(valid.sum())


def _stance_windows(time_s: FloatArray, contacts: Sequence[Contact]) -> IntArray:
    """Sample windows ``[lo, hi)`` (rows) of the complete stances between 0.2 and 2 s long."""
    c = contact_columns(contacts)
    length = c.end_s - c.start_s
    chosen = c.complete & (length >= _MIN_STANCE_S) & (length <= _MAX_STANCE_S)
    if not chosen.any():
        return np.zeros((0, 2), dtype=np.int64)
    bounds = np.column_stack((c.start_s[chosen], c.end_s[chosen]))
    return np.searchsorted(time_s, bounds).astype(np.int64)


def _path_summary(x: FloatArray, y: FloatArray, windows: IntArray) -> dict[str, Any] | None:
    if windows.shape[0] == 0:
        return None
    lo, hi = windows[:, 0], windows[:, 1]
    finite = np.isfinite(x) & np.isfinite(y)
    count = np.concatenate(([0], np.cumsum(finite)))
    cum_y = np.concatenate(([0.0], np.cumsum(y[finite])))
    first, last = count[lo], count[hi]
    n = last - first
    enough = n >= 10
    if not enough.any():
        return None
    first, last, n = first[enough], last[enough], n[enough]
    tenth = np.maximum(n // 10, 1)
    starts = (cum_y[first + tenth] - cum_y[first]) / tenth
    ends = (cum_y[last] - cum_y[last - tenth]) / tenth
    ml = window_max(x, lo[enough], hi[enough]) - window_min(x, lo[enough], hi[enough])
    return {
        "stances": int(enough.sum()),
        "start_y_mean": round(mean(starts), 3),
        "end_y_mean": round(mean(ends), 3),
        "progression_y_mean": round(mean(ends - starts), 3),
        "mediolateral_range_mean": round(mean(ml), 3),
    }


def cop_summary(recording: Recording, contacts: Mapping[Side, Sequence[Contact]]) -> dict[str, Any] | None:
    """COP path summary per foot when the recording has sensor positions or an exported COP.

    The COP is computed once per foot, as two contiguous arrays, and the stance windows once; the
    path summary and the heel-first check share both.

    Returns None when the data allow no COP.
    """
    out: dict[str, Any] = {}
    sides: tuple[Side, Side] = ("left", "right")
    for side in sides:
        sensors = recording.sensors(side)
        positions = recording.sensor_positions(side)
        exported = recording.left_cop if side == "left" else recording.right_cop
        windows = _stance_windows(recording.time_s, contacts.get(side, ()))
        if sensors is not None and positions is not None:
            x, y = _cop_xy(sensors, positions)
            entry = _path_summary(x, y, windows)
            if entry is None:
                continue
            heel_first, compared = _heel_first(sensors, positions, windows)
            entry["heel_loads_first_percent"] = round(100.0 * heel_first / compared, 1) if compared else None
            entry["source"] = "sensor positions"
            entry["unit"] = recording.sensor_position_unit
            outlines = recording.sensor_outlines(side)
            if outlines is not None:  # sensors that tile the sole: the loaded ones give the outline
                cpei = stances_cpei(x, y, sensors, outlines, windows, side)
                entry.update(cpei_entry(*cpei, stances=int(windows.shape[0])))
        elif exported is not None:
            entry = _path_summary(
                np.ascontiguousarray(exported[:, 0]), np.ascontiguousarray(exported[:, 1]), windows
            )
            if entry is None:
                continue
            entry["source"] = "device export"
            entry["unit"] = recording.cop_unit
        else:
            continue
        out[side] = entry
    return out or None
