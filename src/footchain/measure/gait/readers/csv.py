"""Reader for any delimited table of per-foot vertical force, given a map of its columns.

``columns={"time": "t", "left_force": "Fz_L", "right_force": "Fz_R"}`` names the columns (by header
name, or by 0-based position for a file without a header). ``time`` may be left out when the
sampling rate is given. Forces must be in newtons. Tabs, commas, semicolons or spaces separate
fields; an empty cell or ``NaN`` is a missing sample.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np

from footchain.measure.gait.errors import RecordingError
from footchain.measure.gait.readers._text import (
    Splitter,
    decode_text,
    read_bytes,
    rows_in_order,
    sampling_rate_from_time,
    split_on,
    split_rows,
    split_whitespace_or_comma,
    to_float_table,
)
from footchain.measure.gait.readers.gaitpdb import is_number
from footchain.measure.gait.recording import FloatArray, Recording, check_forces

COLUMN_KEYS = ("time", "left_force", "right_force")


def parse_column_map(text: str) -> dict[str, str | int]:
    """Parse a command-line column map such as ``time=t,left_force=Fz L,right_force=3``.

    Values that are whole numbers are column positions (from 0); others are header names.

    Raises
    ------
    RecordingError
        For an item without ``=``, an unknown key or a key given twice.
    """
    mapping: dict[str, str | int] = {}
    for item in filter(None, (part.strip() for part in text.split(","))):
        key, sep, value = item.partition("=")
        key, value = key.strip().lower(), value.strip()
        if not sep or not value:
            raise RecordingError(f"column map item {item!r} is not KEY=COLUMN (for example left_force=FzL)")
        if key not in COLUMN_KEYS:
            raise RecordingError(f"unknown column key {key!r}; use {', '.join(COLUMN_KEYS)}")
        if key in mapping:
            raise RecordingError(f"column key {key!r} is given twice")
        mapping[key] = int(value) if value.isdigit() else value
    if not mapping:
        raise RecordingError("the column map is empty; give time=COLUMN,left_force=COLUMN,right_force=COLUMN")
    return mapping


def _splitter_for(line: str) -> Splitter:
    for delimiter in ("\t", ",", ";"):
        if delimiter in line:
            return split_on(delimiter)
    return split_whitespace_or_comma


def read_csv(
    path: Path,
    columns: Mapping[str, str | int],
    *,
    sampling_rate_hz: float | None = None,
) -> Recording:
    """Read a delimited table of per-foot vertical force (N) using a column map.

    Parameters
    ----------
    path : Path
        The table.
    columns : mapping
        Keys ``time`` (optional), ``left_force``, ``right_force`` (at least one of the two); values
        are header names or 0-based column positions.
    sampling_rate_hz : float, optional
        Needed when there is no time column; otherwise checked against it.

    Returns
    -------
    Recording

    Raises
    ------
    RecordingError
        For an unknown key or column, a missing sampling rate, or a damaged or non-numeric table.
    """
    unknown = sorted(set(columns) - set(COLUMN_KEYS))
    if unknown:
        raise RecordingError(
            f"unknown column key(s) {', '.join(unknown)}; use {', '.join(COLUMN_KEYS)} "
            "(for example time=t,left_force=FzL,right_force=FzR)"
        )
    if "left_force" not in columns and "right_force" not in columns:
        raise RecordingError("the column map needs left_force and/or right_force")
    data = read_bytes(path)
    text = decode_text(data, path)
    lines = text.split("\n")
    first = next((i for i, line in enumerate(lines) if line.strip()), 0)
    splitter = _splitter_for(lines[first])
    first_fields = splitter(lines[first])
    has_header = not all(is_number(f) for f in first_fields if f)
    names = first_fields if has_header else [str(i) for i in range(len(first_fields))]

    def index_of(key: str) -> int | None:
        if key not in columns:
            return None
        wanted = columns[key]
        if isinstance(wanted, int) or (isinstance(wanted, str) and wanted.isdigit() and wanted not in names):
            position = int(wanted)
            if not 0 <= position < len(names):
                raise RecordingError(
                    f"{path}: column {position} for {key} is beyond the {len(names)} columns"
                )
            return position
        stripped = [n.strip().lower() for n in names]
        if str(wanted).strip().lower() not in stripped:
            listing = ", ".join(repr(n) for n in names[:30])
            raise RecordingError(f"{path}: no column named {wanted!r} for {key}; the columns are {listing}")
        return stripped.index(str(wanted).strip().lower())

    positions = {key: index_of(key) for key in COLUMN_KEYS}
    rows = split_rows(lines[first + (1 if has_header else 0) :], first + (2 if has_header else 1), splitter)
    table = to_float_table(rows, len(names), path, column_names=names)
    warnings: list[str] = []
    time_col = positions["time"]
    if time_col is not None:
        keep, warnings = rows_in_order(table[:, time_col], path)
        table = table[keep]
        time_s = table[:, time_col].copy()
        rate, time_warnings = sampling_rate_from_time(time_s, path, declared_hz=sampling_rate_hz)
        warnings += time_warnings
    else:
        if sampling_rate_hz is None:
            raise RecordingError(
                f"{path}: no time column in the map and no sampling rate; give time=COLUMN or the "
                "sampling rate (for example --sampling-rate 100)"
            )
        rate = float(sampling_rate_hz)
        time_s = np.arange(table.shape[0], dtype=np.float64) / rate
    forces: dict[str, FloatArray | None] = {}
    for key in ("left_force", "right_force"):
        col = positions[key]
        forces[key] = None if col is None else table[:, col].copy()
    warnings += check_forces(
        [("left foot", forces["left_force"]), ("right foot", forces["right_force"])], time_s, "N", str(path)
    )
    return Recording(
        path=path,
        format="csv",
        sampling_rate_hz=rate,
        time_s=time_s,
        left_force=forces["left_force"],
        right_force=forces["right_force"],
        warnings=tuple(warnings),
    )
