"""The fuzzing harness: every parser of footchain, fed mutated copies of real files.

A *target* is one parser, called on bytes the way a person's file reaches it (written to a file for
the readers that take a path, posted as a multipart body for the uploads). A target may raise
footchain's own errors (:class:`footchain.errors.FootchainError`: a message a person can act on) or
answer 4xx; anything else is a *failure*, counted once per exception type and place (the innermost
frame of footchain's code, else the innermost frame). So is anything a library prints to the terminal
(stdout or stderr), and an input that takes more than :data:`TIME_LIMIT_S` of CPU time (or hangs for
:data:`HANG_LIMIT_S` of wall time) is a *time-out*. CPU time, not wall time: the fuzzer runs at low
priority on a shared machine, where waiting for a core says nothing about the parser.

The inputs are the target's seed files (the real recordings of ``../shared/data``, found by
:func:`footchain.data.fetch_all`, and a few images made here) and mutations of them, the byte-level
damage real files suffer (Zeller et al., *The Fuzzing Book*, "Mutation-Based Fuzzing"): truncation,
flipped bits, cut and repeated blocks, repeated and swapped lines, numbers replaced by extreme values,
and splices of two seeds. ``benchmarks/fuzz.py`` runs this for a time budget and prints the table;
``tests/fuzz/test_fuzz_corpus.py`` runs a short pass over the seeds in CI.
"""

from __future__ import annotations

import io
import json
import os
import random
import re
import resource
import signal
import sys
import tempfile
import time
import traceback
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.shared import CONTRACTS, REPO, data_dir

TIME_LIMIT_S = 5.0  # CPU seconds of this process (SIGPROF)
HANG_LIMIT_S = 60.0  # wall seconds (SIGALRM): an input that waits on something forever
# Values that break numeric parsers: a mutation puts one in place of a number of the file.
EXTREME_NUMBERS = (
    b"nan",
    b"inf",
    b"-inf",
    b"1e308",
    b"-1e308",
    b"0",
    b"-0",
    b"1e-320",
    b"99999999999999999999",
)
NUMBER = re.compile(rb"-?\d+(?:[.,]\d+)?(?:[eE][-+]?\d+)?")


class TimedOut(Exception):
    """Raised by the alarms inside a target that ran past :data:`TIME_LIMIT_S` or :data:`HANG_LIMIT_S`."""


@dataclass(frozen=True)
class Target:
    """One parser: its seeds and how to call it on bytes (``run(data, workdir)``)."""

    name: str
    seeds: Callable[[], list[bytes]]
    run: Callable[[bytes, Path], object]
    suffix: str = ""


@dataclass
class Tally:
    """What a fuzzing run found: inputs tried, failures by (type, place), time-outs, peak memory."""

    tried: int = 0
    failures: dict[tuple[str, str], bytes] = field(default_factory=dict)
    failure_messages: dict[tuple[str, str], str] = field(default_factory=dict)
    timeouts: int = 0
    timeout_inputs: list[bytes] = field(default_factory=list)
    slowest_s: float = 0.0  # CPU seconds of the slowest input
    seconds: float = 0.0

    @property
    def rate(self) -> float:
        return self.tried / self.seconds if self.seconds else 0.0


# --- Seeds --------------------------------------------------------------------------------------------


EXCERPT_BYTES = 48_000


def excerpt(data: bytes) -> bytes | None:
    """The head of a long text recording, cut at a line end: a seed that is fast to read and mutate
    (a mutation fuzzer's speed is set by its seeds' size), or None for a short or binary file."""
    if len(data) <= EXCERPT_BYTES or b"\0" in data[:4096]:
        return None
    return data[: data.rfind(b"\n", 0, EXCERPT_BYTES) + 1] or None


def _files(*names: str) -> Callable[[], list[bytes]]:
    """The named recordings, plus a short excerpt of each long text one."""

    def read() -> list[bytes]:
        folder = data_dir()
        whole = [(folder / name).read_bytes() for name in names]
        return whole + [cut for cut in map(excerpt, whole) if cut]

    return read


