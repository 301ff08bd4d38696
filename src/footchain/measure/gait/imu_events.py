"""Heel strike and toe off from foot-mounted IMUs, and turns from the yaw rate.

Pipeline per foot, on each gap-free stretch of the packet-counter clock:

1. bridge dropped packets up to :data:`MAX_BRIDGED_GAP_S` by linear interpolation; longer gaps
   split the analysis;
2. low-pass the signals at :data:`LOWPASS_HZ` (zero-phase Butterworth) against sensors that wobble
   on their strap;
3. rotate the sensor so that gravity lies on +z (gaitmap ``align_dataset_to_gravity``, from the
   static periods), then turn it about z so the main rotation axis of walking is y (gaitmap
   ``PcaAlignment``); the sign is chosen so that mid-swing is a positive peak of ``gyr_ml``
   (the foot rotates forward in swing, Salarian et al. 2004), then convert to gaitmap's foot body
   frame (``convert_left_foot_to_fbf`` / ``convert_right_foot_to_fbf``);
4. find each swing as a mid-swing peak of ``gyr_ml``; toe off is the ``gyr_ml`` minimum before it
   (the fast plantar flexion at push-off) and heel strike the first ``gyr_ml`` minimum after it
   returns through zero (Salarian et al. 2004; Mariani et al. 2013), each moved by a fixed offset
   onto the IPOL reference's event definitions (:data:`HEEL_STRIKE_OFFSET_S`);
5. add the swings that leave no ``gyr_ml`` peak (turning steps pivot the foot about the vertical)
   as bursts of the angular-rate magnitude between the walk's swings (:func:`motion_swings`, after
   the angular-rate energy detector of Skog et al. 2010);
6. mark the spans where events may still be missing or less precise: turns, and long stretches of
   one foot without a swing (:func:`unreliable_spans`).

On the 16 IPOL trials, leave-subject-out, 98.0 % of the reference heel strikes and toe offs are
found within 150 ms, 99.9 % of those outside the unreliable spans (benchmarks/gait_events_accuracy.py).

gaitmap's own event detectors (Rampp, the Barth DTW stride segmentation, the sign alignment) live
in its AGPL-licensed ``gaitmap_mad`` add-on, which this MIT project does not install; its MIT
``HerzerEventDetection`` was tried (86% of events within 150 ms, median 20-30 ms, wider heel-strike
spread) and the simpler gyroscope features were kept.

Turns are found from the vertical component of the lower-back (or, without it, the foot) angular
rate after gravity alignment: a turn is a stretch where the low-passed yaw rate stays high and the
heading changes by more than :data:`MIN_TURN_DEG` (El-Gohary et al. 2014). Standing and pauses
are left to :func:`footchain.measure.gait.strides.strides_from_contacts` (long stance or stride).

References
----------
Salarian A, Russmann H, Vingerhoets FJG, et al. (2004). Gait assessment in Parkinson's disease:
toward an ambulatory system for long-term monitoring. IEEE Trans Biomed Eng 51(8):1434-1443.
Trojaniello D, Cereatti A, Pelosin E, et al. (2014). Estimation of step-by-step spatio-temporal
parameters of normal and impaired gait using shank-mounted magneto-inertial sensors. J NeuroEng
Rehabil 11:152.
Rampp A, Barth J, Schülein S, et al. (2014). Inertial sensor-based stride parameter calculation from
gait sequences in geriatric patients. IEEE Trans Biomed Eng 62(4):1089-1097.
Figueiredo J, Felix P, Costa L, et al. (2018). Gait event detection in controlled and real-life
situations: repeated measures from healthy subjects. IEEE Trans Neural Syst Rehabil Eng
26(10):1945-1956.
Küderle A, Ullrich M, Roth N, et al. (2024). Gaitmap - an open ecosystem for IMU-based human gait
analysis and algorithm benchmarking. IEEE Open J Eng Med Biol 5:163-172.
El-Gohary M, Pearson S, McNames J, et al. (2014). Continuous monitoring of turning in patients with
movement disability. Sensors 14(1):356-369.
Skog I, Händel P, Nilsson J-O, Rantakokko J (2010). Zero-velocity detection: an algorithm
evaluation. IEEE Trans Biomed Eng 57(11):2657-2666.
"""

