"""Foot-IMU trials of the IPOL layout: reading from any file, broken copies, events against the reference.

Data: Voisard C, de l'Escalopier N, Ricard D, Oudre L (2023). A reference data set for the study of
healthy subject gait with inertial measurement units. IPOL 13:1-20 (article 497);
CyrilVoisard/ipol_dataset_1, AGPL-3.0, read in place from ../shared/data/imu_ipol. The reference
events of each trial's JSON are read here only, as ground truth; the reader never opens them.
"""

from __future__ import annotations

import json
import shutil
from functools import cache
from pathlib import Path

import numpy as np
import pytest

from footchain.measure.gait import RecordingError, load_recording, sniff_format
from footchain.measure.gait.analysis import analyze_imu_gait
from footchain.measure.gait.imu_events import ImuEvents, detect_imu_events
from footchain.measure.gait.readers.imu_ipol import ImuRecording, read_ipol_imu
from tests.shared import DATA

IPOL = DATA / "imu_ipol"
TRIALS = sorted(p.stem for p in IPOL.glob("*.json")) if IPOL.is_dir() else []
SWAPPED = {"4-1", "4-2"}
TOLERANCE_S = 0.150


@cache
def _reference(trial: str) -> dict[str, object]:
    data: dict[str, object] = json.loads((IPOL / f"{trial}.json").read_text())
    return data


@cache
def _events(trial: str) -> ImuEvents:
    recording = load_recording(IPOL / f"{trial}_lf.txt")
    assert isinstance(recording, ImuRecording)
    return detect_imu_events(recording)


def _found_share(reference_s: np.ndarray, detected_s: np.ndarray) -> float:
    if detected_s.size == 0:
        return 0.0
    nearest = np.min(np.abs(reference_s[:, None] - detected_s[None, :]), axis=1)
    return float(np.mean(nearest <= TOLERANCE_S))


def _reference_s(trial: str, key: str, column: int) -> np.ndarray:
    pairs = _reference(trial)[key]
    assert isinstance(pairs, list)
    return np.array([pair[column] for pair in pairs], dtype=float) / 100.0


def _copy_trial(trial: str, target: Path, suffixes: tuple[str, ...] = ("lf", "rf", "lb")) -> None:
    for suffix in suffixes:
        shutil.copy(IPOL / f"{trial}_{suffix}.txt", target / f"{trial}_{suffix}.txt")


@pytest.mark.parametrize("suffix", ["lf", "rf", "lb"])
@pytest.mark.parametrize("trial", TRIALS)
def test_trial_loads_from_any_of_its_files(trial: str, suffix: str) -> None:
    path = IPOL / f"{trial}_{suffix}.txt"
    assert sniff_format(path) == "imu_ipol"
    recording = load_recording(path)
    assert isinstance(recording, ImuRecording)
    assert recording.format == "imu_ipol"
    assert recording.sampling_rate_hz == 100.0
    assert recording.left_force is None and recording.right_force is None
    # the same trial whichever file was given, with left and right from the file names
    assert recording.imu.left_foot.path.name == f"{trial}_lf.txt"
    assert recording.imu.right_foot.path.name == f"{trial}_rf.txt"
    assert recording.imu.lower_back is not None and recording.imu.lower_back.path.name == f"{trial}_lb.txt"
    assert recording.n_samples == load_recording(IPOL / f"{trial}_lf.txt").n_samples


@pytest.mark.parametrize("trial", TRIALS[:4])
def test_samples_sit_on_the_packet_counter_clock(trial: str) -> None:
    recording = read_ipol_imu(IPOL / f"{trial}_rf.txt")
    table = np.loadtxt(IPOL / f"{trial}_rf.txt", skiprows=2)
    counter = table[:, 0].astype(int)
    sensor = recording.imu.right_foot
    assert np.array_equal(np.flatnonzero(sensor.received), counter)  # every file of this set starts at 0 or 1
    np.testing.assert_array_equal(sensor.acc_mps2[counter], table[:, 1:4])
    np.testing.assert_array_equal(sensor.gyr_rad_s[counter], table[:, 4:7])
    assert np.isnan(sensor.gyr_rad_s[~sensor.received]).all()
    np.testing.assert_allclose(recording.time_s, np.arange(recording.n_samples) / 100.0)


@pytest.mark.parametrize("trial", TRIALS)
def test_left_and_right_follow_the_file_names(trial: str) -> None:
    """The `_lf` data are the left foot whatever file was opened; nothing is swapped silently."""
    from_right = read_ipol_imu(IPOL / f"{trial}_rf.txt")
    left_table = np.loadtxt(IPOL / f"{trial}_lf.txt", skiprows=2)
    counter = left_table[:, 0].astype(int)
    np.testing.assert_array_equal(from_right.imu.left_foot.gyr_rad_s[counter], left_table[:, 4:7])
    # detected left events agree with the reference's left events (which follow the file names)
    events = _events(trial)
    left_ref = _reference_s(trial, "LeftFootEvents", 1)
    assert _found_share(left_ref, events.heel_strikes_s["left"]) > 0.9
    # ... and the swap is reported, never applied
    warned = any("swapped" in note for note in events.notes)
    assert warned == (trial in SWAPPED)


