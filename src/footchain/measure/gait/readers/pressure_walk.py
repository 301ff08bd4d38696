"""Reader for dynamic plantar-pressure recordings: the frames of a pressure platform or pressure insole.

The footprint package reads the vendor exports (novel emed, RSscan footscan, Tekscan F-Scan/I-Scan,
XSENSOR, novel pliance) and keeps their frame stack beside the peak picture
(:class:`footchain.measure.footprint.pressure.PressureFrame`); this module turns those frames into a
gait :class:`Recording`:

* each foot's total vertical force per frame is the sum of pressure × cell area over its cells (N
  for kPa, N/cm², mmHg and MPa with a known sensor pitch; otherwise a sum in the file's unit, said so);
* each loaded cell is a sensor, at its centre in mm, in the foot's own frame (x towards the person's
  right, y from heel to toe along the foot axis that the footprint code finds, back of the heel at 0), so
  the centre-of-pressure code works unchanged; the cells loaded in a stance are the foot's outline,
  which the centre of pressure excursion index (:mod:`footchain.measure.gait.cpei`, Song et al. 1996)
  needs;
* which foot: the file's own label (footscan ``Right foot data``, XSENSOR sensor names), else the
  print's shape as the footprint code judges it (big toe, arch, ball), else unknown, said in a warning;
* two feet in one file (side by side in the picture) are split: at the empty columns between the
  file's labelled parts, else with the footprint code's grouping of prints;
* a platform starts recording when the foot lands, so a platform recording whose first (last) frame
  is lightly loaded gets one unloaded frame before (after) it, with a warning, so that the heel strike
  (toe off) is seen. Insoles do not: their recording may start in the middle of a stance.

A static picture (one frame, no time) is refused: it belongs to ``footchain footprint``.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from footchain.errors import FootprintError
from footchain.measure.gait.errors import RecordingError
from footchain.measure.gait.recording import FloatArray, Recording, Side, check_forces

if TYPE_CHECKING:
    from footchain.measure.footprint.pressure import PressureFrame

# The footprint package is imported inside the functions: it imports the gait pedar reader itself
# (footprint.pressure.insoles), and its image code (OpenCV) is only needed for pressure walks.

Mask = NDArray[np.bool_]
IntArray = NDArray[np.intp]

#: Footprint pressure formats that hold a time series of frames (the gait reader reads these).
DYNAMIC_FORMATS = frozenset({"emed", "footscan", "fscan", "iscan", "xsensor", "pliance"})
#: Pressure platforms (and mats): their recordings start at the foot's landing.
PLATFORM_FORMATS = frozenset({"emed", "footscan", "pliance"})
#: A platform's first/last frame lighter than this share of the peak force is a landing/take-off frame.
LIGHT_FRAME_SHARE = 0.25
#: Pressure unit → newtons per (unit × mm²).
_NEWTONS_PER_UNIT_MM2 = {"kPa": 1e-3, "N/cm²": 1e-2, "mmHg": 0.133322e-3, "MPa": 1.0}


def is_pressure_walk(data: bytes, path: Path) -> bool:
    """Whether the start of a file is a multi-frame pressure export the footprint package reads.

    Judged from the content by the footprint package's sniffing (never the name); generic matrices
    (CSV/NPY) and the insoles without a grid (pedar, stappone) do not count.
    """
    from footchain.measure.footprint.pressure import sniff_pressure_head

    return sniff_pressure_head(data, path) in DYNAMIC_FORMATS


@dataclass(frozen=True)
class _Foot:
    side: Side | None  # None: unknown
    how: str  # how the side is known, for the warning
    mask: Mask  # cells of this foot in the picture
    axis: tuple[FloatArray, FloatArray] | None  # heel point and unit heel→toe direction (picture x, y)


def _parts_by_gaps(values: FloatArray, count: int) -> list[tuple[int, int]] | None:
    """Column ranges of ``count`` parts split at the widest runs of empty columns between them."""
    used = (values > 0).any(axis=0)
    cols = np.flatnonzero(used)
    if cols.size == 0:
        return None
    inner = ~used[cols[0] : cols[-1] + 1]
    edges = np.diff(np.concatenate(([0], inner.astype(np.int8), [0])))
    starts = np.flatnonzero(edges == 1) + cols[0]
    stops = np.flatnonzero(edges == -1) + cols[0]
    if starts.size < count - 1:
        return None
    widest = np.sort(np.argsort(stops - starts)[::-1][: count - 1])
    cuts = [0, *[int((starts[i] + stops[i]) // 2) for i in widest], values.shape[1]]
    return list(itertools.pairwise(cuts))


def _feet(frame: PressureFrame, path: Path) -> list[_Foot]:
    values = frame.values
    labels = frame.side_labels
    if len(labels) > 1:
        parts = _parts_by_gaps(values, len(labels))
        if parts is not None:
            feet = []
            for (c0, c1), label in zip(parts, labels, strict=True):
                mask = np.zeros(values.shape, dtype=bool)
                mask[:, c0:c1] = values[:, c0:c1] > 0
                feet.append(_side_of(mask, label, frame, path))
            return feet
    from footchain.measure.footprint.segment import segment_pressure

    try:
        masks = segment_pressure(values, threshold=0.0)
    except FootprintError as exc:
        raise RecordingError(f"{path}: {exc}") from None
    if len(labels) == 1 and len(masks) == 1:
        return [_side_of(masks[0], labels[0], frame, path, values)]
    return [_side_of(mask, None, frame, path, values) for mask in masks]


def _with_toe_lines(mask: Mask, values: FloatArray) -> Mask:
    """The foot's contact with the sensors back that the footprint code leaves out along the toe line
    (a line one sensor wide): they carried part of the foot's load."""
    padded = np.pad(mask, 1)
    h, w = mask.shape
    grown = np.logical_or.reduce([padded[r : r + h, c : c + w] for r in range(3) for c in range(3)])
    return np.asarray(mask | (grown & (values > 0)), dtype=bool)