from __future__ import annotations

import warnings as _warnings
from dataclasses import dataclass
from typing import cast

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy.signal import butter, find_peaks, sosfiltfilt

from footchain.measure.gait.contacts import Contact
from footchain.measure.gait.readers.imu_ipol import ImuRecording, ImuSensor
from footchain.measure.gait.recording import FloatArray, Side

IntArray = NDArray[np.int64]

LOWPASS_HZ = 12.0
"""Cut-off of the zero-phase low-pass applied before detection (removes strap wobble above 12 Hz)."""
MAX_BRIDGED_GAP_S = 0.15
"""Runs of dropped packets up to this long are interpolated; longer ones split the analysis."""
MIN_SEGMENT_S = 3.0
"""Gap-free stretches shorter than this are not analysed."""
MID_SWING_MIN_DEG_S = 100.0
"""A mid-swing peak of ``gyr_ml`` must exceed this (deg/s) and be this prominent."""
WEAK_SWING_MIN_DEG_S = 40.0
"""A weaker ``gyr_ml`` peak (deg/s, half as prominent) is a swing too when no normal swing is near."""
WEAK_SWING_MIN_SHARE = 0.6
"""... near meaning closer than this share of the median interval between normal swings."""
HEEL_STRIKE_OFFSET_S = -0.03
"""Added to each detected heel strike (s).

The ``gyr_ml`` minimum after swing comes a median 30 ms after the hand-checked initial contacts of
the IPOL reference (Voisard et al. 2023); this offset, fitted on those 16 trials, moves the feature
onto that definition. Leave-one-subject-out it gives the same numbers (benchmarks/
gait_events_accuracy.py). Set 0 for the raw published feature.
"""
TOE_OFF_OFFSET_S = 0.03
"""Added to each detected toe off (s): the push-off ``gyr_ml`` minimum precedes the IPOL reference
foot-off by a median 30 ms (fitted like :data:`HEEL_STRIKE_OFFSET_S`). Set 0 for the raw feature."""
MOTION_MIN_DEG_S = 60.0
"""Magnitude of the foot's angular rate above which :func:`motion_swings` calls the foot moving."""
MOTION_MIN_S = 0.2
"""A burst of motion shorter than this is not a swing (a shuffle, a tap)."""
MOTION_MAX_S = 1.2
"""A burst of motion longer than this is not one swing."""
LONG_GAP_FACTOR = 1.7
"""Toe offs of one foot further apart than this many median intervals mark an unreliable span."""
SIDE_SWAP_MIN_MPS2 = 1.0
"""Left-minus-right swing lateral acceleration above which :func:`side_check` warns."""
TURN_YAW_RATE_DEG_S = 25.0
"""Low-passed yaw rate above which the body is turning."""
MIN_TURN_DEG = 45.0
"""A stretch of high yaw rate counts as a turn when the heading changes by more than this."""
TURN_LOWPASS_HZ = 1.0
"""Cut-off of the low-pass applied to the yaw rate for turn detection."""

_SF_ACC = ["acc_x", "acc_y", "acc_z"]
_SF_GYR = ["gyr_x", "gyr_y", "gyr_z"]


@dataclass(frozen=True)
class Turn:
    """A change of walking direction.

    Attributes
    ----------
    start_s, end_s : float
        Where the low-passed yaw rate rises above and falls back below the threshold (s).
    angle_deg : float
        Heading change over the turn (deg, positive counter-clockwise seen from above).
    """

    start_s: float
    end_s: float
    angle_deg: float