@pytest.mark.parametrize("trial", TRIALS)
def test_heel_strikes_found_within_150_ms(trial: str) -> None:
    """Regression guard below the benchmark's 97% (benchmarks/gait_events_accuracy.py), both feet pooled."""
    events = _events(trial)
    found = {"heel strike": 0.0, "toe off": 0.0}
    total = 0
    for side, key in (("left", "LeftFootEvents"), ("right", "RightFootEvents")):
        strikes = _reference_s(trial, key, 1)
        offs = _reference_s(trial, key, 0)
        found["heel strike"] += _found_share(strikes, events.heel_strikes_s[side]) * strikes.size
        found["toe off"] += _found_share(offs, events.toe_offs_s[side]) * offs.size
        total += strikes.size
    assert found["heel strike"] / total >= 0.9
    assert found["toe off"] / total >= 0.85


def test_the_first_toe_off_from_standing_is_found() -> None:
    """Each walk starts from standing with a toe off; all but at most one trial find it (in 1-2 two
    small shuffles under 100 deg/s precede the first step)."""
    found = 0
    for trial in TRIALS:
        firsts = {
            side: _reference_s(trial, key, 0)[0]
            for side, key in (("left", "LeftFootEvents"), ("right", "RightFootEvents"))
        }
        side = min(firsts, key=lambda s: firsts[s])
        found += bool(np.min(np.abs(_events(trial).toe_offs_s[side] - firsts[side])) <= TOLERANCE_S)
    assert found >= len(TRIALS) - 1


@pytest.mark.parametrize("trial", TRIALS)
def test_the_u_turn_is_marked_unreliable_and_its_steps_mostly_found(trial: str) -> None:
    reference = _reference(trial)["UTurnBoundaries"]
    assert isinstance(reference, list)
    u0, u1 = reference[0] / 100.0, reference[1] / 100.0
    events = _events(trial)
    assert any(a < u1 and b > u0 and why.startswith("turn") for a, b, why in events.unreliable_spans)
    inside = found = 0
    for side, key in (("left", "LeftFootEvents"), ("right", "RightFootEvents")):
        for column, detected in ((1, events.heel_strikes_s[side]), (0, events.toe_offs_s[side])):
            ref = _reference_s(trial, key, column)
            ref = ref[(ref > u0) & (ref < u1)]
            inside += ref.size
            found += round(_found_share(ref, detected) * ref.size) if ref.size else 0
    assert found >= inside - 2


@pytest.mark.parametrize("trial", ["1-1", "4-1"])
def test_analysis_excludes_the_u_turn(trial: str) -> None:
    assert trial in TRIALS, f"IPOL trial {trial} missing from ../shared/data"
    recording = load_recording(IPOL / f"{trial}_lb.txt")
    assert isinstance(recording, ImuRecording)
    result = analyze_imu_gait(recording)
    assert result["source"]["format"] == "imu_ipol"
    u0, u1 = (b / 100.0 for b in _reference(trial)["UTurnBoundaries"])  # type: ignore[union-attr]
    assert any(t["start_s"] < u1 and t["end_s"] > u0 for t in result["turns"])
    for side in ("left", "right"):
        foot = result["feet"][side]
        assert foot["events"] and foot["strides"]
        middle = (u0 + u1) / 2
        for stride in foot["strides"]:
            if stride["start_s"] <= middle <= stride["end_s"]:
                assert stride["excluded"], stride
        summary = foot["summary"]
        assert 0.9 < summary["stride_time_s"]["mean"] < 1.4
        assert 55.0 < summary["stance_percent"] < 67.0


def test_missing_sibling_is_named(tmp_path: Path) -> None:
    trial = TRIALS[0]
    _copy_trial(trial, tmp_path, ("lf", "lb"))
    with pytest.raises(RecordingError, match=f"{trial}_rf.txt"):
        load_recording(tmp_path / f"{trial}_lf.txt")


def test_missing_lower_back_is_only_a_warning(tmp_path: Path) -> None:
    trial = TRIALS[0]
    _copy_trial(trial, tmp_path, ("lf", "rf"))
    recording = read_ipol_imu(tmp_path / f"{trial}_rf.txt")
    assert recording.imu.lower_back is None
    assert any("lb" in w for w in recording.warnings)


