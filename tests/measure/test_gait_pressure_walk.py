"""Dynamic plantar-pressure exports read as gait recordings, with CPEI (Song et al. 1996, JAPMA 86:16).

Real files are read in place from ``../shared/data/pressure`` (vendor examples of the R package
pressuRe, Telfer et al., MIT); broken copies are made in ``tmp_path``. What the samples hold, found
by reading them:

* ``emed_test.lst``: one step of a right foot on an emed platform, 106 frames at 100 Hz;
* ``footscan_test.xls``: one step of a right foot (the file says "Right foot data"), 500 Hz;
* ``fscan_testL.asf``: an F-Scan insole under a left foot, six stances of an overground walk, 31.25 Hz;
* ``xsensor_data.csv``: both XSENSOR insoles (sensor names ``-LF``/``-RF``) over 1.3 s of a walk;
* ``pliance_test.asc``: one 11 s loading of a foot on a pliance mat (at most 211 N): not a walking step;
* ``iscan_test.csv``: a finger pressing an I-Scan sensor of 36 × 36 mm: not a foot.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from footchain.batch import run_batch
from footchain.findings.gait import assess_gait
from footchain.knowledge import load_knowledge
from footchain.measure.gait import RecordingError, analyze_gait, load_recording, sniff_format
from footchain.measure.gait.cpei import CPEI_CAVEAT
from footchain.present.gait_text import render_gait_text
from footchain.types import GaitInput
from tests.shared import DATA

PRESSURE = DATA / "pressure"
FOOTCHAIN = Path(sys.executable).with_name("footchain")

# sample → (feet with their side, feet with a CPEI, one step per file)
WALKS: dict[str, tuple[tuple[str, ...], tuple[str, ...], bool]] = {
    "emed_test.lst": (("right",), ("right",), True),
    "footscan_test.xls": (("right",), ("right",), True),
    "fscan_testL.asf": (("left",), ("left",), False),
    "xsensor_data.csv": (("left", "right"), ("left",), False),
}


def _analyse(name: str) -> tuple[Any, dict[str, Any]]:
    recording = load_recording(PRESSURE / name)
    return recording, analyze_gait(recording)


@pytest.mark.parametrize("name", [*sorted(WALKS), "pliance_test.asc", "iscan_test.csv"])
def test_dynamic_pressure_exports_are_sniffed_as_pressure_walks(name: str) -> None:
    assert sniff_format(PRESSURE / name) == "pressure_walk"


@pytest.mark.parametrize("name", sorted(WALKS))
def test_every_walking_sample_reads_with_plausible_values(name: str) -> None:
    sides, with_cpei, one_step = WALKS[name]
    recording, result = _analyse(name)
    assert recording.format == "pressure_walk" and result["source"]["format"] == "pressure_walk"
    assert recording.force_unit == "N" and recording.sensor_position_unit == "mm"
    for side in ("left", "right"):
        force = recording.force(side)
        if side not in sides:
            assert force is None
            continue
        assert force is not None
        # a walking step loads the foot with about body weight (a few hundred N to about 1.3 kN); a
        # foot whose stances the recording cuts (xsensor's right insole) peaks lower
        assert (300.0 if side in with_cpei else 150.0) < float(np.nanmax(force)) < 2000.0
        positions = recording.sensor_positions(side)
        assert positions is not None and recording.sensors(side) is not None
        # cells in the foot's frame: a foot's length from heel to toe, a foot's width across
        assert 180.0 < float(np.ptp(positions[:, 1])) < 320.0
        assert 40.0 < float(np.ptp(positions[:, 0])) < 130.0
        assert any(f"{side} foot: side" in w for w in recording.warnings)
        stances = [
            e["toe_off_s"] - e["heel_strike_s"] for e in result["feet"][side]["events"] if e["toe_off_s"]
        ]
        if side in with_cpei:
            assert stances and all(0.4 <= s <= 1.2 for s in stances), stances
    if one_step:
        (side,) = sides
        assert len(result["feet"][side]["events"]) == 1
        assert result["feet"][side]["summary"]["strides"] == 0
        assert "one stance" in result["feet"][side]["summary"]["why_no_strides"]
    cop = result["summary"]["cop"]
    for side in with_cpei:
        entry = cop[side]
        assert entry["unit"] == "mm" and entry["progression_y_mean"] > 100.0  # heel to toe
        assert entry["cpei_stances"] >= 1
        assert -25.0 <= entry["cpei_percent"] <= 45.0
        assert entry["cpei_caveat"] == CPEI_CAVEAT


def test_cpei_values_of_the_samples() -> None:
    """The values footchain gives the samples (a regression check, not a reference)."""
    expected = {
        ("emed_test.lst", "right"): 26.1,
        ("footscan_test.xls", "right"): 4.5,
        ("fscan_testL.asf", "left"): -2.7,
        ("xsensor_data.csv", "left"): 21.6,
    }
    for (name, side), value in expected.items():
        _, result = _analyse(name)
        assert result["summary"]["cop"][side]["cpei_percent"] == pytest.approx(value, abs=0.05), name


def test_the_insole_walk_gives_strides() -> None:
    _, result = _analyse("fscan_testL.asf")
    summary = result["feet"]["left"]["summary"]
    assert summary["strides"] == 4
    assert 1.0 < summary["stride_time_s"]["mean"] < 1.3
    assert 55.0 < summary["stance_percent"] < 70.0
    assert result["summary"]["cop"]["left"]["cpei_stances"] == 5


def test_the_platform_step_is_padded_with_a_warning() -> None:
    recording, result = _analyse("emed_test.lst")
    assert recording.n_samples == 108  # 106 frames and an unloaded frame before and after
    assert recording.left_force is None and recording.right_force is not None
    assert recording.right_force[0] == 0.0 and recording.right_force[-1] == 0.0
    assert any("first frame already carries" in w for w in recording.warnings)
    (event,) = result["feet"]["right"]["events"]
    assert 0.0 < event["heel_strike_s"] < 0.02 and 1.0 < event["toe_off_s"] < 1.08


def test_the_file_label_decides_the_side() -> None:
    recording, _ = _analyse("footscan_test.xls")
    assert any("right foot: side from the file's own label" in w for w in recording.warnings)
    both, _ = _analyse("xsensor_data.csv")
    assert both.left_force is not None and both.right_force is not None
    assert "mmHg" in " ".join(both.warnings)  # converted to newtons with the cell area


def test_a_long_loading_that_is_not_a_step_gives_no_cpei() -> None:
    recording, result = _analyse("pliance_test.asc")
    assert recording.format == "pressure_walk"
    (event,) = result["feet"]["left"]["events"]
    assert event["toe_off_s"] - event["heel_strike_s"] > 2.0  # an 11 s loading, not a stance
    assert result["summary"]["cop"] is None  # the COP path needs stances of 0.2–2 s


def test_a_finger_on_a_small_sensor_is_not_a_foot() -> None:
    with pytest.raises(RecordingError, match="not a foot"):
        load_recording(PRESSURE / "iscan_test.csv")


# ---------------------------------------------------------------------------------- broken copies


def _lines(name: str) -> list[str]:
    return (PRESSURE / name).read_bytes().decode("latin-1").split("\n")


def _write(tmp_path: Path, name: str, lines: list[str]) -> Path:
    path = tmp_path / name
    path.write_bytes("\n".join(lines).encode("latin-1"))
    return path


def _tekscan_frames(lines: list[str]) -> list[int]:
    return [i for i, line in enumerate(lines) if line.startswith("Frame ")]


def test_a_truncated_export_is_refused(tmp_path: Path) -> None:
    lines = _lines("fscan_testL.asf")
    cut = "\n".join(lines)[: len("\n".join(lines)) // 2]
    path = tmp_path / "cut.asf"
    path.write_bytes(cut.rsplit(",", 3)[0].encode("latin-1"))
    with pytest.raises(RecordingError, match="truncated"):
        load_recording(path)
    emed = (PRESSURE / "emed_test.lst").read_bytes()
    (tmp_path / "cut.lst").write_bytes(emed[: len(emed) // 2].rsplit(b"\t", 3)[0])
    with pytest.raises(RecordingError, match="truncated"):
        load_recording(tmp_path / "cut.lst")
    xls = (PRESSURE / "footscan_test.xls").read_bytes()
    (tmp_path / "cut.xls").write_bytes(xls[: len(xls) // 3])
    with pytest.raises(RecordingError, match="damaged or truncated"):
        load_recording(tmp_path / "cut.xls")


def test_a_frame_cut_short_is_refused(tmp_path: Path) -> None:
    lines = _lines("fscan_testL.asf")
    starts = _tekscan_frames(lines)
    middle = starts[len(starts) // 2]
    del lines[middle + 5]  # one sensor row missing from a frame in the middle
    with pytest.raises(RecordingError, match=r"59 of its 60 rows"):
        load_recording(_write(tmp_path, "short.asf", lines))


def test_zero_pressure_throughout_is_refused(tmp_path: Path) -> None:
    lines = _lines("fscan_testL.asf")
    head = lines.index("ASCII_DATA @@")
    zeroed = lines[: head + 1] + [
        ",".join("0" if cell.strip() not in ("B", "") else cell for cell in line.split(","))
        if "," in line and not line.startswith("Frame")
        else line
        for line in lines[head + 1 :]
    ]
    with pytest.raises(RecordingError, match="no cell has any pressure"):
        load_recording(_write(tmp_path, "zero.asf", zeroed))


def test_a_single_static_picture_is_refused_for_gait(tmp_path: Path) -> None:
    lines = _lines("fscan_testL.asf")
    starts = _tekscan_frames(lines)
    one = [*lines[: starts[1]], "@@"]
    path = _write(tmp_path, "one.asf", one)
    assert sniff_format(path) == "pressure_walk"
    with pytest.raises(RecordingError, match="one picture, no time: use footchain footprint"):
        load_recording(path)


def test_a_recording_without_a_frame_rate_needs_one(tmp_path: Path) -> None:
    lines = [line for line in _lines("fscan_testL.asf") if not line.startswith("SECONDS_PER_FRAME")]
    path = _write(tmp_path, "norate.asf", lines)
    with pytest.raises(RecordingError, match="does not state its frame rate"):
        load_recording(path)
    recording = load_recording(path, sampling_rate_hz=31.25)
    assert recording.sampling_rate_hz == 31.25
    with pytest.raises(RecordingError, match="does not match"):
        load_recording(PRESSURE / "fscan_testL.asf", sampling_rate_hz=100.0)


# ------------------------------------------------------------------------- CLI, batch, findings


def test_cli_gait_json_has_cpei() -> None:
    done = subprocess.run(
        [str(FOOTCHAIN), "gait", str(PRESSURE / "emed_test.lst"), "--format", "json"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["source"]["format"] == "pressure_walk"
    assert result["summary"]["cop"]["right"]["cpei_percent"] == pytest.approx(26.1)


def test_cli_gait_refuses_a_static_picture_without_a_traceback(tmp_path: Path) -> None:
    lines = _lines("fscan_testL.asf")
    one = [*lines[: _tekscan_frames(lines)[1]], "@@"]
    done = subprocess.run(
        [str(FOOTCHAIN), "gait", str(_write(tmp_path, "one.asf", one))],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode != 0
    assert "one picture, no time" in done.stderr and "Traceback" not in done.stderr


def test_text_shows_cpei_per_foot_with_the_caveat() -> None:
    _, result = _analyse("xsensor_data.csv")
    text = render_gait_text(result)
    row = next(line for line in text.splitlines() if "CPEI (Song 1996)" in line)
    assert "21.6 % (1 stance)" in row and "—" in row  # the right insole has no complete stance
    assert "uncertain" in text and "more medially" in text


def test_batch_analyses_the_pressure_walks(tmp_path: Path) -> None:
    root = tmp_path / "walks"
    root.mkdir()
    for name in [*WALKS, "iscan_test.csv", "stappone_example.csv"]:
        (root / name).symlink_to(PRESSURE / name)
    result = run_batch(root, workers=1)
    analysed = {Path(row["path"]).name: row for row in result.rows}
    assert set(analysed) == set(WALKS)
    assert all(row["format"] == "pressure_walk" for row in analysed.values())
    assert analysed["fscan_testL.asf"]["left_strides"] == 4
    assert analysed["emed_test.lst"]["right_cpei_percent"] == pytest.approx(26.1)
    assert analysed["emed_test.lst"]["left_cpei_percent"] is None
    failed = {Path(path).name: message for path, message in result.failures}
    assert set(failed) == {"iscan_test.csv", "stappone_example.csv"}
    assert "not a foot" in failed["iscan_test.csv"]


def test_findings_report_cpei_with_its_caveat_and_no_verdict() -> None:
    _, result = _analyse("emed_test.lst")
    conditions, limits = assess_gait([GaitInput("step.lst", result)], load_knowledge())
    assert not any(c.id == "pronated_foot_function" for c in conditions)
    (limit,) = [text for text in limits if "CPEI" in text]
    assert "right 26.1% (mean of 1 stance)" in limit
    assert "more medially" in limit and "rolling in" in limit
    assert "uncertain" in limit and "does not call a foot pronated" in limit


def test_findings_say_why_a_foot_has_no_cpei(tmp_path: Path) -> None:
    _, result = _analyse("xsensor_data.csv")
    _, limits = assess_gait([GaitInput("walk.csv", result)], load_knowledge())
    (limit,) = [text for text in limits if "CPEI" in text]
    assert "left 21.6% (mean of 1 stance)" in limit and "right 2" not in limit
    # a stance whose centre of pressure never reaches the forefoot gives no CPEI, and says so
    entry = result["summary"]["cop"]["left"]
    result["summary"]["cop"]["left"] = {
        **entry,
        "cpei_percent": None,
        "cpei_stances": 0,
        "cpei_not_measured": "CPEI not measured: the centre of pressure never reaches 67% of the foot length",
    }
    _, limits = assess_gait([GaitInput("walk.csv", result)], load_knowledge())
    (limit,) = [text for text in limits if "CPEI" in text]
    assert "left foot: CPEI not measured: the centre of pressure never reaches 67%" in limit
    assert "uncertain" in limit


def test_the_cop_figure_draws_the_outline_and_the_cpei_construction(tmp_path: Path) -> None:
    from footchain.measure.gait.figures import draw_figures

    recording, result = _analyse("emed_test.lst")
    written = draw_figures(recording, result, tmp_path, suffix=".svg")
    assert set(written) == {"force", "cop"}  # one step: no stride to draw
    svg = written["cop"].read_text()
    for label in ("construction line", "67% of foot length", "CPEI excursion", "loaded cells (outline)"):
        assert label in svg
    assert "CPEI 26.1 % (mean of 1); first stance drawn" in svg


def test_insole_recordings_are_recognised_without_loading_the_pressure_readers() -> None:
    """The text formats are checked first: reading a gaitpdb trial never pays for the footprint
    package (OpenCV, the vendor pressure readers), which only pressure walks need."""
    import subprocess
    import sys

    script = (
        "import sys\n"
        "from footchain.measure.gait import load_recording\n"
        f"load_recording({str(DATA / 'gaitpdb' / 'GaCo01_01.txt')!r})\n"
        "print('footchain.measure.footprint.pressure' in sys.modules, 'cv2' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=True
    )
    assert done.stdout.split() == ["False", "False"]
