"""Reader for the vertical ground reaction force insoles of PhysioNet's "Gait in Parkinson's Disease".

Each row is one sample: time [s], L1..L8, R1..R8 (force under the 8 sensors of each insole, N),
total force under the left foot, total under the right foot (N); 100 Hz. The text variant is
tab-separated without a header; a CSV variant has a header row. Separators may be tabs, spaces or
commas and lines may end in CRLF: all variants read the same.

Hausdorff JM, et al. PhysioNet "Gait in Parkinson's Disease" (gaitpdb);
Frenkel-Toledo S, et al. (2005) J NeuroEng Rehabil 2:23; Yogev G, et al. (2005) Eur J Neurosci 22:1248.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.csv as pacsv  # type: ignore[import-untyped]

from footchain.measure.gait.errors import RecordingError
from footchain.measure.gait.readers._text import (
    decode_text,
    read_bytes,
    rows_in_order,
    sampling_rate_from_time,
    split_header,
    split_rows,
    split_whitespace_or_comma,
    to_float_table,
)
from footchain.measure.gait.recording import FloatArray, Recording, check_forces

N_COLUMNS = 19
NOMINAL_RATE_HZ = 100.0

# Sensor centres from the data set's description (x medio-lateral, y heel→toe, arbitrary units,
# origin between the feet); right is left mirrored in x.
LEFT_SENSOR_POSITIONS = np.array(
    [(-500, -800), (-700, -400), (-300, -400), (-700, 0), (-300, 0), (-700, 400), (-300, 400), (-500, 800)],
    dtype=np.float64,
)
RIGHT_SENSOR_POSITIONS = LEFT_SENSOR_POSITIONS * np.array([-1.0, 1.0])

_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
_LEFT = re.compile(r"(left|(^|[^a-z])l($|[^a-z]))", re.IGNORECASE)
_RIGHT = re.compile(r"(right|(^|[^a-z])r($|[^a-z]))", re.IGNORECASE)
_SENSOR_NO = re.compile(r"(\d+)\s*$")


def is_number(text: str) -> bool:
    """Whether a field is a plain decimal number."""
    return bool(_NUMBER.match(text.strip()))


def _first_content_line(lines: list[str]) -> tuple[int, str]:
    for index, line in enumerate(lines):
        if line.strip():
            return index, line
    raise RecordingError("the file has no content")


def _columns_from_header(names: list[str], path: Path) -> tuple[dict[str, int], list[str]]:
    """Column indices of the totals and sensors from a header row; documented layout if unlabelled."""
    warnings: list[str] = []
    lowered = [n.strip().lower() for n in names]
    total_left = [i for i, n in enumerate(lowered) if "tot" in n and _LEFT.search(n)]
    total_right = [i for i, n in enumerate(lowered) if "tot" in n and _RIGHT.search(n)]
    layout = {"total_left": N_COLUMNS - 2, "total_right": N_COLUMNS - 1}
    if len(total_left) == 1 and len(total_right) == 1:
        layout = {"total_left": total_left[0], "total_right": total_right[0]}
    else:
        warnings.append(
            f"the header of {path.name} does not label the total-force columns; using the gaitpdb "
            "layout (time, L1–L8, R1–R8, total left, total right)"
        )
    for side, pattern in (("left", _LEFT), ("right", _RIGHT)):
        for i, name in enumerate(lowered):
            if i in layout.values() or i == 0 or "tot" in name:
                continue
            number = _SENSOR_NO.search(name)
            if number and pattern.search(re.sub(r"\d+\s*$", "", name)):
                layout[f"{side}{int(number.group(1))}"] = i
    return layout, warnings


def _fast_rows(data: bytes, offset: int, delimiter: str, order: Sequence[int]) -> FloatArray | None:
    """Parse a cleanly delimited table from byte ``offset`` on with pyarrow; None when it is not clean.

    Returns the columns named in ``order`` as the rows of one C-ordered ``(len(order), n)`` float64
    array (missing values, Arrow nulls, as NaN). Each parsed block becomes one column-major tensor in
    a single Arrow call, whose transpose has a row per column; the blocks are joined along time.
    (Arrow's ``to_numpy`` is not used: it imports pandas, about 0.3 s in a fresh process.) The slow
    path explains what is wrong with a table that is not clean.
    """
    body = memoryview(data)[offset:]
    # Arrow parses blocks in parallel; its default 1 MB block leaves a typical trial (about 1 MB) to
    # one thread, so the body is cut into one block per thread (measured on 2 cores: 2.0 ms, against
    # 2.05 ms for one block more and 2.3 ms for Arrow's default)
    block_size = max(1 << 16, -(-len(body) // pa.cpu_count()))
    try:
        table = pacsv.read_csv(
            pa.BufferReader(pa.py_buffer(body)),
            read_options=pacsv.ReadOptions(autogenerate_column_names=True, block_size=block_size),
            parse_options=pacsv.ParseOptions(delimiter=delimiter),
            convert_options=pacsv.ConvertOptions(
                column_types={f"f{i}": pa.float64() for i in range(N_COLUMNS)}
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowTypeError, ValueError):
        return None
    if table.num_columns != N_COLUMNS or table.num_rows == 0:
        return None
    blocks = [
        np.asarray(batch.to_tensor(null_to_nan=True, row_major=False)).T for batch in table.to_batches()
    ]
    columns: FloatArray = blocks[0] if len(blocks) == 1 else np.concatenate(blocks, axis=1)
    return columns if list(order) == list(range(N_COLUMNS)) else columns[list(order)]


def read_gaitpdb(path: Path, *, sampling_rate_hz: float | None = None) -> Recording:
    """Read a gaitpdb VGRF insole file (tab/space/comma separated, with or without a header row).

    Parameters
    ----------
    path : Path
        The ``.txt`` or ``.csv`` file.
    sampling_rate_hz : float, optional
        The rate you know the file was recorded at; checked against the file's time column
        (more than 5% apart raises :class:`RecordingError`).

    Returns
    -------
    Recording
        Total vertical force per foot in newtons (the file's last two columns), the 8 sensors of
        each foot with their positions from the data set's description, and warnings.

    Raises
    ------
    RecordingError
        For an empty, binary, truncated or non-numeric file, a file without 19 columns, a time
        column that does not increase, a declared rate that does not match, or no force at all.
    """
    data = read_bytes(path)
    head_bytes = data[:16384]
    head = decode_text(head_bytes, path)
    head_lines = head.split("\n")
    if len(head_bytes) < len(data):
        head_lines = head_lines[:-1]  # the last one may be cut
    first_index, first_line = _first_content_line(head_lines)
    first_fields = split_whitespace_or_comma(first_line)
    has_header = not is_number(first_fields[0])
    if has_header:
        first_fields = split_header(first_line)
    warnings: list[str] = []
    names: list[str] | None = None
    if has_header:
        names = first_fields
        if len(names) != N_COLUMNS:
            raise RecordingError(
                f"{path}: the header has {len(names)} columns; gaitpdb files have {N_COLUMNS} "
                "(time, L1–L8, R1–R8, total left, total right)"
            )
        layout, header_warnings = _columns_from_header(names, path)
        warnings += header_warnings
    else:
        layout = {"total_left": N_COLUMNS - 2, "total_right": N_COLUMNS - 1}
    data_start = first_index + (1 if has_header else 0)

    # time, L1..L8, R1..R8, total left, total right, wherever the header put them
    order = [
        0,
        *(layout.get(f"left{k}", k) for k in range(1, 9)),
        *(layout.get(f"right{k}", 8 + k) for k in range(1, 9)),
        layout["total_left"],
        layout["total_right"],
    ]
    rows: FloatArray | None = None
    sample_line = next((ln for ln in head_lines[data_start:] if ln.strip()), "")
    if "\t" in sample_line or "," in sample_line:
        delimiter = "\t" if "\t" in sample_line else ","
        rows = _fast_rows(data, _byte_offset_of_line(data, data_start), delimiter, order)
    if rows is None:
        lines = decode_text(data, path).split("\n")
        split = split_rows(lines[data_start:], data_start + 1, split_whitespace_or_comma)
        if not split:
            raise RecordingError(f"{path}: a header but no data rows; export the recording again")
        n_found = len(split[0][1])
        if n_found != N_COLUMNS:
            raise RecordingError(
                f"{path}: {n_found} columns; gaitpdb files have {N_COLUMNS} "
                "(time, L1–L8, R1–R8, total left, total right)"
            )
        table = to_float_table(split, N_COLUMNS, path, column_names=names)
        rows = np.ascontiguousarray(table[:, order].T)

    keep, order_warnings = rows_in_order(rows[0], path)
    if not keep.all():
        rows = np.ascontiguousarray(rows[:, keep])
    warnings += order_warnings
    time_s = rows[0]
    rate, time_warnings = sampling_rate_from_time(time_s, path, declared_hz=sampling_rate_hz)
    warnings += time_warnings
    if sampling_rate_hz is None and abs(rate - NOMINAL_RATE_HZ) > 0.05 * NOMINAL_RATE_HZ:
        warnings.append(
            f"gaitpdb recordings are {NOMINAL_RATE_HZ:g} Hz but this file's time column says "
            f"{rate:.4g} Hz; using the time column"
        )
    left, right = rows[17], rows[18]
    # (n, 8) views in column-major order: each sensor's samples stay contiguous, nothing is copied
    left_sensors, right_sensors = rows[1:9].T, rows[9:17].T
    warnings += check_forces([("left foot", left), ("right foot", right)], time_s, "N", str(path))
    # both feet at once: rows 1–8 and 9–16 summed against rows 17 and 18
    gaps = np.abs(rows[1:17].reshape(2, 8, -1).sum(axis=1) - rows[17:19])
    counted = np.count_nonzero(np.isfinite(gaps), axis=1)
    peaks = np.fmax.reduce(rows[17:19], axis=1)
    for side, gap, n_counted, peak in zip(
        ("left", "right"), gaps, counted.tolist(), peaks.tolist(), strict=True
    ):
        # more than 5% of the samples off by more than 5% of the peak load
        tolerance = 0.05 * max(peak, 1.0)  # (NaN when no sample has a total: then nothing is counted)
        if n_counted and np.count_nonzero(gap > tolerance) > 0.05 * n_counted:
            warnings.append(
                f"{side} total force differs from the sum of its 8 sensors; the total column is used"
            )
    return Recording(
        path=path,
        format="gaitpdb",
        sampling_rate_hz=rate,
        time_s=time_s,
        left_force=left,
        right_force=right,
        force_unit="N",
        left_sensors=left_sensors,
        right_sensors=right_sensors,
        sensor_unit="N",
        left_sensor_positions=LEFT_SENSOR_POSITIONS.copy(),
        right_sensor_positions=RIGHT_SENSOR_POSITIONS.copy(),
        sensor_position_unit="arbitrary (gaitpdb layout)",
        warnings=tuple(warnings),
    )


def _byte_offset_of_line(data: bytes, line_index: int) -> int:
    """Byte offset where text line ``line_index`` (0-based, any line end) starts."""
    offset = 0
    for _ in range(line_index):
        nl = data.find(b"\n", offset)
        cr = data.find(b"\r", offset)
        if nl == -1 and cr == -1:
            return len(data)
        if cr != -1 and (nl == -1 or cr < nl):
            offset = cr + 2 if data[cr + 1 : cr + 2] == b"\n" else cr + 1
        else:
            offset = nl + 1
    return offset