@dataclass(frozen=True)
class ImuEvents:
    """Heel strikes and toe offs of both feet, and the turns of one trial.

    Attributes
    ----------
    contacts : dict of side to list of Contact
        Per foot, each contact from a heel strike to the following toe off.
    heel_strikes_s, toe_offs_s : dict of side to ndarray
        All detected heel strikes / toe offs per foot (s), turns included.
    turns : list of Turn
        Turns found from the yaw rate.
    notes : list of str
        What was assumed or could not be done.
    unreliable_spans : list of (start_s, end_s, reason)
        Where events may be missing or less precise (:func:`unreliable_spans`).
    """

    contacts: dict[Side, list[Contact]]
    heel_strikes_s: dict[Side, FloatArray]
    toe_offs_s: dict[Side, FloatArray]
    turns: list[Turn]
    notes: list[str]
    unreliable_spans: list[tuple[float, float, str]]


@dataclass(frozen=True)
class FootEvents:
    """Events of one foot.

    Attributes
    ----------
    contacts : list of Contact
        Heel strike to the next toe off, per gap-free stretch (``segment`` numbers them).
    heel_strikes_s, toe_offs_s : ndarray
        All detected events (s), turns included.
    swing_lateral_acc_mps2 : float or None
        Median over swings of the mean lateral acceleration (heading-aligned sensor frame, +y to the
        person's left), for the side check of :func:`side_check`; None without swings.
    notes : list of str
        Stretches that could not be analysed.
    """

    contacts: list[Contact]
    heel_strikes_s: FloatArray
    toe_offs_s: FloatArray
    swing_lateral_acc_mps2: float | None
    notes: list[str]


def _lowpass(values: FloatArray, sampling_rate_hz: float, cutoff_hz: float, order: int = 4) -> FloatArray:
    """Zero-phase Butterworth low-pass along axis 0."""
    nyquist = sampling_rate_hz / 2.0
    if cutoff_hz >= nyquist:
        return values
    sos = butter(order, cutoff_hz / nyquist, btype="low", output="sos")
    padlen = min(values.shape[0] - 1, 3 * (2 * len(sos) + 1))
    return np.asarray(sosfiltfilt(sos, values, axis=0, padlen=padlen), dtype=np.float64)


def gap_free_stretches(received: NDArray[np.bool_], sampling_rate_hz: float) -> list[tuple[int, int]]:
    """Index ranges ``[start, stop)`` of the clock between dropouts longer than the bridged maximum.

    Runs of missing samples up to :data:`MAX_BRIDGED_GAP_S` are inside a stretch (to be
    interpolated); longer runs separate stretches.
    """
    max_gap = round(MAX_BRIDGED_GAP_S * sampling_rate_hz)
    edges = np.diff(np.concatenate(([0], (~received).astype(np.int8), [0])))
    starts, stops = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    cuts = [(int(a), int(b)) for a, b in zip(starts, stops, strict=True) if b - a > max_gap]
    bounds: list[tuple[int, int]] = []
    lo = 0
    for a, b in [*cuts, (received.shape[0], received.shape[0])]:
        if a > lo:
            # trim missing samples at the stretch's ends
            inside = np.flatnonzero(received[lo:a]) + lo
            if inside.size:
                bounds.append((int(inside[0]), int(inside[-1]) + 1))
        lo = b
    return bounds


def _filled(values: FloatArray, received: NDArray[np.bool_]) -> FloatArray:
    """Linear interpolation of the missing rows of ``values`` (n, k) over the sample index."""
    if received.all():
        return values
    index = np.arange(values.shape[0])
    out = values.copy()
    for k in range(values.shape[1]):
        out[~received, k] = np.interp(index[~received], index[received], values[received, k])
    return out


