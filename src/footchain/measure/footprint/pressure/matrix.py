"""Generic pressure matrices: a text table of numbers (CSV, TSV, semicolons, spaces) or a NumPy ``.npy``.

A text matrix is rows × columns of numbers, one sensor row per line. The delimiter is found from the
content: a semicolon or a tab when present (then ``1,5`` is read as 1.5, the decimal comma of many
European exports), else a comma, else runs of spaces. One leading line of column names is skipped
with a warning; CRLF line ends and trailing blank lines are fine. The sensor pitch is not in such
files: the caller gives it (``--mm-per-px``).
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import numpy as np

from footchain.errors import FootprintError
from footchain.measure.footprint.pressure._common import (
    MAX_SIDE,
    FloatArray,
    PressureFrame,
    cells_to_array,
    check_shape,
    finish,
)
from footchain.measure.textfile import looks_binary, to_text

_SPACES = re.compile(r"\s+")
_NUMERIC_CELL = re.compile(r"^\s*[-+]?(?:\d+(?:[.,]\d*)?|[.,]\d+)(?:[eE][-+]?\d+)?\s*$")


def split_matrix_line(line: str, delimiter: str) -> list[str]:
    """Split one line of a text matrix on the delimiter (``" "`` means runs of spaces)."""
    if delimiter == " ":
        return _SPACES.split(line.strip())
    return [cell.strip() for cell in line.strip().split(delimiter)]


_CANDIDATES: tuple[tuple[str, bool], ...] = ((";", True), ("\t", True), (",", False), (" ", True))


def detect_delimiter(lines: list[str]) -> tuple[str, bool]:
    """The delimiter of a text matrix and whether commas are decimal commas.

    The first candidate (semicolon, tab, comma, runs of spaces) that splits the sample lines into
    numbers only, with the same count on every line, wins; when none does (a damaged file), the
    first candidate present in the text is used so that the parser can name the bad cell.

    Returns
    -------
    tuple of (str, bool)
        ``";"``, ``"\\t"``, ``","`` or ``" "`` (runs of spaces), and True when a comma inside a cell
        is a decimal comma.
    """
    sample = [line for line in lines[:50] if line.strip()]
    for delimiter, decimal_comma in _CANDIDATES:
        if delimiter != " " and not any(delimiter in line for line in sample):
            continue
        split = [_drop_trailing_empty(split_matrix_line(line, delimiter)) for line in sample]
        body = split[1:] if len(split) > 1 and not _all_numeric(split[0]) else split
        if body and len({len(c) for c in body}) == 1 and all(_all_numeric(c) for c in body):
            return delimiter, decimal_comma
    for delimiter, decimal_comma in _CANDIDATES:
        if delimiter == " " or any(delimiter in line for line in sample):
            return delimiter, decimal_comma
    return " ", True


def looks_like_matrix(text: str) -> bool:
    """Whether a text starts like a matrix of numbers (for sniffing; damaged cells are allowed)."""
    lines = [line for line in text.split("\n")[:21] if line.strip()]
    if not lines:
        return False
    delimiter, _ = detect_delimiter(lines)
    split = [_drop_trailing_empty(split_matrix_line(line, delimiter)) for line in lines]
    body = split[1:] if len(split) > 1 and not _all_numeric(split[0]) else split
    cells = [c for row in body for c in row]
    numeric = sum(1 for c in cells if _NUMERIC_CELL.match(c))
    return bool(cells) and numeric >= 0.8 * len(cells)


def _all_numeric(cells: list[str]) -> bool:
    return bool(cells) and all(_NUMERIC_CELL.match(c) for c in cells)


def _drop_trailing_empty(cells: list[str]) -> list[str]:
    while cells and cells[-1] == "":
        cells = cells[:-1]
    return cells


def parse_text_matrix(text: str, path: Path, warnings: list[str]) -> FloatArray:
    """Parse a text matrix into a float array.

    Parameters
    ----------
    text : str
        The decoded file, Unix line ends.
    path : Path
        The file, for messages.
    warnings : list of str
        Warnings are appended here.

    Raises
    ------
    FootprintError
        For no numbers, ragged or truncated rows, non-numeric cells or an absurd size.
    """
    numbered = [(i + 1, line) for i, line in enumerate(text.split("\n")) if line.strip()]
    if not numbered:
        raise FootprintError(f"{path} is empty; export the pressure matrix again")
    if len(numbered) > MAX_SIDE + 1:
        check_shape(len(numbered), 2, path)
    delimiter, decimal_comma = detect_delimiter([line for _, line in numbered])
    rows = [(n, split_matrix_line(line, delimiter)) for n, line in numbered]
    # a trailing delimiter at the end of every line (as many spreadsheets write) is not a column
    while rows and all(cells and cells[-1] == "" for _, cells in rows):
        rows = [(n, cells[:-1]) for n, cells in rows]
    if len(rows) > 1 and not _all_numeric(rows[0][1]) and _all_numeric(rows[1][1]):
        first = ", ".join(rows[0][1][:3])
        warnings.append(f"the first line ({first}, ...) holds names, not numbers; it was skipped")
        rows = rows[1:]
    check_shape(len(rows), max(len(cells) for _, cells in rows), path)
    return cells_to_array(rows, path, decimal_comma=decimal_comma, what="pressure matrix")


def read_csv_matrix(text: str, path: Path, *, mm_per_px: float | None) -> PressureFrame:
    """Read a generic text matrix export as a static pressure picture.

    Parameters
    ----------
    text : str
        The decoded file.
    path : Path
        The file, for messages.
    mm_per_px : float, optional
        Sensor pitch in mm (square sensors).

    Returns
    -------
    PressureFrame
        Format ``csv``, unit ``unknown``, frame ``static``.
    """
    warnings: list[str] = []
    values = parse_text_matrix(text, path, warnings)
    return finish(
        values,
        path,
        fmt="csv",
        unit="unknown",
        frame="static",
        row_pitch_mm=None,
        col_pitch_mm=None,
        pitch_from="flag",
        mm_per_px=mm_per_px,
        warnings=warnings,
    )


def read_npy(data: bytes, path: Path, *, mm_per_px: float | None) -> PressureFrame:
    """Read a 2-D NumPy ``.npy`` array as a static pressure picture.

    The header is checked before any data is loaded: object arrays (pickles) are refused, as are
    arrays that are not 2-D or absurdly large.

    Parameters
    ----------
    data : bytes
        The file's bytes.
    path : Path
        The file, for messages.
    mm_per_px : float, optional
        Sensor pitch in mm (square sensors).

    Raises
    ------
    FootprintError
        For a damaged header, an object/pickled array, a non-numeric dtype, a shape that is not 2-D,
        an absurd size or truncated data.
    """
    stream = io.BytesIO(data)
    try:
        version = np.lib.format.read_magic(stream)  # type: ignore[no-untyped-call]
        if version == (1, 0):
            shape, _fortran, dtype = np.lib.format.read_array_header_1_0(stream)  # type: ignore[no-untyped-call]
        else:
            shape, _fortran, dtype = np.lib.format.read_array_header_2_0(stream)  # type: ignore[no-untyped-call]
    except (ValueError, OSError, SyntaxError) as exc:
        raise FootprintError(
            f"{path}: not a readable .npy file ({exc}); save it again with numpy.save"
        ) from None
    if dtype.hasobject:
        raise FootprintError(
            f"{path} holds Python objects (a pickle), which footchain never loads because a pickle can "
            "run code. Save a plain numeric array: numpy.save(path, numpy.asarray(values, dtype=float))"
        )
    if len(shape) != 2:
        raise FootprintError(
            f"{path}: the array has shape {shape}; footchain needs one 2-D picture (rows × columns). "
            "For a recording, save its peak picture, e.g. numpy.save(path, frames.max(axis=0))"
        )
    check_shape(int(shape[0]), int(shape[1]), path)
    if not (np.issubdtype(dtype, np.number) or np.issubdtype(dtype, np.bool_)) or np.issubdtype(
        dtype, np.complexfloating
    ):
        raise FootprintError(f"{path}: the array holds {dtype} values; footchain needs real numbers")
    try:
        array = np.load(io.BytesIO(data), allow_pickle=False)
    except (ValueError, OSError, EOFError) as exc:
        raise FootprintError(
            f"{path} looks truncated or damaged ({exc}); copy or save the array again"
        ) from None
    values = np.asarray(array, dtype=np.float64)
    return finish(
        values,
        path,
        fmt="npy",
        unit="unknown",
        frame="static",
        row_pitch_mm=None,
        col_pitch_mm=None,
        pitch_from="flag",
        mm_per_px=mm_per_px,
        warnings=[],
    )


def read_text_or_binary_matrix(data: bytes, path: Path, *, mm_per_px: float | None) -> PressureFrame:
    """Read a generic matrix from bytes: ``.npy`` when it has the NumPy magic, else text."""
    if data.startswith(b"\x93NUMPY"):
        return read_npy(data, path, mm_per_px=mm_per_px)
    if looks_binary(data):
        raise FootprintError(f"{path} is a binary file, not a text matrix of numbers")
    return read_csv_matrix(to_text(data), path, mm_per_px=mm_per_px)
