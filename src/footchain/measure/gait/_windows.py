"""Vectorised reductions over many disjoint windows ``[lo, hi)`` of one signal (one per stance)."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from footchain.measure.gait.recording import FloatArray

IntArray = NDArray[np.int64]

_PAST_EVERY_ROW = np.iinfo(np.int64).max


class WindowIndex:
    """The sample rows of a set of windows, computed once and shared by several reductions over them."""

    __slots__ = ("all_nonempty", "lengths", "nonempty", "rows", "starts")

    def __init__(self, lo: IntArray, hi: IntArray) -> None:
        self.lengths = hi - lo
        offsets = self.lengths.cumsum() - self.lengths  # where each window's rows begin in ``rows``
        self.rows = np.arange(int(self.lengths.sum()), dtype=np.int64) - (offsets - lo).repeat(self.lengths)
        self.nonempty = self.lengths > 0
        self.all_nonempty = bool(self.nonempty.all())
        self.starts = offsets if self.all_nonempty else offsets[self.nonempty]  # for reduceat

    def spread(self, per_window: FloatArray) -> FloatArray:
        """One value per window repeated over that window's rows (aligned with ``rows``)."""
        return per_window.repeat(self.lengths)


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
    if index.starts.size == 0:
        return hi.copy()
    rows = index.rows
    # rows that reach the level keep their index, the others an index past every window; the
    # smallest per window is its first hit (or that sentinel: none)
    candidate = np.where(values.take(rows) >= index.spread(level), rows, _PAST_EVERY_ROW)
    smallest = np.minimum.reduceat(candidate, index.starts)
    if index.all_nonempty:
        return np.where(smallest != _PAST_EVERY_ROW, smallest, hi)
    first = hi.copy()
    hit = smallest != _PAST_EVERY_ROW
    first[index.nonempty.nonzero()[0][hit]] = smallest[hit]
    return first