def _sensor_frame(acc_mps2: FloatArray, gyr_rad_s: FloatArray, sampling_rate_hz: float) -> pd.DataFrame:
    """Gravity-aligned sensor data (gaitmap's sensor-frame columns; acc m/s², gyr deg/s)."""
    from gaitmap.preprocessing.sensor_alignment import align_dataset_to_gravity
    from gaitmap.utils.rotations import get_gravity_rotation, rotate_dataset

    frame = pd.DataFrame(np.column_stack((acc_mps2, np.rad2deg(gyr_rad_s))), columns=_SF_ACC + _SF_GYR)
    try:
        with _warnings.catch_warnings():
            _warnings.simplefilter("ignore")
            aligned = align_dataset_to_gravity(
                frame, sampling_rate_hz, window_length_s=0.5, static_signal_th=2.5
            )
    except ValueError:
        # no still moment: over whole strides the mean specific force is gravity
        rotation = get_gravity_rotation(np.nanmean(acc_mps2, axis=0))
        aligned = rotate_dataset(frame, rotation)
    return cast(pd.DataFrame, aligned)


def foot_body_frame(sensor_frame: pd.DataFrame, side: Side) -> pd.DataFrame:
    """Gravity-aligned foot data turned into gaitmap's foot body frame (pa, ml, si).

    The heading is set by PCA of the horizontal angular rate (the mediolateral axis carries most of
    the rotation in walking); of the two opposite headings, the one that makes mid-swing a positive
    ``gyr_ml`` peak is kept: in swing the foot rotates forward for longer than it plantar-flexes at
    push-off (Salarian et al. 2004), so the positive lobe of ``gyr_ml`` above 100 deg/s outweighs
    the negative one.
    """
    from gaitmap.preprocessing.sensor_alignment import PcaAlignment
    from gaitmap.utils.coordinate_conversion import convert_left_foot_to_fbf, convert_right_foot_to_fbf

    aligned = cast(
        pd.DataFrame,
        PcaAlignment(target_axis="y", pca_plane_axis=("gyr_x", "gyr_y")).align(sensor_frame).aligned_data_,
    )
    gyr_ml = -aligned["gyr_y"].to_numpy()  # gaitmap: gyr_ml = -gyr_y for both feet
    strong = np.abs(gyr_ml) > MID_SWING_MIN_DEG_S
    if gyr_ml[strong].sum() < 0:
        aligned = aligned.copy()
        for column in ("acc_x", "acc_y", "gyr_x", "gyr_y"):
            aligned[column] = -aligned[column]  # 180° about z
    convert = convert_left_foot_to_fbf if side == "left" else convert_right_foot_to_fbf
    return cast(pd.DataFrame, convert(aligned))


def swing_events(gyr_ml_deg_s: FloatArray, sampling_rate_hz: float) -> tuple[IntArray, IntArray, IntArray]:
    """Mid-swing, toe off and heel strike sample indices of each swing in ``gyr_ml`` (deg/s).

    Mid-swing is a peak of ``gyr_ml`` above :data:`MID_SWING_MIN_DEG_S` (with half that
    prominence) at least 0.5 s from the next; toe off is the ``gyr_ml`` minimum in the 0.4 s before
    it (the fast plantar flexion at push-off); heel strike is the first local minimum of ``gyr_ml``
    after it returns through zero, searched for 0.3 s (the foot hits the ground and stops rotating
    forward). Swings without a zero return or without a push-off minimum inside the data are
    dropped.

    Salarian A, et al. (2004). IEEE Trans Biomed Eng 51(8):1434-1443 (mid-swing peak, toe off and
    initial contact as the minima before and after it); Mariani B, Rouhani H, Crevoisier X, Aminian
    K (2013). Quantitative estimation of foot-flat and stance phase of gait using foot-worn inertial
    sensors. Gait Posture 37(2):229-234 (the same features on foot-worn sensors).
    """
    fs = sampling_rate_hz
    distance = max(1, round(0.5 * fs))
    peaks, _ = find_peaks(
        gyr_ml_deg_s, height=MID_SWING_MIN_DEG_S, prominence=MID_SWING_MIN_DEG_S / 2, distance=distance
    )
    if peaks.size > 2:
        # weaker swings (turn steps, the last step) where no normal swing is near
        weak, _ = find_peaks(
            gyr_ml_deg_s, height=WEAK_SWING_MIN_DEG_S, prominence=WEAK_SWING_MIN_DEG_S / 2, distance=distance
        )
        typical = float(np.median(np.diff(peaks)))
        gap = np.min(np.abs(weak[:, None] - peaks[None, :]), axis=1) if weak.size else np.array([])
        peaks = np.sort(np.concatenate((peaks, weak[gap >= WEAK_SWING_MIN_SHARE * typical])))
    look_back, look_ahead = round(0.4 * fs), round(0.3 * fs)
    n = gyr_ml_deg_s.shape[0]
    mids: list[int] = []
    offs: list[int] = []
    strikes: list[int] = []
    for peak in peaks:
        to = _push_off_minimum(gyr_ml_deg_s, int(peak), look_back)
        if to is None:
            continue
        negative = np.flatnonzero(gyr_ml_deg_s[peak:] < 0)
        if negative.size == 0:
            continue
        zero = peak + int(negative[0])
        hi = min(n, zero + look_ahead)
        window = gyr_ml_deg_s[zero:hi]
        rising = np.flatnonzero(np.diff(window) > 0)
        if rising.size == 0:
            continue
        mids.append(int(peak))
        offs.append(int(to))
        strikes.append(zero + int(rising[0]))
    return (
        np.asarray(mids, dtype=np.int64),
        np.asarray(offs, dtype=np.int64),
        np.asarray(strikes, dtype=np.int64),
    )


