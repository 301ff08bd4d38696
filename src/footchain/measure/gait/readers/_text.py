"""Shared helpers for the text readers: decoding, splitting and numeric conversion with clear errors."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from footchain.measure.gait._stats import median
from footchain.measure.gait.errors import RecordingError
from footchain.measure.gait.recording import FloatArray
from footchain.measure.textfile import looks_binary, to_text

_WHITESPACE_OR_COMMA = re.compile(r"\s*[,;]\s*|\s+")


def read_bytes(path: Path) -> bytes:
    """The file's bytes; raises :class:`RecordingError` when it is missing, unreadable or empty."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise RecordingError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise RecordingError(f"{path} is a folder; give one recording file") from None
    except OSError as exc:
        raise RecordingError(f"{path}: cannot read the file ({exc.strerror or exc})") from None
    if not data or data.isspace():
        raise RecordingError(f"{path} is empty; export the recording again")
    return data


def read_head(path: Path, size: int) -> bytes:
    """The first ``size`` bytes of a file, with the same errors as :func:`read_bytes`."""
    try:
        with path.open("rb") as handle:
            data = handle.read(size)
    except FileNotFoundError:
        raise RecordingError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise RecordingError(f"{path} is a folder; give one recording file") from None
    except OSError as exc:
        raise RecordingError(f"{path}: cannot read the file ({exc.strerror or exc})") from None
    if not data or data.isspace():
        if len(data) < size:
            raise RecordingError(f"{path} is empty; export the recording again")
        read_bytes(path)  # raises if the whole file is blank
    return data


def whole_lines(data: bytes, size: int) -> bytes:
    """The first ``size`` bytes of ``data`` up to the end of the last whole line in them.

    No line, and so no multi-byte character, is cut; without a line end in them, the ``size`` bytes.
    """
    if len(data) <= size:
        return data
    end = max(data.rfind(b"\n", 0, size), data.rfind(b"\r", 0, size))
    return data[: end + 1] if end >= 0 else data[:size]


def decode_text(data: bytes, path: Path) -> str:
    """Text of a text export with Unix line ends; raises for binary content."""
    if looks_binary(data):
        raise RecordingError(
            f"{path} is not a text export (it contains binary data); footchain reads gaitpdb, "
            "Moticon and pedar text exports, C3D files and CSV tables"
        )
    return to_text(data)


Splitter = Callable[[str], list[str]]


def split_whitespace_or_comma(line: str) -> list[str]:
    """Fields separated by any run of spaces/tabs, or by a comma or semicolon with optional spaces."""
    return _WHITESPACE_OR_COMMA.split(line.strip())


def split_header(line: str) -> list[str]:
    """Column names of a header row: split on tabs, else commas, else semicolons, else whitespace.

    Names may contain spaces ("Time [s]"), so a header is split on its strongest delimiter only.
    """
    for delimiter in ("\t", ",", ";"):
        if delimiter in line:
            return [f.strip() for f in line.strip().split(delimiter)]
    return line.split()


def split_on(delimiter: str) -> Splitter:
    """A splitter on one delimiter that keeps empty fields (an empty cell is a missing value)."""

    def split(line: str) -> list[str]:
        return [f.strip() for f in line.split(delimiter)]

    return split


def to_float_table(
    rows: Sequence[tuple[int, list[str]]],
    n_columns: int,
    path: Path,
    *,
    column_names: Sequence[str] | None = None,
    use_columns: Sequence[int] | None = None,
) -> FloatArray:
    """Convert split rows to a float array, with an error naming the line and column that is wrong.

    Parameters
    ----------
    rows : sequence of (line number, fields)
        Line numbers count from 1 in the file, for messages.
    n_columns : int
        The number of fields each row must have.
    path : Path
        The file, for messages.
    column_names : sequence of str, optional
        Names of the columns, for messages.
    use_columns : sequence of int, optional
        Convert only these columns (in this order); others may hold text such as event labels.

    A short last line is reported as a truncated file. Empty fields and ``nan``/``NaN``/``NA``
    become NaN (a gap); anything else that is not a number
    raises :class:`RecordingError`.
    """
    if not rows:
        raise RecordingError(f"{path}: no data rows found below the header; export the recording again")
    for index, (line_no, fields) in enumerate(rows):
        if len(fields) != n_columns:
            is_last = index == len(rows) - 1
            if is_last and len(fields) < n_columns:
                raise RecordingError(
                    f"{path} looks truncated: its last line ({line_no}) has {len(fields)} of the "
                    f"{n_columns} values every other line has. Copy or export the file again, "
                    "or delete that last line if the rest is what you want"
                )
            raise RecordingError(
                f"{path}, line {line_no}: {len(fields)} values where {n_columns} are expected; "
                "the file is damaged or not the format it looks like"
            )
    cells = np.array([fields for _, fields in rows], dtype=str)
    if use_columns is not None:
        cells = cells[:, list(use_columns)]
    lowered = np.char.lower(cells)
    missing = (cells == "") | (lowered == "na") | (lowered == "nan") | (lowered == "null")
    cells = np.where(missing, "nan", cells)
    try:
        return cells.astype(np.float64)
    except ValueError:
        pass
    wanted = range(n_columns) if use_columns is None else use_columns
    for line_no, fields in rows:
        for col in wanted:
            text = fields[col]
            if text == "" or text.lower() in ("na", "nan", "null"):
                continue
            try:
                float(text)
            except ValueError:
                name = (
                    f" ({column_names[col]})" if column_names is not None and col < len(column_names) else ""
                )
                shown = text if len(text) <= 30 else text[:27] + "..."
                raise RecordingError(
                    f"{path}, line {line_no}, column {col + 1}{name}: {shown!r} is not a number; "
                    "the recording must hold numbers only below its header"
                ) from None
    raise RecordingError(f"{path}: the table could not be read as numbers")


