"""Batch gait analysis of a whole folder tree into one tidy table: local processes, or a Dask cluster.

Design
------
The unit of work is one file, and the work is one stateless task function, :func:`analyze_file`:
it takes a path, reads the recording, analyses it and returns a flat summary row (plain ``str``,
``int``, ``float`` and ``None`` values). It keeps nothing between calls and needs nothing but the
file and the installed ``footchain`` package, so the very same function runs

- in local worker processes (:class:`concurrent.futures.ProcessPoolExecutor`), the default, or
- on a Dask cluster (``dask.distributed.Client(scheduler)``) when a scheduler address is given;
  its workers need ``footchain`` installed and the files at the same paths (a shared disk).

A bad file never stops the run: the task wrapper turns any error into a failure with a message
(:attr:`BatchResult.failures`), and a worker process that dies (crash, out of memory) is detected
and its files are retried one by one, so only the file that kills its process is blamed.

Speed: files are handed out largest first (by size on disk), so one big recording does not start
last and leave the other workers idle at the end. Local workers are forked from a server process
that has imported the gait code once (``forkserver`` start method with preloaded modules), so a
worker does not pay the import of the analysis stack (numpy, scipy, gaitmap, numba's registries)
again; before it forks, the server freezes that heap for the garbage collector (a worker's
collections then walk only what its tasks create) and limits native thread pools to one thread, so
N workers use N cores (:func:`_prepare_worker`). What stays serial is that one import (about
1.5 s in a fresh interpreter on a 2-core machine): on a small data set it bounds the speed-up of a
cold run (``benchmarks/batch_scaling.py`` prints it).

Rows come back sorted by path, whatever the order in which they finished, so the table is the
same for any number of workers and on any scheduler.

>>> result = run_batch(Path("recordings"), workers=2)  # doctest: +SKIP
>>> write_table(result, Path("results.parquet"))  # doctest: +SKIP
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import sys
import time
import traceback
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

import pyarrow as pa  # type: ignore[import-untyped]

from footchain.errors import FootchainError
from footchain.measure.gait import analyze_gait, load_recording
from footchain.measure.gait.errors import RecordingError
from footchain.measure.gait.export import write_rows
from footchain.measure.gait.readers.imu_ipol import trial_files

__all__ = [
    "ROW_COLUMNS",
    "SKIPPED_SUFFIXES",
    "BatchResult",
    "Discovery",
    "analyze_file",
    "find_recordings",
    "run_batch",
    "write_table",
]

Progress = Callable[[int, int], None]

SKIPPED_SUFFIXES: frozenset[str] = frozenset(
    {
        ".json", ".md", ".markdown", ".rst", ".html", ".htm", ".pdf", ".doc", ".docx",
        ".xlsx", ".xlsm", ".ods", ".png", ".jpg", ".jpeg", ".gif", ".svg", ".tif", ".tiff",
        ".py", ".toml", ".yaml", ".yml", ".ini", ".cfg", ".parquet", ".pq", ".zip", ".gz",
    }
)  # fmt: skip
"""Suffixes of files that are never recordings (documents, images, configs, our own tables).

Every other file is tried: the readers judge the format from the content, not the name.
"""

ROW_COLUMNS: dict[str, Any] = {
    "path": pa.string(),
    "format": pa.string(),
    "sampling_rate_hz": pa.float64(),
    "duration_s": pa.float64(),
    **{
        f"{side}_{name}": kind
        for side in ("left", "right")
        for name, kind in (
            ("strides", pa.int64()),
            ("excluded_strides", pa.int64()),
            ("stride_time_mean_s", pa.float64()),
            ("stride_time_sd_s", pa.float64()),
            ("stride_time_cv_percent", pa.float64()),
            ("stance_percent", pa.float64()),
            ("cadence_steps_per_min", pa.float64()),
            ("cpei_percent", pa.float64()),
        )
    },
    "cadence_steps_per_min": pa.float64(),
    "symmetry_index_stride_time_percent": pa.float64(),
    "symmetry_index_stance_time_percent": pa.float64(),
    "symmetry_index_swing_time_percent": pa.float64(),
    "double_support_percent": pa.float64(),
    "n_warnings": pa.int64(),
}
"""Columns of a batch row (:func:`analyze_file`), in table order, with their Arrow types.

