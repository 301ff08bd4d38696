"""Per-stride export of a gait result: the table, and its CSV and Parquet files read back with pyarrow."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

from footchain.errors import FootchainError
from footchain.measure.gait import analyze_gait, load_recording
from footchain.measure.gait.export import STRIDE_COLUMNS, strides_table, write_strides
from tests.shared import DATA


@pytest.fixture(scope="module")
def result() -> dict[str, Any]:
    return analyze_gait(load_recording(DATA / "gaitpdb" / "GaCo01_01.txt"))


def test_one_row_per_stride_per_foot(result: dict[str, Any]) -> None:
    rows = strides_table(result)
    left, right = result["feet"]["left"]["strides"], result["feet"]["right"]["strides"]
    assert len(rows) == len(left) + len(right) > 100
    assert [r["side"] for r in rows] == ["left"] * len(left) + ["right"] * len(right)
    assert all(list(r) == list(STRIDE_COLUMNS) for r in rows)
    first = rows[0]
    assert first["start_s"] == left[0]["start_s"] and first["stride_time_s"] == left[0]["stride_time_s"]
    starts = [r["start_s"] for r in rows if r["side"] == "right"]
    assert starts == sorted(starts)
    for r in rows:
        if r["stance_time_s"] is not None and r["swing_time_s"] is not None:
            assert r["stance_time_s"] + r["swing_time_s"] == pytest.approx(r["stride_time_s"], abs=0.002)
    kept = sum(1 for r in rows if r["side"] == "left" and not r["excluded"])
    assert kept == result["feet"]["left"]["summary"]["strides"]
    assert all(r["why_excluded"] for r in rows if r["excluded"])


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_round_trip(result: dict[str, Any], tmp_path: Path, suffix: str) -> None:
    out = write_strides(result, tmp_path / f"strides{suffix}")
    assert out == tmp_path / f"strides{suffix}"
    table = pq.read_table(out) if suffix == ".parquet" else pacsv.read_csv(out)
    assert table.column_names == list(STRIDE_COLUMNS)
    rows = strides_table(result)
    assert table.num_rows == len(rows)
    back = table.to_pylist()
    for got, want in zip(back, rows, strict=True):
        assert got["side"] == want["side"]
        assert got["excluded"] == want["excluded"]
        for key in ("start_s", "end_s", "stride_time_s", "stance_time_s", "swing_time_s"):
            assert got[key] == pytest.approx(want[key]) if want[key] is not None else got[key] is None
    assert [p.name for p in tmp_path.iterdir()] == [out.name]  # no temporary file left behind


def test_parquet_keeps_types(result: dict[str, Any], tmp_path: Path) -> None:
    table = pq.read_table(write_strides(result, tmp_path / "s.parquet"))
    assert {f.name: f.type for f in table.schema} == STRIDE_COLUMNS


def test_replaces_an_existing_file(result: dict[str, Any], tmp_path: Path) -> None:
    out = tmp_path / "s.csv"
    out.write_text("old\n")
    write_strides(result, out)
    assert out.read_text().startswith('"side","start_s"')


def test_unknown_suffix_is_an_error(result: dict[str, Any], tmp_path: Path) -> None:
    with pytest.raises(FootchainError, match=r"\.xlsx.*\.csv, \.parquet"):
        write_strides(result, tmp_path / "strides.xlsx")
    assert list(tmp_path.iterdir()) == []


def test_missing_folder_is_an_error(result: dict[str, Any], tmp_path: Path) -> None:
    with pytest.raises(FootchainError, match="does not exist"):
        write_strides(result, tmp_path / "nowhere" / "s.csv")


def test_not_a_gait_result() -> None:
    with pytest.raises(FootchainError, match="not a gait result"):
        strides_table({"prints": []})
    with pytest.raises(FootchainError, match="not shaped"):
        strides_table({"feet": {"left": {"strides": [{"start_s": 1.0}]}}})
