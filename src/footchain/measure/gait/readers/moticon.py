"""Reader for Moticon OpenGo sensor-insole text exports.

The export starts with ``# key: value`` lines, then ``# time<TAB>name[unit]...`` naming every
column, then one tab-separated row per sample (usually 100 Hz). Columns are found by their names
(``left total force[N]``, ``right pressure 3[N/cm²]``, ``left center of pressure X[-0.5...+0.5]``),
so exports with more, fewer or reordered columns read the same. An empty cell is a missing sample
(for example before an insole connects).

Moticon ReGo AG, OpenGo software: text export format (moticon-rego/moticon-opengo).
"""

from __future__ import annotations

import re
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
from footchain.measure.gait.recording import FloatArray, Recording, Side, check_forces

_TOTAL = re.compile(r"^(left|right)\s+total\s+force\s*\[\s*([^\]]*)\]", re.IGNORECASE)
_PRESSURE = re.compile(r"^(left|right)\s+pressure\s+(\d+)\s*\[\s*([^\]]*)\]", re.IGNORECASE)
_COP = re.compile(r"^(left|right)\s+cent(?:er|re)\s+of\s+pressure\s+([xy])\s*\[\s*([^\]]*)\]", re.IGNORECASE)
_TIME = re.compile(r"^time\b", re.IGNORECASE)


def is_moticon_text(text: str) -> bool:
    """Whether a text looks like a Moticon export: a ``# time`` header naming per-foot columns."""
    for line in text.split("\n", 40)[:40]:
        stripped = line.lstrip("# ").lower()
        if (
            line.startswith("#")
            and stripped.startswith("time")
            and ("total force" in stripped or "pressure" in stripped)
        ):
            return True
    return False


def _splitter_for(header_line: str) -> Splitter:
    if "\t" in header_line:
        return split_on("\t")
    if "," in header_line:
        return split_on(",")
    if ";" in header_line:
        return split_on(";")
    return split_whitespace_or_comma


