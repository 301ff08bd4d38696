"""Foot-mounted IMU trials in the IPOL layout: ``N-T_lf.txt``, ``N-T_rf.txt`` and ``N-T_lb.txt``.

One trial is three tab-separated text files, one per sensor: left foot (``_lf``), right foot
(``_rf``) and lower back (``_lb``). Each starts with ``Acquisition frequency: 100 Hz`` and a header
``PacketCounter Acc_X Acc_Y Acc_Z Gyr_X Gyr_Y Gyr_Z Mag_X Mag_Y Mag_Z`` (acceleration in m/s²,
angular rate in rad/s, magnetic field in arbitrary units), along each sensor's own X, Y, Z axes.
The reader keeps those axes; event detection aligns them to gravity and to the walking direction
itself, so no mounting orientation is assumed. A trial can be opened from any one of its three
files; the siblings are found by name.

The sample clock is ``PacketCounter``, not the row number: packets are sometimes dropped (rows
missing), so every sensor is placed on the counter's grid, ``time = (PacketCounter − first) / rate``
with ``first`` the smallest first counter of the trial's files, and missing packets are NaN. The
reader does not fill them: event detection bridges short gaps and splits at long ones. A row whose
counter repeats or goes back (a packet sent twice or late) is dropped with a warning.

Left and right come from the file names (``_lf`` is the left foot), never from the signals. The
reader never reads the trial's reference events (``N-T.json``).

Voisard C, de l'Escalopier N, Ricard D, Oudre L (2023). A reference data set for the study of
healthy subject gait with inertial measurement units. Image Processing On Line 13:1-20 (IPOL
article 497).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from footchain.measure.gait.errors import RecordingError
from footchain.measure.gait.readers._text import decode_text, read_bytes, rows_in_order
from footchain.measure.gait.recording import FloatArray, Recording
from footchain.measure.textfile import looks_binary

SensorLocation = Literal["left_foot", "right_foot", "lower_back"]

SUFFIXES: dict[str, SensorLocation] = {"lf": "left_foot", "rf": "right_foot", "lb": "lower_back"}
"""File-name suffix of each sensor of a trial."""

COLUMNS = ("PacketCounter", "Acc_X", "Acc_Y", "Acc_Z", "Gyr_X", "Gyr_Y", "Gyr_Z", "Mag_X", "Mag_Y", "Mag_Z")
"""The header of every IPOL sensor file, in order."""

MIN_DURATION_S = 2.0
"""A sensor file shorter than this holds no walking to analyse."""

_RATE_LINE = re.compile(r"^\s*Acquisition frequency\s*:\s*([0-9.]+)\s*Hz\s*$", re.IGNORECASE)
_NAME = re.compile(r"^(?P<trial>.+)_(?P<suffix>lf|rf|lb)(?P<ext>\.[A-Za-z0-9]+)$", re.IGNORECASE)
_COUNTER_WRAP = 65536  # Xsens packet counters are 16 bit


@dataclass(frozen=True, eq=False)
class ImuSensor:
    """One inertial sensor of a trial, on the trial's packet-counter clock.

    Attributes
    ----------
    location : {"left_foot", "right_foot", "lower_back"}
        Where the sensor was worn, from the file name.
    path : Path
        The file read.
    acc_mps2 : ndarray, shape (n_samples, 3)
        Specific force along the sensor's X, Y, Z axes (m/s²); NaN where the packet is missing.
    gyr_rad_s : ndarray, shape (n_samples, 3)
        Angular rate about the sensor's X, Y, Z axes (rad/s); NaN where the packet is missing.
    mag : ndarray, shape (n_samples, 3)
        Magnetic field along X, Y, Z (arbitrary units); NaN where the packet is missing.
    received : ndarray of bool, shape (n_samples,)
        Whether the packet of each sample arrived.
    """

    location: SensorLocation
    path: Path
    acc_mps2: FloatArray
    gyr_rad_s: FloatArray
    mag: FloatArray
    received: NDArray[np.bool_]

    def __post_init__(self) -> None:
        for name in ("acc_mps2", "gyr_rad_s", "mag", "received"):
            view = np.asarray(getattr(self, name)).view()
            view.flags.writeable = False
            object.__setattr__(self, name, view)

    @property
    def dropped_packets(self) -> int:
        """Number of samples whose packet is missing."""
        return int((~self.received).sum())


@dataclass(frozen=True, eq=False)
class ImuTrial:
    """The sensors of one IPOL trial on a common packet-counter clock.

    Attributes
    ----------
    name : str
        The trial's name, the file name before the suffix (``"1-1"``).
    left_foot, right_foot : ImuSensor
        Sensors named ``_lf`` and ``_rf``.
    lower_back : ImuSensor or None
        Sensor named ``_lb``, if its file is there.
    """

    name: str
    left_foot: ImuSensor
    right_foot: ImuSensor
    lower_back: ImuSensor | None

    def foot(self, side: Literal["left", "right"]) -> ImuSensor:
        """The foot sensor of one side (as the file names say)."""
        return self.left_foot if side == "left" else self.right_foot


@dataclass(frozen=True, eq=False)
class ImuRecording(Recording):
    """A :class:`Recording` that carries inertial sensors instead of force.

    ``left_force`` and ``right_force`` are None; ``time_s`` is the trial's packet-counter clock and
    ``imu`` holds the sensors on it. This subclass is how IMU data travel through the force-based
    :class:`Recording` without changing it: code that only knows force sees a recording with no
    force, and :func:`footchain.measure.gait.analysis.analyze_imu_gait` reads ``imu``.
    """

    imu: ImuTrial = field(kw_only=True)


def trial_files(path: Path) -> tuple[str, dict[SensorLocation, Path]]:
    """The trial name and the files of its three sensors, from the name of any one of them.

    Raises
    ------
    RecordingError
        When the name does not follow ``NAME_lf|_rf|_lb.EXT``.
    """
    match = _NAME.match(path.name)
    if match is None:
        raise RecordingError(
            f"{path.name}: an IPOL IMU trial file must be named NAME_lf, NAME_rf or NAME_lb (left foot, "
            "right foot, lower back) with its two siblings beside it, e.g. 1-1_lf.txt, 1-1_rf.txt, 1-1_lb.txt"
        )
    trial, ext = match.group("trial"), match.group("ext")
    upper = match.group("suffix").isupper()
    files: dict[SensorLocation, Path] = {}
    for suffix, location in SUFFIXES.items():
        files[location] = path.with_name(f"{trial}_{suffix.upper() if upper else suffix}{ext}")
    return trial, files


def is_ipol_imu_text(text: str) -> bool:
    """Whether a file's text starts like an IPOL IMU export (rate line, then the packet header)."""
    lines = text.lstrip("\ufeff").split("\n", 3)
    if len(lines) < 2 or _RATE_LINE.match(lines[0].strip()) is None:
        return False
    return tuple(lines[1].split()) == COLUMNS


