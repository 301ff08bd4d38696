"""The in-memory form of a gait recording that every reader returns and the analysis takes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from footchain.measure.gait.errors import RecordingError

FloatArray = NDArray[np.float64]
Side = Literal["left", "right"]
PlateSide = Literal["left", "right", "unknown"]
RecordingFormat = Literal["gaitpdb", "moticon", "pedar", "c3d", "csv", "imu_ipol", "pressure_walk"]

FORCE_UNIT_N = "N"
"""The unit of :attr:`Recording.left_force` when the file gives (or lets us compute) newtons."""

# A force that never rises above this (in the recording's unit) is "no force at all".
_ZERO_FORCE_TOLERANCE = 1e-6


@dataclass(frozen=True, eq=False)
class PlateForce:
    """Vertical force of one force plate, and the foot that stood on it when that is known.

    Attributes
    ----------
    number : int
        The plate's number in the file, counted from 1.
    force_n : ndarray, shape (n_samples,)
        Vertical ground reaction force in newtons, positive when loaded, at the recording's rate.
    side : {"left", "right", "unknown"}
        The foot on the plate: set only from the file's foot-strike events, never guessed.
    cop_m : ndarray, shape (n_samples, 2), optional
        Centre of pressure in the plate's plane (metres), NaN while unloaded; None if not available.
    """

    number: int
    force_n: FloatArray
    side: PlateSide = "unknown"
    cop_m: FloatArray | None = None


_ARRAY_FIELDS = (
    "time_s",
    "left_force",
    "right_force",
    "left_sensors",
    "right_sensors",
    "left_sensor_positions",
    "right_sensor_positions",
    "left_sensor_outlines",
    "right_sensor_outlines",
    "left_cop",
    "right_cop",
)


@dataclass(frozen=True, eq=False)
class Recording:
    """Vertical force under each foot over time, with what the file says about its sensors.

    Left and right are always explicit: readers take them from the file's own labels or documented
    layout (for example the gaitpdb README or pedar's mask definition), never from a column position
    they had to guess. A side the file does not record is ``None``.

    Attributes
    ----------
    path : Path or None
        The file read, if any.
    format : {"gaitpdb", "moticon", "pedar", "c3d", "csv", "imu_ipol", "pressure_walk"}
        The format the reader recognised.
    sampling_rate_hz : float
        Samples per second of ``time_s`` and every per-sample array.
    time_s : ndarray, shape (n_samples,)
        Seconds from the start of the recording (the file's own clock when it has one).
    left_force, right_force : ndarray, shape (n_samples,), or None
        Total vertical force under each foot in ``force_unit`` (newtons unless the file gives only
        pressures without sensor areas). NaN marks a missing sample; a run of NaN is a gap.
    force_unit : str
        ``"N"``, or a description such as ``"kPa (sum of sensor pressures)"``.
    left_sensors, right_sensors : ndarray, shape (n_samples, n_sensors), or None
        Per-sensor readings in ``sensor_unit``, when the file has them.
    sensor_unit : str or None
        Unit of the per-sensor readings.
    left_sensor_positions, right_sensor_positions : ndarray, shape (n_sensors, 2), or None
        Sensor centres: x medio-lateral (positive towards the person's right), y heel to toe.
    sensor_position_unit : str or None
        Unit of the sensor positions ("arbitrary" when the source gives only a layout).
    sensor_cell_size : float or None
        Side of one square sensor cell in ``sensor_position_unit``, when the sensors tile a grid (a
        pressure platform or pressure-insole matrix): the loaded cells then give the foot's outline,
        which the centre of pressure excursion index needs. None for sensors that do not tile.
    left_sensor_outlines, right_sensor_outlines : ndarray, shape (n_sensors, n_corners, 2), or None
        The corners of each sensor (a convex polygon) in ``sensor_position_unit``, when the sensors
        tile the sole without forming a square grid (pedar insoles): the loaded sensors then give
        the foot's outline as the cells of a grid do.
    left_cop, right_cop : ndarray, shape (n_samples, 2), or None
        Centre of pressure as exported by the device, in ``cop_unit`` (x medio-lateral, y heel to
        toe), NaN while unloaded.
    cop_unit : str or None
        Unit of the exported centre of pressure.
    plates : tuple of PlateForce
        Force plates (C3D); empty for insoles.
    warnings : tuple of str
        What the reader assumed or found doubtful, in words a person can act on.
    """

    path: Path | None
    format: RecordingFormat
    sampling_rate_hz: float
    time_s: FloatArray
    left_force: FloatArray | None
    right_force: FloatArray | None
    force_unit: str = FORCE_UNIT_N
    left_sensors: FloatArray | None = None
    right_sensors: FloatArray | None = None
    sensor_unit: str | None = None
    left_sensor_positions: FloatArray | None = None
    right_sensor_positions: FloatArray | None = None
    sensor_position_unit: str | None = None
    sensor_cell_size: float | None = None
    left_sensor_outlines: FloatArray | None = None
    right_sensor_outlines: FloatArray | None = None
    left_cop: FloatArray | None = None
    right_cop: FloatArray | None = None
    cop_unit: str | None = None
    plates: tuple[PlateForce, ...] = ()
    warnings: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        # read-only views: a frozen recording's samples cannot be changed in place either
        for name in _ARRAY_FIELDS:
            value = getattr(self, name)
            if value is not None:
                view = np.asarray(value, dtype=np.float64).view()
                view.flags.writeable = False
                object.__setattr__(self, name, view)
        n = self.time_s.shape[0]
        if self.time_s.ndim != 1:
            raise RecordingError("time must be one value per sample")
        if not (np.isfinite(self.sampling_rate_hz) and self.sampling_rate_hz > 0):
            raise RecordingError(
                f"sampling rate {self.sampling_rate_hz!r} Hz is not a positive number; "
                "give the recording's rate (for example --sampling-rate 100)"
            )
        per_sample = {
            "left force": self.left_force,
            "right force": self.right_force,
            "left sensors": self.left_sensors,
            "right sensors": self.right_sensors,
            "left centre of pressure": self.left_cop,
            "right centre of pressure": self.right_cop,
        }
        for name, values in per_sample.items():
            if values is not None and values.shape[0] != n:
                raise RecordingError(f"{name} has {values.shape[0]} samples but time has {n}")
        for plate in self.plates:
            if plate.force_n.shape[0] != n:
                raise RecordingError(
                    f"plate {plate.number} has {plate.force_n.shape[0]} samples, time has {n}"
                )

    @property
    def n_samples(self) -> int:
        """Number of samples."""
        return int(self.time_s.shape[0])

    @property
    def duration_s(self) -> float:
        """Length of the recording in seconds (time of the last sample plus one sample period)."""
        if self.n_samples == 0:
            return 0.0
        return float(self.time_s[-1] - self.time_s[0]) + 1.0 / self.sampling_rate_hz

    @property
    def force_in_newtons(self) -> bool:
        """Whether the per-foot force is in newtons (so absolute thresholds in N apply)."""
        return self.force_unit == FORCE_UNIT_N

    def force(self, side: Side) -> FloatArray | None:
        """The total vertical force under one foot, or None if the file does not record that foot."""
        return self.left_force if side == "left" else self.right_force

    def sensors(self, side: Side) -> FloatArray | None:
        """Per-sensor readings under one foot, or None."""
        return self.left_sensors if side == "left" else self.right_sensors

    def sensor_positions(self, side: Side) -> FloatArray | None:
        """Sensor centres under one foot, or None."""
        return self.left_sensor_positions if side == "left" else self.right_sensor_positions

    def sensor_outlines(self, side: Side) -> FloatArray | None:
        """The sensors under one foot as polygons (n_sensors, n_corners, 2): the outlines when the
        file's sensors have them, squares of ``sensor_cell_size`` on a grid, else None."""
        outlines = self.left_sensor_outlines if side == "left" else self.right_sensor_outlines
        if outlines is not None:
            return outlines
        positions = self.sensor_positions(side)
        if positions is None or self.sensor_cell_size is None:
            return None
        return square_cells(positions, self.sensor_cell_size)


def square_cells(centres: FloatArray, size: float) -> FloatArray:
    """Axis-aligned squares of side ``size`` around ``centres`` (n, 2), as polygons (n, 4, 2)."""
    half = size / 2.0
    corners = np.array([[-half, -half], [half, -half], [half, half], [-half, half]])
    return np.asarray(centres[:, None, :] + corners[None, :, :], dtype=np.float64)


def nan_runs(values: FloatArray) -> list[tuple[int, int]]:
    """Runs of missing samples as ``(start, stop)`` index pairs (stop exclusive)."""
    missing = np.isnan(values)
    if not missing.any():
        return []
    edges = np.diff(np.concatenate(([0], missing.astype(np.int8), [0])))
    starts = np.flatnonzero(edges == 1)
    stops = np.flatnonzero(edges == -1)
    return [(int(a), int(b)) for a, b in zip(starts, stops, strict=True)]


def check_forces(
    forces: Sequence[tuple[str, FloatArray | None]],
    time_s: FloatArray,
    unit: str,
    source: str,
) -> list[str]:
    """Check per-foot (or per-plate) forces; return warnings or raise :class:`RecordingError`.

    Missing samples (NaN) are allowed and reported: the analysis splits at them. A recording whose
    forces are all missing or never rise above zero cannot be analysed and raises. One silent side
    among several is only a warning (an insole may have been off).
    """
    warnings: list[str] = []
    present = [(name, values) for name, values in forces if values is not None]
    if not present:
        raise RecordingError(f"{source}: no force data found for either foot")
    loaded = []
    for name, values in present:
        runs = nan_runs(values)
        if runs and len(runs) == 1 and runs[0] == (0, values.shape[0]):
            warnings.append(f"{name}: every sample is missing; that foot cannot be analysed")
            continue
        if runs:
            longest = max(runs, key=lambda r: r[1] - r[0])
            n_missing = sum(b - a for a, b in runs)
            t0 = float(time_s[longest[0]])
            t1 = float(time_s[longest[1] - 1])
            warnings.append(
                f"{name}: {n_missing} missing samples in {len(runs)} gap(s), longest "
                f"{t0:.2f}–{t1:.2f} s; dropouts up to 0.05 s are interpolated, longer gaps split the "
                "analysis and no stride spans one"
            )
        peak = float(np.nanmax(np.abs(values))) if np.isfinite(values).any() else 0.0
        if peak <= _ZERO_FORCE_TOLERANCE:
            warnings.append(f"{name}: the force is zero throughout; was that sensor connected?")
        else:
            loaded.append(name)
    if not loaded:
        raise RecordingError(
            f"{source}: the force is zero (or missing) throughout for every foot/plate, so there is "
            "nothing to analyse; check that the sensors were connected and the right file was exported"
        )
    if unit != FORCE_UNIT_N:
        warnings.append(
            f"forces are in {unit}, not newtons; event thresholds are set relative to each foot's "
            "loading instead of the absolute 20 N / 10 N"
        )
    return warnings
