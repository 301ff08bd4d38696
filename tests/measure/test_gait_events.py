"""Event detection and stride parameters on synthetic forces whose true events are known."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from footchain.measure.gait import Recording, RecordingError, analyze_gait
from footchain.measure.gait.contacts import Contact
from footchain.measure.gait.events import (
    Thresholds,
    default_thresholds,
    detect_contacts,
    fill_short_gaps,
    segments,
    unloaded_level,
)
from footchain.measure.gait.loading import loading_summary, stance_loading
from footchain.measure.gait.strides import (
    double_support_percent,
    strides_from_contacts,
    summarize_strides,
    symmetry_index,
)

RATE = 100.0


def walking_force(
    n_strides: int = 30,
    stride_s: float = 1.1,
    stance_share: float = 0.62,
    offset_s: float = 0.3,
    peak_n: float = 800.0,
    preload_n: float = 0.0,
    noise_n: float = 0.0,
    seed: int = 0,
    total_s: float | None = None,
) -> tuple[np.ndarray, np.ndarray, list[float], list[float]]:
    """A half-sine stance per stride; returns time, force, true heel strikes and toe offs."""
    duration = total_s if total_s is not None else offset_s + n_strides * stride_s + 1.0
    t = np.arange(0.0, duration, 1.0 / RATE)
    force = np.full(t.shape, preload_n)
    strikes, offs = [], []
    stance = stance_share * stride_s
    for k in range(n_strides):
        hs = offset_s + k * stride_s
        inside = (t >= hs) & (t < hs + stance)
        force[inside] = preload_n + peak_n * np.sin(math.pi * (t[inside] - hs) / stance)
        strikes.append(hs)
        offs.append(hs + stance)
    if noise_n:
        force = force + np.random.default_rng(seed).normal(0.0, noise_n, t.shape)
    return t, force, strikes, offs


def test_events_of_a_clean_signal_are_within_one_sample() -> None:
    t, f, strikes, offs = walking_force()
    contacts = detect_contacts(f, t, RATE, default_thresholds(f, True))
    assert len(contacts) == len(strikes)
    for c, hs, to in zip(contacts, strikes, offs, strict=True):
        assert c.heel_strike_s is not None and c.toe_off_s is not None
        # a 20 N threshold on an 800 N half-sine of 0.68 s is crossed ≈ 5 ms after contact
        assert abs(c.heel_strike_s - hs) < 0.015
        assert abs(c.toe_off_s - to) < 0.015


def test_thresholds_are_parameters() -> None:
    t, f, _, _ = walking_force()
    low = detect_contacts(
        f, t, RATE, default_thresholds(f, True, heel_strike_threshold_n=5, toe_off_threshold_n=2)
    )
    high = detect_contacts(
        f, t, RATE, default_thresholds(f, True, heel_strike_threshold_n=50, toe_off_threshold_n=40)
    )
    assert all(a.start_s < b.start_s for a, b in zip(low, high, strict=True))
    with pytest.raises(RecordingError, match="toe-off threshold must not exceed"):
        default_thresholds(f, True, heel_strike_threshold_n=10, toe_off_threshold_n=20)


def test_hysteresis_ignores_noise_around_the_threshold() -> None:
    t, f, strikes, _ = walking_force(noise_n=4.0)
    # noise of ±12 N would cross a single 15 N threshold many times in swing
    contacts = detect_contacts(f, t, RATE, default_thresholds(f, True))
    assert len(contacts) == len(strikes)


def test_short_blips_and_short_dips_are_rejected() -> None:
    t, f, strikes, _ = walking_force(n_strides=10)
    swing_mid = int((strikes[3] + 0.9) * RATE)
    f[swing_mid : swing_mid + 3] = 300.0  # 30 ms spike in swing
    stance_mid = int((strikes[5] + 0.3) * RATE)
    f[stance_mid : stance_mid + 4] = 0.0  # 40 ms drop-out in stance
    contacts = detect_contacts(f, t, RATE, default_thresholds(f, True), min_contact_s=0.1, min_swing_s=0.1)
    assert len(contacts) == len(strikes)


def test_insole_preload_is_taken_as_the_unloaded_level() -> None:
    t, f, strikes, _ = walking_force(preload_n=25.0, noise_n=2.0)
    assert unloaded_level(f) == pytest.approx(25.0, abs=2.0)
    contacts = detect_contacts(f, t, RATE, default_thresholds(f, True))
    assert len(contacts) == len(strikes)
    assert np.median([abs(c.start_s - s) for c, s in zip(contacts, strikes, strict=True)]) < 0.015


def test_relative_thresholds_for_pressure_sums() -> None:
    t, f, strikes, _ = walking_force(peak_n=4000.0, preload_n=60.0)
    thresholds = default_thresholds(f, False)
    assert thresholds.heel_strike > thresholds.toe_off > thresholds.baseline
    assert "loaded level" in thresholds.how
    assert len(detect_contacts(f, t, RATE, thresholds)) == len(strikes)


def test_nan_gap_splits_contacts_and_no_stride_spans_it() -> None:
    t, f, _, _ = walking_force(n_strides=30)
    gap = (t >= 10.0) & (t < 12.5)
    f[gap] = np.nan
    assert len(segments(f, t, RATE)) == 2
    contacts = detect_contacts(f, t, RATE, default_thresholds(f, True))
    assert all(not (10.0 <= c.start_s < 12.5) for c in contacts if c.heel_strike_seen)
    assert {c.segment for c in contacts} == {0, 1}
    strides = strides_from_contacts(contacts)
    for s in strides:
        if s.start_s < 10.0 < s.end_s:
            assert s.excluded and s.why_excluded is not None and "gap" in s.why_excluded
    assert summarize_strides(strides)["stride_time_s"]["mean"] == pytest.approx(1.1, abs=0.01)  # type: ignore[index]


def test_a_jump_in_the_time_column_is_a_gap() -> None:
    t, f, _, _ = walking_force(n_strides=10)
    t = t.copy()
    t[500:] += 2.0  # 2 s of dropped samples
    assert len(segments(f, t, RATE)) == 2


def test_contact_cut_by_the_recording_start_has_no_heel_strike() -> None:
    t, f, _, _ = walking_force(offset_s=-0.2)
    contacts = detect_contacts(f, t, RATE, default_thresholds(f, True))
    assert not contacts[0].heel_strike_seen and contacts[0].heel_strike_s is None
    assert contacts[1].heel_strike_seen


def test_stride_parameters_of_a_known_gait() -> None:
    t, f, _, _ = walking_force(n_strides=30, stride_s=1.1, stance_share=0.62)
    strides = strides_from_contacts(detect_contacts(f, t, RATE, default_thresholds(f, True)))
    summary = summarize_strides(strides)
    assert summary["strides"] == 29
    stride_time = summary["stride_time_s"]
    assert isinstance(stride_time, dict)
    assert stride_time["mean"] == pytest.approx(1.1, abs=0.002)
    assert stride_time["cv_percent"] < 0.5
    assert summary["stance_percent"] == pytest.approx(62.0, abs=2.0)
    assert summary["cadence_steps_per_min"] == pytest.approx(120 / 1.1, rel=0.01)


def _shifted(contacts: list[Contact], from_index: int, by_s: float) -> list[Contact]:
    return [
        *contacts[:from_index],
        *[Contact(c.start_s + by_s, c.end_s + by_s, True, True, c.segment) for c in contacts[from_index:]],
    ]


def test_turns_and_standing_are_excluded_with_a_reason() -> None:
    t, f, _, _ = walking_force(n_strides=40, stride_s=1.0)
    contacts = detect_contacts(f, t, RATE, default_thresholds(f, True))
    assert not any(s.excluded for s in strides_from_contacts(contacts))
    # a turn: one stride 0.6 s longer
    turned = strides_from_contacts(_shifted(contacts, 20, 0.6))
    excluded = [s for s in turned if s.excluded]
    assert len(excluded) == 1
    assert excluded[0].why_excluded is not None and "turn" in excluded[0].why_excluded
    # standing: one stance of 3 s
    stand = list(contacts)
    stand[10] = Contact(stand[10].start_s, stand[10].start_s + 3.0, True, True, 0)
    stand = _shifted(stand, 11, 3.0)
    reasons = [s.why_excluded for s in strides_from_contacts(stand) if s.excluded]
    assert any(r is not None and r.startswith("standing") for r in reasons)


def test_slow_strides_next_to_a_turn_belong_to_it() -> None:
    t, f, _, _ = walking_force(n_strides=40, stride_s=1.0, noise_n=0.0)
    contacts = detect_contacts(f, t, RATE, default_thresholds(f, True))
    jitter = np.random.default_rng(1).normal(0.0, 0.01, len(contacts)).cumsum()
    base = [Contact(c.start_s + j, c.end_s + j, True, True, 0) for c, j in zip(contacts, jitter, strict=True)]
    turn = _shifted(_shifted(_shifted(base, 20, 0.08), 21, 0.5), 22, 0.08)
    strides = strides_from_contacts(turn)
    reasons = {i: s.why_excluded for i, s in enumerate(strides) if s.excluded}
    assert 20 in reasons and "turn" in (reasons[20] or "")
    assert {19, 21} & set(reasons), "the slowed strides around the turn are excluded with it"


def test_symmetry_index_follows_robinson() -> None:
    assert symmetry_index(1.0, 1.0) == 0.0
    assert symmetry_index(1.0, 1.1) == pytest.approx((1.1 - 1.0) / 1.05 * 100)
    assert symmetry_index(None, 1.0) is None
    assert symmetry_index(1.1, 1.0) == pytest.approx(-symmetry_index(1.0, 1.1))  # type: ignore[operator]


def test_double_support_of_a_symmetric_gait() -> None:
    # stance 62% of a 1.1 s stride, right half a stride later: double support 2 × 12% = 24%
    t, left, _, _ = walking_force(stance_share=0.62, total_s=35.0)
    _, right, _, _ = walking_force(stance_share=0.62, offset_s=0.3 + 0.55, total_s=35.0)
    th = Thresholds(heel_strike=20.0, toe_off=10.0, baseline=0.0, how="test")
    cl = detect_contacts(left, t, RATE, th)
    cr = detect_contacts(right, t, RATE, th)
    ds = double_support_percent(strides_from_contacts(cl), cl, cr)
    assert ds == pytest.approx(24.0, abs=2.0)


def test_loading_of_a_double_humped_stance() -> None:
    t = np.arange(0.0, 3.0, 0.01)
    f = np.zeros_like(t)
    stance = (t >= 0.5) & (t < 1.1)
    phase = (t[stance] - 0.5) / 0.6
    # two humps of 700 N (weight acceptance) and 650 N (push-off) over a 500 N valley
    f[stance] = np.interp(phase, [0.0, 0.25, 0.5, 0.75, 1.0], [0.0, 700.0, 500.0, 650.0, 0.0])
    (contact,) = detect_contacts(f, t, RATE, default_thresholds(f, True))
    result = stance_loading(f, t, contact)
    assert result is not None
    assert result["first_peak"] == pytest.approx(700.0, abs=15.0)
    assert result["second_peak"] == pytest.approx(650.0, abs=15.0)
    assert result["valley"] == pytest.approx(500.0, abs=15.0)
    # linear rise of 700 N in 0.15 s
    assert result["loading_rate_per_s"] == pytest.approx(700.0 / 0.15, rel=0.1)
    summary = loading_summary(f, t, [contact], body_weight_n=700.0)
    assert summary is not None and summary["body_weight"]["first_peak"] == pytest.approx(1.0, abs=0.03)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.one_of(st.floats(-50, 1500, allow_nan=False), st.just(float("nan"))),
        min_size=0,
        max_size=400,
    ),
    st.integers(0, 3),
)
def test_analysis_of_any_force_signal_does_not_crash(values: list[float], shift: int) -> None:
    """Random forces, gaps and lengths: analyze_gait returns the contract shape without raising."""
    left = np.array(values, dtype=np.float64)
    right = np.roll(left, shift * 37)
    t = np.arange(left.shape[0], dtype=np.float64) / RATE
    rec = Recording(
        path=None, format="csv", sampling_rate_hz=RATE, time_s=t, left_force=left, right_force=right
    )
    result = analyze_gait(rec)
    json.dumps(result, allow_nan=False)


def test_dropped_samples_are_bridged_but_long_gaps_split() -> None:
    t, f, strikes, _ = walking_force(n_strides=10)
    short = f.copy()
    short[int((strikes[4] + 0.3) * RATE) : int((strikes[4] + 0.3) * RATE) + 2] = np.nan  # 20 ms in stance
    filled = fill_short_gaps(short, t)
    assert np.isfinite(filled).all()
    contacts = detect_contacts(short, t, RATE, default_thresholds(short, True))
    assert len(contacts) == len(strikes) and all(c.toe_off_seen for c in contacts)
    long = f.copy()
    long[int((strikes[4] + 0.3) * RATE) : int((strikes[4] + 0.3) * RATE) + 20] = np.nan  # 200 ms
    assert np.isnan(fill_short_gaps(long, t)).sum() == 20
    assert len({c.segment for c in detect_contacts(long, t, RATE, default_thresholds(long, True))}) == 2
