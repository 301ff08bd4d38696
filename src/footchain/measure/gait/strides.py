"""Strides, their temporal parameters, variability and left-right symmetry.

A stride runs from one heel strike to the next heel strike of the same foot; stance is heel strike
to toe off, swing the rest. Strides that span a gap, miss their toe off, come from standing or
pausing, or lie far from the foot's median stride time (turns, missed steps) are kept in the list
but excluded from the summary, each with its reason.

Hausdorff JM, et al. (1999) Maturation of gait dynamics: stride-to-stride variability and its
temporal organization in children. J Appl Physiol 86(3):1040-1047 (stride-time CV; healthy adults
≈ 1.3%, use ≥ 20 strides and leave out turns).
Robinson RO, Herzog W, Nigg BM (1987) Use of force platform variables to quantify the effects of
chiropractic manipulation on gait symmetry. J Manipulative Physiol Ther 10(4):172-176 (symmetry index).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
from numpy.typing import NDArray

from footchain.knowledge import load_knowledge
from footchain.measure.gait._columnar import Columnar
from footchain.measure.gait._stats import mean, median, sample_sd
from footchain.measure.gait.contacts import Contact, contact_columns
from footchain.measure.gait.recording import FloatArray

MIN_STRIDES_FOR_VARIABILITY = load_knowledge().thresholds.gait.strides_at_least
"""Fewer included strides than this earn a warning (Hausdorff 1999: use ≥ 20 strides)."""
MAX_STANCE_S = 2.0
"""A longer stance is standing, not walking."""
MAX_STRIDE_S = 3.0
"""A longer stride is a pause, not walking."""
OUTLIER_MADS = 3.0
"""Strides further than this many robust SDs (1.4826 × MAD) from the median are outliers."""
OUTLIER_MIN_SHARE = 0.1
"""... but the band is never narrower than ± this share of the median stride time."""
TURN_NEIGHBOUR_MADS = 2.0
"""Strides next to a long outlier and slower than the median + this many robust SDs belong to the turn."""


class Stride(NamedTuple):
    """One stride of one foot.

    Attributes
    ----------
    start_s, end_s : float
        Heel strike and next heel strike (s).
    stance_time_s, swing_time_s : float or None
        None when the toe off was not seen.
    excluded : bool
        Left out of the summary.
    why_excluded : str or None
        The reason, in words.
    """

    start_s: float
    end_s: float
    stance_time_s: float | None
    swing_time_s: float | None
    excluded: bool = False
    why_excluded: str | None = None

    @property
    def stride_time_s(self) -> float:
        """Heel strike to next heel strike (s)."""
        return self.end_s - self.start_s


@dataclass(frozen=True)
class StrideColumns:
    """A foot's strides as arrays of equal length (the fields of :class:`Stride`; NaN for None)."""

    start_s: FloatArray
    end_s: FloatArray
    stance_time_s: FloatArray
    swing_time_s: FloatArray
    excluded: NDArray[np.bool_]
    why_excluded: list[str | None]


class Strides(Columnar[Stride, StrideColumns]):
    """A foot's strides, kept as :class:`StrideColumns`; indexing and iterating give :class:`Stride`."""

    __slots__ = ()

    def __len__(self) -> int:
        return int(self.columns.start_s.shape[0])

    def _make_records(self) -> list[Stride]:
        c = self.columns
        return [
            Stride(
                start, end, None if stance != stance else stance, None if swing != swing else swing, out, why
            )
            for start, end, stance, swing, out, why in zip(
                c.start_s.tolist(),
                c.end_s.tolist(),
                c.stance_time_s.tolist(),
                c.swing_time_s.tolist(),
                c.excluded.tolist(),
                c.why_excluded,
                strict=True,
            )
        ]


def stride_columns(strides: Sequence[Stride]) -> StrideColumns:
    """The columns of a foot's strides: those :class:`Strides` keeps, or built from the tuples."""
    if isinstance(strides, Strides):
        return strides.columns
    n = len(strides)
    nan = float("nan")
    return StrideColumns(
        start_s=np.fromiter((s.start_s for s in strides), dtype=np.float64, count=n),
        end_s=np.fromiter((s.end_s for s in strides), dtype=np.float64, count=n),
        stance_time_s=np.fromiter(
            (nan if s.stance_time_s is None else s.stance_time_s for s in strides), dtype=np.float64, count=n
        ),
        swing_time_s=np.fromiter(
            (nan if s.swing_time_s is None else s.swing_time_s for s in strides), dtype=np.float64, count=n
        ),
        excluded=np.fromiter((s.excluded for s in strides), dtype=bool, count=n),
        why_excluded=[s.why_excluded for s in strides],
    )


