"""`footchain gait` through a real subprocess: contract JSON, readable text, clear errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

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