def _intake_seeds() -> list[bytes]:
    return [path.read_bytes() for path in sorted((CONTRACTS / "examples").glob("*.json"))] + [
        path.read_bytes() for path in sorted((REPO / "examples").glob("*.json"))
    ]


def _catalogue_seeds() -> list[bytes]:
    return [(REPO / "examples" / "insole_catalogue.csv").read_bytes()]


def _image_seeds() -> list[bytes]:
    """Small pictures of a real footprint (the MUN104 template) in every format the reader takes."""
    import numpy as np
    from PIL import Image

    rows = (data_dir() / "footprint_templates" / "MUN104L.csv").read_text().split()
    values = np.array([[float(v) for v in row.split(",")] for row in rows], dtype=np.float64)
    grey = (255 - np.clip(values / max(values.max(), 1e-9) * 255, 0, 255)).astype(np.uint8)
    picture = Image.fromarray(grey).resize((grey.shape[1] * 3, grey.shape[0] * 3))
    seeds = []
    for fmt, options in (
        ("PNG", {"dpi": (200, 200)}),
        ("JPEG", {"quality": 80, "dpi": (300, 300)}),
        ("TIFF", {"dpi": (150, 150)}),
        ("BMP", {}),
        ("WEBP", {"quality": 70}),
    ):
        out = io.BytesIO()
        image = picture if fmt != "JPEG" else picture.convert("RGB")
        if fmt == "JPEG":
            exif = Image.Exif()
            exif[0x0112] = 6  # orientation: rotated 90°
            options = {**options, "exif": exif}
        image.save(out, format=fmt, **options)
        seeds.append(out.getvalue())
    return seeds


GAIT_SEEDS: dict[str, tuple[str, ...]] = {
    "gaitpdb": ("gaitpdb/GaCo01_01.txt", "gaitpdb/GaPt03_01.csv"),
    "moticon": ("moticon/walk_with_events.txt",),
    "pedar": ("pressure/pedar_example.asc",),
    "c3d": ("c3d/FP_Type1.c3d", "c3d/BTS.c3d"),
    "imu": ("imu_ipol/1-1_lf.txt",),
    "pressure-walk": ("pressure/emed_test.lst", "pressure/xsensor_data.csv"),
}
PRESSURE_SEEDS: dict[str, tuple[str, ...]] = {
    "footscan": ("pressure/footscan_test.xls",),
    "emed": ("pressure/emed_test.lst",),
    "tekscan": ("pressure/fscan_testL.asf", "pressure/iscan_test.csv"),
    "xsensor": ("pressure/xsensor_data.csv",),
    "pliance": ("pressure/pliance_test.asc",),
    "insoles": ("pressure/pedar_example.asc", "pressure/stappone_example.csv"),
    "matrix": ("footprint_templates/MUN104L.csv",),
}


# --- Running a parser on bytes ------------------------------------------------------------------------


def _write(data: bytes, workdir: Path, name: str) -> Path:
    path = workdir / name
    path.write_bytes(data)
    return path


def _run_intake(data: bytes, workdir: Path) -> object:
    from footchain.intake import load_intake

    return load_intake(_write(data, workdir, "intake.json"))


def _run_catalogue(data: bytes, workdir: Path) -> object:
    from footchain.shop.catalogue import read_catalogue

    return read_catalogue(_write(data, workdir, "catalogue.csv"))


def _run_gait(name: str) -> Callable[[bytes, Path], object]:
    def run(data: bytes, workdir: Path) -> object:
        from footchain.measure.gait import load_recording

        return load_recording(_write(data, workdir, name))

    return run


GAIT_CSV_COLUMNS: dict[str, str | int] = {"time": 0, "left_force": 17, "right_force": 18}  # gaitpdb's totals


