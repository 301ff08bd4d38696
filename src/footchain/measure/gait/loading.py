"""Loading under each foot during stance: force peaks and loading rate.

The vertical force of walking has two peaks: weight acceptance (first half of stance) and push-off
(second half), separated by a mid-stance valley. The loading rate is the slope of the rise to the
first peak, taken between 20% and 80% of that peak so that the threshold and the peak's rounding do
not bias it.

Perry J, Burnfield JM (2010). Gait Analysis: Normal and Pathological Function, 2nd ed., ch. 19
(vertical force pattern). Loading rate between 20% and 80% of the impact peak as in Milner CE,
Ferber R, Pollard CD, Hamill J, Davis IS (2006). Biomechanical factors associated with tibial
stress fracture in female runners. Med Sci Sports Exerc 38(2):323-328.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from footchain.measure.gait._stats import mean
from footchain.measure.gait._windows import WindowIndex, first_at_least, window_max, window_min
from footchain.measure.gait.contacts import Contact, contact_columns
from footchain.measure.gait.recording import FloatArray

_MIN_STANCE_SAMPLES = 10


def stance_loading(force: FloatArray, time_s: FloatArray, contact: Contact) -> dict[str, float] | None:
    """Peaks and loading rate of one complete stance, or None if it is too short or cut off.

    Returns
    -------
    dict
        ``peak`` (largest force), ``first_peak`` and ``second_peak`` (largest in the first and in
        the second half of stance), ``valley`` (smallest between them), ``loading_rate_per_s``
        (rise from 20% to 80% of the first peak divided by its duration), in the force's unit.
    """
    if not (contact.heel_strike_seen and contact.toe_off_seen):
        return None
    lo, hi = np.searchsorted(time_s, [contact.start_s, contact.end_s])
    values = force[lo:hi]
    times = time_s[lo:hi]
    if values.shape[0] < _MIN_STANCE_SAMPLES or not np.isfinite(values).all():
        return None
    half = values.shape[0] // 2
    first_at = int(np.argmax(values[:half]))
    second_at = half + int(np.argmax(values[half:]))
    first_peak = float(values[first_at])
    rise = values[: first_at + 1]
    low_at = int(np.argmax(rise >= 0.2 * first_peak))
    high_at = int(np.argmax(rise >= 0.8 * first_peak))
    duration = float(times[high_at] - times[low_at])
    rate = 0.6 * first_peak / duration if duration > 0 else float("nan")
    return {
        "peak": float(values.max()),
        "first_peak": first_peak,
        "second_peak": float(values[second_at]),
        "valley": float(values[first_at : second_at + 1].min()),
        "loading_rate_per_s": rate,
    }


def loading_summary(
    force: FloatArray,
    time_s: FloatArray,
    contacts: Sequence[Contact],
    *,
    body_weight_n: float | None = None,
) -> dict[str, Any] | None:
    """Mean peaks and loading rate over the complete stances of one foot (as :func:`stance_loading`).

    With ``body_weight_n`` the same values are also given in body weights (BW, BW/s).
    """
    c = contact_columns(contacts)
    complete = c.complete
    if not complete.any():
        return None
    lo = np.searchsorted(time_s, c.start_s[complete]).astype(np.int64)
    hi = np.searchsorted(time_s, c.end_s[complete]).astype(np.int64)
    keep = hi - lo >= _MIN_STANCE_SAMPLES
    lo, hi = lo[keep], hi[keep]
    if lo.size == 0:
        return None
    mid = lo + (hi - lo) // 2
    first_peak = window_max(force, lo, mid)
    second_peak = window_max(force, mid, hi)
    first_half = WindowIndex(lo, mid)  # three searches over the same first halves
    first_at = first_at_least(force, lo, mid, first_peak, index=first_half)
    second_at = first_at_least(force, mid, hi, second_peak)
    valley = window_min(force, first_at, np.maximum(second_at + 1, first_at + 1))
    low_at = first_at_least(force, lo, mid, 0.2 * first_peak, index=first_half)
    high_at = first_at_least(force, lo, mid, 0.8 * first_peak, index=first_half)
    with np.errstate(invalid="ignore", divide="ignore"):
        duration = (
            time_s[np.minimum(high_at, force.shape[0] - 1)] - time_s[np.minimum(low_at, force.shape[0] - 1)]
        )
        rate = np.where(duration > 0, 0.6 * first_peak / duration, np.nan)
    means = {
        "peak": _nanmean(np.fmax(first_peak, second_peak)),
        "first_peak": _nanmean(first_peak),
        "second_peak": _nanmean(second_peak),
        "valley": _nanmean(valley),
        "loading_rate_per_s": _nanmean(rate) if np.isfinite(rate).any() else float("nan"),
    }
    out: dict[str, Any] = {"stances": int(lo.size), **{k: _round1(v) for k, v in means.items()}}
    if body_weight_n:
        out["body_weight"] = {k: _round3(v / body_weight_n) for k, v in means.items()}
    return out


def _nanmean(values: FloatArray) -> float:
    """Mean ignoring NaN, as :func:`numpy.nanmean` (the same value); the plain mean when nothing is missing."""
    if np.isnan(values).any():
        return float(np.nanmean(values))
    return mean(values)


def _round1(value: float) -> float | None:
    return round(value, 1) if np.isfinite(value) else None


def _round3(value: float) -> float | None:
    return round(value, 3) if np.isfinite(value) else None
