"""Per-stride tables of a gait result, written to CSV or Parquet.

:func:`strides_table` flattens the ``feet.*.strides`` lists of a ``footchain gait`` result
(contracts/measurements.md, v1) into one row per stride per foot; :func:`write_strides` writes them.
:func:`write_rows` is the shared writer: the suffix chooses the format, and the file appears whole
or not at all (written to a temporary file beside the target, then moved over it with
:func:`os.replace`, which is atomic on POSIX and Windows).

>>> from footchain.measure.gait import analyze_gait, load_recording
>>> result = analyze_gait(load_recording("GaCo01_01.txt"))  # doctest: +SKIP
>>> write_strides(result, "GaCo01_01_strides.parquet")  # doctest: +SKIP
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.csv as pacsv  # type: ignore[import-untyped]
import pyarrow.parquet as pq  # type: ignore[import-untyped]

from footchain.errors import FootchainError

__all__ = ["STRIDE_COLUMNS", "TABLE_FORMATS", "strides_table", "write_rows", "write_strides"]

TABLE_FORMATS: dict[str, str] = {".csv": "csv", ".parquet": "parquet", ".pq": "parquet"}
"""File suffixes :func:`write_rows` understands, and the format each one means."""

STRIDE_COLUMNS: dict[str, Any] = {
    "side": pa.string(),
    "start_s": pa.float64(),
    "end_s": pa.float64(),
    "stride_time_s": pa.float64(),
    "stance_time_s": pa.float64(),
    "swing_time_s": pa.float64(),
    "excluded": pa.bool_(),
    "why_excluded": pa.string(),
}
"""Columns of :func:`strides_table`, in order, with their Arrow types (seconds from the recording's start)."""

_SIDES = ("left", "right")


def strides_table(result: Mapping[str, Any]) -> list[dict[str, Any]]:
    """One row per stride per foot of a ``footchain gait`` result: left foot first, each in time order.

    Every stride is kept, the excluded ones too (turns, standing, gaps), with ``excluded`` and
    ``why_excluded`` saying why it was left out of the summary, so the table can be filtered
    either way.

    Parameters
    ----------
    result : mapping
        From :func:`footchain.measure.gait.analyze_gait` (or its JSON, read back).

    Returns
    -------
    list of dict
        Keys as :data:`STRIDE_COLUMNS`: ``side``, ``start_s``, ``end_s``, ``stride_time_s``,
        ``stance_time_s``, ``swing_time_s``, ``excluded``, ``why_excluded``.

    Raises
    ------
    FootchainError
        When ``result`` is not shaped as the gait contract (no ``feet`` with strides).
    """
    feet = result.get("feet") if isinstance(result, Mapping) else None
    if not isinstance(feet, Mapping):
        raise FootchainError(
            "this is not a gait result: it has no 'feet' block (expected the output of analyze_gait "
            "or of 'footchain gait RECORDING --format json')"
        )
    rows: list[dict[str, Any]] = []
    for side in _SIDES:
        foot = feet.get(side)
        if foot is None:
            continue
        strides = foot.get("strides") if isinstance(foot, Mapping) else None
        if not isinstance(strides, Sequence):
            raise FootchainError(f"the gait result's {side} foot has no 'strides' list")
        for stride in strides:
            try:
                rows.append(
                    {
                        "side": side,
                        "start_s": _float_or_none(stride["start_s"]),
                        "end_s": _float_or_none(stride["end_s"]),
                        "stride_time_s": _float_or_none(stride["stride_time_s"]),
                        "stance_time_s": _float_or_none(stride.get("stance_time_s")),
                        "swing_time_s": _float_or_none(stride.get("swing_time_s")),
                        "excluded": bool(stride.get("excluded", False)),
                        "why_excluded": stride.get("why_excluded"),
                    }
                )
            except (KeyError, TypeError, ValueError) as error:
                raise FootchainError(
                    f"a stride of the {side} foot is not shaped as the gait contract ({error!r}): "
                    "each needs start_s, end_s and stride_time_s"
                ) from error
    return rows


def write_strides(result: Mapping[str, Any], path: str | Path) -> Path:
    """Write :func:`strides_table` of a gait result to CSV or Parquet, chosen by the file's suffix.

    Parameters
    ----------
    result : mapping
        From :func:`footchain.measure.gait.analyze_gait`.
    path : str or Path
        Ends in ``.csv``, ``.parquet`` or ``.pq``.

    Returns
    -------
    Path
        The file written.

    Raises
    ------
    FootchainError
        For an unknown suffix, a missing folder, or a result not shaped as the gait contract.
    """
    return write_rows(strides_table(result), STRIDE_COLUMNS, path)


def write_rows(rows: Sequence[Mapping[str, Any]], columns: Mapping[str, Any], path: str | Path) -> Path:
    """Write rows as a typed table to CSV or Parquet (by suffix), atomically.

    The table is written to a hidden temporary file in the target's folder, flushed to disk, then
    moved over ``path`` with :func:`os.replace`; a reader never sees half a file, and a failure
    leaves any earlier file untouched and no temporary file behind.

    Parameters
    ----------
    rows : sequence of mapping
        One mapping per row; a missing key is a null.
    columns : mapping of str to pyarrow.DataType
        Column names in order, with their types (so an all-null column still has its type).
    path : str or Path
        Ends in one of :data:`TABLE_FORMATS`.

    Returns
    -------
    Path
        The file written.

    Raises
    ------
    FootchainError
        For an unknown suffix or a folder that does not exist.
    """
    path = Path(path)
    kind = TABLE_FORMATS.get(path.suffix.lower())
    if kind is None:
        known = ", ".join(TABLE_FORMATS)
        raise FootchainError(f"{path}: cannot tell the table format from {path.suffix!r}; use one of {known}")
    if not path.parent.is_dir():
        raise FootchainError(f"{path}: the folder {path.parent} does not exist; create it first")
    schema = pa.schema([pa.field(name, kind_) for name, kind_ in columns.items()])
    table = pa.table(
        {name: pa.array([row.get(name) for row in rows], type=kind_) for name, kind_ in columns.items()},
        schema=schema,
    )
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
    try:
        with tmp.open("xb") as handle:  # exclusive create; permissions follow the umask
            if kind == "parquet":
                pq.write_table(table, handle)
            else:
                pacsv.write_csv(table, handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise
    return path


def _float_or_none(value: Any) -> float | None:
    return None if value is None else float(value)
