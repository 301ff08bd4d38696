"""Tekscan ASCII exports: F-Scan (``.asf``) and I-Scan and other Tekscan sensors (``.csv``/``.asf``).

Layout: ``KEY value`` header lines (``SENSOR_TYPE``, ``ROWS``, ``COLS``, ``ROW_SPACING 5.08 mm``,
``COL_SPACING``, ``UNITS KPa``/``raw``, ``SECONDS_PER_FRAME``, ...), ``ASCII_DATA @@``, then for each
frame a line ``Frame N[, ...]`` and ``ROWS`` lines of ``COLS`` comma-separated values, and a closing
``@@``. ``B`` marks a cell outside the sensor's outline (an F-Scan insole is cut from a rectangular
grid); it becomes 0. ``SENSOR_TYPE FSCAN`` is read as format ``fscan``, any other sensor as ``iscan``.

The picture is shown as the grid is written (row 1 at the top). That F-Scan's rows run from toes
(row 1) to heel is an assumption from the sample (``fscan_testL``: toes in the first rows).
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from footchain.errors import FootprintError
from footchain.measure.footprint.pressure._common import (
    FormatName,
    PressureFrame,
    RunningPeak,
    cells_to_array,
    check_row_widths,
    check_shape,
    finish,
    first_number,
    frames_note,
    length_to_mm,
)

_KEY = re.compile(r"^([A-Z][A-Z0-9_]+)\s*(.*)$")
_FRAME = re.compile(r"^\s*frame\b", re.IGNORECASE)


def is_tekscan_text(text: str) -> bool:
    """Whether a text looks like a Tekscan ASCII export."""
    head = text[:8000]
    return "ASCII_DATA" in head or ("SENSOR_TYPE" in head and "ROWS" in head and "COLS" in head)


def tekscan_kind(text: str) -> str:
    """``fscan`` for an F-Scan sensor, else ``iscan``."""
    m = re.search(r"^SENSOR_TYPE\s+(.*)$", text[:8000], re.MULTILINE)
    kind = (m.group(1) if m else "").upper().replace("-", "").replace(" ", "")
    return "fscan" if "FSCAN" in kind else "iscan"


def _header(lines: list[str]) -> tuple[dict[str, str], int]:
    header: dict[str, str] = {}
    for i, line in enumerate(lines):
        if line.strip().upper().startswith("ASCII_DATA"):
            return header, i + 1
        if _FRAME.match(line):
            return header, i
        m = _KEY.match(line.strip())
        if m:
            header[m.group(1)] = m.group(2).strip()
    return header, len(lines)


def _unit(text: str) -> str:
    lowered = text.strip().lower()
    if not lowered:
        return "unknown"
    if lowered == "kpa":
        return "kPa"
    if lowered in ("n/cm2", "n/cm^2", "n/cm²", "ncm2"):
        return "N/cm²"
    if lowered == "mpa":
        return "MPa"
    return text.strip()


def read_tekscan(text: str, path: Path, *, mm_per_px: float | None) -> PressureFrame:
    """Read a Tekscan ASCII export into its peak (or only) pressure picture.

    Parameters
    ----------
    text : str
        The decoded file, Unix line ends.
    path : Path
        The file, for messages.
    mm_per_px : float, optional
        Used only when the header gives no ``ROW_SPACING``/``COL_SPACING``.

    Raises
    ------
    FootprintError
        For a header without ``ROWS``/``COLS``, no frames, a frame of the wrong size, a truncated
        file, cells that are not numbers, or no pressure.
    """
    lines = text.split("\n")
    header, start = _header(lines)
    n_rows_f = first_number(header.get("ROWS", ""))
    n_cols_f = first_number(header.get("COLS", ""))
    if n_rows_f is None or n_cols_f is None:
        raise FootprintError(
            f"{path}: the Tekscan header has no ROWS/COLS; export the movie again as ASCII with its header"
        )
    n_rows, n_cols = int(n_rows_f), int(n_cols_f)
    check_shape(n_rows, n_cols, path)
    sample = "\n".join(lines[start : start + 200])
    delimiter = ";" if ";" in sample else ","
    decimal_comma = delimiter == ";"
    frames = RunningPeak()
    i = start
    n = len(lines)
    last_line = max(
        (k + 1 for k in range(n) if lines[k].strip() and not lines[k].strip().startswith("@@")), default=0
    )
    while i < n:
        line = lines[i]
        if not _FRAME.match(line):
            i += 1
            continue
        rows: list[tuple[int, list[str]]] = []
        j = i + 1
        while j < n and len(rows) < n_rows:
            raw = lines[j].strip()
            if not raw or _FRAME.match(raw) or raw.startswith("@@"):
                break
            cells = [c.strip() for c in raw.split(delimiter)]
            while len(cells) > n_cols and cells[-1] == "":
                cells.pop()
            rows.append((j + 1, cells))
            j += 1
        check_row_widths(rows, n_cols, last_line, path)
        if len(rows) < n_rows:
            at_end = not rows or rows[-1][0] == last_line
            raise FootprintError(
                f"{path} {'looks truncated' if at_end else 'is damaged'}: the frame at line {i + 1} has "
                f"{len(rows)} of its {n_rows} rows. Export the file again"
            )
        frames.add(
            cells_to_array(
                rows,
                path,
                decimal_comma=decimal_comma,
                what="Tekscan frame",
                blank_as=0.0,
                blank_tokens=("B",),
            ),
            path,
        )
        i = j
    if frames.peak is None:
        raise FootprintError(f"{path}: the Tekscan export holds no 'Frame' blocks; export the movie again")
    warnings: list[str] = []
    values = frames.peak
    frame: str | int = "static"
    if frames.count > 1:
        frame = "peak"
        warnings.append(frames_note(frames.count, "Tekscan"))
    row_pitch = col_pitch = None
    row_text, col_text = header.get("ROW_SPACING", ""), header.get("COL_SPACING", "")
    row_value, col_value = first_number(row_text), first_number(col_text)
    if row_value is not None and col_value is not None:
        row_pitch = length_to_mm(row_value, row_text)
        col_pitch = length_to_mm(col_value, col_text)
        if "mm" not in row_text.lower() and "cent" not in row_text.lower() and "cm" not in row_text.lower():
            warnings.append(f"ROW_SPACING has no unit ({row_text!r}); read as millimetres")
    unit = _unit(header.get("UNITS", ""))
    if unit == "raw":
        warnings.append("the values are raw sensor readings (uncalibrated), not a pressure")
    fmt: FormatName = "fscan" if tekscan_kind(text) == "fscan" else "iscan"
    values = np.asarray(values, dtype=np.float64)
    seconds = first_number(header.get("SECONDS_PER_FRAME", ""))
    interval_s = seconds if seconds is not None and seconds > 0 else None
    return finish(
        values,
        path,
        fmt=fmt,
        unit=unit,
        frame=frame,
        row_pitch_mm=row_pitch,
        col_pitch_mm=col_pitch,
        pitch_from="file",
        mm_per_px=mm_per_px,
        warnings=warnings,
        frames=frames.stack() if frames.count > 1 else None,
        frame_interval_s=interval_s,
        in_shoe="a Tekscan F-Scan in-shoe sensor" if fmt == "fscan" else None,
    )
