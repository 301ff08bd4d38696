"""Where the 99 sensors of a novel pedar insole lie, and how large they are, per insole size.

A pedar export gives each sensor's pressure but not the insole's layout. The layout and the sensor
areas come from the tables of the R package pressuRe (Telfer et al., MIT; see ``data/README.md``):
the outline of each sensor as a quadrilateral in plot units, both insoles side by side as seen from
above (rows 1–99 the right insole, rows 100–198 the left one), and the area of each sensor in mm²
for every insole size. The plot is brought to millimetres with the one scale factor that makes the
drawn sensor areas match the tabulated ones for the insole's size (the median over sensors; single
sensors of the drawing differ from the table by about 5 %, so positions are good to a few mm).

Axes as :class:`~footchain.measure.gait.recording.Recording` wants them: x towards the person's
right, y from heel to toes, origin at the insole's rearmost, leftmost corner. Checked on the pressuRe
pedar example: in each step the heel sensors load first, and the most distal sensor (under the
hallux) lies medial, on the +x side of the left insole and the −x side of the right one.

The size is the first token of the export's ``sensor type`` line (``y-1865l-1870r-…`` → ``y``).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from importlib.resources import files

import numpy as np

from footchain.measure.gait.recording import FloatArray, Side

SENSORS_PER_INSOLE = 99
_GRID_ROWS: dict[Side, slice] = {"right": slice(0, 99), "left": slice(99, 198)}


@dataclass(frozen=True)
class InsoleLayout:
    """One pedar insole size: sensor outlines and centres (mm) per side, and sensor areas.

    Attributes
    ----------
    size : str
        The size letter(s) of the sensor type (``"y"``, ``"xw"``, ...).
    outlines_mm : dict of side to ndarray, shape (99, 4, 2)
        Corners of each sensor, sensor ``k`` at row ``k - 1``.
    centres_mm : dict of side to ndarray, shape (99, 2)
        The mean of each sensor's corners.
    areas_cm2 : ndarray, shape (99,)
        Area of each sensor (cm²), the same for both sides.
    """

    size: str
    outlines_mm: dict[Side, FloatArray]
    centres_mm: dict[Side, FloatArray]
    areas_cm2: FloatArray


def _table(name: str) -> list[dict[str, str]]:
    text = files("footchain.measure.gait").joinpath("data", name).read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines()))


@cache
def _grid() -> FloatArray:
    rows = _table("pedar_insole_grid.csv")
    corners = [[float(row[f"{axis}{k}"]) for k in range(1, 5) for axis in ("x", "y")] for row in rows]
    return np.asarray(corners, dtype=np.float64).reshape(-1, 4, 2)


@cache
def _areas_mm2() -> dict[str, FloatArray]:
    rows = _table("pedar_sensor_areas.csv")
    sizes = [key.removeprefix("size_") for key in rows[0] if key.startswith("size_")]
    return {
        size: np.asarray([float(row[f"size_{size}"]) for row in rows], dtype=np.float64) for size in sizes
    }


def known_sizes() -> tuple[str, ...]:
    """The insole sizes the area table covers."""
    return tuple(_areas_mm2())


def size_of(sensor_type: str) -> str | None:
    """The insole size named by a ``sensor type`` value (``"y-1865l-…"`` → ``"y"``), or None."""
    token = sensor_type.strip().split("-", 1)[0].strip().lower()
    return token if token in _areas_mm2() else None


def _polygon_area(outlines: FloatArray) -> FloatArray:
    x, y = outlines[..., 0], outlines[..., 1]
    return np.asarray(
        np.abs(0.5 * (x * np.roll(y, -1, axis=-1) - np.roll(x, -1, axis=-1) * y).sum(axis=-1)),
        dtype=np.float64,
    )


@cache
def insole_layout(size: str) -> InsoleLayout:
    """The layout of one insole size (see the module docstring for the scale and the axes)."""
    areas_mm2 = _areas_mm2()[size]
    grid = _grid()
    scale = float(np.sqrt(np.median(areas_mm2 / _polygon_area(grid[_GRID_ROWS["left"]]))))
    origin = grid.reshape(-1, 2).min(axis=0)
    outlines: dict[Side, FloatArray] = {}
    centres: dict[Side, FloatArray] = {}
    for side, rows in _GRID_ROWS.items():
        mm = (grid[rows] - origin) * scale
        mm[..., 0] -= mm[..., 0].min()  # each insole from its own leftmost point
        outlines[side] = mm
        centres[side] = mm.mean(axis=1)
    return InsoleLayout(size, outlines, centres, areas_mm2 / 100.0)
