"""Validation section: the arch index of pressure-plate exports against pressuRe's method.

pressuRe (Telfer et al., MIT) computes the arch index of a plate recording from the per-sensor
maximum over all frames, with the toes removed by its automatic mask (a least-cost toe line across
the front of the foot), the toe-less print turned so that the longest edge of the convex hull of the
centre-of-pressure path is vertical, and that print's bounding box cut into thirds. On
``footscan_test.xls`` it gives 0.221 (run for issue 14); on ``emed_test.lst`` its value lies within
0.011 of footchain's. The section measures footchain on the plate exports of
``../shared/data/pressure``, says which recordings hold no footprint and why, and takes the footscan
difference apart: the toe line, then the foot axis.
"""

from __future__ import annotations

import cv2
import numpy as np
from agreement import table

from _data import recordings
from footchain.errors import FootprintError
from footchain.measure.footprint.analyze import analyze_footprint
from footchain.measure.footprint.indices import measure_print
from footchain.measure.footprint.pressure import PressureFrame, read_pressure_frame
from footchain.measure.footprint.toe_valley import cut_toes_at_valley

PRESSURE = recordings("pressure") / "pressure"
PRESSURE_RE_FOOTSCAN_AI = 0.221
"""pressuRe's arch index of ``footscan_test.xls`` (issue 14)."""
FILES = (
    "emed_test.lst",
    "footscan_test.xls",
    "pliance_test.asc",
    "fscan_testL.asf",
    "xsensor_data.csv",
    "iscan_test.csv",
)
BODY_SHARE = 0.25  # parts of the cut print at least this share of the largest are the toe-less print


def _contact(frame: PressureFrame) -> np.ndarray:
    return np.asarray(frame.values > 0)


def _ai(mask: np.ndarray, frame: PressureFrame) -> float:
    ai = measure_print(mask, mm_per_px=frame.mm_per_px, kind="pressure").arch_index
    assert ai is not None
    return float(ai)


def _toeless(kept: np.ndarray) -> np.ndarray:
    """The print without its toes: the large parts (heel, ball, midfoot) left by the toe line."""
    _, labels, stats, _ = cv2.connectedComponentsWithStats(kept.view(np.uint8), connectivity=8)
    areas = stats[1:, cv2.CC_STAT_AREA]
    return np.isin(labels, 1 + np.flatnonzero(areas >= BODY_SHARE * areas.max()))


def thirds_on_the_cop_axis(toeless: np.ndarray, frames: np.ndarray) -> float:
    """The arch index with pressuRe's axis: the toe-less print's extent along the longest edge of the
    convex hull of the centre-of-pressure path (frames with load), cut into thirds; each pixel is
    sampled 8 × 8 so that the thirds cut pixels in part."""
    rows, cols = np.mgrid[0 : toeless.shape[0], 0 : toeless.shape[1]]
    totals = frames.reshape(frames.shape[0], -1).sum(axis=1)
    loaded = frames[totals > 0]
    cop = (
        np.stack([(loaded * cols).sum(axis=(1, 2)), (loaded * rows).sum(axis=(1, 2))], axis=1)
        / totals[totals > 0, None]
    )
    hull = cv2.convexHull(cop.astype(np.float32)).reshape(-1, 2).astype(np.float64)
    edges = np.roll(hull, -1, axis=0) - hull
    longest = edges[int(np.argmax(np.hypot(edges[:, 0], edges[:, 1])))]
    axis = longest / np.hypot(*longest)
    offsets = (np.arange(8) + 0.5) / 8 - 0.5
    ys, xs = np.nonzero(toeless)
    sub_y = (ys[:, None, None] + offsets[None, :, None] + 0 * offsets[None, None, :]).ravel()
    sub_x = (xs[:, None, None] + 0 * offsets[None, :, None] + offsets[None, None, :]).ravel()
    along = sub_x * axis[0] + sub_y * axis[1]
    lo, third = along.min(), (along.max() - along.min()) / 3
    return float(((along >= lo + third) & (along < lo + 2 * third)).mean())


