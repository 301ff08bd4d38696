"""Gait recordings in an intake become gait findings of the assessment.

Real recordings: PhysioNet "Gait in Parkinson's Disease" (gaitpdb; Hausdorff et al., Frenkel-Toledo
et al. 2005, Yogev et al. 2005; ODC-By 1.0), read in place from ../shared/data. Cut-offs: symmetry
index |SI| < 10% symmetric (Robinson et al. 1987); stride-time CV (Hausdorff et al. 1999; cut-off in
thresholds.toml, footchain policy).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from footchain.engine import assess
from footchain.errors import FootchainError
from footchain.findings.gait import assess_gait, merge_conditions
from footchain.knowledge import load_knowledge
from footchain.measure.intake_files import measure_intake_files
from footchain.types import Assessment, Condition, GaitInput, Intake
from tests.shared import DATA

GAITPDB = DATA / "gaitpdb"
CONTROL = GAITPDB / "GaCo01_01.txt"
PARKINSON = GAITPDB / "GaPt03_01.csv"
NO_RECORDING = "No gait recording"


# gaitpdb sensor layout along the foot (data set description): heel sensor 1, toe sensor 8.
_SENSOR_Y = np.array([-800, -400, -400, 0, 0, 400, 400, 800], dtype=float)


def _stance_sensors(n: int, peak_n: float) -> np.ndarray:
    """Eight sensor forces over one stance: load rises and falls, rolling from heel to toe."""
    phase = np.linspace(0.0, 1.0, n)
    total = peak_n * np.sin(np.pi * phase) ** 0.6
    centre = -800.0 + 1600.0 * phase  # where the load sits along the foot
    weights = np.exp(-(((_SENSOR_Y[None, :] - centre[:, None]) / 500.0) ** 2))
    weights /= weights.sum(axis=1, keepdims=True)
    return total[:, None] * weights


def write_gaitpdb(
    path: Path,
    *,
    stance_left_s: float,
    stance_right_s: float,
    stride_s: float = 1.1,
    strides: int = 60,
    jitter_s: float = 0.012,
    rate_hz: float = 100.0,
) -> Path:
    """A small gaitpdb-format recording (19 tab-separated columns) with the given stance times.

    Left and right alternate half a stride apart; each stride time varies a little (``jitter_s``),
    as in healthy walking, so stride-time variability stays low.
    """
    rng = np.random.default_rng(7)
    stride_times = stride_s + rng.normal(0.0, jitter_s, strides)
    starts = np.concatenate(([0.5], 0.5 + np.cumsum(stride_times)))
    n = int((starts[-1] + 2.0) * rate_hz)
    left = np.zeros((n, 8))
    right = np.zeros((n, 8))
    for start, stride in zip(starts[:-1], stride_times, strict=True):
        for sensors, stance, offset in ((left, stance_left_s, 0.0), (right, stance_right_s, stride / 2)):
            a = int(np.rint((start + offset) * rate_hz))
            m = int(np.rint(stance * rate_hz))
            if a + m < n:
                sensors[a : a + m] += _stance_sensors(m, 700.0)
    time = np.arange(n) / rate_hz
    table = np.column_stack([time, left, right, left.sum(axis=1), right.sum(axis=1)])
    lines = ["\t".join([f"{row[0]:.4f}", *(f"{v:.2f}" for v in row[1:])]) for row in table]
    path.write_text("\n".join(lines) + "\n", encoding="ascii")
    return path


def _measured_assessment(intake: dict[str, Any], base_dir: Path = Path("/")) -> Assessment:
    """Measure the intake's files as the CLI does, then assess."""
    measured = measure_intake_files(Intake.model_validate(intake), base_dir)
    return assess(measured.intake, gait=measured.gait)


def _intake(recordings: list[str], **extra: Any) -> dict[str, Any]:
    return {"schema_version": 1, "files": {"gait_recordings": recordings}, **extra}


def _condition(assessment: Assessment, cid: str) -> Condition | None:
    return next((c for c in assessment.conditions if c.id == cid), None)


def test_a_healthy_control_gives_no_asymmetry_and_counts_as_measured_gait() -> None:
    assessment = _measured_assessment(_intake([str(CONTROL)]))
    assert _condition(assessment, "gait_asymmetry") is None
    assert _condition(assessment, "high_stride_variability") is None
    assert not any(text.startswith(NO_RECORDING) for text in assessment.limits)
    # what the recording cannot show is said, not guessed
    assert any("rolls inwards while walking could not be judged" in t for t in assessment.limits)
    assert _condition(assessment, "pronated_foot_function") is None


def test_without_a_recording_the_limit_stays() -> None:
    assessment = assess({"schema_version": 1})
    assert any(text.startswith(NO_RECORDING) for text in assessment.limits)