def motion_swings(
    rate_deg_s: FloatArray, offs: IntArray, strikes: IntArray, sampling_rate_hz: float
) -> tuple[IntArray, IntArray]:
    """Toe offs and heel strikes of the swings that :func:`swing_events` missed, from the rate of turn.

    Turning steps pivot the foot about the vertical axis and barely rotate it about the
    mediolateral axis, so their swing leaves no ``gyr_ml`` peak. A foot at rest has a near-zero
    angular rate whatever the direction, so a swing is a burst where the magnitude of the angular
    rate exceeds :data:`MOTION_MIN_DEG_S` for :data:`MOTION_MIN_S` to :data:`MOTION_MAX_S` (the
    angular-rate energy detector of Skog et al. 2010, thresholded without its noise model). Toe off
    is where the burst starts and heel strike where it ends. Only bursts between the foot's first
    and last detected swings that touch no detected swing are kept, so standing before and after the
    walk adds nothing and every ``gyr_ml`` swing keeps its events.

    Skog I, Händel P, Nilsson J-O, Rantakokko J (2010). Zero-velocity detection: an algorithm
    evaluation. IEEE Trans Biomed Eng 57(11):2657-2666.
    """
    empty = np.asarray([], dtype=np.int64)
    if offs.size < 2:
        return empty, empty
    fs = sampling_rate_hz
    moving = rate_deg_s > MOTION_MIN_DEG_S
    edges = np.diff(np.concatenate(([0], moving.astype(np.int8), [0])))
    margin = round(0.1 * fs)
    found_offs: list[int] = []
    found_strikes: list[int] = []
    for start, stop in zip(np.flatnonzero(edges == 1), np.flatnonzero(edges == -1), strict=True):
        if not (MOTION_MIN_S * fs <= stop - start <= MOTION_MAX_S * fs):
            continue
        if start <= offs[0] or stop >= strikes[-1]:
            continue
        if np.any((offs - margin < stop) & (strikes + margin > start)):
            continue
        found_offs.append(int(start))
        found_strikes.append(int(stop - 1))
    return np.asarray(found_offs, dtype=np.int64), np.asarray(found_strikes, dtype=np.int64)