def _side_of(
    mask: Mask, label: str | None, frame: PressureFrame, path: Path, values: FloatArray | None = None
) -> _Foot:
    """The foot of a print: the file's label, else the footprint code's judgement from its shape.

    ``values`` is given for a print from the footprint code's segmentation, whose toe lines are
    measured without (for the foot axis) but belong to the foot's contact."""
    from footchain.measure.footprint.indices import measure_print

    try:
        measured = measure_print(mask, mm_per_px=frame.mm_per_px, kind="pressure")
    except FootprintError as exc:
        raise RecordingError(
            f"{path}: the pressure print is not a foot that can be measured ({exc}); this recording does "
            "not look like a foot walking on a pressure sensor"
        ) from None
    axis: tuple[FloatArray, FloatArray] | None = None
    if measured.geometry is not None:
        heel = np.asarray(measured.geometry.heel_point, dtype=np.float64)
        toe = np.asarray(measured.geometry.toe_point, dtype=np.float64)
        length = float(np.linalg.norm(toe - heel))
        axis = (heel, (toe - heel) / length) if length > 0 else None
    if values is not None:
        mask = _with_toe_lines(mask, values)
    if label in ("left", "right"):
        side: Side = "left" if label == "left" else "right"
        how = f"from the file's own label ({label} foot)"
        if measured.side not in (side, "unknown"):
            how += f"; the print's shape suggests {measured.side}, the label wins"
        return _Foot(side, how, mask, axis)
    if measured.side == "unknown":
        return _Foot(
            None, "unknown: the file does not say and the print's shape does not show it", mask, axis
        )
    return _Foot(measured.side, "judged from the print's shape (big toe, arch, ball of the foot)", mask, axis)


def read_pressure_walk(path: str | Path, *, sampling_rate_hz: float | None = None) -> Recording:
    """Read a dynamic plantar-pressure export into a gait :class:`Recording`.

    Parameters
    ----------
    path : str or Path
        An emed, footscan, F-Scan/I-Scan, XSENSOR or pliance export with several frames.
    sampling_rate_hz : float, optional
        The frame rate, when the file does not state it; checked against the file's (more than 5 %
        apart raises).

    Raises
    ------
    RecordingError
        For everything the footprint reader refuses (truncated, damaged, no pressure ...), a static
        picture, a recording too long to keep its frames, no frame rate, or a print that is not a foot.
    """
    from footchain.measure.footprint.pressure import read_pressure_frame

    p = Path(path)
    try:
        frame = read_pressure_frame(p)
    except FootprintError as exc:
        raise RecordingError(str(exc)) from None
    if frame.frames is None or frame.frames.shape[0] < 2:
        if frame.frame == "static" or frame.format not in DYNAMIC_FORMATS:
            raise RecordingError(
                f"{p}: one picture, no time: use footchain footprint. The file holds a single pressure "
                "picture, so there is no walk to analyse; gait needs a recording of several frames"
            )
        raise RecordingError(
            f"{p}: the recording is too long for footchain to keep its frames; export a single trial "
            "(one walk across the platform, or a few steps of the insoles)"
        )
    rate = _rate(frame, p, sampling_rate_hz)
    feet = _feet(frame, p)
    warnings = [w for w in frame.warnings if "peak pressure picture" not in w]
    unit_factor = _NEWTONS_PER_UNIT_MM2.get(frame.unit)
    if frame.mm_per_px is not None and unit_factor is not None:
        cell_force = unit_factor * frame.mm_per_px**2
        force_unit = "N"
        if frame.unit != "kPa" and frame.unit != "N/cm²":
            warnings.append(
                f"pressures in {frame.unit} were converted to force in newtons with the cell area"
            )
    else:
        cell_force = 1.0
        force_unit = f"{frame.unit} (sum of cell pressures)"
        why = "the sensor pitch is unknown" if frame.mm_per_px is None else f"the unit is {frame.unit}"
        warnings.append(f"the force under each foot is a sum of cell readings, not newtons: {why}")
    pitch = frame.mm_per_px if frame.mm_per_px is not None else 1.0
    position_unit = "mm" if frame.mm_per_px is not None else "cells"

    stack = frame.frames
    slots: dict[Side, tuple[FloatArray, FloatArray, FloatArray]] = {}
    unknown_slots: list[Side] = ["left", "right"]
    for foot in feet:
        side = foot.side
        if side is None or side in slots:
            free = [s for s in unknown_slots if s not in slots]
            if not free:
                warnings.append("more than two prints in the recording; only two feet are analysed")
                continue
            taken = side
            side = free[0]
            warnings.append(
                f"a print's side is {foot.how if taken is None else 'the same as another print'}: it is "
                f"reported in the {side} slot only because a recording has two, NOT because it is the {side} "
                "foot; its CPEI is not measured (lateral is unknown)"
            )
        else:
            warnings.append(f"{side} foot: side {foot.how}")
        rows, cols = np.nonzero(foot.mask)
        sensors = stack[:, rows, cols]  # (T, cells)
        force = sensors.sum(axis=1) * cell_force
        positions = _positions(rows, cols, foot.axis, pitch)
        slots[side] = (force, sensors, positions)
    unknown_side = any(f.side is None for f in feet) or len({f.side for f in feet}) < len(feet)

    n = stack.shape[0]
    before, after = _landing_padding(frame, slots, warnings)
    time_s = np.arange(n + before + after, dtype=np.float64) / rate

    def padded(values: FloatArray) -> FloatArray:
        if not (before or after):
            return values
        width = [(before, after)] + [(0, 0)] * (values.ndim - 1)
        return np.pad(values, width)

    forces = {s: padded(v[0]) for s, v in slots.items()}
    warnings += check_forces(
        [(f"{s} foot", forces.get(s)) for s in ("left", "right")], time_s, force_unit, str(p)
    )
    left = slots.get("left")
    right = slots.get("right")
    return Recording(
        path=p,
        format="pressure_walk",
        sampling_rate_hz=rate,
        time_s=time_s,
        left_force=forces.get("left"),
        right_force=forces.get("right"),
        force_unit=force_unit,
        left_sensors=None if left is None else padded(left[1]),
        right_sensors=None if right is None else padded(right[1]),
        sensor_unit=frame.unit,
        left_sensor_positions=None if left is None else left[2],
        right_sensor_positions=None if right is None else right[2],
        sensor_position_unit=position_unit,
        sensor_cell_size=None if unknown_side else pitch,
        warnings=tuple(warnings),
    )


