"""novel emed platform ASCII export (``.lst``).

Layout (as exported by the novel software): pages separated by form feeds, each with a header
(``File: ... Matrix: 64x95``, ``Sensor area: 0.25 cm²``, ``Time/picture: 10.0 ms``,
``Sensor size: 0.500x0.500 cm``, ``Pict-No.: N  Force[N]=sum*sensor_area in row/column``), then a
table: a line of column numbers (ending with ``Force``), one line per sensor row starting with the row
number and ending with the row's force, and a last ``Force`` line of column forces. Each page shows
only the window of the matrix that holds the foot; the row and column numbers place it. Summary pages
(maximum pictures, labelled ``MVP``/``MPP`` instead of ``Pict-No.``) are read like frames: the
per-cell maximum is the same.

The unit is checked with the force column: force [N] = Σ pressure × sensor area, so the ratio tells
kPa (0.1 N per kPa·cm²) from N/cm² (1 N per N/cm²·cm²).
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from footchain.errors import FootprintError
from footchain.measure.footprint.pressure._common import (
    FloatArray,
    PressureFrame,
    check_shape,
    finish,
    first_number,
    frames_note,
    keep_frames,
    length_to_mm,
    peak_of,
    to_float,
)

_INT = re.compile(r"^\d+$")
_SENSOR_SIZE = re.compile(r"sensor\s+size\s*:?\s*([\d.,]+)\s*[x×*]\s*([\d.,]+)\s*([a-zA-Zµ]*)", re.IGNORECASE)
_SENSOR_AREA = re.compile(r"sensor\s+area\s*:?\s*([\d.,]+)\s*(\S*)", re.IGNORECASE)
_TIME_PER_PICTURE = re.compile(r"time\s*/\s*picture\s*:?\s*([\d.,]+)\s*(ms|s)\b", re.IGNORECASE)
_PAGE_LABEL = re.compile(r"\b(pict-no|mvp|mpp)\b", re.IGNORECASE)


def is_emed_text(text: str) -> bool:
    """Whether a text looks like an emed ``.lst`` export."""
    head = text[:20000].lower()
    return "pict-no" in head or ("matrix:" in head and "sensor size" in head and "force" in head)


class _Table:
    """One page's table: row numbers, column numbers, the values and the per-row force (if any)."""

    def __init__(
        self, rows: list[int], cols: list[int], values: FloatArray, force: FloatArray | None, line: int = 0
    ):
        self.rows = rows
        self.cols = cols
        self.values = values
        self.force = force
        self.line = line  # index of the table's column-number line


def _split(line: str) -> list[str]:
    return [c for c in re.split(r"[\t ]+", line.strip()) if c]


def _parse_tables(lines: list[str], path: Path, decimal_comma: bool) -> list[_Table]:
    tables: list[_Table] = []
    i = 0
    n = len(lines)
    while i < n:
        cells = _split(lines[i])
        has_force_col = bool(cells) and cells[-1].lower().startswith("force")
        col_cells = cells[:-1] if has_force_col else cells
        if len(col_cells) >= 2 and all(_INT.match(c) for c in col_cells) and not lines[i][:1].isdigit():
            cols = [int(c) for c in col_cells]
            rows: list[int] = []
            data: list[list[float]] = []
            forces: list[float] = []
            j = i + 1
            while j < n:
                row_cells = _split(lines[j])
                if not row_cells or not _INT.match(row_cells[0]):
                    break
                expected = len(cols) + (1 if has_force_col else 0)
                if len(row_cells) - 1 != expected:
                    last = j == n - 1 or not _split(lines[j + 1])
                    if last and len(row_cells) - 1 < expected:
                        raise FootprintError(
                            f"{path} looks truncated: line {j + 1} has {len(row_cells) - 1} of the "
                            f"{expected} values of its table. Export the emed file again"
                        )
                    raise FootprintError(
                        f"{path}, line {j + 1}: {len(row_cells) - 1} values where the table has "
                        f"{expected}; the file is damaged"
                    )
                try:
                    numbers = [to_float(c, decimal_comma=decimal_comma) for c in row_cells[1:]]
                except ValueError:
                    bad = next(c for c in row_cells[1:] if not _is_float(c, decimal_comma))
                    raise FootprintError(
                        f"{path}, line {j + 1}: {bad[:30]!r} is not a number; the emed table must hold "
                        "numbers only"
                    ) from None
                rows.append(int(row_cells[0]))
                if has_force_col:
                    forces.append(numbers[-1])
                    numbers = numbers[:-1]
                data.append(numbers)
                j += 1
            if rows:
                tables.append(
                    _Table(
                        rows,
                        cols,
                        np.asarray(data, dtype=np.float64),
                        np.asarray(forces, dtype=np.float64) if has_force_col else None,
                        i,
                    )
                )
            i = j
            continue
        i += 1
    return tables


def _is_float(text: str, decimal_comma: bool) -> bool:
    try:
        to_float(text, decimal_comma=decimal_comma)
    except ValueError:
        return False
    return True


def _unit_from_force(tables: list[_Table], area_cm2: float | None) -> str | None:
    """kPa or N/cm² from the force column; None when it cannot tell."""
    if area_cm2 is None:
        return None
    ratios: list[float] = []
    for t in tables:
        if t.force is None:
            continue
        sums = t.values.sum(axis=1)
        ok = sums > 0
        if ok.any():
            ratios.extend((t.force[ok] / (sums[ok] * area_cm2)).tolist())
    if not ratios:
        return None
    ratio = float(np.median(ratios))
    if 0.08 <= ratio <= 0.12:
        return "kPa"
    if 0.8 <= ratio <= 1.2:
        return "N/cm²"
    return None


