"""Heel strike and toe off under each foot from its vertical force.

A contact starts (heel strike) when the force rises above a heel-strike threshold and ends (toe off)
when it falls below a lower toe-off threshold: the gap between the two is a hysteresis that keeps
noise near one threshold from making extra events. Contacts shorter than a minimum contact time are
dropped and swings shorter than a minimum swing time are bridged. Missing samples (NaN) and jumps in
the time column split the signal into segments, and no contact crosses a segment boundary.

Insoles unload slowly at toe off: the sensors recover after the load has gone, so an absolute
10 N toe-off threshold ends an insole stance late and lengthens it (insoles overestimate stance time
by < 10% against force plates, PMC6453056). For insole formats (:data:`INSOLE_FORMATS`) the toe off
is therefore taken where the force falls below a share of the stance's own peak over the unloaded
level (:data:`INSOLE_TOE_OFF_SHARE_OF_PEAK`): the pressure sum normalised to its maximum, as the
threshold-crossing foot-contact algorithms compared by Blades et al. (2023) do. Force plates keep
the absolute threshold of Tirosh & Sparrow (2003); heel strike is unchanged for every format.

Tirosh O, Sparrow WA (2003). Identifying heel contact and toe-off using forceplate thresholds with a
range of digital-filter cutoff frequencies. J Appl Biomech 19(2):178-184 (thresholds between 0 and
50 N for heel contact, about 10 N for toe off).

Blades S, Marriott H, Hundza S, Honert EC, Stellingwerff T, Klimstra M (2023). Evaluation of
different pressure-based foot contact event detection algorithms across different slopes and speeds.
Sensors 23(5):2736, doi:10.3390/s23052736 (pressure sum normalised to its maximum, threshold
crossings for foot contact and foot off).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from footchain.knowledge import load_knowledge
from footchain.measure.gait._stats import median, percentile_linear
from footchain.measure.gait._windows import WindowIndex, window_max
from footchain.measure.gait.contacts import ContactColumns, Contacts
from footchain.measure.gait.errors import RecordingError
from footchain.measure.gait.recording import FloatArray

HEEL_STRIKE_THRESHOLD_N = load_knowledge().thresholds.gait.heel_contact_force_threshold_n
"""Default heel-strike threshold above the unloaded level (Tirosh & Sparrow 2003: 0–50 N)."""
TOE_OFF_THRESHOLD_N = load_knowledge().thresholds.gait.toe_off_force_threshold_n
"""Default toe-off threshold above the unloaded level (Tirosh & Sparrow 2003: ≈ 10 N)."""
RELATIVE_HEEL_STRIKE = 0.02
"""Heel-strike threshold as a share of the loaded level, for loads not in newtons (pressure sums)."""
RELATIVE_TOE_OFF = 0.01
"""Toe-off threshold as a share of the loaded level, for loads not in newtons."""
INSOLE_FORMATS = frozenset({"gaitpdb", "moticon", "pedar"})
"""Recording formats from instrumented insoles, whose toe off uses :data:`INSOLE_TOE_OFF_SHARE_OF_PEAK`."""
INSOLE_TOE_OFF_SHARE_OF_PEAK = load_knowledge().thresholds.gait.insole_toe_off_share_of_peak
"""Insole toe off: the force falls below this share of the stance's peak over the unloaded level.