@pytest.mark.parametrize("suffix", ["lf", "rf", "lb"])
def test_truncated_file(tmp_path: Path, suffix: str) -> None:
    trial = TRIALS[0]
    _copy_trial(trial, tmp_path)
    target = tmp_path / f"{trial}_{suffix}.txt"
    data = target.read_bytes()
    target.write_bytes(data[: len(data) // 2 - 7])  # cut in the middle of a row
    with pytest.raises(RecordingError, match="truncated"):
        load_recording(tmp_path / f"{trial}_lf.txt")


def test_header_only_file(tmp_path: Path) -> None:
    trial = TRIALS[0]
    _copy_trial(trial, tmp_path)
    target = tmp_path / f"{trial}_rf.txt"
    target.write_text("\n".join(target.read_text().splitlines()[:2]) + "\n")
    with pytest.raises(RecordingError, match="samples"):
        load_recording(tmp_path / f"{trial}_lf.txt")


def test_non_numeric_value(tmp_path: Path) -> None:
    trial = TRIALS[0]
    _copy_trial(trial, tmp_path)
    target = tmp_path / f"{trial}_lb.txt"
    lines = target.read_text().splitlines()
    fields = lines[100].split("\t")
    fields[4] = "n/a"
    lines[100] = "\t".join(fields)
    target.write_text("\n".join(lines) + "\n")
    with pytest.raises(RecordingError, match="not a number"):
        load_recording(tmp_path / f"{trial}_rf.txt")


def test_junk_bytes_and_junk_text(tmp_path: Path) -> None:
    trial = TRIALS[0]
    _copy_trial(trial, tmp_path)
    (tmp_path / f"{trial}_rf.txt").write_bytes(bytes(range(256)) * 40)
    with pytest.raises(RecordingError):
        read_ipol_imu(tmp_path / f"{trial}_lf.txt")
    (tmp_path / f"{trial}_rf.txt").write_text("hello\nworld\n" * 50)
    with pytest.raises(RecordingError, match="Acquisition frequency"):
        read_ipol_imu(tmp_path / f"{trial}_lf.txt")


def test_a_repeated_counter_drops_that_row_not_the_trial(tmp_path: Path) -> None:
    """A packet written twice (one public IPOL trial has one) costs one row and a warning."""
    trial = TRIALS[0]
    _copy_trial(trial, tmp_path)
    target = tmp_path / f"{trial}_lf.txt"
    lines = target.read_text().splitlines()
    target.write_text("\n".join([*lines[:60], lines[59], *lines[60:]]) + "\n")
    recording = load_recording(target)
    assert isinstance(recording, ImuRecording)
    original = read_ipol_imu(IPOL / f"{trial}_lf.txt")
    np.testing.assert_array_equal(recording.imu.left_foot.acc_mps2, original.imu.left_foot.acc_mps2)
    assert any(
        "PacketCounter repeats or goes back at 1 row(s), first at data row 59" in w
        for w in recording.warnings
    )


def test_a_counter_out_of_order_drops_that_row(tmp_path: Path) -> None:
    trial = TRIALS[0]
    _copy_trial(trial, tmp_path)
    target = tmp_path / f"{trial}_lf.txt"
    lines = target.read_text().splitlines()
    lines[50], lines[51] = lines[51], lines[50]
    target.write_text("\n".join(lines) + "\n")
    recording = load_recording(target)
    assert isinstance(recording, ImuRecording)
    assert (
        recording.imu.left_foot.dropped_packets
        == read_ipol_imu(IPOL / f"{trial}_lf.txt").imu.left_foot.dropped_packets + 1
    )
    assert any("PacketCounter repeats or goes back" in w for w in recording.warnings)


def test_a_counter_that_restarts_is_refused(tmp_path: Path) -> None:
    trial = TRIALS[0]
    _copy_trial(trial, tmp_path)
    target = tmp_path / f"{trial}_lf.txt"
    lines = target.read_text().splitlines()
    target.write_text("\n".join(lines + lines[2:500]) + "\n")
    with pytest.raises(RecordingError, match="PacketCounter does not increase at 498 rows"):
        load_recording(target)


def test_name_without_sensor_suffix(tmp_path: Path) -> None:
    trial = TRIALS[0]
    shutil.copy(IPOL / f"{trial}_lf.txt", tmp_path / "walk.txt")
    assert sniff_format(tmp_path / "walk.txt") == "imu_ipol"
    with pytest.raises(RecordingError, match="_lf"):
        load_recording(tmp_path / "walk.txt")


def test_long_gap_splits_the_analysis(tmp_path: Path) -> None:
    """Half a second of dropped packets: no crash, no event or stride across the gap."""
    trial = TRIALS[0]
    _copy_trial(trial, tmp_path)
    target = tmp_path / f"{trial}_lf.txt"
    lines = target.read_text().splitlines()
    counters = [float(line.split("\t")[0]) for line in lines[2:]]
    lo = next(i for i, c in enumerate(counters) if c >= 1000)
    hi = next(i for i, c in enumerate(counters) if c >= 1050)
    target.write_text("\n".join(lines[: 2 + lo] + lines[2 + hi :]) + "\n")
    recording = load_recording(target)
    assert isinstance(recording, ImuRecording)
    result = analyze_imu_gait(recording)
    for stride in result["feet"]["left"]["strides"]:
        if stride["start_s"] < 10.0 < stride["end_s"]:
            assert stride["excluded"] and "gap" in stride["why_excluded"]