def split_rows(lines: Sequence[str], first_line_no: int, splitter: Splitter) -> list[tuple[int, list[str]]]:
    """Split non-blank lines into fields, keeping 1-based file line numbers."""
    out: list[tuple[int, list[str]]] = []
    for offset, line in enumerate(lines):
        if line.strip():
            out.append((first_line_no + offset, splitter(line)))
    return out


MAX_DISORDERED_SHARE = 0.01
"""Rows whose clock repeats or goes back are dropped up to this share of the file (or
:data:`MAX_DISORDERED_ROWS`, whichever is larger); beyond it the file is refused."""
MAX_DISORDERED_ROWS = 10


def rows_in_order(
    clock: FloatArray, path: Path, *, what: str = "time column", wrap: int | None = None
) -> tuple[NDArray[np.bool_], list[str]]:
    """Which rows to keep so that the clock (time or sample counter) strictly increases, and a warning.

    Devices write the odd row twice or late (a radio packet resent, a buffer flushed out of turn):
    such a row, whose clock is not after the last kept row's, is dropped and the warning says how
    many and where; the samples it should have held count as dropped. A counter of ``wrap`` values
    (e.g. 65536 for a 16-bit packet counter) that falls by more than half of that has wrapped and
    goes on. When more rows than :data:`MAX_DISORDERED_SHARE` of the file (at least
    :data:`MAX_DISORDERED_ROWS`) would go, the clock restarted or the rows are shuffled: the file is
    refused with :class:`RecordingError`. Places are given as data rows (1 = the first below the header).
    """
    keep = np.ones(clock.shape[0], dtype=np.bool_)
    if not np.isfinite(clock).all():  # missing times: sampling_rate_from_time says so
        return keep, []
    steps = np.diff(clock)
    if wrap is not None:
        steps[steps < -wrap / 2] += wrap
    if (steps > 0).all():
        return keep, []
    last = clock[0]
    for i in range(1, clock.shape[0]):
        step = clock[i] - last
        if wrap is not None and step < -wrap / 2:
            step += wrap
        if step > 0:
            last = clock[i]
        else:
            keep[i] = False
    dropped = np.flatnonzero(~keep)
    first = int(dropped[0])
    where = f"data row {first + 1} ({clock[first]:g} after {clock[first - 1]:g})"
    if dropped.size > max(MAX_DISORDERED_ROWS, MAX_DISORDERED_SHARE * clock.shape[0]):
        raise RecordingError(
            f"{path}: the {what} does not increase at {dropped.size} rows, first at {where}; the clock "
            "restarted or the file is damaged or two recordings were joined. Export each recording on "
            "its own"
        )
    return keep, [
        f"the {what} repeats or goes back at {dropped.size} row(s), first at {where}; "
        f"{'that row was' if dropped.size == 1 else 'those rows were'} dropped (a device that resent or "
        "reordered a sample)"
    ]


def sampling_rate_from_time(
    time_s: FloatArray,
    path: Path,
    *,
    declared_hz: float | None = None,
    what: str = "time column",
    declared_by: str = "the sampling rate given",
) -> tuple[float, list[str]]:
    """The sampling rate implied by a time column, checked against a declared rate.

    The rate is 1 / median interval. A time column that goes backwards, has no interval, or disagrees
    by more than 5% with a declared rate raises :class:`RecordingError`.
    """
    warnings: list[str] = []
    if not np.isfinite(time_s).all():
        raise RecordingError(f"{path}: the {what} has missing values; every sample needs a time")
    if time_s.shape[0] < 2:
        if declared_hz is None:
            raise RecordingError(f"{path}: only one sample, so no sampling rate can be read")
        return declared_hz, warnings
    steps = np.diff(time_s)
    if (steps <= 0).any():
        bad = int(np.flatnonzero(steps <= 0)[0])
        raise RecordingError(
            f"{path}: the {what} does not increase at sample {bad + 2} "
            f"({time_s[bad]:g} s then {time_s[bad + 1]:g} s); the file is damaged or two recordings "
            "were joined"
        )
    median_step = median(steps)
    rate = 1.0 / median_step
    if abs(rate - round(rate)) < 1e-3 * rate:
        rate = float(round(rate))
    if declared_hz is not None:
        if abs(rate - declared_hz) > 0.05 * declared_hz:
            raise RecordingError(
                f"{path}: {declared_by} ({declared_hz:g} Hz) does not match the {what} "
                f"({rate:.4g} Hz); give the right rate or leave it out to use the file's"
            )
        rate = declared_hz
    irregular = np.abs(steps - median_step) > 0.5 * median_step
    if irregular.any():
        n_long = int((steps > 1.5 * median_step).sum())
        warnings.append(
            f"the {what} is irregular at {int(irregular.sum())} place(s)"
            + (f" ({n_long} jump(s) longer than one sample: dropped samples?)" if n_long else "")
        )
    return rate, warnings