def _run_gait_csv(data: bytes, workdir: Path) -> object:
    """The generic table reader with a column map (``footchain gait --columns``)."""
    from footchain.measure.gait import load_recording

    return load_recording(_write(data, workdir, "table.csv"), columns=GAIT_CSV_COLUMNS)


def _run_pressure(data: bytes, workdir: Path) -> object:
    from footchain.measure.footprint.pressure import read_pressure_frame

    return read_pressure_frame(_write(data, workdir, "pressure.dat"))


def _run_image(data: bytes, workdir: Path) -> object:
    from footchain.measure.footprint.image_io import read_image

    return read_image(data)


class UploadClient:
    """The real app (on a throwaway SQLite file) behind a TestClient, opened once per process."""

    client: Any = None

    @classmethod
    def post(cls, path: str, body: bytes, boundary: str) -> Any:
        if cls.client is None:
            with warnings.catch_warnings():  # the test client's own deprecation notice is not the app's
                warnings.simplefilter("ignore")
                from fastapi.testclient import TestClient

            from footchain.web.app import create_app
            from footchain.web.settings import Settings

            folder = Path(tempfile.mkdtemp(prefix="footchain-fuzz-"))
            app = create_app(Settings(database_url=f"sqlite:///{folder / 'fuzz.db'}"))
            cls.client = TestClient(app, raise_server_exceptions=False).__enter__()
        return cls.client.post(
            path, content=body, headers={"content-type": f"multipart/form-data; boundary={boundary}"}
        )


BOUNDARY = "fuzzboundary7MA4YWxkTrZu0gW"


def multipart_body(fields: Sequence[tuple[str, str, bytes]]) -> bytes:
    """A multipart/form-data body of ``(name, filename or "", content)`` parts with :data:`BOUNDARY`."""
    out = io.BytesIO()
    for name, filename, content in fields:
        out.write(f"--{BOUNDARY}\r\n".encode())
        disposition = f'form-data; name="{name}"' + (f'; filename="{filename}"' if filename else "")
        out.write(f"Content-Disposition: {disposition}\r\n".encode())
        if filename:
            out.write(b"Content-Type: application/octet-stream\r\n")
        out.write(b"\r\n" + content + b"\r\n")
    out.write(f"--{BOUNDARY}--\r\n".encode())
    return out.getvalue()


def _multipart_seeds() -> list[bytes]:
    folder = data_dir()
    return [
        multipart_body([("file", "MUN104L.csv", (folder / "footprint_templates/MUN104L.csv").read_bytes())]),
        multipart_body(
            [
                ("file", "print.csv", (folder / "footprint_templates/MUN104R.csv").read_bytes()),
                ("kind", "", b"pressure"),
                ("mm_per_px", "", b"2.0"),
                ("first_row", "", b"top"),
            ]
        ),
    ]


class ServerError(Exception):
    """The app answered 5xx (or something that is not JSON) to an upload."""


def _run_multipart(data: bytes, workdir: Path) -> object:
    response = UploadClient.post("/api/v1/footprints", data, BOUNDARY)
    if response.status_code >= 500 or "application/json" not in response.headers.get("content-type", ""):
        raise ServerError(f"{response.status_code}: {response.text[:200]}")
    return response.status_code


def targets() -> dict[str, Target]:
    """Every parser footchain has, by the name ``benchmarks/fuzz.py --parser`` takes."""
    found = {
        "intake": Target("intake", _intake_seeds, _run_intake),
        "catalogue": Target("catalogue", _catalogue_seeds, _run_catalogue),
        "image": Target("image", _image_seeds, _run_image),
        "multipart": Target("multipart", _multipart_seeds, _run_multipart),
    }
    for fmt, names in GAIT_SEEDS.items():
        # the IPOL reader tells the foot from the file name; every other format ignores the name
        filename = "trial_lf.txt" if fmt == "imu" else "recording.dat"
        found[f"gait-{fmt}"] = Target(f"gait-{fmt}", _files(*names), _run_gait(filename))
    found["gait-csv"] = Target(
        "gait-csv", _files("gaitpdb/GaPt03_01.csv", "gaitpdb/GaCo02_01.txt"), _run_gait_csv
    )
    for fmt, names in PRESSURE_SEEDS.items():
        found[f"pressure-{fmt}"] = Target(f"pressure-{fmt}", _files(*names), _run_pressure)
    return found