A normalised pressure sum (Blades et al. 2023). The value 10% puts the Moticon toe offs within a
median 1 ms of the vendor software's own gait report and the stance of the gaitpdb controls at
60–63% of the stride (normal 60–62%, domain.md §4); see ``benchmarks/gait_moticon_accuracy.py``.
"""
MIN_CONTACT_S = 0.1
MIN_SWING_S = 0.1
MAX_FILLED_GAP_S = 0.05
"""Runs of missing samples up to this long are bridged by linear interpolation; longer ones split."""


@dataclass(frozen=True)
class Thresholds:
    """Thresholds applied to one foot's force, in the force's unit.

    Attributes
    ----------
    heel_strike, toe_off : float
        Absolute levels the force must rise above / fall below.
    baseline : float
        The unloaded level they were set above (insoles can carry a preload in swing).
    how : str
        How they were chosen, for the report.
    toe_off_share_of_peak : float, optional
        When set (insoles), each contact ends where the force falls below
        ``baseline + toe_off_share_of_peak × (stance peak − baseline)``, or below ``toe_off`` if
        that is higher: never later than the absolute rule. None keeps the absolute ``toe_off``.
    """

    heel_strike: float
    toe_off: float
    baseline: float
    how: str
    toe_off_share_of_peak: float | None = None


def unloaded_level(force: FloatArray) -> float:
    """The force under an unloaded foot (swing), as the median of clearly unloaded samples.

    Samples below 10% of the loaded level (the 95th percentile) are taken as unloaded. A zeroed
    force plate gives 0; an insole carries some preload from the shoe.
    """
    finite = force[np.isfinite(force)]
    if finite.size == 0:
        return 0.0
    loaded = percentile_linear(finite, 95.0)
    low = finite[finite < 0.1 * loaded] if loaded > 0 else finite
    return median(low) if low.size else float(np.min(finite))


def default_thresholds(
    force: FloatArray,
    in_newtons: bool,
    *,
    heel_strike_threshold_n: float = HEEL_STRIKE_THRESHOLD_N,
    toe_off_threshold_n: float = TOE_OFF_THRESHOLD_N,
    relative_heel_strike: float = RELATIVE_HEEL_STRIKE,
    relative_toe_off: float = RELATIVE_TOE_OFF,
    toe_off_share_of_peak: float | None = None,
) -> Thresholds:
    """Heel-strike and toe-off thresholds for one foot's force.

    In newtons: the given thresholds (default 20 N and 10 N, Tirosh & Sparrow 2003) above the
    unloaded level, which is 0 for a zeroed plate. For a load in another unit (a sum of pressures):
    the given shares of the loaded level above the unloaded level, the normalised pressure sum that
    domain practice uses for insoles.

    Parameters
    ----------
    force : ndarray, shape (n,)
        One foot's vertical force (NaN for missing samples).
    in_newtons : bool
        Whether ``force`` is in newtons (absolute thresholds) or another unit (shares).
    heel_strike_threshold_n, toe_off_threshold_n : float
        Absolute thresholds over the unloaded level (N).
    relative_heel_strike, relative_toe_off : float
        Shares of the loaded level over the unloaded level, for loads not in newtons.
    toe_off_share_of_peak : float, optional
        For insoles (:func:`insole_toe_off_share`): toe off where the force falls below this share
        of each stance's own peak over the unloaded level (Blades et al. 2023), applied by
        :func:`detect_contacts`. None (force plates) keeps the absolute toe-off threshold alone.

    Returns
    -------
    Thresholds
        With the rule in words in ``how``.

    Raises
    ------
    RecordingError
        If a toe-off threshold exceeds its heel-strike threshold, or the share of peak is not in (0, 1).
    """
    if toe_off_share_of_peak is not None and not 0.0 < toe_off_share_of_peak < 1.0:
        raise RecordingError(
            f"the toe-off share of the stance peak must lie between 0 and 1: got {toe_off_share_of_peak!r}"
        )
    if toe_off_threshold_n > heel_strike_threshold_n or relative_toe_off > relative_heel_strike:
        raise RecordingError(
            "the toe-off threshold must not exceed the heel-strike threshold (the gap between them is "
            f"the hysteresis): got {toe_off_threshold_n:g} N over {heel_strike_threshold_n:g} N, "
            f"or {relative_toe_off:g} over {relative_heel_strike:g}"
        )
    baseline = max(unloaded_level(force), 0.0)
    if in_newtons:
        return Thresholds(
            heel_strike=baseline + heel_strike_threshold_n,
            toe_off=baseline + toe_off_threshold_n,
            baseline=baseline,
            how=(
                f"heel strike above {heel_strike_threshold_n:g} N and toe off below "
                f"{toe_off_threshold_n:g} N over the unloaded level ({baseline:.0f} N)"
                + _share_words(toe_off_share_of_peak)
            ),
            toe_off_share_of_peak=toe_off_share_of_peak,
        )
    finite = force[np.isfinite(force)]
    loaded = percentile_linear(finite, 95.0) if finite.size else 0.0
    span = max(loaded - baseline, 0.0)
    return Thresholds(
        heel_strike=baseline + relative_heel_strike * span,
        toe_off=baseline + relative_toe_off * span,
        baseline=baseline,
        how=(
            f"heel strike above {relative_heel_strike:.0%} and toe off below {relative_toe_off:.0%} "
            "of the loaded level over the unloaded level (normalised load)"
            + _share_words(toe_off_share_of_peak)
        ),
        toe_off_share_of_peak=toe_off_share_of_peak,
    )


def _share_words(share: float | None) -> str:
    if share is None:
        return ""
    return (
        f", or (insole) below {share:.0%} of the stance's own peak over the unloaded level if that "
        "comes first (Blades et al. 2023)"
    )


def insole_toe_off_share(recording_format: str) -> float | None:
    """The toe-off share of the stance peak for a recording format: insoles only.

    Parameters
    ----------
    recording_format : str
        :attr:`Recording.format`, e.g. ``"moticon"`` or ``"c3d"``.

    Returns
    -------
    float or None
        :data:`INSOLE_TOE_OFF_SHARE_OF_PEAK` for :data:`INSOLE_FORMATS` (gaitpdb, moticon, pedar);
        None for force plates and other sources, which keep the absolute 10 N rule of Tirosh &
        Sparrow (2003).

    Examples
    --------
    >>> insole_toe_off_share("moticon"), insole_toe_off_share("c3d")
    (0.1, None)
    """
    return INSOLE_TOE_OFF_SHARE_OF_PEAK if recording_format in INSOLE_FORMATS else None


def segments(force: FloatArray, time_s: FloatArray, sampling_rate_hz: float) -> list[tuple[int, int]]:
    """Gap-free stretches as ``(start, stop)`` index pairs: split at NaN and at jumps in time.

    A jump of more than 2.5 sample periods in the time column (dropped samples) is a gap.
    """
    n = force.shape[0]
    after_jump = (np.diff(time_s) > 2.5 / sampling_rate_hz).nonzero()[0] + 1  # first sample after a jump
    finite = np.isfinite(force)
    if finite.all():
        runs: list[tuple[int, int]] = [(0, n)] if n else []
    else:
        edges = np.diff(np.concatenate(([0], finite.astype(np.int8), [0])))
        runs = list(zip((edges == 1).nonzero()[0].tolist(), (edges == -1).nonzero()[0].tolist(), strict=True))
    out: list[tuple[int, int]] = []
    for start, stop in runs:
        cuts = after_jump[(after_jump > start) & (after_jump < stop)].tolist()
        out += [(a, b) for a, b in itertools.pairwise([start, *cuts, stop]) if b > a]
    return out


def fill_short_gaps(force: FloatArray, time_s: FloatArray, max_gap_s: float = MAX_FILLED_GAP_S) -> FloatArray:
    """Linearly interpolate runs of missing samples no longer than ``max_gap_s`` between two samples.

    A sensor that drops a sample or two does not stop the foot: bridging such dropouts keeps the
    contact whole. Longer gaps, and gaps at either end, stay missing (and split the analysis).
    """
    missing = np.isnan(force)
    if not missing.any() or missing.all():
        return force
    edges = np.diff(np.concatenate(([0], missing.astype(np.int8), [0])))
    starts = (edges == 1).nonzero()[0]
    stops = (edges == -1).nonzero()[0]
    inner = (starts > 0) & (stops < force.shape[0])
    starts, stops = starts[inner], stops[inner]
    short = time_s[stops] - time_s[starts - 1] <= max_gap_s + 1e-9
    if not short.any():
        return force
    filled = force.copy()
    for a, b in zip(starts[short], stops[short], strict=True):
        filled[a:b] = np.interp(time_s[a:b], [time_s[a - 1], time_s[b]], [force[a - 1], force[b]])
    return filled


def _contact_edges(values: FloatArray, on: float, off: float) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Where the contact state rises and falls, with hysteresis: set above ``on``, cleared below ``off``.

    The state holds between the thresholds and is clear before the first sample outside them, so it
    changes only where a sample above ``on`` follows one below ``off`` (or starts the signal), and
    back. Returns ``(rises, falls)``: the first sample of each contact and the first sample after it
    (``len(values)`` for a contact still on at the end).
    """
    # +1 above on, -1 below off, 0 between (and NaN)
    side = (values > on).view(np.int8) - (values < off).view(np.int8)
    decisive = side.nonzero()[0]
    if decisive.size == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty
    sides = side[decisive]
    changes = (sides[1:] != sides[:-1]).nonzero()[0] + 1
    if sides[0] == 1:  # on from the first decisive sample
        changes = np.concatenate(([0], changes))
    at, to = decisive[changes], sides[changes]
    rises, falls = at[to == 1], at[to == -1]
    if sides[-1] == 1:  # still on at the end
        falls = np.concatenate((falls, [values.shape[0]]))
    return rises, falls


