"""novel pliance ASCII export (``.asc``).

Layout: header lines (``file name:``, ``mat type``, ``... scanning rate [Hz]: 24``,
``pressure values in kPa``), an ``electrical:`` table whose first line is ``time[secs]`` and the sensor
numbers and whose lines are one frame each (time, then one pressure per sensor), optionally closed by
summary lines labelled ``MPP``/``MVP``; then a force/centre-of-pressure table (ignored); and at the end
the sensor geometry: a ``sensor`` line with the sensor numbers, ``corner[cm]`` and lines ``x[0]``,
``y[0]`` ... ``x[3]``, ``y[3]`` (corners) and ``x[c]``, ``y[c]`` (centres) in cm.

The picture is built from that geometry, which the file itself documents: when all sensors have the
same size and sit on a regular grid, each sensor becomes one cell (x to the right, y upwards, so the
picture is not mirrored). Other layouts (sensors of several sizes) are refused.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from footchain.errors import FootprintError
from footchain.measure.footprint.pressure._common import (
    MAX_KEPT_FRAME_CELLS,
    PressureFrame,
    cells_to_array,
    check_shape,
    finish,
    frames_note,
)

_ROW_LABEL = re.compile(r"^\s*([xy])\[([0-9c])\]", re.IGNORECASE)


def is_pliance_text(text: str) -> bool:
    """Whether a text looks like a pliance ASCII export."""
    head = text[:5000].lower()
    if "time[secs]" not in head.replace(" ", ""):
        return False
    return "mat type" in head or "corner[cm]" in text[-400000:].lower() or "electrical:" in head


def _split(line: str) -> list[str]:
    return line.split()


def read_pliance(text: str, path: Path, *, mm_per_px: float | None) -> PressureFrame:
    """Read a pliance ASCII export into its peak pressure picture.

    Parameters
    ----------
    text : str
        The decoded file, Unix line ends.
    path : Path
        The file, for messages.
    mm_per_px : float, optional
        Not used when the file gives the sensor geometry (a warning says so if it differs).

    Raises
    ------
    FootprintError
        For a file without the pressure table or the sensor geometry, sensors that do not form a
        regular grid, a truncated table, cells that are not numbers, or no pressure.
    """
    lines = text.split("\n")
    n = len(lines)
    header_row = next(
        (i for i, line in enumerate(lines) if line.strip().lower().replace(" ", "").startswith("time[secs]")),
        None,
    )
    if header_row is None:
        raise FootprintError(f"{path}: no 'time[secs]' table header; is this a pliance ASCII export?")
    names = _split(lines[header_row])[1:]
    try:
        sensor_ids = [int(x) for x in names]
    except ValueError:
        raise FootprintError(
            f"{path}, line {header_row + 1}: the table header should list sensor numbers after "
            "'time[secs]'; the file is damaged"
        ) from None
    decimal_comma = bool(re.search(r"\d,\d", lines[header_row + 1] if header_row + 1 < n else ""))
    frame_rows: list[tuple[int, list[str]]] = []
    j = header_row + 1
    while j < n and lines[j].strip():
        cells = _split(lines[j])
        if cells and cells[0].upper() in ("MPP", "MVP"):
            j += 1
            continue
        frame_rows.append((j + 1, cells[1:]))
        j += 1
    if not frame_rows:
        raise FootprintError(f"{path}: the pliance table has no frames; export the measurement again")
    # a short last line means the file was cut
    for k, (line_no, cells) in enumerate(frame_rows):
        if len(cells) != len(sensor_ids):
            if k == len(frame_rows) - 1 and len(cells) < len(sensor_ids):
                raise FootprintError(
                    f"{path} looks truncated: line {line_no} has {len(cells)} of the {len(sensor_ids)} "
                    "sensor values. Export the file again"
                )
            raise FootprintError(
                f"{path}, line {line_no}: {len(cells)} values for {len(sensor_ids)} sensors; the file "
                "is damaged"
            )
    table = cells_to_array(frame_rows, path, decimal_comma=decimal_comma, what="pliance table")
    peak_per_sensor = table.max(axis=0)

    geometry = _geometry(lines, path)
    missing = [s for s in sensor_ids if s not in geometry]
    if missing:
        raise FootprintError(
            f"{path}: the sensor geometry at the end of the file lacks sensors {missing[:5]}; export the "
            "measurement again with the sensor coordinates"
        )
    corners = np.array([geometry[s] for s in sensor_ids], dtype=np.float64)  # (n, 10): x0,y0..x3,y3,xc,yc
    xs = corners[:, 0:8:2]
    ys = corners[:, 1:8:2]
    widths = xs.max(axis=1) - xs.min(axis=1)
    heights = ys.max(axis=1) - ys.min(axis=1)
    if (
        widths.min() <= 0
        or heights.min() <= 0
        or np.ptp(widths) > 0.02 * widths.max()
        or np.ptp(heights) > 0.02 * heights.max()
    ):
        raise FootprintError(
            f"{path}: the pliance sensors differ in size (widths {widths.min():g}–{widths.max():g} cm, "
            f"heights {heights.min():g}–{heights.max():g} cm), so they do not form a picture footchain "
            "can measure"
        )
    w = float(np.median(widths))
    h = float(np.median(heights))
    xc = (xs.max(axis=1) + xs.min(axis=1)) / 2.0
    yc = (ys.max(axis=1) + ys.min(axis=1)) / 2.0
    col_f = (xc - xc.min()) / w
    row_f = (yc.max() - yc) / h
    col = np.rint(col_f).astype(int)
    row = np.rint(row_f).astype(int)
    if np.abs(col_f - col).max() > 0.1 or np.abs(row_f - row).max() > 0.1:
        raise FootprintError(f"{path}: the pliance sensors are not on a regular grid; cannot form a picture")
    n_rows, n_cols = int(row.max()) + 1, int(col.max()) + 1
    check_shape(n_rows, n_cols, path)
    values = np.zeros((n_rows, n_cols), dtype=np.float64)
    if len(set(zip(row.tolist(), col.tolist(), strict=True))) != len(row):
        raise FootprintError(f"{path}: two pliance sensors share one grid place; cannot form a picture")
    values[row, col] = peak_per_sensor
    stack = None
    if table.shape[0] > 1 and table.shape[0] * n_rows * n_cols <= MAX_KEPT_FRAME_CELLS:
        stack = np.zeros((table.shape[0], n_rows, n_cols), dtype=np.float64)
        stack[:, row, col] = table
    per_frame = re.search(r"time\s+per\s+frame\s*\[secs?\]\s*:?\s*([\d.,]+)", text[:3000], re.IGNORECASE)
    interval_s = float(per_frame.group(1).replace(",", ".")) if per_frame else None
    if interval_s is not None and interval_s <= 0:
        interval_s = None
    warnings: list[str] = []
    if table.shape[0] > 1:
        warnings.append(frames_note(table.shape[0], "pliance"))
    unit_match = re.search(r"pressure values in\s+(\S+)", text[:3000], re.IGNORECASE)
    unit = unit_match.group(1) if unit_match else "kPa"
    if not unit_match:
        warnings.append("the file does not say its unit; assumed kPa")
    return finish(
        values,
        path,
        fmt="pliance",
        unit=unit,
        frame="peak" if table.shape[0] > 1 else "static",
        row_pitch_mm=h * 10.0,
        col_pitch_mm=w * 10.0,
        pitch_from="file",
        mm_per_px=mm_per_px,
        warnings=warnings,
        frames=stack,
        frame_interval_s=interval_s,
    )


def _geometry(lines: list[str], path: Path) -> dict[int, list[float]]:
    """Sensor number → [x0, y0, x1, y1, x2, y2, x3, y3, xc, yc] in cm, from every ``sensor`` block."""
    geometry: dict[int, list[float]] = {}
    n = len(lines)
    i = 0
    found = False
    while i < n:
        cells = _split(lines[i])
        if cells and cells[0].lower() == "sensor" and len(cells) > 1:
            try:
                ids = [int(c) for c in cells[1:]]
            except ValueError:
                i += 1
                continue
            found = True
            labelled: dict[str, list[float]] = {}
            j = i + 1
            while j < n and j < i + 14:
                m = _ROW_LABEL.match(lines[j])
                if m:
                    values = _split(lines[j])[1:]
                    if len(values) != len(ids):
                        raise FootprintError(
                            f"{path}, line {j + 1}: {len(values)} coordinates for {len(ids)} sensors; "
                            "the sensor geometry is damaged or truncated"
                        )
                    try:
                        labelled[f"{m.group(1).lower()}{m.group(2).lower()}"] = [
                            float(v.replace(",", ".")) for v in values
                        ]
                    except ValueError:
                        raise FootprintError(
                            f"{path}, line {j + 1}: a sensor coordinate is not a number"
                        ) from None
                j += 1
            needed = ["x0", "y0", "x1", "y1", "x2", "y2", "x3", "y3"]
            if not all(k in labelled for k in needed):
                raise FootprintError(
                    f"{path}, line {i + 1}: the sensor block lacks corner coordinates x[0]..y[3]; the "
                    "file is truncated or damaged"
                )
            for k, sensor in enumerate(ids):
                row = [labelled[key][k] for key in needed]
                row += [
                    labelled.get("xc", [np.nan] * len(ids))[k],
                    labelled.get("yc", [np.nan] * len(ids))[k],
                ]
                geometry[sensor] = row
            i = j
            continue
        i += 1
    if not found:
        raise FootprintError(
            f"{path}: the pliance export has no sensor geometry ('sensor' and 'corner[cm]' lines at the "
            "end), so its sensors cannot be placed in a picture. Export again with sensor coordinates"
        )
    return geometry