# --- Mutations ----------------------------------------------------------------------------------------


def mutate(data: bytes, rng: random.Random, others: Sequence[bytes] = ()) -> bytes:
    """One to four random kinds of damage to ``data`` (see the module docstring)."""
    out = bytearray(data)
    for _ in range(rng.choice((1, 1, 2, 3, 4))):
        kind = rng.randrange(9)
        n = len(out)
        if n == 0:
            out += rng.randbytes(rng.randint(1, 64))
            continue
        if kind == 0:  # truncate
            del out[rng.randrange(n) :]
        elif kind == 1:  # flip bits or set bytes at a few places
            for _ in range(rng.randint(1, 8)):
                i = rng.randrange(n)
                out[i] = out[i] ^ (1 << rng.randrange(8)) if rng.random() < 0.5 else rng.randrange(256)
        elif kind == 2:  # cut a block
            i = rng.randrange(n)
            del out[i : i + rng.randint(1, max(1, n // 8))]
        elif kind == 3:  # repeat a block
            i = rng.randrange(n)
            block = out[i : i + rng.randint(1, 512)]
            out[i:i] = block * rng.randint(1, 8)
        elif kind == 4:  # repeat or drop lines
            lines = bytes(out).split(b"\n")
            j = rng.randrange(len(lines))
            if rng.random() < 0.5:
                lines[j:j] = [lines[j]] * rng.randint(1, 20)
            else:
                del lines[j : j + rng.randint(1, 5)]
            out = bytearray(b"\n".join(lines))
        elif kind == 5:  # swap two lines
            lines = bytes(out).split(b"\n")
            a, b = rng.randrange(len(lines)), rng.randrange(len(lines))
            lines[a], lines[b] = lines[b], lines[a]
            out = bytearray(b"\n".join(lines))
        elif kind == 6:  # a number becomes an extreme value
            head = bytes(out[: 1 << 16])
            matches = list(NUMBER.finditer(head))
            if matches:
                m = rng.choice(matches)
                out[m.start() : m.end()] = rng.choice(EXTREME_NUMBERS)
        elif kind == 7:  # insert random bytes
            i = rng.randrange(n + 1)
            out[i:i] = rng.randbytes(rng.randint(1, 32))
        elif others:  # splice with another seed
            other = rng.choice(others)
            i, j = rng.randrange(n + 1), rng.randrange(len(other) + 1)
            out = out[:i] + other[j:]
    return bytes(out)


# --- The loop -----------------------------------------------------------------------------------------


def place_of(exc: BaseException) -> str:
    """Where an exception was raised: the innermost frame in footchain's code, else the innermost."""
    frames = traceback.extract_tb(exc.__traceback__)
    ours = [f for f in frames if "footchain" in f.filename and "/tests/" not in f.filename]
    frame = (ours or frames or [None])[-1]
    if frame is None:
        return "?"
    short = frame.filename.split("site-packages/")[-1].split("/src/")[-1]
    return f"{short}:{frame.lineno} ({frame.name})"


@contextmanager
def captured_terminal() -> Iterator[Callable[[], bytes]]:
    """Send file descriptors 1 and 2 to a temporary file; yields a function returning what was new."""
    sys.stdout.flush()
    sys.stderr.flush()
    sink = tempfile.TemporaryFile()  # noqa: SIM115 - closed in the finally below, after fds 1 and 2 return
    saved = os.dup(1), os.dup(2)
    os.dup2(sink.fileno(), 1)
    os.dup2(sink.fileno(), 2)
    seen = 0

    def new_output() -> bytes:
        nonlocal seen
        sys.stdout.flush()
        sys.stderr.flush()
        size = os.fstat(sink.fileno()).st_size
        if size == seen:
            return b""
        sink.seek(seen)
        text = sink.read(size - seen)
        seen = size
        return text

    try:
        yield new_output
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os.dup2(saved[0], 1)
        os.dup2(saved[1], 2)
        os.close(saved[0])
        os.close(saved[1])
        sink.close()


def _alarm(_signum: int, _frame: Any) -> None:
    raise TimedOut()


def check_one(
    target: Target, data: bytes, workdir: Path, tally: Tally, new_output: Callable[[], bytes]
) -> None:
    """Run ``target`` on ``data`` once and add what happened to ``tally``."""
    from footchain.errors import FootchainError

    started = time.process_time()
    signal.setitimer(signal.ITIMER_PROF, TIME_LIMIT_S)
    signal.setitimer(signal.ITIMER_REAL, HANG_LIMIT_S)
    try:
        target.run(data, workdir)
    except TimedOut:
        tally.timeouts += 1
        if len(tally.timeout_inputs) < 5:
            tally.timeout_inputs.append(data)
    except FootchainError:
        pass
    except Exception as exc:
        key = (type(exc).__name__, place_of(exc))
        if key not in tally.failures:
            tally.failures[key] = data
            tally.failure_messages[key] = str(exc)[:300]
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)
        signal.setitimer(signal.ITIMER_REAL, 0)
    elapsed = time.process_time() - started
    tally.slowest_s = max(tally.slowest_s, elapsed)
    printed = new_output()
    if printed:
        first_line = printed.decode("utf-8", "replace").strip().split("\n")[0]
        key = ("printed to the terminal", re.sub(r"\d+", "N", first_line)[:80])
        tally.failures.setdefault(key, data)
        tally.failure_messages.setdefault(key, printed[:300].decode("utf-8", "replace"))
    tally.tried += 1


def fuzz(
    target: Target,
    *,
    budget_s: float,
    seed: int = 0,
    max_inputs: int | None = None,
    mutate_seeds: bool = True,
) -> Tally:
    """Feed ``target`` its seeds, then mutations of them, until ``budget_s`` or ``max_inputs`` is spent."""
    rng = random.Random(seed)
    seeds = target.seeds()
    tally = Tally()
    previous = signal.signal(signal.SIGALRM, _alarm), signal.signal(signal.SIGPROF, _alarm)
    started = time.perf_counter()
    try:
        with tempfile.TemporaryDirectory(prefix="footchain-fuzz-") as folder, captured_terminal() as output:
            workdir = Path(folder)
            inputs: Iterator[bytes] = iter(seeds)
            while True:
                if max_inputs is not None and tally.tried >= max_inputs:
                    break
                if time.perf_counter() - started >= budget_s:
                    break
                data = next(inputs, None)
                if data is None:
                    if not mutate_seeds:
                        break
                    data = mutate(rng.choice(seeds), rng, seeds)
                check_one(target, data, workdir, tally, output)
    finally:
        signal.signal(signal.SIGALRM, previous[0])
        signal.signal(signal.SIGPROF, previous[1])
    tally.seconds = time.perf_counter() - started
    return tally


def peak_memory_mb() -> float:
    """This process's peak resident memory so far (MB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def save_failures(tally: Tally, folder: Path, target: str) -> list[Path]:
    """Write each failing input to ``folder`` (``<target>-<n>.bin``) with a ``.json`` of what it raised."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for n, (key, data) in enumerate(tally.failures.items()):
        path = folder / f"{target}-{n}.bin"
        path.write_bytes(data)
        meta = {"type": key[0], "place": key[1], "message": tally.failure_messages.get(key, "")}
        path.with_suffix(".json").write_text(json.dumps(meta, indent=1))
        written.append(path)
    for n, data in enumerate(tally.timeout_inputs):
        path = folder / f"{target}-timeout-{n}.bin"
        path.write_bytes(data)
        written.append(path)
    return written