def _rate(frame: PressureFrame, path: Path, sampling_rate_hz: float | None) -> float:
    file_rate = None if frame.frame_interval_s is None else 1.0 / frame.frame_interval_s
    if (
        file_rate is not None
        and sampling_rate_hz is not None
        and abs(file_rate - sampling_rate_hz) > 0.05 * file_rate
    ):
        raise RecordingError(
            f"{path}: the sampling rate given ({sampling_rate_hz:g} Hz) does not match the file's "
            f"frame rate ({file_rate:g} Hz)"
        )
    rate = file_rate if file_rate is not None else sampling_rate_hz
    if rate is None or not np.isfinite(rate) or rate <= 0:
        raise RecordingError(
            f"{path}: the file does not state its frame rate, so the frames have no time; give the rate "
            "(for example --sampling-rate 100)"
        )
    return float(rate)


def _positions(
    rows: IntArray, cols: IntArray, axis: tuple[FloatArray, FloatArray] | None, pitch: float
) -> FloatArray:
    """Cell centres in the foot's frame: x towards the person's right, y heel → toe (back of the heel 0).

    The picture is the print seen from above (x = column to the right, y = row downwards); the foot
    axis is the footprint code's (back of the heel → second-toe tip). Without an axis the picture's own
    frame (toes up) is kept.
    """
    centres = np.column_stack((cols, rows)).astype(np.float64)
    if axis is None:
        return np.column_stack((centres[:, 0], -centres[:, 1])) * pitch
    heel, d = axis
    right = np.array([-d[1], d[0]])  # d turned +90° with y down: the person's right seen from above
    rel = centres - heel
    return np.column_stack((rel @ right, rel @ d)) * pitch


def _landing_padding(
    frame: PressureFrame, slots: dict[Side, tuple[FloatArray, FloatArray, FloatArray]], warnings: list[str]
) -> tuple[int, int]:
    """One unloaded frame before/after a platform recording whose first/last frame is lightly loaded."""
    if frame.format not in PLATFORM_FORMATS or not slots:
        return 0, 0
    total = np.sum([v[0] for v in slots.values()], axis=0)
    peak = float(np.max(total))
    before = int(0 < total[0] <= LIGHT_FRAME_SHARE * peak)
    after = int(0 < total[-1] <= LIGHT_FRAME_SHARE * peak)
    if before:
        warnings.append(
            f"the platform recording's first frame already carries {100 * total[0] / peak:.0f}% of the peak "
            "load: a platform starts recording at the foot's first touch, so an unloaded frame was put "
            "before it and the heel strike lies within one frame of the recording's start"
        )
    if after:
        warnings.append(
            f"the platform recording's last frame still carries {100 * total[-1] / peak:.0f}% of the peak "
            "load: the recording stops as the foot leaves, so an unloaded frame was put after it and the "
            "toe off lies within one frame of the recording's end"
        )
    return before, after
