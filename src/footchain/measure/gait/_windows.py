"""Vectorised reductions over many disjoint windows ``[lo, hi)`` of one signal (one per stance)."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from footchain.measure.gait.recording import FloatArray

IntArray = NDArray[np.int64]


class WindowIndex:
    """The sample rows of a set of windows, computed once and shared by several reductions over them."""

    __slots__ = ("hi", "lo", "nonempty", "rows", "starts", "window")

    def __init__(self, lo: IntArray, hi: IntArray) -> None:
        self.lo, self.hi = lo, hi
        lengths = hi - lo
        offsets = lengths.cumsum() - lengths  # where each window's rows begin in ``rows``
        self.window = np.arange(lo.shape[0]).repeat(lengths)
        self.rows = np.arange(int(lengths.sum()), dtype=np.int64) - (offsets - lo).repeat(lengths)
        self.nonempty = lengths > 0
        self.starts = offsets[self.nonempty]  # the non-empty ones only (for reduceat)


def _reduce_windows(ufunc: np.ufunc, values: FloatArray, lo: IntArray, hi: IntArray) -> FloatArray:
    """``ufunc`` reduced over each window, by one ``reduceat`` over the interleaved window edges.

    Only the even results (window starts) are kept; a last window that runs to the end of the
    signal needs no end edge, since ``reduceat`` reduces its last slice to the end.
    """
    edges = np.empty(2 * lo.shape[0], dtype=np.int64)
    edges[0::2] = lo
    edges[1::2] = hi
    if edges.size and edges[-1] >= values.shape[0]:
        edges = edges[:-1]
    return np.asarray(ufunc.reduceat(values, edges)[::2], dtype=np.float64)


def window_max(values: FloatArray, lo: IntArray, hi: IntArray) -> FloatArray:
    """NaN-ignoring maximum of each window (windows must be non-empty and disjoint, in order)."""
    return _reduce_windows(np.fmax, values, lo, hi)


def window_min(values: FloatArray, lo: IntArray, hi: IntArray) -> FloatArray:
    """NaN-ignoring minimum of each window (windows must be non-empty and disjoint, in order)."""
    return _reduce_windows(np.fmin, values, lo, hi)


def first_at_least(
    values: FloatArray, lo: IntArray, hi: IntArray, level: FloatArray, *, index: WindowIndex | None = None
) -> IntArray:
    """Index of the first sample of each window that reaches that window's ``level``; ``hi`` if none.

    ``index`` (the same ``lo``, ``hi``) saves recomputing the windows' rows when several signals or
    levels are reduced over the same windows.
    """
    if index is None:
        index = WindowIndex(lo, hi)
    first = hi.copy()
    if index.starts.size == 0:
        return first
    rows = index.rows
    # rows that reach the level keep their index, the others an index past every window; the
    # smallest per window is its first hit (or that sentinel: none)
    sentinel = np.iinfo(np.int64).max
    candidate = np.where(values[rows] >= level[index.window], rows, sentinel)
    smallest = np.minimum.reduceat(candidate, index.starts)
    hit = smallest != sentinel
    windows_with_rows = index.nonempty.nonzero()[0]
    first[windows_with_rows[hit]] = smallest[hit]
    return first