def read_emed(text: str, path: Path, *, mm_per_px: float | None) -> PressureFrame:
    """Read a novel emed ``.lst`` export into its peak (or only) pressure picture.

    Parameters
    ----------
    text : str
        The decoded file, Unix line ends.
    path : Path
        The file, for messages.
    mm_per_px : float, optional
        Used only when the file states no sensor size.

    Returns
    -------
    PressureFrame
        Format ``emed``; ``frame`` is ``"peak"`` for several pages, ``"static"`` for one.

    Raises
    ------
    FootprintError
        For a file without tables, a truncated or damaged table, or no pressure.
    """
    head = text[:5000]
    decimal_comma = True  # cells are tab/space separated, so a comma can only be a decimal comma
    lines = text.replace("\x0c", "\n").split("\n")
    tables = _parse_tables(lines, path, decimal_comma)
    if not tables:
        raise FootprintError(
            f"{path} looks like an emed export but holds no pressure table (a line of column numbers "
            "followed by numbered rows); export the measurement again as an ASCII list"
        )
    row_min = min(min(t.rows) for t in tables)
    row_max = max(max(t.rows) for t in tables)
    col_min = min(min(t.cols) for t in tables)
    col_max = max(max(t.cols) for t in tables)
    check_shape(row_max - row_min + 1, col_max - col_min + 1, path)
    frames: list[FloatArray] = []
    for t in tables:
        full = np.zeros((row_max - row_min + 1, col_max - col_min + 1), dtype=np.float64)
        r_idx = np.asarray(t.rows) - row_min
        c_idx = np.asarray(t.cols) - col_min
        full[np.ix_(r_idx, c_idx)] = t.values
        frames.append(full)
    warnings: list[str] = []
    stack = None
    if len(frames) > 1:
        values = peak_of(frames)
        frame: str | int = "peak"
        warnings.append(frames_note(len(frames), "emed"))
        pictures = [f for f, t in zip(frames, tables, strict=True) if not _is_summary_page(lines, t)]
        stack = keep_frames(pictures) if len(pictures) > 1 else None
    else:
        values = frames[0]
        frame = "static"
    interval = _TIME_PER_PICTURE.search(head)
    interval_s = None
    if interval:
        step = float(interval.group(1).replace(",", "."))
        interval_s = step / 1000.0 if interval.group(2).lower() == "ms" else step
        interval_s = interval_s if interval_s > 0 else None

    measurements = len(re.findall(r"pict-no\.?\s*:?\s*1\b", text, re.IGNORECASE))
    if measurements > 1:
        warnings.append(
            f"the file holds {measurements} measurements; their pictures are combined at their places "
            "on the platform (one print per step), so export one measurement per file if they overlap"
        )
    page_rows = [len(t.rows) for t in tables]
    if len(page_rows) > 1 and page_rows[-1] < max(page_rows[:-1]):
        warnings.append(
            f"the last page has {page_rows[-1]} rows where the others have {max(page_rows[:-1])}; the "
            "file may be cut short (only the pages before it are complete)"
        )
    row_pitch = col_pitch = None
    size = _SENSOR_SIZE.search(head)
    area_cm2: float | None = None
    if size:
        col_pitch = length_to_mm(float(size.group(1).replace(",", ".")), size.group(3) or "cm")
        row_pitch = length_to_mm(float(size.group(2).replace(",", ".")), size.group(3) or "cm")
        area_cm2 = col_pitch * row_pitch / 100.0
    area = _SENSOR_AREA.search(head)
    if area:
        area_value = first_number(area.group(1))
        if area_value is not None and area_value > 0:
            area_unit = area.group(2).lower()
            stated_cm2 = area_value / 100.0 if area_unit.startswith("mm") else area_value
            if area_cm2 is None:
                area_cm2 = stated_cm2
                row_pitch = col_pitch = float(np.sqrt(stated_cm2)) * 10.0
                warnings.append(
                    f"the file gives only the sensor area ({stated_cm2:g} cm²); assumed square sensors "
                    f"of {row_pitch:.3g} mm"
                )
    unit = _unit_from_force(tables, area_cm2)
    if unit is None:
        lowered = head.lower()
        if "kpa" in lowered:
            unit = "kPa"
        elif "n/cm" in lowered:
            unit = "N/cm²"
        else:
            unit = "kPa"
            warnings.append("the file does not say its unit; assumed kPa, the emed default")
    return finish(
        values,
        path,
        fmt="emed",
        unit=unit,
        frame=frame,
        row_pitch_mm=row_pitch,
        col_pitch_mm=col_pitch,
        pitch_from="file",
        mm_per_px=mm_per_px,
        warnings=warnings,
        frames=stack,
        frame_interval_s=interval_s,
    )


def _is_summary_page(lines: list[str], table: _Table) -> bool:
    """Whether a table is a summary picture (``MVP``/``MPP``) rather than a frame (``Pict-No.``).

    The label is the last one written in the few lines above the table.
    """
    for k in range(table.line - 1, max(-1, table.line - 8), -1):
        m = _PAGE_LABEL.search(lines[k])
        if m:
            return m.group(1).lower() != "pict-no"
    return False
