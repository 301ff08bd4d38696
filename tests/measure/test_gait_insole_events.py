"""Insole toe off as a share of the stance peak; force plates keep the absolute 10 N threshold.

Real recordings read in place from ../shared/data: PhysioNet "Gait in Parkinson's Disease" (gaitpdb,
Hausdorff et al., ODC-By 1.0), Moticon OpenGo test data with the vendor's gait report
(moticon-rego/moticon-opengo, Apache-2.0), the pedar example of pressuRe (Telfer et al., MIT) and
the ezc3d test files (pyomeca/ezc3d-testFiles, GPL-3.0, fixtures only). Normal stance is 60–62% of
the stride and insoles overestimate it by < 10% (domain.md §4); the insole rule follows the
normalised pressure-sum thresholds of Blades et al. (2023, Sensors 23:2736).
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import openpyxl
import pytest

from footchain.measure.gait import Recording, RecordingError, load_recording
from footchain.measure.gait.contacts import Contact
from footchain.measure.gait.events import (
    INSOLE_FORMATS,
    INSOLE_TOE_OFF_SHARE_OF_PEAK,
    default_thresholds,
    detect_contacts,
    insole_toe_off_share,
)
from footchain.measure.gait.strides import strides_from_contacts, summarize_strides
from tests.measure.gait_data import C3D_FILES, GAITPDB_CONTROLS, MOTICON, PEDAR

RATE = 100.0
SIDES = ("left", "right")


def slow_unloading_force(
    n_strides: int = 10, stride_s: float = 1.1, stance_s: float = 0.68, peak_n: float = 800.0
) -> tuple[np.ndarray, np.ndarray, list[float], list[float]]:
    """Half-sine stances followed by a slow exponential sensor recovery (80 N, τ = 80 ms)."""
    t = np.arange(0.0, 0.3 + n_strides * stride_s + 1.0, 1.0 / RATE)
    force = np.zeros_like(t)
    strikes, offs = [], []
    for k in range(n_strides):
        hs = 0.3 + k * stride_s
        to = hs + stance_s
        inside = (t >= hs) & (t < to)
        force[inside] += peak_n * np.sin(math.pi * (t[inside] - hs) / stance_s)
        tail = (t >= to) & (t < hs + stride_s)
        force[tail] += 80.0 * np.exp(-(t[tail] - to) / 0.08)
        strikes.append(hs)
        offs.append(to)
    return t, force, strikes, offs


def contacts_of(recording: Recording, side: str, share: float | None) -> list[Contact]:
    force = recording.force(side)  # type: ignore[arg-type]
    assert force is not None
    thresholds = default_thresholds(force, recording.force_in_newtons, toe_off_share_of_peak=share)
    return detect_contacts(force, recording.time_s, recording.sampling_rate_hz, thresholds)


def stance_percent(contacts: list[Contact]) -> float:
    value = summarize_strides(strides_from_contacts(contacts))["stance_percent"]
    assert isinstance(value, float)
    return value


def test_insole_formats_get_the_share_and_force_plates_do_not() -> None:
    assert {"gaitpdb", "moticon", "pedar"} == INSOLE_FORMATS
    for name in INSOLE_FORMATS:
        assert insole_toe_off_share(name) == INSOLE_TOE_OFF_SHARE_OF_PEAK
    for name in ("c3d", "csv", "imu_ipol"):
        assert insole_toe_off_share(name) is None


def test_share_of_peak_ends_a_slowly_unloading_stance_at_the_true_toe_off() -> None:
    t, force, strikes, offs = slow_unloading_force()
    old = detect_contacts(force, t, RATE, default_thresholds(force, True))
    new = detect_contacts(force, t, RATE, default_thresholds(force, True, toe_off_share_of_peak=0.1))
    assert len(old) == len(new) == len(offs)
    # the 10 N rule waits for the tail: 80 ms × ln(8) ≈ 166 ms late (less, sampled at 100 Hz)
    assert np.all(np.array([c.end_s for c in old]) - offs > 0.12)
    # 10% of the peak is reached ≈ 22 ms before the end of the half-sine
    assert np.all(np.abs(np.array([c.end_s for c in new]) - offs) < 0.03)
    # heel strikes do not change
    assert [c.start_s for c in new] == [c.start_s for c in old]
    np.testing.assert_allclose([c.start_s for c in new], strikes, atol=0.011)


def test_share_of_peak_never_ends_a_stance_later_than_the_absolute_rule() -> None:
    t, force, _, _ = slow_unloading_force()
    rng = np.random.default_rng(3)
    noisy = force + rng.normal(0.0, 5.0, force.shape)
    for share in (0.01, 0.05, 0.1, 0.3, 0.9):
        old = detect_contacts(noisy, t, RATE, default_thresholds(noisy, True))
        new = detect_contacts(noisy, t, RATE, default_thresholds(noisy, True, toe_off_share_of_peak=share))
        assert len(old) == len(new)
        assert all(n.end_s <= o.end_s + 1e-12 for n, o in zip(new, old, strict=True))
        assert all(n.end_s > n.start_s for n in new)


def test_share_of_peak_is_checked_and_reported() -> None:
    force = np.linspace(0.0, 500.0, 50)
    for bad in (0.0, 1.0, -0.1, 1.5):
        with pytest.raises(RecordingError, match="share of the stance peak"):
            default_thresholds(force, True, toe_off_share_of_peak=bad)
    thresholds = default_thresholds(force, False, toe_off_share_of_peak=0.1)
    assert thresholds.toe_off_share_of_peak == 0.1
    assert "10% of the stance's own peak" in thresholds.how
    assert "peak" not in default_thresholds(force, True).how


def test_cut_toe_off_stays_at_the_segment_edge() -> None:
    t, force, _, _ = slow_unloading_force(n_strides=2)
    cut = t < 0.3 + 0.5  # recording ends in mid-stance
    contacts = detect_contacts(
        force[cut], t[cut], RATE, default_thresholds(force, True, toe_off_share_of_peak=0.1)
    )
    assert len(contacts) == 1
    assert not contacts[0].toe_off_seen
    assert contacts[0].end_s == pytest.approx(t[cut][-1])


@pytest.mark.parametrize("path", GAITPDB_CONTROLS, ids=lambda p: Path(p).name)
def test_gaitpdb_controls_stance_is_near_normal_with_the_insole_rule(path: Path) -> None:
    recording = load_recording(path)
    share = insole_toe_off_share(recording.format)
    assert share is not None
    for side in SIDES:
        old = stance_percent(contacts_of(recording, side, None))
        new = stance_percent(contacts_of(recording, side, share))
        assert 57.0 <= new <= 65.0, f"{side}: stance {new:.1f}% (old rule {old:.1f}%)"
        assert new < old


def test_pedar_toe_offs_are_not_later_with_the_insole_rule() -> None:
    assert PEDAR.is_file(), "pedar example missing from ../shared/data"
    recording = load_recording(PEDAR)
    share = insole_toe_off_share(recording.format)
    for side in SIDES:
        old, new = contacts_of(recording, side, None), contacts_of(recording, side, share)
        assert len(old) == len(new)
        assert all(n.end_s <= o.end_s for n, o in zip(new, old, strict=True))


def _vendor_toe_offs(path: Path) -> dict[str, np.ndarray]:
    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    out = {}
    for side in SIDES:
        rows = list(book[f"{side.capitalize()} Steps"].iter_rows(values_only=True))
        column = [str(h) for h in rows[0]].index("Toe off (s)")
        out[side] = np.array([float(r[column]) for r in rows[1:] if r[column] is not None])
    book.close()
    return out


def test_moticon_toe_offs_match_the_vendor_report() -> None:
    report = MOTICON / "gait_report_230927_10_21_14.xlsx"
    recording_path = MOTICON / "230927_102114.txt"
    assert report.is_file() and recording_path.is_file(), "Moticon files missing from ../shared/data"
    reference = _vendor_toe_offs(report)
    recording = load_recording(recording_path)
    errors = []
    for side in SIDES:
        found = np.array(
            [
                c.end_s
                for c in contacts_of(recording, side, insole_toe_off_share(recording.format))
                if c.toe_off_seen
            ]
        )
        errors += [float(np.min(np.abs(found - r))) for r in reference[side]]
    errors_ms = 1000 * np.array(errors)
    assert errors_ms.size == 14
    assert np.median(errors_ms) <= 20.0
    assert np.mean(errors_ms <= 150.0) >= 0.97


@pytest.mark.parametrize("path", C3D_FILES, ids=lambda p: Path(p).name)
def test_force_plates_keep_the_absolute_toe_off(path: Path) -> None:
    try:
        recording = load_recording(path)
    except RecordingError as error:  # a C3D file without force plates says so, and has no toe offs
        assert "force plate" in str(error)
        return
    assert insole_toe_off_share(recording.format) is None
    for plate in recording.plates:
        plain = default_thresholds(plate.force_n, True)
        chosen = default_thresholds(
            plate.force_n, True, toe_off_share_of_peak=insole_toe_off_share(recording.format)
        )
        assert chosen == plain
        assert plain.toe_off == pytest.approx(plain.baseline + 10.0)
        args = (plate.force_n, recording.time_s, recording.sampling_rate_hz)
        assert detect_contacts(*args, chosen, min_contact_s=0.05) == detect_contacts(
            *args, plain, min_contact_s=0.05
        )
