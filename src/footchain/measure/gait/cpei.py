"""Centre of pressure excursion index (CPEI) of one stance, from the COP path and the foot's outline.

Song et al. (1996) draw a construction line from the first to the last point of the centre of
pressure (COP) path of a stance. At the distal third of the foot (67 % of the foot length from the
heel, ``knowledge/thresholds.toml [cpei]``) they measure how far the COP lies from that line and
divide it by the foot's width there:

    CPEI = excursion / foot width × 100 (%)

The excursion is positive when the COP lies on the lateral side of the line, so a low CPEI means a
COP that runs medially: a pronated foot function. Absolute norms are uncertain (domain.md §4, grade M),
so a value is reported with that caveat and never judged against a cut-off.

Here the foot's long axis is the principal axis of the contact cells (the outline: every cell loaded
during the stance), pointing the way the COP travels (heel to toe); the foot length is the outline's
extent along that axis, cells counted whole; the width at the 67 % level is the extent of the outline
on the line perpendicular to the axis there. Everything is in the foot's own frame, so the value does
not depend on where or at what angle the foot stands on the sensor, and a left foot gives the value of
its mirror-image right foot.

Song J, Hillstrom HJ, Secord D, Levitt J (1996). Foot type biomechanics: comparison of planus and
rectus foot types. J Am Podiatr Med Assoc 86(1):16-23.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from footchain.knowledge import load_knowledge
from footchain.measure.gait.recording import FloatArray, Side, square_cells

CPEI_LEVEL = load_knowledge().thresholds.cpei.measure_at_percent_of_foot_length / 100.0
"""Where along the foot (share of its length from the heel) the excursion is taken (Song 1996: 67 %)."""
CPEI_CAVEAT = load_knowledge().thresholds.cpei.caveat
"""The caveat that goes with every reported CPEI (domain.md §4: absolute norms uncertain)."""
MIN_COP_POINTS = 5
"""Fewer COP points than this in a stance: no path to speak of."""

Point = tuple[float, float]


class CpeiUndefined(ValueError):
    """CPEI cannot be measured for this stance; ``str(error)`` says why, in words for a report."""


@dataclass(frozen=True)
class Cpei:
    """The CPEI of one stance and the construction that gave it (positions in the input's unit).

    Attributes
    ----------
    cpei_percent : float
        Excursion over foot width × 100; positive when the COP passes lateral of the construction line.
    excursion : float
        Signed distance of the COP from the construction line at the level, lateral positive.
    foot_width : float
        Width of the outline at the level, perpendicular to the foot's axis.
    foot_length : float
        Length of the outline along the foot's axis.
    heel, toe : Point
        The ends of the foot's axis (back of the heel, front of the outline).
    construction_line : tuple of Point
        First and last COP point of the stance.
    level_line : tuple of Point
        The outline's width at the level: its two ends, the one towards the person's right first.
    cop_at_level : Point
        Where the COP crosses the level.
    """

    cpei_percent: float
    excursion: float
    foot_width: float
    foot_length: float
    heel: Point
    toe: Point
    construction_line: tuple[Point, Point]
    level_line: tuple[Point, Point]
    cop_at_level: Point


def _point(p: FloatArray) -> Point:
    return float(p[0]), float(p[1])


def _extent_on_line(
    polygons: FloatArray, origin: FloatArray, direction: FloatArray
) -> tuple[float, float] | None:
    """Extent (t_min, t_max) of the union of convex polygons (k, m, 2) on the line ``origin + t · direction``.

    The line's intersection with each polygon is an interval of t: inside every edge's half-plane
    (Cyrus and Beck's clipping). The extent runs from the smallest start to the largest end.

    Cyrus M, Beck J (1978). Generalized two- and three-dimensional clipping. Comput Graph 3(1):23-28.
    """
    edges = np.roll(polygons, -1, axis=1) - polygons
    # inward normals: the left normal for counter-clockwise corners, the right one for clockwise
    x, y = polygons[..., 0], polygons[..., 1]
    turn = np.sign((x * np.roll(y, -1, axis=1) - np.roll(x, -1, axis=1) * y).sum(axis=1))[:, None]
    normals = np.stack((-edges[..., 1], edges[..., 0]), axis=-1) * turn[..., None]
    a = normals @ direction  # (k, m): how t moves each edge's test
    b = ((origin - polygons) * normals).sum(axis=-1)  # (k, m): the test at t = 0, inside when ≥ 0
    with np.errstate(divide="ignore", invalid="ignore"):
        bound = -b / a
    lo = np.where(a > 0, bound, -np.inf).max(axis=1)
    hi = np.where(a < 0, bound, np.inf).min(axis=1)
    parallel_outside = ((a == 0) & (b < 0)).any(axis=1)
    hit = (hi > lo) & ~parallel_outside
    if not hit.any():
        return None
    return float(lo[hit].min()), float(hi[hit].max())


def stance_cpei(
    cop: FloatArray,
    outline: FloatArray,
    side: Side,
    *,
    cell_size: float | None = None,
    level: float = CPEI_LEVEL,
) -> Cpei:
    """CPEI of one stance (Song et al. 1996, JAPMA 86:16).

    Parameters
    ----------
    cop : ndarray, shape (n, 2)
        The COP path of the stance in time order (x medio-lateral, y along the foot, or any
        rotation of that frame); rows with NaN are skipped.
    outline : ndarray, shape (k, 2) or (k, m, 2)
        The sensors loaded during the stance, same unit and frame as ``cop``: the centres of square
        cells of side ``cell_size``, or each sensor's corners (a convex polygon, e.g. a pedar insole).
    side : {"left", "right"}
        The foot, which says which side of the construction line is lateral. The frame is seen from
        above: the foot's right is clockwise from the direction of travel.
    cell_size : float, optional
        Side of one square sensor cell, in the unit of the positions, when ``outline`` gives centres.
    level : float
        Share of the foot length from the heel where the excursion is taken (default 0.67).

    Returns
    -------
    Cpei

    Raises
    ------
    CpeiUndefined
        When the stance has too few COP points, the COP does not travel along the foot, the COP
        starts in front of the level or never reaches it, or the outline has no width there.
    """
    path = np.asarray(cop, dtype=np.float64)
    path = path[np.isfinite(path).all(axis=1)]
    cells = np.asarray(outline, dtype=np.float64)
    if path.shape[0] < MIN_COP_POINTS:
        raise CpeiUndefined(f"only {path.shape[0]} centre-of-pressure points in the stance")
    if cells.ndim == 2:
        if cell_size is None or not cell_size > 0:
            raise ValueError("sensor centres need a positive cell_size")
        cells = square_cells(cells, cell_size)
    if cells.shape[0] < 3:
        raise CpeiUndefined("the stance loads too few sensor cells to give the foot's outline")
    corners = cells.reshape(-1, 2)
    centre = cells.mean(axis=1).mean(axis=0)
    evals, evecs = np.linalg.eigh(np.cov((cells.mean(axis=1) - centre).T))
    axis = np.asarray(evecs[:, int(np.argmax(evals))], dtype=np.float64)
    travel = path[-1] - path[0]
    along = float(travel @ axis)
    if along < 0:
        axis = -axis
        along = -along
    s_corners = corners @ axis  # heel → toe along the axis: the outline's extreme corners
    heel_s, toe_s = float(s_corners.min()), float(s_corners.max())
    length = toe_s - heel_s
    if along < 0.25 * length:
        raise CpeiUndefined(
            "the centre of pressure does not travel from heel to toe in this stance "
            f"(it moves {along / length:.0%} of the foot length along the foot)"
        )
    level_s = heel_s + level * length
    right = np.array([axis[1], -axis[0]])  # seen from above: the right of the direction of travel
    base = centre + (level_s - float(centre @ axis)) * axis  # the axis' point at the level
    extent = _extent_on_line(cells, base, right)
    if extent is None or extent[1] - extent[0] <= 0:
        raise CpeiUndefined(f"the outline has no width at {level:.0%} of the foot length")
    s_path = path @ axis
    if s_path[0] >= level_s:
        raise CpeiUndefined(
            f"the centre of pressure starts in front of {level:.0%} of the foot length (no heel contact)"
        )
    beyond = np.flatnonzero(s_path >= level_s)
    if beyond.size == 0:
        raise CpeiUndefined(f"the centre of pressure never reaches {level:.0%} of the foot length")
    i = int(beyond[0])
    share = (level_s - s_path[i - 1]) / (s_path[i] - s_path[i - 1])
    at_level = path[i - 1] + share * (path[i] - path[i - 1])
    direction = travel / float(np.linalg.norm(travel))
    line_right = np.array([direction[1], -direction[0]])
    distance = float((at_level - path[0]) @ line_right)
    excursion = distance if side == "right" else -distance
    width = extent[1] - extent[0]
    return Cpei(
        cpei_percent=100.0 * excursion / width,
        excursion=excursion,
        foot_width=width,
        foot_length=length,
        heel=_point(centre + (heel_s - float(centre @ axis)) * axis),
        toe=_point(centre + (toe_s - float(centre @ axis)) * axis),
        construction_line=(_point(path[0]), _point(path[-1])),
        level_line=(_point(base + extent[1] * right), _point(base + extent[0] * right)),
        cop_at_level=_point(at_level),
    )


def stances_cpei(
    x: FloatArray,
    y: FloatArray,
    sensors: FloatArray,
    outlines: FloatArray,
    windows: Sequence[Sequence[int]] | NDArray[np.int64],
    side: Side,
) -> tuple[list[Cpei], list[str]]:
    """CPEI of every stance window ``[lo, hi)``: the COP (x, y) and the sensors (polygons
    ``outlines``, one per sensor column) loaded in the window.

    Returns the stances' results and, for the stances without one, why.
    """
    found: list[Cpei] = []
    why: list[str] = []
    for lo, hi in np.asarray(windows, dtype=np.int64).reshape(-1, 2).tolist():
        loaded = (np.nan_to_num(sensors[lo:hi], nan=0.0) > 0).any(axis=0)
        try:
            found.append(stance_cpei(np.column_stack((x[lo:hi], y[lo:hi])), outlines[loaded], side))
        except CpeiUndefined as exc:
            why.append(str(exc))
    return found, why


def cpei_entry(found: Sequence[Cpei], why: Sequence[str], stances: int) -> dict[str, Any]:
    """The ``summary.cop.<side>`` keys for CPEI: mean over stances (1 decimal), count, caveat, reasons."""
    if not found:
        reason = "; ".join(dict.fromkeys(why)) if why else "no complete stance (heel strike to toe off)"
        return {
            "cpei_percent": None,
            "cpei_stances": 0,
            "cpei_caveat": CPEI_CAVEAT,
            "cpei_not_measured": f"CPEI not measured: {reason}",
        }
    values = [c.cpei_percent for c in found]
    entry: dict[str, Any] = {
        "cpei_percent": round(float(np.mean(values)), 1),
        "cpei_stances": len(found),
        "cpei_per_stance_percent": [round(v, 1) for v in values],
        "cpei_caveat": CPEI_CAVEAT,
    }
    if why:
        entry["cpei_not_measured"] = (
            f"{len(why)} of {stances} stances without CPEI: {'; '.join(dict.fromkeys(why))}"
        )
    return entry