def _crossing_times(
    values: FloatArray, time_s: FloatArray, at: NDArray[np.int64], level: float | FloatArray
) -> FloatArray:
    """Times between samples ``at - 1`` and ``at`` where the force crosses ``level`` (linear).

    Where ``at`` is 0 or past the end there is no pair of samples; those entries are left at the
    sample time and the caller marks them as not seen.
    """
    i = np.clip(at, 1, values.shape[0] - 1) if values.shape[0] > 1 else np.zeros_like(at)
    if values.shape[0] < 2:
        return np.full(at.shape, float(time_s[0]) if time_s.size else 0.0)
    a, b = values[i - 1], values[i]
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.clip(np.where(b != a, (level - a) / (b - a), 1.0), 0.0, 1.0)
    return np.asarray(time_s[i - 1] + share * (time_s[i] - time_s[i - 1]), dtype=np.float64)


def detect_contacts(
    force: FloatArray,
    time_s: FloatArray,
    sampling_rate_hz: float,
    thresholds: Thresholds,
    *,
    min_contact_s: float = MIN_CONTACT_S,
    min_swing_s: float = MIN_SWING_S,
    max_filled_gap_s: float = MAX_FILLED_GAP_S,
) -> Contacts:
    """Foot contacts (heel strike to toe off) in one foot's vertical force.

    Parameters
    ----------
    force : ndarray, shape (n,)
        Vertical force under the foot; NaN marks missing samples.
    time_s : ndarray, shape (n,)
        Sample times.
    sampling_rate_hz : float
        Samples per second (for gap detection).
    thresholds : Thresholds
        From :func:`default_thresholds` or set by hand.
    min_contact_s, min_swing_s : float
        Shorter contacts are dropped as noise; shorter swings are bridged (one contact).
    max_filled_gap_s : float
        Runs of missing samples up to this long are interpolated (:func:`fill_short_gaps`).

    Returns
    -------
    Contacts
        A sequence of :class:`Contact` in time order (kept as columns). Contacts cut by the start or
        end of a segment say so.

    Notes
    -----
    Hysteresis thresholding after Tirosh & Sparrow (2003): heel strike when the force rises above
    the heel-strike threshold, toe off when it falls below the (lower) toe-off threshold. When
    ``thresholds.toe_off_share_of_peak`` is set (insoles), each seen toe off moves to where the force
    last falls below that share of the stance's own peak over the unloaded level (Blades et al.
    2023), if that is earlier: the slow sensor recovery after the foot has left the ground no longer
    counts as stance.
    """
    if force.shape != time_s.shape:
        raise ValueError(f"force has shape {force.shape} but time has {time_s.shape}")
    force = fill_short_gaps(force, time_s, max_filled_gap_s)
    found: list[tuple[FloatArray, FloatArray, NDArray[np.bool_], NDArray[np.bool_], int]] = []
    for seg_no, (start, stop) in enumerate(segments(force, time_s, sampling_rate_hz)):
        values = force[start:stop]
        times = time_s[start:stop]
        rises, falls = _contact_edges(values, thresholds.heel_strike, thresholds.toe_off)
        # bridge short swings (dips), then drop short contacts (blips)
        if rises.size > 1:
            swing = times[rises[1:]] - times[falls[:-1] - 1]
            bridged = (swing < min_swing_s).nonzero()[0]
            if bridged.size:
                rises = np.delete(rises, bridged + 1)
                falls = np.delete(falls, bridged)
        n = values.shape[0]
        hs_seen = rises > 0
        to_seen = falls < n
        begin = _crossing_times(values, times, rises, thresholds.heel_strike)
        end = _crossing_times(values, times, falls, thresholds.toe_off)
        if thresholds.toe_off_share_of_peak is not None:
            end = _insole_toe_offs(values, times, rises, falls, end, to_seen, thresholds)
        begin[~hs_seen] = times[0]
        end[~to_seen] = times[n - 1]
        keep = end - begin >= min_contact_s
        found.append((begin[keep], end[keep], hs_seen[keep], to_seen[keep], seg_no))
    if not found:
        empty = np.zeros(0)
        return Contacts(
            ContactColumns(empty, empty, empty.astype(bool), empty.astype(bool), empty.astype(np.int64))
        )
    return Contacts(
        ContactColumns(
            start_s=np.concatenate([f[0] for f in found]),
            end_s=np.concatenate([f[1] for f in found]),
            heel_strike_seen=np.concatenate([f[2] for f in found]),
            toe_off_seen=np.concatenate([f[3] for f in found]),
            segment=np.concatenate([np.full(f[0].shape[0], f[4], dtype=np.int64) for f in found]),
        )
    )