Per foot (``left_``/``right_``): included and excluded strides, stride-time mean, SD and CV
(Hausdorff 1999), stance % and cadence, and the centre of pressure excursion index of a pressure
walk (CPEI, Song et al. 1996; absolute norms uncertain); across feet: mean cadence, symmetry indices
(Robinson et al. 1987), double support % and the number of warnings. A value the recording cannot
give (e.g. no strides on a force plate) is null.
"""


def analyze_file(path: str | Path) -> dict[str, Any]:
    """Analyse one recording and summarise it as one flat row (the batch task function).

    Stateless: reads the file, runs :func:`footchain.measure.gait.analyze_gait` with its default
    thresholds and returns plain values, so it can run in any process or on any Dask worker.

    Parameters
    ----------
    path : str or Path
        A recording of any format :func:`footchain.measure.gait.load_recording` reads; an IMU
        trial by any one of its ``_lf``/``_rf``/``_lb`` files.

    Returns
    -------
    dict
        Keys as :data:`ROW_COLUMNS`; ``path`` is ``str(path)`` as given.

    Raises
    ------
    FootchainError
        For a file that is not a readable recording (the message says why).
    """
    result = analyze_gait(load_recording(path))
    source = result["source"]
    row: dict[str, Any] = {
        "path": str(path),
        "format": source["format"],
        "sampling_rate_hz": _number(source.get("sampling_rate_hz")),
        "duration_s": _number(source.get("duration_s")),
    }
    cadences: list[float] = []
    for side in ("left", "right"):
        summary = result["feet"][side]["summary"]
        stride_time = summary.get("stride_time_s") or {}
        cadence = _number(summary.get("cadence_steps_per_min"))
        if cadence is not None:
            cadences.append(cadence)
        row |= {
            f"{side}_strides": int(summary.get("strides") or 0),
            f"{side}_excluded_strides": int(summary.get("excluded_strides") or 0),
            f"{side}_stride_time_mean_s": _number(stride_time.get("mean")),
            f"{side}_stride_time_sd_s": _number(stride_time.get("sd")),
            f"{side}_stride_time_cv_percent": _number(stride_time.get("cv_percent")),
            f"{side}_stance_percent": _number(summary.get("stance_percent")),
            f"{side}_cadence_steps_per_min": cadence,
            f"{side}_cpei_percent": _number(
                ((result["summary"].get("cop") or {}).get(side) or {}).get("cpei_percent")
            ),
        }
    symmetry = result["summary"]["symmetry_index_percent"]
    row |= {
        "cadence_steps_per_min": round(sum(cadences) / len(cadences), 3) if cadences else None,
        "symmetry_index_stride_time_percent": _number(symmetry.get("stride_time")),
        "symmetry_index_stance_time_percent": _number(symmetry.get("stance_time")),
        "symmetry_index_swing_time_percent": _number(symmetry.get("swing_time")),
        "double_support_percent": _number(result["summary"].get("double_support_percent")),
        "n_warnings": len(result.get("warnings", [])),
    }
    return row


class Discovery(NamedTuple):
    """The files of a folder tree that a batch tries, and those it skips by suffix."""

    candidates: list[Path]
    skipped: list[Path]


def find_recordings(root: Path) -> Discovery:
    """Every candidate recording under ``root``, walking the whole tree.

    Hidden files and folders (``.name``) are left out, and so are files whose suffix is in
    :data:`SKIPPED_SUFFIXES`; every other file is a candidate, whatever its name, because the
    readers judge the format from the content. The files of one IPOL IMU trial
    (``NAME_lf``/``_rf``/``_lb`` with one suffix) count once, by their ``_lf`` file when it is
    there. Symbolic links to files are followed; links to folders are not (no cycles).

    Raises
    ------
    FootchainError
        When ``root`` does not exist.
    """
    root = Path(root)
    if root.is_file():
        return Discovery([root], [])
    if not root.is_dir():
        raise FootchainError(f"{root}: no such folder; give the folder that holds the recordings")
    files: list[Path] = []
    skipped: list[Path] = []
    for folder, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if name.startswith("."):
                continue
            file = Path(folder) / name
            if file.suffix.lower() in SKIPPED_SUFFIXES:
                skipped.append(file)
            elif file.is_file():
                files.append(file)
    candidates: list[Path] = []
    trials_seen: set[tuple[Path, ...]] = set()
    present = set(files)
    for file in files:
        try:
            _, siblings = trial_files(file)
        except RecordingError:  # not named as an IMU trial
            candidates.append(file)
            continue
        key = tuple(siblings.values())
        if key in trials_seen:
            continue
        trials_seen.add(key)
        candidates.append(next(s for s in siblings.values() if s in present))  # _lf first
    return Discovery(sorted(candidates), sorted(skipped))


@dataclass(frozen=True)
class BatchResult:
    """What a batch produced: one row per analysed recording, and the files that failed.

    Attributes
    ----------
    root : Path
        The folder analysed.
    rows : list of dict
        One :func:`analyze_file` row per good recording, sorted by path.
    failures : list of (str, str)
        ``(path, message)`` per file that could not be analysed, sorted by path.
    skipped : list of str
        Files left out by suffix (:data:`SKIPPED_SUFFIXES`).
    task_seconds : dict of str to float
        Time each file took inside its task (for diagnosing the schedule; not part of the rows).
    wall_seconds : float
        Time of the whole run, start-up of the workers included.
    """

    root: Path
    rows: list[dict[str, Any]]
    failures: list[tuple[str, str]]
    skipped: list[str] = field(default_factory=list)
    task_seconds: dict[str, float] = field(default_factory=dict)
    wall_seconds: float = 0.0


class _Outcome(NamedTuple):
    path: str
    row: dict[str, Any] | None
    error: str | None
    seconds: float


def _task(path: str) -> _Outcome:
    """The batch task: :func:`analyze_file` with every error caught and turned into a message."""
    start = time.perf_counter()
    try:
        row = analyze_file(path)
    except FootchainError as error:
        return _Outcome(path, None, str(error), time.perf_counter() - start)
    except Exception as error:  # a bug or an unforeseen file: report it, keep the run going
        where = traceback.extract_tb(error.__traceback__)[-1]
        message = (
            f"unexpected {type(error).__name__}: {error} (at {Path(where.filename).name}:{where.lineno}); "
            "please report this file"
        )
        return _Outcome(path, None, message, time.perf_counter() - start)
    return _Outcome(path, row, None, time.perf_counter() - start)


def run_batch(
    root: Path,
    *,
    workers: int = 1,
    scheduler: str | None = None,
    progress: Progress | None = None,
) -> BatchResult:
    """Analyse every recording under ``root`` into one row per file, in parallel.

    Parameters
    ----------
    root : Path
        Folder tree to walk (see :func:`find_recordings` for what counts as a candidate).
    workers : int, default 1
        Local worker processes; ignored when ``scheduler`` is given (the cluster has its own).
    scheduler : str, optional
        Address of a Dask scheduler (``tcp://host:8786``); the same task function then runs on
        the cluster's workers, which must have ``footchain`` installed and see the same paths.
    progress : callable, optional
        Called as ``progress(done, total)`` in this process: once with ``done = 0`` before the
        work starts, then after each file.

    Returns
    -------
    BatchResult
        Rows for the good recordings and ``(path, message)`` for the others, both sorted by path.

    Raises
    ------
    FootchainError
        When ``root`` does not exist, ``workers`` is below 1, or the scheduler cannot be reached.
        A bad recording never raises: it becomes a failure.
    """
    start = time.perf_counter()
    if scheduler is None and workers < 1:
        raise FootchainError(f"workers must be at least 1, not {workers}")
    found = find_recordings(root)
    paths = [str(p.absolute()) for p in _largest_first(found.candidates)]
    total = len(paths)
    done = 0

    def report() -> None:
        nonlocal done
        done += 1
        if progress is not None:
            progress(done, total)

    if progress is not None:
        progress(0, total)
    if not paths:
        outcomes: dict[str, _Outcome] = {}
    elif scheduler is not None:
        outcomes = _run_on_dask(paths, scheduler, _task, report)
    else:
        outcomes = _run_in_processes(paths, workers, _task, report)
    ordered = [outcomes[p] for p in sorted(outcomes)]
    return BatchResult(
        root=Path(root),
        rows=[o.row for o in ordered if o.row is not None],
        failures=[(o.path, o.error or "failed") for o in ordered if o.row is None],
        skipped=[str(p.absolute()) for p in found.skipped],
        task_seconds={o.path: o.seconds for o in ordered},
        wall_seconds=time.perf_counter() - start,
    )


def write_table(result: BatchResult, path: str | Path) -> Path:
    """Write the rows of a batch as a Parquet (``.parquet``/``.pq``) or CSV (``.csv``) table, atomically.

    Columns and types are :data:`ROW_COLUMNS`, so an empty batch still writes the full schema.

    Raises
    ------
    FootchainError
        For an unknown suffix or a folder that does not exist.
    """
    return write_rows(result.rows, ROW_COLUMNS, path)


def _largest_first(paths: Iterable[Path]) -> list[Path]:
    """Paths by descending size on disk (an IMU trial by its three files), then by name.

    The analysis time grows with the number of samples, so the biggest files start first and a
    big file last in the queue cannot keep one worker busy while the others idle.
    """

    def size(path: Path) -> int:
        try:
            _, siblings = trial_files(path)
            files = [s for s in siblings.values() if s.is_file()] or [path]
        except RecordingError:
            files = [path]
        try:
            return sum(f.stat().st_size for f in files)
        except OSError:  # gone or unreadable: the task will say so
            return 0

    return sorted(paths, key=lambda p: (-size(p), str(p)))


_PRELOAD = [
    "footchain.batch",
    "footchain.measure.gait.imu_events",
    "gaitmap.preprocessing",  # imported lazily by the IMU events on first use; about 0.6 s
    # imported lazily by the pressure-walk reader (OpenCV, xlrd and the footprint code); about 0.4 s
    "footchain.measure.footprint.pressure",
    "footchain.measure.footprint.segment",
    "footchain.measure.footprint.indices",
    "xlrd",  # footscan .xls, imported by its reader on first use
    "ezc3d",  # C3D, imported by its reader on first use
    # numba imports its lowering registries on the first compile or cache load in each process
    # (numba.core.cpu, CPUContext.load_additional_registries): importing them in the fork server
    # saves every worker about 0.15 s. A name numba drops is skipped (the fork server ignores
    # ImportError).
    *(
        f"numba.cpython.{name}"
        for name in ("builtins", "charseq", "enumimpl", "hashing", "heapq", "iterators", "listobj")
    ),
    *(
        f"numba.cpython.{name}"
        for name in ("numbers", "rangeobj", "setobj", "slicing", "tupleobj", "unicode")
    ),
    "numba.core.optional",
    "numba.core.inline_closurecall",
    *(f"numba.np.{name}" for name in ("linalg", "arraymath", "arrayobj", "npdatetime")),
    *(f"numba.typed.{name}" for name in ("typeddict", "dictimpl", "typedlist", "listobject")),
    "numba.experimental.jitclass",
    "numba.experimental.function_type",
    # after the imports: runs gaitmap's alignment once, so that the numba code it compiles or loads on first use
    # (about 0.3 s per process) is inherited by every worker instead of loaded by each
    "footchain.measure.gait._imu_preload",
    # the very last: freezes what all the above left in memory (:func:`_prepare_worker`)
    "footchain._batch_preload",
]


def _process_context() -> multiprocessing.context.BaseContext:
    """Start workers from a forkserver that imported the analysis stack once (``spawn`` elsewhere).

    ``fork`` would copy the modules too, but forking a process that runs threads (a progress bar,
    a Dask client) can deadlock; the fork server is a clean single-threaded process.
    """
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(_PRELOAD)
        return context
    return multiprocessing.get_context("spawn")


_threads_limited = False
"""Whether :func:`_prepare_worker` has limited the native thread pools in this process (or in the
fork server it was forked from: the limits are the libraries' global state, which a fork copies)."""


def _prepare_worker() -> None:
    """Ready a process for many analysis tasks: freeze its heap, one native thread per pool.

    Runs in the fork server once its preload is imported (:mod:`footchain._batch_preload`), so
    that the workers forked from it inherit the work, and again as the pool's initializer in each
    worker (which also covers the ``spawn`` start method, where nothing is inherited).

    - ``gc.freeze()``: a worker starts with the whole analysis stack already in memory (numba,
      gaitmap, OpenCV, pandas, pyarrow). Readers that allocate many small objects (xlrd builds one
      Python object per spreadsheet cell) trigger full garbage collections, and each one walks all
      of those long-lived objects again and writes to their headers, which also un-shares the
      fork server's memory pages. Moving them to the permanent generation, as the :func:`gc.freeze`
      documentation recommends for a process that forks workers, leaves the collector only the
      objects the tasks create. (Measured: footscan_test.xls took ~370 ms on every other call in a
      worker, ~245 ms with the heap frozen.) Cheap to repeat: it only relinks the collector's lists.
    - native thread pools (OpenBLAS, MKL, OpenMP) to one thread, so that N workers use N cores
      rather than N × cores threads fighting for them; Dask's nanny does the same for its workers
      (``OMP_NUM_THREADS=1``). Uses threadpoolctl when it is installed. It takes about 12 ms (it
      inspects every loaded library), so it is done once in the fork server, not in every worker.
    """
    global _threads_limited
    gc.freeze()
    if _threads_limited:
        return
    try:
        from threadpoolctl import threadpool_limits  # type: ignore[import-untyped,import-not-found,unused-ignore]
    except ImportError:
        return
    threadpool_limits(limits=1)
    _threads_limited = True


def _check_main_can_be_imported_again() -> None:
    """Raise when worker processes could not start: they re-import the calling program's main script.

    ``forkserver`` and ``spawn`` workers run the main module's file again (under another name), so
    a script read from standard input (``python -``, whose file is ``<stdin>``) kills every worker
    before its first task, which would otherwise look like a crash on every file.
    """
    main = sys.modules.get("__main__")
    path = getattr(main, "__file__", None)
    if getattr(main, "__spec__", None) is None and path is not None and not os.path.isfile(path):
        raise FootchainError(
            f"the batch's worker processes re-import the calling script, and '{path}' is not a file "
            "they can read (a script piped into 'python -'); save the script to a file and run "
            "that, or use the 'footchain batch' command"
        )


def _run_in_processes(
    paths: Sequence[str], workers: int, task: Callable[[str], _Outcome], report: Callable[[], None]
) -> dict[str, _Outcome]:
    _check_main_can_be_imported_again()
    outcomes: dict[str, _Outcome] = {}
    broken = _pool_round(paths, workers, task, outcomes, report)
    # A worker died and took the pool with it; which file killed it is unknown, so each unfinished
    # file runs again in a process of its own: only the culprit fails.
    for path in broken:
        if _pool_round([path], 1, task, outcomes, report):
            outcomes[path] = _Outcome(
                path,
                None,
                "the analysis process died while reading this file (a crash in a reader or out of "
                "memory); check the file or analyse it alone with 'footchain gait'",
                0.0,
            )
            report()
    return outcomes


def _pool_round(
    paths: Sequence[str],
    workers: int,
    task: Callable[[str], _Outcome],
    outcomes: dict[str, _Outcome],
    report: Callable[[], None],
) -> list[str]:
    """Run ``paths`` on a fresh pool; the paths left unfinished because the pool broke."""
    broken: list[str] = []
    with ProcessPoolExecutor(
        max_workers=min(workers, len(paths)),
        mp_context=_process_context(),
        initializer=_prepare_worker,
    ) as pool:
        futures: dict[Future[_Outcome], str] = {pool.submit(task, p): p for p in paths}
        pending = set(futures)
        while pending:
            finished, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in finished:
                try:
                    outcome = future.result()
                except BrokenProcessPool:
                    broken.append(futures[future])
                    continue
                outcomes[outcome.path] = outcome
                report()
    return sorted(broken)


def _run_on_dask(
    paths: Sequence[str], scheduler: str, task: Callable[[str], _Outcome], report: Callable[[], None]
) -> dict[str, _Outcome]:
    """Run the task on a Dask cluster, largest file first (by priority), gathering as they finish."""
    try:
        from distributed import Client, as_completed
    except ImportError as error:
        raise FootchainError(
            "running on a Dask cluster needs dask.distributed: pip install 'footchain[distributed]'"
        ) from error
    try:
        client = Client(scheduler, timeout="15s", set_as_default=False)  # type: ignore[no-untyped-call]
    except (OSError, TimeoutError, ValueError) as error:
        raise FootchainError(
            f"cannot reach the Dask scheduler at {scheduler!r} ({error}); check the address "
            "(e.g. tcp://host:8786) and that the scheduler is running"
        ) from error
    outcomes: dict[str, _Outcome] = {}
    with client:
        futures = {
            client.submit(task, p, pure=False, priority=len(paths) - rank): p for rank, p in enumerate(paths)
        }
        for future in as_completed(futures, loop=client.loop):  # type: ignore[no-untyped-call]
            path = futures[future]
            try:
                outcome = future.result()
            except Exception as error:  # e.g. KilledWorker: the file crashed worker after worker
                outcome = _Outcome(path, None, f"the Dask task failed: {type(error).__name__}: {error}", 0.0)
            outcomes[path] = outcome
            report()
    return outcomes


def _number(value: Any) -> float | None:
    return None if value is None else float(value)
