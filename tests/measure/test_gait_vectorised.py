"""The vectorised building blocks of the gait analysis agree with plain, obviously correct versions.

The fast forms (window reductions, order statistics, double support by cumulative sums, the chain of
strides that join a turn, the gaitpdb reader's column copy) were written for speed
(``benchmarks/gait_speed.py``); each is checked here against a slow reference on many inputs.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from footchain.measure.gait import load_recording
from footchain.measure.gait._stats import mean, median, percentile_linear, sample_sd
from footchain.measure.gait._windows import WindowIndex, first_at_least, window_max, window_min
from footchain.measure.gait.contacts import Contact, contact_columns
from footchain.measure.gait.events import _contact_edges, default_thresholds, detect_contacts
from footchain.measure.gait.loading import loading_summary
from footchain.measure.gait.strides import (
    MAX_STANCE_S,
    MAX_STRIDE_S,
    double_support_percent,
    strides_from_contacts,
    summarize_strides,
)
from tests.measure.gait_data import GAITPDB_CONTROLS

finite_floats = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False)


@settings(max_examples=200, deadline=None)
@given(st.lists(finite_floats, min_size=1, max_size=60), st.floats(min_value=0.0, max_value=100.0))
def test_percentile_equals_numpy(values: list[float], percent: float) -> None:
    array = np.array(values)
    assert percentile_linear(array, percent) == float(np.percentile(array, percent))


@settings(max_examples=200, deadline=None)
@given(st.lists(finite_floats, min_size=1, max_size=60))
def test_median_equals_numpy(values: list[float]) -> None:
    array = np.array(values)
    assert median(array) == float(np.median(array))


@settings(max_examples=300, deadline=None)
@given(st.lists(finite_floats, min_size=2, max_size=200))
def test_mean_and_sample_sd_equal_numpy(values: list[float]) -> None:
    array = np.array(values)
    assert mean(array) == float(np.mean(array))
    assert sample_sd(array) == float(np.std(array, ddof=1))


def test_median_of_nothing_is_nan() -> None:
    assert np.isnan(median(np.zeros(0)))


def _first_at_least_slow(values: np.ndarray, lo: np.ndarray, hi: np.ndarray, level: np.ndarray) -> np.ndarray:
    out = hi.copy()
    for k, (a, b) in enumerate(zip(lo, hi, strict=True)):
        for i in range(a, b):
            if values[i] >= level[k]:
                out[k] = i
                break
    return out


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.floats(min_value=0.0, max_value=10.0, allow_nan=False), min_size=2, max_size=80),
    st.lists(st.integers(min_value=0, max_value=8), min_size=1, max_size=10),
    st.lists(st.floats(min_value=0.0, max_value=12.0), min_size=10, max_size=10),
)
def test_first_at_least_equals_a_loop(values: list[float], widths: list[int], levels: list[float]) -> None:
    # consecutive disjoint windows, some empty, some past every sample that reaches the level
    array = np.array(values)
    edges = np.minimum(np.cumsum([0, *widths]), array.size).astype(np.int64)
    lo, hi = edges[:-1], edges[1:]
    level = np.array(levels[: lo.size])
    expected = _first_at_least_slow(array, lo, hi, level)
    assert first_at_least(array, lo, hi, level).tolist() == expected.tolist()
    shared = WindowIndex(lo, hi)
    assert first_at_least(array, lo, hi, level, index=shared).tolist() == expected.tolist()


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.one_of(st.floats(min_value=-5.0, max_value=5.0), st.just(float("nan"))), min_size=1, max_size=60
    ),
    st.lists(st.tuples(st.integers(0, 6), st.integers(1, 8)), min_size=1, max_size=8),
)
def test_window_max_and_min_equal_a_loop(values: list[float], gaps_and_widths: list[tuple[int, int]]) -> None:
    # disjoint non-empty windows in order, the last one often running to the end of the signal
    array = np.array(values)
    lo, hi, at = [], [], 0
    for gap, width in gaps_and_widths:
        if at + gap + 1 > array.size:
            break
        lo.append(at + gap)
        hi.append(min(at + gap + width, array.size))
        at = hi[-1]
    lo_a, hi_a = np.array(lo, dtype=np.int64), np.array(hi, dtype=np.int64)
    expected_max = [np.fmax.reduce(array[a:b]) for a, b in zip(lo, hi, strict=True)]
    expected_min = [np.fmin.reduce(array[a:b]) for a, b in zip(lo, hi, strict=True)]
    np.testing.assert_array_equal(window_max(array, lo_a, hi_a), np.array(expected_max))
    np.testing.assert_array_equal(window_min(array, lo_a, hi_a), np.array(expected_min))


def _contacts(starts: list[float], stance_s: float) -> list[Contact]:
    return [Contact(s, s + stance_s, True, True, 0) for s in starts]


def _double_support_slow(own: list[Contact], other: list[Contact]) -> float:
    """Share of each stride with both feet down, by integrating over a fine time grid."""
    shares = []
    for a, b in itertools.pairwise(own):
        t = np.linspace(a.start_s, b.start_s, 200_001)[:-1]
        own_down = np.zeros(t.size, dtype=bool)
        other_down = np.zeros(t.size, dtype=bool)
        for c in own:
            own_down |= (t >= c.start_s) & (t < c.end_s)
        for c in other:
            other_down |= (t >= c.start_s) & (t < c.end_s)
        shares.append(100.0 * float(np.mean(own_down & other_down)))
    return float(np.mean(shares))


@pytest.mark.parametrize(("stance_s", "shift_s"), [(0.68, 0.55), (0.62, 0.5), (0.75, 0.3), (0.4, 0.55)])
def test_double_support_equals_integration(stance_s: float, shift_s: float) -> None:
    rng = np.random.default_rng(7)
    left_starts = list(np.cumsum(1.1 + rng.normal(0.0, 0.02, 12)))
    right_starts = [s + shift_s + float(rng.normal(0.0, 0.01)) for s in left_starts]
    left, right = _contacts(left_starts, stance_s), _contacts(right_starts, stance_s)
    fast = double_support_percent(strides_from_contacts(left), left, right)
    assert fast == pytest.approx(_double_support_slow(left, right), abs=0.01)


def test_a_chain_of_slow_strides_joins_the_turn() -> None:
    # 30 regular strides of 1.0 s; stride 15 is a turn (2.0 s), strides 16 and 17 are slow (1.05 s,
    # beyond the median + 2 robust SD but inside the outlier band) and 18 is regular again
    times = [1.0] * 30
    times[15], times[16], times[17] = 2.0, 1.05, 1.05
    times = [t + 0.001 * (i % 3) for i, t in enumerate(times)]
    starts = np.concatenate(([0.0], np.cumsum(times)))
    strides = strides_from_contacts(_contacts(list(starts), 0.6))
    reasons = {i: s.why_excluded or "" for i, s in enumerate(strides) if s.excluded}
    assert "turn, pause or hesitation" in reasons[15]
    assert "part of the turn" in reasons[16] and "part of the turn" in reasons[17]
    assert 14 not in reasons and 18 not in reasons
    assert len(reasons) == 3


def test_gaitpdb_missing_values_read_as_nan_on_the_fast_path(tmp_path: Path) -> None:
    rows = []
    for i in range(400):
        t = i / 100.0
        load = 400.0 if (i // 60) % 2 == 0 else 0.0
        sensors = [load / 8.0] * 8
        rows.append([f"{t:.2f}", *(f"{v:g}" for v in sensors * 2), f"{load:g}", f"{load:g}"])
    rows[100][17] = ""  # an empty field: missing
    rows[101][18] = "NaN"
    path = tmp_path / "GaXx01_01.txt"
    path.write_text("\n".join("\t".join(r) for r in rows) + "\n")
    tab = load_recording(path)
    assert tab.left_force is not None and tab.right_force is not None
    assert np.isnan(tab.left_force[100]) and np.isnan(tab.right_force[101])
    assert (
        np.isfinite(tab.left_force[:100]).all() and tab.left_force[59] == 400.0 and tab.left_force[60] == 0.0
    )
    # the same table separated by spaces takes the slow path: the same numbers
    spaced = tmp_path / "GaXx01_02.txt"
    spaced.write_text("\n".join(" ".join(v or "NaN" for v in r) for r in rows) + "\n")
    slow = load_recording(spaced)
    for name in ("time_s", "left_force", "right_force", "left_sensors", "right_sensors"):
        np.testing.assert_array_equal(getattr(tab, name), getattr(slow, name), err_msg=name)
    assert tab.left_sensors is not None and tab.left_sensors.shape == (400, 8)


def _hysteresis_slow(values: list[float], on: float, off: float) -> list[bool]:
    state, out = False, []
    for v in values:
        if v > on:
            state = True
        elif v < off:
            state = False
        out.append(state)
    return out


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.one_of(st.floats(min_value=0.0, max_value=100.0), st.just(float("nan"))), max_size=80),
    st.floats(0.0, 50.0),
    st.floats(0.0, 50.0),
)
def test_contact_edges_equal_a_loop(values: list[float], on: float, off: float) -> None:
    on, off = max(on, off), min(on, off)
    state = np.array(_hysteresis_slow(values, on, off), dtype=np.int8)
    edges = np.diff(np.concatenate(([0], state, [0])))
    rises, falls = _contact_edges(np.array(values, dtype=np.float64), on, off)
    assert rises.tolist() == np.flatnonzero(edges == 1).tolist()
    assert falls.tolist() == np.flatnonzero(edges == -1).tolist()


def _reason_slow(this: Contact, following: Contact) -> tuple[float | None, str | None]:
    """Stance and first-pass reason of the stride from ``this`` to ``following``, one pair at a time."""
    start, end = this.start_s, following.start_s
    stance = this.end_s - start if this.toe_off_seen and this.end_s <= end else None
    if this.segment != following.segment:
        return stance, f"spans a gap in the data between {this.end_s:.2f} s and {following.start_s:.2f} s"
    if stance is None:
        return stance, "toe off not detected"
    if stance > MAX_STANCE_S:
        return stance, f"standing: stance of {stance:.2f} s"
    if end - start > MAX_STRIDE_S:
        return stance, f"pause: stride of {end - start:.2f} s"
    return stance, None


contact_steps = st.tuples(
    st.floats(min_value=0.3, max_value=4.0),  # time to the next heel strike
    st.floats(min_value=0.1, max_value=3.0),  # stance
    st.booleans(),  # heel strike seen
    st.booleans(),  # toe off seen
    st.booleans(),  # a gap follows
)


@settings(max_examples=200, deadline=None)
@given(st.lists(contact_steps, max_size=12))
def test_strides_from_contacts_equal_the_pairwise_rules(
    steps: list[tuple[float, float, bool, bool, bool]],
) -> None:
    contacts, t, segment = [], 0.0, 0
    for step, stance, hs_seen, to_seen, gap in steps:
        contacts.append(Contact(t, t + stance, hs_seen, to_seen, segment))
        t += step
        segment += int(gap)
    strides = strides_from_contacts(contacts)
    pairs = [(a, b) for a, b in itertools.pairwise(contacts) if a.heel_strike_seen and b.heel_strike_seen]
    assert len(strides) == len(pairs)
    for stride, (a, b) in zip(strides, pairs, strict=True):
        stance, reason = _reason_slow(a, b)
        assert (stride.start_s, stride.end_s, stride.stance_time_s) == (a.start_s, b.start_s, stance)
        assert stride.swing_time_s == (None if stance is None else b.start_s - a.end_s)
        if reason is not None:  # the outlier band may add reasons, never replace these
            assert stride.why_excluded == reason and stride.excluded


def test_contacts_and_strides_kept_as_columns_behave_as_lists() -> None:
    recording = load_recording(GAITPDB_CONTROLS[0])
    force = recording.force("left")
    assert force is not None
    found = detect_contacts(
        force, recording.time_s, recording.sampling_rate_hz, default_thresholds(force, True)
    )
    as_list = list(found)
    assert len(found) == len(as_list) > 50
    assert found == as_list and found[3:6] == as_list[3:6] and found[-1] == as_list[-1]
    assert found != as_list[:-1]
    built = contact_columns(as_list)
    for name in ("start_s", "end_s", "heel_strike_seen", "toe_off_seen", "segment"):
        np.testing.assert_array_equal(getattr(built, name), getattr(found.columns, name), err_msg=name)
    strides = strides_from_contacts(found)
    assert strides == strides_from_contacts(as_list)
    assert summarize_strides(strides) == summarize_strides(list(strides))
    assert loading_summary(force, recording.time_s, found) == loading_summary(
        force, recording.time_s, as_list
    )
    right = recording.force("right")
    assert right is not None
    other = detect_contacts(
        right, recording.time_s, recording.sampling_rate_hz, default_thresholds(right, True)
    )
    assert double_support_percent(strides, found, other) == double_support_percent(
        list(strides), as_list, list(other)
    )