def _push_off_minimum(gyr_ml_deg_s: FloatArray, peak: int, look_back: int) -> int | None:
    """The toe off of the swing whose peak is at ``peak``: the ``gyr_ml`` minimum before it.

    The minimum is searched in the ``look_back`` samples before the swing's positive lobe starts
    (the last sample at or below zero before the peak), so that a long swing (the first step from
    standing, whose peak comes late) keeps its push-off inside the window. None when ``gyr_ml`` is
    still falling at the window's start (no clear push-off) or the window leaves the data.
    """
    below = np.flatnonzero(gyr_ml_deg_s[:peak] <= 0)
    if below.size == 0:
        return None
    rise = int(below[-1]) + 1
    lo = rise - look_back
    if lo < 0:
        return None
    to = lo + int(np.argmin(gyr_ml_deg_s[lo:rise]))
    return None if to == lo else to


def detect_foot_events(
    sensor: ImuSensor,
    side: Side,
    time_s: FloatArray,
    sampling_rate_hz: float,
    *,
    heel_strike_offset_s: float = HEEL_STRIKE_OFFSET_S,
    toe_off_offset_s: float = TOE_OFF_OFFSET_S,
) -> FootEvents:
    """Heel strikes and toe offs of one foot from its IMU.

    Parameters
    ----------
    sensor : ImuSensor
        The foot's sensor on the trial clock (NaN where packets were dropped).
    side : {"left", "right"}
        The foot, as the file name says; it only selects gaitmap's left/right body-frame convention.
    time_s : ndarray
        The trial clock.
    sampling_rate_hz : float
        Samples per second.
    heel_strike_offset_s, toe_off_offset_s : float
        Added to the detected times (see :data:`HEEL_STRIKE_OFFSET_S`); 0 gives the raw features.

    Returns
    -------
    FootEvents

    Notes
    -----
    Features of :func:`swing_events` (Salarian et al. 2004; Mariani et al. 2013) on the foot's
    mediolateral angular rate in gaitmap's body frame.
    """
    fs = sampling_rate_hz
    contacts: list[Contact] = []
    strikes: list[float] = []
    offs: list[float] = []
    notes: list[str] = []
    lateral: list[float] = []
    for seg_no, (lo, hi) in enumerate(gap_free_stretches(sensor.received, fs)):
        if hi - lo < MIN_SEGMENT_S * fs:
            if hi - lo > fs:
                notes.append(
                    f"{side} foot: {(hi - lo) / fs:.1f} s between gaps at {time_s[lo]:.2f} s is too short"
                )
            continue
        received = sensor.received[lo:hi]
        acc = _lowpass(_filled(sensor.acc_mps2[lo:hi], received), fs, LOWPASS_HZ)
        gyr = _lowpass(_filled(sensor.gyr_rad_s[lo:hi], received), fs, LOWPASS_HZ)
        body = foot_body_frame(_sensor_frame(acc, gyr, fs), side)
        _, seg_offs, seg_strikes = swing_events(body["gyr_ml"].to_numpy(dtype=np.float64), fs)
        rate = np.linalg.norm(body[["gyr_pa", "gyr_ml", "gyr_si"]].to_numpy(dtype=np.float64), axis=1)
        more_offs, more_strikes = motion_swings(rate, seg_offs, seg_strikes, fs)
        order = np.argsort(np.concatenate((seg_offs, more_offs)), kind="stable")
        seg_offs = np.concatenate((seg_offs, more_offs))[order]
        seg_strikes = np.concatenate((seg_strikes, more_strikes))[order]
        t = time_s[lo:hi]
        # back to the heading-aligned sensor frame's y (left): gaitmap's acc_ml is +y left, -y right
        acc_y = body["acc_ml"].to_numpy(dtype=np.float64) * (1.0 if side == "left" else -1.0)
        lateral += [float(acc_y[a:b].mean()) for a, b in zip(seg_offs, seg_strikes, strict=True) if b > a]
        hs_s = t[seg_strikes] + heel_strike_offset_s
        to_s = t[seg_offs] + toe_off_offset_s
        strikes += hs_s.tolist()
        offs += to_s.tolist()
        # a contact runs from a swing's heel strike to the next swing's toe off
        for k, hs in enumerate(hs_s):
            if k + 1 < to_s.shape[0] and to_s[k + 1] > hs:
                contacts.append(Contact(float(hs), float(to_s[k + 1]), True, True, seg_no))
            else:
                contacts.append(Contact(float(hs), float(t[-1]), True, False, seg_no))
    return FootEvents(
        contacts,
        np.asarray(strikes, dtype=np.float64),
        np.asarray(offs, dtype=np.float64),
        float(np.median(lateral)) if lateral else None,
        notes,
    )


