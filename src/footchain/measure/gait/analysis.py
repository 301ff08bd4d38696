"""From a :class:`Recording` to the ``footchain gait`` JSON result (contracts/measurements.md, v1)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from footchain.knowledge import load_knowledge
from footchain.measure.gait.contacts import Contact, contact_columns
from footchain.measure.gait.cop import cop_summary
from footchain.measure.gait.errors import RecordingError
from footchain.measure.gait.events import (
    HEEL_STRIKE_THRESHOLD_N,
    MIN_CONTACT_S,
    MIN_SWING_S,
    RELATIVE_HEEL_STRIKE,
    RELATIVE_TOE_OFF,
    TOE_OFF_THRESHOLD_N,
    default_thresholds,
    detect_contacts,
    insole_toe_off_share,
)
from footchain.measure.gait.loading import loading_summary
from footchain.measure.gait.readers.imu_ipol import ImuRecording
from footchain.measure.gait.recording import FloatArray, Recording, Side
from footchain.measure.gait.strides import (
    MIN_STRIDES_FOR_VARIABILITY,
    Stride,
    double_support_percent,
    stride_columns,
    strides_from_contacts,
    summarize_strides,
    symmetry_index,
)

SCHEMA_VERSION = 1
STANDARD_GRAVITY = 9.80665


def _round(value: float | None, digits: int = 3) -> float | None:
    return None if value is None else round(float(value), digits)


def _rounded(obj: Any) -> Any:
    if isinstance(obj, float):
        return round(obj, 3)
    if isinstance(obj, dict):
        return {k: _rounded(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_rounded(v) for v in obj]
    return obj


def _rounded_times(*columns: FloatArray) -> list[list[float]]:
    """Columns of times rounded to 3 decimals (NaN for a missing value), in one array operation each."""
    if not columns[0].size:
        return [[] for _ in columns]
    rounded: list[list[float]] = np.round(np.vstack(columns), 3).tolist()
    return rounded


def _strides_json(strides: Sequence[Stride]) -> list[dict[str, Any]]:
    """One dict per stride, its times rounded to 3 decimals (None for a missing stance or swing)."""
    c = stride_columns(strides)
    start, end, stride_time, stance, swing = _rounded_times(
        c.start_s, c.end_s, c.end_s - c.start_s, c.stance_time_s, c.swing_time_s
    )
    return [
        {
            "start_s": a,
            "end_s": b,
            "stride_time_s": t,
            "stance_time_s": None if st != st else st,
            "swing_time_s": None if sw != sw else sw,
            "excluded": out,
            "why_excluded": why,
        }
        for a, b, t, st, sw, out, why in zip(
            start, end, stride_time, stance, swing, c.excluded.tolist(), c.why_excluded, strict=True
        )
    ]


def _events_json(contacts: Sequence[Contact]) -> list[dict[str, Any]]:
    c = contact_columns(contacts)
    seen = c.heel_strike_seen
    strikes, offs = _rounded_times(c.start_s[seen], np.where(c.toe_off_seen, c.end_s, np.nan)[seen])
    return [
        {"heel_strike_s": hs, "toe_off_s": None if to != to else to}
        for hs, to in zip(strikes, offs, strict=True)
    ]


def _empty_summary() -> dict[str, Any]:
    return summarize_strides([])


def analyze_gait(
    recording: Recording,
    *,
    heel_strike_threshold_n: float = HEEL_STRIKE_THRESHOLD_N,
    toe_off_threshold_n: float = TOE_OFF_THRESHOLD_N,
    relative_heel_strike: float = RELATIVE_HEEL_STRIKE,
    relative_toe_off: float = RELATIVE_TOE_OFF,
    min_contact_s: float = MIN_CONTACT_S,
    min_swing_s: float = MIN_SWING_S,
    relative_thresholds: bool | None = None,
    body_weight_kg: float | None = None,
    given_contacts: Mapping[Side, Sequence[Contact]] | None = None,
    excluded_windows_s: Sequence[tuple[float, float, str]] = (),
) -> dict[str, Any]:
    """Gait events, stride parameters, variability and symmetry of a recording.

    Per foot: heel strikes and toe offs by force thresholds with hysteresis (Tirosh & Sparrow 2003;
    20 N / 10 N above the unloaded level by default, or shares of the loaded level when the load is
    not in newtons); strides with stance and swing time, excluded ones with their reason; summary
    with stride-time mean, SD and CV (Hausdorff 1999), stance %, cadence. Across feet: symmetry
    indices SI = (R − L) / (0.5 (R + L)) × 100 (Robinson et al. 1987) and double support %.

    Parameters
    ----------
    recording : Recording
        From :func:`footchain.measure.gait.load_recording`.
    heel_strike_threshold_n, toe_off_threshold_n : float
        Thresholds over the unloaded level for forces in newtons.
    relative_heel_strike, relative_toe_off : float
        Shares of the loaded level for loads in other units (pressure sums).
    min_contact_s, min_swing_s : float
        Shortest contact and swing accepted (noise rejection).
    relative_thresholds : bool, optional
        Use the shares of the loaded level (a normalised load, as for insoles) even for forces in
        newtons; by default only loads in other units use them. Insoles unload slowly at toe off,
        so absolute 10 N thresholds lengthen their stance (domain: < 10%).
    body_weight_kg : float, optional
        Adds force peaks and loading rate in body weights (forces in newtons only).
    given_contacts : mapping of side to contacts, optional
        Contacts found elsewhere (e.g. from foot IMUs, :mod:`footchain.measure.gait.imu_events`);
        when given, they replace force-threshold detection for every side (no loading, no
        ``detection`` block).
    excluded_windows_s : sequence of (start_s, end_s, reason)
        With ``given_contacts``: strides overlapping a window (e.g. a turn) are excluded for that reason.

    Returns
    -------
    dict
        Shaped as the ``footchain gait --format json`` contract (schema_version 1).
    """
    if isinstance(recording, ImuRecording) and given_contacts is None:
        return analyze_imu_gait(recording)
    warnings = list(recording.warnings)
    feet: dict[str, Any] = {}
    contacts: dict[Side, Sequence[Contact]] = {}
    strides: dict[Side, Sequence[Stride]] = {}
    summaries: dict[Side, dict[str, Any]] = {}
    sides: tuple[Side, Side] = ("left", "right")
    for side in sides:
        force = recording.force(side)
        if given_contacts is not None:  # events given (e.g. IMU): summarise them, skip force detection
            given = list(given_contacts.get(side, []))
            foot_strides = [
                next(
                    (
                        st._replace(excluded=True, why_excluded=why)
                        for a, b, why in excluded_windows_s
                        if st.start_s < b and st.end_s > a and not st.excluded
                    ),
                    st,
                )
                for st in strides_from_contacts(given)
            ]
            contacts[side], strides[side] = given, foot_strides
            summaries[side] = summarize_strides(foot_strides)
            feet[side] = {
                "events": _events_json(given),
                "strides": _strides_json(foot_strides),
                "summary": _rounded(summaries[side]),
                "detection": None,
            }
            continue
        if force is None:
            feet[side] = {"events": [], "strides": [], "summary": _empty_summary(), "detection": None}
            summaries[side] = feet[side]["summary"]
            contacts[side] = []
            strides[side] = []
            continue
        thresholds = default_thresholds(
            force,
            recording.force_in_newtons if relative_thresholds is None else not relative_thresholds,
            heel_strike_threshold_n=heel_strike_threshold_n,
            toe_off_threshold_n=toe_off_threshold_n,
            relative_heel_strike=relative_heel_strike,
            relative_toe_off=relative_toe_off,
            toe_off_share_of_peak=insole_toe_off_share(recording.format),
        )
        found = detect_contacts(
            force,
            recording.time_s,
            recording.sampling_rate_hz,
            thresholds,
            min_contact_s=min_contact_s,
            min_swing_s=min_swing_s,
        )
        found_strides = strides_from_contacts(found)
        summary = summarize_strides(found_strides)
        contacts[side], strides[side], summaries[side] = found, found_strides, summary
        feet[side] = {
            "events": _events_json(found),
            "strides": _strides_json(found_strides),
            "summary": {
                **_rounded(summary),
                "loading": _loading(force, recording, found, body_weight_kg),
            },
            "detection": {
                "heel_strike_threshold": _round(thresholds.heel_strike),
                "toe_off_threshold": _round(thresholds.toe_off),
                "unloaded_level": _round(thresholds.baseline),
                "unit": recording.force_unit,
                "how": thresholds.how,
            },
        }
        n_kept = int(summary["strides"])  # type: ignore[call-overload]
        if n_kept == 0:
            why = _why_no_strides(found, found_strides)
            feet[side]["summary"]["why_no_strides"] = why
            warnings.append(f"no complete stride found for the {side} foot: {why}")
        elif n_kept < MIN_STRIDES_FOR_VARIABILITY:
            warnings.append(
                f"only {n_kept} strides for the {side} foot; stride-time variability (CV) needs at "
                f"least {MIN_STRIDES_FOR_VARIABILITY} (Hausdorff 1999)"
            )

    def mean_of(side: Side, key: str) -> float | None:
        block = summaries[side][key]
        assert isinstance(block, dict)
        value = block["mean"]
        return None if value is None else float(value)

    symmetry = {
        key: _round(symmetry_index(mean_of("left", key + "_s"), mean_of("right", key + "_s")), 2)
        for key in ("stride_time", "stance_time", "swing_time")
    }
    ds_left = double_support_percent(strides["left"], contacts["left"], contacts["right"])
    ds_right = double_support_percent(strides["right"], contacts["right"], contacts["left"])
    ds_values = [v for v in (ds_left, ds_right) if v is not None]
    double_support = sum(ds_values) / len(ds_values) if ds_values else None  # one or two values
    if recording.left_force is not None and recording.right_force is not None:
        symmetric_below = load_knowledge().thresholds.gait.symmetric_below_percent
        for key, value in symmetry.items():
            if value is not None and abs(value) >= symmetric_below:
                warnings.append(
                    f"{key.replace('_', ' ')} differs between the feet: symmetry index {value:+.1f}% "
                    f"(|SI| ≥ {symmetric_below:g}%)"
                )
    result: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "source": {
            "path": None if recording.path is None else str(recording.path),
            "format": recording.format,
            "sampling_rate_hz": _round(recording.sampling_rate_hz, 6),
            "duration_s": _round(recording.duration_s),
            "force_unit": recording.force_unit,
        },
        "feet": feet,
        "summary": {
            "symmetry_index_percent": symmetry,
            "double_support_percent": _round(double_support, 2),
            "cop": cop_summary(recording, contacts),
        },
        "warnings": warnings,
    }
    if recording.plates:
        result["plates"] = _plates_json(
            recording, heel_strike_threshold_n, toe_off_threshold_n, min_contact_s, min_swing_s
        )
    return result


def analyze_imu_gait(recording: ImuRecording) -> dict[str, Any]:
    """The ``footchain gait`` result of an IMU trial: events from the foot IMUs, then :func:`analyze_gait`.

    Events come from :func:`footchain.measure.gait.imu_events.detect_imu_events`. Strides that overlap
    a turn are excluded with the reason "turn"; standing and pauses are excluded by the stride rules
    of :mod:`footchain.measure.gait.strides`. ``unreliable_spans`` lists where events may be missing
    or less precise (turns, long stretches without a swing), each with its reason.
    """
    from footchain.measure.gait import imu_events  # gaitmap is heavy: load it only for IMU

    events = imu_events.detect_imu_events(recording)
    windows = [
        (t.start_s, t.end_s, f"turn of {abs(t.angle_deg):.0f}° at {t.start_s:.1f}–{t.end_s:.1f} s (yaw rate)")
        for t in events.turns
    ]
    result = analyze_gait(recording, given_contacts=events.contacts, excluded_windows_s=windows)
    for side in ("left", "right"):
        result["feet"][side]["detection"] = {
            "how": "foot IMU, gaitmap body frame: toe off at the push-off minimum of gyr_ml, heel strike "
            "at the first gyr_ml minimum after swing (Salarian et al. 2004; Mariani et al. 2013); "
            "turning steps from bursts of the angular rate (Skog et al. 2010)",
            "lowpass_hz": imu_events.LOWPASS_HZ,
            "heel_strike_offset_s": imu_events.HEEL_STRIKE_OFFSET_S,
            "toe_off_offset_s": imu_events.TOE_OFF_OFFSET_S,
        }
    result["turns"] = [
        {"start_s": round(t.start_s, 3), "end_s": round(t.end_s, 3), "angle_deg": round(t.angle_deg, 1)}
        for t in events.turns
    ]
    result["unreliable_spans"] = [
        {"start_s": round(a, 3), "end_s": round(b, 3), "why": why} for a, b, why in events.unreliable_spans
    ]
    result["warnings"] = [*result["warnings"], *events.notes]
    return result


def _why_no_strides(contacts: Sequence[Contact], strides: Sequence[Stride]) -> str:
    """Why a foot has no stride to summarise, in words for the report."""
    if strides:
        return "every stride was left out (each stride's why_excluded says why)"
    if not contacts:
        return "no foot contact was detected"
    if len(contacts) == 1:
        return (
            "the recording holds one stance of this foot (e.g. a single step on a platform); a stride "
            "runs from one heel strike to the next heel strike of the same foot"
        )
    return "the contacts found do not make a complete stride (the recording starts or ends inside them, or gaps split them)"


def _loading(
    force: FloatArray, recording: Recording, contacts: Sequence[Contact], body_weight_kg: float | None
) -> dict[str, Any] | None:
    if body_weight_kg is not None and not body_weight_kg > 0:
        raise RecordingError(f"body weight {body_weight_kg!r} kg is not a positive number")
    weight_n = body_weight_kg * STANDARD_GRAVITY if body_weight_kg and recording.force_in_newtons else None
    summary = loading_summary(force, recording.time_s, contacts, body_weight_n=weight_n)
    if summary is not None:
        summary["unit"] = recording.force_unit
    return summary


def _plates_json(
    recording: Recording,
    heel_strike_threshold_n: float,
    toe_off_threshold_n: float,
    min_contact_s: float,
    min_swing_s: float,
) -> list[dict[str, Any]]:
    """Contacts on each force plate, with the foot when the file's events tie it to one."""
    plates = []
    for plate in recording.plates:
        thresholds = default_thresholds(
            plate.force_n,
            True,
            heel_strike_threshold_n=heel_strike_threshold_n,
            toe_off_threshold_n=toe_off_threshold_n,
        )
        found = detect_contacts(
            plate.force_n,
            recording.time_s,
            recording.sampling_rate_hz,
            thresholds,
            min_contact_s=min(min_contact_s, 0.05),
            min_swing_s=min_swing_s,
        )
        contacts_json = []
        for c in found:
            mask = (recording.time_s >= c.start_s) & (recording.time_s <= c.end_s)
            peak = float(np.nanmax(plate.force_n[mask])) if mask.any() else None
            contacts_json.append(
                {
                    "heel_strike_s": _round(c.heel_strike_s),
                    "toe_off_s": _round(c.toe_off_s),
                    "contact_time_s": _round(c.end_s - c.start_s),
                    "peak_force_n": _round(peak, 1),
                }
            )
        plates.append({"plate": plate.number, "side": plate.side, "contacts": contacts_json})
    return plates
