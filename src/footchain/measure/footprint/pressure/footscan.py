"""RSscan footscan Excel export (``.xls``, "Dynamic Roll off").

Layout: one sheet; header lines in column A (``Dynamic Roll off for measurement: ...``,
``Scanning speed; ... Hertz``, ``Right foot data`` or ``Left foot data``, the rectangle position
``Rectangle bottom/left/width/height`` with the numbers on the following lines), then for each frame a
line ``Frame N (t ms)`` followed by one line per sensor row of the foot's rectangle.

Facts the file does not state, and how footchain handles them:

* the cells are the **force on each sensor in newtons**, not a pressure: a mid-stance frame sums to
  about body weight (735 N in the sample). They are converted to kPa with the sensor area;
* footscan plates have sensors of **7.62 mm × 5.08 mm** (RSscan's published figure, the one the R
  package pressuRe uses); the rows run along the 7.62 mm side (the walking direction), the columns
  across it;
* the rows run from heel to toes; footchain turns the picture upside down (toes up, columns kept), so
  that a right foot shows its big toe on the left, as a print seen from above (checked on the sample's
  right foot).

Reading ``.xls`` needs the ``xlrd`` package.
"""

from __future__ import annotations

import importlib
import io
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from footchain.errors import FootprintError
from footchain.measure.footprint.pressure._common import (
    MAX_KEPT_FRAME_CELLS,
    FloatArray,
    PressureFrame,
    finish,
    frames_note,
    keep_frames,
    peak_of,
    side_by_side,
)

#: RSscan footscan sensor pitch (mm): along the walking direction (rows), across it (columns).
FOOTSCAN_ROW_PITCH_MM = 7.62
FOOTSCAN_COL_PITCH_MM = 5.08
_FRAME = re.compile(r"^\s*frame\s+(\d+)", re.IGNORECASE)
_FRAME_TIME = re.compile(r"\(\s*([\d.,]+)\s*ms\s*\)", re.IGNORECASE)
_SIDE = re.compile(r"^\s*(left|right)\s+foot\s+data", re.IGNORECASE)
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _open_sheet_rows(data: bytes, path: Path) -> list[list[Any]]:
    """The first sheet's rows as cell values.

    xlrd reports damage in many ways (KeyError, AssertionError, IndexError, struct.error, its own
    XLRDError), some only when the sheet is read, and writes warnings such as "WARNING *** file size
    ... not 512 + multiple of sector size" to its log file (the terminal by default). Both stay inside
    this function: the log goes to a discarded buffer, and every failure of the library becomes one
    :class:`FootprintError` that says what to do.
    """
    try:
        xlrd = importlib.import_module("xlrd")
    except ImportError:  # pragma: no cover - depends on the installation
        raise FootprintError(
            f"{path} is an Excel .xls file; reading it needs the xlrd package (pip install xlrd)"
        ) from None
    xlrd_log = io.StringIO()
    try:
        book = xlrd.open_workbook(file_contents=data, on_demand=True, logfile=xlrd_log, verbosity=0)
        try:
            if book.nsheets < 1:
                raise FootprintError(f"{path}: the Excel file has no sheet")
            sheet = book.sheet_by_index(0)
            return [sheet.row_values(r) for r in range(sheet.nrows)]
        finally:
            book.release_resources()
    except FootprintError:
        raise
    except Exception as exc:  # xlrd raises many types for damaged files
        raise FootprintError(
            f"{path}: the Excel file cannot be read ({type(exc).__name__}: {str(exc)[:120]}); it is damaged or "
            "truncated. Export it again from footscan"
        ) from None


def is_footscan_rows(rows: list[list[Any]]) -> bool:
    """Whether spreadsheet rows look like a footscan roll-off export."""
    first = [str(r[0]) if r else "" for r in rows[:200]]
    return any(_FRAME.match(c) for c in first) and any(
        "roll off" in c.lower() or "roll-off" in c.lower() or "rectangle" in c.lower() or _SIDE.match(c)
        for c in first
    )


def _numeric_row(row: list[Any]) -> list[float] | None:
    values: list[float] = []
    for cell in row:
        if isinstance(cell, bool):
            return None
        if isinstance(cell, (int, float)):
            values.append(float(cell))
        elif isinstance(cell, str) and cell.strip() == "":
            values.append(np.nan)
        elif isinstance(cell, str):
            try:
                values.append(float(cell.strip().replace(",", ".")))
            except ValueError:
                return None
        else:
            return None
    while values and np.isnan(values[-1]):
        values.pop()
    return values or None


