"""Reader for novel pedar insole ASCII exports (``.asc``).

The export opens with header lines (file name, sensor type, ``scanning rate [Hz]``,
``time per frame [secs]``, ``pressure values in kPa``, a ``mask definition`` listing the sensors of
the ``left insole:`` and ``right insole:``), then a ``time[secs]`` row naming the columns (sensor
numbers, restarting at 1 for the second insole) and one row per frame. Left and right come from the
mask definition, in the order it lists them.

The file gives pressures, not forces: the total load per foot is the sum of pressure × sensor area.
The areas depend on the insole size, which the ``sensor type`` line names (``y-1865l-…`` is size y):
for a known size they, and the sensors' positions and outlines (so the centre of pressure and the
CPEI), come from :mod:`footchain.measure.gait.pedar_insole`; areas given by the caller win. For an
unknown size the load is the sum of sensor pressures in kPa, with a warning.

novel GmbH, pedar system: ASCII export (as read by the R package pressuRe, Telfer et al.).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

from footchain.measure.gait.errors import RecordingError
from footchain.measure.gait.pedar_insole import (
    SENSORS_PER_INSOLE,
    InsoleLayout,
    insole_layout,
    known_sizes,
    size_of,
)
from footchain.measure.gait.readers._text import (
    decode_text,
    read_bytes,
    rows_in_order,
    sampling_rate_from_time,
    split_on,
    split_rows,
    to_float_table,
)
from footchain.measure.gait.recording import FloatArray, Recording, Side, check_forces

# 1 kPa on 1 cm² = 1000 N/m² × 1e-4 m² = 0.1 N
_KPA_CM2_TO_N = 0.1
_MAX_PRESSURE_KPA = 10_000.0
"""Far above any pedar sensor's range (novel pedar-x: 15–1,200 kPa; high range to 1,900 kPa): a value
beyond it is a damaged file, not a pressure."""
_KEY_VALUE = re.compile(r"^\s*([^:]+?)\s*:\s*(.*?)\s*$")
_INSOLE = re.compile(r"^\s*(left|right)\s+insole\s*:\s*(.*)$", re.IGNORECASE)


def is_pedar_text(text: str) -> bool:
    """Whether a text looks like a pedar ASCII export."""
    head = text[:20000].lower()
    return ("insole:" in head or "sensor type" in head) and "time[secs]" in head.replace(" ", "")


def _header_values(lines: Sequence[str]) -> dict[str, str]:
    values: dict[str, str] = {}
    for line in lines:
        for part in line.split("\t"):
            m = _KEY_VALUE.match(part)
            if m:
                values[m.group(1).strip().lower()] = m.group(2)
    return values


def _float_or_none(text: str | None) -> float | None:
    if text is None:
        return None
    m = re.search(r"[-+]?\d*\.?\d+(?:[eE][-+]?\d+)?", text)
    return float(m.group(0)) if m else None


def read_pedar(
    path: Path,
    *,
    sampling_rate_hz: float | None = None,
    sensor_areas_cm2: Mapping[str, Sequence[float]] | None = None,
) -> Recording:
    """Read a novel pedar ``.asc`` export.

    Parameters
    ----------
    path : Path
        The ``.asc`` file.
    sampling_rate_hz : float, optional
        A rate you know; checked against the header and the time column.
    sensor_areas_cm2 : mapping of "left"/"right" to sequences of float, optional
        Area of each sensor (cm²) in mask order, from the insole's documentation; by default the
        areas of the insole size the file names. With areas the per-foot load is a force in newtons;
        without them it is a sum of pressures in kPa.

    Returns
    -------
    Recording
        Per-foot load and the per-sensor pressures (kPa); for a known insole size also the sensors'
        centres and outlines (mm).

    Raises
    ------
    RecordingError
        For an empty, binary, truncated or non-numeric file, no ``time[secs]`` column header, a
        column count that does not match the mask definition, rates that disagree, or no load.
    """
    data = read_bytes(path)
    text = decode_text(data, path)
    lines = text.split("\n")
    header_row = next(
        (i for i, line in enumerate(lines) if line.strip().lower().replace(" ", "").startswith("time[")),
        None,
    )
    if header_row is None:
        raise RecordingError(f"{path}: no 'time[secs]' column header; is this a pedar ASCII export?")
    header = _header_values(lines[:header_row])
    masks: dict[Side, list[int]] = {}
    for line in lines[:header_row]:
        m = _INSOLE.match(line)
        if m:
            side: Side = "left" if m.group(1).lower() == "left" else "right"
            numbers = [int(x) for x in re.findall(r"\d+", m.group(2))]
            masks[side] = numbers
    warnings: list[str] = []
    splitter = split_on("\t") if "\t" in lines[header_row] else _split_spaces
    names = _drop_trailing_empty(splitter(lines[header_row]))
    n_sensor_columns = len(names) - 1
    if not masks:
        if n_sensor_columns % 2:
            raise RecordingError(
                f"{path}: no mask definition says which columns are the left and the right insole"
            )
        half = n_sensor_columns // 2
        masks = {"left": list(range(1, half + 1)), "right": list(range(1, half + 1))}
        warnings.append(
            "no mask definition in the header; assumed pedar's order (left insole first, then right)"
        )
    order: list[Side] = [s for s in ("left", "right") if s in masks]
    expected = sum(len(masks[s]) for s in order)
    if expected != n_sensor_columns:
        raise RecordingError(
            f"{path}: the mask definition lists {expected} sensors but the column header has "
            f"{n_sensor_columns}; the file is damaged or edited"
        )

    rows = split_rows(lines[header_row + 1 :], header_row + 2, splitter)
    rows = [(n, _drop_trailing_empty(fields)) for n, fields in rows]
    table = to_float_table(rows, len(names), path, column_names=names)
    keep, order_warnings = rows_in_order(table[:, 0], path)
    table = table[keep]
    warnings += order_warnings
    time_s = table[:, 0].copy()

    header_rate = _float_or_none(header.get("scanning rate [hz]"))
    frame_time = _float_or_none(header.get("time per frame [secs]"))
    if header_rate is None and frame_time:
        header_rate = 1.0 / frame_time
    if (
        header_rate is not None
        and sampling_rate_hz is not None
        and abs(header_rate - sampling_rate_hz) > 0.05 * header_rate
    ):
        raise RecordingError(
            f"{path}: the sampling rate given ({sampling_rate_hz:g} Hz) does not match the file's "
            f"header ({header_rate:g} Hz)"
        )
    declared = sampling_rate_hz if sampling_rate_hz is not None else header_rate
    rate, time_warnings = sampling_rate_from_time(
        time_s,
        path,
        declared_hz=declared,
        declared_by="the sampling rate given"
        if sampling_rate_hz is not None
        else "the header's scanning rate",
    )
    warnings += time_warnings
    if declared is None:
        warnings.append("the header states no scanning rate; the rate comes from the time column")

    unit = _pressure_unit(lines[:header_row]) or "kPa"
    _check_pressures(table[:, 1:], unit, str(path))
    sensors: dict[Side, FloatArray | None] = {"left": None, "right": None}
    start = 1
    for side_key in order:
        count = len(masks[side_key])
        sensors[side_key] = table[:, start : start + count].copy()
        start += count

    layout = _layout(header.get("sensor type", ""), masks, warnings)
    if sensor_areas_cm2 is None and layout is not None:
        sensor_areas_cm2 = {side_key: layout.areas_cm2[np.asarray(masks[side_key]) - 1] for side_key in order}
    forces: dict[Side, FloatArray | None] = {"left": None, "right": None}
    if sensor_areas_cm2 is not None and unit.lower() == "kpa":
        force_unit = "N"
        for side_key in order:
            areas = np.asarray(sensor_areas_cm2.get(side_key, ()), dtype=np.float64)
            values = sensors[side_key]
            assert values is not None
            if areas.shape != (values.shape[1],):
                raise RecordingError(
                    f"{len(areas)} sensor areas given for the {side_key} insole, which has "
                    f"{values.shape[1]} sensors"
                )
            forces[side_key] = _sum_keep_gaps(values * areas * _KPA_CM2_TO_N)
    else:
        force_unit = f"{unit} (sum of sensor pressures)"
        for side_key in order:
            values = sensors[side_key]
            assert values is not None
            forces[side_key] = _sum_keep_gaps(values)
        warnings.append(
            f"the pedar export gives pressures ({unit}) without sensor areas, so the load per foot "
            f"is the sum of sensor pressures in {unit}, not a force in newtons; give the insole's "
            "sensor areas to get newtons"
        )
    for side_key in ("left", "right"):
        if side_key not in masks:
            warnings.append(f"the file has no {side_key} insole")
    warnings += check_forces(
        [("left insole", forces["left"]), ("right insole", forces["right"])], time_s, force_unit, str(path)
    )
    return Recording(
        path=path,
        format="pedar",
        sampling_rate_hz=rate,
        time_s=time_s,
        left_force=forces["left"],
        right_force=forces["right"],
        force_unit=force_unit,
        left_sensors=sensors["left"],
        right_sensors=sensors["right"],
        sensor_unit=unit,
        left_sensor_positions=_placed(layout, "left", masks, "centres"),
        right_sensor_positions=_placed(layout, "right", masks, "centres"),
        left_sensor_outlines=_placed(layout, "left", masks, "outlines"),
        right_sensor_outlines=_placed(layout, "right", masks, "outlines"),
        sensor_position_unit=None if layout is None else "mm",
        warnings=tuple(warnings),
    )


def _layout(
    sensor_type: str, masks: Mapping[Side, Sequence[int]], warnings: list[str]
) -> InsoleLayout | None:
    """The insole layout named by the ``sensor type`` line, or None with a warning saying why."""
    size = size_of(sensor_type)
    if size is None:
        warnings.append(
            f"the sensor type {sensor_type.strip()[:40]!r} names no pedar insole size footchain knows "
            f"({', '.join(known_sizes())}): no sensor areas, positions or centre of pressure"
        )
        return None
    if any(not 1 <= k <= SENSORS_PER_INSOLE for numbers in masks.values() for k in numbers):
        warnings.append(
            f"the mask lists sensors beyond pedar's 1–{SENSORS_PER_INSOLE}: the insole layout is not used"
        )
        return None
    warnings.append(
        f"insole size {size!r} (sensor type line): sensor areas and positions from the pedar tables of "
        "pressuRe (Telfer et al.); positions are good to a few mm"
    )
    return insole_layout(size)


def _placed(
    layout: InsoleLayout | None, side: Side, masks: Mapping[Side, Sequence[int]], what: str
) -> FloatArray | None:
    """The centres or outlines of one insole's sensors in the export's column order, or None."""
    if layout is None or side not in masks:
        return None
    table = layout.centres_mm if what == "centres" else layout.outlines_mm
    return np.asarray(table[side][np.asarray(masks[side]) - 1], dtype=np.float64)


def _split_spaces(line: str) -> list[str]:
    return line.split()


def _drop_trailing_empty(fields: list[str]) -> list[str]:
    while fields and fields[-1] == "":
        fields = fields[:-1]
    return fields


def _pressure_unit(lines: Sequence[str]) -> str | None:
    for line in lines:
        m = re.search(r"pressure values in\s+(\S+)", line, re.IGNORECASE)
        if m:
            return m.group(1)
    return None


def _check_pressures(values: FloatArray, unit: str, path: str) -> None:
    """Refuse sensor values no pedar insole can measure (a damaged or edited export)."""
    limit = _MAX_PRESSURE_KPA * (1.0 if unit.lower() == "kpa" else 1e3)  # generous for other units
    with np.errstate(invalid="ignore"):
        beyond = np.abs(values) > limit
    if beyond.any():
        row, column = (int(i) for i in np.argwhere(beyond)[0])
        raise RecordingError(
            f"{path}: a sensor value of {values[row, column]:.3g} {unit} (data row {row + 1}, sensor "
            f"column {column + 1}) is beyond what a pedar insole measures; the export is damaged or edited"
        )


def _sum_keep_gaps(values: FloatArray) -> FloatArray:
    total = np.asarray(np.nansum(values, axis=1), dtype=np.float64)
    total[np.isnan(values).all(axis=1)] = np.nan
    return total