def _status(name: str) -> tuple[str, str]:
    """footchain's arch index of a file, or why it refuses one."""
    try:
        result = analyze_footprint(PRESSURE / name)
    except FootprintError as exc:
        path = str(PRESSURE / name)
        reason = str(exc).replace(f"{path}: ", "").replace(f"{path} ", "").split(". ", 1)[0]
        return "refused", reason.removeprefix("is ")
    values = ", ".join(f"{p.arch_index:.3f}" for p in result.prints if p.arch_index is not None)
    return values, "measured"


def section() -> str:
    """The pressure-plate section of the validation page (Markdown)."""
    overview = table(
        ["file", "footchain AI", "what footchain says"], [[name, *_status(name)] for name in FILES]
    )
    rows = []
    for name in ("footscan_test.xls", "emed_test.lst"):
        frame = read_pressure_frame(PRESSURE / name)
        assert frame.frames is not None
        kept = cut_toes_at_valley(_contact(frame), frame.values)
        toeless = _toeless(kept)
        steps = [
            ("no toe line (toes that touch the ball stay on it)", _ai(_contact(frame), frame)),
            ("footchain: toe line along the valley, axis heel → second toe", _ai(kept, frame)),
            (
                "same toe-less print, pressuRe's axis (COP path) and thirds",
                thirds_on_the_cop_axis(toeless, frame.frames),
            ),
        ]
        rows += [[name, what, f"{ai:.3f}"] for what, ai in steps]
    rows.append(
        ["footscan_test.xls", "pressuRe's `arch_index()` (issue 14)", f"{PRESSURE_RE_FOOTSCAN_AI:.3f}"]
    )
    decomposition = table(["file", "method", "AI"], rows)
    return f"""## Pressure-plate arch index against pressuRe

The arch index (Cavanagh & Rodgers 1987) of the example exports that ship with the R package pressuRe
(Telfer et al., MIT). pressuRe's `arch_index()` takes the per-sensor maximum over all frames, removes
the toes with its automatic mask (a least-cost toe line across the front of the foot), turns the
print so that the longest edge of the centre-of-pressure path's convex hull is vertical, and cuts the
toe-less print's bounding box into thirds. Its values were run for issue 14 (R is not part of this
build, so they are not recomputed here): 0.221 on `footscan_test.xls`, within 0.011 of footchain's
value on `emed_test.lst`.

{overview}

The refused files hold no footprint: XSENSOR sensors named for a foot (`-LF`, `-RF`) and Tekscan
F-Scan sensors are insoles worn in a shoe, whose picture is the foot against the insole and the
shoe's shank; the I-Scan sensor is 36 × 36 mm (a finger); and in the pliance recording the heel and
the forefoot were pressed in turn for 11 s with at most 211 N, so the midfoot never touched and the
print's arch index of 0.001 describes the loading, not the arch.

Where the footscan difference comes from, one step at a time (the last rows recompute the index on
footchain's toe-less print with pressuRe's axis and thirds, as a check of the cause, not what
footchain ships):

{decomposition}

**Why**: on the footscan plate the big toe touches the ball through a row of sensors at about a fifth
of the peak pressure. footchain used to keep it on the ball, so its toe line lay three sensor rows too
far forward and the index read 0.252 with the watershed it used before (0.236 with no toe line at
all; a flat foot in the plate bands of Buldt et al. 2018). The toe
line now runs along the cheapest low-pressure path across the front of the foot, as pressuRe's and
novel's masks do, and the toes are found. What remains is the foot axis: Cavanagh & Rodgers draw it
from the centre of the heel to the tip of the second toe, which footchain follows; pressuRe turns the
print by the centre-of-pressure path instead. On the same toe-less print pressuRe's axis gives within
0.005 of pressuRe's own value, so the remaining difference of 0.025 is the axis, and footchain's
value is the one the method defines. On a print 57 sensors long a turn of the axis by a few degrees
moves the index by that much: read pressure-plate arch indices to about ±0.02. Leaving out the
footscan file's two empty frames, or measuring on the exact 7.62 × 5.08 mm sensors instead of 5.08 mm
square pixels, changed the index by less than 0.005 when checked for issue 14.
"""