def side_check(left: FootEvents, right: FootEvents) -> str | None:
    """A warning when the sensor named left moves like a right foot and vice versa, else None.

    Over swings, the mean lateral acceleration of the left foot minus that of the right foot
    (heading-aligned frame, +y to the left) was negative in all 14 correctly labelled IPOL trials
    (−1.2 to −6.3 m/s²) and clearly positive (+4.4, +4.7 m/s²) in trials 4-1 and 4-2, whose foot
    files are swapped (Voisard et al. 2023 data; an empirical signature, not a published method).
    The files' labels are kept: this only warns.
    """
    if left.swing_lateral_acc_mps2 is None or right.swing_lateral_acc_mps2 is None:
        return None
    difference = left.swing_lateral_acc_mps2 - right.swing_lateral_acc_mps2
    if difference <= SIDE_SWAP_MIN_MPS2:
        return None
    return (
        "the foot sensors may be swapped: the one named left moves like a right foot and vice versa "
        f"(swing lateral acceleration left − right = {difference:+.1f} m/s², expected negative); "
        "left and right follow the file names, check how the sensors were worn"
    )


def detect_turns(sensor: ImuSensor, sampling_rate_hz: float) -> list[Turn]:
    """Turns from the yaw rate: the gravity-aligned vertical angular rate, low-passed at 1 Hz.

    A turn is a stretch where the low-passed yaw rate exceeds :data:`TURN_YAW_RATE_DEG_S`,
    widened to where it falls below half of that, and the heading changes by more than
    :data:`MIN_TURN_DEG` over it (after El-Gohary et al. 2014, who detect turns from the
    lower-back yaw rate).
    """
    fs = sampling_rate_hz
    turns: list[Turn] = []
    for lo, hi in gap_free_stretches(sensor.received, fs):
        if hi - lo < 2 * fs:
            continue
        received = sensor.received[lo:hi]
        acc = _filled(sensor.acc_mps2[lo:hi], received)
        gyr = _filled(sensor.gyr_rad_s[lo:hi], received)
        aligned = _sensor_frame(_lowpass(acc, fs, LOWPASS_HZ), _lowpass(gyr, fs, LOWPASS_HZ), fs)
        yaw = _lowpass(aligned[["gyr_z"]].to_numpy(dtype=np.float64), fs, TURN_LOWPASS_HZ, order=2)[:, 0]
        high = np.abs(yaw) > TURN_YAW_RATE_DEG_S
        low = np.abs(yaw) > TURN_YAW_RATE_DEG_S / 2
        edges = np.diff(np.concatenate(([0], low.astype(np.int8), [0])))
        for a, b in zip(np.flatnonzero(edges == 1), np.flatnonzero(edges == -1), strict=True):
            if not high[a:b].any():
                continue
            angle = float(np.sum(yaw[a:b]) / fs)
            if abs(angle) >= MIN_TURN_DEG:
                turns.append(Turn(float((lo + a) / fs), float((lo + b) / fs), angle))
    return turns