def read_footscan(data: bytes, path: Path, *, mm_per_px: float | None) -> PressureFrame:
    """Read a footscan ``.xls`` export into its peak pressure picture in kPa.

    Parameters
    ----------
    data : bytes
        The file's bytes (an OLE2 Excel 97 workbook).
    path : Path
        The file, for messages.
    mm_per_px : float, optional
        Not used: footscan's sensor pitch is known (a warning says so when it differs).

    Raises
    ------
    FootprintError
        For an unreadable workbook, no ``Frame`` blocks, frames of different sizes, a truncated last
        frame, cells that are not numbers, or no pressure.
    """
    rows = _open_sheet_rows(data, path)
    if not is_footscan_rows(rows):
        raise FootprintError(
            f"{path} is an Excel file but not a footscan roll-off export (no 'Frame N (t ms)' blocks)"
        )
    warnings: list[str] = []
    feet: dict[str, list[FloatArray]] = {}
    times: dict[str, list[float | None]] = {}
    side = "unknown"
    r = 0
    while r < len(rows):
        cell = str(rows[r][0]) if rows[r] else ""
        m_side = _SIDE.match(cell)
        if m_side:
            side = m_side.group(1).lower()
        if not _FRAME.match(cell):
            r += 1
            continue
        m_time = _FRAME_TIME.search(cell)
        frame_ms = float(m_time.group(1).replace(",", ".")) if m_time else None
        block: list[list[float]] = []
        r += 1
        while r < len(rows):
            label = str(rows[r][0]) if rows[r] else ""
            if _FRAME.match(label) or _SIDE.match(label):
                break
            numbers = _numeric_row(rows[r])
            if numbers is None:
                if label.strip():
                    raise FootprintError(
                        f"{path}, sheet row {r + 1}: {label[:30]!r} is not a number inside a frame; "
                        "the export is damaged"
                    )
                break
            block.append(numbers)
            r += 1
        if block:
            width = max(len(b) for b in block)
            if len(block[-1]) < width and r >= len(rows):
                raise FootprintError(
                    f"{path} looks truncated: the last frame's last row has {len(block[-1])} of "
                    f"{width} values. Export the file again"
                )
            frame = np.zeros((len(block), width), dtype=np.float64)
            for i, b in enumerate(block):
                frame[i, : len(b)] = b
            if np.isnan(frame).any():
                raise FootprintError(
                    f"{path}: a frame has empty cells inside it; every sensor needs a number"
                )
            feet.setdefault(side, []).append(frame)
            times.setdefault(side, []).append(frame_ms)
    if not feet:
        raise FootprintError(f"{path}: no frame holds any sensor rows; export the measurement again")
    images: list[FloatArray] = []
    stacks: list[FloatArray] = []
    order = [s for s in ("left", "unknown", "right") if s in feet]
    for s in order:
        frames = feet[s]
        shapes = {f.shape for f in frames}
        if len(shapes) > 1:
            last_rows = frames[-1].shape[0]
            if last_rows < max(f.shape[0] for f in frames):
                raise FootprintError(
                    f"{path} looks truncated: the last frame has {last_rows} rows, the others more. "
                    "Export the file again"
                )
            raise FootprintError(f"{path}: the frames of the {s} foot differ in size ({sorted(shapes)})")
        # force per sensor [N] → pressure [kPa]: N / (mm² · 1e-6 m²/mm²) / 1000
        area_mm2 = FOOTSCAN_ROW_PITCH_MM * FOOTSCAN_COL_PITCH_MM
        peak = peak_of(frames) / area_mm2 * 1000.0
        images.append(peak[::-1, :].copy())
        stacks.append(np.stack(frames)[:, ::-1, :] / area_mm2 * 1000.0)
        if len(frames) > 1:
            warnings.append(frames_note(len(frames), f"footscan ({s} foot)"))
    warnings.append(
        "footscan exports the force on each sensor (N); it was converted to pressure (kPa) with the "
        f"sensor area of {FOOTSCAN_ROW_PITCH_MM} × {FOOTSCAN_COL_PITCH_MM} mm"
    )
    if len(images) > 1:
        warnings.append(f"the file holds both feet; they stand side by side ({', '.join(order)})")
    values = side_by_side(images) if len(images) > 1 else images[0]
    stack, interval_s = _frame_stack(order, stacks, times, values.shape)
    return finish(
        values,
        path,
        fmt="footscan",
        unit="kPa",
        frame="peak" if any(len(f) > 1 for f in feet.values()) else "static",
        row_pitch_mm=FOOTSCAN_ROW_PITCH_MM,
        col_pitch_mm=FOOTSCAN_COL_PITCH_MM,
        pitch_from="vendor",
        mm_per_px=mm_per_px,
        warnings=warnings,
        frames=stack,
        frame_interval_s=interval_s,
        side_labels=tuple(order),
    )


def _frame_stack(
    order: Sequence[str],
    stacks: Sequence[FloatArray],
    times: Mapping[str, Sequence[float | None]],
    shape: tuple[int, ...],
) -> tuple[FloatArray | None, float | None]:
    """The frames of every foot on one time axis (from the ``Frame N (t ms)`` labels), side by side.

    A foot without a frame at some time has no load then (it is off the plate). Returns the stack
    (None for a single frame or when the frame times are missing for two feet) and the frame interval.
    """
    all_times = [t for side in order for t in times[side]]
    known = all(t is not None for t in all_times)
    interval_s: float | None = None
    if known:
        unique = np.unique(np.asarray(all_times, dtype=np.float64))
        steps = np.diff(unique)
        interval_s = float(np.median(steps)) / 1000.0 if steps.size and np.median(steps) > 0 else None
    if len(order) == 1:
        stack = stacks[0]
        return (keep_frames(list(stack)) if stack.shape[0] > 1 else None), interval_s
    if not known:
        return None, interval_s
    axis = np.unique(np.asarray(all_times, dtype=np.float64))
    if axis.size < 2 or axis.size * shape[0] * shape[1] > MAX_KEPT_FRAME_CELLS:
        return None, interval_s
    out = np.zeros((axis.size, *shape), dtype=np.float64)
    empty = [np.zeros(st.shape[1:], dtype=np.float64) for st in stacks]
    index = {side: {t: k for k, t in enumerate(times[side])} for side in order}
    for k, t in enumerate(axis.tolist()):
        parts = [stacks[j][index[side][t]] if t in index[side] else empty[j] for j, side in enumerate(order)]
        out[k] = side_by_side(parts)
    return out, interval_s
