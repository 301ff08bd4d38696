"""Batch analysis of a folder tree: good files give rows, bad ones failures; processes and Dask agree."""

from __future__ import annotations

import gc
import os
import shutil
import subprocess
import sys
from pathlib import Path

import distributed
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

from footchain.batch import (
    ROW_COLUMNS,
    BatchResult,
    _Outcome,
    _run_in_processes,
    _run_on_dask,
    _task,
    analyze_file,
    find_recordings,
    run_batch,
    write_table,
)
from footchain.errors import FootchainError
from tests.shared import DATA

GOOD = {
    "gaitpdb/GaCo01_01.txt": "gaitpdb",
    "gaitpdb/GaPt03_01.csv": "gaitpdb",
    "moticon/walk_with_events.txt": "moticon",
    "c3d/FP_Type1.c3d": "c3d",
    "imu/4-2_lf.txt": "imu_ipol",
}


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Real recordings (symlinks and copies) in a tree, with a broken file, a text file and extras."""
    root = tmp_path_factory.mktemp("batch")
    for sub in ("gaitpdb", "moticon", "c3d", "imu", "notes", ".hidden"):
        (root / sub).mkdir()
    (root / "gaitpdb" / "GaCo01_01.txt").symlink_to(DATA / "gaitpdb" / "GaCo01_01.txt")
    shutil.copy(DATA / "gaitpdb" / "GaPt03_01.csv", root / "gaitpdb" / "GaPt03_01.csv")
    (root / "moticon" / "walk_with_events.txt").symlink_to(DATA / "moticon" / "walk_with_events.txt")
    (root / "c3d" / "FP_Type1.c3d").symlink_to(DATA / "c3d" / "FP_Type1.c3d")
    for sensor in ("lf", "rf", "lb"):  # one IMU trial: three files, one recording
        (root / "imu" / f"4-2_{sensor}.txt").symlink_to(DATA / "imu_ipol" / f"4-2_{sensor}.txt")
    (root / "imu" / "4-2.json").symlink_to(DATA / "imu_ipol" / "4-2.json")  # reference events: skipped
    # broken: a gaitpdb trial cut in the middle of a line, and a C3D file cut after its header
    text = (DATA / "gaitpdb" / "GaCo02_01.txt").read_bytes()
    (root / "gaitpdb" / "GaCo02_01_cut.txt").write_bytes(text[:2000])
    (root / "c3d" / "cut.c3d").write_bytes((DATA / "c3d" / "FP_Type1.c3d").read_bytes()[:5000])
    (root / "notes" / "visit.txt").write_text("Patient walked twice along the corridor.\n")
    (root / "notes" / "README.md").write_text("# notes\n")
    (root / ".hidden" / "GaCo01_01.txt").symlink_to(DATA / "gaitpdb" / "GaCo01_01.txt")
    return root


@pytest.fixture(scope="module")
def serial(folder: Path) -> BatchResult:
    return run_batch(folder, workers=1)


def test_discovery(folder: Path) -> None:
    found = find_recordings(folder)
    names = [p.relative_to(folder).as_posix() for p in found.candidates]
    assert names == sorted(
        [*GOOD, "gaitpdb/GaCo02_01_cut.txt", "c3d/cut.c3d", "notes/visit.txt"]
    )  # one IMU trial by its _lf file; hidden folders left out
    assert sorted(p.name for p in found.skipped) == ["4-2.json", "README.md"]


def test_rows_for_good_files_failures_for_bad(folder: Path, serial: BatchResult) -> None:
    got = {Path(r["path"]).relative_to(folder).as_posix(): r["format"] for r in serial.rows}
    assert got == GOOD
    assert [r["path"] for r in serial.rows] == sorted(r["path"] for r in serial.rows)
    assert all(list(r) == list(ROW_COLUMNS) for r in serial.rows)
    failures = {Path(p).relative_to(folder).as_posix(): m for p, m in serial.failures}
    assert set(failures) == {"gaitpdb/GaCo02_01_cut.txt", "c3d/cut.c3d", "notes/visit.txt"}
    assert "not a recording format" in failures["notes/visit.txt"]
    assert "C3D" in failures["c3d/cut.c3d"]
    assert all(m and "Traceback" not in m for m in failures.values())
    assert sorted(Path(p).name for p in serial.skipped) == ["4-2.json", "README.md"]
    assert set(serial.task_seconds) == {r["path"] for r in serial.rows} | {p for p, _ in serial.failures}


def test_row_summarises_the_gait_result(folder: Path, serial: BatchResult) -> None:
    row = next(r for r in serial.rows if r["path"].endswith("GaCo01_01.txt"))
    assert row == analyze_file(folder / "gaitpdb" / "GaCo01_01.txt") | {"path": row["path"]}
    assert row["left_strides"] > 50 and row["right_strides"] > 50
    assert 0.9 < row["left_stride_time_mean_s"] < 1.4
    assert row["left_stride_time_cv_percent"] < 5
    assert 50 < row["left_stance_percent"] < 70
    assert 80 < row["cadence_steps_per_min"] < 130
    assert abs(row["symmetry_index_stride_time_percent"]) < 2
    assert row["double_support_percent"] > 5
    imu = next(r for r in serial.rows if r["format"] == "imu_ipol")
    assert imu["left_strides"] > 5 and imu["right_strides"] > 5


def test_two_workers_give_the_same_rows(folder: Path, serial: BatchResult) -> None:
    calls: list[tuple[int, int]] = []
    parallel = run_batch(folder, workers=2, progress=lambda done, total: calls.append((done, total)))
    assert parallel.rows == serial.rows
    assert parallel.failures == serial.failures
    total = len(serial.rows) + len(serial.failures)
    assert calls == [(i, total) for i in range(total + 1)]


def test_dask_local_cluster_gives_the_same_rows(folder: Path, serial: BatchResult) -> None:
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
    ) as cluster:
        on_dask = run_batch(folder, scheduler=cluster.scheduler_address)
        lost = _run_on_dask(["a.txt"], cluster.scheduler_address, _escaping_error, lambda: None)
    assert on_dask.rows == serial.rows
    assert on_dask.failures == serial.failures
    assert lost["a.txt"].error == "the Dask task failed: MemoryError: lost a.txt"


def _escaping_error(path: str) -> _Outcome:
    """A task that fails outside the task wrapper, as a worker lost to Dask would."""
    raise MemoryError(f"lost {path}")


def _crash_on_c3d(path: str) -> _Outcome:
    """A task whose worker dies on one file, as a reader crashing in C code would."""
    if path.endswith("FP_Type1.c3d"):
        os._exit(3)
    return _task(path)


def test_a_dying_worker_fails_only_its_file(folder: Path, serial: BatchResult) -> None:
    paths = sorted(str(p.absolute()) for p in find_recordings(folder).candidates)
    done: list[int] = []
    outcomes = _run_in_processes(paths, 2, _crash_on_c3d, lambda: done.append(1))
    assert sorted(outcomes) == paths and len(done) == len(paths)
    died = [p for p, o in outcomes.items() if o.error and "process died" in o.error]
    assert [Path(p).name for p in died] == ["FP_Type1.c3d"]
    rows = sorted((o.row for o in outcomes.values() if o.row), key=lambda r: r["path"])
    assert rows == [r for r in serial.rows if not r["path"].endswith("FP_Type1.c3d")]


def _worker_state(path: str) -> _Outcome:
    """A task that reports how the batch prepared the process it runs in."""
    from threadpoolctl import threadpool_info

    threads = sorted({pool["num_threads"] for pool in threadpool_info()})
    return _Outcome(path, {"frozen": gc.get_freeze_count(), "threads": threads}, None, 0.0)


def test_workers_start_frozen_with_one_thread_per_pool() -> None:
    """The heap a worker inherits is frozen for the collector, and native pools run one thread."""
    outcomes = _run_in_processes(["a", "b"], 2, _worker_state, lambda: None)
    for outcome in outcomes.values():
        assert outcome.row is not None
        assert outcome.row["frozen"] > 10_000  # the preloaded analysis stack, not a handful
        assert outcome.row["threads"] in ([], [1])


def test_prepared_workers_give_the_rows_of_this_process(serial: BatchResult) -> None:
    """Freezing the heap and limiting threads in the workers changes no result: same rows in-process."""
    here = [analyze_file(row["path"]) for row in serial.rows]
    assert here == serial.rows


@pytest.mark.parametrize("suffix", [".parquet", ".csv"])
def test_write_table_round_trip(serial: BatchResult, tmp_path: Path, suffix: str) -> None:
    out = write_table(serial, tmp_path / f"results{suffix}")
    table = pq.read_table(out) if suffix == ".parquet" else pacsv.read_csv(out)
    assert table.column_names == list(ROW_COLUMNS)
    back = table.to_pylist()
    assert [r["path"] for r in back] == [r["path"] for r in serial.rows]
    for got, want in zip(back, serial.rows, strict=True):
        for key, value in want.items():
            if value is None:
                assert got[key] is None, key
            else:
                assert got[key] == pytest.approx(value), key
    if suffix == ".parquet":
        assert {f.name: f.type for f in table.schema} == ROW_COLUMNS
    assert [p.name for p in tmp_path.iterdir()] == [out.name]


def test_empty_folder_writes_the_schema(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    result = run_batch(tmp_path / "in", workers=2)
    assert result.rows == [] and result.failures == []
    table = pq.read_table(write_table(result, tmp_path / "empty.parquet"))
    assert table.num_rows == 0 and table.column_names == list(ROW_COLUMNS)


def test_bad_arguments(tmp_path: Path, serial: BatchResult) -> None:
    with pytest.raises(FootchainError, match="no such folder"):
        run_batch(tmp_path / "missing")
    with pytest.raises(FootchainError, match="at least 1"):
        run_batch(tmp_path, workers=0)
    with pytest.raises(FootchainError, match="table format"):
        write_table(serial, tmp_path / "results.txt")


def test_a_script_piped_into_python_is_told_why_workers_cannot_start(folder: Path) -> None:
    # worker processes re-import the main script; one read from standard input has no file to read
    script = f"from pathlib import Path\nfrom footchain.batch import run_batch\nrun_batch(Path({str(folder)!r}), workers=2)\n"
    done = subprocess.run([sys.executable, "-"], input=script, capture_output=True, text=True, timeout=120)
    assert done.returncode != 0
    assert "'<stdin>' is not a file they can read" in done.stderr and "footchain batch" in done.stderr
    assert "process died" not in done.stderr + done.stdout