def test_an_asymmetric_recording_gives_gait_asymmetry_and_reaches_the_lower_back(tmp_path: Path) -> None:
    recording = write_gaitpdb(tmp_path / "limp.txt", stance_left_s=0.60, stance_right_s=0.76)
    intake = _intake(
        ["limp.txt"],
        person={"sex": "male", "age_years": 45},
        pain=[{"region": "lower_back", "side": "midline", "intensity": 5}],
    )
    assessment = _measured_assessment(intake, recording.parent)
    asym = _condition(assessment, "gait_asymmetry")
    assert asym is not None
    assert asym.confidence == "moderate"  # measured: more than shoe wear's "low"
    assert asym.side is None
    assert any("stance time differs" in b and "Robinson 1987" in b for b in asym.because)
    assert any(b.startswith("limp.txt:") for b in asym.because)
    back = [e for e in assessment.chain if e.region == "lower_back" and e.condition == "gait_asymmetry"]
    assert back and back[0].evidence == "theoretical"
    assert back[0].path[0] == "foot" and back[0].path[-1] == "lower_back"
    assert _condition(assessment, "high_stride_variability") is None


def test_relative_recordings_are_read_from_the_intakes_folder(tmp_path: Path) -> None:
    folder = tmp_path / "case"
    folder.mkdir()
    write_gaitpdb(folder / "walk.txt", stance_left_s=0.60, stance_right_s=0.76)
    measured = measure_intake_files(Intake.model_validate(_intake(["walk.txt"])), folder)
    assert measured.notes == [] and [g.name for g in measured.gait] == ["walk.txt"]
    assert _condition(assess(measured.intake, gait=measured.gait), "gait_asymmetry") is not None


def test_a_symmetric_synthetic_recording_gives_no_asymmetry(tmp_path: Path) -> None:
    recording = write_gaitpdb(tmp_path / "even.txt", stance_left_s=0.68, stance_right_s=0.68)
    assert _condition(_measured_assessment(_intake([str(recording)])), "gait_asymmetry") is None


def test_gait_findings_never_override_red_flags(tmp_path: Path) -> None:
    recording = write_gaitpdb(tmp_path / "limp.txt", stance_left_s=0.60, stance_right_s=0.76)
    plain = _measured_assessment(
        _intake([str(recording)], pain=[{"region": "lower_back", "side": "midline", "intensity": 6}])
    )
    flagged = _measured_assessment(
        _intake(
            [str(recording)],
            pain=[{"region": "lower_back", "side": "midline", "intensity": 6}],
            health={"saddle_numbness": True},
        )
    )
    assert _condition(flagged, "gait_asymmetry") is not None
    assert flagged.referral.urgency == "emergency"
    assert flagged.insole.status == "deferred"
    assert plain.referral.urgency != "emergency"


def test_parkinsons_recording_gives_high_stride_variability() -> None:
    assessment = _measured_assessment(_intake([str(PARKINSON)]))
    variable = _condition(assessment, "high_stride_variability")
    assert variable is not None
    assert variable.side == "both"
    assert variable.confidence == "moderate"
    assert all("Hausdorff" not in b or "%" in b for b in variable.because)
    assert any("stride time varies by" in b for b in variable.because)


def test_too_few_strides_is_a_limit_not_a_finding(tmp_path: Path) -> None:
    recording = write_gaitpdb(tmp_path / "short.txt", stance_left_s=0.65, stance_right_s=0.65, strides=8)
    assessment = _measured_assessment(_intake([str(recording)]))
    assert _condition(assessment, "high_stride_variability") is None
    assert any(
        "variability of the left foot not judged" in t and "at least 20" in t for t in assessment.limits
    )


def test_an_unreadable_recording_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "empty.txt").write_text("")
    with pytest.raises(FootchainError, match="empty"):
        measure_intake_files(Intake.model_validate(_intake(["empty.txt"])), tmp_path)


def test_measured_gait_strengthens_shoe_wear_support() -> None:
    wear = Condition(id="gait_asymmetry", side=None, confidence="low", because=["shoes wear differently"])
    result = {
        "feet": {},
        "summary": {"symmetry_index_percent": {"stride_time": 1.0, "stance_time": 15.0}},
        "warnings": ["a reader warning"],
    }
    measured, limits = assess_gait([GaitInput("walk.txt", result)], load_knowledge())
    merged = merge_conditions([wear], measured)
    assert len(merged) == 1
    assert merged[0].confidence == "moderate"
    assert merged[0].because[-1] == "shoes wear differently"
    assert "walk.txt: a reader warning" in limits


def test_the_cutoffs_come_from_knowledge_with_their_sources() -> None:
    thresholds = load_knowledge().thresholds
    assert thresholds.gait.symmetric_below_percent == 10.0
    rule = thresholds.stride_variability
    assert rule.high_cv_at_least_percent > rule.healthy_young_cv_percent == 1.3
    assert rule.grade == "M" and "Hausdorff" in rule.source
    assert thresholds.confidence.gait_recording == "moderate"


def test_a_foot_the_recording_does_not_hold_is_named_once_not_judged() -> None:
    # an F-Scan insole under the left foot only (pressuRe's sample): the right foot is absent
    from footchain.measure.gait import analyze_gait, load_recording

    result = analyze_gait(load_recording(DATA / "pressure" / "fscan_testL.asf"))
    _, limits = assess_gait([GaitInput("fscan_testL.asf", result)], load_knowledge())
    assert "fscan_testL.asf: the right foot was not recorded, so its gait was not measured." in limits
    assert not any("variability of the right foot" in limit for limit in limits)
    assert any("variability of the left foot not judged: 4 usable strides" in limit for limit in limits)