def _parse(path: Path) -> tuple[float, NDArray[np.int64], FloatArray, list[str]]:
    """Sampling rate, packet counters (unwrapped), the nine signal columns and warnings of one file.

    A row whose counter repeats or goes back is dropped with a warning
    (:func:`~footchain.measure.gait.readers._text.rows_in_order`).
    """
    data = read_bytes(path)
    if looks_binary(data):
        raise RecordingError(f"{path} is binary, not an IPOL IMU text export")
    text = decode_text(data, path)
    lines = text.lstrip("\ufeff").splitlines()
    if len(lines) < 2:
        raise RecordingError(f"{path}: the file ends before its column header; export it again")
    rate_match = _RATE_LINE.match(lines[0].strip())
    if rate_match is None:
        raise RecordingError(
            f"{path}: the first line must be 'Acquisition frequency: N Hz', got {lines[0][:60]!r}"
        )
    header = tuple(lines[1].split())
    if header != COLUMNS:
        raise RecordingError(
            f"{path}: expected the columns {' '.join(COLUMNS)}, got {' '.join(header)[:120]!r}"
        )
    try:
        rate = float(rate_match.group(1))
    except ValueError:
        rate = float("nan")
    if not (np.isfinite(rate) and rate > 0):
        raise RecordingError(
            f"{path}: acquisition frequency {rate_match.group(1)!r} Hz is not a positive number"
        )
    rows = [line for line in lines[2:] if line.strip()]
    if rows and not text.endswith(("\n", "\r")):
        raise RecordingError(
            f"{path}: the last line ({rows[-1].strip()[:60]!r}) ends without a line break; the file looks "
            "truncated, export it again"
        )
    n_columns = len(COLUMNS)
    table = np.empty((len(rows), n_columns), dtype=np.float64)
    for i, line in enumerate(rows):
        fields = line.split()
        if len(fields) != n_columns:
            where = "the last line" if i == len(rows) - 1 else f"line {i + 3}"
            hint = (
                "the file looks truncated; export it again" if i == len(rows) - 1 else "the file is damaged"
            )
            raise RecordingError(f"{path}: {where} has {len(fields)} values instead of {n_columns}; {hint}")
        try:
            table[i] = [float(f) for f in fields]
        except ValueError:
            raise RecordingError(
                f"{path}: line {i + 3} holds a value that is not a number ({line.strip()[:80]!r})"
            ) from None
    if not np.isfinite(table).all():
        bad = int(np.flatnonzero(~np.isfinite(table).all(axis=1))[0])
        raise RecordingError(f"{path}: line {bad + 3} holds NaN or infinity; the sensor export is damaged")
    if table.shape[0] < MIN_DURATION_S * rate:
        raise RecordingError(
            f"{path}: only {table.shape[0]} samples ({table.shape[0] / rate:.2f} s); the file is truncated "
            f"or holds no walking (at least {MIN_DURATION_S:g} s needed)"
        )
    counter = table[:, 0]
    if not np.array_equal(counter, np.round(counter)) or (counter < 0).any():
        raise RecordingError(f"{path}: PacketCounter must hold whole non-negative numbers")
    keep, warnings = rows_in_order(counter, path, what="PacketCounter", wrap=_COUNTER_WRAP)
    table = table[keep]
    steps = np.diff(table[:, 0].astype(np.int64))
    steps[steps < -_COUNTER_WRAP // 2] += _COUNTER_WRAP
    unwrapped = np.concatenate(([int(table[0, 0])], int(table[0, 0]) + np.cumsum(steps)))
    return rate, unwrapped.astype(np.int64), table[:, 1:], [f"{path.name}: {w}" for w in warnings]


def read_ipol_imu(path: str | Path) -> ImuRecording:
    """Read an IPOL foot-IMU trial from any one of its ``_lf``, ``_rf`` or ``_lb`` files.

    Parameters
    ----------
    path : str or Path
        One file of the trial; its siblings must lie beside it with the same name stem.

    Returns
    -------
    ImuRecording
        Force fields None; ``imu`` holds the three sensors on the packet-counter clock
        (``time_s = (PacketCounter − first) / rate``), with NaN for dropped packets.

    Raises
    ------
    RecordingError
        For a missing foot sibling, a truncated or non-numeric file, a wrong header, or files of
        one trial that disagree on the sampling rate.

    Notes
    -----
    Layout and clock follow the data set of Voisard et al. (2023), IPOL 13:1-20.
    """
    path = Path(path)
    trial, files = trial_files(path)
    warnings: list[str] = []
    missing = [location for location, file in files.items() if not file.is_file()]
    feet_missing = [m for m in missing if m != "lower_back"]
    if feet_missing:
        names = ", ".join(files[m].name for m in feet_missing)
        raise RecordingError(
            f"{path.name}: the IPOL trial {trial!r} needs both foot sensors beside it; missing {names} "
            f"in {path.parent}. Copy all three files of the trial (_lf, _rf, _lb) together"
        )
    parsed = {loc: _parse(file) for loc, file in files.items() if loc not in missing}
    rates = {loc: rate for loc, (rate, _, _, _) in parsed.items()}
    rate = rates["left_foot"]
    if any(abs(r - rate) > 1e-9 for r in rates.values()):
        listing = ", ".join(f"{files[loc].name}: {r:g} Hz" for loc, r in rates.items())
        raise RecordingError(
            f"the files of trial {trial!r} disagree on the acquisition frequency ({listing})"
        )
    first = min(int(counter[0]) for _, counter, _, _ in parsed.values())
    last = max(int(counter[-1]) for _, counter, _, _ in parsed.values())
    n = last - first + 1
    sensors: dict[SensorLocation, ImuSensor] = {}
    for loc, (_, counter, values, file_warnings) in parsed.items():
        warnings += file_warnings
        grid = np.full((n, values.shape[1]), np.nan)
        index = counter - first
        grid[index] = values
        received = np.zeros(n, dtype=bool)
        received[index] = True
        sensors[loc] = ImuSensor(loc, files[loc], grid[:, 0:3], grid[:, 3:6], grid[:, 6:9], received)
        dropped = int(counter[-1] - counter[0] + 1 - index.shape[0])
        if dropped:
            warnings.append(
                f"{files[loc].name}: {dropped} packets missing on the PacketCounter clock (longest run "
                f"{int(np.diff(counter).max()) - 1}); their samples are NaN, short gaps are bridged and "
                "long ones split the analysis"
            )
    if "lower_back" in missing:
        warnings.append(
            f"{files['lower_back'].name} not found: turns are judged from the foot sensors' yaw rate instead"
        )
    imu = ImuTrial(trial, sensors["left_foot"], sensors["right_foot"], sensors.get("lower_back"))
    return ImuRecording(
        path=path,
        format="imu_ipol",
        sampling_rate_hz=rate,
        time_s=np.arange(n, dtype=np.float64) / rate,
        left_force=None,
        right_force=None,
        force_unit="none (inertial sensors)",
        warnings=tuple(warnings),
        imu=imu,
    )