def read_moticon(path: Path, *, sampling_rate_hz: float | None = None) -> Recording:
    """Read a Moticon OpenGo text export.

    Parameters
    ----------
    path : Path
        The ``.txt`` export.
    sampling_rate_hz : float, optional
        A rate you know; checked against the time column (more than 5% apart raises).

    Returns
    -------
    Recording
        Total force per foot in newtons (the insoles' own ``total force`` columns), the 16 cell
        pressures per insole (N/cm²) and the exported centre of pressure (fractions of insole width
        and length, -0.5…+0.5), with warnings for missing samples.

    Raises
    ------
    RecordingError
        For an empty, binary, truncated or non-numeric file, a file without the ``# time`` header
        or without any per-foot force, a time column that does not increase, or no force at all.
    """
    data = read_bytes(path)
    text = decode_text(data, path)
    lines = text.split("\n")
    header_index = None
    for index, line in enumerate(lines):
        if line.startswith("#") and _TIME.match(line.lstrip("# \t")):
            header_index = index
        elif line.strip() and not line.startswith("#"):
            break
    if header_index is None:
        raise RecordingError(
            f"{path}: no '# time ...' header line naming the columns; export from Moticon OpenGo "
            "as text with the header"
        )
    meta = {}
    for line in lines[:header_index]:
        key, sep, value = line.lstrip("# ").partition(":")
        if sep:
            meta[key.strip().lower()] = value.strip()
    header_line = lines[header_index].lstrip("#").lstrip(" ")
    splitter = _splitter_for(header_line)
    names = splitter(header_line)
    while names and names[-1] == "":
        names.pop()

    columns: dict[str, int] = {}
    pressure_cols: dict[Side, dict[int, int]] = {"left": {}, "right": {}}
    pressure_unit = None
    cop_cols: dict[str, int] = {}
    cop_unit = None
    for i, name in enumerate(names):
        if m := _TOTAL.match(name):
            columns[f"{m.group(1).lower()}_total"] = i
            if m.group(2).strip().upper() not in ("N", ""):
                raise RecordingError(f"{path}: total force is in {m.group(2)!r}; footchain expects N")
        elif m := _PRESSURE.match(name):
            side: Side = "left" if m.group(1).lower() == "left" else "right"
            pressure_cols[side][int(m.group(2))] = i
            pressure_unit = m.group(3).strip()
        elif m := _COP.match(name):
            cop_cols[f"{m.group(1).lower()}_{m.group(2).lower()}"] = i
            cop_unit = m.group(3).strip()

    rows = split_rows(lines[header_index + 1 :], header_index + 2, splitter)
    if not rows:
        raise RecordingError(f"{path}: a header but no samples; export the recording again")
    lengths = [len(fields) for _, fields in rows]
    n_columns = max(set(lengths), key=lengths.count)
    needed = max(
        [*columns.values(), *cop_cols.values(), 0]
        + [max(c.values(), default=0) for c in pressure_cols.values()]
    )
    if n_columns <= needed:
        raise RecordingError(
            f"{path}: rows have {n_columns} values but the header names {len(names)} columns; "
            "the file is damaged"
        )
    used = sorted(
        {0, *columns.values(), *cop_cols.values(), *(c for m in pressure_cols.values() for c in m.values())}
    )
    converted = to_float_table(rows, n_columns, path, column_names=names, use_columns=used)
    table = np.full((converted.shape[0], n_columns), np.nan)
    table[:, used] = converted
    keep, warnings = rows_in_order(table[:, 0], path)
    table = table[keep]
    time_s = table[:, 0].copy()
    rate, time_warnings = sampling_rate_from_time(time_s, path, declared_hz=sampling_rate_hz)
    warnings += time_warnings

    forces: dict[Side, FloatArray | None] = {"left": None, "right": None}
    sensors: dict[Side, FloatArray | None] = {"left": None, "right": None}
    force_unit = "N"
    for side_name in ("left", "right"):
        side_key: Side = "left" if side_name == "left" else "right"
        cells = pressure_cols[side_key]
        if cells:
            sensors[side_key] = table[:, [cells[k] for k in sorted(cells)]].copy()
        if f"{side_name}_total" in columns:
            forces[side_key] = table[:, columns[f"{side_name}_total"]].copy()
    if forces["left"] is None and forces["right"] is None:
        if sensors["left"] is None and sensors["right"] is None:
            raise RecordingError(
                f"{path}: no 'left/right total force[N]' or pressure columns; export the insole "
                "forces from Moticon OpenGo"
            )
        force_unit = f"{pressure_unit or 'N/cm²'} (sum of cell pressures)"
        for side_key in ("left", "right"):
            cells_data = sensors[side_key]
            if cells_data is not None:
                forces[side_key] = _nansum_keep_gaps(cells_data)
        warnings.append(
            "the export has no total-force columns and Moticon does not state its cell areas; the "
            "load is the sum of cell pressures, not newtons"
        )
    for side_key in ("left", "right"):
        if forces[side_key] is None:
            warnings.append(f"the export has no {side_key} insole")

    warnings += check_forces(
        [("left insole", forces["left"]), ("right insole", forces["right"])], time_s, force_unit, str(path)
    )
    # Moticon's COP X runs along the insole (about -0.35 at heel strike to +0.3 at toe off) and Y
    # across it; the Recording's convention is x across, y heel to toe. The insole reports exactly
    # (0, 0) when it computes no COP (too little load): that is missing, not the insole's centre.
    cops: dict[Side, FloatArray | None] = {"left": None, "right": None}
    for side_key in ("left", "right"):
        if f"{side_key}_x" in cop_cols and f"{side_key}_y" in cop_cols:
            cop = table[:, [cop_cols[f"{side_key}_y"], cop_cols[f"{side_key}_x"]]].copy()
            cop[(cop == 0.0).all(axis=1)] = np.nan
            cops[side_key] = cop
    return Recording(
        path=path,
        format="moticon",
        sampling_rate_hz=rate,
        time_s=time_s,
        left_force=forces["left"],
        right_force=forces["right"],
        force_unit=force_unit,
        left_sensors=sensors["left"],
        right_sensors=sensors["right"],
        sensor_unit=pressure_unit,
        left_cop=cops["left"],
        right_cop=cops["right"],
        cop_unit=(
            f"insole fraction {cop_unit} (Moticon's Y across the insole, X along it)" if cop_unit else None
        ),
        warnings=tuple(warnings),
    )


def _nansum_keep_gaps(cells: FloatArray) -> FloatArray:
    """Row sums that stay NaN where every cell is missing."""
    total = np.asarray(np.nansum(cells, axis=1), dtype=np.float64)
    total[np.isnan(cells).all(axis=1)] = np.nan
    return total