def _insole_toe_offs(
    values: FloatArray,
    times: FloatArray,
    rises: NDArray[np.int64],
    falls: NDArray[np.int64],
    end: FloatArray,
    seen: NDArray[np.bool_],
    thresholds: Thresholds,
) -> FloatArray:
    """Toe offs where each stance's force last falls below its share of the stance peak.

    For the contact from sample ``rises[k]`` to ``falls[k]`` (exclusive), the level is
    ``baseline + share × (peak − baseline)``, at least ``thresholds.toe_off``; the toe off is the
    linearly interpolated crossing after the last sample at or above that level. Unseen toe offs
    (cut by a segment edge) keep ``end``.
    """
    share = thresholds.toe_off_share_of_peak
    assert share is not None
    out = end.copy()
    stances = (seen & (falls > rises)).nonzero()[0]
    if stances.size == 0:
        return out
    lo, hi = rises[stances], falls[stances]
    index = WindowIndex(lo, hi)  # every window holds samples: falls > rises
    peak = window_max(values, lo, hi)
    level = np.maximum(thresholds.baseline + share * (peak - thresholds.baseline), thresholds.toe_off)
    last = np.maximum.reduceat(
        np.where(values.take(index.rows) >= index.spread(level), index.rows, -1), index.starts
    )
    usable = (last >= 0) & (last + 1 < values.shape[0])
    crossing = _crossing_times(values, times, last[usable] + 1, level[usable])
    out[stances[usable]] = np.minimum(crossing, end[stances[usable]])
    return out
