"""Vectorised reductions over many disjoint windows ``[lo, hi)`` of one signal (one per stance)."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from footchain.measure.gait.recording import FloatArray

IntArray = NDArray[np.int64]


def window_rows(lo: IntArray, hi: IntArray) -> tuple[IntArray, IntArray]:
    """Sample indices inside the windows and, for each, the number of its window."""
    lengths = hi - lo
    window = np.repeat(np.arange(lo.shape[0]), lengths)
    starts = np.cumsum(lengths) - lengths
    rows = np.arange(int(lengths.sum()), dtype=np.int64) - np.repeat(starts - lo, lengths)
    return rows, window


def window_max(values: FloatArray, lo: IntArray, hi: IntArray) -> FloatArray:
    """NaN-ignoring maximum of each window (windows must be non-empty and disjoint, in order)."""
    padded = np.concatenate((values, [np.nan]))
    edges = np.column_stack((lo, hi)).ravel()
    return np.asarray(np.fmax.reduceat(padded, edges)[::2], dtype=np.float64)


def window_min(values: FloatArray, lo: IntArray, hi: IntArray) -> FloatArray:
    """NaN-ignoring minimum of each window (windows must be non-empty and disjoint, in order)."""
    padded = np.concatenate((values, [np.nan]))
    edges = np.column_stack((lo, hi)).ravel()
    return np.asarray(np.fmin.reduceat(padded, edges)[::2], dtype=np.float64)


def first_at_least(values: FloatArray, lo: IntArray, hi: IntArray, level: FloatArray) -> IntArray:
    """Index of the first sample of each window that reaches that window's ``level``; ``hi`` if none."""
    rows, window = window_rows(lo, hi)
    hit = values[rows] >= level[window]
    first = hi.copy()
    hit_rows = rows[hit]
    hit_windows = window[hit]
    # the first hit of each window: hits are in row order, so keep each window's first occurrence
    unique_windows, first_position = np.unique(hit_windows, return_index=True)
    first[unique_windows] = hit_rows[first_position]
    return first