def detect_imu_events(
    recording: ImuRecording,
    *,
    heel_strike_offset_s: float = HEEL_STRIKE_OFFSET_S,
    toe_off_offset_s: float = TOE_OFF_OFFSET_S,
) -> ImuEvents:
    """Heel strikes, toe offs and turns of an IMU trial (see the module docstring for the method).

    The offsets are added to every detected heel strike / toe off (see :data:`HEEL_STRIKE_OFFSET_S`).
    """
    fs = recording.sampling_rate_hz
    contacts: dict[Side, list[Contact]] = {}
    strikes: dict[Side, FloatArray] = {}
    offs: dict[Side, FloatArray] = {}
    notes: list[str] = []
    feet: dict[Side, FootEvents] = {}
    sides: tuple[Side, Side] = ("left", "right")
    for side in sides:
        feet[side] = detect_foot_events(
            recording.imu.foot(side),
            side,
            recording.time_s,
            fs,
            heel_strike_offset_s=heel_strike_offset_s,
            toe_off_offset_s=toe_off_offset_s,
        )
        contacts[side] = feet[side].contacts
        strikes[side], offs[side] = feet[side].heel_strikes_s, feet[side].toe_offs_s
        notes += feet[side].notes
    swapped = side_check(feet["left"], feet["right"])
    if swapped:
        notes.append(swapped)
    turn_sensor = recording.imu.lower_back or recording.imu.left_foot
    turns = detect_turns(turn_sensor, fs)
    spans = unreliable_spans(offs, turns, recording)
    notes += [why for _, _, why in spans if not why.startswith("turn")]
    return ImuEvents(contacts, strikes, offs, turns, notes, spans)


def unreliable_spans(
    toe_offs_s: dict[Side, FloatArray], turns: list[Turn], recording: ImuRecording
) -> list[tuple[float, float, str]]:
    """Stretches of a trial where detected events may be missing or less precise, with the reason.

    - every turn: turning steps pivot the foot, so their events come from the rate-of-turn bursts
      of :func:`motion_swings` (coarser) or are missed;
    - for each foot, an interval between consecutive toe offs longer than :data:`LONG_GAP_FACTOR`
      times the foot's median interval while the walk goes on: a swing was probably missed there
      (weak steps, or packets dropped; the reason counts them).
    """
    fs = recording.sampling_rate_hz
    spans = [
        (t.start_s, t.end_s, f"turn at {t.start_s:.1f}–{t.end_s:.1f} s: events inside are less reliable")
        for t in turns
    ]
    for side, offs in toe_offs_s.items():
        if offs.size < 3:
            continue
        intervals = np.diff(offs)
        typical = float(np.median(intervals))
        for k in np.flatnonzero(intervals > LONG_GAP_FACTOR * typical):
            start, end = float(offs[k]), float(offs[k + 1])
            lo, hi = round(start * fs), round(end * fs)
            dropped = int((~recording.imu.foot(side).received[lo:hi]).sum())
            spans.append(
                (
                    start,
                    end,
                    f"{side} foot: no swing found for {end - start:.1f} s from {start:.1f} s (the usual "
                    f"stride is {typical:.1f} s; {dropped} packets dropped there): a pause, or steps missed (weak "
                    "steps, dropped packets)",
                )
            )
    return sorted(spans)


def warm_up() -> None:
    """Run the gaitmap alignment steps once on a short synthetic signal, so that later calls are fast.

    gaitmap's gravity alignment and PCA alignment compile or load numba code on their first call in
    a process (about 0.3 s). A batch's fork server calls this once (through
    :mod:`footchain.measure.gait._imu_preload`) so that every worker forked from it inherits the
    compiled code instead of each paying for it again. Results are discarded; nothing is cached by
    file. Any failure is ignored: the first real trial then pays the cost as before.
    """
    rate = 100.0
    t = np.arange(0.0, 3.0, 1.0 / rate)
    moving = t > 1.0  # 1 s still (gravity alignment needs a static moment), then a rotating foot
    gyr = np.zeros((t.size, 3))
    gyr[:, 1] = np.where(moving, 4.0 * np.sin(2 * np.pi * t), 0.0)
    gyr[:, 0] = np.where(moving, 0.5 * np.sin(2 * np.pi * t), 0.0)
    acc = np.zeros((t.size, 3))
    acc[:, 2] = 9.81
    acc[:, 0] = np.where(moving, np.cos(2 * np.pi * t), 0.0)
    try:
        foot_body_frame(_sensor_frame(acc, gyr, rate), "left")
    except Exception:  # a warm-up must never stop a batch from starting
        return
