"""XSENSOR CSV exports (XSENSOR Pro / Foot & Gait, insoles and mats).

Layout: key/value lines (``Units:,mmHg``; ``FRAME,1464``; ``SENSOR,HX210...-LF S0073``;
``Rows,31``; ``Columns,11``; ``Sensel Width (cm),0.86``; ``Sensel Height (cm),0.86``; statistics),
then ``SENSELS`` and ``Rows`` lines of ``Columns`` values (the foot-and-gait export puts an empty line
of commas between rows). A frame holds one ``SENSOR`` block per insole; ``GROUP`` blocks after a sensor
list the cells of a region and are not part of the picture. Older exports write ``Key: value`` and
space-separated ``Sensels:`` rows; both are read.

Each sensor (e.g. left and right insole) gives its own peak picture; two sensors stand side by side
(left first, judged from ``LF``/``RF``/``left``/``right`` in the sensor name, else file order).
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from footchain.errors import FootprintError
from footchain.measure.footprint.pressure._common import (
    FloatArray,
    PressureFrame,
    RunningPeak,
    cells_to_array,
    check_row_widths,
    check_shape,
    finish,
    first_number,
    frames_note,
    length_to_mm,
    side_by_side,
)


def is_xsensor_text(text: str) -> bool:
    """Whether a text looks like an XSENSOR export."""
    head = text[:20000].lower()
    return "sensels" in head and ("sensel width" in head or "sensel height" in head)


def _key_value(line: str) -> tuple[str, str] | None:
    """``("units", "mmHg")`` from ``Units:,mmHg,,,`` or ``Units: mmHg``; None for a line without a key."""
    parts = re.split(r"[,;:\t]", line, maxsplit=1)
    if len(parts) < 2:
        return None
    key = parts[0].strip().strip('"').strip().lower()
    if not key:
        return None
    cells = [c.strip().strip('"').strip() for c in re.split(r"[,;\t]", parts[1])]
    value = next((c for c in cells if c), "")
    return key, value


def _side_of(name: str) -> str:
    lowered = name.lower()
    if re.search(r"(^|[^a-z])(lf|left)([^a-z]|$)", lowered):
        return "left"
    if re.search(r"(^|[^a-z])(rf|right)([^a-z]|$)", lowered):
        return "right"
    return name


def _insoles(names: list[str]) -> str | None:
    """XSENSOR's foot sensors name the foot they belong to (``...-LF``, ``...-RF``): they are insoles
    worn in the shoe. A platform or mat names no foot."""
    footed = [name for name in names if _side_of(name) in ("left", "right")]
    if not footed:
        return None
    return f"XSENSOR in-shoe insoles ({', '.join(footed)})"


def read_xsensor(text: str, path: Path, *, mm_per_px: float | None) -> PressureFrame:
    """Read an XSENSOR CSV export into its peak (or only) pressure picture.

    Parameters
    ----------
    text : str
        The decoded file, Unix line ends.
    path : Path
        The file, for messages.
    mm_per_px : float, optional
        Used only when the file gives no sensel width and height.

    Raises
    ------
    FootprintError
        For a file without a sensor grid, a grid of the wrong size, a truncated last frame, cells
        that are not numbers, sensors of different sensel sizes, or no pressure.
    """
    lines = text.split("\n")
    n = len(lines)
    units = "unknown"
    sensors: dict[str, RunningPeak] = {}
    pitches: dict[str, tuple[float | None, float | None]] = {}
    order: list[str] = []
    current: str | None = None
    rows_n: int | None = None
    cols_n: int | None = None
    width_mm: float | None = None
    height_mm: float | None = None
    semicolons = ";" in "\n".join(lines[:100])
    per_frame: list[int] = []
    frame_times: list[float] = []
    last_nonblank = max((k + 1 for k in range(n) if lines[k].strip(",; \t")), default=0)
    i = 0
    while i < n:
        kv = _key_value(lines[i])
        key = kv[0] if kv else lines[i].strip().strip(",;").strip().lower().rstrip(":")
        value = kv[1] if kv else ""
        if key == "units" and value:
            units = value
        elif key == "frame":
            per_frame.append(0)
        elif key == "time" and per_frame and len(frame_times) < len(per_frame):
            clock = _clock_seconds(value)
            if clock is not None:
                frame_times.append(clock)
        elif key == "sensor":
            current = value or f"sensor {len(order) + 1}"
            rows_n = cols_n = None
        elif key == "rows":
            number = first_number(value)
            rows_n = int(number) if number is not None else None
        elif key == "columns":
            number = first_number(value)
            cols_n = int(number) if number is not None else None
        elif key.startswith("sensel width"):
            number = first_number(value)
            width_mm = length_to_mm(number, key) if number is not None else None
        elif key.startswith("sensel height"):
            number = first_number(value)
            height_mm = length_to_mm(number, key) if number is not None else None
        elif key == "sensels" and current is not None:
            if rows_n is None or cols_n is None:
                raise FootprintError(
                    f"{path}, line {i + 1}: a SENSELS block without Rows and Columns before it; the "
                    "export is damaged"
                )
            check_shape(rows_n, cols_n, path)
            grid: list[tuple[int, list[str]]] = []
            j = i + 1
            while j < n and len(grid) < rows_n:
                raw = lines[j].strip()
                if raw.strip(",; \t") == "":
                    j += 1
                    continue
                if "," in raw:
                    cells = [c.strip() for c in raw.split(",")]
                elif ";" in raw:
                    cells = [c.strip() for c in raw.split(";")]
                else:
                    cells = raw.split()
                while len(cells) > cols_n and cells[-1] == "":
                    cells.pop()
                grid.append((j + 1, cells))
                j += 1
            check_row_widths(grid, cols_n, last_nonblank, path)
            if len(grid) < rows_n:
                raise FootprintError(
                    f"{path} looks truncated: the sensor grid at line {i + 1} has {len(grid)} of its "
                    f"{rows_n} rows. Export the file again"
                )
            frame = cells_to_array(grid, path, decimal_comma=semicolons, what="XSENSOR sensor grid")
            if current not in sensors:
                sensors[current] = RunningPeak()
                order.append(current)
                pitches[current] = (height_mm, width_mm)
            sensors[current].add(frame, path, what=f"frame of sensor {current!r}")
            if per_frame:
                per_frame[-1] += 1
            current = None  # later SENSELS lines of the same block belong to regions (GROUP)
            i = j
            continue
        i += 1
    if not sensors:
        raise FootprintError(
            f"{path} looks like an XSENSOR export but holds no sensor grid (SENSELS after a SENSOR "
            "block); export the recording again with the sensel data"
        )
    if current is not None or (len(per_frame) > 1 and per_frame[-1] < per_frame[0]):
        raise FootprintError(
            f"{path} looks truncated: its last frame lacks sensor data that every other frame has. "
            "Export the recording again"
        )
    warnings: list[str] = []
    ordered = sorted(order, key=lambda s: {"left": 0, "right": 2}.get(_side_of(s), 1))
    pitch_set = {pitches[s] for s in ordered}
    if len(pitch_set) > 1:
        sizes = "; ".join(
            f"{name}: " + " × ".join("not stated" if mm is None else f"{mm:g} mm" for mm in pitches[name])
            for name in ordered
        )
        raise FootprintError(f"{path}: the sensors have different sensel sizes ({sizes}); export them again")
    row_pitch, col_pitch = next(iter(pitch_set))
    images: list[FloatArray] = []
    counts = []
    for name in ordered:
        peak = sensors[name].peak
        assert peak is not None
        images.append(peak)
        counts.append(sensors[name].count)
        if sensors[name].count > 1:
            warnings.append(frames_note(sensors[name].count, f"XSENSOR ({name})"))
    if len(images) > 1:
        sides = ", ".join(_side_of(s) for s in ordered)
        warnings.append(f"the file holds {len(images)} sensors; they stand side by side ({sides})")
    values = side_by_side(images) if len(images) > 1 else images[0]
    stack = None
    if max(counts) > 1 and len(set(counts)) == 1:  # every sensor in every frame: simultaneous pictures
        per_sensor = [sensors[name].stack() for name in ordered]
        if all(p is not None for p in per_sensor):
            parts = [p for p in per_sensor if p is not None]
            stack = (
                np.stack([side_by_side([p[k] for p in parts]) for k in range(counts[0])])
                if len(parts) > 1
                else parts[0]
            )
    interval_s = None
    if len(frame_times) == len(per_frame) and len(frame_times) > 1:
        steps = np.diff(np.asarray(frame_times, dtype=np.float64))
        steps = steps[steps > 0]  # a clock passing midnight
        interval_s = round(float(np.median(steps)), 6) if steps.size else None
    return finish(
        values,
        path,
        fmt="xsensor",
        unit=units,
        frame="peak" if max(counts) > 1 else "static",
        row_pitch_mm=row_pitch,
        col_pitch_mm=col_pitch,
        pitch_from="file",
        mm_per_px=mm_per_px,
        warnings=warnings,
        frames=stack,
        frame_interval_s=interval_s,
        side_labels=tuple(_side_of(name) for name in ordered),
        in_shoe=_insoles(ordered),
    )


def _clock_seconds(text: str) -> float | None:
    """Seconds since midnight from a clock time ``08:21:17.982``, else None."""
    m = re.match(r"^\s*(\d{1,2}):(\d{2}):(\d{2}(?:[.,]\d+)?)\s*$", text)
    if not m:
        return None
    return int(m.group(1)) * 3600.0 + int(m.group(2)) * 60.0 + float(m.group(3).replace(",", "."))