def strides_from_contacts(
    contacts: Sequence[Contact],
    *,
    max_stance_s: float = MAX_STANCE_S,
    max_stride_s: float = MAX_STRIDE_S,
    outlier_mads: float = OUTLIER_MADS,
    outlier_min_share: float = OUTLIER_MIN_SHARE,
    turn_neighbour_mads: float = TURN_NEIGHBOUR_MADS,
) -> Strides:
    """Strides between consecutive heel strikes of one foot, with exclusions and their reasons.

    Parameters
    ----------
    contacts : sequence of Contact
        One foot's contacts in time order (:func:`footchain.measure.gait.events.detect_contacts`).
    max_stance_s, max_stride_s : float
        Longer stance or stride is standing or a pause.
    outlier_mads, outlier_min_share : float
        The accepted band of stride times is the median ± max(``outlier_mads`` × 1.4826 × MAD,
        ``outlier_min_share`` × median), computed over the strides not already excluded; strides
        outside it (turns, hesitations, missed steps) are excluded.
    turn_neighbour_mads : float
        A turn slows several strides: strides next to a long outlier (or to another such stride)
        that are slower than the median + ``turn_neighbour_mads`` robust SDs are excluded with it.

    Returns
    -------
    Strides
        A sequence of :class:`Stride` in time order (kept as columns).
    """
    c = contact_columns(contacts)
    # a stride runs from a contact's heel strike to the next contact's, when both were seen
    this = (c.heel_strike_seen[:-1] & c.heel_strike_seen[1:]).nonzero()[0]
    following = this + 1
    starts, ends, this_end = c.start_s[this], c.start_s[following], c.end_s[this]
    has_stance = c.toe_off_seen[this] & (this_end <= ends)
    stances = np.where(has_stance, this_end - starts, np.nan)
    swings = np.where(has_stance, ends - this_end, np.nan)
    gap = c.segment[this] != c.segment[following]
    standing = ~gap & has_stance & (stances > max_stance_s)
    pause = ~gap & has_stance & ~standing & (ends - starts > max_stride_s)
    reasons: list[str | None] = [None] * this.shape[0]
    for i in gap.nonzero()[0].tolist():
        reasons[i] = f"spans a gap in the data between {this_end[i]:.2f} s and {ends[i]:.2f} s"
    for i in (~gap & ~has_stance).nonzero()[0].tolist():
        reasons[i] = "toe off not detected"
    for i in standing.nonzero()[0].tolist():
        reasons[i] = f"standing: stance of {stances[i]:.2f} s"
    for i in pause.nonzero()[0].tolist():
        reasons[i] = f"pause: stride of {ends[i] - starts[i]:.2f} s"

    # the outlier band and the turn's neighbours, on arrays (the same stride times as Stride.stride_time_s)
    times = ends - starts
    excluded = gap | ~has_stance | standing | pause
    kept = times[~excluded]
    if kept.size >= 3:
        median_s = median(kept)
        robust_sd = 1.4826 * median(np.abs(kept - median_s))
        half_band = max(outlier_mads * robust_sd, outlier_min_share * median_s)
        low, high = median_s - half_band, median_s + half_band
        outlier = ~excluded & ~((times >= low) & (times <= high))
        for i in outlier.nonzero()[0].tolist():
            t = float(times[i])
            kind = "turn, pause or hesitation" if t > high else "missed or split step"
            reasons[i] = (
                f"stride time {t:.2f} s outside {low:.2f}–{high:.2f} s around the median "
                f"{median_s:.2f} s ({kind})"
            )
        excluded |= outlier
        slow = median_s + turn_neighbour_mads * robust_sd
        # strides slower than ``slow`` join a neighbouring turn, pause or standing, and chains of
        # them do too: grow the set of such exclusions until it stops changing (the same fixed
        # point as going through the strides one by one until nothing changes)
        slow_excluded = standing | pause | (outlier & (times > high))
        candidate = ~excluded & (times > slow)
        while True:
            beside = np.zeros_like(slow_excluded)
            beside[1:] |= slow_excluded[:-1]
            beside[:-1] |= slow_excluded[1:]
            joining = candidate & beside
            if not joining.any():
                break
            for i in joining.nonzero()[0].tolist():
                reasons[i] = (
                    f"stride time {float(times[i]):.2f} s, slower than usual (> {slow:.2f} s) "
                    "next to a turn or pause (part of the turn)"
                )
            slow_excluded |= joining
            excluded |= joining
            candidate &= ~joining
    return Strides(
        StrideColumns(
            start_s=starts,
            end_s=ends,
            stance_time_s=stances,
            swing_time_s=swings,
            excluded=excluded,
            why_excluded=reasons,
        )
    )


