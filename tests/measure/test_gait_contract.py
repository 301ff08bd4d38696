"""analyze_gait returns the `footchain gait --format json` shape of contracts/measurements.md (v1)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from footchain.measure.gait import SCHEMA_VERSION, Recording, analyze_gait, load_recording
from tests.measure.gait_data import C3D, GAITPDB_CONTROLS, MOTICON_FILES, PEDAR

CONTRACT_FORMATS = {"gaitpdb", "moticon", "pedar", "c3d", "imu_ipol", "csv"}


def _check_shape(result: dict[str, Any]) -> None:
    assert result["schema_version"] == SCHEMA_VERSION == 1
    source = result["source"]
    assert set(source) >= {"path", "format", "sampling_rate_hz", "duration_s"}
    assert source["format"] in CONTRACT_FORMATS
    assert set(result["feet"]) == {"left", "right"}
    for foot in result["feet"].values():
        assert set(foot) >= {"events", "strides", "summary"}
        for event in foot["events"]:
            assert set(event) >= {"heel_strike_s", "toe_off_s"}
            assert isinstance(event["heel_strike_s"], float)
        for stride in foot["strides"]:
            assert set(stride) >= {
                "start_s",
                "end_s",
                "stride_time_s",
                "stance_time_s",
                "swing_time_s",
                "excluded",
                "why_excluded",
            }
            assert isinstance(stride["excluded"], bool)
            assert (stride["why_excluded"] is None) != stride["excluded"]
        summary = foot["summary"]
        assert set(summary) >= {"strides", "stride_time_s", "stance_percent", "cadence_steps_per_min"}
        assert set(summary["stride_time_s"]) == {"mean", "sd", "cv_percent"}
    assert set(result["summary"]) >= {"symmetry_index_percent", "double_support_percent", "cop"}
    assert set(result["summary"]["symmetry_index_percent"]) >= {"stride_time", "stance_time"}
    assert isinstance(result["warnings"], list) and all(isinstance(w, str) for w in result["warnings"])
    # valid strict JSON: no NaN or infinity anywhere
    json.dumps(result, allow_nan=False)


def _files() -> list[Path]:
    return [*GAITPDB_CONTROLS[:1], *MOTICON_FILES, PEDAR, C3D / "BTS.c3d", C3D / "FP_Type3.c3d"]


@pytest.mark.parametrize("path", _files(), ids=lambda p: p.name)
def test_result_follows_the_contract(path: Path) -> None:
    result = analyze_gait(load_recording(path))
    _check_shape(result)
    assert result["source"]["path"] == str(path)


def test_summary_counts_match_the_stride_list() -> None:
    result = analyze_gait(load_recording(GAITPDB_CONTROLS[0]))
    for foot in result["feet"].values():
        included = [s for s in foot["strides"] if not s["excluded"]]
        assert foot["summary"]["strides"] == len(included)
        mean = np.mean([s["stride_time_s"] for s in included])
        assert foot["summary"]["stride_time_s"]["mean"] == pytest.approx(mean, abs=0.002)
        # every stride starts at a detected heel strike
        strikes = {e["heel_strike_s"] for e in foot["events"]}
        assert all(s["start_s"] in strikes for s in foot["strides"])


def test_few_strides_earn_a_warning() -> None:
    result = analyze_gait(load_recording(MOTICON_FILES[0]))
    assert any("needs at least 20" in w for w in result["warnings"])


def test_recording_with_no_foot_gives_empty_feet() -> None:
    t = np.arange(0, 5, 0.01)
    rec = Recording(
        path=None, format="csv", sampling_rate_hz=100.0, time_s=t, left_force=None, right_force=None
    )
    result = analyze_gait(rec)
    _check_shape(result)
    assert result["feet"]["left"]["summary"]["strides"] == 0