def _mean_sd_cv(values: FloatArray) -> dict[str, float | None]:
    if values.size == 0:
        return {"mean": None, "sd": None, "cv_percent": None}
    average = mean(values)
    sd = sample_sd(values) if values.size > 1 else None
    cv = 100.0 * sd / average if sd is not None and average > 0 else None
    return {"mean": average, "sd": sd, "cv_percent": cv}


def summarize_strides(strides: Sequence[Stride]) -> dict[str, object]:
    """Summary of one foot's included strides.

    Stride time mean, SD and coefficient of variation (CV = SD / mean × 100, Hausdorff 1999);
    stance and swing time; stance % (mean of stance / stride × 100); cadence in steps per minute
    (two steps per stride: 120 / mean stride time).
    """
    c = stride_columns(strides)
    kept = ~c.excluded & ~np.isnan(c.stance_time_s)
    stride_times = c.end_s[kept] - c.start_s[kept]
    stance = c.stance_time_s[kept]
    swing = c.swing_time_s[kept]
    n_kept = int(np.count_nonzero(kept))
    stance_percent = mean(100.0 * stance / stride_times) if n_kept else None
    mean_stride = mean(stride_times) if n_kept else None
    return {
        "strides": n_kept,
        "excluded_strides": int(np.count_nonzero(c.excluded)),
        "stride_time_s": _mean_sd_cv(stride_times),
        "stance_time_s": _mean_sd_cv(stance),
        "swing_time_s": _mean_sd_cv(swing),
        "stance_percent": stance_percent,
        "swing_percent": None if stance_percent is None else 100.0 - stance_percent,
        "cadence_steps_per_min": None if not mean_stride else 120.0 / mean_stride,
    }


def symmetry_index(left: float | None, right: float | None) -> float | None:
    """Symmetry index SI = (R − L) / (0.5 (R + L)) × 100 (%); 0 is perfect symmetry.

    Robinson RO, Herzog W, Nigg BM (1987). J Manipulative Physiol Ther 10(4):172-176.
    |SI| < 10% is the usual convention for "symmetric". None when either side is missing.
    """
    if left is None or right is None or (left + right) == 0:
        return None
    return (right - left) / (0.5 * (right + left)) * 100.0


def _intersections(a: FloatArray, b: FloatArray) -> FloatArray:
    """Intersections of two sorted lists of disjoint intervals (rows: start, end)."""
    if a.size == 0 or b.size == 0:
        return np.zeros((0, 2))
    # for each interval of a, the intervals of b that overlap it form a contiguous run
    first = np.searchsorted(b[:, 1], a[:, 0], side="right")
    stop = np.searchsorted(b[:, 0], a[:, 1], side="left")
    counts = np.maximum(stop - first, 0)
    ai = np.repeat(np.arange(a.shape[0]), counts)
    bi = np.arange(int(counts.sum())) - np.repeat(counts.cumsum() - counts - first, counts)
    starts = np.maximum(a[ai, 0], b[bi, 0])
    ends = np.minimum(a[ai, 1], b[bi, 1])
    keep = ends > starts
    return np.column_stack((starts[keep], ends[keep]))


def double_support_percent(
    own_strides: Sequence[Stride],
    own_contacts: Sequence[Contact],
    other_contacts: Sequence[Contact],
) -> float | None:
    """Mean share (%) of each included stride with both feet on the ground (both double-support phases).

    Normal walking ≈ 2 × 10–12% of the cycle.
    """
    strides = stride_columns(own_strides)
    kept = ~strides.excluded & (strides.end_s - strides.start_s > 0)
    if not kept.any() or not len(other_contacts):
        return None
    own, other = contact_columns(own_contacts), contact_columns(other_contacts)
    both = _intersections(
        np.column_stack((own.start_s, own.end_s)), np.column_stack((other.start_s, other.end_s))
    )
    starts, ends = strides.start_s[kept], strides.end_s[kept]
    # time covered by the (sorted, disjoint) double-support intervals up to t: the whole length of
    # every interval that starts before t, less the part of the last one that lies after t
    lengths = both[:, 1] - both[:, 0]
    before = np.concatenate(([0.0], lengths.cumsum()))

    def covered_until(t: FloatArray) -> FloatArray:
        if lengths.size == 0:
            return np.zeros_like(t)
        k = np.searchsorted(both[:, 0], t, side="left")
        last = np.maximum(k - 1, 0)
        partial = np.where(k > 0, np.minimum(t - both[last, 0], lengths[last]) - lengths[last], 0.0)
        return np.asarray(before[k] + partial, dtype=np.float64)

    shares = 100.0 * (covered_until(ends) - covered_until(starts)) / (ends - starts)
    return mean(shares)
